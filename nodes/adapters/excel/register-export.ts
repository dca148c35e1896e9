/**
 * Export du registre des clauses en classeur Excel daté, en lecture seule
 * (feuilles protégées) : feuilles « Registre » et « Relevés » dans la
 * disposition que lit l'import du classeur de suivi, et une feuille « À propos ».
 * Le classeur se réimporte tel quel : mêmes clauses, mêmes lignes.
 */
import ExcelJS from 'exceljs';

import { preparePrint } from './print';

import type { RegisterClause, ReportLine } from '../../core';
import { AGE_BANDS, CLAUSE_STATUSES, CONTRACT_TYPES, EMPLOYERS, MODALITIES, OUTCOMES, PUBLIC_CATEGORIES, SEXES, frenchLongDate } from '../../core';

type Kind = 'text' | 'number' | 'date' | 'month' | 'yesNo' | 'curve' | 'list' | { enum: Record<string, { libelle: string }> };

interface Column {
	header: string;
	field: string;
	width: number;
	kind: Kind;
}

/** Colonnes de la feuille « Registre » (intitulés reconnus par l'import). */
export const REGISTER_EXPORT_COLUMNS: Column[] = [
	{ header: 'N° marché', field: 'marche', width: 16, kind: 'text' },
	{ header: 'Objet du marché', field: 'objet', width: 40, kind: 'text' },
	{ header: 'N° lot', field: 'lot', width: 8, kind: 'text' },
	{ header: 'Intitulé du lot', field: 'intitule', width: 30, kind: 'text' },
	{ header: 'Titulaire', field: 'titulaire', width: 28, kind: 'text' },
	{ header: 'SIRET', field: 'siret', width: 16, kind: 'text' },
	{ header: 'Courriel du titulaire', field: 'emailTitulaire', width: 30, kind: 'text' },
	{ header: 'Contact du titulaire', field: 'contactTitulaire', width: 22, kind: 'text' },
	{ header: 'Heures dues', field: 'heuresDues', width: 12, kind: 'number' },
	{ header: 'Début d’exécution', field: 'debutExecution', width: 14, kind: 'date' },
	{ header: 'Fin d’exécution', field: 'finExecution', width: 14, kind: 'date' },
	{ header: 'Facilitateur', field: 'facilitateur', width: 28, kind: 'text' },
	{ header: 'Courriel du facilitateur', field: 'emailFacilitateur', width: 30, kind: 'text' },
	{ header: 'Acheteur', field: 'acheteur', width: 28, kind: 'text' },
	{ header: 'Courriel de l’acheteur', field: 'emailAcheteur', width: 30, kind: 'text' },
	{ header: 'Statut', field: 'statut', width: 16, kind: { enum: CLAUSE_STATUSES } },
	{ header: 'Montant HT', field: 'montantHT', width: 14, kind: 'number' },
	{ header: 'Montant annuel HT', field: 'montantAnnuelHT', width: 14, kind: 'number' },
	{ header: 'Courbe prévisionnelle', field: 'courbe', width: 30, kind: 'curve' },
	{ header: 'Copie des relances', field: 'copieRelances', width: 30, kind: 'list' },
	{ header: 'Nature', field: 'nature', width: 16, kind: 'text' },
	{ header: 'Mécanisme', field: 'mecanisme', width: 24, kind: 'text' },
	{ header: 'Territoire', field: 'territoire', width: 20, kind: 'text' },
	{ header: 'Date de notification', field: 'dateNotification', width: 14, kind: 'date' },
];

/** Colonnes de la feuille « Relevés » : une ligne par participant et par mois (version en vigueur). */
export const REPORT_EXPORT_COLUMNS: Column[] = [
	{ header: 'N° marché', field: 'marche', width: 16, kind: 'text' },
	{ header: 'N° lot', field: 'lot', width: 8, kind: 'text' },
	{ header: 'SIRET', field: 'siret', width: 16, kind: 'text' },
	{ header: 'Mois', field: 'mois', width: 10, kind: 'month' },
	{ header: 'Participant', field: 'participant', width: 14, kind: 'text' },
	{ header: 'Catégorie de public', field: 'categoriePublic', width: 34, kind: { enum: PUBLIC_CATEGORIES } },
	{ header: 'Éligibilité validée', field: 'eligibiliteValidee', width: 10, kind: 'yesNo' },
	{ header: 'Employeur', field: 'employeur', width: 24, kind: { enum: EMPLOYERS } },
	{ header: 'Modalité', field: 'modalite', width: 24, kind: { enum: MODALITIES } },
	{ header: 'Type de contrat', field: 'typeContrat', width: 22, kind: { enum: CONTRACT_TYPES } },
	{ header: 'Début du contrat', field: 'debutContrat', width: 14, kind: 'date' },
	{ header: 'Fin du contrat', field: 'finContrat', width: 14, kind: 'date' },
	{ header: 'Poste', field: 'poste', width: 20, kind: 'text' },
	{ header: 'Heures du mois', field: 'heuresMois', width: 10, kind: 'number' },
	{ header: 'Heures de formation', field: 'heuresFormation', width: 10, kind: 'number' },
	{ header: 'Justification', field: 'justification', width: 30, kind: 'text' },
	{ header: 'Date de réception', field: 'dateReception', width: 14, kind: 'date' },
	{ header: 'Version du relevé', field: 'version', width: 16, kind: 'text' },
	{ header: 'Correction', field: 'correction', width: 10, kind: 'yesNo' },
	{ header: 'Remplace', field: 'remplace', width: 16, kind: 'text' },
	{ header: 'Sexe', field: 'sexe', width: 10, kind: { enum: SEXES } },
	{ header: 'Tranche d’âge', field: 'trancheAge', width: 14, kind: { enum: AGE_BANDS } },
	{ header: 'Résident QPV', field: 'residentQpv', width: 10, kind: 'yesNo' },
	{ header: 'Situation à six mois', field: 'situationSixMois', width: 24, kind: { enum: OUTCOMES } },
];

function cellValue(value: unknown, kind: Kind): ExcelJS.CellValue {
	if (value === undefined || value === null) return null;
	if (typeof kind === 'object') return kind.enum[String(value)]?.libelle ?? String(value);
	switch (kind) {
		case 'date':
			return new Date(`${String(value)}T00:00:00Z`);
		case 'month': {
			const [year, month] = String(value).split('-');
			return `${month}/${year}`;
		}
		case 'yesNo':
			return value === true ? 'oui' : 'non';
		case 'curve':
			return (value as Array<{ mois: string; heuresCumulees: number }>).map((p) => `${p.mois}:${p.heuresCumulees}`).join(' ; ');
		case 'list':
			return (value as string[]).join(', ');
		case 'number':
			return typeof value === 'number' ? value : Number(value);
		default:
			return String(value);
	}
}

function addSheet(wb: ExcelJS.Workbook, name: string, columns: Column[], records: Array<Record<string, unknown>>): ExcelJS.Worksheet {
	const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
	ws.columns = columns.map((c) => ({
		header: c.header,
		key: c.field,
		width: c.width,
		style: c.kind === 'date' ? { numFmt: 'dd/mm/yyyy' } : c.kind === 'number' ? { numFmt: '#,##0.##' } : {},
	}));
	ws.getRow(1).font = { bold: true };
	for (const record of records) ws.addRow(columns.map((c) => cellValue(record[c.field], c.kind)));
	return ws;
}

export interface RegisterExport {
	/** « facilitateur » ou « acheteur », et son nom. */
	destinataire: { role: 'facilitateur' | 'acheteur'; nom: string };
	/** Date de l'export, AAAA-MM-JJ. */
	date: string;
	clauses: RegisterClause[];
	lines: ReportLine[];
	/** Mot de passe de la protection des feuilles (vide : protection sans mot de passe). */
	motDePasse?: string;
}

/** Classeur en lecture seule : feuilles protégées (sélection et largeur de colonnes permises). */
export async function buildRegisterExport(input: RegisterExport): Promise<Buffer> {
	const wb = new ExcelJS.Workbook();
	wb.creator = 'Registre des clauses';
	wb.created = new Date(`${input.date}T00:00:00Z`);
	const sheets = [
		addSheet(wb, 'Registre', REGISTER_EXPORT_COLUMNS, input.clauses as unknown as Array<Record<string, unknown>>),
		addSheet(wb, 'Relevés', REPORT_EXPORT_COLUMNS, input.lines as unknown as Array<Record<string, unknown>>),
	];
	const about = wb.addWorksheet('À propos');
	about.getColumn(1).width = 110;
	[
		`Registre des clauses sociales d’insertion — export du ${frenchLongDate(input.date)}`,
		`${input.destinataire.role === 'facilitateur' ? 'Facilitateur' : 'Acheteur'} : ${input.destinataire.nom}`,
		`${input.clauses.length} clause(s), ${input.lines.length} ligne(s) de relevé en vigueur.`,
		'Classeur en lecture seule : le registre fait foi. Les corrections se font dans le registre (ou en réimportant un classeur de suivi), pas dans cette copie.',
		'Feuille « Registre » : une ligne par clause. Feuille « Relevés » : une ligne par participant et par mois (version en vigueur de chaque relevé).',
	].forEach((line, i) => (about.getCell(i + 1, 1).value = line));
	about.getRow(1).font = { bold: true };
	sheets.push(about);
	for (const ws of sheets) {
		await ws.protect(input.motDePasse ?? '', { selectLockedCells: true, selectUnlockedCells: true, formatColumns: true, sort: false, autoFilter: false });
	}
	return Buffer.from((await preparePrint(wb).xlsx.writeBuffer()) as ArrayBuffer);
}
