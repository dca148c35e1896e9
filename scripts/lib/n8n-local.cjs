// Un n8n réel, local, sur sa base SQLite par défaut : installation du paquet
// comme paquet communautaire, import des identifiants et des workflows,
// exécution par identifiant (`n8n execute --id`). Sert à la démonstration
// (scripts/demo.sh) et aux tests de bout en bout (test/e2e).
'use strict';

const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const CACHE = process.env.CLAUSES_CACHE || path.join(ROOT, '.cache');
const N8N_VERSION = process.env.N8N_VERSION || '2.40.7';
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** Installe n8n dans le cache si besoin (scripts/install-n8n.sh) et renvoie son emplacement. */
function ensureN8n() {
	const dir = path.join(CACHE, `n8n-${N8N_VERSION}`);
	const bin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	if (!fs.existsSync(path.join(dir, '.installe')) || !fs.existsSync(bin)) {
		execFileSync('bash', [path.join(ROOT, 'scripts', 'install-n8n.sh')], { stdio: 'inherit' });
	}
	return { dir, bin };
}

/** Construit et empaquette ce paquet (npm pack), comme pour une publication. */
function packPackage(outDir = path.join(ROOT, '.cache', 'pack')) {
	fs.mkdirSync(outDir, { recursive: true });
	execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
	const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', outDir], {
		cwd: ROOT,
		encoding: 'utf8',
		env: { ...process.env, npm_config_ignore_scripts: 'true' },
	});
	const name = out.trim().split('\n').pop();
	return path.join(outDir, name);
}

/** Fichiers que contiendrait l'archive publiée (npm pack --dry-run), sans construire. */
function packedFiles() {
	const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
	return JSON.parse(out)[0].files.map((f) => f.path);
}

/**
 * Prépare un dossier « maison » pour n8n : HOME, N8N_USER_FOLDER et dossier de
 * lancement y pointent. Les fichiers des workflows vivent dans
 * ~/.n8n-files/clauses-sociales (dossier autorisé par défaut par n8n 2).
 */
function createHome(home) {
	fs.mkdirSync(path.join(home, '.n8n', 'nodes'), { recursive: true });
	const files = path.join(home, '.n8n-files', 'clauses-sociales');
	fs.mkdirSync(path.join(files, 'donnees'), { recursive: true });
	fs.mkdirSync(path.join(files, 'sortie'), { recursive: true });
	return { home, files, data: path.join(files, 'donnees'), output: path.join(files, 'sortie') };
}

/** Copie les données d'exemple livrées avec les workflows. */
function copySampleData(layout) {
	fs.cpSync(path.join(ROOT, 'workflows', 'donnees-exemple'), layout.data, { recursive: true });
}

/** Dossier du paquet installé dans l'instance (~/.n8n/nodes/node_modules/<paquet>), celui que charge n8n. */
function installedPackageDir(layout) {
	return path.join(layout.home, '.n8n', 'nodes', 'node_modules', PACKAGE.name);
}

/** Installe l'archive du paquet dans ~/.n8n/nodes, comme le fait n8n pour un paquet communautaire. */
function installPackage(layout, tarball) {
	const nodesDir = path.join(layout.home, '.n8n', 'nodes');
	const manifest = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(manifest)) {
		fs.writeFileSync(manifest, JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	}
	execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--ignore-scripts', '--omit=peer', tarball], {
		cwd: nodesDir,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	const installed = JSON.parse(fs.readFileSync(path.join(installedPackageDir(layout), 'package.json'), 'utf8'));
	return installed.version;
}

/** Port de n8n quand l'appelant n'en donne pas (N8N_PORT). */
const DEFAULT_PORT = 5678;

/** Adresse dans une URL : une adresse IPv6 s'écrit entre crochets. */
function urlHost(host) {
	return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * Réglages du serveur local, tirés des variables N8N_* de l'appelant : port
 * (N8N_PORT, 5678 par défaut), adresse d'écoute (N8N_LISTEN_ADDRESS, 127.0.0.1
 * par défaut : la page de création du compte propriétaire d'une instance neuve
 * n'est pas ouverte au réseau), et adresses publiques dérivées de ce port et de
 * cet hôte : WEBHOOK_URL (liens d'approbation des courriels, liens de reprise)
 * et N8N_EDITOR_BASE_URL (liens vers l'éditeur), sauf si l'appelant les fixe.
 * Quand n8n écoute sur toutes les interfaces (0.0.0.0, ::), les liens prennent
 * N8N_HOST (« localhost » sans lui).
 */
function serverSettings(env = process.env) {
	const port = Number(env.N8N_PORT || DEFAULT_PORT);
	if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`N8N_PORT invalide : « ${env.N8N_PORT} »`);
	const listenAddress = env.N8N_LISTEN_ADDRESS || '127.0.0.1';
	const everywhere = ['0.0.0.0', '::', '[::]'].includes(listenAddress);
	const host = env.N8N_HOST || (everywhere ? 'localhost' : listenAddress);
	const protocol = env.N8N_PROTOCOL || 'http';
	const baseUrl = `${protocol}://${urlHost(host)}:${port}/`;
	const webhookUrl = env.WEBHOOK_URL || baseUrl;
	const editorUrl = env.N8N_EDITOR_BASE_URL || baseUrl;
	return {
		port,
		listenAddress,
		webhookUrl,
		editorUrl,
		env: {
			N8N_PORT: String(port),
			N8N_LISTEN_ADDRESS: listenAddress,
			WEBHOOK_URL: webhookUrl,
			N8N_EDITOR_BASE_URL: editorUrl,
		},
	};
}

/**
 * Variables N8N_* de l'appelant, à garder pour une instance qu'il lance
 * lui-même (scripts/n8n.sh, démonstration) ; le dossier de l'instance
 * (N8N_USER_FOLDER) reste celui du script.
 */
function inheritedN8nEnv(env = process.env) {
	return Object.fromEntries(Object.entries(env).filter(([key]) => key.startsWith('N8N_') && key !== 'N8N_USER_FOLDER'));
}

/**
 * scripts/n8n.sh <args>, lancé comme par un utilisateur : l'environnement
 * donné tel quel, sortie et erreurs dans `logFile`. `done` se résout à la fin
 * du processus ({ code, output }) ; `stop()` l'arrête (SIGTERM, puis SIGKILL).
 */
function runN8nScript(args, { env, logFile }) {
	const out = fs.openSync(logFile, 'w');
	const child = spawn('bash', [path.join(ROOT, 'scripts', 'n8n.sh'), ...args], { env, stdio: ['ignore', out, out] });
	const done = new Promise((resolve) => {
		child.on('close', (code) => {
			fs.closeSync(out);
			resolve({ code, output: fs.readFileSync(logFile, 'utf8') });
		});
	});
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) {
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
			await done;
			clearTimeout(timer);
		}
		return done;
	};
	return { child, done, stop, log: () => fs.readFileSync(logFile, 'utf8') };
}

/**
 * Installation décrite au README : `npm install --prefix <dossier utilisateur>/nodes
 * <archive>`, sans package.json préalable dans ce dossier.
 */
function installTarballAsDocumented(layout, tarball) {
	execFileSync('npm', ['install', '--prefix', path.join(layout.home, '.n8n', 'nodes'), tarball], {
		cwd: layout.home,
		env: { ...process.env, HOME: layout.home },
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	return JSON.parse(fs.readFileSync(path.join(installedPackageDir(layout), 'package.json'), 'utf8'));
}

function n8nEnv(layout, extra = {}) {
	// L'environnement d'un lanceur de tests (NODE_ENV=test, variables JEST_*) change
	// le comportement de n8n : on ne transmet que l'environnement de la machine.
	const inherited = Object.fromEntries(
		Object.entries(process.env).filter(([key]) => key !== 'NODE_ENV' && !key.startsWith('JEST_') && !key.startsWith('N8N_')),
	);
	return {
		...inherited,
		HOME: layout.home,
		N8N_USER_FOLDER: layout.home,
		DB_TYPE: 'sqlite',
		N8N_LOG_LEVEL: 'warn',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_NO_BROWSER: 'true',
		GENERIC_TIMEZONE: process.env.GENERIC_TIMEZONE || 'Europe/Paris',
		TZ: process.env.TZ || 'Europe/Paris',
		...extra,
	};
}

/**
 * Lance une commande n8n et renvoie sa sortie ; lève une erreur lisible en cas
 * d'échec. La sortie passe par des fichiers et non par des tubes : n8n termine
 * par process.exit(), qui tronquerait une longue sortie écrite dans un tube.
 */
function n8n(layout, args, { env = {}, timeoutMs = 300000, onChild } = {}) {
	return withFreeBrokerPort(env, (withPort) => n8nOnce(layout, args, { env: withPort, timeoutMs, onChild }));
}

/** Message de n8n quand le port de son courtier de tâches est déjà pris. */
const BROKER_PORT_TAKEN = /Task Broker's port \d+ is already in use/;

/**
 * Le port du courtier des exécuteurs de tâches (nœud Code) est propre à chaque
 * processus n8n, pour que plusieurs n8n (tests en parallèle) ne se disputent pas
 * le port 5679 par défaut.
 * Lance `run` avec un port de courtier tiré par le système (port 0) plutôt qu'au
 * hasard : un port pris au hasard pouvait tomber sur le port local d'une connexion
 * sortante (plage éphémère) et n8n s'arrêtait avant de rien exécuter. Entre le
 * tirage et l'écoute par n8n, le port peut encore être pris : on recommence alors
 * avec un autre, trois fois au plus ; n8n n'a rien exécuté dans ce cas.
 */
async function withFreeBrokerPort(env, run) {
	if (env.N8N_RUNNERS_BROKER_PORT) return run(env);
	for (let attempt = 1; ; attempt++) {
		try {
			return await run({ ...env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) });
		} catch (error) {
			const said = `${error.stderr ?? ''}${error.stdout ?? ''}${error.message}`;
			if (attempt >= 3 || !BROKER_PORT_TAKEN.test(said)) throw error;
		}
	}
}

function n8nOnce(layout, args, { env, timeoutMs, onChild }) {
	const { bin } = ensureN8n();
	const logDir = fs.mkdtempSync(path.join(layout.home, '.n8n-cli-'));
	const outFile = path.join(logDir, 'stdout');
	const errFile = path.join(logDir, 'stderr');
	const out = fs.openSync(outFile, 'w');
	const err = fs.openSync(errFile, 'w');
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [bin, ...args], {
			cwd: layout.home,
			env: n8nEnv(layout, env),
			stdio: ['ignore', out, err],
		});
		// Pour les tests d'arrêt brutal : le processus lui-même, à tuer en plein travail.
		onChild?.(child);
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			fs.closeSync(out);
			fs.closeSync(err);
			const stdout = fs.readFileSync(outFile, 'utf8');
			const stderr = fs.readFileSync(errFile, 'utf8');
			fs.rmSync(logDir, { recursive: true, force: true });
			if (code === 0) resolve({ stdout, stderr });
			else {
				const why = signal ? `signal ${signal}` : `code ${code}`;
				reject(Object.assign(new Error(`n8n ${args.join(' ')} a échoué (${why}) :\n${stderr.slice(-4000)}\n${stdout.slice(-4000)}`), { stdout, stderr, code }));
			}
		});
	});
}

async function importCredentials(layout, credentials) {
	const file = path.join(layout.home, 'identifiants-import.json');
	fs.writeFileSync(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
	try {
		const { stdout } = await n8n(layout, ['import:credentials', `--input=${file}`], { env: { N8N_LOG_LEVEL: 'info' } });
		if (!/Successfully imported/.test(stdout)) throw new Error(`Import des identifiants non confirmé par n8n :\n${stdout.slice(-2000)}`);
	} finally {
		fs.rmSync(file, { force: true });
	}
}

/** Réglages du nœud « Configuration » en tête d'un workflow (nom → valeur). */
function configurationOf(workflow) {
	const node = workflow.nodes.find((n) => n.name === 'Configuration' && n.type === 'n8n-nodes-base.set');
	if (!node) return undefined;
	return Object.fromEntries((node.parameters.assignments?.assignments ?? []).map((a) => [a.name, a.value]));
}

/**
 * Le workflow avec des réglages de son nœud « Configuration » changés, comme les
 * change un utilisateur dans l'éditeur (par exemple { envoyer: true } pour
 * sortir de l'aperçu). Un réglage absent du nœud est une erreur.
 */
function withConfiguration(workflow, values) {
	const copy = structuredClone(workflow);
	const node = copy.nodes.find((n) => n.name === 'Configuration' && n.type === 'n8n-nodes-base.set');
	if (!node) throw new Error(`Le workflow « ${copy.name} » n'a pas de nœud « Configuration »`);
	for (const [name, value] of Object.entries(values)) {
		const assignment = node.parameters.assignments.assignments.find((a) => a.name === name);
		if (!assignment) throw new Error(`Le nœud « Configuration » du workflow « ${copy.name} » n'a pas de réglage « ${name} »`);
		assignment.value = value;
	}
	return copy;
}

/**
 * Importe un workflow dans l'instance ; `configuration` change des réglages de
 * son nœud « Configuration » (withConfiguration) sans toucher au fichier livré.
 */
async function importWorkflow(layout, workflowFile, { configuration } = {}) {
	let input = workflowFile;
	const workflow = JSON.parse(fs.readFileSync(workflowFile, 'utf8'));
	if (configuration) {
		input = path.join(layout.home, `import-${path.basename(workflowFile)}`);
		fs.writeFileSync(input, JSON.stringify(withConfiguration(workflow, configuration), null, '\t'));
	}
	try {
		const { stdout } = await n8n(layout, ['import:workflow', `--input=${input}`], { env: { N8N_LOG_LEVEL: 'info' } });
		if (!/Successfully imported/.test(stdout)) {
			throw new Error(`Import du workflow ${path.basename(workflowFile)} non confirmé par n8n :\n${stdout.slice(-2000)}`);
		}
	} finally {
		if (input !== workflowFile) fs.rmSync(input, { force: true });
	}
	return workflow.id;
}

/** Exécute un workflow importé ; renvoie l'exécution (IRun) telle que n8n l'imprime. */
async function executeWorkflow(layout, id, options = {}) {
	let result;
	try {
		// `n8n execute` imprime l'exécution par son journal, au niveau « info ».
		result = await n8n(layout, ['execute', `--id=${id}`, '--rawOutput'], { ...options, env: { N8N_LOG_LEVEL: 'info', ...options.env } });
	} catch (error) {
		const run = parseRun(error.stdout || '');
		if (run) return run;
		throw error;
	}
	const run = parseRun(result.stdout);
	if (!run) throw new Error(`Sortie de « n8n execute » illisible :\n${result.stdout.slice(0, 2000)}\n${result.stderr}`);
	return run;
}

/** Exécution lue dans la sortie de « n8n execute --rawOutput » (le JSON qui suit les lignes de journal), ou undefined. */
function parseRun(stdout) {
	const start = stdout.search(/^\{/m);
	if (start < 0) return undefined;
	const end = stdout.lastIndexOf('\n}');
	try {
		return JSON.parse(stdout.slice(start, end >= start ? end + 2 : undefined));
	} catch {
		return undefined;
	}
}

/** Éléments de sortie d'un nœud dans une exécution renvoyée par executeWorkflow. */
function nodeOutput(run, nodeName, outputIndex = 0) {
	const tasks = run?.data?.resultData?.runData?.[nodeName];
	if (!tasks || tasks.length === 0) return undefined;
	return tasks[tasks.length - 1].data?.main?.[outputIndex] ?? [];
}

/**
 * Identifiants auxquels renvoient les workflows livrés (par leur identifiant),
 * pointés vers un serveur SMTP local. Une seule définition pour la
 * démonstration et les tests.
 */
function localCredentials({ smtpHost = '127.0.0.1', smtpPort = 1025 } = {}) {
	return [
		{
			id: 'ClsSmtpLocal0001',
			name: 'SMTP de la Région',
			type: 'smtp',
			data: { host: smtpHost, port: smtpPort, secure: false, disableStartTls: true, user: '', password: '' },
		},
		{
			id: 'ClsSmtpClauses01',
			name: 'SMTP clauses sociales de la Région',
			type: 'clausesSocialesSmtpApi',
			data: {
				host: smtpHost,
				port: smtpPort,
				securite: 'aucune',
				user: '',
				password: '',
				expediteurNom: "Mission clauses sociales – Région Val-d'Argent",
				expediteurEmail: 'clauses-sociales@region-val-argent.example.test',
				repondreA: 'clauses-sociales@region-val-argent.example.test',
				tlsSansVerification: false,
			},
		},
		{
			// Registre par défaut (fichier SQLite dans le dossier de n8n) ; secret des liens du relevé en ligne tiré au hasard.
			id: 'ClsRegistreLocal',
			name: 'Registre des clauses de la Région',
			type: 'clausesRegistreApi',
			data: { base: 'sqlite', fichier: '', secretLiens: require('node:crypto').randomBytes(33).toString('base64') },
		},
	];
}

/** Un port TCP libre sur 127.0.0.1. */
function freePort() {
	const net = require('node:net');
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

/**
 * Lance `n8n start` sur l'instance (même base SQLite que `n8n execute`) et attend
 * qu'il réponde. Sert à reprendre une exécution en attente (approbation par
 * courriel) : le lien d'approbation pointe vers WEBHOOK_URL, à passer dans `env`
 * avec N8N_PORT, à l'exécution comme au serveur.
 */
function startServer(layout, { port, env = {}, timeoutMs = 120000 } = {}) {
	return withFreeBrokerPort(env, (withPort) => startServerOnce(layout, { port, env: withPort, timeoutMs }));
}

async function startServerOnce(layout, { port, env, timeoutMs }) {
	const { bin } = ensureN8n();
	const log = path.join(layout.home, `n8n-start-${port}.log`);
	const out = fs.openSync(log, 'w');
	const child = spawn(process.execPath, [bin, 'start'], {
		cwd: layout.home,
		env: n8nEnv(layout, { N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_LOG_LEVEL: 'info', ...env }),
		stdio: ['ignore', out, out],
	});
	let exited = false;
	let closed = false;
	child.on('exit', () => (exited = true));
	const stop = () =>
		new Promise((resolve) => {
			if (exited) return resolve();
			child.once('exit', () => resolve());
			child.kill('SIGTERM');
			setTimeout(() => !exited && child.kill('SIGKILL'), 15000).unref();
		}).finally(() => {
			if (!closed) fs.closeSync(out);
			closed = true;
		});
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (exited) throw new Error(`n8n start s'est arrêté :\n${fs.readFileSync(log, 'utf8').slice(-3000)}`);
		try {
			const response = await fetch(`http://127.0.0.1:${port}/healthz/readiness`);
			if (response.ok) break;
		} catch {
			// pas encore à l'écoute
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`n8n start ne répond pas sur le port ${port} après ${timeoutMs} ms`);
		}
		await new Promise((r) => setTimeout(r, 500));
	}
	return { url: `http://127.0.0.1:${port}/`, log, stop };
}

/**
 * Ouvre un lien reçu par courriel comme un navigateur (n8n ignore les robots,
 * qui préchargent les liens d'approbation). Réessaie tant que le serveur qui
 * vient de démarrer n'a pas encore enregistré ses routes (404).
 */
async function openLink(url, { timeoutMs = 60000 } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		let result;
		try {
			const response = await fetch(url, { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' } });
			result = { status: response.status, body: await response.text() };
		} catch (error) {
			result = { status: 0, body: String(error) };
		}
		// 404 : routes pas encore enregistrées ; 5xx ou connexion coupée : serveur encore en démarrage.
		const retry = result.status === 404 || result.status === 0 || result.status >= 500;
		if (!retry || Date.now() > deadline) return result;
		await new Promise((r) => setTimeout(r, 1000));
	}
}

/**
 * Crée le compte propriétaire d'une instance neuve (ce que demande l'éditeur à
 * la première ouverture) et renvoie les en-têtes d'une session : cookie
 * d'authentification et identifiant de navigateur auquel n8n le lie.
 */
async function ownerSession(baseUrl, owner = {}) {
	const browserId = `clauses-${Date.now()}-${Math.random().toString(16).slice(2)}`;
	const response = await fetch(new URL('rest/owner/setup', baseUrl), {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'browser-id': browserId },
		body: JSON.stringify({
			email: 'proprietaire@region-val-argent.example.test',
			firstName: 'Camille',
			lastName: 'Martin',
			password: 'Clauses-sociales-2026',
			...owner,
		}),
	});
	if (!response.ok) throw new Error(`Création du compte propriétaire refusée (${response.status}) : ${await response.text()}`);
	const cookie = response.headers
		.getSetCookie()
		.map((c) => c.split(';')[0])
		.join('; ');
	return { cookie, 'browser-id': browserId };
}

/** Requête en lecture seule sur la base SQLite de l'instance, avec le module sqlite3 de n8n. */
function queryDatabase(layout, sql, params = []) {
	const sqlite3 = require(path.join(ensureN8n().dir, 'node_modules', 'sqlite3'));
	return new Promise((resolve, reject) => {
		const db = new sqlite3.Database(path.join(layout.home, '.n8n', 'database.sqlite'), sqlite3.OPEN_READONLY, (error) => {
			if (error) return reject(error);
			db.all(sql, params, (err, rows) => {
				db.close();
				if (err) reject(err);
				else resolve(rows);
			});
		});
	});
}

/** Une exécution lue dans la base : statut et données (format « flatted » de n8n). */
async function readExecution(layout, executionId) {
	const rows = await queryDatabase(
		layout,
		'SELECT e.id, e.status, e.finished, e.mode, d.data FROM execution_entity e LEFT JOIN execution_data d ON d.executionId = e.id WHERE e.id = ?',
		[executionId],
	);
	if (rows.length === 0) return undefined;
	const flatted = require(path.join(ensureN8n().dir, 'node_modules', 'flatted'));
	const { data, ...rest } = rows[0];
	return { ...rest, data: data ? flatted.parse(data) : undefined };
}

/**
 * Attend qu'une exécution quitte les états « en cours » et « en attente », et que
 * ses données enregistrées satisfassent `until` (le statut et les données sont
 * écrits dans deux tables : on ne lit pas l'un sans l'autre).
 */
async function waitForExecution(layout, executionId, { timeoutMs = 120000, until = () => true } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const rows = await queryDatabase(layout, 'SELECT status FROM execution_entity WHERE id = ?', [executionId]);
		const status = rows[0]?.status;
		if (status && !['new', 'running', 'waiting'].includes(status)) {
			const execution = await readExecution(layout, executionId);
			if (status !== 'success' || until(execution)) return execution;
		}
		if (Date.now() > deadline) throw new Error(`Exécution ${executionId} toujours « ${status} » après ${timeoutMs} ms`);
		await new Promise((r) => setTimeout(r, 1000));
	}
}

/** Les workflows livrés (workflows/*.json). */
function shippedWorkflows() {
	const dir = path.join(ROOT, 'workflows');
	return fs
		.readdirSync(dir)
		.filter((name) => name.endsWith('.json'))
		.sort()
		.map((name) => path.join(dir, name));
}

module.exports = {
	packedFiles,
	localCredentials,
	shippedWorkflows,
	ROOT,
	CACHE,
	PACKAGE,
	ensureN8n,
	packPackage,
	createHome,
	copySampleData,
	installPackage,
	installTarballAsDocumented,
	installedPackageDir,
	runN8nScript,
	importCredentials,
	importWorkflow,
	configurationOf,
	withConfiguration,
	executeWorkflow,
	parseRun,
	nodeOutput,
	n8n,
	n8nEnv,
	serverSettings,
	inheritedN8nEnv,
	DEFAULT_PORT,
	freePort,
	withFreeBrokerPort,
	startServer,
	openLink,
	ownerSession,
	queryDatabase,
	readExecution,
	waitForExecution,
};
