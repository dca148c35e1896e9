/**
 * Modèle de relevé mensuel des heures d'insertion, pré-rempli pour une clause :
 * le fichier joint aux relances, que le titulaire remplit et renvoie. Un en-tête
 * (marché, lot, titulaire, SIRET, mois) porté par des noms définis, puis un
 * tableau d'une ligne par participant, avec listes déroulantes et contrôles de
 * saisie. La réception des relevés lit ce même modèle (REPORT_TEMPLATE).
 */
import ExcelJS from 'exceljs';

import type { ClauseRecord, Intervenant } from '../../core';
import { DeflateTemplate, ZipArchive, columnLetter, xmlText } from './ooxml';
import { preparePrint } from './print';
import {
	AGE_BANDS,
	CONTRACT_TYPES,
	EMPLOYERS,
	MODALITIES,
	PUBLIC_CATEGORIES,
	SEXES,
	declaredEmployersNote,
	frenchMonth,
	frenchShortDate,
} from '../../core';

export const REPORT_TEMPLATE = {
	version: '2026.1',
	sheet: 'Relevé',
	listsSheet: 'Listes',
	instructionsSheet: 'Instructions',
	/** Noms définis des cellules d'en-tête. */
	names: {
		version: 'RELEVE_VERSION',
		marche: 'RELEVE_MARCHE',
		lot: 'RELEVE_LOT',
		titulaire: 'RELEVE_TITULAIRE',
		siret: 'RELEVE_SIRET',
		mois: 'RELEVE_MOIS',
	},
	headerRow: 11,
	firstDataRow: 12,
	dataRows: 60,
	/** Colonnes du tableau : champ du schéma ReportLine et intitulé. */
	columns: [
		{ field: 'participant', header: 'Participant (identifiant, pas de nom)', width: 22 },
		{ field: 'categoriePublic', header: 'Catégorie de public', width: 40 },
		{ field: 'eligibiliteValidee', header: 'Éligibilité validée par le facilitateur', width: 16 },
		{ field: 'employeur', header: 'Employeur', width: 26 },
		{ field: 'modalite', header: 'Modalité', width: 30 },
		{ field: 'typeContrat', header: 'Type de contrat', width: 24 },
		{ field: 'debutContrat', header: 'Début du contrat', width: 14 },
		{ field: 'finContrat', header: 'Fin du contrat', width: 14 },
		{ field: 'poste', header: 'Poste occupé', width: 22 },
		{ field: 'heuresMois', header: 'Heures du mois', width: 12 },
		{ field: 'heuresFormation', header: 'Heures de formation', width: 12 },
		{ field: 'mois', header: 'Mois (si différent de l\u2019en-tête)', width: 14 },
		{ field: 'justification', header: 'Justification (plus de 151,67 h, correction…)', width: 36 },
		{ field: 'sexe', header: 'Sexe (F / H)', width: 10 },
		{ field: 'trancheAge', header: 'Tranche d\u2019âge', width: 16 },
		{ field: 'residentQpv', header: 'Résident d\u2019un quartier prioritaire (QPV)', width: 16 },
		// Employeur nommé (sous-traitant, cotraitant, SIAE) : en fin de tableau, pour que les colonnes des modèles déjà envoyés gardent leur place.
		{ field: 'nomEmployeur', header: 'Raison sociale de l\u2019employeur', width: 28 },
		{ field: 'siretEmployeur', header: 'SIRET de l\u2019employeur', width: 17 },
	],
} as const;

const LISTS: Array<{ title: string; values: string[] }> = [
	{ title: 'Catégories de public', values: Object.values(PUBLIC_CATEGORIES).map((v) => v.libelle) },
	{ title: 'Employeurs', values: Object.values(EMPLOYERS).map((v) => v.libelle) },
	{ title: 'Modalités', values: Object.values(MODALITIES).map((v) => v.libelle) },
	{ title: 'Types de contrat', values: Object.values(CONTRACT_TYPES).map((v) => v.libelle) },
	{ title: 'Oui / non', values: ['oui', 'non'] },
	{ title: 'Sexe', values: Object.values(SEXES).map((v) => v.libelle) },
	{ title: 'Tranches d\u2019âge', values: Object.values(AGE_BANDS).map((v) => v.libelle) },
];

const LIST_FOR_FIELD: Record<string, number> = {
	categoriePublic: 0,
	employeur: 1,
	modalite: 2,
	typeContrat: 3,
	eligibiliteValidee: 4,
	residentQpv: 4,
	sexe: 5,
	trancheAge: 6,
};

export interface ReportTemplateInput {
	clause: Pick<ClauseRecord, 'marche' | 'lot' | 'titulaire' | 'siret' | 'intitule' | 'facilitateur' | 'emailFacilitateur' | 'heuresDues'>;
	mois: string;
	/** Entreprises déclarées sur la clause (registre) : nommées dans l'en-tête du relevé. */
	intervenants?: Intervenant[];
}

const PLACEHOLDERS = {
	marche: '\u27e6MARCHE\u27e7',
	lot: '\u27e6LOT\u27e7',
	titulaire: '\u27e6TITULAIRE\u27e7',
	siret: '\u27e6SIRET\u27e7',
	mois: '\u27e6MOIS\u27e7',
	moisLibelle: '\u27e6MOIS_LIBELLE\u27e7',
	facilitateur: '\u27e6FACILITATEUR\u27e7',
	heures: '\u27e6HEURES\u27e7',
	intervenants: '\u27e6INTERVENANTS\u27e7',
} as const;

const MARKER = /\u27e6[A-Z_]+\u27e7/g;

/**
 * Fabrique de modèles : le classeur est construit une fois par exécution avec
 * des marqueurs, puis chaque relevé ne remplace que les textes de l'en-tête
 * dans l'archive (ZipArchive : les autres parties gardent leurs données
 * compressées ; DeflateTemplate : les deux parties à trous sont compressées
 * d'avance, hors valeurs). Une cinquantaine de microsecondes par relevé, au
 * lieu d'une construction complète par exceljs.
 */
export class ReportTemplateFactory {
	private constructor(
		private readonly zip: ZipArchive,
		private readonly parts: Array<{ name: string; template: DeflateTemplate }>,
	) {}

	/** @param date date de création inscrite dans le modèle (AAAA-MM-JJ). */
	static async create(date: string): Promise<ReportTemplateFactory> {
		const zip = ZipArchive.read(await buildBaseTemplate(date));
		const parts = ['xl/sharedStrings.xml', 'docProps/core.xml']
			.filter((name) => zip.has(name))
			.map((name) => ({ name, template: new DeflateTemplate(zip.text(name)!, MARKER) }));
		return new ReportTemplateFactory(zip, parts);
	}

	/** Le modèle pré-rempli d'une clause (synchrone : l'archive de base n'est jamais vue à moitié modifiée). */
	render({ clause, mois, intervenants = [] }: ReportTemplateInput): Buffer {
		const values: Record<string, string> = {
			[PLACEHOLDERS.marche]: clause.marche,
			[PLACEHOLDERS.lot]: clause.lot,
			[PLACEHOLDERS.titulaire]: clause.titulaire,
			[PLACEHOLDERS.siret]: clause.siret,
			[PLACEHOLDERS.mois]: mois,
			[PLACEHOLDERS.moisLibelle]: frenchMonth(mois),
			[PLACEHOLDERS.facilitateur]: `${clause.facilitateur} \u2013 ${clause.emailFacilitateur}`,
			[PLACEHOLDERS.heures]: `${clause.heuresDues} h${clause.intitule ? ` \u2014 lot \u00ab ${clause.intitule} \u00bb` : ''}`,
			[PLACEHOLDERS.intervenants]: declaredEmployersNote(intervenants, mois),
		};
		const fill = (xml: string) => xml.replace(MARKER, (marker) => xmlText(values[marker] ?? ''));
		for (const { name, template } of this.parts) this.zip.setCompressed(name, template.render(fill));
		return this.zip.toBuffer();
	}
}

/** Un modèle, construit directement (sans fabrique). */
export async function buildReportTemplate(input: ReportTemplateInput & { date: string }): Promise<Buffer> {
	return (await ReportTemplateFactory.create(input.date)).render(input);
}

async function buildBaseTemplate(date: string): Promise<Buffer> {
	const t = REPORT_TEMPLATE;
	const wb = new ExcelJS.Workbook();
	wb.creator = 'n8n-nodes-clauses-sociales';
	wb.title = `Relevé des heures d\u2019insertion – ${PLACEHOLDERS.marche} lot ${PLACEHOLDERS.lot} – ${PLACEHOLDERS.moisLibelle}`;
	wb.created = new Date(`${date}T08:00:00Z`);
	wb.modified = wb.created;

	const ws = wb.addWorksheet(t.sheet, { views: [{ state: 'frozen', ySplit: t.headerRow }] });
	ws.getCell('A1').value = 'Relevé mensuel des heures d\u2019insertion';
	ws.getCell('A1').font = { bold: true, size: 14 };
	ws.getCell('A2').value =
		'Une ligne par participant, avec son employeur (titulaire, sous-traitant, cotraitant, SIAE…). Mois sans activité : une ligne « néant » avec 0 heure, une par employeur. Ne saisissez ni nom ni date de naissance : un identifiant suffit (le facilitateur tient la correspondance).';
	ws.getCell('A2').alignment = { wrapText: true };
	ws.mergeCells('A2:I2');
	ws.getRow(2).height = 32;
	const header: Array<[string, string, string]> = [
		['Marché', t.names.marche, PLACEHOLDERS.marche],
		['Lot', t.names.lot, PLACEHOLDERS.lot],
		['Titulaire', t.names.titulaire, PLACEHOLDERS.titulaire],
		['SIRET', t.names.siret, PLACEHOLDERS.siret],
		['Mois du relevé', t.names.mois, PLACEHOLDERS.mois],
	];
	header.forEach(([label, name, value], i) => {
		const row = 4 + i;
		ws.getCell(row, 1).value = label;
		ws.getCell(row, 1).font = { bold: true };
		const cell = ws.getCell(row, 2);
		cell.value = value;
		cell.numFmt = '@';
		wb.definedNames.add(`'${t.sheet}'!$B$${row}`, name);
	});
	ws.getCell(8, 3).value = `(${PLACEHOLDERS.moisLibelle})`;
	ws.getCell(9, 1).value = 'Facilitateur';
	ws.getCell(9, 1).font = { bold: true };
	ws.getCell(9, 2).value = PLACEHOLDERS.facilitateur;
	ws.getCell(4, 4).value = `Heures dues au marché : ${PLACEHOLDERS.heures}`;
	ws.getCell(5, 4).value = `Modèle ${t.version} du ${frenchShortDate(date)}`;
	ws.getCell(5, 4).font = { italic: true, color: { argb: 'FF666666' } };
	// Entreprises déclarées sur la clause (vide s'il n'y en a pas), à reprendre dans les colonnes de l'employeur.
	ws.getCell(6, 4).value = PLACEHOLDERS.intervenants;
	ws.getCell(6, 4).alignment = { wrapText: true, vertical: 'top' };
	ws.mergeCells(6, 4, 8, 11);
	ws.getCell(10, 1).value = t.version;
	ws.getCell(10, 1).font = { color: { argb: 'FFFFFFFF' } };
	wb.definedNames.add(`'${t.sheet}'!$A$10`, t.names.version);

	const headerRow = ws.getRow(t.headerRow);
	t.columns.forEach((col, i) => {
		const cell = headerRow.getCell(i + 1);
		cell.value = col.header;
		ws.getColumn(i + 1).width = col.width;
	});
	headerRow.font = { bold: true, color: { argb: 'FFFFFFFF' } };
	headerRow.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1F5FA8' } };
	headerRow.alignment = { wrapText: true, vertical: 'middle' };
	headerRow.height = 42;

	// Listes de valeurs sur une feuille à part.
	const lists = wb.addWorksheet(t.listsSheet);
	LISTS.forEach((list, i) => {
		lists.getCell(1, i + 1).value = list.title;
		lists.getCell(1, i + 1).font = { bold: true };
		list.values.forEach((value, j) => (lists.getCell(j + 2, i + 1).value = value));
		lists.getColumn(i + 1).width = 48;
	});

	const last = t.firstDataRow + t.dataRows - 1;
	t.columns.forEach((col, i) => {
		const letter = columnLetter(i + 1);
		const listIndex = LIST_FOR_FIELD[col.field];
		for (let r = t.firstDataRow; r <= last; r++) {
			const cell = ws.getCell(`${letter}${r}`);
			if (listIndex !== undefined) {
				const listLetter = columnLetter(listIndex + 1);
				const count = LISTS[listIndex].values.length;
				cell.dataValidation = {
					type: 'list',
					allowBlank: true,
					formulae: [`'${t.listsSheet}'!$${listLetter}$2:$${listLetter}$${count + 1}`],
					showErrorMessage: true,
					errorTitle: 'Valeur non prévue',
					error: `Choisissez une valeur de la liste « ${LISTS[listIndex].title} ».`,
				};
			} else if (col.field === 'heuresMois' || col.field === 'heuresFormation') {
				cell.dataValidation = {
					type: 'decimal',
					operator: 'between',
					allowBlank: true,
					formulae: [0, 744],
					showErrorMessage: true,
					errorTitle: 'Nombre d\u2019heures',
					error: 'Saisissez un nombre d\u2019heures positif (au plus 744 h dans un mois).',
				};
				cell.numFmt = '0.##';
			} else if (col.field === 'debutContrat' || col.field === 'finContrat') {
				cell.dataValidation = {
					type: 'date',
					operator: 'greaterThan',
					allowBlank: true,
					formulae: [new Date(Date.UTC(2000, 0, 1))],
					showErrorMessage: true,
					errorTitle: 'Date',
					error: 'Saisissez une date au format JJ/MM/AAAA.',
				};
				cell.numFmt = 'dd/mm/yyyy';
			} else if (col.field === 'siretEmployeur') {
				// Quatorze chiffres gardés en texte (sinon Excel les change en nombre, voire en notation scientifique).
				cell.numFmt = '@';
			}
		}
	});

	const help = wb.addWorksheet(t.instructionsSheet);
	help.getColumn(1).width = 110;
	[
		'Comment remplir ce relevé',
		'',
		'1. Une ligne par personne ayant travaillé sur le marché au titre de la clause d\u2019insertion pendant le mois indiqué en en-tête.',
		'2. Participant : un identifiant stable (par ex. les initiales et un numéro) ; aucun nom, aucune date de naissance.',
		'3. Catégorie de public, employeur, modalité, type de contrat, sexe, tranche d\u2019âge et résidence en quartier prioritaire : choisissez dans les listes déroulantes (le facilitateur vous les indique s\u2019il les connaît).',
		'4. Heures du mois : heures travaillées au titre de la clause ; les heures de formation se déclarent à part.',
		'5. Au-delà de 151,67 heures pour une personne dans le mois (temps plein), justifiez dans la dernière colonne.',
		'6. Employeur : le type d\u2019employeur dans la liste ; pour un sous-traitant, un cotraitant ou une structure d\u2019insertion, sa raison sociale et son SIRET (14 chiffres) dans les deux dernières colonnes. Sans raison sociale ni SIRET, la ligne compte pour le titulaire.',
		'7. Mois sans activité d\u2019insertion : une ligne avec « néant » comme participant et 0 heure ; une par employeur (titulaire, chaque sous-traitant ou cotraitant), avec sa raison sociale et son SIRET.',
		'8. Pour corriger un mois déjà transmis, renvoyez le relevé de ce mois complet, en indiquant le mois concerné.',
		'9. Renvoyez le fichier rempli au facilitateur, sans modifier l\u2019en-tête.',
	].forEach((line, i) => {
		help.getCell(i + 1, 1).value = line;
		help.getCell(i + 1, 1).alignment = { wrapText: true };
	});
	help.getCell(1, 1).font = { bold: true, size: 13 };

	return Buffer.from((await preparePrint(wb).xlsx.writeBuffer()) as ArrayBuffer);
}

export function reportFileName(clause: { marche: string; lot: string }, mois: string): string {
	const safe = (v: string) => v.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9_-]+/g, '-');
	return `releve-heures-insertion-${safe(clause.marche)}-lot-${safe(clause.lot)}-${mois}.xlsx`;
}
