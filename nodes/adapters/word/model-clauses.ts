/**
 * Les clauses types en document Word (.docx), écrit avec la bibliothèque
 * `docx` : styles de titres de Word (le plan et la table des matières de
 * l'acheteur fonctionnent), paragraphes justifiés, tableaux de notation.
 * Le document reste modifiable : c'est un modèle que l'acheteur adapte.
 */
import { AlignmentType, BorderStyle, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';

import type { Block, ModelClausesDocument } from '../../core';
import { frenchLongDate } from '../../core';

const FONT = 'Arial';

function blockToDocx(block: Block): Array<Paragraph | Table> {
	if ('paragraphe' in block) return [new Paragraph({ children: [new TextRun(block.paragraphe)], alignment: AlignmentType.JUSTIFIED, spacing: { after: 120 } })];
	if ('intertitre' in block) return [new Paragraph({ children: [new TextRun({ text: block.intertitre, bold: true })], spacing: { before: 160, after: 80 }, keepNext: true })];
	if ('puces' in block) return block.puces.map((text) => new Paragraph({ children: [new TextRun(text)], bullet: { level: 0 }, alignment: AlignmentType.JUSTIFIED }));
	const border = { style: BorderStyle.SINGLE, size: 4, color: '7F7F7F' };
	const borders = { top: border, bottom: border, left: border, right: border };
	const cell = (text: string, header: boolean) =>
		new TableCell({
			borders,
			shading: header ? { fill: 'E8EEF7' } : undefined,
			children: [new Paragraph({ children: [new TextRun({ text, bold: header })] })],
		});
	return [
		new Table({
			width: { size: 100, type: WidthType.PERCENTAGE },
			rows: [
				new TableRow({ tableHeader: true, children: block.tableau.entetes.map((h) => cell(h, true)) }),
				...block.tableau.lignes.map((line) => new TableRow({ children: line.map((text) => cell(text, false)) })),
			],
		}),
		new Paragraph({ text: '', spacing: { after: 120 } }),
	];
}

export async function buildModelClausesDocx(doc: ModelClausesDocument): Promise<Buffer> {
	const children: Array<Paragraph | Table> = [
		new Paragraph({ text: doc.titre, heading: HeadingLevel.TITLE }),
		...(doc.collectivite ? [new Paragraph({ children: [new TextRun({ text: doc.collectivite, bold: true })] })] : []),
		new Paragraph({
			children: [
				new TextRun(
					`Modèle prérempli d\u2019après l\u2019étude de faisabilité${doc.dateEtude ? ` du ${frenchLongDate(doc.dateEtude)}` : ''}. À relire et adapter avant de l\u2019insérer dans les pièces de la consultation : les passages entre crochets sont à compléter, les numéros d\u2019article à ajuster.`,
				),
			],
			alignment: AlignmentType.JUSTIFIED,
			spacing: { after: 240 },
		}),
	];
	for (const lot of doc.lots) {
		const label = lot.lot === 'unique' ? `Marché ${lot.marche}` : `Marché ${lot.marche}, lot ${lot.lot}`;
		children.push(new Paragraph({ text: `${label}${lot.intitule ? ` – ${lot.intitule}` : ''}`, heading: HeadingLevel.HEADING_1, pageBreakBefore: children.length > 3 }));
		children.push(
			new Paragraph({
				children: [new TextRun({ text: `Mécanismes retenus par l\u2019étude : ${lot.mecanismes.map((m) => `${m.libelle}${m.option ? ' (option)' : ''}`).join(' ; ')}.`, italics: true })],
				spacing: { after: 120 },
			}),
		);
		for (const section of lot.sections) {
			children.push(new Paragraph({ text: `${section.piece} – ${section.titre}`, heading: HeadingLevel.HEADING_2, keepNext: true }));
			for (const block of section.blocs) children.push(...blockToDocx(block));
		}
	}
	if (doc.sansClause.length > 0) {
		children.push(new Paragraph({ text: 'Lots sans clause sociale', heading: HeadingLevel.HEADING_1, pageBreakBefore: doc.lots.length > 0 }));
		children.push(new Paragraph({ children: [new TextRun('Justification de l\u2019étude de faisabilité, à reporter dans la fiche visa et le rapport de présentation :')], spacing: { after: 120 } }));
		for (const lot of doc.sansClause) {
			children.push(new Paragraph({ children: [new TextRun({ text: `Marché ${lot.marche}, lot ${lot.lot}${lot.intitule ? ` – ${lot.intitule}` : ''} : `, bold: true }), new TextRun(lot.justification)], alignment: AlignmentType.JUSTIFIED, spacing: { after: 120 } }));
		}
	}
	const document = new Document({
		creator: 'n8n-nodes-clauses-sociales',
		title: doc.titre,
		description: 'Clauses sociales types préremplies par l\u2019étude de faisabilité',
		styles: { default: { document: { run: { font: FONT, size: 21 } } } },
		sections: [{ properties: {}, children }],
	});
	return Packer.toBuffer(document);
}
