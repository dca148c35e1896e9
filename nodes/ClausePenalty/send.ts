/**
 * Envoi des avis (mode envoi) : seulement les lettres approuvées, une fois par
 * clause, étape et période (clé de non-redite, voir shared/send-once.ts). Mode
 * revue : tout est « aperçu ». Si seule l'adresse du titulaire est refusée, les
 * copies sont parties : la clé reste (pas de doublon aux copies), l'échec est
 * rapporté.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { sendOnce } from '../shared/send-once';
import type { PenaltyParameters } from './parameters';
import type { Outcome, Planned } from './types';

export async function sendNotices(ctx: IExecuteFunctions, planned: Planned[], parameters: PenaltyParameters): Promise<Map<Planned, Outcome>> {
	const outcomes = new Map<Planned, Outcome>();
	const notices = planned.filter((p) => p.notice);
	if (parameters.mode !== 'envoyer') {
		for (const p of notices) outcomes.set(p, 'aperçu');
		return outcomes;
	}
	const eligible = notices.filter((p) => !parameters.approved || parameters.approved.has(p.notice!.lettre.empreinte));
	for (const p of notices) if (!eligible.includes(p)) outcomes.set(p, 'non approuvé');
	const sent = await sendOnce(
		ctx,
		eligible.map((p) => ({ key: p.step.cleEnvoi!, mail: p.notice!.mail })),
		{ debitParSeconde: parameters.debitParSeconde, memoireEnvois: parameters.memoireEnvois },
	);
	for (const p of eligible) outcomes.set(p, sent.get(p.step.cleEnvoi!)!);
	return outcomes;
}
