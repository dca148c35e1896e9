/**
 * Bout en bout : l'installation décrite au README, « Installer le paquet dans un
 * n8n existant », dans un vrai n8n neuf. L'archive de `npm pack` est installée
 * par la commande du README dans le dossier des nœuds du dossier utilisateur de
 * n8n (~/.n8n/nodes, sans package.json préalable) ; n8n, démarré, propose les
 * nœuds et l'identifiant du paquet à l'éditeur (types chargés, vus par le
 * compte propriétaire). Aucun lien « Docs » ne mène à une adresse inventée.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Layout } from '../helpers/real-n8n';
import { local } from '../helpers/real-n8n';

jest.setTimeout(600_000);

interface NodeType {
	name: string;
	displayName: string;
	documentationUrl?: string;
	codex?: { resources?: { primaryDocumentation?: unknown } };
}

describe('installation depuis l’archive du paquet (README)', () => {
	let layout: Layout;
	let server: { url: string; stop(): Promise<void> } | undefined;

	beforeAll(() => {
		local.ensureN8n();
		layout = local.createHome(fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-installation-')));
	});

	afterAll(async () => {
		await server?.stop();
		if (layout && process.env.CLAUSES_KEEP_E2E !== '1') fs.rmSync(layout.home, { recursive: true, force: true });
	});

	it('npm pack, npm install --prefix ~/.n8n/nodes, redémarrage : nœuds et identifiant proposés par n8n', async () => {
		const tarball = process.env.CLAUSES_TARBALL ?? local.packPackage(path.join(layout.home, 'pack'));
		const nodesDir = path.join(layout.home, '.n8n', 'nodes');
		expect(fs.existsSync(path.join(nodesDir, 'package.json'))).toBe(false);
		const installed = local.installTarballAsDocumented(layout, tarball);
		expect(installed.name).toBe('n8n-nodes-clauses-sociales');
		expect(installed.homepage).toBeUndefined();
		expect(installed.repository).toBeUndefined();

		server = await local.startServer(layout, { port: await local.freePort() });
		const session = await local.ownerSession(server.url);
		const get = async <T>(route: string): Promise<T> => {
			const response = await fetch(new URL(route, server!.url), { headers: session });
			expect(response.status).toBe(200);
			return (await response.json()) as T;
		};

		const nodes = (await get<NodeType[]>('types/nodes.json')).filter((n) => n.name.startsWith('n8n-nodes-clauses-sociales.'));
		// Chaque nœud, et sa variante « outil » d'agent que n8n dérive de lui.
		expect(nodes.filter((n) => !n.name.endsWith('Tool')).map((n) => n.name).sort()).toEqual(
			local.PACKAGE.n8n.nodes.map((file: string) => `n8n-nodes-clauses-sociales.${path.basename(file, '.node.js').replace(/^./, (c) => c.toLowerCase())}`).sort(),
		);
		for (const node of nodes) {
			expect(node.documentationUrl).toBeUndefined();
			expect(node.codex?.resources?.primaryDocumentation).toBeUndefined();
			expect(JSON.stringify(node)).not.toMatch(/github\.com|region-exemple/);
		}

		const credentials = (await get<Array<{ name: string; documentationUrl?: string }>>('types/credentials.json')).filter((c) => c.name === 'clausesSocialesSmtpApi');
		expect(credentials).toHaveLength(1);
		expect(credentials[0].documentationUrl).toBe('https://docs.n8n.io/integrations/builtin/credentials/send-email/');
	});
});
