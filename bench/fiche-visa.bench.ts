/**
 * Banc : contrôle de 1 000 fiches visa remplies (classeurs .xlsx en binaire)
 * par le nœud « Fiche visa » exécuté par le moteur de n8n (WorkflowExecute).
 * Cible : moins de 20 ms par fiche, et une pointe de mémoire qui ne croît pas
 * avec le nombre de fiches. Deux mesures : contrôle seul (copie annotée
 * « jamais ») et contrôle avec copie annotée (« toujours »), à 200 puis 1 000
 * fiches. VISA_BENCH_FORMS=40 réduit le banc pour un essai rapide.
 * Lancé par bench/run.mjs dans un processus Node ordinaire (--expose-gc), comme n8n.
 *
 * Temps : exécutions sans instrumentation, temps de l'amorce seule déduit.
 * Mémoire : chaque couple (mesure, nombre de fiches) dans un processus Node à
 * part (ce fichier relancé avec l'argument « memoire ») : pointe du processus
 * (VmHWM), pointe du tas et des tampons relevée à chaque fiche pendant
 * l'exécution, et mémoire vivante (ramasse-miettes forcé) à vingt fiches
 * réparties sur l'exécution (voir measureMemory).
 */
import type { IExecuteFunctions, INode, INodeExecutionData, INodeType } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

import { PACKAGE_NAME, binaryItem, loadPackage, runWorkflow, useItems } from '../test/helpers/engine';
import { filledWorkbook, validFiche } from '../test/helpers/fiche-visa';
import { fr, mib, writeResults } from './report';

const MAX = Number(process.env.VISA_BENCH_FORMS ?? 1000);
const SIZES = [Math.max(1, Math.round(MAX / 5)), MAX];
const VARIANTS = 12;
const MODES = ['jamais', 'toujours'] as const;
type Mode = (typeof MODES)[number];
/** Fiches où la mémoire vivante est relevée (ramasse-miettes forcé) : le même nombre de points quel que soit le nombre de fiches. */
const LIVE_POINTS = 20;
/** Écart de mémoire de travail entre les deux tailles au-delà duquel elle est dite croître : 1 Mio, loin au-dessus du bruit observé (quelques centaines de Kio) et loin au-dessous de ce que garderait une fuite d'une fiche à l'autre (800 fiches de plus × ne serait-ce que 2 Kio). */
const GROWTH_LIMIT = 1024 * 1024;

const kib = (bytes: number) => `${fr(bytes / 1024)} Kio`;
const mio = (bytes: number) => `${fr(bytes / 1024 / 1024, 1)} Mio`;

/**
 * Pointe de mémoire résidente du processus : VmHWM de /proc/self/status (Linux),
 * propre à l'espace mémoire du processus. maxRSS (getrusage) ne convient pas à
 * un processus lancé par un autre : Linux y reporte la pointe du parent
 * (l'espace mémoire partagé jusqu'à l'exec).
 */
function peakRss(): number {
	try {
		const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
		if (m) return Number(m[1]) * 1024;
	} catch {
		// pas de /proc : maxRSS, faute de mieux
	}
	return process.resourceUsage().maxRSS * 1024;
}

const gc = (globalThis as { gc?: () => void }).gc;

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

const itemsFor = (books: Buffer[], count: number) => Array.from({ length: count }, (_, i) => binaryItem(books[i % books.length], `fiche-${i + 1}.xlsx`));

function workflow(items: INodeExecutionData[], copieAnnotee: Mode | undefined) {
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
	return { nodes, connections: connections as never };
}

async function timeRun(items: INodeExecutionData[], copieAnnotee: Mode | undefined): Promise<{ ms: number; decisions: Record<string, number> }> {
	gc?.();
	const start = process.hrtime.bigint();
	const result = await runWorkflow(workflow(items, copieAnnotee));
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	const decisions: Record<string, number> = {};
	if (copieAnnotee) {
		const out = result.output('Fiche visa');
		if (out.length !== items.length) throw new Error(`fiches manquantes en sortie : ${out.length} sur ${items.length}`);
		for (const item of out) decisions[String(item.json.decision)] = (decisions[String(item.json.decision)] ?? 0) + 1;
	}
	return { ms, decisions };
}

/**
 * Mémoire vivante (tas de V8 et tampons hors tas), après un ramasse-miettes
 * forcé. Deux passages : après le premier, les tampons morts peuvent encore
 * être comptés (jusqu'à des dizaines de Mio), le second les rend.
 */
function live(): number {
	gc!();
	gc!();
	const m = process.memoryUsage();
	return m.heapUsed + m.arrayBuffers;
}

/** Tas et tampons tels quels, déchets compris : ce que le processus porte à cet instant. */
function current(): number {
	const m = process.memoryUsage();
	return m.heapUsed + m.arrayBuffers;
}

interface MemoryMeasure {
	mode: Mode;
	size: number;
	/** Fichiers reçus, gardés par n8n pendant toute l'exécution (base64 en mémoire, mode binaire par défaut). */
	inputs: number;
	/** Ce que l'exécution garde à la fin, résultat en main (sorties du nœud : JSON, copies annotées). */
	kept: number;
	/** JSON d'une sortie, sérialisé (moyenne), pour comparer à ce qui est gardé par fiche. */
	jsonPerForm: number;
	/** Pointe du tas et des tampons (déchets compris) relevée à chaque fiche, au-delà de l'état avant l'exécution (fichiers reçus compris). */
	highWater: number;
	/** Pointe de mémoire résidente du processus (VmHWM), chauffe et construction des fichiers comprises. */
	maxRss: number;
	/** Mémoire de travail du nœud : mémoire vivante au-delà des sorties déjà produites, au pire des points. */
	working: number;
}

/**
 * Mémoire d'une exécution, dans un processus neuf (rien d'une mesure
 * précédente) : chauffe sur 20 fiches (code compilé, modules chargés), puis
 * fichiers reçus construits, puis l'exécution observée. À chaque fiche, quand
 * le nœud a décodé le binaire et quand la copie annotée est prête, le tas et
 * les tampons sont relevés sans ramasse-miettes (pointe réelle, déchets
 * compris). À LIVE_POINTS fiches réparties sur l'exécution, la mémoire vivante
 * est relevée après un ramasse-miettes forcé : au-delà de l'état avant
 * l'exécution et des sorties des fiches déjà traitées (ce qui est gardé à la
 * fin, divisé par le nombre de fiches : la sortie d'une fiche est de taille à
 * peu près constante), c'est ce que le nœud occupe pour travailler. Si le
 * nœud accumulait quelque chose d'une fiche à l'autre, elle croîtrait avec le
 * nombre de fiches ; s'il le gardait dans ses sorties, c'est ce qui est gardé
 * par fiche qui dépasserait la taille du JSON et de la copie.
 */
async function measureMemory(mode: Mode, size: number): Promise<MemoryMeasure> {
	const books = await variants();
	await timeRun(itemsFor(books, 20), mode);
	const empty = live();
	const items = itemsFor(books, size);
	const base = live();
	const node = (await loadPackage()).getNode('ficheVisa').type as INodeType;
	const execute = node.execute!;
	const observed = new Set(Array.from({ length: LIVE_POINTS }, (_, k) => Math.round((k * (size - 1)) / Math.max(1, LIVE_POINTS - 1))));
	const samples: Array<{ done: number; live: number }> = [];
	let highWater = 0;
	const sample = (itemIndex: number) => {
		highWater = Math.max(highWater, current());
		if (observed.has(itemIndex)) samples.push({ done: itemIndex, live: live() });
	};
	node.execute = async function (this: IExecuteFunctions) {
		const helpers = this.helpers;
		const getBuffer = helpers.getBinaryDataBuffer.bind(helpers);
		const prepare = helpers.prepareBinaryData.bind(helpers);
		let at = -1;
		helpers.getBinaryDataBuffer = async (itemIndex: number, property: string) => {
			const buffer = await getBuffer(itemIndex, property);
			at = itemIndex;
			sample(itemIndex);
			return buffer;
		};
		helpers.prepareBinaryData = async (...args: Parameters<typeof prepare>) => {
			sample(at);
			return prepare(...args);
		};
		try {
			return await execute.call(this);
		} finally {
			helpers.getBinaryDataBuffer = getBuffer;
			helpers.prepareBinaryData = prepare;
		}
	} as typeof execute;
	const result = await runWorkflow(workflow(items, mode));
	highWater = Math.max(highWater, current());
	const kept = live() - base;
	const out = result.output('Fiche visa');
	if (out.length !== items.length) throw new Error('fiches manquantes en sortie');
	const jsonPerForm = out.reduce((sum, item) => sum + JSON.stringify(item.json).length, 0) / out.length;
	const keptPerForm = kept / size;
	const working = Math.max(0, ...samples.map((s) => s.live - base - keptPerForm * s.done));
	return { mode, size, inputs: base - empty, kept, jsonPerForm, highWater: highWater - base, maxRss: peakRss(), working };
}

/** Mesure la mémoire dans un processus Node à part (ce fichier, argument « memoire »). */
function measureInChild(mode: Mode, size: number): MemoryMeasure {
	// Banc, pas un nœud : relance ce même fichier, chemin et arguments fixés par le code.
	// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions
	const run = spawnSync(process.execPath, ['--expose-gc', __filename, 'memoire', mode, String(size)], { encoding: 'utf8', env: process.env, maxBuffer: 1024 * 1024 });
	if (run.status !== 0) throw new Error(`mesure de mémoire (${mode}, ${size} fiches) en échec : ${run.stderr}`);
	return JSON.parse(run.stdout.trim().split('\n').pop()!) as MemoryMeasure;
}

const label = (mode: Mode) => (mode === 'jamais' ? 'contrôle seul' : 'contrôle + copie annotée');

async function main(): Promise<void> {
	if (!gc) throw new Error('lancez le banc avec node --expose-gc (bench/run.mjs le fait)');
	const books = await variants();
	await timeRun(itemsFor(books, 20), 'toujours'); // chauffe
	const timeLines: string[] = [];
	const perForm: Record<string, number[]> = {};
	for (const mode of MODES) {
		for (const size of SIZES) {
			const items = itemsFor(books, size);
			const baseline = await timeRun(items, undefined);
			const m = await timeRun(items, mode);
			const ms = (m.ms - baseline.ms) / size;
			(perForm[mode] ??= []).push(ms);
			timeLines.push(`| ${label(mode)} | ${fr(size)} | ${fr(m.ms, 0)} ms | **${fr(ms, 1)} ms** | ${Object.entries(m.decisions).map(([d, n]) => `${d} ${n}`).join(', ')} |`);
		}
	}
	const memory: Record<string, MemoryMeasure[]> = {};
	for (const mode of MODES) for (const size of SIZES) (memory[mode] ??= []).push(measureInChild(mode, size));
	const memoryLines = MODES.flatMap((mode) =>
		memory[mode].map(
			(m) =>
				`| ${label(mode)} | ${fr(m.size)} | ${mio(m.maxRss)} | ${mio(m.highWater)} | ${mio(m.inputs)} | ${mio(m.kept)} (${kib(m.kept / m.size)} par fiche, JSON ${kib(m.jsonPerForm)}) | **${kib(m.working)}** |`,
		),
	);
	const verdicts = MODES.map((mode) => {
		const [small, large] = memory[mode];
		const extra = large.size - small.size;
		const peakGrowth = large.highWater - small.highWater;
		const dataGrowth = large.inputs + large.kept - (small.inputs + small.kept);
		const workingGrowth = large.working - small.working;
		return {
			mode,
			ok: workingGrowth < GROWTH_LIMIT,
			text:
				`- ${label(mode)}, de ${fr(small.size)} à ${fr(large.size)} fiches : la pointe du tas et des tampons croît de ${mio(peakGrowth)} (${kib(peakGrowth / extra)} par fiche de plus), ` +
				`les fichiers reçus et les sorties gardés par n8n de ${mio(dataGrowth)} (${kib(dataGrowth / extra)} par fiche), le reste (≈ ${fr((peakGrowth - dataGrowth) / 1024 / 1024)} Mio) est fait de déchets pas encore ramassés ; la mémoire de travail du nœud passe de ${kib(small.working)} à ${kib(large.working)}` +
				(workingGrowth < GROWTH_LIMIT ? ' : elle ne croît pas avec le nombre de fiches.' : ` : **elle croît de ${kib(workingGrowth)}**.`),
		};
	});
	const sample = books[2];
	const file = writeResults('fiche-visa', 'Banc : contrôle des fiches visa', [
		`- Nœud « Fiche visa » dans le moteur de n8n (WorkflowExecute), fiches .xlsx en binaire (${VARIANTS} classeurs distincts répétés : visées, à compléter, refusées ; ${fr(sample.length / 1024, 0)} Kio chacun environ).`,
		'- Contrôle seul : lecture légère (zlib natif et XML des deux feuilles utiles) puis règles. Copie annotée : écrite au niveau du XML (styles, feuille annotée, notes, feuille « Anomalies ») ; les autres parties du classeur sont recopiées compressées telles quelles.',
		'',
		'## Temps',
		'',
		'| mesure | fiches | exécution | par fiche (amorce déduite) | décisions |',
		'|---|---|---|---|---|',
		...timeLines,
		'',
		`- Cible : moins de 20 ms par fiche. Contrôle seul : ${fr(perForm.jamais[1], 1)} ms ; avec copie annotée : ${fr(perForm.toujours[1], 1)} ms (${fr(SIZES[1])} fiches). ${
			Math.max(perForm.jamais[1], perForm.toujours[1]) < 20 ? 'Cible tenue.' : '**Cible non tenue.**'
		}`,
		'',
		'## Mémoire',
		'',
		'Chaque ligne : un processus Node neuf (chauffe sur 20 fiches, puis l’exécution mesurée).',
		'',
		'| mesure | fiches | pointe du processus (VmHWM) | pointe du tas et des tampons pendant l’exécution | fichiers reçus gardés par n8n | sorties gardées par n8n | mémoire de travail du nœud |',
		'|---|---|---|---|---|---|---|',
		...memoryLines,
		'',
		...verdicts.map((v) => v.text),
		'',
		`- **Verdict** : ${
			verdicts.every((v) => v.ok)
				? 'la mémoire de travail du nœud ne dépend pas du nombre de fiches (une fiche à la fois, rien de gardé d’une fiche à l’autre). La pointe, elle, croît avec les fiches : ce que n8n garde (fichiers reçus et sorties, à taille constante par fiche) et, au-delà, des déchets — mémoire qui n’est plus vivante, puisque la mémoire vivante du nœud ne croît pas — que V8 laisse s’accumuler en proportion du tas vivant avant de les ramasser.'
				: '**la mémoire de travail du nœud croît avec le nombre de fiches : à corriger.**'
		}`,
		'- **Pointe du processus** : mémoire résidente maximale (`VmHWM`, /proc/self/status) à la fin du processus de mesure (chauffe, construction des fichiers et exécution) ; elle inclut les déchets que V8 n’a pas encore ramassés (son seuil de ramassage grandit avec le tas vivant) et les fichiers et sorties gardés par n8n.',
		'- **Pointe du tas et des tampons** : `heapUsed + arrayBuffers`, sans ramasse-miettes forcé, relevé à chaque fiche (binaire décodé, copie annotée prête) et en fin d’exécution, moins l’état juste avant l’exécution (fichiers reçus déjà construits).',
		`- **Mémoire de travail du nœud** : mémoire vivante (ramasse-miettes forcé) à ${LIVE_POINTS} fiches réparties du début à la fin de l’exécution, moins l’état avant l’exécution et moins les sorties des fiches déjà traitées (sorties gardées à la fin, au prorata des fiches) ; le pire des points. Une croissance de plus de ${mib(GROWTH_LIMIT)} entre les deux tailles serait signalée.`,
		'- **Gardé par n8n** : les fichiers reçus (base64 en mémoire dans ce banc, moteur sans stockage des binaires ; une instance n8n 2.x les garde sur disque en mode « filesystem », celui par défaut, ou en base en mode « database ») et, après l’exécution, le résultat en main, le JSON de chaque sortie et, avec copie annotée, le binaire de la copie. Ils croissent avec le nombre de fiches : ce sont les données de l’exécution, pas le nœud.',
		'- Une valeur de cellule prise dans le XML par une expression régulière gardait en V8 une référence à tout le XML de sa feuille ; gardée dans la sortie, elle retenait ≈ 18 Kio par fiche (mesuré avant la correction : 23 Kio gardés par fiche pour 2,6 Kio de JSON, contrôle seul, 1 000 fiches). Les textes lus sont désormais recopiés (`detachedText`, `xlsx-light.ts`) : ce qui est gardé par fiche est celui du JSON et de la copie.',
	]);
	process.stdout.write(`${fs.readFileSync(file, 'utf8')}\n${file}\n`);
	if (!(perForm.jamais[1] > 0)) throw new Error('mesure invalide');
}

async function child(mode: Mode, size: number): Promise<void> {
	if (!gc) throw new Error('lancez la mesure avec node --expose-gc');
	process.stdout.write(`${JSON.stringify(await measureMemory(mode, size))}\n`);
}

const [command, modeArg, sizeArg] = process.argv.slice(2);
(command === 'memoire' ? child(modeArg as Mode, Number(sizeArg)) : main()).then(
	() => process.exit(0),
	(error: unknown) => {
		process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	},
);
