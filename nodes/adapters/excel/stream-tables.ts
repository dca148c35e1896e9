/**
 * Lecture en flux (exceljs, WorkbookReader) de classeurs volumineux : chaque
 * feuille attendue est lue ligne à ligne sans charger le classeur en mémoire.
 * Mêmes règles que la lecture complète (table.ts) : ligne d'en-têtes,
 * rapprochement des intitulés, adresse de chaque cellule pour les anomalies.
 */
import type ExcelJS from 'exceljs';

import type { Anomaly, KeyIndex, ReadLimits } from '../../core';
import { AnomalyError, DEFAULT_READ_LIMITS, ReadLimitError, normalizeToken } from '../../core';
import { columnLetter, plainValue, readCell } from './cells';
import type { TableRow } from './table';
import { assertXlsx, damagedFileError, limitFileError } from './workbook';
import { type StreamedWorksheet, UnreadableWorkbookError, streamWorksheets } from './xlsx-stream-reader';

export interface StreamSheetSpec {
	/** Noms acceptés pour la feuille (le premier est celui du modèle). */
	names: string[];
	keys: KeyIndex;
	labels: Record<string, string>;
	required: string[];
	/** Feuille indispensable au classeur. */
	mandatory: boolean;
	/** Reçoit chaque ligne ; une promesse rendue est attendue avant de lire la suivante (écriture au fil de la lecture). */
	onRow: (row: TableRow) => unknown;
	/** Reçoit la ligne d'en-têtes reconnue : numéro de ligne et champ de chaque colonne (1 = A). */
	onHeader?: (row: number, columns: ReadonlyMap<number, string>) => void;
}

/** Ligne lue en flux ; les adresses des cellules ne sont calculées qu'à la demande (pour situer une anomalie). */
class StreamRow implements TableRow {
	constructor(
		readonly sheet: string,
		readonly row: number,
		readonly raw: Record<string, unknown>,
		readonly problems: Anomaly[],
		private readonly columns: Map<number, string>,
		private readonly letters: Map<number, string>,
	) {}

	get cells(): Record<string, string> {
		const out: Record<string, string> = {};
		for (const [col, field] of this.columns) out[field] = `${this.letters.get(col)}${this.row}`;
		return out;
	}
}

const NO_PROBLEMS: Anomaly[] = [];

/**
 * Feuilles voulues d'un classeur (.xlsx en mémoire), lues ligne à ligne.
 * @param withStyles lire les styles (formats de pourcentage et de date) : 2 à 3 fois plus lent.
 *   Sans eux, une date arrive en numéro de série Excel, que les schémas de dates savent lire.
 * @param limits limites de lecture (taille décompressée, lignes, cellules).
 *
 * Les lignes sont remises à `onRow` au fil de la lecture : si le fichier
 * s'avère ensuite abîmé ou trop grand, l'erreur levée dit à l'appelant d'écarter
 * tout ce qu'il en a reçu (jamais une partie de fichier).
 */
export async function streamTables(
	buffer: Buffer,
	fileName: string,
	specs: Record<string, StreamSheetSpec>,
	withStyles = false,
	limits: ReadLimits = DEFAULT_READ_LIMITS,
): Promise<{ sheetsRead: string[]; ignoredSheets: string[] }> {
	assertXlsx(buffer, fileName);
	try {
		const wanted = new Set(Object.values(specs).flatMap((spec) => spec.names.map(normalizeToken)));
		const worksheets = streamWorksheets(buffer, { styles: withStyles ? 'cache' : 'ignore', read: (name) => wanted.has(normalizeToken(name)), limits });
		return await readSheets(worksheets, fileName, specs, withStyles);
	} catch (error) {
		throw situated(error, fileName);
	}
}

/** Une archive illisible devient une erreur française qui nomme le fichier ; toute autre erreur reste telle quelle. */
function situated(error: unknown, fileName: string): unknown {
	if (error instanceof ReadLimitError) return limitFileError(fileName, error);
	if (!(error instanceof UnreadableWorkbookError)) return error;
	return damagedFileError(fileName, error.message);
}

async function readSheets(
	worksheets: AsyncIterable<StreamedWorksheet>,
	fileName: string,
	specs: Record<string, StreamSheetSpec>,
	withStyles: boolean,
): Promise<{ sheetsRead: string[]; ignoredSheets: string[] }> {
	const sheetsRead: string[] = [];
	const ignoredSheets: string[] = [];
	const lookups = Object.entries(specs).map(([id, spec]) => ({ id, spec, tokens: spec.names.map(normalizeToken) }));
	for await (const ws of worksheets) {
		const name = ws.name;
		const match = lookups.find((l) => l.tokens.includes(normalizeToken(name)));
		if (!match) {
			// Feuille sans intérêt : passée sans être décompressée (voir `read` ci-dessus).
			ignoredSheets.push(name);
			continue;
		}
		sheetsRead.push(match.id);
		const { spec } = match;
		let columns: Map<number, string> | undefined;
		// Les colonnes reconnues en tableaux : la boucle par cellule ne crée rien.
		let columnNumbers: number[] = [];
		let columnFields: string[] = [];
		const letters = new Map<number, string>();
		for await (const row of ws) {
			if (!columns) {
				const found = new Map<number, string>();
				row.eachCell((cell, col) => {
					const header = String(readCell(cell).value ?? '').trim();
					if (header !== '') found.set(col, spec.keys.get(normalizeToken(header)) ?? header);
				});
				if (found.size === 0) continue;
				const present = new Set(found.values());
				const missing = spec.required.filter((field) => !present.has(field));
				if (missing.length > 0) {
					throw new AnomalyError(
						missing.map((field) => ({
							gravite: 'erreur' as const,
							champ: field,
							libelle: spec.labels[field] ?? field,
							ou: `fichier « ${fileName} »`,
							feuille: name,
							cellule: `ligne ${row.number}`,
							message: `colonne « ${spec.labels[field] ?? field} » absente de la ligne d\u2019en-têtes`,
							correction: `Ajoutez une colonne intitulée « ${spec.labels[field] ?? field} » dans la feuille « ${name} ».`,
							regle: 'tableau.colonneAbsente',
						})),
					);
				}
				columns = found;
				columnNumbers = [...found.keys()];
				columnFields = [...found.values()];
				for (const col of found.keys()) letters.set(col, columnLetter(col));
				spec.onHeader?.(row.number, found);
				continue;
			}
			const raw: Record<string, unknown> = {};
			const rowNumber = row.number;
			let problems: Anomaly[] | undefined;
			const values = row.values as ExcelJS.CellValue[];
			let empty = true;
			for (let c = 0; c < columnNumbers.length; c++) {
				const col = columnNumbers[c];
				const field = columnFields[c];
				const value = values[col];
				if (value === undefined || value === null) continue;
				// Cas courant sans allocation : nombre, texte ou booléen.
				if (!withStyles && (typeof value === 'number' || typeof value === 'boolean' || (typeof value === 'string' && value.trim() !== ''))) {
					raw[field] = value;
					empty = false;
					continue;
				}
				const read = withStyles ? readCell(row.getCell(col)) : plainValue(value);
				if (read.value !== undefined && !(typeof read.value === 'string' && read.value.trim() === '')) {
					raw[field] = read.value;
					empty = false;
				}
				if (read.problem) {
					empty = false;
					(problems ??= []).push({
						gravite: 'erreur',
						champ: field,
						libelle: spec.labels[field] ?? field,
						feuille: name,
						cellule: `${letters.get(col)}${rowNumber}`,
						ou: `feuille « ${name} », ligne ${rowNumber}`,
						message: read.problem.message,
						correction: read.problem.correction,
						regle: read.problem.regle,
					});
				}
			}
			if (!empty) {
				const pending = spec.onRow(new StreamRow(name, rowNumber, raw, problems ?? NO_PROBLEMS, columns, letters));
				if (pending instanceof Promise) await pending;
			}
		}
	}
	const missingSheets = Object.entries(specs).filter(([id, spec]) => spec.mandatory && !sheetsRead.includes(id));
	if (missingSheets.length > 0) {
		throw new AnomalyError(
			missingSheets.map(([, spec]) => ({
				gravite: 'erreur' as const,
				champ: 'feuille',
				libelle: 'feuille',
				ou: `fichier « ${fileName} »`,
				message: `feuille « ${spec.names[0]} » absente${ignoredSheets.length > 0 ? ` (feuilles trouvées : ${ignoredSheets.join(', ')})` : ''}`,
				correction: `Ajoutez ou renommez la feuille « ${spec.names[0]} » (une ligne d\u2019en-têtes puis une ligne par enregistrement).`,
				regle: 'tableau.feuilleAbsente',
			})),
		);
	}
	return { sheetsRead, ignoredSheets };
}
