/**
 * Rapprochement d'un lieu d'exécution et des territoires couverts par les
 * facilitateurs : codes de département (« 79 », « 2A », « 971 »), codes postaux,
 * noms de communes ou d'intercommunalités (sans tenir compte des accents, de la
 * casse ni de la ponctuation).
 */
import type { Facilitator } from './schemas/facilitator';

function words(value: string): string {
	return ` ${value
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.replace(/œ/gi, 'oe')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, ' ')
		.trim()} `;
}

const DEPARTMENT = /^(\d{2}|2[ab]|97\d)$/i;

/** Départements cités dans un lieu : « (79) », code postal « 79000 », ou le seul code « 79 ». */
export function departmentsOf(place: string): Set<string> {
	const found = new Set<string>();
	const trimmed = place.trim();
	if (DEPARTMENT.test(trimmed)) found.add(trimmed.toUpperCase());
	for (const match of place.matchAll(/\((\d{2}|2[AB]|97\d)\)/gi)) found.add(match[1].toUpperCase());
	for (const match of place.matchAll(/\b(\d{5})\b/g)) {
		const code = match[1];
		found.add(code.startsWith('97') ? code.slice(0, 3) : code.slice(0, 2));
	}
	return found;
}

/** Un lieu analysé une fois (départements, mots) pour le comparer à plusieurs territoires. */
class Place {
	private departments?: Set<string>;
	private text?: string;

	constructor(private readonly place: string) {}

	covers(territory: string): boolean {
		const t = territory.trim();
		if (DEPARTMENT.test(t)) return (this.departments ??= departmentsOf(this.place)).has(t.toUpperCase());
		const needle = words(t);
		return needle.trim() !== '' && (this.text ??= words(this.place)).includes(needle);
	}
}

export function coversPlace(territory: string, place: string): boolean {
	return new Place(place).covers(territory);
}

/** Facilitateurs dont un territoire couvre le lieu, dans l'ordre de la liste. */
export function facilitatorsFor(place: string, facilitators: Facilitator[]): Facilitator[] {
	const analysed = new Place(place);
	return facilitators.filter((f) => f.territoires.some((t) => analysed.covers(t)));
}
