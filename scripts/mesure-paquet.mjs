// Mesure du paquet construit (dist/) : taille des fichiers JavaScript chargés par
// n8n, et temps de chargement de tous les nœuds et identifiants déclarés dans
// package.json (médiane de 10 processus Node neufs, chacun faisant `require` de
// chaque fichier ; n8n-workflow, déjà chargé par n8n, est requis avant la mesure). Usage : npm run build && node scripts/mesure-paquet.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const files = [...pkg.n8n.nodes, ...pkg.n8n.credentials].map((f) => path.join(root, f));

function sizeOf(dir, keep) {
	let total = 0;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) total += sizeOf(full, keep);
		else if (keep(entry.name)) total += statSync(full).size;
	}
	return total;
}

const script = `require('n8n-workflow');const t=process.hrtime.bigint(),c=process.cpuUsage();for(const f of ${JSON.stringify(files)})require(f);const u=process.cpuUsage(c);process.stdout.write(JSON.stringify([Number(process.hrtime.bigint()-t)/1e6,(u.user+u.system)/1e3]))`;
const runs = Number(process.env.RUNS ?? 10);
const samples = [];
for (let i = 0; i < runs; i++) samples.push(JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' })));
const medianOf = (values) => {
	const v = [...values].sort((a, b) => a - b);
	return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const times = samples.map((s) => s[0]).sort((a, b) => a - b);
const median = medianOf(times);
const cpu = medianOf(samples.map((s) => s[1]));
const mo = (n) => `${(n / 1e6).toFixed(2)} Mo`;
process.stdout.write(
	`JavaScript de dist/ : ${mo(sizeOf(path.join(root, 'dist'), (n) => n.endsWith('.js')))} (dont lib.js ${mo(statSync(path.join(root, 'dist', 'nodes', 'lib.js')).size)}) ; ` +
		`tout dist/ : ${mo(sizeOf(path.join(root, 'dist'), () => true))}\n` +
		`chargement des ${files.length} fichiers déclarés, médiane sur ${runs} processus : ${median.toFixed(0)} ms écoulées (min ${times[0].toFixed(0)}, max ${times[runs - 1].toFixed(0)}), ${cpu.toFixed(0)} ms de processeur\n`,
);
