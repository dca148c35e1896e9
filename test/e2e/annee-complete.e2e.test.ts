/**
 * Bout en bout : une année de la clause sociale dans un seul vrai n8n (paquet
 * communautaire, registre SQLite par défaut), les workflows livrés tels quels,
 * réglés seulement par leur nœud « Configuration » comme le fait un utilisateur.
 *
 * Étude de la consultation → fiche visa → notification du marché (sans heures :
 * elles viennent de l'étude) → relance mensuelle → relevé renvoyé sur le modèle
 * joint à la relance → réception → la relance suivante le compte → à la fin
 * d'exécution du lot, mise en demeure approuvée par l'acheteur → après
 * l'échéance, la notification des pénalités suit d'elle-même, sans rien
 * recopier → bilan de l'année.
 *
 * Le calendrier avance par les dates de « Configuration » (dateReference de la
 * relance, dateReception de la réception, dateAvis des pénalités, debut et fin
 * du bilan) : le lot suivi, 2026-TRX-014 lot 6 (charpente métallique), est
 * exécuté de février à juin 2027.
 */
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';

import { REPORT_TEMPLATE } from '../../nodes/adapters';
import { Register, SqliteDatabase } from '../../nodes/adapters/register';
import { clauseKey } from '../../nodes/core';
import { APPROUVER, approvalLink, executionOf, openApprovalPage, submitApproval } from '../helpers/approbation';
import type { Layout, N8nRun } from '../helpers/real-n8n';
import { local, outputOf, registerFile, useRealN8n, workflowFile } from '../helpers/real-n8n';
import type { SmtpSink } from '../helpers/smtp-sink';
import { SAMPLE_STUDY_HOURS } from '../helpers/study-sample';
import { expectWorkflowsKeptByN8n } from '../helpers/workflow-check';

jest.setTimeout(1_500_000);

const MARCHE = '2026-TRX-014';
const LOT = '6';
const TITULAIRE = 'charpentes-du-poitou@example.test';
const ACHETEUR_REVUE = 'commande-publique@region-val-argent.example.test';

type Json = Record<string, unknown>;
const json = (run: N8nRun, node: string, output = 0) => outputOf(run, node, output).map((i) => i.json as Json);
const ofLot = (items: Json[]) => items.find((i) => String(i.marche) === MARCHE && String(i.lot) === LOT)!;

async function run(layout: Layout, file: string, configuration: Record<string, unknown> = {}, env?: Record<string, string>): Promise<N8nRun> {
	const id = await local.importWorkflow(layout, workflowFile(file), { configuration });
	const result = await local.executeWorkflow(layout, id, env ? { env } : {});
	expect(result.data.resultData.error).toBeUndefined();
	return result;
}

async function withRegister<T>(layout: Layout, fn: (register: Register) => Promise<T>): Promise<T> {
	const register = await Register.open(await SqliteDatabase.open({ file: registerFile(layout) }));
	try {
		return await fn(register);
	} finally {
		await register.close();
	}
}

/**
 * Avis de pénalité à une date : revue, puis approbation de l'acheteur par le
 * lien reçu (serveur n8n sur la même base), puis envoi. Rend la revue et l'envoi.
 */
async function penaltyRound(layout: Layout, sink: SmtpSink, dateAvis: string): Promise<{ revue: Json[]; envoi: Json[] }> {
	const port = await local.freePort();
	const env = { N8N_PORT: String(port), WEBHOOK_URL: `http://127.0.0.1:${port}/` };
	const before = sink.mails.length;
	const first = await run(layout, 'avis-penalite.json', { dateAvis }, env);
	expect(first.status).toBe('waiting');
	const revue = json(first, 'Avis de pénalité (revue)');
	await sink.waitFor(before + 2, 30000);
	const approval = sink.mails.slice(before).find((m) => m.parsed.subject?.startsWith('Approbation requise'))!;
	expect(approval.envelope.to).toEqual([ACHETEUR_REVUE]);
	const link = approvalLink(approval);
	const executionId = executionOf(link);
	const server = await local.startServer(layout, { port, env });
	let finished;
	try {
		expect((await openApprovalPage(link)).status).toBe(200);
		expect((await submitApproval(link, APPROUVER)).status).toBe(200);
		finished = await local.waitForExecution(layout, executionId, {
			timeoutMs: 120000,
			until: (execution) => Boolean(execution.data?.resultData.runData['Avis de pénalité (envoi)']),
		});
	} finally {
		await server.stop();
	}
	expect(finished.status).toBe('success');
	return { revue, envoi: json(finished as unknown as N8nRun, 'Avis de pénalité (envoi)') };
}

/** Le courriel reçu sous ce Message-ID (le serveur SMTP le reçoit peu après la fin de l'exécution). */
async function mailWithId(sink: SmtpSink, messageId: string) {
	for (let i = 0; i < 150; i++) {
		const mail = sink.mails.find((m) => m.parsed.messageId === messageId);
		if (mail) return mail;
		await new Promise((r) => setTimeout(r, 200));
	}
	throw new Error(`Aucun courriel reçu sous le Message-ID ${messageId}`);
}

/** Le modèle de relevé joint à la relance, rempli par le titulaire comme il le reçoit. */
async function fillAttachedTemplate(template: Buffer, rows: Array<Record<string, ExcelJS.CellValue>>): Promise<Buffer> {
	const wb = new ExcelJS.Workbook();
	await wb.xlsx.load(template as unknown as ArrayBuffer);
	const ws = wb.getWorksheet(REPORT_TEMPLATE.sheet)!;
	rows.forEach((row, r) => {
		REPORT_TEMPLATE.columns.forEach((col, c) => {
			if (row[col.field] !== undefined) ws.getCell(REPORT_TEMPLATE.firstDataRow + r, c + 1).value = row[col.field];
		});
	});
	return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

describe('une année de la clause sociale, de l’étude à la notification des pénalités (vrai n8n, registre SQLite)', () => {
	const instance = useRealN8n();

	it('aucune valeur saisie deux fois : chaque étape reprend du registre ce que la précédente y a inscrit', async () => {
		const { layout, sink } = instance;
		expectWorkflowsKeptByN8n(
			layout,
			'etude-faisabilite-calibrage.json',
			'fiche-visa.json',
			'notification-marche.json',
			'relance-mensuelle.json',
			'reception-releves.json',
			'avis-penalite.json',
			'bilan-annuel.json',
		);

		// 1. Étude de la consultation : lots, décisions et heures inscrits au registre.
		const etude = await run(layout, 'etude-faisabilite-calibrage.json');
		expect(etude.status).toBe('success');
		const studied = json(etude, 'Enregistrer l’étude');
		expect(studied).toHaveLength(Object.keys(SAMPLE_STUDY_HOURS).length);
		for (const item of studied) expect(item.version).toBe(1);
		expect(ofLot(studied)).toMatchObject({ heures: SAMPLE_STUDY_HOURS[`${MARCHE}/${LOT}`] });

		// 2. Fiche visa : la décision portée sur les lots étudiés, heures intactes.
		const visa = await run(layout, 'fiche-visa.json');
		expect(visa.status).toBe('success');
		const visas = json(visa, 'Enregistrer la fiche visa');
		const lot6Visa = ofLot(visas);
		expect(lot6Visa).toMatchObject({ lotEtudie: true });
		expect(typeof lot6Visa.decision).toBe('string');

		// 3. Notification : le fichier des marchés notifiés ne porte aucune heure ; elles sont reprises de l'étude.
		const csv = fs.readFileSync(path.join(layout.data, 'notifications-marches.csv'), 'utf8');
		expect(csv.split(/\r?\n/)[0].toLowerCase()).not.toContain('heure');
		const notification = await run(layout, 'notification-marche.json');
		const notified = json(notification, 'Enregistrer la notification');
		expect(notified.filter((n) => n.error !== undefined)).toEqual([]);
		for (const n of notified) {
			expect(n).toMatchObject({ heuresReprisesDeLEtude: true, heuresDues: SAMPLE_STUDY_HOURS[`${n.marche}/${n.lot}`] });
		}
		expect(ofLot(notified)).toMatchObject({ statut: expect.any(String), dateNotification: '2027-01-18', heuresDues: 80 });
		await withRegister(layout, async (register) => {
			const key = clauseKey({ marche: MARCHE, lot: LOT });
			const lot = (await register.get('lot', key))!.data as Json;
			const clause = (await register.get('clause', key))!.data as Json;
			// Une seule source pour les heures : celles du lot étudié, que la fiche visa n'a pas touchées.
			expect(clause.heuresDues).toBe(lot.heures);
			expect(clause).toMatchObject({ titulaire: 'Charpentes du Poitou', emailTitulaire: TITULAIRE, debutExecution: '2027-02-01', finExecution: '2027-06-30' });
		});

		// 4. Relance du 1er mars 2027, envoyée : le relevé de février manque.
		const mars = await run(layout, 'relance-mensuelle.json', { envoyer: true, dateReference: '2027-03-01' });
		const relanceMars = ofLot(json(mars, 'Relance mensuelle')) as { decision: Json; envoi: Json };
		expect(relanceMars.decision).toMatchObject({ moisReference: '2027-02', heuresDeclarees: 0 });
		expect(relanceMars.envoi).toMatchObject({ statut: 'envoyé', a: [TITULAIRE] });
		const reminderMail = await mailWithId(sink, String(relanceMars.envoi.messageId));

		// 5. Le titulaire renvoie le modèle joint, rempli ; la réception l'enregistre au registre.
		const template = reminderMail.parsed.attachments.find((a) => a.filename?.endsWith('.xlsx'))!;
		const releve = await fillAttachedTemplate(template.content, [
			{ participant: '014-6-P01', categoriePublic: 'Bénéficiaire du RSA', eligibiliteValidee: 'oui', employeur: 'Titulaire', modalite: 'Embauche directe', typeContrat: 'CDD', debutContrat: new Date(Date.UTC(2027, 1, 1)), poste: 'Charpentier', heuresMois: 12 },
		]);
		const incoming = path.join(layout.data, 'releves-recus');
		fs.rmSync(incoming, { recursive: true, force: true });
		fs.mkdirSync(incoming, { recursive: true });
		fs.writeFileSync(path.join(incoming, `releve-${MARCHE}-lot-${LOT}-2027-02.xlsx`), releve);
		const reception = await run(layout, 'reception-releves.json', { envoyer: true, dateReception: '2027-03-05' });
		expect(json(reception, 'Réception des relevés')).toEqual([expect.objectContaining({ marche: MARCHE, lot: LOT, statut: 'accepte' })]);
		await withRegister(layout, async (register) => {
			const lines = await register.reportLines({ clauseKey: clauseKey({ marche: MARCHE, lot: LOT }) });
			expect(lines.map((l) => (l.data as Json).heuresMois)).toEqual([12]);
		});

		// 6. Relance du 1er avril : le relevé de février est compté, celui de mars manque.
		const avril = await run(layout, 'relance-mensuelle.json', { envoyer: true, dateReference: '2027-04-01' });
		const relanceAvril = ofLot(json(avril, 'Relance mensuelle')) as { decision: Json; envoi: Json };
		expect(relanceAvril.decision).toMatchObject({ moisReference: '2027-03', heuresDeclarees: 12 });
		expect(relanceAvril.envoi.statut).toBe('envoyé');

		// 7. Fin d'exécution (30 juin 2027) : mise en demeure proposée, approuvée, envoyée, consignée au registre.
		const med = await penaltyRound(layout, sink, '2027-07-15');
		expect(ofLot(med.revue)).toMatchObject({ etape: 'miseEnDemeure' });
		expect(ofLot(med.envoi)).toMatchObject({ etape: 'miseEnDemeure', envoi: expect.objectContaining({ statut: 'envoyé' }) });
		const echeance = await withRegister(layout, async (register) => {
			const steps = (await register.list('penalite')).map((s) => s.data as Json);
			expect(steps).toEqual([expect.objectContaining({ marche: MARCHE, lot: LOT, etape: 'miseEnDemeure', date: '2027-07-15', statutEnvoi: 'envoyé' })]);
			return String(steps[0].echeanceMiseEnDemeure);
		});
		expect(echeance > '2027-07-15').toBe(true);
		expect(sink.to(TITULAIRE).some((m) => m.parsed.subject?.includes('Mise en demeure'))).toBe(true);

		// Pendant le délai, rien n'est proposé.
		const nextDay = new Date(Date.parse('2027-07-16T12:00:00Z')).toISOString().slice(0, 10);
		const waiting = await run(layout, 'avis-penalite.json', { dateAvis: nextDay });
		expect(ofLot(json(waiting, 'Avis de pénalité (revue)'))).toMatchObject({ etape: 'attente', dateMiseEnDemeure: '2027-07-15', echeanceMiseEnDemeure: echeance });

		// 8. Après l'échéance : la notification des pénalités suit, sans qu'aucune date ait été recopiée.
		const after = new Date(Date.parse(`${echeance}T12:00:00Z`) + 3 * 86400000).toISOString().slice(0, 10);
		const notif = await penaltyRound(layout, sink, after);
		expect(ofLot(notif.revue)).toMatchObject({ etape: 'notification', dateMiseEnDemeure: '2027-07-15' });
		expect(ofLot(notif.envoi)).toMatchObject({ etape: 'notification', envoi: expect.objectContaining({ statut: 'envoyé' }) });
		expect(sink.to(TITULAIRE).some((m) => m.parsed.subject?.includes('Notification'))).toBe(true);

		// 9. Bilan de l'année 2027, tiré du registre.
		const bilan = await run(layout, 'bilan-annuel.json', { debut: '2027-01', fin: '2027-12' });
		expect(bilan.status).toBe('success');
		const [summary] = json(bilan, 'Bilan des clauses sociales');
		expect(summary).toMatchObject({ periode: { debut: '2027-01', fin: '2027-12' }, lignesEnAnomalie: 0, heuresRealiseesPeriode: 12 });
		expect(Number(summary.misesEnDemeure)).toBe(1);
		const parLot = json(bilan, 'Indicateurs (vers un tableau de bord)').find((v) => v.vue === 'parLot' && String(v.marche) === MARCHE && String(v.lot) === LOT);
		expect(parLot).toBeDefined();
	});
});
