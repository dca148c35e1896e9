/**
 * Bout en bout : scripts/n8n.sh sur une instance neuve, comme l'appelle un
 * utilisateur, sur un autre port que 5678 (N8N_PORT hérité de l'appelant).
 * 1. `scripts/n8n.sh execute` d'un workflow qui s'arrête « en attente » : le lien
 *    de reprise qu'il produit pointe vers 127.0.0.1 et le port choisi.
 * 2. `scripts/n8n.sh start` : n8n n'écoute que sur 127.0.0.1, sur ce port ; les
 *    adresses publiques qu'il annonce (webhooks, éditeur) sont les mêmes ; le
 *    lien produit à l'étape 1, ouvert, termine l'exécution.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import type { Layout, N8nScript } from '../helpers/real-n8n';
import { local, portOtherThanDefault, scriptUserEnv, startN8nScript } from '../helpers/real-n8n';

jest.setTimeout(600_000);

const WORKFLOW_ID = 'ClsLienLocal0001';

/** Un workflow minimal : le lien de reprise de l'exécution, puis une attente de ce lien. */
const workflow = {
	id: WORKFLOW_ID,
	name: 'Lien de reprise',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{ id: 'a1', name: 'Lancer', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: 'a2',
			name: 'Lien',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [220, 0],
			parameters: {
				mode: 'manual',
				assignments: { assignments: [{ id: 'l1', name: 'lien', type: 'string', value: '={{ $execution.resumeUrl }}' }] },
				options: {},
			},
		},
		{
			id: 'a3',
			name: 'Attendre le lien',
			type: 'n8n-nodes-base.wait',
			typeVersion: 1.1,
			position: [440, 0],
			webhookId: '5b0a2c3e-8f7d-4f55-9a51-0c6d1d0e7a11',
			parameters: { resume: 'webhook', options: {} },
		},
	],
	connections: {
		Lancer: { main: [[{ node: 'Lien', type: 'main', index: 0 }]] },
		Lien: { main: [[{ node: 'Attendre le lien', type: 'main', index: 0 }]] },
	},
};

/** scripts/n8n.sh <args> jusqu'à sa fin. */
function n8nSh(home: string, env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number | null; output: string }> {
	return local.runN8nScript(args, { env, logFile: path.join(home, `n8n-sh-${args[0].replace(/\W/g, '-')}.log`) }).done;
}

/** Adresses locales des sockets TCP à l'écoute sur ce port (/proc/net/tcp et tcp6). */
function listeningAddresses(port: number): string[] {
	const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
	const found: string[] = [];
	for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
		if (!fs.existsSync(table)) continue;
		for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
			const [, local, , state] = line.trim().split(/\s+/);
			if (!local || state !== '0A') continue;
			const [address, portHex] = local.split(':');
			if (portHex !== hexPort) continue;
			found.push(decodeAddress(address));
		}
	}
	return found;
}

function decodeAddress(hex: string): string {
	const bytes = (h: string) => h.match(/../g)!.reverse().map((b) => parseInt(b, 16));
	if (hex.length === 8) return bytes(hex).join('.');
	// IPv6 : quatre mots de 32 bits, chacun dans l'ordre de la machine.
	const words = hex.match(/.{8}/g)!.flatMap((w) => bytes(w));
	if (words.slice(0, 10).every((b) => b === 0) && words[10] === 255 && words[11] === 255) return words.slice(12).join('.');
	return words.every((b) => b === 0) ? '::' : hex;
}

function connects(host: string, port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect({ host, port });
		socket.setTimeout(3000, () => {
			socket.destroy();
			resolve(false);
		});
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

describe('scripts/n8n.sh : serveur local', () => {
	let layout: Layout;
	let server: N8nScript | undefined;

	beforeAll(() => {
		local.ensureN8n();
		layout = local.createHome(fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-serveur-')));
	});

	afterAll(async () => {
		await server?.stop();
		if (layout && process.env.CLAUSES_KEEP_E2E !== '1') fs.rmSync(layout.home, { recursive: true, force: true });
	});

	it('garde le port choisi, n’écoute que sur 127.0.0.1, et ses liens pointent vers ce port', async () => {
		const port = await portOtherThanDefault();
		const env = scriptUserEnv(layout.home, port);
		const base = `http://127.0.0.1:${port}/`;

		const file = path.join(layout.home, 'lien-de-reprise.json');
		fs.writeFileSync(file, JSON.stringify(workflow));
		const imported = await n8nSh(layout.home, env, ['import:workflow', `--input=${file}`]);
		expect(imported.output).toMatch(/Successfully imported/);
		expect(imported.code).toBe(0);

		// 1. Le lien produit par une exécution en ligne de commande.
		const executed = await n8nSh(layout.home, env, ['execute', `--id=${WORKFLOW_ID}`, '--rawOutput']);
		const start = executed.output.search(/^\{/m);
		expect(start).toBeGreaterThanOrEqual(0);
		const run = JSON.parse(executed.output.slice(start, executed.output.lastIndexOf('\n}') + 2));
		expect(run.status).toBe('waiting');
		const link = String(local.nodeOutput(run, 'Lien')![0].json.lien);
		expect(link.startsWith(`${base}webhook-waiting/`)).toBe(true);
		const executionId = /webhook-waiting\/(\d+)/.exec(link)![1];

		// 2. Le serveur.
		server = await startN8nScript(layout.home, port, path.join(layout.home, 'n8n-sh-start.log'));
		expect(server.log()).toContain(`éditeur sur ${base} (écoute sur 127.0.0.1 seulement, port ${port})`);

		expect([...new Set(listeningAddresses(port))]).toEqual(['127.0.0.1']);
		const outside = Object.values(os.networkInterfaces())
			.flat()
			.find((i) => i && i.family === 'IPv4' && !i.internal);
		if (outside) expect(await connects(outside.address, port)).toBe(false);

		// Adresses annoncées par le serveur (vues par le compte propriétaire, créé comme à la première ouverture).
		const session = await local.ownerSession(base);
		const settings = (await (await fetch(`${base}rest/settings`, { headers: session })).json()) as { data: { urlBaseWebhook: string; urlBaseEditor: string } };
		expect(settings.data.urlBaseWebhook).toBe(base);
		expect(settings.data.urlBaseEditor.replace(/\/$/, '')).toBe(base.replace(/\/$/, ''));

		const opened = await local.openLink(link);
		expect(opened.status).toBe(200);
		const finished = await local.waitForExecution(layout, executionId);
		expect(finished.status).toBe('success');
	});
});
