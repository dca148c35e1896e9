/**
 * Réécriture d'une seule entrée d'une archive .xlsx (zip), en flux et avec le
 * zlib natif de Node : les autres entrées sont recopiées octet pour octet,
 * sans être décompressées. Sert à ajouter des lignes à la feuille « Relevés »
 * d'un classeur de suivi volumineux (register-append.ts) : JSZip y passait le
 * plus clair du temps (décompression, CRC et recompression en JavaScript).
 * Archives « ordinaires » seulement (pas de zip64, ni de chiffrement) ; pour
 * les autres, `readZipDirectory` renvoie `undefined` et l'appelant garde JSZip.
 */
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

export interface ZipEntry {
	name: string;
	method: number;
	flags: number;
	crc: number;
	compressedSize: number;
	size: number;
	/** Début des données compressées dans l'archive. */
	dataStart: number;
	/** Enregistrement du répertoire central (copié tel quel, champs modifiés à la réécriture). */
	central: Buffer;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Répertoire central d'une archive zip ordinaire, ou `undefined` si elle sort du cas simple. */
export function readZipDirectory(zip: Buffer): ZipEntry[] | undefined {
	let end = -1;
	for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
		if (zip.readUInt32LE(i) === EOCD) {
			end = i;
			break;
		}
	}
	if (end < 0) return undefined;
	const count = zip.readUInt16LE(end + 10);
	const size = zip.readUInt32LE(end + 12);
	let offset = zip.readUInt32LE(end + 16);
	if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff || offset + size > end) return undefined;
	const entries: ZipEntry[] = [];
	for (let n = 0; n < count; n++) {
		if (offset + 46 > zip.length || zip.readUInt32LE(offset) !== CENTRAL) return undefined;
		const flags = zip.readUInt16LE(offset + 8);
		const method = zip.readUInt16LE(offset + 10);
		const compressedSize = zip.readUInt32LE(offset + 20);
		const uncompressed = zip.readUInt32LE(offset + 24);
		const nameLength = zip.readUInt16LE(offset + 28);
		const recordLength = 46 + nameLength + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
		const local = zip.readUInt32LE(offset + 42);
		// Chiffrement, zip64, méthode autre que « stockée » ou « deflate » : hors du cas simple.
		if ((flags & 0x0001) !== 0 || compressedSize === 0xffffffff || uncompressed === 0xffffffff || local === 0xffffffff || (method !== 0 && method !== 8)) return undefined;
		if (local + 30 > zip.length || zip.readUInt32LE(local) !== LOCAL) return undefined;
		const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
		if (dataStart + compressedSize > zip.length) return undefined;
		const name = zip.toString((flags & 0x0800) !== 0 ? 'utf8' : 'latin1', offset + 46, offset + 46 + nameLength);
		entries.push({ name, method, flags, crc: zip.readUInt32LE(offset + 16), compressedSize, size: uncompressed, dataStart, central: zip.subarray(offset, offset + recordLength) });
		offset += recordLength;
	}
	return entries;
}

/** Contenu décompressé d'une (petite) entrée. */
export function zipEntryText(zip: Buffer, entry: ZipEntry): string {
	const data = zip.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
	return (entry.method === 8 ? zlib.inflateRawSync(data) : data).toString('utf8');
}

/**
 * L'archive avec l'entrée `target` transformée en flux (décompression,
 * `transform`, recompression deflate) ; l'archive d'origine n'est pas modifiée.
 */
export async function rewriteZipEntry(zip: Buffer, entries: ZipEntry[], target: ZipEntry, transform: Transform, level = 6): Promise<Buffer> {
	// 1. La nouvelle entrée : CRC et taille calculés sur le texte transformé.
	const compressed: Buffer[] = [];
	let crc = 0;
	let size = 0;
	const measure = new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			crc = zlib.crc32(chunk, crc);
			size += chunk.length;
			callback(null, chunk);
		},
	});
	const collect = new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			compressed.push(chunk);
			callback();
		},
	});
	const source = Readable.from([zip.subarray(target.dataStart, target.dataStart + target.compressedSize)]);
	const stages: NodeJS.ReadWriteStream[] = target.method === 8 ? [zlib.createInflateRaw()] : [];
	await pipeline([source, ...stages, transform, measure, zlib.createDeflateRaw({ level }), collect]);
	const data = Buffer.concat(compressed);

	// 2. L'archive : en-têtes locaux réécrits (tailles connues, sans descripteur de données), données recopiées.
	const parts: Buffer[] = [];
	const centrals: Buffer[] = [];
	let offset = 0;
	for (const entry of entries) {
		const changed = entry === target;
		const body = changed ? data : zip.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
		const central = Buffer.from(entry.central);
		const nameLength = central.readUInt16LE(28);
		const flags = entry.flags & ~0x0008;
		central.writeUInt16LE(flags, 8);
		if (changed) {
			central.writeUInt16LE(8, 10);
			central.writeUInt32LE(crc >>> 0, 16);
			central.writeUInt32LE(data.length, 20);
			central.writeUInt32LE(size, 24);
		}
		central.writeUInt32LE(offset, 42);
		const local = Buffer.alloc(30);
		local.writeUInt32LE(LOCAL, 0);
		local.writeUInt16LE(central.readUInt16LE(6), 4);
		local.writeUInt16LE(flags, 6);
		local.writeUInt16LE(central.readUInt16LE(10), 8);
		central.copy(local, 10, 12, 28);
		local.writeUInt16LE(nameLength, 26);
		local.writeUInt16LE(0, 28);
		const name = central.subarray(46, 46 + nameLength);
		parts.push(local, name, body);
		offset += 30 + nameLength + body.length;
		centrals.push(central);
	}
	const directory = Buffer.concat(centrals);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(EOCD, 0);
	end.writeUInt16LE(entries.length, 8);
	end.writeUInt16LE(entries.length, 10);
	end.writeUInt32LE(directory.length, 12);
	end.writeUInt32LE(offset, 16);
	return Buffer.concat([...parts, directory, end]);
}
