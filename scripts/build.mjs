// Construit dist/ : un paquet partagé (cœur métier + bibliothèques embarquées :
// zod, exceljs, nodemailer…) et un fichier léger par nœud et par identifiant,
// qui s'y réfère. Le paquet publié n'a ainsi aucune dépendance d'exécution ;
// seul n8n-workflow vient de l'instance n8n (dépendance pair).
import { build } from 'esbuild';
import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
const sharedDirs = ['core', 'shared', 'adapters'].map((d) => path.join(root, 'nodes', d) + path.sep);
const libFile = path.join(dist, 'nodes', 'lib.js');

const common = {
	bundle: true,
	platform: 'node',
	format: 'cjs',
	target: 'node20',
	external: ['n8n-workflow'],
	sourcemap: 'linked',
	sourcesContent: false,
	logLevel: 'warning',
	legalComments: 'linked',
	charset: 'utf8',
};

/** Les imports du cœur depuis un nœud pointent vers dist/nodes/lib.js au lieu d'être recopiés. */
const useSharedLib = {
	name: 'use-shared-lib',
	setup(b) {
		b.onResolve({ filter: /^\.\.?\// }, (args) => {
			const target = path.resolve(args.resolveDir, args.path);
			if (!sharedDirs.some((dir) => (target + path.sep).startsWith(dir))) return undefined;
			const outDir = path.dirname(path.join(dist, path.relative(root, args.importer)));
			let spec = path.relative(outDir, libFile).split(path.sep).join('/');
			if (!spec.startsWith('.')) spec = `./${spec}`;
			return { path: spec, external: true };
		});
	},
};

/**
 * Correctif d'exceljs 4.4.0 (lecture en flux) : chaque morceau du XML est décodé
 * seul (TextDecoder sans { stream: true }), si bien qu'un caractère accentué à
 * cheval sur deux morceaux devient « B��néficiaire ». Le décodage devient continu.
 */
const exceljsStreamingUtf8 = {
	name: 'exceljs-streaming-utf8',
	setup(b) {
		b.onLoad({ filter: /exceljs[\\/]lib[\\/]utils[\\/]parse-sax\.js$/ }, async (args) => {
			const source = await readFile(args.path, 'utf8');
			const broken = 'saxesParser.write(bufferToString(chunk));';
			if (!source.includes(broken)) throw new Error(`exceljs : correctif UTF-8 non applicable à ${args.path} (version changée ?)`);
			const fixed = source
				.replace('const saxesParser = new SaxesParser();', "const saxesParser = new SaxesParser();\n  const utf8 = new TextDecoder('utf-8');")
				.replace(broken, "saxesParser.write(typeof chunk === 'string' ? chunk : utf8.decode(chunk, { stream: true }));");
			return { contents: fixed, loader: 'js' };
		});
	},
};

/**
 * pdfkit lit ses polices standard (Helvetica…) par un `require` créé à l'exécution
 * (createRequire) vers les sous-chemins « #standard-fonts/… » de son propre
 * package.json : une fois embarqué dans lib.js, ce require ne trouverait plus rien.
 * Le plugin prend l'entrée CommonJS de pdfkit et rend ces require statiques pour
 * qu'esbuild embarque les métriques des polices (la police par défaut de pdfkit,
 * créée à l'ouverture du document, même si les lettres ne l'emploient pas). Le
 * profil de couleur sRGB du PDF/A, que pdfkit lit à côté de son fichier, est
 * embarqué de même. Les lettres embarquent leur police (Arimo, WOFF converti en
 * TrueType) : fontkit est gardé ; le décodeur brotli en JavaScript qu'il tire
 * pour le seul WOFF2 (près de 1 Mo avec son dictionnaire), inutile ici, est
 * remplacé par celui de Node (zlib). Un changement de version de pdfkit qui
 * casserait un correctif fait échouer la construction.
 */
const pdfkitStandardFonts = {
	name: 'pdfkit-standard-fonts',
	setup(b) {
		b.onResolve({ filter: /^pdfkit$/ }, async () => {
			const { createRequire } = await import('node:module');
			return { path: createRequire(import.meta.url).resolve('pdfkit') };
		});
		b.onResolve({ filter: /^brotli\/decompress(\.js)?$/ }, (args) => (/fontkit/.test(args.importer) ? { path: 'brotli', namespace: 'brotli-node' } : undefined));
		b.onLoad({ filter: /.*/, namespace: 'brotli-node' }, () => ({
			contents: "const zlib = require('node:zlib');\nmodule.exports = (buffer) => new Uint8Array(zlib.brotliDecompressSync(buffer));",
			loader: 'js',
		}));
		b.onLoad({ filter: /pdfkit[\\/]js[\\/]pdfkit\.js$/ }, async (args) => {
			const source = await readFile(args.path, 'utf8');
			const dynamic = /require\$1\('#standard-fonts\//g;
			const count = (source.match(dynamic) ?? []).length;
			if (count !== 14) throw new Error(`pdfkit : ${count} polices standard trouvées au lieu de 14 (version changée ?) dans ${args.path}`);
			const icc = 'iccProfile = fs.readFileSync(ICC_PROFILE_PATH);';
			if (!source.includes(icc)) throw new Error(`pdfkit : lecture du profil sRGB introuvable (version changée ?) dans ${args.path}`);
			const contents = source.replace(dynamic, "require('#standard-fonts/").replace(icc, "iccProfile = Buffer.from(require('./data/sRGB_IEC61966_2_1.icc'));");
			return { contents, loader: 'js', resolveDir: path.dirname(args.path) };
		});
	},
};

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

// Pas de carte des sources pour le paquet partagé : 2,7 Mo que n8n analyserait à la première trace
// de pile (temps et mémoire). Blancs et syntaxe minifiés (moitié moins à lire et à analyser au
// chargement, mesure dans docs/technique.md) ; les noms sont gardés : une trace de pile nomme
// toujours les fonctions du paquet et des bibliothèques.
const libBuild = await build({
	...common,
	metafile: true,
	sourcemap: false,
	minifyWhitespace: true,
	minifySyntax: true,
	minifyIdentifiers: true,
	keepNames: true,
	entryPoints: [path.join(root, 'nodes', 'lib.ts')],
	outfile: libFile,
	// Police des lettres et profil de couleur du PDF/A : leur contenu, dans lib.js.
	loader: { '.woff': 'binary', '.icc': 'binary' },
	plugins: [exceljsStreamingUtf8, pdfkitStandardFonts],
});

const entries = [...pkg.n8n.nodes, ...pkg.n8n.credentials].map((out) => {
	const source = out.replace(/^dist\//, '').replace(/\.js$/, '.ts');
	return { in: path.join(root, source), out: path.join(dist, out.replace(/^dist\//, '').replace(/\.js$/, '')) };
});
// Composition de lib.js par paquet npm (CLAUSES_BUILD_ANALYSE=1 npm run build).
if (process.env.CLAUSES_BUILD_ANALYSE === '1') {
	const { analyzeMetafile } = await import('esbuild');
	process.stdout.write(await analyzeMetafile(libBuild.metafile));
}

await build({ ...common, entryPoints: entries, outdir: dist, plugins: [useSharedLib] });

// Icônes et fichiers codex à côté de chaque nœud ou identifiant.
for (const out of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
	const sourceDir = path.join(root, path.dirname(out.replace(/^dist\//, '')));
	const targetDir = path.join(root, path.dirname(out));
	await cp(sourceDir, targetDir, {
		recursive: true,
		filter: (src) => !src.endsWith('.ts') || src === sourceDir,
	});
}
process.stdout.write(`dist/ construit : ${entries.length} nœud(s) et identifiant(s).\n`);
