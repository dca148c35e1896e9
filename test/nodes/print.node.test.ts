/**
 * Chaque classeur produit s'imprime lisiblement : le test prend un classeur de
 * chaque sorte produit par les nœuds sur les données d'exemple (rapport d'étude
 * et revue de la programmation, formulaire et copie annotée de fiche visa,
 * annexe de pénalité, modèle de relevé joint aux relances, bilan, export du
 * registre), relit sa mise en page (A4, ajusté à la largeur, ligne d'en-têtes
 * répétée, polices d'au moins 8 points, en-têtes renvoyés à la ligne dans des
 * colonnes assez larges), puis le convertit en PDF avec LibreOffice Calc :
 * pages A4 (pdfinfo), nombre de pages borné, en-têtes retrouvés par pdftotext
 * (dont la section « Autres considérations sociales » du bilan).
 */
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { A4, MIN_FONT_SIZE, MIN_PRINT_SCALE, PRINTABLE_WIDTH } from '../../nodes/adapters';
import type { Produced } from '../helpers/generated-outputs';
import { allOutputs } from '../helpers/generated-outputs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { convertManyToPdf } = require('../helpers/libreoffice.cjs') as { convertManyToPdf(buffers: Buffer[]): Buffer[] | undefined };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pdfPageSizes, pdfLayoutText } = require('../helpers/pdf-info.cjs') as { pdfPageSizes(file: string): { pages: number; sizes: Array<[number, number]> }; pdfLayoutText(file: string): string };

interface Workbook {
	name: string;
	buffer: Buffer;
	/** Feuilles venues du fichier de l'utilisateur (copie annotée) : leur mise en page reste la sienne. */
	userSheets: string[];
}

let workbooks: Workbook[];
beforeAll(async () => {
	const produced: Produced[] = await allOutputs();
	const kinds = new Map<string, Workbook>();
	for (const { source, items } of produced) {
		for (const item of items) {
			for (const [key, binary] of Object.entries(item.binary ?? {})) {
				// Le fichier reçu en entrée, repassé tel quel dans la sortie de la fiche visa, n'est pas un classeur produit.
				if (!binary.fileName?.endsWith('.xlsx') || (key === 'data' && source === 'fiches visa contrôlées')) continue;
				const kind = `${source} / ${key.replace(/_\d+$/, '')}`;
				if (kinds.has(kind)) continue;
				kinds.set(kind, { name: `${kind} (${binary.fileName})`, buffer: Buffer.from(binary.data, 'base64'), userSheets: key === 'annote' ? ['Fiche visa', 'Lots', 'Listes', 'Instructions'] : [] });
			}
		}
	}
	workbooks = [...kinds.values()];
	// Pour relire les classeurs et leurs PDF à la main : CLAUSES_PRINT_DIR=/un/dossier.
	if (process.env.CLAUSES_PRINT_DIR) workbooks.forEach((w, i) => fs.writeFileSync(path.join(process.env.CLAUSES_PRINT_DIR!, `${i + 1}.xlsx`), w.buffer));
}, 300000);

const words = (text: string) => text.split(/[\s\u00a0/()«»,;:.'’*-]+/).filter((w) => w.length >= 4);

function headerCells(sheet: ExcelJS.Worksheet): Array<{ text: string; col: number }> {
	const title = sheet.pageSetup.printTitlesRow;
	if (!title) return [];
	const row = sheet.getRow(Number(title.split(':')[0].replace(/\$/g, '')));
	const out: Array<{ text: string; col: number }> = [];
	row.eachCell((cell, col) => {
		if (typeof cell.value === 'string' && cell.value.trim() && !cell.isMerged) out.push({ text: cell.value.trim(), col });
	});
	return out;
}

describe('impression des classeurs produits', () => {
	it('un classeur de chaque sorte a été produit', () => {
		const names = workbooks.map((w) => w.name).join('\n');
		for (const expected of ['rapport de la consultation / revue', 'formulaire de fiche visa', 'fiches visa contrôlées / annote', 'relance du 2026-11-02 / modele', 'bilan /', 'export du registre /', 'avis de pénalité /', 'etude-clauses'])
			expect(names).toContain(expected);
		expect(workbooks.length).toBeGreaterThanOrEqual(9);
	});

	it('le bilan tiré du registre porte la feuille « Autres considérations sociales »', async () => {
		const bilan = workbooks.find((w) => w.name.startsWith('bilan / data'))!;
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(bilan.buffer as unknown as ArrayBuffer);
		expect(wb.worksheets.map((s) => s.name)).toContain('Autres considérations sociales');
	});

	it('mise en page : A4, ajusté à la largeur, en-têtes répétés et lisibles, polices d’au moins 8 points', async () => {
		const problems: string[] = [];
		for (const w of workbooks) {
			const wb = new ExcelJS.Workbook();
			await wb.xlsx.load(w.buffer as unknown as ArrayBuffer);
			for (const sheet of wb.worksheets) {
				if (sheet.state !== 'visible' || w.userSheets.includes(sheet.name)) continue;
				const where = `${w.name}, feuille « ${sheet.name} »`;
				const p = sheet.pageSetup;
				if (p.paperSize !== A4) problems.push(`${where} : format ${p.paperSize}`);
				if (!p.fitToPage || !(p.fitToWidth! >= 1) || p.fitToHeight !== 0) problems.push(`${where} : pas ajusté à la largeur (${JSON.stringify([p.fitToPage, p.fitToWidth, p.fitToHeight])})`);
				// Réduction à l'impression : largeur des colonnes (répétées comprises) rapportée à la largeur utile de la page.
				const widths = Array.from({ length: sheet.columnCount }, (_, i) => (sheet.getColumn(i + 1).hidden ? 0 : (sheet.getColumn(i + 1).width ?? 9)));
				const repeatedColumns = p.printTitlesColumn ? widths.slice(0, p.printTitlesColumn.split(':')[1].replace(/\$/g, '').length === 1 ? p.printTitlesColumn.split(':')[1].replace(/\$/g, '').charCodeAt(0) - 64 : 0) : [];
				const repeated = repeatedColumns.reduce((a, b) => a + b, 0);
				const total = widths.reduce((a, b) => a + b, 0);
				const perPage = (total - repeated) / (p.fitToWidth ?? 1) + repeated;
				const scale = Math.min(1, PRINTABLE_WIDTH[p.orientation === 'landscape' ? 'landscape' : 'portrait'] / perPage);
				if (scale < MIN_PRINT_SCALE - 0.01) problems.push(`${where} : réduite à ${Math.round(scale * 100)} % à l’impression`);
				if ((p.fitToWidth ?? 1) > 1 && !p.printTitlesColumn) problems.push(`${where} : sur ${p.fitToWidth} pages de large sans colonnes répétées`);
				const frozen = (sheet.views?.[0] as { state?: string; ySplit?: number } | undefined)?.ySplit;
				if (frozen && !p.printTitlesRow) problems.push(`${where} : ligne d’en-têtes non répétée`);
				for (const { text, col } of headerCells(sheet)) {
					const cell = sheet.getRow(Number(p.printTitlesRow!.split(':')[0].replace(/\$/g, ''))).getCell(col);
					const longest = Math.max(...text.split(/\s+/).map((s) => s.length));
					if (!cell.alignment?.wrapText) problems.push(`${where} : en-tête « ${text} » sans renvoi à la ligne`);
					if ((sheet.getColumn(col).width ?? 9) < longest) problems.push(`${where} : colonne de « ${text} » plus étroite que son plus long mot`);
				}
				sheet.eachRow((row) =>
					row.eachCell((cell) => {
						if (cell.font?.size !== undefined && cell.font.size < MIN_FONT_SIZE) problems.push(`${where}, ${cell.address} : police de ${cell.font.size} points`);
					}),
				);
			}
		}
		expect(problems).toEqual([]);
	});

	it('en PDF par LibreOffice Calc : pages A4, nombre de pages borné, en-têtes imprimés', async () => {
		const problems: string[] = [];
		const keep = process.env.CLAUSES_PRINT_DIR;
		const pdfs = convertManyToPdf(workbooks.map((w) => w.buffer));
		if (!pdfs) throw new Error('LibreOffice Calc est introuvable : lancez scripts/install-system.sh (paquet libreoffice-calc).');
		for (const [index, w] of workbooks.entries()) {
			const pdf = pdfs[index];
			const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-print-'));
			try {
				const file = path.join(dir, 'classeur.pdf');
				fs.writeFileSync(file, pdf);
				if (keep) fs.copyFileSync(file, path.join(keep, `${index + 1}.pdf`));
				const { pages, sizes } = pdfPageSizes(file);
				// Copie annotée : les feuilles de l'utilisateur gardent son format ; la feuille « Anomalies », ajoutée à la fin, est en A4.
				const checked = w.userSheets.length > 0 ? sizes.slice(-1) : sizes;
				const notA4 = checked.filter(([a, b]) => Math.abs(a - 595.28) > 2 || Math.abs(b - 841.89) > 2);
				if (notA4.length > 0) problems.push(`${w.name} : ${notA4.length} page(s) hors A4 (${JSON.stringify(notA4[0])})`);
				const wb = new ExcelJS.Workbook();
				await wb.xlsx.load(w.buffer as unknown as ArrayBuffer);
				const visible = wb.worksheets.filter((s) => s.state === 'visible');
				const rows = visible.reduce((n, s) => n + s.actualRowCount, 0);
				const across = visible.reduce((n, s) => Math.max(n, s.pageSetup.fitToWidth ?? 1), 1);
				const max = (visible.length + Math.ceil(rows / 10)) * across;
				if (pages < 1 || pages > max) problems.push(`${w.name} : ${pages} pages (au plus ${max} attendues pour ${visible.length} feuille(s) et ${rows} lignes)`);
				const text = pdfLayoutText(file).replace(/\s+/g, ' ');
				// Le bilan du registre : la section des autres considérations sociales est imprimée, son titre en tête.
				if (w.name.startsWith('bilan / data') && !text.includes('Autres considérations sociales : engagements et échéances de la période')) problems.push(`${w.name} : section « Autres considérations sociales » absente du PDF`);
				for (const sheet of visible) {
					if (w.userSheets.includes(sheet.name)) continue;
					for (const { text: header } of headerCells(sheet)) {
						const missing = words(header).filter((word) => !text.includes(word));
						if (missing.length > 0) problems.push(`${w.name}, feuille « ${sheet.name} » : en-tête « ${header} » absent du PDF (${missing.join(', ')})`);
					}
				}
			} finally {
				fs.rmSync(dir, { recursive: true, force: true });
			}
		}
		expect(problems).toEqual([]);
	}, 600000);
});
