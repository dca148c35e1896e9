/**
 * Mise en page commune de tous les classeurs produits (rapport d'étude, export
 * du registre, bilan, fiche visa, modèles de relevé, annexes de pénalités…) :
 * A4, ajusté à la largeur de la page, ligne d'en-têtes répétée en haut de
 * chaque page, polices d'au moins 8 points, paysage quand les colonnes ne
 * tiennent pas en portrait ; à l'écran, en-têtes renvoyés à la ligne et
 * colonnes assez larges pour leur plus long mot. Chaque écrivain l'appelle juste
 * avant d'écrire le classeur (`preparePrint`). Les lignes dont un texte renvoyé à la
 * ligne dépasse sa colonne reçoivent une hauteur qui le montre en entier.
 */
import type ExcelJS from 'exceljs';

import { columnLetter } from './ooxml';

/** Format A4 dans la numérotation d'Excel (ECMA-376, ST_PaperSize). */
export const A4 = 9;
/** Plus petite police gardée à l'impression (points). */
export const MIN_FONT_SIZE = 8;
/**
 * Largeur (en caractères) au-delà de laquelle une feuille passe en paysage : la
 * largeur utile d'un A4 portrait (21 cm moins les marges) en tient une centaine
 * à 100 % ; au-delà, la réduction à la largeur rendrait le texte trop petit.
 */
export const PORTRAIT_MAX_WIDTH = 100;
/**
 * Largeur utile (en caractères à 100 %) d'un A4 avec des marges de 1,27 cm :
 * 18,5 cm en portrait, 27,2 cm en paysage, à 7 pixels par caractère (96 ppp),
 * arrondie vers le bas.
 */
export const PRINTABLE_WIDTH = { portrait: 95, landscape: 140 } as const;
/**
 * Réduction la plus forte admise à l'impression : en deçà, une police de 11 points
 * passerait sous 8 points sur le papier. Une feuille plus large s'imprime alors
 * sur plusieurs pages de large, ses colonnes figées répétées à gauche de chacune.
 */
export const MIN_PRINT_SCALE = 0.72;

export interface SheetPrintOptions {
	/** Ligne d'en-têtes à répéter ; par défaut la dernière ligne figée, sinon aucune. */
	headerRow?: number | null;
	/** Forcer l'orientation (sinon : d'après la largeur des colonnes). */
	orientation?: 'portrait' | 'landscape';
}

const DEFAULT_WIDTH = 9;

function frozenColumnsOf(sheet: ExcelJS.Worksheet): number {
	const view = sheet.views?.[0] as { state?: string; xSplit?: number } | undefined;
	return view?.state === 'frozen' && view.xSplit && view.xSplit > 0 ? view.xSplit : 0;
}

function headerRowOf(sheet: ExcelJS.Worksheet): number | undefined {
	const view = sheet.views?.[0] as { state?: string; ySplit?: number } | undefined;
	return view?.state === 'frozen' && view.ySplit && view.ySplit > 0 ? view.ySplit : undefined;
}

function cellText(cell: ExcelJS.Cell): string {
	const v = cell.value as unknown;
	if (typeof v === 'string') return v;
	if (v && typeof v === 'object' && 'richText' in v) return (v as ExcelJS.CellRichTextValue).richText.map((r) => r.text).join('');
	return '';
}

/** En-têtes renvoyés à la ligne, colonnes assez larges pour leur plus long mot, hauteur de ligne suffisante. */
function fitHeaders(sheet: ExcelJS.Worksheet, headerRow: number): void {
	const row = sheet.getRow(headerRow);
	let lines = 1;
	row.eachCell((cell, col) => {
		const text = cellText(cell).trim();
		if (!text || cell.isMerged) return;
		cell.alignment = { ...cell.alignment, wrapText: true, vertical: cell.alignment?.vertical ?? 'top' };
		const bold = cell.font?.bold ? 1.1 : 1;
		const size = (cell.font?.size ?? 11) / 11;
		const longestWord = Math.max(...text.split(/\s+/).map((w) => w.length));
		const column = sheet.getColumn(col);
		const wanted = Math.ceil(Math.max(longestWord * bold * size + 2, Math.min(Math.ceil(text.length / 3) + 2, 30)));
		const width = Math.max(column.width ?? DEFAULT_WIDTH, wanted);
		column.width = width;
		lines = Math.max(lines, Math.ceil((text.length * bold * size) / Math.max(1, width - 1)));
	});
	const height = Math.min(15 * lines, 90);
	if ((row.height ?? 0) < height) row.height = height;
}

function raiseSmallFonts(sheet: ExcelJS.Worksheet): void {
	sheet.eachRow({ includeEmpty: false }, (row) => {
		row.eachCell({ includeEmpty: false }, (cell) => {
			const size = cell.font?.size;
			if (size !== undefined && size < MIN_FONT_SIZE) cell.font = { ...cell.font, size: MIN_FONT_SIZE };
		});
	});
}

/**
 * Hauteur des lignes dont un texte renvoyé à la ligne dépasse sa colonne : LibreOffice
 * n'ajuste pas de lui-même une ligne écrite sans hauteur, et les textes se chevaucheraient
 * à l'écran comme sur le papier. Estimation par le nombre de caractères (police de 11 points).
 */
function fitWrappedRows(sheet: ExcelJS.Worksheet): void {
	sheet.eachRow({ includeEmpty: false }, (row) => {
		let lines = 1;
		let size = 11;
		row.eachCell({ includeEmpty: false }, (cell, col) => {
			const text = cellText(cell);
			if (!text || cell.isMerged) return;
			const wrap = cell.alignment?.wrapText ?? sheet.getColumn(col).alignment?.wrapText;
			if (!wrap) return;
			const factor = ((cell.font?.size ?? 11) / 11) * (cell.font?.bold ? 1.1 : 1);
			const width = Math.max(1, (sheet.getColumn(col).width ?? DEFAULT_WIDTH) - 1);
			const needed = text.split('\n').reduce((n, part) => n + Math.max(1, Math.ceil((part.length * factor) / width)), 0);
			if (needed > lines) {
				lines = needed;
				size = cell.font?.size ?? 11;
			}
		});
		const height = Math.min(409, Math.ceil(lines * 15 * (size / 11)));
		if (lines > 1 && (row.height ?? 0) < height) row.height = height;
	});
}

function totalWidth(sheet: ExcelJS.Worksheet, from = 1, to = sheet.columnCount): number {
	let total = 0;
	for (let c = from; c <= to; c++) {
		const column = sheet.getColumn(c);
		if (!column.hidden) total += column.width ?? DEFAULT_WIDTH;
	}
	return total;
}

/** Met en page une feuille (voir le commentaire du module). */
export function preparePrintSheet(sheet: ExcelJS.Worksheet, options: SheetPrintOptions = {}): void {
	const headerRow = options.headerRow === null ? undefined : options.headerRow ?? headerRowOf(sheet);
	raiseSmallFonts(sheet);
	if (headerRow) fitHeaders(sheet, headerRow);
	fitWrappedRows(sheet);
	const width = totalWidth(sheet);
	const orientation = options.orientation ?? (sheet.pageSetup.orientation === 'landscape' || width > PORTRAIT_MAX_WIDTH ? 'landscape' : 'portrait');
	// Une page de large, sauf si la réduction rendait le texte illisible : alors autant de pages que nécessaire,
	// les colonnes figées (marché, lot…), à défaut la première, répétées à gauche de chacune.
	const frozen = frozenColumnsOf(sheet) || 1;
	const repeated = totalWidth(sheet, 1, frozen);
	const perPage = PRINTABLE_WIDTH[orientation] / MIN_PRINT_SCALE;
	const pagesWide = width <= perPage ? 1 : Math.ceil((width - repeated) / Math.max(1, perPage - repeated));
	sheet.pageSetup = {
		...sheet.pageSetup,
		paperSize: A4,
		orientation,
		fitToPage: true,
		fitToWidth: pagesWide,
		fitToHeight: 0,
		...(pagesWide > 1 ? { printTitlesColumn: `A:${columnLetter(frozen)}` } : {}),
		horizontalCentered: false,
		margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
		...(headerRow ? { printTitlesRow: `${headerRow}:${headerRow}` } : {}),
	};
}

/** Met en page toutes les feuilles d'un classeur ; options par nom de feuille. */
export function preparePrint(workbook: ExcelJS.Workbook, options: Record<string, SheetPrintOptions> = {}): ExcelJS.Workbook {
	for (const sheet of workbook.worksheets) preparePrintSheet(sheet, options[sheet.name] ?? {});
	return workbook;
}
