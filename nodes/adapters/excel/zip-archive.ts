/**
 * Archive zip d'un classeur xlsx, lue et réécrite avec le zlib natif de Node :
 * le répertoire central est lu une fois, chaque partie n'est décompressée que
 * si on la lit, et les parties non modifiées sont recopiées avec leurs données
 * compressées d'origine. JSZip fait la même chose, mais avec un zlib écrit en
 * JavaScript et un ordonnancement asynchrone par morceaux : une dizaine de
 * millisecondes par classeur, contre moins d'une ici (voir
 * bench/RESULTATS-fiche-visa.md). Le tampon reçu n'est jamais modifié : les
 * données d'origine en sont des vues en lecture seule.
 *
 * Pas de zip64, ni de chiffrement zip (un classeur protégé par mot de passe
 * n'est pas un zip : voir assertXlsx) : une archive de ce genre est refusée
 * comme abîmée.
 */
import { constants as bufferConstants } from 'node:buffer';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

import type { ReadLimits } from '../../core';
import { DEFAULT_READ_LIMITS, ReadBudget, ReadLimitError } from '../../core';

interface Entry {
	name: string;
	method: number;
	crc: number;
	size: number;
	/** Données compressées d'origine (vue sur le tampon reçu). */
	raw?: Buffer;
	/** Contenu remplacé, non compressé. */
	content?: Buffer;
	time: number;
	date: number;
}

const STORE = 0;
const DEFLATE = 8;

let crcTable: Uint32Array | undefined;

/** CRC-32 du zip, éventuellement en continuation d'un CRC précédent ; zlib.crc32 depuis Node 20.15 et 22.2, table sinon. */
function crc32(data: Buffer, previous = 0): number {
	if (typeof zlib.crc32 === 'function') return zlib.crc32(data, previous) >>> 0;
	if (!crcTable) {
		crcTable = new Uint32Array(256);
		for (let n = 0; n < 256; n++) {
			let c = n;
			for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
			crcTable[n] = c >>> 0;
		}
	}
	let crc = (previous ^ 0xffffffff) >>> 0;
	for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
	return (crc ^ 0xffffffff) >>> 0;
}

/** Partie compressée (deflate brut), avec le CRC-32 et la taille de son contenu. */
export interface CompressedPart {
	raw: Buffer;
	crc: number;
	size: number;
}

/** Plus grand bloc deflate « stored » (non compressé). */
const STORED_BLOCK_MAX = 0xffff;

/**
 * Texte à trous compressé une fois pour toutes : le début (jusqu'au premier
 * trou) et la fin (après le dernier) sont compressés à la création, chacun par
 * son propre compresseur ; le milieu, qui porte les valeurs, est recopié à
 * chaque rendu en blocs deflate « stored » (RFC 1951, § 3.2.4), sans
 * compresseur. Le flux deflate obtenu est valide : le début se termine par un
 * vidage synchronisé (aligné sur l'octet, bloc non final), la fin ne renvoie
 * jamais en arrière au-delà d'elle-même. Pour un modèle pré-rempli par
 * destinataire : quelques microsecondes par rendu au lieu d'une compression
 * complète (une initialisation de zlib coûte à elle seule des dizaines de
 * microsecondes).
 */
export class DeflateTemplate {
	private readonly prefixRaw: Buffer;
	private readonly prefixCrc: number;
	private readonly prefixSize: number;
	private readonly middle: string;
	private readonly suffix: Buffer;
	private readonly suffixRaw: Buffer;

	/** @param holes motif des trous (drapeau g) ; sans trou, tout le texte est compressé d'avance. */
	constructor(text: string, holes: RegExp) {
		const matches = [...text.matchAll(new RegExp(holes.source, holes.flags.includes('g') ? holes.flags : `${holes.flags}g`))];
		const start = matches.length > 0 ? matches[0].index : text.length;
		const end = matches.length > 0 ? matches[matches.length - 1].index + matches[matches.length - 1][0].length : text.length;
		const prefix = Buffer.from(text.slice(0, start), 'utf8');
		this.middle = text.slice(start, end);
		this.suffix = Buffer.from(text.slice(end), 'utf8');
		this.prefixRaw = prefix.length > 0 ? zlib.deflateRawSync(prefix, { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH }) : Buffer.alloc(0);
		this.prefixCrc = crc32(prefix);
		this.prefixSize = prefix.length;
		// Un flux deflate finit par un bloc final : celui de la fin, ou un bloc « stored » vide.
		this.suffixRaw = this.suffix.length > 0 ? zlib.deflateRawSync(this.suffix, { level: 9 }) : Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff]);
	}

	/** Le texte complet, le milieu passé par `fill` (qui remplace les trous). */
	render(fill: (middle: string) => string): CompressedPart {
		const middle = Buffer.from(fill(this.middle), 'utf8');
		const blocks: Buffer[] = [this.prefixRaw];
		for (let offset = 0; offset < middle.length; offset += STORED_BLOCK_MAX) {
			const chunk = middle.subarray(offset, offset + STORED_BLOCK_MAX);
			const header = Buffer.alloc(5);
			header[0] = 0x00; // bloc non final, type 00 (stored)
			header.writeUInt16LE(chunk.length, 1);
			header.writeUInt16LE(~chunk.length & 0xffff, 3);
			blocks.push(header, chunk);
		}
		blocks.push(this.suffixRaw);
		const crc = crc32(this.suffix, crc32(middle, this.prefixCrc));
		return { raw: Buffer.concat(blocks), crc, size: this.prefixSize + middle.length + this.suffix.length };
	}
}

/**
 * Partie abîmée : données compressées incomplètes ou corrompues, taille ou
 * CRC-32 différents de ceux du répertoire central. Message en français.
 */
export class DamagedPartError extends Error {}

/** Message français d'une erreur de zlib (« unexpected end of file »…). */
function inflateFailure(name: string, error: unknown): DamagedPartError {
	const code = (error as NodeJS.ErrnoException | undefined)?.code;
	const reason = code === 'Z_BUF_ERROR' ? 'données compressées incomplètes (partie tronquée)' : 'données compressées corrompues';
	return new DamagedPartError(`partie « ${name} » abîmée : ${reason}`);
}

/** Une erreur de zlib pendant une transformation devient celle de la partie ; toute autre reste telle quelle. */
function transformFailure(name: string, error: unknown): Error {
	const code = (error as NodeJS.ErrnoException | undefined)?.code;
	if (typeof code === 'string' && code.startsWith('Z_')) return inflateFailure(name, error);
	return error instanceof Error ? error : new Error(String(error));
}

function mismatch(name: string, what: 'taille' | 'somme de contrôle'): DamagedPartError {
	return new DamagedPartError(`partie « ${name} » abîmée : ${what} décompressée différente de celle qu\u2019annonce l\u2019archive`);
}

export class ZipArchive {
	/** Octets décompressés et cellules lus dans ce fichier, face aux limites de lecture. */
	readonly budget: ReadBudget;

	private constructor(
		private readonly entries: Map<string, Entry>,
		limits: ReadLimits,
	) {
		this.budget = new ReadBudget(limits);
	}

	/**
	 * Lit le répertoire central ; lève une Error (message français) si l'archive est abîmée.
	 * @param limits limites de lecture : chaque partie lue est décompressée sous ces limites.
	 */
	static read(buffer: Buffer, limits: ReadLimits = DEFAULT_READ_LIMITS): ZipArchive {
		let eocd = -1;
		for (let i = buffer.length - 22; i >= Math.max(0, buffer.length - 22 - 0xffff); i--) {
			if (buffer.readUInt32LE(i) === 0x06054b50) {
				eocd = i;
				break;
			}
		}
		if (eocd < 0) throw new Error('fin d\u2019archive zip introuvable (fichier tronqué ?)');
		const count = buffer.readUInt16LE(eocd + 10);
		let offset = buffer.readUInt32LE(eocd + 16);
		if (count === 0xffff || offset === 0xffffffff) throw new Error('archive zip64 non prise en charge');
		if (buffer.readUInt16LE(eocd + 8) !== count || offset + buffer.readUInt32LE(eocd + 12) > eocd) throw new Error('répertoire central de l\u2019archive incomplet');
		const entries = new Map<string, Entry>();
		for (let i = 0; i < count; i++) {
			if (offset + 46 > buffer.length || buffer.readUInt32LE(offset) !== 0x02014b50) throw new Error('répertoire central de l\u2019archive abîmé');
			const flags = buffer.readUInt16LE(offset + 8);
			const method = buffer.readUInt16LE(offset + 10);
			const time = buffer.readUInt16LE(offset + 12);
			const date = buffer.readUInt16LE(offset + 14);
			const crc = buffer.readUInt32LE(offset + 16);
			const compressedSize = buffer.readUInt32LE(offset + 20);
			const size = buffer.readUInt32LE(offset + 24);
			const nameLength = buffer.readUInt16LE(offset + 28);
			const extraLength = buffer.readUInt16LE(offset + 30);
			const commentLength = buffer.readUInt16LE(offset + 32);
			const local = buffer.readUInt32LE(offset + 42);
			const name = buffer.toString(flags & 0x800 ? 'utf8' : 'latin1', offset + 46, offset + 46 + nameLength);
			offset += 46 + nameLength + extraLength + commentLength;
			if (flags & 1) throw new Error(`partie « ${name} » chiffrée`);
			if (name.endsWith('/')) continue;
			if (local + 30 > buffer.length || buffer.readUInt32LE(local) !== 0x04034b50) throw new Error(`en-tête local de « ${name} » abîmé`);
			const start = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
			if (start + compressedSize > buffer.length) throw new Error(`données de « ${name} » tronquées`);
			if (method !== STORE && method !== DEFLATE) throw new Error(`méthode de compression ${method} non prise en charge (« ${name} »)`);
			entries.set(name, { name, method, crc, size, raw: buffer.subarray(start, start + compressedSize), time, date });
		}
		return new ZipArchive(entries, limits);
	}

	/**
	 * Ce qu'une partie peut occuper, décompressée : sa taille annoncée si elle
	 * tient dans les limites (une taille réelle plus grande est une archive
	 * abîmée), sinon la partie est refusée avant d'être décompressée.
	 */
	private allowance(entry: Entry): number {
		const remaining = this.budget.remainingFor();
		if (entry.size > remaining) {
			throw remaining < this.budget.limits.partBytes ? new ReadLimitError('fichier', entry.name, this.budget.limits.fileBytes) : new ReadLimitError('partie', entry.name, this.budget.limits.partBytes);
		}
		return entry.size;
	}

	has(name: string): boolean {
		return this.entries.has(name);
	}

	names(): string[] {
		return [...this.entries.keys()];
	}

	/** Contenu d'une partie ; `undefined` si elle n'existe pas. */
	bytes(name: string): Buffer | undefined {
		const entry = this.entries.get(name);
		if (!entry) return undefined;
		if (entry.content) return entry.content;
		const raw = entry.raw!;
		const allowed = this.allowance(entry);
		let out: Buffer;
		if (entry.method === STORE) out = raw;
		else {
			try {
				// maxOutputLength : zlib s'arrête dès que la sortie dépasse la taille annoncée (bombe zip), sans tout décompresser.
				out = zlib.inflateRawSync(raw, { maxOutputLength: Math.min(allowed + 1, bufferConstants.MAX_LENGTH) });
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw mismatch(name, 'taille');
				throw inflateFailure(name, error);
			}
		}
		if (out.length !== entry.size) throw mismatch(name, 'taille');
		if (crc32(out) !== entry.crc) throw mismatch(name, 'somme de contrôle');
		this.budget.addBytes(name, out.length, out.length);
		return out;
	}

	/**
	 * Vérifie, au fil de la décompression, la taille (limites de lecture, taille
	 * annoncée) et, à la fin, le CRC-32 d'une partie.
	 */
	private checker(entry: Entry): Transform {
		const allowed = this.allowance(entry);
		const budget = this.budget;
		let size = 0;
		let crc = 0;
		return new Transform({
			transform(chunk: Buffer, _encoding, callback) {
				size += chunk.length;
				if (size > allowed) return callback(mismatch(entry.name, 'taille'));
				try {
					budget.addBytes(entry.name, chunk.length, size);
				} catch (error) {
					return callback(error as Error);
				}
				crc = crc32(chunk, crc);
				callback(null, chunk);
			},
			flush(callback) {
				if (size !== entry.size) return callback(mismatch(entry.name, 'taille'));
				if (crc >>> 0 !== entry.crc) return callback(mismatch(entry.name, 'somme de contrôle'));
				callback();
			},
		});
	}

	/**
	 * Contenu d'une partie en flux (morceaux de 16 Kio, taille par défaut de
	 * zlib) : une grande feuille n'est jamais décompressée d'un bloc.
	 * `undefined` si la partie n'existe pas.
	 */
	stream(name: string): Readable | undefined {
		const entry = this.entries.get(name);
		if (!entry) return undefined;
		if (entry.content) return Readable.from([entry.content], { objectMode: false });
		const checker = this.checker(entry);
		let source: Readable;
		if (entry.method === STORE) source = Readable.from([entry.raw!], { objectMode: false });
		else {
			const inflate = zlib.createInflateRaw();
			inflate.end(entry.raw);
			source = inflate;
		}
		// Une erreur de zlib parvient au lecteur en français ; une erreur du contrôle (ou l'abandon du lecteur) arrête zlib.
		source.on('error', (error) => checker.destroy(error instanceof DamagedPartError ? error : inflateFailure(entry.name, error)));
		checker.on('close', () => source.destroy());
		return source.pipe(checker);
	}

	/** Taille décompressée d'une partie (répertoire central) ; `undefined` si elle n'existe pas. */
	sizeOf(name: string): number | undefined {
		const entry = this.entries.get(name);
		return entry && (entry.content?.length ?? entry.size);
	}

	/** Texte (UTF-8) d'une partie ; `undefined` si elle n'existe pas. */
	text(name: string): string | undefined {
		return this.bytes(name)?.toString('utf8');
	}

	/** Remplace ou ajoute une partie déjà compressée (voir DeflateTemplate). */
	setCompressed(name: string, part: CompressedPart): void {
		const previous = this.entries.get(name);
		this.entries.set(name, { name, method: DEFLATE, crc: part.crc, size: part.size, raw: part.raw, time: previous?.time ?? 0, date: previous?.date ?? 0x21 });
	}

	/** Remplace ou ajoute une partie. */
	set(name: string, text: string): void {
		const previous = this.entries.get(name);
		const content = Buffer.from(text, 'utf8');
		this.entries.set(name, { name, method: DEFLATE, crc: crc32(content), size: content.length, content, time: previous?.time ?? 0, date: previous?.date ?? 0x21 });
	}

	/**
	 * Remplace une partie par sa transformation en flux (décompression,
	 * `transform`, recompression) : pour une grande feuille, sans jamais en
	 * tenir tout le texte en mémoire.
	 */
	async transform(name: string, transform: Transform, level = 6): Promise<void> {
		const entry = this.entries.get(name);
		if (!entry) throw new Error(`partie « ${name} » absente de l’archive`);
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
		const source = Readable.from([entry.content ?? entry.raw!]);
		const inflate: NodeJS.ReadWriteStream[] = entry.content ? [] : entry.method === DEFLATE ? [zlib.createInflateRaw(), this.checker(entry)] : [this.checker(entry)];
		try {
			await pipeline([source, ...inflate, transform, measure, zlib.createDeflateRaw({ level }), collect]);
		} catch (error) {
			throw transformFailure(name, error);
		}
		this.entries.set(name, { ...entry, method: DEFLATE, crc: crc >>> 0, size, raw: Buffer.concat(compressed), content: undefined });
	}

	remove(name: string): void {
		this.entries.delete(name);
	}

	/** La nouvelle archive : parties modifiées compressées, les autres recopiées telles quelles. */
	toBuffer(): Buffer {
		const chunks: Buffer[] = [];
		const central: Buffer[] = [];
		let offset = 0;
		for (const entry of this.entries.values()) {
			const data = entry.content ? zlib.deflateRawSync(entry.content, { level: 1 }) : entry.raw!;
			const name = Buffer.from(entry.name, 'utf8');
			const utf8 = name.length !== entry.name.length ? 0x800 : 0;
			// Champs communs à l'en-tête local (octets 4 à 29) et à celui du répertoire central (6 à 33) :
			// version requise, drapeaux, méthode, heure, date, CRC, tailles, longueurs du nom et de l'extra.
			const fields = Buffer.alloc(26);
			fields.writeUInt16LE(20, 0);
			fields.writeUInt16LE(utf8, 2);
			fields.writeUInt16LE(entry.method, 4);
			fields.writeUInt16LE(entry.time, 6);
			fields.writeUInt16LE(entry.date, 8);
			fields.writeUInt32LE(entry.crc, 10);
			fields.writeUInt32LE(data.length, 14);
			fields.writeUInt32LE(entry.size, 18);
			fields.writeUInt16LE(name.length, 22);
			const local = Buffer.alloc(30);
			local.writeUInt32LE(0x04034b50, 0);
			fields.copy(local, 4);
			const header = Buffer.alloc(46);
			header.writeUInt32LE(0x02014b50, 0);
			header.writeUInt16LE(20, 4);
			fields.copy(header, 6);
			header.writeUInt32LE(offset, 42);
			chunks.push(local, name, data);
			central.push(header, name);
			offset += 30 + name.length + data.length;
		}
		const centralSize = central.reduce((n, b) => n + b.length, 0);
		const end = Buffer.alloc(22);
		end.writeUInt32LE(0x06054b50, 0);
		end.writeUInt16LE(this.entries.size, 8);
		end.writeUInt16LE(this.entries.size, 10);
		end.writeUInt32LE(centralSize, 12);
		end.writeUInt32LE(offset, 16);
		return Buffer.concat([...chunks, ...central, end]);
	}
}
