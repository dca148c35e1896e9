/**
 * Relevé en ligne, cœur : liens signés (altérés, expirés, d'une autre clause
 * refusés en clair), lecture de la saisie envoyée, contrôle par les règles de
 * la réception des relevés avec les erreurs rangées par champ du formulaire,
 * page du formulaire (chaque champ étiqueté, erreur à côté de son champ).
 */

import type { OnlineSubmission, ReminderDecision, ReportLinkClaims } from '../../nodes/core';
import {
	REPORT_LINE_READER,
	RegisterIndex,
	ReportIntake,
	clauseKey,
	fieldErrors,
	linkClauseProblem,
	parseIntakeSettings,
	prefillLines,
	readRecord,
	readSubmission,
	renderOnlineForm,
	renderReminder,
	reportLinkUrl,
	signReportLink,
	submissionScopeProblem,
	submissionToReport,
	verifyReportLink,
} from '../../nodes/core';
import { sampleFollowUp } from './support';

const { releves, clauses, lot9 } = sampleFollowUp();

const PHRASE_LIENS = 'un-secret-de-test-assez-long-pour-signer-0123456789';
const NOW = new Date('2026-11-05T10:00:00Z');
const claims: ReportLinkClaims = { marche: lot9.marche, lot: lot9.lot, siret: lot9.siret, mois: '2026-10', expire: Date.parse('2026-12-31T23:00:00Z') / 1000 };
const token = signReportLink(PHRASE_LIENS, claims);

function flip(text: string, at: number): string {
	const c = text[at];
	return text.slice(0, at) + (c === 'A' ? 'B' : 'A') + text.slice(at + 1);
}

describe('liens signés', () => {
	it('un lien intact est accepté et rend sa clause et son mois', () => {
		expect(verifyReportLink(token, PHRASE_LIENS, NOW)).toEqual({ ok: true, claims });
		expect(reportLinkUrl('https://n8n.region.test/webhook/releve-en-ligne', token)).toBe(`https://n8n.region.test/webhook/releve-en-ligne?jeton=${token}`);
	});

	it.each([
		['une lettre de la charge utile changée', () => flip(token, 3)],
		['une lettre de la signature changée', () => flip(token, token.length - 5)],
		['la signature tronquée', () => token.slice(0, -4)],
		['sans signature', () => token.split('.')[0]],
		['un autre lot dans la charge utile, signature d’origine', () => `${Buffer.from(JSON.stringify([1, lot9.marche, '8', lot9.siret, '2026-10', claims.expire])).toString('base64url')}.${token.split('.')[1]}`],
		['signé par un autre secret', () => signReportLink(`${PHRASE_LIENS}-autre`, claims)],
		['vide', () => ''],
		['pas du texte', () => 42 as unknown as string],
	])('un lien altéré (%s) est refusé, en clair', (_label, make) => {
		const check = verifyReportLink(make(), PHRASE_LIENS, NOW);
		expect(check).toMatchObject({ ok: false, motif: 'altere' });
		if (!check.ok) expect(check.message).toMatch(/^Ce lien n’est pas valide : il a été modifié ou recopié incomplètement\./);
	});

	it('un lien expiré est refusé avec sa date d’expiration', () => {
		const check = verifyReportLink(token, PHRASE_LIENS, new Date('2027-01-02T00:00:00Z'));
		expect(check).toMatchObject({ ok: false, motif: 'expire' });
		if (!check.ok) expect(check.message).toMatch(/^Ce lien a expiré le 31 décembre 2026\. Utilisez le lien du dernier courriel de relance/);
	});

	it('un secret absent ou trop court : le relevé en ligne est fermé (et aucun lien ne se signe)', () => {
		expect(verifyReportLink(token, '', NOW)).toMatchObject({ ok: false, motif: 'secret' });
		expect(verifyReportLink(token, 'court', NOW)).toMatchObject({ ok: false, motif: 'secret' });
		expect(() => signReportLink('court', claims)).toThrow('trop court (5 caractères, 32 au moins)');
	});

	it('un lien d’un autre titulaire, ou d’une clause retirée du registre, est refusé', () => {
		expect(linkClauseProblem(claims, lot9)).toBeUndefined();
		expect(linkClauseProblem(claims, { ...lot9, siret: '12345678900011' })).toMatch(/adressé à un autre titulaire/);
		expect(linkClauseProblem(claims, undefined)).toMatch(/ne figure plus au registre des clauses/);
	});

	it('une saisie qui nomme une autre clause ou un autre mois que son lien est refusée', () => {
		const base: OnlineSubmission = { jeton: token, nonce: 'n'.repeat(24), action: 'enregistrer', neant: false, lines: [] };
		expect(submissionScopeProblem(base, claims)).toBeUndefined();
		expect(submissionScopeProblem({ ...base, marche: lot9.marche, lot: lot9.lot, mois: '2026-10' }, claims)).toBeUndefined();
		expect(submissionScopeProblem({ ...base, marche: '2026-AUT-001', lot: '1' }, claims)).toMatch(/^Ce lien ne donne accès qu’au marché 2025-TRX-031, lot 9 : la saisie d’une autre clause est refusée/);
		expect(submissionScopeProblem({ ...base, lot: '8' }, claims)).toMatch(/autre clause/);
		expect(submissionScopeProblem({ ...base, mois: '2026-09' }, claims)).toMatch(/^Ce lien ne donne accès qu’au relevé d’octobre 2026/);
	});
});

const NONCE = 'abcdefghijklmnopqrstuvwx';

function body(lines: Array<Record<string, string>>, extra: Record<string, string> = {}): Record<string, string> {
	const out: Record<string, string> = { jeton: token, nonce: NONCE, lignes: String(lines.length), action: 'enregistrer', ...extra };
	lines.forEach((line, i) => {
		for (const [k, v] of Object.entries(line)) out[`${k}_${i + 1}`] = v;
	});
	return out;
}

const good = (participant: string, heuresMois: string, extra: Record<string, string> = {}) => ({
	participant,
	categoriePublic: 'beneficiaireRsa',
	employeur: 'titulaire',
	modalite: 'embaucheDirecte',
	typeContrat: 'CDD',
	heuresMois,
	...extra,
});

function registerIndex(): RegisterIndex {
	const index = new RegisterIndex();
	for (const c of clauses) index.addClause(c);
	releves.forEach((l, i) => index.addLine(readRecord(REPORT_LINE_READER, l, `ligne ${i}`)));
	return index;
}

function check(fields: Record<string, string>) {
	const read = readSubmission(fields);
	if (!read.ok) throw new Error(read.message);
	const releve = submissionToReport(read.value, claims);
	const result = new ReportIntake(registerIndex(), parseIntakeSettings({ dateReception: '2026-11-05', moisDejaRecu: 'remplacer' })).receive(releve);
	return { submission: read.value, releve, result, errors: fieldErrors(result) };
}

describe('saisie envoyée', () => {
	it('lit les lignes numérotées ; les lignes vides sont ignorées', () => {
		const { submission, releve } = check(body([good('031-9-P01', '35,5'), {}, good('031-9-P02', '12')]));
		expect(submission.lines).toHaveLength(3);
		expect(releve.lines.map((l) => l.where)).toEqual(['ligne 1 du formulaire', 'ligne 3 du formulaire']);
		expect(releve.header).toEqual({ marche: lot9.marche, lot: lot9.lot, siret: lot9.siret, mois: '2026-10' });
	});

	it.each([
		['sans numéro de formulaire', { nonce: '' }],
		['nombre de lignes absent', { lignes: '' }],
		['plus de 100 lignes', { lignes: '101' }],
	])('refuse une enveloppe illisible (%s)', (_label, extra) => {
		const read = readSubmission({ ...body([good('P', '1')]), ...extra });
		expect(read.ok).toBe(false);
		if (!read.ok) expect(read.message).toMatch(/^Formulaire incomplet ou modifié \(.+\) : rouvrez le lien du courriel de relance\.$/);
	});

	it('mêmes règles que le classeur : chaque erreur est rangée sous son champ, en français', () => {
		const { result, errors } = check(
			body([
				good('031-9-P01', '35,x'),
				good('031-9-P02', '20', { categoriePublic: '' }),
				good('031-9-P03', '200'),
				good('031-9-P04', '10', { modalite: 'Au hasard' }),
				good('031-9-P05', '-3'),
				{ heuresMois: '12' },
			]),
		);
		expect(result.statut).toBe('refuse');
		expect(Object.keys(errors.byField).sort()).toEqual(['categoriePublic_2', 'heuresMois_1', 'heuresMois_3', 'heuresMois_5', 'modalite_4', 'participant_6'].sort());
		expect(errors.byField.heuresMois_1[0]).toMatch(/35,x/);
		expect(errors.byField.categoriePublic_2[0]).toMatch(/^Catégorie de public manquante.*\. Choisissez la catégorie dans la liste\.$/);
		expect(errors.byField.modalite_4[0]).toMatch(/Au hasard.*\. Choisissez dans la liste\.$/);
		expect(errors.byField.heuresMois_3[0]).toMatch(/^200.h pour une personne, au-delà de 151,67.h.*sans justification\. Vérifiez les heures.*expliquez-le dans le champ «.Justification.»\.$/);
		expect(errors.byField.participant_6[0]).toMatch(/^Heures déclarées sans participant\./);
		expect(errors.general).toEqual([]);
		expect(errors.count).toBe(6);
	});

	it('une saisie juste devient une version du mois, correction du relevé déjà reçu', () => {
		const { result, errors } = check(body([good('031-9-P01', '40'), good('031-9-P02', '200', { justification: 'Heures supplémentaires du chantier' })]));
		expect(errors.count).toBe(0);
		expect(result.statut).toBe('accepteAvecReserves');
		expect(result.versions['2026-10']).toMatch(/^2026-11-05 v\d$/);
		expect(result.lignes.every((l) => l.valeur?.mois === '2026-10')).toBe(true);
	});

	it('« aucune heure ce mois-ci » : une ligne néant ; cochée avec des heures, erreur sous la case', () => {
		const neant = check(body([{}], { neant: 'oui' }));
		expect(neant.errors.count).toBe(0);
		expect(neant.releve.lines.map((l) => l.raw.participant)).toEqual(['néant']);
		const both = check(body([good('031-9-P01', '10')], { neant: 'oui' }));
		expect(both.errors.byField.neant[0]).toMatch(/cochée alors que des heures sont saisies/);
		const empty = check(body([{}]));
		expect(empty.errors.byField.neant[0]).toMatch(/^Aucune ligne remplie\./);
	});
});

describe('relance', () => {
	it('offre le lien personnel de chaque mois manquant, en plus du modèle joint', () => {
		const decision = {
			niveau: 'relance1',
			moisManquants: [{ mois: '2026-09', libelle: 'septembre 2026' }, { mois: '2026-10', libelle: 'octobre 2026' }],
			moisReferenceLibelle: 'octobre 2026',
			heuresDeclarees: 100,
			heuresAttendues: 150,
			enRetard: true,
			ecart: 50,
		} as unknown as ReminderDecision;
		const liens = [
			{ mois: '2026-09', url: 'https://n8n.test/webhook/releve-en-ligne?jeton=a.b' },
			{ mois: '2026-10', url: 'https://n8n.test/webhook/releve-en-ligne?jeton=c&d' },
		];
		const message = renderReminder(lot9, decision, { signature: 'La mission', modeleJoint: true, releveEnLigne: { liens, expire: '2026-12-17' } });
		expect(message.text).toContain('au moyen des 2 modèles joints');
		expect(message.text).toContain('Vous pouvez aussi saisir ces relevés en ligne, sans fichier');
		expect(message.text).toContain('septembre 2026 : https://n8n.test/webhook/releve-en-ligne?jeton=a.b ; octobre 2026 : https://n8n.test/webhook/releve-en-ligne?jeton=c&d');
		expect(message.html).toContain('<a href="https://n8n.test/webhook/releve-en-ligne?jeton=c&amp;d">octobre 2026</a>');
		expect(message.html.match(/Vous pouvez aussi saisir/g)).toHaveLength(1);
		const without = renderReminder(lot9, decision, { signature: 'La mission', modeleJoint: true });
		expect(without.text).not.toContain('en ligne');
	});
});

describe('formulaire', () => {
	const view = (extra = {}) => ({
		clause: { ...lot9, titulaire: 'BTP <Ouest> & fils' },
		mois: '2026-10',
		jeton: token,
		nonce: NONCE,
		expire: '2026-12-31T23:00:00.000Z',
		heuresDues: 1200,
		heuresRealisees: 216,
		versionEnVigueur: 0,
		lines: [good('031-9-P01', '35') as Record<string, string>, {}],
		neant: false,
		prefill: 'precedent' as const,
		conservationMois: 60,
		...extra,
	});

	it('chaque champ a son étiquette ; tout ce qui vient des données est échappé', () => {
		const html = renderOnlineForm(view());
		const ids = [...html.matchAll(/<(?:input|select|textarea)[^>]* id="([^"]+)"/g)].map((m) => m[1]);
		expect(ids.length).toBe(17);
		for (const id of ids) expect(html).toContain(`<label for="${id}">`);
		expect(html).toContain('BTP &lt;Ouest&gt; &amp; fils');
		expect(html).not.toContain('<Ouest>');
		expect(html).toContain('<html lang="fr">');
		expect(html).toContain('conservés 5 ans');
		expect(html).toContain('<option value="beneficiaireRsa" selected>Bénéficiaire du RSA</option>');
	});

	it('une erreur s’affiche à côté de son champ, reliée à lui, et dans le résumé en tête', () => {
		const { errors } = check(body([good('031-9-P01', '35,x')]));
		const html = renderOnlineForm(view({ errors, lines: [good('031-9-P01', '35,x')] }));
		expect(html).toMatch(/<input id="heuresMois_1" name="heuresMois_1" [^>]*value="35,x" aria-invalid="true" aria-describedby="erreur-heuresMois_1"><p class="erreur" id="erreur-heuresMois_1">Erreur : /);
		expect(html).toContain('Le relevé n’est pas enregistré : 1 erreur à corriger');
		expect(html).toContain('<a href="#heuresMois_1">Heures d’insertion du mois, participant 1</a>');
	});

	it('pré-remplissage : le relevé du mois s’il est reçu, sinon les participants du dernier mois sans leurs heures', () => {
		const lines = releves.filter((l) => l.marche === '2025-TRX-031' && String(l.lot) === '9').map((l, i) => readRecord(REPORT_LINE_READER, l, `ligne ${i}`));
		const last = lines.filter((l) => l.mois === lines.map((x) => x.mois).sort().pop());
		const fromPrevious = prefillLines([], last);
		expect(fromPrevious.source).toBe('precedent');
		expect(fromPrevious.lines.length).toBe(last.filter((l) => l.participant).length);
		expect(fromPrevious.lines.every((l) => l.heuresMois === undefined && l.participant !== undefined)).toBe(true);
		const current = prefillLines(last, []);
		expect(current.source).toBe('mois');
		expect(current.lines.every((l) => l.heuresMois !== undefined)).toBe(true);
		expect(clauseKey(claims)).toBe(clauseKey(lot9));
	});
});
