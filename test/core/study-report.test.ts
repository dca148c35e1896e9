/**
 * Rapport Excel d'étude : le classeur produit est relu (ExcelJS) pour vérifier
 * ce que l'utilisateur verra : en-tête figé, largeurs, formats français,
 * ligne de totaux, feuille des paramètres et de leurs sources.
 */
import type ExcelJS from 'exceljs';

import type { StudyReportRow } from '../../nodes/adapters';
import { buildStudyReport } from '../../nodes/adapters';
import { Calibrator, DEFAULTS, FeasibilityStudy, LOI_CLIMAT, THRESHOLDS, marketTotals, parseCalibrationSettings, parseFeasibilitySettings } from '../../nodes/core';
import { readWorkbook } from '../helpers/workbooks';
import { readLot } from './support';

const FACILITATEURS = [{ nom: 'PLIE du Val d’Argent', email: 'plie@example.test', territoires: ['79'] }];

/** Lots calibrés puis étudiés, comme le font les deux nœuds en chaîne. */
function studyRows(raws: Array<Record<string, unknown>>, feasibility: Record<string, unknown> = {}): StudyReportRow[] {
	const read = raws.map(readLot);
	const calibrator = new Calibrator(parseCalibrationSettings({}));
	const study = new FeasibilityStudy(
		parseFeasibilitySettings({ dateEtude: '2026-11-23', facilitateurs: FACILITATEURS, ...feasibility }),
		marketTotals(read.map((r) => r.lot)),
	);
	return read.map(({ lot, where }) => {
		const calibrage = calibrator.calibrate(lot, where);
		return {
			marche: lot.marche,
			lot: lot.lot,
			intitule: lot.intitule,
			nature: lot.nature,
			montantHT: lot.montantHT,
			dureeMois: lot.dureeMois,
			lieuExecution: lot.lieuExecution,
			calibrage,
			faisabilite: study.study({ lot, where, calibrage }),
		};
	});
}

const LIMOUSIN = [
	// Limousin lycée (guide Avise, ARF et Caisse des Dépôts, 2014), paramètres reconstitués : voir test/core/calibration.test.ts.
	{ marche: 'Lycée', lot: '4', intitule: 'Démolition / gros œuvre', nature: 'travaux', montantHT: 504_000, tauxMainOeuvre: 50, dureeMois: 20, lieuExecution: 'Limoges (79)' },
	{ marche: 'Lycée', lot: '12', intitule: 'Plâtrerie', nature: 'travaux', montantHT: 490_000, tauxMainOeuvre: 60, dureeMois: 20, lieuExecution: 'Limoges (79)' },
	{ marche: 'Lycée', lot: '20', intitule: 'Électricité', nature: 'travaux', montantHT: 780_000, tauxMainOeuvre: 35, dureeMois: 20, lieuExecution: 'Limoges (79)' },
];

async function report(rows: StudyReportRow[]): Promise<ExcelJS.Workbook> {
	return readWorkbook(await buildStudyReport(rows, { titre: 'Étude des clauses sociales', region: 'Région Val-d’Argent', dateEtude: '2026-11-23' }));
}

function parameterRows(workbook: ExcelJS.Workbook): Array<Record<string, unknown>> {
	const sheet = workbook.getWorksheet('Paramètres et sources')!;
	const out: Array<Record<string, unknown>> = [];
	sheet.eachRow((row, n) => {
		if (n === 1) return;
		const v = (c: number) => row.getCell(c).value ?? undefined;
		out.push({ libelle: v(1), valeur: v(2), unite: v(3), origine: v(4), lots: v(5), source: v(6) });
	});
	return out;
}

describe('rapport Excel d’étude, relu', () => {
	it('feuille « Lots » : titre, en-tête figé, largeurs, formats français, heures des lots', async () => {
		const wb = await report(studyRows(LIMOUSIN));
		const sheet = wb.getWorksheet('Lots')!;
		expect(sheet.getCell('A1').value).toBe('Étude des clauses sociales');
		expect(sheet.getCell('A2').value).toBe('Région Val-d’Argent — étude du 23 novembre 2026');
		expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 3, xSplit: 2 });
		const header = sheet.getRow(3);
		expect(header.getCell(1).value).toBe('Marché');
		expect(header.getCell(5).value).toBe('Montant HT');
		expect(header.getCell(12).value).toBe('Heures à inscrire au contrat');
		expect(header.getCell(19).value).toBe('Justification (fiche visa)');
		expect(header.font).toMatchObject({ bold: true });
		expect([1, 2, 3, 5, 12, 16, 19].map((c) => sheet.getColumn(c).width)).toEqual([16, 7, 28, 16, 13, 36, 48]);
		expect(sheet.getCell('E4').value).toBe(504_000);
		expect(sheet.getCell('E4').numFmt).toBe('#,##0.00 "€"');
		expect(sheet.getCell('K4').numFmt).toBe('#,##0 "h"');
		expect(sheet.getCell('L4').numFmt).toBe('#,##0 "h"');
		expect(sheet.getCell('M4').numFmt).toBe('#,##0.00');
		expect(sheet.getCell('N4').numFmt).toBe('#,##0.00');
		expect([4, 5, 6].map((r) => sheet.getCell(`L${r}`).value)).toEqual([420, 490, 455]);
		expect(sheet.getCell('D4').value).toBe('Travaux');
		expect(sheet.getCell('Q4').value).toBe('PLIE du Val d’Argent\nplie@example.test');
		expect(sheet.autoFilter).toBe('A3:T3');
	});

	it('ligne de totaux : formules SOMME et résultats exacts', async () => {
		const wb = await report(studyRows(LIMOUSIN));
		const sheet = wb.getWorksheet('Lots')!;
		expect(sheet.getCell('A7').value).toBe('Total');
		expect(sheet.getRow(7).font).toMatchObject({ bold: true });
		// 504 000 + 490 000 + 780 000 = 1 774 000 € ; 420 + 490 + 455 = 1 365 h ; 1 365 ÷ 1 607 ≈ 0,26 + 0,30 + 0,28 = 0,84 ETP
		expect(sheet.getCell('E7').value).toEqual({ formula: 'SUM(E4:E6)', result: 1_774_000 });
		expect(sheet.getCell('L7').value).toEqual({ formula: 'SUM(L4:L6)', result: 1365 });
		expect(sheet.getCell('K7').value).toEqual({ formula: 'SUM(K4:K6)', result: 1365 });
		expect(sheet.getCell('M7').value).toEqual({ formula: 'SUM(M4:M6)', result: 0.84 });
		// 420 ÷ 151,67 = 2,77 ; 490 ÷ 151,67 = 3,23 ; 455 ÷ 151,67 = 3 → 9 mois à temps plein
		expect(sheet.getCell('N7').value).toEqual({ formula: 'SUM(N4:N6)', result: 9 });
	});

	it('feuille « Paramètres et sources » : calibrage et étude, valeurs, origines, lots et sources', async () => {
		const wb = await report(studyRows(LIMOUSIN));
		const sheet = wb.getWorksheet('Paramètres et sources')!;
		expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
		expect(sheet.getRow(1).values).toEqual([undefined, 'Paramètre', 'Valeur', 'Unité', 'Origine', 'Lots', 'Source']);
		const rows = parameterRows(wb);
		const byLabel = new Map(rows.map((r) => [r.libelle, r]));
		expect(byLabel.get(DEFAULTS.tauxInsertion.libelle)).toEqual({
			libelle: DEFAULTS.tauxInsertion.libelle,
			valeur: 5,
			unite: '%',
			origine: 'référentiel',
			lots: '4, 12, 20',
			source: DEFAULTS.tauxInsertion.source,
		});
		expect(byLabel.get(DEFAULTS.heuresEtp.libelle)).toMatchObject({ valeur: 1607, source: DEFAULTS.heuresEtp.source });
		expect(byLabel.get('Seuil de l’étude de faisabilité (marchés de plus de)')).toEqual({
			libelle: 'Seuil de l’étude de faisabilité (marchés de plus de)',
			valeur: 90_000,
			unite: '€ HT',
			origine: 'référentiel',
			lots: undefined,
			source: THRESHOLDS.etudeFaisabilite.source,
		});
		expect(byLabel.get('Seuil européen, travaux, DSP et marchés de partenariat')).toMatchObject({
			valeur: 5_404_000,
			origine: 'référentiel',
			lots: '4, 12, 20',
			source: THRESHOLDS.europeenTravaux.source,
		});
		expect(byLabel.has('Seuil européen, fournitures, services et prestations intellectuelles')).toBe(false);
		expect(byLabel.get('Critère social d’attribution (R2152-7)')).toMatchObject({ valeur: 'Au-delà du seuil européen', origine: 'référentiel' });
		expect(byLabel.get('Date d’application de la loi Climat (art. 35)')).toMatchObject({ valeur: '21 août 2026', source: LOI_CLIMAT.source });
		expect(byLabel.get('Durée minimale d’exécution pour des heures d’insertion')).toMatchObject({ valeur: 0, unite: 'mois' });
		expect(sheet.getColumn(2).numFmt).toBe('#,##0.##');
	});

	it('natures mêlées : un seuil européen par nature, chacun avec ses lots ; paramètres changés → « paramètre du nœud »', async () => {
		const rows = studyRows(
			[
				LIMOUSIN[0],
				{ marche: 'Entretien', lot: 'E1', nature: 'services', montantHT: 300_000, tauxMainOeuvre: 80, lieuExecution: 'Niort (79)' },
				{ marche: 'Transport', lot: 'T1', nature: 'DSP', montantHT: 3_000_000, volumeAnnuel: 1800, dureeMois: 72, lieuExecution: 'Niort (79)' },
			],
			{ seuilEtude: 100_000, critereSocial: 'jamais' },
		);
		const byLabel = new Map(parameterRows(await report(rows)).map((r) => [r.libelle, r]));
		expect(byLabel.get('Seuil européen, fournitures, services et prestations intellectuelles')).toMatchObject({ valeur: 216_000, lots: 'E1' });
		expect(byLabel.get('Seuil européen, travaux, DSP et marchés de partenariat')).toMatchObject({ valeur: 5_404_000, lots: '4, T1' });
		expect(byLabel.get('Seuil de l’étude de faisabilité (marchés de plus de)')).toMatchObject({ valeur: 100_000, origine: 'paramètre du nœud' });
		expect(byLabel.get('Critère social d’attribution (R2152-7)')).toMatchObject({ valeur: 'Jamais', origine: 'paramètre du nœud' });
	});

	it('lots en erreur : feuille « Lots en anomalie », exclus des totaux', async () => {
		const rows: StudyReportRow[] = [
			...studyRows([LIMOUSIN[0]]),
			{
				marche: 'Lycée',
				lot: '9',
				erreur: 'Lot 9 du marché Lycée, montant HT : valeur négative',
				anomalies: [{ gravite: 'erreur', champ: 'montantHT', libelle: 'montant HT', ou: 'lot 9 du marché Lycée', message: 'valeur négative (-5\u00a0€)', correction: 'Saisissez un montant positif.', feuille: 'Lots', cellule: 'E3' }],
			},
		];
		const wb = await report(rows);
		const lots = wb.getWorksheet('Lots')!;
		expect(lots.getCell('A5').value).toBe('Total');
		expect(lots.getCell('E5').value).toEqual({ formula: 'SUM(E4:E4)', result: 504_000 });
		const anomalies = wb.getWorksheet('Lots en anomalie')!;
		expect(anomalies.getRow(2).values).toEqual([undefined, '9', 'lot 9 du marché Lycée', 'montant HT', 'Lots E3', 'valeur négative (-5\u00a0€)', 'Saisissez un montant positif.']);
	});
});
