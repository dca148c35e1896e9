/**
 * Envoi des avis (mode envoi) : lettres approuvées seulement, clé de non-redite
 * par clause, étape et période inscrite dans la mémoire des éléments traités de
 * n8n avant l'envoi (exécutions et workers), une seule connexion SMTP, clé
 * libérée si l'envoi échoue. Mode revue : tout est « aperçu ».
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { Mailer } from '../adapters';
import { SMTP_CREDENTIAL, smtpSettings, smtpSettingsProblems } from '../shared/smtp';
import type { PenaltyParameters } from './parameters';
import type { Outcome, Planned } from './types';

export async function sendNotices(ctx: IExecuteFunctions, planned: Planned[], parameters: PenaltyParameters): Promise<Map<Planned, Outcome>> {
	const outcomes = new Map<Planned, Outcome>();
	const notices = planned.filter((p) => p.notice);
	if (parameters.mode !== 'envoyer') {
		for (const p of notices) outcomes.set(p, 'aperçu');
		return outcomes;
	}
	const eligible = notices.filter((p) => {
		if (parameters.approved && !parameters.approved.has(p.notice!.lettre.empreinte)) {
			outcomes.set(p, 'non approuvé');
			return false;
		}
		return true;
	});
	if (eligible.length === 0) return outcomes;
	const smtp = smtpSettings(await ctx.getCredentials(SMTP_CREDENTIAL));
	const problems = smtpSettingsProblems(smtp);
	if (problems.length > 0) {
		throw new NodeOperationError(ctx.getNode(), `Identifiant SMTP incomplet : ${problems.join(' ; ')}`, {
			description: 'Corrigez l’identifiant « SMTP (clauses sociales) » de ce nœud.',
		});
	}
	const dedup = { mode: 'entries' as const, maxEntries: parameters.memoireEnvois };
	const { processed } = await ctx.helpers.checkProcessedAndRecord(eligible.map((p) => p.step.cleEnvoi!), 'workflow', dedup);
	const already = new Set(processed.map(String));
	const mailer = new Mailer(smtp, { debitParSeconde: parameters.debitParSeconde });
	const failedKeys: string[] = [];
	try {
		await Promise.all(
			eligible.map(async (p) => {
				if (already.has(p.step.cleEnvoi!)) {
					outcomes.set(p, 'déjà envoyé');
					return;
				}
				const outcome = await mailer.send(p.notice!.mail);
				outcomes.set(p, outcome);
				// Un envoi échoué libère sa clé : la prochaine exécution le retentera.
				// Titulaire refusé mais copies parties : la clé reste (pas de doublon aux copies).
				if (!outcome.ok) failedKeys.push(p.step.cleEnvoi!);
			}),
		);
	} finally {
		mailer.close();
		if (failedKeys.length > 0) await ctx.helpers.removeProcessed(failedKeys, 'workflow', dedup);
	}
	return outcomes;
}
