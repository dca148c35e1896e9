/**
 * Rapprochement tolérant des noms de champs : « Montant HT », « montant_ht »
 * et « montantHT » désignent le même champ. Les champs inconnus sont laissés
 * tels quels (ils accompagnent l'élément en sortie).
 */
import { normalizeToken } from './schemas/primitives';

/**
 * Copie autonome d'un texte pris dans un texte plus grand (XML d'une feuille,
 * morceau lu en flux). Une sous-chaîne (résultat d'une expression régulière,
 * de slice, d'un analyseur XML…) garde en V8 une référence à toute la chaîne
 * d'origine : une valeur de cellule gardée dans une sortie, une mémoire ou un
 * index retiendrait tout le XML de sa feuille, ou tout un morceau de 64 Kio
 * lu en flux. La concaténation puis slice force V8 à recopier les caractères
 * dans une chaîne neuve, de la taille du texte (en deçà de 13 caractères, V8
 * recopie toujours).
 */
export function detachedText(text: string): string {
	return text.length < 13 ? text : (` ${text}`).slice(1);
}

/** Une valeur gardée au-delà de la ligne lue : ses textes détachés (voir detachedText). */
export function detachedValue<T>(value: T): T {
	return (typeof value === 'string' ? detachedText(value) : value) as T;
}

export type KeyIndex = Map<string, string>;

/** Noms de champs déjà rapprochés, par index (les mêmes intitulés reviennent à chaque ligne). */
const resolved = new WeakMap<KeyIndex, Map<string, string>>();

function canonical(index: KeyIndex, key: string): string {
	let cache = resolved.get(index);
	if (!cache) {
		cache = new Map();
		resolved.set(index, cache);
	}
	let name = cache.get(key);
	if (name === undefined) {
		name = index.get(normalizeToken(key)) ?? key;
		if (cache.size < 2000) cache.set(key, name);
	}
	return name;
}

/**
 * Index des noms acceptés : le nom du champ, son libellé français (celui des
 * messages et des modèles) et ses synonymes.
 */
export function buildKeyIndex(
	fields: string[],
	aliases: Record<string, string[]> = {},
	labels: Record<string, string> = {},
): KeyIndex {
	const index: KeyIndex = new Map();
	for (const field of fields) index.set(normalizeToken(field), field);
	for (const [field, label] of Object.entries(labels)) {
		const token = normalizeToken(label);
		if (!index.has(token)) index.set(token, field);
	}
	for (const [field, list] of Object.entries(aliases)) {
		for (const alias of list) {
			const token = normalizeToken(alias);
			if (!index.has(token)) index.set(token, field);
		}
	}
	return index;
}

/** L'enregistrement où les clés reconnues portent leur nom canonique (une copie s'il faut en renommer). */
export function canonicalizeKeys(record: Record<string, unknown>, index: KeyIndex): Record<string, unknown> {
	// Cas courant (éléments déjà aux noms canoniques) : l'enregistrement lui-même, sans copie.
	let renamed = false;
	for (const key in record) {
		if (Object.prototype.hasOwnProperty.call(record, key) && canonical(index, key) !== key) {
			renamed = true;
			break;
		}
	}
	if (!renamed) return record;
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(record)) {
		const name = canonical(index, key);
		// Une clé déjà au nom canonique l'emporte sur un synonyme.
		if (name !== key && Object.prototype.hasOwnProperty.call(record, name)) continue;
		out[name] = value;
	}
	return out;
}
