/** Classeurs Excel fabriqués pour les tests (en mémoire). */
import ExcelJS from 'exceljs';

export type CellSpec = ExcelJS.CellValue | { value: ExcelJS.CellValue; numFmt?: string };

export async function workbookBuffer(sheets: Record<string, CellSpec[][]>, setup?: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
	const wb = new ExcelJS.Workbook();
	for (const [name, rows] of Object.entries(sheets)) {
		const ws = wb.addWorksheet(name);
		rows.forEach((row, r) =>
			row.forEach((spec, c) => {
				const cell = ws.getCell(r + 1, c + 1);
				if (spec !== null && typeof spec === 'object' && 'value' in spec && !(spec instanceof Date)) {
					cell.value = spec.value;
					if (spec.numFmt) cell.numFmt = spec.numFmt;
				} else cell.value = spec as ExcelJS.CellValue;
			}),
		);
	}
	setup?.(wb);
	return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

export async function readWorkbook(buffer: Buffer): Promise<ExcelJS.Workbook> {
	const wb = new ExcelJS.Workbook();
	await wb.xlsx.load(buffer as unknown as ArrayBuffer);
	return wb;
}
