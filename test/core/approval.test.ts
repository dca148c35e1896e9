/**
 * Approbation, cœur : la page (en français, textes des données échappés, choix
 * et bouton), la décision postée validée (choix absent ou inconnu refusé, saisie
 * remise dans la page), la décision rendue et la page de confirmation, le délai.
 */
import {
	APPROVAL_BUTTON,
	ApprovalDelaySchema,
	approvalDeadline,
	approvalLines,
	approvalOutcome,
	readApprovalSubmission,
	renderApprovalPage,
	renderDecisionPage,
} from '../../nodes/core';

const view = {
	titre: 'Approbation des avis de pénalité',
	resume: '1 notification de pénalités : 9\u00a0000,00\u00a0€ HT notifiés ; 1 mise en demeure : 7\u00a0800,00\u00a0€ HT encourus',
	details: ['Marché 2025-TRX-039, lot 6 (Air Confort Argent) : notification de pénalités, 9\u00a0000,00\u00a0€ HT'],
	explication: 'Approuver : seules les lettres relues partent.\n\nRefuser : rien ne part.',
};

/** Le texte visible d'une page : balises, style et titre ôtés. */
const visible = (html: string) =>
	html
		.replace(/<style>[\s\S]*?<\/style>/, '')
		.replace(/<[^>]+>/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();

describe('page d’approbation', () => {
	it('en français : titre, rappel, détail, explication, deux choix, bouton ; rien d’anglais', () => {
		const html = renderApprovalPage(view);
		expect(html).toContain('<html lang="fr">');
		expect(html).toContain('<title>Approbation des avis de pénalité</title>');
		expect(html).toContain('<h1>Approbation des avis de pénalité</h1>');
		expect(html).toContain(`<strong>${view.resume}</strong>`);
		expect(html).toContain(`<li>${view.details[0]}</li>`);
		expect(html).toContain('<p>Approuver : seules les lettres relues partent.</p>\n<p>Refuser : rien ne part.</p>');
		expect(html).toContain('<input type="radio" id="decision-approuver" name="decision" value="approuver"> Approuver l’envoi</label>');
		expect(html).toContain('<input type="radio" id="decision-refuser" name="decision" value="refuser"> Refuser l’envoi</label>');
		expect(html).toContain(`<button type="submit">${APPROVAL_BUTTON}</button>`);
		// Formulaire posté à l'adresse de la page (sa signature comprise) : pas d'action.
		expect(html).toMatch(/<form method="post">/);
		expect(visible(html)).not.toMatch(/\b(Submit|Send|My form|Got it|Form|Choose|Yes|No)\b/);
		// Aucun choix présélectionné : l'acheteur décide.
		expect(html).not.toContain('checked');
	});

	it('échappe tout texte venu des données (titre, résumé, détail, explication, saisie remise)', () => {
		const hostile = '<script>alert("x")</script> & \'o\'';
		const html = renderApprovalPage(
			{ titre: hostile, resume: hostile, details: [hostile], explication: hostile },
			{ erreur: hostile, draft: { decision: 'approuver', nom: '"><img src=x onerror=alert(1)>', commentaire: '</textarea><script>1</script>' } },
		);
		expect(html).not.toContain('<script>');
		expect(html).not.toContain('<img');
		expect(html).not.toContain('</textarea><script>');
		expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;o&#39;');
		expect(html).toContain('value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
	});

	it('lignes du détail : une par élément, puces « • » ou « - » ôtées, lignes vides ignorées', () => {
		expect(approvalLines('• Marché A : 10 €\n\n- Marché B : 20 €\r\n  Marché C  \n')).toEqual(['Marché A : 10 €', 'Marché B : 20 €', 'Marché C']);
		expect(approvalLines('')).toEqual([]);
	});
});

describe('décision postée', () => {
	it('approuver ou refuser, nom et commentaire facultatifs, espaces ôtés', () => {
		expect(readApprovalSubmission({ decision: 'approuver', nom: '  Claire Martin ', commentaire: 'Vu.' })).toEqual({
			ok: true,
			value: { decision: 'approuver', nom: 'Claire Martin', commentaire: 'Vu.' },
		});
		expect(readApprovalSubmission({ decision: ['approuver', 'refuser'] })).toEqual({ ok: true, value: { decision: 'refuser' } });
	});

	it('sans décision, ou une décision inconnue : message français qui dit quoi faire, saisie gardée', () => {
		for (const body of [{}, { decision: '' }, { decision: 'Approuver l’envoi' }, { decision: 'oui' }, null, 'decision=approuver']) {
			const read = readApprovalSubmission(body);
			expect(read.ok).toBe(false);
			if (read.ok) continue;
			expect(read.message).toBe(
				'Décision non enregistrée (Décision : choisissez « Approuver l’envoi » ou « Refuser l’envoi »). Corrigez, puis cliquez sur « Enregistrer ma décision ».',
			);
		}
		const read = readApprovalSubmission({ nom: 'Claire', commentaire: 'À revoir' });
		expect(read).toMatchObject({ ok: false, draft: { nom: 'Claire', commentaire: 'À revoir' } });
		if (read.ok) throw new Error('refus attendu');
		const html = renderApprovalPage(view, { erreur: read.message, draft: read.draft });
		expect(html).toContain('role="alert"');
		expect(html).toContain('value="Claire"');
		expect(html).toContain('>À revoir</textarea>');
	});

	it('commentaire trop long : refusé, avec sa limite', () => {
		const read = readApprovalSubmission({ decision: 'refuser', commentaire: 'x'.repeat(2001) });
		expect(read).toMatchObject({ ok: false });
		if (!read.ok) expect(read.message).toContain('Commentaire : 2000 caractères au plus');
	});

	it('décision rendue : choix, booléen, auteur s’il est donné, commentaire, heure', () => {
		const now = new Date('2026-12-07T09:15:00Z');
		expect(approvalOutcome({ decision: 'approuver', nom: 'Claire Martin', commentaire: 'Vu.' }, now)).toEqual({
			decision: 'approuvé',
			approuve: true,
			decidePar: 'Claire Martin',
			commentaire: 'Vu.',
			decideLe: '2026-12-07T09:15:00.000Z',
		});
		expect(approvalOutcome({ decision: 'refuser' }, now)).toEqual({ decision: 'refusé', approuve: false, decidePar: null, commentaire: '', decideLe: '2026-12-07T09:15:00.000Z' });
	});

	it('page de confirmation : titre et message de la décision, échappés', () => {
		const messages = { titreApprouve: 'Envoi approuvé', messageApprouve: 'Les avis partent <maintenant>.', titreRefuse: 'Envoi refusé', messageRefuse: 'Rien ne part.' };
		const now = new Date();
		const approved = renderDecisionPage(approvalOutcome({ decision: 'approuver' }, now), messages);
		expect(approved).toContain('<h1>Envoi approuvé</h1>');
		expect(approved).toContain('<p>Les avis partent &lt;maintenant&gt;.</p>');
		const refused = renderDecisionPage(approvalOutcome({ decision: 'refuser' }, now), messages);
		expect(refused).toContain('<h1>Envoi refusé</h1>');
		expect(refused).toContain('<p>Rien ne part.</p>');
	});
});

describe('délai d’attente', () => {
	const now = new Date('2026-12-07T08:00:00Z');
	it('en jours ou en heures ; sans limite : aucune échéance', () => {
		expect(approvalDeadline({ limiter: true, duree: 6, unite: 'jours' }, now)?.toISOString()).toBe('2026-12-13T08:00:00.000Z');
		expect(approvalDeadline({ limiter: true, duree: 2, unite: 'heures' }, now)?.toISOString()).toBe('2026-12-07T10:00:00.000Z');
		expect(approvalDeadline({ limiter: false, duree: 6, unite: 'jours' }, now)).toBeUndefined();
	});
});

it('délai d’attente : un an au plus dans l’unité choisie (365 jours, 8 760 heures)', () => {
	expect(ApprovalDelaySchema.safeParse({ limiter: true, duree: 365, unite: 'jours' }).success).toBe(true);
	expect(ApprovalDelaySchema.safeParse({ limiter: true, duree: 8760, unite: 'heures' }).success).toBe(true);
	const tooLong = ApprovalDelaySchema.safeParse({ limiter: true, duree: 366, unite: 'jours' });
	expect(tooLong.success).toBe(false);
	expect(tooLong.error?.issues[0]).toMatchObject({ path: ['duree'], message: 'un an au plus (365 jours ou 8 760 heures)' });
});
