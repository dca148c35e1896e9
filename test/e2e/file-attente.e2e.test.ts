/**
 * Le paquet dans n8n en mode file d'attente (scripts/lib/queue-mode.cjs) :
 * instance principale et 2 workers, Redis, PostgreSQL pour n8n et pour le
 * registre, données binaires en base. Les workflows livrés (relance en envoi
 * avec un bail d'envoi court, avis de pénalité) sont lancés depuis l'instance
 * principale comme par « Lancer maintenant » dans l'éditeur, et exécutés par
 * les workers.
 *
 * Pannes et concurrence : deux exécutions lancées ensemble, planification
 * déclenchée pendant une exécution manuelle (chaque relance due part une
 * fois) ; Redis redémarré en plein lot (rien de perdu, rien en double) ; approbation d'un avis reprise par l'autre worker ; worker tué
 * (SIGKILL) en plein lot (n8n signale l'exécution en erreur, la reprise
 * n'envoie que ce qui n'était pas parti et signale « incertain » ce qui était
 * en cours). Relevé en ligne : le formulaire servi par l'instance principale,
 * les envois exécutés par les workers, chacun enregistré une fois. Les comptes
 * sont ceux du serveur SMTP.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Pool } from 'pg';

import { messageIdFor } from '../../nodes/adapters/mail/mailer';
import { WorkingCalendar } from '../../nodes/core/calendar';
import { PostgresDatabase, Register } from '../../nodes/adapters/register';
import { reportLinkUrl, signReportLink } from '../../nodes/core/online-report';
import { APPROUVER, approvalLink, openApprovalPage, submitApproval } from '../helpers/approbation';
import { local, workflowFile } from '../helpers/real-n8n';
import { expectEachDueMailOnce } from '../helpers/delivery';
import { formFields, oneLineEntry, post } from '../helpers/formulaire';
import { SmtpSink } from '../helpers/smtp-sink';

jest.setTimeout(600_000);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const queue = require('../../scripts/lib/queue-mode.cjs') as {
	startQueueMode(options: Record<string, unknown>): Promise<Deployment>;
};

interface Deployment {
	dir: string;
	url: string;
	config: { ports: { postgres: number; redis: number; main: number }; postgres: { user: string; password: string }; linkSecret: string };
	processes: Record<string, { pid: number; log: string }>;
	layout: { shared: string };
	stopProcess(role: string): Promise<void>;
	startProcess(role: string): Promise<void>;
	registerCredential: { data: { host: string; port: number; database: string; user: string; password: string; schema: string } };
	stop(): Promise<void>;
}

interface Out {
	marche: string;
	lot: string;
	envoi: { statut: string; cle?: string; messageId?: string };
}

interface Execution {
	id: number;
	status: string;
	mode: string;
	data?: { resultData: { runData: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }>> } }>> } };
}

const SENDER = 'clauses-sociales@region-val-argent.example.test';
const WORKFLOW_ID = 'ClsRelanceFile01';
const SCHEDULED_ID = 'ClsRelanceFile02';
const LEASE_SECONDS = 3;

/** Premier jour ouvré du mois en cours (heure de Paris). */
function firstWorkingDayOfThisMonth(): string {
	const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
	return new WorkingCalendar('FR').firstWorkingDay(today.slice(0, 7));
}

/**
 * La planification de la relance livrée, toutes les 2 secondes, et la date de
 * référence du premier jour ouvré du mois : une exécution planifiée fait alors
 * la relance du mois, comme le premier jour ouvré à 8 h.
 */
/** Le workflow livré d'import du classeur de suivi : le registre PostgreSQL, vide au départ, reçoit les données d'exemple comme chez un utilisateur. */
const IMPORTS = { suivi: { id: 'ClsImportSuivi01', classeur: 'donnees/suivi-clauses.xlsx' }, solder: { id: 'ClsImportSolder1', classeur: 'donnees/clauses-a-solder.xlsx' } } as const;
function importWorkflow(which: keyof typeof IMPORTS) {
	const workflow = local.withConfiguration(JSON.parse(fs.readFileSync(workflowFile('import-classeur-suivi.json'), 'utf8')), { classeur: IMPORTS[which].classeur }) as { id: string; name: string };
	return { ...workflow, id: IMPORTS[which].id, name: `${workflow.name} (${which})` };
}

function scheduledReminderWorkflow() {
	const workflow = reminderWorkflow(SCHEDULED_ID);
	const trigger = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.scheduleTrigger')!;
	trigger.parameters = { rule: { interval: [{ field: 'seconds', secondsInterval: 2 }] } };
	const reminder = workflow.nodes.find((n) => n.type.endsWith('.clauseReminder'))!;
	reminder.parameters.dateReference = firstWorkingDayOfThisMonth();
	return workflow;
}

/** La relance livrée, en envoi, avec un bail d'envoi court et l'identifiant d'une copie de test. */
function reminderWorkflow(id = WORKFLOW_ID) {
	const workflow = local.withConfiguration(JSON.parse(fs.readFileSync(workflowFile('relance-mensuelle.json'), 'utf8')), { envoyer: true }) as {
		id: string;
		name: string;
		nodes: Array<{ type: string; parameters: Record<string, unknown> & { options?: Record<string, unknown> } }>;
	};
	workflow.id = id;
	workflow.name = `${workflow.name} (file d’attente, ${id})`;
	const reminder = workflow.nodes.find((n) => n.type.endsWith('.clauseReminder'))!;
	reminder.parameters.options = { ...(reminder.parameters.options ?? {}), bailEnvoi: LEASE_SECONDS, debitParSeconde: 0 };
	return workflow;
}

const ONLINE_REPORT_ID = 'ClsReleveLigne01';

/** Le workflow livré du relevé en ligne, accusés de réception envoyés. */
function onlineReportWorkflow() {
	return local.withConfiguration(JSON.parse(fs.readFileSync(workflowFile('releve-en-ligne.json'), 'utf8')), { envoyer: true }) as { id: string };
}

describe('mode file d’attente : instance principale, 2 workers, Redis, PostgreSQL', () => {
	let sink: SmtpSink;
	/** Réglages du serveur SMTP, changés en cours de test (lenteur d'acceptation). */
	const sinkOptions = { dataDelayMs: 150 };
	let deployment: Deployment;
	let session: Record<string, string>;
	let n8nDb: Pool;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-file-attente-'));
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const flatted = require(path.join(local.ensureN8n().dir, 'node_modules', 'flatted')) as { parse(text: string): unknown };

	const reminderMails = () => sink.mails.filter((m) => !m.parsed.subject?.startsWith('Relances des clauses sociales') && !m.parsed.subject?.startsWith('Aperçu'));
	const countsById = () => {
		const counts = new Map<string, number>();
		for (const m of reminderMails()) counts.set(String(m.parsed.messageId), (counts.get(String(m.parsed.messageId)) ?? 0) + 1);
		return counts;
	};

	async function rest(method: string, route: string, body?: unknown) {
		const response = await fetch(new URL(`rest/${route}`, deployment.url), {
			method,
			headers: { ...session, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const json = (await response.json()) as { data?: Record<string, unknown> };
		if (!response.ok) throw new Error(`${method} ${route} refusé (${response.status}) : ${JSON.stringify(json)}`);
		return json.data ?? {};
	}

	async function run(workflowId = WORKFLOW_ID): Promise<number> {
		const response = await fetch(new URL(`rest/workflows/${workflowId}/run`, deployment.url), {
			method: 'POST',
			headers: { ...session, 'content-type': 'application/json' },
			body: JSON.stringify({ triggerToStartFrom: { name: 'Lancer maintenant' } }),
		});
		const body = (await response.json()) as { data?: { executionId?: string } };
		if (!response.ok || !body.data?.executionId) throw new Error(`Lancement refusé (${response.status}) : ${JSON.stringify(body)}`);
		return Number(body.data.executionId);
	}

	async function waitFor(executionId: number, timeoutMs = 180_000, states = ['new', 'running', 'waiting']): Promise<Execution> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const { rows } = await n8nDb.query<{ id: number; status: string; mode: string; data: string | null }>(
				'SELECT e.id, e.status, e.mode, d.data FROM execution_entity e LEFT JOIN execution_data d ON d."executionId" = e.id WHERE e.id = $1',
				[executionId],
			);
			const row = rows[0];
			if (row && !states.includes(row.status) && row.data) {
				return { id: row.id, status: row.status, mode: row.mode, data: flatted.parse(row.data) as Execution['data'] };
			}
			if (Date.now() > deadline) throw new Error(`Exécution ${executionId} toujours « ${row?.status} » après ${timeoutMs} ms`);
			await new Promise((r) => setTimeout(r, 500));
		}
	}

	/** Le worker qui a pris l'exécution, d'après son journal (undefined : aucun). */
	function workerOf(executionId: number): string | undefined {
		const line = new RegExp(`Worker started execution ${executionId} \\(job`);
		return Object.entries(deployment.processes).find(([role, p]) => role.startsWith('worker-') && line.test(fs.readFileSync(p.log, 'utf8')))?.[0];
	}

	function outputs(execution: Execution): Out[] {
		return nodeOutput(execution, 'Relance mensuelle') as unknown as Out[];
	}

	function nodeOutput(execution: Execution, node: string): Array<Record<string, unknown>> {
		const tasks = execution.data?.resultData.runData[node];
		if (!tasks?.length) throw new Error(`Le nœud « ${node} » n'a pas été exécuté (exécution ${execution.id}, ${execution.status})`);
		return (tasks[tasks.length - 1].data?.main?.[0] ?? []).map((i) => i.json);
	}

	async function registerMessages() {
		const register = await Register.open(new PostgresDatabase(deployment.registerCredential.data), {}, deployment.registerCredential.data.schema);
		try {
			return await register.messages();
		} finally {
			await register.close();
		}
	}

	/** Verse un classeur d'exemple au registre par le workflow livré d'import, exécuté par un worker. */
	async function loadSample(which: keyof typeof IMPORTS) {
		const execution = await waitFor(await run(IMPORTS[which].id));
		expect(execution.status).toBe('success');
	}

	/** Registre vidé (schéma supprimé), rechargé depuis le classeur d'exemple, et boîte du serveur SMTP vidée. */
	async function resetRegisterAndSink(which: keyof typeof IMPORTS = 'suivi') {
		const { data } = deployment.registerCredential;
		const client = new Client({ host: data.host, port: data.port, database: data.database, user: data.user, password: data.password });
		await client.connect();
		await client.query(`DROP SCHEMA IF EXISTS ${data.schema} CASCADE`);
		await client.end();
		await loadSample(which);
		sink.mails.splice(0);
	}

	let due: Set<string>;

	beforeAll(async () => {
		sink = await new SmtpSink(sinkOptions).start();
		deployment = await queue.startQueueMode({
			dir,
			smtp: { host: '127.0.0.1', port: sink.port },
			tarball: process.env.CLAUSES_TARBALL,
			workflows: [reminderWorkflow(), scheduledReminderWorkflow(), JSON.parse(fs.readFileSync(workflowFile('avis-penalite.json'), 'utf8')), importWorkflow('suivi'), importWorkflow('solder'), onlineReportWorkflow()],
			// Exécution d'un worker arrêté brutalement signalée en ≈ 35 s au lieu de ≈ 76 s (verrou d'un travail : 30 s, renouvelé toutes les 5 s).
			env: { QUEUE_WORKER_LOCK_DURATION: '30000', QUEUE_WORKER_LOCK_RENEW_TIME: '5000', QUEUE_WORKER_STALLED_INTERVAL: '5000' },
			log: () => undefined,
		});
		session = await local.ownerSession(deployment.url);
		n8nDb = new Pool({ host: '127.0.0.1', port: deployment.config.ports.postgres, database: 'n8n', user: deployment.config.postgres.user, password: deployment.config.postgres.password });
		await loadSample('suivi');
	});

	afterAll(async () => {
		await n8nDb?.end().catch(() => undefined);
		await deployment?.stop();
		await sink?.stop();
		if (process.env.CLAUSES_KEEP_E2E !== '1') fs.rmSync(dir, { recursive: true, force: true });
	});

	it('la relance lancée depuis l’instance principale est exécutée par un worker, registre PostgreSQL : chaque relance due part une fois', async () => {
		const id = await run();
		const execution = await waitFor(id);
		expect(execution.status).toBe('success');
		expect(execution.mode).toBe('manual');
		expect(workerOf(id)).toMatch(/^worker-/);
		expect(fs.readFileSync(deployment.processes.main.log, 'utf8')).toMatch(new RegExp(`Enqueued execution ${id} \\(job`));

		const sent = outputs(execution).filter((c) => c.envoi.statut === 'envoyé');
		expect(sent.length).toBeGreaterThanOrEqual(8);
		due = new Set(sent.map((c) => messageIdFor(c.envoi.cle!, SENDER)));
		const counts = countsById();
		expect(new Set(counts.keys())).toEqual(due);
		expect([...counts.values()].every((n) => n === 1)).toBe(true);
		const messages = await registerMessages();
		expect(new Set(messages.filter((m) => m.status === 'envoyé').map((m) => m.messageId))).toEqual(due);
	});

	it('relevé en ligne : le formulaire servi par l’instance principale, les envois exécutés par les workers ; 60 envois ensemble et 10 rejeux du même formulaire : chaque relevé enregistré une fois, un accusé chacun', async () => {
		await resetRegisterAndSink();
		const { versionId } = await rest('GET', `workflows/${ONLINE_REPORT_ID}`);
		expect(await rest('POST', `workflows/${ONLINE_REPORT_ID}/activate`, { versionId })).toMatchObject({ active: true });
		const base = new URL('webhook/releve-en-ligne', deployment.url).toString();
		const register = await Register.open(new PostgresDatabase(deployment.registerCredential.data), {}, deployment.registerCredential.data.schema);
		try {
			// Le lien personnel que porterait la relance : signé avec le secret de l'identifiant du registre.
			const record = (await register.list('clause')).find((c) => (c.data as { siret?: string }).siret)!;
			const clause = record.data as { marche: string; lot: string; siret: string };
			const expire = Math.floor(Date.now() / 1000) + 86_400;
			const link = reportLinkUrl(base, signReportLink(deployment.config.linkSecret, { marche: clause.marche, lot: clause.lot, siret: clause.siret, mois: '2026-11', expire }));
			// La publication enregistre le webhook de production de l'instance principale ; il peut manquer quelques instants.
			let opened = await fetch(link);
			for (const until = Date.now() + 30_000; opened.status === 404 && Date.now() < until; ) {
				await new Promise((r) => setTimeout(r, 500));
				opened = await fetch(link);
			}
			const page = await opened.text();
			expect({ statut: opened.status, page: opened.status === 200 ? '' : page.slice(0, 600) }).toEqual({ statut: 200, page: '' });
			const fields = formFields(page);
			const key = (lines: Awaited<ReturnType<typeof register.reportLines>>) => lines.filter((l) => l.month === '2026-11' && l.clauseKey === record.key);
			const before = key(await register.reportLines({ allVersions: true }));

			// 60 formulaires distincts envoyés 15 à la fois, plus 10 envois simultanés d'un même formulaire.
			const count = 60;
			const statuses: number[] = [];
			let next = 0;
			const replayed = { ...oneLineEntry(fields, '3,5'), nonce: 'rejeu-file-attente-0001' };
			const [, replays] = await Promise.all([
				Promise.all(
					Array.from({ length: 15 }, async () => {
						while (next < count) {
							const i = next++;
							statuses[i] = (await post(base, { ...oneLineEntry(fields, `${10 + i},5`), nonce: `file-attente-${String(i).padStart(6, '0')}` })).status;
						}
					}),
				),
				Promise.all(Array.from({ length: 10 }, () => post(base, replayed))),
			]);
			expect(statuses.filter((s) => s !== 200)).toEqual([]);
			if (replays.some((r) => r.status !== 200 && r.status !== 409)) {
				// Motif d'un incident : gardé par n8n dans la sortie du nœud (champ « motif »).
				const { rows: data } = await n8nDb.query<{ data: string }>(
					`SELECT d.data FROM execution_entity e JOIN execution_data d ON d."executionId" = e.id WHERE e."workflowId" = $1 ORDER BY e.id DESC LIMIT 80`,
					[ONLINE_REPORT_ID],
				);
				const motifs = data.flatMap((d) => [...d.data.matchAll(/"([^"<]{15,400})"/g)].map((m) => m[1]).filter((t) => /erreur|Erreur|registre|version|PostgreSQL|échec|impossible/.test(t)));
				throw new Error(`Envois du même formulaire : ${replays.map((r) => r.status).join(', ')} ; motifs : ${[...new Set(motifs)].join(' | ')}`);
			}
			expect(replays.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(409)]);
			const after = key(await register.reportLines({ allVersions: true }));
			const added = new Set(after.map((l) => l.version).filter((v) => !before.some((b) => b.version === v)));
			expect(added.size).toBe(count + 1);

			// Exécutions des envois : par les workers, toutes réussies.
			// La réponse part avant la fin de l'exécution (« Répondre au titulaire », puis n8n termine) : on attend qu'elles soient toutes finies.
			const executions = async () =>
				(await n8nDb.query<{ id: number; status: string }>(`SELECT id, status FROM execution_entity WHERE "workflowId" = $1 AND mode = 'webhook'`, [ONLINE_REPORT_ID])).rows;
			let rows = await executions();
			for (const until = Date.now() + 60_000; rows.some((r) => ['new', 'running'].includes(r.status)) && Date.now() < until; rows = await executions()) await new Promise((r) => setTimeout(r, 500));
			expect(rows.length).toBeGreaterThanOrEqual(count + 11);
			expect(rows.filter((r) => r.status !== 'success')).toEqual([]);
			for (const r of rows) expect(workerOf(Number(r.id))).toMatch(/^worker-/);

			// Un accusé de réception par relevé enregistré, reçu une fois.
			const acks = () => sink.mails.filter((m) => String(m.parsed.subject).startsWith('Relevé d’heures d’insertion'));
			const deadline = Date.now() + 60_000;
			while (acks().length < count + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
			const ids = acks().map((m) => String(m.parsed.messageId));
			expect(ids).toHaveLength(count + 1);
			expect(new Set(ids).size).toBe(count + 1);
		} finally {
			await register.close();
			await rest('POST', `workflows/${ONLINE_REPORT_ID}/deactivate`, {});
		}
	});

	it('deux exécutions lancées en même temps : chaque relance due part une fois, sous un seul Message-ID', async () => {
		await resetRegisterAndSink();
		const ids = await Promise.all([run(), run()]);
		const executions = await Promise.all(ids.map((id) => waitFor(id)));
		for (const e of executions) expect(e.status).toBe('success');
		for (const id of ids) expect(workerOf(id)).toMatch(/^worker-/);

		const counts = countsById();
		expect(new Set(counts.keys())).toEqual(due);
		expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
		// Chaque relance est « envoyé » dans une exécution, « déjà envoyé » ou « en cours ailleurs » dans l'autre.
		const [a, b] = executions.map((e) => new Map(outputs(e).filter((c) => c.envoi.cle).map((c) => [messageIdFor(c.envoi.cle!, SENDER), c.envoi.statut])));
		for (const messageId of due) {
			const pair = [a.get(messageId), b.get(messageId)].sort();
			expect([
				['déjà envoyé', 'envoyé'],
				['en cours ailleurs', 'envoyé'],
			]).toContainEqual(pair);
		}
	});

	it('la planification se déclenche pendant une exécution lancée à la main : chaque relance due part une fois', async () => {
		await resetRegisterAndSink();
		sinkOptions.dataDelayMs = 400; // un lot de plusieurs secondes
		try {
			const manual = await run(SCHEDULED_ID);
			const deadline = Date.now() + 120_000;
			while (reminderMails().length < 1) {
				if (Date.now() > deadline) throw new Error('Aucune relance reçue après 120 s');
				await new Promise((r) => setTimeout(r, 10));
			}
			// Publication du workflow pendant l'exécution manuelle : l'instance principale tient la planification (toutes les 2 s).
			const { versionId } = await rest('GET', `workflows/${SCHEDULED_ID}`);
			await rest('POST', `workflows/${SCHEDULED_ID}/activate`, { versionId });
			const scheduled = async () =>
				(
					await n8nDb.query<{ id: number; status: string; startedAt: Date | null }>(
						`SELECT id, status, "startedAt" FROM execution_entity WHERE "workflowId" = $1 AND mode = 'trigger' ORDER BY id`,
						[SCHEDULED_ID],
					)
				).rows;
			const until = Date.now() + 120_000;
			while ((await scheduled()).length === 0) {
				if (Date.now() > until) throw new Error('Planification non déclenchée après 120 s');
				await new Promise((r) => setTimeout(r, 200));
			}
			const manualExecution = await waitFor(manual);
			await rest('POST', `workflows/${SCHEDULED_ID}/deactivate`, {});
			const triggered = await Promise.all((await scheduled()).map((e) => waitFor(e.id)));
			expect(manualExecution.status).toBe('success');
			for (const e of triggered) expect(e.status).toBe('success');
			for (const id of [manual, ...triggered.map((e) => e.id)]) expect(workerOf(id)).toMatch(/^worker-/);

			// La première exécution planifiée a commencé avant la fin de l'exécution manuelle.
			const { rows } = await n8nDb.query<{ id: number; startedAt: Date; stoppedAt: Date }>(
				'SELECT id, "startedAt", "stoppedAt" FROM execution_entity WHERE id = ANY($1::int[])',
				[[manual, triggered[0].id]],
			);
			const times = new Map(rows.map((r) => [Number(r.id), r]));
			expect(times.get(triggered[0].id)!.startedAt.getTime()).toBeLessThan(times.get(manual)!.stoppedAt.getTime());

			// Les relances dues : celles de l'exécution manuelle (même date de référence) ; chacune reçue une fois.
			const expected = new Set(
				outputs(manualExecution)
					.filter((c) => c.envoi.cle)
					.map((c) => messageIdFor(c.envoi.cle!, SENDER)),
			);
			expect(expected.size).toBeGreaterThanOrEqual(8);
			const counts = countsById();
			expect(new Set(counts.keys())).toEqual(expected);
			expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
			for (const e of [manualExecution, ...triggered]) {
				for (const c of outputs(e).filter((o) => o.envoi.cle)) expect(['envoyé', 'déjà envoyé', 'en cours ailleurs']).toContain(c.envoi.statut);
			}
		} finally {
			sinkOptions.dataDelayMs = 150;
		}
	});

	it('avis de pénalité : la revue attend l’approbation, le lien reçu est ouvert, un autre worker reprend et envoie les avis une fois', async () => {
		await resetRegisterAndSink('solder');
		const id = await run('ClsPenalite00001');
		const waiting = await waitFor(id, 180_000, ['new', 'running']);
		expect(waiting.status).toBe('waiting');
		const first = workerOf(id)!;
		expect(first).toMatch(/^worker-/);
		const approval = await (async () => {
			const deadline = Date.now() + 60_000;
			for (;;) {
				const mail = sink.mails.find((m) => m.parsed.subject?.startsWith('Approbation requise'));
				if (mail) return mail;
				if (Date.now() > deadline) throw new Error('Courriel d’approbation non reçu');
				await new Promise((r) => setTimeout(r, 200));
			}
		})();
		const link = approvalLink(approval);
		// Le lien pointe vers l'instance principale (WEBHOOK_URL), pas vers le worker qui l'a écrit.
		expect(link).toMatch(new RegExp(`^${deployment.url.replace(/[.]/g, '\\.')}webhook-waiting/${id}\\?`));

		// Le worker de la revue s'arrête ; l'autre reprendra l'exécution.
		await deployment.stopProcess(first);
		try {
			expect((await openApprovalPage(link)).status).toBe(200);
			const answer = await submitApproval(link, APPROUVER);
			expect(answer.status).toBe(200);
			expect(answer.body).toContain('<h1>Envoi approuvé</h1>');
			const finished = await waitFor(id, 180_000);
			expect(finished.status).toBe('success');
			const other = Object.keys(deployment.processes).find((r) => r.startsWith('worker-') && r !== first)!;
			// Le statut « success » peut précéder de peu la ligne « finished » du journal du worker.
			const finishedLine = new RegExp(`Worker finished execution ${id} \\(job`);
			const logDeadline = Date.now() + 20_000;
			let resumed = fs.readFileSync(deployment.processes[other].log, 'utf8');
			while (!finishedLine.test(resumed) && Date.now() < logDeadline) {
				await new Promise((r) => setTimeout(r, 250));
				resumed = fs.readFileSync(deployment.processes[other].log, 'utf8');
			}
			expect(resumed).toMatch(new RegExp(`Worker started execution ${id} \\(job`));
			expect(resumed).toMatch(finishedLine);

			const sent = nodeOutput(finished, 'Avis de pénalité (envoi)').map((j) => j.envoi as { statut: string; messageId?: string });
			const sentIds = sent.filter((e) => e.statut === 'envoyé').map((e) => e.messageId!);
			expect(sentIds.length).toBeGreaterThanOrEqual(1);
			expect(sent.every((e) => ['envoyé', 'sans objet'].includes(e.statut))).toBe(true);
			await new Promise((r) => setTimeout(r, 1000));
			const received = sink.mails.map((m) => String(m.parsed.messageId));
			for (const messageId of sentIds) expect(received.filter((m) => m === messageId)).toHaveLength(1);
			const messages = await registerMessages();
			expect(messages.filter((m) => m.status === 'envoyé').map((m) => m.messageId).sort()).toEqual([...sentIds].sort());
			// Journal écrit par le worker de la reprise dans le dossier partagé.
			expect(fs.readdirSync(path.join(deployment.layout.shared, 'clauses-sociales', 'sortie')).some((f) => f.endsWith(`-execution-${id}.json`))).toBe(true);
		} finally {
			await deployment.startProcess(first);
		}
	});

	it('Redis redémarré en plein lot (file vidée, sans persistance) : l’exécution se termine, chaque relance due part une fois, la reprise n’envoie rien de plus', async () => {
		await resetRegisterAndSink();
		sinkOptions.dataDelayMs = 300; // un lot de plusieurs secondes
		try {
			const id = await run();
			const deadline = Date.now() + 120_000;
			while (reminderMails().length < 3) {
				if (Date.now() > deadline) throw new Error('Moins de 3 relances reçues après 120 s');
				await new Promise((r) => setTimeout(r, 10));
			}
			await deployment.stopProcess('redis');
			await new Promise((r) => setTimeout(r, 2000));
			await deployment.startProcess('redis');
			// Le worker se reconnecte et finit l'exécution ; n8n l'enregistre dans sa base.
			const first = await waitFor(id, 240_000);
			expect(first.status).toBe('success');
			const counts = countsById();
			expect(new Set(counts.keys())).toEqual(due);
			expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
			expect(outputs(first).filter((c) => c.envoi.statut === 'envoyé')).toHaveLength(due.size);

			// L'instance principale accepte de nouveau les exécutions ; la reprise ne renvoie rien.
			const rerunId = await run();
			const rerun = await waitFor(rerunId, 240_000);
			expect(rerun.status).toBe('success');
			expect(workerOf(rerunId)).toMatch(/^worker-/);
			expect(outputs(rerun).filter((c) => c.envoi.cle).every((c) => c.envoi.statut === 'déjà envoyé')).toBe(true);
			expect(countsById()).toEqual(counts);
			const messages = await registerMessages();
			expect(new Set(messages.filter((m) => m.status === 'envoyé').map((m) => m.messageId))).toEqual(due);
		} finally {
			sinkOptions.dataDelayMs = 150;
		}
	});

	it('un worker tué en plein lot : n8n signale l’exécution en erreur, la reprise n’envoie que le reste et signale « incertain » l’envoi en cours', async () => {
		await resetRegisterAndSink();
		const id = await run();
		// Tué après k courriels reçus par le serveur SMTP (k tiré au hasard, au milieu du lot).
		const k = 2 + Math.floor(Math.random() * (due.size - 4));
		const deadline = Date.now() + 120_000;
		while (reminderMails().length < k) {
			if (Date.now() > deadline) throw new Error(`Moins de ${k} relances reçues après 120 s`);
			await new Promise((r) => setTimeout(r, 10));
		}
		const worker = workerOf(id)!;
		expect(worker).toMatch(/^worker-/);
		process.kill(-deployment.processes[worker].pid, 'SIGKILL');
		const before = countsById();
		expect(before.size).toBeGreaterThanOrEqual(k);
		expect(before.size).toBeLessThan(due.size);

		const crashed = await waitFor(id, 180_000).catch(async () => {
			const { rows } = await n8nDb.query('SELECT status FROM execution_entity WHERE id = $1', [id]);
			throw new Error(`Exécution ${id} non signalée après l’arrêt du worker : ${JSON.stringify(rows)}`);
		});
		expect(['crashed', 'error']).toContain(crashed.status);

		await new Promise((r) => setTimeout(r, LEASE_SECONDS * 1000 + 500)); // bail expiré
		const rerunId = await run();
		const rerun = await waitFor(rerunId);
		expect(rerun.status).toBe('success');
		const survivor = workerOf(rerunId);
		expect(survivor).toMatch(/^worker-/);
		expect(survivor).not.toBe(worker);

		const statuses = new Map(outputs(rerun).filter((c) => c.envoi.cle).map((c) => [messageIdFor(c.envoi.cle!, SENDER), c.envoi.statut]));
		const after = countsById();
		const incertains = [...statuses].filter(([, s]) => s === 'incertain').map(([m]) => m);
		// L'envoi (ou les deux réservations) en cours au moment de l'arrêt : signalé « incertain ».
		expect(incertains.length).toBeGreaterThanOrEqual(1);
		expect(incertains.length).toBeLessThanOrEqual(2);
		// Rien de perdu, rien d'inattendu ; « incertain » reçu deux fois au plus.
		expectEachDueMailOnce(due, statuses, before, after);
		// Le registre consigne chaque relance due comme envoyée.
		const messages = await registerMessages();
		expect(new Set(messages.filter((m) => m.status === 'envoyé' && m.response?.startsWith('250')).map((m) => m.messageId))).toEqual(due);
	});
});
