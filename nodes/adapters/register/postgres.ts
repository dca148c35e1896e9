/**
 * Registre sur PostgreSQL, par le client `pg` (pur JavaScript, embarqué dans
 * le paquet comme les autres bibliothèques). Une petite réserve de connexions
 * par exécution ; chaque transaction tient sa propre connexion.
 */
import type { Pool as PoolType, PoolClient } from 'pg';
import { Pool } from 'pg';

import type { Database, Queryable, RunResult, SqlValue } from './database';
import { RegisterError, numberPlaceholders } from './database';

export interface PostgresOptions {
	host: string;
	port: number;
	database: string;
	user: string;
	password?: string;
	/** Schéma des tables du registre (créé au besoin). */
	schema?: string;
	ssl?: 'desactive' | 'exige' | 'verifie';
	/** Certificat de l'autorité (PEM) pour `verifie`. */
	ca?: string;
	maxConnections?: number;
	connectTimeoutMs?: number;
}

function wrap(client: { query: PoolType['query'] }): Queryable {
	return {
		dialect: 'postgres',
		query: async <T>(sql: string, params: SqlValue[] = []) => (await client.query(numberPlaceholders(sql), params)).rows as T[],
		run: async (sql: string, params: SqlValue[] = []): Promise<RunResult> => ({ changes: (await client.query(numberPlaceholders(sql), params)).rowCount ?? 0 }),
	};
}

/** Clé du verrou d'écriture du registre (distincte de celle des migrations). */
const REGISTER_WRITE_LOCK = 735_120_2027;

/** Que faire après une coupure : la reprise ne refait rien de ce qui a été consigné. */
const RESUME =
	'Une fois le serveur PostgreSQL revenu, relancez le workflow : ce qui était déjà consigné au registre n’est pas refait ; un envoi interrompu est repris après le bail d’un envoi et signalé « incertain ».';

/**
 * Connexion perdue en cours d'exécution (serveur arrêté, redémarré, réseau
 * coupé). L'opération interrompue n'est pas validée : une transaction est
 * annulée en entier par PostgreSQL ; ce qui était validé avant reste.
 */
function connectionLost(server: string): RegisterError {
	return new RegisterError(
		`connexion au serveur PostgreSQL ${server} perdue en cours d’exécution (serveur arrêté, redémarré ou réseau coupé) : l’écriture en cours n’a pas été confirmée (une écriture groupée est annulée en entier)`,
		RESUME,
	);
}

export function describePostgresError(error: unknown, o: PostgresOptions): RegisterError {
	const e = error as { code?: string; message?: string };
	const server = `${o.host}:${o.port}`;
	switch (e.code) {
		case 'ECONNREFUSED':
			return new RegisterError(`serveur PostgreSQL ${server} injoignable (connexion refusée)`, `Vérifiez l’hôte, le port et que le serveur est démarré. ${RESUME}`);
		case 'ENOTFOUND':
		case 'EAI_AGAIN':
			return new RegisterError(`nom d’hôte PostgreSQL « ${o.host} » introuvable`, 'Vérifiez l’hôte de l’identifiant « Registre des clauses ».');
		case '28P01':
		case '28000':
			return new RegisterError(`authentification refusée par PostgreSQL ${server} pour l’utilisateur « ${o.user} »`, 'Vérifiez l’utilisateur et le mot de passe de l’identifiant.');
		case '3D000':
			return new RegisterError(`la base « ${o.database} » n’existe pas sur ${server}`, 'Créez la base (CREATE DATABASE) ou corrigez son nom dans l’identifiant.');
		case '42501':
			return new RegisterError(`droits insuffisants sur PostgreSQL ${server} : ${e.message ?? ''}`, 'Accordez à l’utilisateur le droit de créer des tables dans le schéma du registre.');
		case 'ECONNRESET':
		case 'EPIPE':
		case '57P01': // arrêt du serveur ou de la session par un administrateur
		case '57P02': // arrêt d'urgence du serveur
		case '57P03': // serveur en cours de démarrage ou d'arrêt
		case '08000':
		case '08003':
		case '08006':
			return connectionLost(server);
		default:
			if (/Connection terminated|not queryable|connection error|server closed the connection/i.test(e.message ?? '')) return connectionLost(server);
			if (/timeout/i.test(e.message ?? '')) return new RegisterError(`serveur PostgreSQL ${server} : délai de connexion dépassé`, 'Vérifiez l’hôte, le port et le pare-feu.');
			if (/SSL|TLS|certificate/i.test(e.message ?? '')) {
				return new RegisterError(`négociation TLS avec PostgreSQL ${server} impossible (${e.message})`, 'Vérifiez le mode TLS de l’identifiant et le certificat de l’autorité.');
			}
			return new RegisterError(`erreur PostgreSQL ${server} : ${e.message ?? String(error)}`, 'Vérifiez l’identifiant « Registre des clauses » et l’état du serveur.');
	}
}

export class PostgresDatabase implements Database {
	readonly dialect = 'postgres' as const;

	private readonly pool: PoolType;

	private readonly direct: Queryable;

	constructor(readonly options: PostgresOptions) {
		const schema = options.schema?.trim() || 'public';
		if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
			throw new RegisterError(`nom de schéma PostgreSQL « ${schema} » non valide`, 'Lettres minuscules, chiffres et « _ », sans espace (par exemple « clauses_sociales »).');
		}
		this.pool = new Pool({
			host: options.host,
			port: options.port,
			database: options.database,
			user: options.user,
			password: options.password,
			max: options.maxConnections ?? 4,
			connectionTimeoutMillis: options.connectTimeoutMs ?? 10000,
			ssl: options.ssl === 'exige' ? { rejectUnauthorized: false } : options.ssl === 'verifie' ? { rejectUnauthorized: true, ca: options.ca || undefined } : undefined,
			options: `-c search_path=${schema}`,
			application_name: 'n8n-nodes-clauses-sociales',
		});
		// Une connexion de la réserve perdue (serveur redémarré) ne doit pas faire tomber n8n.
		this.pool.on('error', () => undefined);
		this.direct = wrap(this.pool);
		this.schema = schema;
	}

	readonly schema: string;

	async query<T = Record<string, unknown>>(sql: string, params: SqlValue[] = []): Promise<T[]> {
		try {
			return await this.direct.query<T>(sql, params);
		} catch (error) {
			throw this.translate(error);
		}
	}

	async run(sql: string, params: SqlValue[] = []): Promise<RunResult> {
		try {
			return await this.direct.run(sql, params);
		} catch (error) {
			throw this.translate(error);
		}
	}

	async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
		let client: PoolClient;
		try {
			client = await this.pool.connect();
		} catch (error) {
			throw this.translate(error);
		}
		// Connexion perdue entre deux requêtes de la transaction (serveur arrêté) : le client
		// émet « error » ; sans écouteur, l'événement ferait tomber le processus n8n (mesuré,
		// test/register/panne-postgres.test.ts). La requête suivante échoue alors proprement.
		let lost: Error | undefined;
		const onError = (error: Error) => {
			lost = error;
		};
		client.on('error', onError);
		try {
			await client.query('BEGIN');
			// Verrou d'écriture du registre, pris dès le début comme BEGIN IMMEDIATE en SQLite :
			// les écritures se suivent, sans interblocage possible. Un verrou par clé écrite
			// (ce qui se faisait avant) épuisait la table des verrous de PostgreSQL : l'import
			// d'un classeur de 5 000 clauses (52 500 clés en une transaction) échouait sur
			// « out of shared memory » (max_locks_per_transaction = 64 par défaut), mesuré.
			await client.query('SELECT pg_advisory_xact_lock($1)', [REGISTER_WRITE_LOCK]);
			const result = await fn(wrap(client));
			await client.query('COMMIT');
			return result;
		} catch (error) {
			const translated = this.translate(error);
			if (!lost && translated instanceof RegisterError) lost = error as Error;
			if (!lost) await client.query('ROLLBACK').catch(() => undefined);
			throw translated;
		} finally {
			client.off('error', onError);
			// Un client dont la connexion est perdue est détruit, pas rendu à la réserve.
			client.release(lost);
		}
	}

	private translate(error: unknown): unknown {
		if (error instanceof RegisterError) return error;
		const code = (error as { code?: string }).code;
		// Erreurs de requête (contrainte, syntaxe) : gardées telles quelles pour l'appelant.
		if (code && /^(23|42P01|40)/.test(code)) return error;
		return describePostgresError(error, this.options);
	}

	async close(): Promise<void> {
		await this.pool.end();
	}
}
