// Banc de la relance mensuelle sur le registre des clauses, dans un vrai n8n
// (2.40.7, `n8n execute`), sur les deux bases du registre (SQLite par défaut,
// PostgreSQL par l'identifiant « Registre des clauses »), contre :
//   - la façon de faire avec les nœuds de base (Read/Write Files + Extract From
//     File + Code + Send Email) sur le classeur de suivi des mêmes clauses ;
//   - la limite en Node seul (bench/relance-limite.mjs) : lecture du registre,
//     décisions et rendu du paquet, puis nodemailer seul en connexion groupée,
//     chaque courriel rendu au moment de son envoi (limite de la durée et de la
//     mémoire) ; et « nodemailer seul » : la même, tous les courriels préparés
//     d'avance, dont la phase d'envoi est la limite de celle du paquet.
// Le serveur SMTP tourne toujours dans son propre processus (bench/puits-smtp.mjs),
// avec la pause d'accueil de 100 ms de smtp-server, puis sans pause.
// Mesures alternées (A B C D A B C D…), médiane et écart, charge moyenne de la
// machine à côté de chaque chiffre, pic de mémoire de chaque processus de n8n
// (exécuteur de tâches compris), taille de l'exécution enregistrée par n8n.
// Résultats : bench/RESULTATS-relance.md (ou RESULTATS-relance-<N>.md pour une
// autre taille que 5 000 clauses).
//   scripts/node24.sh npm run bench:relance
// Variables (toutes écrites dans le fichier de résultats) :
//   CLAUSES_BENCH_CLAUSES (5000), CLAUSES_BENCH_TOURS (3 : mesures des bras rapides par serveur SMTP),
//   CLAUSES_BENCH_TOURS_BASE (1 : mesures des nœuds de base par serveur SMTP, chacune de plusieurs minutes),
//   CLAUSES_BENCH_TOURS_DEBIT (1 : mesures au débit livré, par base), CLAUSES_BENCH_PAUSES ("100,0"),
//   CLAUSES_BENCH_PETIT (500 : taille d'un second jeu pour la croissance de la mémoire par clause, plus petit ou plus grand que CLAUSES_BENCH_CLAUSES ; 0 : sans),
//   CLAUSES_BENCH_BASES ("sqlite,postgres"), CLAUSES_BENCH_BASES_DEBIT (bases mesurées au débit livré ; par défaut les mêmes), CLAUSES_BENCH_SANS_BASE=1 (sans les nœuds de base ; mise au point).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { fr } from './donnees.mjs';
import { writeReminderWorkbook } from './suivi-relance.mjs';
import { charge, loadSentence, executeN8n, here, local, machine, median, nodeTimes, pgQuery, runWatched, say, spread, startPostgres, startSink } from './outils.mjs';

const CLAUSES = Number(process.env.CLAUSES_BENCH_CLAUSES ?? 5000);
const TOURS = Number(process.env.CLAUSES_BENCH_TOURS ?? 3);
const TOURS_BASE = process.env.CLAUSES_BENCH_SANS_BASE === '1' ? 0 : Number(process.env.CLAUSES_BENCH_TOURS_BASE ?? 1);
const TOURS_DEBIT = Number(process.env.CLAUSES_BENCH_TOURS_DEBIT ?? 1);
const PAUSES = (process.env.CLAUSES_BENCH_PAUSES ?? '100,0').split(',').map(Number);
const PETIT = Number(process.env.CLAUSES_BENCH_PETIT ?? 500);
const BASES = (process.env.CLAUSES_BENCH_BASES ?? 'sqlite,postgres').split(',');
const BASES_DEBIT = (process.env.CLAUSES_BENCH_BASES_DEBIT ?? BASES.join(',')).split(',');
const DATE = '2026-11-02';
const HOME = path.join(os.tmpdir(), `clauses-bench-relance-${process.pid}`);
const REG_CRED = { id: 'ClsRegistreBanc1', name: 'Registre des clauses (banc PostgreSQL)' };
let loadStart = os.loadavg();
let loadEnd;
let measuredAt;

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

function stockWorkflow(fileName) {
	const file = `.n8n-files/clauses-sociales/donnees/${fileName}`;
	return {
		id: 'BancRelanceBase1',
		name: 'Banc – relance (nœuds de base)',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: 'a', name: 'Lancer', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 'b', name: 'Lire', type: 'n8n-nodes-base.readWriteFile', typeVersion: 1.1, position: [200, 0], parameters: { operation: 'read', fileSelector: file, options: {} } },
			{ id: 'c', name: 'Extraire le registre', type: 'n8n-nodes-base.extractFromFile', typeVersion: 1.1, position: [400, 0], parameters: { operation: 'xlsx', options: { sheetName: 'Registre' } } },
			{ id: 'd', name: 'Relire', type: 'n8n-nodes-base.readWriteFile', typeVersion: 1.1, position: [600, 0], executeOnce: true, parameters: { operation: 'read', fileSelector: file, options: {} } },
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

const REGISTER_TYPES = ['n8n-nodes-clauses-sociales.clauseReminder', 'n8n-nodes-clauses-sociales.clauseRegister'];

/** Un workflow livré, tel qu'un utilisateur le règle : « Configuration », identifiant du registre (PostgreSQL), débit. */
function shipped(file, { id, name, configuration, base, debit }) {
	const wf = local.withConfiguration(JSON.parse(fs.readFileSync(path.join(here, '..', 'workflows', file), 'utf8')), configuration);
	wf.id = id;
	wf.name = name;
	for (const node of wf.nodes) {
		if (base === 'postgres' && REGISTER_TYPES.includes(node.type)) node.credentials = { ...(node.credentials ?? {}), clausesRegistreApi: REG_CRED };
		if (debit !== undefined && node.type === 'n8n-nodes-clauses-sociales.clauseReminder') node.parameters.options = { ...node.parameters.options, debitParSeconde: debit };
	}
	return wf;
}

/** Importe des workflows en une seule commande n8n (chaque commande démarre n8n : plusieurs secondes). */
async function importAll(layout, workflows) {
	const dir = fs.mkdtempSync(path.join(layout.home, 'workflows-'));
	for (const wf of workflows) fs.writeFileSync(path.join(dir, `${wf.id}.json`), JSON.stringify(wf));
	const { stdout } = await local.n8n(layout, ['import:workflow', '--separate', `--input=${dir}`], { env: { N8N_LOG_LEVEL: 'info' } });
	if (!/Successfully imported/.test(stdout)) throw new Error(`Import des workflows non confirmé par n8n :\n${stdout.slice(-2000)}`);
	fs.rmSync(dir, { recursive: true, force: true });
}

// --- Préparation ---------------------------------------------------------
// CLAUSES_BENCH_RENDU=<fichier JSON> : réécrit seulement le fichier de résultats à partir des mesures
// enregistrées (mesures.json, écrit après chaque mesure ; utile après une exécution interrompue).
if (process.env.CLAUSES_BENCH_RENDU) {
	const saved = JSON.parse(fs.readFileSync(process.env.CLAUSES_BENCH_RENDU, 'utf8'));
	({ loadStart, loadEnd, measuredAt } = saved);
	writeResults(saved.data, saved.results);
	process.exit(0);
}
fs.rmSync(HOME, { recursive: true, force: true });
const layout = local.createHome(HOME);
const sqliteFile = path.join(HOME, '.n8n', 'clauses-sociales.sqlite');
say(`» PostgreSQL privé (réglages par défaut, fsync compris)…`);
const pg = await startPostgres();
// Arrêt demandé (SIGTERM, Ctrl-C) : le serveur PostgreSQL privé est arrêté aussi.
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => {
	pg.stop();
	process.exit(1);
});
const sinks = [];
try {
	for (const p of PAUSES) sinks.push(await startSink(p));
	local.installPackage(layout, local.packPackage(path.join(HOME, 'pack')));
	await local.importCredentials(layout, [
		...local.localCredentials({ smtpPort: sinks[0].port }),
		{ ...REG_CRED, type: 'clausesRegistreApi', data: { base: 'postgres', host: pg.host, port: pg.port, database: 'banc', user: pg.user, password: pg.password, schema: 'clauses_sociales', ssl: 'desactive' } },
	]);

	const sizes = PETIT > 0 && PETIT !== CLAUSES ? [PETIT, CLAUSES] : [CLAUSES];
	const importId = (n, base) => `BancImp${base === 'sqlite' ? 'Sql' : 'Pgs'}${String(n).padStart(6, '0')}`;
	// Workflows du paquet : relance livrée (envoi, date de référence fixée), par base, au débit livré et à 0.
	const ids = {};
	const workflows = [stockWorkflow(`suivi-banc-${CLAUSES}.xlsx`)];
	for (const base of BASES) {
		for (const n of sizes) workflows.push(shipped('import-classeur-suivi.json', { id: importId(n, base), name: `Banc – import (${base}, ${n})`, configuration: { classeur: `donnees/suivi-banc-${n}.xlsx` }, base }));
		for (const debit of [undefined, 0]) {
			const id = `BancRel${base === 'sqlite' ? 'Sql' : 'Pgs'}${debit === 0 ? 'Deb0' : 'Livr'}`;
			ids[`${base}-${debit === 0 ? 0 : 'livre'}`] = id;
			workflows.push(shipped('relance-mensuelle.json', { id, name: `Banc – relance livrée (${base}, débit ${debit === 0 ? '0' : 'livré'})`, configuration: { envoyer: true, dateReference: DATE }, base, debit }));
		}
	}
	await importAll(layout, workflows);
	const data = {};
	for (const n of sizes) {
		const fileName = `suivi-banc-${n}.xlsx`;
		const file = path.join(layout.data, fileName);
		say(`» Génération : ${n} clauses…`);
		const rows = await writeReminderWorkbook(file, n);
		data[n] = { fileName, rows, sizeMb: fs.statSync(file).size / 1048576 };
		say(`  ${rows} lignes de relevé, ${fr(data[n].sizeMb, 1)} Mio`);
		// Registre de chaque base rempli par le workflow livré d'import du classeur de suivi, puis gardé comme modèle.
		for (const base of BASES) {
			// CLAUSES_BENCH_MODELE_SQLITE : registre SQLite déjà rempli par ce même import (exécution précédente), repris tel quel.
			if (base === 'sqlite' && process.env.CLAUSES_BENCH_MODELE_SQLITE && n === CLAUSES) {
				fs.copyFileSync(process.env.CLAUSES_BENCH_MODELE_SQLITE, path.join(HOME, `modele-${n}.sqlite`));
				data[n][base] = { importMs: Number(process.env.CLAUSES_BENCH_MODELE_IMPORT_MS ?? NaN) };
				continue;
			}
			if (base === 'postgres') {
				await pgQuery(pg, 'DROP DATABASE IF EXISTS banc WITH (FORCE)');
				await pgQuery(pg, 'CREATE DATABASE banc');
			} else for (const f of [sqliteFile, `${sqliteFile}-wal`, `${sqliteFile}-shm`]) fs.rmSync(f, { force: true });
			const imp = await executeN8n(layout, importId(n, base));
			const summary = imp.run.data.resultData.runData['Importer le classeur de suivi'][0].data.main[0][0].json;
			data[n][base] = { importMs: imp.ms, importNodeMs: nodeTimes(imp.run)['Importer le classeur de suivi'], compte: summary.compte ?? summary };
			say(`  import au registre ${base} : ${fr(imp.ms / 1000, 1)} s (${JSON.stringify(summary.compte ?? summary).slice(0, 300)})`);
			if (base === 'postgres') await pgQuery(pg, `DROP DATABASE IF EXISTS modele_${n} WITH (FORCE); `).catch(() => undefined);
			if (base === 'postgres') await pgQuery(pg, `CREATE DATABASE modele_${n} TEMPLATE banc`);
			else fs.copyFileSync(sqliteFile, path.join(HOME, `modele-${n}.sqlite`));
		}
	}

	/** Registre remis à l'état du modèle (aucun envoi consigné) avant chaque exécution du paquet. */
	async function resetRegister(base, n) {
		if (base === 'postgres') {
			await pgQuery(pg, 'DROP DATABASE IF EXISTS banc WITH (FORCE)');
			await pgQuery(pg, `CREATE DATABASE banc TEMPLATE modele_${n}`);
		} else {
			for (const f of [sqliteFile, `${sqliteFile}-wal`, `${sqliteFile}-shm`]) fs.rmSync(f, { force: true });
			fs.copyFileSync(path.join(HOME, `modele-${n}.sqlite`), sqliteFile);
		}
	}

	// L'identifiant SMTP des workflows pointe vers le serveur de la mesure : réimporté à chaque changement de serveur.
	let currentSink = sinks[0];
	async function useSink(sink) {
		if (currentSink === sink) return;
		await local.importCredentials(layout, local.localCredentials({ smtpPort: sink.port }));
		currentSink = sink;
	}

	const registre = (base) =>
		JSON.stringify(base === 'sqlite' ? { base: 'sqlite', fichier: sqliteFile } : { base: 'postgres', host: pg.host, port: pg.port, database: 'banc', user: pg.user, password: pg.password, schema: 'clauses_sociales', ssl: 'desactive' });

	const results = [];
	async function measure(arm, { base, sink, n = CLAUSES, debit }) {
		await useSink(sink);
		await sink.reset();
		const before = charge();
		let r;
		if (arm === 'limite' || arm === 'nodemailer') {
			await resetRegister(base, n);
			const w = await runWatched(process.execPath, [path.join(here, 'relance-limite.mjs'), `--registre=${registre(base)}`, `--port=${sink.port}`, `--date=${DATE}`, `--preparer=${arm === 'nodemailer' ? 'avance' : 'volee'}`], {
				env: process.env,
				cwd: HOME,
				outFile: path.join(HOME, 'limite.out'),
			});
			if (w.code !== 0) throw new Error(`${arm} : code ${w.code}\n${w.stderr}`);
			const out = JSON.parse(w.stdout.trim().split('\n').pop());
			if (out.echecs > 0) throw new Error(`${arm} : ${out.echecs} échecs (${out.premierEchec})`);
			r = { ms: out.totalMs, wallMs: w.wallMs, sendMs: out.sendMs, prepMs: out.prepMs, mails: out.mails, memory: w.memory, modeleKo: out.modeleMoyenKo };
		} else if (arm === 'base') {
			const e = await executeN8n(layout, 'BancRelanceBase1');
			r = { ms: e.ms, wallMs: e.wallMs, memory: e.memory, savedBytes: e.savedBytes, mails: e.run.data.resultData.runData.Envoyer[0].data.main[0].length };
		} else {
			await resetRegister(base, n);
			const e = await executeN8n(layout, ids[`${base}-${debit === 0 ? 0 : 'livre'}`]);
			const rd = e.run.data.resultData.runData['Relance mensuelle'][0].data.main;
			const statuts = {};
			for (const item of rd[0]) statuts[item.json.envoi.statut] = (statuts[item.json.envoi.statut] ?? 0) + 1;
			const summary = rd[1][0]?.json;
			r = { ms: e.ms, wallMs: e.wallMs, memory: e.memory, savedBytes: e.savedBytes, sendMs: summary?.envoi?.dureeMs, mails: statuts['envoyé'] ?? 0, statuts, nodeMs: nodeTimes(e.run)['Relance mensuelle'], syntheses: rd[1].length };
		}
		const received = (await sink.count()).compte;
		const row = { arm, base, pause: sink.pauseMs, n, debit, ...r, received, loadBefore: before, loadAfter: charge() };
		results.push(row);
		fs.writeFileSync(path.join(HOME, 'mesures.json'), JSON.stringify({ loadStart, loadEnd: os.loadavg(), measuredAt: new Date().toISOString(), data, results }));
		say(
			`  ${arm}${base ? ` ${base}` : ''}${debit === 0 ? ' débit 0' : arm === 'paquet' ? ' débit livré' : ''}, pause ${sink.pauseMs} ms, ${n} clauses : ${fr(r.ms / 1000, 2)} s (mur ${fr(r.wallMs / 1000, 2)} s${r.sendMs !== undefined ? `, envoi ${fr(r.sendMs / 1000, 2)} s` : ''}), ${r.mails} courriels (${received} reçus), mémoire ${r.memory.processes.map((p) => `${p.cmd} ${fr(p.peakMb)}`).join(' + ')} Mio${r.savedBytes ? `, exécution enregistrée ${fr(r.savedBytes / 1048576, 1)} Mio` : ''} ; charge ${before} → ${charge()}`,
		);
		return row;
	}

	// --- Mesures alternées ------------------------------------------------
	// Serveur sans pause d'accueil (comme un relais réel) d'abord, suivi des mesures au débit livré ;
	// résultats réécrits après chaque étape (une mesure interrompue garde les précédentes).
	const quick = sinks.find((s) => s.pauseMs === 0) ?? sinks[0];
	for (const sink of [quick, ...sinks.filter((s) => s !== quick)]) {
		say(`» Serveur SMTP avec pause d'accueil de ${sink.pauseMs} ms : ${TOURS} tours alternés (nœuds de base : ${Math.min(TOURS_BASE, TOURS)})…`);
		for (let t = 0; t < Math.max(TOURS, TOURS_BASE); t++) {
			if (t < TOURS) {
				for (const base of BASES) {
					await measure('limite', { base, sink });
					await measure('nodemailer', { base, sink });
					await measure('paquet', { base, sink, debit: 0 });
				}
			}
			if (t < TOURS_BASE) await measure('base', { sink });
			writeResults(data, results);
		}
		if (sink === quick && TOURS_DEBIT > 0) {
			say(`» Débit livré (option « Débit maximal » par défaut), serveur sans pause d'accueil…`);
			for (let t = 0; t < TOURS_DEBIT; t++) for (const base of BASES_DEBIT) await measure('paquet', { base, sink: quick });
			writeResults(data, results);
		}
	}
	if (sizes.length > 1) {
		say(`» ${PETIT} clauses (croissance de la mémoire par clause)…`);
		for (const base of BASES) {
			await measure('paquet', { base, sink: quick, n: PETIT, debit: 0 });
			await measure('limite', { base, sink: quick, n: PETIT });
		}
	}
	fs.writeFileSync(path.join(HOME, 'resultats.json'), JSON.stringify({ data, results }, null, 1));
	writeResults(data, results);
} finally {
	for (const s of sinks) await s.close().catch(() => undefined);
	pg.stop();
}

function writeResults(data, results) {
	const pick = (f) => results.filter((r) => Object.entries(f).every(([k, v]) => r[k] === v));
	const ms = (rows, key = 'ms') => rows.map((r) => r[key]);
	const mb = (rows) => rows.map((r) => r.memory.sumPeakMb);
	const loads = (rows) => (rows.length ? `${rows.map((r) => r.loadBefore).join(' ; ')}` : '—');
	const memo = (rows) => spread(mb(rows), (v) => fr(v), ' Mio');
	const procs = (rows) => {
		if (!rows.length) return '—';
		const byCmd = new Map();
		for (const r of rows) for (const p of r.memory.processes) byCmd.set(p.cmd, [...(byCmd.get(p.cmd) ?? []), p.peakMb]);
		return [...byCmd].map(([c, v]) => `${c} : ${fr(Math.max(...v))}`).join(' ; ');
	};
	const lines = [];
	const d = data[CLAUSES];
	lines.push(
		'# Banc : relance mensuelle sur le registre des clauses',
		'',
		`Mesuré sur : ${machine()}, ${(measuredAt ?? new Date().toISOString()).slice(0, 16).replace('T', ' ')} UTC ; ${loadSentence(loadStart, loadEnd ?? os.loadavg())}. Commande : \`${['CLAUSES_BENCH_CLAUSES', 'CLAUSES_BENCH_TOURS', 'CLAUSES_BENCH_TOURS_BASE', 'CLAUSES_BENCH_TOURS_DEBIT', 'CLAUSES_BENCH_PAUSES', 'CLAUSES_BENCH_PETIT', 'CLAUSES_BENCH_BASES', 'CLAUSES_BENCH_BASES_DEBIT', 'CLAUSES_BENCH_MODELE_SQLITE', 'CLAUSES_BENCH_SANS_BASE'].filter((k) => process.env[k] !== undefined).map((k) => `${k}=${process.env[k]} `).join('')}scripts/node24.sh npm run bench:relance\`.`,
		'',
		`- Données : ${fr(CLAUSES)} clauses en cours, ${fr(d.rows)} lignes de relevé de janvier à octobre 2026 (classeur de suivi de ${fr(d.sizeMb, 1)} Mio) ; une clause sur deux n'a pas envoyé son relevé d'octobre : ${pick({ arm: 'limite', n: CLAUSES })[0] ? fr(pick({ arm: 'limite', n: CLAUSES })[0].mails) : fr(CLAUSES / 2)} relances, chacune avec son modèle de relevé prérempli joint${pick({ arm: 'limite', n: CLAUSES })[0]?.modeleKo ? ` (${fr(pick({ arm: 'limite', n: CLAUSES })[0].modeleKo, 1)} Kio)` : ''}. Date de référence ${DATE}.`,
		`- Registre : rempli avant les mesures par le workflow livré « import du classeur de suivi » (${BASES.map((b) => `${b} : ${d[b] ? `${fr(d[b].importMs / 1000, 1)} s` : 'non terminé'}`).join(' ; ')}), puis remis dans cet état (copie du fichier SQLite, base PostgreSQL recréée depuis un modèle) avant chaque mesure : aucune relance n'y est consignée au départ.`,
		'- **Paquet** : le workflow livré `workflows/relance-mensuelle.json` tel quel, sauf ces réglages : dans « Configuration », `envoyer` à true et `dateReference` à ' + DATE + ' ; pour PostgreSQL, l\'identifiant « Registre des clauses » choisi dans le nœud « Relance mensuelle » (base `banc`, schéma `clauses_sociales`, sans TLS) ; « débit 0 » : option « Débit maximal » à 0 (sans limite) au lieu du défaut de 10 courriels par seconde. Bail des réservations, délais SMTP, tas de Node : par défaut. Le workflow enregistre aussi son journal et envoie la synthèse à chaque facilitateur (nœud Send Email de n8n), comptés dans la durée.',
		'- **Nœuds de base** : Read/Write Files + Extract From File (feuilles Registre puis Relevés) + Code + Send Email, sur le classeur de suivi des mêmes clauses, courriel en texte seul sans pièce jointe (ces nœuds ne savent pas produire le modèle prérempli).',
		'- **Limite en Node seul** (`bench/relance-limite.mjs`, un processus Node sans n8n) : lecture du registre, décisions, rendu des courriels et des modèles par les fonctions du paquet (`dist/nodes/lib.js`), puis envoi par nodemailer seul, connexion groupée (`pool`, une connexion, TCP_NODELAY), mêmes courriels et mêmes pièces jointes, sans réservation au registre ; chaque courriel est rendu au moment de son envoi (32 au plus à la fois, comme le paquet) puis libéré : c\'est la limite de la durée et de la mémoire. **Nodemailer seul** : la même, tous les courriels préparés d\'avance, puis envoyés ; son « envoi » (nodemailer seul sur des courriels déjà préparés) est la limite de la phase d\'envoi du paquet, mais pas de sa mémoire (elle garde tous les courriels).',
		'- Serveur SMTP : `bench/puits-smtp.mjs` (smtp-server), toujours dans son propre processus ; « pause 100 ms » : smtp-server tel quel, qui attend 100 ms avant de saluer chaque connexion ; « pause 0 » : accueil immédiat, comme un relais réel. Recherche DNS inverse désactivée dans les deux cas.',
		'- Durées : « exécution » = ce que n8n enregistre (startedAt à stoppedAt) ; pour la limite, du début du travail à la fin des envois, chargement des modules exclu. « Mur » = du lancement du processus à sa fin (démarrage de n8n compris). Mémoire : pic de la somme des mémoires résidentes de l\'arbre de processus (n8n et son exécuteur de tâches), relevée toutes les 200 ms ; pic propre de chaque processus (VmHWM) en dessous. Médiane (min. à max.) des mesures alternées ; une mesure seule est signalée.',
		...(process.env.CLAUSES_BENCH_RENDU ? ['', `- **Exécution interrompue** : ce fichier est réécrit à partir des mesures enregistrées jusqu’à l’interruption (\`CLAUSES_BENCH_RENDU\`)${process.env.CLAUSES_BENCH_RAISON ? ` ; ${process.env.CLAUSES_BENCH_RAISON}` : ''} ; seuls les bras ayant une mesure ci-dessous ont été mesurés, les autres cases portent « — ».`] : []),
		...(results.some((r) => r.memory.approx) ? ['- Mémoire relevée dans le journal du banc : somme des pics propres de chaque processus (majorant de la somme instantanée, que le journal ne garde pas).'] : []),
		'',
	);
	for (const pause of PAUSES) {
		lines.push(`## Serveur SMTP avec pause d'accueil de ${pause} ms (débit 0 pour le paquet)`, '');
		lines.push('| bras | base | n | exécution | mur | envoi | mémoire (pic de l\'arbre) | exécution enregistrée | charge avant chaque mesure |', '|---|---|---|---|---|---|---|---|---|');
		const row = (label, rows, base = '') =>
			`| ${label} | ${base} | ${rows.length} | ${spread(ms(rows))} | ${spread(ms(rows, 'wallMs'))} | ${rows[0]?.sendMs !== undefined ? spread(ms(rows, 'sendMs')) : '—'} | ${memo(rows)} | ${rows[0]?.savedBytes ? `${fr(median(ms(rows, 'savedBytes')) / 1048576, 1)} Mio` : '—'} | ${loads(rows)} |`;
		for (const base of BASES) {
			lines.push(row('paquet, débit 0', pick({ arm: 'paquet', base, pause, debit: 0, n: CLAUSES }), base));
			lines.push(row('limite en Node seul', pick({ arm: 'limite', base, pause, n: CLAUSES }), base));
			lines.push(row('nodemailer seul (préparés d’avance)', pick({ arm: 'nodemailer', base, pause, n: CLAUSES }), base));
		}
		lines.push(row('nœuds de base', pick({ arm: 'base', pause })));
		lines.push('');
		const stock = pick({ arm: 'base', pause });
		for (const base of BASES) {
			const p = pick({ arm: 'paquet', base, pause, debit: 0, n: CLAUSES });
			const l = pick({ arm: 'limite', base, pause, n: CLAUSES });
			// Envoi : contre nodemailer seul sur des courriels déjà préparés (la limite, qui rend à la volée, à défaut).
			const nm = pick({ arm: 'nodemailer', base, pause, n: CLAUSES });
			const sendRef = nm.length ? nm : l;
			if (!p.length || !l.length) continue;
			const ratio = (a, b) => fr(median(a) / median(b), 2);
			const per = (a, b) => a.map((x, i) => (b[i] !== undefined ? fr(x / b[i], 2) : '')).filter(Boolean).join(' ; ');
			const goal = (v, max) => (v <= max ? 'atteint' : `**manqué** de ${fr((v / max - 1) * 100)} %`);
			const run = median(ms(p)) / median(ms(l));
			const wall = median(ms(p, 'wallMs')) / median(ms(l, 'wallMs'));
			const send = median(ms(p, 'sendMs')) / median(ms(sendRef, 'sendMs'));
			lines.push(`- **${base}** : exécution ${ratio(ms(p), ms(l))} × la limite (par tour : ${per(ms(p), ms(l))} ; cible ≤ 1,5 × : ${goal(run, 1.5)}) ; mur ${fr(wall, 2)} × (par tour : ${per(ms(p, 'wallMs'), ms(l, 'wallMs'))} ; cible ≤ 2 × : ${goal(wall, 2)}) ; envoi ${fr(send, 2)} × nodemailer seul (par tour : ${per(ms(p, 'sendMs'), ms(sendRef, 'sendMs'))} ; cible ≤ 1,2 × : ${goal(send, 1.2)}).`);
			if (stock.length) {
				const x = median(ms(stock)) / median(ms(p));
				lines.push(`  Contre les nœuds de base : **${fr(x, 1)} ×** plus rapide (exécution, médianes ; cible ≥ 30 × : ${x >= 30 ? 'atteint' : `**manqué** (${fr(x / 30 * 100)} % de la cible)`}) ; de bout en bout (mur) ${fr(median(ms(stock, 'wallMs')) / median(ms(p, 'wallMs')), 1)} × ; mémoire ${fr(median(mb(p)))} contre ${fr(median(mb(stock)))} Mio (${median(mb(p)) < median(mb(stock)) ? 'inférieure : atteint' : '**supérieure : manqué**'}).`);
				// Plafond de ce rapport sur ce serveur : ce que la même relance atteint sans n8n ni registre.
				const ceiling = median(ms(stock)) / median(ms(l));
				const ceilingNm = nm.length ? median(ms(stock)) / median(ms(nm)) : undefined;
				lines.push(`  Plafond sur ce serveur : la limite en Node seul est ${fr(ceiling, 1)} × plus rapide que les nœuds de base${ceilingNm ? `, nodemailer seul sur des courriels préparés d’avance ${fr(ceilingNm, 1)} ×` : ''}${ceiling < 30 ? ' : la cible de 30 × y dépasse ce que la même relance atteint sans n8n ni registre, sur une connexion SMTP' : ''}.`);
			}
		}
		lines.push('');
	}
	const livre = results.filter((r) => r.arm === 'paquet' && r.debit === undefined);
	if (livre.length) {
		const quickPause = livre[0].pause;
		lines.push(`## Au débit livré (10 courriels par seconde par défaut), serveur avec pause d'accueil de ${quickPause} ms`, '');
		lines.push('| base | n | exécution | mur | envoi | mémoire | charge avant chaque mesure |', '|---|---|---|---|---|---|---|');
		for (const base of BASES_DEBIT) {
			const rows = livre.filter((r) => r.base === base);
			lines.push(`| ${base} | ${rows.length} | ${spread(ms(rows))} | ${spread(ms(rows, 'wallMs'))} | ${spread(ms(rows, 'sendMs'))} | ${memo(rows)} | ${loads(rows)} |`);
		}
		const stock = pick({ arm: 'base', pause: quickPause });
		if (stock.length) {
			for (const base of BASES_DEBIT) {
				const rows = livre.filter((r) => r.base === base);
				lines.push(`- ${base} : ${fr(median(ms(stock)) / median(ms(rows)), 2)} × plus rapide que les nœuds de base sur le même serveur (cible 30 × : ${median(ms(stock)) / median(ms(rows)) >= 30 ? 'atteinte' : '**manquée**'}) : au débit livré, la durée est celle du débit (${fr(rows[0]?.mails ?? 0)} courriels à 10 par seconde = ${fr((rows[0]?.mails ?? 0) / 10)} s au moins), pas celle du paquet.`);
			}
		}
		lines.push('');
	}
	const small = results.filter((r) => r.n === PETIT && PETIT !== CLAUSES);
	if (small.length) {
		// Les deux tailles dans l'ordre croissant, quel que soit le côté du second jeu.
		const ordered = (atPetit, atClauses) => (PETIT < CLAUSES ? `${atPetit} puis ${atClauses}` : `${atClauses} puis ${atPetit}`);
		lines.push(`## Croissance de la mémoire (${ordered(fr(PETIT), fr(CLAUSES))} clauses, débit 0, pause ${small[0].pause} ms)`, '');
		for (const base of BASES) {
			const a = small.find((r) => r.arm === 'paquet' && r.base === base);
			const b = pick({ arm: 'paquet', base, pause: small[0].pause, debit: 0, n: CLAUSES });
			if (!a || !b.length) continue;
			const grow = ((median(mb(b)) - a.memory.sumPeakMb) * 1024) / (CLAUSES - PETIT);
			const la = small.find((r) => r.arm === 'limite' && r.base === base);
			const lb = pick({ arm: 'limite', base, pause: small[0].pause, n: CLAUSES });
			const lgrow = la && lb.length ? ((median(mb(lb)) - la.memory.sumPeakMb) * 1024) / (CLAUSES - PETIT) : NaN;
			lines.push(`- ${base} : paquet ${ordered(fr(a.memory.sumPeakMb), fr(median(mb(b))))} Mio : **${fr(grow, 1)} Kio par clause** (cible ≤ 10 Kio : ${grow <= 10 ? 'atteint' : '**manqué**'}) ; limite en Node seul ${ordered(la ? fr(la.memory.sumPeakMb) : '—', lb.length ? fr(median(mb(lb))) : '—')} Mio (${fr(lgrow, 1)} Kio par clause). Exécution enregistrée : ${ordered(a.savedBytes ? fr(a.savedBytes / 1024) : '—', b[0]?.savedBytes ? fr(median(ms(b, 'savedBytes')) / 1024) : '—')} Kio.`);
		}
		lines.push('');
	}
	lines.push('## Pics de mémoire par processus (maximum sur les mesures, Mio)', '');
	for (const [label, f] of [['paquet, débit 0', { arm: 'paquet', debit: 0, n: CLAUSES }], ['nœuds de base', { arm: 'base' }], ['limite en Node seul', { arm: 'limite', n: CLAUSES }], ['nodemailer seul', { arm: 'nodemailer', n: CLAUSES }]]) lines.push(`- ${label} : ${procs(pick(f))}`);
	lines.push('');
	lines.push('## Mesures brutes', '', '| bras | base | pause | débit | clauses | exécution (s) | mur (s) | envoi (s) | courriels envoyés / reçus par le serveur | mémoire (Mio) | charge avant → après |', '|---|---|---|---|---|---|---|---|---|---|---|');
	for (const r of results) {
		lines.push(`| ${r.arm} | ${r.base ?? ''} | ${r.pause} | ${r.arm === 'paquet' ? (r.debit === 0 ? '0' : 'livré') : ''} | ${fr(r.n)} | ${fr(r.ms / 1000, 2)} | ${fr(r.wallMs / 1000, 2)} | ${r.sendMs !== undefined ? fr(r.sendMs / 1000, 2) : ''} | ${fr(r.mails)} / ${fr(r.received)}${r.statuts ? ` (${Object.entries(r.statuts).map(([k, v]) => `${k} ${v}`).join(', ')}${r.syntheses ? ` ; ${r.syntheses} synthèses` : ''})` : ''} | ${fr(r.memory.sumPeakMb)} | ${r.loadBefore} → ${r.loadAfter} |`);
	}
	lines.push('');
	const name = CLAUSES === 5000 ? 'RESULTATS-relance.md' : `RESULTATS-relance-${CLAUSES}.md`;
	fs.writeFileSync(path.join(here, name), lines.join('\n'));
	say(lines.join('\n'));
}
