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

import type { Database, Queryable, RunResult, SqlValue } from './database';
import { RegisterError } from './database';

export interface SqliteOptions {
	/** Chemin du fichier ; `:memory:` pour une base en mémoire (tests). */
	file: string;
	/** Attente maximale d'un verrou tenu par un autre processus (ms). */
	busyTimeoutMs?: number;
}

function loadSqlite(): typeof import('node:sqlite') {
	const getBuiltin = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
	const mod = getBuiltin?.('node:sqlite');
	if (!mod) {
		throw new RegisterError(
			`le registre SQLite exige Node.js 22.13 ou plus récent (module node:sqlite) ; ce n8n tourne sur Node ${process.versions.node}`,
			'Mettez n8n à jour (n8n 2.x exige Node 24), ou choisissez PostgreSQL dans l’identifiant « Registre des clauses ».',
		);
	}
	return mod as typeof import('node:sqlite');
}

/** Requêtes préparées gardées par connexion. */
const STATEMENT_CACHE_SIZE = 200;

export class SqliteDatabase implements Database {
	readonly dialect = 'sqlite' as const;

	private readonly db: DatabaseSyncType;

	private queue: Promise<unknown> = Promise.resolve();

	/**
	 * Requêtes préparées, gardées par leur texte (les plus anciennes écartées au-delà de
	 * STATEMENT_CACHE_SIZE). node:sqlite ne garde que celles des gabarits étiquetés
	 * (createTagStore), alors que le registre bâtit ses requêtes groupées. Mesure
	 * (bench/ecriture-registre.mjs, 150 000 lignes de relevé par INSERT de 1 000 lignes, médianes
	 * de 5 tours, deux passages sur machine chargée) : 209 et 238 ms préparées à chaque paquet,
	 * 104 et 100 ms préparées une fois.
	 */
	private readonly statements = new Map<string, StatementSync>();

	private constructor(readonly options: SqliteOptions) {
		const { DatabaseSync } = loadSqlite();
		if (options.file !== ':memory:') mkdirSync(path.dirname(options.file), { recursive: true });
		try {
			this.db = new DatabaseSync(options.file);
		} catch (error) {
			throw new RegisterError(
				`ouverture du registre SQLite « ${options.file} » impossible : ${(error as Error).message}`,
				'Vérifiez le chemin du fichier et les droits d’écriture de n8n sur son dossier.',
			);
		}
		this.db.exec('PRAGMA busy_timeout = 0');
	}

	/** Ouvre le fichier et règle la connexion (journal WAL, écriture durable). */
	static async open(options: SqliteOptions): Promise<SqliteDatabase> {
		const database = new SqliteDatabase(options);
		await database.retry(() => {
			database.db.exec('PRAGMA journal_mode = WAL');
			database.db.exec('PRAGMA synchronous = FULL');
			database.db.exec('PRAGMA foreign_keys = ON');
		});
		return database;
	}

	/** Refait `fn` tant que la base est verrouillée par une autre connexion, sans bloquer Node. */
	private async retry<T>(fn: () => T): Promise<T> {
		const deadline = Date.now() + (this.options.busyTimeoutMs ?? 30000);
		let pause = 1;
		for (;;) {
			try {
				return fn();
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

	private statement(sql: string): StatementSync {
		let prepared = this.statements.get(sql);
		if (prepared === undefined) {
			if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.delete(this.statements.keys().next().value as string);
			prepared = this.db.prepare(sql);
			this.statements.set(sql, prepared);
		}
		return prepared;
	}

	private all<T>(sql: string, params: SqlValue[]): T[] {
		return this.statement(sql).all(...params) as T[];
	}

	private write(sql: string, params: SqlValue[]): RunResult {
		return { changes: Number(this.statement(sql).run(...params).changes) };
	}

	/** Dans une transaction : le verrou est déjà tenu, pas de nouvel essai. */
	private direct: Queryable = {
		dialect: 'sqlite',
		query: async <T>(sql: string, params: SqlValue[] = []) => this.all<T>(sql, params),
		run: async (sql: string, params: SqlValue[] = []) => this.write(sql, params),
	};

	/** Hors transaction, une requête attend la fin de la transaction en cours sur cette connexion. */
	async query<T = Record<string, unknown>>(sql: string, params: SqlValue[] = []): Promise<T[]> {
		return this.serial(() => this.retry(() => this.all<T>(sql, params)));
	}

	async run(sql: string, params: SqlValue[] = []): Promise<RunResult> {
		return this.serial(() => this.retry(() => this.write(sql, params)));
	}

	async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
		return this.serial(async () => {
			await this.retry(() => this.db.exec('BEGIN IMMEDIATE'));
			try {
				const result = await fn(this.direct);
				this.db.exec('COMMIT');
				return result;
			} catch (error) {
				if (this.db.isTransaction) this.db.exec('ROLLBACK');
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
		this.statements.clear();
		if (this.db.isOpen) this.db.close();
	}
}
