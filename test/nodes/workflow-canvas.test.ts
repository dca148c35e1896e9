/**
 * Les workflows livrés s'ouvrent propres sur le canevas de l'éditeur : aucun
 * nœud n'en chevauche un autre (nom compris) ni une note, sauf s'il est posé
 * dedans ; le texte de chaque note tient dans sa hauteur ; le flux va de gauche
 * à droite. Les paramètres des nœuds du paquet ne montrent ni décimales
 * parasites (« 60.00 » : numberPrecision) ni expression en exemple.
 * Géométrie estimée depuis le fichier : test/helpers/canvas.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { INodeProperties, INodePropertyCollection } from 'n8n-workflow';

import { type CanvasNode, inside, isSticky, nodeBox, overlap, stickyBox, stickyTextHeight } from '../helpers/canvas';
import { loadPackage } from '../helpers/engine';
import { local } from '../helpers/real-n8n';

interface Workflow {
	name: string;
	nodes: CanvasNode[];
	connections: Record<string, { main: Array<Array<{ node: string }> | null> }>;
}

const workflows = local.shippedWorkflows().map((file) => [path.basename(file), JSON.parse(fs.readFileSync(file, 'utf8')) as Workflow] as const);

describe.each(workflows)('canevas de %s', (_file, workflow) => {
	const nodes = workflow.nodes.filter((n) => !isSticky(n));
	const stickies = workflow.nodes.filter(isSticky);

	it('aucun nœud n’en chevauche un autre, nom compris', () => {
		const clashes: string[] = [];
		nodes.forEach((a, i) => {
			for (const b of nodes.slice(i + 1)) if (overlap(nodeBox(a), nodeBox(b))) clashes.push(`${a.name} / ${b.name}`);
		});
		expect(clashes).toEqual([]);
	});

	it('aucun nœud ne déborde sur une note (un nœud posé dans une note y est en entier)', () => {
		const clashes: string[] = [];
		for (const sticky of stickies) {
			for (const node of nodes) {
				const box = nodeBox(node);
				if (overlap(box, stickyBox(sticky)) && !inside(box, stickyBox(sticky))) clashes.push(`${node.name} / ${sticky.name}`);
			}
		}
		stickies.forEach((a, i) => {
			for (const b of stickies.slice(i + 1)) if (overlap(stickyBox(a), stickyBox(b))) clashes.push(`${a.name} / ${b.name}`);
		});
		expect(clashes).toEqual([]);
	});

	it('le texte de chaque note tient dans sa hauteur', () => {
		const cut = stickies
			.map((s) => ({ name: s.name, height: stickyBox(s).h, needed: stickyTextHeight(String(s.parameters.content ?? ''), stickyBox(s).w) }))
			.filter((s) => s.needed > s.height);
		expect(cut).toEqual([]);
	});

	it('va de gauche à droite : chaque liaison mène à un nœud plus à droite', () => {
		const x = Object.fromEntries(nodes.map((n) => [n.name, n.position[0]]));
		const backwards: string[] = [];
		for (const [from, { main }] of Object.entries(workflow.connections)) {
			for (const target of main.flat()) if (target && x[target.node] <= x[from]) backwards.push(`${from} → ${target.node}`);
		}
		expect(backwards).toEqual([]);
	});
});

describe('paramètres des nœuds du paquet', () => {
	/** Tous les paramètres, collections et listes de valeurs comprises. */
	function flatten(properties: Array<INodeProperties | INodePropertyCollection>): INodeProperties[] {
		return properties.flatMap((p) => {
			const own = 'type' in p ? [p as INodeProperties] : [];
			const children = ('options' in p && Array.isArray(p.options) ? p.options : []) as Array<INodeProperties | INodePropertyCollection>;
			const values = ('values' in p && Array.isArray(p.values) ? p.values : []) as INodeProperties[];
			return [...own, ...flatten(children.filter((c) => typeof c === 'object' && ('type' in c || 'values' in c))), ...flatten(values)];
		});
	}

	async function allProperties(): Promise<Array<{ node: string; property: INodeProperties }>> {
		const loader = await loadPackage();
		return Object.keys(loader.known.nodes).flatMap((name) => {
			const type = loader.getNode(name).type;
			const descriptions = 'nodeVersions' in type ? Object.values(type.nodeVersions).map((v) => v.description) : [type.description];
			return descriptions.flatMap((d) => flatten(d.properties).map((property) => ({ node: d.displayName, property })));
		});
	}

	it('aucun nombre ne s’affiche avec des décimales imposées (60 montré « 60.00 »)', async () => {
		const padded = (await allProperties()).filter(({ property }) => property.type === 'number' && property.typeOptions?.numberPrecision !== undefined);
		expect(padded.map(({ node, property }) => `${node} : ${property.displayName}`)).toEqual([]);
	});

	it('aucun exemple (placeholder) n’est une expression', async () => {
		const expressions = (await allProperties()).filter(({ property }) => typeof property.placeholder === 'string' && /^=|\{\{/.test(property.placeholder));
		expect(expressions.map(({ node, property }) => `${node} : ${property.displayName} (${property.placeholder})`)).toEqual([]);
	});
});
