/**
 * Annexe Excel d'un avis de pénalité : le calcul détaillé, vérifiable par une
 * seconde personne. Les montants sont des formules Excel (avec leur résultat
 * enregistré) : quantité × taux arrondi au centime, somme, plafond, total.
 * Feuilles : « Calcul », « Paramètres et sources », « Relevés », et
 * « Neutralisations » s'il y en a.
 */
import ExcelJS from 'exceljs';

import type { ClauseRecord, IsoMonth, PenaltyAssessment, StepDecision } from '../../core';
import { SOURCES, frenchLongDate, frenchMonth, monthOf, monthRange } from '../../core';
import { preparePrint } from './print';
import { TOTAL_FILL, headedSheet, styleHeader } from './sheet-layout';

const EUROS = '#,##0.00 "€"';
const HOURS = '#,##0.00 "h"';

export interface AnnexInput {
	clause: ClauseRecord;
	assessment: PenaltyAssessment;
	step: StepDecision;
	declared: Map<IsoMonth, number>;
}

export async function buildPenaltyAnnex({ clause, assessment: a, step, declared }: AnnexInput): Promise<Buffer> {
	const wb = new ExcelJS.Workbook();
	wb.creator = 'n8n-nodes-clauses-sociales';
	wb.title = `Calcul des pénalités – marché ${clause.marche}, lot ${clause.lot}`;
	wb.created = new Date(`${a.dateCalcul}T09:00:00Z`);
	wb.modified = wb.created;

	const ws = wb.addWorksheet('Calcul', { pageSetup: { orientation: 'landscape' } });
	// Largeurs qui tiennent sur une page A4 paysage sans passer sous 8 points (voir print.ts) ; textes renvoyés à la ligne.
	ws.columns = [{ width: 40 }, { width: 46 }, { width: 12 }, { width: 9 }, { width: 14 }, { width: 16 }, { width: 42 }];
	for (const c of [1, 2, 7]) ws.getColumn(c).alignment = { wrapText: true, vertical: 'top' };
	ws.getCell('A1').value = `Calcul des pénalités – clause sociale d\u2019insertion – marché ${clause.marche}, lot ${clause.lot}`;
	ws.getCell('A1').font = { bold: true, size: 14 };
	ws.getCell('A1').alignment = { wrapText: false };
	ws.getCell('A2').value = `${step.etapeLibelle} – pénalités arrêtées au ${frenchLongDate(a.dateCalcul)}`;
	ws.getCell('A2').font = { italic: true };
	ws.getCell('A2').alignment = { wrapText: false };

	const facts: Array<[string, ExcelJS.CellValue, string?]> = [
		['Marché', clause.marche],
		['Objet', clause.objet ?? ''],
		['Lot', `${clause.lot}${clause.intitule ? ` – ${clause.intitule}` : ''}`],
		['Titulaire', `${clause.titulaire} (SIRET ${clause.siret})`],
		['Exécution', `du ${frenchLongDate(clause.debutExecution)} au ${frenchLongDate(clause.finExecution)}`],
		['Échéance évaluée', a.periodeLibelle],
		['Heures d\u2019insertion dues à l\u2019échéance', a.heures.dues, HOURS],
		['Heures neutralisées', a.heures.neutralisees, HOURS],
		[`Heures réalisées (${a.heures.origineRealisees})`, a.heures.realisees, HOURS],
	];
	let r = 4;
	for (const [label, value, fmt] of facts) {
		ws.getCell(r, 1).value = label;
		ws.getCell(r, 1).font = { bold: true };
		const cell = ws.getCell(r, 2);
		cell.value = value;
		if (fmt) {
			cell.numFmt = fmt;
			cell.alignment = { horizontal: 'left' };
		}
		r++;
	}
	const dueRow = r - 3;
	ws.getCell(r, 1).value = 'Heures non réalisées = max(0 ; dues − neutralisées − réalisées)';
	ws.getCell(r, 1).font = { bold: true };
	ws.getCell(r, 2).value = { formula: `ROUND(MAX(0,B${dueRow}-B${dueRow + 1}-B${dueRow + 2}),2)`, result: a.heures.manquantes };
	ws.getCell(r, 2).numFmt = HOURS;
	ws.getCell(r, 2).alignment = { horizontal: 'left' };
	r += 2;

	const header = ws.getRow(r);
	['Pénalité', 'Base juridique', 'Quantité', 'Unité', 'Taux (€ HT)', 'Montant (€ HT)', 'Détail'].forEach((h, i) => (header.getCell(i + 1).value = h));
	styleHeader(header);
	r++;
	const first = r;
	for (const line of a.lignes) {
		const row = ws.getRow(r);
		row.getCell(1).value = line.libelle;
		row.getCell(2).value = line.base;
		row.getCell(3).value = line.quantite;
		row.getCell(4).value = line.unite;
		row.getCell(5).value = line.taux;
		row.getCell(5).numFmt = EUROS;
		row.getCell(6).value = { formula: `ROUND(C${r}*E${r},2)`, result: line.montant };
		row.getCell(6).numFmt = EUROS;
		row.getCell(7).value = line.detail;
		row.alignment = { wrapText: true, vertical: 'top' };
		r++;
	}
	if (a.lignes.length === 0) {
		ws.getCell(r, 1).value = 'Aucune pénalité';
		ws.getCell(r, 6).value = 0;
		ws.getCell(r, 6).numFmt = EUROS;
		r++;
	}
	const last = r - 1;
	const foot = (label: string, value: ExcelJS.CellValue, detail = '') => {
		const row = ws.getRow(r);
		row.getCell(1).value = label;
		row.getCell(6).value = value;
		row.getCell(6).numFmt = EUROS;
		row.getCell(7).value = detail;
		row.font = { bold: true };
		row.fill = TOTAL_FILL;
		return r++;
	};
	const sumRow = foot('Somme des pénalités', { formula: `SUM(F${first}:F${last})`, result: a.sommeLignes });
	const base = a.plafond.montantAssiette;
	const capRow = foot(
		`Plafond : ${a.plafond.pourcentage} % du ${a.plafond.assietteLibelle}${a.plafond.dejaAppliquees > 0 ? ', moins les pénalités déjà appliquées' : ''}`,
		{ formula: `MAX(0,ROUND(${a.plafond.pourcentage}/100*${base},2)-${a.plafond.dejaAppliquees})`, result: a.plafond.disponible },
		a.plafond.formule,
	);
	const ccag = a.limitesCcag;
	const caps = [`F${sumRow}`, `F${capRow}`];
	if (ccag.plafond.active && ccag.plafond.montant !== undefined) {
		const ccagRow = foot(
			`Plafond du CCAG 2021 étendu par le CCAP : ${ccag.plafond.pourcentage} % du montant total HT du marché${a.plafond.dejaAppliquees > 0 ? ', moins les pénalités déjà appliquées' : ''}`,
			{ formula: `MAX(0,ROUND(${ccag.plafond.pourcentage}/100*${clause.montantHT},2)-${a.plafond.dejaAppliquees})`, result: Math.max(0, ccag.plafond.montant - a.plafond.dejaAppliquees) },
			ccag.source,
		);
		caps.push(`F${ccagRow}`);
	}
	const capped = `MIN(${caps.join(',')})`;
	const limited = a.plafond.applique || ccag.plafond.applique;
	foot(
		ccag.exoneration.appliquee ? 'Total HT, après exonération (CCAG 2021 étendu par le CCAP)' : limited ? 'Total HT, après plafonnement' : 'Total HT',
		{ formula: ccag.exoneration.active ? `IF(${capped}+${a.plafond.dejaAppliquees}<=${ccag.exoneration.seuil},0,${capped})` : capped, result: a.total },
		ccag.exoneration.active ? `exonération si le total sur l\u2019ensemble du marché ne dépasse pas ${ccag.exoneration.seuil} € HT (${ccag.source})` : '',
	);
	r++;
	const notes = [
		'Arrondis : chaque ligne est arrondie au centime (demi-centime vers le haut), la somme est exacte au centime, le plafond est arrondi au centime ; le total est le plus petit de la somme et du plafond.',
		`Étape de la procédure : ${step.etapeLibelle}. ${step.motif}`,
		...a.avertissements.map((w) => `Avertissement : ${w.message} → ${w.correction}`),
	];
	for (const note of notes) {
		ws.mergeCells(r, 1, r, 7);
		ws.getCell(r, 1).value = note;
		ws.getCell(r, 1).alignment = { wrapText: true };
		ws.getRow(r).height = 30;
		r++;
	}

	const params = headedSheet(wb, 'Paramètres et sources', [
		{ header: 'Paramètre', key: 'libelle', width: 60 },
		{ header: 'Valeur', key: 'valeur', width: 12 },
		{ header: 'Unité', key: 'unite', width: 12 },
		{ header: 'Origine', key: 'origine', width: 22 },
		{ header: 'Source', key: 'source', width: 80, style: { alignment: { wrapText: true, vertical: 'top' } } },
	]);
	for (const p of Object.values(a.parametres)) params.addRow(p);
	params.addRow({ libelle: 'Mise en demeure préalable aux pénalités de retard des relevés', valeur: a.miseEnDemeureRequise ? 'oui' : 'non', origine: 'CCAP', source: `${SOURCES.ccapReference} : 100 € HT par jour de retard des relevés, après mise en demeure` });
	params.addRow({ libelle: 'Article du CCAP', valeur: a.articleCcap, origine: 'CCAP' });
	params.addRow({ libelle: `Assiette du plafond : ${a.plafond.assietteLibelle}`, valeur: base, unite: '€ HT', origine: 'registre' });
	params.addRow({ libelle: 'Exonération du CCAG 2021 étendue à la clause par le CCAP (total sur l\u2019ensemble du marché)', valeur: a.limitesCcag.exoneration.active ? a.limitesCcag.exoneration.seuil : 'non', unite: a.limitesCcag.exoneration.active ? '€ HT' : '', origine: 'CCAP', source: a.limitesCcag.source });
	params.addRow({ libelle: 'Plafond du CCAG 2021 étendu à la clause par le CCAP (montant total HT du marché)', valeur: a.limitesCcag.plafond.active ? a.limitesCcag.plafond.pourcentage : 'non', unite: a.limitesCcag.plafond.active ? '%' : '', origine: 'CCAP', source: a.limitesCcag.source });
	params.getColumn('source').alignment = { wrapText: true, vertical: 'top' };

	const reports = headedSheet(wb, 'Relevés', [
		{ header: 'Mois', key: 'mois', width: 18 },
		{ header: 'Heures déclarées', key: 'heures', width: 16, style: { numFmt: HOURS } },
		{ header: 'Relevé', key: 'statut', width: 30 },
	]);
	const missing = new Set(a.relevesManquants.map((m) => m.mois));
	const end = monthOf(a.dateEcheance);
	for (const month of monthRange(monthOf(clause.debutExecution), end)) {
		const hours = declared.get(month);
		reports.addRow({ mois: frenchMonth(month), heures: hours ?? null, statut: hours !== undefined ? 'reçu' : missing.has(month) ? 'manquant' : 'non encore dû' });
	}
	const totalRow = reports.addRow({ mois: 'Total', heures: { formula: `SUM(B2:B${reports.rowCount})`, result: a.heures.origineRealisees === 'relevés mensuels' ? a.heures.realisees : undefined } });
	totalRow.font = { bold: true };

	if (a.heures.neutralisations.length > 0) {
		const n = wb.addWorksheet('Neutralisations');
		n.columns = [
			{ header: 'Motif', key: 'motif', width: 60 },
			{ header: 'Heures', key: 'heures', width: 12, style: { numFmt: HOURS } },
			{ header: 'Du', key: 'debut', width: 14 },
			{ header: 'Au', key: 'fin', width: 14 },
			{ header: 'Référence', key: 'reference', width: 40 },
		];
		styleHeader(n.getRow(1));
		for (const item of a.heures.neutralisations) {
			n.addRow({ motif: item.motifLibelle, heures: item.heures, debut: item.debut ? frenchLongDate(item.debut) : '', fin: item.fin ? frenchLongDate(item.fin) : '', reference: item.reference ?? '' });
		}
	}
	return Buffer.from((await preparePrint(wb).xlsx.writeBuffer()) as ArrayBuffer);
}
