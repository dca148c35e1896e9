/**
 * Le formulaire Excel de la fiche visa, déduit du schéma (core/schemas/fiche-visa.ts) :
 * feuille « Fiche visa » (un champ par ligne : libellé protégé, cellule de
 * saisie nommée, aide), feuille « Lots » (une ligne par lot), feuille
 * « Listes » (valeurs des listes déroulantes), feuille « Instructions ». Les
 * cellules de saisie portent des noms définis (VISA_OBJET…) : la lecture passe
 * par eux, et la version du modèle (VISA_VERSION) est contrôlée.
 */
import ExcelJS from 'exceljs';

import type { FicheField, FicheFieldInfo, FicheListName, FicheLotField } from '../../core';
import { FICHE_FIELDS, FICHE_LISTS, FICHE_LOT_FIELDS, FICHE_VISA_VERSION, listLabels, normalizeToken } from '../../core';
import { columnLetter } from './ooxml';
import { preparePrint } from './print';

const SHEETS = { fiche: 'Fiche visa', lots: 'Lots', listes: 'Listes', instructions: 'Instructions', anomalies: 'Anomalies' } as const;

/** « emailService » → « VISA_EMAIL_SERVICE », « montantEstimeHT » → « VISA_MONTANT_ESTIME_HT ». */
export function ficheDefinedName(champ: string): string {
	return `VISA_${champ.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

const FIRST_FIELD_ROW = 5;

function computeFieldRows(): { cells: Record<FicheField, string>; sectionRows: Array<{ row: number; rubrique: string }>; lastRow: number } {
	const cells = {} as Record<FicheField, string>;
	const sectionRows: Array<{ row: number; rubrique: string }> = [];
	let row = FIRST_FIELD_ROW;
	let current = '';
	for (const f of FICHE_FIELDS) {
		if (f.rubrique !== current) {
			current = f.rubrique;
			sectionRows.push({ row, rubrique: current });
			row++;
		}
		cells[f.champ] = `B${row}`;
		row++;
	}
	return { cells, sectionRows, lastRow: row - 1 };
}

const layout = computeFieldRows();
const LIST_NAMES = Object.keys(FICHE_LISTS) as FicheListName[];

export const FICHE_VISA_TEMPLATE = {
	version: FICHE_VISA_VERSION,
	sheets: SHEETS,
	/** Feuilles du modèle (les autres sont signalées et ignorées). */
	knownSheets: [SHEETS.fiche, SHEETS.lots, SHEETS.listes, SHEETS.instructions, SHEETS.anomalies] as string[],
	versionName: 'VISA_VERSION',
	versionCell: 'B2',
	decisionName: 'VISA_DECISION',
	decisionCell: `B${layout.lastRow + 3}`,
	controleCell: `B${layout.lastRow + 4}`,
	/** Cellule de saisie de chaque champ sur la feuille « Fiche visa ». */
	fieldCells: layout.cells,
	sectionRows: layout.sectionRows,
	lotsHeaderRow: 3,
	lotsFirstRow: 4,
	lotsRows: 40,
	/** Colonne de chaque champ dans la feuille « Lots ». */
	lotColumns: Object.fromEntries(FICHE_LOT_FIELDS.map((f, i) => [f.champ, columnLetter(i + 1)])) as Record<FicheLotField, string>,
	/** Colonne de chaque liste dans la feuille « Listes ». */
	listColumns: Object.fromEntries(LIST_NAMES.map((name, i) => [name, columnLetter(i + 1)])) as Record<FicheListName, string>,
} as const;

/** Intitulé de colonne ou libellé d'un champ, avec l'astérisque des champs obligatoires. */
export function fieldHeading(f: { libelle: string; obligatoire: boolean }): string {
	return f.obligatoire ? `${f.libelle} *` : f.libelle;
}

/** Champ désigné par un intitulé de colonne de la feuille « Lots » (astérisque et casse ignorés). */
export function lotFieldForHeading(heading: string): FicheLotField | undefined {
	const token = normalizeToken(heading.replace(/\*\s*$/, ''));
	return FICHE_LOT_FIELDS.find((f) => normalizeToken(f.libelle) === token || normalizeToken(f.champ) === token)?.champ;
}

/** Contrôles de saisie d'une feuille (API d'exceljs absente de ses types). */
export interface DataValidationsHolder {
	dataValidations: { model: Record<string, ExcelJS.DataValidation | undefined>; add(address: string, validation: ExcelJS.DataValidation): void };
}

const BLUE = 'FF1F5FA8';
const INPUT_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF8DC' } };
const SECTION_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: BLUE } };
const THIN: ExcelJS.Borders = {
	top: { style: 'thin', color: { argb: 'FFB0B7C3' } },
	left: { style: 'thin', color: { argb: 'FFB0B7C3' } },
	bottom: { style: 'thin', color: { argb: 'FFB0B7C3' } },
	right: { style: 'thin', color: { argb: 'FFB0B7C3' } },
	diagonal: {},
};
export const EUROS_FORMAT = '#,##0.00 "€"';
export const DATE_FORMAT = 'dd/mm/yyyy';

function listRange(name: FicheListName): string {
	const letter = FICHE_VISA_TEMPLATE.listColumns[name];
	return `'${SHEETS.listes}'!$${letter}$2:$${letter}$${listLabels(name).length + 1}`;
}

/**
 * Cellule de saisie : déverrouillée et formatée ; renvoie son contrôle de saisie
 * (listes, dates, montants), posé par l'appelant sur la cellule ou sur toute
 * une colonne de lots.
 */
function styleInput(cell: ExcelJS.Cell, f: FicheFieldInfo): ExcelJS.DataValidation | undefined {
	cell.protection = { locked: false };
	cell.fill = INPUT_FILL;
	cell.border = THIN;
	cell.alignment = { vertical: 'top', wrapText: f.saisie === 'texteLong' };
	const base = { allowBlank: true, showErrorMessage: true, showInputMessage: true, promptTitle: f.libelle.slice(0, 32), prompt: f.aide.slice(0, 255) };
	switch (f.saisie) {
		case 'liste':
		case 'ouiNon':
			return {
				...base,
				type: 'list',
				formulae: [listRange(f.liste ?? 'ouiNon')],
				// Plusieurs valeurs possibles (DECP) : un avertissement, pas un refus.
				errorStyle: f.plusieurs ? 'warning' : 'stop',
				errorTitle: 'Valeur non prévue',
				error: f.plusieurs ? 'Choisissez dans la liste, ou saisissez plusieurs valeurs séparées par des virgules.' : 'Choisissez une valeur de la liste.',
			};
		case 'date':
			cell.numFmt = DATE_FORMAT;
			return { ...base, type: 'date', operator: 'greaterThan', formulae: [new Date(Date.UTC(2000, 0, 1))], errorTitle: 'Date', error: 'Saisissez une date au format JJ/MM/AAAA.' };
		case 'montant':
			cell.numFmt = EUROS_FORMAT;
			return { ...base, type: 'decimal', operator: 'greaterThanOrEqual', formulae: [0], errorTitle: 'Montant', error: 'Saisissez un montant positif en euros HT, sans texte.' };
		case 'nombre':
			return { ...base, type: 'decimal', operator: 'greaterThanOrEqual', formulae: [0], errorTitle: 'Nombre', error: 'Saisissez un nombre positif.' };
		case 'courriel':
			cell.numFmt = '@';
			return { ...base, type: 'custom', formulae: [`ISNUMBER(SEARCH("@",${cell.address}))`], errorStyle: 'warning', errorTitle: 'Courriel', error: 'Saisissez une adresse électronique, par exemple marches@region.fr.' };
		default:
			cell.numFmt = '@';
			return { ...base, type: 'textLength', operator: 'lessThanOrEqual', formulae: [1000], errorTitle: 'Texte', error: 'Texte trop long (1 000 caractères au plus).' };
	}
}

const INSTRUCTIONS = [
	'Fiche visa – mode d\u2019emploi',
	'',
	'1. Remplissez les cellules jaunes de la feuille « Fiche visa » ; les champs marqués * sont obligatoires. Les autres cellules sont protégées (sans mot de passe) pour éviter les fausses manipulations.',
	'2. Feuille « Lots » : une ligne par lot, y compris pour un marché non alloti (numéro « unique »). Le total des lots doit égaler le montant estimé de la fiche.',
	'3. Clauses sociales : reprenez les conclusions de l\u2019étude de faisabilité lot par lot (mécanisme, heures du calibrage, facilitateur). Sans considération sociale, la justification est obligatoire. Au-delà des seuils européens, un lot sans condition d\u2019exécution sociale (critère d\u2019attribution ou marché réservé seuls, ou aucune considération) indique aussi le cas d\u2019exemption de l\u2019article L2112-2-1 (loi Climat et résilience, art. 35), la justification en donnant les motifs.',
	'4. Montants en euros HT : « 1 234,50 » ou « 1 234,50 € » sont acceptés. Dates au format JJ/MM/AAAA.',
	'5. N\u2019ajoutez, ne supprimez ni ne renommez de feuille ou de colonne, ne fusionnez pas de cellules de saisie : la fiche est lue automatiquement.',
	'6. Envoyez le fichier au service des marchés. Vous recevez la décision (VISÉ, À COMPLÉTER ou REFUSÉ) et une copie annotée : cellules en cause surlignées et commentées, feuille « Anomalies ». Votre fichier n\u2019est jamais modifié.',
	'',
	`Modèle de fiche visa, version ${FICHE_VISA_VERSION}. Une fiche de la version 2026.1 reste lue (ce qui lui manque est demandé là où la loi l\u2019exige) ; une fiche d\u2019une autre version est refusée : recopiez alors vos saisies dans un formulaire vierge.`,
];

/** Construit le formulaire vierge (version courante du modèle). */
export async function buildFicheVisaForm(options: { date?: string } = {}): Promise<Buffer> {
	const workbook = await createFicheVisaWorkbook(options);
	return Buffer.from((await preparePrint(workbook).xlsx.writeBuffer()) as ArrayBuffer);
}

/** Le formulaire vierge, en classeur exceljs (pour le pré-remplir avant écriture). */
export async function createFicheVisaWorkbook(options: { date?: string } = {}): Promise<ExcelJS.Workbook> {
	const t = FICHE_VISA_TEMPLATE;
	const wb = new ExcelJS.Workbook();
	wb.creator = 'n8n-nodes-clauses-sociales';
	wb.title = `Fiche visa – modèle ${t.version}`;
	const created = new Date(`${options.date ?? '2026-01-01'}T08:00:00Z`);
	wb.created = created;
	wb.modified = created;

	// Feuille « Fiche visa ».
	const ws = wb.addWorksheet(SHEETS.fiche, { views: [{ state: 'frozen', ySplit: 3 }], pageSetup: { orientation: 'portrait' } });
	ws.getColumn(1).width = 46;
	ws.getColumn(2).width = 50;
	ws.getColumn(3).width = 62;
	ws.mergeCells('A1:C1');
	ws.getCell('A1').value = 'Fiche visa – lancement d\u2019une consultation';
	ws.getCell('A1').font = { bold: true, size: 15, color: { argb: BLUE } };
	ws.getCell('A2').value = 'Modèle de fiche visa, version';
	ws.getCell('A2').font = { italic: true, color: { argb: 'FF666666' } };
	ws.getCell(t.versionCell).value = t.version;
	ws.getCell(t.versionCell).numFmt = '@';
	ws.getCell(t.versionCell).font = { italic: true, color: { argb: 'FF666666' } };
	wb.definedNames.add(`'${SHEETS.fiche}'!$B$2`, t.versionName);
	ws.mergeCells('A3:C3');
	ws.getCell('A3').value = 'Remplissez les cellules jaunes (* : obligatoire), puis la feuille « Lots ». Voir la feuille « Instructions ».';
	ws.getCell('A3').alignment = { wrapText: true };
	ws.getRow(3).height = 30;

	for (const { row, rubrique } of t.sectionRows) {
		ws.mergeCells(`A${row}:C${row}`);
		const cell = ws.getCell(`A${row}`);
		cell.value = rubrique;
		cell.font = { bold: true, color: { argb: 'FFFFFFFF' } };
		cell.fill = SECTION_FILL;
		ws.getRow(row).height = 20;
	}
	for (const f of FICHE_FIELDS) {
		const address = t.fieldCells[f.champ];
		const row = Number(address.slice(1));
		const label = ws.getCell(`A${row}`);
		label.value = fieldHeading(f);
		label.font = { bold: f.obligatoire };
		label.alignment = { vertical: 'top', wrapText: true };
		const help = ws.getCell(`C${row}`);
		help.value = f.aide;
		help.font = { italic: true, size: 9, color: { argb: 'FF555555' } };
		help.alignment = { vertical: 'top', wrapText: true };
		const validation = styleInput(ws.getCell(address), f);
		if (validation) ws.getCell(address).dataValidation = validation;
		if (f.saisie === 'texteLong') ws.getRow(row).height = 45;
		wb.definedNames.add(`'${SHEETS.fiche}'!$B$${row}`, ficheDefinedName(f.champ));
	}
	const reserved = layout.lastRow + 2;
	ws.mergeCells(`A${reserved}:C${reserved}`);
	ws.getCell(`A${reserved}`).value = 'Cadre réservé au service des marchés';
	ws.getCell(`A${reserved}`).font = { bold: true, color: { argb: 'FFFFFFFF' } };
	ws.getCell(`A${reserved}`).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF555555' } };
	ws.getCell(`A${reserved + 1}`).value = 'Décision';
	ws.getCell(`A${reserved + 2}`).value = 'Contrôle';
	wb.definedNames.add(`'${SHEETS.fiche}'!$${t.decisionCell.replace(/(\d+)/, '$$$1')}`, t.decisionName);
	await ws.protect('', { selectLockedCells: true, selectUnlockedCells: true, formatRows: true, formatColumns: true });

	// Feuille « Lots ».
	const lots = wb.addWorksheet(SHEETS.lots, { views: [{ state: 'frozen', ySplit: t.lotsHeaderRow }], pageSetup: { orientation: 'landscape' } });
	lots.getCell('A1').value = 'Lots de la consultation';
	lots.getCell('A1').font = { bold: true, size: 14, color: { argb: BLUE } };
	lots.getCell('A2').value = 'Une ligne par lot (marché non alloti : une ligne, lot « unique »). Total des lots (€ HT) :';
	const amountColumn = t.lotColumns.montantHT;
	const lastLotRow = t.lotsFirstRow + t.lotsRows - 1;
	const total = lots.getCell(`${amountColumn}2`);
	total.value = { formula: `SUM(${amountColumn}${t.lotsFirstRow}:${amountColumn}${lastLotRow})`, date1904: false } as ExcelJS.CellFormulaValue;
	total.numFmt = EUROS_FORMAT;
	total.font = { bold: true };
	const header = lots.getRow(t.lotsHeaderRow);
	FICHE_LOT_FIELDS.forEach((f, i) => {
		const cell = header.getCell(i + 1);
		cell.value = fieldHeading(f);
		cell.note = f.aide;
		const width = { texteLong: 48, liste: 36, montant: 18, nombre: 12, texte: 24, date: 14, ouiNon: 10, courriel: 30 }[f.saisie];
		lots.getColumn(i + 1).width = f.champ === 'numero' ? 10 : width;
		let validation: ExcelJS.DataValidation | undefined;
		for (let r = t.lotsFirstRow; r <= lastLotRow; r++) validation = styleInput(lots.getCell(r, i + 1), f);
		// Un contrôle par colonne (plage) : exceljs regroupe mal des contrôles posés cellule par cellule (plages qui se chevauchent).
		if (validation) (lots as unknown as DataValidationsHolder).dataValidations.add(`${t.lotColumns[f.champ]}${t.lotsFirstRow}:${t.lotColumns[f.champ]}${lastLotRow}`, validation);
	});
	header.font = { bold: true, color: { argb: 'FFFFFFFF' } };
	header.fill = SECTION_FILL;
	header.alignment = { wrapText: true, vertical: 'middle' };
	header.height = 36;
	await lots.protect('', { selectLockedCells: true, selectUnlockedCells: true, formatRows: true, formatColumns: true });

	// Feuille « Listes ».
	const lists = wb.addWorksheet(SHEETS.listes);
	const titles: Record<FicheListName, string> = {
		nature: 'Nature du marché',
		ccag: 'CCAG',
		procedure: 'Procédure',
		methodeEstimation: 'Méthode d\u2019estimation',
		mecanisme: 'Considération sociale',
		decp: 'DECP considerationsSociales',
		ouiNon: 'Oui / non',
		exemption: 'Cas d\u2019exemption (L2112-2-1)',
	};
	for (const name of LIST_NAMES) {
		const letter = t.listColumns[name];
		lists.getCell(`${letter}1`).value = titles[name];
		lists.getCell(`${letter}1`).font = { bold: true };
		listLabels(name).forEach((label, i) => (lists.getCell(`${letter}${i + 2}`).value = label));
		lists.getColumn(letter).width = 44;
	}
	await lists.protect('', { selectLockedCells: true, selectUnlockedCells: true });

	// Feuille « Instructions ».
	const help = wb.addWorksheet(SHEETS.instructions);
	help.getColumn(1).width = 120;
	INSTRUCTIONS.forEach((text, i) => {
		const cell = help.getCell(i + 1, 1);
		cell.value = text;
		cell.alignment = { wrapText: true, vertical: 'top' };
	});
	help.getCell('A1').font = { bold: true, size: 13 };
	return wb;
}

/** Valeur à écrire dans une cellule du formulaire pour une valeur de champ (pré-remplissage). */
function cellValueFor(f: FicheFieldInfo, value: unknown): ExcelJS.CellValue {
	if (value === undefined || value === null || value === '') return null;
	if (f.saisie === 'date' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(`${value}T00:00:00Z`);
	if (f.saisie === 'ouiNon' && typeof value === 'boolean') return value ? 'oui' : 'non';
	if (f.liste) {
		const list = FICHE_LISTS[f.liste] as Record<string, { libelle: string }>;
		const asLabel = (v: unknown) => (typeof v === 'string' && list[v] ? list[v].libelle : String(v));
		if (Array.isArray(value)) return value.map(asLabel).join(', ');
		return asLabel(value);
	}
	if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
	return String(value);
}

export interface FicheVisaPrefill {
	champs?: Partial<Record<FicheField, unknown>>;
	lots?: Array<Partial<Record<FicheLotField, unknown>>>;
	date?: string;
}

/**
 * Formulaire pré-rempli : valeurs au format du schéma (dates AAAA-MM-JJ, codes
 * de liste ou libellés, booléens) ou telles qu'un service les saisirait.
 */
export async function buildPrefilledFicheVisa(prefill: FicheVisaPrefill): Promise<Buffer> {
	const t = FICHE_VISA_TEMPLATE;
	const wb = await createFicheVisaWorkbook({ date: prefill.date });
	const ws = wb.getWorksheet(SHEETS.fiche)!;
	for (const f of FICHE_FIELDS) {
		const value = prefill.champs?.[f.champ];
		if (value !== undefined) ws.getCell(t.fieldCells[f.champ]).value = cellValueFor(f, value);
	}
	const lots = wb.getWorksheet(SHEETS.lots)!;
	(prefill.lots ?? []).forEach((lot, i) => {
		for (const f of FICHE_LOT_FIELDS) {
			const value = lot[f.champ];
			if (value !== undefined) lots.getCell(`${t.lotColumns[f.champ]}${t.lotsFirstRow + i}`).value = cellValueFor(f, value);
		}
	});
	return Buffer.from((await preparePrint(wb).xlsx.writeBuffer()) as ArrayBuffer);
}
