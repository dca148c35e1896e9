/**
 * Banc : mémoire de l'import du classeur de suivi seul (et, avec --bilan, du bilan qui suit) (le nœud « Registre des
 * clauses », opération « Importer le classeur de suivi », dans le moteur de
 * n8n, sans le reste du workflow), pour voir si elle croît avec le nombre de
 * lignes de relevé. Chaque taille est importée dans son propre processus Node,
 * dans le registre SQLite par défaut remis à neuf ; le pic de mémoire résidente est celui que le noyau a gardé
 * pour ce processus (getrusage, ru_maxrss), donc sans échantillonnage.
 *   node bench/run.mjs reception-memoire [--lignes=20000,80000] [--clauses=1000] [--tas=300] [--vivante=1] [--bilan=1]
 *   node bench/run.mjs reception-memoire --ecrire=suivi.xlsx --lignes=150000 --clauses=5000
 * --ecrire : écrit seulement le classeur (une taille) et s'arrête ; `node --expose-gc
 * bench/.out/reception-memoire.cjs --mesure=suivi.xlsx` mesure ensuite l'import de ce
 * même fichier, autant de fois qu'on veut (mesures alternées de deux constructions).
 * --bilan : après l'import (sans limite), le bilan de 2026 sur ce registre, dans un
 * autre processus, mesuré seul (la limite du tas s'applique alors au bilan).
 * --tas : limite du tas de V8 (Mio) du processus de l'import ; --vivante : relève
 * aussi la mémoire vivante (tas et tampons juste après un ramassage complet
 * forcé toutes les 250 ms, ce qui ralentit l'import).
 * Rend une ligne JSON par taille : lignes, taille du fichier, mémoire résidente
 * avant l'import (modules chargés, classeur lu), pic pendant l'import, durée,
 * temps processeur de l'import (cpuMs, tous les fils du processus).
 */
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { binaryItem, resetRegister, runNode } from '../test/helpers/engine';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runNode: runNodeScript } = require('../test/helpers/run-script.cjs') as {
	runNode(args: string[], options?: object): { status: number | null; stdout: string; stderr: string };
};

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split(/=(.*)/s).slice(0, 2)));
const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12'];
/** SIRET fictif à clé de Luhn valide. */
const SIRET = '73282932000074';
const CATEGORIES = ['Bénéficiaire du RSA', 'Demandeur d’emploi de longue durée (plus de 12 mois)', 'Jeune de moins de 26 ans peu qualifié', 'Travailleur handicapé (RQTH)'];

/** Classeur de suivi de `clauses` clauses et `lines` lignes de relevé (mêmes colonnes que le banc de la réception et du bilan). */
async function generate(file: string, clauses: number, lines: number): Promise<void> {
	const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false });
	const reg = wb.addWorksheet('Registre');
	reg.addRow(['N° marché', 'N° lot', 'Titulaire', 'SIRET', 'Courriel du titulaire', 'Heures dues', "Début d'exécution", "Fin d'exécution", 'Facilitateur', 'Courriel du facilitateur', 'Acheteur', "Courriel de l'acheteur", 'Statut', 'Nature']).commit();
	for (let i = 0; i < clauses; i++) {
		reg.addRow([`M-${Math.floor(i / 5)}`, String((i % 5) + 1), `Entreprise ${Math.floor(i / 3)}`, SIRET, `titulaire${i}@example.test`, 1200, '2026-01-01', '2027-12-31', `Facilitateur ${i % 20}`, `facilitateur${i % 20}@example.test`, 'Service des marchés', 'marches@example.test', 'En cours', i % 4 === 0 ? 'Services' : 'Travaux']).commit();
	}
	reg.commit();
	const rel = wb.addWorksheet('Relevés');
	rel.addRow(['N° marché', 'N° lot', 'SIRET', 'Mois', 'Participant', 'Catégorie de public', 'Éligibilité validée', 'Employeur', 'Modalité', 'Type de contrat', 'Poste', 'Heures du mois', 'Heures de formation', 'Sexe', 'Tranche d’âge', 'Résident QPV']).commit();
	// Lignes réparties sur les clauses et les mois, participants distincts : aucune valeur ne se répète d'un relevé à l'autre.
	for (let n = 0; n < lines; n++) {
		const i = n % clauses;
		const m = Math.floor(n / clauses) % MONTHS.length;
		const p = Math.floor(n / (clauses * MONTHS.length));
		rel.addRow([`M-${Math.floor(i / 5)}`, String((i % 5) + 1), SIRET, MONTHS[m], `P-${i}-${p}`, CATEGORIES[(i + p) % 4], 'oui', 'Titulaire', 'Embauche directe', 'CDD', 'Ouvrier polyvalent', 20 + (p % 5), p === 0 ? 7 : 0, (i + p) % 3 === 0 ? 'Femme' : 'Homme', ['Moins de 26 ans', 'De 26 à 49 ans', '50 ans et plus'][(i + p) % 3], (i + p) % 4 === 0 ? 'oui' : 'non']).commit();
	}
	rel.commit();
	await wb.commit();
}

/** Un import mesuré, dans ce processus : le classeur est déjà écrit. */
async function measure(file: string): Promise<void> {
	const buffer = fs.readFileSync(file);
	resetRegister();
	global.gc?.();
	const before = process.memoryUsage().rss;
	// Mémoire vivante : tas et mémoire hors tas (tampons) juste après un ramassage complet, toutes les 250 ms (--vivante).
	let live = 0;
	const sample = setInterval(() => {
		if (!args.vivante || !global.gc) return;
		global.gc();
		const m = process.memoryUsage();
		live = Math.max(live, m.heapUsed + m.external);
	}, 250);
	const started = process.hrtime.bigint();
	const cpuBefore = process.cpuUsage();
	const result = await runNode({ type: 'clauseRegister', parameters: { operation: 'importerClasseur' } }, [binaryItem(buffer, path.basename(file))]);
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	// Temps processeur du processus (tous ses fils : ramasse-miettes, zlib, SQLite) : moins sensible que la durée aux autres travaux de la machine.
	const cpu = process.cpuUsage(cpuBefore);
	clearInterval(sample);
	const error = result.error();
	if (error) throw error;
	// ru_maxrss : pic de mémoire résidente du processus depuis son début, en Kio.
	const peak = process.resourceUsage().maxRSS * 1024;
	process.stdout.write(`${JSON.stringify({ lignes: result.items[0].json.lignes, elements: result.items.length, octets: buffer.length, avantMio: before / 1048576, picMio: peak / 1048576, ...(args.vivante ? { vivanteMio: live / 1048576 } : {}), ms, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
}

/** Le bilan de l'année sur le registre que l'import précédent a rempli (même dossier n8n), mesuré dans ce processus. */
async function measureBilan(): Promise<void> {
	global.gc?.();
	const before = process.memoryUsage().rss;
	const started = process.hrtime.bigint();
	const result = await runNode({ type: 'clauseBilan', parameters: { source: 'registre', debut: '2026-01', fin: '2026-12' } }, [{ json: {} }]);
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	const error = result.error();
	if (error) throw error;
	const peak = process.resourceUsage().maxRSS * 1024;
	const summary = result.items[0].json;
	process.stdout.write(`${JSON.stringify({ bilan: true, elements: result.items.length, heures: summary.heuresRealiseesPeriode, anomalies: summary.lignesEnAnomalie, avantMio: before / 1048576, picMio: peak / 1048576, ms })}\n`);
}

async function main(): Promise<void> {
	if (args.mesure) return measure(args.mesure);
	if (args['mesure-bilan']) return measureBilan();
	const sizes = (args.lignes ?? '20000,80000').split(',').map(Number);
	const clauses = Number(args.clauses ?? 1000);
	if (args.ecrire) return generate(path.resolve(args.ecrire), clauses, sizes[0]);
	for (const lines of sizes) {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-reception-memoire-'));
		try {
			const file = path.join(dir, `suivi-${lines}.xlsx`);
			await generate(file, clauses, lines);
			// --bilan : l'import sans limite, puis le bilan seul, mesuré (et limité) dans son propre processus.
			const heap = args.tas ? [`--max-old-space-size=${args.tas}`] : [];
			const run = runNodeScript([...(args.bilan ? [] : heap), '--expose-gc', process.argv[1], `--mesure=${file}`, ...(args.vivante ? ['--vivante=1'] : [])]);
			if (run.status !== 0) throw new Error(`import de ${lines} lignes : code ${run.status}\n${run.stderr}`);
			process.stdout.write(run.stdout);
			if (args.bilan) {
				const bilan = runNodeScript([...heap, '--expose-gc', process.argv[1], '--mesure-bilan=1']);
				if (bilan.status !== 0) throw new Error(`bilan de ${lines} lignes : code ${bilan.status}\n${bilan.stderr}`);
				process.stdout.write(bilan.stdout);
			}
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
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
