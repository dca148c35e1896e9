/** Mise en forme française des nombres pour les messages, courriels et documents. */

const integerFormat = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });
const decimalFormat = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 });
const euroFormat = new Intl.NumberFormat('fr-FR', {
	minimumFractionDigits: 2,
	maximumFractionDigits: 2,
});

/** Espaces des séparateurs de milliers : espace insécable ordinaire (lisible partout, y compris en texte brut). */
function plainSpaces(text: string): string {
	return text.replace(/[\u202f\u00a0]/g, '\u00a0');
}

export function formatInteger(value: number): string {
	return plainSpaces(integerFormat.format(value));
}

export function formatNumber(value: number): string {
	return plainSpaces(decimalFormat.format(value));
}

export function formatEuros(value: number): string {
	return `${plainSpaces(euroFormat.format(value))}\u00a0€`;
}

export function formatPercent(value: number): string {
	return `${plainSpaces(decimalFormat.format(value))}\u00a0%`;
}

export function formatHours(value: number): string {
	return `${plainSpaces(decimalFormat.format(value))}\u00a0h`;
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
