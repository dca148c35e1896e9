/**
 * Lecteur en flux d'exceljs (stream.xlsx.WorkbookReader), alimenté par le
 * répertoire central de l'archive au lieu d'une lecture séquentielle du zip.
 *
 * Pourquoi : le WorkbookReader d'exceljs 4.4 lit le zip d'une seule passe
 * (unzipper, `Parse`), qui annonce sa fin dès que tout le fichier est reçu,
 * parfois avant d'avoir rendu la dernière partie. Or exceljs écrit
 * `xl/workbook.xml` en dernier : la lecture échouait alors, au hasard, sur
 * « Cannot read properties of undefined (reading 'sheets') »
 * (exceljs/exceljs#3064, toujours ouvert). La passe séquentielle obligeait
 * aussi à recopier chaque feuille dans un fichier temporaire quand les chaînes
 * partagées venaient après elle. Ici, les morceaux donnés à exceljs sont déjà
 * du texte, décodé en continu : un « é » à cheval sur deux morceaux reste
 * entier, même sans le correctif d'exceljs appliqué à la construction
 * (scripts/build.mjs, exceljsStreamingUtf8).
 *
 * Ici : l'archive compressée est lue en mémoire (ZipArchive, zlib natif), puis
 * les parties sont données à exceljs dans l'ordre dont il a besoin — relations,
 * classeur, chaînes partagées, styles, puis chaque feuille dans l'ordre des
 * onglets — chacune décompressée en flux de texte. Les lignes d'une feuille
 * restent lues une à une : seul le fichier compressé est tenu en mémoire.
 *
 * Les méthodes `_parse…` sont internes à exceljs ; la version d'exceljs est
 * figée dans package.json et test/adapters/xlsx-stream-reader.test.ts vérifie
 * ce contrat.
 */
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { ReadLimits } from '../../core';
import { DEFAULT_READ_LIMITS, ReadLimitError, formatNumber } from '../../core';
import { XmlCompleteness } from './xml-complete';
import { DamagedPartError, ZipArchive, dirOf, relsPathOf, resolveTarget } from './ooxml';

interface Relationship {
	Id: string;
	Type?: string;
	Target: string;
	TargetMode?: string;
}

interface SheetModel {
	id: number;
	name: string;
	rId: string;
	state?: string;
}

/** Ce qu'exceljs rend pour chaque feuille lue en flux. */
export type StreamedWorksheet = AsyncIterable<ExcelJS.Row> & { name: string; id: number; state?: string };

/** Partie interne du WorkbookReader d'exceljs utilisée ici. */
interface ExcelJsReaderInternals {
	options: Record<string, string>;
	workbookRels?: Relationship[];
	model?: { sheets?: SheetModel[] };
	_parseRels(entry: Readable): Promise<void>;
	_parseWorkbook(entry: Readable): Promise<void>;
	_parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
	_parseStyles(entry: Readable): Promise<void>;
	_parseWorksheet(iterator: AsyncIterable<string>, sheetNo: string): Generator<{ eventType: string; value: StreamedWorksheet }>;
}

const RELATIONSHIP_TYPES = {
	officeDocument: /\/officeDocument$/,
	worksheet: /\/worksheet$/,
	sharedStrings: /\/sharedStrings$/,
	styles: /\/styles$/,
};

/** Colonnes d'une feuille Excel au plus (XFD) : une ligne qui en porte davantage n'est pas un classeur Excel. */
const EXCEL_MAX_COLUMNS = 16_384;

/**
 * Compte les lignes et les cellules d'une feuille dans son texte, avant
 * qu'exceljs ne les analyse : une ligne de millions de cellules serait
 * sinon tenue entière en mémoire par exceljs avant d'être rendue. Écrit à la
 * main (exceljs ne borne ni les lignes ni les cellules) ; mesuré sur une
 * feuille de 180 Mio (810 000 lignes, 6,5 millions de balises, morceaux de
 * 64 Kio) : 0,43 à 0,75 s, contre 20 à 24 s de lecture de la même feuille.
 */
class SheetCounter {
	/** Balises <row> et <c> (préfixe d'espace de noms admis), coupées ou non entre deux morceaux. */
	private static readonly TAGS = /<(?:[A-Za-z_][\w.-]*:)?(row|c)[\s>/]/g;
	private carry = '';
	private rows = 0;
	private cellsInRow = 0;

	constructor(
		private readonly archive: ZipArchive,
		private readonly sheet: string,
	) {}

	push(text: string): void {
		const scanned = this.carry + text;
		const tags = SheetCounter.TAGS;
		tags.lastIndex = 0;
		let cells = 0;
		for (let m = tags.exec(scanned); m; m = tags.exec(scanned)) {
			if (m[1] === 'row') {
				this.archive.budget.addRow(this.sheet, ++this.rows, 0);
				this.cellsInRow = 0;
			} else {
				cells++;
				if (++this.cellsInRow > EXCEL_MAX_COLUMNS) throw new DamagedPartError(`feuille « ${this.sheet} » : une ligne porte plus de ${formatNumber(EXCEL_MAX_COLUMNS)} cellules, le maximum d\u2019Excel`);
			}
		}
		if (cells > 0) this.archive.budget.addRow(this.sheet, this.rows, cells);
		// Une balise coupée en fin de morceau est retrouvée au suivant (une balise complète ne l'est pas deux fois : elle finit par son délimiteur).
		const cut = scanned.lastIndexOf('<');
		this.carry = cut >= 0 && scanned.length - cut < 32 && !/[\s>/]/.test(scanned.slice(cut + 1)) ? scanned.slice(cut) : '';
	}
}

/**
 * Texte UTF-8 d'un flux d'octets, décodé en continu : un caractère à cheval
 * sur deux morceaux reste entier. À la fin, le document XML doit être complet
 * (xml-complete.ts).
 */
async function* utf8Chunks(bytes: Readable, part: string, counter?: SheetCounter): AsyncGenerator<string> {
	const decoder = new TextDecoder('utf-8');
	const completeness = new XmlCompleteness(part);
	for await (const chunk of bytes) {
		const text = decoder.decode(chunk as Buffer, { stream: true });
		if (text !== '') {
			completeness.push(text);
			counter?.push(text);
			yield text;
		}
	}
	const rest = decoder.decode();
	if (rest !== '') {
		completeness.push(rest);
		yield rest;
	}
	completeness.end();
}

/**
 * Au-delà de cette taille de XML, une feuille est d'abord décompressée dans un
 * fichier temporaire, puis lue depuis ce fichier (ce que faisait exceljs pour
 * toutes les feuilles) ; en deçà, elle est décompressée à mesure de la lecture.
 * Mesuré sur un registre de 300 000 lignes (feuille de 180 Mio de XML) dans un
 * processus au tas limité à 256 Mio : 22 à 24 s en passant par le fichier,
 * contre 30 s le plus souvent quand zlib décompresse en même temps qu'exceljs
 * analyse (le ramasse-miettes travaille alors presque deux fois plus) ; sans
 * limite de tas, 20 s dans les deux cas. Sous tas limité, les durées restent
 * bimodales d'une exécution à l'autre (22 ou 30 s, selon le dimensionnement
 * que V8 choisit pour la jeune génération). La mémoire reste celle d'un
 * morceau, quelle que soit la feuille.
 */
const SPOOL_ABOVE_BYTES = 32 * 1024 * 1024;

/** Copie temporaire impossible (disque plein, dossier temporaire interdit) : ni le fichier ni le code n'est en cause. */
export class SpoolError extends Error {}

/** Le XML d'une feuille, en flux d'octets, et de quoi libérer ce qu'il occupe. */
async function sheetSource(archive: ZipArchive, name: string, spoolAboveBytes: number, spoolDir: string): Promise<{ stream: Readable; close: () => Promise<void> } | undefined> {
	const stream = archive.stream(name);
	if (!stream) return undefined;
	if ((archive.sizeOf(name) ?? 0) <= spoolAboveBytes) return { stream, close: async () => void stream.destroy() };
	let folder: string | undefined;
	try {
		folder = await fs.promises.mkdtemp(path.join(spoolDir, 'clauses-sociales-feuille-'));
		const file = path.join(folder, 'feuille.xml');
		await pipeline(stream, fs.createWriteStream(file));
		const spooled = fs.createReadStream(file, { highWaterMark: 64 * 1024 });
		const dir = folder;
		return {
			stream: spooled,
			close: async () => {
				spooled.destroy();
				await fs.promises.rm(dir, { recursive: true, force: true });
			},
		};
	} catch (error) {
		stream.destroy();
		if (folder) await fs.promises.rm(folder, { recursive: true, force: true });
		throw spoolFailure(error);
	}
}

/** Une erreur de zlib (archive abîmée) ou une limite dépassée reste celle du fichier ; toute autre tient à la copie temporaire. */
function spoolFailure(error: unknown): Error {
	if (error instanceof ReadLimitError || error instanceof DamagedPartError) return error;
	const code = (error as NodeJS.ErrnoException | undefined)?.code;
	if (error instanceof Error && typeof code === 'string' && code.startsWith('Z_')) return error;
	const detail = error instanceof Error ? error.message : String(error);
	return new SpoolError(`copie temporaire de la feuille impossible dans ${os.tmpdir()} (${detail})`);
}

/** Itérateur vide : une feuille dont on ne lit pas les lignes n'est pas décompressée. */
async function* nothing(): AsyncGenerator<string> {}

/**
 * Lecteur défini à la première lecture d'un classeur, pas au chargement du module :
 * dans le paquet construit, exceljs n'est chargé qu'à sa première utilisation
 * (scripts/build.mjs, bibliothèques chargées à la demande).
 */
function defineCentralDirectoryReader() {
	const Base = ExcelJS.stream.xlsx.WorkbookReader as unknown as new (input: undefined, options: object) => ExcelJsReaderInternals;
	return class CentralDirectoryReader extends Base {
		constructor(
			private readonly archive: ZipArchive,
			options: object,
			private readonly spoolAboveBytes: number,
			private readonly read: (sheetName: string) => boolean,
			private readonly spoolDir: string,
		) {
			super(undefined, options);
		}

		/** Une petite partie (relations, classeur, styles, chaînes partagées), en flux de texte pour exceljs. */
		private part(name: string): Readable | undefined {
			const bytes = this.archive.stream(name);
			return bytes && Readable.from(utf8Chunks(bytes, name));
		}

		/** Remplace la lecture séquentielle d'exceljs (même contrat d'événements). */
		async *parse(): AsyncGenerator<{ eventType: string; value: unknown }> {
			const rootRels = this.part('_rels/.rels');
			let workbookPath = 'xl/workbook.xml';
			if (rootRels) {
				await this._parseRels(rootRels);
				const main = (this.workbookRels ?? []).find((rel) => RELATIONSHIP_TYPES.officeDocument.test(rel.Type ?? ''));
				if (main) workbookPath = resolveTarget('', main.Target);
				this.workbookRels = undefined;
			}
			const folder = dirOf(workbookPath);
			const rels = this.part(relsPathOf(workbookPath));
			if (rels) await this._parseRels(rels);
			const relationships = this.workbookRels ?? [];
			const target = (type: RegExp, fallback: string) => {
				const rel = relationships.find((r) => type.test(r.Type ?? ''));
				return rel ? resolveTarget(folder, rel.Target) : `${folder ? `${folder}/` : ''}${fallback}`;
			};
			const workbook = this.part(workbookPath);
			if (!workbook) {
				const ods = this.archive.text('mimetype')?.includes('opendocument');
				throw new UnreadableWorkbookError(ods ? 'c\u2019est un fichier OpenDocument (.ods), pas un classeur Excel (.xlsx)' : 'l\u2019archive ne contient pas de classeur');
			}
			await this._parseWorkbook(workbook);
			const sharedStrings = this.part(target(RELATIONSHIP_TYPES.sharedStrings, 'sharedStrings.xml'));
			if (sharedStrings) yield* this._parseSharedStrings(sharedStrings) as AsyncGenerator<{ eventType: string; value: unknown }>;
			const styles = this.part(target(RELATIONSHIP_TYPES.styles, 'styles.xml'));
			if (styles) await this._parseStyles(styles);

			const byId = new Map(relationships.map((r) => [r.Id, r]));
			for (const sheet of this.model?.sheets ?? []) {
				const rel = byId.get(sheet.rId);
				if (!rel || rel.TargetMode === 'External' || !RELATIONSHIP_TYPES.worksheet.test(rel.Type ?? '/worksheet')) continue;
				const sheetPath = resolveTarget(folder, rel.Target);
				const wanted = this.read(sheet.name);
				if (!this.archive.has(sheetPath)) {
					// Une feuille à lire dont la partie manque : le classeur est incomplet, il n'est pas lu à moitié.
					if (wanted) throw new DamagedPartError(`la feuille « ${sheet.name} » est déclarée dans le classeur, mais sa partie « ${sheetPath} » est absente de l\u2019archive`);
					continue;
				}
				const sheetNo = /sheet(\d+)\.xml$/.exec(rel.Target)?.[1] ?? String(sheet.id);
				// Feuille à lire : préparée avant d'être rendue (décompression, ou copie temporaire si elle est grande).
				const source = wanted ? await sheetSource(this.archive, sheetPath, this.spoolAboveBytes, this.spoolDir) : undefined;
				try {
					for (const event of this._parseWorksheet(source ? utf8Chunks(source.stream, sheetPath, new SheetCounter(this.archive, sheet.name)) : nothing(), sheetNo)) {
						// Nom, numéro et état pris du classeur, même si la partie ne s'appelle pas « sheetN.xml ».
						Object.assign(event.value, { name: sheet.name, id: sheet.id, state: sheet.state ?? 'visible' });
						yield event;
					}
				} finally {
					await source?.close();
				}
			}
		}
	};
}

let CentralDirectoryReader: ReturnType<typeof defineCentralDirectoryReader> | undefined;

/** Archive ou partie illisible : le fichier est en cause, pas le code qui le lit. */
export class UnreadableWorkbookError extends Error {}

function unreadable(error: unknown): Error {
	if (error instanceof UnreadableWorkbookError || error instanceof SpoolError || error instanceof ReadLimitError) return error;
	return new UnreadableWorkbookError(error instanceof Error ? error.message : String(error));
}

/** Les erreurs levées en lisant l'archive (et non par le code qui consomme les lignes) deviennent des UnreadableWorkbookError. */
function guarded<T>(iterable: AsyncIterable<T>, wrap: (value: T) => T = (value) => value): AsyncIterable<T> {
	return {
		[Symbol.asyncIterator]() {
			const iterator = iterable[Symbol.asyncIterator]();
			return {
				async next() {
					try {
						const result = await iterator.next();
						return result.done ? result : { done: false, value: wrap(result.value) };
					} catch (error) {
						throw unreadable(error);
					}
				},
				async return() {
					await iterator.return?.();
					return { done: true, value: undefined };
				},
			};
		},
	};
}

/**
 * Feuilles d'un classeur, dans l'ordre des onglets, chacune à lire ligne à
 * ligne (`for await (const row of sheet)`) avant de passer à la suivante.
 * @param read feuilles dont les lignes seront lues (par nom) : les autres sont rendues vides, sans être décompressées.
 * @param spoolAboveBytes taille de XML au-delà de laquelle une feuille passe par un fichier temporaire (SPOOL_ABOVE_BYTES).
 * @param spoolDir dossier de ces fichiers temporaires (par défaut, celui du système).
 * @param limits limites de lecture (taille décompressée, lignes, cellules), vérifiées pendant la lecture.
 * Lève une UnreadableWorkbookError si l'archive est abîmée, une ReadLimitError si elle dépasse une limite.
 */
export function streamWorksheets(
	buffer: Buffer,
	{
		styles,
		spoolAboveBytes = SPOOL_ABOVE_BYTES,
		read = () => true,
		spoolDir = os.tmpdir(),
		limits = DEFAULT_READ_LIMITS,
	}: { styles: 'cache' | 'ignore'; spoolAboveBytes?: number; read?: (sheetName: string) => boolean; spoolDir?: string; limits?: ReadLimits },
): AsyncIterable<StreamedWorksheet> {
	let archive: ZipArchive;
	try {
		archive = ZipArchive.read(buffer, limits);
	} catch (error) {
		throw unreadable(error);
	}
	CentralDirectoryReader ??= defineCentralDirectoryReader();
	const reader = new CentralDirectoryReader(archive, { sharedStrings: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore', styles }, spoolAboveBytes, read, spoolDir);
	const sheets = {
		async *[Symbol.asyncIterator]() {
			for await (const { eventType, value } of reader.parse()) if (eventType === 'worksheet') yield value as StreamedWorksheet;
		},
	};
	return guarded(sheets, (sheet) => Object.assign(guarded(sheet), { name: sheet.name, id: sheet.id, state: sheet.state }));
}
