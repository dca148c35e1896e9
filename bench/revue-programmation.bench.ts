/**
 * Banc : revue annuelle de la programmation de 1 000 marchés (2 000 lots).
 * Cible de l'issue : la revue de 1 000 marchés en moins d'une seconde, mesurée
 * ici comme l'étude de faisabilité (nœud, moteur de n8n) suivie de la revue
 * (portefeuille et son classeur, fonctions du paquet construit, comme le nœud
 * « Rapport d’étude » les appelle). Le nœud « Rapport d’étude » complet, qui
 * écrit en plus le classeur du rapport d'étude (une ligne par lot), est mesuré
 * à part.
 *
 * Mesures alternées à chaque tour (amorce seule, étude seule, étude puis revue,
 * étude puis nœud de rapport), médiane et écart ; lancé par bench/run.mjs dans
 * un processus Node ordinaire.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import fs from 'node:fs';
import os from 'node:os';

import { PACKAGE_NAME, PACKAGE_ROOT, runWorkflow, useItems } from '../test/helpers/engine';
import { fr, writeResults } from './report';

const MARKETS = 1000;

/** Programmation fictive : 1 000 marchés de 1 à 3 lots (2 000 lots), natures et territoires variés, montants de 20 000 € à 6 M€. */
function programme(): IDataObject[] {
	const natures = ['travaux', 'services', 'fournitures', 'prestations intellectuelles'];
	const places = ['Niort (79000)', 'Poitiers (86000)', 'Rochefort (17300)', 'Cognac (16100)'];
	const out: IDataObject[] = [];
	let graine = 2026;
	const random = () => (graine = (graine * 1103515245 + 12345) % 2147483648) / 2147483648;
	for (let m = 0; m < MARKETS; m++) {
		const lots = 1 + (m % 3);
		const nature = natures[m % natures.length];
		for (let l = 0; l < lots; l++) {
			out.push({
				marche: `2027-P-${String(m).padStart(4, '0')}`,
				objet: `Marché ${m}`,
				lot: String(l + 1),
				nature,
				montantHT: Math.round(20_000 + random() * 2_000_000),
				dureeMois: 3 + Math.floor(random() * 40),
				tauxMainOeuvre: nature === 'fournitures' && m % 2 === 0 ? 0 : 20 + Math.floor(random() * 60),
				lieuExecution: places[(m + l) % places.length],
			});
		}
	}
	return out;
}

const FACILITATEURS = JSON.stringify([
	{ nom: 'PLIE du Val d’Argent', email: 'plie@example.test', territoires: ['79'] },
	{ nom: 'Maison de l’emploi du Haut-Argent', email: 'mde@example.test', territoires: ['86'] },
	{ nom: 'Maison de l’emploi de l’Estuaire', email: 'mdee@example.test', territoires: ['17'] },
]);

type Mode = 'amorce' | 'etude' | 'revue' | 'noeud';

// Le paquet construit, comme n8n le charge (dist/nodes/lib.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require(`${PACKAGE_ROOT}/dist/nodes/lib.js`);

async function run(items: IDataObject[], mode: Mode): Promise<{ ms: number; revue?: IDataObject }> {
	const nodes: INode[] = [{ id: 'a', name: 'Programmation', type: 'harness.items', typeVersion: 1, position: [0, 0], parameters: {} }];
	const connections: IDataObject = {};
	if (mode !== 'amorce') {
		nodes.push({ id: 'b', name: 'Étude', type: `${PACKAGE_NAME}.clauseFeasibility`, typeVersion: 1, position: [200, 0], parameters: { facilitateurs: FACILITATEURS, dateEtude: '2027-01-15' } });
		connections.Programmation = { main: [[{ node: 'Étude', type: NodeConnectionTypes.Main, index: 0 }]] };
	}
	if (mode === 'noeud') {
		nodes.push({ id: 'c', name: 'Revue', type: `${PACKAGE_NAME}.clauseStudyReport`, typeVersion: 1, position: [400, 0], parameters: { revueProgrammation: true } });
		connections['Étude'] = { main: [[{ node: 'Revue', type: NodeConnectionTypes.Main, index: 0 }]] };
	}
	nodes[0].parameters = { dataKey: useItems(items.map((json) => ({ json }))) };
	const start = process.hrtime.bigint();
	const result = await runWorkflow({ nodes, connections: connections as never });
	const expected = new Set(items.map((i) => i.marche)).size;
	if (mode === 'revue') {
		const rows = result.output('Étude').map((i) => ({ marche: i.json.marche, objet: i.json.objet, lot: i.json.lot, montantHT: i.json.montantHT, faisabilite: i.json.faisabilite }));
		const review = lib.reviewProgramme(rows, lib.parseProgrammeReviewSettings({}));
		const buffer: Buffer = await lib.buildProgrammeReview(review, { titre: 'Revue', date: '2027-01-15' });
		const ms = Number(process.hrtime.bigint() - start) / 1e6;
		if (review.totaux.marches !== expected || buffer.length === 0) throw new Error('revue incomplète');
		return { ms, revue: review.totaux };
	}
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	if (mode === 'noeud') {
		const revue = result.output('Revue')[0]?.json.revue as IDataObject | undefined;
		if (!revue || revue.marches !== expected) throw new Error('revue incomplète');
	}
	return { ms };
}

const RUNS = 7;
const TARGET_MS = 1000;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
	const data = programme();
	await run(data.slice(0, 300), 'revue'); // chauffe
	await run(data.slice(0, 300), 'noeud');
	const amorce: number[] = [];
	const etude: number[] = [];
	const revue: number[] = [];
	const noeud: number[] = [];
	let last: IDataObject | undefined;
	const loads: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		loads.push(os.loadavg()[0]);
		amorce.push((await run(data, 'amorce')).ms);
		etude.push((await run(data, 'etude')).ms);
		const r = await run(data, 'revue');
		revue.push(r.ms);
		last = r.revue;
		noeud.push((await run(data, 'noeud')).ms);
	}
	const base = median(amorce);
	const chain = revue.map((t) => t - base);
	const reviewOnly = revue.map((t, i) => t - etude[i]);
	const node = noeud.map((t) => t - base);
	const list = (values: number[]) => values.map((v) => fr(v, 0)).join(' ; ');
	const spread = (values: number[]) => `${fr(Math.min(...values), 0)} à ${fr(Math.max(...values), 0)} ms`;
	const file = writeResults('revue-programmation', 'Banc : revue annuelle de la programmation', [
		`- Réglages : aucun réglage non standard (pas d’option de mémoire ; \`--expose-gc\` posé par bench/run.mjs, non utilisé ici). Commande : \`scripts/node24.sh npm run bench:revue\`. Charge moyenne (1 min) au début de chaque tour : ${loads.map((l) => fr(l, 1)).join(' ; ')} (machine partagée).`,
		`- ${MARKETS.toLocaleString('fr-FR')} marchés, ${data.length.toLocaleString('fr-FR')} lots ; ${RUNS} tours, chacun alternant : amorce seule ; nœud « Étude de faisabilité » (moteur de n8n) ; étude puis revue (portefeuille et son classeur) ; étude puis nœud « Rapport d’étude » avec la revue (deux classeurs).`,
		`- Amorce seule : ${list(amorce)} ms (médiane ${fr(base, 0)} ms). Étude seule : ${list(etude)} ms.`,
		`- **Étude puis revue, amorce déduite : ${list(chain)} ms — médiane ${fr(median(chain), 0)} ms** (écart ${spread(chain)} ; cible : moins de ${fr(TARGET_MS, 0)} ms). Dont la revue seule (étude du même tour déduite) : médiane ${fr(median(reviewOnly), 0)} ms.`,
		`- Nœud « Rapport d’étude » complet (rapport d’étude d’une ligne par lot, plus la revue), étude comprise, amorce déduite : ${list(node)} ms — médiane ${fr(median(node), 0)} ms (écart ${spread(node)}) : le classeur du rapport d’étude (exceljs, 2 000 lignes) coûte plus que la revue ; hors cible.`,
		`- Revue obtenue : ${String(last?.marchesAvecConsideration)} marchés avec une considération sociale, ${fr(Number(last?.heures), 0)} h, ${String(last?.aJustifier)} marché(s) au-delà du seuil européen sans condition d’exécution sociale.`,
	]);
	process.stdout.write(`${fs.readFileSync(file, 'utf8')}\n${file}\n`);
	if (median(chain) > TARGET_MS) throw new Error(`cible manquée : médiane de ${fr(median(chain), 0)} ms, au-delà de ${TARGET_MS} ms`);
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	},
);
