/**
 * Les clauses et les relevés reçus, en entrée d'un nœud : le registre des
 * clauses en base de données (par défaut), des éléments n8n (une clause ou
 * une ligne de relevé par élément), ou le classeur de suivi du facilitateur
 * (feuilles « Registre » et « Relevés »), lu en flux. Quelle que soit la
 * source, chaque clause et chaque ligne passent par les mêmes schémas.
 */
import type { IDataObject, IExecuteFunctions, INode, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { z } from 'zod/v4';

import type { Register, StoredRecord, TableRow } from '../adapters';
import { locate, linesSheet, registerSheet, streamTables, supersededRegisters } from '../adapters';
import type { ClauseRecord, FieldLabels, KeyIndex, PenaltyStepRecord, ReadLimits, ReadResult, ReportHours, ReportLine } from '../core';
import { AnomalyError, CLAUSE_READER, PENALTY_STEP_RECORD_READER, REPORT_HOURS_READER, REPORT_LINE_READER, canonicalizeKeys, clauseKey, rowReader, tryReadRecord } from '../core';
import { readLimitsParameter } from './read-limits';
import { followUpSourceProperty, workbookBinaryProperty } from './descriptions';
import { openRegister } from './register';

/** « Début de la période » et « Fin de la période » (AAAA-MM-JJ, obligatoires), avec ce que chaque opération en fait. */
export function periodProperties(displayOptions: INodeProperties['displayOptions'], what: { debut: string; fin: string }): INodeProperties[] {
	return [
		{ displayName: 'Début de la période', name: 'debut', type: 'string', default: '', required: true, placeholder: '2026-01-01', description: what.debut, displayOptions },
		{ displayName: 'Fin de la période', name: 'fin', type: 'string', default: '', required: true, placeholder: '2026-12-31', description: what.fin, displayOptions },
	];
}

export interface FollowUpEntry<T> {
	itemIndex: number;
	json: IDataObject;
	where: string;
	value?: T;
	error?: unknown;
	/** Ligne du classeur (feuille, cellules), pour situer une anomalie relevée plus tard. */
	row?: TableRow;
}

export interface FollowUpData {
	clauses: Array<FollowUpEntry<ClauseRecord>>;
	/** Lignes de relevé : toutes, ou seulement celles en anomalie si `onLine` les reçoit au fil de l'eau. */
	lines: Array<FollowUpEntry<ReportLine>>;
	/** Erreurs d'un fichier entier (illisible, feuille absente…), par élément d'entrée. */
	fileErrors: Array<{ itemIndex: number; json: IDataObject; error: unknown }>;
	ignoredSheets: string[];
	/** Versions dépassées d'un classeur de suivi reçues avec la plus récente, ignorées (« x remplacé par y »). */
	ignoredFiles: string[];
}

export const FOLLOW_UP_SOURCE_PROPERTIES: INodeProperties[] = [
	followUpSourceProperty([
		{
			name: 'Classeur de suivi Excel (feuilles Registre et Relevés)',
			value: 'classeur',
			description: 'Le classeur tenu par le facilitateur, lu en flux (sans le charger en mémoire)',
		},
		{
			name: 'Éléments d’entrée (clauses et lignes de relevé)',
			value: 'elements',
			description: 'Un élément par clause (champ « heuresDues ») ou par ligne de relevé (champ « heuresMois »)',
		},
		{
			name: 'Registre des clauses',
			value: 'registre',
			description: 'Les clauses en vigueur et la dernière version de chaque relevé, lues dans le registre (identifiant « Registre des clauses », sinon le fichier SQLite du dossier de n8n)',
		},
	]),
	workbookBinaryProperty('Nom du champ binaire qui porte le classeur de suivi .xlsx'),
];

function clauseWhere(raw: Record<string, unknown>, suffix: string): string {
	const marche = raw.marche ?? raw['marché'];
	const lot = raw.lot;
	if (marche !== undefined && lot !== undefined) return `clause du marché ${String(marche)}, lot ${String(lot)}${suffix}`;
	return `clause${suffix}`;
}

function lineWhere(raw: Record<string, unknown>, suffix: string): string {
	const parts = [raw.marche !== undefined ? `marché ${String(raw.marche)}` : undefined, raw.lot !== undefined ? `lot ${String(raw.lot)}` : undefined, raw.mois !== undefined ? `mois ${String(raw.mois)}` : undefined].filter(Boolean);
	return `ligne de relevé${parts.length > 0 ? ` (${parts.join(', ')})` : ''}${suffix}`;
}

type RowRead = (raw: Record<string, unknown>, where: string | (() => string)) => ReadResult<unknown>;

function readEntry<T>(read: RowRead, itemIndex: number, raw: Record<string, unknown>, where: string | (() => string), row?: TableRow): FollowUpEntry<T> {
	const json = raw as IDataObject;
	const placeOf = () => (typeof where === 'string' ? where : where());
	if (row && row.problems.length > 0) return { itemIndex, json, where: placeOf(), error: locate(new AnomalyError(row.problems), row), row };
	// La désignation (« ligne de relevé (marché…) ») n'est construite qu'en cas d'anomalie.
	const result = read(raw, placeOf);
	if (result.ok) return { itemIndex, json, where: typeof where === 'string' ? where : '', value: result.value as T, row };
	return { itemIndex, json, where: placeOf(), error: row ? locate(result.error, row) : result.error, row };
}

export interface CollectOptions {
	/** Schéma des lignes de relevé : complet (par défaut) ou réduit aux heures (REPORT_HOURS_READER). */
	lineReader?: typeof REPORT_LINE_READER | typeof REPORT_HOURS_READER;
	/**
	 * Reçoit chaque ligne de relevé valide au fil de la lecture, au lieu de la
	 * garder en mémoire (les lignes en anomalie restent dans `lines`).
	 */
	onLine?: (line: ReportLine | ReportHours) => void;
	/** Garder aussi les lignes remplacées par une correction (colonne « Remplacée par ») ; par défaut, elles sont ignorées. */
	includeReplaced?: boolean;
	/**
	 * Feuilles supplémentaires du classeur, facultatives (par exemple « Pénalités »),
	 * remises ligne à ligne au nœud qui les demande.
	 */
	extraSheets?: Record<string, ExtraSheet>;
	/** Source « registre » : lectures propres au nœud (étapes de pénalité…), pendant que le registre est ouvert. */
	fromRegister?: (register: Register) => Promise<void>;
	/** Limites de lecture du classeur (par défaut, celles du cœur). */
	limits?: ReadLimits;
}

export interface ExtraSheet {
	names: string[];
	keys: KeyIndex;
	labels: FieldLabels;
	required: string[];
	onRow: (row: TableRow, itemIndex: number) => void;
}

export async function collectFollowUp(ctx: IExecuteFunctions, options: CollectOptions = {}): Promise<FollowUpData> {
	const items = ctx.getInputData();
	const source = ctx.getNodeParameter('source', 0, 'registre') as string;
	const data: FollowUpData = { clauses: [], lines: [], fileErrors: [], ignoredSheets: [], ignoredFiles: [] };
	// Lecteurs rapides (rowReader), propres à cette exécution : mêmes schémas, mêmes erreurs.
	const readLine: RowRead = rowReader<z.ZodType>(options.lineReader ?? REPORT_LINE_READER);
	const readClause: RowRead = rowReader<z.ZodType>(CLAUSE_READER);
	const addLine = (entry: FollowUpEntry<ReportLine>, lines = data.lines) => {
		// Ligne remplacée par une correction (réception des relevés) : historique, jamais comptée.
		if (entry.value?.remplaceePar !== undefined && !options.includeReplaced) return;
		if (options.onLine && entry.value) options.onLine(entry.value);
		else lines.push(entry);
	};
	if (source === 'registre') {
		const register = await openRegister(ctx);
		try {
			await collectFromRegister(register, data, { readClause, readLine, addLine, hoursOnly: options.lineReader === REPORT_HOURS_READER && options.onLine !== undefined });
			await options.fromRegister?.(register);
		} finally {
			await register.close();
		}
		return data;
	}
	if (source === 'elements') {
		items.forEach((item, itemIndex) => {
			const raw = canonicalizeKeys(item.json, REPORT_LINE_READER.keys);
			const suffix = ` (élément ${itemIndex + 1})`;
			if (raw.heuresMois !== undefined && raw.heuresDues === undefined) {
				addLine(readEntry<ReportLine>(readLine, itemIndex, item.json, () => lineWhere(raw, suffix)));
			} else {
				data.clauses.push(readEntry<ClauseRecord>(readClause, itemIndex, item.json, clauseWhere(canonicalizeKeys(item.json, CLAUSE_READER.keys), suffix)));
			}
		});
		return data;
	}
	const limits = options.limits ?? readLimitsParameter(ctx);
	// Plusieurs versions d'un même classeur (« suivi-clauses (v2 du …).xlsx ») : seule la plus récente est lue.
	const properties = items.map((_, itemIndex) => ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string);
	const superseded = supersededRegisters(items.map((item, itemIndex) => item.binary?.[properties[itemIndex]]?.fileName));
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const property = properties[itemIndex];
		const binary = items[itemIndex].binary?.[property];
		const fileName = binary?.fileName ?? `élément ${itemIndex + 1}`;
		const newer = superseded.get(itemIndex);
		if (newer !== undefined) {
			data.ignoredFiles.push(`${fileName} (remplacé par ${newer})`);
			continue;
		}
		// Clauses et lignes du fichier gardées à part : un fichier qui s'avère abîmé ou trop grand en cours de lecture est écarté en entier.
		const fileClauses: Array<FollowUpEntry<ClauseRecord>> = [];
		const fileLines: Array<FollowUpEntry<ReportLine>> = [];
		try {
			ctx.helpers.assertBinaryData(itemIndex, property);
			const result = await streamTables(await ctx.helpers.getBinaryDataBuffer(itemIndex, property), fileName, {
				registre: registerSheet((row) =>
					fileClauses.push(readEntry<ClauseRecord>(readClause, itemIndex, row.raw, clauseWhere(row.raw, ` (feuille « ${row.sheet} », ligne ${row.row})`), row)),
				),
				// Sans feuille des relevés, toutes les clauses paraîtraient sans heures réalisées : le classeur est refusé.
				releves: linesSheet(true, (row) =>
					addLine(readEntry<ReportLine>(readLine, itemIndex, row.raw, () => lineWhere(row.raw, ` (feuille « ${row.sheet} », ligne ${row.row})`), row), fileLines),
				),
				...Object.fromEntries(
					Object.entries(options.extraSheets ?? {}).map(([id, sheet]) => [
						id,
						{ ...sheet, mandatory: false, onRow: (row: TableRow) => sheet.onRow(row, itemIndex) },
					]),
				),
			}, false, limits);
			for (const clause of fileClauses) data.clauses.push(clause);
			for (const line of fileLines) data.lines.push(line);
			data.ignoredSheets.push(...result.ignoredSheets);
		} catch (error) {
			data.fileErrors.push({ itemIndex, json: items[itemIndex].json, error });
		}
	}
	return data;
}

/** Une clause du registre en base, avec la clé de sa fiche (celle de ses relevés). */
export interface RegisterClauseEntry extends FollowUpEntry<ClauseRecord> {
	recordKey: string;
}

const REGISTER_PLACE = ' (registre des clauses)';

function recordJson(record: StoredRecord): IDataObject {
	return record.data !== null && typeof record.data === 'object' && !Array.isArray(record.data) ? { ...(record.data as IDataObject) } : {};
}

/**
 * Les clauses en vigueur du registre (non archivées), lues par le même schéma
 * que celles du classeur ; une fiche illisible ressort en erreur, sans valeur.
 */
export async function readRegisterClauses(register: Register, readClause: RowRead = rowReader<z.ZodType>(CLAUSE_READER)): Promise<RegisterClauseEntry[]> {
	const out: RegisterClauseEntry[] = [];
	// Fiches lues par paquets : seules les entrées lues restent, pas toutes les lignes de la base à la fois.
	await register.forEachRecord('clause', (record) => {
		const json = recordJson(record);
		const entry = readEntry<ClauseRecord>(readClause, 0, json, clauseWhere(canonicalizeKeys(json, CLAUSE_READER.keys), REGISTER_PLACE));
		out.push({ ...entry, recordKey: record.key });
	});
	return out;
}

/**
 * Clauses du registre par clé de fiche et par clé de clause (marché et lot) :
 * les relevés sont rangés sous la clé de la fiche de leur clause.
 */
export function registerClauseIndex(clauses: RegisterClauseEntry[]): Map<string, ClauseRecord> {
	const index = new Map<string, ClauseRecord>();
	for (const entry of clauses) {
		if (!entry.value) continue;
		index.set(entry.recordKey, entry.value);
		index.set(clauseKey(entry.value), entry.value);
	}
	return index;
}

/**
 * Ligne de relevé du registre, complétée par sa clause et son mois (ceux du
 * registre font foi), prête pour le lecteur des lignes.
 */
export function registerLineRaw(clause: Pick<ClauseRecord, 'marche' | 'lot' | 'siret'>, month: string, data: unknown): Record<string, unknown> {
	const raw = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
	return { siret: clause.siret, ...raw, marche: clause.marche, lot: clause.lot, mois: month };
}

/** Clauses dont les heures sont lues par requête (relance, pénalités) : environ 6 000 totaux par mois pour 12 mois de relevés. */
const HOURS_CLAUSES_PER_QUERY = 500;

async function collectFromRegister(
	register: Register,
	data: FollowUpData,
	read: { readClause: RowRead; readLine: RowRead; addLine: (entry: FollowUpEntry<ReportLine>) => void; hoursOnly: boolean },
): Promise<void> {
	const clauses = await readRegisterClauses(register, read.readClause);
	data.clauses.push(...clauses);
	const byKey = registerClauseIndex(clauses);
	const place = (clause: ClauseRecord, month: string) => () => lineWhere({ marche: clause.marche, lot: clause.lot, mois: month }, REGISTER_PLACE);
	if (read.hoursOnly) {
		// Relance, pénalités : seules les heures comptent, totalisées par la base (version en vigueur de chaque mois),
		// lues par paquets de clauses : avec `onLine`, la mémoire ne garde jamais toutes les heures du registre à la fois.
		// Les relevés d'une clause archivée ou inconnue ne sont plus suivis : ils ne sont pas lus.
		const keys = clauses.filter((c) => c.value).map((c) => c.recordKey);
		for (let start = 0; start < keys.length; start += HOURS_CLAUSES_PER_QUERY) {
			for (const row of await register.monthHours(keys.slice(start, start + HOURS_CLAUSES_PER_QUERY))) {
				const clause = byKey.get(row.clauseKey);
				if (!clause) continue;
				read.addLine(readEntry<ReportLine>(read.readLine, 0, { marche: clause.marche, lot: clause.lot, mois: row.month, heuresMois: row.hours }, place(clause, row.month)));
			}
		}
		return;
	}
	// Lignes lues par paquets de clauses : avec `onLine` (bilan), la mémoire ne croît pas avec leur nombre.
	await register.forEachReportLine((line) => {
		const clause = byKey.get(line.clauseKey);
		if (!clause) return;
		read.addLine(readEntry<ReportLine>(read.readLine, 0, registerLineRaw(clause, line.month, line.data), place(clause, line.month)));
	});
}

/**
 * Les étapes de pénalité consignées au registre à l'envoi des avis (fiches
 * « penalite »), lues par leur schéma ; une fiche illisible garde sa donnée
 * brute (marché et lot, s'ils y sont) pour être rapportée à sa clause.
 */
export async function registerPenaltySteps(
	register: Register,
): Promise<Array<{ ok: true; value: PenaltyStepRecord } | { ok: false; error: AnomalyError; json: IDataObject }>> {
	const records = await register.list('penalite');
	return records.map((record) => {
		const json = recordJson(record);
		const read = tryReadRecord(PENALTY_STEP_RECORD_READER, json, `étape de pénalité « ${record.key} »${REGISTER_PLACE}`);
		return read.ok ? { ok: true, value: read.value } : { ok: false, error: read.error, json };
	});
}

/** Clé de clause (marché et lot) d'un enregistrement brut, s'il les nomme. */
export function rawClauseKey(raw: Record<string, unknown>): string | undefined {
	const marche = raw.marche ?? raw['marché'];
	return marche !== undefined && raw.lot !== undefined ? clauseKey({ marche: String(marche), lot: String(raw.lot) }) : undefined;
}

/**
 * Lignes de relevé en anomalie, rattachées à leur clause : des relevés illisibles
 * fausseraient le calcul de cette clause. Les lignes sans marché ni lot sont à part.
 */
export function groupLineErrors<T>(lines: Array<FollowUpEntry<T>>): { byClause: Map<string, Array<FollowUpEntry<T>>>; orphans: Array<FollowUpEntry<T>> } {
	const byClause = new Map<string, Array<FollowUpEntry<T>>>();
	const orphans: Array<FollowUpEntry<T>> = [];
	for (const line of lines) {
		const key = rawClauseKey(line.json);
		if (key === undefined) orphans.push(line);
		else byClause.set(key, [...(byClause.get(key) ?? []), line]);
	}
	return { byClause, orphans };
}

/** Erreur d'une clause présente deux fois dans le registre (même marché, même lot). */
export function duplicateClauseError(node: INode, entry: FollowUpEntry<unknown>): NodeOperationError {
	return new NodeOperationError(node, `${entry.where} : clause en double dans le registre`, {
		itemIndex: entry.itemIndex,
		description: 'Chaque couple marché-lot ne doit figurer qu\u2019une fois dans le registre : supprimez ou corrigez le doublon.',
	});
}

/**
 * Les clauses utilisables du suivi, chacune une fois : une clause illisible, en
 * double, ou dont une ligne de relevé est en anomalie (le calcul serait faux)
 * passe par `fail` ; de même les lignes de relevé sans marché ni lot.
 */
export function* usableClauses(
	data: FollowUpData,
	node: INode,
	fail: (error: unknown, itemIndex: number, json: IDataObject, clause?: ClauseRecord) => void,
): Generator<{ entry: FollowUpEntry<ClauseRecord>; clause: ClauseRecord; key: string }> {
	const lineErrors = groupLineErrors(data.lines);
	for (const orphan of lineErrors.orphans) fail(orphan.error, orphan.itemIndex, orphan.json);
	const seen = new Set<string>();
	for (const entry of data.clauses) {
		if (!entry.value) {
			fail(entry.error, entry.itemIndex, entry.json);
			continue;
		}
		const clause = entry.value;
		const key = clauseKey(clause);
		if (seen.has(key)) {
			fail(duplicateClauseError(node, entry), entry.itemIndex, entry.json, clause);
			continue;
		}
		seen.add(key);
		const faulty = lineErrors.byClause.get(key);
		if (faulty && faulty.length > 0) {
			fail(faulty[0].error, faulty[0].itemIndex, { ...entry.json, lignesEnAnomalie: faulty.length }, clause);
			continue;
		}
		yield { entry, clause, key };
	}
}

