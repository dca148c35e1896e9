import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { pdfText } from '../helpers/documents';
import { PACKAGE_ROOT, binaryItem, registerMessages, resetRegister, runNode } from '../helpers/engine';
import { SmtpSink, unusedPort } from '../helpers/smtp-sink';
import { readWorkbook } from '../helpers/workbooks';

const SAMPLE = path.join(PACKAGE_ROOT, 'workflows', 'donnees-exemple');
const workbook = () => binaryItem(fs.readFileSync(path.join(SAMPLE, 'clauses-a-solder.xlsx')), 'clauses-a-solder.xlsx');
const clauses: IDataObject[] = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'clauses-a-solder.json'), 'utf8'));
const releves: IDataObject[] = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'releves-a-solder.json'), 'utf8'));
const NBSP = '\u00a0';

const smtp = (port: number) => ({
	clausesSocialesSmtpApi: {
		host: '127.0.0.1',
		port,
		securite: 'aucune',
		expediteurNom: 'Mission clauses sociales',
		expediteurEmail: 'clauses-sociales@region.example.test',
	},
});

const penalty = (parameters: IDataObject = {}) => ({
	type: 'clausePenalty',
	parameters: {
		mode: 'revue',
		source: 'classeur',
		dateAvis: '2026-11-23',
		emetteur: 'Région Val-d’Argent\nDirection de la commande publique\n1 place de la Région, 79000 Saint-Aubin-sur-Argent',
		signature: 'Pour la présidente et par délégation,',
		signataireQualite: 'La directrice de la commande publique',
		signataireNom: 'Claire Martin',
		modeEnvoi: 'lrar',
		...parameters,
		options: { lieu: 'Saint-Aubin-sur-Argent', debitParSeconde: 0, ...((parameters.options as IDataObject) ?? {}) },
	},
	credentials: { clausesSocialesSmtpApi: { id: 'smtp', name: 'SMTP' } },
});

const byClause = (items: INodeExecutionData[]) => Object.fromEntries(items.map((i) => [`${i.json.marche}/${i.json.lot}`, i]));
const envoiOf = (item: INodeExecutionData) => item.json.envoi as IDataObject;
const penalitesOf = (item: INodeExecutionData) => item.json.penalites as { total: number; sommeLignes: number; lignes: Array<{ code: string; montant: number; quantite: number }>; plafond: { montant: number } };
const binaryBuffer = (item: INodeExecutionData, key: string) => Buffer.from(item.binary![key].data, 'base64');

/** Seule la date du jour est simulée (envoi) : minuteries, E/S et horloge haute résolution restent réelles. */
const REAL_TIMERS = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const;
const today = (date: string) => jest.useFakeTimers({ now: new Date(`${date}T12:00:00Z`), doNotFake: [...REAL_TIMERS] });

describe('nœud Avis de pénalité, exécuté par le moteur de n8n', () => {
	beforeEach(() => {
		resetRegister();
		// Envoi le jour de la date de l'avis des tests (23 novembre 2026) : délai de la mise en demeure en cours.
		today('2026-11-23');
	});
	afterEach(() => jest.useRealTimers());

	it('revue : calcule chaque clause du classeur, produit lettre PDF et annexe Excel, sans rien envoyer', async () => {
		const { items, output, run } = await runNode(penalty(), [workbook()]);
		expect(run.data.resultData.error).toBeUndefined();
		const by = byClause(items);
		expect(Object.fromEntries(Object.entries(by).map(([k, i]) => [k, `${i.json.etape}:${penalitesOf(i).total}`]))).toEqual({
			'2025-PI-011/2': 'miseEnDemeure:7800',
			'2025-TRX-039/6': 'notification:9000',
			'2025-TRX-039/8': 'aucune:0',
			'2025-PI-011/3': 'aucune:0',
			'2024-TRX-027/3': 'notifiee:7200',
		});
		// Déjà notifiée d'après la feuille « Pénalités » : rien à produire.
		expect(by['2024-TRX-027/3'].json).toMatchObject({ motif: 'Pénalités notifiées le 10 juillet 2026 (registre).', dateMiseEnDemeure: '2026-06-15', documents: null });
		const med = by['2025-PI-011/2'];
		expect(med.json).toMatchObject({
			etapeLibelle: 'Mise en demeure',
			dateDocument: '2026-11-23',
			echeanceMiseEnDemeure: '2026-12-08',
			heures: { dues: 700, realisees: 570, manquantes: 130, neutralisees: 0 },
			documents: { lettre: 'mise-en-demeure-2025-PI-011-lot-2-fin.pdf', annexe: 'mise-en-demeure-2025-PI-011-lot-2-fin-annexe-calcul.xlsx' },
		});
		expect(penalitesOf(med).plafond.montant).toBe(82000);
		expect(envoiOf(med)).toMatchObject({
			statut: 'aperçu',
			a: ['etudes-et-territoires@example.test'],
			cc: ['transports-marches@region-val-argent.example.test', 'clauses@plie-val-argent.example.test'],
			cle: 'penalite|miseEnDemeure|2025pi011/2|fin',
		});
		expect(by['2025-TRX-039/8'].json.motif).toBe('Aucune pénalité : heures manquantes neutralisées, relevés à jour.');
		expect(by['2025-PI-011/3'].json.motif).toBe('Aucune pénalité : objectif d’heures dépassé, relevés à jour.');
		expect(by['2025-PI-011/3'].binary).toBeUndefined();

		// La lettre, relue dans le PDF.
		const letter = await pdfText(binaryBuffer(med, 'lettre'));
		expect(letter.text).toContain('MISE EN DEMEURE');
		expect(letter.text).toContain('Études & Territoires À l’attention de Claire Lemoine SIRET 32174196009679');
		expect(letter.text).toContain('Saint-Aubin-sur-Argent, le 23 novembre 2026');
		expect(letter.text).toContain('Objet : Mise en demeure – clause sociale d’insertion – marché n° 2025-PI-011, lot 2 (Enquêtes en gare et à bord des trains)');
		expect(letter.text).toContain('700 h d’insertion');
		expect(letter.text).toContain('130 h n’ont donc pas été réalisées');
		expect(letter.text).toContain('soit au plus tard le 8 décembre 2026');
		expect(letter.text).toContain('Heures d’insertion non réalisées 130 h × 60,00 € 7 800,00 €');
		expect(letter.text).toContain('l’article 9.4 du CCAP');
		expect(letter.text).toContain('Page 1 / ');
		// Mode d'envoi en tête, signataire en bas.
		expect(letter.text).toContain('Lettre recommandée avec accusé de réception');
		expect(letter.text).toContain('Pour la présidente et par délégation, La directrice de la commande publique Claire Martin');

		// L'annexe, relue dans Excel : formules et résultats.
		const annex = await readWorkbook(binaryBuffer(med, 'annexe'));
		const sheet = annex.getWorksheet('Calcul')!;
		const rows = sheet.getSheetValues().filter(Boolean) as unknown[][];
		const line = rows.find((r) => r[1] === 'Heures d’insertion non réalisées')!;
		expect([line[3], line[5], (line[6] as { formula: string; result: number }).result]).toEqual([130, 60, 7800]);
		const total = rows.find((r) => r[1] === 'Total HT')!;
		expect(total[6]).toMatchObject({ formula: expect.stringMatching(/^MIN\(F\d+,F\d+\)$/), result: 7800 });
		expect(annex.getWorksheet('Relevés')!.rowCount).toBe(1 + 12 + 1);
		expect(annex.getWorksheet('Paramètres et sources')!.getCell('E2').value).toContain('CCAP d’un acheteur public (barème de référence)');

		const notif = await pdfText(binaryBuffer(by['2025-TRX-039/6'], 'lettre'));
		expect(notif.text).toContain('NOTIFICATION DE PÉNALITÉS');
		expect(notif.text).toContain('Notre mise en demeure du 1er octobre 2026 est restée sans effet à l’expiration du délai imparti, le 16 octobre 2026.');
		expect(notif.text).toContain('Le montant des pénalités s’élève à 9 000,00 € HT.');
		expect(notif.text).toContain('mémoire en réclamation');

		// Paquet de revue : un élément, toutes les pièces, la synthèse.
		const pack = output('Nœud testé', 1);
		expect(pack).toHaveLength(1);
		expect(pack[0].json).toMatchObject({ avis: 2, montantTotal: 16800, piecesJointes: 'lettre_1,annexe_1,lettre_2,annexe_2', erreurs: 0 });
		expect(Object.keys(pack[0].binary!)).toEqual(['lettre_1', 'annexe_1', 'lettre_2', 'annexe_2']);
		expect(pack[0].json.texte).toContain(`Marché 2025-PI-011, lot 2 (Études & Territoires) : mise en demeure, 7${NBSP}800,00${NBSP}€ HT`);
		expect(pack[0].json.html).toContain('Études &amp; Territoires');
		expect(await registerMessages()).toEqual([]);
	});

	it('envoie chaque avis une fois, avec la lettre et l’annexe en pièces jointes ; la lettre envoyée est celle relue', async () => {
		const review = await runNode(penalty(), [workbook()]);
		const empreintes = review.output('Nœud testé', 1)[0].json.empreintes as string[];
		expect(empreintes).toHaveLength(2);
		const sink = await new SmtpSink().start();
		try {
			const first = await runNode(penalty({ mode: 'envoyer', options: { empreintesApprouvees: JSON.stringify(empreintes) } }), [workbook()], { credentials: smtp(sink.port) });
			const by = byClause(first.items);
			expect(envoiOf(by['2025-PI-011/2']).statut).toBe('envoyé');
			expect(envoiOf(by['2025-TRX-039/6']).statut).toBe('envoyé');
			expect(envoiOf(by['2025-TRX-039/8']).statut).toBe('sans objet');
			await sink.waitFor(2);
			expect(sink.connections).toBe(1);
			const mail = sink.to('air-confort-argent@example.test')[0];
			expect(mail.envelope.to.sort()).toEqual(['air-confort-argent@example.test', 'facilitation@mde-haut-argent.example.test', 'travaux-lycees@region-val-argent.example.test'].sort());
			expect(mail.parsed.subject).toBe('Notification de pénalités – clause sociale d’insertion – marché n° 2025-TRX-039, lot 6 (Ventilation)');
			expect(mail.parsed.messageId).toBe(envoiOf(by['2025-TRX-039/6']).messageId);
			expect(mail.parsed.text).toContain(`Montant des pénalités : 9${NBSP}000,00${NBSP}€ HT.`);
			expect(mail.parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([
				['notification-penalites-2025-TRX-039-lot-6-fin.pdf', 'application/pdf'],
				['notification-penalites-2025-TRX-039-lot-6-fin-annexe-calcul.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
			]);
			// La lettre reçue est, octet pour octet, celle produite en revue.
			const { createHash } = await import('node:crypto');
			expect(empreintes).toContain(createHash('sha256').update(mail.parsed.attachments[0].content).digest('hex'));
			expect((await pdfText(mail.parsed.attachments[0].content)).text).toContain('9 000,00 €');
			expect(first.items.every((i) => i.binary === undefined || Object.keys(i.binary).sort().join() === 'annexe,lettre')).toBe(true);
			expect(first.output('Nœud testé', 1)[0].json).toMatchObject({ mode: 'envoyer', avis: 2, piecesJointes: '' });

			// Seconde exécution : rien de nouveau ; la mise en demeure non reportée au registre bloque, sans sauter d'étape.
			const second = await runNode(penalty({ mode: 'envoyer', options: { empreintesApprouvees: empreintes.join(',') } }), [workbook()], { credentials: smtp(sink.port) });
			const again = byClause(second.items);
			expect(envoiOf(again['2025-PI-011/2'])).toMatchObject({ statut: 'déjà envoyé' });
			expect(envoiOf(again['2025-PI-011/2']).motif).toContain('Reportez sa date dans le registre');
			expect(envoiOf(again['2025-TRX-039/6']).statut).toBe('déjà envoyé');
			await new Promise((r) => setTimeout(r, 200));
			expect(sink.mails).toHaveLength(2);
		} finally {
			await sink.stop();
		}
	});

	it('une lettre différente de celles approuvées n’est pas envoyée', async () => {
		const sink = await new SmtpSink().start();
		try {
			const { items } = await runNode(penalty({ mode: 'envoyer', options: { empreintesApprouvees: 'a'.repeat(64) } }), [workbook()], { credentials: smtp(sink.port) });
			expect(items.filter((i) => envoiOf(i).statut === 'non approuvé')).toHaveLength(2);
			expect(await registerMessages()).toEqual([]);
			await new Promise((r) => setTimeout(r, 200));
			expect(sink.mails).toHaveLength(0);
		} finally {
			await sink.stop();
		}
	});

	it('liste d’empreintes approuvées vide ou absente : rien ne part, chaque avis dit pourquoi ; la clé de non-redite reste libre', async () => {
		const NOT_APPROVED =
			'Lettre non envoyée : aucune lettre n’a été approuvée (option « Empreintes des lettres approuvées » vide). Faites relire et approuver l’avis (mode revue, puis approbation de l’acheteur), ou, pour un envoi délibéré sans revue, activez l’option « Envoyer sans revue ».';
		const sink = await new SmtpSink().start();
		try {
			for (const options of [{}, { empreintesApprouvees: '' }, { empreintesApprouvees: '[]' }, { empreintesApprouvees: ' , ' }]) {
				const { items } = await runNode(penalty({ mode: 'envoyer', options }), [workbook()], { credentials: smtp(sink.port) });
				const by = byClause(items);
				for (const key of ['2025-PI-011/2', '2025-TRX-039/6']) expect(envoiOf(by[key])).toMatchObject({ statut: 'non approuvé', motif: NOT_APPROVED });
				expect(envoiOf(by['2025-TRX-039/8']).statut).toBe('sans objet');
			}
			expect(await registerMessages()).toEqual([]);
			await new Promise((r) => setTimeout(r, 200));
			expect(sink.mails).toHaveLength(0);
		} finally {
			await sink.stop();
		}
	});

	it('revue sans aucun avis (clauses en erreur), registre corrigé avant l’approbation : les lettres non relues ne partent pas', async () => {
		// Revue : les deux clauses à avis sont en erreur ; le paquet de revue n'a aucune empreinte.
		const withNotice = ['2025-PI-011/2', '2025-TRX-039/6', '2024-TRX-027/3'];
		const broken = clauses.map((c) => (withNotice.includes(`${c.marche}/${c.lot}`) ? { ...c, heuresRealisees: 99999 } : c));
		const review = await runNode({ ...penalty({ source: 'elements' }), onError: 'continueRegularOutput' }, [...broken, ...releves]);
		const pack = review.output('Nœud testé', 1)[0].json;
		expect(pack).toMatchObject({ avis: 0, erreurs: 3, empreintes: [] });
		// Le workflow transmet `empreintes.join(',')` : une chaîne vide.
		const sink = await new SmtpSink().start();
		try {
			const send = await runNode(penalty({ mode: 'envoyer', options: { empreintesApprouvees: (pack.empreintes as string[]).join(',') } }), [workbook()], { credentials: smtp(sink.port) });
			expect(send.items.map((i) => `${i.json.marche}/${i.json.lot}:${envoiOf(i).statut}`)).toEqual([
				'2025-PI-011/2:non approuvé',
				'2025-TRX-039/6:non approuvé',
				'2025-TRX-039/8:sans objet',
				'2025-PI-011/3:sans objet',
				'2024-TRX-027/3:sans objet',
			]);
			expect(send.output('Nœud testé', 1)[0].json.objet).toBe('Avis de pénalité envoyés – clause sociale d’insertion – 0 sur 2 avis du 23 novembre 2026');
			await new Promise((r) => setTimeout(r, 200));
			expect(sink.mails).toHaveLength(0);
			expect(await registerMessages()).toEqual([]);
		} finally {
			await sink.stop();
		}
	});

	it('« Envoyer sans revue », choisi explicitement : les avis partent sans empreinte ; des empreintes saisies restent exigées', async () => {
		const sink = await new SmtpSink().start();
		try {
			const restricted = await runNode(penalty({ mode: 'envoyer', options: { envoiSansRevue: true, empreintesApprouvees: 'b'.repeat(64) } }), [workbook()], { credentials: smtp(sink.port) });
			expect(restricted.items.filter((i) => envoiOf(i).statut === 'non approuvé')).toHaveLength(2);
			const { items } = await runNode(penalty({ mode: 'envoyer', options: { envoiSansRevue: true } }), [workbook()], { credentials: smtp(sink.port) });
			expect(items.filter((i) => envoiOf(i).statut === 'envoyé').map((i) => `${i.json.marche}/${i.json.lot}`)).toEqual(['2025-PI-011/2', '2025-TRX-039/6']);
			await sink.waitFor(2);
			expect(sink.mails).toHaveLength(2);
		} finally {
			await sink.stop();
		}
	});

	it('approbation tardive : une mise en demeure dont le délai est échu au jour de l’envoi ne part pas et repasse en revue', async () => {
		const review = await runNode(penalty(), [workbook()]);
		const empreintes = (review.output('Nœud testé', 1)[0].json.empreintes as string[]).join(',');
		const sink = await new SmtpSink().start();
		try {
			// Lettre du 23 novembre, délai jusqu'au 8 décembre ; approuvée le 8 décembre : plus aucun jour pour le titulaire.
			today('2026-12-08');
			const late = await runNode(penalty({ mode: 'envoyer', options: { empreintesApprouvees: empreintes } }), [workbook()], { credentials: smtp(sink.port) });
			const by = byClause(late.items);
			expect(envoiOf(by['2025-PI-011/2'])).toMatchObject({
				statut: 'délai échu',
				dateEnvoi: '2026-12-08',
				cle: 'penalite|miseEnDemeure|2025pi011/2|fin',
				motif:
					'Mise en demeure non envoyée : datée du 23 novembre 2026, elle laisse au titulaire jusqu’au 8 décembre 2026 pour s’exécuter, délai déjà écoulé à la date d’envoi (8 décembre 2026). Relancez la revue : la nouvelle lettre, datée du jour, fixera un nouveau délai.',
			});
			// La notification n'a pas de délai à préserver : elle part.
			expect(envoiOf(by['2025-TRX-039/6']).statut).toBe('envoyé');
			await sink.waitFor(1);
			expect(sink.mails.map((m) => m.envelope.to.includes('etudes-et-territoires@example.test'))).toEqual([false]);
			// Clé de la mise en demeure non consommée : seule la notification est en mémoire.
			expect((await registerMessages()).map((m) => m.key)).toEqual(['penalite|notification|2025trx039/6|fin']);
			expect(late.output('Nœud testé', 1)[0].json.texte).toContain('— délai échu (Mise en demeure non envoyée : datée du 23 novembre 2026');

			// La veille de l'échéance, la même lettre part encore (un jour de délai).
			today('2026-12-07');
			const inTime = await runNode(penalty({ mode: 'envoyer', options: { empreintesApprouvees: empreintes } }), [workbook()], { credentials: smtp(sink.port) });
			expect(envoiOf(byClause(inTime.items)['2025-PI-011/2']).statut).toBe('envoyé');
			await sink.waitFor(2);
			expect(sink.to('etudes-et-territoires@example.test')).toHaveLength(1);
		} finally {
			await sink.stop();
		}
	});

	it('ligne à reporter dans la feuille « Pénalités » : une fois reportée, la mise en demeure n’est plus reproposée et son délai court', async () => {
		const sink = await new SmtpSink().start();
		let rows: IDataObject[];
		try {
			const { items } = await runNode(penalty({ mode: 'envoyer', options: { envoiSansRevue: true } }), [workbook()], { credentials: smtp(sink.port) });
			const sent = items.filter((i) => envoiOf(i).statut === 'envoyé');
			rows = sent.map((i) => i.json.ligneRegistre as IDataObject);
			expect(rows).toEqual([
				{ Marché: '2025-PI-011', Lot: '2', Étape: 'Mise en demeure', 'Montant HT': 7800, Date: '2026-11-23', Période: 'fin d’exécution' },
				{ Marché: '2025-TRX-039', Lot: '6', Étape: 'Notification de pénalités', 'Montant HT': 9000, Date: '2026-11-23', Période: 'fin d’exécution' },
			]);
			expect(byClause(items)['2025-TRX-039/8'].json.ligneRegistre).toBeNull();
			await sink.waitFor(2);
		} finally {
			await sink.stop();
		}
		// Les lignes ajoutées à la feuille « Pénalités » du registre, comme le ferait l'acheteur.
		const ExcelJS = (await import('exceljs')).default;
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(fs.readFileSync(path.join(SAMPLE, 'clauses-a-solder.xlsx')) as unknown as ArrayBuffer);
		const sheet = wb.getWorksheet('Pénalités')!;
		const headers = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
		for (const row of rows) sheet.addRow(headers.map((h) => row[h] as string | number));
		const updated = Buffer.from(await wb.xlsx.writeBuffer());
		// Une semaine plus tard : la mise en demeure est en attente de son échéance, la notification est faite.
		const { items } = await runNode(penalty({ dateAvis: '2026-11-30' }), [binaryItem(updated, 'clauses-a-solder.xlsx')]);
		const by = byClause(items);
		expect(by['2025-PI-011/2'].json).toMatchObject({
			etape: 'attente',
			motif: 'Mise en demeure du 23 novembre 2026 : délai en cours jusqu’au 8 décembre 2026.',
			echeanceMiseEnDemeure: '2026-12-08',
			documents: null,
		});
		expect(by['2025-TRX-039/6'].json).toMatchObject({ etape: 'notifiee', motif: 'Pénalités notifiées le 23 novembre 2026 (registre).' });
	});

	it('serveur SMTP arrêté : échec rapporté et clé libérée, l’avis part à l’exécution suivante', async () => {
		const port = await unusedPort();
		const { items } = await runNode(penalty({ mode: 'envoyer', options: { envoiSansRevue: true } }), [workbook()], { credentials: smtp(port) });
		const failed = items.filter((i) => envoiOf(i).statut === 'échec');
		expect(failed).toHaveLength(2);
		expect(envoiOf(failed[0])).toMatchObject({ code: 'ECONNREFUSED', temporaire: true });
		expect((await registerMessages()).map((m) => m.key)).toEqual([]);
		const back = await new SmtpSink({ port }).start();
		try {
			const retry = await runNode(penalty({ mode: 'envoyer', options: { envoiSansRevue: true } }), [workbook()], { credentials: smtp(port) });
			expect(retry.items.filter((i) => envoiOf(i).statut === 'envoyé')).toHaveLength(2);
			await back.waitFor(2);
		} finally {
			await back.stop();
		}
	});

	it('saisies incohérentes : une erreur française par clause, rien n’est produit pour elle, les autres passent', async () => {
		const rows = clauses.map((c) => ({ ...c }));
		rows[0].heuresRealisees = 7000; // saisie au-delà des heures dues
		rows[1].dateMiseEnDemeure = ''; // notification sans mise en demeure
		rows[1].dateNotificationPenalites = '2026-10-20';
		rows[2].tauxHoraire = '-60';
		const noAnnual = { ...clauses[0], lot: '4', montantAnnuelHT: '', finExecution: '2027-03-31', heuresDues: 900, statut: 'terminée', dateRemiseBilan: '' };
		const { items: all } = await runNode({ ...penalty({ source: 'elements', dateAvis: '2027-05-03' }), onError: 'continueRegularOutput' }, [...rows, noAnnual, ...releves]);
		const errorItems = all.filter((i) => typeof i.json.error === 'string');
		const items = all.filter((i) => i.json.error === undefined);
		expect(errorItems.map((i) => i.json.error)).toEqual([
			'Clause du marché 2025-PI-011, lot 2 (élément 1), heures réalisées : heures réalisées saisies (7\u00a0000\u00a0h) supérieures aux heures dues (700\u00a0h)',
			'Clause du marché 2025-TRX-039, lot 6 (élément 2), date de notification des pénalités : notification des pénalités sans mise en demeure préalable',
			'Clause du marché 2025-TRX-039, lot 8 (élément 3), pénalité par heure non réalisée (€ HT) : valeur négative (-60\u00a0€)',
			'Clause du marché 2025-PI-011, lot 4 (élément 6), montant annuel HT : montant annuel HT manquant pour une exécution de plus d’un an (547 jours) : le plafond des pénalités est incalculable',
		]);
		expect((errorItems[0].json.details as IDataObject).correction).toContain('laissez la colonne vide : les relevés mensuels font foi');
		expect(items.map((i) => `${i.json.marche}/${i.json.lot}:${i.json.etape}`)).toEqual(['2025-PI-011/3:aucune', '2024-TRX-027/3:miseEnDemeure']);
		expect(items[0].pairedItem).toEqual({ item: 3 });
		expect(errorItems.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 5 }]);
	});

	/** Le jeu d'exemple (éléments) avec des dates incohérentes : une par clause, la dernière clause reste juste. */
	const badDates = () => {
		const rows = clauses.map((c) => ({ ...c }));
		rows[0].finExecution = '2025-09-30'; // 2025-PI-011/2 : fin d'exécution avant le début (1er octobre 2025)
		rows[1].dateNotificationPenalites = '2026-09-20'; // 2025-TRX-039/6 : notification avant la mise en demeure (1er octobre 2026)
		rows[2].finNeutralisation = '2026-01-30'; // 2025-TRX-039/8 : neutralisation finie avant son début (2 février 2026)
		rows[3].dateRemiseBilan = '2026-06-15'; // 2025-PI-011/3 : bilan remis avant la fin d'exécution (30 juin 2026)
		const outside = { ...clauses[2], lot: '9', debutNeutralisation: '2025-08-01' }; // neutralisation commencée avant l'exécution (1er septembre 2025)
		return [...rows, outside, ...releves];
	};
	const BAD_DATES_ERRORS = [
		'Clause du marché 2025-PI-011, lot 2 (élément 1), fin d’exécution : fin d’exécution (30 septembre 2025) antérieure au début (1er octobre 2025)',
		'Clause du marché 2025-TRX-039, lot 6 (élément 2), date de notification des pénalités : notification des pénalités (20 septembre 2026) antérieure ou égale à la mise en demeure (1er octobre 2026)',
		'Clause du marché 2025-TRX-039, lot 8 (élément 3), fin de la neutralisation : fin de la neutralisation (30 janvier 2026) antérieure à son début (2 février 2026)',
		'Clause du marché 2025-PI-011, lot 3 (élément 4), date de remise du bilan : bilan remis le 15 juin 2026, avant la fin d’exécution (30 juin 2026)',
		'Clause du marché 2025-TRX-039, lot 9 (élément 6), début de la neutralisation : 1er août 2025 hors de la période d’exécution (du 1er septembre 2025 au 31 juillet 2026)',
	];

	it('dates incohérentes : une erreur française par clause, rien n’est produit pour elle, la clause juste passe', async () => {
		const { items: all, output } = await runNode({ ...penalty({ source: 'elements' }), onError: 'continueRegularOutput' }, badDates());
		const errorItems = all.filter((i) => typeof i.json.error === 'string');
		expect(errorItems.map((i) => i.json.error)).toEqual(BAD_DATES_ERRORS);
		expect(errorItems.map((i) => ((i.json.details as IDataObject).anomalies as IDataObject[]).map((a) => a.correction))).toEqual([
			['Corrigez les dates d’exécution : la fin doit suivre le début.'],
			['Corrigez les dates : la notification suit la mise en demeure et l’expiration de son délai.'],
			['Corrigez les dates de la neutralisation : la fin doit suivre le début.'],
			['Corrigez la date de remise du bilan de fin d’exécution, ou la date de fin d’exécution.'],
			['Corrigez la date : une neutralisation porte sur la période d’exécution du marché.'],
		]);
		expect(errorItems.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }, { item: 5 }]);
		// Rien pour les clauses en erreur : ni étape, ni lettre, ni annexe.
		expect(errorItems.every((i) => i.binary === undefined && i.json.etape === undefined && i.json.documents === undefined)).toBe(true);
		const ok = all.filter((i) => i.json.error === undefined);
		expect(ok.map((i) => `${i.json.marche}/${i.json.lot}:${i.json.etape}:${envoiOf(i).statut}`)).toEqual(['2024-TRX-027/3:miseEnDemeure:aperçu']);
		expect(Object.keys(ok[0].binary!).sort()).toEqual(['annexe', 'lettre']);
		const pack = output('Nœud testé', 1)[0];
		expect(pack.json).toMatchObject({ avis: 1, erreurs: 5, piecesJointes: 'lettre_1,annexe_1' });
		expect(pack.json.texte).toContain(`Clauses en anomalie (rien ne part pour elles) :\n• Marché 2025-PI-011, lot 2 : ${BAD_DATES_ERRORS[0]}`);
	});

	it('envoi : une clause en erreur n’envoie rien et ne consomme aucune clé, les clauses justes partent', async () => {
		const review = await runNode({ ...penalty({ source: 'elements' }), onError: 'continueRegularOutput' }, badDates());
		const empreintes = review.output('Nœud testé', 1)[0].json.empreintes as string[];
		expect(empreintes).toHaveLength(1);
		const sink = await new SmtpSink().start();
		try {
			const { items: all } = await runNode({ ...penalty({ mode: 'envoyer', source: 'elements', options: { empreintesApprouvees: JSON.stringify(empreintes) } }), onError: 'continueRegularOutput' }, badDates(), {
				credentials: smtp(sink.port),
			});
			expect(all.filter((i) => typeof i.json.error === 'string').map((i) => i.json.error)).toEqual(BAD_DATES_ERRORS);
			const ok = all.filter((i) => i.json.error === undefined);
			expect(ok.map((i) => `${i.json.marche}/${i.json.lot}:${envoiOf(i).statut}`)).toEqual(['2024-TRX-027/3:envoyé']);
			await sink.waitFor(1);
			await new Promise((r) => setTimeout(r, 200));
			expect(sink.mails).toHaveLength(1);
			expect(sink.mails[0].parsed.subject).toBe('Mise en demeure – clause sociale d’insertion – marché n° 2024-TRX-027, lot 3 (Peinture)');
			expect((await registerMessages()).map((m) => m.key)).toEqual(['penalite|miseEnDemeure|2024trx027/3|fin']);
		} finally {
			await sink.stop();
		}
	});

	it('compte rendu d’envoi pour l’acheteur (deuxième sortie en mode envoi)', async () => {
		const sink = await new SmtpSink({ rejectRecipients: ['air-confort-argent@example.test'] }).start();
		try {
			const { output } = await runNode(penalty({ mode: 'envoyer', options: { envoiSansRevue: true } }), [workbook()], { credentials: smtp(sink.port) });
			const report = output('Nœud testé', 1)[0].json;
			expect(report.objet).toBe('Avis de pénalité envoyés – clause sociale d’insertion – 1 sur 2 avis du 23 novembre 2026');
			expect(report.texte).toContain(`Marché 2025-PI-011, lot 2 (Études & Territoires) : mise en demeure, 7${NBSP}800,00${NBSP}€ HT — envoyé`);
			expect(report.texte).toContain('Marché 2025-TRX-039, lot 6 (Air Confort Argent) : notification de pénalités, 9');
			expect(report.texte).toContain('— échec (adresse du titulaire air-confort-argent@example.test refusée');
		} finally {
			await sink.stop();
		}
	});

	it('feuille « Pénalités » : l’historique donne la date de mise en demeure ; une ligne fautive bloque sa clause, avec la cellule', async () => {
		const clause = clauses.find((c) => c.lot === '6')!;
		const headers = ['N° marché', 'N° lot', 'Titulaire', 'SIRET', 'Courriel du titulaire', 'Heures dues', 'Début d’exécution', 'Fin d’exécution', 'Facilitateur', 'Courriel du facilitateur', 'Acheteur', 'Courriel de l’acheteur', 'Montant annuel HT', 'Heures neutralisées'];
		const row = (c: IDataObject, neutral: unknown = '') => [c.marche, c.lot, c.titulaire, c.siret, c.emailTitulaire, c.heuresDues, c.debutExecution, c.finExecution, c.facilitateur, c.emailFacilitateur, c.acheteur, c.emailAcheteur, c.montantAnnuelHT ?? 100000, neutral] as never[];
		const other = clauses.find((c) => c.lot === '2' && c.marche === '2025-PI-011')!;
		const lines = releves.filter((l) => (l.lot === '6' && l.marche === '2025-TRX-039') || (l.lot === '2' && l.marche === '2025-PI-011'));
		const { workbookBuffer } = await import('../helpers/workbooks');
		const buffer = await workbookBuffer({
			Registre: [headers as never[], row(clause), row(other, -5)],
			Relevés: [['Marché', 'Lot', 'Mois', 'Heures du mois', 'Participant'] as never[], ...lines.map((l) => [l.marche, l.lot, l.mois, l.heuresMois, l.participant] as never[])],
			Pénalités: [['Marché', 'Lot', 'Étape', 'Montant HT', 'Date'] as never[], ['2025-TRX-039', '6', 'Mise en demeure', 9000, '01/10/2026'] as never[], ['2025-PI-011', '2', 'relance', '', '02/10/2026'] as never[]],
		});
		const { items } = await runNode({ ...penalty(), onError: 'continueRegularOutput' }, [binaryItem(buffer, 'registre.xlsx')]);
		expect(items[0].json.error).toBe(
			'Historique des pénalités (marché 2025-PI-011, lot 2), étape (feuille «\u00a0Pénalités\u00a0», cellule C3) : «\u00a0relance\u00a0» n’est pas une étape (mise en demeure ou notification) reconnue',
		);
		expect(((items[0].json.details as IDataObject).anomalies as IDataObject[])[0]).toMatchObject({ feuille: 'Pénalités', cellule: 'C3' });
		expect(items[1].json).toMatchObject({ marche: '2025-TRX-039', lot: '6', etape: 'notification', dateMiseEnDemeure: '2026-10-01', echeanceMiseEnDemeure: '2026-10-16' });

		// Sans la ligne fautive : l'anomalie des heures neutralisées est située dans le registre.
		const fixed = await workbookBuffer({ Registre: [headers as never[], row(clause), row(other, -5)], Relevés: [['Marché', 'Lot', 'Mois', 'Heures du mois', 'Participant'] as never[]] });
		const again = await runNode({ ...penalty(), onError: 'continueRegularOutput' }, [binaryItem(fixed, 'registre.xlsx')]);
		const failed = again.items.find((i) => i.json.error !== undefined)!;
		expect(failed.pairedItem).toEqual({ item: 0 });
		const anomaly = ((failed.json.details as IDataObject).anomalies as IDataObject[])[0];
		expect(failed.json.error).toContain('heures neutralisées (feuille «\u00a0Registre\u00a0», cellule N3) : valeur négative (-5');
		expect(anomaly).toMatchObject({ champ: 'heuresNeutralisees', feuille: 'Registre', cellule: 'N3' });
	});

	it('jalon : heures attendues au prorata à la date du jalon, avis propre à la période', async () => {
		// Au 20 avril 2026, le bilan n'est pas encore remis (une date de remise future serait refusée).
		const clause: IDataObject = { ...clauses.find((c) => c.marche === '2025-PI-011' && c.lot === '2')!, dateRemiseBilan: '', bilanRemis: '' };
		const lines = releves.filter((l) => l.marche === clause.marche && l.lot === clause.lot);
		const { items } = await runNode(penalty({ source: 'elements', echeance: 'jalon', dateJalon: '2026-03-31', dateAvis: '2026-04-20' }), [clause, ...lines]);
		// Du 1er octobre 2025 au 31 mars 2026 : 182 jours sur 365, soit 349,04 h attendues ; 6 × 47 h déclarées.
		expect(items[0].json).toMatchObject({
			etape: 'miseEnDemeure',
			periode: 'jalon-2026-03-31',
			heures: { dues: 349.04, realisees: 282, manquantes: 67.04 },
			penalites: { total: 4022.4 },
			documents: { lettre: 'mise-en-demeure-2025-PI-011-lot-2-jalon-2026-03-31.pdf' },
		});
		expect((items[0].json.envoi as IDataObject).cle).toBe('penalite|miseEnDemeure|2025pi011/2|jalon-2026-03-31');
		const text = (await pdfText(binaryBuffer(items[0], 'lettre'))).text;
		expect(text).toContain('À l’échéance évaluée (jalon du 31 mars 2026), 349,04 h étaient dues');
	});

	it('la lettre embarque sa police (PDF/A-2b) et n’écrit que des caractères qu’elle sait dessiner', async () => {
		const clause: IDataObject = { ...clauses[0], intitule: 'Enquêtes ≥ 10 % − gare de Łódź → Ğebze 😀', titulaire: 'Études\u202f& Territoires' };
		const lines = releves.filter((l) => l.marche === clause.marche && l.lot === clause.lot);
		const { items } = await runNode(penalty({ source: 'elements' }), [clause, ...lines]);
		const text = (await pdfText(binaryBuffer(items[0], 'lettre'))).text;
		expect(text).toContain('lot 2 (Enquêtes >= 10 % − gare de Lódz -> Gebze ?)');
		expect(text).toContain('Études & Territoires');
		const pdf = binaryBuffer(items[0], 'lettre').toString('latin1');
		// Polices embarquées (sous-ensembles TrueType), aucune police standard ; déclaration PDF/A-2b et profil sRGB.
		expect(pdf.match(/\/FontFile2 /g)?.length).toBe(2);
		expect(pdf).not.toMatch(/\/BaseFont \/Helvetica/);
		expect(pdf).toContain('<pdfaid:part>2</pdfaid:part>');
		expect(pdf).toContain('<pdfaid:conformance>B</pdfaid:conformance>');
		expect(pdf).toContain('/OutputIntents');
	});

	it('revue sur le registre d’exemple de la démonstration (classeur de suivi importé) : aucune clause en erreur', async () => {
		// Les clauses de plus d'un an portent leur montant annuel HT : sans lui, le plafond est incalculable et la clause sortait en erreur.
		const suivi = binaryItem(fs.readFileSync(path.join(SAMPLE, 'suivi-clauses.xlsx')), 'suivi-clauses.xlsx');
		const imported = await runNode({ type: 'clauseRegister', parameters: { operation: 'importerClasseur' } }, [suivi]);
		expect(imported.error()).toBeUndefined();
		const { items, run } = await runNode({ ...penalty({ source: 'registre', dateAvis: '2026-12-01' }), continueOnFail: true }, [{ json: {} }]);
		expect(run.data.resultData.error).toBeUndefined();
		expect(items.length).toBeGreaterThan(10);
		expect(items.filter((i) => i.json.error !== undefined || i.json.etape === 'erreur').map((i) => `${i.json.marche}/${i.json.lot} : ${String(i.json.error)}`)).toEqual([]);
	});

	it('sans « continuer en cas d’échec », la première clause fautive arrête le nœud avec son message', async () => {
		const rows = clauses.map((c) => ({ ...c, heuresNeutralisees: c.lot === '8' ? 500 : c.heuresNeutralisees }));
		const { error } = await runNode(penalty({ source: 'elements' }), [...rows, ...releves]);
		expect((error('Nœud testé') as { message: string; description: string }).message).toBe(
			'Clause du marché 2025-TRX-039, lot 8 (élément 3), heures neutralisées : 500\u00a0h neutralisées pour 100\u00a0h dues',
		);
	});
});
