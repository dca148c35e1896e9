/**
 * Schéma du registre, versionné. Les migrations s'appliquent d'elles-mêmes à
 * l'ouverture, dans une transaction sous verrou (BEGIN IMMEDIATE pour SQLite,
 * verrou consultatif pour PostgreSQL) : deux workers qui démarrent ensemble
 * n'appliquent chacune qu'une fois ; une migration déjà passée n'est jamais
 * rejouée.
 */
import type { Database, Dialect, Queryable } from './database';

export interface Migration {
	version: number;
	description: string;
	statements: (dialect: Dialect) => string[];
}

/** Clé du verrou consultatif PostgreSQL des migrations (constante du paquet). */
const MIGRATION_LOCK = 735_120_2026;

const id = (d: Dialect) => (d === 'postgres' ? 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT');

export const MIGRATIONS: Migration[] = [
	{
		version: 1,
		description: 'fiches versionnées, lignes de relevé versionnées, envois, historique',
		statements: (d) => [
			// Marchés, lots (étude, fiche visa), clauses actives, facilitateurs, étapes de pénalité :
			// une ligne par version ; la version en vigueur est unique (index partiel).
			`CREATE TABLE records (
				kind TEXT NOT NULL,
				key TEXT NOT NULL,
				version INTEGER NOT NULL,
				current INTEGER NOT NULL,
				archived INTEGER NOT NULL DEFAULT 0,
				data TEXT NOT NULL,
				recorded_at TEXT NOT NULL,
				source TEXT,
				PRIMARY KEY (kind, key, version)
			)`,
			'CREATE UNIQUE INDEX records_current ON records (kind, key) WHERE current = 1',
			// Relevés : une version par clause et par mois ; une correction est une nouvelle version.
			`CREATE TABLE report_lines (
				clause_key TEXT NOT NULL,
				month TEXT NOT NULL,
				version INTEGER NOT NULL,
				line_no INTEGER NOT NULL,
				current INTEGER NOT NULL,
				hours DOUBLE PRECISION NOT NULL,
				training_hours DOUBLE PRECISION,
				data TEXT NOT NULL,
				received_at TEXT NOT NULL,
				source TEXT,
				PRIMARY KEY (clause_key, month, version, line_no)
			)`,
			'CREATE INDEX report_lines_current ON report_lines (clause_key, month) WHERE current = 1',
			// Envois : la clé unique est la réservation qui tient (jamais « lire puis écrire »).
			`CREATE TABLE messages (
				key TEXT PRIMARY KEY,
				kind TEXT,
				status TEXT NOT NULL,
				message_id TEXT,
				lease_until BIGINT,
				attempts INTEGER NOT NULL,
				claimed_at TEXT NOT NULL,
				sent_at TEXT,
				recipients TEXT,
				response TEXT,
				code TEXT,
				error TEXT,
				execution TEXT
			)`,
			`CREATE TABLE history (
				id ${id(d)},
				at TEXT NOT NULL,
				kind TEXT NOT NULL,
				key TEXT NOT NULL,
				action TEXT NOT NULL,
				detail TEXT,
				execution TEXT
			)`,
			'CREATE INDEX history_key ON history (kind, key)',
		],
	},
	{
		version: 2,
		description: 'saisies du relevé en ligne (numéro de formulaire à usage unique)',
		statements: () => [
			// Un formulaire affiché porte un numéro unique : enregistré avec le relevé, dans la même transaction ;
			// le même formulaire renvoyé (rejeu) ne trouve plus sa place. Ni nom ni donnée de participant ici.
			`CREATE TABLE online_submissions (
				nonce TEXT PRIMARY KEY,
				report_key TEXT NOT NULL,
				version INTEGER,
				submitted_at TEXT NOT NULL,
				execution TEXT
			)`,
			'CREATE INDEX online_submissions_at ON online_submissions (submitted_at)',
		],
	},
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

async function appliedVersion(q: Queryable): Promise<number | undefined> {
	try {
		const rows = await q.query<{ v: number | string | null }>('SELECT MAX(version) AS v FROM schema_migrations');
		return Number(rows[0]?.v ?? 0);
	} catch {
		return undefined;
	}
}

/**
 * Applique les migrations manquantes ; rend la version du schéma.
 * `migrations` : la liste du paquet (les tests y ajoutent une version future).
 * Un schéma plus récent que le paquet (mise à jour en cours : un worker encore
 * à l'ancienne version, la base déjà migrée par un autre) est accepté tel quel :
 * les migrations n'ajoutent que des tables, colonnes facultatives et index, que
 * l'ancienne version ignore.
 */
export async function migrate(db: Database, schema?: string, migrations: readonly Migration[] = MIGRATIONS): Promise<number> {
	const target = migrations[migrations.length - 1].version;
	// Chemin rapide : schéma à jour (ou plus récent), sans prendre de verrou.
	const seen = await appliedVersion(db);
	if (seen !== undefined && seen >= target) return seen;
	return db.transaction(async (tx) => {
		if (db.dialect === 'postgres') {
			await tx.query('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
			if (schema) await tx.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
		}
		await tx.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL, description TEXT NOT NULL)');
		// Relu sous le verrou : un autre processus a pu migrer pendant l'attente.
		const current = (await appliedVersion(tx)) ?? 0;
		for (const migration of migrations) {
			if (migration.version <= current) continue;
			for (const statement of migration.statements(db.dialect)) await tx.run(statement);
			await tx.run('INSERT INTO schema_migrations (version, applied_at, description) VALUES (?, ?, ?)', [migration.version, new Date().toISOString(), migration.description]);
		}
		return Math.max(current, target);
	});
}
