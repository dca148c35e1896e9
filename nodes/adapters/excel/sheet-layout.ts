/**
 * Mise en page commune des classeurs produits (étude, bilan, revue de la
 * programmation, annexe des pénalités) : ligne d'en-têtes blanche sur fond
 * bleu, titre et sous-titre en tête de feuille, feuille à en-têtes figés.
 */
import type ExcelJS from 'exceljs';

export const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1F5FA8' } };
export const HEADER_FONT: Partial<ExcelJS.Font> = { bold: true, color: { argb: 'FFFFFFFF' } };
/** Fond des lignes de total. */
export const TOTAL_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };

/** Ligne d'en-têtes : gras blanc sur fond bleu, textes repliés, hauteur donnée. */
export function styleHeader(row: ExcelJS.Row, height = 32): void {
	row.font = HEADER_FONT;
	row.fill = HEADER_FILL;
	row.alignment = { vertical: 'middle', wrapText: true };
	row.height = height;
}

/** Titre (A1, gras, de la taille donnée) et sous-titre (A2, italique gris) d'une feuille. */
export function sheetTitle(ws: ExcelJS.Worksheet, title: string, subtitle: string, size: number): void {
	ws.getCell('A1').value = title;
	ws.getCell('A1').font = { bold: true, size };
	ws.getCell('A2').value = subtitle;
	ws.getCell('A2').font = { italic: true, color: { argb: 'FF555555' } };
}

/** Feuille dont la première ligne porte les en-têtes des colonnes, figée et mise en forme. */
export function headedSheet(wb: ExcelJS.Workbook, name: string, columns: Array<Partial<ExcelJS.Column>>): ExcelJS.Worksheet {
	const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
	ws.columns = columns;
	styleHeader(ws.getRow(1));
	return ws;
}
