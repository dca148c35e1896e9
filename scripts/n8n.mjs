// n8n sur l'instance de la démonstration (sortie/n8n : même base SQLite, mêmes
// workflows et identifiants), par exemple pour recevoir l'approbation des avis de
// pénalité laissés « en attente » par scripts/demo.sh :
//   scripts/n8n.sh start        → éditeur et liens d'approbation sur http://localhost:5678
//   scripts/n8n.sh list:workflow
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const local = require('./lib/n8n-local.cjs');

const home = path.join(local.ROOT, 'sortie', 'n8n');
if (!fs.existsSync(path.join(home, '.n8n'))) {
	process.stderr.write('Aucune instance de démonstration : lancez d’abord scripts/demo.sh.\n');
	process.exit(1);
}
const { bin } = local.ensureN8n();
const env = local.n8nEnv({ home }, { N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL ?? 'info' });
const child = spawn(process.execPath, [bin, ...process.argv.slice(2)], { cwd: home, env, stdio: 'inherit' });
child.on('close', (code) => process.exit(code ?? 1));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
