/**
 * Aucun workflow livré n'écrit aux titulaires sans qu'on le lui demande. Pour
 * chaque nœud du paquet qui a un mode « Envoyer », le mode effectif du fichier
 * livré (valeur posée, expression évaluée sur le nœud « Configuration », ou
 * valeur par défaut du nœud) n'est pas « envoyer », sauf derrière une
 * approbation humaine (Send Email « Send and Wait for Response ») sur tout
 * chemin depuis un déclencheur. Un workflow qui a le réglage « envoyer » le
 * livre à false, le dit dans une note, et ce seul réglage fait envoyer.
 */
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import type { INodeProperties } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { PACKAGE_NAME, loadPackage } from '../helpers/engine';
import { local } from '../helpers/real-n8n';

interface WorkflowNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	disabled?: boolean;
}
interface Workflow {
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, { main: Array<Array<{ node: string }> | null> }>;
}

const PREFIX = 'n8n-nodes-clauses-sociales.';
const workflows = local.shippedWorkflows().map((file) => [path.basename(file), JSON.parse(fs.readFileSync(file, 'utf8')) as Workflow] as const);

/** Paramètre « mode » du nœud s'il propose l'envoi. */
async function sendingMode(node: WorkflowNode): Promise<INodeProperties | undefined> {
	if (!node.type.startsWith(PREFIX)) return undefined;
	const loader = await loadPackage();
	const type = NodeHelpers.getVersionedNodeType(loader.getNode(node.type.slice(PREFIX.length)).type, node.typeVersion);
	return type.description.properties.find((p) => p.name === 'mode' && p.options?.some((o) => 'value' in o && o.value === 'envoyer'));
}

/** Mode effectif : valeur posée ou par défaut ; une expression est évaluée avec le nœud « Configuration » seul. */
function effectiveMode(value: unknown, configuration: Record<string, unknown>): unknown {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	const body = /^=\{\{([\s\S]*)\}\}$/.exec(value)?.[1];
	if (body === undefined) throw new Error(`Expression de mode inattendue : ${value}`);
	const $ = (name: string) => {
		if (name !== 'Configuration') throw new Error(`Le mode ne doit dépendre que du nœud « Configuration » (et non de « ${name} »)`);
		return { first: () => ({ json: configuration }) };
	};
	return vm.runInNewContext(body, { $ });
}

/** Nœuds atteignables depuis un déclencheur sans passer par une approbation. */
function reachableWithoutApproval(workflow: Workflow): Set<string> {
	const byName = new Map(workflow.nodes.map((n) => [n.name, n]));
	// Approbation : nœud « Approbation (clauses sociales) », formulaire d'un nœud Wait (« On Form Submitted »), ou « Send and Wait for Response ».
	const isApproval = (n: WorkflowNode) =>
		n.type === `${PACKAGE_NAME}.clauseApproval` ||
		(n.type === 'n8n-nodes-base.wait' && n.parameters.resume === 'form') ||
		(n.type === 'n8n-nodes-base.emailSend' && n.parameters.operation === 'sendAndWait');
	const targets = new Set(Object.values(workflow.connections).flatMap((c) => c.main.flat().map((t) => t?.node)));
	const queue = workflow.nodes.filter((n) => !n.type.endsWith('stickyNote') && !n.disabled && !targets.has(n.name)).map((n) => n.name);
	const seen = new Set<string>();
	while (queue.length > 0) {
		const name = queue.shift()!;
		if (seen.has(name)) continue;
		seen.add(name);
		if (isApproval(byName.get(name)!)) continue;
		for (const target of workflow.connections[name]?.main.flat() ?? []) if (target) queue.push(target.node);
	}
	return seen;
}

describe.each(workflows)('%s', (_file, workflow) => {
	const configuration = local.configurationOf(workflow) ?? {};

	it('n’envoie rien aux titulaires tel qu’il est livré (aperçu, ou envoi derrière l’approbation de l’acheteur)', async () => {
		const open = reachableWithoutApproval(workflow);
		const sending: string[] = [];
		for (const node of workflow.nodes) {
			const mode = await sendingMode(node);
			if (!mode) continue;
			if (effectiveMode(node.parameters.mode ?? mode.default, configuration) === 'envoyer' && open.has(node.name)) sending.push(node.name);
		}
		expect(sending).toEqual([]);
	});

	it('si son nœud « Configuration » a le réglage « envoyer » : livré à false, expliqué dans une note, et suffisant pour envoyer', async () => {
		if (!('envoyer' in configuration)) return;
		expect(configuration.envoyer).toBe(false);
		const switched = local.configurationOf(local.withConfiguration(workflow, { envoyer: true }))!;
		const modes: unknown[] = [];
		for (const node of workflow.nodes) {
			const mode = await sendingMode(node);
			if (mode) modes.push(effectiveMode(node.parameters.mode ?? mode.default, switched));
		}
		expect(modes.length).toBeGreaterThan(0);
		expect(modes.every((m) => m === 'envoyer')).toBe(true);
		const notes = workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote').map((n) => String(n.parameters.content));
		expect(notes.some((text) => /aperçu/i.test(text) && text.includes('« Configuration »') && text.includes('`envoyer` à `true`'))).toBe(true);
	});
});

describe('réglage « envoyer »', () => {
	it('les workflows qui écrivent aux titulaires sans approbation l’ont : suivi des engagements, relance mensuelle, réception des relevés et relevé en ligne', () => {
		const withSwitch = workflows.filter(([, w]) => 'envoyer' in (local.configurationOf(w) ?? {})).map(([file]) => file);
		expect(withSwitch).toEqual(['engagements-sociaux.json', 'reception-releves.json', 'relance-mensuelle.json', 'releve-en-ligne.json']);
	});

	it('se change comme dans l’éditeur, sans toucher au fichier livré ; un réglage absent est refusé', () => {
		const [, workflow] = workflows.find(([file]) => file === 'relance-mensuelle.json')!;
		const before = JSON.stringify(workflow);
		expect(local.configurationOf(local.withConfiguration(workflow, { envoyer: true }))?.envoyer).toBe(true);
		expect(JSON.stringify(workflow)).toBe(before);
		expect(() => local.withConfiguration(workflow, { envoi: true })).toThrow("n'a pas de réglage « envoi »");
	});
});
