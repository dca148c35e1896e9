/**
 * Mise en page PDF d'un avis de pénalité (pdfkit) : lettre A4, archivable
 * (PDF/A-2b : polices embarquées, profil de couleur sRGB, métadonnées XMP),
 * émetteur, destinataire, mode d'envoi, références, objet, sections, tableau du
 * calcul, signature, pagination. Police Arimo embarquée (sous-ensemble des
 * glyphes employés), aux métriques d'Helvetica.
 * Le document est reproductible : mêmes données, même fichier (date de
 * création fixée à la date de l'avis), ce qui permet de comparer l'empreinte
 * d'une lettre relue à celle de la lettre envoyée.
 */

import type { LetterModel, LetterTable } from '../../core';
import { LETTER_FONTS } from './fonts';
import { loadPdfKit, pdfContent } from './pdfkit-lazy';

const MARGIN = 56;
const FONT = LETTER_FONTS.regular.name;
const BOLD = LETTER_FONTS.bold.name;
const BLUE = '#1F5FA8';

/** Signes courants absents du jeu latin de la police : transcrits plutôt que remplacés par un carré vide. */
const REPLACEMENTS: Record<string, string> = {
	// Espaces fines et de chiffres : insécables ordinaires.
	'\u202f': '\u00a0',
	'\u2009': '\u00a0',
	'\u2007': '\u00a0',
	'\u2010': '-',
	'\u2011': '-',
	'\u2192': '->',
	'\u2190': '<-',
	'\u2264': '<=',
	'\u2265': '>=',
	'\u2260': '!=',
	'\u2248': '~',
	'\u0141': 'L',
	'\u0142': 'l',
	'\u0110': 'D',
	'\u0111': 'd',
};

type GlyphCheck = (codePoint: number) => boolean;

/**
 * Texte dessinable avec la police embarquée : un caractère qu'elle sait dessiner
 * passe tel quel ; sinon, les signes courants sont transcrits (≥ → >=), les
 * lettres accentuées perdent leur accent (ğ → g), le reste devient « ? ». Sans
 * cela, pdfkit dessinerait un glyphe vide sans rien signaler.
 */
export function drawableText(text: string, hasGlyph: GlyphCheck): string {
	let out = '';
	for (const char of text) {
		const code = char.codePointAt(0)!;
		if (code === 0x0a || hasGlyph(code)) out += char;
		else if (REPLACEMENTS[char]) out += REPLACEMENTS[char];
		else {
			const base = char.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
			out += base.length > 0 && [...base].every((c) => hasGlyph(c.codePointAt(0)!)) ? base : '?';
		}
	}
	return out;
}

/** Le modèle de lettre, chaque texte rendu dessinable (voir drawableText). */
function drawable(model: LetterModel, hasGlyph: GlyphCheck): LetterModel {
	const t = (text: string) => drawableText(text, hasGlyph);
	const table = (tab?: LetterTable) => tab && { colonnes: tab.colonnes.map(t), lignes: tab.lignes.map((r) => r.map(t)), pied: tab.pied.map((r) => r.map(t)) };
	return {
		...model,
		titre: t(model.titre),
		emetteur: model.emetteur.map(t),
		destinataire: model.destinataire.map(t),
		mentionEnvoi: model.mentionEnvoi && t(model.mentionEnvoi),
		lieuDate: t(model.lieuDate),
		references: model.references.map(([k, v]) => [t(k), t(v)] as [string, string]),
		objet: t(model.objet),
		salutation: t(model.salutation),
		sections: model.sections.map((sec) => ({ titre: sec.titre && t(sec.titre), paragraphes: sec.paragraphes.map(t), tableau: table(sec.tableau) })),
		formule: t(model.formule),
		signature: model.signature.map(t),
	};
}

/** Les glyphes de la police courante de pdfkit (objet fontkit, non typé par @types/pdfkit). */
function fontGlyphs(doc: PDFKit.PDFDocument): GlyphCheck {
	const current: unknown = Reflect.get(doc, '_font');
	const font: unknown = current !== null && typeof current === 'object' ? Reflect.get(current, 'font') : undefined;
	const has: unknown = font !== null && typeof font === 'object' ? Reflect.get(font, 'hasGlyphForCodePoint') : undefined;
	if (typeof has !== 'function') throw new Error('pdfkit : jeu de caractères de la police embarquée illisible (version de pdfkit changée ?)');
	return (code) => Boolean(has.call(font, code));
}

export interface PdfMeta {
	/** Date du document (AAAA-MM-JJ) : date de création du PDF. */
	date: string;
	auteur: string;
}

export async function renderLetterPdf(source: LetterModel, meta: PdfMeta): Promise<Buffer> {
	const created = new Date(`${meta.date}T09:00:00Z`);
	const PDFKit = await loadPdfKit();
	const doc = new PDFKit({
		size: 'A4',
		margins: { top: MARGIN, bottom: MARGIN + 14, left: MARGIN, right: MARGIN },
		bufferPages: true,
		// PDF/A-2b (ISO 19005-2, niveau b) : archivage de la lettre envoyée.
		subset: 'PDF/A-2b',
		pdfVersion: '1.7',
		lang: 'fr-FR',
		displayTitle: true,
		info: { Title: source.objet, Author: meta.auteur, Subject: source.titre, Creator: 'n8n-nodes-clauses-sociales', CreationDate: created, ModDate: created },
	});
	doc.registerFont(FONT, LETTER_FONTS.regular.data);
	doc.registerFont(BOLD, LETTER_FONTS.bold.data);
	// Tout le texte est écrit dans ces polices (la police standard par défaut de
	// pdfkit, jamais employée, n'est pas écrite dans le fichier). Les deux graisses
	// ont le même jeu de caractères : un seul contrôle suffit.
	const model = drawable(source, fontGlyphs(doc.font(FONT)));
	const done = pdfContent(doc);

	const width = doc.page.width - MARGIN * 2;
	// En-tête : émetteur à gauche, destinataire à droite.
	const top = doc.y;
	doc.font(BOLD).fontSize(11).fillColor(BLUE).text(model.emetteur[0] ?? '', MARGIN, top, { width: width / 2 - 10 });
	doc.font(FONT).fontSize(9).fillColor('black');
	for (const line of model.emetteur.slice(1)) doc.text(line, { width: width / 2 - 10 });
	const leftBottom = doc.y;
	const right = MARGIN + width / 2 + 20;
	doc.font(BOLD).fontSize(10).text(model.destinataire[0] ?? '', right, top + 60, { width: width / 2 - 20 });
	doc.font(FONT).fontSize(10);
	for (const line of model.destinataire.slice(1)) doc.text(line, right, doc.y, { width: width / 2 - 20 });
	doc.y = Math.max(doc.y, leftBottom) + 18;
	if (model.mentionEnvoi) doc.font(FONT).fontSize(9).text(model.mentionEnvoi, right, doc.y, { width: width / 2 - 20 });
	doc.font(FONT).fontSize(10).text(model.lieuDate, right, doc.y + 6, { width: width / 2 - 20 });
	doc.moveDown(1.5);

	// Titre, objet, références.
	doc.x = MARGIN;
	doc.font(BOLD).fontSize(14).fillColor(BLUE).text(model.titre.toUpperCase(), MARGIN, doc.y, { width, align: 'center' });
	doc.fillColor('black').moveDown(0.6);
	doc.font(BOLD).fontSize(10).text('Objet : ', MARGIN, doc.y, { continued: true, width }).font(FONT).text(model.objet);
	doc.moveDown(0.5);
	for (const [label, value] of model.references) {
		doc.font(BOLD).fontSize(9).text(`${label} : `, MARGIN, doc.y, { continued: true, width }).font(FONT).text(value);
	}
	doc.moveDown(1);
	doc.font(FONT).fontSize(10).text(model.salutation, MARGIN, doc.y, { width });
	doc.moveDown(0.6);

	for (const section of model.sections) {
		if (section.titre) {
			ensureSpace(doc, 40);
			doc.font(BOLD).fontSize(10.5).fillColor(BLUE).text(section.titre, MARGIN, doc.y, { width });
			doc.fillColor('black').moveDown(0.2);
		}
		for (const paragraph of section.paragraphes) {
			doc.font(FONT).fontSize(10).text(paragraph, MARGIN, doc.y, { width, align: 'justify' });
			doc.moveDown(0.5);
		}
		if (section.tableau) drawTable(doc, section.tableau, width);
		doc.moveDown(0.4);
	}
	ensureSpace(doc, 90);
	doc.font(FONT).fontSize(10).text(model.formule, MARGIN, doc.y, { width, align: 'justify' });
	doc.moveDown(1.5);
	for (const line of model.signature) doc.text(line, right, doc.y, { width: width / 2 - 20 });

	// Pied de page : objet abrégé et pagination.
	const range = doc.bufferedPageRange();
	for (let i = range.start; i < range.start + range.count; i++) {
		doc.switchToPage(i);
		// Sous la marge basse : sans la lever, pdfkit ouvrirait une page pour ce texte.
		doc.page.margins.bottom = 0;
		const y = doc.page.height - MARGIN + 6;
		doc.font(FONT).fontSize(8).fillColor('#555555');
		doc.text(`${model.titre} – ${model.references[0]?.[1] ?? ''}`, MARGIN, y, { width: width - 60, lineBreak: false, ellipsis: true, height: 10 });
		doc.text(`Page ${i - range.start + 1} / ${range.count}`, MARGIN + width - 60, y, { width: 60, align: 'right', lineBreak: false });
		doc.fillColor('black');
	}
	doc.end();
	return done;
}

function ensureSpace(doc: PDFKit.PDFDocument, height: number): void {
	if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
}

function drawTable(doc: PDFKit.PDFDocument, table: LetterTable, width: number): void {
	const widths = [width * 0.42, width * 0.36, width * 0.22];
	const pad = 4;
	const row = (cells: string[], options: { bold?: boolean; fill?: string; color?: string }) => {
		doc.font(options.bold ? BOLD : FONT).fontSize(9);
		const heights = cells.map((cell, i) => doc.heightOfString(cell || ' ', { width: widths[i] - pad * 2 }));
		const height = Math.max(...heights) + pad * 2;
		ensureSpace(doc, height);
		const y = doc.y;
		let x = MARGIN;
		if (options.fill) doc.rect(MARGIN, y, width, height).fill(options.fill);
		doc.fillColor(options.color ?? 'black');
		cells.forEach((cell, i) => {
			doc.text(cell, x + pad, y + pad, { width: widths[i] - pad * 2, align: i === cells.length - 1 ? 'right' : 'left' });
			x += widths[i];
		});
		doc.fillColor('black');
		doc.rect(MARGIN, y, width, height).lineWidth(0.5).strokeColor('#999999').stroke();
		doc.x = MARGIN;
		doc.y = y + height;
	};
	row(table.colonnes, { bold: true, fill: BLUE, color: 'white' });
	for (const cells of table.lignes) row(cells, {});
	for (const cells of table.pied) row(cells, { bold: true, fill: '#E8EEF7' });
	doc.moveDown(0.6);
}
