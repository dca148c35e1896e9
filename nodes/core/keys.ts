/**
 * Rapprochement tolérant des noms de champs : « Montant HT », « montant_ht »
 * et « montantHT » désignent le même champ. Les champs inconnus sont laissés
 * tels quels (ils accompagnent l'élément en sortie).
 */
import { normalizeToken } from './schemas/primitives';

export type KeyIndex = Map<string, string>;

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

/** Copie de l'enregistrement où les clés reconnues portent leur nom canonique. */
export function canonicalizeKeys(record: Record<string, unknown>, index: KeyIndex): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(record)) {
		const canonical = index.get(normalizeToken(key)) ?? key;
		// Une clé déjà au nom canonique l'emporte sur un synonyme.
		if (canonical !== key && Object.prototype.hasOwnProperty.call(record, canonical)) continue;
		out[canonical] = value;
	}
	return out;
}
