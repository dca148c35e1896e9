/**
 * Lecture au registre des groupes de mutualisation et des entreprises
 * intervenantes (sous-traitants, cotraitants, SIAE), et leur effet sur la
 * relance mensuelle et les avis de pénalité. Les règles sont dans le cœur
 * (core/pooling.ts, core/employers.ts) ; ici, seulement les lectures.
 */
import { z } from 'zod/v4';

import type { Register, StoredRecord } from '../adapters';
import type { ClauseRecord, EmployerLine, Intervenant, IsoMonth, PoolRecord, ReportLine } from '../core';
import { AnomalyError, INTERVENANT_LABELS, IntervenantsRecordSchema, POOL_LABELS, PoolRecordSchema, REPORT_LINE_READER, anomaliesFromZod, clauseKey, tryReadRecord } from '../core';
import { registerLineRaw } from './follow-up';

/** Ce que la lecture des lignes retient de la clause : marché, lot, SIRET du titulaire. */
const ClauseRefSchema = z.object({ marche: z.string(), lot: z.string(), siret: z.string() });
type ClauseRef = Pick<ClauseRecord, 'marche' | 'lot' | 'siret'>;

function where(record: StoredRecord, what: string): string {
	return `${what} « ${record.key} » (registre des clauses)`;
}

/** Groupes de mutualisation en vigueur (non archivés), lus par leur schéma. */
export async function readPools(register: Register): Promise<PoolRecord[]> {
	const out: PoolRecord[] = [];
	for (const record of await register.list('mutualisation')) {
		const parsed = PoolRecordSchema.safeParse(record.data);
		if (!parsed.success) throw new AnomalyError(anomaliesFromZod(parsed.error, POOL_LABELS, where(record, 'groupe de mutualisation'), record.data));
		out.push(parsed.data);
	}
	return out;
}

/** Entreprises intervenantes déclarées, par clé de clause (marché et lot). */
export async function readIntervenants(register: Register): Promise<Map<string, Intervenant[]>> {
	const out = new Map<string, Intervenant[]>();
	for (const record of await register.list('intervenants')) {
		const parsed = IntervenantsRecordSchema.safeParse(record.data);
		if (!parsed.success) throw new AnomalyError(anomaliesFromZod(parsed.error, INTERVENANT_LABELS, where(record, 'entreprises intervenantes'), record.data));
		if (parsed.data.intervenants.length > 0) out.set(clauseKey(parsed.data), parsed.data.intervenants);
	}
	return out;
}

/** Lignes en vigueur des relevés reçus d'une clause, par mois (toutes les colonnes, lues par le schéma des relevés). */
export async function readReceivedLines(register: Register, clause: ClauseRef, recordKey = clauseKey(clause)): Promise<Map<IsoMonth, ReportLine[]>> {
	const out = new Map<IsoMonth, ReportLine[]>();
	for (const line of await register.reportLines({ clauseKey: recordKey })) {
		const read = tryReadRecord(REPORT_LINE_READER, registerLineRaw(clause, line.month, line.data), `ligne de relevé (marché ${clause.marche}, lot ${clause.lot}, mois ${line.month}) (registre des clauses)`);
		if (!read.ok) throw read.error;
		if (read.value.remplaceePar !== undefined) continue;
		out.set(line.month, [...(out.get(line.month) ?? []), read.value]);
	}
	return out;
}

/** Ce que la relance et les pénalités lisent en plus au registre. */
export interface PoolingContext {
	pools: PoolRecord[];
	intervenants: Map<string, Intervenant[]>;
	/** Relevés reçus, par clause ayant des entreprises déclarées. */
	received: Map<string, Map<IsoMonth, EmployerLine[]>>;
}

/** Lit groupes, entreprises déclarées et, pour leurs clauses seulement, les lignes des relevés reçus. */
export async function readPoolingContext(register: Register, options: { lines: boolean }): Promise<PoolingContext> {
	const pools = await readPools(register);
	const intervenants = await readIntervenants(register);
	const received = new Map<string, Map<IsoMonth, EmployerLine[]>>();
	if (options.lines && intervenants.size > 0) {
		for (const record of await register.list('clause')) {
			// Une fiche de clause illisible ressort en erreur dans le nœud, par sa lecture ordinaire.
			const ref = ClauseRefSchema.safeParse(record.data);
			if (!ref.success || !intervenants.has(clauseKey(ref.data))) continue;
			received.set(clauseKey(ref.data), await readReceivedLines(register, ref.data, record.key));
		}
	}
	return { pools, intervenants, received };
}
