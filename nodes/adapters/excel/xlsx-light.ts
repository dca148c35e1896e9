/**
 * Lecture légère d'un classeur xlsx : l'archive (zlib natif, zip-archive.ts), la liste des
 * feuilles, les noms définis, les chaînes partagées et le XML des seules
 * feuilles demandées, sans styles ni validations. Quelques millisecondes là où
 * le chargement complet d'exceljs en demande des dizaines : de quoi contrôler
 * des milliers de formulaires. Valeurs rendues : nombre, texte (y compris
 * texte enrichi), booléen, date ISO (cellules de type « d ») ; les formules
 * donnent leur résultat enregistré, les erreurs de calcul sont signalées.
 */
import type { ReadLimits } from '../../core';
import { DEFAULT_READ_LIMITS, ReadLimitError } from '../../core';
import { ZipArchive, decodeXml, parseAddress, relationshipTargets, xmlAttribute } from './ooxml';
import { assertXlsx, damagedFileError, fileError, limitFileError } from './workbook';
import { assertXmlComplete } from './xml-complete';

export interface LightCell {
	value: unknown;
	/** La cellule contient une formule. */
	formula?: boolean;
	/** Formule sans résultat enregistré. */
	noResult?: boolean;
	/** Erreur de calcul (#DIV/0!, #REF!…). */
	error?: string;
}

export interface LightRange {
	ref: string;
	top: number;
	left: number;
	bottom: number;
	right: number;
}

export interface LightSheet {
	name: string;
	cells: Map<string, LightCell>;
	merges: LightRange[];
	maxRow: number;
}

/** Texte d'un élément <si> ou <is> : ses <t>, sans les annotations phonétiques. */
function runsText(xml: string): string {
	const clean = xml.includes('<rPh') ? xml.replace(/<(?:\w+:)?rPh\b[\s\S]*?<\/(?:\w+:)?rPh>/g, '') : xml;
	let out = '';
	const re = /<(?:\w+:)?t(?:\s[^>]*)?>([\s\S]*?)<\/(?:\w+:)?t>/g;
	for (let m = re.exec(clean); m; m = re.exec(clean)) out += m[1];
	return decodeXml(out);
}

export class LightWorkbook {
	private sharedStrings?: string[];

	private constructor(
		/** L'archive, pour qui veut en lire (ou en réécrire) d'autres parties. */
		readonly zip: ZipArchive,
		readonly fileName: string,
		/** Feuilles dans l'ordre du classeur, avec le chemin de leur XML. */
		readonly sheets: Array<{ name: string; path: string; state: string }>,
		/** Noms définis globaux : nom → feuille et cellule (première cellule de la plage). */
		readonly definedNames: Map<string, { sheet: string; address: string }>,
	) {}

	get sheetNames(): string[] {
		return this.sheets.map((s) => s.name);
	}

	/**
	 * Texte d'une partie XML, décompressée sous les limites de lecture et
	 * complète ; `undefined` si elle n'existe pas. Erreurs françaises qui
	 * nomment le fichier.
	 */
	static partText(zip: ZipArchive, fileName: string, name: string): string | undefined {
		try {
			const text = zip.text(name);
			return text === undefined ? undefined : assertXmlComplete(name, text);
		} catch (error) {
			if (error instanceof ReadLimitError) throw limitFileError(fileName, error);
			throw damagedFileError(fileName, error instanceof Error ? error.message : String(error));
		}
	}

	private part(name: string): string | undefined {
		return LightWorkbook.partText(this.zip, this.fileName, name);
	}

	static async open(buffer: Buffer, fileName: string, limits: ReadLimits = DEFAULT_READ_LIMITS): Promise<LightWorkbook> {
		assertXlsx(buffer, fileName);
		let zip: ZipArchive;
		try {
			zip = ZipArchive.read(buffer, limits);
		} catch (error) {
			throw damagedFileError(fileName, error instanceof Error ? error.message : String(error));
		}
		const workbookXml = LightWorkbook.partText(zip, fileName, 'xl/workbook.xml');
		if (workbookXml === undefined) {
			const ods = zip.text('mimetype')?.includes('opendocument');
			throw fileError(
				fileName,
				ods ? 'c\u2019est un fichier OpenDocument (.ods), pas un classeur Excel (.xlsx)' : 'ce n\u2019est pas un classeur Excel (.xlsx) : l\u2019archive ne contient pas de classeur',
				'Enregistrez le fichier au format « Classeur Excel (.xlsx) » (LibreOffice : Fichier › Enregistrer sous › Excel 2007-365).',
				'fichier.pasXlsx',
			);
		}
		const relsXml = LightWorkbook.partText(zip, fileName, 'xl/_rels/workbook.xml.rels') ?? '';
		const targets = relationshipTargets(relsXml, 'xl/workbook.xml');
		const sheets: Array<{ name: string; path: string; state: string }> = [];
		for (const m of workbookXml.matchAll(/<(?:\w+:)?sheet\b([^>]*)\/?>/g)) {
			const name = xmlAttribute(m[1], 'name');
			const id = /\br:id="([^"]*)"|\bid="([^"]*)"/.exec(m[1]);
			const path = id ? targets.get(id[1] ?? id[2]) : undefined;
			if (name !== undefined && path) sheets.push({ name, path, state: xmlAttribute(m[1], 'state') ?? 'visible' });
		}
		const definedNames = new Map<string, { sheet: string; address: string }>();
		for (const m of workbookXml.matchAll(/<(?:\w+:)?definedName\b([^>]*)>([\s\S]*?)<\/(?:\w+:)?definedName>/g)) {
			const name = xmlAttribute(m[1], 'name');
			if (!name || xmlAttribute(m[1], 'localSheetId') !== undefined) continue;
			const ref = /^(?:'((?:[^']|'')+)'|([^!]+))!\$?([A-Z]+)\$?(\d+)/.exec(decodeXml(m[2]).trim());
			if (ref) definedNames.set(name, { sheet: (ref[1] ?? ref[2]).replace(/''/g, "'"), address: `${ref[3]}${ref[4]}` });
		}
		return new LightWorkbook(zip, fileName, sheets, definedNames);
	}

	private async strings(): Promise<string[]> {
		if (this.sharedStrings) return this.sharedStrings;
		const xml = this.part('xl/sharedStrings.xml') ?? '';
		const out: string[] = [];
		const re = /<(?:\w+:)?si>([\s\S]*?)<\/(?:\w+:)?si>|<(?:\w+:)?si\/>/g;
		for (let m = re.exec(xml); m; m = re.exec(xml)) out.push(m[1] === undefined ? '' : runsText(m[1]));
		this.sharedStrings = out;
		return out;
	}

	private count(sheet: string, row: number, cells: number): void {
		try {
			this.zip.budget.addRow(sheet, row, cells);
		} catch (error) {
			throw error instanceof ReadLimitError ? limitFileError(this.fileName, error) : error;
		}
	}

	/** Les cellules d'une feuille ; `undefined` si elle n'existe pas. */
	async sheet(name: string): Promise<LightSheet | undefined> {
		const entry = this.sheets.find((s) => s.name === name);
		if (!entry) return undefined;
		const xml = this.part(entry.path);
		if (xml === undefined) {
			throw damagedFileError(this.fileName, `feuille « ${name} » absente de l\u2019archive`);
		}
		const strings = xml.includes('t="s"') ? await this.strings() : [];
		const cells = new Map<string, LightCell>();
		let maxRow = 0;
		const re = /<(?:\w+:)?c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/(?:\w+:)?c>)/g;
		for (let m = re.exec(xml); m; m = re.exec(xml)) {
			const inner = m[2];
			if (inner === undefined || inner === '') continue;
			const address = xmlAttribute(m[1], 'r');
			if (!address) continue;
			const type = xmlAttribute(m[1], 't') ?? 'n';
			const formula = /<(?:\w+:)?f\b/.test(inner);
			const v = /<(?:\w+:)?v>([\s\S]*?)<\/(?:\w+:)?v>/.exec(inner);
			const raw = v ? decodeXml(v[1]) : undefined;
			let cell: LightCell;
			if (type === 'inlineStr') {
				const is = /<(?:\w+:)?is>([\s\S]*?)<\/(?:\w+:)?is>/.exec(inner);
				cell = { value: is ? runsText(is[1]) : '' };
			} else if (raw === undefined) {
				if (!formula) continue;
				cell = { value: undefined, noResult: true };
			} else if (type === 's') cell = { value: strings[Number(raw)] ?? '' };
			else if (type === 'str') cell = { value: raw };
			else if (type === 'b') cell = { value: raw === '1' || raw === 'true' };
			else if (type === 'e') cell = { value: undefined, error: raw };
			else if (type === 'd') cell = { value: raw.slice(0, 10) };
			else {
				const n = Number(raw);
				cell = { value: Number.isFinite(n) ? n : raw };
			}
			if (formula) cell.formula = true;
			cells.set(address, cell);
			const row = parseAddress(address).row;
			if (row > maxRow) maxRow = row;
			// Limites de lecture : lignes de la feuille, cellules du fichier (comptées par tranches de 1 024).
			if ((cells.size & 1023) === 0) this.count(name, maxRow, 1024);
		}
		this.count(name, maxRow, cells.size & 1023);
		const merges: LightRange[] = [];
		for (const mm of xml.matchAll(/<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+\d+):([A-Z]+\d+)"/g)) {
			const a = parseAddress(mm[1]);
			const b = parseAddress(mm[2]);
			merges.push({ ref: `${mm[1]}:${mm[2]}`, top: a.row, left: a.col, bottom: b.row, right: b.col });
		}
		return { name, cells, merges, maxRow };
	}
}

/** Plage fusionnée qui recouvre la cellule sans commencer par elle (sa valeur est alors perdue). */
export function coveringMerge(sheet: LightSheet, address: string): LightRange | undefined {
	if (sheet.merges.length === 0) return undefined;
	const { row, col } = parseAddress(address);
	return sheet.merges.find((r) => row >= r.top && row <= r.bottom && col >= r.left && col <= r.right && !(row === r.top && col === r.left));
}
