// Mesure du paquet construit (dist/) : taille des fichiers JavaScript, temps de
// chargement de tous les nœuds et identifiants déclarés dans package.json, et coût
// de la première utilisation de chaque bibliothèque chargée à la demande
// (dist/nodes/vendor/).
//
// Chargement : RUNS processus Node neufs (11 par défaut), chacun fait `require` de
// chaque fichier déclaré après avoir chargé n8n-workflow (déjà chargé par n8n) ;
// médiane, extrêmes et écart interquartile du temps écoulé, médiane du temps de
// processeur. Première utilisation : autant de processus neufs, qui chargent les
// nœuds puis requièrent un fichier de vendor/ (ce que fait lib.js au premier accès
// à la bibliothèque) ; seul ce second temps est compté.
//
// Comparaison : `--comparer <copie d'un ancien dist/>` alterne les processus entre
// cette copie et dist/ (ancien, nouveau, ancien…), pour que la charge de la
// machine pèse autant sur les deux ; la charge (moyenne sur une minute) est relevée
// au début et à la fin. La copie peut être n'importe où, hors du dépôt de préférence
// (le linter lirait ses fichiers) : n8n-workflow est trouvé dans node_modules du dépôt.
//
// Le résultat est aussi écrit dans bench/RESULTATS-paquet.md (réécrit à chaque mesure).
//
// Usage : cp -r dist /tmp/dist-avant ; (changements) ; npm run build &&
// node scripts/mesure-paquet.mjs --comparer /tmp/dist-avant
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const declared = [...pkg.n8n.nodes, ...pkg.n8n.credentials].map((f) => f.replace(/^dist\//, ''));
const runs = Number(process.env.RUNS ?? 11);
const compareIndex = process.argv.indexOf('--comparer');
const before = compareIndex > 0 ? path.resolve(process.argv[compareIndex + 1] ?? '') : undefined;
if (before !== undefined && !existsSync(path.join(before, 'nodes', 'lib.js'))) throw new Error(`--comparer : ${before} n'est pas une copie de dist/ (nodes/lib.js absent)`);

const lines = [];
const print = (text) => {
	process.stdout.write(text);
	lines.push(text);
};

function sizeOf(dir, keep) {
	let total = 0;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) total += sizeOf(full, keep);
		else if (keep(full)) total += statSync(full).size;
	}
	return total;
}

const nodeScript = (distDir) => {
	const files = declared.map((f) => path.join(distDir, f));
	return `require('n8n-workflow');const t=process.hrtime.bigint(),c=process.cpuUsage();for(const f of ${JSON.stringify(files)})require(f);const u=process.cpuUsage(c);process.stdout.write(JSON.stringify([Number(process.hrtime.bigint()-t)/1e6,(u.user+u.system)/1e3]))`;
};
const firstUseScript = (distDir, vendorFile) => {
	const files = declared.map((f) => path.join(distDir, f));
	return `require('n8n-workflow');for(const f of ${JSON.stringify(files)})require(f);const t=process.hrtime.bigint();require(${JSON.stringify(path.join(distDir, 'nodes', 'vendor', vendorFile))});process.stdout.write(JSON.stringify([Number(process.hrtime.bigint()-t)/1e6,0]))`;
};
const env = { ...process.env, NODE_PATH: path.join(root, 'node_modules') };
const sample = (script) => JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', env }));

const sorted = (values) => [...values].sort((a, b) => a - b);
function quantile(values, q) {
	const v = sorted(values);
	const pos = (v.length - 1) * q;
	const low = Math.floor(pos);
	return v[low] + (v[Math.min(low + 1, v.length - 1)] - v[low]) * (pos - low);
}
const ms = (n) => `${n.toFixed(0)} ms`;
const mo = (n) => `${(n / 1e6).toFixed(2).replace('.', ',')} Mo`;
const load = () => os.loadavg()[0].toFixed(1).replace('.', ',');

function describeSizes(label, distDir) {
	const js = (f) => f.endsWith('.js');
	const vendor = path.join(distDir, 'nodes', 'vendor');
	const lib = statSync(path.join(distDir, 'nodes', 'lib.js')).size;
	const vendorSize = existsSync(vendor) ? sizeOf(vendor, js) : 0;
	const all = sizeOf(distDir, js);
	print(
		`${label} : lib.js ${mo(lib)} ; JavaScript chargé au démarrage (lib.js et fichiers déclarés) ${mo(all - vendorSize)} ; ` +
			`vendor/ ${mo(vendorSize)} ; JavaScript de dist/ ${mo(all)} ; tout dist/ ${mo(sizeOf(distDir, () => true))}\n`,
	);
}
function describeRuns(label, samples) {
	const times = samples.map((s) => s[0]);
	print(
		`${label} : médiane ${ms(quantile(times, 0.5))} écoulées (min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))}, ` +
			`quartiles ${ms(quantile(times, 0.25))} à ${ms(quantile(times, 0.75))}), ${ms(quantile(samples.map((s) => s[1]), 0.5))} de processeur, ${samples.length} processus\n`,
	);
}

const current = path.join(root, 'dist');
if (before) describeSizes('avant', before);
describeSizes(before ? 'après' : 'dist/', current);

const loadAtStart = load();
const samplesBefore = [];
const samplesAfter = [];
for (let i = 0; i < runs; i++) {
	if (before) samplesBefore.push(sample(nodeScript(before)));
	samplesAfter.push(sample(nodeScript(current)));
}
print(`chargement des ${declared.length} fichiers déclarés${before ? ', mesures alternées' : ''} :\n`);
if (before) describeRuns('  avant', samplesBefore);
describeRuns(before ? '  après' : '  dist/', samplesAfter);

const vendorDir = path.join(current, 'nodes', 'vendor');
if (existsSync(vendorDir)) {
	print('première utilisation (require du fichier de vendor/ après le chargement des nœuds) :\n');
	for (const file of readdirSync(vendorDir).filter((f) => f.endsWith('.js')).sort()) {
		const samples = [];
		for (let i = 0; i < runs; i++) samples.push(sample(firstUseScript(current, file)));
		const times = samples.map((s) => s[0]);
		print(`  vendor/${file} (${mo(statSync(path.join(vendorDir, file)).size)}) : médiane ${ms(quantile(times, 0.5))} (min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))})\n`);
	}
}
print(`charge de la machine (moyenne sur une minute, ${os.cpus().length} cœurs) : ${loadAtStart} au début, ${load()} à la fin\n`);
const command = `node scripts/mesure-paquet.mjs${before ? ' --comparer <copie de l’ancien dist/>' : ''}${process.env.RUNS ? ` (RUNS=${runs})` : ''}`;
writeFileSync(
	path.join(root, 'bench', 'RESULTATS-paquet.md'),
	`# Paquet : taille et chargement\n\nMesure du ${new Date().toISOString().replace(/^(\d+)-(\d+)-(\d+)T(\d+):(\d+).*$/, '$3/$2/$1 à $4 h $5')} UTC, Node ${process.versions.node}. Commande : \`${command}\` ; méthode : docs/technique.md, « Paquet construit : taille et chargement ».\n\n\`\`\`\n${lines.join('')}\`\`\`\n`,
);
