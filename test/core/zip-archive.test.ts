/**
 * Archive zip des classeurs (zlib natif) : lecture du répertoire central,
 * parties stockées ou compressées, descripteurs de données, réécriture lue par
 * JSZip, tampon d'origine intact ; texte écrit dans le XML et relu à l'identique.
 */
import crypto from 'node:crypto';
import fc from 'fast-check';
import JSZip from 'jszip';

import { ZipArchive, decodeXml, xmlText } from '../../nodes/adapters';

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
