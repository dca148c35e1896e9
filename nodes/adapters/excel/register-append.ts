/**
 * Nouvelle version du classeur de suivi : le classeur d'origine, intact, plus
 * les lignes de relevé reçues ajoutées au bas de la feuille « Relevés », et la
 * mention « Remplacée par … » sur les lignes qu'une correction remplace. Le
 * fichier n'est pas relu ni réécrit par exceljs (qui perdrait graphiques,
 * tableaux croisés, mises en forme qu'il ne connaît pas) : seule l'entrée XML
 * de la feuille est transformée en flux, les autres entrées de l'archive sont
 * recopiées telles quelles. Les cellules ajoutées reprennent le style de la
 * dernière ligne de la feuille (formats de date, police), les textes sont en
 * ligne (pas de table de chaînes partagées à réécrire).
 */
import JSZip from 'jszip';
import { Transform } from 'node:stream';

import { AGE_BANDS, AnomalyError, CONTRACT_PERSON_FIELDS, CONTRACT_TYPES, EMPLOYERS, MODALITIES, OUTCOMES, PUBLIC_CATEGORIES, REPORT_LINE_LABELS, SEXES, normalizeToken } from '../../core';
import { ZipArchive, columnIndex, columnLetter, decodeXml, isoDateToExcelSerial, parseRelationships, resolveTarget, xmlText } from './ooxml';

/** Colonnes ajoutées à la feuille « Relevés » si elles manquent, dans cet ordre. */
export const REGISTER_LINE_FIELDS = [
	'marche',
	'lot',
	'siret',
	'mois',
	'participant',
	'categoriePublic',
	'eligibiliteValidee',
	'employeur',
	'nomEmployeur',
	'siretEmployeur',
	'modalite',
	'typeContrat',
	...CONTRACT_PERSON_FIELDS,
	'heuresMois',
	'heuresFormation',
	'justification',
	'dateReception',
	'version',
	'correction',
	'remplace',
	'remplaceePar',
] as const;

/** Intitulés des colonnes ajoutées (relus par les mêmes synonymes). */
const HEADER_LABELS: Record<string, string> = {
	marche: 'N° marché',
	lot: 'N° lot',
	siret: 'SIRET',
	mois: 'Mois',
	participant: 'Participant',
	categoriePublic: 'Catégorie de public',
	eligibiliteValidee: 'Éligibilité validée',
	employeur: 'Employeur',
	nomEmployeur: 'Raison sociale de l\u2019employeur',
	siretEmployeur: 'SIRET de l\u2019employeur',
	modalite: 'Modalité',
	typeContrat: 'Type de contrat',
	debutContrat: 'Début du contrat',
	finContrat: 'Fin du contrat',
	poste: 'Poste',
	sexe: 'Sexe',
	trancheAge: 'Tranche d\u2019âge',
	residentQpv: 'Résident QPV',
	situationSixMois: 'Situation à six mois',
	heuresMois: 'Heures du mois',
	heuresFormation: 'Heures de formation',
	justification: 'Justification',
	dateReception: 'Date de réception',
	version: 'Version du relevé',
	correction: 'Correction',
	remplace: 'Remplace',
	remplaceePar: 'Remplacée par',
};

const ENUMS: Record<string, Record<string, { libelle: string }>> = {
	categoriePublic: PUBLIC_CATEGORIES,
	employeur: EMPLOYERS,
	modalite: MODALITIES,
	typeContrat: CONTRACT_TYPES,
	sexe: SEXES,
	trancheAge: AGE_BANDS,
	situationSixMois: OUTCOMES,
};
const DATE_FIELDS = new Set(['debutContrat', 'finContrat', 'dateReception']);

export interface RegisterAppendPlan {
	/** Nom de la feuille des relevés dans le classeur. */
	sheetName: string;
	headerRow: number;
	/** Champ de chaque colonne de la ligne d'en-têtes (1 = A). */
	columns: ReadonlyMap<number, string>;
	/** Lignes à marquer « remplacée par » : numéro de ligne → texte. */
	marks: ReadonlyMap<number, string>;
	/** Lignes à ajouter, par champ (valeurs d'une ligne de relevé validée). */
	rows: Array<Record<string, unknown>>;
	/** Dernière ligne non vide lue dans la feuille (pour la plage du tableau). */
	lastRow: number;
}

interface CellStyle {
	s?: string;
	numeric: boolean;
}

function inlineCell(ref: string, text: string, style?: string): string {
	return `<c r="${ref}"${style ? ` s="${style}"` : ''} t="inlineStr"><is><t xml:space="preserve">${xmlText(text)}</t></is></c>`;
}

function numberCell(ref: string, value: number, style?: string): string {
	return `<c r="${ref}"${style ? ` s="${style}"` : ''}><v>${value}</v></c>`;
}

/** Cellule d'une valeur de ligne de relevé, au format du registre. */
function valueCell(field: string, value: unknown, ref: string, style: CellStyle | undefined): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'boolean') return inlineCell(ref, value ? 'oui' : 'non', style?.s);
	if (typeof value === 'number') return numberCell(ref, value, style?.s);
	const text = String(value);
	const choices = ENUMS[field];
	if (choices && choices[text]) return inlineCell(ref, choices[text].libelle, style?.s);
	if (field === 'mois' && /^\d{4}-\d{2}$/.test(text)) return inlineCell(ref, `${text.slice(5, 7)}/${text.slice(0, 4)}`, style?.numeric ? undefined : style?.s);
	if (DATE_FIELDS.has(field) && /^\d{4}-\d{2}-\d{2}$/.test(text)) {
		// Date : numéro de série avec le format de date de la colonne, sinon texte JJ/MM/AAAA.
		if (style?.numeric && style.s) return numberCell(ref, isoDateToExcelSerial(text), style.s);
		return inlineCell(ref, `${text.slice(8, 10)}/${text.slice(5, 7)}/${text.slice(0, 4)}`, style?.numeric ? undefined : style?.s);
	}
	return inlineCell(ref, text, style?.s);
}

const CELL = /<c\b([^>]*?)(\/>|>[\s\S]*?<\/c>)/g;

function cellsOf(rowXml: string): Array<{ col: number; start: number; end: number; attrs: string }> {
	const out: Array<{ col: number; start: number; end: number; attrs: string }> = [];
	for (const m of rowXml.matchAll(CELL)) {
		const ref = /\br="([A-Z]+)\d+"/.exec(m[1]);
		if (!ref) continue;
		out.push({ col: columnIndex(ref[1]), start: m.index!, end: m.index! + m[0].length, attrs: m[1] });
	}
	return out;
}

/** Insère (ou remplace) des cellules dans le XML d'une ligne, dans l'ordre des colonnes. */
function putCells(rowXml: string, cells: Array<{ col: number; xml: string }>): string {
	let xml = rowXml;
	if (/\/>\s*$/.test(xml) && !xml.includes('</row>')) xml = xml.replace(/\/>\s*$/, '></row>');
	for (const cell of [...cells].sort((a, b) => b.col - a.col)) {
		const existing = cellsOf(xml);
		const same = existing.find((c) => c.col === cell.col);
		if (same) {
			xml = xml.slice(0, same.start) + cell.xml + xml.slice(same.end);
			continue;
		}
		const after = existing.find((c) => c.col > cell.col);
		const at = after ? after.start : xml.lastIndexOf('</row>');
		xml = xml.slice(0, at) + cell.xml + xml.slice(at);
	}
	return xml;
}

/** Transformation en flux du XML de la feuille « Relevés ». */
class SheetPatcher {
	private buffer = '';
	private readonly decoder = new TextDecoder('utf-8');
	private implicitRow = 0;
	private lastDataRow = '';
	private maxRow = 0;
	private readonly fieldColumns = new Map<string, number>();
	private readonly newColumns: Array<{ field: string; col: number }> = [];
	private readonly lastColumn: number;
	private readonly appendedLast: number;

	constructor(private readonly plan: RegisterAppendPlan) {
		let maxCol = 0;
		for (const [col, field] of plan.columns) {
			if (!this.fieldColumns.has(field)) this.fieldColumns.set(field, col);
			maxCol = Math.max(maxCol, col);
		}
		const needed = new Set<string>();
		for (const row of plan.rows) for (const [field, value] of Object.entries(row)) if (value !== undefined && value !== null && value !== '') needed.add(field);
		if (plan.marks.size > 0) needed.add('remplaceePar');
		for (const field of REGISTER_LINE_FIELDS) {
			if (needed.has(field) && !this.fieldColumns.has(field)) {
				maxCol++;
				this.fieldColumns.set(field, maxCol);
				this.newColumns.push({ field, col: maxCol });
			}
		}
		this.lastColumn = maxCol;
		this.appendedLast = Math.max(plan.lastRow, plan.headerRow) + plan.rows.length;
	}

	write(chunk: Buffer | string): string {
		this.buffer += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
		return this.drain(false);
	}

	end(): string {
		this.buffer += this.decoder.decode();
		return this.drain(true);
	}

	private drain(final: boolean): string {
		let out = '';
		const tags = /<dimension\b[^>]*\/>|<autoFilter\b[^>]*?(?:\/>|>)|<row\b|<\/sheetData>|<sheetData\s*\/>/g;
		let pos = 0;
		for (;;) {
			tags.lastIndex = pos;
			const m = tags.exec(this.buffer);
			if (!m) break;
			out += this.buffer.slice(pos, m.index);
			const tag = m[0];
			if (tag.startsWith('<row')) {
				const open = this.buffer.indexOf('>', m.index);
				if (open < 0) {
					pos = m.index;
					return this.keep(out, pos);
				}
				let end: number;
				if (this.buffer[open - 1] === '/') end = open + 1;
				else {
					const close = this.buffer.indexOf('</row>', open);
					if (close < 0) {
						pos = m.index;
						return this.keep(out, pos);
					}
					end = close + 6;
				}
				out += this.row(this.buffer.slice(m.index, end));
				pos = end;
				continue;
			}
			if (tag.startsWith('<dimension')) {
				out += `<dimension ref="A1:${columnLetter(this.lastColumn)}${this.appendedLast}"/>`;
			} else if (tag.startsWith('<autoFilter')) {
				out += tag.replace(/ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"/, (all, c1, r1, c2) =>
					Number(r1) === this.plan.headerRow ? `ref="${c1}${r1}:${columnLetter(Math.max(columnIndex(c2), this.lastColumn))}${this.appendedLast}"` : all,
				);
			} else if (tag === '</sheetData>') {
				out += `${this.appended()}</sheetData>`;
			} else {
				out += `<sheetData>${this.appended()}</sheetData>`;
			}
			pos = m.index + tag.length;
		}
		if (final) {
			out += this.buffer.slice(pos);
			this.buffer = '';
			return out;
		}
		// Garde la fin du tampon à partir du dernier « < » : une balise peut être coupée entre deux morceaux.
		const lt = this.buffer.lastIndexOf('<');
		const keepFrom = lt >= pos ? lt : this.buffer.length;
		out += this.buffer.slice(pos, keepFrom);
		this.buffer = this.buffer.slice(keepFrom);
		return out;
	}

	private keep(out: string, pos: number): string {
		this.buffer = this.buffer.slice(pos);
		return out;
	}

	private row(xml: string): string {
		const open = xml.slice(0, xml.indexOf('>') + 1);
		const r = /\br="(\d+)"/.exec(open);
		const number = r ? Number(r[1]) : this.implicitRow + 1;
		this.implicitRow = number;
		this.maxRow = Math.max(this.maxRow, number);
		if (number === this.plan.headerRow && this.newColumns.length > 0) {
			const cells = cellsOf(xml);
			const style = cells.length > 0 ? /\bs="(\d+)"/.exec(cells[cells.length - 1].attrs)?.[1] : undefined;
			return putCells(
				xml,
				this.newColumns.map(({ field, col }) => ({ col, xml: inlineCell(`${columnLetter(col)}${number}`, HEADER_LABELS[field] ?? REPORT_LINE_LABELS[field] ?? field, style) })),
			);
		}
		if (number > this.plan.headerRow && xml.includes('<c')) this.lastDataRow = xml;
		const mark = this.plan.marks.get(number);
		if (mark !== undefined) {
			const col = this.fieldColumns.get('remplaceePar')!;
			return putCells(xml, [{ col, xml: inlineCell(`${columnLetter(col)}${number}`, mark) }]);
		}
		return xml;
	}

	private appended(): string {
		if (this.plan.rows.length === 0) return '';
		const styles = new Map<number, CellStyle>();
		for (const cell of cellsOf(this.lastDataRow)) {
			styles.set(cell.col, { s: /\bs="(\d+)"/.exec(cell.attrs)?.[1], numeric: !/\bt="/.test(cell.attrs) });
		}
		let row = Math.max(this.maxRow, this.plan.headerRow);
		const parts: string[] = [];
		for (const values of this.plan.rows) {
			row++;
			const cells: string[] = [];
			const ordered = [...this.fieldColumns].sort((a, b) => a[1] - b[1]);
			for (const [field, col] of ordered) {
				const cell = valueCell(field, values[field], `${columnLetter(col)}${row}`, styles.get(col));
				if (cell) cells.push(cell);
			}
			parts.push(`<row r="${row}">${cells.join('')}</row>`);
		}
		return parts.join('');
	}
}

/**
 * Niveau de compression de la feuille réécrite. Mesuré sur la feuille
 * « Relevés » d'un registre de 300 000 lignes (172 Mio de XML) : niveau 1,
 * 1,1 s et 15,1 Mio ; niveau 6 (celui de zlib par défaut), 4,7 s et 13,1 Mio.
 * Une nouvelle version du classeur est écrite à chaque réception : 15 % de
 * plus sur le disque valent mieux que quatre fois plus d'attente.
 */
const REWRITE_LEVEL = 1;

/** Chemin de l'entrée XML d'une feuille, d'après workbook.xml et ses relations. */
async function sheetPath(read: (path: string) => Promise<string | undefined>, sheetName: string, fileName: string): Promise<string> {
	const workbook = (await read('xl/workbook.xml')) ?? '';
	const rels = (await read('xl/_rels/workbook.xml.rels')) ?? '';
	const wanted = normalizeToken(sheetName);
	for (const m of workbook.matchAll(/<sheet\b[^>]*\/>/g)) {
		const name = /\bname="([^"]*)"/.exec(m[0])?.[1];
		const id = /\br:id="([^"]*)"/.exec(m[0])?.[1];
		if (name === undefined || id === undefined || normalizeToken(decodeXml(name)) !== wanted) continue;
		const target = parseRelationships(rels).find((r) => r.id === id)?.target;
		if (target) return resolveTarget('xl', target);
	}
	throw new AnomalyError([
		{
			gravite: 'erreur',
			champ: 'feuille',
			libelle: 'feuille',
			ou: `fichier « ${fileName} »`,
			message: `feuille « ${sheetName} » introuvable dans l\u2019archive du classeur`,
			correction: 'Ouvrez le classeur dans Excel ou LibreOffice et enregistrez-le de nouveau au format .xlsx.',
			regle: 'registre.feuilleIntrouvable',
		},
	]);
}

/**
 * Le classeur de suivi d'origine plus les lignes ajoutées et les marques de
 * remplacement ; le tampon d'origine n'est pas modifié.
 */
export async function appendToRegister(original: Buffer, fileName: string, plan: RegisterAppendPlan): Promise<Buffer> {
	const patcher = new SheetPatcher(plan);
	const transform = new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			callback(null, patcher.write(chunk));
		},
		flush(callback) {
			callback(null, patcher.end());
		},
	});
	// Cas courant : seule la feuille est décompressée, modifiée et recompressée, en flux (zlib natif).
	let archive: ZipArchive | undefined;
	try {
		archive = ZipArchive.read(original);
	} catch {
		archive = undefined; // zip64, méthode inhabituelle… : JSZip ci-dessous.
	}
	if (archive) {
		const zip = archive;
		const path = await sheetPath(async (name) => zip.text(name), plan.sheetName, fileName);
		if (!zip.has(path)) throw missingEntry(fileName, path);
		await zip.transform(path, transform, REWRITE_LEVEL);
		return zip.toBuffer();
	}
	// Archive hors du cas simple (zip64…) : JSZip.
	const zip = await JSZip.loadAsync(original);
	const path = await sheetPath(async (name) => zip.file(name)?.async('string'), plan.sheetName, fileName);
	const entry = zip.file(path);
	if (!entry) throw missingEntry(fileName, path);
	const source = entry.nodeStream('nodebuffer');
	source.on('error', (error) => transform.destroy(error));
	zip.file(path, source.pipe(transform), { binary: true });
	// Les entrées non modifiées gardent leurs données compressées ; seule la feuille est recompressée.
	return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: REWRITE_LEVEL }, streamFiles: true });
}

function missingEntry(fileName: string, path: string): AnomalyError {
	return new AnomalyError([{ gravite: 'erreur', champ: 'feuille', libelle: 'feuille', ou: `fichier « ${fileName} »`, message: `entrée ${path} absente`, correction: 'Enregistrez de nouveau le classeur au format .xlsx.', regle: 'registre.feuilleIntrouvable' }]);
}

/** « suivi-clauses.xlsx » → « suivi-clauses (v2 du 2026-11-23).xlsx » ; « … (v2 du …) » → v3. */
export function nextRegisterName(fileName: string, date: string): { fileName: string; version: number } {
	const base = fileName.replace(/\.xlsx$/i, '');
	const m = /^(.*?)\s*\(v(\d+) du \d{4}-\d{2}-\d{2}(?: \d+)?\)$/.exec(base);
	const stem = m ? m[1] : base;
	const version = m ? Number(m[2]) + 1 : 2;
	return { fileName: `${stem} (v${version} du ${date}).xlsx`, version };
}

/** Rang de version d'un classeur de suivi d'après son nom (1 sans mention « (vN du …) »). */
export function registerVersionOf(fileName: string): number {
	const m = /\(v(\d+) du \d{4}-\d{2}-\d{2}(?: \d+)?\)\.xlsx$/i.exec(fileName);
	return m ? Number(m[1]) : 1;
}

/** Nom d'un classeur de suivi sans sa mention de version : « suivi-clauses (v3 du …).xlsx » → « suivi-clauses ». */
export function registerStem(fileName: string): string {
	return fileName.replace(/\.xlsx$/i, '').replace(/\s*\(v\d+ du \d{4}-\d{2}-\d{2}(?: \d+)?\)$/, '');
}

/**
 * Classeurs de suivi reçus ensemble (« suivi-clauses*.xlsx ») : pour chaque
 * classeur, seule sa version la plus récente compte. Renvoie, par position, le
 * nom de la version qui remplace chaque fichier dépassé.
 */
export function supersededRegisters(fileNames: Array<string | undefined>): Map<number, string> {
	const latest = new Map<string, number>();
	fileNames.forEach((name, index) => {
		if (name === undefined) return;
		const stem = registerStem(name);
		const current = latest.get(stem);
		if (current === undefined || registerVersionOf(name) > registerVersionOf(fileNames[current]!)) latest.set(stem, index);
	});
	const superseded = new Map<number, string>();
	fileNames.forEach((name, index) => {
		if (name === undefined) return;
		const keep = latest.get(registerStem(name))!;
		if (keep !== index) superseded.set(index, fileNames[keep]!);
	});
	return superseded;
}
