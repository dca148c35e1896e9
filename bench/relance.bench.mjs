// Banc de la relance mensuelle, mesuré en une seule exécution dans un vrai n8n
// (2.40.7, base SQLite), contre la façon de faire d'un utilisateur avec les
// nœuds de base : Read/Write Files + Extract From File + Code + Send Email.
// Mêmes données (5 000 clauses, 50 000 lignes de relevé, la moitié des
// clauses à relancer), même serveur SMTP local (smtp-server, 127.0.0.1).
// Mesures : durée de l'exécution (données d'exécution de n8n), pic de mémoire
// du processus n8n (/usr/bin/time si présent), et envoi seul par nodemailer en
// connexion groupée. Résultats : bench/RESULTATS-relance.md.
//   scripts/node24.sh npm run bench:relance   (CLAUSES_BENCH_CLAUSES=1000 pour un essai court)
import ExcelJS from 'exceljs';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { fr, siret } from './donnees.mjs';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';

const require = createRequire(import.meta.url);
const local = require('../scripts/lib/n8n-local.cjs');
const here = path.dirname(fileURLToPath(import.meta.url));
const loadStart = os.loadavg()[0].toFixed(1).replace('.', ',');
const CLAUSES = Number(process.env.CLAUSES_BENCH_CLAUSES ?? 5000);
const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10'];
const say = (t) => process.stdout.write(`${t}\n`);


async function generate(file) {
	const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false });
	const reg = wb.addWorksheet('Registre');
	reg.addRow(['N° marché', 'N° lot', 'Intitulé du lot', 'Titulaire', 'SIRET', 'Courriel du titulaire', 'Heures dues', "Début d'exécution", "Fin d'exécution", 'Facilitateur', 'Courriel du facilitateur', 'Acheteur', "Courriel de l'acheteur", 'Statut']).commit();
	for (let i = 0; i < CLAUSES; i++) {
		reg.addRow([`B-${Math.floor(i / 5)}`, String((i % 5) + 1), `Lot ${i}`, `Entreprise ${i}`, siret(i), `titulaire${i}@example.test`, 600, '2026-01-01', '2027-12-31', `Facilitateur ${i % 20}`, `facilitateur${i % 20}@example.test`, 'Service des marchés', 'marches@example.test', 'En cours']).commit();
	}
	reg.commit();
	const rel = wb.addWorksheet('Relevés');
	rel.addRow(['N° marché', 'N° lot', 'Mois', 'Participant', 'Catégorie de public', 'Employeur', 'Modalité', 'Type de contrat', 'Heures du mois']).commit();
	let rows = 0;
	for (let i = 0; i < CLAUSES; i++) {
		// Une clause sur deux n'a pas envoyé le relevé d'octobre 2026.
		const months = i % 2 === 0 ? MONTHS : MONTHS.slice(0, -1);
		for (const m of months) {
			rel.addRow([`B-${Math.floor(i / 5)}`, String((i % 5) + 1), m, `P${i}`, 'Bénéficiaire du RSA', 'Titulaire', 'Embauche directe', 'CDD', 25]).commit();
			rows++;
		}
	}
	rel.commit();
	await wb.commit();
	return rows;
}

function sink() {
	let count = 0;
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS'],
		logger: false,
		onData(stream, _session, callback) {
			stream.on('data', () => undefined);
			stream.on('end', () => {
				count++;
				callback();
			});
		},
	});
	return new Promise((resolve) =>
		server.listen(0, '127.0.0.1', () => resolve({ port: server.server.address().port, count: () => count, reset: () => (count = 0), close: () => new Promise((r) => server.close(r)) })),
	);
}

const HOME = path.join(os.tmpdir(), 'clauses-bench-relance');
const dateReference = '2026-11-02';

function ourWorkflow(mode) {
	return {
		id: mode === 'envoyer' ? 'BenchRelanceNous' : 'BenchRelanceApcu',
		name: `Banc – relance (nœud du paquet, ${mode})`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: 'a', name: 'Lancer', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 'b', name: 'Lire', type: 'n8n-nodes-base.readWriteFile', typeVersion: 1.1, position: [200, 0], parameters: { operation: 'read', fileSelector: '.n8n-files/clauses-sociales/donnees/suivi-bench.xlsx', options: {} } },
			{
				id: 'c',
				name: 'Relance',
				type: 'n8n-nodes-clauses-sociales.clauseReminder',
				typeVersion: 1,
				position: [400, 0],
				parameters: { mode, source: 'classeur', binaryPropertyName: 'data', dateReference, signature: 'Banc', options: { debitParSeconde: 0, joindreModele: true } },
				credentials: { clausesSocialesSmtpApi: { id: 'ClsSmtpClauses01', name: 'SMTP clauses sociales de la Région' } },
			},
		],
		connections: { Lancer: { main: [[{ node: 'Lire', type: 'main', index: 0 }]] }, Lire: { main: [[{ node: 'Relance', type: 'main', index: 0 }]] } },
	};
}

const CODE = `const clauses = $('Extraire le registre').all().map((i) => i.json);
const recus = new Set($input.all().map((i) => i.json['N° marché'] + '|' + i.json['N° lot'] + '|' + i.json['Mois']));
return clauses
  .filter((c) => !recus.has(c['N° marché'] + '|' + c['N° lot'] + '|2026-10'))
  .map((c) => ({ json: {
    to: c['Courriel du titulaire'],
    cc: c['Courriel du facilitateur'],
    subject: "Relevé d'heures d'insertion à transmettre – marché " + c['N° marché'] + ', lot ' + c['N° lot'],
    text: "Madame, Monsieur,\\n\\nNous n'avons pas reçu votre relevé mensuel des heures d'insertion d'octobre 2026.\\n\\nLa mission clauses sociales",
  } }));`;

function stockWorkflow() {
	return {
		id: 'BenchRelanceBase',
		name: 'Banc – relance (nœuds de base)',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: 'a', name: 'Lancer', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 'b', name: 'Lire', type: 'n8n-nodes-base.readWriteFile', typeVersion: 1.1, position: [200, 0], parameters: { operation: 'read', fileSelector: '.n8n-files/clauses-sociales/donnees/suivi-bench.xlsx', options: {} } },
			{ id: 'c', name: 'Extraire le registre', type: 'n8n-nodes-base.extractFromFile', typeVersion: 1.1, position: [400, 0], parameters: { operation: 'xlsx', options: { sheetName: 'Registre' } } },
			{ id: 'd', name: 'Relire', type: 'n8n-nodes-base.readWriteFile', typeVersion: 1.1, position: [600, 0], executeOnce: true, parameters: { operation: 'read', fileSelector: '.n8n-files/clauses-sociales/donnees/suivi-bench.xlsx', options: {} } },
			{ id: 'e', name: 'Extraire les relevés', type: 'n8n-nodes-base.extractFromFile', typeVersion: 1.1, position: [800, 0], parameters: { operation: 'xlsx', options: { sheetName: 'Relevés' } } },
			{ id: 'f', name: 'Calculer les relances', type: 'n8n-nodes-base.code', typeVersion: 2, position: [1000, 0], parameters: { jsCode: CODE } },
			{
				id: 'g',
				name: 'Envoyer',
				type: 'n8n-nodes-base.emailSend',
				typeVersion: 2.1,
				position: [1200, 0],
				parameters: { fromEmail: 'clauses-sociales@example.test', toEmail: '={{ $json.to }}', subject: '={{ $json.subject }}', emailFormat: 'text', text: '={{ $json.text }}', options: { appendAttribution: false, ccEmail: '={{ $json.cc }}' } },
				credentials: { smtp: { id: 'ClsSmtpLocal0001', name: 'SMTP de la Région' } },
			},
		],
		connections: {
			Lancer: { main: [[{ node: 'Lire', type: 'main', index: 0 }]] },
			Lire: { main: [[{ node: 'Extraire le registre', type: 'main', index: 0 }]] },
			'Extraire le registre': { main: [[{ node: 'Relire', type: 'main', index: 0 }]] },
			Relire: { main: [[{ node: 'Extraire les relevés', type: 'main', index: 0 }]] },
			'Extraire les relevés': { main: [[{ node: 'Calculer les relances', type: 'main', index: 0 }]] },
			'Calculer les relances': { main: [[{ node: 'Envoyer', type: 'main', index: 0 }]] },
		},
	};
}

/** `n8n execute` sous /usr/bin/time : durée de l'exécution (données de n8n) et pic de mémoire du processus. */
async function execute(layout, workflowId) {
	const { bin } = local.ensureN8n();
	const timeFile = path.join(HOME, `time-${workflowId}.txt`);
	const outFile = path.join(HOME, `out-${workflowId}.json`);
	const useTime = fs.existsSync('/usr/bin/time');
	const args = useTime ? ['-f', '%M', '-o', timeFile, process.execPath, bin] : [bin];
	const out = fs.openSync(outFile, 'w');
	const env = { ...process.env, HOME: layout.home, N8N_USER_FOLDER: layout.home, N8N_LOG_LEVEL: 'info', N8N_DIAGNOSTICS_ENABLED: 'false' };
	delete env.NODE_ENV;
	const wall = Date.now();
	await new Promise((resolve, reject) => {
		const child = spawn(useTime ? '/usr/bin/time' : process.execPath, [...args, 'execute', `--id=${workflowId}`, '--rawOutput'], { cwd: layout.home, env, stdio: ['ignore', out, 'ignore'] });
		child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`n8n execute ${workflowId} : code ${code} (voir ${outFile})`))));
	});
	fs.closeSync(out);
	const text = fs.readFileSync(outFile, 'utf8');
	const run = JSON.parse(text.slice(text.search(/^\{/m)));
	if (run.data.resultData.error) throw new Error(`${workflowId} : ${run.data.resultData.error.message}`);
	const ms = new Date(run.stoppedAt).getTime() - new Date(run.startedAt).getTime();
	const peakKb = useTime ? Number(fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()) : NaN;
	return { ms, wallMs: Date.now() - wall, peakMb: peakKb / 1024, run };
}

async function pooledNodemailer(port, count, attachment) {
	const transport = nodemailer.createTransport({ pool: true, maxConnections: 1, host: '127.0.0.1', port, secure: false, ignoreTLS: true });
	const start = process.hrtime.bigint();
	await Promise.all(
		Array.from({ length: count }, (_, i) =>
			transport.sendMail({
				from: 'clauses-sociales@example.test',
				to: `titulaire${i}@example.test`,
				cc: `facilitateur${i % 20}@example.test`,
				subject: `Clause sociale : relevé d’heures d’insertion à transmettre – marché B-${i}, lot 1`,
				text: 'Madame, Monsieur,\n\nNous n’avons pas reçu votre relevé mensuel des heures d’insertion d’octobre 2026.',
				html: '<p>Madame, Monsieur,</p><p>Nous n’avons pas reçu votre relevé mensuel des heures d’insertion d’octobre 2026.</p>',
				attachments: [{ filename: 'releve.xlsx', content: attachment }],
			}),
		),
	);
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	transport.close();
	return ms;
}

fs.rmSync(HOME, { recursive: true, force: true });
const layout = local.createHome(HOME);
const data = path.join(layout.data, 'suivi-bench.xlsx');
say(`» Génération : ${CLAUSES} clauses…`);
const rows = await generate(data);
say(`  ${rows} lignes de relevé, ${(fs.statSync(data).size / 1024 / 1024).toFixed(1)} Mio`);
const smtp = await sink();
local.installPackage(layout, local.packPackage(path.join(HOME, 'pack')));
await local.importCredentials(layout, local.localCredentials({ smtpPort: smtp.port }));
for (const wf of [ourWorkflow('apercu'), ourWorkflow('envoyer'), stockWorkflow()]) {
	const file = path.join(HOME, `${wf.id}.json`);
	fs.writeFileSync(file, JSON.stringify(wf));
	await local.importWorkflow(layout, file);
}

say('» Nœud du paquet, aperçu (tout sauf l’envoi)…');
const preview = await execute(layout, 'BenchRelanceApcu');
say('» Nœud du paquet, envoi…');
smtp.reset();
const ours = await execute(layout, 'BenchRelanceNous');
const ourMails = smtp.count();
const summary = ours.run.data.resultData.runData.Relance[0].data.main[1][0].json;
const ourSendMs = summary.envoi.dureeMs;
say('» Nœuds de base (Read + Extract From File + Code + Send Email)…');
smtp.reset();
// CLAUSES_BENCH_SANS_BASE=1 : mise au point, sans la mesure (longue) des nœuds de base.
const stock = process.env.CLAUSES_BENCH_SANS_BASE === '1' ? { ms: NaN, peakMb: NaN } : await execute(layout, 'BenchRelanceBase');
const stockMails = smtp.count();
say('» nodemailer seul, connexion groupée…');
smtp.reset();
const attachment = fs.readFileSync(path.join(here, '..', 'workflows', 'donnees-exemple', 'lots-consultation.xlsx'));
const aloneMs = await pooledNodemailer(smtp.port, ourMails, attachment);
await smtp.close();

const speedup = stock.ms / ours.ms;
const sendRatio = ourSendMs / ourMails / (aloneMs / ourMails);
const lines = [
	`- Données : ${fr(CLAUSES)} clauses, ${fr(rows)} lignes de relevé (classeur de suivi de ${fr(fs.statSync(data).size / 1024 / 1024, 1)} Mio) ; ${fr(ourMails)} relances à envoyer (relevé d’octobre 2026 manquant) ; serveur SMTP local sur 127.0.0.1 ; n8n 2.40.7, base SQLite, une exécution \`n8n execute\` par mesure.`,
	'',
	'| mesure | nœud du paquet | nœuds de base | rapport |',
	'|---|---|---|---|',
	`| durée de l’exécution | ${fr(ours.ms / 1000, 1)} s | ${fr(stock.ms / 1000, 1)} s | **${fr(speedup, 1)} × plus rapide** (cible : 30 ×) |`,
	`| par courriel | ${fr(ours.ms / ourMails, 2)} ms | ${fr(stock.ms / stockMails, 2)} ms | |`,
	`| pic de mémoire du processus n8n | ${fr(ours.peakMb)} Mio | ${fr(stock.peakMb)} Mio | ${ours.peakMb < stock.peakMb ? 'inférieur' : 'SUPÉRIEUR'} (cible : inférieur) |`,
	`| courriels reçus par le serveur | ${fr(ourMails)} (avec modèle de relevé joint) | ${fr(stockMails)} (texte seul) | |`,
	'',
	`- Envoi seul : ${fr(ourSendMs / 1000, 2)} s pour ${fr(ourMails)} courriels dans le nœud (${fr(ourSendMs / ourMails, 2)} ms par courriel, déduplication comprise), contre ${fr(aloneMs / 1000, 2)} s pour nodemailer seul en connexion groupée, mêmes messages et même pièce jointe (${fr(aloneMs / ourMails, 2)} ms par courriel) : **${fr(sendRatio, 2)} ×** (cible : au plus 1,5 ×).`,
	`- Aperçu sans envoi (lecture en flux, décisions, rendu des courriels et des modèles) : ${fr(preview.ms / 1000, 1)} s ; pic ${fr(preview.peakMb)} Mio.`,
	`- Les pics de mémoire incluent n8n lui-même (processus complet, \`/usr/bin/time -f %M\`).`,
];
fs.writeFileSync(path.join(here, 'RESULTATS-relance.md'), [`# Banc : relance mensuelle`, '', `Mesuré sur : ${os.cpus().length} cœur(s) ${os.cpus()[0]?.model ?? ''}, ${Math.round(os.totalmem() / 1024 ** 3)} Gio, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, charge moyenne de la machine au début et à la fin : ${loadStart} et ${os.loadavg()[0].toFixed(1).replace('.', ',')}.`, '', ...lines, ''].join('\n'));
say(lines.join('\n'));
