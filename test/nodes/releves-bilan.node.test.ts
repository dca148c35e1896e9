import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { BILAN_CHART_COLORS, renderBilanPdf } from '../../nodes/adapters';
import { bilanDocument, computeBilan, parseBilanSettings } from '../../nodes/core';
import { pdfText } from '../helpers/documents';
import { PACKAGE_ROOT, binaryItem, resetRegister, runNode } from '../helpers/engine';
import { countColor, expectChartsVisible, renderPdfPages } from '../helpers/pdf-render';
import { filledReleve } from '../helpers/releves';
import { SmtpSink } from '../helpers/smtp-sink';
import { readWorkbook } from '../helpers/workbooks';

const SAMPLE = path.join(PACKAGE_ROOT, 'workflows', 'donnees-exemple');
const REGISTER = fs.readFileSync(path.join(SAMPLE, 'suivi-clauses.xlsx'));
const registre: IDataObject[] = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'registre-clauses.json'), 'utf8'));
const releves: IDataObject[] = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'releves-2026.json'), 'utf8'));
const clause = (marche: string, lot: string) => registre.find((c) => c.marche === marche && c.lot === lot) as unknown as Parameters<typeof filledReleve>[0] & { emailTitulaire: string };

const roundTo4 = (x: number) => Math.round(x * 10000) / 10000;

const registerItem = (buffer = REGISTER, fileName = 'suivi-clauses.xlsx'): INodeExecutionData => ({
	json: { fichier: fileName },
	binary: { registre: binaryItem(buffer, fileName).binary!.data },
});

const intake = (parameters: IDataObject = {}) => ({
	type: 'clauseReportIntake',
	parameters: { mode: 'apercu', source: 'classeur', sourceReleves: 'fichiers', champsReleves: 'data', champRegistre: 'registre', dateReception: '2026-11-23', signature: 'La mission clauses sociales', ...parameters },
	credentials: { clausesSocialesSmtpApi: { id: 'smtp', name: 'SMTP' } },
});

const smtp = (port: number) => ({
	clausesSocialesSmtpApi: { host: '127.0.0.1', port, securite: 'aucune', expediteurNom: 'Mission clauses sociales', expediteurEmail: 'clauses-sociales@region.example.test' },
});

async function releveLot9October(hours: number | string = 12.5) {
	return filledReleve(clause('2025-TRX-031', '9'), '2026-10', [
		{ participant: '031-9-P01', categoriePublic: 'Bénéficiaire du RSA', eligibiliteValidee: 'oui', employeur: 'ETTI', modalite: 'Mise à disposition', typeContrat: 'Intérim', debutContrat: new Date(Date.UTC(2026, 0, 5)), heuresMois: hours },
		{ participant: '031-9-P02', categoriePublic: 'jeune', modalite: 'embauche directe', typeContrat: 'CDD', heuresMois: '21,5' },
	]);
}

async function sheetRows(buffer: Buffer, name: string): Promise<{ header: string[]; rows: Array<Record<string, unknown>> }> {
	const wb = await readWorkbook(buffer);
	const ws = wb.getWorksheet(name)!;
	const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
	const rows: Array<Record<string, unknown>> = [];
	ws.eachRow((row, r) => {
		if (r === 1) return;
		const out: Record<string, unknown> = { ligne: r };
		header.forEach((h, i) => (out[h] = row.getCell(i + 1).value));
		rows.push(out);
	});
	return { header, rows };
}

describe('nœud Réception des relevés, exécuté par le moteur de n8n', () => {
	beforeEach(() => resetRegister());

	it('relevés propres, fautifs, déjà reçus et corrigés : un élément par relevé, lignes acceptées, nouvelle version du classeur', async () => {
		const september = releves.filter((l) => l.marche === '2025-TRX-044' && l.lot === '3' && l.mois === '2026-09');
		const duplicate = await filledReleve(clause('2025-TRX-044', '3'), '2026-09', september.map((l) => ({ ...l, mois: undefined }) as never));
		const correction = await filledReleve(clause('2025-TRX-044', '3'), '2026-09', september.map((l, i) => ({ ...l, mois: undefined, heuresMois: i === 0 ? Number(l.heuresMois) + 4 : l.heuresMois }) as never));
		const faulty = await filledReleve(clause('2025-TRX-031', '20'), '2026-10', [
			{ participant: '031-20-P01', categoriePublic: 'RSA', modalite: 'Embauche directe', heuresMois: 180 },
			{ participant: '031-20-P02', modalite: 'Embauche directe', heuresMois: 20 },
			{ participant: '031-20-P03', categoriePublic: 'DELD', modalite: 'Embauche directe', heuresMois: 17 },
		]);
		const input: INodeExecutionData[] = [
			registerItem(),
			binaryItem(await releveLot9October(), 'releve-lot9-octobre.xlsx', undefined, { from: 'alu@example.test' }),
			binaryItem(faulty, 'releve-lot20.xlsx'),
			binaryItem(duplicate, 'releve-044-3-septembre.xlsx'),
			binaryItem(correction, 'releve-044-3-septembre-corrige.xlsx'),
			binaryItem(Buffer.from('%PDF-1.4 pas un classeur'), 'releve.pdf', 'application/pdf', { from: 'Inconnu <inconnu@example.test>' }),
		];
		const { run, items, output } = await runNode(intake({ expediteur: '={{ $json.from }}' }), input);
		expect(run.data.resultData.error).toBeUndefined();
		expect(items.map((i) => [i.json.fichier, i.json.statut])).toEqual([
			['releve-lot9-octobre.xlsx', 'accepte'],
			['releve-lot20.xlsx', 'partiellementAccepte'],
			['releve-044-3-septembre.xlsx', 'dejaRecu'],
			['releve-044-3-septembre-corrige.xlsx', 'accepte'],
			['releve.pdf', 'refuse'],
		]);
		expect(items.map((i) => i.pairedItem)).toEqual([[{ item: 1 }], [{ item: 2 }], [{ item: 3 }], [{ item: 4 }], [{ item: 5 }]]);
		const lot9 = items[0].json;
		expect(lot9.compte).toMatchObject({ acceptees: 2, heuresAcceptees: 34 });
		const accuse = lot9.accuse as IDataObject;
		expect(accuse).toMatchObject({ statut: 'aperçu', a: [clause('2025-TRX-031', '9').emailTitulaire], objet: 'Relevé d’heures d’insertion octobre 2026 – marché 2025-TRX-031, lot 9 : accepté' });
		const lot20 = items[1].json.lignes as IDataObject[];
		expect(lot20.map((l) => l.statut)).toEqual(['refusee', 'refusee', 'nouvelle']);
		expect(String((items[1].json.accuse as IDataObject).texte)).toContain('fichier « releve-lot20.xlsx », ligne 12 (cellule J12), participant 031-20-P01 — heures du mois : 180');
		expect(String((items[1].json.accuse as IDataObject).texte)).toContain('(cellule B13), participant 031-20-P02 — catégorie de public : catégorie de public manquante');
		expect(items[1].json.statut).toBe('partiellementAccepte');
		expect(items[4].json.anomalies).toEqual([expect.objectContaining({ regle: 'fichier.pasXlsx' })]);
		expect((items[4].json.accuse as IDataObject).a).toEqual(['inconnu@example.test']);
		expect((items[3].json.versions as IDataObject)['2026-09']).toBe('2026-11-23 v2');

		const lines = output('Nœud testé', 1);
		expect(lines.map((l) => [l.json.marche, l.json.lot, l.json.participant, l.json.heuresMois, l.json.version, l.json.correction])).toEqual([
			['2025-TRX-031', '9', '031-9-P01', 12.5, '2026-11-23 v1', false],
			['2025-TRX-031', '9', '031-9-P02', 21.5, '2026-11-23 v1', false],
			['2025-TRX-031', '20', '031-20-P03', 17, '2026-11-23 v1', false],
			['2025-TRX-044', '3', september[0].participant, Number(september[0].heuresMois) + 4, '2026-11-23 v2', true],
		]);

		// Nouvelle version du classeur : l'original intact, les lignes ajoutées, la ligne corrigée marquée.
		const [registerOut] = output('Nœud testé', 2);
		expect(registerOut.json).toMatchObject({ fichier: 'suivi-clauses (v2 du 2026-11-23).xlsx', lignesAjoutees: 4, lignesRemplacees: 1 });
		const newVersion = Buffer.from(registerOut.binary!.registre.data, 'base64');
		expect(fs.readFileSync(path.join(SAMPLE, 'suivi-clauses.xlsx')).equals(REGISTER)).toBe(true);
		const { header, rows } = await sheetRows(newVersion, 'Relevés');
		expect(header.slice(-5)).toEqual(['Date de réception', 'Version du relevé', 'Correction', 'Remplace', 'Remplacée par']);
		expect(rows).toHaveLength(releves.length + 4);
		const added = rows.slice(-4);
		expect(added.map((r) => [r['N° marché'], r['N° lot'], r.Mois, r.Participant, r['Heures du mois'], r['Version du relevé'], r.Correction, r.Remplace])).toEqual([
			['2025-TRX-031', '9', '10/2026', '031-9-P01', 12.5, '2026-11-23 v1', 'non', null],
			['2025-TRX-031', '9', '10/2026', '031-9-P02', 21.5, '2026-11-23 v1', 'non', null],
			['2025-TRX-031', '20', '10/2026', '031-20-P03', 17, '2026-11-23 v1', 'non', null],
			['2025-TRX-044', '3', '09/2026', september[0].participant, Number(september[0].heuresMois) + 4, '2026-11-23 v2', 'oui', 'v1'],
		]);
		expect(added[0]['Catégorie de public']).toBe('Bénéficiaire du RSA');
		expect(added[1]['Catégorie de public']).toBe('Jeune de moins de 26 ans peu qualifié');
		expect(added[0]['Début du contrat']).toEqual(new Date(Date.UTC(2026, 0, 5)));
		const replaced = rows.filter((r) => r['Remplacée par'] !== null && r['Remplacée par'] !== undefined);
		expect(replaced.map((r) => [r.Participant, r['Heures du mois'], r['Remplacée par']])).toEqual([[september[0].participant, september[0].heuresMois, '2026-11-23 v2']]);
		// Les autres feuilles sont recopiées telles quelles.
		const before = await readWorkbook(REGISTER);
		const after = await readWorkbook(newVersion);
		expect(after.worksheets.map((w) => w.name)).toEqual(before.worksheets.map((w) => w.name));
		expect(after.getWorksheet('Registre')!.getCell('E3').value).toBe(before.getWorksheet('Registre')!.getCell('E3').value);

		// Relu par le nœud sur la nouvelle version : tout est déjà reçu, aucune nouvelle version.
		const again = await runNode(intake(), [registerItem(newVersion, 'suivi-clauses (v2 du 2026-11-23).xlsx'), binaryItem(await releveLot9October(), 'releve-lot9-octobre.xlsx'), binaryItem(correction, 'corrige.xlsx')]);
		expect(again.items.map((i) => i.json.statut)).toEqual(['dejaRecu', 'dejaRecu']);
		expect(again.output('Nœud testé', 2)).toEqual([]);

		// Le bilan de la nouvelle version compte la correction une seule fois.
		const bilan = await runNode({ type: 'clauseBilan', parameters: { source: 'classeur', binaryPropertyName: 'registre', debut: '2026-01', fin: '2026-12' } }, [registerItem(newVersion)]);
		const original = await runNode({ type: 'clauseBilan', parameters: { source: 'classeur', binaryPropertyName: 'registre', debut: '2026-01', fin: '2026-12' } }, [registerItem()]);
		expect(Number(bilan.items[0].json.heuresRealiseesPeriode) - Number(original.items[0].json.heuresRealiseesPeriode)).toBeCloseTo(12.5 + 21.5 + 17 + 4, 2);
	});

	it('envoie les accusés une seule fois par un vrai serveur SMTP ; un envoi en échec repartira', async () => {
		const sink = await new SmtpSink().start();
		try {
			const releve = await releveLot9October();
			const first = await runNode(intake({ mode: 'envoyer', options: { debitParSeconde: 0 } }), [registerItem(), binaryItem(releve, 'releve.xlsx')], { credentials: smtp(sink.port) });
			expect((first.items[0].json.accuse as IDataObject).statut).toBe('envoyé');
			await sink.waitFor(1);
			const mail = sink.mails[0];
			expect(mail.envelope.to.sort()).toEqual([clause('2025-TRX-031', '9').emailTitulaire, 'clauses@plie-val-argent.example.test'].sort());
			expect(mail.parsed.subject).toBe('Relevé d’heures d’insertion octobre 2026 – marché 2025-TRX-031, lot 9 : accepté');
			expect(mail.parsed.text).toContain('Lignes enregistrées : 2, soit 34\u00a0h d’insertion (octobre 2026 : version 2026-11-23 v1).');
			const second = await runNode(intake({ mode: 'envoyer' }), [registerItem(), binaryItem(releve, 'releve.xlsx')], { credentials: smtp(sink.port) });
			expect((second.items[0].json.accuse as IDataObject).statut).toBe('déjà envoyé');
			await new Promise((r) => setTimeout(r, 200));
			expect(sink.mails).toHaveLength(1);
		} finally {
			await sink.stop();
		}
		// Serveur arrêté : échec rapporté, clé libérée.
		const down = await new SmtpSink().start();
		const port = down.port;
		await down.stop();
		const other = await releveLot9October(30);
		const failed = await runNode(intake({ mode: 'envoyer' }), [registerItem(), binaryItem(other, 'releve.xlsx')], { credentials: smtp(port) });
		expect((failed.items[0].json.accuse as IDataObject)).toMatchObject({ statut: 'échec', temporaire: true });
		const back = await new SmtpSink({ port }).start();
		try {
			const retry = await runNode(intake({ mode: 'envoyer' }), [registerItem(), binaryItem(other, 'releve.xlsx')], { credentials: smtp(port) });
			expect((retry.items[0].json.accuse as IDataObject).statut).toBe('envoyé');
		} finally {
			await back.stop();
		}
	});

	it('éléments JSON : lignes groupées par clause, pour une base de données ; sans classeur de suivi, erreur claire', async () => {
		const lines = [
			{ marche: '2025-TRX-031', lot: '9', mois: '10/2026', participant: 'P1', categoriePublic: 'RSA', modalite: 'embauche', heuresMois: 10 },
			{ marche: '2025-TRX-031', lot: '9', mois: '10/2026', participant: 'P2', categoriePublic: 'RSA', modalite: 'embauche', heuresMois: 5 },
			{ marche: '2025-TRX-044', lot: '5', mois: '10/2026', participant: 'Q1', categoriePublic: 'RQTH', modalite: 'MAD', heuresMois: 'douze' },
		];
		const { items, output } = await runNode(intake({ sourceReleves: 'elements' }), [registerItem(), ...lines.map((json) => ({ json }))]);
		expect(items.map((i) => [i.json.source, i.json.statut])).toEqual([
			['éléments 2 à 3', 'accepte'],
			['élément 4', 'refuse'],
		]);
		expect(output('Nœud testé', 1).map((l) => [l.json.participant, l.pairedItem])).toEqual([
			['P1', { item: 1 }],
			['P2', { item: 2 }],
		]);
		const missing = await runNode(intake({ sourceReleves: 'elements' }), lines.map((json) => ({ json })));
		expect(missing.error('Nœud testé')?.message).toBe('Aucun classeur de suivi reçu (champ binaire « registre »)');
	});
});

describe('nœud Bilan des clauses sociales', () => {
	it('classeur de suivi → indicateurs, classeur par vue avec mise en forme conditionnelle, éléments par vue', async () => {
		const facilitateurs = fs.readFileSync(path.join(SAMPLE, 'facilitateurs.json'), 'utf8');
		const { items, output, run } = await runNode(
			{ type: 'clauseBilan', parameters: { source: 'classeur', binaryPropertyName: 'data', debut: '2026-01', fin: '2026-12', facilitateurs, region: 'Région Val-d’Argent' } },
			[binaryItem(REGISTER, 'suivi-clauses.xlsx')],
		);
		expect(run.data.resultData.error).toBeUndefined();
		const bilan = items[0].json;
		// Recompte à la main : marchés en exécution en 2026 (feuille « Marchés »), dont ceux qui ont un lot clausé en exécution.
		const marches: IDataObject[] = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'marches.json'), 'utf8'));
		const of2026 = marches.filter((m) => String(m.debutExecution) <= '2026-12-31' && String(m.finExecution) >= '2026-01-01');
		const clauses2026 = new Set(registre.filter((c) => String(c.debutExecution) <= '2026-12-31' && String(c.finExecution) >= '2026-01-01').map((c) => c.marche));
		expect(of2026.length).toBe(13);
		expect(clauses2026.size).toBe(6);
		expect(bilan).toMatchObject({ fichier: 'bilan-clauses-sociales-2026-01-2026-12.xlsx', marchesAvecClause: 6, nombreMarches: 13, marchesSansClause: 7, partMarchesAvecClause: roundTo4(6 / 13), penalitesProposees: 2700, penalitesAppliquees: 0, misesEnDemeure: 1, lignesEnAnomalie: 0, clausesHorsPeriode: 1 });
		const inPeriod = releves.filter((l) => String(l.mois) >= '2026-01' && String(l.mois) <= '2026-12');
		expect(Number(bilan.heuresRealiseesPeriode)).toBeCloseTo(inPeriod.reduce((s, l) => s + Number(l.heuresMois), 0), 2);
		expect(String((bilan.synthese as IDataObject).texte)).toContain('6 marché(s) avec une clause sociale d’insertion (15 lot(s)), soit 46,2\u00a0% des 13 marchés de la période.');
		const views = output('Nœud testé', 1);
		// Nature lue dans la feuille « Marchés » (le registre n'en porte pas).
		const nature = Object.fromEntries(views.filter((v) => v.json.vue === 'parNature').map((v) => [v.json.nature, [v.json.marches, v.json.marchesAvecClause]]));
		const expectedNature: Record<string, number[]> = {};
		for (const m of of2026) {
			const entry = (expectedNature[String(m.nature)] ??= [0, 0]);
			entry[0]++;
			if (clauses2026.has(m.marche)) entry[1]++;
		}
		expect(nature).toEqual(expectedNature);
		expect(nature.Services).toEqual([5, 1]);
		expect(views.filter((v) => v.json.vue === 'parTerritoire').map((v) => v.json.territoire).sort()).toEqual(['17', '79', '86']);
		expect(views.filter((v) => v.json.vue === 'sorties').find((v) => v.json.situation === 'Emploi de transition (CDD ou intérim de moins de 6 mois, contrat aidé)')?.json.personnes).toBe(1);

		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(Buffer.from(items[0].binary!.data.data, 'base64') as unknown as ArrayBuffer);
		expect(wb.worksheets.map((w) => w.name)).toEqual(['Synthèse', 'Nature et mécanisme', 'Par service', 'Mécanismes', 'Par marché', 'Par lot', 'Par titulaire', 'Par facilitateur', 'Par territoire', 'Par mois', 'Par année', 'Publics', 'Publics prioritaires', 'Situations à six mois', 'Modalités', 'Contrats', 'Employeurs', 'Pénalités']);
		const lots = wb.getWorksheet('Par lot')!;
		expect(lots.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
		const rules = (lots as unknown as { conditionalFormattings: Array<{ ref: string; rules: Array<{ type: string }> }> }).conditionalFormattings;
		expect(rules.map((r) => r.rules[0].type)).toEqual(expect.arrayContaining(['colorScale', 'dataBar']));
		const synth = wb.getWorksheet('Synthèse')!;
		expect(synth.getCell('B4').value).toBe(6);
		expect(synth.getCell('A18').value).toBe('Pénalités proposées (mises en demeure)');
		expect(synth.getCell('B18').value).toBe(2700);
		expect(synth.getCell('B18').numFmt).toBe('#,##0.00 "€"');
	});

	it('document pour les élus : polices embarquées, chiffres clés, commentaire, chaque graphique dessiné et visible à l’image', async () => {
		const { items } = await runNode(
			{ type: 'clauseBilan', parameters: { source: 'classeur', binaryPropertyName: 'data', debut: '2025-01', fin: '2025-12', region: 'Région Val-d’Argent' } },
			[binaryItem(REGISTER, 'suivi-clauses.xlsx')],
		);
		const json = items[0].json;
		const doc = json.documentElus as { fichier: string; pages: number; graphiques: Array<{ id: string; page: number; barres: number }> };
		expect(doc.fichier).toBe('bilan-elus-clauses-sociales-2025-01-2025-12.pdf');
		expect(items[0].binary!.pdf).toMatchObject({ fileName: doc.fichier, mimeType: 'application/pdf' });
		const pdf = Buffer.from(items[0].binary!.pdf.data, 'base64');
		// Polices embarquées (sous-ensembles TrueType), pas de police standard non embarquée.
		const fonts = pdf.toString('latin1');
		expect(fonts).toMatch(/\/FontFile2/);
		expect(fonts).not.toMatch(/\/BaseFont \/Helvetica/);
		const { text } = await pdfText(pdf);
		expect(text).toContain('Bilan des clauses sociales d’insertion');
		expect(text).toContain('En 2025, 6 marchés en exécution portaient une clause sociale d’insertion, sur 12 marchés de la Région, soit 50');
		expect(text).toContain('Intégration des clauses sociales dans la commande publique des Conseils régionaux');
		expect(text).not.toMatch(/seed|\.txt/i);
		expect(String((json.synthese as IDataObject).texte)).toContain(`fichiers joints « ${String(json.fichier)} » et « ${doc.fichier} »`);
		expectChartsVisible(pdf, doc.graphiques);
	});

	it('un graphique vide se voit : aucune barre, aucun pixel de barre (le contrôle des graphiques échouerait)', async () => {
		const bilan = computeBilan(parseBilanSettings({ debut: '2025-01', fin: '2025-12' }), {});
		const rendered = await renderBilanPdf(bilanDocument(bilan, { titre: 'Bilan vide', dateBilan: '2026-01-15' }), { date: '2026-01-15', auteur: 'Test' });
		const pages = renderPdfPages(rendered.buffer);
		for (const chart of rendered.graphiques) {
			expect(chart.barres).toBe(0);
			expect(countColor(pages[chart.page - 1], chart, BILAN_CHART_COLORS.serie1)).toBe(0);
		}
		expect(() => expectChartsVisible(rendered.buffer, rendered.graphiques)).toThrow();
	});
});

