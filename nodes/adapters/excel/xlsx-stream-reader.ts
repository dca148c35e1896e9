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
import path from 'node:path';
import type { Readable } from 'node:stream';

import { ZipArchive } from './zip-archive';

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

const Base = ExcelJS.stream.xlsx.WorkbookReader as unknown as new (input: undefined, options: object) => ExcelJsReaderInternals;

const RELATIONSHIP_TYPES = {
	officeDocument: /\/officeDocument$/,
	worksheet: /\/worksheet$/,
	sharedStrings: /\/sharedStrings$/,
	styles: /\/styles$/,
};

/** Chemin d'une partie cible d'une relation, vu depuis le dossier de la partie source. */
function resolveTarget(fromFolder: string, target: string): string {
	const resolved = target.startsWith('/') ? target.slice(1) : path.posix.normalize(path.posix.join(fromFolder, target));
	return resolved.replace(/^\.\//, '');
}

/** Relations d'une partie (fichier `_rels/<nom>.rels` de son dossier). */
function relationsPath(part: string): string {
	return path.posix.join(path.posix.dirname(part), '_rels', `${path.posix.basename(part)}.rels`);
}

class CentralDirectoryReader extends Base {
	constructor(
		private readonly archive: ZipArchive,
		options: object,
	) {
		super(undefined, options);
	}

	private part(name: string): Readable | undefined {
		return this.archive.textStream(name);
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
		const folder = path.posix.dirname(workbookPath);
		const rels = this.part(relationsPath(workbookPath));
		if (rels) await this._parseRels(rels);
		const relationships = this.workbookRels ?? [];
		const target = (type: RegExp, fallback: string) => {
			const rel = relationships.find((r) => type.test(r.Type ?? ''));
			return rel ? resolveTarget(folder, rel.Target) : `${folder}/${fallback}`;
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
			const stream = this.part(resolveTarget(folder, rel.Target));
			if (!stream) continue;
			const sheetNo = /sheet(\d+)\.xml$/.exec(rel.Target)?.[1] ?? String(sheet.id);
			for (const event of this._parseWorksheet(stream, sheetNo)) {
				// Nom, numéro et état pris du classeur, même si la partie ne s'appelle pas « sheetN.xml ».
				Object.assign(event.value, { name: sheet.name, id: sheet.id, state: sheet.state ?? 'visible' });
				yield event;
			}
			stream.destroy();
		}
	}
}

/** Archive ou partie illisible : le fichier est en cause, pas le code qui le lit. */
export class UnreadableWorkbookError extends Error {}

function unreadable(error: unknown): UnreadableWorkbookError {
	return error instanceof UnreadableWorkbookError ? error : new UnreadableWorkbookError(error instanceof Error ? error.message : String(error));
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
 * Lève une UnreadableWorkbookError (message technique) si l'archive est abîmée.
 */
export function streamWorksheets(buffer: Buffer, options: { styles: 'cache' | 'ignore' }): AsyncIterable<StreamedWorksheet> {
	let archive: ZipArchive;
	try {
		archive = ZipArchive.read(buffer);
	} catch (error) {
		throw unreadable(error);
	}
	const reader = new CentralDirectoryReader(archive, { sharedStrings: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore', ...options });
	const sheets = {
		async *[Symbol.asyncIterator]() {
			for await (const { eventType, value } of reader.parse()) if (eventType === 'worksheet') yield value as StreamedWorksheet;
		},
	};
	return guarded(sheets, (sheet) => Object.assign(guarded(sheet), { name: sheet.name, id: sheet.id, state: sheet.state }));
}
