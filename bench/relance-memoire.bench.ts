/**
 * Mesure ciblée de la mémoire de la relance mensuelle (avant/après un
 * changement), plus courte que le banc complet (bench/relance.bench.mjs) :
 * le nœud « Relance mensuelle » seul dans le moteur de n8n (mode envoi, registre
 * SQLite par défaut, débit 0, modèle de relevé joint), et la limite en Node
 * seul (bench/relance-limite.mjs), chacun dans son propre processus, sur les
 * mêmes données que le banc complet (une clause sur deux sans son relevé
 * d'octobre). Le serveur SMTP tourne dans son propre processus (bench/puits-smtp.mjs,
 * sans pause d'accueil).
 *
 * Bras « avant » : une copie de l'ancien dist/ (--avant=DOSSIER, par exemple
 * /tmp/dist-avant), chargée par le même moteur ; « limite-avant » : l'ancien
 * bench/relance-limite.mjs (--limite-avant=FICHIER), sur l'ancien dist/ ;
 * « limite » : la limite actuelle (courriels rendus à la volée) ; « limite-avance » :
 * la même, tous les courriels préparés d'avance (--preparer=avance).
 * Mesures alternées (tous les bras, pour chaque taille, à chaque tour), charge
 * moyenne sur 1 min relevée avant chaque mesure. Pic de mémoire : ru_maxrss du
 * processus mesuré (relevé par /usr/bin/time, sans échantillonnage).
 *   node bench/run.mjs relance-memoire --clauses=500,5000 --tours=2 --avant=/tmp/dist-avant --limite-avant=/tmp/relance-limite-avant.mjs
 *   [--bras=avant,apres,limite-avant,limite,limite-avance] (par défaut : ceux dont on a les fichiers)
 *   [--vivante=1] [--mode=apercu] [--joindre=0] (mise au point : pics par part de la mémoire, aperçu, sans modèle joint)
 *   [--profil=DOSSIER] (profil processeur de chaque mesure, `node --cpu-prof`, dans ce dossier)
 * Rend une ligne JSON par mesure, puis la croissance par clause de chaque bras (médianes).
 */
import { fork, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { PACKAGE_ROOT, binaryItem, defaultRegisterPath, resetRegister, runNode } from '../test/helpers/engine';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { writeReminderWorkbook } = require('./suivi-relance.mjs') as { writeReminderWorkbook: (file: string, clauses: number) => Promise<number> };

const args: Record<string, string> = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split(/=(.*)/s).slice(0, 2)));
const DATE = '2026-11-02';

/** Processus fils : remplit le registre par défaut depuis le classeur (opération « Importer le classeur de suivi »). */
async function importWorkbook(file: string): Promise<void> {
	resetRegister();
	const result = await runNode({ type: 'clauseRegister', parameters: { operation: 'importerClasseur' } }, [binaryItem(fs.readFileSync(file), path.basename(file))]);
	const error = result.error();
	if (error) throw error;
}

/** Processus fils : la relance mesurée, sur le registre par défaut déjà rempli. */
async function measureNode(port: number): Promise<void> {
	global.gc?.();
	const before = process.memoryUsage().rss;
	// --vivante=1 : pics de la mémoire vivante (tas et tampons juste après un ramassage complet forcé toutes les 250 ms,
	// ce qui ralentit la mesure) et de chaque part de la mémoire (tas réservé, tampons) ; la durée n'est alors plus comparable.
	const peaks = { vivanteMio: 0, tasReserveMio: 0, tasUtiliseMio: 0, tamponsMio: 0 };
	const sampler = args.vivante
		? setInterval(() => {
				const raw = process.memoryUsage();
				peaks.tasReserveMio = Math.max(peaks.tasReserveMio, raw.heapTotal / 1048576);
				peaks.tasUtiliseMio = Math.max(peaks.tasUtiliseMio, raw.heapUsed / 1048576);
				peaks.tamponsMio = Math.max(peaks.tamponsMio, raw.external / 1048576);
				global.gc?.();
				const live = process.memoryUsage();
				peaks.vivanteMio = Math.max(peaks.vivanteMio, (live.heapUsed + live.external) / 1048576);
			}, 250)
		: undefined;
	const started = process.hrtime.bigint();
	const result = await runNode(
		{ type: 'clauseReminder', parameters: { mode: args.mode ?? 'envoyer', source: 'registre', dateReference: DATE, signature: 'La mission clauses sociales', options: { debitParSeconde: 0, joindreModele: args.joindre !== '0' } }, credentials: { clausesSocialesSmtpApi: { id: 'smtp', name: 'SMTP' } } },
		[{ json: {} }],
		{ credentials: { clausesSocialesSmtpApi: { host: '127.0.0.1', port, securite: 'aucune', expediteurNom: 'Mission clauses sociales', expediteurEmail: 'clauses-sociales@region-val-argent.example.test' } } },
	);
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	clearInterval(sampler);
	const error = result.error();
	if (error) throw error;
	const statuts: Record<string, number> = {};
	for (const item of result.items) {
		const statut = String((item.json.envoi as { statut?: string } | undefined)?.statut);
		statuts[statut] = (statuts[statut] ?? 0) + 1;
	}
	const summary = result.output('Nœud testé', 1)[0]?.json as { envoi?: { dureeMs?: number } } | undefined;
	// Mémoire vivante à la fin, sorties du nœud encore gardées (comme n8n les garde jusqu'à la fin de l'exécution).
	// Deux ramassages séparés par un tour de boucle : les objets libérés par les finaliseurs du premier (connexions fermées…) partent au second.
	global.gc?.();
	await new Promise((resolve) => setImmediate(resolve));
	global.gc?.();
	const m = process.memoryUsage();
	process.stdout.write(`${JSON.stringify({ ms, sendMs: summary?.envoi?.dureeMs, statuts, avantMio: before / 1048576, vivanteFinMio: (m.heapUsed + m.external) / 1048576, elements: result.items.length, ...(sampler ? peaks : {}) })}\n`);
}

interface Sink {
	port: number;
	ask: (message: string) => Promise<{ compte: number }>;
	close: () => void;
}

async function startSink(): Promise<Sink> {
	// Banc, hors du paquet : le serveur SMTP de banc dans son propre processus.
	// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions
	const child = fork(path.join(PACKAGE_ROOT, 'bench', 'puits-smtp.mjs'), ['0'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	const port = await new Promise<number>((resolve, reject) => {
		child.once('message', (m: { port: number }) => resolve(m.port));
		child.once('exit', (c) => reject(new Error(`serveur SMTP de banc arrêté (code ${c})`)));
	});
	const ask = (message: string) =>
		new Promise<{ compte: number }>((resolve) => {
			child.once('message', (m: { compte: number }) => resolve(m));
			child.send(message);
		});
	return { port, ask, close: () => child.send('fin') };
}

/** Lance `node args…` sous /usr/bin/time : sortie standard, et pic de mémoire résidente (ru_maxrss, Mio). */
function timed(nodeArgs: string[], cwd: string): { stdout: string; peakMb: number } {
	// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions
	const run = spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, ...nodeArgs], { cwd, env: process.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
	const peak = /maxrss=(\d+)/.exec(run.stderr ?? '');
	if (run.status !== 0 || !peak) throw new Error(`${nodeArgs.join(' ')} : code ${run.status}\n${run.stderr.slice(-3000)}`);
	return { stdout: run.stdout, peakMb: Number(peak[1]) / 1024 };
}

const median = (values: number[]) => {
	const s = [...values].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
	if (args.importer) return importWorkbook(args.importer);
	if (args.mesure) return measureNode(Number(args.port));
	const sizes = (args.clauses ?? '500,5000').split(',').map(Number);
	const tours = Number(args.tours ?? 2);
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-relance-memoire-'));
	// Racine « avant » : l'ancien dist/, ce même banc construit et l'ancienne limite ; node_modules partagé.
	const before = path.join(work, 'avant');
	if (args.avant) {
		fs.mkdirSync(path.join(before, 'bench', '.out'), { recursive: true });
		fs.copyFileSync(path.join(PACKAGE_ROOT, 'package.json'), path.join(before, 'package.json'));
		fs.cpSync(args.avant, path.join(before, 'dist'), { recursive: true });
		fs.symlinkSync(path.join(PACKAGE_ROOT, 'node_modules'), path.join(before, 'node_modules'));
		fs.copyFileSync(process.argv[1], path.join(before, 'bench', '.out', path.basename(process.argv[1])));
		if (args['limite-avant']) fs.copyFileSync(args['limite-avant'], path.join(before, 'bench', 'relance-limite.mjs'));
	}
	const available: Record<string, boolean> = { avant: !!args.avant, apres: true, 'limite-avant': !!args.avant && !!args['limite-avant'], limite: true, 'limite-avance': true };
	const arms = (args.bras ?? 'avant,apres,limite-avant,limite,limite-avance').split(',').filter((a) => available[a]);
	const sink = await startSink();
	try {
		const models: Record<number, string> = {};
		for (const n of sizes) {
			const file = path.join(work, `suivi-banc-${n}.xlsx`);
			await writeReminderWorkbook(file, n);
			timed(['--expose-gc', process.argv[1], `--importer=${file}`], PACKAGE_ROOT);
			models[n] = path.join(work, `modele-${n}.sqlite`);
			fs.copyFileSync(defaultRegisterPath(), models[n]);
			process.stderr.write(`» registre de ${n} clauses prêt\n`);
		}
		const rows: Array<Record<string, unknown> & { bras: string; n: number; picMio: number }> = [];
		for (let t = 0; t < tours; t++) {
			for (const n of sizes) {
				for (const arm of arms) {
					resetRegister();
					fs.copyFileSync(models[n], defaultRegisterPath());
					await sink.ask('raz');
					const load = os.loadavg()[0];
					const root = arm === 'avant' || arm === 'limite-avant' ? before : PACKAGE_ROOT;
					const r = arm.startsWith('limite')
						? timed([...(args.profil ? ['--cpu-prof', `--cpu-prof-dir=${args.profil}`] : []), path.join(root, 'bench', 'relance-limite.mjs'), `--registre=${JSON.stringify({ base: 'sqlite', fichier: defaultRegisterPath() })}`, `--port=${sink.port}`, `--date=${DATE}`, ...(arm === 'limite-avance' ? ['--preparer=avance'] : [])], root)
						: timed(['--expose-gc', ...(args.profil ? ['--cpu-prof', `--cpu-prof-dir=${args.profil}`] : []), path.join(root, 'bench', '.out', path.basename(process.argv[1])), '--mesure=1', `--port=${sink.port}`, ...['vivante', 'mode', 'joindre'].filter((k) => args[k] !== undefined).map((k) => `--${k}=${args[k]}`)], root);
					const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
					const recus = (await sink.ask('compte')).compte;
					const row = { tour: t + 1, bras: arm, n, picMio: Math.round(r.peakMb), charge: Math.round(load * 10) / 10, chargeApres: Math.round(os.loadavg()[0] * 10) / 10, recus, ...out };
					rows.push(row);
					process.stdout.write(`${JSON.stringify(row)}\n`);
				}
			}
		}
		// Croissance par clause entre deux tailles consécutives (médianes des pics) : au-delà de quelques milliers de
		// clauses, la jeune génération du tas de V8 a atteint sa taille maximale ; entre 500 et 5 000, elle y monte.
		const sorted = [...sizes].sort((a, b) => a - b);
		for (let i = 1; i < sorted.length; i++) {
			const [small, big] = [sorted[i - 1], sorted[i]];
			for (const arm of arms) {
				const a = median(rows.filter((r) => r.bras === arm && r.n === small).map((r) => r.picMio));
				const b = median(rows.filter((r) => r.bras === arm && r.n === big).map((r) => r.picMio));
				process.stdout.write(`${JSON.stringify({ bras: arm, de: small, a: big, picMio: [a, b], kioParClause: Math.round((((b - a) * 1024) / (big - small)) * 10) / 10 })}\n`);
			}
		}
	} finally {
		sink.close();
		if (args.garder) process.stderr.write(`» dossier de travail gardé : ${work}\n`);
		else fs.rmSync(work, { recursive: true, force: true });
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	},
);
