// n8n en mode file d'attente sur cette machine : Redis (file des exécutions),
// PostgreSQL (base de n8n et registre des clauses), une instance principale
// (`n8n start` : éditeur, planifications, webhooks) et des workers
// (`n8n worker` : les exécutions), tout sur 127.0.0.1. Sert au script
// scripts/file-attente.sh (start, stop, status) et aux tests de pannes
// (test/e2e/file-attente.e2e.test.ts).
//
// Chaque processus n8n a son propre dossier utilisateur (comme un conteneur) :
// le paquet y est installé comme paquet communautaire, la clé de chiffrement
// est la même partout. Les workers ne partagent aucun disque avec
// l'instance principale, sauf le dossier des classeurs et des journaux
// (`partage/`, monté comme ~/.n8n-files dans chaque dossier utilisateur : sur
// plusieurs serveurs, un partage réseau). Les fichiers binaires des exécutions
// sont gardés dans la base de n8n (N8N_DEFAULT_BINARY_DATA_MODE=database).
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const local = require('./n8n-local.cjs');
const postgres = require('./postgres.cjs');

/** Dossier par défaut du déploiement (données, journaux, état des processus). */
const DEFAULT_DIR = process.env.CLAUSES_FILE_ATTENTE_DIR || path.join(local.ROOT, '.file-attente');

/** Identifiant « Registre des clauses » de type PostgreSQL créé par le déploiement. */
const REGISTER_CREDENTIAL = { id: 'ClsRegistrePg001', name: 'Registre des clauses (PostgreSQL)' };

/**
 * Types des nœuds du paquet qui acceptent l'identifiant « Registre des clauses ».
 * Les workflows livrés ne le choisissent pas (registre SQLite par défaut, refusé
 * en mode file d'attente) : le déploiement l'y choisit à l'import, comme le
 * ferait l'utilisateur dans l'éditeur, sans toucher aux fichiers livrés.
 */
const REGISTER_NODE_TYPES = ['clauseRegister', 'clauseReminder', 'clauseReportIntake', 'clausePenalty', 'clauseBilan', 'clauseOnlineReport', 'clauseCommitment'].map(
	(name) => `${local.PACKAGE.name}.${name}`,
);

const N8N_DATABASE = 'n8n';
const REGISTER_DATABASE = 'registre';

const say = (message) => process.stdout.write(`${message}\n`);

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function isAlive(pid) {
	if (!pid) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

function readJson(file) {
	return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
}

function writeJson(file, value) {
	fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
}

function portFree(port) {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/** Chemins du déploiement rangé dans `dir`. */
function layoutOf(dir, workers) {
	return {
		dir,
		config: path.join(dir, 'deploiement.json'),
		state: path.join(dir, 'processus.json'),
		logs: path.join(dir, 'journaux'),
		redis: path.join(dir, 'redis'),
		postgres: path.join(dir, 'postgres'),
		shared: path.join(dir, 'partage'),
		homes: {
			main: path.join(dir, 'principale'),
			...Object.fromEntries(Array.from({ length: workers }, (_, i) => [`worker-${i + 1}`, path.join(dir, `worker-${i + 1}`)])),
		},
	};
}

/** redis-server (paquet Debian « redis-server »), installé par apt-get s'il manque. */
function ensureRedis() {
	const find = () => ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => fs.existsSync(p));
	let bin = find();
	if (bin) return bin;
	if (process.getuid?.() !== 0) {
		throw new Error('Redis est introuvable (redis-server) : installez le paquet « redis-server » (apt-get install redis-server).');
	}
	say('» Redis : installation du paquet Debian « redis-server »…');
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const install = () => spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'redis-server'], { stdio: 'inherit', env });
	if (install().status !== 0) {
		spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
		if (install().status !== 0) throw new Error('installation de Redis par apt-get impossible');
	}
	bin = find();
	if (!bin) throw new Error('Redis installé mais redis-server introuvable');
	return bin;
}

/** Une commande Redis (protocole en ligne) ; rend la première ligne de réponse. */
function redisCommand(port, command, timeoutMs = 2000) {
	return new Promise((resolve, reject) => {
		const socket = net.connect(port, '127.0.0.1');
		let data = '';
		const timer = setTimeout(() => {
			socket.destroy();
			reject(new Error('Redis ne répond pas'));
		}, timeoutMs);
		socket.on('connect', () => socket.write(`${command}\r\n`));
		socket.on('data', (chunk) => {
			data += chunk;
			if (data.includes('\r\n')) {
				clearTimeout(timer);
				socket.end();
				resolve(data.split('\r\n')[0]);
			}
		});
		socket.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
	});
}

/** Lance un processus détaché (il survit au script), sortie dans `logFile`. */
function spawnDetached(command, args, { cwd, env, logFile }) {
	const out = fs.openSync(logFile, 'a');
	const child = spawn(command, args, { cwd, env, stdio: ['ignore', out, out], detached: true });
	fs.closeSync(out);
	child.unref();
	return child;
}

async function waitUntil(check, { timeoutMs, what, child, logFile }) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (child && (child.exitCode !== null || child.signalCode !== null || !isAlive(child.pid))) {
			const tail = logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-3000) : '';
			throw new Error(`${what} s'est arrêté au démarrage (journal : ${logFile}) :\n${tail}`);
		}
		try {
			if (await check()) return;
		} catch {
			// pas encore prêt
		}
		if (Date.now() > deadline) throw new Error(`${what} n'est pas prêt après ${Math.round(timeoutMs / 1000)} s (journal : ${logFile})`);
		await sleep(500);
	}
}

async function httpReady(port) {
	const response = await fetch(`http://127.0.0.1:${port}/healthz/readiness`);
	return response.ok;
}

/** L'identifiant « Registre des clauses » (PostgreSQL) du déploiement. */
function registerCredential(config) {
	return {
		...REGISTER_CREDENTIAL,
		type: 'clausesRegistreApi',
		data: {
			base: 'postgres',
			host: '127.0.0.1',
			port: config.ports.postgres,
			database: REGISTER_DATABASE,
			user: config.postgres.user,
			password: config.postgres.password,
			schema: 'clauses_sociales',
			ssl: 'desactive',
			secretLiens: config.linkSecret ?? '',
		},
	};
}

/** Le workflow avec l'identifiant « Registre des clauses » choisi dans chaque nœud qui l'accepte. */
function withRegisterCredential(workflow, credential = REGISTER_CREDENTIAL) {
	const copy = structuredClone(workflow);
	for (const node of copy.nodes) {
		if (REGISTER_NODE_TYPES.includes(node.type)) {
			node.credentials = { ...(node.credentials ?? {}), clausesRegistreApi: { id: credential.id, name: credential.name } };
		}
	}
	return copy;
}

/** Environnement d'un processus n8n du déploiement (`role` : main ou worker-N). */
function n8nEnvironment(config, layout, role, extra = {}) {
	const home = layout.homes[role];
	const mainUrl = `http://127.0.0.1:${config.ports.main}/`;
	const env = {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(config.ports.redis),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(config.ports.postgres),
		DB_POSTGRESDB_DATABASE: N8N_DATABASE,
		DB_POSTGRESDB_USER: config.postgres.user,
		DB_POSTGRESDB_PASSWORD: config.postgres.password,
		N8N_ENCRYPTION_KEY: config.encryptionKey,
		N8N_DEFAULT_BINARY_DATA_MODE: 'database',
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		N8N_RESTRICT_FILE_ACCESS_TO: fs.realpathSync(layout.shared),
		N8N_RUNNERS_BROKER_PORT: String(config.ports.brokers[role]),
		N8N_LOG_LEVEL: 'info',
		// Liens de reprise (approbations) et liens vers l'éditeur : l'instance principale, pour tous.
		WEBHOOK_URL: mainUrl,
		N8N_EDITOR_BASE_URL: mainUrl,
		...(role === 'main'
			? { N8N_PORT: String(config.ports.main), N8N_LISTEN_ADDRESS: '127.0.0.1' }
			: {
					QUEUE_HEALTH_CHECK_ACTIVE: 'true',
					QUEUE_HEALTH_CHECK_PORT: String(config.ports.health[role]),
					N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
				}),
		...(config.env ?? {}),
		...extra,
	};
	return local.n8nEnv({ home }, env);
}

/** Première préparation : dossiers, paquet, bases, identifiants et workflows importés. */
async function prepare(layout, config, { tarball, workflows, log }) {
	const roles = Object.keys(layout.homes);
	fs.mkdirSync(path.join(layout.shared, 'clauses-sociales', 'donnees'), { recursive: true });
	fs.mkdirSync(path.join(layout.shared, 'clauses-sociales', 'sortie'), { recursive: true });
	fs.cpSync(path.join(local.ROOT, 'workflows', 'donnees-exemple'), path.join(layout.shared, 'clauses-sociales', 'donnees'), { recursive: true });
	for (const role of roles) {
		const home = layout.homes[role];
		fs.mkdirSync(path.join(home, '.n8n', 'nodes'), { recursive: true });
		// Le dossier partagé, vu de chaque processus comme ~/.n8n-files (chemins relatifs des workflows).
		const link = path.join(home, '.n8n-files');
		if (!fs.existsSync(link)) fs.symlinkSync(layout.shared, link);
	}
	log('» Paquet : installation comme paquet communautaire dans le dossier de chaque processus…');
	const archive = tarball ?? process.env.CLAUSES_TARBALL ?? local.packPackage(path.join(layout.dir, 'paquet'));
	local.installPackage({ home: layout.homes.main }, archive);
	for (const role of roles.filter((r) => r !== 'main')) {
		fs.cpSync(path.join(layout.homes.main, '.n8n', 'nodes'), path.join(layout.homes[role], '.n8n', 'nodes'), { recursive: true, verbatimSymlinks: true });
	}

	const pg = { host: '127.0.0.1', port: config.ports.postgres, user: config.postgres.user, password: config.postgres.password, bin: postgres.ensurePostgres() };
	postgres.createDatabase(pg, N8N_DATABASE);
	postgres.createDatabase(pg, REGISTER_DATABASE);

	log('» n8n : création de sa base, import des identifiants et des workflows…');
	const env = n8nEnvironment(config, layout, 'main');
	const cli = { home: layout.homes.main };
	const credentialsFile = path.join(layout.dir, 'identifiants-import.json');
	writeJson(credentialsFile, [...local.localCredentials({ smtpHost: config.smtp.host, smtpPort: config.smtp.port }), registerCredential(config)]);
	try {
		const { stdout } = await local.n8n(cli, ['import:credentials', `--input=${credentialsFile}`], { env });
		if (!/Successfully imported/.test(stdout)) throw new Error(`Import des identifiants non confirmé par n8n :\n${stdout.slice(-2000)}`);
	} finally {
		fs.rmSync(credentialsFile, { force: true });
	}
	const importDir = path.join(layout.dir, 'workflows-import');
	fs.rmSync(importDir, { recursive: true, force: true });
	fs.mkdirSync(importDir);
	workflows.forEach((workflow, i) => writeJson(path.join(importDir, `${String(i).padStart(2, '0')}-${workflow.id}.json`), withRegisterCredential(workflow)));
	try {
		const { stdout } = await local.n8n(cli, ['import:workflow', '--separate', `--input=${importDir}`], { env });
		if (!/Successfully imported/.test(stdout)) throw new Error(`Import des workflows non confirmé par n8n :\n${stdout.slice(-2000)}`);
	} finally {
		fs.rmSync(importDir, { recursive: true, force: true });
	}
}

/**
 * Démarre le déploiement rangé dans `dir` (le prépare la première fois).
 * Options : workers (2), mainPort (port voulu de l'instance principale, pris
 * s'il est libre ; un port libre sinon), smtp { host, port } (127.0.0.1:1025), tarball (archive
 * du paquet ; construite sinon), workflows (objets ; les workflows livrés
 * sinon), env (variables en plus pour tous les processus n8n), log.
 * Rend le déploiement : { dir, url, config, layout, processes, stop() }.
 */
async function startQueueMode(options = {}) {
	const dir = path.resolve(options.dir ?? DEFAULT_DIR);
	const log = options.log ?? say;
	const previous = readJson(path.join(dir, 'processus.json'));
	if (previous && Object.values(previous.pids).some(isAlive)) {
		throw new Error(`Le mode file d'attente tourne déjà (dossier ${dir}) : « scripts/file-attente.sh stop » d'abord.`);
	}
	fs.mkdirSync(dir, { recursive: true });
	// PostgreSQL tourne sous l'utilisateur « postgres » quand on est root : il doit pouvoir traverser le dossier.
	if (process.getuid?.() === 0) fs.chmodSync(dir, fs.statSync(dir).mode | 0o711);
	let config = readJson(path.join(dir, 'deploiement.json'));
	const fresh = !config || !config.prepared;
	if (fresh) {
		const workers = options.workers ?? 2;
		const roles = ['main', ...Array.from({ length: workers }, (_, i) => `worker-${i + 1}`)];
		const free = async () => local.freePort();
		const ports = { redis: await free(), postgres: await free(), main: options.mainPort && (await portFree(options.mainPort)) ? options.mainPort : await free(), brokers: {}, health: {} };
		for (const role of roles) ports.brokers[role] = await free();
		for (const role of roles.filter((r) => r !== 'main')) ports.health[role] = await free();
		config = {
			workers,
			ports,
			encryptionKey: crypto.randomBytes(24).toString('base64url'),
			// Secret des liens personnels du relevé en ligne, le même pour le main et chaque worker.
			linkSecret: crypto.randomBytes(33).toString('base64'),
			postgres: { user: 'postgres', password: 'clauses-sociales' },
			smtp: { host: options.smtp?.host ?? '127.0.0.1', port: options.smtp?.port ?? 1025 },
			env: options.env ?? {},
			prepared: false,
		};
	}
	const layout = layoutOf(dir, config.workers);
	fs.mkdirSync(layout.logs, { recursive: true });
	fs.mkdirSync(layout.redis, { recursive: true });
	writeJson(layout.config, config);
	const pids = {};
	const state = () => writeJson(layout.state, { pids, url: `http://127.0.0.1:${config.ports.main}/` });
	const processes = {};

	/** Lance Redis sur son port et attend qu'il réponde. */
	const launchRedis = async () => {
		const logFile = path.join(layout.logs, 'redis.log');
		const redis = spawnDetached(
			ensureRedis(),
			['--bind', '127.0.0.1', '--port', String(config.ports.redis), '--dir', layout.redis, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--daemonize', 'no'],
			{ cwd: layout.redis, env: process.env, logFile },
		);
		pids.redis = redis.pid;
		processes.redis = { pid: redis.pid, log: logFile, child: redis };
		state();
		await waitUntil(async () => (await redisCommand(config.ports.redis, 'PING')) === '+PONG', { timeoutMs: 30000, what: 'Redis', child: redis, logFile });
	};

	/** Lance un processus n8n du déploiement (`main` ou `worker-N`) et attend qu'il soit prêt. */
	const launch = (role) => {
		if (role === 'redis') return launchRedis();
		const { bin } = local.ensureN8n();
		const logFile = path.join(layout.logs, `${role === 'main' ? 'principale' : role}.log`);
		const args = role === 'main' ? ['start'] : ['worker'];
		const child = spawnDetached(process.execPath, [bin, ...args], { cwd: layout.homes[role], env: n8nEnvironment(config, layout, role), logFile });
		pids[role] = child.pid;
		processes[role] = { pid: child.pid, log: logFile, child };
		state();
		const port = role === 'main' ? config.ports.main : config.ports.health[role];
		const what = role === 'main' ? 'L’instance principale de n8n' : `Le ${role} de n8n`;
		const ready = role === 'main' ? 'prête' : 'prêt';
		return waitUntil(() => httpReady(port), { timeoutMs: options.timeoutMs ?? 300000, what, child, logFile }).then(() => log(`» ${what} est ${ready} (journal : ${logFile})`));
	};

	try {
		// Redis : la file des exécutions, sans persistance (une file vide au redémarrage).
		for (const port of [config.ports.redis, config.ports.main]) {
			if (!(await portFree(port))) throw new Error(`Le port ${port} de 127.0.0.1 est déjà pris : arrêtez ce qui l'occupe.`);
		}
		await launchRedis();
		log(`» Redis prêt sur 127.0.0.1:${config.ports.redis}`);

		// PostgreSQL : la base de n8n et celle du registre, dans une grappe privée.
		fs.mkdirSync(layout.postgres, { recursive: true });
		const pg = await postgres.startPostgres({ dir: layout.postgres, port: config.ports.postgres });
		pids.postgres = Number(fs.readFileSync(path.join(layout.postgres, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
		state();
		config.postgres.user = pg.user;
		config.postgres.password = pg.password;
		log(`» PostgreSQL prêt sur 127.0.0.1:${config.ports.postgres} (bases « ${N8N_DATABASE} » et « ${REGISTER_DATABASE} »)`);

		if (fresh) {
			const workflows = options.workflows ?? local.shippedWorkflows().map((file) => JSON.parse(fs.readFileSync(file, 'utf8')));
			await prepare(layout, config, { tarball: options.tarball, workflows, log });
			config.prepared = true;
			writeJson(layout.config, config);
		}

		// n8n : l'instance principale et les workers, lancés ensemble.
		const waits = Object.keys(layout.homes).map((role) => launch(role));
		await Promise.all(waits);
	} catch (error) {
		await stopQueueMode({ dir, log: () => undefined });
		if (fresh) {
			// Préparation inachevée : on repart de zéro au prochain démarrage (les journaux restent).
			for (const entry of fs.readdirSync(dir)) if (entry !== 'journaux') fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
		}
		throw error;
	}
	const url = `http://127.0.0.1:${config.ports.main}/`;
	return {
		dir,
		url,
		config,
		layout,
		processes,
		registerCredential: registerCredential(config),
		n8nEnv: (role, extra) => n8nEnvironment(config, layout, role, extra),
		/** Arrête proprement un processus du déploiement, n8n ou Redis (SIGTERM : un worker finit ses exécutions en cours). */
		stopProcess: (role) => stopGroup(pids[role], 45000),
		/** Relance un processus arrêté (ou tué), n8n ou Redis, et attend qu'il soit prêt. */
		startProcess: (role) => launch(role),
		stop: () => stopQueueMode({ dir, log: () => undefined }),
	};
}

/** Arrête un groupe de processus (le processus et ses exécuteurs de tâches) : SIGTERM, puis SIGKILL. */
async function stopGroup(pid, graceMs) {
	if (!isAlive(pid)) return;
	const signal = (sig) => {
		try {
			process.kill(-pid, sig);
		} catch {
			try {
				process.kill(pid, sig);
			} catch {
				/* déjà arrêté */
			}
		}
	};
	signal('SIGTERM');
	const deadline = Date.now() + graceMs;
	while (isAlive(pid) && Date.now() < deadline) await sleep(200);
	if (isAlive(pid)) signal('SIGKILL');
	while (isAlive(pid)) await sleep(100);
}

/** Arrête le déploiement : n8n (workers et principale), puis Redis, puis PostgreSQL. Les données restent. */
async function stopQueueMode({ dir = DEFAULT_DIR, log = say } = {}) {
	dir = path.resolve(dir);
	const state = readJson(path.join(dir, 'processus.json'));
	if (!state) {
		log(`» Rien à arrêter (aucun déploiement dans ${dir}).`);
		return;
	}
	const n8nRoles = Object.keys(state.pids).filter((r) => r === 'main' || r.startsWith('worker-'));
	// Les workers finissent leurs exécutions en cours (30 s au plus, QUEUE_WORKER_TIMEOUT), puis s'arrêtent.
	await Promise.all(n8nRoles.map((role) => stopGroup(state.pids[role], 45000)));
	if (n8nRoles.length) log('» n8n arrêté (instance principale et workers).');
	if (state.pids.redis) {
		await stopGroup(state.pids.redis, 10000);
		log('» Redis arrêté.');
	}
	postgres.stopPostgres(path.join(dir, 'postgres'));
	log('» PostgreSQL arrêté.');
	fs.rmSync(path.join(dir, 'processus.json'), { force: true });
}

/** État de chaque processus du déploiement. */
async function queueStatus({ dir = DEFAULT_DIR } = {}) {
	dir = path.resolve(dir);
	const config = readJson(path.join(dir, 'deploiement.json'));
	const state = readJson(path.join(dir, 'processus.json'));
	if (!config || !state) return { running: false, dir, components: [] };
	const components = [];
	for (const [role, pid] of Object.entries(state.pids)) {
		let ready = false;
		try {
			if (role === 'redis') ready = (await redisCommand(config.ports.redis, 'PING')) === '+PONG';
			else if (role === 'postgres') ready = isAlive(pid);
			else ready = await httpReady(role === 'main' ? config.ports.main : config.ports.health[role]);
		} catch {
			ready = false;
		}
		components.push({ role, pid, alive: isAlive(pid), ready });
	}
	return { running: components.every((c) => c.ready), dir, url: state.url, config, components };
}

const NAMES = { redis: 'Redis', postgres: 'PostgreSQL', main: 'n8n, instance principale' };

async function main() {
	const command = process.argv[2];
	const dir = DEFAULT_DIR;
	if (command === 'start') {
		say(`» Mode file d'attente : dossier ${dir} (journaux dans ${path.join(dir, 'journaux')})`);
		const smtp = { host: process.env.CLAUSES_SMTP_HOST || '127.0.0.1', port: Number(process.env.CLAUSES_SMTP_PORT || 1025) };
		const deployment = await startQueueMode({ dir, smtp, mainPort: Number(process.env.N8N_PORT || 5678) });
		say('');
		say(`n8n en mode file d'attente est prêt : ${deployment.url}`);
		say(`  instance principale et ${deployment.config.workers} workers, Redis 127.0.0.1:${deployment.config.ports.redis}, PostgreSQL 127.0.0.1:${deployment.config.ports.postgres}`);
		say(`  courriels envoyés au serveur SMTP 127.0.0.1:${deployment.config.smtp.port} ; registre des clauses : identifiant « ${REGISTER_CREDENTIAL.name} »`);
		say(`  journaux : ${path.join(dir, 'journaux')}`);
		say('  arrêt : scripts/file-attente.sh stop');
	} else if (command === 'stop') {
		await stopQueueMode({ dir });
	} else if (command === 'status') {
		const status = await queueStatus({ dir });
		if (status.components.length === 0) {
			say(`Mode file d'attente arrêté (dossier ${dir}).`);
			process.exitCode = 3;
			return;
		}
		for (const c of status.components) {
			const name = NAMES[c.role] ?? `n8n, ${c.role}`;
			say(`  ${name.padEnd(26)} pid ${String(c.pid).padEnd(8)} ${c.ready ? 'prêt' : c.alive ? 'en vie, ne répond pas' : 'arrêté'}`);
		}
		say(status.running ? `Mode file d'attente en marche : ${status.url}` : 'Mode file d’attente incomplet : voir les journaux.');
		say(`  journaux : ${path.join(dir, 'journaux')}`);
		if (!status.running) process.exitCode = 1;
	} else {
		process.stderr.write('Utilisation : scripts/file-attente.sh start|stop|status\n');
		process.exitCode = 2;
	}
}

module.exports = { startQueueMode, stopQueueMode, queueStatus, withRegisterCredential, registerCredential, REGISTER_CREDENTIAL, REGISTER_NODE_TYPES, DEFAULT_DIR };

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`Erreur : ${error.message}\n`);
		process.exit(1);
	});
}
