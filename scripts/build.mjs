// Construit dist/ : un paquet partagé (cœur métier, zod), les bibliothèques
// lourdes embarquées chacune dans son fichier (dist/nodes/vendor/, chargées à
// leur première utilisation) et un fichier léger par nœud et par identifiant,
// qui se réfère au paquet partagé. Le paquet publié n'a ainsi aucune dépendance
// d'exécution ; seul n8n-workflow vient de l'instance n8n (dépendance pair).
import { build } from 'esbuild';
import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
const sharedDirs = ['core', 'shared', 'adapters'].map((d) => path.join(root, 'nodes', d) + path.sep);
const libFile = path.join(dist, 'nodes', 'lib.js');
const vendorDir = path.join(dist, 'nodes', 'vendor');

/**
 * Bibliothèques chargées à leur première utilisation, pas au chargement du paquet.
 * n8n charge tous les nœuds du paquet au démarrage de chaque processus (instance
 * principale, workers) : exceljs, docx, pdfkit, nodemailer et pg, embarqués dans
 * lib.js, y étaient analysés et initialisés même quand aucun nœud ne s'en servait.
 * Chacune est embarquée dans son fichier de dist/nodes/vendor/ (jszip avec exceljs,
 * qui l'embarque déjà) ; dans lib.js, l'import de la bibliothèque est remplacé par
 * un module de quelques lignes qui porte les mêmes noms exportés et ne requiert le
 * fichier qu'au premier accès à l'un d'eux (voir lazyLibraries plus bas). Le code
 * du paquet ne change pas : `import ExcelJS from 'exceljs'` s'écrit comme avant.
 * Le fichier est requis depuis le dossier du paquet installé (chaque worker a le
 * sien) et mis en cache par Node comme tout module : aucun état partagé entre
 * exécutions autre que celui de la bibliothèque elle-même, comme avant. Si le
 * paquet a été remplacé sur le disque depuis le démarrage du processus (mise à
 * jour sans arrêt), un fichier d'une autre version de la bibliothèque, ou auquel
 * manque un nom employé, est refusé avec une erreur qui dit de redémarrer.
 */
const vendorGroups = [
	{ file: 'excel.js', packages: ['exceljs', 'jszip'] },
	{ file: 'docx.js', packages: ['docx'] },
	{ file: 'pdf.js', packages: ['pdfkit'] },
	{ file: 'mail.js', packages: ['nodemailer'] },
	{ file: 'pg.js', packages: ['pg'] },
];
const vendorOf = new Map(vendorGroups.flatMap((g) => g.packages.map((name) => [name, g.file])));

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
 * package.json : une fois embarqué (dist/nodes/vendor/pdf.js), ce require ne trouverait plus rien.
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

/** Les imports de zod depuis un nœud pointent vers le zod de lib.js (sinon recopié, 0,4 Mo, dans chaque nœud qui l'importe). */
const useSharedZod = {
	name: 'use-shared-zod',
	setup(b) {
		b.onResolve({ filter: /^zod\/v4$/ }, (args) => ({ path: args.importer, namespace: 'shared-zod' }));
		b.onResolve({ filter: /lib\.js$/ }, (args) => (args.namespace === 'shared-zod' ? { path: args.path, external: true } : undefined));
		b.onLoad({ filter: /.*/, namespace: 'shared-zod' }, (args) => {
			const outDir = path.dirname(path.join(dist, path.relative(root, args.path)));
			let spec = path.relative(outDir, libFile).split(path.sep).join('/');
			if (!spec.startsWith('.')) spec = `./${spec}`;
			return { contents: `module.exports = require(${JSON.stringify(spec)}).zodV4;`, loader: 'js' };
		});
		b.onResolve({ filter: /^zod(\/|$)/ }, (args) => {
			throw new Error(`${args.importer} : importer zod par « zod/v4 » (le seul chemin partagé avec lib.js), pas « ${args.path} »`);
		});
	},
};

/**
 * Dans lib.js, chaque bibliothèque de vendorGroups devient un module qui en porte
 * les noms exportés (relevés sur le fichier construit) et ne la requiert qu'au
 * premier accès : `ExcelJS.Workbook`, `new Pool(…)`, `import('pdfkit')`. Le module
 * a la forme ESM (`__esModule`, `default`) du fichier de vendor/, construit à
 * partir d'un `import * as`, comme l'import qu'il remplace.
 */
/** Version installée d'une bibliothèque (son package.json dans node_modules). */
async function versionOf(name) {
	return JSON.parse(await readFile(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
}

function lazyLibraries(exportsOf) {
	return {
		name: 'lazy-libraries',
		setup(b) {
			b.onResolve({ filter: /^[a-z@]/ }, (args) => (vendorOf.has(args.path) && args.namespace === 'file' ? { path: args.path, namespace: 'lazy-library' } : undefined));
			b.onResolve({ filter: /^\.\/vendor\// }, (args) => (args.namespace === 'lazy-library' ? { path: args.path, external: true } : undefined));
			b.onLoad({ filter: /.*/, namespace: 'lazy-library' }, async (args) => {
				const name = args.path;
				const file = `./vendor/${vendorOf.get(name)}`;
				const keys = exportsOf(name);
				const version = await versionOf(name);
				// Paquet mis à jour sur le disque depuis le démarrage du processus (mise à jour sans arrêt,
				// docs/file-attente.md) : un fichier de vendor/ d'une autre version n'est pas employé.
				const changed = `le paquet n8n-nodes-clauses-sociales a été mis à jour sur le disque depuis le démarrage de ce processus n8n (${name} ${version} attendu, `;
				const contents = [
					'let loaded;',
					`function load() {`,
					`\tif (loaded === undefined) {`,
					`\t\tlet vendor;`,
					`\t\ttry {`,
					`\t\t\tvendor = require(${JSON.stringify(file)});`,
					`\t\t} catch (cause) {`,
					`\t\t\tthrow new Error(${JSON.stringify(`bibliothèque « ${name} » du paquet introuvable ou illisible (dist/nodes/vendor/${vendorOf.get(name)}) : réinstallez le paquet n8n-nodes-clauses-sociales`)}, { cause });`,
					`\t\t}`,
					`\t\tconst found = vendor.versions?.[${JSON.stringify(name)}];`,
					`\t\tconst namespace = vendor[${JSON.stringify(name)}];`,
					`\t\tconst missing = ${JSON.stringify(keys)}.filter((key) => !(key in Object(namespace)));`,
					`\t\tif (found !== ${JSON.stringify(version)} || missing.length > 0) {`,
					`\t\t\tconst detail = found === ${JSON.stringify(version)} ? 'noms absents : ' + missing.join(', ') : (found ?? 'aucune version') + ' trouvé';`,
					`\t\t\tthrow new Error(${JSON.stringify(changed)} + detail + ') : redémarrez ce processus pour charger la nouvelle version');`,
					`\t\t}`,
					`\t\tloaded = namespace;`,
					`\t}`,
					`\treturn loaded;`,
					`}`,
					`Object.defineProperty(exports, '__esModule', { value: true });`,
					`for (const key of ${JSON.stringify(keys)}) Object.defineProperty(exports, key, { enumerable: true, get: () => load()[key] });`,
				].join('\n');
				return { contents, loader: 'js' };
			});
		},
	};
}

/**
 * Deux parties d'exceljs que le paquet n'emploie pas, et les bibliothèques qu'elles
 * tirent (0,4 Mo de vendor/excel.js) : la lecture séquentielle du zip du lecteur en
 * flux (unzipper, dans `parse()`, que nodes/adapters/excel/xlsx-stream-reader.ts
 * remplace par une lecture par le répertoire central) et l'écriture en flux
 * (archiver, dans WorkbookWriter ; les classeurs du paquet s'écrivent par
 * `workbook.xlsx.writeBuffer`, avec jszip). Chaque import est remplacé par un module
 * qui lève une erreur claire s'il était un jour appelé. La construction vérifie que
 * chacun n'est employé qu'à l'endroit connu (version d'exceljs changée sinon).
 */
const exceljsUnusedParts = {
	name: 'exceljs-unused-parts',
	setup(b) {
		const parts = {
			unzipper: { importer: /exceljs[\\/]lib[\\/]stream[\\/]xlsx[\\/]workbook-reader\.js$/, uses: /\bunzip\b/g, count: 2, stub: 'module.exports = { Parse: absent };' },
			archiver: { importer: /exceljs[\\/]lib[\\/]stream[\\/]xlsx[\\/]workbook-writer\.js$/, uses: /\bArchiver\b/g, count: 2, stub: 'module.exports = absent;' },
		};
		b.onResolve({ filter: /^(unzipper|archiver)$/ }, async (args) => {
			const part = parts[args.path];
			if (!part.importer.test(args.importer)) throw new Error(`${args.importer} importe « ${args.path} », que la construction remplace pour exceljs seul (exceljsUnusedParts)`);
			const uses = ((await readFile(args.importer, 'utf8')).match(part.uses) ?? []).length;
			if (uses !== part.count) throw new Error(`exceljs : « ${args.path} » employé ${uses} fois au lieu de ${part.count} dans ${args.importer} (version changée ?)`);
			return { path: args.path, namespace: 'exceljs-unused' };
		});
		b.onLoad({ filter: /.*/, namespace: 'exceljs-unused' }, (args) => ({
			contents: `function absent() {\n\tthrow new Error(${JSON.stringify(`exceljs : « ${args.path} » n'est pas embarqué dans le paquet n8n-nodes-clauses-sociales (partie d'exceljs qu'il n'emploie pas, voir scripts/build.mjs)`)});\n}\n${parts[args.path].stub}`,
			loader: 'js',
		}));
	},
};

/**
 * zod exporte toutes ses traductions de messages (`z.locales`, une quarantaine de
 * langues, 0,11 Mo de lib.js) ; le paquet n'en emploie aucune (ses messages sont
 * écrits en français par ses schémas) et zod n'emploie d'office que l'anglais,
 * importé à part. `z.locales` ne garde que l'anglais.
 */
const zodEnglishOnly = {
	name: 'zod-english-only',
	setup(b) {
		b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
			if (!/[\\/]node_modules[\\/]zod[\\/]v4[\\/](classic|core)$/.test(args.resolveDir)) return undefined;
			return { path: path.join(args.resolveDir, '..', 'locales', 'en.js'), namespace: 'zod-locales' };
		});
		b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
			contents: `export { default as en } from ${JSON.stringify(args.path)};`,
			loader: 'js',
			resolveDir: path.dirname(args.path),
		}));
	},
};

/**
 * Noms importés de chaque bibliothèque par le code du paquet (nodes/, credentials/),
 * quand il ne l'importe que par noms ; absente de la table si un fichier l'importe
 * entière (`import X from`, `import * as`, `import()`, `require`) ou la réexporte.
 */
async function namedImportsOf(packages) {
	const { readdir } = await import('node:fs/promises');
	const names = new Map(packages.map((p) => [p, new Set()]));
	const whole = new Set();
	for (const dir of ['nodes', 'credentials']) {
		for (const file of await readdir(path.join(root, dir), { recursive: true })) {
			if (!file.endsWith('.ts')) continue;
			const source = await readFile(path.join(root, dir, file), 'utf8');
			for (const name of packages) {
				const quoted = `['"]${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}['"]`;
				if (new RegExp(`(import|require)\\s*\\(\\s*${quoted}`).test(source)) whole.add(name);
				if (new RegExp(`export\\s[^;]*?from\\s+${quoted}`).test(source)) whole.add(name);
				for (const m of source.matchAll(new RegExp(`import\\s+(type\\s+)?([^;]*?)\\s+from\\s+${quoted}`, 'g'))) {
					if (m[1]) continue;
					const braces = /^\{([^}]*)\}$/.exec(m[2].trim());
					if (!braces) {
						whole.add(name);
						continue;
					}
					for (const item of braces[1].split(',').map((x) => x.trim()).filter(Boolean)) {
						if (item.startsWith('type ')) continue;
						names.get(name).add(item.split(/\s+as\s+/)[0]);
					}
				}
			}
		}
	}
	return new Map([...names].filter(([name, set]) => !whole.has(name) && set.size > 0).map(([name, set]) => [name, [...set].sort()]));
}

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

// Bibliothèques chargées à la demande : un fichier par groupe, exportant l'espace de noms de chaque bibliothèque.
const minified = { sourcemap: false, minifyWhitespace: true, minifySyntax: true, minifyIdentifiers: true, keepNames: true };
const vendorBuilds = [];
const importedNames = await namedImportsOf(vendorGroups.flatMap((g) => g.packages));
for (const group of vendorGroups) {
	// Espace de noms entier, ou seulement les noms importés quand le paquet ne l'importe que par noms
	// (`import { Document, Packer } from 'docx'`) : le reste de la bibliothèque n'est pas embarqué.
	// `versions` : la version de chaque bibliothèque, que lib.js vérifie avant de l'employer.
	const versions = Object.fromEntries(await Promise.all(group.packages.map(async (name) => [name, await versionOf(name)])));
	const contents = group.packages
		.map((name, i) => {
			const names = importedNames.get(name);
			const namespace = names ? `const lib${i} = { ${names.join(', ')} };` : `import * as lib${i} from ${JSON.stringify(name)};`;
			return `${names ? `import { ${names.join(', ')} } from ${JSON.stringify(name)};\n` : ''}${namespace}\nexport { lib${i} as ${JSON.stringify(name)} };`;
		})
		.concat(`export const versions = ${JSON.stringify(versions)};`)
		.join('\n');
	vendorBuilds.push(
		await build({
			...common,
			...minified,
			metafile: true,
			stdin: { contents, resolveDir: root, sourcefile: `vendor/${group.file}`, loader: 'js' },
			outfile: path.join(vendorDir, group.file),
			loader: { '.icc': 'binary' },
			plugins: [exceljsStreamingUtf8, exceljsUnusedParts, pdfkitStandardFonts],
		}),
	);
}
// Noms exportés de chaque bibliothèque, relevés en chargeant le fichier construit (une fois, ici).
const requireBuilt = createRequire(path.join(vendorDir, 'index.js'));
const exportsOf = (name) => {
	const namespace = requireBuilt(`./${vendorOf.get(name)}`)[name];
	if (namespace === undefined || namespace === null) throw new Error(`vendor/${vendorOf.get(name)} : la bibliothèque « ${name} » n'y est pas exportée`);
	return Object.keys(namespace);
};

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
	// Police des lettres : son contenu, dans lib.js (le profil de couleur du PDF/A est dans vendor/pdf.js).
	loader: { '.woff': 'binary' },
	plugins: [lazyLibraries(exportsOf), zodEnglishOnly],
});
// Garde-fou : aucune des bibliothèques chargées à la demande ne doit se retrouver dans lib.js.
for (const input of Object.keys(libBuild.metafile.inputs)) {
	const pkgName = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
	if (pkgName && vendorOf.has(pkgName)) throw new Error(`lib.js embarque ${input} : « ${pkgName} » doit rester dans dist/nodes/vendor/`);
}

const entries = [...pkg.n8n.nodes, ...pkg.n8n.credentials].map((out) => {
	const source = out.replace(/^dist\//, '').replace(/\.js$/, '.ts');
	return { in: path.join(root, source), out: path.join(dist, out.replace(/^dist\//, '').replace(/\.js$/, '')) };
});
// Composition de lib.js par paquet npm (CLAUSES_BUILD_ANALYSE=1 npm run build).
if (process.env.CLAUSES_BUILD_ANALYSE === '1') {
	const { analyzeMetafile } = await import('esbuild');
	process.stdout.write(await analyzeMetafile(libBuild.metafile));
	for (const vendorBuild of vendorBuilds) process.stdout.write(await analyzeMetafile(vendorBuild.metafile));
}

const nodesBuild = await build({ ...common, metafile: true, entryPoints: entries, outdir: dist, plugins: [useSharedLib, useSharedZod] });
// Garde-fou : un nœud n'embarque aucune bibliothèque (elles sont dans lib.js ou vendor/, une seule fois).
for (const input of Object.keys(nodesBuild.metafile.inputs)) {
	if (input.startsWith('node_modules/')) throw new Error(`un nœud embarque ${input} : l'importer depuis nodes/core, nodes/shared ou nodes/adapters (lib.js)`);
}

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
