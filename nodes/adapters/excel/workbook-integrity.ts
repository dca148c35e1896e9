/**
 * Intégrité d'un classeur avant de s'en servir comme source : chaque partie
 * XML de l'archive doit se décompresser en entier et se terminer par la
 * fermeture de son élément racine. Une feuille coupée en cours d'écriture
 * (processus arrêté, copie interrompue) se lit sinon sans erreur jusqu'à la
 * coupure : ses premières lignes passeraient pour le classeur entier.
 */
import { assertXlsx, fileError } from './workbook';
import { ZipArchive } from './zip-archive';

const CLOSED = /(?:<\/[A-Za-z_][\w.:-]*\s*>|\/>)\s*$/;

const CORRECTION =
	'Le fichier est incomplet ou abîmé : reprenez la dernière version complète du classeur (ou ouvrez-le dans Excel ou LibreOffice et enregistrez-le de nouveau au format .xlsx), puis relancez. Rien n’a été lu de ce fichier.';

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
		throw fileError(fileName, `le classeur est illisible ou abîmé (${(error as Error).message})`, CORRECTION, 'fichier.abime');
	}
	for (const name of archive.names()) {
		if (!/\.(xml|rels)$/i.test(name)) continue;
		let tail: string;
		try {
			tail = await tailOf(archive, name);
		} catch (error) {
			throw fileError(fileName, `le classeur est illisible ou abîmé (partie « ${name} » : ${(error as Error).message})`, CORRECTION, 'fichier.abime');
		}
		if (!CLOSED.test(tail)) {
			throw fileError(fileName, `le classeur est illisible ou abîmé (partie « ${name} » incomplète : son XML s’arrête avant la fin)`, CORRECTION, 'fichier.abime');
		}
	}
}
