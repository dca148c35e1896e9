/**
 * Mise en page PDF d'un avis de pénalité (pdfkit) : lettre A4 en Helvetica
 * (police standard PDF, aucune police à embarquer), émetteur, destinataire,
 * références, objet, sections, tableau du calcul, signature, pagination.
 * Le document est reproductible : mêmes données, même fichier (date de
 * création fixée à la date de l'avis), ce qui permet de comparer l'empreinte
 * d'une lettre relue à celle de la lettre envoyée.
 */
import PDFDocument from 'pdfkit';

import type { LetterModel, LetterTable } from '../../core';

const MARGIN = 56;
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const BLUE = '#1F5FA8';

/** Caractères du codage WinAnsi (Windows-1252) hors Latin-1 : ceux que les polices standard savent dessiner. */
const CP1252_EXTRA = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
const REPLACEMENTS: Record<string, string> = {
	'\u2212': '-',
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

/**
 * Texte dessinable avec les polices standard du PDF (codage WinAnsi) : les
 * espaces fines deviennent insécables, les signes courants hors codage sont
 * transcrits (− → -, ≥ → >=), les lettres accentuées hors codage perdent leur
 * accent (ğ → g), le reste devient « ? ». Sans cela, pdfkit dessinerait des
 * caractères erronés sans rien signaler.
 */
export function toWinAnsi(text: string): string {
	let out = '';
	for (const char of text.replace(/[\u2007\u2009\u202f]/g, '\u00a0')) {
		const code = char.codePointAt(0)!;
		if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || code === 0x0a || CP1252_EXTRA.includes(char)) out += char;
		else if (REPLACEMENTS[char]) out += REPLACEMENTS[char];
		else {
			const base = char.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
			out += base.length > 0 && [...base].every((c) => c.charCodeAt(0) < 0x7f) ? base : '?';
		}
	}
	return out;
}

/** Le modèle de lettre, chaque texte rendu dessinable (voir toWinAnsi). */
function drawable(model: LetterModel): LetterModel {
	const t = toWinAnsi;
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

export interface PdfMeta {
	/** Date du document (AAAA-MM-JJ) : date de création du PDF. */
	date: string;
	auteur: string;
}

export async function renderLetterPdf(source: LetterModel, meta: PdfMeta): Promise<Buffer> {
	const model = drawable(source);
	const created = new Date(`${meta.date}T09:00:00Z`);
	const doc = new PDFDocument({
		size: 'A4',
		margins: { top: MARGIN, bottom: MARGIN + 14, left: MARGIN, right: MARGIN },
		bufferPages: true,
		lang: 'fr-FR',
		displayTitle: true,
		info: { Title: model.objet, Author: meta.auteur, Subject: model.titre, Creator: 'n8n-nodes-clauses-sociales', CreationDate: created, ModDate: created },
	});
	const chunks: Buffer[] = [];
	doc.on('data', (chunk: Buffer) => chunks.push(chunk));
	const done = new Promise<Buffer>((resolve, reject) => {
		doc.on('end', () => resolve(Buffer.concat(chunks)));
		doc.on('error', reject);
	});

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
