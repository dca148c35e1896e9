/**
 * Bout en bout : le workflow livré « calibrage des heures d'une consultation »,
 * tel quel, dans un vrai n8n (paquet installé comme paquet communautaire,
 * base SQLite), avec un vrai serveur SMTP local.
 */
import type { Layout } from '../helpers/real-n8n';
import { local, outputOf, prepareInstance, removeInstance, workflowFile } from '../helpers/real-n8n';
import { SmtpSink } from '../helpers/smtp-sink';

jest.setTimeout(600_000);

describe('workflow livré : calibrage des heures d’une consultation (vrai n8n)', () => {
	let sink: SmtpSink;
	let layout: Layout;

	beforeAll(async () => {
		sink = await new SmtpSink().start();
		layout = await prepareInstance(sink.port);
	});

	afterAll(async () => {
		await sink?.stop();
		removeInstance(layout);
	});

	it('calibre chaque lot des données d’exemple et envoie la synthèse par courriel', async () => {
		const id = await local.importWorkflow(layout, workflowFile('calibrage-consultation.json'));
		const run = await local.executeWorkflow(layout, id);
		expect(run.data.resultData.error).toBeUndefined();
		expect(run.status).toBe('success');

		const lots = outputOf(run, 'Calibrage des heures');
		const hours = Object.fromEntries(lots.map((item) => [item.json.lot, (item.json.calibrage as { heures: number }).heures]));
		// Lots 1 à 4 : volumes réels du lycée du Limousin (Avise 2014) ; lot 7 : 50 h, sous le plancher de 70 h du workflow.
		expect(hours).toEqual({ '1': 420, '2': 280, '3': 490, '4': 455, '5': 216, '6': 80, '7': 0, '8': 0 });
		const lot7 = lots.find((item) => item.json.lot === '7')!.json.calibrage as { sousPlancher: boolean; plancher: number };
		expect(lot7).toMatchObject({ sousPlancher: true, plancher: 70 });

		const mails = await sink.waitFor(1);
		expect(mails).toHaveLength(1);
		const [mail] = mails;
		expect(mail.envelope.to).toEqual(['clauses-sociales@region-val-argent.example.test']);
		expect(mail.parsed.subject).toBe("Calibrage des heures d'insertion – marché 2026-TRX-014");
		expect(mail.parsed.text).toContain('Lot 1 (Démolition – gros œuvre) : 420 h');
		expect(mail.parsed.text).toContain('Total : 1941 heures');
	});
});
