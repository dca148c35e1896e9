/**
 * Classeur du bilan des clauses sociales : une feuille de synthèse, puis une
 * feuille par vue (nature, service acheteur, mécanisme, marchés, lots,
 * titulaires, facilitateurs, territoires, mois, années, publics, publics
 * prioritaires, situations à six mois, modalités, contrats, employeurs,
 * pénalités). exceljs n'écrit pas de graphiques : les barres de données en
 * tiennent lieu, les graphiques sont dans le document PDF des élus. Formats français, en-têtes figés, filtres, barres de données sur
 * les heures et échelle de couleurs (rouge → vert) sur les taux de réalisation
 * pour une lecture d'un coup d'œil.
 */
import ExcelJS from 'exceljs';

import { preparePrint } from './print';
import { HEADER_FILL, HEADER_FONT, TOTAL_FILL, sheetTitle, styleHeader } from './sheet-layout';

import type { Bilan, BilanRow, CommitmentBilan, PoolBilan } from '../../core';
import { COMMITMENT_SECTION_TITLE, POOL_SECTION_TITLE, formatPercent, frenchLongDate, frenchMonth, poolRows } from '../../core';

type Format = 'text' | 'int' | 'number' | 'hours' | 'percent' | 'euros' | 'date';

interface Column {
	key: string;
	header: string;
	width: number;
	format?: Format;
	/** Texte long renvoyé à la ligne dans sa colonne. */
	wrap?: boolean;
}

const FORMATS: Record<Format, string | undefined> = {
	text: undefined,
	int: '#,##0',
	number: '#,##0.##',
	hours: '#,##0.## "h"',
	percent: '0.0 %',
	euros: '#,##0.00 "€"',
	date: 'dd/mm/yyyy',
};

const PERSONS_COLUMN: Column = { key: 'personnes', header: 'Personnes', width: 11, format: 'int' };
const HOURS_COLUMN: Column = { key: 'heures', header: 'Heures', width: 13, format: 'hours' };

const HOURS_COLUMNS: Column[] = [
	{ key: 'lots', header: 'Lots clausés', width: 10, format: 'int' },
	{ key: 'heuresDues', header: 'Heures dues', width: 13, format: 'hours' },
	{ key: 'heuresAttenduesADate', header: 'Heures attendues à fin de période', width: 14, format: 'hours' },
	{ key: 'heuresRealiseesPeriode', header: 'Heures réalisées sur la période', width: 15, format: 'hours' },
	{ key: 'heuresRealiseesCumul', header: 'Heures réalisées depuis le début', width: 15, format: 'hours' },
	{ key: 'tauxRealisationADate', header: 'Réalisation à date (÷ attendues)', width: 13, format: 'percent' },
	{ key: 'tauxRealisation', header: 'Réalisation sur le total (÷ dues)', width: 13, format: 'percent' },
	PERSONS_COLUMN,
];
const HOURS_TOTALS = ['lots', 'heuresDues', 'heuresAttenduesADate', 'heuresRealiseesPeriode', 'heuresRealiseesCumul'];

/** Marchés de la période avec et sans clause, puis heures des lots clausés (nature, service, territoire). */
const SHARE_COLUMNS: Column[] = [
	{ key: 'marches', header: 'Marchés de la période', width: 12, format: 'int' },
	{ key: 'marchesAvecClause', header: 'Avec clause', width: 10, format: 'int' },
	{ key: 'marchesSansClause', header: 'Sans clause', width: 10, format: 'int' },
	{ key: 'part', header: 'Part avec clause', width: 11, format: 'percent' },
	...HOURS_COLUMNS,
];
const SHARE_TOTALS = ['marches', 'marchesAvecClause', 'marchesSansClause', ...HOURS_TOTALS];
const SHARE_NOTE = 'marchés de la période : liste des marchés (feuille « Marchés »), avec et sans clause ; heures : lots clausés';

interface SheetSpec {
	name: string;
	title: string;
	note?: string;
	columns: Column[];
	rows: BilanRow[];
	/** Colonnes sommées sur la ligne de total. */
	totals?: string[];
}

function addTable(wb: ExcelJS.Workbook, spec: SheetSpec, subtitle: string): ExcelJS.Worksheet {
	const ws = wb.addWorksheet(spec.name, { views: [{ state: 'frozen', ySplit: 3, xSplit: 1 }], pageSetup: { orientation: 'landscape' } });
	sheetTitle(ws, spec.title, spec.note ? `${subtitle} — ${spec.note}` : subtitle, 13);
	const header = ws.getRow(3);
	spec.columns.forEach((col, i) => {
		header.getCell(i + 1).value = col.header;
		ws.getColumn(i + 1).width = col.width;
		const fmt = FORMATS[col.format ?? 'text'];
		if (fmt) ws.getColumn(i + 1).numFmt = fmt;
		if (col.wrap) ws.getColumn(i + 1).alignment = { wrapText: true, vertical: 'top' };
	});
	styleHeader(header, 36);
	spec.rows.forEach((row, r) => {
		const line = ws.getRow(4 + r);
		spec.columns.forEach((col, i) => {
			const value = row[col.key];
			// Date AAAA-MM-JJ : une vraie date (tri et filtre), affichée JJ/MM/AAAA.
			line.getCell(i + 1).value = value === undefined ? null : col.format === 'date' && typeof value === 'string' ? new Date(`${value}T00:00:00Z`) : value;
		});
	});
	const first = 4;
	const last = 3 + spec.rows.length;
	if (spec.rows.length > 0) {
		ws.autoFilter = { from: { row: 3, column: 1 }, to: { row: last, column: spec.columns.length } };
		spec.columns.forEach((col, i) => {
			const letter = ws.getColumn(i + 1).letter;
			const ref = `${letter}${first}:${letter}${last}`;
			if (col.format === 'percent' && (col.key.startsWith('taux') || col.key === 'part')) {
				ws.addConditionalFormatting({
					ref,
					rules: [
						{
							type: 'colorScale',
							priority: 1,
							cfvo: [{ type: 'num', value: 0 }, { type: 'num', value: 0.8 }, { type: 'num', value: 1 }],
							color: [{ argb: 'FFF8696B' }, { argb: 'FFFFEB84' }, { argb: 'FF63BE7B' }],
						},
					],
				});
			} else if (col.format === 'hours' && col.key !== 'heuresDues') {
				ws.addConditionalFormatting({
					ref,
					rules: [{ type: 'dataBar', priority: 2, cfvo: [{ type: 'min' }, { type: 'max' }], color: { argb: 'FF5B9BD5' }, gradient: true } as unknown as ExcelJS.ConditionalFormattingRule],
				});
			} else if (col.key === 'personnes' || col.key === 'heures') {
				ws.addConditionalFormatting({
					ref,
					rules: [{ type: 'dataBar', priority: 3, cfvo: [{ type: 'min' }, { type: 'max' }], color: { argb: 'FF9BBB59' }, gradient: true } as unknown as ExcelJS.ConditionalFormattingRule],
				});
			}
		});
	}
	if (spec.totals && spec.rows.length > 1) {
		const total = ws.getRow(last + 1);
		total.getCell(1).value = 'Total';
		spec.columns.forEach((col, i) => {
			if (!spec.totals!.includes(col.key)) return;
			const letter = ws.getColumn(i + 1).letter;
			let sum = 0;
			for (const row of spec.rows) sum += typeof row[col.key] === 'number' ? (row[col.key] as number) : 0;
			total.getCell(i + 1).value = { formula: `SUM(${letter}${first}:${letter}${last})`, result: Math.round(sum * 100) / 100 };
		});
		total.font = { bold: true };
		total.fill = TOTAL_FILL;
	}
	return ws;
}

/** Paragraphes sous le tableau : chacun dans une ligne fusionnée sur toute sa largeur, renvoyé à la ligne. */
function addParagraphs(ws: ExcelJS.Worksheet, from: number, columns: Column[], paragraphs: string[]): void {
	const width = columns.reduce((sum, c) => sum + c.width, 0);
	paragraphs.forEach((text, i) => {
		const row = ws.getRow(from + i);
		ws.mergeCells(from + i, 1, from + i, columns.length);
		const cell = row.getCell(1);
		cell.value = text;
		cell.alignment = { wrapText: true, vertical: 'top' };
		// Une cellule fusionnée n'est pas ajustée par la mise en page commune : hauteur d'après la longueur du texte.
		row.height = Math.min(409, 15 * Math.max(1, Math.ceil((text.length * 1.05) / Math.max(1, width - 2))));
	});
}

const COMMITMENT_COLUMNS: Column[] = [
	{ key: 'marche', header: 'Marché', width: 14 },
	{ key: 'lot', header: 'Lot', width: 6 },
	{ key: 'titulaire', header: 'Titulaire', width: 20, wrap: true },
	{ key: 'nature', header: 'Nature', width: 16, wrap: true },
	{ key: 'engagement', header: 'Engagement', width: 30, wrap: true },
	{ key: 'indicateur', header: 'Indicateur', width: 20, wrap: true },
	{ key: 'echeance', header: 'Échéance', width: 11, format: 'date' },
	{ key: 'cible', header: 'Valeur attendue', width: 11, format: 'number' },
	{ key: 'valeur', header: 'Valeur atteinte', width: 11, format: 'number' },
	{ key: 'situation', header: 'État', width: 30, wrap: true },
	{ key: 'penaliteProposee', header: 'Pénalité proposée', width: 12, format: 'euros' },
	{ key: 'penalite', header: 'Pénalité notifiée', width: 12, format: 'euros' },
];

/**
 * Feuille « Autres considérations sociales » : une ligne par échéance d'un
 * engagement de la période (engagement, marché et lot, titulaire, indicateur,
 * échéance, état à la fin de la période, pénalité proposée ou notifiée), puis
 * la section du bilan en phrases.
 */
function addCommitmentSheet(wb: ExcelJS.Workbook, commitments: CommitmentBilan, subtitle: string): void {
	const rows: BilanRow[] = commitments.lignes.map((l) => ({
		marche: l.marche,
		lot: l.lot,
		titulaire: l.titulaire ?? 'clause absente du registre',
		nature: l.nature,
		engagement: `${l.numero} – ${l.libelle}`,
		indicateur: l.indicateur,
		echeance: l.echeance,
		cible: l.cible ?? null,
		valeur: l.valeur ?? null,
		situation: l.libelleEcheance ? `${l.situation} (jalon : ${l.libelleEcheance})` : l.situation,
		penaliteProposee: l.penaliteProposee ?? null,
		penalite: l.penalite ?? null,
	}));
	const ws = addTable(
		wb,
		{
			name: COMMITMENT_SECTION_TITLE,
			title: 'Autres considérations sociales : engagements et échéances de la période',
			note: 'état à la fin de la période ; pénalité proposée : à approuver par l\u2019acheteur ; notifiée : envoyée au titulaire',
			columns: COMMITMENT_COLUMNS,
			rows,
			totals: ['penaliteProposee', 'penalite'],
		},
		subtitle,
	);
	const after = 3 + rows.length + (rows.length > 1 ? 1 : 0) + 2;
	addParagraphs(ws, after, COMMITMENT_COLUMNS, [commitments.texte]);
}

const POOL_COLUMNS: Column[] = [
	// Première colonne sans retour à la ligne : le titre et le sous-titre de la feuille y sont écrits.
	{ key: 'groupe', header: 'Groupe', width: 26 },
	{ key: 'titulaire', header: 'Titulaire', width: 22, wrap: true },
	{ key: 'fondement', header: 'Stipulation du CCAP', width: 16, wrap: true },
	{ key: 'marche', header: 'Marché', width: 18 },
	{ key: 'lot', header: 'Lot', width: 7 },
	{ key: 'acheteur', header: 'Acheteur', width: 20, wrap: true },
	{ key: 'heuresDues', header: 'Heures dues', width: 11, format: 'hours' },
	{ key: 'heuresAttendues', header: 'Heures attendues à fin de période', width: 13, format: 'hours' },
	{ key: 'heuresRealisees', header: 'Heures réalisées (cumul)', width: 12, format: 'hours' },
	{ key: 'avance', header: 'Avance (+) ou retard (−)', width: 12, format: 'hours' },
	{ key: 'partGroupe', header: 'Part des heures du groupe', width: 10, format: 'percent' },
	{ key: 'situation', header: 'Situation', width: 34, wrap: true },
];

/**
 * Feuille « Mutualisation des heures » : pour chaque groupe, une ligne par
 * marché (sa part : heures dues, attendues, réalisées, avance ou retard), puis
 * la ligne « Ensemble du groupe » (l'obligation mutualisée, à jour ou en
 * retard), en gras ; puis la section du bilan en phrases.
 */
function addPoolSheet(wb: ExcelJS.Workbook, pooling: PoolBilan, subtitle: string): void {
	const rows: BilanRow[] = poolRows(pooling).map((row) => {
		const shown: BilanRow = {};
		for (const column of POOL_COLUMNS) shown[column.key] = row[column.key === 'partGroupe' ? 'part' : column.key] ?? null;
		return shown;
	});
	const ws = addTable(
		wb,
		{
			name: POOL_SECTION_TITLE,
			title: 'Mutualisation des heures : obligation mutualisée de chaque groupe et part de chaque marché',
			note: `heures attendues et réalisées à fin ${frenchMonth(pooling.fin)} ; un groupe est en retard au-delà de ${formatPercent(pooling.tolerance)} de ses heures dues (écart entre heures attendues et réalisées)`,
			columns: POOL_COLUMNS,
			rows,
		},
		subtitle,
	);
	rows.forEach((row, i) => {
		const line = ws.getRow(4 + i);
		// Toutes les cellules d'une ligne alignées en haut, comme celles dont le texte revient à la ligne.
		line.eachCell((cell) => (cell.alignment = { ...cell.alignment, vertical: 'top' }));
		// Lignes « Ensemble du groupe » en gras, sur fond clair.
		if (row.marche !== 'Ensemble du groupe') return;
		line.font = { bold: true };
		line.fill = TOTAL_FILL;
	});
	const after = 3 + rows.length + 2;
	addParagraphs(ws, after, POOL_COLUMNS, [pooling.texte]);
	// Une ligne de plus que l'estimation : le texte se lit en entier quelle que soit la police du tableur.
	ws.getRow(after).height = Math.min(409, Number(ws.getRow(after).height ?? 15) + 15);
}

export interface BilanReportMeta {
	titre: string;
	region?: string;
	dateBilan: string;
}

/**
 * Le classeur du bilan ; avec `commitments` (bilan tiré du registre), la feuille
 * « Autres considérations sociales » et ses chiffres dans la synthèse.
 */
export async function buildBilanReport(bilan: Bilan, meta: BilanReportMeta, commitments?: CommitmentBilan): Promise<Buffer> {
	const wb = new ExcelJS.Workbook();
	wb.creator = 'n8n-nodes-clauses-sociales';
	wb.title = meta.titre;
	wb.created = new Date(`${meta.dateBilan}T12:00:00Z`);
	wb.modified = wb.created;
	const period = `${frenchMonth(bilan.periode.debut)} à ${frenchMonth(bilan.periode.fin)}`;
	const subtitle = `${meta.region ? `${meta.region} — ` : ''}période : ${period} ; bilan du ${frenchLongDate(meta.dateBilan)}`;
	const s = bilan.synthese;

	const ws = wb.addWorksheet('Synthèse', { views: [{ state: 'frozen', ySplit: 3 }] });
	ws.getColumn(1).width = 58;
	ws.getColumn(2).width = 20;
	sheetTitle(ws, meta.titre, subtitle, 14);
	const header = ws.getRow(3);
	header.values = ['Indicateur', 'Valeur'];
	header.font = HEADER_FONT;
	header.fill = HEADER_FILL;
	const commitmentFigures: Array<[string, number | null, Format]> = commitments
		? [
				['Engagements sociaux (hors heures) ayant une échéance', commitments.engagements, 'int'],
				['Échéances de ces engagements sur la période', commitments.echeances, 'int'],
				['dont tenues (justificatif reçu)', commitments.justifiees, 'int'],
				['Pénalités notifiées pour ces engagements', commitments.montantPenalites, 'euros'],
			]
		: [];
	const pooling = bilan.mutualisation;
	const poolFigures: Array<[string, number | null, Format]> = pooling
		? [
				['Groupes de mutualisation des heures', pooling.groupes.length, 'int'],
				['dont à jour (obligation mutualisée atteinte)', pooling.groupesAJour, 'int'],
				['Lots en retard sur leur part, couverts par la mutualisation', pooling.clausesCouvertes.length, 'int'],
				['Heures de retard couvertes par la mutualisation', pooling.heuresCouvertes, 'hours'],
			]
		: [];
	const figures: Array<[string, number | null, Format]> = [
		['Marchés avec une clause sociale d\u2019insertion', s.marchesAvecClause, 'int'],
		['Marchés de la période (avec et sans clause)', s.nombreMarches, 'int'],
		['Part des marchés avec une clause', s.partMarchesAvecClause, 'percent'],
		['Lots clausés', s.lotsAvecClause, 'int'],
		['Titulaires', s.titulaires, 'int'],
		['Heures d\u2019insertion dues (lots clausés)', s.heuresDues, 'hours'],
		['Heures attendues à fin de période (courbe ou prorata)', s.heuresAttenduesADate, 'hours'],
		['Heures réalisées sur la période', s.heuresRealiseesPeriode, 'hours'],
		['Heures réalisées depuis le début des marchés', s.heuresRealiseesCumul, 'hours'],
		['Taux de réalisation à date (cumul ÷ heures attendues)', s.tauxRealisationADate, 'percent'],
		['Taux de réalisation sur le total (cumul ÷ heures dues)', s.tauxRealisation, 'percent'],
		['Heures de formation sur la période (à part)', s.heuresFormationPeriode, 'hours'],
		['Personnes en insertion (comptées une fois)', s.personnes, 'int'],
		['dont femmes', s.femmes, 'int'],
		['Pénalités proposées (mises en demeure)', s.penalitesProposees, 'euros'],
		['Pénalités notifiées', s.penalitesAppliquees, 'euros'],
		['Pénalités recouvrées', s.penalitesRecouvrees, 'euros'],
		['Mises en demeure', s.misesEnDemeure, 'int'],
		...poolFigures,
		...commitmentFigures,
	];
	figures.forEach(([labelText, value, format], i) => {
		const row = ws.getRow(4 + i);
		row.getCell(1).value = labelText;
		row.getCell(2).value = value;
		const fmt = FORMATS[format];
		if (fmt) row.getCell(2).numFmt = fmt;
	});
	const tauxRow = 4 + figures.findIndex(([l]) => l.startsWith('Taux de réalisation à date'));
	ws.addConditionalFormatting({
		ref: `B${tauxRow}:B${tauxRow + 1}`,
		rules: [{ type: 'iconSet', priority: 1, iconSet: '3TrafficLights1', cfvo: [{ type: 'num', value: 0 }, { type: 'num', value: 0.8 }, { type: 'num', value: 1 }] } as unknown as ExcelJS.ConditionalFormattingRule],
	});
	const notes = [
		'Heures réalisées : heures du mois déclarées dans les relevés (formation à part) ; les lignes remplacées par une correction ne comptent pas.',
		'Heures attendues à fin de période : courbe prévisionnelle de la clause si elle en a une, sinon prorata des jours d\u2019exécution écoulés.',
		'Une personne est comptée une fois, même présente sur plusieurs marchés (identifiant pseudonyme du participant).',
		'Pénalités : proposées dans les mises en demeure, notifiées au titulaire, recouvrées (titre de recette payé).',
	];
	if (!s.listeDesMarches) notes.push('Sans feuille « Marchés » (tous les marchés de la période, avec et sans clause), la part des marchés avec une clause n\u2019est pas calculée.');
	if (s.clausesHorsPeriode > 0) notes.push(`${s.clausesHorsPeriode} clause(s) du registre hors de la période (exécution avant ou après) ne sont pas comptées.`);
	if (s.clausesDesRelevesHorsRegistre > 0) notes.push(`${s.clausesDesRelevesHorsRegistre} marché(s)-lot(s) des relevés absents du registre : leurs heures ne sont pas comptées.`);
	notes.forEach((n, i) => {
		const cell = ws.getCell(5 + figures.length + i, 1);
		cell.value = n;
		cell.font = { italic: true, size: 9, color: { argb: 'FF555555' } };
	});

	const people = (key: string, header: string, width: number): Column[] => [
		{ key, header, width },
		PERSONS_COLUMN,
		HOURS_COLUMN,
	];
	const sheets: SheetSpec[] = [
		{ name: 'Nature et mécanisme', title: 'Marchés et heures par nature', note: SHARE_NOTE, columns: [{ key: 'nature', header: 'Nature', width: 30 }, ...SHARE_COLUMNS], rows: bilan.parNature, totals: SHARE_TOTALS },
		{ name: 'Par service', title: 'Marchés et heures par service acheteur', note: SHARE_NOTE, columns: [{ key: 'service', header: 'Service acheteur', width: 40 }, ...SHARE_COLUMNS], rows: bilan.parService, totals: SHARE_TOTALS },
		{
			name: 'Mécanismes',
			title: 'Marchés clausés par mécanisme',
			columns: [
				{ key: 'mecanisme', header: 'Mécanisme', width: 52 },
				{ key: 'marches', header: 'Marchés', width: 12, format: 'int' },
				{ key: 'lots', header: 'Lots', width: 12, format: 'int' },
			],
			rows: bilan.parMecanisme,
			totals: ['lots'],
		},
		{
			name: 'Par marché',
			title: 'Heures par marché',
			columns: [
				{ key: 'marche', header: 'Marché', width: 16 },
				{ key: 'objet', header: 'Objet', width: 44 },
				{ key: 'nature', header: 'Nature', width: 16 },
				{ key: 'service', header: 'Service acheteur', width: 28 },
				{ key: 'titulaires', header: 'Titulaire(s)', width: 34 },
				...HOURS_COLUMNS,
			],
			rows: bilan.parMarche,
			totals: HOURS_TOTALS,
		},
		{
			name: 'Par lot',
			title: 'Heures par lot clausé',
			note: 'heures attendues à fin de période : courbe prévisionnelle (colonne « Courbe ») ou prorata des jours d\u2019exécution écoulés',
			columns: [
				{ key: 'marche', header: 'Marché', width: 16 },
				{ key: 'lot', header: 'Lot', width: 8 },
				{ key: 'intitule', header: 'Intitulé', width: 32 },
				{ key: 'titulaire', header: 'Titulaire', width: 30 },
				{ key: 'facilitateur', header: 'Facilitateur', width: 28 },
				{ key: 'territoire', header: 'Territoire', width: 20 },
				{ key: 'courbe', header: 'Courbe', width: 8 },
				...HOURS_COLUMNS.filter((c) => c.key !== 'lots'),
				{ key: 'heuresFormationPeriode', header: 'Formation (h)', width: 11, format: 'hours' },
				{ key: 'penalitesAppliquees', header: 'Pénalités notifiées', width: 14, format: 'euros' },
				...(pooling ? [{ key: 'mutualisation', header: 'Mutualisation des heures', width: 34, wrap: true }] : []),
			],
			rows: bilan.parLot,
			totals: ['heuresDues', 'heuresAttenduesADate', 'heuresRealiseesPeriode', 'heuresRealiseesCumul', 'heuresFormationPeriode', 'penalitesAppliquees'],
		},
		{
			name: 'Par titulaire',
			title: 'Heures par titulaire, mutualisation entre ses marchés',
			note: 'heures mutualisées : heures de la période faites par des personnes présentes sur plusieurs marchés du titulaire',
			columns: [
				{ key: 'titulaire', header: 'Titulaire', width: 32 },
				{ key: 'siret', header: 'SIRET', width: 16 },
				{ key: 'marches', header: 'Marchés', width: 9, format: 'int' },
				...HOURS_COLUMNS,
				{ key: 'personnesSurPlusieursMarches', header: 'Personnes sur plusieurs marchés', width: 14, format: 'int' },
				{ key: 'heuresMutualisees', header: 'Heures mutualisées', width: 13, format: 'hours' },
			],
			rows: bilan.parTitulaire,
			totals: [...HOURS_TOTALS, 'heuresMutualisees'],
		},
		{ name: 'Par facilitateur', title: 'Heures par facilitateur', columns: [{ key: 'facilitateur', header: 'Facilitateur', width: 36 }, ...HOURS_COLUMNS], rows: bilan.parFacilitateur, totals: HOURS_TOTALS },
		{ name: 'Par territoire', title: 'Marchés et heures par territoire', note: `${SHARE_NOTE} ; territoire de la clause, sinon du marché, sinon de son facilitateur`, columns: [{ key: 'territoire', header: 'Territoire', width: 36 }, ...SHARE_COLUMNS], rows: bilan.parTerritoire, totals: SHARE_TOTALS },
		{ name: 'Par mois', title: 'Heures réalisées par mois de la période', columns: [{ key: 'mois', header: 'Mois (AAAA-MM)', width: 14 }, HOURS_COLUMN], rows: bilan.parMois, totals: ['heures'] },
		{
			name: 'Par année',
			title: 'Heures et personnes par année, d\u2019une année sur l\u2019autre',
			note: 'lots du registre, jusqu\u2019à la fin de la période',
			columns: [
				{ key: 'annee', header: 'Année', width: 10 },
				HOURS_COLUMN,
				PERSONS_COLUMN,
				{ key: 'evolution', header: 'Évolution des heures', width: 12, format: 'percent' },
				{ key: 'anneeIncomplete', header: 'Année incomplète', width: 11 },
			],
			rows: bilan.parAnnee,
		},
		{ name: 'Publics', title: 'Personnes et heures par catégorie de public', note: 'une personne compte dans la catégorie de sa première ligne de la période', columns: people('categorie', 'Catégorie de public', 60), rows: bilan.publics, totals: ['personnes', 'heures'] },
		{
			name: 'Publics prioritaires',
			title: 'Publics prioritaires',
			note: 'une personne peut compter dans plusieurs lignes ; part : sur toutes les personnes de la période',
			columns: [
				{ key: 'indicateur', header: 'Public', width: 44 },
				PERSONS_COLUMN,
				{ key: 'part', header: 'Part des personnes', width: 11, format: 'percent' },
				HOURS_COLUMN,
				{ key: 'nonRenseigne', header: 'Personnes sans l\u2019information', width: 14, format: 'int' },
			],
			rows: bilan.publicsPrioritaires,
		},
		{
			name: 'Situations à six mois',
			title: 'Situation des personnes six mois après',
			note: 'dernière situation renseignée dans les relevés ; part : sur les personnes dont la situation est connue',
			columns: [
				{ key: 'situation', header: 'Situation', width: 70 },
				PERSONS_COLUMN,
				{ key: 'part', header: 'Part', width: 10, format: 'percent' },
			],
			rows: bilan.sorties,
			totals: ['personnes'],
		},
		{ name: 'Modalités', title: 'Personnes et heures par modalité', note: 'une personne compte dans chaque modalité où elle a travaillé', columns: people('modalite', 'Modalité', 50), rows: bilan.modalites, totals: ['heures'] },
		{ name: 'Contrats', title: 'Personnes et heures par type de contrat', columns: people('typeContrat', 'Type de contrat', 40), rows: bilan.contrats, totals: ['heures'] },
		{ name: 'Employeurs', title: 'Personnes et heures par employeur', columns: people('employeur', 'Employeur', 50), rows: bilan.employeurs, totals: ['heures'] },
		{
			name: 'Pénalités',
			title: 'Pénalités',
			note: 'proposées : montants des mises en demeure ; notifiées ; recouvrées',
			columns: [
				{ key: 'marche', header: 'Marché', width: 16 },
				{ key: 'lot', header: 'Lot', width: 8 },
				{ key: 'titulaire', header: 'Titulaire', width: 32 },
				{ key: 'misesEnDemeure', header: 'Mises en demeure', width: 12, format: 'int' },
				{ key: 'penalitesProposees', header: 'Pénalités proposées', width: 15, format: 'euros' },
				{ key: 'penalitesAppliquees', header: 'Pénalités notifiées', width: 15, format: 'euros' },
				{ key: 'penalitesRecouvrees', header: 'Pénalités recouvrées', width: 15, format: 'euros' },
				{ key: 'resteARecouvrer', header: 'Reste à recouvrer', width: 15, format: 'euros' },
			],
			rows: bilan.penalites,
			totals: ['misesEnDemeure', 'penalitesProposees', 'penalitesAppliquees', 'penalitesRecouvrees', 'resteARecouvrer'],
		},
	];
	for (const spec of sheets) addTable(wb, spec, subtitle);
	if (pooling) addPoolSheet(wb, pooling, subtitle);
	if (commitments) addCommitmentSheet(wb, commitments, subtitle);
	return Buffer.from((await preparePrint(wb).xlsx.writeBuffer()) as ArrayBuffer);
}
