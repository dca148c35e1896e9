// Banc de la réception des relevés et du bilan sur le registre des clauses,
// dans un vrai n8n (2.40.7, `n8n execute`), sur les deux bases du registre
// (SQLite par défaut, PostgreSQL par l'identifiant « Registre des clauses ») :
//   - réception : le workflow livré « import du classeur de suivi » verse un
//     classeur de suivi de 5 000 clauses et N lignes de relevé de 2026 dans un
//     registre vide (lecture en flux, contrôle de chaque ligne, écriture de
//     chaque relevé avec son historique, dans une transaction) ;
//   - bilan : le workflow livré « bilan annuel » lit le registre (dernière
//     version de chaque relevé) et produit le classeur et le PDF des élus ;
// contre le plancher du même travail : la lecture en flux d'exceljs seul du
// même classeur (WorkbookReader, chaque cellule parcourue) PLUS l'écriture des
// mêmes lignes par la base seule, de sa façon la plus rapide
// (bench/plancher-base.mjs). Chaque mesure dans son propre processus ; mesures
// alternées, médiane et écart, charge moyenne à côté de chaque chiffre, pic de
// mémoire de chaque processus (n8n et son exécuteur de tâches compris), à trois
// tailles pour montrer que la mémoire ne croît pas avec le nombre de lignes.
//   scripts/node24.sh npm run bench:releves
// Variables (écrites dans le fichier de résultats) : CLAUSES_BENCH_TAILLES
// ("75000,150000,300000"), CLAUSES_BENCH_TOURS (3 : mesures à la plus grande
// taille ; 1 aux autres), CLAUSES_BENCH_CLAUSES (5000), CLAUSES_BENCH_BASES
// ("sqlite,postgres"), CLAUSES_BENCH_RECEPTION_SEULE (1 : le workflow d'import
// s'arrête au nœud d'import, sans le compte rendu ni l'export par facilitateur,
// dont la mémoire compterait sinon dans celle de la réception).
// Résultats : bench/RESULTATS-releves-bilan.md.
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { fr, siret } from './donnees.mjs';
import { charge, loadSentence, executeN8n, here, local, machine, median, nodeTimes, pgQuery, runWatched, say, spread, startPostgres, startSink } from './outils.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split(/=(.*)/s).slice(0, 2)));
const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12'];
const CATEGORIES = ['Bénéficiaire du RSA', 'Demandeur d’emploi de longue durée (plus de 12 mois)', 'Jeune de moins de 26 ans peu qualifié', 'Travailleur handicapé (RQTH)'];

/** Registre de `clauses` clauses et `lines` lignes de relevé sur 2026 (5 participants par clause et par mois en moyenne). */
async function generate(file, clauses, lines) {
	const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false });
	const reg = wb.addWorksheet('Registre');
	reg.addRow(['N° marché', 'N° lot', 'Titulaire', 'SIRET', 'Courriel du titulaire', 'Heures dues', "Début d'exécution", "Fin d'exécution", 'Facilitateur', 'Courriel du facilitateur', 'Acheteur', "Courriel de l'acheteur", 'Statut', 'Nature']).commit();
	for (let i = 0; i < clauses; i++) {
		reg.addRow([`M-${Math.floor(i / 5)}`, String((i % 5) + 1), `Entreprise ${Math.floor(i / 3)}`, siret(Math.floor(i / 3)), `titulaire${i}@example.test`, 1200, '2026-01-01', '2027-12-31', `Facilitateur ${i % 20}`, `facilitateur${i % 20}@example.test`, 'Service des marchés', 'marches@example.test', 'En cours', i % 4 === 0 ? 'Services' : 'Travaux']).commit();
	}
	reg.commit();
	// Tous les marchés en exécution : ceux du registre et autant de moitié sans clause.
	const list = wb.addWorksheet('Marchés');
	list.addRow(['N° marché', 'Nature', 'Service acheteur', 'Territoire', "Début d'exécution", "Fin d'exécution"]).commit();
	for (let m = 0; m < Math.ceil(clauses / 5) * 1.5; m++) list.addRow([`M-${m}`, m % 4 === 0 ? 'Services' : 'Travaux', `Service ${m % 7}`, String(16 + (m % 4)), '2026-01-01', '2027-12-31']).commit();
	list.commit();
	const rel = wb.addWorksheet('Relevés');
	rel.addRow(['N° marché', 'N° lot', 'SIRET', 'Mois', 'Participant', 'Catégorie de public', 'Éligibilité validée', 'Employeur', 'Modalité', 'Type de contrat', 'Poste', 'Heures du mois', 'Heures de formation', 'Sexe', 'Tranche d’âge', 'Résident QPV']).commit();
	const perMonth = Math.max(1, Math.round(lines / clauses / MONTHS.length));
	let written = 0;
	for (let m = 0; m < MONTHS.length && written < lines; m++) {
		for (let i = 0; i < clauses && written < lines; i++) {
			for (let p = 0; p < perMonth && written < lines; p++) {
				rel.addRow([`M-${Math.floor(i / 5)}`, String((i % 5) + 1), siret(Math.floor(i / 3)), MONTHS[m], `P-${Math.floor(i / 3)}-${p}`, CATEGORIES[(i + p) % 4], 'oui', 'Titulaire', 'Embauche directe', 'CDD', 'Ouvrier polyvalent', 20 + (p % 5), p === 0 ? 7 : 0, (i + p) % 3 === 0 ? 'Femme' : 'Homme', ['Moins de 26 ans', 'De 26 à 49 ans', '50 ans et plus'][(i + p) % 3], (i + p) % 4 === 0 ? 'oui' : 'non']).commit();
				written++;
			}
		}
	}
	rel.commit();
	await wb.commit();
	return written;
}

/** Lecture en flux par exceljs seul (processus à part) : chaque cellule parcourue. */
async function exceljsOnly(file) {
	const start = process.hrtime.bigint();
	const reader = new ExcelJS.stream.xlsx.WorkbookReader(fs.createReadStream(file), { sharedStrings: 'cache', styles: 'ignore', hyperlinks: 'ignore', worksheets: 'emit', entries: 'emit' });
	let cells = 0;
	for await (const ws of reader) for await (const row of ws) for (const v of row.values) if (v !== undefined) cells++;
	process.stdout.write(`${JSON.stringify({ ms: Number(process.hrtime.bigint() - start) / 1e6, cellules: cells })}\n`);
}

if (args.mode === 'exceljs') {
	await exceljsOnly(args.file);
	process.exit(0);
}

const SIZES = (process.env.CLAUSES_BENCH_TAILLES ?? '75000,150000,300000').split(',').map(Number);
const LARGEST = Math.max(...SIZES);
const TOURS = Number(process.env.CLAUSES_BENCH_TOURS ?? 3);
const CLAUSES = Number(process.env.CLAUSES_BENCH_CLAUSES ?? 5000);
const BASES = (process.env.CLAUSES_BENCH_BASES ?? 'sqlite,postgres').split(',');
const HOME = path.join(os.tmpdir(), `clauses-bench-releves-${process.pid}`);
const REG_CRED = { id: 'ClsRegistreBanc2', name: 'Registre des clauses (banc PostgreSQL)' };
const REGISTER_TYPES = ['n8n-nodes-clauses-sociales.clauseBilan', 'n8n-nodes-clauses-sociales.clauseRegister'];
let loadStart = os.loadavg();
const results = [];
const sizes = {};
let loadEnd;
let measuredAt;

const RECEPTION_ONLY = process.env.CLAUSES_BENCH_RECEPTION_SEULE === '1';

/** Le workflow sans les nœuds qui suivent `name` (pour mesurer la mémoire de ce nœud sans celle des suivants). */
function upTo(wf, name) {
	const after = new Set();
	const walk = (from) => {
		for (const outputs of wf.connections[from]?.main ?? []) for (const link of outputs ?? []) if (!after.has(link.node)) after.add(link.node) && walk(link.node);
	};
	walk(name);
	wf.nodes = wf.nodes.filter((n) => !after.has(n.name));
	for (const from of [name, ...after]) delete wf.connections[from];
	return wf;
}

/** Un workflow livré, réglé comme un utilisateur le règle : « Configuration », identifiant du registre (PostgreSQL). */
function shipped(file, { id, name, configuration, base }) {
	const wf = local.withConfiguration(JSON.parse(fs.readFileSync(path.join(here, '..', 'workflows', file), 'utf8')), configuration);
	if (RECEPTION_ONLY && file === 'import-classeur-suivi.json') upTo(wf, 'Importer le classeur de suivi');
	wf.id = id;
	wf.name = name;
	for (const node of wf.nodes) if (base === 'postgres' && REGISTER_TYPES.includes(node.type)) node.credentials = { ...(node.credentials ?? {}), clausesRegistreApi: REG_CRED };
	return wf;
}

// CLAUSES_BENCH_RENDU=<fichier JSON> : réécrit seulement le fichier de résultats à partir des mesures
// enregistrées (mesures.json, écrit après chaque mesure ; utile après une exécution interrompue).
if (process.env.CLAUSES_BENCH_RENDU) {
	const saved = JSON.parse(fs.readFileSync(process.env.CLAUSES_BENCH_RENDU, 'utf8'));
	({ loadStart, loadEnd, measuredAt } = saved);
	results.push(...saved.results);
	Object.assign(sizes, saved.sizes);
	writeResults();
	process.exit(0);
}
fs.rmSync(HOME, { recursive: true, force: true });
const layout = local.createHome(HOME);
const sqliteFile = path.join(HOME, '.n8n', 'clauses-sociales.sqlite');
say('» PostgreSQL privé (réglages par défaut, fsync compris)…');
const pg = await startPostgres();
// Arrêt demandé (SIGTERM, Ctrl-C) : le serveur PostgreSQL privé est arrêté aussi.
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => {
	pg.stop();
	process.exit(1);
});
const sink = await startSink(0);
try {
	local.installPackage(layout, local.packPackage(path.join(HOME, 'pack')));
	await local.importCredentials(layout, [
		...local.localCredentials({ smtpPort: sink.port }),
		{ ...REG_CRED, type: 'clausesRegistreApi', data: { base: 'postgres', host: pg.host, port: pg.port, database: 'banc', user: pg.user, password: pg.password, schema: 'clauses_sociales', ssl: 'desactive' } },
	]);
	const id = (kind, base, n) => `Banc${kind}${base === 'sqlite' ? 'Sql' : 'Pgs'}${String(n).padStart(6, '0')}`;
	const dir = fs.mkdtempSync(path.join(HOME, 'workflows-'));
	for (const n of SIZES) {
		for (const base of BASES) {
			for (const wf of [
				shipped('import-classeur-suivi.json', { id: id('Imp', base, n), name: `Banc – import (${base}, ${n})`, configuration: { classeur: `donnees/suivi-${n}.xlsx` }, base }),
				shipped('bilan-annuel.json', { id: id('Bil', base, n), name: `Banc – bilan (${base}, ${n})`, configuration: { debut: '2026-01', fin: '2026-12' }, base }),
			])
				fs.writeFileSync(path.join(dir, `${wf.id}.json`), JSON.stringify(wf));
		}
	}
	const { stdout } = await local.n8n(layout, ['import:workflow', '--separate', `--input=${dir}`], { env: { N8N_LOG_LEVEL: 'info' } });
	if (!/Successfully imported/.test(stdout)) throw new Error(`Import des workflows non confirmé :\n${stdout.slice(-2000)}`);

	const pgConn = (database) => JSON.stringify({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database });
	async function freshRegister(base) {
		if (base === 'postgres') {
			await pgQuery(pg, 'DROP DATABASE IF EXISTS banc WITH (FORCE)');
			await pgQuery(pg, 'CREATE DATABASE banc');
		} else for (const f of [sqliteFile, `${sqliteFile}-wal`, `${sqliteFile}-shm`]) fs.rmSync(f, { force: true });
	}
	async function measure(arm, n, base) {
		const before = charge();
		const file = path.join(layout.data, `suivi-${n}.xlsx`);
		let r;
		if (arm === 'exceljs' || arm === 'plancher') {
			const argv = arm === 'exceljs' ? [path.join(here, 'releves-bilan.bench.mjs'), '--mode=exceljs', `--file=${file}`] : [path.join(here, 'plancher-base.mjs'), `--base=${base}`, `--lignes=${n}`, `--clauses=${CLAUSES}`, ...(base === 'postgres' ? [`--pg=${pgConn('banc')}`] : [])];
			if (arm === 'plancher' && base === 'postgres') await freshRegister('postgres');
			const w = await runWatched(process.execPath, argv, { env: process.env, cwd: HOME, outFile: path.join(HOME, `${arm}.out`) });
			if (w.code !== 0) throw new Error(`${arm} : code ${w.code}\n${w.stderr}`);
			const out = JSON.parse(w.stdout.trim().split('\n').pop());
			r = { ms: out.ms, wallMs: w.wallMs, memory: w.memory, detail: out };
		} else if (arm === 'reception') {
			await freshRegister(base);
			const e = await executeN8n(layout, id('Imp', base, n));
			const summary = e.run.data.resultData.runData['Importer le classeur de suivi'][0].data.main[0][0].json;
			r = { ms: nodeTimes(e.run)['Importer le classeur de suivi'], workflowMs: e.ms, wallMs: e.wallMs, memory: e.memory, savedBytes: e.savedBytes, detail: { lignes: summary.lignes, clauses: summary.clauses, refus: summary.refus?.length ?? summary.refusees } };
		} else {
			const e = await executeN8n(layout, id('Bil', base, n));
			const out = e.run.data.resultData.runData['Bilan des clauses sociales'][0].data.main[0][0].json;
			r = { ms: nodeTimes(e.run)['Bilan des clauses sociales'], workflowMs: e.ms, wallMs: e.wallMs, memory: e.memory, savedBytes: e.savedBytes, detail: { heures: out.heuresRealiseesPeriode, personnes: out.personnes, lots: out.lotsAvecClause, anomalies: out.lignesEnAnomalie } };
		}
		const row = { arm, n, base, ...r, loadBefore: before, loadAfter: charge() };
		results.push(row);
		fs.writeFileSync(path.join(HOME, 'mesures.json'), JSON.stringify({ loadStart, loadEnd: os.loadavg(), measuredAt: new Date().toISOString(), sizes, results }));
		say(`  ${arm}${base ? ` ${base}` : ''}, ${n} lignes : ${fr(r.ms / 1000, 2)} s${r.workflowMs ? ` (workflow ${fr(r.workflowMs / 1000, 2)} s)` : ''}, mur ${fr(r.wallMs / 1000, 2)} s, mémoire ${r.memory.processes.map((p) => `${p.cmd} ${fr(p.peakMb)}`).join(' + ')} Mio ; ${JSON.stringify(r.detail)} ; charge ${before} → ${charge()}`);
	}

	// La plus grande taille d'abord (ses tours alternés), puis les autres ; résultats réécrits après chaque taille.
	for (const n of [...SIZES].sort((a, b) => b - a)) {
		const file = path.join(layout.data, `suivi-${n}.xlsx`);
		say(`» Génération : ${CLAUSES} clauses, ${n} lignes…`);
		const written = await generate(file, CLAUSES, n);
		sizes[n] = { written, sizeMb: fs.statSync(file).size / 1048576 };
		const rounds = n === LARGEST ? TOURS : 1;
		for (let t = 0; t < rounds; t++) {
			await measure('exceljs', n);
			for (const base of BASES) {
				await measure('plancher', n, base);
				await measure('reception', n, base);
				await measure('bilan', n, base);
			}
		}
		fs.rmSync(file, { force: true });
		writeResults();
	}
	fs.writeFileSync(path.join(HOME, 'resultats.json'), JSON.stringify({ sizes, results }, null, 1));
	writeResults();
} finally {
	await sink.close().catch(() => undefined);
	pg.stop();
}

function writeResults() {
	const pick = (f) => results.filter((r) => Object.entries(f).every(([k, v]) => r[k] === v));
	const ms = (rows, key = 'ms') => rows.map((r) => r[key]);
	const mb = (rows) => rows.map((r) => r.memory.sumPeakMb);
	const loads = (rows) => rows.map((r) => r.loadBefore).join(' ; ');
	const lines = [
		'# Banc : réception des relevés et bilan sur le registre des clauses',
		'',
		`Mesuré sur : ${machine()}, ${(measuredAt ?? new Date().toISOString()).slice(0, 16).replace('T', ' ')} UTC ; ${loadSentence(loadStart, loadEnd ?? os.loadavg())}. Commande : \`${['CLAUSES_BENCH_TAILLES', 'CLAUSES_BENCH_TOURS', 'CLAUSES_BENCH_CLAUSES', 'CLAUSES_BENCH_BASES', 'CLAUSES_BENCH_RECEPTION_SEULE'].filter((k) => process.env[k] !== undefined).map((k) => `${k}=${process.env[k]} `).join('')}scripts/node24.sh npm run bench:releves\`.`,
		'',
		`- Classeur de suivi : ${fr(CLAUSES)} clauses (feuille « Registre »), ${fr(Math.ceil(CLAUSES / 5) * 1.5)} marchés (feuille « Marchés »), lignes de relevé de 2026 (feuille « Relevés », 16 colonnes : participant, catégorie de public, sexe, tranche d’âge, résidence en QPV…).`,
		'- **Réception** : le nœud « Importer le classeur de suivi » du workflow livré `workflows/import-classeur-suivi.json` (réglage changé : `classeur` de « Configuration » ; PostgreSQL : identifiant « Registre des clauses » choisi dans ses nœuds du registre), dans un registre vide à chaque mesure : lecture en flux, contrôle de chaque ligne, un relevé versionné par clause et par mois avec son historique, le tout dans une transaction. ' +
			(RECEPTION_ONLY
				? 'Workflow arrêté au nœud d’import (`CLAUSES_BENCH_RECEPTION_SEULE=1`) : ni compte rendu ni export, la mémoire est celle de l’import seul.'
				: 'Le reste du workflow (compte rendu, export d’un classeur par facilitateur) est compté dans « workflow » et dans la mémoire, pas dans la durée comparée.'),
		'- **Bilan** : le nœud « Bilan des clauses sociales » du workflow livré `workflows/bilan-annuel.json` (réglages changés : `debut` 2026-01, `fin` 2026-12 ; PostgreSQL : identifiant du registre), sur le registre que la réception vient de remplir : lecture des relevés en vigueur, agrégation, classeur du bilan et PDF des élus.',
		'- **Plancher** : exceljs seul lisant le même classeur en flux (`WorkbookReader`, chaque cellule parcourue, processus à part) PLUS l’écriture des mêmes lignes par la base seule (`bench/plancher-base.mjs`, processus à part, table de même forme que celle du registre avec sa clé et son index) : SQLite par `node:sqlite`, une transaction, un INSERT préparé, WAL et synchronous=FULL comme le registre ; PostgreSQL par `pg`, une transaction, INSERT … SELECT FROM unnest(tableaux) par paquets de 5 000 lignes (serveur privé démarré par `scripts/lib/postgres.cjs`, réglages par défaut, fsync compris). Cible : réception et bilan au plus 2 × ce plancher ; mémoire qui ne croît pas avec le nombre de lignes.',
		...(process.env.CLAUSES_BENCH_RENDU ? [`- **Exécution interrompue** : ce fichier est réécrit à partir des mesures enregistrées jusqu’à l’interruption (\`CLAUSES_BENCH_RENDU\`)${process.env.CLAUSES_BENCH_RAISON ? ` ; ${process.env.CLAUSES_BENCH_RAISON}` : ''} ; seules les mesures du tableau des mesures brutes ont été faites.`] : []),
		...(results.some((r) => r.memory.approx) ? ['- Mémoire relevée dans le journal du banc : somme des pics propres de chaque processus (majorant de la somme instantanée, que le journal ne garde pas).'] : []),
		'- Durées des nœuds : temps d’exécution du nœud enregistré par n8n ; mémoire : pic de la somme des mémoires résidentes de l’arbre de processus, relevée toutes les 200 ms. Médiane (min. à max.) des mesures alternées ; une mesure seule est signalée.',
		'',
		'| lignes | base | exceljs seul | plancher de la base | réception (nœud) | bilan (nœud) | réception ÷ plancher | (réception + bilan) ÷ plancher | mémoire : réception ; bilan ; exceljs | charge avant chaque mesure |',
		'|---|---|---|---|---|---|---|---|---|---|',
	];
	const goals = [];
	for (const n of [...SIZES].sort((a, b) => a - b)) {
		const ex = pick({ arm: 'exceljs', n });
		for (const base of BASES) {
			const fl = pick({ arm: 'plancher', n, base });
			const rc = pick({ arm: 'reception', n, base });
			const bi = pick({ arm: 'bilan', n, base });
			if (!rc.length && !fl.length) continue;
			const x = (v) => (Number.isFinite(v) ? `**${fr(v, 2)} ×**` : '—');
			const floor = median(ms(ex)) + median(ms(fl));
			const r1 = median(ms(rc)) / floor;
			const r2 = (median(ms(rc)) + median(ms(bi))) / floor;
			const perRound = rc.map((r, i) => fr((r.ms + (bi[i]?.ms ?? NaN)) / ((ex[i]?.ms ?? NaN) + (fl[i]?.ms ?? NaN)), 2)).join(' ; ');
			lines.push(`| ${fr(n)} | ${base} | ${spread(ms(ex))} | ${spread(ms(fl))} | ${spread(ms(rc))} | ${spread(ms(bi))} | ${x(r1)} | ${x(r2)}${Number.isFinite(r2) ? ` (par tour : ${perRound})` : ''} | ${[rc, bi, ex].map((rows) => (rows.length ? fr(median(mb(rows))) : '—')).join(' ; ')} Mio | ${loads([...ex, ...fl, ...rc, ...bi])} |`);
			if (n === LARGEST && Number.isFinite(r2)) goals.push(`- ${fr(n)} lignes, ${base} : réception ${fr(r1, 2)} × le plancher, réception et bilan ${fr(r2, 2)} × (cible ≤ 2 × : ${r2 <= 2 ? 'atteinte' : `**manquée** de ${fr((r2 / 2 - 1) * 100)} %`}).`);
		}
	}
	lines.push('', ...goals);
	const sorted = [...SIZES].sort((a, b) => a - b);
	if (sorted.length > 1) {
		for (const base of BASES) {
			for (const arm of ['reception', 'bilan']) {
				const peaks = sorted.map((n) => median(mb(pick({ arm, n, base }))));
				if (peaks.some((v) => !Number.isFinite(v))) continue;
				const grow = ((peaks[peaks.length - 1] - peaks[0]) * 1024) / (sorted[sorted.length - 1] - sorted[0]);
				lines.push(`- Mémoire, ${arm === 'reception' ? 'réception' : 'bilan'}, ${base} : ${sorted.map((n, i) => `${fr(peaks[i])} Mio à ${fr(n)} lignes`).join(', ')} (${fr(grow, 2)} Kio par ligne de plus).`);
			}
		}
	}
	const last = pick({ arm: 'reception', n: LARGEST })[0];
	const lastBilan = pick({ arm: 'bilan', n: LARGEST })[0];
	if (last) lines.push(`- Réception de ${fr(LARGEST)} lignes : ${JSON.stringify(last.detail)} ; exécution enregistrée par n8n ${fr(last.savedBytes / 1024)} Kio ; workflow entier ${fr(last.workflowMs / 1000, 1)} s.`);
	if (lastBilan) lines.push(`- Bilan : ${fr(lastBilan.detail.heures ?? NaN)} h, ${fr(lastBilan.detail.personnes ?? NaN)} personnes, ${fr(lastBilan.detail.lots ?? NaN)} lots ; exécution enregistrée ${fr(lastBilan.savedBytes / 1024)} Kio ; workflow entier ${fr(lastBilan.workflowMs / 1000, 1)} s.`);
	lines.push('', '## Pics de mémoire par processus (maximum sur les mesures, Mio)', '');
	for (const arm of ['reception', 'bilan', 'exceljs', 'plancher']) {
		const byCmd = new Map();
		for (const r of pick({ arm })) for (const p of r.memory.processes) byCmd.set(`${p.cmd} (${fr(r.n)} lignes)`, Math.max(byCmd.get(`${p.cmd} (${fr(r.n)} lignes)`) ?? 0, p.peakMb));
		lines.push(`- ${arm} : ${[...byCmd].map(([c, v]) => `${c} ${fr(v)}`).join(' ; ')}`);
	}
	lines.push('', '## Mesures brutes', '', '| mesure | base | lignes | durée (s) | workflow (s) | mur (s) | mémoire (Mio) | charge avant → après |', '|---|---|---|---|---|---|---|---|');
	for (const r of results) lines.push(`| ${r.arm} | ${r.base ?? ''} | ${fr(r.n)} | ${fr(r.ms / 1000, 2)} | ${r.workflowMs ? fr(r.workflowMs / 1000, 2) : ''} | ${fr(r.wallMs / 1000, 2)} | ${fr(r.memory.sumPeakMb)} | ${r.loadBefore} → ${r.loadAfter} |`);
	lines.push('');
	fs.writeFileSync(path.join(here, 'RESULTATS-releves-bilan.md'), lines.join('\n'));
	say(lines.join('\n'));
}
