/**
 * Ouverture d'un classeur xlsx déposé par un utilisateur, avec une erreur
 * française pour chaque cas courant : pas un fichier Excel, ancien format .xls,
 * fichier protégé par mot de passe, fichier abîmé.
 */
import ExcelJS from 'exceljs';

import { AnomalyError } from '../../core';

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function startsWith(buffer: Buffer, signature: number[]): boolean {
	return signature.every((byte, index) => buffer[index] === byte);
}

export function fileError(fileName: string, message: string, correction: string, regle: string): AnomalyError {
	return new AnomalyError([
		{ gravite: 'erreur', champ: 'fichier', libelle: 'fichier', ou: `fichier « ${fileName} »`, message, correction, regle },
	]);
}

/** Vérifie la signature du fichier avant toute lecture. */
export function assertXlsx(buffer: Buffer, fileName: string): void {
	if (buffer.length === 0) {
		throw fileError(fileName, 'le fichier est vide', 'Déposez le classeur Excel rempli (.xlsx).', 'fichier.vide');
	}
	if (startsWith(buffer, OLE)) {
		throw fileError(
			fileName,
			'fichier protégé par mot de passe ou enregistré au format Excel 97-2003 (.xls)',
			'Retirez le mot de passe à l\u2019ouverture (Fichier › Informations › Protéger le classeur) et enregistrez au format « Classeur Excel (.xlsx) ».',
			'fichier.protegeOuXls',
		);
	}
	if (!startsWith(buffer, ZIP)) {
		throw fileError(
			fileName,
			'ce n\u2019est pas un classeur Excel (.xlsx)',
			'Déposez le fichier au format « Classeur Excel (.xlsx) » ; un PDF, un CSV ou une image ne peuvent pas être lus.',
			'fichier.pasXlsx',
		);
	}
}

/** Charge un classeur complet (petits fichiers : listes de lots, fiches visa). */
export async function loadWorkbook(buffer: Buffer, fileName: string): Promise<ExcelJS.Workbook> {
	assertXlsx(buffer, fileName);
	const workbook = new ExcelJS.Workbook();
	let failure: unknown;
	try {
		await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
	} catch (error) {
		failure = error;
	}
	if (failure !== undefined) {
		const detail = failure instanceof Error ? ` (${failure.message})` : '';
		throw fileError(
			fileName,
			`le classeur est illisible ou abîmé${detail}`,
			'Ouvrez-le dans Excel ou LibreOffice, vérifiez son contenu et enregistrez-le de nouveau au format .xlsx.',
			'fichier.abime',
		);
	}
	return workbook;
}
