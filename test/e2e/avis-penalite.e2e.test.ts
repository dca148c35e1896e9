/**
 * Bout en bout : le workflow livré « avis de pénalité », tel quel, dans un vrai
 * n8n (paquet communautaire, base SQLite), avec un vrai serveur SMTP local, sur
 * le registre des clauses SQLite par défaut où le workflow livré « import du
 * classeur de suivi » a d'abord versé le classeur des clauses à solder
 * (colonnes de pénalité et feuille « Pénalités » comprises).
 * 1. `n8n execute` : revue, paquet de revue et demande d'approbation envoyés à
 *    l'acheteur (HTML et texte brut, lien signé) ; l'exécution s'arrête « en
 *    attente » de la réponse.
 *    Une seconde revue attend de même, sous un autre lien.
 * 2. `n8n start` sur la même base ; la seconde revue, refusée, se termine sans
 *    rien envoyer ; le lien du courriel d'approbation, sans sa
 *    signature puis avec une signature altérée, est refusé (l'exécution reste
 *    en attente, rien ne part) ; ouvert tel quel, il montre la page
 *    d'approbation en français ; la décision « Approuver l’envoi » postée comme
 *    le fait la page, l'exécution reprend, la page de fin le dit en français et
 *    l'exécution se termine ; la décision rejouée ensuite ne relance rien.
 * 3. Les avis reçus par les titulaires sont relus : lettre PDF (texte), annexe
 *    Excel, et la lettre envoyée est octet pour octet celle relue.
 * La date de l'avis est celle du jour : les montants du jeu d'exemple ne
 * dépendent pas de la date (heures non réalisées, aucun retard en jours).
 */
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';

import { APPROUVER, REFUSER, approvalLink, executionOf, openApprovalPage, submitApproval } from '../helpers/approbation';
import { pdfText } from '../helpers/documents';
import type { N8nRun } from '../helpers/real-n8n';
import { Register, SqliteDatabase } from '../../nodes/adapters/register';
import { importSampleWorkbook, local, outputOf, registerFile, useRealN8n, workflowFile } from '../helpers/real-n8n';
import { expectWorkflowsKeptByN8n } from '../helpers/workflow-check';

jest.setTimeout(900_000);

const ACHETEUR = 'commande-publique@region-val-argent.example.test';

interface ClauseOut {
	marche: string;
	lot: string;
	etape: string;
	penalites: { total: number };
	documents: { lettre: string; annexe: string; empreinteLettre: string } | null;
	envoi: { statut: string; messageId?: string; a?: string[]; cc?: string[] };
}

describe('workflow livré : avis de pénalité (vrai n8n, approbation par courriel)', () => {
	const instance = useRealN8n();

	it('revue, approbation de l’acheteur par le lien reçu, puis envoi des avis relus', async () => {
		expectWorkflowsKeptByN8n(instance.layout, 'import-classeur-suivi.json', 'avis-penalite.json');
		const { layout, sink } = instance;
		await importSampleWorkbook(layout, 'donnees/clauses-a-solder.xlsx');
		const port = await local.freePort();
		const env = { N8N_PORT: String(port), WEBHOOK_URL: `http://127.0.0.1:${port}/` };
		const id = await local.importWorkflow(layout, workflowFile('avis-penalite.json'));

		// 1. Revue : l'exécution attend l'approbation.
		const first = await local.executeWorkflow(layout, id, { env });
		expect(first.data.resultData.error).toBeUndefined();
		expect(first.status).toBe('waiting');
		const revue = outputOf(first, 'Avis de pénalité (revue)').map((i) => i.json as unknown as ClauseOut);
		// Clauses dans l'ordre du registre (marché, lot).
		expect(revue.map((c) => `${c.marche}/${c.lot}:${c.etape}:${c.penalites.total}`)).toEqual([
			'2024-TRX-027/3:notifiee:7200',
			'2025-PI-011/2:miseEnDemeure:7800',
			'2025-PI-011/3:aucune:0',
			'2025-TRX-039/6:notification:9000',
			'2025-TRX-039/8:aucune:0',
		]);
		expect(revue.every((c) => c.envoi.statut === 'aperçu' || c.envoi.statut === 'sans objet')).toBe(true);

		await sink.waitFor(2, 30000);
		expect(sink.mails).toHaveLength(2);
		const pack = sink.mails.find((m) => m.parsed.subject?.startsWith('Avis de pénalité à relire'))!;
		expect(pack.envelope.to).toEqual([ACHETEUR]);
		expect(pack.parsed.attachments.map((a) => a.filename)).toEqual([
			'mise-en-demeure-2025-PI-011-lot-2-fin.pdf',
			'mise-en-demeure-2025-PI-011-lot-2-fin-annexe-calcul.xlsx',
			'notification-penalites-2025-TRX-039-lot-6-fin.pdf',
			'notification-penalites-2025-TRX-039-lot-6-fin-annexe-calcul.xlsx',
		]);
		const reviewed = new Map(pack.parsed.attachments.filter((a) => a.filename!.endsWith('.pdf')).map((a) => [a.filename!, createHash('sha256').update(a.content).digest('hex')]));
		expect((await pdfText(pack.parsed.attachments[0].content)).text).toContain('MISE EN DEMEURE');

		const approval = sink.mails.find((m) => m.parsed.subject?.startsWith('Approbation requise'))!;
		// Montants notifiés et montants encourus (mises en demeure) séparés.
		expect(approval.parsed.subject).toBe('Approbation requise – clause sociale d’insertion – 1 notification de pénalités : 9\u00a0000,00\u00a0€ HT notifiés ; 1 mise en demeure : 7\u00a0800,00\u00a0€ HT encourus');
		// Le courriel a une partie HTML et une partie texte brut, chacune avec la liste des avis et le lien.
		const html = String(approval.parsed.html);
		expect(html).toContain('Marché 2025-TRX-039, lot 6 (Air Confort Argent) : notification de pénalités');
		expect(html).toContain('Approuver ou refuser l’envoi</a>');
		const plain = String(approval.parsed.text);
		expect(plain).toContain('• Marché 2025-TRX-039, lot 6 (Air Confort Argent) : notification de pénalités, 9\u00a0000,00\u00a0€ HT');
		expect(plain).toContain('• Marché 2025-PI-011, lot 2');
		expect(plain).toContain('Pour approuver ou refuser leur envoi aux titulaires, ouvrez la page suivante (valable 6 jours) :');
		const link = approvalLink(approval);
		expect(plain).toContain(link);
		expect(link).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/webhook-waiting/\\d+\\?signature=[0-9a-f]{64}$`));
		const executionId = executionOf(link);

		// 1 bis. Une seconde revue, en attente elle aussi, sous un autre lien : elle sera refusée.
		const second = await local.executeWorkflow(layout, id, { env });
		expect(second.status).toBe('waiting');
		await sink.waitFor(4, 30000);
		const refusalLink = approvalLink(sink.mails.slice(2).find((m) => m.parsed.subject?.startsWith('Approbation requise'))!);
		expect(executionOf(refusalLink)).not.toBe(executionId);
		sink.mails.splice(2);

		// 2. Approbation : le serveur n8n reprend l'exécution en attente.
		const server = await local.startServer(layout, { port, env, timeoutMs: 300_000 });
		let finished;
		let replay;
		let refusedRun;
		try {
			// Refusée : la page le confirme en français, l'exécution se termine par « Envoi refusé », rien ne part.
			const refusal = await submitApproval(refusalLink, REFUSER, 'Montants à revoir.');
			expect(refusal.status).toBe(200);
			expect(refusal.body).toContain('<h1>Envoi refusé</h1>');
			expect(refusal.body).toContain('Votre décision est enregistrée : aucun avis ne part. La revue suivante reproposera les avis.');
			refusedRun = await local.waitForExecution(layout, executionOf(refusalLink), { timeoutMs: 120000, until: (e) => Boolean(e.data?.resultData.runData['Envoi refusé']) });

			// Lien sans sa signature, ou signature altérée : refusé, l'exécution reste en attente, rien ne part.
			const signed = new URL(link);
			const signature = signed.searchParams.get('signature');
			expect(signature).toMatch(/^[0-9a-f]{64}$/);
			const unsigned = new URL(signed);
			unsigned.searchParams.delete('signature');
			const altered = new URL(signed);
			altered.searchParams.set('signature', `${signature!.slice(0, -1)}${signature!.endsWith('0') ? '1' : '0'}`);
			for (const forged of [unsigned, altered]) {
				const refused = await openApprovalPage(forged.toString(), { timeoutMs: 30000 });
				expect(refused.status).toBe(401);
				// Une décision postée sur le lien falsifié est refusée de même.
				expect((await submitApproval(forged.toString(), APPROUVER)).status).toBe(401);
			}
			expect((await local.readExecution(layout, executionId))?.status).toBe('waiting');
			expect(sink.mails).toHaveLength(2);

			// La page d'approbation, en français, servie par le nœud « Approbation (clauses sociales) ».
			const page = await openApprovalPage(link);
			expect(page.status).toBe(200);
			// Ses en-têtes de sécurité, tels que le navigateur les reçoit (n8n n'y ajoute pas les siens).
			const headers = (await fetch(link, { signal: AbortSignal.timeout(30000) })).headers;
			expect(headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
			expect(headers.get('referrer-policy')).toBe('no-referrer');
			expect(headers.get('cache-control')).toBe('no-store');
			expect(page.body).toContain('<html lang="fr">');
			expect(page.body).toContain('<title>Approbation des avis de pénalité</title>');
			expect(page.body).toContain('<strong>1 notification de pénalités : 9\u00a0000,00\u00a0€ HT notifiés ; 1 mise en demeure : 7\u00a0800,00\u00a0€ HT encourus</strong>');
			expect(page.body).toContain('<li>Marché 2025-TRX-039, lot 6 (Air Confort Argent) : notification de pénalités, 9\u00a0000,00\u00a0€ HT — Mise en demeure du 1er octobre 2026 restée sans effet');
			expect(page.body).toContain('<li>Marché 2025-PI-011, lot 2 (Études &amp; Territoires) : mise en demeure, 7\u00a0800,00\u00a0€ HT');
			expect(page.body).toContain('Les lettres et leurs annexes de calcul vous ont été envoyées pour relecture (courriel « Avis de pénalité à relire – clause sociale d’insertion – 2 avis du ');
			expect(page.body).toContain('<legend>Décision</legend>');
			for (const label of ['Approuver l’envoi', 'Refuser l’envoi']) expect(page.body).toContain(`> ${label}</label>`);
			expect(page.body).toContain('<button type="submit">Enregistrer ma décision</button>');
			expect(page.body).not.toMatch(/Submit|My form|Got it|Form automated with/);
			// Ouvrir la page ne décide rien ; une décision postée sans choix non plus : la page le dit, en français.
			const empty = await submitApproval(link, '', 'Sans choix');
			expect(empty.status).toBe(422);
			expect(empty.body).toContain('Décision non enregistrée (Décision : choisissez « Approuver l’envoi » ou « Refuser l’envoi »). Corrigez, puis cliquez sur « Enregistrer ma décision ».');
			expect(empty.body).toContain('>Sans choix</textarea>');
			expect((await local.readExecution(layout, executionId))?.status).toBe('waiting');
			expect(sink.mails).toHaveLength(2);
			// La décision postée : la page de fin, en français.
			const answer = await submitApproval(link, APPROUVER, 'Vu, à envoyer.');
			expect(answer.status).toBe(200);
			expect(answer.body).toContain('<h1>Envoi approuvé</h1>');
			expect(answer.body).toContain('Votre décision est enregistrée : les avis relus partent maintenant aux titulaires.');
			finished = await local.waitForExecution(layout, executionId, {
				timeoutMs: 120000,
				until: (execution) => Boolean(execution.data?.resultData.runData['Enregistrer le journal']),
			});
			// Le lien rejoué, une fois l'exécution terminée, ne relance rien.
			replay = await submitApproval(link, APPROUVER);
			// Laisse à une reprise indue le temps de partir, si elle devait partir.
			await new Promise((resolve) => setTimeout(resolve, 3000));
		} finally {
			await server.stop();
		}
		if (finished.status !== 'success') {
			throw new Error(`Exécution ${executionId} : ${finished.status} ${JSON.stringify(finished.data?.resultData.error ?? null)}\n${fs.readFileSync(server.log, 'utf8').slice(-3000)}`);
		}

		// La revue refusée : décision consignée, rien envoyé, aucune lettre n'est passée par l'envoi.
		expect(refusedRun.status).toBe('success');
		expect(outputOf(refusedRun as unknown as N8nRun, 'Approbation de l’acheteur')[0].json).toMatchObject({ decision: 'refusé', approuve: false, commentaire: 'Montants à revoir.' });
		expect(Object.keys(refusedRun.data!.resultData.runData)).not.toContain('Avis de pénalité (envoi)');

		// 3. Envoi : deux avis, une seule fois, aux titulaires ; l'acheteur reçoit le compte rendu.
		const run = finished as unknown as N8nRun;
		expect(outputOf(run, 'Approbation de l’acheteur')[0].json).toMatchObject({ decision: 'approuvé', approuve: true, decidePar: null, commentaire: 'Vu, à envoyer.' });
		expect(Date.parse(String(outputOf(run, 'Approbation de l’acheteur')[0].json.decideLe))).toBeGreaterThan(Date.now() - 900_000);
		const sent = outputOf(run, 'Avis de pénalité (envoi)').map((i) => i.json as unknown as ClauseOut);
		expect(sent.map((c) => `${c.marche}/${c.lot}:${c.envoi.statut}`)).toEqual([
			'2024-TRX-027/3:sans objet',
			'2025-PI-011/2:envoyé',
			'2025-PI-011/3:sans objet',
			'2025-TRX-039/6:envoyé',
			'2025-TRX-039/8:sans objet',
		]);
		await sink.waitFor(5, 30000);
		const notice = sink.to('etudes-et-territoires@example.test');
		expect(notice).toHaveLength(1);
		const med = notice[0];
		expect(med.envelope.to.sort()).toEqual(['clauses@plie-val-argent.example.test', 'etudes-et-territoires@example.test', 'transports-marches@region-val-argent.example.test']);
		expect(med.parsed.from?.value[0].address).toBe('clauses-sociales@region-val-argent.example.test');
		expect(med.parsed.messageId).toBe(sent.find((c) => c.marche === '2025-PI-011' && c.lot === '2')!.envoi.messageId);
		const [letter, annex] = med.parsed.attachments;
		expect(letter.filename).toBe('mise-en-demeure-2025-PI-011-lot-2-fin.pdf');
		// La lettre envoyée est celle que l'acheteur a relue.
		expect(createHash('sha256').update(letter.content).digest('hex')).toBe(reviewed.get(letter.filename!));
		const text = (await pdfText(letter.content)).text;
		expect(text).toContain('Objet : Mise en demeure – clause sociale d’insertion – marché n° 2025-PI-011, lot 2');
		expect(text).toContain('Heures d’insertion non réalisées 130 h × 60,00 € 7 800,00 €');
		expect(text).toContain('Saint-Aubin-sur-Argent, le');
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(annex.content as unknown as ArrayBuffer);
		const rows = wb.getWorksheet('Calcul')!.getSheetValues().filter(Boolean) as unknown[][];
		expect(rows.find((r) => r[1] === 'Total HT')![6]).toMatchObject({ result: 7800 });

		const notification = sink.to('air-confort-argent@example.test');
		expect(notification).toHaveLength(1);
		expect((await pdfText(notification[0].parsed.attachments[0].content)).text).toContain('Le montant des pénalités s’élève à 9 000,00 € HT.');
		const report = sink.mails.find((m) => m.parsed.subject?.startsWith('Avis de pénalité envoyés'))!;
		expect(report.envelope.to).toEqual([ACHETEUR]);
		expect(report.parsed.subject).toMatch(/^Avis de pénalité envoyés – clause sociale d’insertion – 2 sur 2 avis du /);
		expect(report.parsed.text).toContain('Marché 2025-TRX-039, lot 6 (Air Confort Argent) : notification de pénalités, 9\u00a0000,00\u00a0€ HT — envoyé');

		// Lettres et annexes archivées, journal écrit (à côté des classeurs du registre exportés par l'import).
		expect(fs.readdirSync(layout.output).filter((f) => /\.(pdf|xlsx)$/.test(f) && !f.startsWith('registre-')).sort()).toEqual([
			'mise-en-demeure-2025-PI-011-lot-2-fin-annexe-calcul.xlsx',
			'mise-en-demeure-2025-PI-011-lot-2-fin.pdf',
			'notification-penalites-2025-TRX-039-lot-6-fin-annexe-calcul.xlsx',
			'notification-penalites-2025-TRX-039-lot-6-fin.pdf',
		]);
		const journal = fs.readdirSync(layout.output).find((f) => f.startsWith('journal-penalites-'))!;
		expect(JSON.parse(fs.readFileSync(path.join(layout.output, journal), 'utf8'))).toHaveLength(5);
		// Rejouée, la décision ne relance rien : n8n répond lui-même que l'exécution est terminée (409), sans atteindre le nœud.
		expect(replay!.status).toBe(409);
		expect(replay!.body).not.toContain('Envoi approuvé');
		// Les deux avis partis sont consignés au registre : rien à reporter dans un classeur.
		const register = await Register.open(await SqliteDatabase.open({ file: registerFile(layout) }));
		try {
			// Les étapes reprises de la feuille « Pénalités » à l'import disent leur ligne dans « cleEnvoi ».
			const steps = (await register.list('penalite')).map((s) => s.data as { marche: string; lot: string; etape: string; cleEnvoi: string });
			expect(steps.filter((s) => !s.cleEnvoi.startsWith('clauses-a-solder.xlsx')).map((s) => `${s.marche}/${s.lot}:${s.etape}`).sort()).toEqual([
				'2025-PI-011/2:miseEnDemeure',
				'2025-TRX-039/6:notification',
			]);
		} finally {
			await register.close();
		}
		expect(sink.mails).toHaveLength(5);
	});
});
