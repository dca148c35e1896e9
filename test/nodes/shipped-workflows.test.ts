/**
 * Les workflows livrés ne citent que des nœuds et des paramètres qui existent
 * dans ce paquet : un type mal préfixé ou un paramètre renommé fait échouer ce
 * test (n8n, lui, ignorerait le paramètre inconnu en silence).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { INodeProperties, INodePropertyCollection, INodeType, IVersionedNodeType } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { PACKAGE_NAME, loadPackage } from '../helpers/engine';
import { local } from '../helpers/real-n8n';

const workflowFiles = local.shippedWorkflows();

/**
 * Paramètres inconnus d'un nœud, ou valeurs hors liste : n8n ignorerait les
 * premiers en silence et échouerait (ou ferait autre chose) avec les secondes.
 */
function parameterProblems(values: Record<string, unknown>, properties: INodeProperties[], prefix = ''): string[] {
	const problems: string[] = [];
	for (const [key, value] of Object.entries(values)) {
		const candidates = properties.filter((p) => p.name === key);
		if (candidates.length === 0) {
			problems.push(`paramètre inconnu « ${prefix}${key} »`);
			continue;
		}
		const isExpression = typeof value === 'string' && value.startsWith('=');
		const optionLists = candidates.filter((p) => p.type === 'options');
		if (!isExpression && optionLists.length === candidates.length && (typeof value === 'string' || typeof value === 'number')) {
			const allowed = optionLists.flatMap((p) => (p.options ?? []).map((o) => (o as { value: unknown }).value));
			if (!allowed.includes(value)) problems.push(`valeur « ${String(value)} » hors liste pour « ${prefix}${key} » (${allowed.join(', ')})`);
		}
		const collections = candidates.filter((p) => p.type === 'collection');
		if (collections.length > 0 && value && typeof value === 'object' && !Array.isArray(value)) {
			const options = collections.flatMap((p) => (p.options ?? []) as INodeProperties[]);
			problems.push(...parameterProblems(value as Record<string, unknown>, options, `${prefix}${key}.`));
		}
		const fixed = candidates.filter((p) => p.type === 'fixedCollection');
		if (fixed.length > 0 && value && typeof value === 'object') {
			for (const [group, entries] of Object.entries(value as Record<string, unknown>)) {
				const option = fixed.flatMap((p) => (p.options ?? []) as INodePropertyCollection[]).find((o) => o.name === group);
				if (!option) {
					problems.push(`groupe inconnu « ${prefix}${key}.${group} »`);
					continue;
				}
				for (const entry of Array.isArray(entries) ? entries : [entries]) {
					problems.push(...parameterProblems(entry as Record<string, unknown>, option.values, `${prefix}${key}.${group}.`));
				}
			}
		}
	}
	return problems;
}

/** Descriptions des nœuds de base de la version de n8n installée pour les tests (dist/types/nodes.json). */
function baseNodeDescriptions(): Array<{ name: string; version: number | number[]; properties: INodeProperties[] }> {
	const file = path.join(local.ensureN8n().dir, 'node_modules', 'n8n-nodes-base', 'dist', 'types', 'nodes.json');
	return JSON.parse(fs.readFileSync(file, 'utf8'));
}

describe('workflows livrés', () => {
	it('sont présents', () => {
		expect(workflowFiles.length).toBeGreaterThanOrEqual(1);
	});

	describe.each(workflowFiles.map((file) => [path.basename(file), file]))('%s', (_name, file) => {
		const workflow = JSON.parse(fs.readFileSync(file, 'utf8'));

		it('porte un identifiant d’import n8n et un nom', () => {
			expect(workflow.id).toMatch(/^[A-Za-z0-9]{16}$/);
			expect(typeof workflow.name).toBe('string');
		});

		it('n’utilise que des types et des paramètres connus de ce paquet', async () => {
			const loader = await loadPackage();
			const ours = workflow.nodes.filter((n: { type: string }) => n.type.startsWith(`${PACKAGE_NAME}.`));
			const problems: string[] = [];
			for (const node of ours) {
				const short = node.type.slice(PACKAGE_NAME.length + 1);
				if (!loader.known.nodes[short]) {
					problems.push(`${node.name} : type inconnu ${node.type}`);
					continue;
				}
				const type = NodeHelpers.getVersionedNodeType(
					loader.getNode(short).type as INodeType | IVersionedNodeType,
					node.typeVersion,
				);
				for (const problem of parameterProblems(node.parameters ?? {}, type.description.properties)) {
					problems.push(`${node.name} : ${problem}`);
				}
			}
			expect(problems).toEqual([]);
		});

		it('n’utilise que des nœuds de base, versions et paramètres de n8n 2.40.7', () => {
			const descriptions = baseNodeDescriptions();
			const problems: string[] = [];
			for (const node of workflow.nodes.filter((n: { type: string }) => n.type.startsWith('n8n-nodes-base.'))) {
				const short = node.type.slice('n8n-nodes-base.'.length);
				const matching = descriptions.filter(
					(d) => d.name === short && (Array.isArray(d.version) ? d.version : [d.version]).includes(node.typeVersion),
				);
				if (matching.length === 0) {
					problems.push(`${node.name} : ${node.type} v${node.typeVersion} inconnu`);
					continue;
				}
				if (short === 'stickyNote') continue;
				for (const problem of parameterProblems(node.parameters ?? {}, matching.flatMap((d) => d.properties))) {
					problems.push(`${node.name} : ${problem}`);
				}
			}
			expect(problems).toEqual([]);
		});

		it('référence des identifiants fournis par la démonstration et les tests', () => {
			const known = new Set(local.localCredentials({ smtpPort: 1025 }).map((c) => `${c.type}:${c.id}`));
			const used = workflow.nodes.flatMap((n: { credentials?: Record<string, { id: string }> }) =>
				Object.entries(n.credentials ?? {}).map(([type, ref]) => `${type}:${ref.id}`),
			);
			for (const ref of used) expect(known).toContain(ref);
		});

		it('n’emploie pas de nœud d’un autre paquet communautaire ni le préfixe CUSTOM.', () => {
			const foreign = workflow.nodes
				.map((n: { type: string }) => n.type)
				.filter((t: string) => !t.startsWith('n8n-nodes-base.') && !t.startsWith(`${PACKAGE_NAME}.`));
			expect(foreign).toEqual([]);
		});
	});
});
