/**
 * Banc : une consultation de 10 000 lots à travers les nœuds « Calibrage des
 * heures » puis « Étude de faisabilité », exécutés par le moteur de n8n
 * (WorkflowExecute). Cible : moins de 100 µs par lot pour les deux nœuds
 * ensemble (rapport Excel exclu).
 *
 * Lancé par bench/run.mjs dans un processus Node ordinaire, comme n8n lui-même :
 * le bac à sable de jest (contexte vm) ralentit les fonctions natives de 3 à 9 fois.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import fs from 'node:fs';

import { PACKAGE_NAME, runWorkflow, useItems } from '../test/helpers/engine';
import { fr, writeResults } from './report';

const LOTS = 10_000;

function lots(count: number): IDataObject[] {
	const natures = ['travaux', 'services', 'fournitures', 'prestations intellectuelles'];
	const places = ['Niort (79000)', 'Poitiers (86000)', 'Rochefort (17300)', 'Cognac (16100)'];
	const out: IDataObject[] = [];
	let graine = 42;
	const random = () => ((graine = (graine * 1103515245 + 12345) % 2147483648) / 2147483648);
	for (let i = 0; i < count; i++) {
		out.push({
			marche: `2026-B-${String(Math.floor(i / 10)).padStart(4, '0')}`,
			lot: String((i % 10) + 1),
			intitule: `Lot ${i}`,
			nature: natures[i % natures.length],
			montantHT: Math.round(20_000 + random() * 2_000_000),
			dureeMois: 3 + Math.floor(random() * 30),
			tauxMainOeuvre: 20 + Math.floor(random() * 60),
			lieuExecution: places[i % places.length],
		});
	}
	return out;
}

const FACILITATEURS = JSON.stringify([
	{ nom: 'PLIE', email: 'plie@example.test', territoires: ['79', '86'] },
	{ nom: 'MDE', email: 'mde@example.test', territoires: ['17'] },
]);

async function run(items: IDataObject[], withNodes: boolean): Promise<number> {
	const nodes: INode[] = [
		{ id: 'a', name: 'Lots', type: 'harness.items', typeVersion: 1, position: [0, 0], parameters: {} },
	];
	const connections: IDataObject = {};
	if (withNodes) {
		nodes.push(
			{ id: 'b', name: 'Calibrage', type: `${PACKAGE_NAME}.clauseCalibration`, typeVersion: 1, position: [200, 0], parameters: {} },
			{ id: 'c', name: 'Étude', type: `${PACKAGE_NAME}.clauseFeasibility`, typeVersion: 1, position: [400, 0], parameters: { facilitateurs: FACILITATEURS, dateEtude: '2026-11-23' } },
		);
		connections.Lots = { main: [[{ node: 'Calibrage', type: NodeConnectionTypes.Main, index: 0 }]] };
		connections.Calibrage = { main: [[{ node: 'Étude', type: NodeConnectionTypes.Main, index: 0 }]] };
	}
	const key = useItems(items.map((json) => ({ json })));
	nodes[0].parameters = { dataKey: key };
	const start = process.hrtime.bigint();
	const result = await runWorkflow({ nodes, connections: connections as never });
	const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
	if (withNodes && result.output('Étude').length !== items.length) throw new Error('lots manquants en sortie');
	return elapsed;
}

const RUNS = 5;
/** Cible de l'issue : moins de 100 µs par lot pour les deux nœuds ensemble. */
const TARGET_US_PER_LOT = 100;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
	{
		const data = lots(LOTS);
		await run(lots(200), true); // chauffe
		// Plusieurs mesures alternées (amorce seule, puis avec les deux nœuds) : la médiane écarte
		// les à-coups d'une machine partagée.
		const baselines: number[] = [];
		const totals: number[] = [];
		for (let i = 0; i < RUNS; i++) {
			baselines.push(await run(data, false));
			totals.push(await run(data, true));
		}
		const baseline = median(baselines);
		const perLot = totals.map((total) => ((total - baseline) * 1000) / LOTS);
		const medianPerLot = median(perLot);
		const list = (values: number[], digits: number) => values.map((v) => fr(v, digits)).join(' ; ');
		const file = writeResults('etude-calibrage', 'Banc : étude de faisabilité et calibrage', [
			`- ${LOTS.toLocaleString('fr-FR')} lots, nœuds « Calibrage des heures » puis « Étude de faisabilité » dans le moteur de n8n (WorkflowExecute), ${RUNS} mesures dans la même exécution.`,
			`- Exécutions complètes : ${list(totals, 0)} ms ; sans les deux nœuds (amorce seule, médiane) : ${fr(baseline, 0)} ms.`,
			`- Temps par lot pour les deux nœuds, par mesure : ${list(perLot, 1)} µs.`,
			`- **Médiane : ${fr(medianPerLot, 1)} µs par lot** (meilleure mesure : ${fr(Math.min(...perLot), 1)} µs ; cible : moins de ${TARGET_US_PER_LOT} µs ; rapport Excel exclu).`,
		]);
		process.stdout.write(`${fs.readFileSync(file, 'utf8')}\n${file}\n`);
		if (!(medianPerLot > 0)) throw new Error(`mesure invalide : médiane de ${fr(medianPerLot, 1)} µs par lot`);
		if (medianPerLot > TARGET_US_PER_LOT) {
			throw new Error(`cible manquée : médiane de ${fr(medianPerLot, 1)} µs par lot, au-delà de ${TARGET_US_PER_LOT} µs`);
		}
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	},
);
