/**
 * WOFF 1.0 → police TrueType (sfnt) : chaque table est décompressée (zlib) et
 * recopiée, alignée sur 4 octets, derrière un répertoire des tables. fontkit lit
 * le WOFF directement, mais échoue sur certains glyphes vides (l'espace insécable)
 * et, en WOFF2, sur les glyphes composés (lettres accentuées) au moment du
 * sous-ensemble : la police convertie n'a aucun de ces défauts.
 */
import { inflateSync } from 'node:zlib';

export function woffToSfnt(woff: Uint8Array): Buffer {
	const b = Buffer.from(woff.buffer, woff.byteOffset, woff.byteLength);
	if (b.toString('latin1', 0, 4) !== 'wOFF') throw new Error('Police des lettres : fichier WOFF attendu');
	const flavor = b.readUInt32BE(4);
	const count = b.readUInt16BE(12);
	const tables: Array<{ tag: string; checksum: number; data: Buffer }> = [];
	for (let i = 0; i < count; i++) {
		const at = 44 + i * 20;
		const offset = b.readUInt32BE(at + 4);
		const compressed = b.readUInt32BE(at + 8);
		const original = b.readUInt32BE(at + 12);
		const raw = b.subarray(offset, offset + compressed);
		const data = compressed < original ? inflateSync(raw) : raw;
		if (data.length !== original) throw new Error('Police des lettres : table WOFF de longueur inattendue');
		tables.push({ tag: b.toString('latin1', at, at + 4), checksum: b.readUInt32BE(at + 16), data });
	}
	let power = 1;
	let log = 0;
	while (power * 2 <= count) {
		power *= 2;
		log++;
	}
	const header = 12 + 16 * count;
	const padded = (n: number) => (n + 3) & ~3;
	const out = Buffer.alloc(tables.reduce((size, t) => size + padded(t.data.length), header));
	out.writeUInt32BE(flavor, 0);
	out.writeUInt16BE(count, 4);
	out.writeUInt16BE(power * 16, 6);
	out.writeUInt16BE(log, 8);
	out.writeUInt16BE(count * 16 - power * 16, 10);
	let offset = header;
	tables.forEach((t, i) => {
		const at = 12 + i * 16;
		out.write(t.tag, at, 'latin1');
		out.writeUInt32BE(t.checksum, at + 4);
		out.writeUInt32BE(offset, at + 8);
		out.writeUInt32BE(t.data.length, at + 12);
		t.data.copy(out, offset);
		offset += padded(t.data.length);
	});
	return out;
}
