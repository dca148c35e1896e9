/**
 * Sortie de l'étude de faisabilité sur la consultation d'exemple (calibrage puis
 * étude, paramètres du workflow livré, date d'étude fixe), exécutée par le
 * moteur de n8n : les éléments qu'un nœud branché après l'étude reçoit.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IConnections, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { PACKAGE_NAME, PACKAGE_ROOT, binaryItem, runWorkflow, useItems } from './engine';

export const SAMPLE_DIR = path.join(PACKAGE_ROOT, 'workflows', 'donnees-exemple');
export const sampleFile = (name: string) => fs.readFileSync(path.join(SAMPLE_DIR, name));

export async function sampleStudyItems(): Promise<INodeExecutionData[]> {
	const shipped = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'workflows', 'etude-faisabilite-calibrage.json'), 'utf8')) as { nodes: INode[] };
	const parametersOf = (name: string) => structuredClone(shipped.nodes.find((n) => n.name === name)!.parameters);
	const dataKey = useItems([binaryItem(sampleFile('lots-consultation.xlsx'), 'lots-consultation.xlsx')]);
	const node = (id: string, name: string, type: string, parameters: INode['parameters'], x: number): INode => ({ id, name, type, typeVersion: 1, position: [x, 0], parameters });
	const nodes: INode[] = [
		node('amorce', 'Lots', 'harness.items', { dataKey }, 0),
		node('calibrage', 'Calibrage', `${PACKAGE_NAME}.clauseCalibration`, parametersOf('Calibrage des heures'), 200),
		node('faisabilite', 'Étude', `${PACKAGE_NAME}.clauseFeasibility`, { ...parametersOf('Étude de faisabilité'), facilitateurs: sampleFile('facilitateurs.json').toString('utf8'), dateEtude: '2026-11-23' }, 400),
	];
	const link = (to: string) => ({ main: [[{ node: to, type: NodeConnectionTypes.Main, index: 0 }]] });
	const connections: IConnections = { Lots: link('Calibrage'), Calibrage: link('Étude') };
	const result = await runWorkflow({ nodes, connections });
	const error = result.error();
	if (error) throw new Error(`étude d'exemple en échec : ${error.message}`);
	return result.output('Étude').map((item) => ({ json: item.json }));
}
