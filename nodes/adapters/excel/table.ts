/**
 * Lecture d'un tableau (une ligne d'en-têtes, une ligne par enregistrement)
 * dans une feuille Excel. Les en-têtes sont rapprochés des champs connus ; chaque
 * valeur garde l'adresse de sa cellule pour que les anomalies disent où corriger.
 */
import type ExcelJS from 'exceljs';

import type { Anomaly, KeyIndex } from '../../core';
import { AnomalyError, normalizeToken } from '../../core';
import { readCell } from './cells';

export interface TableRow {
	sheet: string;
	row: number;
	/** Valeurs par champ canonique (ou par en-tête s'il n'est pas reconnu). */
	raw: Record<string, unknown>;
	/** Adresse de la cellule de chaque champ, par ex. { montantHT: 'E5' }. */
	cells: Record<string, string>;
	problems: Anomaly[];
}

export interface TableOptions {
	fileName: string;
	/** Noms de feuille acceptés (le premier trouvé est lu) ; à défaut, la première feuille. */
	sheetNames: string[];
	keys: KeyIndex;
	labels: Record<string, string>;
	/** Champs dont la colonne doit exister. */
	required?: string[];
	/** Désignation d'une ligne pour les messages (par défaut : « ligne N »). */
	describe?: (raw: Record<string, unknown>, row: number) => string;
}

export function findSheet(workbook: ExcelJS.Workbook, names: string[]): ExcelJS.Worksheet | undefined {
	const wanted = names.map(normalizeToken);
	return workbook.worksheets.find((ws) => wanted.includes(normalizeToken(ws.name)));
}

export function readTable(workbook: ExcelJS.Workbook, options: TableOptions): TableRow[] {
	const sheet = findSheet(workbook, options.sheetNames) ?? workbook.worksheets.find((ws) => ws.state === 'visible');
	if (!sheet) {
		throw new AnomalyError([
			{
				gravite: 'erreur',
				champ: 'feuille',
				libelle: 'feuille',
				ou: `fichier « ${options.fileName} »`,
				message: 'le classeur ne contient aucune feuille lisible',
				correction: `Ajoutez une feuille « ${options.sheetNames[0]} » avec une ligne d\u2019en-têtes puis une ligne par enregistrement.`,
				regle: 'tableau.feuilleAbsente',
			},
		]);
	}
	let headerRow = 0;
	for (let r = 1; r <= Math.min(sheet.rowCount, 20) && headerRow === 0; r++) {
		const values = sheet.getRow(r).values as unknown[];
		if (values.some((v) => typeof v === 'string' && v.trim() !== '')) headerRow = r;
	}
	const columns = new Map<number, string>();
	if (headerRow > 0) {
		sheet.getRow(headerRow).eachCell((cell, col) => {
			const header = String(readCell(cell).value ?? '').trim();
			if (header !== '') columns.set(col, options.keys.get(normalizeToken(header)) ?? header);
		});
	}
	const present = new Set(columns.values());
	const missing = (options.required ?? []).filter((field) => !present.has(field));
	if (missing.length > 0 || headerRow === 0) {
		throw new AnomalyError(
			(missing.length > 0 ? missing : options.required ?? ['en-têtes']).map((field) => ({
				gravite: 'erreur' as const,
				champ: field,
				libelle: options.labels[field] ?? field,
				ou: `fichier « ${options.fileName} »`,
				feuille: sheet.name,
				cellule: headerRow > 0 ? `ligne ${headerRow}` : 'ligne 1',
				message: `colonne « ${options.labels[field] ?? field} » absente de la ligne d\u2019en-têtes`,
				correction: `Ajoutez une colonne intitulée « ${options.labels[field] ?? field} » (ou renommez la colonne existante).`,
				regle: 'tableau.colonneAbsente',
			})),
		);
	}
	const rows: TableRow[] = [];
	for (let r = headerRow + 1; r <= sheet.rowCount; r++) {
		const read = readTableRow(sheet, r, columns, options.labels);
		if (!read) continue;
		const where = options.describe?.(read.raw, r) ?? `ligne ${r}`;
		for (const problem of read.problems) problem.ou = where;
		rows.push({ sheet: sheet.name, row: r, ...read });
	}
	return rows;
}

/**
 * Les cellules d'une ligne, par champ (colonne → nom de champ) : valeurs lues,
 * adresses, et une anomalie située à sa cellule pour chaque valeur illisible
 * (sans `ou`, que l'appelant précise). `undefined` pour une ligne vide.
 */
export function readTableRow(
	sheet: ExcelJS.Worksheet,
	r: number,
	columns: Map<number, string>,
	labels: Record<string, string>,
): Pick<TableRow, 'raw' | 'cells' | 'problems'> | undefined {
	const row = sheet.getRow(r);
	const raw: Record<string, unknown> = {};
	const cells: Record<string, string> = {};
	const problems: Anomaly[] = [];
	let empty = true;
	for (const [col, field] of columns) {
		const cell = row.getCell(col);
		const read = readCell(cell);
		cells[field] = cell.address;
		if (read.value !== undefined && !(typeof read.value === 'string' && read.value.trim() === '')) {
			raw[field] = read.value;
			empty = false;
		}
		if (read.problem) {
			empty = false;
			problems.push({
				gravite: 'erreur',
				champ: field,
				libelle: labels[field] ?? field,
				feuille: sheet.name,
				cellule: cell.address,
				message: read.problem.message,
				correction: read.problem.correction,
				regle: read.problem.regle,
			});
		}
	}
	return empty ? undefined : { raw, cells, problems };
}

/** Ajoute la feuille et la cellule aux anomalies d'un enregistrement lu dans un tableau. */
export function locate(error: unknown, row: TableRow): unknown {
	if (!(error instanceof AnomalyError)) return error;
	for (const anomaly of error.anomalies) {
		const field = anomaly.champ.split(/[.[]/)[0];
		if (anomaly.cellule === undefined && row.cells[field] !== undefined) {
			anomaly.feuille = row.sheet;
			anomaly.cellule = row.cells[field];
		}
	}
	return new AnomalyError(error.anomalies);
}
