/**
 * Lecture des nombres tels que les services les saisissent : « 1 234,50 € »,
 * « 1.234,50 », « 12,5 % », « 1 000 000 » (espaces insécables compris), ou un
 * nombre JSON. Aucune dépendance n8n.
 */

const SPACES = /[\s\u00a0\u202f\u2007']/g;
const DECORATIONS = /(€|eur(os?)?|ht|ttc|h\b|heures?|%|\/h)/gi;
const DECORATION_MARK = '\ue000';
const EDGE_MARKS = /^\ue000+|\ue000+$/g;

/**
 * Convertit une saisie en nombre, ou `undefined` si elle n'est pas lisible.
 * Règles (documentées dans le README) :
 * - espaces, espaces insécables et apostrophes sont des séparateurs de milliers ;
 * - si la virgule et le point sont présents, le dernier des deux est le séparateur décimal ;
 * - une virgule seule est décimale (usage français) ;
 * - un point seul est décimal, sauf s'il apparaît plusieurs fois (milliers) ;
 * - le symbole €, « EUR », « HT », « % » et « h » sont ignorés avant ou après le nombre,
 *   pas entre deux chiffres (« 12 h 30 » est illisible, pas 1 230).
 */
export function parseDecimal(input: unknown): number | undefined {
	if (typeof input === 'number') return Number.isFinite(input) ? input : undefined;
	if (typeof input !== 'string') return undefined;
	let text = input.trim();
	if (text === '') return undefined;
	// Les décorations n'entourent que le nombre : « 12 h 30 » n'est pas 1 230.
	text = text.replace(DECORATIONS, DECORATION_MARK).replace(SPACES, '');
	text = text.replace(EDGE_MARKS, '');
	if (text === '' || text.includes(DECORATION_MARK)) return undefined;
	let sign = 1;
	if (text.startsWith('-') || text.startsWith('−')) {
		sign = -1;
		text = text.slice(1);
	} else if (text.startsWith('+')) {
		text = text.slice(1);
	}
	const lastComma = text.lastIndexOf(',');
	const lastDot = text.lastIndexOf('.');
	if (lastComma >= 0 && lastDot >= 0) {
		const decimalSeparator = lastComma > lastDot ? ',' : '.';
		const thousands = decimalSeparator === ',' ? '.' : ',';
		text = text.split(thousands).join('').replace(decimalSeparator, '.');
	} else if (lastComma >= 0) {
		if (text.indexOf(',') !== lastComma) return undefined;
		text = text.replace(',', '.');
	} else if (lastDot >= 0 && text.indexOf('.') !== lastDot) {
		text = text.split('.').join('');
	}
	if (!/^(\d+\.?\d*|\.\d+)$/.test(text)) return undefined;
	const value = Number(text) * sign;
	return Number.isFinite(value) ? value : undefined;
}

/** Vrai si la saisie texte porte un signe « % ». */
export function hasPercentSign(input: unknown): boolean {
	return typeof input === 'string' && input.includes('%');
}

/** Arrondi au centime, demi vers le haut en valeur absolue (règle comptable usuelle). */
export function roundCents(value: number): number {
	return roundTo(value, 2);
}

/**
 * Arrondi décimal, demi loin de zéro, sans les erreurs binaires usuelles
 * (1,005 → 1,01) : la valeur mise à l'échelle est corrigée d'un epsilon relatif.
 */
export function roundTo(value: number, decimals: number): number {
	const factor = 10 ** decimals;
	const rounded = Math.round(Math.abs(value) * factor * (1 + Number.EPSILON)) / factor;
	return value < 0 ? -rounded || 0 : rounded;
}
