/**
 * Envoi « une seule fois » sur un vrai registre (SQLite et PostgreSQL) et un
 * vrai serveur SMTP : nombre de validations du registre par courriel, nombre
 * de courriels « en cours » à chaque validation (ce qu'un arrêt brutal
 * laisserait d'incertain), et arrêt entre l'issue d'un envoi et la réservation
 * suivante qui devait la valider.
 */
import type { SmtpSettings } from '../../nodes/adapters';
import { messageIdFor } from '../../nodes/adapters';
import type { Database, Dialect, Queryable, RunResult, SqlValue } from '../../nodes/adapters/register';
import { Register } from '../../nodes/adapters/register';
import type { KeyedMail } from '../../nodes/shared/send-once';
import { sendOnceWith } from '../../nodes/shared/send-once';
import { CONNECTIONS, connect, freshRegisterLocation } from '../helpers/registers';
import { SmtpSink } from '../helpers/smtp-sink';

const SENDER = 'clauses-sociales@collectivite.example.test';
const MAILS = 40;

/**
 * Le registre tel que le voit l'envoi, qui compte ses validations : une requête
 * d'écriture hors transaction est validée seule, une transaction l'est une fois.
 * Après chaque validation, relève le nombre d'envois « en cours ». `stopAt` :
 * numéro de la transaction où le processus « s'arrête » (plus rien n'est écrit).
 */
class WatchedDatabase implements Database {
	readonly dialect: Dialect;
	validations = 0;
	transactions = 0;
	maxInProgress = 0;
	stopped = false;

	constructor(
		private readonly inner: Database,
		private readonly stopAt?: number,
	) {
		this.dialect = inner.dialect;
	}

	private alive(): void {
		if (this.stopped) throw new Error('arrêt brutal simulé');
	}

	private async validated(): Promise<void> {
		this.validations += 1;
		const rows = await this.inner.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM messages WHERE status = ?', ['en cours']);
		this.maxInProgress = Math.max(this.maxInProgress, Number(rows[0]?.n ?? 0));
	}

	async query<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T[]> {
		this.alive();
		return this.inner.query<T>(sql, params);
	}

	async run(sql: string, params?: SqlValue[]): Promise<RunResult> {
		this.alive();
		const result = await this.inner.run(sql, params);
		await this.validated();
		return result;
	}

	async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
		this.alive();
		this.transactions += 1;
		if (this.transactions === this.stopAt) {
			// Arrêt avant que cette transaction ne soit validée : rien de ce qu'elle portait n'est écrit.
			this.stopped = true;
			this.alive();
		}
		const result = await this.inner.transaction(fn);
		await this.validated();
		return result;
	}

	close(): Promise<void> {
		return this.inner.close();
	}
}

function smtpOf(sink: SmtpSink): SmtpSettings {
	return { host: '127.0.0.1', port: sink.port, securite: 'aucune', expediteurEmail: SENDER };
}

function mails(n: number): KeyedMail[] {
	return Array.from({ length: n }, (_, i) => ({
		key: `relance|M${i}|1|2026-10|1`,
		mail: { to: [`titulaire${i}@example.test`], subject: `Relance ${i}`, text: `Relance ${i}`, html: `<p>Relance ${i}</p>` },
	}));
}

describe.each(CONNECTIONS)('envoi une seule fois, registre $name', ({ dialect, thread }) => {
	let sink: SmtpSink;
	const opened: Register[] = [];
	beforeEach(async () => {
		sink = await new SmtpSink().start();
	});
	afterEach(async () => {
		await sink.stop();
		for (const r of opened.splice(0)) await r.close().catch(() => undefined);
	});

	async function open(location: ReturnType<typeof freshRegisterLocation>, options: { stopAt?: number; now?: () => Date } = {}) {
		const db = new WatchedDatabase(await connect(dialect, location, { thread }), options.stopAt);
		const register = await Register.open(db, { now: options.now });
		opened.push(register);
		db.validations = 0;
		db.transactions = 0;
		return { db, register };
	}

	test(`${MAILS} courriels : chacun reçu une fois et consigné envoyé ; jamais plus de deux « en cours » ; ${dialect === 'sqlite' ? 'une validation par courriel (l’issue part avec la réservation suivante)' : 'deux validations par courriel'}`, async () => {
		const { db, register } = await open(freshRegisterLocation(dialect));
		const outcomes = await sendOnceWith(smtpOf(sink), register, mails(MAILS), { debitParSeconde: 0, nature: 'relance' });
		expect([...outcomes.values()].every((o) => typeof o === 'object' && o.ok)).toBe(true);
		expect(sink.mails).toHaveLength(MAILS);
		expect(new Set(sink.mails.map((m) => m.parsed.messageId))).toEqual(new Set(mails(MAILS).map((m) => messageIdFor(m.key, SENDER))));
		// Toutes les issues validées avant la fin, la dernière comprise.
		const rows = await register.messages();
		expect(rows.map((r) => r.status)).toEqual(Array(MAILS).fill('envoyé'));
		expect(rows.every((r) => r.response?.startsWith('250'))).toBe(true);
		// Un arrêt brutal laisserait au plus deux courriels incertains, comme avant.
		expect(db.maxInProgress).toBeLessThanOrEqual(2);
		if (dialect === 'sqlite') {
			// Avant : deux validations par courriel (réservation, puis issue), soit 80.
			expect(db.validations).toBeLessThanOrEqual(MAILS + 3);
			expect(db.validations).toBeGreaterThanOrEqual(MAILS);
		} else {
			expect(db.validations).toBe(2 * MAILS);
		}
	});

	test('refus temporaire et refus définitif : réservation libérée pour l’un, échec consigné avec sa raison pour l’autre, même quand l’issue part avec la réservation suivante', async () => {
		await sink.stop();
		sink = await new SmtpSink({ deferRecipients: ['titulaire3@example.test'], rejectRecipients: ['titulaire5@example.test'] }).start();
		const { db, register } = await open(freshRegisterLocation(dialect));
		const outcomes = await sendOnceWith(smtpOf(sink), register, mails(10), { debitParSeconde: 0, nature: 'relance' });
		const keys = mails(10).map((m) => m.key);
		expect(outcomes.get(keys[3])).toMatchObject({ ok: false, temporaire: true });
		expect(outcomes.get(keys[5])).toMatchObject({ ok: false, temporaire: false, code: 'SMTP 550' });
		expect(await register.message(keys[3])).toBeUndefined();
		expect(await register.message(keys[5])).toMatchObject({ status: 'échec', code: 'SMTP 550', error: expect.stringContaining('refus définitif') });
		expect((await register.messages()).filter((r) => r.status === 'envoyé')).toHaveLength(8);
		expect(db.maxInProgress).toBeLessThanOrEqual(2);
	});

	test('arrêt entre l’envoi d’un courriel et la réservation suivante qui devait valider son issue : renvoyé à la reprise sous le même Message-ID, signalé incertain ; aucun perdu, au plus deux incertains', async () => {
		const location = freshRegisterLocation(dialect);
		// SQLite : la 6e transaction est une réservation qui porte l'issue d'un courriel déjà parti.
		// PostgreSQL : aucune transaction, l'arrêt ne vient pas ; tout part du premier coup.
		const first = await open(location, { stopAt: 6 });
		const batch = mails(20);
		const run = sendOnceWith(smtpOf(sink), first.register, batch, { debitParSeconde: 0, nature: 'relance', bailSecondes: 1 });
		if (dialect === 'sqlite') await expect(run).rejects.toThrow('arrêt brutal simulé');
		else await run;
		const receivedBefore = sink.mails.length;
		expect(receivedBefore).toBeGreaterThan(0);

		// Reprise par une autre exécution, une heure plus tard (bail expiré).
		const later = new Date(Date.now() + 3600_000);
		const second = await open(location, { now: () => later });
		const outcomes = await sendOnceWith(smtpOf(sink), second.register, batch, { debitParSeconde: 0, nature: 'relance', bailSecondes: 1 });
		const counts = new Map<string, number>();
		for (const m of sink.mails) counts.set(String(m.parsed.messageId), (counts.get(String(m.parsed.messageId)) ?? 0) + 1);
		expect(new Set(counts.keys())).toEqual(new Set(batch.map((m) => messageIdFor(m.key, SENDER))));
		const uncertain = batch.filter((m) => {
			const o = outcomes.get(m.key);
			return typeof o === 'object' && o.incertain === true;
		});
		for (const m of batch) {
			const count = counts.get(messageIdFor(m.key, SENDER));
			// Un doublon n'est admis que signalé incertain, sous le même identifiant.
			if (count !== 1) expect({ key: m.key, count, incertain: uncertain.includes(m) }).toEqual({ key: m.key, count: 2, incertain: true });
		}
		if (dialect === 'sqlite') {
			// Le courriel parti dont l'issue attendait la réservation arrêtée est renvoyé, incertain.
			expect(uncertain.length).toBeGreaterThanOrEqual(1);
			expect(uncertain.length).toBeLessThanOrEqual(2);
			expect(uncertain.some((m) => counts.get(messageIdFor(m.key, SENDER)) === 2)).toBe(true);
		} else {
			expect(uncertain).toHaveLength(0);
		}
		expect((await second.register.messages()).every((r) => r.status === 'envoyé')).toBe(true);
	});
});
