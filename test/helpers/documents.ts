/** Relecture des documents produits : texte d'un PDF (pdf-parse, voir pdf-text.cjs). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pdfTextSync } = require('./pdf-text.cjs') as { pdfTextSync(buffer: Buffer): { text: string; pages: number } };

/** Texte d'un PDF, espaces normalisés (espaces insécables et retours à la ligne deviennent des espaces simples). */
export async function pdfText(buffer: Buffer): Promise<{ text: string; pages: number }> {
	const { text, pages } = pdfTextSync(buffer);
	return { text: text.replace(/[\s\u00a0\u202f]+/g, ' '), pages };
}
