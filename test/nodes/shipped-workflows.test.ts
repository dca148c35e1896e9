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

function unknownParameters(values: Record<string, unknown>, properties: INodeProperties[], prefix = ''): string[] {
	const unknown: string[] = [];
	for (const [key, value] of Object.entries(values)) {
		const property = properties.find((p) => p.name === key);
		if (!property) {
			unknown.push(`${prefix}${key}`);
			continue;
		}
		if (property.type === 'collection' && value && typeof value === 'object') {
			unknown.push(...unknownParameters(value as Record<string, unknown>, (property.options ?? []) as INodeProperties[], `${prefix}${key}.`));
		}
		if (property.type === 'fixedCollection' && value && typeof value === 'object') {
			for (const [group, entries] of Object.entries(value as Record<string, unknown>)) {
				const option = (property.options as INodePropertyCollection[] | undefined)?.find((o) => o.name === group);
				if (!option) {
					unknown.push(`${prefix}${key}.${group}`);
					continue;
				}
				for (const entry of Array.isArray(entries) ? entries : [entries]) {
					unknown.push(...unknownParameters(entry as Record<string, unknown>, option.values, `${prefix}${key}.${group}.`));
				}
			}
		}
	}
	return unknown;
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
				for (const key of unknownParameters(node.parameters ?? {}, type.description.properties)) {
					problems.push(`${node.name} : paramètre inconnu « ${key} »`);
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
