/**
 * Copie annotée d'une fiche visa : le classeur déposé, avec chaque cellule en
 * cause surlignée (rouge : refus, orange : à compléter, jaune : observation)
 * et commentée (problème et correction), la décision dans le cadre réservé au
 * service des marchés, et une feuille « Anomalies » qui liste tout, avec un
 * lien vers chaque cellule. Un nouveau fichier : l'original n'est jamais
 * modifié.
 *
 * La copie est écrite au niveau du XML (xlsx-edit.ts) : seules les parties
 * touchées (styles, feuilles annotées, commentaires, classeur) sont réécrites,
 * le reste (contrôles de saisie, listes, protections, mise en page) est recopié
 * tel quel. Quelques millisecondes par fiche, contre 60 à 115 ms pour une
 * relecture et une réécriture complètes par exceljs.
 */
import type { ReadLimits, VisaAnomaly, VisaDecision, VisaEffect } from '../../core';
import { frenchShortDate } from '../../core';
import { columnLetter, xmlText } from './ooxml';
import { FICHE_VISA_TEMPLATE } from './fiche-visa-template';
import { A4 } from './print';
import { loadWorkbook } from './workbook';
import type { CellEdit } from './xlsx-edit';
import { XlsxEditor, XlsxStyles, editCells, inlineStringCell } from './xlsx-edit';

const FILLS: Record<VisaEffect, string> = { REFUSÉ: 'FFF4A6A6', 'À COMPLÉTER': 'FFFFC97A', observation: 'FFFFF59D' };
const DECISION_FILLS: Record<VisaDecision, string> = { VISÉ: 'FFB7E1B0', 'À COMPLÉTER': FILLS['À COMPLÉTER'], REFUSÉ: FILLS.REFUSÉ };
const RANK: Record<VisaEffect, number> = { REFUSÉ: 0, 'À COMPLÉTER': 1, observation: 2 };
const BLUE = 'FF1F5FA8';
const TOP_WRAP = '<alignment vertical="top" wrapText="1"/>';
/** Auteur des notes posées dans la copie. */
const NOTE_AUTHOR = 'Contrôle de la fiche visa';
// Largeurs choisies pour que la feuille s'imprime sur une page de large en A4 paysage sans passer sous 8 points
// (environ 190 caractères, voir PRINTABLE_WIDTH et MIN_PRINT_SCALE dans print.ts) ; les textes sont renvoyés à la ligne.
const COLUMNS: Array<[string, number]> = [
	['Effet', 12], ['Champ', 18], ['Où', 20], ['Feuille', 10], ['Cellule', 8], ['Problème', 36], ['Que faire', 40], ['Règle', 16], ['Fondement', 28],
];

export interface VisaAnnotation {
	decision: VisaDecision;
	resume: string;
	anomalies: VisaAnomaly[];
	/** Date du contrôle (AAAA-MM-JJ). */
	date: string;
}

/** « fiche 2026.xlsx » → « fiche 2026 (annotée).xlsx ». */
export function annotatedFileName(fileName: string): string {
	const base = fileName.replace(/\.xlsx$/i, '') || 'fiche-visa';
	return `${base} (annotée).xlsx`;
}

/** Styles ajoutés au classeur pour la copie : une police et un remplissage par usage. */
function palette(styles: XlsxStyles) {
	const fills = {
		REFUSÉ: styles.addFill(FILLS.REFUSÉ),
		'À COMPLÉTER': styles.addFill(FILLS['À COMPLÉTER']),
		observation: styles.addFill(FILLS.observation),
		VISÉ: styles.addFill(DECISION_FILLS.VISÉ),
		entete: styles.addFill(BLUE),
	};
	const fonts = {
		decision: styles.addFont('<b/><sz val="13"/>'),
		titre: styles.addFont('<b/><sz val="14"/>'),
		entete: styles.addFont('<b/><color rgb="FFFFFFFF"/>'),
		lien: styles.addFont(`<u/><color rgb="${BLUE}"/>`),
	};
	return { fills, fonts };
}

/** Texte de la note d'une cellule : toutes ses remarques, problème et correction. */
function noteText(list: VisaAnomaly[]): string {
	return list.map((a) => `[${a.effet}] ${a.libelle} : ${a.message}.\n→ ${a.correction}`).join('\n\n');
}

/** La feuille « Anomalies » (XML complet, chaînes en ligne, liens internes vers les cellules). */
function anomaliesSheet(annotation: VisaAnnotation, fileName: string, styles: XlsxStyles, p: ReturnType<typeof palette>, linkable: (sheet: string) => boolean): string {
	const s = {
		titre: styles.derive(0, { fontId: p.fonts.titre, fillId: p.fills[annotation.decision] }),
		entete: styles.derive(0, { fontId: p.fonts.entete, fillId: p.fills.entete, alignment: TOP_WRAP }),
		corps: styles.derive(0, { alignment: TOP_WRAP }),
		lien: styles.derive(0, { alignment: TOP_WRAP, fontId: p.fonts.lien }),
		effet: (effet: VisaEffect) => styles.derive(0, { alignment: TOP_WRAP, fillId: p.fills[effet] }),
	};
	const rows: string[] = [
		`<row r="1">${inlineStringCell('A1', s.titre, `Contrôle de la fiche visa : ${annotation.decision}`)}</row>`,
		`<row r="2">${inlineStringCell('A2', undefined, `${annotation.resume} Contrôle automatique du ${frenchShortDate(annotation.date)} ; fichier d\u2019origine : « ${fileName} » (non modifié).`)}</row>`,
		`<row r="4" s="${s.entete}" customFormat="1" ht="30" customHeight="1">${COLUMNS.map(([title], i) => inlineStringCell(`${columnLetter(i + 1)}4`, s.entete, title)).join('')}</row>`,
	];
	const links: string[] = [];
	if (annotation.anomalies.length === 0) rows.push(`<row r="5">${inlineStringCell('A5', undefined, 'Aucune anomalie.')}</row>`);
	annotation.anomalies.forEach((a, i) => {
		const r = 5 + i;
		const linked = Boolean(a.cellule && a.feuille && linkable(a.feuille));
		const values = [a.effet, a.libelle, a.ou ?? '', a.feuille ?? '', a.cellule ?? '', a.message, a.correction, a.regle ?? '', a.source ?? ''];
		const cells = values.map((value, c) => {
			const style = c === 0 ? s.effet(a.effet) : c === 4 && linked ? s.lien : s.corps;
			return inlineStringCell(`${columnLetter(c + 1)}${r}`, style, value);
		});
		// Hauteur de ligne donnée : LibreOffice n'ajuste pas de lui-même une ligne écrite sans elle, et les textes renvoyés à la ligne se chevaucheraient.
		const lines = Math.max(1, ...values.map((value, c) => Math.ceil(String(value).length / Math.max(1, COLUMNS[c][1] - 2))));
		rows.push(`<row r="${r}" s="${s.corps}" customFormat="1" ht="${Math.min(409, 15 * lines)}" customHeight="1">${cells.join('')}</row>`);
		if (linked) {
			const target = `'${a.feuille!.replace(/'/g, "''")}'!${a.cellule}`;
			links.push(`<hyperlink ref="E${r}" location="${xmlText(target)}" display="${xmlText(a.cellule!)}"/>`);
		}
	});
	const last = 4 + Math.max(1, annotation.anomalies.length);
	const cols = COLUMNS.map(([, width], i) => `<col min="${i + 1}" max="${i + 1}" width="${width}" customWidth="1"/>`).join('');
	return (
		'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
		'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
		'<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' +
		`<dimension ref="A1:I${last}"/>` +
		'<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="4" topLeftCell="A5" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A5" sqref="A5"/></sheetView></sheetViews>' +
		`<sheetFormatPr defaultRowHeight="15"/><cols>${cols}</cols><sheetData>${rows.join('')}</sheetData>` +
		`<autoFilter ref="A4:I${last}"/>${links.length > 0 ? `<hyperlinks>${links.join('')}</hyperlinks>` : ''}` +
		'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>' +
		`<pageSetup paperSize="${A4}" orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>`
	);
}

export async function annotateFicheVisa(buffer: Buffer, fileName: string, annotation: VisaAnnotation, limits?: ReadLimits): Promise<Buffer> {
	// Classeur à l'espace de noms préfixé (rare) : exceljs le normalise d'abord.
	const editor =
		(await XlsxEditor.open(buffer, fileName, limits)) ??
		(await XlsxEditor.open(Buffer.from((await (await loadWorkbook(buffer, fileName, limits)).xlsx.writeBuffer()) as ArrayBuffer), fileName, limits));
	if (!editor) throw new Error(`copie annotée impossible : classeur « ${fileName} » illisible au niveau XML`);
	const t = FICHE_VISA_TEMPLATE;
	const styles = new XlsxStyles((await editor.read('xl/styles.xml')) ?? '');
	const p = palette(styles);

	// Cellules en cause, par feuille : la couleur de l'anomalie la plus grave, toutes les remarques en note.
	const bySheet = new Map<string, Map<string, VisaAnomaly[]>>();
	for (const a of annotation.anomalies) {
		if (!a.cellule || !a.feuille || !editor.hasSheet(a.feuille) || a.feuille === t.sheets.anomalies) continue;
		const cells = bySheet.get(a.feuille) ?? new Map<string, VisaAnomaly[]>();
		cells.set(a.cellule, [...(cells.get(a.cellule) ?? []), a]);
		bySheet.set(a.feuille, cells);
	}
	if (editor.hasSheet(t.sheets.fiche) && !bySheet.has(t.sheets.fiche)) bySheet.set(t.sheets.fiche, new Map());
	let formulaReplaced = false;
	for (const [sheetName, cells] of bySheet) {
		const edits: CellEdit[] = [...cells].map(([address, list]) => {
			const worst = list.reduce((w, a) => (RANK[a.effet] < RANK[w] ? a.effet : w), 'observation' as VisaEffect);
			return { address, style: (s) => styles.derive(s, { fillId: p.fills[worst] }) };
		});
		if (sheetName === t.sheets.fiche) {
			edits.push(
				{ address: t.decisionCell, text: annotation.decision, style: (s) => styles.derive(s, { fontId: p.fonts.decision, fillId: p.fills[annotation.decision] }) },
				{ address: t.controleCell, text: `Contrôle automatique du ${frenchShortDate(annotation.date)} : ${annotation.resume}`, style: (s) => styles.derive(s, { alignment: TOP_WRAP }) },
			);
		}
		const edited = editCells(await editor.sheetXml(sheetName), edits);
		formulaReplaced ||= edited.formulaReplaced;
		editor.setSheetXml(sheetName, edited.xml);
		await editor.addNotes(sheetName, [...cells].map(([address, list]) => ({ address, text: noteText(list) })), NOTE_AUTHOR);
	}
	if (formulaReplaced) await editor.dropCalcChain();

	// A4 paysage, ajusté à la largeur, ligne d'en-têtes (ligne 4) répétée : même mise en page que les classeurs produits (print.ts).
	await editor.putSheet(t.sheets.anomalies, anomaliesSheet(annotation, fileName, styles, p, (name) => editor.hasSheet(name) && name !== t.sheets.anomalies), { printTitleRow: 4 });
	editor.write('xl/styles.xml', styles.toXml());
	return editor.generate();
}
