// Lance un banc écrit en TypeScript dans un processus Node ordinaire (pas dans
// jest) : le fichier est compilé par esbuild dans bench/.out/, les paquets
// (n8n-core, n8n-workflow…) restant ceux de node_modules, et dist/ est
// reconstruit d'abord (les nœuds sont chargés depuis dist/ comme dans n8n).
// Usage : node bench/run.mjs etude-calibrage
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(benchDir);
const name = process.argv[2];
if (!name) {
	process.stderr.write('Usage : node bench/run.mjs <nom du banc, par ex. etude-calibrage>\n');
	process.exit(2);
}
const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
const outfile = path.join(benchDir, '.out', `${name}.cjs`);
await build({
	entryPoints: [path.join(benchDir, `${name}.bench.ts`)],
	outfile,
	bundle: true,
	platform: 'node',
	format: 'cjs',
	target: 'node24',
	packages: 'external',
	logLevel: 'warning',
});
// Dossier utilisateur n8n temporaire : n8n-core y écrit sa clé de chiffrement.
const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-bench-'));
const env = { ...process.env, N8N_USER_FOLDER: userFolder, N8N_LOG_LEVEL: 'silent', TZ: process.env.TZ ?? 'Europe/Paris' };
const run = spawnSync(process.execPath, ['--expose-gc', outfile, ...process.argv.slice(3)], { stdio: 'inherit', cwd: root, env });
fs.rmSync(userFolder, { recursive: true, force: true });
process.exit(run.status ?? 1);
