/** Relevés renvoyés par les titulaires, fabriqués pour les tests : le modèle joint aux relances, rempli. */
import ExcelJS from 'exceljs';

import { RELEVE_TEMPLATE, buildReleveTemplate } from '../../nodes/adapters';
import type { ClauseRecord } from '../../nodes/core';

export type ReleveRow = Partial<Record<(typeof RELEVE_TEMPLATE.columns)[number]['field'], ExcelJS.CellValue>>;

export async function filledReleve(
	clause: Pick<ClauseRecord, 'marche' | 'lot' | 'titulaire' | 'siret' | 'intitule' | 'facilitateur' | 'emailFacilitateur' | 'heuresDues'>,
	mois: string,
	rows: ReleveRow[],
	edit?: (ws: ExcelJS.Worksheet, wb: ExcelJS.Workbook) => void,
): Promise<Buffer> {
	const template = await buildReleveTemplate({ clause, mois, date: '2026-11-02' });
	const wb = new ExcelJS.Workbook();
	await wb.xlsx.load(template as unknown as ArrayBuffer);
	const ws = wb.getWorksheet(RELEVE_TEMPLATE.sheet)!;
	rows.forEach((row, r) => {
		RELEVE_TEMPLATE.columns.forEach((col, c) => {
			const value = row[col.field];
			if (value !== undefined) ws.getCell(RELEVE_TEMPLATE.firstDataRow + r, c + 1).value = value;
		});
	});
	edit?.(ws, wb);
	return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}
