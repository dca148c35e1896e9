/**
 * Accès au registre des clauses : une même interface pour SQLite (fichier
 * local, module `node:sqlite` intégré à Node 24, sans dépendance) et
 * PostgreSQL (instances partagées, exigé par le mode file d'attente de n8n).
 * Les requêtes s'écrivent avec des `?` ; l'adaptateur PostgreSQL les numérote.
 */
export type Dialect = 'sqlite' | 'postgres';

export type SqlValue = string | number | null;

export interface RunResult {
	changes: number;
}

export interface Queryable {
	readonly dialect: Dialect;
	query<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T[]>;
	run(sql: string, params?: SqlValue[]): Promise<RunResult>;
}

export interface Database extends Queryable {
	/** Exécute `fn` dans une transaction (verrou d'écriture pris dès le début) : tout ou rien. */
	transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
	close(): Promise<void>;
}

/** Erreur du registre, en français, avec la correction attendue. */
export class RegisterError extends Error {
	constructor(
		message: string,
		readonly correction: string,
	) {
		super(message);
		this.name = 'RegisterError';
	}
}

/** `?` → `$1, $2…` pour PostgreSQL (les requêtes du registre n'ont pas de `?` dans leurs textes littéraux). */
export function numberPlaceholders(sql: string): string {
	let n = 0;
	return sql.replace(/\?/g, () => `$${++n}`);
}
