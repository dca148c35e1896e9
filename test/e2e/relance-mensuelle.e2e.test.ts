/**
 * Bout en bout : le workflow livré « relance mensuelle » dans un vrai n8n
 * (paquet communautaire, base SQLite), avec un vrai serveur SMTP local, sur le
 * registre des clauses SQLite par défaut où le workflow livré « import du
 * classeur de suivi » a d'abord versé le classeur de suivi d'exemple. Tel quel, il est en aperçu et n'écrit à aucun titulaire ;
 * avec « envoyer » à true dans son nœud « Configuration » (comme le règle un
 * utilisateur), il relance ; une seconde exécution n'envoie rien de nouveau.
 * Le workflow prend la date du jour : les assertions portent sur ce qui ne
 * dépend pas de la date (clause soldée, suspendue, relevés manquants depuis juin 2026…).
 */
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';

import { importSampleWorkbook, local, outputOf, useRealN8n, workflowFile } from '../helpers/real-n8n';
import { expectWorkflowsKeptByN8n } from '../helpers/workflow-check';

jest.setTimeout(600_000);

interface Out {
	marche: string;
	lot: string;
	decision: { niveau: string; statut: string };
	envoi: { statut: string; a?: string[]; cc?: string[]; messageId?: string };
}

describe('workflow livré : relance mensuelle (vrai n8n)', () => {
	const instance = useRealN8n();

	it('livré en aperçu : aucune relance ne part, la synthèse au facilitateur le dit', async () => {
		expectWorkflowsKeptByN8n(instance.layout, 'import-classeur-suivi.json', 'relance-mensuelle.json');
		await importSampleWorkbook(instance.layout);
		const id = await local.importWorkflow(instance.layout, workflowFile('relance-mensuelle.json'));
		const run = await local.executeWorkflow(instance.layout, id);
		expect(run.data.resultData.error).toBeUndefined();
		expect(run.status).toBe('success');
		const clauses = outputOf(run, 'Relance mensuelle').map((i) => i.json as unknown as Out);
		expect(clauses).toHaveLength(16);
		expect(clauses.filter((c) => c.envoi.statut === 'envoyé' || c.envoi.statut === 'déjà envoyé')).toEqual([]);
		expect(clauses.filter((c) => c.envoi.statut === 'aperçu').length).toBeGreaterThan(0);
		const summaries = outputOf(run, 'Envoyer la synthèse au facilitateur');
		await instance.sink.waitFor(summaries.length);
		await new Promise((r) => setTimeout(r, 500));
		expect(instance.sink.mails.map((m) => m.parsed.subject?.startsWith('Aperçu des relances'))).toEqual(summaries.map(() => true));
		instance.sink.mails.splice(0);
	});

	it('« envoyer » à true dans « Configuration » : relance les titulaires concernés, prévient les facilitateurs, et ne renvoie rien à la seconde exécution', async () => {
		const id = await local.importWorkflow(instance.layout, workflowFile('relance-mensuelle.json'), { configuration: { envoyer: true } });
		const first = await local.executeWorkflow(instance.layout, id);
		expect(first.data.resultData.error).toBeUndefined();
		expect(first.status).toBe('success');
		const clauses = outputOf(first, 'Relance mensuelle').map((i) => i.json as unknown as Out);
		expect(clauses).toHaveLength(16);
		const by = Object.fromEntries(clauses.map((c) => [`${c.marche}/${c.lot}`, c]));
		expect(by['2025-TRX-044/7'].decision).toMatchObject({ statut: 'soldee', niveau: 'aucun' });
		expect(by['2024-SRV-017/2'].decision).toMatchObject({ statut: 'suspendue', niveau: 'aucun' });
		expect(by['2025-TRX-031/20'].decision.niveau).toBe('escalade');
		expect(by['2025-TRX-031/20'].envoi).toMatchObject({
			statut: 'envoyé',
			a: ['electricite-generale-niortai@example.test'],
			cc: ['clauses@plie-val-argent.example.test', 'travaux-lycees@region-val-argent.example.test'],
		});

		const sent = clauses.filter((c) => c.envoi.statut === 'envoyé');
		const summaries = outputOf(first, 'Envoyer la synthèse au facilitateur');
		await instance.sink.waitFor(sent.length + summaries.length);
		expect(instance.sink.mails).toHaveLength(sent.length + summaries.length);
		for (const c of sent) {
			const mail = instance.sink.mails.find((m) => m.parsed.messageId === c.envoi.messageId)!;
			expect(mail).toBeDefined();
			expect(mail.envelope.to.sort()).toEqual([...c.envoi.a!, ...c.envoi.cc!].sort());
			expect(mail.parsed.subject).toContain(`marché ${c.marche}, lot ${c.lot}`);
			const attachment = mail.parsed.attachments[0];
			const wb = new ExcelJS.Workbook();
			await wb.xlsx.load(attachment.content as unknown as ArrayBuffer);
			expect(wb.getWorksheet('Relevé')!.getCell('B4').value).toBe(c.marche);
		}
		const summaryMail = instance.sink.mails.find((m) => m.parsed.subject?.startsWith('Relances des clauses sociales') && m.envelope.to.includes('clauses@plie-val-argent.example.test'))!;
		expect(summaryMail.envelope.to).toContain('clauses-sociales@region-val-argent.example.test');
		expect(summaryMail.parsed.text).toContain('Marché 2025-TRX-031, lot 20 (Électricité Générale Niortaise) : envoyé, escalade au facilitateur et à l’acheteur.');

		const journal = outputOf(first, 'Enregistrer le journal')[0].json.fileName as string;
		expect(JSON.parse(fs.readFileSync(path.join(instance.layout.home, journal), 'utf8'))).toHaveLength(16);

		const before = instance.sink.mails.length;
		const second = await local.executeWorkflow(instance.layout, id);
		expect(second.status).toBe('success');
		const again = outputOf(second, 'Relance mensuelle').map((i) => i.json as unknown as Out);
		expect(again.filter((c) => c.envoi.statut === 'envoyé')).toEqual([]);
		expect(again.filter((c) => c.envoi.statut === 'déjà envoyé')).toHaveLength(sent.length);
		await new Promise((r) => setTimeout(r, 500));
		expect(instance.sink.mails).toHaveLength(before);
	});
});
