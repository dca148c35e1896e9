/**
 * Bout en bout : les workflows livrés « réception des relevés » et « bilan
 * annuel », tels quels, dans un vrai n8n (paquet communautaire, base SQLite,
 * mémoire des envois de n8n), avec un vrai serveur SMTP local ; la réception,
 * livrée en aperçu, est réglée pour envoyer les accusés (« envoyer » à true dans
 * son nœud « Configuration »), comme le fait un utilisateur. Les relevés
 * d'exemple (workflows/donnees-exemple/releves-recus) : un propre, un avec
 * anomalies, un mois déjà reçu, une correction.
 */
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';

import { local, outputOf, useRealN8n, workflowFile } from '../helpers/real-n8n';
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

/** Oracle indépendant du nœud : lots du registre en exécution pendant l'année, et heures des relevés de l'année. */
function expectedFigures(wb: ExcelJS.Workbook, year: number) {
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
	const active = new Set<string>();
	const markets = new Set<string>();
	let heuresDues = 0;
	const register = wb.getWorksheet('Registre')!;
	const reg = columns(register);
	register.eachRow((row, n) => {
		if (n === 1) return;
		if (time(row.getCell(reg("Début d'exécution")).value) > to || time(row.getCell(reg("Fin d'exécution")).value) < from) return;
		active.add(`${row.getCell(reg('N° marché')).value}|${row.getCell(reg('N° lot')).value}`);
		markets.add(String(row.getCell(reg('N° marché')).value));
		heuresDues += Number(row.getCell(reg('Heures dues')).value);
	});
	let heuresRealiseesPeriode = 0;
	const sheet = wb.getWorksheet('Relevés')!;
	const col = columns(sheet);
	sheet.eachRow((row, n) => {
		if (n === 1 || row.getCell(col('Remplacée par')).value) return;
		const month = String(row.getCell(col('Mois')).value);
		if (!month.endsWith(`/${year}`) || !active.has(`${row.getCell(col('N° marché')).value}|${row.getCell(col('N° lot')).value}`)) return;
		heuresRealiseesPeriode += Number(row.getCell(col('Heures du mois')).value);
	});
	// Données d'exemple : l'année a des lots en cours et des heures, sinon l'égalité ne prouverait rien.
	expect(markets.size).toBeGreaterThan(1);
	expect(heuresRealiseesPeriode).toBeGreaterThan(0);
	return { marchesAvecClause: markets.size, lotsAvecClause: active.size, heuresDues, heuresRealiseesPeriode };
}

describe('workflows livrés : réception des relevés puis bilan annuel (vrai n8n)', () => {
	const instance = useRealN8n();

	it('contrôle les relevés, accuse réception une fois, écrit une nouvelle version du classeur, puis fait le bilan', async () => {
		expectWorkflowsKeptByN8n(instance.layout, 'reception-releves.json', 'bilan-annuel.json');
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

		// Nouvelle version du classeur, à côté de l'ancienne (intacte).
		const original = fs.readFileSync(path.join(local.ROOT, 'workflows', 'donnees-exemple', 'suivi-clauses.xlsx'));
		expect(fs.readFileSync(path.join(instance.layout.data, 'suivi-clauses.xlsx')).equals(original)).toBe(true);
		const versions = fs.readdirSync(instance.layout.data).filter((f) => f.startsWith('suivi-clauses (v2 du '));
		expect(versions).toHaveLength(1);
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.readFile(path.join(instance.layout.data, versions[0]));
		const sheet = wb.getWorksheet('Relevés')!;
		const before = new ExcelJS.Workbook();
		await before.xlsx.load(original as unknown as ArrayBuffer);
		expect(sheet.actualRowCount).toBe(before.getWorksheet('Relevés')!.actualRowCount + 3);

		// Seconde exécution : la version la plus récente est lue, tout est déjà reçu, rien n'est renvoyé ni réécrit.
		const second = await local.executeWorkflow(instance.layout, reception);
		expect(second.status).toBe('success');
		const again = outputOf(second, 'Réception des relevés').map((i) => i.json as unknown as ReleveOut);
		expect(again.filter((r) => r.statut !== 'dejaRecu' && r.statut !== 'partiellementAccepte')).toEqual([]);
		expect(again.map((r) => r.accuse.statut)).toEqual(['déjà envoyé', 'déjà envoyé', 'déjà envoyé', 'déjà envoyé']);
		await new Promise((r) => setTimeout(r, 500));
		expect(instance.sink.mails).toHaveLength(4);
		expect(fs.readdirSync(instance.layout.data).filter((f) => f.startsWith('suivi-clauses (v'))).toHaveLength(1);

		// Bilan annuel sur la dernière version du classeur.
		const bilanId = await local.importWorkflow(instance.layout, workflowFile('bilan-annuel.json'));
		const bilan = await local.executeWorkflow(instance.layout, bilanId);
		expect(bilan.data.resultData.error).toBeUndefined();
		expect(bilan.status).toBe('success');
		const [summary] = outputOf(bilan, 'Bilan des clauses sociales');
		const figures = summary.json as Record<string, unknown>;
		expect(figures.lignesEnAnomalie).toBe(0);
		// Période par défaut : l'année civile précédente ; chiffres recomptés ici, à la main, dans la version 2 du classeur.
		const year = new Date().getFullYear() - 1;
		expect(figures.periode).toEqual({ debut: `${year}-01`, fin: `${year}-12` });
		expect(figures).toMatchObject(expectedFigures(wb, year));
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
		expect(mail.parsed.attachments.map((a) => a.filename)).toEqual([figures.fichier]);
		const indicateurs = outputOf(bilan, 'Indicateurs (vers un tableau de bord)').map((i) => i.json);
		expect(indicateurs.filter((v) => v.vue === 'parLot')).toHaveLength(Number(figures.lotsAvecClause));
		expect(indicateurs.filter((v) => v.vue === 'parMarche')).toHaveLength(Number(figures.marchesAvecClause));
	});
});
