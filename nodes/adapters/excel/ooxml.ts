/**
 * Le format des classeurs (Office Open XML), écrit une seule fois pour tous les
 * lecteurs et rédacteurs du paquet : archive zip (zip-archive.ts), échappement
 * et décodage du XML, relations entre parties (`_rels/*.rels`), références de
 * cellules et de colonnes, dates Excel ; le lecteur en flux (xlsx-stream-reader.ts)
 * et la fabrique des modèles de relevé (report-template.ts) s'en servent aussi.
 *
 * Fait main plutôt que confié à une bibliothèque, mesures à l'appui (docs/technique.md,
 * « Contrôle des fiches visa ») : une fiche visa se contrôle en 3,2 ms et s'annote en
 * 7,3 ms, contre 60 à 115 ms quand exceljs relisait et réécrivait tout le classeur ;
 * JSZip coûtait à lui seul une dizaine de millisecondes par fiche. La lecture en flux
 * des grands classeurs reste à exceljs (avec le contournement d'exceljs#3064).
 */
import { detachedText, escapeHtml } from '../../core';

export { DamagedPartError, DeflateTemplate, ZipArchive } from './zip-archive';
export type { CompressedPart } from './zip-archive';
export { excelSerialToIsoDate, isoDateToExcelSerial } from '../../core/excel-serial';

// ——— Échappement et décodage du XML ———

/**
 * Texte pour le XML (contenu d'un élément ou valeur d'attribut) : `&`, `<`, `>`,
 * `"` et `'` échappés ; les caractères interdits en XML 1.0 (caractères de
 * contrôle hors tabulation et fins de ligne, U+FFFE, U+FFFF) codés à la manière
 * d'OOXML (`_xHHHH_`), et un `_xHHHH_` déjà présent protégé (`_x005F_xHHHH_`),
 * pour que le texte relu soit celui écrit : rien n'est perdu.
 */
export function xmlText(value: string): string {
	const coded = value
		.replace(/_x(?=[0-9a-fA-F]{4}_)/g, '_x005F_x')
		.replace(/[^\t\n\r\u0020-\uFFFD]/g, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`);
	return escapeHtml(coded);
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Texte d'un XML décodé : entités nommées et numériques, puis codes OOXML `_xHHHH_` (inverse de xmlText). */
export function decodeXml(text: string): string {
	if (!text.includes('&') && !text.includes('_x')) return detachedText(text);
	return text
		.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_m, entity: string) => {
			if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
			if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
			return ENTITIES[entity];
		})
		.replace(/_x([0-9a-fA-F]{4})_/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Expressions des attributs lus (r, t, s, Id…) : compilées une fois, sans état (pas de drapeau g) ; noms fixés par le code, donc en nombre borné. */
const ATTRIBUTE_PATTERNS = new Map<string, RegExp>();

/** Valeur (décodée) d'un attribut dans le texte des attributs d'une balise. */
export function xmlAttribute(attributes: string, name: string): string | undefined {
	let re = ATTRIBUTE_PATTERNS.get(name);
	if (!re) ATTRIBUTE_PATTERNS.set(name, (re = new RegExp(`(?:^|\\s)${name}="([^"]*)"`)));
	const m = re.exec(attributes);
	return m ? decodeXml(m[1]) : undefined;
}

// ——— Relations entre parties ———

export const XML_HEADER = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

export interface Relationship {
	id: string;
	type: string;
	target: string;
	external: boolean;
}

/**
 * Chemin d'une partie désignée par une relation, vu depuis le dossier de la
 * partie source : cible absolue (`/xl/worksheets/sheet1.xml`), relative
 * (`worksheets/sheet1.xml`, `./sheet1.xml`) ou remontant d'un dossier (`../comments1.xml`).
 */
export function resolveTarget(baseDir: string, target: string): string {
	if (target.startsWith('/')) return target.slice(1);
	const parts = baseDir.split('/').filter(Boolean);
	for (const segment of target.split('/')) {
		if (segment === '..') parts.pop();
		else if (segment !== '.' && segment !== '') parts.push(segment);
	}
	return parts.join('/');
}

/** Chemin relatif d'une partie vue depuis un dossier (« xl/worksheets » → « ../comments1.xml »). */
export function relativeTarget(fromDir: string, path: string): string {
	const from = fromDir.split('/').filter(Boolean);
	const to = path.split('/');
	let common = 0;
	while (common < from.length && common < to.length - 1 && from[common] === to[common]) common++;
	return [...from.slice(common).map(() => '..'), ...to.slice(common)].join('/');
}

/** Dossier d'une partie (« xl/worksheets/sheet1.xml » → « xl/worksheets »). */
export function dirOf(path: string): string {
	return path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
}

/** Partie des relations d'une partie (« xl/workbook.xml » → « xl/_rels/workbook.xml.rels »). */
export function relsPathOf(path: string): string {
	const dir = dirOf(path);
	return `${dir ? `${dir}/` : ''}_rels/${path.slice(dir ? dir.length + 1 : 0)}.rels`;
}

/** Relations d'une partie `.rels` (préfixe d'espace de noms admis) ; une relation sans Id ou sans Target est ignorée, une relation sans Type gardée (type vide). */
export function parseRelationships(xml: string): Relationship[] {
	const out: Relationship[] = [];
	for (const m of xml.matchAll(/<(?:\w+:)?Relationship\b([^>]*?)\/?>/g)) {
		const id = xmlAttribute(m[1], 'Id');
		const type = xmlAttribute(m[1], 'Type');
		const target = xmlAttribute(m[1], 'Target');
		if (id && target !== undefined) out.push({ id, type: type ?? '', target, external: xmlAttribute(m[1], 'TargetMode') === 'External' });
	}
	return out;
}

/** Chemins des parties cibles des relations d'une partie, par Id (relations externes exclues). */
export function relationshipTargets(relsXml: string, sourcePart: string): Map<string, string> {
	const targets = new Map<string, string>();
	for (const r of parseRelationships(relsXml)) if (!r.external && r.target !== '') targets.set(r.id, resolveTarget(dirOf(sourcePart), r.target));
	return targets;
}

export function relationshipsXml(rels: Relationship[]): string {
	const body = rels
		.map((r) => `<Relationship Id="${xmlText(r.id)}" Type="${xmlText(r.type)}" Target="${xmlText(r.target)}"${r.external ? ' TargetMode="External"' : ''}/>`)
		.join('');
	return `${XML_HEADER}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${body}</Relationships>`;
}

export function nextRelationshipId(rels: Relationship[]): string {
	const used = new Set(rels.map((r) => r.id));
	let n = rels.length + 1;
	while (used.has(`rId${n}`)) n++;
	return `rId${n}`;
}

// ——— Références de cellules ———

/** Lettre(s) d'une colonne Excel : 1 → A, 27 → AA. */
export function columnLetter(index: number): string {
	let n = index;
	let out = '';
	while (n > 0) {
		const r = (n - 1) % 26;
		out = String.fromCharCode(65 + r) + out;
		n = Math.floor((n - 1) / 26);
	}
	return out;
}

/** Numéro d'une colonne Excel : A → 1, AA → 27 (lettres majuscules). */
export function columnIndex(letters: string): number {
	let n = 0;
	for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
	return n;
}

/** « C12 » → { row: 12, col: 3 } ; « $C$12 » et les minuscules aussi ; autre chose → { row: 0, col: 0 }. */
export function parseAddress(address: string): { row: number; col: number } {
	const m = /^\$?([A-Z]+)\$?(\d+)$/.exec(address.toUpperCase());
	if (!m) return { row: 0, col: 0 };
	return { row: Number(m[2]), col: columnIndex(m[1]) };
}
