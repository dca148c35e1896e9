/**
 * Registre sur SQLite, par le module `node:sqlite` intégré à Node (n8n 2.x
 * tourne sur Node ≥ 24, où il ne demande ni option ni dépendance).
 *
 * - Journal WAL : les lecteurs ne bloquent pas l'écrivain ; `synchronous=FULL`
 *   pour qu'une écriture validée survive à une coupure de courant.
 * - Transactions `BEGIN IMMEDIATE` : le verrou d'écriture est pris d'entrée,
 *   si bien que deux exécutions (deux processus n8n) ne se croisent jamais au
 *   milieu d'une lecture-écriture. Un verrou tenu ailleurs est attendu sans
 *   bloquer Node (nouvel essai après une courte pause, jusqu'à `busyTimeoutMs`) :
 *   le `busy_timeout` de SQLite, lui, attend de façon synchrone et figerait
 *   l'exécution qui tient le verrou quand elle tourne dans le même processus
 *   (mesuré : deux connexions d'un même processus, 15 s perdues par transaction).
 * - Dans un même processus, les transactions d'une connexion passent l'une
 *   après l'autre (file d'attente), car l'API de `node:sqlite` est synchrone
 *   et une transaction peut attendre (await) entre deux requêtes.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DatabaseSync as DatabaseSyncType, StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';

import type { Database, Queryable, RunResult, SqlValue } from './database';
import { RegisterError } from './database';

export interface SqliteOptions {
	/** Chemin du fichier ; `:memory:` pour une base en mémoire (tests). */
	file: string;
	/** Attente maximale d'un verrou tenu par un autre processus (ms). */
	busyTimeoutMs?: number;
	/** Connexion dans un fil de travail : les validations ne bloquent pas Node (envois, une réservation par courriel). */
	thread?: boolean;
}

function loadSqlite(): typeof import('node:sqlite') {
	const getBuiltin = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
	const mod = getBuiltin?.('node:sqlite') as typeof import('node:sqlite') | undefined;
	if (!mod) {
		throw new RegisterError(
			`le registre SQLite exige Node.js 22.13 ou plus récent (module node:sqlite) ; ce n8n tourne sur Node ${process.versions.node}`,
			'Mettez n8n à jour (n8n 2.x exige Node 24), ou choisissez PostgreSQL dans l’identifiant « Registre des clauses ».',
		);
	}
	return mod;
}

/** Requêtes préparées gardées par connexion. */
const STATEMENT_CACHE_SIZE = 200;

/**
 * Ce que le registre demande à une connexion SQLite : dans ce fil (`LocalLink`),
 * ou dans un fil de travail (`ThreadLink`), qui valide sans bloquer Node.
 */
interface SqliteLink {
	exec(sql: string): void | Promise<void>;
	all<T>(sql: string, params: SqlValue[]): T[] | Promise<T[]>;
	run(sql: string, params: SqlValue[]): RunResult | Promise<RunResult>;
	/** Annule la transaction en cours, s'il y en a une. */
	rollback(): void | Promise<void>;
	close(): void | Promise<void>;
}

function openFailure(file: string, error: unknown): RegisterError {
	return new RegisterError(
		`ouverture du registre SQLite « ${file} » impossible : ${(error as Error).message}`,
		'Vérifiez le chemin du fichier et les droits d’écriture de n8n sur son dossier.',
	);
}

/** La connexion dans ce fil : chaque requête bloque Node le temps de son exécution (validation comprise). */
class LocalLink implements SqliteLink {
	private readonly db: DatabaseSyncType;

	/**
	 * Requêtes préparées, gardées par leur texte (les plus anciennes écartées au-delà de
	 * STATEMENT_CACHE_SIZE). node:sqlite ne garde que celles des gabarits étiquetés
	 * (createTagStore), alors que le registre bâtit ses requêtes groupées. Mesure
	 * (bench/ecriture-registre.mjs, 150 000 lignes de relevé par INSERT de 1 000 lignes, médianes
	 * de 5 tours, deux passages sur machine chargée) : 209 et 238 ms préparées à chaque paquet,
	 * 104 et 100 ms préparées une fois.
	 */
	private readonly statements = new Map<string, StatementSync>();

	constructor(file: string) {
		const { DatabaseSync } = loadSqlite();
		try {
			this.db = new DatabaseSync(file);
		} catch (error) {
			throw openFailure(file, error);
		}
		this.db.exec('PRAGMA busy_timeout = 0');
	}

	private statement(sql: string): StatementSync {
		let prepared = this.statements.get(sql);
		if (prepared === undefined) {
			if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.delete(this.statements.keys().next().value as string);
			prepared = this.db.prepare(sql);
			this.statements.set(sql, prepared);
		}
		return prepared;
	}

	exec(sql: string): void {
		this.db.exec(sql);
	}

	all<T>(sql: string, params: SqlValue[]): T[] {
		return this.statement(sql).all(...params) as T[];
	}

	run(sql: string, params: SqlValue[]): RunResult {
		return { changes: Number(this.statement(sql).run(...params).changes) };
	}

	rollback(): void {
		if (this.db.isTransaction) this.db.exec('ROLLBACK');
	}

	close(): void {
		this.statements.clear();
		if (this.db.isOpen) this.db.close();
	}
}

/**
 * Le programme du fil de travail : une connexion `node:sqlite` qui exécute les
 * demandes du fil principal une à une et répond à chacune (valeur, ou erreur
 * avec son code SQLite pour que le fil principal reconnaisse un verrou).
 * Écrit en JavaScript simple parce qu'un fil de travail lancé par `eval` ne voit
 * pas les modules du paquet : il n'importe que des modules de Node.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
let db;
try {
	db = new DatabaseSync(workerData.file);
	db.exec('PRAGMA busy_timeout = 0');
	parentPort.postMessage({ id: 0 });
} catch (error) {
	parentPort.postMessage({ id: 0, error: { message: error.message } });
}
const statements = new Map();
function statement(sql) {
	let prepared = statements.get(sql);
	if (prepared === undefined) {
		if (statements.size >= ${STATEMENT_CACHE_SIZE}) statements.delete(statements.keys().next().value);
		prepared = db.prepare(sql);
		statements.set(sql, prepared);
	}
	return prepared;
}
parentPort.on('message', ({ id, op, sql, params }) => {
	try {
		let value;
		if (op === 'exec') db.exec(sql);
		else if (op === 'all') value = statement(sql).all(...params);
		else if (op === 'run') value = { changes: Number(statement(sql).run(...params).changes) };
		else if (op === 'rollback') { if (db.isTransaction) db.exec('ROLLBACK'); }
		else if (op === 'close') { statements.clear(); if (db.isOpen) db.close(); }
		parentPort.postMessage({ id, value });
	} catch (error) {
		parentPort.postMessage({ id, error: { message: error.message, errcode: error.errcode, code: error.code } });
	}
});
`;

interface ThreadReply {
	id: number;
	value?: unknown;
	error?: { message: string; errcode?: number; code?: string };
}

/**
 * La connexion dans un fil de travail : la validation d'une transaction
 * (synchronous=FULL : attente de l'écriture sur disque) s'y fait pendant que
 * Node continue, par exemple à envoyer le courriel précédent. Chaque requête
 * coûte un aller-retour de message ; réservée aux écritures courtes et
 * nombreuses (une réservation par courriel), pas aux imports en masse.
 * Mesure : voir « Réservations SQLite dans un fil de travail » dans bench/RESULTATS-relance.md.
 */
class ThreadLink implements SqliteLink {
	private nextId = 1;

	private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

	/** Le fil s'est arrêté (fermeture, ou erreur) : toute demande est refusée aussitôt. */
	private stopped: Error | undefined;

	private constructor(private readonly worker: Worker) {
		worker.on('message', (reply: ThreadReply) => this.settle(reply));
		worker.on('error', (error) => this.failAll(error));
		worker.on('exit', () => this.failAll(new Error('fil de travail du registre SQLite arrêté')));
	}

	static async open(file: string): Promise<ThreadLink> {
		const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { file } });
		const link = new ThreadLink(worker);
		try {
			await new Promise<unknown>((resolve, reject) => link.pending.set(0, { resolve, reject }));
		} catch (error) {
			await worker.terminate();
			throw openFailure(file, error);
		}
		return link;
	}

	private settle({ id, value, error }: ThreadReply): void {
		const waiting = this.pending.get(id);
		if (!waiting) return;
		this.pending.delete(id);
		if (error) waiting.reject(Object.assign(new Error(error.message), { errcode: error.errcode, code: error.code }));
		else waiting.resolve(value);
	}

	private failAll(error: Error): void {
		this.stopped ??= error;
		for (const waiting of this.pending.values()) waiting.reject(error);
		this.pending.clear();
	}

	private call<T>(op: string, sql?: string, params?: SqlValue[]): Promise<T> {
		if (this.stopped) return Promise.reject(this.stopped);
		const id = this.nextId++;
		return new Promise<T>((resolve, reject) => {
			this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
			this.worker.postMessage({ id, op, sql, params });
		});
	}

	exec(sql: string): Promise<void> {
		return this.call('exec', sql);
	}

	all<T>(sql: string, params: SqlValue[]): Promise<T[]> {
		return this.call('all', sql, params);
	}

	run(sql: string, params: SqlValue[]): Promise<RunResult> {
		return this.call('run', sql, params);
	}

	rollback(): Promise<void> {
		return this.call('rollback');
	}

	async close(): Promise<void> {
		if (this.stopped) return;
		try {
			await this.call('close');
		} finally {
			await this.worker.terminate();
		}
	}
}

export class SqliteDatabase implements Database {
	readonly dialect = 'sqlite' as const;

	private queue: Promise<unknown> = Promise.resolve();

	private constructor(
		readonly options: SqliteOptions,
		private readonly link: SqliteLink,
	) {}

	/** Ouvre le fichier et règle la connexion (journal WAL, écriture durable). */
	static async open(options: SqliteOptions): Promise<SqliteDatabase> {
		if (options.file !== ':memory:') mkdirSync(path.dirname(options.file), { recursive: true });
		const link = options.thread && options.file !== ':memory:' ? await ThreadLink.open(options.file) : new LocalLink(options.file);
		const database = new SqliteDatabase(options, link);
		try {
			await database.retry(async () => {
				await link.exec('PRAGMA journal_mode = WAL');
				await link.exec('PRAGMA synchronous = FULL');
				await link.exec('PRAGMA foreign_keys = ON');
			});
		} catch (error) {
			await link.close();
			throw error;
		}
		return database;
	}

	/** Refait `fn` tant que la base est verrouillée par une autre connexion, sans bloquer Node. */
	private async retry<T>(fn: () => T | Promise<T>): Promise<T> {
		const deadline = Date.now() + (this.options.busyTimeoutMs ?? 30000);
		let pause = 1;
		for (;;) {
			try {
				return await fn();
			} catch (error) {
				const e = error as { errcode?: number; message?: string };
				const busy = (e.errcode !== undefined && (e.errcode & 0xff) === 5) || /database is locked|SQLITE_BUSY/.test(e.message ?? '');
				if (!busy) throw error;
				if (Date.now() > deadline) {
					throw new RegisterError(
						`registre SQLite « ${this.options.file} » occupé par une autre exécution depuis plus de ${Math.round((this.options.busyTimeoutMs ?? 30000) / 1000)} s`,
						'Relancez plus tard ; si cela se répète, passez le registre sur PostgreSQL (identifiant « Registre des clauses »).',
					);
				}
				await new Promise((resolve) => setTimeout(resolve, pause + Math.random() * pause));
				pause = Math.min(pause * 2, 50);
			}
		}
	}

	/** Dans une transaction : le verrou est déjà tenu, pas de nouvel essai. */
	private direct: Queryable = {
		dialect: 'sqlite',
		query: async <T>(sql: string, params: SqlValue[] = []) => this.link.all<T>(sql, params),
		run: async (sql: string, params: SqlValue[] = []) => this.link.run(sql, params),
	};

	/** Hors transaction, une requête attend la fin de la transaction en cours sur cette connexion. */
	async query<T = Record<string, unknown>>(sql: string, params: SqlValue[] = []): Promise<T[]> {
		return this.serial(() => this.retry(() => this.link.all<T>(sql, params)));
	}

	async run(sql: string, params: SqlValue[] = []): Promise<RunResult> {
		return this.serial(() => this.retry(() => this.link.run(sql, params)));
	}

	async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
		return this.serial(async () => {
			await this.retry(() => this.link.exec('BEGIN IMMEDIATE'));
			try {
				const result = await fn(this.direct);
				await this.link.exec('COMMIT');
				return result;
			} catch (error) {
				await this.link.rollback();
				throw error;
			}
		});
	}

	private serial<T>(fn: () => Promise<T>): Promise<T> {
		const next = this.queue.then(fn, fn);
		// La file ne garde pas le résultat de la dernière requête (`next.catch` le garderait jusqu'à la
		// requête suivante : toutes les heures du registre, pour la relance, pendant tout son calcul).
		this.queue = next.then(
			() => undefined,
			() => undefined,
		);
		return next;
	}

	async close(): Promise<void> {
		await this.queue;
		await this.link.close();
	}
}
