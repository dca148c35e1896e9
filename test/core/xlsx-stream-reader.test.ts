/**
 * Lecture en flux des classeurs (exceljs piloté par le répertoire central,
 * xlsx-stream-reader.ts) : l'ordre des parties dans l'archive est sans effet,
 * un caractère accentué à cheval sur deux morceaux reste entier, une partie de
 * feuille au nom libre est lue sous le nom de son onglet, et une archive
 * abîmée donne une erreur française qui nomme le fichier.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { AnomalyError } from '../../nodes/core';
import { ZipArchive, streamTables, streamWorksheets } from '../../nodes/adapters';
import { workbookBuffer } from '../helpers/workbooks';

async function readAll(buffer: Buffer, spoolAboveBytes?: number, spoolDir?: string): Promise<Array<{ name: string; state?: string; rows: unknown[][] }>> {
	const out: Array<{ name: string; state?: string; rows: unknown[][] }> = [];
	for await (const sheet of streamWorksheets(buffer, { styles: 'ignore', spoolAboveBytes, spoolDir })) {
		const rows: unknown[][] = [];
		for await (const row of sheet) rows.push((row.values as unknown[]).slice(1));
		out.push({ name: sheet.name, state: sheet.state, rows });
	}
	return out;
}

/** Réécrit l'archive avec ses parties dans l'ordre donné (les autres à la suite). */
function reorder(buffer: Buffer, first: string[]): Buffer {
	const archive = ZipArchive.read(buffer);
	const texts = new Map(archive.names().map((name) => [name, archive.text(name)!]));
	const order = [...first, ...[...texts.keys()].filter((name) => !first.includes(name))];
	for (const name of texts.keys()) archive.remove(name);
	for (const name of order) archive.set(name, texts.get(name)!);
	return archive.toBuffer();
}

const SHEETS = {
	Registre: [['N° marché', 'N° lot'], ['2026-TRX-001', '1'], ['2026-TRX-001', '2']],
	Relevés: [['Marché', 'Mois'], ['2026-TRX-001', '2026-10']],
	Notes: [['libre']],
};

describe('lecture en flux des classeurs', () => {
	it('lit les feuilles dans l’ordre des onglets, quel que soit l’ordre des parties dans l’archive', async () => {
		const written = await workbookBuffer(SHEETS);
		// exceljs écrit xl/workbook.xml en dernier ; ici, en plus, les chaînes partagées avant les feuilles :
		// la lecture séquentielle d'exceljs lisait alors une feuille avant de connaître le classeur (exceljs#3064).
		const hostile = reorder(written, ['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml', 'xl/worksheets/sheet3.xml', 'xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml']);
		expect(ZipArchive.read(hostile).names().at(-1)).not.toBe('xl/worksheets/sheet2.xml');
		for (const buffer of [written, hostile]) {
			const sheets = await readAll(buffer);
			expect(sheets.map((s) => s.name)).toEqual(['Registre', 'Relevés', 'Notes']);
			expect(sheets[0].rows).toEqual(SHEETS.Registre);
			expect(sheets[1].rows).toEqual(SHEETS.Relevés);
		}
		// Lectures répétées et simultanées : même résultat à chaque fois.
		const runs = await Promise.all(Array.from({ length: 20 }, () => readAll(hostile)));
		expect(new Set(runs.map((r) => JSON.stringify(r))).size).toBe(1);
	});

	it('garde entiers les caractères accentués, même à cheval sur deux morceaux du flux', async () => {
		// 200 textes de 1 000 « é » à 2 octets, décalés d'un caractère ASCII : des centaines de coupures de morceaux, dont au milieu d'un « é ».
		const texts = Array.from({ length: 200 }, (_, i) => `${'x'.repeat(i % 2)}${'é'.repeat(1000)}ç${i}`);
		const buffer = await workbookBuffer({ Accents: texts.map((t) => [t]) });
		const [sheet] = await readAll(buffer);
		expect(sheet.rows.map((r) => r[0])).toEqual(texts);
	});

	it('lit une feuille dont la partie ne s’appelle pas « sheetN.xml », sous le nom et l’état de son onglet', async () => {
		const written = await workbookBuffer(SHEETS, (wb) => {
			wb.getWorksheet('Notes')!.state = 'hidden';
		});
		const archive = ZipArchive.read(written);
		const sheetXml = archive.text('xl/worksheets/sheet1.xml')!;
		archive.remove('xl/worksheets/sheet1.xml');
		archive.set('xl/feuilles/registre.xml', sheetXml);
		archive.set('xl/_rels/workbook.xml.rels', archive.text('xl/_rels/workbook.xml.rels')!.replace('Target="worksheets/sheet1.xml"', 'Target="/xl/feuilles/registre.xml"'));
		const sheets = await readAll(archive.toBuffer());
		expect(sheets.map((s) => [s.name, s.state])).toEqual([
			['Registre', 'visible'],
			['Relevés', 'visible'],
			['Notes', 'hidden'],
		]);
		expect(sheets[0].rows).toEqual(SHEETS.Registre);
	});

	describe('grande feuille, lue depuis un fichier temporaire', () => {
		// Un dossier temporaire propre à ces tests : un banc ou un autre processus qui lit une grande feuille en même temps n'y écrit pas.
		let spoolDir: string;
		beforeEach(() => {
			spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'test-lecteur-'));
		});
		afterEach(() => fs.rmSync(spoolDir, { recursive: true, force: true }));
		const leftovers = () => fs.readdirSync(spoolDir).filter((name) => name.startsWith('clauses-sociales-feuille-'));

		it('lit les mêmes lignes et ne laisse aucun fichier, lecture finie ou abandonnée', async () => {
			const buffer = await workbookBuffer(SHEETS);
			expect(await readAll(buffer, 0, spoolDir)).toEqual(await readAll(buffer));
			expect(leftovers()).toEqual([]);
			// Abandon au milieu de la première feuille : le fichier temporaire existe pendant la lecture, plus après.
			let during: string[] = [];
			for await (const sheet of streamWorksheets(buffer, { styles: 'ignore', spoolAboveBytes: 0, spoolDir })) {
				for await (const row of sheet) {
					during = leftovers();
					void row;
					break;
				}
				break;
			}
			expect(during).toHaveLength(1);
			expect(leftovers()).toEqual([]);
		});

		it('une feuille qu’on ne lit pas n’est ni décompressée ni copiée, et reste nommée', async () => {
			const buffer = await workbookBuffer(SHEETS);
			const seen: Array<[string, number]> = [];
			for await (const sheet of streamWorksheets(buffer, { styles: 'ignore', spoolAboveBytes: 0, spoolDir, read: (name) => name === 'Relevés' })) {
				expect(leftovers()).toHaveLength(sheet.name === 'Relevés' ? 1 : 0);
				let rows = 0;
				for await (const row of sheet) rows += row ? 1 : 0;
				seen.push([sheet.name, rows]);
			}
			expect(seen).toEqual([['Registre', 0], ['Relevés', 2], ['Notes', 0]]);
			expect(leftovers()).toEqual([]);
		});
	});

	it('archive abîmée ou sans classeur : erreur française qui nomme le fichier', async () => {
		const spec = { names: ['Registre'], keys: new Map(), labels: {}, required: [], mandatory: true, onRow: () => undefined };
		const written = await workbookBuffer(SHEETS);
		const truncated = written.subarray(0, written.length - 30);
		await expect(streamTables(truncated, 'suivi.xlsx', { registre: spec })).rejects.toThrow(
			'Fichier « suivi.xlsx », contenu : le classeur est illisible ou abîmé (fin d’archive zip introuvable (fichier tronqué ?))',
		);
		const archive = ZipArchive.read(written);
		archive.remove('xl/workbook.xml');
		const error = await streamTables(archive.toBuffer(), 'suivi.xlsx', { registre: spec }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(AnomalyError);
		expect((error as AnomalyError).anomalies[0]).toMatchObject({ ou: 'fichier « suivi.xlsx »', message: 'le classeur est illisible ou abîmé (l’archive ne contient pas de classeur)', regle: 'fichier.abime' });
		// Les erreurs du code qui consomme les lignes ne sont pas prises pour un fichier abîmé.
		const failing = { ...spec, onRow: () => { throw new TypeError('bogue'); } };
		await expect(streamTables(written, 'suivi.xlsx', { registre: failing })).rejects.toThrow(TypeError);
	});
});
