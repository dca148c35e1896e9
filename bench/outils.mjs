// Outils communs des bancs en vrai n8n : suivi de la mémoire de tout un arbre de
// processus, `n8n execute` mesuré, serveur SMTP dans son propre processus,
// PostgreSQL privé, médiane et écart.
import { fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { fr } from './donnees.mjs';

const require = createRequire(import.meta.url);
export const local = require('../scripts/lib/n8n-local.cjs');
export const here = path.dirname(fileURLToPath(import.meta.url));
export const say = (t) => process.stdout.write(`${t}\n`);

/** Charge moyenne sur 1 min, à la française. */
export const charge = () => fr(os.loadavg()[0], 1);

/** Charge de la machine au début et à la fin du banc, et ce qu'elle dit : au repos au départ, ou déjà occupée par d'autres travaux. */
export function loadSentence(start, end = os.loadavg()) {
	const state = start[0] < 0.5 ? 'machine au repos au départ' : `machine déjà occupée au départ (charge ${fr(start[0], 1)} pour ${os.cpus().length} cœurs : d'autres travaux tournaient)`;
	return `charge moyenne (1, 5, 15 min) au début ${start.map((l) => fr(l, 1)).join(' / ')}, à la fin ${end.map((l) => fr(l, 1)).join(' / ')} (${state} ; la charge sur 1 min avant chaque mesure est donnée à côté de chaque chiffre)`;
}

export function median(values) {
	const s = [...values].sort((a, b) => a - b);
	const m = Math.floor(s.length / 2);
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** « médiane (min. à max.) » d'une série, en unités données par `f`. */
export function spread(values, f = (v) => fr(v / 1000, 1), unit = ' s') {
	if (values.length === 0) return '—';
	if (values.length === 1) return `${f(values[0])}${unit} (une mesure)`;
	return `${f(median(values))}${unit} (${f(Math.min(...values))} à ${f(Math.max(...values))})`;
}

function children() {
	const map = new Map();
	for (const d of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(d)) continue;
		try {
			const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
			const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
			if (!map.has(ppid)) map.set(ppid, []);
			map.get(ppid).push(Number(d));
		} catch {
			/* processus terminé entre-temps */
		}
	}
	return map;
}

function statusOf(pid) {
	try {
		const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0);
		return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
	} catch {
		return undefined;
	}
}

function commandOf(pid) {
	try {
		const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
		const script = argv.find((a, i) => i > 0 && !a.startsWith('-')) ?? argv[0] ?? '?';
		return `${path.basename(argv[0] ?? '?')} ${path.basename(script)}${argv.includes('execute') ? ' execute' : ''}`.trim();
	} catch {
		return '?';
	}
}

/**
 * Suit la mémoire d'un processus et de tous ses descendants (exécuteur de
 * tâches de n8n compris), toutes les `intervalMs` : pic propre de chacun
 * (VmHWM, tenu par le noyau depuis le démarrage du processus, lu au dernier
 * passage avant sa fin), pic de sa mémoire résidente pendant le suivi seulement
 * (`windowPeakMb`, pour un processus qui vit plus longtemps que la mesure) et
 * pic de la somme des mémoires résidentes.
 */
export function watchTree(rootPid, intervalMs = 200) {
	const seen = new Map();
	let sumPeak = 0;
	const tick = () => {
		const map = children();
		const pids = [];
		const stack = [rootPid];
		while (stack.length) {
			const p = stack.pop();
			pids.push(p);
			stack.push(...(map.get(p) ?? []));
		}
		let sum = 0;
		for (const pid of pids) {
			const s = statusOf(pid);
			if (!s) continue;
			sum += s.rss;
			const prev = seen.get(pid);
			seen.set(pid, { cmd: prev?.cmd ?? commandOf(pid), hwmKb: Math.max(prev?.hwmKb ?? 0, s.hwm), windowKb: Math.max(prev?.windowKb ?? 0, s.rss) });
		}
		sumPeak = Math.max(sumPeak, sum);
	};
	tick();
	const timer = setInterval(tick, intervalMs);
	return {
		tick,
		stop() {
			clearInterval(timer);
			const processes = [...seen.values()].map((p) => ({ cmd: p.cmd, peakMb: p.hwmKb / 1024, windowPeakMb: p.windowKb / 1024 })).filter((p) => p.peakMb >= 20); // les petits processus (scripts shell lancés par n8n) comptent dans la somme, pas dans la liste
			return { processes, sumPeakMb: sumPeak / 1024, mainPeakMb: processes[0]?.peakMb ?? NaN };
		},
	};
}

/** Lance un programme, suit sa mémoire, renvoie sortie, durée murale et mémoire. */
export async function runWatched(cmd, args, { env, cwd, outFile }) {
	const out = fs.openSync(outFile, 'w');
	const err = fs.openSync(`${outFile}.err`, 'w');
	const wall = process.hrtime.bigint();
	const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', out, err] });
	const watch = watchTree(child.pid);
	const code = await new Promise((resolve) => child.on('close', (c) => resolve(c)));
	const wallMs = Number(process.hrtime.bigint() - wall) / 1e6;
	const memory = watch.stop();
	fs.closeSync(out);
	fs.closeSync(err);
	return { code, wallMs, memory, stdout: fs.readFileSync(outFile, 'utf8'), stderr: fs.readFileSync(`${outFile}.err`, 'utf8') };
}

/**
 * `n8n execute --id` dans l'instance `layout`, sous surveillance de la mémoire :
 * durée de l'exécution selon n8n (startedAt → stoppedAt), durée murale
 * (démarrage de n8n compris), pic de chaque processus, taille de l'exécution
 * enregistrée dans la base de n8n.
 */
export async function executeN8n(layout, workflowId, { env = {}, tag = workflowId } = {}) {
	const { bin } = local.ensureN8n();
	const outFile = path.join(layout.home, `sortie-${tag}.json`);
	const r = await runWatched(process.execPath, [bin, 'execute', `--id=${workflowId}`, '--rawOutput'], {
		env: local.n8nEnv(layout, { N8N_LOG_LEVEL: 'info', ...env }),
		cwd: layout.home,
		outFile,
	});
	const run = local.parseRun(r.stdout);
	if (!run) throw new Error(`n8n execute ${workflowId} (code ${r.code}) : sortie illisible\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-2000)}`);
	if (run.data.resultData.error) throw new Error(`${workflowId} : ${run.data.resultData.error.message}`);
	fs.rmSync(outFile, { force: true });
	fs.rmSync(`${outFile}.err`, { force: true });
	const ms = new Date(run.stoppedAt).getTime() - new Date(run.startedAt).getTime();
	return { ms, wallMs: r.wallMs, memory: r.memory, run, savedBytes: savedExecutionBytes(layout) };
}

/** Taille des données de la dernière exécution enregistrée dans la base SQLite de n8n. */
export function savedExecutionBytes(layout) {
	const { DatabaseSync } = require('node:sqlite');
	const db = new DatabaseSync(path.join(layout.home, '.n8n', 'database.sqlite'), { readOnly: true });
	try {
		const row = db.prepare('SELECT length(CAST(data AS BLOB)) AS n FROM execution_data ORDER BY executionId DESC LIMIT 1').get();
		return row ? Number(row.n) : NaN;
	} finally {
		db.close();
	}
}

/** Temps passé dans chaque nœud (ms), tel que n8n le garde. */
export function nodeTimes(run) {
	return Object.fromEntries(Object.entries(run.data.resultData.runData).map(([name, tasks]) => [name, tasks.reduce((s, t) => s + (t.executionTime ?? 0), 0)]));
}

/** Serveur SMTP de banc dans son propre processus. */
export async function startSink(pauseMs) {
	const child = fork(path.join(here, 'puits-smtp.mjs'), [String(pauseMs)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	const port = await new Promise((resolve, reject) => {
		child.once('message', (m) => resolve(m.port));
		child.once('exit', (c) => reject(new Error(`serveur SMTP de banc arrêté (code ${c})`)));
	});
	const ask = (m) =>
		new Promise((resolve) => {
			child.once('message', resolve);
			child.send(m);
		});
	return {
		pauseMs,
		port,
		pid: child.pid,
		count: () => ask('compte'),
		reset: () => ask('raz'),
		close: () => new Promise((resolve) => {
			child.once('exit', resolve);
			child.send('fin');
		}),
	};
}

/** Serveur PostgreSQL privé, réglages par défaut (fsync compris), comme la préparation des tests le démarre. */
export async function startPostgres() {
	const { startPostgres: start } = require('../scripts/lib/postgres.cjs');
	return start({ settings: { max_connections: 50 } });
}

/** Client pg vers la base `database` du serveur de banc. */
export async function pgQuery(pg, sql, database = 'postgres') {
	const { Client } = require('pg');
	const client = new Client({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database });
	await client.connect();
	try {
		return await client.query(sql);
	} finally {
		await client.end();
	}
}

export function machine() {
	return `${os.cpus().length} cœur(s) ${os.cpus()[0]?.model ?? ''}, ${Math.round(os.totalmem() / 1024 ** 3)} Gio, Node ${process.version}, n8n ${local.ensureN8n().version ?? '2.40.7'}`;
}
