import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { PACKAGE_ROOT, binaryItem, registerMessages, resetRegister, runNode } from '../helpers/engine';
import { SmtpSink, unusedPort } from '../helpers/smtp-sink';
import { readWorkbook } from '../helpers/workbooks';

const SAMPLE = path.join(PACKAGE_ROOT, 'workflows', 'donnees-exemple');
const workbook = () => binaryItem(fs.readFileSync(path.join(SAMPLE, 'suivi-clauses.xlsx')), 'suivi-clauses.xlsx');
const registre: IDataObject[] = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'registre-clauses.json'), 'utf8'));
const releves: IDataObject[] = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'releves-2026.json'), 'utf8'));

const smtp = (port: number) => ({
	clausesSocialesSmtpApi: {
		host: '127.0.0.1',
		port,
		securite: 'aucune',
		expediteurNom: 'Mission clauses sociales',
		expediteurEmail: 'clauses-sociales@region.example.test',
		repondreA: 'facilitation@region.example.test',
	},
});

const reminder = (parameters: IDataObject = {}) => ({
	type: 'clauseReminder',
	parameters: { mode: 'apercu', source: 'classeur', dateReference: '2026-11-02', signature: 'La mission clauses sociales\nRégion', ...parameters },
	credentials: { clausesSocialesSmtpApi: { id: 'smtp', name: 'SMTP' } },
});

interface Decision {
	statut: string;
	niveau: string;
	moisReference: string;
	moisManquants: Array<{ mois: string }>;
	heuresDeclarees: number;
	heuresAttendues: number;
	cleEnvoi: string | null;
}
const decisionOf = (item: INodeExecutionData) => item.json.decision as unknown as Decision;
const envoiOf = (item: INodeExecutionData) => item.json.envoi as IDataObject;
const byClause = (items: INodeExecutionData[]) => Object.fromEntries(items.map((i) => [`${i.json.marche}/${i.json.lot}`, i]));

describe('nœud Relance mensuelle, exécuté par le moteur de n8n', () => {
	beforeEach(() => resetRegister());

	it('aperçu : décide pour chaque clause du classeur de suivi, sans rien envoyer', async () => {
		const { items, run } = await runNode(reminder(), [workbook()]);
		expect(run.data.resultData.error).toBeUndefined();
		const clauses = byClause(items);
		expect(Object.keys(clauses)).toHaveLength(registre.length);
		const levels = Object.fromEntries(Object.entries(clauses).map(([k, i]) => [k, `${decisionOf(i).statut}:${decisionOf(i).niveau}`]));
		expect(levels).toEqual({
			'2025-TRX-031/4': 'aJour:aucun',
			'2025-TRX-031/9': 'releveManquant:relance1',
			'2025-TRX-031/12': 'enRetard:relance1',
			'2025-TRX-031/20': 'releveManquantEtRetard:escalade',
			'2025-TRX-044/1': 'aJour:aucun',
			'2025-TRX-044/3': 'aJour:aucun',
			'2025-TRX-044/4': 'releveManquant:relance1',
			'2025-TRX-044/5': 'aJour:aucun',
			'2025-TRX-044/7': 'soldee:aucun',
			'2024-DSP-002/unique': 'aJour:aucun',
			'2024-SRV-017/1': 'aJour:aucun',
			'2024-SRV-017/2': 'suspendue:aucun',
			'2025-PI-006/1': 'aJour:aucun',
			'2025-TRX-052/2': 'aJour:aucun',
			'2025-TRX-052/6': 'releveManquantEtRetard:relance1',
			'2026-TRX-008/1': 'nonCommencee:aucun',
		});
		const lot20 = clauses['2025-TRX-031/20'];
		expect(decisionOf(lot20).moisManquants.map((m) => m.mois)).toEqual(['2026-06', '2026-07', '2026-08', '2026-09', '2026-10']);
		expect(envoiOf(lot20)).toMatchObject({
			statut: 'aperçu',
			a: ['electricite-generale-niortai@example.test'],
			cc: ['clauses@plie-val-argent.example.test', 'travaux-lycees@region-val-argent.example.test'],
			objet: 'Dernière relance avant mise en demeure – Clause sociale : relevé d’heures d’insertion à transmettre – marché 2025-TRX-031, lot 20 (Électricité courants forts et faibles)',
		});
		expect(envoiOf(lot20).texte).toContain('Nous n’avons pas reçu vos relevés mensuels des heures d’insertion des mois suivants : juin 2026, juillet 2026, août 2026, septembre 2026, octobre 2026.');
		expect(envoiOf(lot20).texte).toContain('pourra vous adresser une mise en demeure');
		expect(envoiOf(clauses['2025-TRX-031/9']).texte).toContain('relevé mensuel des heures d’insertion d’octobre 2026');
		// Un modèle de relevé joint par mois manquant, pré-rempli pour la clause et son mois.
		expect(Object.keys(lot20.binary ?? {})).toEqual(['modele', 'modele_2', 'modele_3', 'modele_4', 'modele_5']);
		expect(Object.values(lot20.binary ?? {}).map((b) => b.fileName!.slice(-12, -5))).toEqual(['2026-06', '2026-07', '2026-08', '2026-09', '2026-10']);
		expect(envoiOf(lot20).texte).toContain('ces relevés au PLIE du Val d\'Argent (clauses@plie-val-argent.example.test), au moyen des 5 modèles joints, un par mois, pré-remplis pour votre marché.');
		const last = await readWorkbook(Buffer.from(lot20.binary!.modele_5.data, 'base64'));
		expect(last.getWorksheet('Relevé')!.getCell('B8').value).toBe('2026-10');
		const modele = lot20.binary?.modele;
		expect(modele?.fileName).toBe('releve-heures-insertion-2025-TRX-031-lot-20-2026-06.xlsx');
		const wb = await readWorkbook(Buffer.from(modele!.data, 'base64'));
		const sheet = wb.getWorksheet('Relevé')!;
		expect([sheet.getCell('B4').value, sheet.getCell('B5').value, sheet.getCell('B7').value, sheet.getCell('B8').value]).toEqual([
			'2025-TRX-031',
			'20',
			registre.find((c) => c.lot === '20')!.siret,
			'2026-06',
		]);
		expect(envoiOf(clauses['2025-TRX-031/4']).statut).toBe('sans objet');
		expect(await registerMessages()).toEqual([]);
	});

	it('envoie une fois : relances reçues par un vrai serveur SMTP, rien de neuf à la seconde exécution', async () => {
		const sink = await new SmtpSink().start();
		try {
			const first = await runNode(reminder({ mode: 'envoyer', options: { debitParSeconde: 0 } }), [workbook()], { credentials: smtp(sink.port) });
			const sent = first.items.filter((i) => envoiOf(i).statut === 'envoyé');
			expect(sent).toHaveLength(5);
			await sink.waitFor(5);
			expect(sink.connections).toBe(1);
			const mail = sink.to('electricite-generale-niortai@example.test')[0];
			expect(mail.envelope.to.sort()).toEqual(
				['electricite-generale-niortai@example.test', 'clauses@plie-val-argent.example.test', 'travaux-lycees@region-val-argent.example.test'].sort(),
			);
			expect(mail.parsed.from?.value).toEqual([{ name: 'Mission clauses sociales', address: 'clauses-sociales@region.example.test' }]);
			expect(mail.parsed.replyTo?.value[0].address).toBe('facilitation@region.example.test');
			expect(mail.parsed.messageId).toBe(envoiOf(sent.find((i) => i.json.lot === '20')!).messageId);
			expect(mail.parsed.html).toContain('<p>Madame, Monsieur,</p>');
			expect(mail.parsed.attachments.map((a) => a.filename)).toEqual(['06', '07', '08', '09', '10'].map((m) => `releve-heures-insertion-2025-TRX-031-lot-20-2026-${m}.xlsx`));
			expect((await registerMessages()).map((m) => m.status)).toEqual(Array(5).fill('envoyé'));

			const second = await runNode(reminder({ mode: 'envoyer' }), [workbook()], { credentials: smtp(sink.port) });
			expect(second.items.filter((i) => envoiOf(i).statut === 'déjà envoyé')).toHaveLength(5);
			expect(second.items.filter((i) => envoiOf(i).statut === 'envoyé')).toHaveLength(0);
			expect(second.output('Nœud testé', 1)).toEqual([]);
			await new Promise((r) => setTimeout(r, 200));
			expect(sink.mails).toHaveLength(5);

			// Le mois suivant, la relance de niveau supérieur part.
			const nextMonth = await runNode(reminder({ mode: 'envoyer', dateReference: '2026-12-01' }), [workbook()], { credentials: smtp(sink.port) });
			const lot9 = byClause(nextMonth.items)['2025-TRX-031/9'];
			expect(decisionOf(lot9).niveau).toBe('relance2');
			expect(envoiOf(lot9).statut).toBe('envoyé');
		} finally {
			await sink.stop();
		}
	});

	it('adresse du titulaire refusée : échec rapporté, copies parties, relance renvoyée une fois l’adresse corrigée', async () => {
		const clauses = registre.map((c) => ({ ...c }));
		const lines = releves;
		const sink = await new SmtpSink({ rejectRecipients: ['alu-concept-argent@example.test'] }).start();
		try {
			const { items, output } = await runNode(reminder({ mode: 'envoyer', source: 'elements' }), [...clauses, ...lines], { credentials: smtp(sink.port) });
			const lot9 = byClause(items)['2025-TRX-031/9'];
			expect(envoiOf(lot9)).toMatchObject({ statut: 'échec', code: 'SMTP 550', temporaire: false });
			expect(envoiOf(lot9).erreur).toContain('adresse du titulaire alu-concept-argent@example.test refusée (refus définitif du serveur SMTP');
			expect(sink.to('clauses@plie-val-argent.example.test').map((m) => m.parsed.subject).sort()).toEqual([
				'Clause sociale : heures d’insertion en retard – marché 2025-TRX-031, lot 12 (Plâtrerie – cloisons – faux plafonds)',
				// Copie de la relance du lot 9, partie bien que l'adresse du titulaire soit refusée.
				'Clause sociale : relevé d’heures d’insertion à transmettre – marché 2025-TRX-031, lot 9 (Menuiseries extérieures aluminium)',
				'Dernière relance avant mise en demeure – Clause sociale : relevé d’heures d’insertion à transmettre – marché 2025-TRX-031, lot 20 (Électricité courants forts et faibles)',
			]);
			expect(items.filter((i) => envoiOf(i).statut === 'envoyé')).toHaveLength(4);
			const summary = output('Nœud testé', 1).find((s) => s.json.emailFacilitateur === 'clauses@plie-val-argent.example.test')!;
			expect((summary.json.compte as IDataObject)['échec']).toBe(1);
			expect(summary.json.texte).toContain('Marché 2025-TRX-031, lot 9 (Alu Concept Argent) : échec');

			// Même adresse : pas de renvoi (les copies l'ont déjà reçue).
			const again = await runNode(reminder({ mode: 'envoyer', source: 'elements' }), [...clauses, ...lines], { credentials: smtp(sink.port) });
			expect(envoiOf(byClause(again.items)['2025-TRX-031/9']).statut).toBe('déjà envoyé');

			// Adresse corrigée dans le registre : la relance repart vers la nouvelle adresse.
			clauses.find((c) => c.lot === '9' && c.marche === '2025-TRX-031')!.emailTitulaire = 'contact@alu-concept.example.test';
			const fixed = await runNode(reminder({ mode: 'envoyer', source: 'elements' }), [...clauses, ...lines], { credentials: smtp(sink.port) });
			expect(envoiOf(byClause(fixed.items)['2025-TRX-031/9'])).toMatchObject({ statut: 'envoyé', a: ['contact@alu-concept.example.test'] });
			expect(sink.to('contact@alu-concept.example.test')).toHaveLength(1);
		} finally {
			await sink.stop();
		}
	});

	it('serveur SMTP arrêté : chaque relance est rapportée en échec temporaire, aucune n’est perdue', async () => {
		const port = await unusedPort();
		const { items } = await runNode(reminder({ mode: 'envoyer', options: { debitParSeconde: 0 } }), [workbook()], { credentials: smtp(port) });
		const failed = items.filter((i) => envoiOf(i).statut === 'échec');
		expect(failed).toHaveLength(5);
		expect(envoiOf(failed[0])).toMatchObject({ code: 'ECONNREFUSED', temporaire: true });
		expect(envoiOf(failed[0]).erreur).toContain(`serveur SMTP 127.0.0.1:${port} injoignable`);
		expect((await registerMessages()).map((m) => m.key)).toEqual([]);

		// Le serveur revient : les cinq relances partent à l'exécution suivante.
		const back = await new SmtpSink({ port }).start();
		try {
			const retry = await runNode(reminder({ mode: 'envoyer' }), [workbook()], { credentials: smtp(port) });
			expect(retry.items.filter((i) => envoiOf(i).statut === 'envoyé')).toHaveLength(5);
			await back.waitFor(5);
		} finally {
			await back.stop();
		}
	});

	it('planification quotidienne : rien avant le premier jour ouvré, les relances ce jour-là, puis le rattrapage de ce qui n’est pas parti, sans rien renvoyer', async () => {
		const daily = (dateReference: string) => reminder({ mode: 'envoyer', premierJourOuvre: true, dateReference, options: { debitParSeconde: 0 } });
		// 1er novembre 2026 : dimanche et Toussaint ; premier jour ouvré : lundi 2.
		const before = await runNode(daily('2026-11-01'), [workbook()]);
		expect(before.items).toEqual([]);
		// Lundi 2 : serveur SMTP injoignable, les cinq relances échouent (refus temporaire).
		const port = await unusedPort();
		const first = await runNode(daily('2026-11-02'), [workbook()], { credentials: smtp(port) });
		expect(first.items).toHaveLength(registre.length);
		expect(first.items.filter((i) => envoiOf(i).statut === 'échec')).toHaveLength(5);
		// Mardi 3 : le serveur revient ; rattrapage à la date du 2, les cinq relances partent.
		const sink = await new SmtpSink({ port }).start();
		try {
			const catchUp = await runNode(daily('2026-11-03'), [workbook()], { credentials: smtp(port) });
			// Seules ressortent les clauses dont la relance vient d'être tentée, avec la décision du 2.
			expect(catchUp.items.map((i) => envoiOf(i).statut)).toEqual(Array(5).fill('envoyé'));
			expect(new Set(catchUp.items.map((i) => decisionOf(i).moisReference))).toEqual(new Set(['2026-10']));
			expect(catchUp.items.map((i) => decisionOf(i).cleEnvoi)).toEqual(first.items.filter((i) => envoiOf(i).statut === 'échec').map((i) => decisionOf(i).cleEnvoi));
			await sink.waitFor(5);
			expect(catchUp.output('Nœud testé', 1).length).toBeGreaterThan(0);
			// Mercredi 4 : tout est parti, rien ne repart, rien ne ressort, pas de synthèse.
			const again = await runNode(daily('2026-11-04'), [workbook()], { credentials: smtp(port) });
			expect(again.items).toEqual([]);
			expect(again.output('Nœud testé', 1)).toEqual([]);
			expect(sink.mails).toHaveLength(5);
			// En aperçu, rien à rattraper : l'aperçu du premier jour ouvré a été produit ce jour-là.
			expect((await runNode(reminder({ premierJourOuvre: true, dateReference: '2026-11-03' }), [workbook()])).items).toEqual([]);
		} finally {
			await sink.stop();
		}
	});

	it('éléments JSON : clauses et lignes de relevé mêlées, erreurs nommées, les autres clauses passent', async () => {
		const clauses = registre.slice(0, 4).map((c) => ({ ...c }));
		clauses[0].emailTitulaire = 'moreau@example.test\r\nBcc: espion@example.test';
		clauses[2].siret = '12345678901234';
		const lines = releves.filter((l) => clauses.some((c) => c.marche === l.marche && c.lot === l.lot));
		const { items } = await runNode({ ...reminder({ source: 'elements' }), onError: 'continueRegularOutput' }, [...clauses, ...lines]);
		expect(items).toHaveLength(4);
		expect(items[0].json.error).toBe(
			'Clause du marché 2025-TRX-031, lot 4 (élément 1), courriel du titulaire : «\u00a0moreau@example.test\u21b5Bcc: espion@example.test\u00a0» n\'est pas une adresse électronique valide',
		);
		expect(items[1].json.error).toContain('SIRET 12345678901234 a une clé de contrôle invalide');
		expect(decisionOf(items[2]).niveau).toBe('relance1');
		expect(decisionOf(items[3]).niveau).toBe('escalade');
	});

	it('une ligne de relevé illisible bloque sa seule clause, avec la feuille et la cellule', async () => {
		const clause = registre.find((c) => c.lot === '9')!;
		const bad = { marche: clause.marche, lot: clause.lot, mois: '13/2026', participant: 'X', heuresMois: 'trente' };
		const other = registre.find((c) => c.lot === '20')!;
		const { items, error } = await runNode({ ...reminder({ source: 'elements' }), onError: 'continueRegularOutput' }, [clause, other, bad]);
		expect(error('Nœud testé')).toBeUndefined();
		expect(items[0].json.error).toBe(
			"Ligne de relevé (marché 2025-TRX-031, lot 9, mois 13/2026) (élément 3), mois : «\u00a013/2026\u00a0» n'est pas un mois lisible (et une autre anomalie)",
		);
		expect((items[0].json.details as IDataObject).donnees).toMatchObject({ lignesEnAnomalie: 1 });
		expect(decisionOf(items[1]).niveau).toBe('escalade');
	});

	it('échappe le HTML et garde l’objet sur une ligne', async () => {
		const clause = { ...registre[1], intitule: 'Menuiseries <script>alert(1)</script>\nBcc: x@example.test' };
		const { items } = await runNode(reminder({ source: 'elements' }), [clause]);
		const envoi = envoiOf(items[0]);
		// Aucun relevé transmis depuis janvier 2026 : escalade.
		expect(envoi.objet).toBe('Dernière relance avant mise en demeure – Clause sociale : relevé d’heures d’insertion à transmettre – marché 2025-TRX-031, lot 9 (Menuiseries <script>alert(1)</script> Bcc: x@example.test)');
		expect(envoi.html).toContain('Menuiseries &lt;script&gt;alert(1)&lt;/script&gt;');
		expect(envoi.html).not.toContain('<script>');
	});

	it('lecture en flux d’un gros classeur : les accents coupés entre deux morceaux restent intacts', async () => {
		// exceljs 4.4.0 décode chaque morceau du flux à part ; le correctif de scripts/build.mjs décode en continu.
		const ExcelJS = (await import('exceljs')).default;
		const { PassThrough } = await import('node:stream');
		const out = new PassThrough();
		const chunks: Buffer[] = [];
		out.on('data', (chunk: Buffer) => chunks.push(chunk));
		const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false });
		const reg = wb.addWorksheet('Registre');
		// Un marché au nom accentué : une ligne mal décodée ne serait plus rattachée à sa clause.
		const clause: IDataObject = { ...registre[0], marche: 'Lycée Éléonore-d’Aquitaine – réhabilitation énergétique' };
		reg.addRow(['N° marché', 'N° lot', 'Titulaire', 'SIRET', 'Courriel du titulaire', 'Heures dues', 'Début d’exécution', 'Fin d’exécution', 'Facilitateur', 'Courriel du facilitateur', 'Acheteur', 'Courriel de l’acheteur']).commit();
		reg.addRow([clause.marche, clause.lot, clause.titulaire, clause.siret, clause.emailTitulaire, clause.heuresDues, clause.debutExecution, clause.finExecution, clause.facilitateur, clause.emailFacilitateur, clause.acheteur, clause.emailAcheteur]).commit();
		reg.commit();
		const rel = wb.addWorksheet('Relevés');
		rel.addRow(['N° marché', 'N° lot', 'Mois', 'Participant', 'Catégorie de public', 'Employeur', 'Modalité', 'Heures du mois']).commit();
		for (let i = 0; i < 12000; i++) {
			rel.addRow([clause.marche, clause.lot, '2026-10', `P${i}`, 'Bénéficiaire du RSA', 'Titulaire', 'Embauche directe', 0.01]).commit();
		}
		rel.commit();
		await wb.commit();
		const { items, error } = await runNode(reminder(), [binaryItem(Buffer.concat(chunks), 'gros-suivi.xlsx')]);
		expect(error('Nœud testé')).toBeUndefined();
		expect(items).toHaveLength(1);
		expect(decisionOf(items[0]).heuresDeclarees).toBe(120);
	});

	it('plusieurs versions du classeur de suivi : seule la plus récente est lue, les autres sont signalées', async () => {
		// Version écrite par la réception des relevés : une seule clause, relevé d’octobre reçu.
		const { workbookBuffer } = await import('../helpers/workbooks');
		const c = registre[1];
		const v2 = await workbookBuffer({
			Registre: [
				['N° marché', 'N° lot', 'Titulaire', 'SIRET', 'Courriel du titulaire', 'Heures dues', 'Début d’exécution', 'Fin d’exécution', 'Facilitateur', 'Courriel du facilitateur', 'Acheteur', 'Courriel de l’acheteur'],
				[c.marche, c.lot, c.titulaire, c.siret, c.emailTitulaire, c.heuresDues, c.debutExecution, c.finExecution, c.facilitateur, c.emailFacilitateur, c.acheteur, c.emailAcheteur],
			],
			Relevés: [['N° marché', 'N° lot', 'Mois', 'Participant', 'Catégorie de public', 'Employeur', 'Modalité', 'Heures du mois'], [c.marche, c.lot, '2026-10', 'P1', 'Bénéficiaire du RSA', 'Titulaire', 'Embauche directe', 0]],
		} as never);
		const { items, errorItems: summaries } = await runNode(reminder({ options: { syntheseSiNouveau: false } }), [
			workbook(),
			binaryItem(v2, 'suivi-clauses (v2 du 2026-11-23).xlsx'),
		]);
		expect(items.map((i) => `${i.json.marche}/${i.json.lot}`)).toEqual([`${c.marche}/${c.lot}`]);
		expect(summaries).toHaveLength(1);
		expect(String(summaries[0].json.texte)).toContain('Versions anciennes du classeur ignorées : suivi-clauses.xlsx (remplacé par suivi-clauses (v2 du 2026-11-23).xlsx).');
	});

	it('refuse un classeur sans feuille « Registre », en le disant', async () => {
		const wrong = await import('../helpers/workbooks').then((m) => m.workbookBuffer({ Feuil1: [['a'], [1]] }));
		const { error } = await runNode(reminder(), [binaryItem(wrong, 'suivi.xlsx')]);
		expect((error('Nœud testé') as { message: string }).message).toBe(
			'Fichier « suivi.xlsx », feuille : feuille « Registre » absente (feuilles trouvées : Feuil1) (et une autre anomalie)',
		);
	});
});
