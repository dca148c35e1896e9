// Compte des conversions de type (`x as T`, `<T>x`) du code des nœuds, hors
// `as const` : par fichier des dossiers des nœuds (nodes/Clause*, nodes/FicheVisa),
// puis par dossier commun (nodes/shared, nodes/core, nodes/adapters), avec le nombre
// pour 1 000 lignes. Lu dans l'arbre syntaxique de TypeScript (les `import … as`
// et les commentaires ne comptent pas). Usage : node scripts/mesure-casts.mjs [--fichiers]
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ts = createRequire(import.meta.url)('typescript');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nodesDir = path.join(root, 'nodes');

function tsFiles(dir) {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
		const full = path.join(dir, e.name);
		if (e.isDirectory()) return tsFiles(full);
		return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
	});
}

function castsOf(file) {
	const text = readFileSync(file, 'utf8');
	const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
	let casts = 0;
	const visit = (node) => {
		if (ts.isAsExpression(node)) {
			const t = node.type;
			const isConst = ts.isTypeReferenceNode(t) && t.typeName.getText(source) === 'const';
			if (!isConst) casts++;
		} else if (ts.isTypeAssertionExpression?.(node)) casts++;
		ts.forEachChild(node, visit);
	};
	visit(source);
	return { casts, lines: text.split('\n').length };
}

const groups = new Map();
const perFile = [];
for (const file of tsFiles(nodesDir)) {
	const rel = path.relative(nodesDir, file);
	const top = rel.split(path.sep)[0];
	const group = ['shared', 'core', 'adapters'].includes(top) ? top : top === 'lib.ts' ? 'lib' : 'nœuds';
	const { casts, lines } = castsOf(file);
	const g = groups.get(group) ?? { casts: 0, lines: 0 };
	g.casts += casts;
	g.lines += lines;
	groups.set(group, g);
	if (group === 'nœuds' && casts > 0) perFile.push([rel, casts]);
}
const per1000 = (g) => ((g.casts * 1000) / g.lines).toFixed(1);
for (const [name, g] of groups) process.stdout.write(`${name} : ${g.casts} conversions, ${g.lines} lignes, ${per1000(g)} pour 1 000 lignes\n`);
if (process.argv.includes('--fichiers')) {
	for (const [rel, casts] of perFile.sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${rel} : ${casts}\n`);
}
