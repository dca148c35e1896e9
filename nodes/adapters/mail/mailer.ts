/**
 * Envoi SMTP par nodemailer : une seule connexion réutilisée pour toute
 * l'exécution (pool), débit maximal paramétrable, et des erreurs en français
 * par destinataire (refus définitif 5xx, refus temporaire 4xx, délai dépassé,
 * serveur injoignable, authentification refusée, certificat, mode TLS).
 *
 * Un serveur muet ne coûte qu'un délai par exécution : après un délai dépassé,
 * un refus de connexion ou un échec TLS, les courriels suivants ne sont pas
 * tentés (refus temporaire « non tenté », à la prochaine exécution) ; de même
 * au-delà de la durée maximale des envois d'une exécution. Les courriels
 * partent un à un (la connexion est unique) : chacun n'est confié à nodemailer
 * qu'à son tour, une fois ces deux conditions vérifiées.
 */
import { createHash } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';

import { formatNumber, singleLine } from '../../core';

export type SmtpSecurity = 'starttls' | 'tls' | 'aucune';

export interface SmtpSettings {
	host: string;
	port: number;
	securite: SmtpSecurity;
	user?: string;
	password?: string;
	expediteurNom?: string;
	expediteurEmail: string;
	repondreA?: string;
	accepterCertificatsNonVerifies?: boolean;
	/** Délais de connexion, d'accueil (bannière 220) et d'inactivité de la connexion (ms). */
	delais?: SmtpTimeouts;
	/** Durée maximale des envois d'une exécution (ms) ; 0 ou absent : sans limite. */
	dureeMaxEnvoisMs?: number;
}

export interface SmtpTimeouts {
	connexionMs: number;
	accueilMs: number;
	inactiviteMs: number;
}

/**
 * Délais par défaut : quelques secondes suffisent à un serveur en état de
 * marche (connexion et bannière en moins d'une seconde sur un réseau
 * d'administration) ; 30 s par courriel, le défaut précédent, faisait durer
 * 200 relances une centaine de minutes face à un serveur muet.
 */
export const DEFAULT_SMTP_TIMEOUTS: Readonly<SmtpTimeouts> = Object.freeze({ connexionMs: 10_000, accueilMs: 10_000, inactiviteMs: 20_000 });

export interface MailerOptions {
	/** Courriels par seconde au plus ; 0 : sans limite. */
	debitParSeconde?: number;
	/** Délai maximal d'une connexion ou d'une réponse du serveur (ms), à la place de ceux de l'identifiant. */
	delaiMs?: number;
}

export interface OutgoingMail {
	to: string[];
	cc?: string[];
	subject: string;
	text: string;
	html: string;
	attachments?: Array<{ filename: string; content: Buffer; contentType?: string }>;
	/** Identifiant stable (Message-ID) dérivé d'une clé métier : un même avis garde le même identifiant. */
	cleMessage?: string;
}

export interface RejectedRecipient {
	adresse: string;
	code: string;
	message: string;
}

export type SendOutcome =
	| { ok: true; messageId: string; accepted: string[]; rejected: RejectedRecipient[]; response: string }
	| { ok: false; temporaire: boolean; code: string; message: string; messageId?: string };

export function messageIdFor(key: string, senderEmail: string): string {
	const domain = senderEmail.split('@')[1] ?? 'localhost';
	return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${domain}>`;
}

function transportOptions(s: SmtpSettings, options: MailerOptions): SMTPPool.Options {
	const rate = options.debitParSeconde ?? 0;
	const delais = options.delaiMs !== undefined ? { connexionMs: options.delaiMs, accueilMs: options.delaiMs, inactiviteMs: options.delaiMs } : (s.delais ?? DEFAULT_SMTP_TIMEOUTS);
	return {
		pool: true,
		maxConnections: 1,
		maxMessages: Infinity,
		host: s.host,
		port: s.port,
		secure: s.securite === 'tls',
		ignoreTLS: s.securite === 'aucune',
		requireTLS: s.securite === 'starttls',
		auth: s.user ? { user: s.user, pass: s.password ?? '' } : undefined,
		tls: { rejectUnauthorized: !s.accepterCertificatsNonVerifies },
		connectionTimeout: delais.connexionMs,
		greetingTimeout: delais.accueilMs,
		socketTimeout: delais.inactiviteMs,
		dnsTimeout: delais.connexionMs,
		...(rate > 0 ? rateWindow(rate) : {}),
	};
}

/**
 * Débit en courriels par seconde → fenêtre de nodemailer (`rateLimit` courriels par `rateDelta` ms).
 * nodemailer compte des courriels entiers : 0,5 par seconde écrit tel quel laisserait partir un
 * courriel par seconde (le compteur 1 n'est pas sous 0,5 qu'après la fenêtre d'une seconde), soit
 * le double des 30 par minute d'Exchange Online ; d'où un nombre entier de courriels sur une fenêtre allongée.
 */
export function rateWindow(perSecond: number): { rateLimit: number; rateDelta: number } {
	const rateLimit = Math.max(1, Math.round(perSecond));
	return { rateLimit, rateDelta: Math.round((1000 * rateLimit) / perSecond) };
}

/** Erreur de nodemailer : code du module (ESOCKET…), code d'origine (CERT_HAS_EXPIRED…), réponse du serveur. */
interface SmtpFailure {
	code?: string;
	originalCode?: string;
	timeoutType?: string;
	responseCode?: number;
	response?: string;
	message?: string;
	command?: string;
}

/** Codes d'OpenSSL (Node) d'un certificat refusé, et ce qu'il faut en dire. */
const CERTIFICATE_PROBLEMS: Record<string, string> = {
	CERT_HAS_EXPIRED: 'le certificat TLS du serveur est expiré',
	CERT_NOT_YET_VALID: 'le certificat TLS du serveur n\u2019est pas encore valide (date de début à venir, ou horloge du serveur n8n déréglée)',
	DEPTH_ZERO_SELF_SIGNED_CERT: 'le certificat TLS du serveur est autosigné, donc non reconnu',
	SELF_SIGNED_CERT_IN_CHAIN: 'le certificat TLS du serveur est émis par une autorité autosignée, non reconnue',
	UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'le certificat TLS du serveur est émis par une autorité inconnue de n8n',
	UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'le certificat TLS du serveur n\u2019est pas reconnu : son autorité est inconnue de n8n, ou le serveur n\u2019envoie pas la chaîne de certificats complète',
	ERR_TLS_CERT_ALTNAME_INVALID: 'le certificat TLS du serveur est établi pour un autre nom que l\u2019hôte indiqué',
	CERT_REVOKED: 'le certificat TLS du serveur est révoqué',
};

/** Serveur qui ne parle pas TLS dès la connexion (réponse en clair à un « bonjour » TLS). */
const PLAIN_TEXT_REPLY = /wrong version number|packet length too long|unknown protocol|ERR_SSL_WRONG_VERSION_NUMBER|http request/i;

/** Erreur de connexion au serveur (et non refus d'un destinataire) : inutile de retenter pendant la même exécution. */
export function serverUnreachable(error: unknown): boolean {
	const e = (error ?? {}) as SmtpFailure;
	if (e.responseCode !== undefined) return false;
	const codes = [e.code, e.originalCode];
	return codes.some((c) => c === 'ETIMEDOUT' || c === 'ECONNREFUSED' || c === 'EDNS' || c === 'ETLS' || c === 'ENOTFOUND' || c === 'EHOSTUNREACH') || tlsKind(e) !== undefined;
}

/** Certificat refusé (son problème) ou réponse en clair à un « bonjour » TLS. */
function tlsKind(e: SmtpFailure): { certificate: string } | 'clair' | undefined {
	const original = e.originalCode ?? '';
	const certificate = CERTIFICATE_PROBLEMS[original] ?? Object.entries(CERTIFICATE_PROBLEMS).find(([code]) => (e.message ?? '').includes(code))?.[1];
	if (certificate !== undefined) return { certificate };
	if (/certificate has expired/i.test(e.message ?? '')) return { certificate: CERTIFICATE_PROBLEMS.CERT_HAS_EXPIRED };
	if (/self[- ]signed certificate/i.test(e.message ?? '')) return { certificate: CERTIFICATE_PROBLEMS.DEPTH_ZERO_SELF_SIGNED_CERT };
	if (PLAIN_TEXT_REPLY.test(`${original} ${e.message ?? ''}`)) return 'clair';
	return undefined;
}

/** Certificat refusé ou mode TLS inadapté : message français, sans le texte d'OpenSSL. */
function tlsProblem(e: SmtpFailure, s: SmtpSettings): string | undefined {
	const server = `${s.host}:${s.port}`;
	const kind = tlsKind(e);
	if (kind === undefined) return undefined;
	if (kind !== 'clair') {
		return `${kind.certificate} (${server}) : demandez au gestionnaire du serveur de messagerie de le corriger ; « Accepter les certificats non vérifiés » de l\u2019identifiant ne se coche qu\u2019en environnement de test`;
	}
	return s.securite === 'tls'
		? `le serveur ${server} ne chiffre pas dès la connexion (il répond en clair) : choisissez la sécurité « STARTTLS » (port 587 en général) au lieu de « TLS implicite », ou vérifiez le port`
		: `le serveur ${server} a répondu autrement qu\u2019en SMTP : vérifiez le port et le mode de sécurité`;
}

/** Traduit une erreur SMTP ou réseau en message français. */
export function describeSmtpError(error: unknown, s: SmtpSettings): { temporaire: boolean; code: string; message: string } {
	const e = (error ?? {}) as SmtpFailure;
	const server = `${s.host}:${s.port}`;
	const reply = e.response ? ` (réponse du serveur : ${singleLine(e.response)})` : '';
	if (e.responseCode !== undefined && e.responseCode >= 500) {
		return { temporaire: false, code: `SMTP ${e.responseCode}`, message: `refus définitif du serveur SMTP${reply} : vérifiez l\u2019adresse du destinataire` };
	}
	if (e.responseCode !== undefined && e.responseCode >= 400) {
		return { temporaire: true, code: `SMTP ${e.responseCode}`, message: `refus temporaire du serveur SMTP${reply} : l\u2019envoi pourra être retenté à la prochaine exécution` };
	}
	const tls = tlsProblem(e, s);
	if (tls !== undefined) return { temporaire: false, code: 'ETLS', message: tls };
	const code = e.originalCode === 'ECONNREFUSED' || (e.code === 'ESOCKET' && /ECONNREFUSED/.test(e.message ?? '')) ? 'ECONNREFUSED' : (e.code ?? 'ERREUR');
	const delais = s.delais ?? DEFAULT_SMTP_TIMEOUTS;
	switch (code) {
		case 'ECONNREFUSED':
			return { temporaire: true, code, message: `serveur SMTP ${server} injoignable (connexion refusée) : vérifiez l\u2019hôte, le port et que le serveur est démarré` };
		case 'ETIMEDOUT':
			if (e.timeoutType === 'GREETING_TIMEOUT') {
				const hint = s.securite === 'tls' ? '' : ' ; s\u2019il attend un chiffrement dès la connexion (port 465), choisissez la sécurité « TLS implicite »';
				return { temporaire: true, code, message: `le serveur SMTP ${server} accepte la connexion mais ne se présente pas dans le délai d\u2019accueil (${formatNumber(delais.accueilMs / 1000)}\u00a0s)${hint}` };
			}
			if (e.timeoutType === 'CONNECT_TIMEOUT') {
				return { temporaire: true, code, message: `serveur SMTP ${server} injoignable : pas de connexion dans le délai de ${formatNumber(delais.connexionMs / 1000)}\u00a0s (hôte, port ou pare-feu)` };
			}
			return { temporaire: true, code, message: `le serveur SMTP ${server} ne répond plus (délai d\u2019inactivité de ${formatNumber(delais.inactiviteMs / 1000)}\u00a0s dépassé)` };
		case 'ESOCKET':
		case 'ECONNECTION':
			return { temporaire: true, code, message: `connexion au serveur SMTP ${server} interrompue avant la fin de l\u2019envoi : le courriel n\u2019est pas parti, il pourra être retenté à la prochaine exécution` };
		case 'EAUTH':
			return { temporaire: false, code, message: `authentification refusée par le serveur SMTP ${server} : vérifiez l\u2019utilisateur et le mot de passe de l\u2019identifiant` };
		case 'EENVELOPE':
			return { temporaire: false, code, message: `adresse refusée${reply}` };
		case 'EDNS':
			return { temporaire: true, code, message: `nom d\u2019hôte SMTP ${s.host} introuvable` };
		case 'ETLS':
			return { temporaire: false, code, message: `échec de la négociation TLS avec ${server} : vérifiez le mode de sécurité (STARTTLS, TLS implicite) et le port` };
		default:
			return { temporaire: true, code, message: `échec de l\u2019envoi : ${singleLine(e.message ?? String(error))}` };
	}
}

function rejectedDetails(info: SMTPPool.SentMessageInfo, s: SmtpSettings): RejectedRecipient[] {
	const errors = ((info as { rejectedErrors?: Array<{ recipient?: string; responseCode?: number; response?: string }> }).rejectedErrors ?? []);
	return (info.rejected as Array<string | { address: string }>).map((a) => {
		const adresse = typeof a === 'string' ? a : a.address;
		const error = errors.find((e) => e.recipient === adresse);
		const described = describeSmtpError(error ?? { responseCode: 550 }, s);
		return { adresse, code: described.code, message: described.message };
	});
}

/** Code d'un courriel non tenté parce que la durée maximale des envois de l'exécution est atteinte. */
export const SEND_BUDGET_SPENT = 'DUREE_MAX';

export class Mailer {
	private readonly transport: Transporter<SMTPPool.SentMessageInfo>;

	constructor(
		readonly settings: SmtpSettings,
		options: MailerOptions = {},
	) {
		this.transport = nodemailer.createTransport(transportOptions(settings, options));
		// Horloge monotone : un réglage de l'heure du serveur (ou une date simulée) ne rallonge ni n'écourte la durée des envois.
		if (settings.dureeMaxEnvoisMs !== undefined && settings.dureeMaxEnvoisMs > 0) this.deadline = performance.now() + settings.dureeMaxEnvoisMs;
	}

	get from(): { name: string; address: string } {
		return { name: singleLine(this.settings.expediteurNom ?? ''), address: this.settings.expediteurEmail };
	}

	async verify(): Promise<void> {
		await this.transport.verify();
	}

	/** Courriel suivant : chacun attend la fin du précédent (une seule connexion). */
	private turn: Promise<unknown> = Promise.resolve();
	/** Raison de ne plus rien tenter : serveur injoignable, muet ou refusé pendant cette exécution. */
	private halted?: string;
	private readonly deadline?: number;

	async send(mail: OutgoingMail): Promise<SendOutcome> {
		const run = this.turn.then(() => this.sendNow(mail));
		this.turn = run.catch(() => undefined);
		return run;
	}

	/**
	 * Refus d'un courriel qui ne sera pas tenté (serveur en panne plus tôt dans
	 * l'exécution, durée maximale des envois atteinte), sans attendre son tour :
	 * l'appelant peut ne pas le préparer ni le réserver. `undefined` : il sera tenté.
	 */
	notAttempted(cleMessage?: string): SendOutcome | undefined {
		const messageId = cleMessage ? messageIdFor(cleMessage, this.settings.expediteurEmail) : undefined;
		if (this.halted !== undefined) {
			return { ok: false, temporaire: true, code: 'NON_TENTE', message: `non envoyé, laissé pour la prochaine exécution : ${this.halted}`, messageId };
		}
		if (this.deadline !== undefined && performance.now() >= this.deadline) {
			const seconds = formatNumber((this.settings.dureeMaxEnvoisMs ?? 0) / 1000);
			return { ok: false, temporaire: true, code: SEND_BUDGET_SPENT, message: `non envoyé, laissé pour la prochaine exécution : durée maximale des envois de cette exécution (${seconds}\u00a0s) atteinte`, messageId };
		}
		return undefined;
	}

	private async sendNow(mail: OutgoingMail): Promise<SendOutcome> {
		const messageId = mail.cleMessage ? messageIdFor(mail.cleMessage, this.settings.expediteurEmail) : undefined;
		const skipped = this.notAttempted(mail.cleMessage);
		if (skipped) return skipped;
		try {
			const info = await this.transport.sendMail({
				from: this.from,
				to: mail.to,
				cc: mail.cc && mail.cc.length > 0 ? mail.cc : undefined,
				replyTo: this.settings.repondreA || undefined,
				subject: singleLine(mail.subject),
				text: mail.text,
				html: mail.html,
				messageId,
				attachments: mail.attachments,
			});
			return {
				ok: true,
				messageId: info.messageId,
				accepted: (info.accepted as Array<string | { address: string }>).map((a) => (typeof a === 'string' ? a : a.address)),
				rejected: rejectedDetails(info, this.settings),
				response: info.response,
			};
		} catch (error) {
			const described = describeSmtpError(error, this.settings);
			if (serverUnreachable(error)) this.halted = `un envoi précédent a échoué (${described.message})`;
			return { ok: false, messageId, ...described };
		}
	}

	close(): void {
		this.transport.close();
	}
}
