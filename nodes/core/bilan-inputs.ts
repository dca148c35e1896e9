/**
 * Bilan des clauses sociales, autour du calcul et sans n8n : les anomalies
 * gardées pour le rapport, les éléments d'entrée reconnus (clause, ligne de
 * relevé, pénalité, marché), les noms des fichiers produits et les lignes de
 * chaque vue du bilan.
 */
import type { Anomaly } from './anomalies';
import { AnomalyError } from './anomalies';
import type { Bilan, BilanAccumulator, BilanRow } from './bilan';
import { MARKET_READER, PENALTY_READER, penaltyInput } from './bilan';
import { canonicalizeKeys } from './keys';
import { duplicateClause } from './plausibility';
import { poolRows } from './pooling';
import { requestedFileName } from './report-intake-input';
import { tryReadRecord } from './records';
import { CLAUSE_READER, REPORT_LINE_READER, clauseKey } from './schemas/follow-up';

/** Anomalies gardées pour le rapport par défaut (les suivantes sont seulement comptées). */
export const MAX_BILAN_ANOMALIES = 200;

/** Les données écartées du bilan : toutes comptées, les premières anomalies gardées pour le rapport. */
export class AnomalyLog {
	readonly anomalies: Anomaly[] = [];
	count = 0;

	constructor(private readonly max = MAX_BILAN_ANOMALIES) {}

	/** Une donnée écartée ; ses anomalies sont gardées tant qu'il reste de la place. */
	readonly note = (error: unknown): void => {
		this.count++;
		if (this.anomalies.length < this.max && error instanceof AnomalyError) this.anomalies.push(...error.anomalies.slice(0, this.max - this.anomalies.length));
	};
}

/** Un élément d'entrée du bilan, avec l'endroit à citer (« élément 3 »). */
export interface BilanItem {
	json: Record<string, unknown>;
	where: string;
}

/**
 * Éléments d'entrée : chacun est reconnu à ses champs — clause (heures dues),
 * ligne de relevé (heures du mois), pénalité (étape), marché notifié — et passe
 * au bilan ; une clause en double ou une donnée invalide est notée, pas comptée.
 */
export function addBilanItems(acc: BilanAccumulator, items: Iterable<BilanItem>, note: (error: unknown) => void): void {
	const firstItems = new Map<string, string>();
	for (const { json, where } of items) {
		const lineKeys = canonicalizeKeys(json, REPORT_LINE_READER.keys);
		if (lineKeys.heuresDues !== undefined || canonicalizeKeys(json, CLAUSE_READER.keys).heuresDues !== undefined) {
			const read = tryReadRecord(CLAUSE_READER, json, where);
			if (!read.ok) {
				note(read.error);
				continue;
			}
			const first = firstItems.get(clauseKey(read.value));
			if (first !== undefined) {
				note(new AnomalyError([duplicateClause(read.value, where, first)]));
				continue;
			}
			firstItems.set(clauseKey(read.value), where);
			acc.addClause(read.value);
		} else if (lineKeys.heuresMois !== undefined) {
			const read = tryReadRecord(REPORT_LINE_READER, json, where);
			if (read.ok) acc.addLine(read.value);
			else note(read.error);
		} else if (json.etape !== undefined) {
			const read = tryReadRecord(PENALTY_READER, penaltyInput(json), where);
			if (read.ok) acc.addPenalty(read.value);
			else note(read.error);
		} else if (canonicalizeKeys(json, MARKET_READER.keys).marche !== undefined) {
			const read = tryReadRecord(MARKET_READER, json, where);
			if (read.ok) acc.addMarket(read.value);
			else note(read.error);
		}
	}
}

/** Noms du classeur du bilan (celui demandé, ou « bilan-clauses-sociales-DÉBUT-FIN.xlsx ») et du document pour les élus. */
export function bilanFileNames(requested: string, periode: Bilan['periode']): { xlsx: string; pdf: string } {
	const xlsx = requestedFileName(requested, `bilan-clauses-sociales-${periode.debut}-${periode.fin}.xlsx`, '.xlsx');
	return { xlsx, pdf: xlsx.replace(/\.xlsx$/, '').replace(/^bilan-/, 'bilan-elus-') + '.pdf' };
}

/** Les vues du bilan, dans l'ordre des éléments de sortie. */
export const BILAN_VIEWS = [
	'parNature',
	'parService',
	'parMecanisme',
	'parMarche',
	'parLot',
	'parTitulaire',
	'parFacilitateur',
	'parTerritoire',
	'parMois',
	'parAnnee',
	'publics',
	'publicsPrioritaires',
	'sorties',
	'modalites',
	'contrats',
	'employeurs',
	'penalites',
] as const satisfies ReadonlyArray<keyof Omit<Bilan, 'periode' | 'synthese' | 'mutualisation'>>;

/** Une ligne par rangée de chaque vue, puis celles de la mutualisation : `vue`, `periode` (« DÉBUT/FIN ») et les colonnes. */
export function bilanViewRows(bilan: Bilan): BilanRow[] {
	const periode = `${bilan.periode.debut}/${bilan.periode.fin}`;
	const rows: BilanRow[] = [];
	for (const vue of BILAN_VIEWS) for (const row of bilan[vue]) rows.push({ vue, periode, ...row });
	for (const row of poolRows(bilan.mutualisation)) rows.push({ vue: 'mutualisation', periode, ...row });
	return rows;
}
