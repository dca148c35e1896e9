/**
 * Retouche d'un classeur xlsx au niveau de son XML, sans le recharger en
 * entier : styles ajoutés (polices, remplissages, styles de cellule dérivés du
 * style existant), valeurs et styles de quelques cellules, notes (commentaires
 * et leur dessin VML, que demande Excel pour les afficher), feuille ajoutée.
 * Les parties non touchées gardent leurs données compressées (zip-archive.ts
 * les recopie telles quelles) : quelques millisecondes là où exceljs relit et
 * réécrit tout le classeur. Le tampon reçu n'est jamais modifié.
 *
 * Le classeur attendu est celui qu'écrivent Excel, LibreOffice, exceljs ou
 * openpyxl : espace de noms principal sans préfixe, adresses r= sur les lignes
 * et les cellules.
 */
import type { ReadLimits } from '../../core';
import type { Relationship, ZipArchive } from './ooxml';
import { XML_HEADER, dirOf, nextRelationshipId, parseAddress, parseRelationships, relationshipsXml, relativeTarget, relsPathOf, resolveTarget, xmlAttribute, xmlText } from './ooxml';
import { LightWorkbook } from './xlsx-light';

const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const REL_TYPES = {
	worksheet: `${REL_NS}/worksheet`,
	comments: `${REL_NS}/comments`,
	vmlDrawing: `${REL_NS}/vmlDrawing`,
	calcChain: `${REL_NS}/calcChain`,
};
const CONTENT_TYPES = {
	worksheet: 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml',
	comments: 'application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml',
	vml: 'application/vnd.openxmlformats-officedocument.vmlDrawing',
};
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';

/** Attribut posé (remplacé s'il existe) dans le texte des attributs d'une balise. */
function setAttribute(attributes: string, name: string, value: string): string {
	const re = new RegExp(`(\\s)${name}="[^"]*"`);
	return re.test(attributes) ? attributes.replace(re, `$1${name}="${value}"`) : `${attributes} ${name}="${value}"`;
}

function removeAttribute(attributes: string, name: string): string {
	return attributes.replace(new RegExp(`\\s${name}="[^"]*"`), '');
}

/** Éléments enfants d'une liste (<fonts>, <fills>, <cellXfs>) du fichier des styles. */
interface StyleList {
	items: string[];
	/** Position du contenu de la liste dans le XML d'origine. */
	start: number;
	end: number;
	open: string;
}

function styleList(xml: string, tag: string, item: string): StyleList | undefined {
	const open = new RegExp(`<${tag}\\b([^>]*?)(/?)>`).exec(xml);
	if (!open) return undefined;
	const start = open.index;
	if (open[2] === '/') return { items: [], start, end: start + open[0].length, open: open[1] };
	const close = xml.indexOf(`</${tag}>`, start);
	if (close < 0) return undefined;
	const inner = xml.slice(start + open[0].length, close);
	const items = [...inner.matchAll(new RegExp(`<${item}\\b[^>]*?(?:/>|>[\\s\\S]*?</${item}>)`, 'g'))].map((m) => m[0]);
	return { items, start, end: close + tag.length + 3, open: open[1] };
}

export interface DerivedStyle {
	/** Police ajoutée (indice rendu par addFont). */
	fontId?: number;
	/** Remplissage ajouté (indice rendu par addFill). */
	fillId?: number;
	/** Élément <alignment …/> qui remplace l'alignement existant. */
	alignment?: string;
}

/** Le fichier des styles (xl/styles.xml) : on y ajoute, on ne retire rien. */
export class XlsxStyles {
	private readonly fonts: StyleList;
	private readonly fills: StyleList;
	private readonly xfs: StyleList;
	private readonly added = { fonts: [] as string[], fills: [] as string[], xfs: [] as string[] };
	private readonly derived = new Map<string, number>();

	constructor(private readonly xml: string) {
		const fonts = styleList(xml, 'fonts', 'font');
		const fills = styleList(xml, 'fills', 'fill');
		const xfs = styleList(xml, 'cellXfs', 'xf');
		if (!fonts || !fills || !xfs) throw new Error('feuille de styles incomplète (polices, remplissages ou styles de cellule absents)');
		this.fonts = fonts;
		this.fills = fills;
		this.xfs = xfs;
	}

	/** Police : les éléments donnés (<b/>, <sz val="13"/>…) sur la police par défaut du classeur. */
	addFont(parts: string): number {
		const base = this.fonts.items[0] ?? '';
		const keep = [...base.matchAll(/<(name|family|scheme|charset|sz|color)\b[^>]*\/>/g)]
			.filter((m) => !new RegExp(`<${m[1]}\\b`).test(parts))
			.map((m) => m[0])
			.join('');
		this.added.fonts.push(`<font>${parts}${keep}</font>`);
		return this.fonts.items.length + this.added.fonts.length - 1;
	}

	/** Remplissage uni, couleur ARGB (« FFF4A6A6 »). */
	addFill(argb: string): number {
		this.added.fills.push(`<fill><patternFill patternType="solid"><fgColor rgb="${argb}"/><bgColor indexed="64"/></patternFill></fill>`);
		return this.fills.items.length + this.added.fills.length - 1;
	}

	/** Style de cellule dérivé d'un style existant (numéro s=), le reste (format, bordure, protection) gardé. */
	derive(base: number, change: DerivedStyle): number {
		const from = base >= 0 && base < this.xfs.items.length ? base : 0;
		const key = `${from}|${change.fontId ?? ''}|${change.fillId ?? ''}|${change.alignment ?? ''}`;
		const known = this.derived.get(key);
		if (known !== undefined) return known;
		const xf = this.xfs.items[from] ?? '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>';
		const m = /^<xf\b([^>]*?)(?:\/>|>([\s\S]*)<\/xf>)$/.exec(xf)!;
		let attributes = m[1];
		const children = m[2] ?? '';
		if (change.fontId !== undefined) attributes = setAttribute(setAttribute(attributes, 'fontId', String(change.fontId)), 'applyFont', '1');
		if (change.fillId !== undefined) attributes = setAttribute(setAttribute(attributes, 'fillId', String(change.fillId)), 'applyFill', '1');
		let alignment = /<alignment\b[^>]*?(?:\/>|>[\s\S]*?<\/alignment>)/.exec(children)?.[0] ?? '';
		if (change.alignment !== undefined) {
			alignment = change.alignment;
			attributes = setAttribute(attributes, 'applyAlignment', '1');
		}
		const protection = /<protection\b[^>]*?(?:\/>|>[\s\S]*?<\/protection>)/.exec(children)?.[0] ?? '';
		const extLst = /<extLst\b[\s\S]*<\/extLst>/.exec(children)?.[0] ?? '';
		const inner = `${alignment}${protection}${extLst}`;
		this.added.xfs.push(inner ? `<xf${attributes}>${inner}</xf>` : `<xf${attributes}/>`);
		const id = this.xfs.items.length + this.added.xfs.length - 1;
		this.derived.set(key, id);
		return id;
	}

	get changed(): boolean {
		return this.added.fonts.length + this.added.fills.length + this.added.xfs.length > 0;
	}

	toXml(): string {
		const lists: Array<[StyleList, string, string[]]> = [
			[this.fonts, 'fonts', this.added.fonts],
			[this.fills, 'fills', this.added.fills],
			[this.xfs, 'cellXfs', this.added.xfs],
		];
		let out = '';
		let at = 0;
		for (const [list, tag, added] of lists.sort((a, b) => a[0].start - b[0].start)) {
			const items = [...list.items, ...added];
			out += this.xml.slice(at, list.start);
			out += `<${tag}${setAttribute(list.open, 'count', String(items.length))}>${items.join('')}</${tag}>`;
			at = list.end;
		}
		return out + this.xml.slice(at);
	}
}

/** Une note à poser sur une cellule. */
export interface XlsxNote {
	address: string;
	text: string;
}

interface SheetEntry {
	name: string;
	path: string;
	rId: string;
}

/** Un classeur ouvert pour retouche : parties lues à la demande, parties modifiées gardées jusqu'à l'écriture. */
export class XlsxEditor {
	private readonly parts = new Map<string, string>();
	private readonly dirty = new Set<string>();
	private readonly removed = new Set<string>();

	private constructor(
		private readonly zip: ZipArchive,
		readonly fileName: string,
		private readonly sheets: SheetEntry[],
	) {}

	/**
	 * Ouvre le classeur ; mêmes erreurs françaises que la lecture (pas un xlsx,
	 * abîmé, protégé). Rend `undefined` pour un classeur dont l'espace de noms
	 * principal est préfixé (<x:workbook>, rare) : à normaliser d'abord.
	 */
	static async open(buffer: Buffer, fileName: string, limits?: ReadLimits): Promise<XlsxEditor | undefined> {
		const light = await LightWorkbook.open(buffer, fileName, limits);
		const zip = light.zip;
		const workbook = zip.text('xl/workbook.xml') ?? '';
		if (!new RegExp(`<workbook\\b[^>]*\\bxmlns="${MAIN_NS}"`).test(workbook)) return undefined;
		const rels = parseRelationships(zip.text('xl/_rels/workbook.xml.rels') ?? '');
		const byPath = new Map(light.sheets.map((s) => [s.path, s.name]));
		const sheets = rels
			.filter((r) => r.type === REL_TYPES.worksheet && byPath.has(resolveTarget('xl', r.target)))
			.map((r) => ({ name: byPath.get(resolveTarget('xl', r.target))!, path: resolveTarget('xl', r.target), rId: r.id }));
		const editor = new XlsxEditor(zip, fileName, sheets);
		editor.parts.set('xl/workbook.xml', workbook);
		return editor;
	}

	hasSheet(name: string): boolean {
		return this.sheets.some((s) => s.name === name);
	}

	/** Texte d'une partie (lue une fois) ; `undefined` si elle n'existe pas. */
	async read(path: string): Promise<string | undefined> {
		if (this.parts.has(path)) return this.parts.get(path);
		if (this.removed.has(path)) return undefined;
		const text = this.zip.text(path);
		if (text !== undefined) this.parts.set(path, text);
		return text;
	}

	write(path: string, text: string): void {
		this.parts.set(path, text);
		this.dirty.add(path);
		this.removed.delete(path);
	}

	private remove(path: string): void {
		this.parts.delete(path);
		this.dirty.delete(path);
		this.removed.add(path);
	}

	private exists(path: string): boolean {
		return !this.removed.has(path) && (this.parts.has(path) || this.zip.has(path));
	}

	private sheetPath(name: string): string {
		const entry = this.sheets.find((s) => s.name === name);
		if (!entry) throw new Error(`feuille « ${name} » absente du classeur`);
		return entry.path;
	}

	async sheetXml(name: string): Promise<string> {
		const path = this.sheetPath(name);
		const xml = await this.read(path);
		if (xml === undefined) throw new Error(`feuille « ${name} » absente de l\u2019archive`);
		return xml;
	}

	setSheetXml(name: string, xml: string): void {
		this.write(this.sheetPath(name), xml);
	}

	private async relationships(path: string): Promise<Relationship[]> {
		return parseRelationships((await this.read(relsPathOf(path))) ?? '');
	}

	private writeRelationships(path: string, rels: Relationship[]): void {
		if (rels.length === 0) this.remove(relsPathOf(path));
		else this.write(relsPathOf(path), relationshipsXml(rels));
	}

	private async contentTypes(change: (xml: string) => string): Promise<void> {
		const xml = (await this.read('[Content_Types].xml')) ?? '';
		this.write('[Content_Types].xml', change(xml));
	}

	private static addOverride(xml: string, path: string, type: string): string {
		if (xml.includes(`PartName="/${path}"`)) return xml;
		return xml.replace('</Types>', `<Override PartName="/${path}" ContentType="${type}"/></Types>`);
	}

	private freeNumber(patterns: Array<(n: number) => string>): number {
		let n = 1;
		while (patterns.some((p) => this.exists(p(n)))) n++;
		return n;
	}

	/** Le classeur sans sa chaîne de calcul (Excel la reconstruit) : à faire quand une formule est remplacée par une valeur. */
	async dropCalcChain(): Promise<void> {
		const rels = await this.relationships('xl/workbook.xml');
		const chain = rels.find((r) => r.type === REL_TYPES.calcChain);
		if (!chain) return;
		const path = resolveTarget('xl', chain.target);
		this.remove(path);
		this.writeRelationships('xl/workbook.xml', rels.filter((r) => r !== chain));
		await this.contentTypes((xml) => xml.replace(new RegExp(`<Override PartName="/${path.replace(/\./g, '\\.')}"[^>]*/>`), ''));
	}

	/**
	 * Notes sur des cellules d'une feuille : ajoutées aux commentaires existants
	 * (une note déjà posée sur la même cellule est remplacée), ou dans un
	 * nouveau fichier de commentaires avec son dessin VML.
	 */
	async addNotes(sheetName: string, notes: XlsxNote[], author: string): Promise<void> {
		if (notes.length === 0) return;
		const sheetPath = this.sheetPath(sheetName);
		const sheetDir = dirOf(sheetPath);
		let sheet = await this.sheetXml(sheetName);
		const rels = await this.relationships(sheetPath);
		const addresses = new Set(notes.map((n) => n.address));
		const positions = notes.map((n) => ({ ...n, ...parseAddress(n.address) }));

		// Commentaires.
		const commentsRel = rels.find((r) => r.type === REL_TYPES.comments);
		const number = this.freeNumber([(n) => `xl/comments${n}.xml`, (n) => `xl/drawings/vmlDrawing${n}.vml`]);
		const commentsPath = commentsRel ? resolveTarget(sheetDir, commentsRel.target) : `xl/comments${number}.xml`;
		let comments = (commentsRel && (await this.read(commentsPath))) || `${XML_HEADER}<comments xmlns="${MAIN_NS}"><authors/><commentList/></comments>`;
		comments = comments.replace(/<comment\b([^>]*)>[\s\S]*?<\/comment>/g, (whole, attributes: string) => (addresses.has(xmlAttribute(attributes, 'ref') ?? '') ? '' : whole));
		const authors = [...comments.matchAll(/<author>([\s\S]*?)<\/author>/g)].map((m) => m[1]);
		let authorId = authors.indexOf(xmlText(author));
		if (authorId < 0) {
			authorId = authors.length;
			const entry = `<author>${xmlText(author)}</author>`;
			comments = /<authors\s*\/>/.test(comments) ? comments.replace(/<authors\s*\/>/, `<authors>${entry}</authors>`) : comments.replace('</authors>', `${entry}</authors>`);
		}
		const list = positions
			.map(
				(n) =>
					`<comment ref="${n.address}" authorId="${authorId}"><text><r><rPr><sz val="9"/><color indexed="81"/><rFont val="Tahoma"/><family val="2"/></rPr><t xml:space="preserve">${xmlText(n.text)}</t></r></text></comment>`,
			)
			.join('');
		comments = /<commentList\s*\/>/.test(comments) ? comments.replace(/<commentList\s*\/>/, `<commentList>${list}</commentList>`) : comments.replace('</commentList>', `${list}</commentList>`);
		this.write(commentsPath, comments);
		if (!commentsRel) {
			rels.push({ id: nextRelationshipId(rels), type: REL_TYPES.comments, target: relativeTarget(sheetDir, commentsPath), external: false });
			await this.contentTypes((xml) => XlsxEditor.addOverride(xml, commentsPath, CONTENT_TYPES.comments));
		}

		// Dessin VML des notes (sans lui, Excel n'affiche pas les commentaires).
		const legacyId = /<legacyDrawing\b[^>]*?\br:id="([^"]+)"/.exec(sheet)?.[1];
		const vmlRel = legacyId ? rels.find((r) => r.id === legacyId) : undefined;
		const vmlPath = vmlRel ? resolveTarget(sheetDir, vmlRel.target) : `xl/drawings/vmlDrawing${number}.vml`;
		let vml = vmlRel ? await this.read(vmlPath) : undefined;
		if (vml === undefined) {
			const blocks = await this.vmlIdBlocks();
			vml =
				'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">' +
				`<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="${Math.max(0, ...blocks) + 1}"/></o:shapelayout></xml>`;
		}
		vml = vml.replace(/<v:shape\b[^>]*>[\s\S]*?<\/v:shape>/g, (shape) => {
			if (!/ObjectType="Note"/.test(shape)) return shape;
			const row = Number(/<x:Row>(\d+)<\/x:Row>/.exec(shape)?.[1]);
			const col = Number(/<x:Column>(\d+)<\/x:Column>/.exec(shape)?.[1]);
			return positions.some((p) => p.row - 1 === row && p.col - 1 === col) ? '' : shape;
		});
		if (!vml.includes('id="_x0000_t202"')) {
			const shapetype =
				'<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>';
			vml = vml.replace('</xml>', `${shapetype}</xml>`);
		}
		const block = Number(/<o:idmap\b[^>]*\bdata="(\d+)/.exec(vml)?.[1] ?? 1);
		let shapeId = Math.max(block * 1024, ...[...vml.matchAll(/id="_x0000_s(\d+)"/g)].map((m) => Number(m[1])));
		const shapes = positions
			.map((p) => {
				shapeId++;
				const row = p.row - 1;
				const col = p.col - 1;
				return (
					`<v:shape id="_x0000_s${shapeId}" type="#_x0000_t202" style="position:absolute;margin-left:105.3pt;margin-top:10.5pt;width:260pt;height:120pt;z-index:${shapeId - block * 1024};visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">` +
					'<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>' +
					'<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>' +
					`<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>${col + 1}, 15, ${Math.max(0, row - 1)}, 10, ${col + 3}, 15, ${row + 8}, 4</x:Anchor>` +
					`<x:AutoFill>False</x:AutoFill><x:Row>${row}</x:Row><x:Column>${col}</x:Column></x:ClientData></v:shape>`
				);
			})
			.join('');
		this.write(vmlPath, vml.replace('</xml>', `${shapes}</xml>`));
		if (!vmlRel) {
			const id = nextRelationshipId(rels);
			rels.push({ id, type: REL_TYPES.vmlDrawing, target: relativeTarget(sheetDir, vmlPath), external: false });
			await this.contentTypes((xml) => (/Extension="vml"/i.test(xml) ? xml : xml.replace('</Types>', `<Default Extension="vml" ContentType="${CONTENT_TYPES.vml}"/></Types>`)));
			sheet = insertLegacyDrawing(sheet, id);
		}
		this.writeRelationships(sheetPath, rels);
		this.setSheetXml(sheetName, sheet);
	}

	/** Blocs d'identifiants (o:idmap) des dessins VML déjà présents : chaque dessin a les siens. */
	private async vmlIdBlocks(): Promise<number[]> {
		const out: number[] = [];
		for (const path of this.zip.names().filter((p) => p.toLowerCase().endsWith('.vml'))) {
			const xml = (await this.read(path)) ?? '';
			for (const m of xml.matchAll(/<o:idmap\b[^>]*\bdata="([^"]*)"/g)) out.push(...m[1].split(',').map(Number).filter(Number.isFinite));
		}
		return out;
	}

	/**
	 * Pose une feuille (XML complet, sans relations) sous ce nom : elle remplace
	 * une feuille du même nom à sa place, sinon elle est ajoutée à la fin ; elle
	 * devient la feuille active à l'ouverture.
	 */
	async putSheet(name: string, xml: string, options: { printTitleRow?: number } = {}): Promise<void> {
		let workbook = (await this.read('xl/workbook.xml'))!;
		const existing = this.sheets.find((s) => s.name === name);
		const sheetTags = [...workbook.matchAll(/<sheet\b([^>]*?)\/?>/g)];
		let index: number;
		if (existing) {
			index = sheetTags.findIndex((m) => xmlAttribute(m[1], 'name') === name);
			// Les parties propres à l'ancienne feuille (liens, commentaires) partent avec elle.
			for (const rel of await this.relationships(existing.path)) {
				if (rel.external || rel.type === REL_TYPES.worksheet) continue;
				const target = resolveTarget(dirOf(existing.path), rel.target);
				this.remove(target);
				await this.contentTypes((types) => types.replace(new RegExp(`<Override PartName="/${target.replace(/[.[\]]/g, '\\$&')}"[^>]*/>`), ''));
			}
			this.remove(relsPathOf(existing.path));
			this.write(existing.path, xml);
			const tag = sheetTags[index];
			workbook = workbook.replace(tag[0], `<sheet${removeAttribute(tag[1], 'state')}/>`);
			workbook = workbook.replace(new RegExp(`<definedName\\b(?=[^>]*\\bname="_xlnm\\._FilterDatabase")(?=[^>]*\\blocalSheetId="${index}")[^>]*>[\\s\\S]*?</definedName>`), '');
		} else {
			const rels = await this.relationships('xl/workbook.xml');
			const number = this.freeNumber([(n) => `xl/worksheets/sheet${n}.xml`]);
			const path = `xl/worksheets/sheet${number}.xml`;
			const id = nextRelationshipId(rels);
			rels.push({ id, type: REL_TYPES.worksheet, target: relativeTarget('xl', path), external: false });
			this.writeRelationships('xl/workbook.xml', rels);
			this.write(path, xml);
			await this.contentTypes((types) => XlsxEditor.addOverride(types, path, CONTENT_TYPES.worksheet));
			const sheetId = Math.max(0, ...sheetTags.map((m) => Number(xmlAttribute(m[1], 'sheetId') ?? 0))) + 1;
			const prefix = new RegExp(`xmlns:(\\w+)="${REL_NS}"`).exec(workbook)?.[1];
			if (!prefix) workbook = workbook.replace(/<workbook\b/, `<workbook xmlns:r="${REL_NS}"`);
			workbook = workbook.replace('</sheets>', `<sheet name="${xmlText(name)}" sheetId="${sheetId}" ${prefix ?? 'r'}:id="${id}"/></sheets>`);
			index = sheetTags.length;
			this.sheets.push({ name, path, rId: id });
		}
		// Ligne d'en-têtes répétée en haut de chaque page imprimée (nom défini _xlnm.Print_Titles de la feuille).
		workbook = workbook.replace(new RegExp(`<definedName\\b(?=[^>]*\\bname="_xlnm\\.Print_Titles")(?=[^>]*\\blocalSheetId="${index}")[^>]*>[\\s\\S]*?</definedName>`), '');
		if (options.printTitleRow) {
			const row = options.printTitleRow;
			const defined = `<definedName name="_xlnm.Print_Titles" localSheetId="${index}">'${xmlText(name.replace(/'/g, "''"))}'!$${row}:$${row}</definedName>`;
			if (/<definedNames\s*\/>/.test(workbook)) workbook = workbook.replace(/<definedNames\s*\/>/, `<definedNames>${defined}</definedNames>`);
			else if (/<\/definedNames>/.test(workbook)) workbook = workbook.replace('</definedNames>', `${defined}</definedNames>`);
			else {
				// Ordre du schéma : sheets, functionGroups, externalReferences, definedNames.
				const after = ['</externalReferences>', '</functionGroups>', '</sheets>'].find((tag) => workbook.includes(tag))!;
				workbook = workbook.replace(after, `${after}<definedNames>${defined}</definedNames>`);
			}
		}
		// Feuille active à l'ouverture ; les autres feuilles ne sont plus sélectionnées (sinon Excel les grouperait).
		if (/<workbookView\b/.test(workbook)) {
			workbook = workbook.replace(/<workbookView\b([^>]*?)(\/?)>/, (_m, attributes: string, close: string) => `<workbookView${setAttribute(attributes, 'activeTab', String(index))}${close}>`);
		} else {
			workbook = workbook.replace(/<sheets>/, `<bookViews><workbookView activeTab="${index}"/></bookViews><sheets>`);
		}
		this.write('xl/workbook.xml', workbook);
		for (const sheet of this.sheets) {
			if (sheet.name === name) continue;
			const text = await this.read(sheet.path);
			if (text?.includes('tabSelected="1"')) this.write(sheet.path, text.replace(/\stabSelected="1"/g, ''));
		}
	}

	/** Le nouveau classeur : parties modifiées recompressées, les autres recopiées telles quelles. */
	async generate(): Promise<Buffer> {
		// L'archive a été lue pour cette seule retouche : on la modifie (le tampon d'origine, lui, n'est que lu).
		for (const path of this.removed) this.zip.remove(path);
		for (const path of this.dirty) this.zip.set(path, this.parts.get(path)!);
		return this.zip.toBuffer();
	}
}

/** <legacyDrawing> à sa place dans la feuille (avant legacyDrawingHF, picture, oleObjects, controls, tableParts, extLst…). */
function insertLegacyDrawing(sheet: string, id: string): string {
	const prefix = new RegExp(`xmlns:(\\w+)="${REL_NS}"`).exec(sheet)?.[1];
	let xml = prefix ? sheet : sheet.replace(/<worksheet\b/, `<worksheet xmlns:r="${REL_NS}"`);
	const element = `<legacyDrawing ${prefix ?? 'r'}:id="${id}"/>`;
	const after = /<(legacyDrawingHF|drawingHF|picture|oleObjects|controls|webPublishItems|tableParts|extLst)\b/.exec(xml);
	xml = after ? `${xml.slice(0, after.index)}${element}${xml.slice(after.index)}` : xml.replace('</worksheet>', `${element}</worksheet>`);
	return xml;
}

/** Cellule à écrire dans une feuille : style (dérivé de l'ancien) et, s'il y a lieu, texte. */
export interface CellEdit {
	address: string;
	style: (current: number) => number;
	text?: string;
}

/** Cellule de texte en chaîne « en ligne » (pas de table des chaînes partagées à réécrire). */
export function inlineStringCell(address: string, style: number | undefined, text: string | undefined): string {
	const s = style ? ` s="${style}"` : '';
	if (text === undefined || text === '') return `<c r="${address}"${s}/>`;
	return `<c r="${address}"${s} t="inlineStr"><is><t xml:space="preserve">${xmlText(text)}</t></is></c>`;
}

/**
 * Applique des retouches aux cellules d'une feuille (XML) : la cellule garde sa
 * valeur (sauf texte donné) et prend le style rendu par `style` ; absente, elle
 * est créée à sa place dans sa ligne (ligne créée au besoin). Rend le XML et
 * indique si une formule a été remplacée.
 */
export function editCells(sheet: string, edits: CellEdit[]): { xml: string; formulaReplaced: boolean } {
	let xml = sheet;
	let formulaReplaced = false;
	if (/<sheetData\s*\/>/.test(xml)) xml = xml.replace(/<sheetData\s*\/>/, '<sheetData></sheetData>');
	for (const edit of edits) {
		const { row, col } = parseAddress(edit.address);
		const dataStart = xml.indexOf('<sheetData');
		const dataEnd = xml.indexOf('</sheetData>', dataStart);
		const rowRe = /<row\b([^>]*?)(\/?)>/g;
		rowRe.lastIndex = dataStart;
		let found: RegExpExecArray | null = null;
		let before = dataEnd;
		for (let m = rowRe.exec(xml); m && m.index < dataEnd; m = rowRe.exec(xml)) {
			const r = Number(xmlAttribute(m[1], 'r'));
			if (r === row) {
				found = m;
				break;
			}
			if (r > row) {
				before = m.index;
				break;
			}
		}
		if (!found) {
			const cell = inlineStringCell(edit.address, edit.style(0) || undefined, edit.text);
			xml = `${xml.slice(0, before)}<row r="${row}">${cell}</row>${xml.slice(before)}`;
			continue;
		}
		const rowAttributes = removeAttribute(found[1], 'spans');
		const rowStyle = xmlAttribute(found[1], 'customFormat') === '1' ? Number(xmlAttribute(found[1], 's') ?? 0) : 0;
		const contentStart = found.index + found[0].length;
		const contentEnd = found[2] === '/' ? contentStart : xml.indexOf('</row>', contentStart);
		let content = xml.slice(contentStart, contentEnd);
		const cellRe = /<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g;
		let replaced = false;
		let insertAt = content.length;
		for (let m = cellRe.exec(content); m; m = cellRe.exec(content)) {
			const address = xmlAttribute(m[1], 'r') ?? '';
			const c = parseAddress(address).col;
			if (c === col && address.toUpperCase() === edit.address.toUpperCase()) {
				const style = edit.style(Number(xmlAttribute(m[1], 's') ?? 0));
				let cell: string;
				if (edit.text !== undefined) {
					if (m[2] && /<f\b/.test(m[2])) formulaReplaced = true;
					cell = inlineStringCell(edit.address, style, edit.text);
				} else {
					const attributes = style ? setAttribute(m[1], 's', String(style)) : removeAttribute(m[1], 's');
					cell = m[2] === undefined ? `<c${attributes}/>` : `<c${attributes}>${m[2]}</c>`;
				}
				content = content.slice(0, m.index) + cell + content.slice(m.index + m[0].length);
				replaced = true;
				break;
			}
			if (c > col) {
				insertAt = m.index;
				break;
			}
		}
		if (!replaced) content = content.slice(0, insertAt) + inlineStringCell(edit.address, edit.style(rowStyle) || undefined, edit.text) + content.slice(insertAt);
		xml = `${xml.slice(0, found.index)}<row${rowAttributes}>${content}</row>${xml.slice(found[2] === '/' ? contentStart : contentEnd + '</row>'.length)}`;
	}
	return { xml, formulaReplaced };
}
