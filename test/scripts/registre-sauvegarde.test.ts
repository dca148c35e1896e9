/**
 * Sauvegarde et restauration du registre (scripts/registre-sauvegarde.sh), sur
 * SQLite et sur PostgreSQL : un registre rempli (fiches en plusieurs versions,
 * fiche archivée, relevés corrigés, envois, historique) est sauvegardé pendant
 * qu'une écriture arrive, restauré ailleurs, et chaque table du registre
 * restauré a exactement les lignes de la sauvegarde. Le registre restauré
 * s'écrit ensuite normalement (compteurs repris). Rien n'est écrasé sans
 * --remplacer, et l'ancien registre est alors gardé.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { PostgresDatabase, Register } from '../../nodes/adapters/register';
import { PACKAGE_ROOT } from '../helpers/engine';
import type { RegisterDialect } from '../helpers/registers';
import { DIALECTS, connect, freshRegisterLocation, testPostgres } from '../helpers/registers';

jest.setTimeout(120_000);

const SCRIPT = path.join(PACKAGE_ROOT, 'scripts', 'registre-sauvegarde.sh');
const TABLES = ['schema_migrations', 'records', 'report_lines', 'messages', 'history'];
const SCHEMA = 'clauses_sociales';

type Location = { sqliteFile?: string; pgDatabase?: string };

function pgEnv(location: Location): NodeJS.ProcessEnv {
	const pg = testPostgres();
	return { ...process.env, PGHOST: pg.host, PGPORT: String(pg.port), PGUSER: pg.user, PGPASSWORD: pg.password, PGDATABASE: String(location.pgDatabase) };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const run = require('../helpers/run-script.cjs') as {
	runScript(script: string, args: string[], env?: NodeJS.ProcessEnv): { status: number | null; out: string };
	psql(pg: ReturnType<typeof testPostgres>, database: string, sql: string): string;
};

const script = (args: string[], env: NodeJS.ProcessEnv = process.env) => run.runScript(SCRIPT, args, env);

async function open(dialect: RegisterDialect, location: Location): Promise<Register> {
	if (dialect === 'sqlite') return Register.open(await connect(dialect, location), { execution: '42' });
	const pg = testPostgres();
	return Register.open(new PostgresDatabase({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: String(location.pgDatabase), schema: SCHEMA }), { execution: '42' }, SCHEMA);
}

/** Toutes les lignes de chaque table, dans un ordre stable (toutes les colonnes). */
async function dump(register: Register): Promise<Record<string, unknown[]>> {
	const out: Record<string, unknown[]> = {};
	for (const table of TABLES) {
		const rows = await register.db.query<Record<string, unknown>>(`SELECT * FROM ${table}`);
		const columns = rows[0] ? Object.keys(rows[0]).sort() : [];
		// Même représentation pour les deux bases (les entiers 64 bits de PostgreSQL arrivent en texte).
		const normal = rows.map((r) => columns.map((c) => (r[c] === null ? null : typeof r[c] === 'number' ? String(r[c]) : r[c])));
		normal.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
		out[table] = [columns, ...normal];
	}
	return out;
}

async function fill(register: Register): Promise<void> {
	for (let i = 0; i < 30; i++) await register.put('clause', `M-${i}`, { marche: `M-${i}`, heures: 100 + i }, 'classeur v1');
	for (let i = 0; i < 10; i++) await register.put('clause', `M-${i}`, { marche: `M-${i}`, heures: 200 + i }, 'classeur v2');
	await register.archive('clause', 'M-29', 'retrait');
	await register.put('marche', '2026-TRX-001', { objet: 'Réhabilitation « Les Tilleuls » — lot 1' });
	for (let i = 0; i < 10; i++) {
		await register.recordReport(`M-${i}`, '2026-10', [{ hours: 35, trainingHours: 4.5, data: { participant: `P${i}` } }], 'relevé');
		await register.recordReport(`M-${i}`, '2026-10', [{ hours: 36, data: { participant: `P${i}`, correction: true } }], 'correction');
	}
	for (let i = 0; i < 5; i++) {
		await register.claim(`relance|M-${i}|2026-11`, { kind: 'relance', leaseMs: 60_000, recipients: [`t${i}@example.test`] });
		if (i < 4) await register.markSent(`relance|M-${i}|2026-11`, { messageId: `<m${i}@example.test>`, response: '250 OK', accepted: [`t${i}@example.test`] });
	}
	await register.claim('relance|M-9|2026-11', { kind: 'relance', leaseMs: 60_000 });
	await register.markFailed('relance|M-9|2026-11', { code: '550', error: 'Destinataire inconnu' });
}

describe.each(DIALECTS)('sauvegarde et restauration du registre (%s)', (dialect) => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-sauvegarde-'));
	afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
	if (process.getuid?.() === 0) fs.chmodSync(dir, 0o755);

	const backupArgs = (source: Location, file: string) => (dialect === 'sqlite' ? ['sauvegarder', '--sqlite', String(source.sqliteFile), file] : ['sauvegarder', '--postgres', file]);
	const restoreArgs = (file: string, target: Location, extra: string[] = []) =>
		dialect === 'sqlite' ? ['restaurer', '--sqlite', file, String(target.sqliteFile), ...extra] : ['restaurer', '--postgres', file, ...extra];
	const env = (location: Location) => (dialect === 'sqlite' ? process.env : pgEnv(location));

	it('la restauration rend le même registre : chaque table, lignes, versions et historique compris ; il s’écrit ensuite normalement', async () => {
		const source = freshRegisterLocation(dialect);
		const register = await open(dialect, source);
		await fill(register);
		const file = path.join(dir, dialect === 'sqlite' ? 'registre-sauvegarde.sqlite' : 'registre.dump');
		// Sauvegarde prise pendant qu'une écriture est en cours dans une autre connexion.
		const writing = register.put('clause', 'pendant', { n: 1 }, 'pendant la sauvegarde');
		const saved = script(backupArgs(source, file), env(source));
		await writing;
		expect(saved.out).toMatch(/sauvegardé/);
		expect(saved.status).toBe(0);
		const expected = await dump(register);
		// La fiche écrite pendant la sauvegarde peut y être ou non (instantané) ; on la compare à part.
		const withoutConcurrent = (tables: Record<string, unknown[]>) => Object.fromEntries(Object.entries(tables).map(([t, rows]) => [t, rows.filter((r) => !JSON.stringify(r).includes('pendant'))]));
		await register.close();

		// Une sauvegarde n'en écrase jamais une autre.
		const again = script(backupArgs(source, file), env(source));
		expect(again.status).toBe(1);
		expect(again.out).toMatch(/existe déjà : choisissez un autre nom/);

		const target = freshRegisterLocation(dialect);
		const restored = script(restoreArgs(file, target), env(target));
		expect(restored.out).toMatch(/restauré/);
		expect(restored.status).toBe(0);
		const back = await open(dialect, target);
		try {
			const actual = await dump(back);
			expect(withoutConcurrent(actual)).toEqual(withoutConcurrent(expected));
			for (const table of TABLES) expect(actual[table].length).toBeGreaterThan(1);
			expect((await back.versions('clause', 'M-3')).map((r) => r.version)).toEqual([1, 2]);
			expect((await back.get('clause', 'M-29'))?.archived).toBe(true);
			expect((await back.message('relance|M-4|2026-11'))?.status).toBe('en cours');
			// Le registre restauré s'écrit : nouvelle version, nouvel historique à la suite.
			await back.put('clause', 'M-3', { marche: 'M-3', heures: 300 }, 'après restauration');
			expect((await back.versions('clause', 'M-3')).map((r) => r.version)).toEqual([1, 2, 3]);
			expect((await back.historyOf('clause', 'M-3')).map((h) => h.action)).toEqual(['création', 'modification', 'modification']);
		} finally {
			await back.close();
		}

		// Un registre existant n'est pas remplacé sans --remplacer ; avec, l'ancien est gardé.
		const refused = script(restoreArgs(file, target), env(target));
		expect(refused.status).toBe(1);
		expect(refused.out).toMatch(/existe.*--remplacer/);
		const replaced = script(restoreArgs(file, target, ['--remplacer']), env(target));
		expect(replaced.status).toBe(0);
		expect(replaced.out).toMatch(/L’ancien (registre|schéma) est gardé/);
		const final = await open(dialect, target);
		try {
			expect(withoutConcurrent(await dump(final))).toEqual(withoutConcurrent(expected));
		} finally {
			await final.close();
		}
		if (dialect === 'sqlite') {
			expect(fs.readdirSync(path.dirname(String(target.sqliteFile))).some((f) => f.startsWith('registre.sqlite.avant-restauration-'))).toBe(true);
		} else {
			const pg = testPostgres();
			const schemas = run.psql(pg, String(target.pgDatabase), "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'clauses_sociales%' ORDER BY 1");
			expect(schemas.trim().split('\n')).toEqual([SCHEMA, expect.stringMatching(/^clauses_sociales_avant_\d{8}_\d{6}$/)]);
		}
	});
});
