/**
 * Envoi « une seule fois » des courriels d'un nœud : chaque courriel a une clé
 * métier, inscrite dans la mémoire des éléments traités de n8n
 * (checkProcessedAndRecord, partagée entre exécutions et workers) avant l'envoi ;
 * une clé déjà connue n'est pas renvoyée ; un envoi en échec libère sa clé pour
 * la prochaine exécution. Une seule connexion SMTP pour tout le lot.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OutgoingMail, SendOutcome } from '../adapters';
import { Mailer } from '../adapters';
import { forEachLimited } from '../core';
import { SMTP_CREDENTIAL, smtpSettings, smtpSettingsProblems } from './smtp';

export interface KeyedMail {
	/** Clé de non-redite ; aussi la source du Message-ID (cleMessage). */
	key: string;
	/** Le courriel, ou sa préparation (pièces jointes produites au moment de l'envoi, puis libérées). */
	mail: OutgoingMail | (() => Promise<OutgoingMail>);
}

/**
 * Courriels préparés à l'avance pendant l'envoi : assez pour que la connexion SMTP
 * n'attende jamais une pièce jointe en cours de production, pas plus (mémoire bornée).
 * 8 laissait la connexion inoccupée par moments (banc de la relance : 10,1 s contre 8,9 s à 32).
 */
const MAILS_IN_FLIGHT = 32;

export type OnceOutcome = SendOutcome | 'déjà envoyé';

export interface SendOnceOptions {
	/** Courriels par seconde au plus ; 0 : sans limite. */
	debitParSeconde: number;
	/** Nombre de clés gardées par n8n pour ce workflow. */
	memoireEnvois: number;
	/** Libérer aussi la clé d'un envoi accepté par le serveur (par exemple : destinataire principal refusé). */
	liberer?: (outcome: SendOutcome, key: string) => boolean;
}

export async function sendOnce(ctx: IExecuteFunctions, mails: KeyedMail[], options: SendOnceOptions): Promise<Map<string, OnceOutcome>> {
	const outcomes = new Map<string, OnceOutcome>();
	if (mails.length === 0) return outcomes;
	const smtp = smtpSettings(await ctx.getCredentials(SMTP_CREDENTIAL));
	const problems = smtpSettingsProblems(smtp);
	if (problems.length > 0) {
		throw new NodeOperationError(ctx.getNode(), `Identifiant SMTP incomplet : ${problems.join(' ; ')}`, {
			description: 'Corrigez l’identifiant « SMTP (clauses sociales) » de ce nœud.',
		});
	}
	const dedup = { mode: 'entries' as const, maxEntries: options.memoireEnvois };
	const { processed } = await ctx.helpers.checkProcessedAndRecord(mails.map((m) => m.key), 'workflow', dedup);
	const already = new Set(processed.map(String));
	const mailer = new Mailer(smtp, { debitParSeconde: options.debitParSeconde });
	const failedKeys: string[] = [];
	try {
		await forEachLimited(mails, MAILS_IN_FLIGHT, async ({ key, mail }) => {
			if (already.has(key)) {
				outcomes.set(key, 'déjà envoyé');
				return;
			}
			const outcome = await mailer.send(typeof mail === 'function' ? await mail() : mail);
			outcomes.set(key, outcome);
			if (!outcome.ok || options.liberer?.(outcome, key)) failedKeys.push(key);
		});
	} finally {
		mailer.close();
		if (failedKeys.length > 0) await ctx.helpers.removeProcessed(failedKeys, 'workflow', dedup);
	}
	return outcomes;
}
