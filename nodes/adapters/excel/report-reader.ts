/**
 * Lecture d'un relevé mensuel renvoyé par un titulaire : le modèle joint aux
 * relances (REPORT_TEMPLATE), rempli. L'en-tête se lit par ses noms définis
 * (RELEVE_MARCHE…), à défaut aux cellules du modèle ; le tableau par les
 * intitulés de sa ligne d'en-têtes, où qu'elle soit (une ligne insérée, des
 * colonnes déplacées ne gênent pas). Les saisies à la main sont tolérées
 * (« 12,5 », dates en texte, listes tapées : synonymes des schémas). Un
 * fichier illisible ou sans feuille « Relevé » devient une anomalie du relevé,
 * pas une exception : le titulaire en est informé par l'accusé de réception.
 */
import type ExcelJS from 'exceljs';

import type { Anomaly, IncomingLine, IncomingReport, ReadLimits } from '../../core';
import { AnomalyError, REPORT_LINE_READER, normalizeToken } from '../../core';
import { readCell } from './cells';
import { REPORT_TEMPLATE } from './report-template';
import { findSheet, readTableRow } from './table';
import { loadWorkbook } from './workbook';

const SHEET_NAMES = [REPORT_TEMPLATE.sheet, 'Releve', 'Relevé mensuel', 'Relevé des heures'];
/** Cellules de l'en-tête du modèle, si les noms définis ont disparu (copie de la feuille dans un autre classeur). */
const DEFAULT_CELLS = { version: 'A10', marche: 'B4', lot: 'B5', titulaire: 'B6', siret: 'B7', mois: 'B8' } as const;
type HeaderField = keyof typeof DEFAULT_CELLS;

const TEMPLATE_HEADERS = new Map<string, string>(REPORT_TEMPLATE.columns.map((c) => [normalizeToken(c.header), c.field]));

function fieldOfHeader(text: string): string | undefined {
	const token = normalizeToken(text);
	return TEMPLATE_HEADERS.get(token) ?? REPORT_LINE_READER.keys.get(token);
}

/** Adresse d'un nom défini sur la feuille du relevé (« 'Relevé'!$B$4 » → B4). */
function definedCell(wb: ExcelJS.Workbook, name: string, sheetName: string): string | undefined {
	let ranges: string[] = [];
	try {
		ranges = wb.definedNames.getRanges(name)?.ranges ?? [];
	} catch {
		return undefined;
	}
	for (const range of ranges) {
		const m = /^'?(.+?)'?!\$?([A-Z]+)\$?(\d+)$/.exec(range);
		if (m && normalizeToken(m[1]) === normalizeToken(sheetName)) return `${m[2]}${m[3]}`;
	}
	return undefined;
}

function fileAnomaly(fileName: string, message: string, correction: string, regle: string, feuille?: string, cellule?: string): Anomaly {
	return { gravite: 'erreur', champ: 'fichier', libelle: 'relevé', ou: `fichier « ${fileName} »`, message, correction, regle, ...(cellule ? { feuille, cellule } : {}) };
}

export async function readReportWorkbook(buffer: Buffer, fileName: string, itemIndex: number, limits?: ReadLimits): Promise<IncomingReport> {
	const releve: IncomingReport = {
		source: `fichier « ${fileName} »`,
		fileName,
		itemIndexes: [itemIndex],
		header: {},
		lines: [],
		anomalies: [],
	};
	let wb: ExcelJS.Workbook;
	try {
		wb = await loadWorkbook(buffer, fileName, limits);
	} catch (error) {
		if (error instanceof AnomalyError) releve.anomalies.push(...error.anomalies);
		else releve.anomalies.push(fileAnomaly(fileName, `classeur illisible (${error instanceof Error ? error.message : String(error)})`, 'Enregistrez de nouveau le relevé au format « Classeur Excel (.xlsx) » et renvoyez-le.', 'fichier.abime'));
		return releve;
	}
	const sheet = findSheet(wb, SHEET_NAMES);
	if (!sheet) {
		releve.anomalies.push(
			fileAnomaly(
				fileName,
				`feuille « ${REPORT_TEMPLATE.sheet} » absente (feuilles trouvées : ${wb.worksheets.map((w) => w.name).join(', ') || 'aucune'})`,
				`Renvoyez le modèle de relevé joint à la relance, rempli, sans renommer sa feuille « ${REPORT_TEMPLATE.sheet} ».`,
				'releve.feuilleAbsente',
			),
		);
		return releve;
	}
	releve.feuille = sheet.name;
	const headerCells: Record<string, string> = {};
	for (const field of Object.keys(DEFAULT_CELLS) as HeaderField[]) {
		const address = definedCell(wb, REPORT_TEMPLATE.names[field], sheet.name) ?? DEFAULT_CELLS[field];
		headerCells[field] = address;
		const read = readCell(sheet.getCell(address));
		if (field !== 'version') releve.header[field] = read.value;
	}
	releve.headerCells = headerCells;
	const version = readCell(sheet.getCell(headerCells.version)).value;

	// Ligne d'en-têtes du tableau : celle du modèle, ou la première qui porte la colonne des heures.
	let headerRow = 0;
	const columns = new Map<number, string>();
	const scan = [REPORT_TEMPLATE.headerRow, ...Array.from({ length: 30 }, (_, i) => i + 1)];
	for (const r of scan) {
		const found = new Map<number, string>();
		sheet.getRow(r).eachCell((cell, col) => {
			const text = readCell(cell).value;
			if (typeof text !== 'string') return;
			const field = fieldOfHeader(text);
			if (field) found.set(col, field);
		});
		if ([...found.values()].includes('heuresMois')) {
			headerRow = r;
			for (const [col, field] of found) columns.set(col, field);
			break;
		}
	}
	const present = new Set(columns.values());
	const missing = ['participant', 'heuresMois'].filter((f) => !present.has(f));
	if (headerRow === 0 || missing.length > 0) {
		const old = version !== REPORT_TEMPLATE.version;
		releve.anomalies.push(
			fileAnomaly(
				fileName,
				headerRow === 0
					? `tableau des participants introuvable (aucune colonne « Heures du mois »)${old ? `, modèle ${version ? `version ${String(version)}` : 'inconnu'}` : ''}`
					: `colonne(s) ${missing.map((f) => `« ${REPORT_LINE_READER.labels[f]} »`).join(', ')} absente(s) de la ligne d\u2019en-têtes`,
				`Utilisez le modèle de relevé joint à la dernière relance (version ${REPORT_TEMPLATE.version}), sans supprimer ni renommer ses colonnes.`,
				old ? 'releve.ancienModele' : 'releve.colonneAbsente',
				sheet.name,
				`ligne ${headerRow || REPORT_TEMPLATE.headerRow}`,
			),
		);
		return releve;
	}
	if (version !== REPORT_TEMPLATE.version) {
		releve.anomalies.push({
			...fileAnomaly(
				fileName,
				version ? `ancien modèle de relevé (version ${String(version)}, version en cours : ${REPORT_TEMPLATE.version})` : `modèle de relevé sans numéro de version (version en cours : ${REPORT_TEMPLATE.version})`,
				'Les colonnes ont pu être lues ; pour le prochain mois, utilisez le modèle joint à la relance.',
				'releve.ancienModele',
				sheet.name,
				headerCells.version,
			),
			gravite: 'avertissement',
		});
	}

	for (let r = headerRow + 1; r <= sheet.rowCount; r++) {
		const read = readTableRow(sheet, r, columns, REPORT_LINE_READER.labels);
		if (!read) continue;
		const { raw, cells, problems } = read;
		const where = `fichier « ${fileName} », ligne ${r}`;
		for (const problem of problems) problem.ou = where;
		const line: IncomingLine = { raw, where, feuille: sheet.name, cells, ligne: r, problems, itemIndex };
		releve.lines.push(line);
	}
	return releve;
}
