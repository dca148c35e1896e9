/**
 * Bout en bout : le workflow livré « fiche visa », tel quel, dans un vrai n8n
 * (paquet communautaire, base SQLite), avec un vrai serveur SMTP local. Les
 * fiches d'exemple (une visée, une à compléter, une refusée, une sur l'ancien
 * modèle) sont contrôlées contre l'étude refaite par le workflow ; chaque
 * service reçoit sa décision et la copie annotée, le service des marchés en
 * copie ; une seconde exécution n'envoie rien ; une fiche renvoyée sous le même
 * nom et à la même taille, au contenu différent, est contrôlée de nouveau.
 */
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';

import { local, outputOf, useRealN8n, workflowFile } from '../helpers/real-n8n';
import { expectWorkflowsKeptByN8n } from '../helpers/workflow-check';

jest.setTimeout(600_000);

interface Out {
	decision: string;
	anomalies: Array<{ regle: string }>;
	courriel: { a: string; objet: string };
	source: { fichier: string; copieAnnotee: string };
}

const MARCHES = 'marches@region-val-argent.example.test';

describe('workflow livré : contrôle des fiches visa (vrai n8n)', () => {
	const instance = useRealN8n();

	it('envoie à chaque service sa décision et la copie annotée, signale la fiche illisible, et ne renvoie rien ensuite', async () => {
		expectWorkflowsKeptByN8n(instance.layout, 'fiche-visa.json');
		const id = await local.importWorkflow(instance.layout, workflowFile('fiche-visa.json'));
		const first = await local.executeWorkflow(instance.layout, id);
		expect(first.data.resultData.error).toBeUndefined();
		expect(first.status).toBe('success');

		const decided = outputOf(first, 'Fiche visa').map((i) => i.json as unknown as Out);
		const by = Object.fromEntries(decided.map((d) => [d.source.fichier, d]));
		expect(Object.keys(by).sort()).toEqual(['fiche-visa-2026-SRV-031.xlsx', 'fiche-visa-2026-SRV-040.xlsx', 'fiche-visa-2026-TRX-014.xlsx']);
		expect(by['fiche-visa-2026-TRX-014.xlsx'].decision).toBe('VISÉ');
		expect(by['fiche-visa-2026-SRV-031.xlsx'].decision).toBe('À COMPLÉTER');
		expect(by['fiche-visa-2026-SRV-031.xlsx'].anomalies.map((a) => a.regle)).toEqual(['clause.sansHeures', 'ccap16.contenu', 'penalites.absentes', 'etude.ecart']);
		// Vitrerie (96 000 €) : l'étude la met sous le plancher de 150 h de la propreté, la fiche y garde une clause.
		expect(by['fiche-visa-2026-SRV-031.xlsx'].anomalies[3]).toMatchObject({
			effet: 'observation',
			cellule: 'D5',
			message: 'mécanisme non recommandé par l’étude : Clause d’insertion en heures (L2112-2), Critère social d’attribution (R2152-7)',
		});
		expect(by['fiche-visa-2026-SRV-040.xlsx'].decision).toBe('REFUSÉ');
		expect(by['fiche-visa-2026-SRV-040.xlsx'].anomalies.map((a) => a.regle)).toEqual(['clause.sansFacilitateur', 'environnement.conditionExecution', 'environnement.critere', 'etude.ecart']);
		// Décision portée au registre sur chaque lot des fiches lues (aucun lot de la fiche illisible).
		const recorded = outputOf(first, 'Enregistrer la fiche visa').map((i) => i.json);
		expect([...new Set(recorded.map((r) => r.marche))].sort()).toEqual(['2026-SRV-031', '2026-SRV-040', '2026-TRX-014']);
		expect(recorded.filter((r) => r.marche === '2026-TRX-014').every((r) => r.decision === 'VISÉ' && r.version === 1)).toBe(true);
		const unreadable = outputOf(first, 'Fiche visa', 1);
		expect(unreadable).toHaveLength(1);
		expect(unreadable[0].json.error).toContain('version «\u00a02025.1\u00a0» du formulaire');

		await instance.sink.waitFor(4);
		expect(instance.sink.mails).toHaveLength(4);
		for (const d of decided) {
			const mail = instance.sink.mails.find((m) => m.parsed.subject === d.courriel.objet)!;
			expect(mail).toBeDefined();
			expect(mail.envelope.to.sort()).toEqual([d.courriel.a, MARCHES].sort());
			expect(mail.parsed.text).toContain(d.decision === 'VISÉ' ? 'La fiche visa est visée' : d.source.copieAnnotee);
			const attachment = mail.parsed.attachments.find((a) => a.filename === d.source.copieAnnotee)!;
			const wb = new ExcelJS.Workbook();
			await wb.xlsx.load(attachment.content as unknown as ArrayBuffer);
			expect(wb.getWorksheet('Anomalies')!.getCell('A1').value).toBe(`Contrôle de la fiche visa : ${d.decision}`);
			expect(wb.getWorksheet('Fiche visa')!.getCell('B6').value).toBe(d.source.fichier.replace('fiche-visa-', '').replace('.xlsx', ''));
		}
		const refused = instance.sink.mails.find((m) => m.parsed.subject?.includes('REFUSÉ'))!;
		expect(refused.envelope.to).toContain('lycee-cognac@region-val-argent.example.test');
		expect(refused.parsed.text).toContain('Motifs de refus :\n- facilitateur (lot unique ; feuille «\u00a0Lots\u00a0», cellule G4) : clause d’insertion sans facilitateur.');
		const alert = instance.sink.mails.find((m) => m.parsed.subject === 'Fiche visa illisible : fiche-visa-2026-FCS-002-ancien-modele.xlsx')!;
		expect(alert.envelope.to).toEqual([MARCHES]);
		expect(alert.parsed.attachments.map((a) => a.filename)).toEqual(['fiche-visa-2026-FCS-002-ancien-modele.xlsx']);

		// Les copies annotées sont enregistrées ; les fiches déposées sont intactes.
		const saved = fs.readdirSync(instance.layout.output).filter((name) => name.startsWith('fiche-visa-')).sort();
		expect(saved).toHaveLength(3);
		expect(saved.every((name) => name.includes('(annotée) – exécution'))).toBe(true);
		const source = path.join(local.ROOT, 'workflows', 'donnees-exemple', 'fiches-visa', 'fiche-visa-2026-TRX-014.xlsx');
		expect(fs.readFileSync(path.join(instance.layout.data, 'fiches-visa', 'fiche-visa-2026-TRX-014.xlsx')).equals(fs.readFileSync(source))).toBe(true);

		// Seconde exécution : les mêmes fiches ne sont ni recontrôlées ni renvoyées.
		const second = await local.executeWorkflow(instance.layout, id);
		expect(second.status).toBe('success');
		expect(outputOf(second, 'Fiches nouvelles seulement')).toHaveLength(0);
		await new Promise((r) => setTimeout(r, 500));
		expect(instance.sink.mails).toHaveLength(4);

		// Une fiche renvoyée sous le même nom et à la même taille, mais au contenu différent
		// (heure de modification d'une entrée de l'archive changée), est contrôlée de nouveau :
		// les fiches vues sont reconnues à l'empreinte de leur contenu, pas au nom et à la taille.
		const resent = path.join(instance.layout.data, 'fiches-visa', 'fiche-visa-2026-SRV-031.xlsx');
		const bytes = fs.readFileSync(resent);
		const changed = Buffer.from(bytes);
		changed.writeUInt16LE((bytes.readUInt16LE(10) + 1) & 0xffff, 10);
		fs.writeFileSync(resent, changed);
		const third = await local.executeWorkflow(instance.layout, id);
		expect(third.status).toBe('success');
		const again = outputOf(third, 'Fiche visa').map((i) => i.json as unknown as Out);
		expect(again.map((d) => [d.source.fichier, d.decision])).toEqual([['fiche-visa-2026-SRV-031.xlsx', 'À COMPLÉTER']]);
		await instance.sink.waitFor(5);
		expect(instance.sink.mails).toHaveLength(5);
	});
});
