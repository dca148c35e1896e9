// Sauvegarde et restauration du registre des clauses (scripts/registre-sauvegarde.sh).
//
// SQLite : `VACUUM INTO` (copie cohérente, prise pendant que n8n écrit : la
// lecture voit un instantané), vérifiée par `PRAGMA integrity_check`.
// PostgreSQL : pg_dump au format « custom » du seul schéma du registre, et
// pg_restore en une transaction (tout ou rien), par les binaires du paquet
// Debian de PostgreSQL (ceux de scripts/lib/postgres.cjs), sinon ceux du PATH.
// Connexion PostgreSQL par les variables habituelles PGHOST, PGPORT, PGUSER,
// PGPASSWORD (ou ~/.pgpass), PGDATABASE.
//
// Rien n'est jamais écrasé : une sauvegarde refuse un fichier qui existe ; une
// restauration refuse un registre existant, sauf `--remplacer`, qui garde
// l'ancien à côté (fichier ou schéma renommé « …_avant_<date> »).
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const TABLES = ['schema_migrations', 'records', 'report_lines', 'messages', 'history'];

class UsageError extends Error {}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');

function sqliteModule() {
	return process.getBuiltinModule('node:sqlite');
}

function checkSqlite(file) {
	const { DatabaseSync } = sqliteModule();
	const db = new DatabaseSync(file, { readOnly: true });
	try {
		const integrity = db.prepare('PRAGMA integrity_check').all();
		if (integrity.length !== 1 || integrity[0].integrity_check !== 'ok') throw new Error(`« ${file} » est endommagé (PRAGMA integrity_check : ${JSON.stringify(integrity).slice(0, 300)})`);
		const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name));
		const missing = TABLES.filter((t) => !tables.has(t));
		if (missing.length) throw new Error(`« ${file} » n’est pas un registre des clauses (tables absentes : ${missing.join(', ')})`);
		return { version: Number(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get().v), counts: Object.fromEntries(TABLES.map((t) => [t, Number(db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get().n)])) };
	} finally {
		db.close();
	}
}

function backupSqlite(source, destination) {
	if (!fs.existsSync(source)) throw new Error(`registre SQLite « ${source} » introuvable : vérifiez le chemin (par défaut ~/.n8n/clauses-sociales.sqlite de l’utilisateur de n8n)`);
	if (fs.existsSync(destination)) throw new Error(`« ${destination} » existe déjà : choisissez un autre nom (une sauvegarde n’en écrase jamais une autre)`);
	fs.mkdirSync(path.dirname(path.resolve(destination)), { recursive: true });
	const { DatabaseSync } = sqliteModule();
	const db = new DatabaseSync(source);
	try {
		db.exec('PRAGMA busy_timeout = 30000');
		db.prepare('VACUUM INTO ?').run(path.resolve(destination));
	} finally {
		db.close();
	}
	return checkSqlite(destination);
}

function restoreSqlite(backup, target, { replace }) {
	const info = checkSqlite(backup);
	let kept;
	if (fs.existsSync(target)) {
		if (!replace) throw new Error(`le registre « ${target} » existe : arrêtez n8n, puis relancez avec --remplacer (l’actuel est gardé à côté), ou restaurez vers un autre fichier`);
		kept = `${target}.avant-restauration-${stamp()}`;
		// L'ancien registre, journal WAL compris, est gardé tel quel.
		for (const suffix of ['', '-wal', '-shm']) if (fs.existsSync(target + suffix)) fs.renameSync(target + suffix, kept + suffix);
	}
	fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
	const partial = `${target}.restauration-en-cours`;
	fs.copyFileSync(backup, partial, fs.constants.COPYFILE_EXCL);
	fs.renameSync(partial, target);
	return { ...info, kept };
}

/** Dossier des binaires PostgreSQL du paquet Debian (même version que le serveur des tests et du mode file d'attente). */
function pgTool(name) {
	const base = '/usr/lib/postgresql';
	if (fs.existsSync(base)) {
		const versions = fs
			.readdirSync(base)
			.filter((v) => fs.existsSync(path.join(base, v, 'bin', name)))
			.sort((a, b) => Number(b) - Number(a));
		if (versions[0]) return path.join(base, versions[0], 'bin', name);
	}
	const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
	if (found) return found;
	throw new Error(`${name} introuvable : installez le paquet Debian « postgresql-client » (apt-get install postgresql-client), de la même version majeure que le serveur ou plus récente`);
}

function pgRun(tool, args, what) {
	const result = spawnSync(pgTool(tool), args, { encoding: 'utf8', env: process.env });
	if (result.status !== 0) {
		const detail = (result.stderr || result.stdout || '').trim().slice(-1500);
		if (/server version mismatch|aborting because of server version/i.test(detail)) {
			throw new Error(`${what} impossible : ${tool} est plus ancien que le serveur PostgreSQL. Installez le client PostgreSQL de la même version majeure que le serveur (paquet « postgresql-client-<version> »). Détail : ${detail}`);
		}
		if (/password authentication failed|no password supplied/i.test(detail)) throw new Error(`${what} impossible : authentification refusée ; vérifiez PGUSER et PGPASSWORD (ou ~/.pgpass). Détail : ${detail}`);
		if (/could not connect|Connection refused|connection to server/i.test(detail)) throw new Error(`${what} impossible : serveur PostgreSQL injoignable ; vérifiez PGHOST, PGPORT et que le serveur est démarré. Détail : ${detail}`);
		throw new Error(`${what} impossible (${tool}, code ${result.status}) : ${detail}`);
	}
	return result.stdout;
}

const psql = (sql) => pgRun('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], 'Lecture de la base');

function checkSchemaName(schema) {
	if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new UsageError(`nom de schéma « ${schema} » non valide (lettres minuscules, chiffres et « _ »)`);
}

function schemaExists(schema) {
	return psql(`SELECT 1 FROM pg_namespace WHERE nspname = '${schema}'`).trim() === '1';
}

function backupPostgres(schema, destination) {
	checkSchemaName(schema);
	if (fs.existsSync(destination)) throw new Error(`« ${destination} » existe déjà : choisissez un autre nom (une sauvegarde n’en écrase jamais une autre)`);
	if (!schemaExists(schema)) throw new Error(`schéma « ${schema} » absent de la base « ${process.env.PGDATABASE ?? process.env.PGUSER ?? ''} » : vérifiez PGDATABASE et le schéma de l’identifiant « Registre des clauses »`);
	fs.mkdirSync(path.dirname(path.resolve(destination)), { recursive: true });
	const partial = `${destination}.en-cours`;
	try {
		// Un instantané cohérent (pg_dump lit dans une seule transaction), pendant que n8n écrit.
		pgRun('pg_dump', ['--format=custom', `--schema=${schema}`, '--no-owner', '--no-privileges', `--file=${partial}`], 'Sauvegarde');
		fs.renameSync(partial, destination);
	} finally {
		fs.rmSync(partial, { force: true });
	}
	const listing = pgRun('pg_restore', ['--list', destination], 'Vérification de la sauvegarde');
	const missing = TABLES.filter((t) => !new RegExp(`TABLE DATA ${schema} ${t} `).test(listing));
	if (missing.length) throw new Error(`la sauvegarde « ${destination} » ne contient pas les tables ${missing.join(', ')} : le schéma « ${schema} » n’est pas un registre des clauses`);
	return { schema };
}

function restorePostgres(schema, backup, { replace }) {
	checkSchemaName(schema);
	if (!fs.existsSync(backup)) throw new Error(`sauvegarde « ${backup} » introuvable`);
	if (!process.env.PGDATABASE) throw new UsageError('indiquez la base de destination par PGDATABASE (celle de l’identifiant « Registre des clauses »)');
	const listing = pgRun('pg_restore', ['--list', backup], 'Lecture de la sauvegarde');
	if (!new RegExp(`SCHEMA - ${schema} `).test(listing)) throw new Error(`la sauvegarde « ${backup} » ne contient pas le schéma « ${schema} » : indiquez le schéma sauvegardé avec --schema`);
	let kept;
	if (schemaExists(schema)) {
		if (!replace) throw new Error(`le schéma « ${schema} » existe dans la base de destination : arrêtez n8n, puis relancez avec --remplacer (l’actuel est gardé sous un autre nom), ou restaurez dans une autre base (PGDATABASE)`);
		kept = `${schema}_avant_${stamp().replace('-', '_')}`.slice(0, 63);
		psql(`ALTER SCHEMA ${schema} RENAME TO ${kept}`);
	}
	try {
		// Une seule transaction : la restauration est complète, ou rien n'est restauré.
		pgRun('pg_restore', ['--single-transaction', '--exit-on-error', '--no-owner', '--no-privileges', `--dbname=${process.env.PGDATABASE ?? ''}`, backup], 'Restauration');
	} catch (error) {
		if (kept) psql(`ALTER SCHEMA ${kept} RENAME TO ${schema}`);
		throw error;
	}
	return { kept };
}

const USAGE = `Utilisation :
  scripts/registre-sauvegarde.sh sauvegarder --sqlite REGISTRE.sqlite SAUVEGARDE.sqlite
  scripts/registre-sauvegarde.sh restaurer   --sqlite SAUVEGARDE.sqlite REGISTRE.sqlite [--remplacer]
  scripts/registre-sauvegarde.sh sauvegarder --postgres SAUVEGARDE.dump [--schema clauses_sociales]
  scripts/registre-sauvegarde.sh restaurer   --postgres SAUVEGARDE.dump [--schema clauses_sociales] [--remplacer]
PostgreSQL : connexion par PGHOST, PGPORT, PGUSER, PGPASSWORD (ou ~/.pgpass) et PGDATABASE.`;

function main(argv) {
	const [command, ...rest] = argv;
	const flags = new Set(rest.filter((a) => a === '--sqlite' || a === '--postgres' || a === '--remplacer'));
	const schemaAt = rest.indexOf('--schema');
	const schema = schemaAt >= 0 ? rest[schemaAt + 1] : 'clauses_sociales';
	const positional = rest.filter((a, i) => !a.startsWith('--') && !(schemaAt >= 0 && i === schemaAt + 1));
	const replace = flags.has('--remplacer');
	if (!['sauvegarder', 'restaurer'].includes(command) || flags.has('--sqlite') === flags.has('--postgres')) throw new UsageError(USAGE);
	if (flags.has('--sqlite')) {
		if (positional.length !== 2) throw new UsageError(USAGE);
		const [a, b] = positional;
		if (command === 'sauvegarder') {
			const info = backupSqlite(a, b);
			return `Registre « ${a} » sauvegardé dans « ${b} » (schéma v${info.version} ; ${describe(info.counts)}).`;
		}
		const info = restoreSqlite(a, b, { replace });
		return `Registre « ${b} » restauré depuis « ${a} » (schéma v${info.version} ; ${describe(info.counts)}).${info.kept ? ` L’ancien registre est gardé : « ${info.kept} ».` : ''}`;
	}
	if (positional.length !== 1) throw new UsageError(USAGE);
	const [file] = positional;
	if (command === 'sauvegarder') {
		backupPostgres(schema, file);
		return `Schéma « ${schema} » de la base « ${process.env.PGDATABASE ?? ''} » sauvegardé dans « ${file} ».`;
	}
	const { kept } = restorePostgres(schema, file, { replace });
	return `Schéma « ${schema} » restauré dans la base « ${process.env.PGDATABASE ?? ''} » depuis « ${file} ».${kept ? ` L’ancien schéma est gardé sous le nom « ${kept} ».` : ''}`;
}

function describe(counts) {
	return `${counts.records} versions de fiches, ${counts.report_lines} lignes de relevé, ${counts.messages} envois, ${counts.history} entrées d’historique`;
}

module.exports = { backupSqlite, restoreSqlite, backupPostgres, restorePostgres, TABLES };

if (require.main === module) {
	try {
		process.stdout.write(`${main(process.argv.slice(2))}\n`);
	} catch (error) {
		process.stderr.write(error instanceof UsageError ? `${error.message}\n` : `Erreur : ${error.message}\n`);
		process.exit(error instanceof UsageError ? 2 : 1);
	}
}
