/**
 * Intégrité d'un classeur avant de s'en servir comme source : chaque partie
 * XML de l'archive doit se décompresser en entier et se terminer par la
 * fermeture de son élément racine. Une feuille coupée en cours d'écriture
 * (processus arrêté, copie interrompue) se lit sinon sans erreur jusqu'à la
 * coupure : ses premières lignes passeraient pour le classeur entier.
 */
import { ZipArchive } from './ooxml';
import { assertXlsx, damagedFileError } from './workbook';

const CLOSED = /(?:<\/[A-Za-z_][\w.:-]*\s*>|\/>)\s*$/;

/** Fin (quelques centaines de caractères) d'une partie, décompressée en flux ; lève une erreur si la décompression échoue. */
async function tailOf(archive: ZipArchive, name: string): Promise<string> {
	const stream = archive.stream(name);
	if (!stream) return '';
	let tail = '';
	for await (const chunk of stream) tail = (tail + (chunk as Buffer).toString('latin1')).slice(-512);
	return tail;
}

/**
 * Refuse un classeur dont une partie XML est incomplète, avec une erreur
 * française qui nomme le fichier et la partie.
 */
export async function assertCompleteWorkbook(buffer: Buffer, fileName: string): Promise<void> {
	assertXlsx(buffer, fileName);
	let archive: ZipArchive;
	try {
		archive = ZipArchive.read(buffer);
	} catch (error) {
		throw damagedFileError(fileName, error instanceof Error ? error.message : String(error));
	}
	for (const name of archive.names()) {
		if (!/\.(xml|rels)$/i.test(name)) continue;
		let tail: string;
		try {
			tail = await tailOf(archive, name);
		} catch (error) {
			throw damagedFileError(fileName, `partie « ${name} » : ${error instanceof Error ? error.message : String(error)}`);
		}
		if (!CLOSED.test(tail)) {
			throw damagedFileError(fileName, `partie « ${name} » incomplète : son XML s’arrête avant la fin`);
		}
	}
}
