/**
 * Valeur utile d'une cellule Excel, quelle qu'en soit la forme : nombre, texte,
 * texte enrichi, lien, formule (son résultat), date, booléen, erreur. Les taux
 * au format pourcentage sont rendus en pourcentage (0,05 → 5).
 */
import type ExcelJS from 'exceljs';

export interface CellProblem {
	message: string;
	correction: string;
	regle: string;
}

export interface CellRead {
	value: unknown;
	problem?: CellProblem;
	/** La cellule appartient à une plage fusionnée dont elle n'est pas la première. */
	mergedInto?: string;
}

/** Date JavaScript lue par exceljs (minuit UTC) → « AAAA-MM-JJ ». */
export function dateToIso(date: Date): string {
	return date.toISOString().slice(0, 10);
}

function isPercentFormat(cell: ExcelJS.Cell): boolean {
	return typeof cell.numFmt === 'string' && cell.numFmt.includes('%');
}

/** Valeur utile d'une valeur de cellule ; `cell` sert à lire le format (pourcentage) s'il est connu. */
export function plainValue(value: ExcelJS.CellValue, cell?: ExcelJS.Cell): CellRead {
	if (value === null || value === undefined) return { value: undefined };
	if (typeof value === 'number') return { value: cell && isPercentFormat(cell) ? Math.round(value * 1e10) / 1e8 : value };
	if (typeof value === 'string' || typeof value === 'boolean') return { value };
	if (value instanceof Date) return { value: dateToIso(value) };
	if (typeof value === 'object') {
		if ('richText' in value) return { value: value.richText.map((part) => part.text).join('') };
		if ('error' in value) {
			return {
				value: undefined,
				problem: {
					message: `la cellule contient une erreur de calcul (${String(value.error)})`,
					correction: 'Corrigez la formule ou saisissez directement la valeur.',
					regle: 'cellule.erreur',
				},
			};
		}
		if ('formula' in value || 'sharedFormula' in value) {
			const result = (value as ExcelJS.CellFormulaValue).result;
			if (result === undefined) {
				return {
					value: undefined,
					problem: {
						message: 'formule sans résultat enregistré',
						correction: 'Ouvrez le classeur dans Excel ou LibreOffice et enregistrez-le pour que le résultat des formules soit calculé, ou saisissez la valeur.',
						regle: 'cellule.formuleSansResultat',
					},
				};
			}
			return plainValue(result as ExcelJS.CellValue, cell);
		}
		if ('text' in value && 'hyperlink' in value) {
			const text = (value as ExcelJS.CellHyperlinkValue).text;
			return { value: typeof text === 'string' ? text : String(text) };
		}
	}
	return { value: String(value) };
}

export function readCell(cell: ExcelJS.Cell): CellRead {
	if (cell.isMerged && cell.master.address !== cell.address) {
		return { value: undefined, mergedInto: cell.master.address };
	}
	return plainValue(cell.value, cell);
}

/** Lettre(s) d'une colonne Excel : voir ooxml.ts, qui tient les références de cellules. */
export { columnLetter } from './ooxml';
