/**
 * Ouverture d'un classeur xlsx déposé par un utilisateur, avec une erreur
 * française pour chaque cas courant : pas un fichier Excel, ancien format .xls,
 * fichier protégé par mot de passe, fichier abîmé.
 */
import ExcelJS from 'exceljs';

import type { ReadLimits } from '../../core';
import { AnomalyError, DEFAULT_READ_LIMITS, ReadLimitError } from '../../core';
import { XmlCompleteness } from './xml-complete';
import { ZipArchive } from './ooxml';

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function startsWith(buffer: Buffer, signature: number[]): boolean {
	return signature.every((byte, index) => buffer[index] === byte);
}

/**
 * Ce que l'erreur touche, dans le fichier déjà nommé par « où » : le message se
 * lit « Fichier « scan.pdf », format : ce n’est pas un classeur Excel (.xlsx) »,
 * sans redire « fichier ».
 */
function fileAspect(regle: string): string {
	if (regle === 'fichier.vide' || regle === 'fichier.abime') return 'contenu';
	if (regle === 'fichier.limite') return 'taille';
	if (regle === 'fiche.version') return 'version du formulaire';
	if (regle === 'fiche.colonneManquante') return 'colonnes des lots';
	if (regle === 'fiche.feuilleManquante' || regle === 'fiche.pasUneFiche') return 'feuilles';
	return 'format';
}

export function fileError(fileName: string, message: string, correction: string, regle: string): AnomalyError {
	return new AnomalyError([
		{ gravite: 'erreur', champ: 'fichier', libelle: fileAspect(regle), ou: `fichier « ${fileName} »`, message, correction, regle },
	]);
}

/** Un nom de flux d'un conteneur OLE (CFB), tel qu'il s'écrit dans son répertoire (UTF-16LE). */
function hasOleStream(buffer: Buffer, name: string): boolean {
	return buffer.indexOf(Buffer.from(name, 'utf16le')) >= 0;
}

/**
 * Un conteneur OLE (CFB) : classeur .xlsx chiffré par un mot de passe à
 * l'ouverture (flux « EncryptionInfo » et « EncryptedPackage », MS-OFFCRYPTO
 * 2.3.4) ou classeur Excel 97-2003 (flux « Workbook », ou « Book » pour Excel
 * 5.0 et 95 ; MS-XLS 2.1.2). Sinon : on ne sait pas, les deux causes sont dites.
 */
function oleError(buffer: Buffer, fileName: string): AnomalyError {
	if (hasOleStream(buffer, 'EncryptedPackage')) {
		return fileError(
			fileName,
			'classeur protégé par un mot de passe à l\u2019ouverture : son contenu est chiffré et ne peut pas être contrôlé',
			'Ouvrez-le dans Excel, retirez le mot de passe (Fichier › Informations › Protéger le classeur › Chiffrer avec mot de passe : effacez-le), enregistrez-le et renvoyez-le. La protection des feuilles du formulaire, sans mot de passe, peut rester.',
			'fichier.protege',
		);
	}
	if (hasOleStream(buffer, 'Workbook') || hasOleStream(buffer, 'Book')) {
		return fileError(
			fileName,
			'classeur au format Excel 97-2003 (.xls), qui n\u2019est pas lu',
			'Enregistrez-le au format « Classeur Excel (.xlsx) » (Fichier › Enregistrer sous) et renvoyez-le ; pour une fiche visa, recopiez de préférence les saisies dans le formulaire vierge en vigueur.',
			'fichier.xls',
		);
	}
	return fileError(
		fileName,
		'fichier protégé par mot de passe ou enregistré au format Excel 97-2003 (.xls)',
		'Retirez le mot de passe à l\u2019ouverture (Fichier › Informations › Protéger le classeur) et enregistrez au format « Classeur Excel (.xlsx) ».',
		'fichier.protegeOuXls',
	);
}

/** Vérifie la signature du fichier avant toute lecture. */
export function assertXlsx(buffer: Buffer, fileName: string): void {
	if (buffer.length === 0) {
		throw fileError(fileName, 'le fichier est vide', 'Déposez le classeur Excel rempli (.xlsx).', 'fichier.vide');
	}
	if (startsWith(buffer, OLE)) throw oleError(buffer, fileName);
	if (!startsWith(buffer, ZIP)) {
		throw fileError(
			fileName,
			'ce n\u2019est pas un classeur Excel (.xlsx)',
			'Déposez le fichier au format « Classeur Excel (.xlsx) » ; un PDF, un CSV ou une image ne peuvent pas être lus.',
			'fichier.pasXlsx',
		);
	}
}

/** Limite de lecture dépassée : erreur française qui nomme le fichier, la partie, la limite et l'option qui la règle. */
export function limitFileError(fileName: string, error: ReadLimitError): AnomalyError {
	return fileError(
		fileName,
		error.message,
		`Vérifiez le fichier : un classeur ordinaire est loin de cette limite (fichier piégé, ou données collées par erreur). S\u2019il est légitime, augmentez l\u2019option « ${error.option} » du nœud.`,
		'fichier.limite',
	);
}

/** Classeur abîmé (archive, partie ou XML incomplets) : erreur française qui nomme le fichier. */
export function damagedFileError(fileName: string, detail: string): AnomalyError {
	return fileError(
		fileName,
		`le classeur est illisible ou abîmé (${detail})`,
		'Ouvrez-le dans Excel ou LibreOffice, vérifiez son contenu et enregistrez-le de nouveau au format « Classeur Excel (.xlsx) ».',
		'fichier.abime',
	);
}

/**
 * Avant de confier un classeur à exceljs (qui décompresse tout d'un bloc, sans
 * limite) : chaque partie est décompressée en flux sous les limites de
 * lecture, sans être gardée, ses cellules et lignes comptées, et chaque
 * document XML doit être complet.
 */
export async function inspectArchive(buffer: Buffer, limits: ReadLimits = DEFAULT_READ_LIMITS): Promise<void> {
	const archive = ZipArchive.read(buffer, limits);
	for (const name of archive.names()) {
		const stream = archive.stream(name)!;
		const xml = /\.(?:xml|rels)$/i.test(name);
		const sheet = /^xl\/worksheets\/[^/]+\.xml$/i.test(name);
		const completeness = xml ? new XmlCompleteness(name) : undefined;
		const decoder = new TextDecoder('utf-8');
		let rows = 0;
		for await (const chunk of stream) {
			if (!completeness) continue;
			const text = decoder.decode(chunk as Buffer, { stream: true });
			completeness.push(text);
			if (sheet) {
				// Compte approché (balises coupées entre deux morceaux non comptées) : exceljs lit ensuite la feuille entière.
				const cells = text.match(/<(?:\w+:)?c[\s>/]/g)?.length ?? 0;
				rows += text.match(/<(?:\w+:)?row[\s>/]/g)?.length ?? 0;
				archive.budget.addRow(name, rows, cells);
			}
		}
		completeness?.end();
	}
}

/** Charge un classeur complet (petits fichiers : listes de lots, relevés), sous les limites de lecture. */
export async function loadWorkbook(buffer: Buffer, fileName: string, limits: ReadLimits = DEFAULT_READ_LIMITS): Promise<ExcelJS.Workbook> {
	assertXlsx(buffer, fileName);
	try {
		await inspectArchive(buffer, limits);
	} catch (error) {
		if (error instanceof ReadLimitError) throw limitFileError(fileName, error);
		throw damagedFileError(fileName, error instanceof Error ? error.message : String(error));
	}
	const workbook = new ExcelJS.Workbook();
	let failure: unknown;
	try {
		await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
	} catch (error) {
		failure = error;
	}
	if (failure !== undefined) throw damagedFileError(fileName, failure instanceof Error ? failure.message : String(failure));
	return workbook;
}
