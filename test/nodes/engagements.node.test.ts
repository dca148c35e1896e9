/**
 * Les autres considérations sociales par le moteur de n8n, sur le registre
 * SQLite par défaut et un vrai serveur SMTP local : « Registre des clauses »
 * déclare l'engagement et enregistre son justificatif ; « Engagements sociaux »
 * relance l'échéance passée, met en demeure après le délai de relance, laisse
 * la pénalité à approuver, puis la notifie, une seule fois chacune ; le bilan
 * en rend compte.
 */
import type { IDataObject } from 'n8n-workflow';

import { Register, SqliteDatabase } from '../../nodes/adapters/register';
import { defaultRegisterPath, registerMessages, resetRegister, runNode } from '../helpers/engine';
import { SmtpSink } from '../helpers/smtp-sink';

const smtp = (port: number) => ({
	clausesSocialesSmtpApi: { host: '127.0.0.1', port, securite: 'aucune', expediteurNom: 'Mission clauses sociales', expediteurEmail: 'clauses-sociales@region.example.test' },
});

const NOTIFICATION: IDataObject = {
	marche: '2026-TRX-014',
	lot: '1',
	dateNotification: '2027-01-18',
	titulaire: 'Bâtiments Moreau et Fils',
	siret: '88443430614252',
	emailTitulaire: 'batiments-moreau-et-fils@example.test',
	contactTitulaire: 'Julien Moreau',
	facilitateur: 'PLIE du Val d’Argent',
	emailFacilitateur: 'clauses@plie-val-argent.example.test',
	acheteur: 'Direction des lycées – service des travaux',
	emailAcheteur: 'travaux-lycees@region-val-argent.example.test',
	debutExecution: '2027-02-01',
	finExecution: '2028-09-29',
	heuresDues: 420,
};

const ENGAGEMENT: IDataObject = {
	marche: '2026-TRX-014',
	lot: '1',
	numero: 'AQ-1',
	type: 'action qualitative',
	libelle: 'Organiser deux visites de chantier pour des demandeurs d’emploi',
	indicateur: 'visites organisées',
	unite: 'visites',
	echeances: [{ date: '2027-06-30', libelle: 'premier semestre', cible: 2 }, { date: '2027-12-31' }],
};

const registerNode = (operation: string) => ({ type: 'clauseRegister', parameters: { operation } });
const follow = (parameters: IDataObject) => ({
	type: 'clauseCommitment',
	parameters: { operation: 'suivre', mode: 'envoyer', ...parameters },
	credentials: { clausesSocialesSmtpApi: { id: 'smtp', name: 'SMTP' } },
});

async function engagementVersions() {
	const register = await Register.open(await SqliteDatabase.open({ file: defaultRegisterPath() }));
	try {
		return await register.versions('engagement', '2026trx014/1#aq1');
	} finally {
		await register.close();
	}
}

describe('nœuds « Registre des clauses » et « Engagements sociaux » (moteur de n8n)', () => {
	let sink: SmtpSink;
	beforeAll(async () => {
		resetRegister();
		sink = await new SmtpSink().start();
	});
	afterAll(async () => sink.stop());

	it('déclarer un engagement exige son lot au registre : erreur française qui dit quoi faire', async () => {
		const failed = await runNode(registerNode('declarerEngagement'), [ENGAGEMENT]);
		const error = failed.error('Nœud testé');
		expect(error?.message).toBe('Élément 1 (marché 2026-TRX-014, lot 1, engagement AQ-1), lot : ni le lot 1 du marché 2026-TRX-014 ni sa clause ne sont au registre');
		expect(error?.description).toContain('Enregistrez d’abord l’étude du lot');
	});

	it('déclare l’engagement sur la clause notifiée, puis le redéclarer ne crée pas de version', async () => {
		const notified = await runNode(registerNode('enregistrerNotification'), [NOTIFICATION]);
		expect(notified.error()).toBeUndefined();
		const first = await runNode(registerNode('declarerEngagement'), [ENGAGEMENT]);
		expect(first.error()).toBeUndefined();
		expect(first.items.map((i) => i.json)).toEqual([
			{ cle: '2026trx014/1#aq1', marche: '2026-TRX-014', lot: '1', numero: 'AQ-1', version: 1, etat: 'créé', nature: 'actionQualitative', echeances: ['2027-06-30', '2027-12-31'], origine: 'déclaré au registre' },
		]);
		const again = await runNode(registerNode('declarerEngagement'), [ENGAGEMENT]);
		expect(again.items[0].json).toMatchObject({ version: 1, etat: 'inchangé' });
	});

	it('en aperçu : le courriel de relance est produit, rien ne part ni n’est consigné', async () => {
		const { items, error } = await runNode({ ...follow({ mode: 'apercu', dateSuivi: '2027-07-02' }), credentials: undefined }, [{}]);
		expect(error()).toBeUndefined();
		const [first, second] = items.map((i) => i.json);
		expect(first).toMatchObject({ echeance: '2027-06-30', etat: 'à relancer', etape: 'relance', envoi: { statut: 'aperçu' } });
		expect(second).toMatchObject({ echeance: '2027-12-31', etat: 'à venir', etape: null });
		expect((first.courriel as IDataObject).a).toEqual(['batiments-moreau-et-fils@example.test']);
		expect(await registerMessages()).toEqual([]);
		expect(sink.mails).toHaveLength(0);
	});

	it('échéance passée sans justificatif : relance, puis mise en demeure après le délai, une fois chacune', async () => {
		const relance = await runNode(follow({ dateSuivi: '2027-07-02' }), [{}], { credentials: smtp(sink.port) });
		expect(relance.error()).toBeUndefined();
		expect(relance.items[0].json).toMatchObject({ etat: 'à relancer', etape: 'relance', envoi: { statut: 'envoyé' } });
		await sink.waitFor(1);
		expect(sink.mails[0].parsed.subject).toBe('Engagement social à justifier – marché 2026-TRX-014, lot 1 – échéance du 30 juin 2027');
		expect(sink.mails[0].envelope.to.sort()).toEqual(['batiments-moreau-et-fils@example.test', 'clauses@plie-val-argent.example.test']);

		const sameDay = await runNode(follow({ dateSuivi: '2027-07-10' }), [{}], { credentials: smtp(sink.port) });
		expect(sameDay.items[0].json).toMatchObject({ etat: 'relancé', envoi: { statut: 'rien à envoyer' } });

		const demeure = await runNode(follow({ dateSuivi: '2027-07-17' }), [{}], { credentials: smtp(sink.port) });
		expect(demeure.items[0].json).toMatchObject({ etat: 'à mettre en demeure', etape: 'mise en demeure', dateLimite: '2027-08-01', envoi: { statut: 'envoyé' } });
		await sink.waitFor(2);
		expect(sink.mails[1].parsed.subject).toBe('Mise en demeure – engagement social non justifié – marché 2026-TRX-014, lot 1');
		expect(sink.mails[1].parsed.text).toContain('au plus tard le 1er août 2027');
		expect(sink.mails[1].envelope.to).toContain('travaux-lycees@region-val-argent.example.test');

		const versions = await engagementVersions();
		expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
		expect((versions[2].data as { etapes: unknown[] }).etapes).toEqual([
			expect.objectContaining({ echeance: '2027-06-30', etape: 'relance', date: '2027-07-02' }),
			expect.objectContaining({ echeance: '2027-06-30', etape: 'mise en demeure', date: '2027-07-17', dateLimite: '2027-08-01' }),
		]);
	});

	it('après la date limite : pénalité à approuver, puis notifiée sur option, avec son montant et sa source', async () => {
		const review = await runNode(follow({ dateSuivi: '2027-08-04' }), [{}], { credentials: smtp(sink.port) });
		expect(review.items[0].json).toMatchObject({ etat: 'à pénaliser', etape: 'pénalité', penalite: { joursRetard: 3, montant: 300, tauxJour: 100 }, envoi: { statut: 'à approuver' } });
		expect(String((review.items[0].json.penalite as IDataObject).source)).toContain('CCAP');
		await new Promise((r) => setTimeout(r, 300));
		expect(sink.mails).toHaveLength(2);

		const sent = await runNode(follow({ dateSuivi: '2027-08-04', envoyerPenalites: true, penaliteJour: 150, sourcePenalite: 'CCAP du marché, article 9.3' }), [{}], { credentials: smtp(sink.port) });
		expect(sent.items[0].json).toMatchObject({ penalite: { montant: 450, source: 'CCAP du marché, article 9.3' }, envoi: { statut: 'envoyé' } });
		await sink.waitFor(3);
		expect(sink.mails[2].parsed.text).toContain('une pénalité de 450,00\u00a0€ HT, soit 3 jours de retard à 150,00\u00a0€ HT par jour');
		const after = await runNode(follow({ dateSuivi: '2027-09-01', envoyerPenalites: true }), [{}], { credentials: smtp(sink.port) });
		expect(after.items[0].json).toMatchObject({ etat: 'pénalisé', envoi: { statut: 'rien à envoyer' } });
		expect((await registerMessages()).filter((m) => m.status === 'envoyé')).toHaveLength(3);
	});

	it('un justificatif enregistré arrête le suivi de son échéance ; le bilan le compte', async () => {
		const bad = await runNode(registerNode('enregistrerJustificatif'), [{ marche: '2026-TRX-014', lot: '1', numero: 'AQ-1', echeance: '2027-11-30', dateReception: '2028-01-05' }]);
		expect(bad.error('Nœud testé')?.message).toContain('le 30 novembre 2027 n’est pas une échéance de l’engagement AQ-1');
		const proof = await runNode(registerNode('enregistrerJustificatif'), [{ marche: '2026-TRX-014', lot: '1', numero: 'AQ-1', echeance: '2027-12-31', dateReception: '2027-12-20', valeur: '2', piece: 'comptes rendus des visites' }]);
		expect(proof.items[0].json).toMatchObject({ echeance: '2027-12-31', etat: 'modifié' });
		const late = await runNode(follow({ dateSuivi: '2028-01-10' }), [{}], { credentials: smtp(sink.port) });
		expect(late.items.map((i) => i.json.etat)).toEqual(['pénalisé', 'justifié']);

		const bilan = await runNode({ type: 'clauseCommitment', parameters: { operation: 'bilan', debut: '2027-01-01', fin: '2027-12-31' } }, [{}]);
		expect(bilan.error()).toBeUndefined();
		expect(bilan.items[0].json).toMatchObject({ section: 'Autres considérations sociales', engagements: 1, echeances: 2, justifiees: 1, relances: 1, misesEnDemeure: 1, penalites: 1, montantPenalites: 450 });

		// Le bilan annuel du registre porte la même section.
		const annual = await runNode({ type: 'clauseBilan', parameters: { source: 'registre', debut: '2027-01', fin: '2027-12', pdfElus: false } }, [{}]);
		expect(annual.error()).toBeUndefined();
		expect(annual.items[0].json.autresConsiderationsSociales).toEqual(bilan.items[0].json);
		expect(String(bilan.items[0].json.texte)).toContain('1 relance, 1 mise en demeure, 1 pénalité notifiée pour 450,00\u00a0€ HT.');
	});
});

describe('description du nœud « Engagements sociaux »', () => {
	it('les défauts écrits dans la description sont ceux du cœur (le linter exige des valeurs écrites)', () => {
		const { COMMITMENT_PROPERTIES } = jest.requireActual('../../nodes/ClauseCommitment/description');
		const { COMMITMENT_DEFAULTS } = jest.requireActual('../../nodes/core/commitments');
		const byName = Object.fromEntries((COMMITMENT_PROPERTIES as Array<{ name: string; default: unknown }>).map((p) => [p.name, p.default]));
		expect(byName).toMatchObject({
			delaiRelanceJours: COMMITMENT_DEFAULTS.delaiRelanceJours.valeur,
			delaiMiseEnDemeureJours: COMMITMENT_DEFAULTS.delaiMiseEnDemeureJours.valeur,
			penaliteJour: COMMITMENT_DEFAULTS.penaliteJour.valeur,
			sourcePenalite: COMMITMENT_DEFAULTS.penaliteJour.source,
		});
	});
});
