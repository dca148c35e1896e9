/**
 * Envoi SMTP par nodemailer : une seule connexion réutilisée pour toute
 * l'exécution (pool), débit maximal paramétrable, et des erreurs en français
 * par destinataire (refus définitif 5xx, refus temporaire 4xx, délai dépassé,
 * serveur injoignable, authentification refusée).
 */
import { createHash } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';

import { singleLine } from '../../core';

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
}

export interface MailerOptions {
	/** Courriels par seconde au plus ; 0 : sans limite. */
	debitParSeconde?: number;
	/** Délai maximal d'une connexion ou d'une réponse du serveur (ms). */
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
	const timeout = options.delaiMs ?? 30000;
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
		connectionTimeout: timeout,
		greetingTimeout: timeout,
		socketTimeout: timeout,
		...(rate > 0 ? { rateDelta: 1000, rateLimit: rate } : {}),
	};
}

/** Traduit une erreur SMTP ou réseau en message français. */
export function describeSmtpError(error: unknown, s: SmtpSettings): { temporaire: boolean; code: string; message: string } {
	const e = error as { code?: string; responseCode?: number; response?: string; message?: string; command?: string };
	const server = `${s.host}:${s.port}`;
	const reply = e.response ? ` (réponse du serveur : ${singleLine(e.response)})` : '';
	if (e.responseCode !== undefined && e.responseCode >= 500) {
		return { temporaire: false, code: `SMTP ${e.responseCode}`, message: `refus définitif du serveur SMTP${reply} : vérifiez l\u2019adresse du destinataire` };
	}
	if (e.responseCode !== undefined && e.responseCode >= 400) {
		return { temporaire: true, code: `SMTP ${e.responseCode}`, message: `refus temporaire du serveur SMTP${reply} : l\u2019envoi pourra être retenté à la prochaine exécution` };
	}
	const code = e.code === 'ESOCKET' && /ECONNREFUSED/.test(e.message ?? '') ? 'ECONNREFUSED' : (e.code ?? 'ERREUR');
	switch (code) {
		case 'ECONNREFUSED':
			return { temporaire: true, code, message: `serveur SMTP ${server} injoignable (connexion refusée) : vérifiez l\u2019hôte, le port et que le serveur est démarré` };
		case 'ETIMEDOUT':
		case 'ESOCKET':
		case 'ECONNECTION':
			return { temporaire: true, code, message: `serveur SMTP ${server} : délai dépassé ou connexion interrompue${e.message ? ` (${e.message})` : ''}` };
		case 'EAUTH':
			return { temporaire: false, code, message: `authentification refusée par le serveur SMTP ${server} : vérifiez l\u2019utilisateur et le mot de passe de l\u2019identifiant` };
		case 'EENVELOPE':
			return { temporaire: false, code, message: `adresse refusée${reply}` };
		case 'EDNS':
			return { temporaire: true, code, message: `nom d\u2019hôte SMTP ${s.host} introuvable` };
		case 'ETLS':
			return { temporaire: false, code, message: `échec de la négociation TLS avec ${server} : vérifiez le mode de sécurité (STARTTLS, TLS) et le certificat` };
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

export class Mailer {
	private readonly transport: Transporter<SMTPPool.SentMessageInfo>;

	constructor(
		readonly settings: SmtpSettings,
		options: MailerOptions = {},
	) {
		this.transport = nodemailer.createTransport(transportOptions(settings, options));
	}

	get from(): { name: string; address: string } {
		return { name: singleLine(this.settings.expediteurNom ?? ''), address: this.settings.expediteurEmail };
	}

	async verify(): Promise<void> {
		await this.transport.verify();
	}

	async send(mail: OutgoingMail): Promise<SendOutcome> {
		const messageId = mail.cleMessage ? messageIdFor(mail.cleMessage, this.settings.expediteurEmail) : undefined;
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
			return { ok: false, messageId, ...describeSmtpError(error, this.settings) };
		}
	}

	close(): void {
		this.transport.close();
	}
}
