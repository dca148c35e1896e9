/**
 * Le classeur de suivi (feuilles « Registre », « Relevés », « Marchés »,
 * « Pénalités ») lu en flux pour le bilan et pour la réception des relevés.
 * Une seule lecture du classeur ; chaque ligne est validée par le lecteur
 * rapide (rowReader : mêmes schémas zod, mêmes erreurs) puis passée au cœur,
 * sans être gardée. Utilisé par les nœuds et par le banc (mêmes chemins).
 */

import type { BilanAccumulator, FieldLabels, KeyIndex, ReadLimits, RegisterIndex } from '../../core';
import {
	AnomalyError,
	CLAUSE_READER,
	MARKET_READER,
	PENALTY_READER,
	REPORT_LINE_READER,
	clauseKey,
	duplicateClause,
	rowReader,
} from '../../core';
import type { RegisterAppendPlan } from './register-append';
import type { StreamSheetSpec } from './stream-tables';
import { streamTables } from './stream-tables';
import { locate } from './table';

/** Noms acceptés des feuilles du classeur de suivi (le premier est celui du modèle). */
export const FOLLOW_UP_SHEETS = {
	registre: ['Registre', 'Registre des clauses', 'Clauses'],
	releves: ['Relevés', 'Releves', 'Relevés mensuels', 'Heures'],
	marches: ['Marchés', 'Marches', 'Marchés notifiés'],
	penalites: ['Pénalités', 'Penalites'],
};

/**
 * Feuille du classeur de suivi lue en flux : ses noms acceptés, les colonnes
 * du lecteur de ses lignes (clés et libellés) et celles qui sont exigées.
 */
export function followUpSheet(
	sheet: keyof typeof FOLLOW_UP_SHEETS,
	reader: { keys: KeyIndex; labels: FieldLabels },
	required: string[],
	mandatory: boolean,
): Omit<StreamSheetSpec, 'onRow'> {
	return { names: FOLLOW_UP_SHEETS[sheet], keys: reader.keys, labels: reader.labels, required, mandatory };
}

/** Feuille « Marchés » : tous les marchés de la collectivité, avec et sans clause (le dénominateur des parts du bilan). */
export const MARKETS_SHEET = followUpSheet('marches', MARKET_READER, ['marche'], false);

/** Feuille « Registre » : une clause par ligne, indispensable. */
export function registerSheet(onRow: StreamSheetSpec['onRow']): StreamSheetSpec {
	return { ...followUpSheet('registre', CLAUSE_READER, ['marche', 'lot', 'heuresDues'], true), onRow };
}

/** Feuille « Relevés » : une ligne de relevé par participant et par mois. */
export function linesSheet(mandatory: boolean, onRow: StreamSheetSpec['onRow'], onHeader?: StreamSheetSpec['onHeader']): StreamSheetSpec {
	return { ...followUpSheet('releves', REPORT_LINE_READER, ['marche', 'lot', 'mois', 'heuresMois'], mandatory), onRow, onHeader };
}

/**
 * Bilan : clauses, lignes de relevé, marchés de la période et pénalités
 * ajoutés à l'accumulateur (les enregistrements typés du cœur, lus par leurs
 * schémas) ; chaque enregistrement en anomalie est passé à `note`
 * (situé : feuille et cellule).
 */
export async function streamBilanWorkbook(input: Buffer, fileName: string, acc: BilanAccumulator, note: (error: unknown) => void, limits?: ReadLimits): Promise<void> {
	const readClause = rowReader(CLAUSE_READER);
	const readLine = rowReader(REPORT_LINE_READER);
	const readMarket = rowReader(MARKET_READER);
	const readPenaltyRow = rowReader(PENALTY_READER);
	// Clause en double dans le registre : signalée avec la ligne de la première (elle n'est comptée qu'une fois).
	const firstRows = new Map<string, string>();
	await streamTables(input, fileName, {
		registre: registerSheet((row) => {
			const read = row.problems.length === 0 ? readClause(row.raw, () => `feuille « ${row.sheet} », ligne ${row.row}`) : undefined;
			if (!read?.ok) return note(locate(read === undefined ? new AnomalyError(row.problems) : read.error, row));
			const key = clauseKey(read.value);
			const first = firstRows.get(key);
			if (first === undefined) {
				firstRows.set(key, `feuille « ${row.sheet} », ligne ${row.row}`);
				acc.addClause(read.value);
			} else note(new AnomalyError([duplicateClause(read.value, `feuille « ${row.sheet} », ligne ${row.row}`, first)]));
		}),
		// Sans feuille des relevés, le bilan compterait zéro heure pour chaque clause : le classeur est refusé.
		releves: linesSheet(true, (row) => {
			if (row.problems.length > 0) return note(locate(new AnomalyError(row.problems), row));
			const read = readLine(row.raw, () => `feuille « ${row.sheet} », ligne ${row.row}`);
			if (read.ok) acc.addLine(read.value);
			else note(locate(read.error, row));
		}),
		marches: {
			...MARKETS_SHEET,
			onRow: (row) => {
				if (row.problems.length > 0) return note(locate(new AnomalyError(row.problems), row));
				const read = readMarket(row.raw, () => `feuille « ${row.sheet} », ligne ${row.row}`);
				if (read.ok) acc.addMarket(read.value);
				else note(locate(read.error, row));
			},
		},
		penalites: {
			...followUpSheet('penalites', PENALTY_READER, ['marche', 'lot', 'etape', 'montant'], false),
			onRow: (row) => {
				if (row.problems.length > 0) return note(locate(new AnomalyError(row.problems), row));
				const read = readPenaltyRow(row.raw, () => `feuille « ${row.sheet} », ligne ${row.row}`);
				if (read.ok) acc.addPenalty(read.value);
				else note(locate(read.error, row));
			},
		},
	}, false, limits);
}

/**
 * Réception : les clauses du registre et les lignes déjà reçues (l'index ne
 * garde que les mois concernés par les relevés du jour) ; `plan` reçoit la
 * ligne d'en-têtes et la dernière ligne de la feuille « Relevés », pour y
 * ajouter ensuite les lignes acceptées.
 * @returns le nombre de lignes de relevé du registre en anomalie (ignorées).
 */
export async function streamRegisterForIntake(input: Buffer, fileName: string, index: RegisterIndex, plan: RegisterAppendPlan, limits?: ReadLimits): Promise<number> {
	const readClause = rowReader(CLAUSE_READER);
	const readLine = rowReader(REPORT_LINE_READER);
	let invalidLines = 0;
	await streamTables(input, fileName, {
		registre: registerSheet((row) => {
			const read = readClause(row.raw, () => `feuille « ${row.sheet} », ligne ${row.row}`);
			if (read.ok) index.addClause(read.value);
			else if (row.raw.marche !== undefined && row.raw.lot !== undefined) {
				index.invalidClauses.set(clauseKey({ marche: String(row.raw.marche), lot: String(row.raw.lot) }), `feuille « ${row.sheet} », ligne ${row.row} : ${read.error.message}`);
			}
		}),
		releves: linesSheet(
			true,
			(row) => {
				plan.sheetName = row.sheet;
				plan.lastRow = row.row;
				const read = readLine(row.raw, '');
				if (read.ok) index.addLine(read.value, row.row);
				else invalidLines++;
			},
			(row, columns) => {
				plan.headerRow = row;
				plan.columns = new Map(columns);
			},
		),
	}, false, limits);
	return invalidLines;
}
