// Blocs répétés du code des nœuds (nodes/) : blocs de 6 lignes ou plus
// identiques, ou de même forme sous d'autres noms (identifiants remplacés par
// « I », textes, nombres et gabarits par « L », lus par l'analyseur lexical de
// TypeScript ; commentaires ignorés). Les lignes de moins de trois lexèmes
// (accolades seules, `return;`…) ne comptent pas. Une paire de blocs est
// comptée une fois, prolongée tant que les lignes suivantes se répètent aussi ;
// « ossature » : bloc fait surtout des clés d'une description de nœud
// (displayName, name, type, default…). Usage : node scripts/mesure-repetitions.mjs [--large] [--liste]
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ts = createRequire(import.meta.url)('typescript');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nodesDir = path.join(root, 'nodes');
const WINDOW = 6;
/** --large : tous les identifiants remplacés par « I », sans exiger un renommage cohérent. */
const LOOSE = process.argv.includes('--large');

function tsFiles(dir) {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
		const full = path.join(dir, e.name);
		if (e.isDirectory()) return tsFiles(full);
		return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
	});
}

const LITERALS = new Set([
	ts.SyntaxKind.StringLiteral,
	ts.SyntaxKind.NumericLiteral,
	ts.SyntaxKind.BigIntLiteral,
	ts.SyntaxKind.NoSubstitutionTemplateLiteral,
	ts.SyntaxKind.TemplateHead,
	ts.SyntaxKind.TemplateMiddle,
	ts.SyntaxKind.TemplateTail,
	ts.SyntaxKind.RegularExpressionLiteral,
]);

/** Lignes retenues d'un fichier : numéro, texte exact (lexèmes) et forme (identifiants et littéraux remplacés). */
function linesOf(file) {
	const text = readFileSync(file, 'utf8');
	const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
	const byLine = new Map();
	const lineStarts = [0];
	for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
	const lineAt = (pos) => {
		let lo = 0;
		let hi = lineStarts.length - 1;
		while (lo < hi) {
			const mid = (lo + hi + 1) >> 1;
			if (lineStarts[mid] <= pos) lo = mid;
			else hi = mid - 1;
		}
		return lo + 1;
	};
	// Profondeur des accolades, et celle où s'ouvre chaque `${…}` d'un gabarit (sa suite se relit comme gabarit).
	let depth = 0;
	const templates = [];
	let previous = ts.SyntaxKind.Unknown;
	const endsExpression = new Set([ts.SyntaxKind.Identifier, ts.SyntaxKind.CloseParenToken, ts.SyntaxKind.CloseBracketToken, ts.SyntaxKind.NumericLiteral, ts.SyntaxKind.StringLiteral, ts.SyntaxKind.ThisKeyword]);
	let kind = scanner.scan();
	while (kind !== ts.SyntaxKind.EndOfFileToken) {
		if (kind === ts.SyntaxKind.OpenBraceToken) depth++;
		else if (kind === ts.SyntaxKind.TemplateHead) templates.push(depth);
		else if (kind === ts.SyntaxKind.CloseBraceToken) {
			if (templates.length > 0 && templates[templates.length - 1] === depth) {
				kind = scanner.reScanTemplateToken(false);
				if (kind === ts.SyntaxKind.TemplateTail) templates.pop();
			} else depth--;
		} else if ((kind === ts.SyntaxKind.SlashToken || kind === ts.SyntaxKind.SlashEqualsToken) && !endsExpression.has(previous)) kind = scanner.reScanSlashToken();
		const line = lineAt(scanner.getTokenStart?.() ?? scanner.getTokenPos());
		const tokenText = scanner.getTokenText();
		// Identifiant : gardé (renommé dans chaque fenêtre, voir windowKey) ; littéral : « L ».
		const shape = kind === ts.SyntaxKind.Identifier || kind === ts.SyntaxKind.PrivateIdentifier ? `#${tokenText}` : LITERALS.has(kind) ? 'L' : tokenText;
		const entry = byLine.get(line) ?? { exact: [], shape: [] };
		entry.exact.push(tokenText);
		entry.shape.push(shape);
		byLine.set(line, entry);
		previous = kind;
		kind = scanner.scan();
	}
	// Les imports et réexports ne sont pas du code répété.
	const isImport = (e) => e.exact[0] === 'import' || (e.exact[0] === 'export' && (e.exact[1] === '*' || e.exact.includes('from')));
	return [...byLine].filter(([, e]) => e.exact.length >= 3 && !isImport(e)).map(([line, e]) => ({ line, exact: e.exact.join(' '), shape: e.shape.join(' ') }));
}

/** Lexèmes d'une fenêtre au moins : en deçà, la répétition n'est qu'une tournure (`const x = y;`). */
const MIN_TOKENS = 30;

/**
 * Forme d'une fenêtre : identifiants renommés dans l'ordre de leur première
 * apparition (I1, I2…), si bien que deux fenêtres ont la même forme quand l'une
 * est l'autre sous d'autres noms, renommés de façon cohérente.
 */
function windowKey(lines) {
	const names = new Map();
	let tokens = 0;
	const key = lines
		.map((l) =>
			l.shape
				.split(' ')
				.map((t) => {
					tokens++;
					if (!t.startsWith('#')) return t;
					if (LOOSE) return 'I';
					if (!names.has(t)) names.set(t, `I${names.size + 1}`);
					return names.get(t);
				})
				.join(' '),
		)
		.join('\n');
	// Lignes toutes de même tournure (rangées d'une table, liste de valeurs) : pas un bloc de code.
	const kinds = new Set(lines.map((l) => l.shape.replace(/#\S+/g, 'I')));
	return tokens >= MIN_TOKENS && kinds.size >= 3 ? key : undefined;
}

const OSSATURE = /^(displayName|name|type|default|description|placeholder|required|displayOptions|options|typeOptions|value|noDataExpression|hint|icon|group|version|subtitle|defaults|usableAsTool|inputs|outputs|outputNames|credentials|properties|testedBy|show|action|routing)\s*:/;

const files = tsFiles(nodesDir).map((file) => ({ file: path.relative(nodesDir, file), lines: linesOf(file), text: readFileSync(file, 'utf8').split('\n') }));
const windows = new Map();
for (const [f, { lines }] of files.entries()) {
	for (let i = 0; i + WINDOW <= lines.length; i++) {
		const key = windowKey(lines.slice(i, i + WINDOW));
		if (key === undefined) continue;
		const list = windows.get(key) ?? [];
		list.push({ f, i });
		windows.set(key, list);
	}
}

// Paires de fenêtres, regroupées par diagonale (mêmes fichiers, même décalage) en blocs.
const diagonals = new Map();
for (const list of windows.values()) {
	if (list.length < 2) continue;
	for (let a = 0; a < list.length; a++) {
		for (let b = a + 1; b < list.length; b++) {
			const [x, y] = list[a].f < list[b].f || (list[a].f === list[b].f && list[a].i < list[b].i) ? [list[a], list[b]] : [list[b], list[a]];
			if (x.f === y.f && y.i - x.i < WINDOW) continue;
			const id = `${x.f}|${y.f}|${y.i - x.i}`;
			const starts = diagonals.get(id) ?? [];
			starts.push(x.i);
			diagonals.set(id, starts);
		}
	}
}

const pairs = [];
for (const [id, starts] of diagonals) {
	const [fa, fb, offset] = id.split('|').map(Number);
	starts.sort((a, b) => a - b);
	let begin = starts[0];
	let end = starts[0];
	const flush = () => {
		const a = files[fa].lines.slice(begin, end + WINDOW);
		const b = files[fb].lines.slice(begin + offset, end + offset + WINDOW);
		const source = a.map((l) => files[fa].text[l.line - 1].trim());
		const ossature = source.filter((t) => OSSATURE.test(t)).length * 2 >= source.length;
		const exact = a.every((l, n) => l.exact === b[n].exact);
		// Deux morceaux qui se chevauchent d'un même fichier : les lignes d'une table (données), pas un bloc répété.
		if (fa === fb && offset < a.length) return;
		pairs.push({ a: `${files[fa].file}:${a[0].line}`, b: `${files[fb].file}:${b[0].line}`, fa: files[fa].file, fb: files[fb].file, lignes: a.length, ossature, exact });
	};
	for (const s of starts.slice(1)) {
		if (s <= end + 1) end = s;
		else {
			flush();
			begin = s;
			end = s;
		}
	}
	flush();
}

const place = (file) => (/^(Clause\w+|FicheVisa)\//.test(file) ? file.split('/')[0] : file.split('/')[0]);
const isNode = (file) => /^(Clause\w+|FicheVisa)\//.test(file);
const others = pairs.filter((p) => !p.ossature);
const between = others.filter((p) => isNode(p.fa) && isNode(p.fb) && place(p.fa) !== place(p.fb));
const sameNode = others.filter((p) => isNode(p.fa) && isNode(p.fb) && place(p.fa) === place(p.fb));
const nodeCommon = others.filter((p) => isNode(p.fa) !== isNode(p.fb));
const common = others.filter((p) => !isNode(p.fa) && !isNode(p.fb));
console.log(`${pairs.length} paires (${files.length} fichiers lus), dont ${pairs.length - others.length} d'ossature de description`);
console.log(`autres : ${others.length} — ${between.length} entre deux nœuds, ${sameNode.length} dans un même nœud, ${nodeCommon.length} entre un nœud et le code commun, ${common.length} dans le code commun (cœur, adaptateurs, shared)`);
console.log(`identiques (mêmes lignes) : ${others.filter((p) => p.exact).length} ; même forme sous d'autres noms : ${others.filter((p) => !p.exact).length}`);
if (process.argv.includes('--liste')) {
	for (const p of others.sort((x, y) => y.lignes - x.lignes)) console.log(`${String(p.lignes).padStart(3)} lignes ${p.exact ? 'identiques' : 'même forme '}  ${p.a}  ${p.b}`);
}
