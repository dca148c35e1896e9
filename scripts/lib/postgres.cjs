// Un serveur PostgreSQL privé pour les tests et le mode file d'attente : une
// grappe neuve (initdb) dans un dossier temporaire, écoutant sur 127.0.0.1
// seulement, avec mot de passe (scram-sha-256). Les binaires viennent du
// paquet Debian « postgresql » (installé par apt-get s'il manque et qu'on est
// root) ; PostgreSQL refuse de tourner en root : la grappe appartient alors à
// l'utilisateur système « postgres ».
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const PASSWORD = 'clauses-sociales';

function findBinDir() {
	const base = '/usr/lib/postgresql';
	if (!fs.existsSync(base)) return undefined;
	const versions = fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
	return versions[0] ? path.join(base, versions[0], 'bin') : undefined;
}

/** Dossier des binaires de PostgreSQL, installés par apt-get au besoin. */
function ensurePostgres() {
	let bin = findBinDir();
	if (bin) return bin;
	if (process.getuid?.() !== 0) {
		throw new Error('PostgreSQL est introuvable (/usr/lib/postgresql/*/bin) : installez le paquet « postgresql » (apt-get install postgresql).');
	}
	process.stderr.write('» PostgreSQL : installation du paquet Debian « postgresql »…\n');
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const install = () => spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'postgresql'], { stdio: 'inherit', env });
	if (install().status !== 0) {
		spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
		if (install().status !== 0) throw new Error('installation de PostgreSQL par apt-get impossible');
	}
	bin = findBinDir();
	if (!bin) throw new Error('PostgreSQL installé mais initdb introuvable');
	return bin;
}

function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

function asOwner(args, options = {}) {
	const root = process.getuid?.() === 0;
	const [cmd, ...rest] = root ? ['runuser', '-u', 'postgres', '--', ...args] : args;
	return execFileSync(cmd, rest, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

/**
 * Démarre une grappe neuve. Rend { host, port, user, password, database, dir, stop() }.
 * `settings` : paramètres du serveur en plus (écrits tels quels dans la ligne de commande).
 */
async function startPostgres({ port, settings = {}, dir } = {}) {
	const bin = ensurePostgres();
	const root = process.getuid?.() === 0;
	const dataDir = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-pg-'));
	const pwfile = path.join(dataDir, '.pw');
	const data = path.join(dataDir, 'data');
	fs.writeFileSync(pwfile, `${PASSWORD}\n`);
	if (root) execFileSync('chown', ['-R', 'postgres:postgres', dataDir]);
	if (!fs.existsSync(path.join(data, 'PG_VERSION'))) {
		asOwner([path.join(bin, 'initdb'), '-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C.UTF-8']);
	}
	const chosen = port ?? (await freePort());
	const opts = [`-p ${chosen}`, `-k ${dataDir}`, '-c listen_addresses=127.0.0.1', ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
	asOwner([path.join(bin, 'pg_ctl'), '-D', data, '-l', path.join(dataDir, 'server.log'), '-o', opts, '-w', '-t', '60', 'start']);
	const stop = () => {
		stopPostgres(dataDir);
		if (!dir) fs.rmSync(dataDir, { recursive: true, force: true });
	};
	const info = { host: '127.0.0.1', port: chosen, user: 'postgres', password: PASSWORD, database: 'postgres', dir: dataDir, bin };
	return { ...info, stop };
}

/**
 * Arrête la grappe du dossier `dataDir` (celui passé à startPostgres en `dir`),
 * lancée par ce processus ou par un autre (scripts/file-attente.sh stop).
 */
function stopPostgres(dataDir) {
	const bin = findBinDir();
	if (!bin || !fs.existsSync(path.join(dataDir, 'data', 'postmaster.pid'))) return;
	try {
		asOwner([path.join(bin, 'pg_ctl'), '-D', path.join(dataDir, 'data'), '-m', 'fast', '-w', '-t', '60', 'stop']);
	} catch {
		/* déjà arrêté */
	}
}

/** Crée une base vide (pour isoler un test ou une instance n8n). */
function createDatabase(pg, name) {
	execFileSync(path.join(pg.bin, 'psql'), ['-h', pg.host, '-p', String(pg.port), '-U', pg.user, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE "${name}"`], {
		env: { ...process.env, PGPASSWORD: pg.password },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
}

module.exports = { ensurePostgres, startPostgres, stopPostgres, createDatabase, freePort };

if (require.main === module) {
	// Utilisation : node scripts/lib/postgres.cjs — démarre, affiche l'adresse, s'arrête sur Ctrl-C.
	startPostgres().then((pg) => {
		process.stdout.write(`PostgreSQL prêt : postgres://${pg.user}:${pg.password}@${pg.host}:${pg.port}/${pg.database}\n`);
		const end = () => {
			pg.stop();
			process.exit(0);
		};
		process.on('SIGINT', end);
		process.on('SIGTERM', end);
		setInterval(() => undefined, 1 << 30);
	});
}
