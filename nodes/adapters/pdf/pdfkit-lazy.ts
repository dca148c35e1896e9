/**
 * pdfkit chargé au premier document, pas au chargement du paquet : pdfkit,
 * fontkit et leurs tables (Unicode, chiffrement AES) se décompressent à
 * l'initialisation, ce qui ralentissait le chargement de tous les nœuds pour
 * les deux seuls qui font des PDF (mesure dans docs/technique.md).
 */
import type PDFDocumentClass from 'pdfkit';

let loading: Promise<typeof PDFDocumentClass> | undefined;

export function loadPdfKit(): Promise<typeof PDFDocumentClass> {
	loading ??= import('pdfkit').then((m) => m.default);
	return loading;
}

/** Le contenu du document, rendu quand le document est terminé (`doc.end()`) ; à demander avant d'y écrire. */
export function pdfContent(doc: PDFKit.PDFDocument): Promise<Buffer> {
	const chunks: Buffer[] = [];
	doc.on('data', (chunk: Buffer) => chunks.push(chunk));
	return new Promise<Buffer>((resolve, reject) => {
		doc.on('end', () => resolve(Buffer.concat(chunks)));
		doc.on('error', reject);
	});
}
