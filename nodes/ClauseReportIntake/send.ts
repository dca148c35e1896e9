/** Accusés de réception : un par relevé enregistré, envoyé une seule fois (mode envoi) ou rendu pour relecture. */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { Acknowledgement, ReportResult } from '../core';
import { renderAcknowledgement } from '../core';
import type { OnceOutcome } from '../shared/send-once';
import { refusedHolder, sendOnceInRegister } from '../shared/send-once';
import type { IntakeParameters } from './parameters';
import type { Received } from './receive';

export type AckOutcome = OnceOutcome | 'aperçu' | 'sans destinataire';

export interface Acknowledgements {
	/** L'accusé de chaque relevé ; `undefined` : relevé non enregistré, pas acquitté. */
	acks: Array<Acknowledgement | undefined>;
	outcomes: Map<Acknowledgement, AckOutcome>;
}

function hasKey(a: Acknowledgement): a is Acknowledgement & { cle: string } {
	return a.cle !== null;
}

export async function acknowledge(ctx: IExecuteFunctions, results: ReadonlyArray<ReportResult | undefined>, received: Received, parameters: IntakeParameters): Promise<Acknowledgements> {
	const { signature, settings } = parameters;
	// Un relevé que le registre n'a pas enregistré n'est pas acquitté.
	const acks = results.map((r, i) => (r ? renderAcknowledgement(r, { signature, dateReception: received.dates.get(received.reports[i]) ?? settings.dateReception }) : undefined));
	const outcomes = new Map<Acknowledgement, AckOutcome>();
	const toSend: Array<Acknowledgement & { cle: string }> = [];
	for (const a of acks) {
		if (a === undefined) continue;
		if (hasKey(a)) toSend.push(a);
		else outcomes.set(a, 'sans destinataire');
	}
	if (parameters.mode !== 'envoyer' || toSend.length === 0) {
		for (const a of toSend) outcomes.set(a, 'aperçu');
		return { acks, outcomes };
	}
	const byKey = new Map(toSend.map((a) => [a.cle, a]));
	const sent = await sendOnceInRegister(
		ctx,
		toSend.map((a) => ({ key: a.cle, mail: { to: a.to, cc: a.cc, subject: a.subject, text: a.text, html: a.html, cleMessage: a.cle } })),
		{
			debitParSeconde: parameters.debitParSeconde,
			nature: 'accusé de réception',
			bailSecondes: parameters.bailEnvoi,
			// Titulaire refusé : l'accusé repartira à la prochaine exécution (la clé tient au relevé reçu, pas à l'adresse).
			liberer: (outcome, key) => refusedHolder(outcome, byKey.get(key)?.to ?? []) !== undefined,
		},
	);
	for (const a of toSend) {
		const outcome = sent.get(a.cle);
		if (outcome !== undefined) outcomes.set(a, outcome);
	}
	return { acks, outcomes };
}
