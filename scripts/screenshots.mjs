// Captures d'écran de l'éditeur de n8n pour la documentation (docs/images/) :
// un n8n jetable (dossier temporaire, port libre, 127.0.0.1 seulement) où le
// paquet est installé depuis son archive comme paquet communautaire, les
// identifiants de la démonstration et les workflows livrés importés tels quels ;
// le compte propriétaire est créé (ce que l'éditeur demande à la première
// ouverture), puis chaque workflow est ouvert dans l'éditeur par Chromium sans
// interface et photographié. Avec le relevé en ligne (releve-en-ligne.json), le
// classeur de suivi d'exemple est d'abord versé au registre, le workflow publié,
// et le formulaire d'une clause d'exemple, ouvert par son lien signé et rempli
// comme par un titulaire, est photographié pour le guide des titulaires.
// Chromium est celui de Debian (apt-get install chromium), piloté par son
// protocole de débogage (DevTools) à travers le WebSocket intégré à Node 24 :
// aucune dépendance ajoutée.
//
//   scripts/node24.sh node scripts/screenshots.mjs [fichier.json…]
//
// Variables : CHROMIUM (chemin du navigateur, « chromium » par défaut),
// SCREENSHOTS_WIDTH et SCREENSHOTS_HEIGHT (1600 × 900 par défaut),
// CLAUSES_KEEP_SCREENSHOTS_HOME=1 pour garder l'instance jetable.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const local = require('./lib/n8n-local.cjs');

const OUT = path.join(local.ROOT, 'docs', 'images');
const WIDTH = Number(process.env.SCREENSHOTS_WIDTH ?? 1600);
const HEIGHT = Number(process.env.SCREENSHOTS_HEIGHT ?? 900);
const CHROMIUM = process.env.CHROMIUM ?? 'chromium';
const say = (text) => process.stdout.write(`${text}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Ce qui est photographié : le canevas de chaque workflow livré et, pour les
 * workflows qui envoient aux titulaires, le panneau de leur nœud
 * « Configuration » (le réglage « envoyer »).
 */
function shots(files) {
	const list = [];
	for (const file of files) {
		const workflow = JSON.parse(fs.readFileSync(file, 'utf8'));
		const base = path.basename(file, '.json');
		list.push({ workflow, image: `${base}.png`, what: `canevas « ${workflow.name} »` });
		const configuration = workflow.nodes.find((n) => n.name === 'Configuration' && n.type === 'n8n-nodes-base.set');
		if (configuration && 'envoyer' in (local.configurationOf(workflow) ?? {})) {
			list.push({ workflow, node: configuration, image: `${base}-configuration.png`, what: `nœud « Configuration » de « ${workflow.name} »` });
		}
	}
	return list;
}

/** Chromium sans interface, piloté par le protocole DevTools (WebSocket intégré à Node). */
async function launchChromium(profile) {
	const child = spawn(
		CHROMIUM,
		[
			'--headless=new',
			'--remote-debugging-port=0',
			'--remote-debugging-address=127.0.0.1',
			`--user-data-dir=${profile}`,
			`--window-size=${WIDTH},${HEIGHT}`,
			'--no-first-run',
			'--no-default-browser-check',
			'--disable-extensions',
			'--disable-gpu',
			'--hide-scrollbars',
			'--lang=fr-FR',
			// Sous root (conteneur), Chromium refuse de démarrer avec son bac à sable.
			...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
			'about:blank',
		],
		{ stdio: ['ignore', 'ignore', 'pipe'] },
	);
	let stderr = '';
	child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
	const portFile = path.join(profile, 'DevToolsActivePort');
	for (let i = 0; i < 150 && !fs.existsSync(portFile); i++) {
		if (child.exitCode !== null) break;
		await sleep(200);
	}
	if (!fs.existsSync(portFile)) {
		child.kill('SIGKILL');
		throw new Error(`Chromium n'a pas démarré (${CHROMIUM} ; apt-get install chromium) :\n${stderr}`);
	}
	const [port, wsPath] = fs.readFileSync(portFile, 'utf8').trim().split('\n');
	const socket = new WebSocket(`ws://127.0.0.1:${port}${wsPath}`);
	await new Promise((resolve, reject) => {
		socket.addEventListener('open', resolve, { once: true });
		socket.addEventListener('error', () => reject(new Error('Connexion au protocole DevTools de Chromium impossible')), { once: true });
	});
	let next = 0;
	const pending = new Map();
	socket.addEventListener('message', (event) => {
		const message = JSON.parse(event.data);
		if (message.id === undefined || !pending.has(message.id)) return;
		const { resolve, reject, method } = pending.get(message.id);
		pending.delete(message.id);
		if (message.error) reject(new Error(`${method} : ${message.error.message}`));
		else resolve(message.result);
	});
	const send = (method, params = {}, sessionId) =>
		new Promise((resolve, reject) => {
			const id = ++next;
			pending.set(id, { resolve, reject, method });
			socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
		});
	const close = async () => {
		try {
			await Promise.race([send('Browser.close'), sleep(3000)]);
		} catch {
			// déjà fermé
		}
		socket.close();
		if (child.exitCode === null) child.kill('SIGTERM');
	};
	return { send, close };
}

/** Un onglet aux dimensions voulues, qui porte la session du compte propriétaire. */
async function openTab(browser, baseUrl, session) {
	const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
	const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
	const tab = (method, params) => browser.send(method, params, sessionId);
	await tab('Page.enable');
	await tab('Runtime.enable');
	await tab('Emulation.setDeviceMetricsOverride', { width: WIDTH, height: HEIGHT, deviceScaleFactor: 1, mobile: false });
	// La session de n8n est liée à l'identifiant de navigateur que l'éditeur lit dans localStorage.
	await tab('Page.addScriptToEvaluateOnNewDocument', {
		source: `try { localStorage.setItem('n8n-browserId', ${JSON.stringify(session['browser-id'])}); } catch {}`,
	});
	for (const pair of session.cookie.split('; ').filter(Boolean)) {
		const at = pair.indexOf('=');
		await tab('Network.setCookie', { name: pair.slice(0, at), value: pair.slice(at + 1), url: baseUrl });
	}
	const evaluate = async (expression) => (await tab('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })).result.value;
	return { tab, evaluate };
}

/** Attend que `expression` soit vraie dans la page. */
async function waitFor(evaluate, expression, what, timeoutMs = 60000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await evaluate(expression).catch(() => false)) return;
		if (Date.now() > deadline) throw new Error(`Délai dépassé en attendant ${what}`);
		await sleep(300);
	}
}

const files = process.argv.slice(2).length > 0 ? process.argv.slice(2).map((f) => path.resolve(f)) : local.shippedWorkflows();
/** Le relevé en ligne, s'il est photographié : son formulaire l'est aussi. */
const online = files.find((f) => path.basename(f) === 'releve-en-ligne.json');

/**
 * Le formulaire du relevé en ligne tel que le voit un titulaire, rempli : les
 * heures du mois de chaque participant repris de son dernier relevé (clause
 * d'exemple 2025-TRX-031, lot 9, novembre 2026), page entière.
 */
async function photographOnlineForm({ tab, evaluate }, serverUrl, secret) {
	const core = require(path.join(local.ROOT, 'dist', 'nodes', 'lib.js'));
	const samples = JSON.parse(fs.readFileSync(path.join(local.ROOT, 'workflows', 'donnees-exemple', 'registre-clauses.json'), 'utf8'));
	const clause = core.readRecord(core.CLAUSE_READER, samples.find((c) => c.marche === '2025-TRX-031' && String(c.lot) === '9'), 'clause');
	const token = core.signReportLink(secret, { marche: clause.marche, lot: clause.lot, siret: clause.siret, mois: '2026-11', expire: Math.floor(Date.now() / 1000) + 30 * 86400 });
	const width = 1280;
	await tab('Emulation.setDeviceMetricsOverride', { width, height: HEIGHT, deviceScaleFactor: 1, mobile: false });
	await tab('Page.navigate', { url: new URL(`webhook/releve-en-ligne?jeton=${encodeURIComponent(token)}`, serverUrl).href });
	await waitFor(evaluate, `!!document.querySelector('form input[name="lignes"]')`, 'le formulaire du relevé en ligne');
	const filled = await evaluate(`(() => {
		const hours = ['35', '24,5', '21', '14', '28'];
		const lines = Number(document.querySelector('input[name="lignes"]').value);
		let count = 0;
		for (let n = 1; n <= lines; n++) {
			const who = document.getElementById('participant_' + n);
			const h = document.getElementById('heuresMois_' + n);
			if (who && h && who.value && !h.value) h.value = hours[count++ % hours.length];
		}
		return count;
	})()`);
	if (!filled) throw new Error('Le formulaire du relevé en ligne ne reprend aucun participant du dernier relevé de la clause d’exemple 2025-TRX-031, lot 9');
	await evaluate('document.fonts.ready.then(() => true)');
	await sleep(500);
	const height = Math.ceil(await evaluate('document.documentElement.scrollHeight'));
	const { data } = await tab('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width, height, scale: 1 } });
	const image = 'releve-en-ligne-formulaire-rempli.png';
	fs.writeFileSync(path.join(OUT, image), Buffer.from(data, 'base64'));
	say(`  • ${path.relative(local.ROOT, path.join(OUT, image))} : formulaire du relevé en ligne rempli (${filled} participants)`);
}
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-captures-'));
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-chromium-'));
let server;
let browser;
try {
	const layout = local.createHome(home);
	say('» Construction et empaquetage du paquet…');
	const tarball = local.packPackage(path.join(home, 'pack'));
	say(`» Installation dans un n8n jetable (${home})…`);
	local.installPackage(layout, tarball);
	const credentials = local.localCredentials();
	await local.importCredentials(layout, credentials);
	if (online) {
		// Le formulaire lit le registre : le classeur de suivi d'exemple y est versé, comme par la démonstration.
		local.copySampleData(layout);
		const importId = await local.importWorkflow(layout, path.join(local.ROOT, 'workflows', 'import-classeur-suivi.json'), { configuration: { classeur: 'donnees/suivi-clauses.xlsx' } });
		const run = await local.executeWorkflow(layout, importId);
		if (run.status !== 'success') throw new Error(`Classeur de suivi d'exemple versé au registre : ${run.status} ${run.data?.resultData?.error?.message ?? ''}`);
	}
	for (const file of files) await local.importWorkflow(layout, file);
	// Un Webhook ne répond qu'une fois son workflow publié.
	if (online) await local.n8n(layout, ['publish:workflow', `--id=${JSON.parse(fs.readFileSync(online, 'utf8')).id}`]);
	const port = await local.freePort();
	server = await local.startServer(layout, { port });
	say(`» n8n sur ${server.url} ; création du compte propriétaire…`);
	const session = await local.ownerSession(server.url);
	browser = await launchChromium(profile);
	const page = await openTab(browser, server.url, session);
	const { tab, evaluate } = page;
	fs.mkdirSync(OUT, { recursive: true });
	for (const shot of shots(files)) {
		const url = new URL(`workflow/${shot.workflow.id}${shot.node ? `/${shot.node.id}` : ''}`, server.url).href;
		await tab('Page.navigate', { url });
		// Les notes (sticky notes) ne portent pas l'attribut des nœuds.
		const count = shot.workflow.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote').length;
		try {
			await waitFor(evaluate, `document.querySelectorAll('[data-test-id="canvas-node"]').length >= ${count}`, `les ${count} nœuds de « ${shot.workflow.name} »`);
			if (shot.node) await waitFor(evaluate, `!!document.querySelector('[data-test-id="ndv"]')`, `le panneau du nœud « ${shot.node.name} »`);
		} catch (error) {
			// Ce que montrait la page, pour comprendre : capture et adresse.
			const failed = path.join(os.tmpdir(), `echec-${shot.image}`);
			const { data } = await tab('Page.captureScreenshot', { format: 'png' });
			fs.writeFileSync(failed, Buffer.from(data, 'base64'));
			throw new Error(`${error.message} (page : ${await evaluate('location.href')} ; capture : ${failed})`);
		}
		// Le canevas se cadre sur le workflow (« zoom to fit ») et les polices se chargent.
		await evaluate('document.fonts.ready.then(() => true)');
		await sleep(2500);
		const { data } = await tab('Page.captureScreenshot', { format: 'png' });
		fs.writeFileSync(path.join(OUT, shot.image), Buffer.from(data, 'base64'));
		say(`  • ${path.relative(local.ROOT, path.join(OUT, shot.image))} : ${shot.what}`);
	}
	if (online) await photographOnlineForm(page, server.url, credentials.find((c) => c.id === 'ClsRegistreLocal').data.secretLiens);
} finally {
	await browser?.close();
	await server?.stop();
	fs.rmSync(profile, { recursive: true, force: true });
	if (process.env.CLAUSES_KEEP_SCREENSHOTS_HOME !== '1') fs.rmSync(home, { recursive: true, force: true });
}
