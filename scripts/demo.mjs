// Démonstration : les workflows livrés, exécutés dans un vrai n8n sur les données
// d'exemple, avec MailDev comme serveur SMTP local. Les classeurs de suivi
// d'exemple sont d'abord versés au registre des clauses (SQLite par défaut, dans
// le dossier .n8n de l'instance) par le workflow livré « import du classeur de
// suivi » ; les workflows suivent ensuite la vie d'une clause, de l'étude au
// bilan. Tout ce qui est produit va dans sortie/ (ignoré par git) ; une seconde
// exécution réutilise l'instance n8n (sa base SQLite) et ne réinstalle rien de n8n.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

const require = createRequire(import.meta.url);
const local = require('./lib/n8n-local.cjs');

const SMTP_PORT = Number(process.env.DEMO_SMTP_PORT ?? 1025);
const WEB_PORT = Number(process.env.DEMO_MAILDEV_PORT ?? 1080);
const out = path.join(local.ROOT, 'sortie');
const mailDir = path.join(out, 'courriels');
const say = (text) => process.stdout.write(`${text}\n`);
// Les liens d'approbation écrits dans les courriels pendant la démonstration
// pointent vers le serveur que lancera scripts/n8n.sh start : même port, même hôte.
const server = local.serverSettings(process.env);

function portInUse(port) {
	return new Promise((resolve) => {
		const socket = net.connect({ host: '127.0.0.1', port });
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

async function startMailDev() {
	if (await portInUse(SMTP_PORT)) {
		say(`» Un serveur SMTP écoute déjà sur 127.0.0.1:${SMTP_PORT} : il recevra les courriels.`);
		return;
	}
	fs.mkdirSync(mailDir, { recursive: true });
	const log = fs.openSync(path.join(out, 'maildev.log'), 'a');
	const child = spawn(
		process.execPath,
		[
			path.join(local.ROOT, 'node_modules', 'maildev', 'dist', 'bin', 'maildev.js'),
			'--ip', '127.0.0.1', '--smtp', String(SMTP_PORT),
			'--web-ip', '127.0.0.1', '--web', String(WEB_PORT),
			'--mail-directory', mailDir,
		],
		{ detached: true, stdio: ['ignore', log, log] },
	);
	child.unref();
	fs.writeFileSync(path.join(out, 'maildev.pid'), String(child.pid));
	for (let i = 0; i < 50 && !(await portInUse(SMTP_PORT)); i++) await new Promise((r) => setTimeout(r, 200));
	if (!(await portInUse(SMTP_PORT))) throw new Error(`MailDev n'a pas démarré (voir ${path.join(out, 'maildev.log')})`);
	say(`» MailDev démarré : SMTP 127.0.0.1:${SMTP_PORT}, boîte de réception http://127.0.0.1:${WEB_PORT}`);
}

/** Les workflows livrés dans l'ordre de la vie d'une clause (tout workflow livré y figure une fois). */
const LIFECYCLE = [
	'etude-faisabilite-calibrage.json',
	'fiche-visa.json',
	'notification-marche.json',
	'relance-mensuelle.json',
	'reception-releves.json',
	'engagements-sociaux.json',
	'avis-penalite.json',
	'bilan-annuel.json',
];
/** Classeurs de suivi d'exemple versés au registre, avant tout le reste. */
const SAMPLE_WORKBOOKS = ['donnees/suivi-clauses.xlsx', 'donnees/clauses-a-solder.xlsx'];
const IMPORT = 'import-classeur-suivi.json';
/** Workflows servis par un Webhook (un titulaire ouvre le lien de sa relance) : importés, pas exécutés ici. */
const SERVED = ['releve-en-ligne.json'];

function orderedWorkflows() {
	const shipped = local.shippedWorkflows();
	const byName = new Map(shipped.map((file) => [path.basename(file), file]));
	const missing = [IMPORT, ...LIFECYCLE].filter((name) => !byName.has(name));
	const unknown = [...byName.keys()].filter((name) => name !== IMPORT && !SERVED.includes(name) && !LIFECYCLE.includes(name));
	if (missing.length > 0 || unknown.length > 0) {
		throw new Error(`Workflows livrés et ordre de la démonstration en désaccord (absents : ${missing.join(', ') || 'aucun'} ; non placés : ${unknown.join(', ') || 'aucun'})`);
	}
	return LIFECYCLE.map((name) => byName.get(name));
}

function summarize(run, file) {
	const runData = run?.data?.resultData?.runData ?? {};
	const error = run?.data?.resultData?.error;
	const name = JSON.parse(fs.readFileSync(file, 'utf8')).name;
	say(`\n■ ${name}`);
	say(`  statut : ${run.status}${error ? ` — ${error.message}` : ''}`);
	if (run.status === 'waiting') {
		const command = `${process.env.N8N_PORT ? `N8N_PORT=${server.port} ` : ''}scripts/n8n.sh start`;
		say(`  en attente d’une réponse (approbation par courriel, dans MailDev) : lancez ${command}`);
		say(`  (n8n sur ${server.editorUrl}, même instance), puis cliquez sur le lien du courriel pour terminer l’exécution.`);
	}
	for (const [node, tasks] of Object.entries(runData)) {
		const task = tasks[tasks.length - 1];
		const count = task.data?.main?.reduce((n, branch) => n + (branch?.length ?? 0), 0) ?? 0;
		say(`  • ${node} : ${task.error ? `ERREUR ${task.error.message}` : `${count} élément(s)`}`);
	}
}

await startMailDev();
fs.mkdirSync(out, { recursive: true });
const layout = local.createHome(path.join(out, 'n8n'));
local.copySampleData(layout);
say('» Construction et empaquetage du paquet…');
const tarball = local.packPackage();
say(`» Installation dans n8n comme paquet communautaire (${path.basename(tarball)})…`);
local.installPackage(layout, tarball);
await local.importCredentials(layout, local.localCredentials({ smtpPort: SMTP_PORT }));
let failures = 0;
const importFile = path.join(local.ROOT, 'workflows', IMPORT);
for (const classeur of SAMPLE_WORKBOOKS) {
	// Le workflow d'import tel qu'un utilisateur le règle : le classeur à verser, dans « Configuration ».
	const id = await local.importWorkflow(layout, importFile, { configuration: { classeur } });
	const run = await local.executeWorkflow(layout, id, { env: server.env });
	summarize(run, importFile);
	say(`  (classeur versé au registre : ${classeur})`);
	if (run.status !== 'success') failures++;
}
await local.importWorkflow(layout, importFile);
for (const name of SERVED) await local.importWorkflow(layout, path.join(local.ROOT, 'workflows', name));
for (const file of orderedWorkflows()) {
	// Les workflows qui écrivent aux titulaires sont livrés en aperçu ; la démonstration
	// les fait envoyer (réglage « envoyer » de leur nœud « Configuration »), vers MailDev.
	const sends = 'envoyer' in (local.configurationOf(JSON.parse(fs.readFileSync(file, 'utf8'))) ?? {});
	const id = await local.importWorkflow(layout, file, sends ? { configuration: { envoyer: true } } : {});
	const run = await local.executeWorkflow(layout, id, { env: server.env });
	summarize(run, file);
	if (sends) {
		say('  (exécuté avec « envoyer » à true dans « Configuration » : les courriels sont partis vers MailDev ;');
		say('  le workflow reste dans l’instance tel qu’il est livré, en aperçu)');
		await local.importWorkflow(layout, file);
	}
	if (run.status !== 'success' && run.status !== 'waiting') failures++;
}
say('\nRésultats :');
say(`  • fichiers produits par les workflows : ${layout.output}`);
say(`    (dont un classeur du registre en lecture seule par facilitateur : registre-….xlsx)`);
say(`  • registre des clauses (SQLite) : ${path.join(layout.home, '.n8n', 'clauses-sociales.sqlite')}`);
say(`  • courriels : http://127.0.0.1:${WEB_PORT} (MailDev) et ${mailDir} (.eml)`);
say(`  • instance n8n (base SQLite) : ${path.join(layout.home, '.n8n')}`);
say(`  • pour arrêter MailDev : kill $(cat ${path.join(out, 'maildev.pid')})`);
process.exit(failures === 0 ? 0 : 1);
