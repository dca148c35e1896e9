/**
 * « Importer le classeur de suivi » : le classeur de suivi actuel (feuilles
 * « Registre » et « Relevés ») versé au registre, tout ou rien par fichier.
 *
 * Tout s'écrit dans une seule transaction. Une archive ou un XML incomplet
 * (vérifié avant la lecture), une feuille « Registre » absente, une archive
 * qui se révèle abîmée en cours de lecture : le fichier est refusé en entier et
 * la transaction annulée, rien n'est écrit. Le classeur est lu en flux : les
 * lignes de relevé passent, par paquets, dans une table d'attente de la
 * transaction, et la mémoire ne croît pas avec leur nombre. Chaque ligne est
 * reprise, inchangée (déjà au registre à l'identique) ou refusée avec son motif ;
 * un relevé (clause × mois) déjà au registre à l'identique ne crée pas de version.
 * Les colonnes de pénalité d'une ligne (article du CCAP, neutralisation, dates
 * de mise en demeure et de notification, remise du bilan…) restent sur sa
 * clause ; la feuille « Pénalités » (avis déjà faits) devient les étapes de
 * pénalité du registre, pour que la procédure reprenne où elle en était.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Register, TableRow } from '../adapters';
import { FOLLOW_UP_SHEETS, MARKETS_SHEET, assertCompleteWorkbook, followUpSheet, locate, streamTables } from '../adapters';
import type { BilanMarket, BilanPenalty, ClauseRecord, PenaltyHistoryEntry, ReadResult, RegisterClause, ReportLine } from '../core';
import {
	AnomalyError,
	storedClause,
	storedFields,
	CLAUSE_READER,
	NOTIFICATION_LABELS,
	PENALTY_FIELDS_READER,
	PENALTY_HISTORY_READER,
	PenaltyStepRecordSchema,
	REGISTER_CLAUSE_KEYS,
	REPORT_LINE_READER,
	clauseKey,
	mergeImportedClause,
	notificationDateOf,
	parseMonth,
	penaltyStepKey,
	rowReader,
	tryReadRecord,
	MARKET_READER,
	PENALTY_READER,
	registerMarketKey,
	writeState,
} from '../core';
import { asJson, inputFile, textParameter } from '../shared/parameters';
import type { ItemResult } from './items';
import { eachItem } from './items';

interface ReadRow<T> {
	row: TableRow;
	result: ReadResult<T>;
}

interface Refusal {
	feuille: string;
	ligne: number;
	motif: string;
	donnees: Record<string, unknown>;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Clé « clause × mois » d'une ligne, même illisible, si son marché, son lot et son mois se lisent. */
function groupIdOf(raw: Record<string, unknown>): string | undefined {
	const month = parseMonth(raw.mois);
	if (raw.marche === undefined || raw.lot === undefined || month === undefined) return undefined;
	return `${clauseKey({ marche: String(raw.marche), lot: String(raw.lot) })}\u001f${month}`;
}

/** Feuille « Relevés » : en-têtes, champs obligatoires. */
const RELEVES_SHEET = followUpSheet('releves', REPORT_LINE_READER, ['marche', 'lot', 'mois', 'heuresMois'], false);

const where = (row: TableRow) => () => `feuille « ${row.sheet} », ligne ${row.row}`;

/**
 * Lecture en flux du classeur. Les lignes de relevé, les plus nombreuses, ne
 * sont pas gardées : `onLine` reçoit chacune (lue et contrôlée) au fil de la
 * lecture ; les autres feuilles (une ligne par clause, marché ou pénalité)
 * sont gardées pour être écrites après la lecture.
 */
async function readWorkbook(buffer: Buffer, fileName: string, onLine: (entry: ReadRow<ReportLine>) => void | Promise<void>) {
	const readClause = rowReader(CLAUSE_READER);
	const readLine = rowReader(REPORT_LINE_READER);
	const clauses: Array<ReadRow<ClauseRecord>> = [];
	const steps: Array<ReadRow<PenaltyHistoryEntry>> = [];
	const markets: Array<ReadRow<BilanMarket>> = [];
	const recoveries: Array<ReadRow<BilanPenalty>> = [];
	const { ignoredSheets } = await streamTables(buffer, fileName, {
		registre: {
			names: FOLLOW_UP_SHEETS.registre,
			keys: REGISTER_CLAUSE_KEYS,
			labels: NOTIFICATION_LABELS,
			required: ['marche', 'lot', 'heuresDues'],
			mandatory: true,
			onRow: (row) => clauses.push({ row, result: readClause(row.raw, where(row)) }),
		},
		releves: { ...RELEVES_SHEET, onRow: (row) => onLine({ row, result: readLine(row.raw, where(row)) }) },
		penalites: {
			...followUpSheet('penalites', PENALTY_HISTORY_READER, ['marche', 'lot', 'etape', 'date'], false),
			onRow: (row) => {
				// Pénalités recouvrées (titre de recette) : pour le bilan, à part des étapes de la procédure.
				const raw = row.raw;
				const recovered = tryReadRecord(PENALTY_READER, { marche: raw.marche, lot: raw.lot, etape: raw.etape, montant: raw.montantHT, date: raw.date }, where(row)());
				if (recovered.ok && recovered.value.etape === 'recouvree') recoveries.push({ row, result: recovered });
				else steps.push({ row, result: tryReadRecord(PENALTY_HISTORY_READER, raw, where(row)()) });
			},
		},
		// Tous les marchés de la Région, avec et sans clause : le dénominateur des parts du bilan.
		marches: {
			...MARKETS_SHEET,
			onRow: (row) => markets.push({ row, result: tryReadRecord(MARKET_READER, row.raw, where(row)()) }),
		},
	});
	return { clauses, steps, markets, recoveries, ignoredSheets };
}

/**
 * Relit la seule feuille « Relevés » pour les lignes valides des relevés
 * refusés en entier (`motifs` : motif par relevé, clé « clause × mois ») : ces
 * lignes ne sont pas gardées en mémoire pendant la première lecture, et ne sont
 * relues que s'il y a de tels relevés.
 */
async function refusedGroupLines(buffer: Buffer, fileName: string, motifs: Map<string, (line: ReportLine) => string>, refused: Refusal[]): Promise<void> {
	const readLine = rowReader(REPORT_LINE_READER);
	const decided = new Map<string, string>();
	await streamTables(buffer, fileName, {
		releves: {
			...RELEVES_SHEET,
			onRow: (row) => {
				const result = readLine(row.raw, where(row));
				if (row.problems.length > 0 || !result.ok || result.value.remplaceePar !== undefined) return;
				const id = `${clauseKey(result.value)}\u001f${result.value.mois}`;
				const motifOf = motifs.get(id);
				if (motifOf === undefined) return;
				// Le motif d'un relevé se dit d'après sa première ligne, comme à la première lecture.
				let motif = decided.get(id);
				if (motif === undefined) decided.set(id, (motif = motifOf(result.value)));
				refused.push(refusalOf(row, motif));
			},
		},
	});
}

function refusalOf(row: TableRow, motif: string): Refusal {
	return { feuille: row.sheet, ligne: row.row, motif, donnees: row.raw };
}

function rowError<T>(entry: ReadRow<T>): string | undefined {
	if (entry.row.problems.length > 0) return new AnomalyError(entry.row.problems).message;
	if (!entry.result.ok) return messageOf(locate(entry.result.error, entry.row));
	return undefined;
}

/** La valeur lue d'une ligne ; une ligne en anomalie rejoint les lignes refusées, avec son motif, et rend `undefined`. */
function acceptedRow<T>(entry: ReadRow<T>, refused: Refusal[]): T | undefined {
	const error = rowError(entry);
	if (error === undefined && entry.result.ok) return entry.result.value;
	refused.push(refusalOf(entry.row, error ?? 'ligne illisible'));
	return undefined;
}

/**
 * Verse un classeur de suivi au registre, dans une seule transaction. Les
 * lignes de relevé vont, au fil de la lecture en flux, dans une table
 * d'attente de cette transaction (jamais toutes en mémoire) ; si le classeur se
 * révèle abîmé en cours de lecture, la transaction est annulée : rien n'est écrit.
 */
export async function importFile(register: Register, buffer: Buffer, fileName: string) {
	// Une partie XML coupée se lirait sans erreur jusqu'à la coupure : vérifiée avant toute lecture.
	await assertCompleteWorkbook(buffer, fileName);
	const source = `import du classeur ${fileName}`;
	return register.transaction(async (tx) => {
		const refused: Refusal[] = [];
		const counts = {
			clauses: { reprises: 0, inchangees: 0, refusees: 0 },
			lignes: { reprises: 0, inchangees: 0, refusees: 0, remplaceesIgnorees: 0 },
			releves: { enregistres: 0, inchanges: 0 },
			penalites: { reprises: 0, inchangees: 0, refusees: 0 },
			recouvrements: { repris: 0, inchanges: 0 },
			marches: { repris: 0, inchanges: 0, refuses: 0 },
		};
		// Relevés : lignes regroupées par clause et par mois ; un relevé dont une ligne est refusée n'est pas repris du tout.
		const staging = await tx.stageReports();
		const faultyGroups = new Map<string, number>();
		const { clauses, steps, markets, recoveries, ignoredSheets } = await readWorkbook(buffer, fileName, (entry) => {
			const line = acceptedRow(entry, refused);
			if (line === undefined) {
				counts.lignes.refusees++;
				const id = groupIdOf(entry.row.raw);
				if (id !== undefined && !faultyGroups.has(id)) faultyGroups.set(id, entry.row.row);
				return;
			}
			if (line.remplaceePar !== undefined) {
				// Ligne remplacée par une correction : historique du classeur, jamais comptée.
				counts.lignes.remplaceesIgnorees++;
				return;
			}
			return staging.add(clauseKey(line), line.mois, { hours: line.heuresMois, trainingHours: line.heuresFormation, data: line });
		});
		// Registre : une fiche « clause » par ligne, complétée sans rien perdre de ce que la ligne ne dit pas.
		const seen = new Map<string, number>();
		for (const entry of clauses) {
			const read = acceptedRow(entry, refused);
			if (read === undefined) {
				counts.clauses.refusees++;
				continue;
			}
			// Colonnes de pénalité : gardées sur la clause, lues par l'avis de pénalité comme dans le classeur.
			const penalty = tryReadRecord(PENALTY_FIELDS_READER, entry.row.raw, `feuille « ${entry.row.sheet} », ligne ${entry.row.row}`);
			if (!penalty.ok) {
				refused.push(refusalOf(entry.row, messageOf(locate(penalty.error, entry.row))));
				counts.clauses.refusees++;
				continue;
			}
			const penaltyFields = Object.fromEntries(Object.entries(penalty.value).filter(([, v]) => v !== undefined));
			const clause: RegisterClause = { ...penaltyFields, ...read };
			const dateNotification = notificationDateOf(entry.row.raw);
			if (dateNotification !== undefined) clause.dateNotification = dateNotification;
			const key = clauseKey(clause);
			const first = seen.get(key);
			if (first !== undefined) {
				refused.push(refusalOf(entry.row, `clause en double : le marché ${clause.marche}, lot ${clause.lot}, figure déjà ligne ${first}`));
				counts.clauses.refusees++;
				continue;
			}
			seen.set(key, entry.row.row);
			const current = await tx.get('clause', key);
			const result = await tx.put('clause', key, mergeImportedClause(current ? storedClause(current) : undefined, clause), source);
			if (writeState(result) === 'inchangé') counts.clauses.inchangees++;
			else counts.clauses.reprises++;
		}
		const known = new Map<string, boolean>();
		const accepted: number[] = [];
		const motifs = new Map<string, (line: ReportLine) => string>();
		for (const [gid, group] of staging.groups.entries()) {
			const id = `${group.clauseKey}\u001f${group.month}`;
			const faulty = faultyGroups.get(id);
			let motif: ((line: ReportLine) => string) | undefined;
			if (faulty !== undefined) motif = () => `relevé de ${group.month} non repris : la ligne ${faulty} du même relevé est refusée`;
			else {
				if (!known.has(group.clauseKey)) known.set(group.clauseKey, seen.has(group.clauseKey) || (await tx.get('clause', group.clauseKey)) !== undefined);
				if (!known.get(group.clauseKey)) motif = ({ marche, lot }) => `clause inconnue : le marché ${marche}, lot ${lot}, n’est ni dans la feuille « Registre » ni dans le registre`;
			}
			if (motif !== undefined) {
				motifs.set(id, motif);
				counts.lignes.refusees += group.lines;
				continue;
			}
			accepted.push(gid);
		}
		const written = await staging.write(accepted, source);
		accepted.forEach((gid, i) => {
			const lines = staging.groups[gid].lines;
			if (written[i].changed) {
				counts.releves.enregistres++;
				counts.lignes.reprises += lines;
			} else {
				counts.releves.inchanges++;
				counts.lignes.inchangees += lines;
			}
		});
		await staging.close();
		if (motifs.size > 0) await refusedGroupLines(buffer, fileName, motifs, refused);
		// Feuille « Pénalités » : chaque avis déjà fait devient l'étape consignée au registre, comme à l'envoi.
		for (const entry of steps) {
			const step = acceptedRow(entry, refused);
			if (step === undefined) {
				counts.penalites.refusees++;
				continue;
			}
			const cle = clauseKey(step);
			if (!seen.has(cle) && (await tx.get('clause', cle)) === undefined) {
				refused.push(refusalOf(entry.row, `clause inconnue : le marché ${step.marche}, lot ${step.lot}, n’est ni dans la feuille « Registre » ni dans le registre`));
				counts.penalites.refusees++;
				continue;
			}
			const key = penaltyStepKey(cle, step.etape, step.periode);
			const record = PenaltyStepRecordSchema.parse({
				...step,
				dateEnvoi: step.date,
				statutEnvoi: 'envoyé',
				cleEnvoi: `${fileName}, feuille « ${entry.row.sheet} », ligne ${entry.row.row}`,
			});
			const current = await tx.get('penalite', key);
			const result = await tx.put('penalite', key, current ? { ...storedFields(current), ...step } : record, source);
			if (writeState(result) === 'inchangé') counts.penalites.inchangees++;
			else counts.penalites.reprises++;
		}
		for (const { result } of recoveries) {
			if (!result.ok) continue;
			const r = result.value;
			const write = await tx.put('recouvrement', `${clauseKey(r)}|${r.date ?? ''}|${r.montant}`, r, source);
			if (writeState(write) === 'inchangé') counts.recouvrements.inchanges++;
			else counts.recouvrements.repris++;
		}
		// Feuille « Marchés » : chaque marché complète sa fiche (l'étude a pu la créer), sans rien en retirer.
		for (const entry of markets) {
			const market = acceptedRow(entry, refused);
			if (market === undefined) {
				counts.marches.refuses++;
				continue;
			}
			const key = registerMarketKey(market.marche);
			const current = await tx.get('marche', key);
			const result = await tx.put('marche', key, { ...storedFields(current), ...market }, source);
			if (writeState(result) === 'inchangé') counts.marches.inchanges++;
			else counts.marches.repris++;
		}
		refused.sort((a, b) => a.feuille.localeCompare(b.feuille) || a.ligne - b.ligne);
		return { counts, refused, ignoredSheets };
	});
}

export function importWorkbook(ctx: IExecuteFunctions, register: Register): Promise<INodeExecutionData[]> {
	return eachItem(ctx, async (item, itemIndex) => {
		const property = textParameter(ctx, 'binaryPropertyName', itemIndex, 'data');
		const binary = inputFile(ctx, item, itemIndex, property, 'le classeur de suivi (.xlsx)');
		const fileName = binary.fileName ?? `élément ${itemIndex + 1}`;
		const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
		const { counts, refused, ignoredSheets } = await importFile(register, buffer, fileName);
		const out: ItemResult[] = [
			{
				json: {
					resultat: 'synthèse',
					fichier: fileName,
					clauses: counts.clauses,
					lignes: counts.lignes,
					releves: counts.releves,
					penalites: counts.penalites,
					recouvrements: counts.recouvrements,
					marches: counts.marches,
					feuillesIgnorees: ignoredSheets,
				},
			},
		];
		for (const r of refused) out.push({ json: { resultat: 'refusée', fichier: fileName, feuille: r.feuille, ligne: r.ligne, motif: r.motif, donnees: asJson(r.donnees) } });
		return out;
	});
}
