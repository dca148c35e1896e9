/** Relevés renvoyés par les titulaires, fabriqués pour les tests : le modèle joint aux relances, rempli. */
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';

import { REPORT_TEMPLATE, buildReportTemplate } from '../../nodes/adapters';
import type { ClauseRecord } from '../../nodes/core';

export type ReleveRow = Partial<Record<(typeof REPORT_TEMPLATE.columns)[number]['field'], ExcelJS.CellValue>>;

export async function filledReleve(
	clause: Pick<ClauseRecord, 'marche' | 'lot' | 'titulaire' | 'siret' | 'intitule' | 'facilitateur' | 'emailFacilitateur' | 'heuresDues'>,
	mois: string,
	rows: ReleveRow[],
	edit?: (ws: ExcelJS.Worksheet, wb: ExcelJS.Workbook) => void,
): Promise<Buffer> {
	const template = await buildReportTemplate({ clause, mois, date: '2026-11-02' });
	const wb = new ExcelJS.Workbook();
	await wb.xlsx.load(template as unknown as ArrayBuffer);
	const ws = wb.getWorksheet(REPORT_TEMPLATE.sheet)!;
	rows.forEach((row, r) => {
		REPORT_TEMPLATE.columns.forEach((col, c) => {
			const value = row[col.field];
			if (value !== undefined) ws.getCell(REPORT_TEMPLATE.firstDataRow + r, c + 1).value = value;
		});
	});
	edit?.(ws, wb);
	return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

export interface WrittenReleve {
	fichier: string;
	marche: string;
	lot: string;
	mois: string;
	/** Participants et heures du relevé, dans l'ordre du fichier. */
	lignes: Array<{ participant: string; heuresMois: number }>;
}

/**
 * Relevés mensuels d'exemple écrits dans `dir`, un par clause en cours pendant
 * tout le mois `mois` (données d'exemple : registre-clauses.json) : les
 * participants déjà déclarés ce mois-là (releves-2026.json), heures changées
 * de `variante`, puis d'autres jusqu'à `lignes` lignes. Tous sont acceptables ;
 * un mois déjà reçu devient une correction.
 */
export async function writeMonthlyReleves(dir: string, options: { mois: string; lignes?: number; variante?: number; only?: (clause: { marche: string; lot: string }) => boolean }): Promise<WrittenReleve[]> {
	const sample = path.join(__dirname, '..', '..', 'workflows', 'donnees-exemple');
	const clauses = JSON.parse(fs.readFileSync(path.join(sample, 'registre-clauses.json'), 'utf8')) as Array<Parameters<typeof filledReleve>[0] & { statut: string; debutExecution: string; finExecution: string }>;
	const received = JSON.parse(fs.readFileSync(path.join(sample, 'releves-2026.json'), 'utf8')) as Array<Record<string, unknown>>;
	const { mois, lignes = 8, variante = 0 } = options;
	const [y, m] = mois.split('-').map(Number);
	const first = `${mois}-01`;
	const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
	fs.mkdirSync(dir, { recursive: true });
	const written: WrittenReleve[] = [];
	for (const clause of clauses) {
		if (clause.statut !== 'en cours' || clause.debutExecution > first || clause.finExecution < last) continue;
		if (options.only && !options.only(clause)) continue;
		const rows: ReleveRow[] = received
			.filter((l) => l.marche === clause.marche && l.lot === clause.lot && l.mois === mois)
			.map((l) => ({ ...(l as ReleveRow), mois: undefined, heuresMois: Number(l.heuresMois) + 1 + variante }));
		for (let i = rows.length; i < lignes; i++) {
			rows.push({
				participant: `${clause.marche.slice(-3)}-${clause.lot}-R${String(i + 1).padStart(2, '0')}`,
				categoriePublic: 'Bénéficiaire du RSA',
				eligibiliteValidee: 'oui',
				employeur: 'ETTI',
				modalite: 'Mise à disposition',
				typeContrat: 'Intérim',
				debutContrat: clause.debutExecution,
				heuresMois: 10 + ((i * 7 + variante * 3) % 90),
			});
		}
		const fichier = `releve-${clause.marche}-lot-${clause.lot}-${mois}.xlsx`;
		fs.writeFileSync(path.join(dir, fichier), await filledReleve(clause, mois, rows));
		written.push({ fichier, marche: clause.marche, lot: clause.lot, mois, lignes: rows.map((r) => ({ participant: String(r.participant), heuresMois: Number(r.heuresMois) })) });
	}
	return written;
}
