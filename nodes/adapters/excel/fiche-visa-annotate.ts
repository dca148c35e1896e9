/**
 * Copie annotée d'une fiche visa : le classeur déposé, relu, avec chaque
 * cellule en cause surlignée (rouge : refus, orange : à compléter, jaune :
 * observation) et commentée (problème et correction), la décision dans le
 * cadre réservé au service des marchés, et une feuille « Anomalies » qui liste
 * tout. Un nouveau fichier : l'original n'est jamais modifié.
 */
import type ExcelJS from 'exceljs';

import type { VisaAnomaly, VisaDecision, VisaEffect } from '../../core';
import { frenchShortDate } from '../../core';
import type { DataValidationsHolder } from './fiche-visa-template';
import { FICHE_VISA_TEMPLATE } from './fiche-visa-template';
import { loadWorkbook } from './workbook';
import { parseAddress } from './xlsx-light';

const FILLS: Record<VisaEffect, string> = { REFUSÉ: 'FFF4A6A6', 'À COMPLÉTER': 'FFFFC97A', observation: 'FFFFF59D' };
const DECISION_FILLS: Record<VisaDecision, string> = { VISÉ: 'FFB7E1B0', 'À COMPLÉTER': FILLS['À COMPLÉTER'], REFUSÉ: FILLS.REFUSÉ };
const RANK: Record<VisaEffect, number> = { REFUSÉ: 0, 'À COMPLÉTER': 1, observation: 2 };

export interface VisaAnnotation {
	decision: VisaDecision;
	resume: string;
	anomalies: VisaAnomaly[];
	/** Date du contrôle (AAAA-MM-JJ). */
	date: string;
}

/** « fiche 2026.xlsx » → « fiche 2026 (annotée).xlsx ». */
export function annotatedFileName(fileName: string): string {
	const base = fileName.replace(/\.xlsx$/i, '') || 'fiche-visa';
	return `${base} (annotée).xlsx`;
}

function solid(argb: string): ExcelJS.Fill {
	return { type: 'pattern', pattern: 'solid', fgColor: { argb } };
}

/** Après lecture, exceljs partage l'objet de style entre cellules de même style : on le copie avant de le changer. */
function restyle(cell: ExcelJS.Cell, patch: Partial<ExcelJS.Style>): void {
	cell.style = { ...cell.style, ...patch };
}

/**
 * exceljs éclate à la lecture les contrôles de saisie en cellules isolées, puis
 * les regroupe à l'écriture en triant les adresses comme du texte (A10 avant A4) :
 * des plages qui se chevauchent, qu'Excel peut refuser. On les regroupe ici par
 * colonne, dans l'ordre des lignes.
 */
export function compactDataValidations(ws: ExcelJS.Worksheet): void {
	const holder = ws as unknown as DataValidationsHolder;
	const model = holder.dataValidations.model;
	const cells = Object.entries(model)
		.filter((entry): entry is [string, ExcelJS.DataValidation] => entry[1] !== undefined && !entry[0].includes(':'))
		.map(([address, validation]) => ({ address, validation, key: JSON.stringify(validation), ...parseAddress(address) }))
		.sort((a, b) => a.col - b.col || a.row - b.row);
	if (cells.length === 0) return;
	const compact: Record<string, ExcelJS.DataValidation | undefined> = Object.fromEntries(Object.entries(model).filter(([address, v]) => v !== undefined && address.includes(':')));
	let start = cells[0];
	let end = cells[0];
	const flush = () => (compact[start === end ? start.address : `${start.address}:${end.address}`] = start.validation);
	for (const cell of cells.slice(1)) {
		if (cell.col === end.col && cell.row === end.row + 1 && cell.key === start.key) end = cell;
		else {
			flush();
			start = cell;
			end = cell;
		}
	}
	flush();
	holder.dataValidations.model = compact;
}

export async function annotateFicheVisa(buffer: Buffer, fileName: string, annotation: VisaAnnotation): Promise<Buffer> {
	const t = FICHE_VISA_TEMPLATE;
	const wb = await loadWorkbook(buffer, fileName);
	for (const sheet of wb.worksheets) compactDataValidations(sheet);

	// Cellules en cause : la couleur de l'anomalie la plus grave, toutes les remarques en note.
	const byCell = new Map<string, VisaAnomaly[]>();
	for (const a of annotation.anomalies) {
		if (!a.cellule || !a.feuille) continue;
		const key = `${a.feuille}\u0000${a.cellule}`;
		byCell.set(key, [...(byCell.get(key) ?? []), a]);
	}
	for (const [key, list] of byCell) {
		const [sheetName, address] = key.split('\u0000');
		const ws = wb.getWorksheet(sheetName);
		if (!ws) continue;
		const cell = ws.getCell(address);
		const worst = list.reduce((w, a) => (RANK[a.effet] < RANK[w] ? a.effet : w), 'observation' as VisaEffect);
		restyle(cell, { fill: solid(FILLS[worst]) });
		cell.note = {
			texts: [{ text: list.map((a) => `[${a.effet}] ${a.libelle} : ${a.message}.\n→ ${a.correction}`).join('\n\n') }],
			editAs: 'absolute',
		} as ExcelJS.Comment;
	}

	const fiche = wb.getWorksheet(t.sheets.fiche);
	if (fiche) {
		const decision = fiche.getCell(t.decisionCell);
		decision.value = annotation.decision;
		restyle(decision, { font: { bold: true, size: 13 }, fill: solid(DECISION_FILLS[annotation.decision]) });
		const control = fiche.getCell(t.controleCell);
		control.value = `Contrôle automatique du ${frenchShortDate(annotation.date)} : ${annotation.resume}`;
		restyle(control, { alignment: { wrapText: true, vertical: 'top' } });
	}

	const previous = wb.getWorksheet(t.sheets.anomalies);
	if (previous) wb.removeWorksheet(previous.id);
	const ws = wb.addWorksheet(t.sheets.anomalies, { views: [{ state: 'frozen', ySplit: 4 }] });
	ws.getCell('A1').value = `Contrôle de la fiche visa : ${annotation.decision}`;
	ws.getCell('A1').font = { bold: true, size: 14 };
	ws.getCell('A1').fill = solid(DECISION_FILLS[annotation.decision]);
	ws.getCell('A2').value = `${annotation.resume} Contrôle automatique du ${frenchShortDate(annotation.date)} ; fichier d\u2019origine : « ${fileName} » (non modifié).`;
	const columns: Array<[string, number]> = [
		['Effet', 14], ['Champ', 30], ['Où', 34], ['Feuille', 12], ['Cellule', 9], ['Problème', 52], ['Que faire', 60], ['Règle', 26], ['Fondement', 40],
	];
	const header = ws.getRow(4);
	columns.forEach(([title, width], i) => {
		header.getCell(i + 1).value = title;
		ws.getColumn(i + 1).width = width;
	});
	header.font = { bold: true, color: { argb: 'FFFFFFFF' } };
	header.fill = solid('FF1F5FA8');
	if (annotation.anomalies.length === 0) ws.getCell('A5').value = 'Aucune anomalie.';
	annotation.anomalies.forEach((a, i) => {
		const row = ws.getRow(5 + i);
		row.values = [a.effet, a.libelle, a.ou ?? '', a.feuille ?? '', a.cellule ?? '', a.message, a.correction, a.regle ?? '', a.source ?? ''];
		row.alignment = { wrapText: true, vertical: 'top' };
		row.getCell(1).fill = solid(FILLS[a.effet]);
		if (a.cellule && a.feuille && wb.getWorksheet(a.feuille)) {
			row.getCell(5).value = { text: a.cellule, hyperlink: `#'${a.feuille.replace(/'/g, "''")}'!${a.cellule}` };
			row.getCell(5).font = { color: { argb: 'FF1F5FA8' }, underline: true };
		}
	});
	ws.autoFilter = { from: { row: 4, column: 1 }, to: { row: 4 + Math.max(1, annotation.anomalies.length), column: columns.length } };
	wb.views = [{ x: 0, y: 0, width: 20000, height: 12000, firstSheet: 0, activeTab: wb.worksheets.indexOf(ws), visibility: 'visible' }];
	return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}
