/**
 * Le serveur PostgreSQL du registre s'arrête en pleine exécution, puis revient
 * (son propre serveur, arrêté et relancé sur le même port ; la base de n8n
 * n'est pas en cause ici) :
 * - une écriture groupée interrompue n'écrit rien (transaction annulée) ;
 *   l'erreur est en français et dit quoi faire ; refaite après le retour du
 *   serveur, elle passe ;
 * - la relance mensuelle en envoi, sur le moteur de n8n, coupée au milieu du
 *   lot : erreur « Registre des clauses » sur l'exécution, plus aucun envoi
 *   après la coupure ; la reprise, le serveur revenu, n'envoie que le reste,
 *   et l'envoi réservé avant la coupure part une fois ou est signalé
 *   « incertain » ; comptes faits sur le serveur SMTP ;
 * - la réception des relevés, serveur arrêté : erreur en français sur chaque
 *   relevé, rien d'écrit ; reprise complète au retour.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { messageIdFor } from '../../nodes/adapters/mail/mailer';
import type { Register } from '../../nodes/adapters/register';
import { PostgresDatabase, RegisterError } from '../../nodes/adapters/register';
import { clauseKey } from '../../nodes/core';
import { openRegisterWith, registerSettings } from '../../nodes/shared/register';
import { PACKAGE_ROOT, runNode } from '../helpers/engine';
import { expectEachDueMailOnce } from '../helpers/delivery';
import { SmtpSink } from '../helpers/smtp-sink';

jest.setTimeout(180_000);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const postgres = require('../../scripts/lib/postgres.cjs') as {
	startPostgres(options: { dir?: string; port?: number; settings?: Record<string, string | number> }): Promise<{ host: string; port: number; user: string; password: string; bin: string }>;
	stopPostgres(dir: string): void;
	createDatabase(pg: { host: string; port: number; user: string; password: string; bin: string }, name: string): void;
};

const SENDER = 'clauses-sociales@region.example.test';
const SAMPLE = path.join(PACKAGE_ROOT, 'workflows', 'donnees-exemple');
const sample = (name: string): IDataObject[] => JSON.parse(fs.readFileSync(path.join(SAMPLE, name), 'utf8'));
const LEASE_SECONDS = 2;

describe('registre PostgreSQL : connexion perdue en pleine exécution', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-pg-panne-'));
	let pg: { host: string; port: number; user: string; password: string; bin: string };
	let sink: SmtpSink;
	const sinkOptions = { dataDelayMs: 250 };
	let database = 0;
	let credential: Record<string, string | number>;

	const stop = () => postgres.stopPostgres(dir);
	const start = async () => {
		pg = await postgres.startPostgres({ dir, port: pg?.port, settings: { fsync: 'off' } });
	};

	beforeAll(async () => {
		if (process.getuid?.() === 0) fs.chmodSync(dir, 0o755);
		await start();
		sink = await new SmtpSink(sinkOptions).start();
	});
	afterAll(async () => {
		await sink?.stop();
		stop();
		fs.rmSync(dir, { recursive: true, force: true });
	});
	beforeEach(() => {
		database += 1;
		postgres.createDatabase(pg, `panne_${database}`);
		credential = { base: 'postgres', host: pg.host, port: pg.port, database: `panne_${database}`, user: pg.user, password: pg.password, schema: 'clauses_sociales', ssl: 'desactive' };
		sink.mails.length = 0;
	});
	afterEach(async () => {
		// Le serveur est relancé même si le test a échoué au milieu de la panne.
		if (!fs.existsSync(path.join(dir, 'data', 'postmaster.pid'))) await start();
	});

	async function withRegister<T>(fn: (register: Register) => Promise<T>): Promise<T> {
		const register = await openRegisterWith(registerSettings(credential));
		try {
			return await fn(register);
		} finally {
			await register.close();
		}
	}

	/** Nombre de lignes de chaque table du registre. */
	async function counts(): Promise<Record<string, number>> {
		const db = new PostgresDatabase({ ...(credential as unknown as { host: string; port: number; database: string; user: string; password: string }), schema: 'clauses_sociales' });
		try {
			const out: Record<string, number> = {};
			for (const table of ['records', 'report_lines', 'messages', 'history']) out[table] = Number((await db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
			return out;
		} finally {
			await db.close();
		}
	}

	it('écriture groupée coupée par l’arrêt du serveur : erreur en français qui dit quoi faire, rien d’écrit ; refaite au retour, elle passe', async () => {
		await withRegister(async (register) => {
			await register.put('clause', 'avant', { n: 1 }, 'essai');
		});
		const before = await counts();
		const register = await openRegisterWith(registerSettings(credential));
		let caught: unknown;
		try {
			await register.transaction(async (tx) => {
				await tx.put('clause', 'coupee', { n: 2 }, 'essai');
				await tx.recordReport('coupee', '2026-10', [{ hours: 7, data: { a: 1 } }], 'essai');
				stop(); // arrêt « fast » : les sessions en cours sont terminées
				await tx.recordReport('coupee', '2026-11', [{ hours: 8, data: { a: 2 } }], 'essai');
			});
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(RegisterError);
		const error = caught as RegisterError;
		expect(error.message).toMatch(new RegExp(`^connexion au serveur PostgreSQL 127\\.0\\.0\\.1:${pg.port} perdue en cours d’exécution`));
		expect(error.correction).toMatch(/relancez le workflow/);
		expect(`${error.message} ${error.correction}`).not.toMatch(/terminating|Connection|administrator/);

		// Serveur toujours arrêté : la connexion suivante est refusée, en français aussi.
		const refused = await register.put('clause', 'pendant', { n: 3 }).catch((e: unknown) => e);
		expect(refused).toBeInstanceOf(RegisterError);
		expect((refused as RegisterError).message).toMatch(/injoignable \(connexion refusée\)/);

		await start();
		// Rien de la transaction coupée : ni fiche, ni relevé, ni historique.
		expect(await counts()).toEqual(before);
		// La même réserve de connexions reprend d'elle-même ; l'écriture refaite passe, en version 1.
		await register.transaction(async (tx) => {
			await tx.put('clause', 'coupee', { n: 2 }, 'essai');
			await tx.recordReport('coupee', '2026-10', [{ hours: 7, data: { a: 1 } }], 'essai');
			await tx.recordReport('coupee', '2026-11', [{ hours: 8, data: { a: 2 } }], 'essai');
		});
		expect((await register.versions('clause', 'coupee')).map((r) => r.version)).toEqual([1]);
		expect((await register.monthHours(['coupee'])).map((m) => [m.month, m.hours, m.version])).toEqual([
			['2026-10', 7, 1],
			['2026-11', 8, 1],
		]);
		await register.close();
	});

	const SMTP = () => ({ host: '127.0.0.1', port: sink.port, securite: 'aucune', expediteurNom: 'Mission clauses sociales', expediteurEmail: SENDER });
	const node = (type: string, parameters: INodeParameters) => ({
		type,
		parameters,
		credentials: { clausesRegistreApi: { id: 'registre', name: 'Registre des clauses' }, clausesSocialesSmtpApi: { id: 'smtp', name: 'SMTP' } },
	});
	const reminder = () =>
		runNode(
			node('clauseReminder', { mode: 'envoyer', dateReference: '2026-11-02', signature: 'La mission clauses sociales', options: { bailEnvoi: LEASE_SECONDS, debitParSeconde: 0, joindreModele: false } }),
			[{}],
			{ credentials: { clausesRegistreApi: credential, clausesSocialesSmtpApi: SMTP() } },
		);
	const envoi = (item: INodeExecutionData) => item.json.envoi as { statut: string; cle?: string };

	/** Clauses et relevés d'exemple inscrits au registre, plus des copies des clauses (autres marchés) pour un lot plus long. */
	async function fill(): Promise<void> {
		const clauses = sample('registre-clauses.json');
		const copies = [1, 2].flatMap((n) => clauses.map((c): IDataObject => ({ ...c, marche: `${String(c.marche)}-C${n}` })));
		await withRegister(async (register) => {
			for (const clause of [...clauses, ...copies]) await register.put('clause', clauseKey({ marche: String(clause.marche), lot: String(clause.lot) }), clause, 'essai');
			const months = new Map<string, IDataObject[]>();
			for (const line of sample('releves-2026.json')) {
				const key = `${clauseKey({ marche: String(line.marche), lot: String(line.lot) })}\u0000${String(line.mois)}`;
				months.set(key, [...(months.get(key) ?? []), line]);
			}
			for (const [key, month] of months) {
				const [clause, mois] = key.split('\u0000');
				await register.recordReport(clause, mois, month.map((l) => ({ hours: Number(l.heuresMois), data: l })), 'essai');
			}
		});
	}

	const received = () => {
		const byId = new Map<string, number>();
		for (const m of sink.mails) byId.set(String(m.parsed.messageId), (byId.get(String(m.parsed.messageId)) ?? 0) + 1);
		return byId;
	};

	it('relance en envoi coupée au milieu du lot : erreur « Registre des clauses » sur l’exécution, plus rien n’est envoyé ; au retour, la reprise n’envoie que le reste, l’envoi réservé avant la coupure part une fois ou est « incertain »', async () => {
		await fill();
		const running = reminder();
		const k = 4;
		const deadline = Date.now() + 60_000;
		while (sink.mails.length < k) {
			if (Date.now() > deadline) throw new Error(`Moins de ${k} relances reçues après 60 s`);
			await new Promise((r) => setTimeout(r, 10));
		}
		stop();
		const cut = await running;
		const stoppedAt = sink.mails.length;
		const error = cut.error('Nœud testé');
		expect(error?.message).toMatch(/^Registre des clauses : (connexion au serveur PostgreSQL .* perdue en cours d’exécution|serveur PostgreSQL .* injoignable)/);
		expect(error?.message).toMatch(/envois interrompus$/);
		expect(String((error as { description?: string }).description)).toMatch(/relancez le workflow/);
		// Plus aucune réservation après la coupure : rien n'arrive au serveur SMTP ensuite.
		await new Promise((r) => setTimeout(r, 1500));
		expect(sink.mails.length).toBe(stoppedAt);
		const before = received();

		await start();
		await new Promise((r) => setTimeout(r, LEASE_SECONDS * 1000 + 500)); // bail expiré
		const rerun = await reminder();
		expect(rerun.error('Nœud testé')).toBeUndefined();
		const statuses = new Map(rerun.items.filter((i) => envoi(i).cle).map((i) => [messageIdFor(envoi(i).cle!, SENDER), envoi(i).statut]));
		const due = new Set(statuses.keys());
		expect(due.size).toBeGreaterThan(k + 4);
		expect(before.size).toBeLessThan(due.size);
		const after = received();
		const incertains = [...statuses].filter(([, s]) => s === 'incertain');
		expect(incertains.length).toBeLessThanOrEqual(2);
		// Rien de perdu, rien d'inattendu ; « incertain » reçu deux fois au plus.
		expectEachDueMailOnce(due, statuses, before, after);
		const messages = await withRegister((register) => register.messages());
		expect(new Set(messages.filter((m) => m.status === 'envoyé').map((m) => m.messageId))).toEqual(due);
		expect(messages.every((m) => m.status === 'envoyé')).toBe(true);
	});

	it('réception des relevés, serveur arrêté : erreur en français, rien d’écrit ; au retour, les relevés sont enregistrés une fois', async () => {
		await fill();
		const before = await counts();
		const lines: IDataObject[] = [
			{ marche: '2025-TRX-031', lot: '9', mois: '2026-10', participant: '031-9-P01', categoriePublic: 'Bénéficiaire du RSA', modalite: 'Embauche directe', typeContrat: 'CDD', heuresMois: 12 },
			{ marche: '2025-TRX-031', lot: '9', mois: '2026-10', participant: '031-9-P02', categoriePublic: 'jeune', modalite: 'embauche directe', typeContrat: 'CDD', heuresMois: 10 },
		];
		const intake = () =>
			runNode(node('clauseReportIntake', { mode: 'apercu', sourceReleves: 'elements', dateReception: '2026-11-05', signature: 'La mission clauses sociales' }), lines, {
				credentials: { clausesRegistreApi: credential, clausesSocialesSmtpApi: SMTP() },
			});
		stop();
		const down = await intake();
		const message = down.error('Nœud testé')?.message ?? '';
		expect(message).toMatch(/^Registre des clauses : serveur PostgreSQL 127\.0\.0\.1:\d+ injoignable \(connexion refusée\)/);
		await start();
		expect(await counts()).toEqual(before);
		const back = await intake();
		expect(back.error('Nœud testé')).toBeUndefined();
		expect(back.items[0].json.versionsRegistre).toEqual({ '2026-10': 1 });
		const key = clauseKey({ marche: '2025-TRX-031', lot: '9' });
		const october = await withRegister(async (register) => (await register.reportLines({ clauseKey: key, allVersions: true })).filter((l) => l.month === '2026-10'));
		expect(october.map((l) => l.version)).toEqual([1, 1]);
	});
});
