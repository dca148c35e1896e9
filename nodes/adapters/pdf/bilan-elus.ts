/**
 * Mise en page PDF du « Bilan pour les élus » (pdfkit) : une page de synthèse
 * (chiffres clés, commentaire, heures par mois), deux pages de graphiques
 * dessinés avec l'API vectorielle de pdfkit (aucune bibliothèque de graphiques),
 * une page de détail (tableaux, méthode, sources), et, quand le bilan vient du
 * registre, la page des autres considérations sociales. Police des lettres (Arimo,
 * voir fonts.ts) embarquée en sous-ensemble des seuls caractères employés.
 * Document reproductible : mêmes données, même fichier.
 */
import type PDFDocument from 'pdfkit';

import type { BilanDocument, ChartSpec, TableSpec } from '../../core';
import { formatHours, formatNumber, formatPercent } from '../../core';
import { LETTER_FONTS } from './fonts';
import { loadPdfKit, pdfContent } from './pdfkit-lazy';

const MARGIN = 42;
const BLUE = '#1F5FA8';
const LIGHT_BLUE = '#8DB3E2';
const GREY = '#C8CED6';
const DARK = '#222222';
const MUTED = '#5A5A5A';
const RED = '#C0392B';
const FONT = LETTER_FONTS.regular.name;
const BOLD = LETTER_FONTS.bold.name;

/** Couleurs des barres : première et seconde série (les tests les retrouvent dans l'image rendue). */
export const BILAN_CHART_COLORS = { serie1: BLUE, serie2: LIGHT_BLUE, complement: GREY };

export interface DrawnChart {
	id: string;
	titre: string;
	/** Page (à partir de 1) et cadre du graphique, en points depuis le coin haut gauche. */
	page: number;
	x: number;
	y: number;
	largeur: number;
	hauteur: number;
	/** Barres dessinées avec une longueur non nulle. */
	barres: number;
}

export interface BilanPdf {
	buffer: Buffer;
	graphiques: DrawnChart[];
	pages: number;
}

type Doc = InstanceType<typeof PDFDocument>;

function unitText(value: number, unite: ChartSpec['unite']): string {
	if (unite === 'h') return formatHours(Math.round(value));
	if (unite === '%') return formatPercent(value);
	return formatNumber(value);
}

/** Maximum « rond » de l'axe : 1, 2, 2,5 ou 5 × 10^n au-dessus du plus grand nombre. */
function niceMax(value: number): number {
	if (value <= 0) return 1;
	const power = 10 ** Math.floor(Math.log10(value));
	for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
	return 10 * power;
}

function ellipsis(doc: Doc, text: string, width: number): string {
	if (doc.widthOfString(text) <= width) return text;
	let out = text;
	while (out.length > 1 && doc.widthOfString(`${out}…`) > width) out = out.slice(0, -1);
	return `${out.trimEnd()}…`;
}

/** Un graphique dans son cadre ; rend le nombre de barres de longueur non nulle. */
function drawChart(doc: Doc, spec: ChartSpec, x: number, y: number, width: number, height: number): number {
	doc.font(BOLD).fontSize(10).fillColor(DARK).text(spec.titre, x, y, { width, lineBreak: false });
	let top = y + 16;
	const empty = spec.barres.length === 0 || spec.barres.every((b) => b.valeur <= 0 && (b.valeur2 ?? 0) <= 0);
	if (spec.legende && !empty) {
		const colors = spec.type === 'empilees' ? [BLUE, GREY] : [BLUE, LIGHT_BLUE];
		let lx = x;
		doc.font(FONT).fontSize(7.5);
		spec.legende.forEach((text, i) => {
			doc.rect(lx, top + 1, 8, 8).fill(colors[i]);
			doc.fillColor(MUTED).text(text, lx + 11, top, { lineBreak: false });
			lx += 11 + doc.widthOfString(text) + 14;
		});
		top += 14;
	}
	const bottom = y + height - (spec.note ? 12 : 0);
	if (spec.note) doc.font(FONT).fontSize(7).fillColor(MUTED).text(spec.note, x, bottom + 2, { width, lineBreak: false });
	const values = spec.barres.flatMap((b) => (spec.type === 'empilees' ? [b.valeur + (b.valeur2 ?? 0)] : [b.valeur, b.valeur2 ?? 0]));
	const highest = Math.max(...values, spec.repere ?? 0, 0) * (spec.type === 'colonnes' ? 1.12 : 1);
	// Des marchés ou des personnes se comptent en entiers : graduations entières (quatre intervalles).
	const max = spec.unite === 'marchés' || spec.unite === 'personnes' ? Math.max(4, Math.ceil(highest / 4) * 4) : niceMax(highest);
	if (empty) {
		doc.font(FONT).fontSize(9).fillColor(MUTED).text('Aucune donnée sur la période.', x, top + 20, { width, align: 'center' });
		return 0;
	}
	let drawn = 0;
	doc.lineWidth(0.4);
	if (spec.type === 'colonnes') {
		const axisBottom = bottom - 16;
		const plotLeft = x + 34;
		const plotWidth = width - 34;
		for (let i = 0; i <= 4; i++) {
			const gy = axisBottom - ((axisBottom - top) * i) / 4;
			doc.moveTo(plotLeft, gy).lineTo(x + width, gy).strokeColor('#E3E3E3').stroke();
			doc.font(FONT).fontSize(6.5).fillColor(MUTED).text(formatNumber((max * i) / 4), x, gy - 3, { width: 30, align: 'right', lineBreak: false });
		}
		const slot = plotWidth / spec.barres.length;
		const barWidth = Math.min(36, slot * 0.7);
		spec.barres.forEach((b, i) => {
			const h = ((axisBottom - top) * Math.max(0, b.valeur)) / max;
			const bx = plotLeft + slot * i + (slot - barWidth) / 2;
			if (h > 0) {
				doc.rect(bx, axisBottom - h, barWidth, h).fill(BLUE);
				drawn++;
			}
			doc.font(FONT).fontSize(6.5).fillColor(MUTED).text(b.libelle, plotLeft + slot * i, axisBottom + 3, { width: slot, align: 'center', lineBreak: false });
			if (spec.barres.length <= 14 && b.valeur > 0) {
				doc.fillColor(DARK).text(formatNumber(Math.round(b.valeur)), plotLeft + slot * i - 4, axisBottom - h - 9, { width: slot + 8, align: 'center', lineBreak: false });
			}
		});
		doc.moveTo(plotLeft, axisBottom).lineTo(x + width, axisBottom).strokeColor('#999999').stroke();
		return drawn;
	}
	// Barres horizontales : libellés à gauche, valeurs au bout des barres.
	const labelWidth = Math.min(190, width * 0.36);
	const plotLeft = x + labelWidth + 6;
	const plotWidth = width - labelWidth - 6 - (spec.type === 'empilees' ? 130 : 46);
	const rowHeight = Math.min(spec.type === 'doubles' ? 24 : 18, (bottom - top - 12) / spec.barres.length);
	const scale = (v: number) => (plotWidth * Math.max(0, v)) / max;
	for (let i = 0; i <= 4; i++) {
		const gx = plotLeft + (plotWidth * i) / 4;
		doc.moveTo(gx, top).lineTo(gx, top + rowHeight * spec.barres.length).strokeColor('#E3E3E3').stroke();
		doc.font(FONT).fontSize(6.5).fillColor(MUTED).text(unitText((max * i) / 4, spec.unite), gx - 25, top + rowHeight * spec.barres.length + 2, { width: 50, align: 'center', lineBreak: false });
	}
	spec.barres.forEach((b, i) => {
		const ry = top + rowHeight * i;
		doc.font(FONT).fontSize(7.5).fillColor(DARK).text(ellipsis(doc, b.libelle, labelWidth), x, ry + rowHeight / 2 - 4.5, { width: labelWidth, align: 'right', lineBreak: false });
		const bars: Array<[number, number, string, number]> =
			spec.type === 'doubles'
				? [
						[0, b.valeur, BLUE, rowHeight * 0.38],
						[rowHeight * 0.4, b.valeur2 ?? 0, LIGHT_BLUE, rowHeight * 0.38],
					]
				: [[rowHeight * 0.15, b.valeur, BLUE, rowHeight * 0.7]];
		for (const [offset, value, color, thickness] of bars) {
			const w = scale(value);
			if (w > 0) {
				doc.rect(plotLeft, ry + offset + 1, w, thickness).fill(color);
				drawn++;
			}
			if (spec.type !== 'empilees') doc.font(FONT).fontSize(6.5).fillColor(DARK).text(unitText(value, spec.unite), plotLeft + w + 3, ry + offset + thickness / 2 - 2.5, { lineBreak: false });
		}
		if (spec.type === 'empilees') {
			const start = plotLeft + scale(b.valeur);
			if ((b.valeur2 ?? 0) > 0) doc.rect(start, ry + rowHeight * 0.15 + 1, scale(b.valeur2 ?? 0), rowHeight * 0.7).fill(GREY);
			const total = b.valeur + (b.valeur2 ?? 0);
			const share = total > 0 ? ` (${formatPercent(Math.round((b.valeur / total) * 1000) / 10)} avec clause)` : '';
			doc.font(FONT).fontSize(6.5).fillColor(DARK).text(`${formatNumber(total)} marché${total > 1 ? 's' : ''}${share}`, start + scale(b.valeur2 ?? 0) + 3, ry + rowHeight / 2 - 2.5, { lineBreak: false });
		}
	});
	if (spec.repere !== undefined && spec.repere <= max) {
		const rx = plotLeft + scale(spec.repere);
		doc.moveTo(rx, top - 2).lineTo(rx, top + rowHeight * spec.barres.length).dash(2, { space: 2 }).lineWidth(0.8).strokeColor(RED).stroke().undash();
		doc.font(FONT).fontSize(6.5).fillColor(RED).text(unitText(spec.repere, spec.unite), rx - 20, top - 9, { width: 40, align: 'center', lineBreak: false });
	}
	return drawn;
}

function chartHeight(spec: ChartSpec): number {
	if (spec.type === 'colonnes') return 170;
	const rows = Math.max(1, spec.barres.length);
	return 16 + (spec.legende ? 14 : 0) + (spec.note ? 12 : 0) + rows * (spec.type === 'doubles' ? 24 : 18) + 16;
}

function drawTable(doc: Doc, table: TableSpec, x: number, width: number): void {
	const fontSize = 7.5;
	const weights = table.poids ?? table.colonnes.map((_, i) => (table.alignement[i] === 'g' ? (i === 1 && table.colonnes.length > 4 ? 3 : 1.6) : 1));
	const total = weights.reduce((a, b) => a + b, 0);
	const widths = weights.map((w) => (width * w) / total);
	const rowHeight = 13;
	const ensure = (h: number) => {
		if (doc.y + h > doc.page.height - MARGIN - 20) doc.addPage();
	};
	ensure(40);
	doc.font(BOLD).fontSize(10).fillColor(DARK).text(table.titre, x, doc.y, { width });
	doc.moveDown(0.3);
	const header = () => {
		const y = doc.y;
		doc.rect(x, y, width, rowHeight + 2).fill(BLUE);
		let cx = x;
		table.colonnes.forEach((c, i) => {
			doc.font(BOLD).fontSize(fontSize).fillColor('white').text(ellipsis(doc, c, widths[i] - 6), cx + 3, y + 3.5, { width: widths[i] - 6, align: table.alignement[i] === 'd' ? 'right' : 'left', lineBreak: false });
			cx += widths[i];
		});
		doc.y = y + rowHeight + 2;
	};
	header();
	table.lignes.forEach((line, r) => {
		if (doc.y + rowHeight > doc.page.height - MARGIN - 20) {
			doc.addPage();
			header();
		}
		const y = doc.y;
		if (r % 2 === 1) doc.rect(x, y, width, rowHeight).fill('#EEF3FA');
		let cx = x;
		line.forEach((cell, i) => {
			doc.font(FONT).fontSize(fontSize).fillColor(DARK).text(ellipsis(doc, cell, widths[i] - 6), cx + 3, y + 3, { width: widths[i] - 6, align: table.alignement[i] === 'd' ? 'right' : 'left', lineBreak: false });
			cx += widths[i];
		});
		doc.y = y + rowHeight;
	});
	if (table.lignes.length === 0) doc.font(FONT).fontSize(fontSize).fillColor(MUTED).text('Aucune ligne sur la période.', x + 3, doc.y + 3, { width });
	if (table.note) doc.font(FONT).fontSize(7).fillColor(MUTED).text(table.note, x, doc.y + 3, { width });
	doc.moveDown(1);
}

/** Le document des élus en PDF. */
export async function renderBilanPdf(model: BilanDocument, meta: { date: string; auteur: string }): Promise<BilanPdf> {
	const created = new Date(`${meta.date}T09:00:00Z`);
	const PDFKit = await loadPdfKit();
	const doc = new PDFKit({
		size: 'A4',
		margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
		bufferPages: true,
		autoFirstPage: true,
		lang: 'fr-FR',
		displayTitle: true,
		info: { Title: `${model.titre} – ${model.periode}`, Author: meta.auteur, Subject: 'Bilan pour les élus', Creator: 'n8n-nodes-clauses-sociales', CreationDate: created, ModDate: created },
	});
	doc.registerFont(FONT, LETTER_FONTS.regular.data);
	doc.registerFont(BOLD, LETTER_FONTS.bold.data);
	const done = pdfContent(doc);
	const width = doc.page.width - MARGIN * 2;
	const drawn: DrawnChart[] = [];
	const chart = (spec: ChartSpec, x: number, y: number, w: number, h: number) => {
		const range = doc.bufferedPageRange();
		drawn.push({ id: spec.id, titre: spec.titre, page: range.start + range.count, x, y, largeur: w, hauteur: h, barres: drawChart(doc, spec, x, y, w, h) });
	};

	// Page 1 : bandeau, chiffres clés, commentaire, heures par mois.
	doc.rect(0, 0, doc.page.width, 92).fill(BLUE);
	doc.font(BOLD).fontSize(19).fillColor('white').text(model.titre, MARGIN, 24, { width });
	doc.font(FONT).fontSize(10).fillColor('white').text(`${model.collectivite ? `${model.collectivite} — ` : ''}${model.periode} — bilan pour les élus et le comité de pilotage, établi le ${model.dateBilan}`, MARGIN, doc.y + 4, { width });
	const tileTop = 112;
	const tileWidth = (width - 2 * 10) / 3;
	const tileHeight = 70;
	model.chiffresCles.forEach((figure, i) => {
		const tx = MARGIN + (i % 3) * (tileWidth + 10);
		const ty = tileTop + Math.floor(i / 3) * (tileHeight + 10);
		doc.roundedRect(tx, ty, tileWidth, tileHeight, 4).fill('#EEF3FA');
		doc.font(BOLD).fontSize(17).fillColor(BLUE).text(figure.valeur, tx + 8, ty + 8, { width: tileWidth - 16, lineBreak: false });
		doc.font(BOLD).fontSize(8).fillColor(DARK).text(figure.libelle, tx + 8, ty + 32, { width: tileWidth - 16 });
		if (figure.detail) doc.font(FONT).fontSize(7).fillColor(MUTED).text(figure.detail, tx + 8, ty + 52, { width: tileWidth - 16, lineBreak: false });
	});
	doc.y = tileTop + 2 * (tileHeight + 10) + 6;
	doc.font(BOLD).fontSize(12).fillColor(DARK).text('L\u2019essentiel', MARGIN, doc.y, { width });
	doc.moveDown(0.3);
	for (const sentence of model.commentaire) {
		doc.font(FONT).fontSize(9.5).fillColor(DARK).text(`•  ${sentence}`, MARGIN, doc.y, { width, paragraphGap: 4, lineGap: 1 });
	}
	const chartTop = Math.max(doc.y + 10, doc.page.height - MARGIN - 24 - 190);
	chart(model.grapheSynthese, MARGIN, chartTop, width, Math.min(190, doc.page.height - MARGIN - 24 - chartTop));
	// Sources en pied de la synthèse, dans la marge basse (sans marge, pdfkit n'ajoute pas de page).
	doc.page.margins.bottom = 0;
	doc.font(FONT).fontSize(6.5).fillColor(MUTED).text(`Sources : ${model.sources.join(' ; ')}.`, MARGIN, doc.page.height - MARGIN - 14, { width });
	doc.page.margins.bottom = MARGIN;

	// Pages de graphiques.
	for (const section of model.pages) {
		doc.addPage();
		doc.font(BOLD).fontSize(14).fillColor(BLUE).text(section.titre, MARGIN, MARGIN, { width });
		doc.moveDown(0.6);
		for (const paragraph of section.paragraphes ?? []) doc.font(FONT).fontSize(9.5).fillColor(DARK).text(paragraph, MARGIN, doc.y, { width, paragraphGap: 4, lineGap: 1 });
		if (section.paragraphes?.length) doc.moveDown(0.6);
		for (const spec of section.graphiques) {
			const h = chartHeight(spec);
			if (doc.y + h > doc.page.height - MARGIN - 20) {
				doc.addPage();
				doc.y = MARGIN;
			}
			const y = doc.y;
			chart(spec, MARGIN, y, width, h);
			doc.y = y + h + 16;
		}
		for (const table of section.tableaux) drawTable(doc, table, MARGIN, width);
	}
	// Méthode et sources, à la suite du détail.
	if (doc.y > doc.page.height - MARGIN - 160) {
		doc.addPage();
		doc.y = MARGIN;
	}
	doc.font(BOLD).fontSize(10).fillColor(DARK).text('Méthode', MARGIN, doc.y, { width });
	for (const line of model.methode) doc.font(FONT).fontSize(8).fillColor(DARK).text(`•  ${line}`, { width, paragraphGap: 2 });
	doc.moveDown(0.6);
	doc.font(BOLD).fontSize(10).text('Sources', { width });
	for (const line of model.sources) doc.font(FONT).fontSize(8).text(`•  ${line}`, { width, paragraphGap: 2 });

	// Pied de page : titre et numéro.
	const range = doc.bufferedPageRange();
	for (let i = range.start; i < range.start + range.count; i++) {
		doc.switchToPage(i);
		// Sous la marge basse : sans marge, pdfkit n'ajoute pas de page.
		doc.page.margins.bottom = 0;
		doc.font(FONT).fontSize(7).fillColor(MUTED).text(`${model.titre} — ${model.periode} — page ${i + 1} sur ${range.count}`, MARGIN, doc.page.height - MARGIN + 14, { width, align: 'center', lineBreak: false });
	}
	doc.end();
	return { buffer: await done, graphiques: drawn, pages: range.count };
}
