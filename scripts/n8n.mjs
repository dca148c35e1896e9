// n8n sur l'instance de la démonstration (sortie/n8n : même base SQLite, mêmes
// workflows et identifiants), par exemple pour recevoir l'approbation des avis de
// pénalité laissés « en attente » par scripts/demo.sh :
//   scripts/n8n.sh start                  → éditeur et liens d'approbation sur http://127.0.0.1:5678/
//   N8N_PORT=5800 scripts/n8n.sh start    → sur le port 5800
//   scripts/n8n.sh list:workflow
// Les variables N8N_* de l'appelant sont gardées. n8n n'écoute que sur 127.0.0.1
// sauf N8N_LISTEN_ADDRESS ; WEBHOOK_URL et N8N_EDITOR_BASE_URL suivent le port et
// l'hôte choisis, sauf s'ils sont donnés. CLAUSES_N8N_HOME désigne une autre
// instance que celle de la démonstration.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const local = require('./lib/n8n-local.cjs');

const home = path.resolve(process.env.CLAUSES_N8N_HOME || path.join(local.ROOT, 'sortie', 'n8n'));
if (!fs.existsSync(path.join(home, '.n8n'))) {
	process.stderr.write(`Aucune instance n8n dans ${home} : lancez d’abord scripts/demo.sh.\n`);
	process.exit(1);
}
let server;
try {
	server = local.serverSettings(process.env);
} catch (error) {
	process.stderr.write(`${error.message}\n`);
	process.exit(1);
}
const { bin } = local.ensureN8n();
const env = local.n8nEnv(
	{ home },
	// Port du courtier des tâches (nœud Code) libre, sauf s'il est fixé dans l'environnement.
	{ N8N_LOG_LEVEL: 'info', N8N_RUNNERS_BROKER_PORT: String(await local.freePort()), ...local.inheritedN8nEnv(process.env), ...server.env },
);
const args = process.argv.slice(2);
if (args[0] === 'start') {
	const where = ['0.0.0.0', '::', '[::]'].includes(server.listenAddress)
		? 'toutes les interfaces réseau'
		: `${server.listenAddress} seulement`;
	process.stdout.write(`» n8n : éditeur sur ${server.editorUrl} (écoute sur ${where}, port ${server.port}) ; liens d’approbation vers ${server.webhookUrl}\n`);
}
const child = spawn(process.execPath, [bin, ...args], { cwd: home, env, stdio: 'inherit' });
child.on('close', (code) => process.exit(code ?? 1));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
