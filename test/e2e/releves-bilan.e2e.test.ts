/**
 * Bout en bout : les workflows livrés « réception des relevés » et « bilan
 * annuel », tels quels, dans un vrai n8n (paquet communautaire, base SQLite),
 * avec un vrai serveur SMTP local, sur le registre des clauses SQLite par
 * défaut où le workflow livré « import du classeur de suivi » a d'abord versé
 * le classeur de suivi d'exemple ; la réception,
 * livrée en aperçu, est réglée pour envoyer les accusés (« envoyer » à true dans
 * son nœud « Configuration »), comme le fait un utilisateur. Les relevés
 * d'exemple (workflows/donnees-exemple/releves-recus) : un propre, un avec
 * anomalies, un mois déjà reçu, une correction.
 */
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';

import { Register, SqliteDatabase } from '../../nodes/adapters/register';
import { clauseKey } from '../../nodes/core';
import { expectChartsVisible } from '../helpers/pdf-render';
import type { Layout } from '../helpers/real-n8n';
import { importSampleWorkbook, local, outputOf, registerFile, useRealN8n, workflowFile } from '../helpers/real-n8n';
import { expectWorkflowsKeptByN8n } from '../helpers/workflow-check';

jest.setTimeout(900_000);

interface ReleveOut {
	fichier: string;
	marche: string;
	lot: string;
	statut: string;
	compte: { acceptees: number; dejaRecues: number; refusees: number; corrections: number };
	accuse: { statut: string; a: string[]; messageId?: string; objet: string };
}

/** Oracle indépendant du nœud : clauses du registre en exécution pendant l'année, et heures en vigueur des relevés de l'année, recomptées ici. */
function expectedFigures(clauses: Array<Record<string, unknown>>, lines: Array<Record<string, unknown>>, year: number) {
	const from = `${year}-01-01`;
	const to = `${year}-12-31`;
	const active = new Set<string>();
	const markets = new Set<string>();
	let heuresDues = 0;
	for (const c of clauses) {
		if (String(c.debutExecution) > to || String(c.finExecution) < from) continue;
		active.add(`${c.marche}|${c.lot}`);
		markets.add(String(c.marche));
		heuresDues += Number(c.heuresDues);
	}
	let heuresRealiseesPeriode = 0;
	for (const l of lines) {
		if (!String(l.mois).startsWith(`${year}-`) || !active.has(`${l.marche}|${l.lot}`)) continue;
		heuresRealiseesPeriode += Number(l.heuresMois);
	}
	// Données d'exemple : l'année a des lots en cours et des heures, sinon l'égalité ne prouverait rien.
	expect(markets.size).toBeGreaterThan(1);
	expect(heuresRealiseesPeriode).toBeGreaterThan(0);
	return { marchesAvecClause: markets.size, lotsAvecClause: active.size, heuresDues, heuresRealiseesPeriode };
}

/**
 * Oracle indépendant du registre : marchés de l'année par nature (feuille « Marchés ») et pénalités datées
 * de l'année par étape (feuille « Pénalités »), recomptés dans le classeur d'exemple versé au registre.
 */
async function sheetFigures(file: string, clauseMarkets: Set<string>, year: number) {
	const wb = new ExcelJS.Workbook();
	await wb.xlsx.readFile(file);
	const from = Date.UTC(year, 0, 1);
	const to = Date.UTC(year, 11, 31);
	const time = (v: ExcelJS.CellValue) => (v instanceof Date ? v.getTime() : Date.parse(String(v)));
	const columns = (sheet: ExcelJS.Worksheet) => {
		const header = (sheet.getRow(1).values as ExcelJS.CellValue[]).map(String);
		return (name: string) => {
			expect(header).toContain(name);
			return header.indexOf(name);
		};
	};
	const natures: Record<string, { marches: number; marchesAvecClause: number }> = {};
	let nombreMarches = 0;
	const list = wb.getWorksheet('Marchés')!;
	const m = columns(list);
	list.eachRow((row, n) => {
		if (n === 1 || time(row.getCell(m("Début d'exécution")).value) > to || time(row.getCell(m("Fin d'exécution")).value) < from) return;
		nombreMarches++;
		const nature = (natures[String(row.getCell(m('Nature')).value)] ??= { marches: 0, marchesAvecClause: 0 });
		nature.marches++;
		if (clauseMarkets.has(String(row.getCell(m('N° marché')).value))) nature.marchesAvecClause++;
	});
	const penalties = { proposees: 0, notifiees: 0, recouvrees: 0 };
	const pen = wb.getWorksheet('Pénalités')!;
	const p = columns(pen);
	pen.eachRow((row, n) => {
		if (n === 1) return;
		const date = time(row.getCell(p('Date')).value);
		if (date < from || date > to) return;
		const step = String(row.getCell(p('Étape')).value);
		const amount = Number(row.getCell(p('Montant HT')).value);
		if (step === 'Mise en demeure') penalties.proposees += amount;
		else if (step.startsWith('Notification')) penalties.notifiees += amount;
		else if (step === 'Recouvrée') penalties.recouvrees += amount;
	});
	// Données d'exemple : des marchés sans clause et des pénalités dans l'année, sinon l'égalité ne prouverait rien.
	expect(nombreMarches).toBeGreaterThan(clauseMarkets.size);
	expect(penalties.notifiees).toBeGreaterThan(0);
	return {
		figures: {
			nombreMarches,
			partMarchesAvecClause: Math.round((clauseMarkets.size / nombreMarches) * 10000) / 10000,
			penalitesProposees: penalties.proposees,
			penalitesAppliquees: penalties.notifiees,
			penalitesRecouvrees: penalties.recouvrees,
		},
		natures,
	};
}

async function withRegister<T>(layout: Layout, fn: (register: Register) => Promise<T>): Promise<T> {
	const register = await Register.open(await SqliteDatabase.open({ file: registerFile(layout) }));
	try {
		return await fn(register);
	} finally {
		await register.close();
	}
}

describe('workflows livrés : réception des relevés puis bilan annuel (vrai n8n)', () => {
	const instance = useRealN8n();

	it('contrôle les relevés, accuse réception une fois, les enregistre au registre (une correction garde l’ancienne version), puis fait le bilan', async () => {
		expectWorkflowsKeptByN8n(instance.layout, 'import-classeur-suivi.json', 'reception-releves.json', 'bilan-annuel.json');
		await importSampleWorkbook(instance.layout);
		const linesBefore = await withRegister(instance.layout, (r) => r.reportLines({ allVersions: true }));
		// Livré en aperçu : l'envoi des accusés se règle dans son nœud « Configuration », comme le fait un utilisateur.
		const reception = await local.importWorkflow(instance.layout, workflowFile('reception-releves.json'), { configuration: { envoyer: true } });
		const first = await local.executeWorkflow(instance.layout, reception);
		expect(first.data.resultData.error).toBeUndefined();
		expect(first.status).toBe('success');
		const releves = outputOf(first, 'Réception des relevés').map((i) => i.json as unknown as ReleveOut);
		const by = Object.fromEntries(releves.map((r) => [r.fichier, r]));
		expect(Object.keys(by).sort()).toEqual([
			'releve-2025-TRX-031-lot-20-2026-06.xlsx',
			'releve-2025-TRX-031-lot-9-2026-10.xlsx',
			'releve-2025-TRX-044-lot-3-2026-09.xlsx',
			'releve-2025-TRX-052-lot-2-2026-08.xlsx',
		]);
		expect(by['releve-2025-TRX-031-lot-9-2026-10.xlsx']).toMatchObject({ statut: 'accepte', compte: { acceptees: 1 } });
		expect(by['releve-2025-TRX-031-lot-20-2026-06.xlsx']).toMatchObject({ statut: 'partiellementAccepte', compte: { acceptees: 1, refusees: 2 } });
		expect(by['releve-2025-TRX-044-lot-3-2026-09.xlsx'].statut).toBe('dejaRecu');
		expect(by['releve-2025-TRX-052-lot-2-2026-08.xlsx']).toMatchObject({ statut: 'accepte', compte: { corrections: 1 } });

		// Accusés reçus par le serveur SMTP : un par relevé, au titulaire, facilitateur en copie.
		await instance.sink.waitFor(4);
		expect(instance.sink.mails).toHaveLength(4);
		for (const r of releves) {
			expect(r.accuse.statut).toBe('envoyé');
			const mail = instance.sink.mails.find((m) => m.parsed.messageId === r.accuse.messageId)!;
			expect(mail.parsed.subject).toBe(r.accuse.objet);
			expect(mail.envelope.to).toEqual(expect.arrayContaining(r.accuse.a));
		}
		const anomalies = instance.sink.mails.find((m) => m.parsed.subject?.includes('lot 20'))!;
		expect(anomalies.parsed.text).toContain('Lignes refusées : 2.');
		expect(anomalies.parsed.text).toContain('182\u00a0h pour une personne, au-delà de 151,67\u00a0h');
		expect(anomalies.parsed.text).toContain('catégorie de public manquante');

		// Relevés enregistrés au registre : le relevé propre et la ligne acceptée du relevé en anomalie ajoutés ;
		// la correction, nouvelle version du mois entier, l'ancienne version gardée.
		const linesAfter = await withRegister(instance.layout, (r) => r.reportLines({ allVersions: true }));
		const corrected = linesAfter.filter((l) => l.clauseKey === clauseKey({ marche: '2025-TRX-052', lot: '2' }) && l.month === '2026-08');
		expect([...new Set(corrected.map((l) => l.version))].sort()).toEqual([1, 2]);
		expect(corrected.filter((l) => l.current).every((l) => l.version === 2)).toBe(true);
		const newVersion = corrected.filter((l) => l.version === 2).length;
		expect(linesAfter.length).toBe(linesBefore.length + 2 + newVersion);
		const current = await withRegister(instance.layout, (r) => r.reportLines({ clauseKey: clauseKey({ marche: '2025-TRX-031', lot: '9' }) }));
		expect(current.filter((l) => String((l.data as Record<string, unknown>).mois) === '2026-10')).toHaveLength(1);

		// Seconde exécution : tout est déjà reçu, rien n'est renvoyé ni réécrit.
		const second = await local.executeWorkflow(instance.layout, reception);
		expect(second.status).toBe('success');
		const again = outputOf(second, 'Réception des relevés').map((i) => i.json as unknown as ReleveOut);
		expect(again.filter((r) => r.statut !== 'dejaRecu' && r.statut !== 'partiellementAccepte')).toEqual([]);
		expect(again.map((r) => r.accuse.statut)).toEqual(['déjà envoyé', 'déjà envoyé', 'déjà envoyé', 'déjà envoyé']);
		await new Promise((r) => setTimeout(r, 500));
		expect(instance.sink.mails).toHaveLength(4);
		expect(await withRegister(instance.layout, (r) => r.reportLines({ allVersions: true }))).toHaveLength(linesAfter.length);

		// Bilan annuel sur le registre.
		const bilanId = await local.importWorkflow(instance.layout, workflowFile('bilan-annuel.json'));
		const bilan = await local.executeWorkflow(instance.layout, bilanId);
		expect(bilan.data.resultData.error).toBeUndefined();
		expect(bilan.status).toBe('success');
		const [summary] = outputOf(bilan, 'Bilan des clauses sociales');
		const figures = summary.json as Record<string, unknown>;
		expect(figures.lignesEnAnomalie).toBe(0);
		// Période par défaut : l'année civile précédente ; chiffres recomptés ici, à la main, dans le registre.
		const year = new Date().getFullYear() - 1;
		expect(figures.periode).toEqual({ debut: `${year}-01`, fin: `${year}-12` });
		const [clauses, lines] = await withRegister(instance.layout, async (r) => [(await r.list('clause')).map((c) => c.data as Record<string, unknown>), (await r.reportLines()).map((l) => l.data as Record<string, unknown>)]);
		expect(figures).toMatchObject(expectedFigures(clauses, lines, year));
		// Marchés (feuille « Marchés ») et pénalités (feuille « Pénalités ») versés au registre par l'import : recomptés dans le classeur.
		const clauseMarkets = new Set(clauses.filter((c) => String(c.debutExecution) <= `${year}-12-31` && String(c.finExecution) >= `${year}-01-01`).map((c) => String(c.marche)));
		const sheets = await sheetFigures(path.join(instance.layout.data, 'suivi-clauses.xlsx'), clauseMarkets, year);
		expect(figures).toMatchObject(sheets.figures);
		const written = path.join(instance.layout.output, String(figures.fichier));
		const report = new ExcelJS.Workbook();
		await report.xlsx.readFile(written);
		expect(report.getWorksheet('Synthèse')!.getCell('B4').value).toBe(figures.marchesAvecClause);
		// Titre, sous-titre, en-têtes, une ligne par lot clausé de l'année, total.
		expect(report.getWorksheet('Par lot')!.actualRowCount).toBe(3 + Number(figures.lotsAvecClause) + 1);
		await instance.sink.waitFor(5);
		const mail = instance.sink.mails[4];
		expect(mail.envelope.to).toEqual(['clauses-sociales@region-val-argent.example.test']);
		expect(mail.parsed.subject).toBe((figures.synthese as { objet: string }).objet);
		const documentElus = figures.documentElus as { fichier: string; graphiques: Parameters<typeof expectChartsVisible>[1] };
		expect(mail.parsed.attachments.map((a) => a.filename)).toEqual([figures.fichier, documentElus.fichier]);
		// Le document des élus, enregistré par le workflow : rendu en images, chaque graphique y est visible.
		expectChartsVisible(fs.readFileSync(path.join(instance.layout.output, documentElus.fichier)), documentElus.graphiques);
		const indicateurs = outputOf(bilan, 'Indicateurs (vers un tableau de bord)').map((i) => i.json);
		// Parts par nature, marchés avec et sans clause : celles recomptées dans la feuille « Marchés ».
		expect(Object.fromEntries(indicateurs.filter((v) => v.vue === 'parNature').map((v) => [v.nature, { marches: v.marches, marchesAvecClause: v.marchesAvecClause }]))).toEqual(sheets.natures);
		expect(indicateurs.filter((v) => v.vue === 'parLot')).toHaveLength(Number(figures.lotsAvecClause));
		expect(indicateurs.filter((v) => v.vue === 'parMarche')).toHaveLength(Number(figures.marchesAvecClause));
	});
});
