/**
 * Envoi « une seule fois » des courriels d'un nœud, sûr en cas de panne.
 *
 * Chaque courriel a une clé métier. Juste avant son envoi, il est réservé
 * dans le registre des clauses sous cette clé (sa propre transaction validée,
 * clé unique : deux exécutions simultanées ne réservent jamais le même), puis
 * marqué envoyé avec la réponse du serveur et le Message-ID. Un refus définitif
 * (5xx) est gardé en échec avec son motif ; un refus temporaire (4xx, délai
 * dépassé, connexion perdue) libère la réservation pour la prochaine
 * exécution. Une réservation laissée « en cours » par un arrêt brutal est
 * reprise après expiration de son bail, renvoyée avec le même Message-ID et
 * signalée « incertaine » (le titulaire a pu la recevoir) : jamais perdue.
 *
 * Registre SQLite : l'issue d'un envoi est validée avec la réservation du
 * courriel suivant (une validation par courriel au lieu de deux), dès qu'un
 * courriel attend sa réservation ; sinon (fin du lot, courriels suivants pas
 * encore prêts) elle est validée aussitôt, et toujours avant la fin du nœud.
 * Mesuré (banc de la relance) : la validation d'une écriture SQLite
 * (synchronous=FULL) bloque Node le temps de l'écriture sur disque, et les deux
 * validations par courriel prenaient plus du quart de la phase d'envoi. Depuis,
 * le registre des envois (`sendOnceInRegister`) ouvre sa connexion SQLite dans un
 * fil de travail : la validation attend le disque là-bas, pendant que Node envoie
 * le courriel précédent (0,65 ms par courriel qui bloquaient Node).
 * Un arrêt brutal laisse toujours au plus CLAIMS_IN_FLIGHT courriels « en
 * cours » : chaque validation d'une réservation consigne d'abord toutes les
 * issues en attente, si bien qu'une issue non validée ne coexiste jamais avec
 * une réservation plus récente. PostgreSQL valide sur le serveur, sans bloquer
 * Node : l'issue y est validée aussitôt, comme avant (une réservation dans une
 * transaction y prendrait le verrou d'écriture du registre).
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Claim, OutgoingMail, Register, RejectedRecipient, SendOutcome, Settlement, SmtpSettings } from '../adapters';
import { Mailer, RegisterError, SEND_BUDGET_SPENT, messageIdFor } from '../adapters';
import { forEachLimited } from '../core';
import { openRegister } from './register';
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

/**
 * Réservations ouvertes en même temps : deux, pour qu'une réservation se fasse
 * pendant l'envoi du courriel précédent ; un arrêt brutal laisse ainsi au plus
 * deux courriels « incertains ».
 */
const CLAIMS_IN_FLIGHT = 2;

/** Bail par défaut d'une réservation : au-delà, un envoi « en cours » est tenu pour interrompu. */
export const DEFAULT_LEASE_SECONDS = 120;

export type OnceOutcome =
	| (SendOutcome & { /** renvoi d'un envoi interrompu (même Message-ID) */ incertain?: boolean })
	| 'déjà envoyé'
	| 'en cours ailleurs';

export interface SendOnceOptions {
	/** Courriels par seconde au plus ; 0 : sans limite. */
	debitParSeconde: number;
	/** Nature des courriels (relance, accusé, avis), gardée dans le registre. */
	nature: string;
	/** Bail d'une réservation (s) ; par défaut DEFAULT_LEASE_SECONDS. */
	bailSecondes?: number;
	/** Ne pas tenir pour envoyé un courriel accepté par le serveur (par exemple : destinataire principal refusé). */
	liberer?: (outcome: SendOutcome, key: string) => boolean;
}

/** Sémaphore minimal : au plus `limit` sections critiques à la fois ; `waiting` : celles qui attendent leur tour. */
function gate(limit: number): { run: <T>(fn: () => Promise<T>) => Promise<T>; waiting: () => number } {
	let active = 0;
	const waiting: Array<() => void> = [];
	return {
		waiting: () => waiting.length,
		run: async (fn) => {
			if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
			active += 1;
			try {
				return await fn();
			} finally {
				active -= 1;
				waiting.shift()?.();
			}
		},
	};
}

export async function sendOnce(ctx: IExecuteFunctions, register: Register, mails: KeyedMail[], options: SendOnceOptions): Promise<Map<string, OnceOutcome>> {
	if (mails.length === 0) return new Map();
	const smtp = smtpSettings(await ctx.getCredentials(SMTP_CREDENTIAL));
	const problems = smtpSettingsProblems(smtp);
	if (problems.length > 0) {
		throw new NodeOperationError(ctx.getNode(), `Identifiant SMTP incomplet : ${problems.join(' ; ')}`, {
			description: 'Corrigez l’identifiant « SMTP (clauses sociales) » de ce nœud.',
		});
	}
	return sendOnceWith(smtp, register, mails, options);
}

/** L'envoi « une seule fois » lui-même, avec des réglages SMTP déjà lus et vérifiés. */
export async function sendOnceWith(smtp: SmtpSettings, register: Register, mails: KeyedMail[], options: SendOnceOptions): Promise<Map<string, OnceOutcome>> {
	const outcomes = new Map<string, OnceOutcome>();
	if (mails.length === 0) return outcomes;
	// Lecture préalable : les courriels déjà envoyés ne sont même pas préparés (la réservation reste l'arbitre).
	const sent = await register.sentKeys(mails.map((m) => m.key));
	const pending = mails.filter((m) => {
		if (!sent.has(m.key)) return true;
		outcomes.set(m.key, 'déjà envoyé');
		return false;
	});
	const leaseMs = Math.max(1, options.bailSecondes ?? DEFAULT_LEASE_SECONDS) * 1000;
	const mailer = new Mailer(smtp, { debitParSeconde: options.debitParSeconde });
	const claiming = gate(CLAIMS_IN_FLIGHT);
	// SQLite : issues en attente, validées avec la réservation suivante (voir l'en-tête).
	const deferSettlements = register.dialect === 'sqlite';
	let unsettled: Settlement[] = [];
	// Première erreur (registre injoignable, connexion perdue) : plus aucune réservation
	// n'est prise, les envois déjà partis se terminent, puis l'erreur est levée.
	let failure: { error: unknown } | undefined;
	try {
		await forEachLimited(pending, MAILS_IN_FLIGHT, async (item) => {
			if (failure) return;
			try {
				await sendOne(item);
			} catch (error) {
				failure ??= { error };
			}
		});
	} finally {
		mailer.close();
		// Les issues encore en attente sont validées avant la fin du nœud, même après une erreur.
		if (unsettled.length > 0) {
			const last = unsettled;
			unsettled = [];
			try {
				await register.settle(last);
			} catch (error) {
				failure ??= { error };
			}
		}
	}
	if (failure) throw failure.error;
	return outcomes;

	async function sendOne({ key, mail }: KeyedMail): Promise<void> {
		// Durée maximale des envois atteinte, serveur en panne : ni préparé, ni réservé ; rapporté, repartira à la prochaine exécution.
		const skipped = (): boolean => {
			const refusal = mailer.notAttempted(key);
			if (refusal) outcomes.set(key, refusal);
			return refusal !== undefined;
		};
		if (skipped()) return;
		const prepared = typeof mail === 'function' ? await mail() : mail;
		if (failure) return;
		await claiming.run(async () => {
			if (failure || skipped()) return;
			// Les issues en attente partent avec cette réservation : validées ensemble, ou pas du tout.
			const settle = unsettled;
			unsettled = [];
			let claim: Claim | undefined;
			try {
				claim = await register.claim(key, { kind: options.nature, leaseMs, recipients: prepared.to }, settle);
			} finally {
				// Réservation refusée par le registre : ses issues restent à valider (à la fin du nœud).
				if (!claim) unsettled = [...settle, ...unsettled];
			}
			if (!claim.claimed) {
				outcomes.set(key, claim.busy ? 'en cours ailleurs' : 'déjà envoyé');
				return;
			}
			const outcome = await mailer.send({ ...prepared, cleMessage: prepared.cleMessage ?? key });
			const settlement = settlementOf(key, outcome);
			// Un courriel attend sa réservation : elle validera cette issue ; sinon, validée aussitôt.
			if (deferSettlements && claiming.waiting() > 0) unsettled.push(settlement);
			else await register.settle([settlement]);
			outcomes.set(key, claim.uncertain ? { ...outcome, incertain: true } : outcome);
		});
	}

	/** Ce que le registre garde d'un envoi : envoyé, échec définitif (avec son motif), ou réservation libérée. */
	function settlementOf(key: string, outcome: SendOutcome): Settlement {
		if (outcome.ok && !options.liberer?.(outcome, key)) {
			return { key, result: 'envoyé', messageId: outcome.messageId, response: outcome.response, accepted: outcome.accepted };
		}
		if (outcome.ok) {
			const refused = outcome.rejected[0];
			return { key, result: 'échec', code: refused?.code ?? 'refus', error: refused?.message ?? 'destinataire principal refusé', messageId: outcome.messageId };
		}
		if (outcome.temporaire) return { key, result: 'libéré' };
		return { key, result: 'échec', code: outcome.code, error: outcome.message, messageId: outcome.messageId ?? messageIdFor(key, smtp.expediteurEmail) };
	}
}

/** Option commune des nœuds qui envoient : le bail d'une réservation d'envoi. */
export const LEASE_OPTION = {
	displayName: 'Bail d’un envoi en cours (secondes)',
	name: 'bailEnvoi',
	type: 'number' as const,
	default: DEFAULT_LEASE_SECONDS,
	description:
		'Un courriel réservé dans le registre mais jamais confirmé (exécution arrêtée en plein envoi) est tenu pour interrompu après ce délai : il est alors renvoyé avec le même identifiant de message et signalé « incertain »',
};

/** Option « Débit maximal » des nœuds qui envoient des courriels (10 par seconde ; les avis de pénalité en prennent 5). */
export const RATE_OPTION = {
	displayName: 'Débit maximal (courriels par seconde)',
	name: 'debitParSeconde',
	type: 'number' as const,
	default: 10,
	description:
		'Limite du relais SMTP de la collectivité (décimales admises) ; 0 : sans limite. Un relais interne n’en impose souvent aucune ; Exchange Online (Microsoft 365) n’accepte que 30 courriels par minute d’une même boîte : 0,5.',
};

/** Motif affiché pour un courriel qu'une autre exécution envoie au même moment. */
export const BUSY_ELSEWHERE = 'Envoi en cours dans une autre exécution (ou interrompu il y a moins que le bail d’un envoi) : pas d’envoi ici ; l’exécution suivante dira s’il est parti.';

/** Courriel non tenté faute de temps (durée maximale des envois de l'exécution atteinte) : statut « reporté », pas « échec ». */
export function isDeferred(outcome: OnceOutcome | undefined): boolean {
	return typeof outcome === 'object' && !outcome.ok && outcome.code === SEND_BUDGET_SPENT;
}

/** Statut d'un envoi qui n'a pas abouti : « reporté » (durée maximale atteinte, repartira à la prochaine exécution) ou « échec ». */
export function failedStatus(outcome: OnceOutcome | undefined): 'reporté' | 'échec' {
	return isDeferred(outcome) ? 'reporté' : 'échec';
}

/** Motif ajouté à un renvoi après interruption. */
export const UNCERTAIN_RESENT =
	'Envoi interrompu lors d’une exécution précédente (arrêt en plein envoi) : renvoyé avec le même identifiant de message ; le destinataire a pu le recevoir deux fois.';

/**
 * Adresse principale (le titulaire) refusée par le serveur alors que le courriel
 * est parti : les copies l'ont reçu. Rien si le courriel n'est pas parti.
 */
export function refusedHolder(outcome: OnceOutcome | undefined, to: readonly string[]): RejectedRecipient | undefined {
	if (typeof outcome !== 'object' || !outcome.ok) return undefined;
	return outcome.rejected.find((r) => to.some((t) => t.toLowerCase() === r.adresse.toLowerCase()));
}

/** Textes propres à chaque nœud pour l'état d'un envoi. */
export interface SendReportTexts {
	/** Motif d'un courriel déjà envoyé lors d'une exécution précédente. */
	alreadySent: string;
	/** Erreur quand l'adresse du titulaire est refusée (les copies sont parties). */
	holderRefused: (refused: RejectedRecipient) => string;
	/** Renvoi après interruption : motif « incertain » ajouté même si le titulaire est refusé. */
	uncertainEvenIfRefused?: boolean;
}

/**
 * La règle d'état d'un envoi, la même pour tous les nœuds qui envoient au titulaire :
 * - parti et accepté : « envoyé » (« incertain » si c'est le renvoi d'un envoi interrompu) ;
 * - parti, mais l'adresse du titulaire refusée : les copies l'ont reçu, le courriel n'est pas
 *   renvoyé (il doublerait les copies) ; « échec » définitif, avec l'adresse à corriger ;
 * - pas parti : « échec », ou « reporté » quand la durée maximale des envois est atteinte ;
 * - déjà envoyé lors d'une exécution précédente, ou en cours dans une autre : pas de renvoi.
 * Rend le statut en premier, puis les champs de `base` (destinataires, objet, clé), puis le détail.
 */
export function sendReport(outcome: OnceOutcome, to: readonly string[], base: IDataObject, texts: SendReportTexts): IDataObject {
	if (outcome === 'déjà envoyé') return { statut: 'déjà envoyé', ...base, motif: texts.alreadySent };
	if (outcome === 'en cours ailleurs') return { statut: 'en cours ailleurs', ...base, motif: BUSY_ELSEWHERE };
	if (!outcome.ok) return { statut: failedStatus(outcome), ...base, erreur: outcome.message, code: outcome.code, temporaire: outcome.temporaire };
	const sent = { ...base, messageId: outcome.messageId, acceptes: outcome.accepted, refuses: outcome.rejected as unknown as IDataObject[] /* IDataObject n'admet pas d'interface sans signature d'index */ };
	const refused = refusedHolder(outcome, to);
	const uncertain = outcome.incertain && (!refused || texts.uncertainEvenIfRefused) ? { motif: UNCERTAIN_RESENT } : {};
	if (!refused) return outcome.incertain ? { statut: 'incertain', ...sent, ...uncertain } : { statut: 'envoyé', ...sent };
	return { statut: 'échec', ...sent, code: refused.code, temporaire: false, erreur: texts.holderRefused(refused), ...uncertain };
}

/** Ouvre le registre, envoie une fois chaque courriel, referme le registre. */
export async function sendOnceInRegister(ctx: IExecuteFunctions, mails: KeyedMail[], options: SendOnceOptions): Promise<Map<string, OnceOutcome>> {
	if (mails.length === 0) return new Map();
	// SQLite : les réservations et les issues sont validées dans un fil de travail, pendant l'envoi du courriel précédent.
	const register = await openRegister(ctx, { sqliteThread: true });
	try {
		return await sendOnce(ctx, register, mails, options);
	} catch (error) {
		if (error instanceof RegisterError) {
			throw new NodeOperationError(ctx.getNode(), `Registre des clauses : ${error.message} ; envois interrompus`, {
				description: `${error.correction} Les courriels dont l’envoi a été consigné ne repartent pas ; les autres partent à la reprise.`,
			});
		}
		throw error instanceof NodeOperationError ? error : new NodeOperationError(ctx.getNode(), error as Error);
	} finally {
		await register.close();
	}
}
