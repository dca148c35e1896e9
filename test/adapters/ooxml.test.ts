/**
 * Le module du format des classeurs (nodes/adapters/excel/ooxml.ts) : chaque
 * règle d'échappement du XML, chaque cas de résolution d'une relation, les
 * références de cellules et les dates Excel. Retirer une règle ou un cas fait
 * échouer un test ; le classeur de suivi prolongé par la réception (le seul à
 * écrire du texte libre dans une feuille existante) passe par les mêmes règles.
 */
import ExcelJS from 'exceljs';

import {
	LightWorkbook,
	ZipArchive,
	appendToRegister,
	columnIndex,
	columnLetter,
	decodeXml,
	excelSerialToIsoDate,
	isoDateToExcelSerial,
	parseAddress,
	parseRelationships,
	relationshipTargets,
	relativeTarget,
	relsPathOf,
	resolveTarget,
	xmlAttribute,
	xmlText,
} from '../../nodes/adapters';

describe('échappement du XML', () => {
	it.each([
		['&', '&amp;'],
		['<', '&lt;'],
		['>', '&gt;'],
		['"', '&quot;'],
		["'", '&#39;'],
		['\u0001', '_x0001_'],
		['\u001f', '_x001F_'],
		['\uffff', '_xFFFF_'],
		['_x0041_', '_x005F_x0041_'],
	])('%j s’écrit %j', (raw, written) => {
		expect(xmlText(raw)).toBe(written);
	});

	it('garde tels quels les tabulations, fins de ligne et caractères accentués', () => {
		expect(xmlText('a\tb\nc\rd é ’ €')).toBe('a\tb\nc\rd é ’ €');
	});

	it('relit à l’identique tout texte écrit (règles et décodage inverses)', () => {
		const texts = ['A & B <c> "d" \'e\'', 'contrôle \u0000\u0008\u000b fin', '_x0041_ et _x005F_', 'Relevé — été ’24', '&amp; déjà échappé'];
		for (const text of texts) expect(decodeXml(xmlText(text))).toBe(text);
	});

	it('décode les entités nommées et numériques d’un attribut', () => {
		expect(xmlAttribute(' name="R&amp;D &#233;t&#xE9; &apos;x&apos;"', 'name')).toBe("R&D été 'x'");
		expect(xmlAttribute(' r:id="rId1"', 'id')).toBeUndefined();
	});
});

describe('relations entre parties', () => {
	it.each([
		['xl', 'worksheets/sheet1.xml', 'xl/worksheets/sheet1.xml'],
		['xl', './worksheets/sheet1.xml', 'xl/worksheets/sheet1.xml'],
		['xl', '/xl/worksheets/sheet1.xml', 'xl/worksheets/sheet1.xml'],
		['xl/worksheets', '../comments1.xml', 'xl/comments1.xml'],
		['xl/worksheets', '../drawings/../comments2.xml', 'xl/comments2.xml'],
		['', 'xl/workbook.xml', 'xl/workbook.xml'],
	])('depuis « %s », la cible « %s » est « %s »', (dir, target, path) => {
		expect(resolveTarget(dir, target)).toBe(path);
	});

	it('écrit le chemin relatif inverse de la résolution', () => {
		expect(relativeTarget('xl/worksheets', 'xl/comments1.xml')).toBe('../comments1.xml');
		expect(resolveTarget('xl/worksheets', relativeTarget('xl/worksheets', 'xl/comments1.xml'))).toBe('xl/comments1.xml');
		expect(relsPathOf('xl/workbook.xml')).toBe('xl/_rels/workbook.xml.rels');
		expect(relsPathOf('xl/worksheets/sheet2.xml')).toBe('xl/worksheets/_rels/sheet2.xml.rels');
	});

	it('lit les relations, avec ou sans préfixe, et résout leurs cibles depuis la partie source', () => {
		const rels =
			'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
			'<Relationship Id="rId1" Type="t/worksheet" Target="worksheets/sheet1.xml"/>' +
			'<pr:Relationship Id="rId2" Type="t/worksheet" Target="/xl/worksheets/sheet2.xml"/>' +
			'<Relationship Id="rId3" Type="t/worksheet" Target="../autre/sheet3.xml"/>' +
			'<Relationship Id="rId4" Type="t/hyperlink" Target="https://exemple.test/?a=1&amp;b=2" TargetMode="External"/>' +
			'<Relationship Type="t/sans-id" Target="x.xml"/>' +
			'</Relationships>';
		expect(parseRelationships(rels).map((r) => [r.id, r.target, r.external])).toEqual([
			['rId1', 'worksheets/sheet1.xml', false],
			['rId2', '/xl/worksheets/sheet2.xml', false],
			['rId3', '../autre/sheet3.xml', false],
			['rId4', 'https://exemple.test/?a=1&b=2', true],
		]);
		expect([...relationshipTargets(rels, 'xl/workbook.xml')]).toEqual([
			['rId1', 'xl/worksheets/sheet1.xml'],
			['rId2', 'xl/worksheets/sheet2.xml'],
			['rId3', 'autre/sheet3.xml'],
		]);
	});
});

describe('références de cellules et dates', () => {
	it.each([
		[1, 'A'],
		[26, 'Z'],
		[27, 'AA'],
		[52, 'AZ'],
		[703, 'AAA'],
		[16384, 'XFD'],
	])('colonne %i ↔ %s', (index, letters) => {
		expect(columnLetter(index)).toBe(letters);
		expect(columnIndex(letters)).toBe(index);
	});

	it('lit une adresse, absolue ou en minuscules ; refuse le reste', () => {
		expect(parseAddress('C12')).toEqual({ row: 12, col: 3 });
		expect(parseAddress('$AB$7')).toEqual({ row: 7, col: 28 });
		expect(parseAddress('c3')).toEqual({ row: 3, col: 3 });
		expect(parseAddress('C')).toEqual({ row: 0, col: 0 });
	});

	it.each([
		['1900-03-01', 61],
		['1970-01-01', 25569],
		['2026-12-03', 46359],
	])('date %s ↔ numéro de série %i', (iso, serial) => {
		expect(isoDateToExcelSerial(iso)).toBe(serial);
		expect(excelSerialToIsoDate(serial)).toBe(iso);
	});
});

describe('classeur de suivi prolongé (écriture de texte libre dans une feuille existante)', () => {
	async function register(): Promise<Buffer> {
		const workbook = new ExcelJS.Workbook();
		const sheet = workbook.addWorksheet('Relevés');
		sheet.addRow(['Marché', 'Lot', 'Participant', 'Date de réception']);
		sheet.addRow(['2026-TRX-014', '1', 'P-001', new Date(Date.UTC(2026, 10, 5))]);
		return Buffer.from(await workbook.xlsx.writeBuffer());
	}

	it('échappe le texte ajouté selon les mêmes règles, et la feuille relue le rend à l’identique', async () => {
		const participant = 'A & B <c> "d" \'e\' \u0001 _x0041_';
		const out = await appendToRegister(await register(), 'suivi.xlsx', {
			sheetName: 'Relevés',
			headerRow: 1,
			columns: new Map([
				[1, 'marche'],
				[2, 'lot'],
				[3, 'participant'],
				[4, 'dateReception'],
			]),
			marks: new Map(),
			rows: [{ marche: '2026-TRX-014', lot: '1', participant, dateReception: '2026-12-03' }],
			lastRow: 2,
		});
		const xml = ZipArchive.read(out).text('xl/worksheets/sheet1.xml')!;
		expect(xml).toContain(xmlText(participant));
		expect(xml).not.toContain('A & B');
		const sheet = await (await LightWorkbook.open(out, 'suivi.xlsx')).sheet('Relevés');
		expect(sheet?.cells.get('C3')?.value).toBe(participant);
	});
});
