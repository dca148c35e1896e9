/**
 * Chaque classeur produit s'imprime lisiblement : le test prend un classeur de
 * chaque sorte produit par les nœuds sur les données d'exemple (rapport d'étude
 * et revue de la programmation, formulaire et copie annotée de fiche visa,
 * annexe de pénalité, modèle de relevé joint aux relances, bilan, export du
 * registre), relit sa mise en page (A4, ajusté à la largeur, ligne d'en-têtes
 * répétée, polices d'au moins 8 points, en-têtes renvoyés à la ligne dans des
 * colonnes assez larges), puis le convertit en PDF avec LibreOffice Calc :
 * pages A4 (pdfinfo), nombre de pages borné, en-têtes retrouvés par pdftotext.
 */
import ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { A4, MIN_FONT_SIZE } from '../../nodes/adapters';
import type { Produced } from '../helpers/generated-outputs';
import { allOutputs } from '../helpers/generated-outputs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { convertWithLibreOffice } = require('../helpers/libreoffice.cjs') as { convertWithLibreOffice(buffer: Buffer, format: 'pdf'): Buffer | undefined };

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
				if (!p.fitToPage || p.fitToWidth !== 1 || p.fitToHeight !== 0) problems.push(`${where} : pas ajusté à la largeur (${JSON.stringify([p.fitToPage, p.fitToWidth, p.fitToHeight])})`);
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
		for (const [index, w] of workbooks.entries()) {
			const pdf = convertWithLibreOffice(w.buffer, 'pdf');
			if (!pdf) throw new Error('LibreOffice Calc est introuvable : lancez scripts/install-system.sh (paquet libreoffice-calc).');
			const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-print-'));
			try {
				const file = path.join(dir, 'classeur.pdf');
				fs.writeFileSync(file, pdf);
				if (keep) fs.copyFileSync(file, path.join(keep, `${index + 1}.pdf`));
				const info = execFileSync('pdfinfo', ['-f', '1', '-l', '1000', file], { encoding: 'utf8' });
				const pages = Number(/^Pages:\s+(\d+)/m.exec(info)![1]);
				const sizes = [...info.matchAll(/^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/gm)].map((m) => [Number(m[1]), Number(m[2])].sort((a, b) => a - b));
				// Copie annotée : les feuilles de l'utilisateur gardent son format ; la feuille « Anomalies », ajoutée à la fin, est en A4.
				const checked = w.userSheets.length > 0 ? sizes.slice(-1) : sizes;
				const notA4 = checked.filter(([a, b]) => Math.abs(a - 595.28) > 2 || Math.abs(b - 841.89) > 2);
				if (notA4.length > 0) problems.push(`${w.name} : ${notA4.length} page(s) hors A4 (${JSON.stringify(notA4[0])})`);
				const wb = new ExcelJS.Workbook();
				await wb.xlsx.load(w.buffer as unknown as ArrayBuffer);
				const visible = wb.worksheets.filter((s) => s.state === 'visible');
				const rows = visible.reduce((n, s) => n + s.actualRowCount, 0);
				const max = visible.length + Math.ceil(rows / 10);
				if (pages < 1 || pages > max) problems.push(`${w.name} : ${pages} pages (au plus ${max} attendues pour ${visible.length} feuille(s) et ${rows} lignes)`);
				const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
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
