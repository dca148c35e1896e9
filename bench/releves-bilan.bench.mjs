// Banc de la réception des relevés et du bilan : une année de relevés pour
// 5 000 clauses (≈ 300 000 lignes de participants) dans le classeur de suivi,
// lu en flux. Chaque mesure tourne dans son propre processus (temps mesuré dans
// le processus, pic de mémoire par /usr/bin/time -f %M) :
//   - exceljs seul : lecteur en flux (WorkbookReader) qui parcourt chaque cellule ;
//   - bilan : lecture en flux du paquet (dist/nodes/lib.js), validation de chaque
//     ligne par son schéma, agrégation, classeur du bilan ;
//   - réception : un mois de relevés (un par clause) contrôlé contre le registre
//     lu en flux, puis nouvelle version du classeur (ajout en flux).
//   - chargement : le seul chargement du paquet (dist/nodes/lib.js), pour séparer
//     son coût en mémoire du pic attribuable au travail.
// Mêmes mesures à 50 000 lignes pour montrer que la mémoire ne croît pas avec les lignes.
// exceljs seul et bilan alternent sur plusieurs tours (CLAUSES_BENCH_TOURS, 3 par
// défaut) : médiane et écart ; la réception est mesurée une fois par taille.
// Le bilan et la réception lisent le classeur par les fonctions des nœuds
// (streamBilanWorkbook, streamRegisterForIntake) : même chemin que dans n8n.
//   scripts/node24.sh npm run bench:releves
//   (CLAUSES_BENCH_LIGNES=50000 pour un essai moyen ; CLAUSES_BENCH_TAS=256 : chaque
//   processus avec --max-old-space-size=256, pour comparer les pics à pression égale
//   du ramasse-miettes ; résultats : bench/RESULTATS-releves-bilan.md)
import ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { fr, siret } from './donnees.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12'];
const CATEGORIES = ['Bénéficiaire du RSA', 'Demandeur d’emploi de longue durée (plus de 12 mois)', 'Jeune de moins de 26 ans peu qualifié', 'Travailleur handicapé (RQTH)'];


/** Registre de `clauses` clauses et `lines` lignes de relevé sur 2026 (5 participants par clause et par mois en moyenne). */
async function generate(file, clauses, lines) {
	const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false });
	const reg = wb.addWorksheet('Registre');
	reg.addRow(['N° marché', 'N° lot', 'Titulaire', 'SIRET', 'Courriel du titulaire', 'Heures dues', "Début d'exécution", "Fin d'exécution", 'Facilitateur', 'Courriel du facilitateur', 'Acheteur', "Courriel de l'acheteur", 'Statut', 'Nature']).commit();
	for (let i = 0; i < clauses; i++) {
		reg.addRow([`M-${Math.floor(i / 5)}`, String((i % 5) + 1), `Entreprise ${Math.floor(i / 3)}`, siret(Math.floor(i / 3)), `titulaire${i}@example.test`, 1200, '2026-01-01', '2027-12-31', `Facilitateur ${i % 20}`, `facilitateur${i % 20}@example.test`, 'Service des marchés', 'marches@example.test', 'En cours', i % 4 === 0 ? 'Services' : 'Travaux']).commit();
	}
	reg.commit();
	// Tous les marchés en exécution : ceux du registre et autant de moitié sans clause.
	const list = wb.addWorksheet('Marchés');
	list.addRow(['N° marché', 'Nature', 'Service acheteur', 'Territoire', "Début d'exécution", "Fin d'exécution"]).commit();
	for (let m = 0; m < Math.ceil(clauses / 5) * 1.5; m++) list.addRow([`M-${m}`, m % 4 === 0 ? 'Services' : 'Travaux', `Service ${m % 7}`, String(16 + (m % 4)), '2026-01-01', '2027-12-31']).commit();
	list.commit();
	const rel = wb.addWorksheet('Relevés');
	rel.addRow(['N° marché', 'N° lot', 'SIRET', 'Mois', 'Participant', 'Catégorie de public', 'Éligibilité validée', 'Employeur', 'Modalité', 'Type de contrat', 'Poste', 'Heures du mois', 'Heures de formation', 'Sexe', 'Tranche d’âge', 'Résident QPV']).commit();
	const perMonth = Math.max(1, Math.round(lines / clauses / MONTHS.length));
	let written = 0;
	for (let m = 0; m < MONTHS.length && written < lines; m++) {
		for (let i = 0; i < clauses && written < lines; i++) {
			for (let p = 0; p < perMonth && written < lines; p++) {
				rel.addRow([`M-${Math.floor(i / 5)}`, String((i % 5) + 1), siret(Math.floor(i / 3)), MONTHS[m], `P-${Math.floor(i / 3)}-${p}`, CATEGORIES[(i + p) % 4], 'oui', 'Titulaire', 'Embauche directe', 'CDD', 'Ouvrier polyvalent', 20 + (p % 5), p === 0 ? 7 : 0, (i + p) % 3 === 0 ? 'Femme' : 'Homme', ['Moins de 26 ans', 'De 26 à 49 ans', '50 ans et plus'][(i + p) % 3], (i + p) % 4 === 0 ? 'oui' : 'non']).commit();
				written++;
			}
		}
	}
	rel.commit();
	await wb.commit();
	return written;
}

async function measure(mode, file, clauses) {
	// Le paquet est chargé avant la mesure (chargé une fois par n8n au démarrage, pas à chaque exécution).
	const lib = mode === 'exceljs' ? undefined : require(path.join(here, '..', 'dist', 'nodes', 'lib.js'));
	const start = process.hrtime.bigint();
	let detail = {};
	if (mode === 'chargement') {
		detail = { tasMo: Math.round(process.memoryUsage().heapUsed / 1048576) };
	} else if (mode === 'exceljs') {
		const reader = new ExcelJS.stream.xlsx.WorkbookReader(fs.createReadStream(file), { sharedStrings: 'cache', styles: 'ignore', hyperlinks: 'ignore', worksheets: 'emit', entries: 'emit' });
		let cells = 0;
		for await (const ws of reader) for await (const row of ws) for (const v of row.values) if (v !== undefined) cells++;
		detail = { cellules: cells };
	} else {
		if (mode === 'bilan') {
			const acc = new lib.BilanAccumulator(lib.parseBilanSettings({ debut: '2026-01', fin: '2026-12' }));
			let invalid = 0;
			// Même lecture que le nœud « Bilan » (streamBilanWorkbook).
			await lib.streamBilanWorkbook(fs.readFileSync(file), 'registre.xlsx', acc, () => invalid++);
			const bilan = acc.result();
			const report = await lib.buildBilanReport(bilan, { titre: 'Banc', dateBilan: '2027-01-15' });
			// Le document des élus, comme le nœud le produit par défaut.
			const pdf = await lib.renderBilanPdf(lib.bilanDocument(bilan, { titre: 'Banc', dateBilan: '2027-01-15' }), { date: '2027-01-15', auteur: 'Banc' });
			detail = { heures: bilan.synthese.heuresRealiseesPeriode, personnes: bilan.synthese.personnes, femmes: bilan.synthese.femmes, lotsAvecClause: bilan.synthese.lotsAvecClause, nombreMarches: bilan.synthese.nombreMarches, invalides: invalid, classeurBilanKo: Math.round(report.length / 1024), pdfKo: Math.round(pdf.buffer.length / 1024), pdfPages: pdf.pages };
		} else {
			// Réception : un relevé par clause pour décembre 2026 (la moitié déjà reçus), contre le registre lu en flux.
			const releves = [];
			for (let i = 0; i < clauses; i++) {
				releves.push({ source: `relevé ${i}`, itemIndexes: [i], header: { marche: `M-${Math.floor(i / 5)}`, lot: String((i % 5) + 1), mois: '2026-12' }, anomalies: [], lines: [0, 1].map((p) => ({ raw: { participant: `P-${Math.floor(i / 3)}-${p}`, categoriePublic: 'RSA', modalite: 'Embauche directe', employeur: 'Titulaire', typeContrat: 'CDD', poste: 'Ouvrier polyvalent', heuresMois: 20 + p, eligibiliteValidee: 'oui', heuresFormation: p === 0 ? 7 : 0 }, where: `ligne ${p}`, problems: [], itemIndex: i })) });
			}
			const index = new lib.RegisterIndex(lib.wantedMonths(releves));
			const plan = { sheetName: 'Relevés', headerRow: 0, columns: new Map(), marks: new Map(), rows: [], lastRow: 0 };
			const buffer = fs.readFileSync(file);
			// Même lecture que le nœud « Réception des relevés » (streamRegisterForIntake) : toutes les lignes validées.
			await lib.streamRegisterForIntake(buffer, 'registre.xlsx', index, plan);
			const intake = new lib.ReportIntake(index, lib.parseIntakeSettings({ dateReception: '2027-01-05' }));
			const results = releves.map((r) => intake.receive(r));
			for (const r of results) for (const l of r.lignes) if (l.valeur) plan.rows.push(l.valeur);
			for (const r of results) for (const x of r.remplacements) if (x.ligne !== undefined) plan.marks.set(x.ligne, x.par);
			const out = await lib.appendToRegister(buffer, 'registre.xlsx', plan);
			const count = (s) => results.filter((r) => r.statut === s).length;
			detail = { releves: results.length, acceptes: count('accepte'), dejaRecus: count('dejaRecu'), corrections: results.filter((r) => r.compte.corrections > 0).length, lignesAjoutees: plan.rows.length, lignesMarquees: plan.marks.size, nouvelleVersionMo: Math.round(out.length / 1024 / 102.4) / 10 };
		}
	}
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	process.stdout.write(`${JSON.stringify({ ms, ...detail })}\n`);
}

function child(mode, file, clauses) {
	const timeFile = path.join(os.tmpdir(), `bench-releves-${process.pid}-${mode}.txt`);
	const useTime = fs.existsSync('/usr/bin/time');
	const heap = process.env.CLAUSES_BENCH_TAS ? [`--max-old-space-size=${process.env.CLAUSES_BENCH_TAS}`] : [];
	const argv = [...heap, path.join(here, 'releves-bilan.bench.mjs'), `--mode=${mode}`, `--file=${file}`, `--clauses=${clauses}`];
	const out = useTime ? execFileSync('/usr/bin/time', ['-f', '%M', '-o', timeFile, process.execPath, ...argv], { encoding: 'utf8' }) : execFileSync(process.execPath, argv, { encoding: 'utf8' });
	const result = JSON.parse(out.trim().split('\n').pop());
	result.peakMb = useTime ? Number(fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()) / 1024 : NaN;
	return result;
}

if (args.mode) {
	await measure(args.mode, args.file, Number(args.clauses));
} else {
	const LINES = Number(process.env.CLAUSES_BENCH_LIGNES ?? 300000);
	const CLAUSES = Number(process.env.CLAUSES_BENCH_CLAUSES ?? 5000);
	const SMALL = Math.min(50000, LINES);
	const TOURS = Number(process.env.CLAUSES_BENCH_TOURS ?? 3);
	const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
	const loadStart = os.loadavg().map((l) => fr(l, 1)).join(' / ');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-releves-'));
	const rows = [];
	const load = child('chargement', '', 0);
	process.stdout.write(`» Chargement du paquet seul : ${fr(load.peakMb)} Mio\n`);
	for (const lines of [...new Set([SMALL, LINES])]) {
		const file = path.join(dir, `registre-${lines}.xlsx`);
		process.stdout.write(`» Génération : ${CLAUSES} clauses, ${lines} lignes…\n`);
		const written = await generate(file, CLAUSES, lines);
		const size = fs.statSync(file).size / 1024 / 1024;
		// exceljs seul et bilan en alternance, tour après tour ; médiane de chacun (et des pics de mémoire).
		const bases = [];
		const bilans = [];
		for (let t = 0; t < TOURS; t++) {
			bases.push(child('exceljs', file, CLAUSES));
			bilans.push(child('bilan', file, CLAUSES));
			process.stdout.write(`  tour ${t + 1} : exceljs seul ${fr(bases[t].ms)} ms / ${fr(bases[t].peakMb)} Mio ; bilan ${fr(bilans[t].ms)} ms / ${fr(bilans[t].peakMb)} Mio ; charge ${fr(os.loadavg()[0], 1)}\n`);
		}
		const base = { ...bases[0], ms: median(bases.map((b) => b.ms)), peakMb: median(bases.map((b) => b.peakMb)), all: bases };
		const bilan = { ...bilans[0], ms: median(bilans.map((b) => b.ms)), peakMb: median(bilans.map((b) => b.peakMb)), all: bilans };
		const reception = child('reception', file, CLAUSES);
		rows.push({ lines: written, size, base, bilan, reception });
		process.stdout.write(`  réception ${fr(reception.ms)} ms / ${fr(reception.peakMb)} Mio\n`);
	}
	fs.rmSync(dir, { recursive: true, force: true });
	const net = (r) => fr(r.peakMb - load.peakMb);
	const spread = (all) => `${fr(Math.min(...all.map((x) => x.ms)) / 1000, 2)} à ${fr(Math.max(...all.map((x) => x.ms)) / 1000, 2)} s`;
	const table = [
		'| lignes de relevé | classeur | exceljs seul (flux), médiane | bilan : lecture, validation, agrégation, classeur et PDF des élus, médiane | rapport de durée (médianes) ; par tour | réception : registre en flux, 1 mois de relevés, nouvelle version (une mesure) | rapport de durée |',
		'|---|---|---|---|---|---|---|',
		...rows.map((r) => `| ${fr(r.lines)} | ${fr(r.size, 1)} Mio | ${fr(r.base.ms / 1000, 2)} s (${spread(r.base.all)}), ${fr(r.base.peakMb)} Mio | ${fr(r.bilan.ms / 1000, 2)} s (${spread(r.bilan.all)}), ${fr(r.bilan.peakMb)} Mio (${net(r.bilan)} au-delà du chargement) | **${fr(r.bilan.ms / r.base.ms, 2)} ×** ; ${r.bilan.all.map((b, i) => fr(b.ms / r.base.all[i].ms, 2)).join(' ; ')} | ${fr(r.reception.ms / 1000, 2)} s, ${fr(r.reception.peakMb)} Mio (${net(r.reception)} au-delà du chargement) | **${fr(r.reception.ms / r.base.ms, 2)} ×** |`),
	];
	const last = rows[rows.length - 1];
	const heapNote = process.env.CLAUSES_BENCH_TAS ? `chaque processus lancé avec \`--max-old-space-size=${process.env.CLAUSES_BENCH_TAS}\`` : 'sans limite de tas (le ramasse-miettes de V8 ne libère qu’à la demande : les pics comptent aussi des déchets non ramassés)';
	const lines = [
		`# Banc : réception des relevés et bilan`,
		'',
		`Mesuré sur : ${os.cpus().length} cœur(s) ${os.cpus()[0]?.model ?? ''}, ${Math.round(os.totalmem() / 1024 ** 3)} Gio, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, charge moyenne au début ${loadStart}, à la fin ${os.loadavg().map((l) => fr(l, 1)).join(' / ')}. Un processus par mesure, ${heapNote} ; pic de mémoire du processus entier (\`/usr/bin/time -f %M\`) ; ${TOURS} tour(s) alternant exceljs seul et bilan (médiane, écart min. à max.). Commande : \`${process.env.CLAUSES_BENCH_LIGNES ? `CLAUSES_BENCH_LIGNES=${process.env.CLAUSES_BENCH_LIGNES} ` : ''}${process.env.CLAUSES_BENCH_TAS ? `CLAUSES_BENCH_TAS=${process.env.CLAUSES_BENCH_TAS} ` : ''}${process.env.CLAUSES_BENCH_TOURS ? `CLAUSES_BENCH_TOURS=${process.env.CLAUSES_BENCH_TOURS} ` : ''}scripts/node24.sh npm run bench:releves\`.`,
		'',
		`- Classeur de suivi : ${fr(CLAUSES)} clauses (feuille « Registre »), lignes de relevé de 2026 (feuille « Relevés », avec sexe, tranche d’âge et résidence en QPV), ${fr(Math.ceil(CLAUSES / 5) * 1.5)} marchés en exécution dont un tiers sans clause (feuille « Marchés »). Cibles : durée au plus 2 × celle du lecteur en flux d’exceljs seul ; mémoire qui ne croît pas avec le nombre de lignes au-delà des résultats.`,
		`- Chargement du paquet seul (processus qui ne fait que \`require('dist/nodes/lib.js')\`, comme n8n au démarrage, exclu des durées) : pic de ${fr(load.peakMb)} Mio, tas de ${fr(load.tasMo)} Mio. Le bilan et la réception le comptent dans leur pic ; entre parenthèses, le pic au-delà de ce chargement.`,
		'',
		...table,
		'',
		`- Bilan (${fr(last.lines)} lignes) : ${fr(last.bilan.heures)} h, ${fr(last.bilan.personnes)} personnes dont ${fr(last.bilan.femmes)} femmes, ${fr(last.bilan.lotsAvecClause)} lots, ${fr(last.bilan.nombreMarches)} marchés de la période, ${last.bilan.invalides} ligne(s) invalide(s) ; classeur du bilan de ${fr(last.bilan.classeurBilanKo)} Kio et PDF des élus de ${fr(last.bilan.pdfKo)} Kio (${last.bilan.pdfPages} pages) ; leur construction, proportionnelle au nombre de clauses et non de lignes, est comptée dans la durée.`,
		`- Réception : ${fr(last.reception.releves)} relevés de décembre 2026 (${fr(last.reception.acceptes)} acceptés, ${fr(last.reception.dejaRecus)} déjà reçus, ${fr(last.reception.corrections)} avec correction) ; ${fr(last.reception.lignesAjoutees)} lignes ajoutées, ${fr(last.reception.lignesMarquees)} marquées « remplacée par » ; nouvelle version de ${fr(last.reception.nouvelleVersionMo, 1)} Mio. Toutes les lignes du registre sont validées (comme dans le nœud) ; seules celles des mois concernés par les relevés du jour sont indexées.`,
		'',
	];
	fs.writeFileSync(path.join(here, 'RESULTATS-releves-bilan.md'), lines.join('\n'));
	process.stdout.write(`${lines.join('\n')}\n`);
}
