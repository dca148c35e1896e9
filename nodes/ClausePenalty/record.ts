/**
 * Étapes de pénalité consignées au registre des clauses : dès qu'une mise en
 * demeure ou une notification part (envoyée, ou renvoyée après une exécution
 * interrompue : « incertain »), sa fiche « penalite » est écrite avec la date
 * de la lettre, l'échéance, les montants, la date d'envoi et l'identifiant du
 * message. L'exécution suivante la relit (source « registre ») : la
 * notification suit d'elle-même l'expiration du délai, personne ne recopie de
 * date. Un avis « déjà envoyé » sans fiche (exécution arrêtée entre l'envoi
 * et l'écriture) est consigné d'après l'envoi gardé au registre.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { PenaltyStepRecord } from '../core';
import { PenaltyStepRecordSchema, addDays, clauseKey, penaltyStepKey, todayIn } from '../core';
import { openRegister } from '../shared/register';
import type { PenaltyParameters } from './parameters';
import type { Outcome, Planned } from './types';

/** Ce que le registre a gardé de l'étape d'un avis parti. */
export type StepRecording = { cle: string; version: number; nouvelle: boolean } | { cle: string; erreur: string };

/** L'avis est-il parti chez le titulaire (envoyé, ou renvoyé après interruption) ? */
function delivered(p: Planned, outcome: Outcome | undefined): outcome is Extract<Outcome, { ok: true }> {
	if (!p.notice || outcome === undefined || typeof outcome !== 'object' || 'refus' in outcome || !outcome.ok) return false;
	const to = p.notice.mail.to.map((t) => t.toLowerCase());
	return !outcome.rejected.some((r) => to.includes(r.adresse.toLowerCase()));
}

function stepOf(p: Planned): 'miseEnDemeure' | 'notification' | undefined {
	return p.step.etape === 'miseEnDemeure' || p.step.etape === 'notification' ? p.step.etape : undefined;
}

export async function recordPenaltySteps(ctx: IExecuteFunctions, planned: Planned[], outcomes: Map<Planned, Outcome>, parameters: PenaltyParameters): Promise<Map<Planned, StepRecording>> {
	const recordings = new Map<Planned, StepRecording>();
	if (parameters.mode !== 'envoyer') return recordings;
	const concerned = planned.filter((p) => stepOf(p) !== undefined && (delivered(p, outcomes.get(p)) || outcomes.get(p) === 'déjà envoyé'));
	if (concerned.length === 0) return recordings;
	const today = todayIn(ctx.getTimezone());
	const register = await openRegister(ctx);
	try {
		for (const p of concerned) {
			const etape = stepOf(p)!;
			const a = p.assessment;
			const key = penaltyStepKey(clauseKey(p.clause), etape, a.periode);
			const outcome = outcomes.get(p);
			try {
				let sent: { date: string; dateEnvoi: string; messageId?: string; incertain: boolean };
				if (outcome === 'déjà envoyé') {
					// Parti lors d'une exécution précédente : consigné seulement s'il manque (arrêt entre l'envoi et l'écriture).
					if (await register.get('penalite', key)) continue;
					const message = await register.message(p.step.cleEnvoi!);
					const dateEnvoi = message?.sentAt ? todayIn(ctx.getTimezone(), new Date(message.sentAt)) : today;
					// Lettre d'origine inconnue : le délai court au plus tôt de l'envoi (jamais moins que ce que le titulaire a reçu).
					sent = { date: dateEnvoi > a.dateCalcul ? dateEnvoi : a.dateCalcul, dateEnvoi, messageId: message?.messageId, incertain: false };
				} else if (delivered(p, outcome)) {
					sent = { date: a.dateCalcul, dateEnvoi: today, messageId: outcome.messageId, incertain: outcome.incertain === true };
				} else continue;
				const record: PenaltyStepRecord = PenaltyStepRecordSchema.parse({
					marche: p.clause.marche,
					lot: p.clause.lot,
					etape,
					date: sent.date,
					periode: a.periode,
					montantHT: a.total,
					sommeLignesHT: a.sommeLignes,
					dateEnvoi: sent.dateEnvoi,
					echeanceMiseEnDemeure:
						etape === 'miseEnDemeure' && sent.date !== a.dateCalcul ? addDays(sent.date, a.parametres.delaiMiseEnDemeureJours.valeur) : p.step.echeanceMiseEnDemeure,
					statutEnvoi: sent.incertain ? 'incertain' : 'envoyé',
					messageId: sent.messageId,
					cleEnvoi: p.step.cleEnvoi!,
					lettre: p.notice?.lettre.fileName,
					empreinteLettre: p.notice?.lettre.empreinte,
				});
				const result = await register.put('penalite', key, record, 'avis de pénalité');
				recordings.set(p, { cle: key, version: result.version, nouvelle: result.changed });
			} catch (error) {
				recordings.set(p, { cle: key, erreur: error instanceof Error ? error.message : String(error) });
			}
		}
	} finally {
		await register.close();
	}
	return recordings;
}
