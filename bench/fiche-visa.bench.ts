/**
 * Banc : contrôle de 1 000 fiches visa remplies (classeurs .xlsx en binaire)
 * par le nœud « Fiche visa » exécuté par le moteur de n8n (WorkflowExecute).
 * Cible : moins de 20 ms par fiche, et une mémoire de pointe qui ne croît pas
 * avec le nombre de fiches. Deux mesures : contrôle seul (copie annotée
 * « jamais ») et contrôle avec copie annotée (« toujours »), à 100 puis 1 000
 * fiches. VISA_BENCH_FORMS=20 réduit le banc pour un essai rapide.
 * Lancé par bench/run.mjs dans un processus Node ordinaire, comme n8n.
 */
import type { INode, INodeExecutionData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import fs from 'node:fs';

import { PACKAGE_NAME, binaryItem, runWorkflow, useItems } from '../test/helpers/engine';
import { filledWorkbook, validFiche } from '../test/helpers/fiche-visa';
import { fr, mib, writeResults } from './report';

const MAX = Number(process.env.VISA_BENCH_FORMS ?? 1000);
const SIZES = [Math.max(1, Math.round(MAX / 10)), MAX];
const VARIANTS = 12;

/** Des fiches variées (visées, à compléter, refusées) : quelques classeurs distincts, répétés. */
async function variants(): Promise<Buffer[]> {
	const out: Buffer[] = [];
	for (let i = 0; i < VARIANTS; i++) {
		const json = validFiche();
		json.reference = `2026-B-${String(i).padStart(3, '0')}`;
		const lots = json.lots as Array<Record<string, unknown>>;
		if (i % 3 === 1) lots[1].heures = undefined; // à compléter
		if (i % 3 === 2) Object.assign(json, { procedure: 'gré à gré' }); // refusée
		if (i % 4 === 0) json.montantEstimeHT = '962 000,00 €';
		out.push(await filledWorkbook(json));
	}
	return out;
}

interface Measure {
	ms: number;
	peakRss: number;
	peakHeap: number;
	decisions: Record<string, number>;
}

async function run(items: INodeExecutionData[], copieAnnotee: string | undefined): Promise<Measure> {
	const nodes: INode[] = [{ id: 'a', name: 'Fiches', type: 'harness.items', typeVersion: 1, position: [0, 0], parameters: { dataKey: useItems(items) } }];
	const connections: Record<string, unknown> = {};
	if (copieAnnotee) {
		nodes.push({
			id: 'b',
			name: 'Fiche visa',
			type: `${PACKAGE_NAME}.ficheVisa`,
			typeVersion: 1,
			position: [200, 0],
			parameters: { operation: 'valider', source: 'classeur', copieAnnotee, options: { dateControle: '2026-11-23' } },
		});
		connections.Fiches = { main: [[{ node: 'Fiche visa', type: NodeConnectionTypes.Main, index: 0 }]] };
	}
	(globalThis as { gc?: () => void }).gc?.();
	const base = process.memoryUsage();
	let peakRss = base.rss;
	let peakHeap = base.heapUsed;
	const timer = setInterval(() => {
		const m = process.memoryUsage();
		peakRss = Math.max(peakRss, m.rss);
		peakHeap = Math.max(peakHeap, m.heapUsed);
	}, 5);
	const start = process.hrtime.bigint();
	const result = await runWorkflow({ nodes, connections: connections as never });
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	clearInterval(timer);
	const decisions: Record<string, number> = {};
	if (copieAnnotee) {
		const out = result.output('Fiche visa');
		if (out.length !== items.length) throw new Error(`fiches manquantes en sortie : ${out.length} sur ${items.length}`);
		for (const item of out) decisions[String(item.json.decision)] = (decisions[String(item.json.decision)] ?? 0) + 1;
	}
	return { ms, peakRss: peakRss - base.rss, peakHeap: peakHeap - base.heapUsed, decisions };
}

async function main(): Promise<void> {
	{
		const books = await variants();
		const itemsFor = (count: number) => Array.from({ length: count }, (_, i) => binaryItem(books[i % books.length], `fiche-${i + 1}.xlsx`));
		await run(itemsFor(20), 'toujours'); // chauffe
		const lines: string[] = [];
		const perForm: Record<string, number[]> = {};
		const heaps: Record<string, number[]> = {};
		for (const mode of ['jamais', 'toujours']) {
			for (const size of SIZES) {
				const items = itemsFor(size);
				const baseline = await run(items, undefined);
				const m = await run(items, mode);
				const ms = (m.ms - baseline.ms) / size;
				(perForm[mode] ??= []).push(ms);
				(heaps[mode] ??= []).push(m.peakHeap);
				lines.push(
					`| ${mode === 'jamais' ? 'contrôle seul' : 'contrôle + copie annotée'} | ${fr(size)} | ${fr(m.ms, 0)} ms | **${fr(ms, 1)} ms** | ${mib(m.peakHeap)} | ${mib(m.peakRss)} | ${Object.entries(m.decisions).map(([d, n]) => `${d} ${n}`).join(', ')} |`,
				);
			}
		}
		const ratio = (mode: string) => heaps[mode][1] / Math.max(1, heaps[mode][0]);
		const file = writeResults('fiche-visa', 'Banc : contrôle des fiches visa', [
			`- Nœud « Fiche visa » dans le moteur de n8n (WorkflowExecute), fiches .xlsx en binaire (${VARIANTS} classeurs distincts répétés : visées, à compléter, refusées), temps de l’amorce seule déduit.`,
			'- Contrôle seul : lecture légère (JSZip et XML des deux feuilles utiles) puis règles ; copie annotée : le classeur entier est relu et réécrit par exceljs.',
			'',
			'| mesure | fiches | exécution | par fiche | pointe du tas (Δ) | pointe RSS (Δ) | décisions |',
			'|---|---|---|---|---|---|---|',
			...lines,
			'',
			`- Rapport des pointes du tas, ${fr(SIZES[1])} fiches ÷ ${fr(SIZES[0])} : contrôle seul ${fr(ratio('jamais'), 2)}, avec copie annotée ${fr(ratio('toujours'), 2)}.`,
			'- Ce qui croît avec le nombre de fiches est ce que n8n garde de l’exécution : éléments d’entrée et de sortie, et copies annotées (en mémoire dans ce banc ; sur disque ou en base avec le mode binaire « filesystem » de n8n). Le nœud ne garde rien d’une fiche à l’autre.',
			`- Cible : moins de 20 ms par fiche. Contrôle seul : ${fr(perForm.jamais[1], 1)} ms ; avec copie annotée : ${fr(perForm.toujours[1], 1)} ms (option « Copie annotée : seulement si la fiche n’est pas visée » pour l’alléger).`,
		]);
		process.stdout.write(`${fs.readFileSync(file, 'utf8')}\n${file}\n`);
		if (!(perForm.jamais[1] > 0)) throw new Error('mesure invalide');
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	},
);
