/** Mise en forme française des nombres pour les messages, courriels et documents. */

/**
 * Nombre à la française (« 1 234,5 ») : mêmes chiffres que
 * `Intl.NumberFormat('fr-FR')`, qui arrondit l'écriture décimale la plus courte
 * du nombre (1,005 → « 1,01 ») au demi supérieur en valeur absolue, mais
 * l'espace des milliers est l'espace insécable ordinaire (lisible partout, y
 * compris en texte brut) au lieu de l'espace fine. Écrit à la main : l'appel à
 * Intl coûte environ une microseconde, et les justifications de l'étude en
 * formatent une dizaine par lot. Un test de propriétés le compare à Intl.
 */
function frenchNumber(value: number, minDigits: number, maxDigits: number): string {
	const shortest = String(Math.abs(value));
	if (!Number.isFinite(value) || shortest.includes('e')) return fallbackFormat(value, minDigits, maxDigits);
	const dot = shortest.indexOf('.');
	let integer = dot < 0 ? shortest : shortest.slice(0, dot);
	let fraction = dot < 0 ? '' : shortest.slice(dot + 1);
	if (fraction.length > maxDigits) {
		const roundUp = fraction.charCodeAt(maxDigits) >= 53; // '5'
		fraction = fraction.slice(0, maxDigits);
		if (roundUp) {
			const digits = (integer + fraction).split('');
			let i = digits.length - 1;
			while (i >= 0 && digits[i] === '9') digits[i--] = '0';
			if (i < 0) digits.unshift('1');
			else digits[i] = String.fromCharCode(digits[i].charCodeAt(0) + 1);
			integer = digits.slice(0, digits.length - maxDigits).join('') || '0';
			fraction = digits.slice(digits.length - maxDigits).join('');
		}
	}
	let end = fraction.length;
	while (end > minDigits && fraction.charCodeAt(end - 1) === 48) end--; // '0'
	fraction = fraction.slice(0, end).padEnd(minDigits, '0');
	let grouped = integer;
	if (integer.length > 3) {
		grouped = '';
		for (let i = integer.length; i > 0; i -= 3) grouped = integer.slice(Math.max(0, i - 3), i) + (grouped === '' ? '' : `\u00a0${grouped}`);
	}
	const sign = value < 0 || Object.is(value, -0) ? '-' : '';
	return `${sign}${grouped}${fraction === '' ? '' : `,${fraction}`}`;
}

/** Cas rares (infini, NaN, au-delà de 10^21) : Intl, espaces fines remplacées. */
function fallbackFormat(value: number, minDigits: number, maxDigits: number): string {
	const format = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: minDigits, maximumFractionDigits: maxDigits });
	return format.format(value).replace(/[\u202f\u00a0]/g, '\u00a0');
}

/**
 * Ordre alphabétique français, le même que `a.localeCompare(b, 'fr')` : un seul
 * comparateur pour le paquet (localeCompare en recrée un à chaque comparaison,
 * ce qui pesait au chargement des nœuds, qui trient leurs options par libellé).
 */
export const compareFrench: (a: string, b: string) => number = new Intl.Collator('fr').compare;

export function formatInteger(value: number): string {
	return frenchNumber(value, 0, 0);
}

export function formatNumber(value: number): string {
	return frenchNumber(value, 0, 2);
}

export function formatEuros(value: number): string {
	return `${frenchNumber(value, 2, 2)}\u00a0€`;
}

export function formatPercent(value: number): string {
	return `${frenchNumber(value, 0, 2)}\u00a0%`;
}

export function formatHours(value: number): string {
	return `${frenchNumber(value, 0, 2)}\u00a0h`;
}

/** Guillemets français autour d'une valeur saisie par l'utilisateur. */
export function quote(value: unknown): string {
	const raw = typeof value === 'string' ? value : JSON.stringify(value);
	// Les retours à la ligne et caractères de contrôle saisis restent visibles sans casser le message.
	// eslint-disable-next-line no-control-regex
	const text = raw?.replace(/\r\n|\r|\n/g, '\u21b5').replace(/[\u0000-\u001f\u007f]/g, '\ufffd');
	const short = text !== undefined && text.length > 60 ? `${text.slice(0, 57)}…` : text;
	return `«\u00a0${short ?? ''}\u00a0»`;
}

/** Échappement HTML de tout texte venu des données (courriels, rapports). */
export function escapeHtml(value: unknown): string {
	return String(value ?? '')
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}

/** Noms féminins usuels des facilitateurs et services : « à la Maison de l'emploi ». */
const FEMININE = /^(maisons?|missions?|association|agence|communaut|m[ée]tropole|villes?|direction|r[ée]gion|cellule|plateforme|plate-forme|structure|f[ée]d[ée]ration|chambre|r[ée]gie|coop[ée]rative|soci[ée]t[ée])\b/i;
/** Noms masculins usuels : « au PLIE », « au GIP ». */
const MASCULINE = /^(plies?|gip|geiq|groupements?|conseil|d[ée]partement|comit[ée]|services?|p[ôo]les?|centres?|syndicat|r[ée]seau|guichet|facilitateurs?)\b/i;
/** Noms communs qui commencent par une voyelle ou un h muet : « à l'Espace emploi ». */
const ELIDED = /^(espaces?|epci|entreprises?|agglom[ée]ration|associations?|agences?|unions?|offices?|h[ôo]tel|ateliers?|[ée]tablissements?)\b/i;
/** Premier mot au pluriel (« Maisons de l'emploi », « PLIE » excepté) : « aux », « des ». */
const PLURAL = /^(maisons|missions|villes|plies|groupements|services|p[ôo]les|centres|facilitateurs|espaces|entreprises|associations|agences|unions|offices|ateliers|[ée]tablissements)\b/i;
/** Voyelle en tête d’un nom propre (le h, muet ou aspiré, est laissé) : « d'Initiative Emploi ». */
const VOWEL = /^[aeiouyàâäéèêëîïôöùûüœ]/i;

/**
 * Article défini d'un nom d'organisme : « le PLIE du Val d'Argent », « la Maison
 * de l'emploi », « l'Agence… », « les Maisons de l'emploi » ; un nom propre sans
 * article connu n'en prend pas (« Initiative Emploi »).
 */
export function withArticle(name: string): string {
	const n = name.trim();
	if (/^(le|la|les)\s+|^l['’]\s*/i.test(n)) return `${n.charAt(0).toLowerCase()}${n.slice(1)}`;
	if (PLURAL.test(n)) return `les ${n}`;
	if (ELIDED.test(n)) return `l\u2019${n}`;
	if (FEMININE.test(n)) return `la ${n}`;
	if (MASCULINE.test(n)) return `le ${n}`;
	return n;
}

/**
 * Le nom d'un organisme précédé de « à » ou de « de », accordé à son article :
 * « au PLIE du Val d'Argent », « à la Maison de l'emploi », « de l'Agence… »,
 * « du PLIE », « des Maisons de l'emploi » ; un nom propre sans article connu
 * reste « à Initiative Emploi », « d'Initiative Emploi ».
 */
export function withPreposition(preposition: 'à' | 'de', name: string): string {
	const articled = withArticle(name);
	const match = /^(le|les) (.*)$/s.exec(articled);
	if (match) {
		const contracted = preposition === 'à' ? (match[1] === 'le' ? 'au' : 'aux') : match[1] === 'le' ? 'du' : 'des';
		return `${contracted} ${match[2]}`;
	}
	if (preposition === 'de' && articled === name.trim() && VOWEL.test(articled)) return `d\u2019${articled}`;
	return `${preposition} ${articled}`;
}
