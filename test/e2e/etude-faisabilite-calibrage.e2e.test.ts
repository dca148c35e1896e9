/**
 * Bout en bout : le workflow livré « étude de faisabilité et calibrage d'une
 * consultation », tel quel, dans un vrai n8n (paquet installé comme paquet
 * communautaire, base SQLite), avec un vrai serveur SMTP local ; chaque lot
 * étudié est inscrit au registre des clauses SQLite par défaut.
 */
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';

import { local, outputOf, useRealN8n, workflowFile } from '../helpers/real-n8n';
import { expectWorkflowsKeptByN8n } from '../helpers/workflow-check';
import { SAMPLE_STUDY_HOURS } from '../helpers/study-sample';

jest.setTimeout(600_000);

interface Faisabilite {
	decision: string;
	heuresRetenues: number;
	mecanismes: Array<{ code: string; option: boolean }>;
	raisons: Array<{ code: string }>;
	considerationsSociales: string[];
}

describe('workflow livré : étude de faisabilité et calibrage d’une consultation (vrai n8n)', () => {
	const instance = useRealN8n();

	it('étudie et calibre chaque lot du classeur d’exemple, enregistre le rapport et l’envoie par courriel', async () => {
		expectWorkflowsKeptByN8n(instance.layout, 'etude-faisabilite-calibrage.json');
		const id = await local.importWorkflow(instance.layout, workflowFile('etude-faisabilite-calibrage.json'));
		const run = await local.executeWorkflow(instance.layout, id);
		expect(run.data.resultData.error).toBeUndefined();
		expect(run.status).toBe('success');

		const lots = outputOf(run, 'Étude de faisabilité');
		const byKey = new Map(lots.map((item) => [`${item.json.marche}/${item.json.lot}`, item.json.faisabilite as unknown as Faisabilite]));
		expect(lots).toHaveLength(12);
		const hours = Object.fromEntries([...byKey].map(([key, f]) => [key, f.heuresRetenues]));
		expect(hours).toEqual(SAMPLE_STUDY_HOURS);
		const greenSpaces = byKey.get('2026-SRV-040/unique')!;
		expect(greenSpaces.raisons.map((r) => r.code)).toEqual(['zoneBlanche']);
		expect(greenSpaces.mecanismes.filter((m) => m.option).map((m) => m.code)).toEqual(['marcheReserveEa', 'marcheReserveSiae', 'marcheInsertion']);
		expect(byKey.get('2026-SRV-031/1')!.mecanismes.map((m) => m.code)).toEqual(['clauseExecution', 'critereAttribution']);
		expect(byKey.get('2026-TRX-014/7')!.raisons.map((r) => r.code)).toEqual(['sousPlancher']);
		expect(byKey.get('2026-SRV-031/2')!.raisons.map((r) => r.code)).toEqual(['sousPlancher']);

		// Chaque lot inscrit au registre avec ses heures, que la notification reprendra.
		const recorded = outputOf(run, 'Enregistrer l’étude').map((item) => item.json);
		expect(recorded.map((r) => `${r.marche}/${r.lot}`).sort()).toEqual(Object.keys(SAMPLE_STUDY_HOURS).sort());
		for (const r of recorded) {
			expect(r.version).toBe(1);
			if (SAMPLE_STUDY_HOURS[`${r.marche}/${r.lot}`] > 0) expect(r.heures).toBe(SAMPLE_STUDY_HOURS[`${r.marche}/${r.lot}`]);
		}

		// Le rapport est écrit sous un nom propre à l'exécution (aucun fichier écrasé).
		const saved = outputOf(run, 'Enregistrer le rapport')[0].json.fileName as string;
		expect(saved).toMatch(/sortie\/etude-clauses-4-marches-\d{4}-\d{2}-\d{2}-execution-\d+\.xlsx$/);
		const workbook = new ExcelJS.Workbook();
		await workbook.xlsx.readFile(path.join(instance.layout.home, saved));
		const sheet = workbook.getWorksheet('Lots')!;
		expect(sheet.getCell('A4').value).toBe('2026-TRX-014');
		expect(workbook.getWorksheet('Paramètres et sources')).toBeDefined();

		const [mail] = await instance.sink.waitFor(1);
		expect(mail.envelope.to.sort()).toEqual(
			[
				'marches@region-val-argent.example.test',
				'clauses@plie-val-argent.example.test',
				'facilitation@mde-haut-argent.example.test',
				'clauses-sociales@region-val-argent.example.test',
			].sort(),
		);
		expect(mail.parsed.subject).toBe('Étude des clauses sociales – marché(s) 2026-TRX-014, 2026-SRV-031, 2026-SRV-040, 2026-PI-007');
		expect(mail.parsed.text).toContain('Heures d’insertion à inscrire : 6\u00a0741\u00a0h');
		expect(mail.parsed.attachments.map((a) => a.filename)).toEqual([path.basename(saved).replace(/-execution-\d+/, '')]);
		const attached = new ExcelJS.Workbook();
		await attached.xlsx.load(mail.parsed.attachments[0].content as unknown as ArrayBuffer);
		expect(attached.getWorksheet('Lots')!.getCell('B4').value).toBe('1');
		expect(fs.existsSync(path.join(instance.layout.home, saved))).toBe(true);
	});
});
