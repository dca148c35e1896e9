// Banc d'échelle en mode file d'attente (scripts/lib/queue-mode.cjs : instance
// principale, N workers, Redis, PostgreSQL pour n8n et pour le registre,
// données binaires en base), avec 1 puis 2 workers, sur le même travail :
//   - réception : 4 classeurs de suivi de 5 000 clauses chacun (20 000 clauses,
//     300 000 lignes de relevé de janvier à octobre 2026) versés au registre
//     par le workflow livré « import du classeur de suivi », les 4 exécutions
//     lancées ensemble depuis l'instance principale, comme 4 « Lancer
//     maintenant » ; durée de la première mise en file à la dernière fin ;
//   - relance : le workflow livré « relance mensuelle » (envoi, débit 0) sur les
//     20 000 clauses (10 000 relances dues, modèle de relevé joint), une
//     exécution ; serveur SMTP de banc dans son propre processus, sans pause.
// Mémoire : pic de la mémoire résidente de chaque processus (instance principale,
// chaque worker, leurs exécuteurs de tâches) pendant chaque phase, relevé toutes
// les 200 ms.
//   scripts/node24.sh npm run bench:echelle
// Variables (écrites dans le fichier de résultats) : CLAUSES_BENCH_WORKERS
// ("1,2"), CLAUSES_BENCH_CLASSEURS (4), CLAUSES_BENCH_CLAUSES (5000 par
// classeur). Résultats : bench/RESULTATS-echelle.md.
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { fr, siret } from './donnees.mjs';
import { charge, here, loadSentence, local, machine, say, startSink, watchTree } from './outils.mjs';

const require = createRequire(import.meta.url);
const queue = require('../scripts/lib/queue-mode.cjs');
const { Pool } = require('pg');

const WORKERS = (process.env.CLAUSES_BENCH_WORKERS ?? '1,2').split(',').map(Number);
const WORKBOOKS = Number(process.env.CLAUSES_BENCH_CLASSEURS ?? 4);
const CLAUSES = Number(process.env.CLAUSES_BENCH_CLAUSES ?? 5000);
const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10'];
const DATE = '2026-11-02';
const HOME = path.join(os.tmpdir(), `clauses-bench-echelle-${process.pid}`);
const RESULTS = path.join(here, 'RESULTATS-echelle.md');

/**
 * Classeur de suivi n° `w` : `clauses` clauses (marchés E<w>-…), 15 lignes de relevé par clause
 * en moyenne ; une clause sur deux n'a pas envoyé son relevé d'octobre (relance due).
 */
async function generate(file, w, clauses) {
	const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false });
	const reg = wb.addWorksheet('Registre');
	reg.addRow(['N° marché', 'N° lot', 'Intitulé du lot', 'Titulaire', 'SIRET', 'Courriel du titulaire', 'Heures dues', "Début d'exécution", "Fin d'exécution", 'Facilitateur', 'Courriel du facilitateur', 'Acheteur', "Courriel de l'acheteur", 'Statut']).commit();
	const id = (i) => w * clauses + i;
	for (let i = 0; i < clauses; i++) {
		reg.addRow([`E${w}-${Math.floor(i / 5)}`, String((i % 5) + 1), `Lot ${i}`, `Entreprise ${id(i)}`, siret(id(i)), `titulaire${id(i)}@example.test`, 600, '2026-01-01', '2027-12-31', `Facilitateur ${i % 20}`, `facilitateur${i % 20}@example.test`, 'Service des marchés', 'marches@example.test', 'En cours']).commit();
	}
	reg.commit();
	const rel = wb.addWorksheet('Relevés');
	rel.addRow(['N° marché', 'N° lot', 'SIRET', 'Mois', 'Participant', 'Catégorie de public', 'Employeur', 'Modalité', 'Type de contrat', 'Heures du mois']).commit();
	let rows = 0;
	for (let i = 0; i < clauses; i++) {
		// Clauses paires : 10 mois, un second participant les 6 premiers (16 lignes) ; impaires : 9 mois, 5 (14 lignes).
		const months = i % 2 === 0 ? MONTHS : MONTHS.slice(0, -1);
		const second = i % 2 === 0 ? 6 : 5;
		for (const [m, month] of months.entries()) {
			for (let p = 0; p < (m < second ? 2 : 1); p++) {
				rel.addRow([`E${w}-${Math.floor(i / 5)}`, String((i % 5) + 1), siret(id(i)), month, `P${id(i)}-${p}`, 'Bénéficiaire du RSA', 'Titulaire', 'Embauche directe', 'CDD', 25 - p * 10]).commit();
				rows++;
			}
		}
	}
	rel.commit();
	await wb.commit();
	return rows;
}

const shippedFile = (file) => JSON.parse(fs.readFileSync(path.join(here, '..', 'workflows', file), 'utf8'));

function workflows() {
	const imports = Array.from({ length: WORKBOOKS }, (_, w) => {
		const wf = local.withConfiguration(shippedFile('import-classeur-suivi.json'), { classeur: `donnees/echelle-${w}.xlsx` });
		return { ...wf, id: `BancEchImport${String(w).padStart(3, '0')}`, name: `Banc d’échelle – import ${w + 1}` };
	});
	const reminder = local.withConfiguration(shippedFile('relance-mensuelle.json'), { envoyer: true, dateReference: DATE });
	reminder.id = 'BancEchRelance01';
	reminder.name = 'Banc d’échelle – relance';
	const node = reminder.nodes.find((n) => n.type.endsWith('.clauseReminder'));
	node.parameters.options = { ...(node.parameters.options ?? {}), debitParSeconde: 0 };
	return { imports, reminder };
}

/** Exécutions lancées par l'API de l'éditeur, suivies dans la base de n8n (PostgreSQL). */
function client(deployment, session, db) {
	return {
		async run(workflowId) {
			const response = await fetch(new URL(`rest/workflows/${workflowId}/run`, deployment.url), {
				method: 'POST',
				headers: { ...session, 'content-type': 'application/json' },
				body: JSON.stringify({ triggerToStartFrom: { name: 'Lancer maintenant' } }),
			});
			const body = await response.json();
			if (!response.ok || !body.data?.executionId) throw new Error(`Lancement de ${workflowId} refusé (${response.status}) : ${JSON.stringify(body)}`);
			return Number(body.data.executionId);
		},
		async wait(id, timeoutMs = 1_800_000) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const { rows } = await db.query('SELECT status, "startedAt", "stoppedAt" FROM execution_entity WHERE id = $1', [id]);
				const row = rows[0];
				if (row && !['new', 'running', 'waiting'].includes(row.status) && row.stoppedAt) {
					if (row.status !== 'success') throw new Error(`Exécution ${id} : ${row.status}`);
					return { startedAt: row.startedAt.getTime(), stoppedAt: row.stoppedAt.getTime() };
				}
				if (Date.now() > deadline) throw new Error(`Exécution ${id} toujours « ${row?.status} »`);
				await new Promise((r) => setTimeout(r, 250));
			}
		},
	};
}

/** Travailleur (worker-N) qui a exécuté une exécution, d'après son journal. */
function workerOf(deployment, id) {
	const line = new RegExp(`Worker started execution ${id} \\(job`);
	return Object.entries(deployment.processes).find(([role, p]) => role.startsWith('worker-') && line.test(fs.readFileSync(p.log, 'utf8')))?.[0] ?? '?';
}

const loadStart = os.loadavg();
const measuredAt = new Date();
const measures = [];
fs.rmSync(HOME, { recursive: true, force: true });
fs.mkdirSync(HOME, { recursive: true });
say(`» Génération : ${WORKBOOKS} classeurs de ${CLAUSES} clauses…`);
const generated = [];
let lines = 0;
for (let w = 0; w < WORKBOOKS; w++) {
	const file = path.join(HOME, `echelle-${w}.xlsx`);
	lines += await generate(file, w, CLAUSES);
	generated.push(file);
}
say(`  ${fr(WORKBOOKS * CLAUSES)} clauses, ${fr(lines)} lignes de relevé`);
const sink = await startSink(0);
const tarball = local.packPackage(path.join(HOME, 'paquet'));
try {
	for (const workers of WORKERS) {
		const dir = path.join(HOME, `deploiement-${workers}`);
		const { imports, reminder } = workflows();
		say(`» Mode file d'attente : instance principale et ${workers} worker(s)…`);
		const deployment = await queue.startQueueMode({ dir, workers, tarball, smtp: { host: '127.0.0.1', port: sink.port }, workflows: [...imports, reminder], log: () => undefined });
		const db = new Pool({ host: '127.0.0.1', port: deployment.config.ports.postgres, database: 'n8n', user: deployment.config.postgres.user, password: deployment.config.postgres.password });
		try {
			for (const file of generated) fs.copyFileSync(file, path.join(deployment.layout.shared, 'clauses-sociales', 'donnees', path.basename(file)));
			const session = await local.ownerSession(deployment.url);
			const api = client(deployment, session, db);
			const roles = Object.keys(deployment.processes).filter((r) => r === 'main' || r.startsWith('worker-'));
			const watch = () => Object.fromEntries(roles.map((r) => [r, watchTree(deployment.processes[r].pid)]));
			const peaks = (watchers) => Object.fromEntries(Object.entries(watchers).map(([r, w]) => [r, w.stop()]));

			// Réception : les classeurs versés ensemble.
			let load = charge();
			let watchers = watch();
			const t0 = Date.now();
			const ids = await Promise.all(imports.map((wf) => api.run(wf.id)));
			const runs = await Promise.all(ids.map((id) => api.wait(id)));
			const intake = { ms: Math.max(...runs.map((r) => r.stoppedAt)) - t0, each: runs.map((r) => r.stoppedAt - r.startedAt), by: ids.map((id) => workerOf(deployment, id)), memory: peaks(watchers), load: `${load} → ${charge()}` };
			say(`  réception, ${workers} worker(s) : ${fr(intake.ms / 1000, 1)} s (exécutions ${intake.each.map((m) => fr(m / 1000, 1)).join(' ; ')} s, par ${intake.by.join(', ')}) ; charge ${intake.load}`);

			// Relance : une exécution sur les 20 000 clauses.
			await sink.reset();
			load = charge();
			watchers = watch();
			const id = await api.run(reminder.id);
			const run = await api.wait(id);
			const received = (await sink.count()).compte;
			const relance = { ms: run.stoppedAt - run.startedAt, by: workerOf(deployment, id), received, memory: peaks(watchers), load: `${load} → ${charge()}` };
			say(`  relance, ${workers} worker(s) : ${fr(relance.ms / 1000, 1)} s par ${relance.by}, ${fr(received)} courriels reçus ; charge ${relance.load}`);
			measures.push({ workers, intake, relance });
		} finally {
			await db.end().catch(() => undefined);
			await deployment.stop();
		}
	}
} finally {
	await sink.close();
}

const loadEnd = os.loadavg();
const mb = (m) => (m ? `${fr(m.processes.reduce((s, p) => Math.max(s, p.windowPeakMb), 0))}` : '—');
const table = [
	'| workers | réception : 4 classeurs ensemble (mur) | chaque exécution de réception | exécutée par | pic mémoire pendant la réception (Mio) : principale ; workers | relance : exécution | courriels reçus | pic mémoire pendant la relance (Mio) : principale ; workers | charge avant → après |',
	'|---|---|---|---|---|---|---|---|---|',
	...measures.map((m) => {
		const memo = (memory) => `${mb(memory.main)} ; ${Object.keys(memory).filter((r) => r.startsWith('worker-')).map((r) => mb(memory[r])).join(' ; ')}`;
		return `| ${m.workers} | ${fr(m.intake.ms / 1000, 1)} s | ${m.intake.each.map((v) => fr(v / 1000, 1)).join(' ; ')} s | ${m.intake.by.join(', ')} | ${memo(m.intake.memory)} | ${fr(m.relance.ms / 1000, 1)} s (${m.relance.by}) | ${fr(m.relance.received)} | ${memo(m.relance.memory)} | ${m.intake.load} ; ${m.relance.load} |`;
	}),
];
const settings = Object.entries(process.env).filter(([k]) => k.startsWith('CLAUSES_BENCH_')).map(([k, v]) => `${k}=${v}`);
fs.writeFileSync(
	RESULTS,
	`# Banc d'échelle : mode file d'attente avec 1 et 2 workers

Mesuré sur : ${machine()}, ${measuredAt.toISOString().slice(0, 16).replace('T', ' ')} UTC ; ${loadSentence(loadStart, loadEnd)}. Commande : \`${settings.length ? `${settings.join(' ')} ` : ''}scripts/node24.sh npm run bench:echelle\`${settings.length ? '' : ' (réglages par défaut)'}.

- Déploiement : \`scripts/lib/queue-mode.cjs\` (celui de \`scripts/file-attente.sh\`), instance principale et N workers (concurrence par défaut de n8n : 10 exécutions par worker), Redis, PostgreSQL (réglages par défaut, fsync compris) pour n8n et pour le registre, données binaires en base. Les exécutions sont lancées depuis l'instance principale par l'API de l'éditeur, comme « Lancer maintenant », et exécutées par les workers.
- **Réception** : ${WORKBOOKS} classeurs de suivi de ${fr(CLAUSES)} clauses (${fr(WORKBOOKS * CLAUSES)} clauses, ${fr(lines)} lignes de relevé de janvier à octobre 2026), chacun versé au registre par le workflow livré \`workflows/import-classeur-suivi.json\` (réglage changé : \`classeur\`), les ${WORKBOOKS} exécutions lancées ensemble. Durée : de la première mise en file à la dernière fin d'exécution.
- **Relance** : le workflow livré \`workflows/relance-mensuelle.json\` (réglages changés : \`envoyer\` à true, \`dateReference\` à ${DATE}, option « Débit maximal » à 0), une exécution sur les ${fr(WORKBOOKS * CLAUSES)} clauses ; une sur deux n'a pas envoyé son relevé d'octobre : ${fr((WORKBOOKS * CLAUSES) / 2)} relances dues, chacune avec son modèle de relevé joint, plus une synthèse par facilitateur. Serveur SMTP de banc dans son propre processus, sans pause d'accueil.
- Mémoire : pic de la mémoire résidente de chaque processus n8n et de son exécuteur de tâches pendant la phase mesurée (réception, puis relance), le plus grand des deux, relevé toutes les 200 ms : les processus vivent d'une phase à l'autre, leur pic depuis le démarrage (VmHWM) mêlerait les phases.

${table.join('\n')}
`,
);
say(`Résultats : ${RESULTS}`);
fs.rmSync(HOME, { recursive: true, force: true });
