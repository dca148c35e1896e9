/** Lecture d'un enregistrement brut (élément n8n, ligne de tableur) avec un schéma zod. */
import type { z } from 'zod/v4';

import type { FieldLabels } from './anomalies';
import { AnomalyError, anomaliesFromZod } from './anomalies';
import type { KeyIndex } from './keys';
import { canonicalizeKeys } from './keys';

export interface RecordReader<S extends z.ZodType> {
	schema: S;
	labels: FieldLabels;
	keys: KeyIndex;
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
