/**
 * Registres de test : SQLite (fichier temporaire) et PostgreSQL (le serveur
 * privé démarré par la préparation des tests ; une base neuve par appel).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Database } from '../../nodes/adapters/register';
import { PostgresDatabase, SqliteDatabase } from '../../nodes/adapters/register';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createDatabase } = require('../../scripts/lib/postgres.cjs') as { createDatabase: (pg: PgInfo, name: string) => void };

export type RegisterDialect = 'sqlite' | 'postgres';

export const DIALECTS: RegisterDialect[] = ['sqlite', 'postgres'];

/** Connexions à éprouver : chaque base, et SQLite dans un fil de travail (celle des envois). */
export const CONNECTIONS: Array<{ name: string; dialect: RegisterDialect; thread: boolean }> = [
	{ name: 'sqlite', dialect: 'sqlite', thread: false },
	{ name: 'sqlite dans un fil de travail', dialect: 'sqlite', thread: true },
	{ name: 'postgres', dialect: 'postgres', thread: false },
];

interface PgInfo {
	host: string;
	port: number;
	user: string;
	password: string;
	bin: string;
}

export function testPostgres(): PgInfo {
	const port = Number(process.env.CLAUSES_TEST_PG_PORT);
	if (!port) throw new Error('serveur PostgreSQL de test absent : la préparation des tests (global-setup) le démarre');
	return { host: '127.0.0.1', port, user: 'postgres', password: String(process.env.CLAUSES_TEST_PG_PASSWORD), bin: String(process.env.CLAUSES_TEST_PG_BIN) };
}

let counter = 0;

/** Un emplacement de registre neuf : fichier SQLite, ou base PostgreSQL créée pour l'occasion. */
export function freshRegisterLocation(dialect: RegisterDialect): { sqliteFile?: string; pgDatabase?: string } {
	counter += 1;
	if (dialect === 'sqlite') return { sqliteFile: path.join(mkdtempSync(path.join(tmpdir(), 'clauses-registre-')), 'registre.sqlite') };
	const name = `t_${process.pid}_${Date.now().toString(36)}_${counter}`;
	createDatabase(testPostgres(), name);
	return { pgDatabase: name };
}

/** Une connexion à cet emplacement (plusieurs connexions = plusieurs « processus »). */
export async function connect(dialect: RegisterDialect, location: { sqliteFile?: string; pgDatabase?: string }, options: { thread?: boolean } = {}): Promise<Database> {
	if (dialect === 'sqlite') return SqliteDatabase.open({ file: String(location.sqliteFile), thread: options.thread });
	const pg = testPostgres();
	return new PostgresDatabase({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: String(location.pgDatabase) });
}

/**
 * Données de l'identifiant « Registre des clauses » d'un nœud pour cet
 * emplacement (fichier SQLite, ou base du serveur PostgreSQL de test), à passer
 * à runNode (options.credentials.clausesRegistreApi).
 */
export function registerCredentialData(dialect: RegisterDialect, location: { sqliteFile?: string; pgDatabase?: string }): Record<string, string | number> {
	if (dialect === 'sqlite') return { base: 'sqlite', fichier: String(location.sqliteFile) };
	const pg = testPostgres();
	return { base: 'postgres', host: pg.host, port: pg.port, database: String(location.pgDatabase), user: pg.user, password: pg.password, schema: 'clauses_sociales', ssl: 'desactive' };
}
