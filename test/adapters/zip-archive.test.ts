/**
 * Archive zip des classeurs (zlib natif) : lecture du répertoire central,
 * parties stockées ou compressées, descripteurs de données, réécriture lue par
 * JSZip, tampon d'origine intact ; texte écrit dans le XML et relu à l'identique.
 */
import crypto from 'node:crypto';
import fc from 'fast-check';
import JSZip from 'jszip';

import zlib from 'node:zlib';

import { DeflateTemplate, ZipArchive, decodeXml, xmlText } from '../../nodes/adapters';

async function sample(streamFiles: boolean): Promise<Buffer> {
	const zip = new JSZip();
	zip.file('[Content_Types].xml', '<Types/>', { compression: 'STORE' });
	zip.file('xl/workbook.xml', `<workbook>${'<sheet/>'.repeat(500)}</workbook>`, { compression: 'DEFLATE' });
	zip.file('xl/média/é.txt', 'accentué');
	zip.folder('vide');
	return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', streamFiles });
}

describe('archive zip des classeurs', () => {
	it.each([false, true])('lit et réécrit une archive (descripteurs de données : %s)', async (streamFiles) => {
		const buffer = await sample(streamFiles);
		const hash = crypto.createHash('sha256').update(buffer).digest('hex');
		const archive = ZipArchive.read(buffer);
		expect(archive.names()).toEqual(['[Content_Types].xml', 'xl/workbook.xml', 'xl/média/é.txt']);
		expect(archive.text('[Content_Types].xml')).toBe('<Types/>');
		expect(archive.text('xl/workbook.xml')).toHaveLength(10 + 8 * 500 + 11);
		expect(archive.text('absent.xml')).toBeUndefined();
		archive.set('xl/workbook.xml', '<workbook>modifié</workbook>');
		archive.set('xl/nouveau.xml', '<nouveau/>');
		archive.remove('[Content_Types].xml');
		const out = archive.toBuffer();
		expect(crypto.createHash('sha256').update(buffer).digest('hex')).toBe(hash);

		const back = await JSZip.loadAsync(out, { checkCRC32: true });
		expect(Object.keys(back.files).sort()).toEqual(['xl/média/é.txt', 'xl/nouveau.xml', 'xl/workbook.xml']);
		expect(await back.file('xl/workbook.xml')!.async('string')).toBe('<workbook>modifié</workbook>');
		expect(await back.file('xl/nouveau.xml')!.async('string')).toBe('<nouveau/>');
		expect(await back.file('xl/média/é.txt')!.async('string')).toBe('accentué');
		expect(ZipArchive.read(out).text('xl/média/é.txt')).toBe('accentué');
	});

	it('refuse une archive tronquée ou qui n’en est pas une', async () => {
		const buffer = await sample(false);
		expect(() => ZipArchive.read(buffer.subarray(0, buffer.length - 30))).toThrow(/fin d’archive zip introuvable/);
		expect(() => ZipArchive.read(Buffer.from('PK\u0003\u0004 pas vraiment'))).toThrow();
	});
});

describe('texte à trous compressé d’avance (DeflateTemplate)', () => {
	const HOLE = /⟦[A-Z]+⟧/g;
	const fill = (values: Record<string, string>) => (middle: string) => middle.replace(HOLE, (hole) => values[hole] ?? '');
	const check = (text: string, values: Record<string, string>) => {
		const expected = Buffer.from(text.replace(HOLE, (hole) => values[hole] ?? ''), 'utf8');
		const part = new DeflateTemplate(text, HOLE).render(fill(values));
		expect(zlib.inflateRawSync(part.raw).equals(expected)).toBe(true);
		expect(part.crc).toBe(zlib.crc32(expected));
		expect(part.size).toBe(expected.length);
		return part;
	};

	it('donne un flux deflate valide, quel que soit l’emplacement des trous et des valeurs', () => {
		const piece = fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('⟦A⟧', '⟦B⟧', '<si><t>é</t></si>'));
		fc.assert(
			fc.property(fc.array(piece, { maxLength: 12 }), fc.string({ unit: 'grapheme' }), fc.string(), (pieces, a, b) => {
				check(pieces.join(''), { '⟦A⟧': a, '⟦B⟧': b });
			}),
		);
	});

	it('cas limites : sans trou, texte vide, milieu de plus d’un bloc « stored » (64 Kio)', () => {
		check('<sst>sans trou</sst>', {});
		check('', {});
		check('⟦A⟧', { '⟦A⟧': 'seul' });
		const part = check(`<sst>${'début '.repeat(2000)}⟦A⟧${'é'.repeat(50_000)}⟦B⟧${'fin '.repeat(2000)}</sst>`, { '⟦A⟧': 'x'.repeat(70_000), '⟦B⟧': 'ç' });
		// Le milieu (170 002 octets) est recopié en 3 blocs « stored » ; début et fin (22 Kio) sont compressés.
		expect(part.size).toBe(170_002 + 14_005 + 8_006);
		expect(part.raw.length - 170_002).toBeLessThan(1_000);
	});

	it('s’insère dans une archive que JSZip relit avec contrôle du CRC', async () => {
		const archive = ZipArchive.read(await sample(false));
		archive.setCompressed('xl/sharedStrings.xml', new DeflateTemplate('<sst><si><t>⟦A⟧</t></si>' + '<si><t>fixe</t></si>'.repeat(100) + '</sst>', HOLE).render(fill({ '⟦A⟧': 'Études & Cie' })));
		const back = await JSZip.loadAsync(archive.toBuffer(), { checkCRC32: true });
		expect(await back.file('xl/sharedStrings.xml')!.async('string')).toMatch(/^<sst><si><t>Études & Cie<\/t><\/si><si><t>fixe/);
	});
});

describe('texte écrit dans le XML des classeurs', () => {
	it('échappe les caractères réservés et code les caractères de contrôle à la manière d’OOXML', () => {
		expect(xmlText('a < b & « c » \'d\' "e"')).toBe('a &lt; b &amp; « c » &#39;d&#39; &quot;e&quot;');
		expect(xmlText('bip\u0007 _x0041_')).toBe('bip_x0007_ _x005F_x0041_');
		expect(xmlText('ligne 1\nligne 2\t→')).toBe('ligne 1\nligne 2\t→');
	});

	it('se relit à l’identique', () => {
		fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => decodeXml(xmlText(text)) === text));
	});
});
