/**
 * Calibrage → étude de faisabilité → rapport de la consultation, chaînés dans un
 * seul workflow exécuté par WorkflowExecute (moteur de n8n), avec les paramètres
 * du workflow livré et le classeur d'exemple : les sorties d'un nœud sont les
 * entrées du suivant, comme dans n8n.
 */
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';
import type { IConnections, INode } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { PACKAGE_NAME, PACKAGE_ROOT, binaryItem, runWorkflow, useItems } from '../helpers/engine';
import { SAMPLE_STUDY_HOURS } from '../helpers/study-sample';

const sample = (name: string) => path.join(PACKAGE_ROOT, 'workflows', 'donnees-exemple', name);
const shipped = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'workflows', 'etude-faisabilite-calibrage.json'), 'utf8')) as { nodes: INode[] };
const parametersOf = (name: string) => structuredClone(shipped.nodes.find((n) => n.name === name)!.parameters);

describe('chaîne calibrage → étude de faisabilité → rapport, sur le moteur de n8n', () => {
	it('produit le rapport de la consultation d’exemple : 12 lots, 6 741 h, facilitateurs des lots avec clause', async () => {
		const dataKey = useItems([binaryItem(fs.readFileSync(sample('lots-consultation.xlsx')), 'lots-consultation.xlsx')]);
		const node = (id: string, name: string, type: string, parameters: INode['parameters'], x: number): INode => ({
			id,
			name,
			type,
			typeVersion: 1,
			position: [x, 0],
			parameters,
		});
		const nodes: INode[] = [
			node('amorce', 'Lire la liste des lots', 'harness.items', { dataKey }, 0),
			node('calibrage', 'Calibrage des heures', `${PACKAGE_NAME}.clauseCalibration`, parametersOf('Calibrage des heures'), 200),
			node(
				'faisabilite',
				'Étude de faisabilité',
				`${PACKAGE_NAME}.clauseFeasibility`,
				// Les facilitateurs du fichier d'exemple (lus par deux nœuds de base dans le workflow) et une date fixe.
				{ ...parametersOf('Étude de faisabilité'), facilitateurs: fs.readFileSync(sample('facilitateurs.json'), 'utf8'), dateEtude: '2026-11-23' },
				400,
			),
			node('rapport', 'Rapport de la consultation', `${PACKAGE_NAME}.clauseStudyReport`, parametersOf('Rapport de la consultation'), 600),
		];
		const link = (to: string) => ({ main: [[{ node: to, type: NodeConnectionTypes.Main, index: 0 }]] });
		const connections: IConnections = {
			'Lire la liste des lots': link('Calibrage des heures'),
			'Calibrage des heures': link('Étude de faisabilité'),
			'Étude de faisabilité': link('Rapport de la consultation'),
		};

		const result = await runWorkflow({ nodes, connections });
		expect(result.error()).toBeUndefined();
		// Les heures du calibrage passent à l'étude, qui les retient (zone blanche exceptée : aucun facilitateur en Charente).
		const studied = result.output('Étude de faisabilité');
		const key = (json: Record<string, unknown>) => `${String(json.marche)}/${String(json.lot)}`;
		const calibrated = Object.fromEntries(studied.map((item) => [key(item.json), (item.json.calibrage as { heures: number }).heures]));
		const retained = Object.fromEntries(studied.map((item) => [key(item.json), (item.json.faisabilite as { heuresRetenues: number }).heuresRetenues]));
		const expected = SAMPLE_STUDY_HOURS;
		expect(retained).toEqual(expected);
		expect(calibrated).toEqual({ ...expected, '2026-SRV-040/unique': 150 });

		const [report, ...more] = result.output('Rapport de la consultation');
		expect(more).toEqual([]);
		expect(report.json).toMatchObject({
			fichier: 'etude-clauses-4-marches-2026-11-23.xlsx',
			marches: ['2026-TRX-014', '2026-SRV-031', '2026-SRV-040', '2026-PI-007'],
			lots: 12,
			lotsEnErreur: 0,
			heuresARetenir: Object.values(expected).reduce((sum, hours) => sum + hours, 0),
			facilitateurs: [
				{ nom: "PLIE du Val d'Argent", email: 'clauses@plie-val-argent.example.test' },
				{ nom: "Maison de l'emploi du Haut-Argent", email: 'facilitation@mde-haut-argent.example.test' },
			],
			courrielsFacilitateurs: 'clauses@plie-val-argent.example.test, facilitation@mde-haut-argent.example.test',
		});
		expect(report.json.heuresARetenir).toBe(6741);
		expect(report.pairedItem).toHaveLength(12);

		const workbook = new ExcelJS.Workbook();
		await workbook.xlsx.load(Buffer.from(report.binary!.data.data, 'base64') as unknown as ArrayBuffer);
		const lots = workbook.getWorksheet('Lots')!;
		expect([lots.getCell('A4').value, lots.getCell('B4').value]).toEqual(['2026-TRX-014', '1']);
		expect(workbook.getWorksheet('Paramètres et sources')).toBeDefined();
	});
});
