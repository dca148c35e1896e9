/**
 * Un vrai serveur SMTP local (smtp-server) pour les tests : il reçoit les
 * courriels sur 127.0.0.1 et les relit avec mailparser, pièces jointes comprises.
 */
import type { ParsedMail } from 'mailparser';
import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import type { SMTPServerOptions } from 'smtp-server';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
	envelope: { from: string; to: string[] };
	raw: Buffer;
	parsed: ParsedMail;
}

export interface SmtpSinkOptions {
	/** Destinataires refusés (code 550), pour simuler un échec par destinataire. */
	rejectRecipients?: string[];
	/** Réponse temporaire (code 451) pour ces destinataires. */
	deferRecipients?: string[];
	port?: number;
	/** Pause avant d'accepter chaque message (ms) : étale un lot d'envois dans le temps. */
	dataDelayMs?: number;
}

export class SmtpSink {
	readonly mails: ReceivedMail[] = [];
	private server!: SMTPServer;
	private waiters: Array<() => void> = [];
	connections = 0;
	/** Erreurs des connexions des clients (un client tué coupe sa connexion). */
	connectionErrors: Error[] = [];
	port = 0;

	constructor(private readonly options: SmtpSinkOptions = {}) {}

	async start(): Promise<this> {
		const serverOptions: SMTPServerOptions = {
			authOptional: true,
			disabledCommands: ['STARTTLS'],
			logger: false,
			onConnect: (_session, callback) => {
				this.connections++;
				callback();
			},
			onRcptTo: (address, _session, callback) => {
				const to = address.address.toLowerCase();
				if (this.options.rejectRecipients?.map((r) => r.toLowerCase()).includes(to)) {
					const error = Object.assign(new Error('Destinataire inconnu'), { responseCode: 550 });
					return callback(error);
				}
				if (this.options.deferRecipients?.map((r) => r.toLowerCase()).includes(to)) {
					const error = Object.assign(new Error('Boîte temporairement indisponible'), { responseCode: 451 });
					return callback(error);
				}
				callback();
			},
			onData: (stream, session, callback) => {
				const chunks: Buffer[] = [];
				stream.on('data', (chunk: Buffer) => chunks.push(chunk));
				stream.on('end', () => {
					const raw = Buffer.concat(chunks);
					simpleParser(raw)
						.then((parsed) => {
							this.mails.push({
								envelope: {
									from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
									to: session.envelope.rcptTo.map((r) => r.address),
								},
								raw,
								parsed,
							});
							this.waiters.splice(0).forEach((wake) => wake());
							if (this.options.dataDelayMs) setTimeout(() => callback(), this.options.dataDelayMs);
							else callback();
						})
						.catch(callback);
				});
			},
		};
		this.server = new SMTPServer(serverOptions);
		await new Promise<void>((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(this.options.port ?? 0, '127.0.0.1', () => {
				this.server.off('error', reject);
				resolve();
			});
		});
		// Une fois à l'écoute, l'erreur d'une connexion (client tué en plein envoi : ECONNRESET) est celle
		// d'un client, comme pour un vrai serveur : gardée, sans arrêter le serveur ni le processus du test.
		this.server.on('error', (error: Error) => this.connectionErrors.push(error));
		this.port = (this.server.server.address() as AddressInfo).port;
		return this;
	}

	/** Attend au moins `count` courriels (ou échoue après `timeoutMs`). */
	async waitFor(count: number, timeoutMs = 10000): Promise<ReceivedMail[]> {
		const deadline = Date.now() + timeoutMs;
		while (this.mails.length < count) {
			const left = deadline - Date.now();
			if (left <= 0) throw new Error(`Attendu ${count} courriel(s), reçu ${this.mails.length}`);
			await new Promise<void>((resolve) => {
				const timer = setTimeout(resolve, left);
				this.waiters.push(() => {
					clearTimeout(timer);
					resolve();
				});
			});
		}
		return this.mails;
	}

	to(address: string): ReceivedMail[] {
		return this.mails.filter((m) => m.envelope.to.map((t) => t.toLowerCase()).includes(address.toLowerCase()));
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}

/**
 * Un port TCP libre où rien n'écoute, pris hors de la plage éphémère de Linux
 * (32768-60999) : un autre fichier de test qui démarre un serveur sur le port 0
 * ne peut pas le recevoir pendant qu'on s'attend à « connexion refusée ».
 */
export async function unusedPort(): Promise<number> {
	for (;;) {
		const port = 20000 + Math.floor(Math.random() * 12000);
		const free = await new Promise<boolean>((resolve) => {
			const server = net.createServer();
			server.once('error', () => resolve(false));
			server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
		});
		if (free) return port;
	}
}
