/**
 * Rapport Excel d'étude d'une consultation (faisabilité et calibrage), à joindre
 * au dossier de consultation : une ligne par lot, les totaux, les paramètres et
 * leurs sources, les lots en anomalie. Formats français (Excel affiche les
 * séparateurs de la langue de l'utilisateur), en-tête figé, largeurs ajustées.
 */
import ExcelJS from 'exceljs';

import { preparePrint } from './print';
import { headedSheet, styleHeader } from './sheet-layout';

import type { Anomaly, FeasibilityResult, StudyRow, UsedParameter } from '../../core';
import { CRITERION_POLICIES, LOI_CLIMAT, NATURE_LABELS, THRESHOLDS, frenchLongDate, retainedHours, studyTotals } from '../../core';

export interface StudyReportRow extends StudyRow {
	nature?: string;
	dureeMois?: number;
	lieuExecution?: string;
	anomalies?: Anomaly[];
}

export interface StudyReportMeta {
	titre: string;
	region?: string;
	dateEtude: string;
}

const TOTAL_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
const EUROS = '#,##0.00 "€"';
const HOURS = '#,##0 "h"';
const DECIMAL = '#,##0.00';

/** Nombre de lignes d'un texte replié dans une colonne de largeur donnée (en caractères). */
function wrappedLines(text: string, width: number): number {
	return text.split('\n').reduce((n, line) => n + Math.max(1, Math.ceil((line.length * 1.05) / width)), 0);
}

function mechanisms(row: StudyRow): string {
	const f = row.faisabilite;
	if (!f) return '';
	const main = f.mecanismes.filter((m) => !m.option).map((m) => `${m.libelle} (${m.base})`);
	const options = f.mecanismes.filter((m) => m.option).map((m) => `En option : ${m.libelle} (${m.base})`);
	return [...main, ...options].join('\n');
}

/** Facilitateur du lot ; « zone blanche » seulement quand l'étude l'a établie (lieu connu, aucun facilitateur). */
function facilitatorLabel(f: FeasibilityResult | undefined): string {
	if (!f) return '';
	if (f.facilitateur) return [f.facilitateur.nom, f.facilitateur.email].filter(Boolean).join('\n');
	return f.raisons.some((r) => r.code === 'zoneBlanche') ? 'aucun (zone blanche)' : 'aucun';
}

function warnings(row: StudyReportRow): string {
	const list = [...(row.calibrage?.avertissements ?? []), ...(row.faisabilite?.alertes ?? [])];
	const unique = [...new Set(list.map((a) => `${a.message} → ${a.correction}`))];
	return unique.join('\n');
}

export async function buildStudyReport(rows: StudyReportRow[], meta: StudyReportMeta): Promise<Buffer> {
	const workbook = new ExcelJS.Workbook();
	workbook.creator = 'n8n-nodes-clauses-sociales';
	workbook.title = meta.titre;
	workbook.created = new Date(`${meta.dateEtude}T12:00:00Z`);

	const ok = rows.filter((r) => !r.erreur);
	const sheet = workbook.addWorksheet('Lots', { views: [{ state: 'frozen', ySplit: 3, xSplit: 2 }] });
	sheet.mergeCells('A1:H1');
	sheet.getCell('A1').value = meta.titre;
	sheet.getCell('A1').font = { bold: true, size: 14 };
	sheet.getCell('A2').value = `${meta.region ? `${meta.region} — ` : ''}étude du ${frenchLongDate(meta.dateEtude)}`;
	sheet.getCell('A2').font = { italic: true };

	const columns: Array<{ header: string; key: string; width: number; numFmt?: string; wrap?: boolean }> = [
		{ header: 'Marché', key: 'marche', width: 16 },
		{ header: 'Lot', key: 'lot', width: 7 },
		{ header: 'Intitulé', key: 'intitule', width: 28, wrap: true },
		{ header: 'Nature', key: 'nature', width: 16 },
		{ header: 'Montant HT', key: 'montantHT', width: 16, numFmt: EUROS },
		{ header: 'Durée (mois)', key: 'dureeMois', width: 9, numFmt: '0' },
		{ header: 'Lieu d\u2019exécution', key: 'lieu', width: 18, wrap: true },
		{ header: 'Décision', key: 'decision', width: 18, wrap: true },
		{ header: 'Mécanisme(s)', key: 'mecanismes', width: 30, wrap: true },
		{ header: 'Considération sociale (DECP)', key: 'decp', width: 16, wrap: true },
		{ header: 'Heures calculées', key: 'heuresCalculees', width: 12, numFmt: HOURS },
		{ header: 'Heures à inscrire au contrat', key: 'heures', width: 13, numFmt: HOURS },
		{ header: 'ETP', key: 'etp', width: 8, numFmt: DECIMAL },
		{ header: 'Mois à temps plein', key: 'mois', width: 10, numFmt: DECIMAL },
		{ header: 'Méthode', key: 'methode', width: 20, wrap: true },
		{ header: 'Calcul', key: 'formule', width: 36, wrap: true },
		{ header: 'Facilitateur', key: 'facilitateur', width: 22, wrap: true },
		{ header: 'Seuil européen', key: 'seuil', width: 14, wrap: true },
		{ header: 'Justification (fiche visa)', key: 'justification', width: 48, wrap: true },
		{ header: 'Avertissements', key: 'avertissements', width: 36, wrap: true },
	];
	const headerRow = sheet.getRow(3);
	columns.forEach((c, i) => {
		headerRow.getCell(i + 1).value = c.header;
		const col = sheet.getColumn(i + 1);
		col.width = c.width;
		if (c.numFmt) col.numFmt = c.numFmt;
		if (c.wrap) col.alignment = { wrapText: true, vertical: 'top' };
		else col.alignment = { vertical: 'top' };
	});
	styleHeader(headerRow);

	let r = 4;
	for (const row of ok) {
		const f = row.faisabilite;
		const c = row.calibrage;
		const values: Record<string, unknown> = {
			marche: row.marche,
			lot: row.lot,
			intitule: row.intitule,
			nature: row.nature ? (NATURE_LABELS[row.nature as keyof typeof NATURE_LABELS] ?? row.nature) : undefined,
			montantHT: row.montantHT,
			dureeMois: row.dureeMois,
			lieu: row.lieuExecution,
			decision: f ? f.decisionLibelle : c ? (c.heures > 0 ? 'Heures calibrées' : 'Sous le plancher') : '',
			mecanismes: mechanisms(row),
			decp: f?.considerationsSociales.join(', '),
			heuresCalculees: c?.heuresCalculees ?? f?.heuresEstimees,
			heures: retainedHours(row),
			etp: c?.equivalents.etp,
			mois: c?.equivalents.moisTempsPlein,
			methode: c?.methodeLibelle,
			formule: c?.formule,
			facilitateur: facilitatorLabel(f),
			seuil: f ? (f.seuilEuropeen.depasse ? `dépassé${f.seuilEuropeen.justificationObligatoire ? ' : justification obligatoire' : ''}` : 'non atteint') : '',
			justification: f?.justification,
			avertissements: warnings(row),
		};
		const excelRow = sheet.getRow(r++);
		let lines = 1;
		columns.forEach((col, i) => {
			const value = values[col.key];
			if (value !== undefined && value !== '') excelRow.getCell(i + 1).value = value as ExcelJS.CellValue;
			if (col.wrap && typeof value === 'string') lines = Math.max(lines, wrappedLines(value, col.width));
		});
		// Hauteur estimée : Excel et LibreOffice n'ajustent pas toujours seuls les lignes à retour automatique.
		excelRow.height = Math.min(409, 13 * lines + 2);
	}
	const totals = studyTotals(rows);
	const totalRow = sheet.getRow(r);
	totalRow.getCell(1).value = 'Total';
	if (ok.length > 0) {
		const col = (key: string) => columns.findIndex((c) => c.key === key) + 1;
		const letter = (key: string) => sheet.getColumn(col(key)).letter;
		for (const key of ['montantHT', 'heuresCalculees', 'heures', 'etp', 'mois']) {
			const L = letter(key);
			const sum = ok.reduce((s, row) => {
				if (key === 'montantHT') return s + (row.montantHT ?? 0);
				if (key === 'heures') return s + retainedHours(row);
				if (key === 'heuresCalculees') return s + (row.calibrage?.heuresCalculees ?? row.faisabilite?.heuresEstimees ?? 0);
				if (key === 'etp') return s + (row.calibrage?.equivalents.etp ?? 0);
				return s + (row.calibrage?.equivalents.moisTempsPlein ?? 0);
			}, 0);
			totalRow.getCell(col(key)).value = { formula: `SUM(${L}4:${L}${r - 1})`, result: Math.round(sum * 100) / 100 };
		}
	}
	totalRow.font = { bold: true };
	totalRow.fill = TOTAL_FILL;
	sheet.autoFilter = { from: { row: 3, column: 1 }, to: { row: 3, column: columns.length } };

	addParameterSheet(workbook, rows);
	if (totals.lotsEnErreur > 0) addAnomalySheet(workbook, rows.filter((row) => row.erreur));
	// A4 paysage, ligne d'en-têtes (ligne 3, figée) répétée sur chaque page ; colonnes assez étroites (textes
	// renvoyés à la ligne) pour que la feuille s'imprime lisiblement, marché et lot répétés à gauche de chaque page.
	const buffer = await preparePrint(workbook, { Lots: { orientation: 'landscape' } }).xlsx.writeBuffer();
	return Buffer.from(buffer as ArrayBuffer);
}

function addParameterSheet(workbook: ExcelJS.Workbook, rows: StudyReportRow[]): void {
	const sheet = headedSheet(workbook, 'Paramètres et sources', [
		{ header: 'Paramètre', key: 'libelle', width: 48 },
		{ header: 'Valeur', key: 'valeur', width: 14 },
		{ header: 'Unité', key: 'unite', width: 10 },
		{ header: 'Origine', key: 'origine', width: 20 },
		{ header: 'Lots', key: 'lots', width: 24 },
		{ header: 'Source', key: 'source', width: 72, style: { alignment: { wrapText: true, vertical: 'top' } } },
	]);
	const seen = new Map<string, { p: UsedParameter; lots: string[] }>();
	for (const row of rows) {
		for (const p of Object.values(row.calibrage?.parametres ?? {})) {
			if (p.origine === 'lot' || p.origine === 'calcul') continue;
			const key = `${p.libelle}|${p.valeur}|${p.origine}`;
			const entry = seen.get(key) ?? { p, lots: [] };
			if (row.lot !== undefined && !entry.lots.includes(row.lot)) entry.lots.push(row.lot);
			seen.set(key, entry);
		}
	}
	for (const { p, lots } of seen.values()) {
		sheet.addRow({ libelle: p.libelle, valeur: p.valeur, unite: p.unite, origine: p.origine, lots: lots.join(', '), source: p.source ?? '' });
	}
	const studied = rows.filter((row) => row.faisabilite && !row.erreur);
	const study = studied[0]?.faisabilite?.parametresEtude;
	if (study) {
		const origin = (value: number | string, reference: number | string) => (value === reference ? 'référentiel' : 'paramètre du nœud');
		const lotsWhere = (keep: (f: FeasibilityResult) => boolean) =>
			studied.filter((row) => keep(row.faisabilite!)).map((row) => row.lot).filter((lot): lot is string => lot !== undefined);
		sheet.addRow({
			libelle: 'Seuil de l\u2019étude de faisabilité (marchés de plus de)',
			valeur: study.seuilEtude,
			unite: '€ HT',
			origine: origin(study.seuilEtude, THRESHOLDS.etudeFaisabilite.valeur),
			source: THRESHOLDS.etudeFaisabilite.source,
		});
		// Un seuil européen par nature : chaque ligne nomme les lots auxquels il s'applique.
		const european: Array<{ libelle: string; valeur: number; reference: { valeur: number; source: string }; works: boolean }> = [
			{ libelle: 'Seuil européen, fournitures, services et prestations intellectuelles', valeur: study.seuilUeFournituresServices, reference: THRESHOLDS.europeenFournituresServices, works: false },
			{ libelle: 'Seuil européen, travaux, DSP et marchés de partenariat', valeur: study.seuilUeTravaux, reference: THRESHOLDS.europeenTravaux, works: true },
		];
		for (const e of european) {
			const lots = lotsWhere((f) => f.seuilEuropeen.seuil === e.valeur && (study.seuilUeTravaux !== study.seuilUeFournituresServices || e.works));
			if (lots.length === 0) continue;
			sheet.addRow({ libelle: e.libelle, valeur: e.valeur, unite: '€ HT', origine: origin(e.valeur, e.reference.valeur), lots: lots.join(', '), source: e.reference.source });
		}
		sheet.addRow({
			libelle: 'Durée minimale d\u2019exécution pour des heures d\u2019insertion',
			valeur: study.dureeMinimaleMois,
			unite: 'mois',
			origine: origin(study.dureeMinimaleMois, 0),
			source: study.dureeMinimaleMois === 0 ? 'Aucun minimum (aucune source publique ne fixe ce seuil)' : 'Choix de la Région',
		});
		sheet.addRow({
			libelle: 'Critère social d\u2019attribution (R2152-7)',
			valeur: CRITERION_POLICIES[study.critereSocial].libelle,
			origine: origin(study.critereSocial, 'auDelaSeuilUe'),
			source: 'Article R2152-7 du Code de la commande publique',
		});
		sheet.addRow({
			libelle: 'Actions qualitatives proposées',
			valeur: study.proposerActionsQualitatives ? 'oui' : 'non',
			origine: origin(String(study.proposerActionsQualitatives), 'true'),
			source: 'Alliance Villes Emploi, «\u00a0Diversification des achats socialement responsables\u00a0» : plan de progrès, illettrisme, égalité femmes-hommes, accueil de stagiaires',
		});
		sheet.addRow({
			libelle: 'Date d\u2019application de la loi Climat (art. 35)',
			valeur: frenchLongDate(study.dateLoiClimat),
			origine: origin(study.dateLoiClimat, LOI_CLIMAT.valeur),
			source: LOI_CLIMAT.source,
		});
	}
	sheet.getColumn('source').alignment = { wrapText: true, vertical: 'top' };
	sheet.getColumn('valeur').numFmt = '#,##0.##';
}

function addAnomalySheet(workbook: ExcelJS.Workbook, rows: StudyReportRow[]): void {
	const sheet = headedSheet(workbook, 'Lots en anomalie', [
		{ header: 'Lot', key: 'lot', width: 10 },
		{ header: 'Où', key: 'ou', width: 30 },
		{ header: 'Champ', key: 'champ', width: 24 },
		{ header: 'Cellule', key: 'cellule', width: 16 },
		{ header: 'Anomalie', key: 'message', width: 50 },
		{ header: 'À faire', key: 'correction', width: 70 },
	]);
	for (const row of rows) {
		const anomalies = row.anomalies && row.anomalies.length > 0 ? row.anomalies : undefined;
		if (!anomalies) {
			sheet.addRow({ lot: row.lot, message: row.erreur });
			continue;
		}
		for (const a of anomalies) {
			sheet.addRow({
				lot: row.lot,
				ou: a.ou,
				champ: a.libelle,
				cellule: a.cellule ? `${a.feuille ?? ''} ${a.cellule}`.trim() : '',
				message: a.message,
				correction: a.correction,
			});
		}
	}
	for (const key of ['message', 'correction', 'ou']) sheet.getColumn(key).alignment = { wrapText: true, vertical: 'top' };
}
