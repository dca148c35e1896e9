/**
 * Plan de la relance (nodes/ClauseReminder/plan.ts) : il garde de chaque
 * courriel de quoi le résumer (destinataires, objet, clé), jamais son corps,
 * rendu au moment de l'envoi ou de l'aperçu puis libéré. Gardé dans le plan,
 * le corps faisait croître la mémoire de l'exécution avec le nombre de clauses
 * (banc de la relance) : ce test échoue s'il y revient.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';

import { readReminderParameters } from '../../nodes/ClauseReminder/parameters';
import type { Planned, PlannedMail } from '../../nodes/ClauseReminder/plan';
import { planReminders } from '../../nodes/ClauseReminder/plan';
import { PACKAGE_ROOT } from '../helpers/engine';

const SAMPLE = path.join(PACKAGE_ROOT, 'workflows', 'donnees-exemple');
const registre: IDataObject[] = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'registre-clauses.json'), 'utf8'));
const releves: IDataObject[] = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'releves-2026.json'), 'utf8'));

/** Contexte de nœud réduit à ce que lisent la lecture des paramètres et le plan sur des éléments (source « elements »). */
function context(items: IDataObject[]): IExecuteFunctions {
	const node: INode = { id: '1', name: 'Relance mensuelle', type: 'n8n-nodes-clauses-sociales.clauseReminder', typeVersion: 1, position: [0, 0], parameters: {} };
	const parameters: Record<string, unknown> = { mode: 'envoyer', source: 'elements', dateReference: '2026-11-02', premierJourOuvre: false, signature: 'La mission clauses sociales\nRégion', options: {} };
	const fake = {
		getNode: () => node,
		getInputData: () => items.map((json) => ({ json })),
		getNodeParameter: (name: string, _itemIndex: number, fallback?: unknown) => (name in parameters ? parameters[name] : fallback),
		getTimezone: () => 'Europe/Paris',
		continueOnFail: () => false,
	};
	return fake as unknown as IExecuteFunctions; // faux contexte : seules ces fonctions servent au plan sur des éléments
}

describe('plan de la relance mensuelle', () => {
	it('garde les destinataires et l’objet de chaque relance, pas son corps ; le corps rendu à la demande est le même courriel', async () => {
		const ctx = context([...registre, ...releves]);
		const plan = await planReminders(ctx, readReminderParameters(ctx));
		const withMail = plan.planned.filter((p): p is Planned & { mail: PlannedMail } => p.mail !== undefined);
		expect(withMail.length).toBeGreaterThanOrEqual(4);
		for (const p of withMail) expect(Object.keys(p.mail).sort()).toEqual(['cc', 'extras', 'subject', 'to']);
		// Aucun corps de courriel nulle part dans le plan (ni texte, ni HTML, ni pièce jointe).
		const kept = JSON.stringify(plan.planned);
		expect(kept).not.toContain('Madame, Monsieur');
		expect(kept).not.toContain('<p>');
		expect(kept).not.toContain('salutations distinguées');

		for (const p of withMail) {
			const mail = plan.renderMail(p);
			expect(mail).toMatchObject({ to: p.mail.to, cc: p.mail.cc, subject: p.mail.subject, cleMessage: p.decision.cleEnvoi });
			expect(mail.text).toContain('Madame, Monsieur');
			expect(mail.html).toContain(`marché n° ${p.clause.marche}`);
		}
		// Rendu à la demande : un nouvel objet à chaque fois, que l'envoi libère ; le plan n'en garde rien.
		expect(plan.renderMail(withMail[0])).not.toBe(plan.renderMail(withMail[0]));
		expect(JSON.stringify(plan.planned)).toBe(kept);
	});
});
