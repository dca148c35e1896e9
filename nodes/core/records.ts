/** Lecture d'un enregistrement brut (élément n8n, ligne de tableur) avec un schéma zod. */
import type { z } from 'zod/v4';

import type { FieldLabels } from './anomalies';
import { AnomalyError, anomaliesFromZod } from './anomalies';
import type { KeyIndex } from './keys';
import { buildKeyIndex, canonicalizeKeys, detachedValue } from './keys';

export interface RecordReader<S extends z.ZodType> {
	schema: S;
	labels: FieldLabels;
	keys: KeyIndex;
	/**
	 * Règle d'ensemble de `schema` (son `superRefine`), pour la lecture rapide
	 * de lignes en nombre (rowReader) ; sans elle, un schéma qui a une règle
	 * d'ensemble est toujours lu en entier.
	 */
	refine?: (value: z.output<S>, ctx: z.RefinementCtx) => void;
}

/**
 * Lecteur d'un enregistrement dont les champs sont ceux de ses libellés :
 * intitulés acceptés, le nom de chaque champ, ses synonymes et son libellé.
 */
export function labelledReader<S extends z.ZodType>(schema: S, labels: FieldLabels, aliases: Record<string, string[]>): RecordReader<S> {
	return { schema, labels, keys: buildKeyIndex(Object.keys(labels), aliases, labels) };
}

/** Valide et convertit ; lève une AnomalyError qui dit où et quoi corriger. */
export function readRecord<S extends z.ZodType>(
	reader: RecordReader<S>,
	raw: unknown,
	where: string,
): z.output<S> {
	const result = tryReadRecord(reader, raw, where);
	if (!result.ok) throw result.error;
	return result.value;
}

/** « lot 4 du marché 2026-017 (élément 3) » : désignation lisible d'un lot, même mal saisi. */
export function describeLot(raw: unknown, itemIndex?: number): string {
	const record = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
	const pick = (...keys: string[]) => {
		for (const key of keys) {
			const value = record[key];
			if ((typeof value === 'string' && value.trim() !== '') || typeof value === 'number') return String(value).trim();
		}
		return undefined;
	};
	const lot = pick('lot', 'numeroLot', 'Lot', 'N° lot');
	const marche = pick('marche', 'marché', 'Marché');
	const item = itemIndex === undefined ? '' : ` (élément ${itemIndex + 1})`;
	if (lot && marche) return `lot ${lot} du marché ${marche}${item}`;
	if (lot) return `lot ${lot}${item}`;
	return itemIndex === undefined ? 'lot sans numéro' : `élément ${itemIndex + 1}`;
}

export type ReadResult<T> = { ok: true; value: T } | { ok: false; error: AnomalyError };

/** Comme readRecord, sans exception : renvoie la valeur ou l'erreur. */
export function tryReadRecord<S extends z.ZodType>(reader: RecordReader<S>, raw: unknown, where: string): ReadResult<z.output<S>> {
	const record =
		raw !== null && typeof raw === 'object' && !Array.isArray(raw)
			? canonicalizeKeys(raw as Record<string, unknown>, reader.keys)
			: raw;
	const result = reader.schema.safeParse(record);
	if (result.success) return { ok: true, value: result.data as z.output<S> };
	return { ok: false, error: new AnomalyError(anomaliesFromZod(result.error, reader.labels, where, record)) };
}

/** Paramètres d'un nœud validés par leur schéma ; l'erreur nomme le paramètre fautif (« paramètres du nœud »). */
export function parseSettings<S extends z.ZodType>(
	schema: S,
	input: unknown,
	labels: FieldLabels,
	where = 'paramètres du nœud',
): z.output<S> {
	const parsed = schema.safeParse(input);
	if (!parsed.success) throw new AnomalyError(anomaliesFromZod(parsed.error, labels, where, input));
	return parsed.data as z.output<S>;
}

/** Nombre de valeurs distinctes gardées par champ (au-delà, le champ est lu sans mémoire). */
const ROW_READER_CACHE = 2048;

type FieldResult = { ok: true; value: unknown } | { ok: false };

interface ZodInternals {
	_zod: { optin?: string; optout?: string; def: { checks?: unknown[] } };
}

/**
 * Lecture rapide de milliers de lignes d'un même schéma (classeur lu en flux) :
 * chaque champ est lu par son propre schéma zod une seule fois par valeur
 * distincte (les mêmes marchés, mois, catégories reviennent à chaque ligne),
 * puis la règle d'ensemble du schéma s'applique à l'enregistrement. Au moindre
 * doute (champ en erreur, règle d'ensemble non respectée, valeur qui n'est ni
 * texte, ni nombre, ni booléen), la ligne est relue par `tryReadRecord` : mêmes
 * valeurs, mêmes erreurs, zod reste la seule définition des enregistrements.
 * La mémoire des valeurs est propre au lecteur renvoyé (une lecture) et bornée.
 */
export function rowReader<S extends z.ZodType>(reader: RecordReader<S>): (raw: Record<string, unknown>, where: string | (() => string)) => ReadResult<z.output<S>> {
	const schema = reader.schema as unknown as { shape?: Record<string, z.ZodType> } & ZodInternals;
	const checks = schema._zod.def.checks?.length ?? 0;
	const shape = schema.shape;
	// Schéma qui n'est pas un objet, ou règle d'ensemble inconnue : lecture complète.
	if (!shape || (checks > 0 && (checks > 1 || !reader.refine))) return (raw, where) => tryReadRecord(reader, raw, typeof where === 'string' ? where : where());
	const fields = Object.keys(shape).map((key) => {
		const internals = (shape[key] as unknown as ZodInternals)._zod;
		return { key, schema: shape[key], optional: internals.optin === 'optional' && internals.optout === 'optional', cache: new Map<unknown, FieldResult>() };
	});
	let refused = false;
	const ctx = {
		addIssue: () => {
			refused = true;
		},
	} as unknown as z.RefinementCtx;
	const read = (record: Record<string, unknown>): Record<string, unknown> | undefined => {
		const out: Record<string, unknown> = {};
		for (const field of fields) {
			const raw = record[field.key];
			// Champ facultatif absent : rien à lire ni à garder (comme zod, il reste absent).
			if (raw === undefined && field.optional && !(field.key in record)) continue;
			let result = field.cache.get(raw);
			if (result === undefined) {
				if (raw !== null && raw !== undefined && typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') return undefined;
				const parsed = field.schema.safeParse(raw);
				result = parsed.success ? { ok: true, value: parsed.data } : { ok: false };
				// Seules les valeurs simples sont gardées (un tableau lu serait partagé entre les lignes),
				// et détachées du morceau de XML d'où elles viennent (sinon la mémoire retient ce morceau).
				if (field.cache.size < ROW_READER_CACHE && (result.ok === false || result.value === null || typeof result.value !== 'object')) {
					if (result.ok) result = { ok: true, value: detachedValue(result.value) };
					field.cache.set(detachedValue(raw), result);
				}
			}
			if (!result.ok) return undefined;
			// Comme zod : un champ facultatif absent reste absent.
			if (result.value !== undefined || !field.optional || field.key in record) out[field.key] = result.value;
		}
		if (reader.refine) {
			refused = false;
			reader.refine(out as z.output<S>, ctx);
			if (refused) return undefined;
		}
		return out;
	};
	return (raw, where) => {
		const record = canonicalizeKeys(raw, reader.keys);
		const value = read(record);
		// La désignation de la ligne (`where`) n'est construite qu'en cas d'anomalie.
		return value === undefined ? tryReadRecord(reader, raw, typeof where === 'string' ? where : where()) : { ok: true, value: value as z.output<S> };
	};
}
