/**
 * Envoi des avis (mode envoi) : seulement les lettres approuvées, une fois par
 * clause, étape et période (clé de non-redite, voir shared/send-once.ts). Mode
 * revue : tout est « aperçu ». Si seule l'adresse du titulaire est refusée, les
 * copies sont parties : la clé reste (pas de doublon aux copies), l'échec est
 * rapporté.
 *
 * Refus avant tout envoi (la clé de non-redite n'est pas consommée, l'avis
 * repassera en revue) :
 * - lettre non approuvée : son empreinte n'est pas dans la liste des empreintes
 *   approuvées ; une liste vide n'approuve rien. Seule l'option « Envoyer sans
 *   revue », choisie explicitement, lève ce contrôle ;
 * - mise en demeure dont le délai de réponse est échu à la date d'envoi (lettre
 *   datée à la revue, approuvée trop tard) : le titulaire n'aurait aucun délai.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { todayIn } from '../core';
import { sendOnceInRegister } from '../shared/send-once';
import type { PenaltyParameters } from './parameters';
import type { Outcome, Planned } from './types';

/** Lettre approuvée pour l'envoi ? Une liste vide n'approuve rien, sauf envoi sans revue explicite. */
function approval(p: Planned, parameters: PenaltyParameters): Outcome | undefined {
	if (parameters.approved.size === 0) return parameters.sansRevue ? undefined : { refus: 'sans approbation' };
	return parameters.approved.has(p.notice!.lettre.empreinte) ? undefined : { refus: 'non approuvé' };
}

export async function sendNotices(ctx: IExecuteFunctions, planned: Planned[], parameters: PenaltyParameters): Promise<Map<Planned, Outcome>> {
	const outcomes = new Map<Planned, Outcome>();
	const notices = planned.filter((p) => p.notice);
	if (parameters.mode !== 'envoyer') {
		for (const p of notices) outcomes.set(p, 'aperçu');
		return outcomes;
	}
	const dateEnvoi = todayIn(ctx.getTimezone());
	const eligible: Planned[] = [];
	for (const p of notices) {
		const echeance = p.step.echeanceMiseEnDemeure;
		const refused =
			approval(p, parameters) ??
			(p.step.etape === 'miseEnDemeure' && echeance !== undefined && echeance <= dateEnvoi ? { refus: 'délai échu' as const, dateEnvoi } : undefined);
		if (refused) outcomes.set(p, refused);
		else eligible.push(p);
	}
	const sent = await sendOnceInRegister(
		ctx,
		eligible.map((p) => ({ key: p.step.cleEnvoi!, mail: p.notice!.mail })),
		{ debitParSeconde: parameters.debitParSeconde, nature: 'avis de pénalité', bailSecondes: parameters.bailEnvoi },
	);
	for (const p of eligible) outcomes.set(p, sent.get(p.step.cleEnvoi!)!);
	return outcomes;
}
