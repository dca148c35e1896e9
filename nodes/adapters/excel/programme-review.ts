/**
 * Classeur de la revue annuelle de la programmation : synthèse, portefeuille
 * (un marché par ligne, considérations à porter, heures), facilitateurs (heures
 * et charge), marchés au-delà du seuil européen sans condition d'exécution
 * sociale (absence à justifier), paramètres et sources.
 */
import ExcelJS from 'exceljs';

import { preparePrint } from './print';
import { HEADER_FILL, HEADER_FONT, sheetTitle, styleHeader } from './sheet-layout';

import type { ProgrammeReview } from '../../core';
import { frenchLongDate } from '../../core';

const ALERT_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFCE4D6' } };

interface Column {
	header: string;
	key: string;
	width: number;
	numFmt?: string;
}

function sheet<T extends object>(wb: ExcelJS.Workbook, name: string, title: string, subtitle: string, columns: Column[], rows: readonly T[], alert?: (row: T) => boolean): void {
	const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 3, xSplit: 1 }], pageSetup: { orientation: 'landscape' } });
	sheetTitle(ws, title, subtitle, 13);
	const header = ws.getRow(3);
	columns.forEach((c, i) => {
		header.getCell(i + 1).value = c.header;
		ws.getColumn(i + 1).width = c.width;
		if (c.numFmt) ws.getColumn(i + 1).numFmt = c.numFmt;
	});
	styleHeader(header);
	rows.forEach((row, r) => {
		const line = ws.getRow(4 + r);
		const values = new Map<string, unknown>(Object.entries(row));
		columns.forEach((c, i) => {
			const value = values.get(c.key);
			line.getCell(i + 1).value = typeof value === 'boolean' ? (value ? 'oui' : 'non') : typeof value === 'number' || typeof value === 'string' ? value : null;
		});
		if (alert?.(row)) line.fill = ALERT_FILL;
	});
	if (rows.length > 0) ws.autoFilter = { from: { row: 3, column: 1 }, to: { row: 3 + rows.length, column: columns.length } };
}

export async function buildProgrammeReview(review: ProgrammeReview, meta: { titre: string; region?: string; date: string }): Promise<Buffer> {
	const wb = new ExcelJS.Workbook();
	wb.creator = 'n8n-nodes-clauses-sociales';
	wb.title = meta.titre;
	wb.created = new Date(`${meta.date}T12:00:00Z`);
	wb.modified = wb.created;
	const subtitle = `${meta.region ? `${meta.region} — ` : ''}revue du ${frenchLongDate(meta.date)}`;
	const t = review.totaux;
	const synth = wb.addWorksheet('Synthèse');
	synth.getColumn(1).width = 70;
	synth.getColumn(2).width = 16;
	sheetTitle(synth, meta.titre, subtitle, 14);
	const figures: Array<[string, number, string?]> = [
		['Marchés de la programmation', t.marches],
		['dont avec une considération sociale à porter', t.marchesAvecConsideration],
		['Lots étudiés', t.lots],
		['Lots non traités (en erreur)', t.lotsEnErreur],
		['Heures d\u2019insertion à inscrire', t.heures, '#,##0 "h"'],
		['Équivalent en emplois à temps plein (ETP d\u2019insertion)', t.etpInsertion, '0.00'],
		['Charge des facilitateurs (ETP de facilitateur)', t.chargeEtpFacilitateur, '0.00'],
		['Marchés au-delà du seuil européen sans condition d\u2019exécution sociale (à justifier)', t.aJustifier],
	];
	figures.forEach(([label, value, fmt], i) => {
		synth.getCell(4 + i, 1).value = label;
		synth.getCell(4 + i, 2).value = value;
		if (fmt) synth.getCell(4 + i, 2).numFmt = fmt;
	});
	sheet(
		wb,
		'Portefeuille',
		'Considérations sociales à porter, marché par marché',
		subtitle,
		[
			{ header: 'Marché', key: 'marche', width: 16 },
			{ header: 'Objet', key: 'objet', width: 46 },
			{ header: 'Lots', key: 'lots', width: 7 },
			{ header: 'Lots avec clause', key: 'lotsAvecClause', width: 9 },
			{ header: 'Montant HT du marché', key: 'montantHT', width: 16, numFmt: '#,##0 "€"' },
			{ header: 'Considérations (DECP)', key: 'considerations', width: 28 },
			{ header: 'Mécanismes recommandés', key: 'mecanismes', width: 52 },
			{ header: 'Heures', key: 'heures', width: 10, numFmt: '#,##0 "h"' },
			{ header: 'Facilitateur(s)', key: 'facilitateurs', width: 30 },
			{ header: 'Au-delà du seuil européen', key: 'seuilEuropeenDepasse', width: 11 },
			{ header: 'Condition d\u2019exécution sociale', key: 'conditionExecutionSociale', width: 11 },
			{ header: 'Motifs sans clause', key: 'motifs', width: 50 },
		],
		review.marches,
		(row) => row.aJustifier,
	);
	sheet(
		wb,
		'Par facilitateur',
		'Heures à accompagner et charge par facilitateur',
		`${subtitle} — charge : heures ÷ ${review.parametres.heuresParEtpFacilitateur.toLocaleString('fr-FR')} h par ETP de facilitateur`,
		[
			{ header: 'Facilitateur', key: 'facilitateur', width: 40 },
			{ header: 'Marchés', key: 'marches', width: 9 },
			{ header: 'Lots', key: 'lots', width: 8 },
			{ header: 'Heures', key: 'heures', width: 12, numFmt: '#,##0 "h"' },
			{ header: 'ETP d\u2019insertion', key: 'etpInsertion', width: 11, numFmt: '0.00' },
			{ header: 'Charge (ETP de facilitateur)', key: 'chargeEtpFacilitateur', width: 13, numFmt: '0.00' },
		],
		review.parFacilitateur,
	);
	sheet(
		wb,
		'À justifier',
		'Au-delà du seuil européen, sans condition d\u2019exécution sociale',
		`${subtitle} — loi Climat et résilience, art. 35 : l\u2019absence de considération sociale dans les conditions d\u2019exécution se justifie (un critère d\u2019attribution seul ne suffit pas)`,
		[
			{ header: 'Marché', key: 'marche', width: 16 },
			{ header: 'Objet', key: 'objet', width: 46 },
			{ header: 'Montant HT du marché', key: 'montantHT', width: 16, numFmt: '#,##0 "€"' },
			{ header: 'Considérations (DECP)', key: 'considerations', width: 28 },
			{ header: 'Motifs de l\u2019étude', key: 'motifs', width: 60 },
		],
		review.aJustifier,
	);
	const params = wb.addWorksheet('Paramètres et sources');
	params.getColumn(1).width = 60;
	params.getColumn(2).width = 16;
	params.getColumn(3).width = 90;
	[
		['Paramètre', 'Valeur', 'Source'],
		['Heures accompagnées par ETP de facilitateur et par an', review.parametres.heuresParEtpFacilitateur, 'Villes et Territoires Languedoc-Roussillon, fiche n° 8 « clauses sociales », 2016 : Maison de l\u2019emploi de Toulouse Métropole, 600 000 heures par an avec une équipe de 5,5 ETP'],
		['Heures d\u2019un ETP', review.parametres.heuresParEtp, 'Durée légale annuelle du travail à temps plein'],
		['Revue annuelle de la programmation', '', 'Villes et Territoires Languedoc-Roussillon, fiche n° 8 « clauses sociales », 2016 : revue de la programmation des marchés dans tous les services, environ 150 marchés par an'],
	].forEach((row, i) => {
		params.getRow(i + 1).values = row;
		if (i === 0) {
			params.getRow(1).font = HEADER_FONT;
			params.getRow(1).fill = HEADER_FILL;
		}
	});
	return Buffer.from((await preparePrint(wb).xlsx.writeBuffer()) as ArrayBuffer);
}
