/**
 * Serveur SMTP de test à pannes choisies (le SmtpSink de smtp-sink.ts est un
 * serveur qui marche) : 421 à l'accueil, 450 ou 550 par destinataire, muet,
 * lent, connexion coupée au milieu des données, muet après DATA, chiffrement
 * implicite (TLS dès la connexion) avec un certificat valide ou expiré.
 *
 * Les certificats ci-dessous sont de test : une autorité (valable cent ans),
 * et pour « localhost » et 127.0.0.1 un certificat valide et un certificat
 * expiré (2020-2021), tous deux émis par elle. Le client ne les reconnaît que
 * si le test ajoute l'autorité aux autorités connues (trustTestAuthority).
 */
import net from 'node:net';
import tls from 'node:tls';

export const TEST_CA = `-----BEGIN CERTIFICATE-----
MIIBsDCCAVWgAwIBAgIUXC9tJOev3rqJGPkEnOhtFGGqIeswCgYIKoZIzj0EAwIw
LDEqMCgGA1UEAwwhQXV0b3JpdGUgZGUgdGVzdCBjbGF1c2VzIHNvY2lhbGVzMCAX
DTI2MTIwMjEzMzUwMFoYDzIxMjYxMTA4MTMzNTAwWjAsMSowKAYDVQQDDCFBdXRv
cml0ZSBkZSB0ZXN0IGNsYXVzZXMgc29jaWFsZXMwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAS3uYnvfMkpHg2DeqdikY3BZ/86P4UbB5BK5Pn17b8nsLFH8e2hyY9r
elb+1hyMj3Xz487v2adNfhh72503rE7Vo1MwUTAdBgNVHQ4EFgQURvby9OGFV4TC
x+CrSqN2zBERw+UwHwYDVR0jBBgwFoAURvby9OGFV4TCx+CrSqN2zBERw+UwDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAke48fPnovcRTsNcEd8YS
ACNcGo2mzmObPrSIRtIItxUCIQCDqjm48c1PWTL9O8oenCXwVw/6mVPjD2qPRw0Y
KsKT2w==
-----END CERTIFICATE-----
`;

const LEAF_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgiNbX/T44GTCNMy4E
u4dVIVdS2X12QBSsdzfInYNtjzOhRANCAASM5DMZj+IaVkh7gVpooVFTn0Q8PDoR
sl47H+1zXf5pqBf+aDMhqmxpa8y3Vni+jFD5QTAmIt4CeT6imhUhlOlm
-----END PRIVATE KEY-----
`;

const EXPIRED_CERT = `-----BEGIN CERTIFICATE-----
MIIBjTCCATOgAwIBAgIBATAKBggqhkjOPQQDAjAsMSowKAYDVQQDDCFBdXRvcml0
ZSBkZSB0ZXN0IGNsYXVzZXMgc29jaWFsZXMwHhcNMjAwMTAxMDAwMDAwWhcNMjEw
MTAxMDAwMDAwWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggq
hkjOPQMBBwNCAASM5DMZj+IaVkh7gVpooVFTn0Q8PDoRsl47H+1zXf5pqBf+aDMh
qmxpa8y3Vni+jFD5QTAmIt4CeT6imhUhlOlmo14wXDAaBgNVHREEEzARgglsb2Nh
bGhvc3SHBH8AAAEwHQYDVR0OBBYEFN1n+xlVkypEX1FX4vPgR786QRmkMB8GA1Ud
IwQYMBaAFEb28vThhVeEwsfgq0qjdswREcPlMAoGCCqGSM49BAMCA0gAMEUCIQCj
qwFJ/Bf8936gihThNnaVbK8dqSveWCgbY5RPagDxxQIgasYKiJD/uVUaPO5MSMp8
0uITjbOGPzVBp3ttuQptlsQ=
-----END CERTIFICATE-----
`;

const VALID_CERT = `-----BEGIN CERTIFICATE-----
MIIBjzCCATWgAwIBAgIBAjAKBggqhkjOPQQDAjAsMSowKAYDVQQDDCFBdXRvcml0
ZSBkZSB0ZXN0IGNsYXVzZXMgc29jaWFsZXMwIBcNMjUwMTAxMDAwMDAwWhgPMjEy
NTAxMDEwMDAwMDBaMBQxEjAQBgNVBAMMCWxvY2FsaG9zdDBZMBMGByqGSM49AgEG
CCqGSM49AwEHA0IABIzkMxmP4hpWSHuBWmihUVOfRDw8OhGyXjsf7XNd/mmoF/5o
MyGqbGlrzLdWeL6MUPlBMCYi3gJ5PqKaFSGU6WajXjBcMBoGA1UdEQQTMBGCCWxv
Y2FsaG9zdIcEfwAAATAdBgNVHQ4EFgQU3Wf7GVWTKkRfUVfi8+BHvzpBGaQwHwYD
VR0jBBgwFoAURvby9OGFV4TCx+CrSqN2zBERw+UwCgYIKoZIzj0EAwIDSAAwRQIg
aXzbWPF4So+6a++aN8pSPDKza3HDHvHfr6WyohdrBnQCIQDBmnfHiDGsuzbALdTB
KTiz+IczEZFGRqXpORiVjBPImQ==
-----END CERTIFICATE-----
`;

/**
 * Ajoute l'autorité de test aux autorités connues du processus (Node ≥ 22.19 / 24.5) ;
 * rend de quoi revenir à l'état précédent.
 */
export function trustTestAuthority(): () => void {
	const previous = tls.getCACertificates('default');
	tls.setDefaultCACertificates([...previous, TEST_CA]);
	return () => tls.setDefaultCACertificates(previous);
}

export type FaultMode =
	/** Serveur qui marche. */
	| 'ok'
	/** 421 dès l'accueil : service indisponible. */
	| 'accueil421'
	/** Accepte la connexion et ne dit jamais rien. */
	| 'muet'
	/** Accueil et réponses retardés de `delayMs`. */
	| 'lent'
	/** Coupe la connexion au milieu des données du premier courriel. */
	| 'coupeDonnees'
	/** Ne répond plus après le DATA. */
	| 'muetApresDonnees';

export interface FaultOptions {
	mode: FaultMode;
	/** Code SMTP par destinataire (450, 550…). */
	rcpt?: Record<string, number>;
	delayMs?: number;
	/** Chiffrement dès la connexion, certificat valide ou expiré. */
	tls?: 'valide' | 'expire';
}

/** Un serveur SMTP minimal (RFC 5321, sans STARTTLS ni authentification) dont on choisit la panne. */
export class FaultSmtp {
	port = 0;
	connections = 0;
	/** Courriels acceptés (250 après les données). */
	readonly delivered: Array<{ to: string[]; size: number }> = [];
	private server!: net.Server;
	private readonly sockets = new Set<net.Socket>();

	constructor(private readonly options: FaultOptions) {}

	async start(): Promise<this> {
		const handler = (socket: net.Socket) => this.session(socket);
		this.server = this.options.tls ? tls.createServer({ key: LEAF_KEY, cert: this.options.tls === 'expire' ? EXPIRED_CERT : VALID_CERT }, handler) : net.createServer(handler);
		// Un client qui refuse le certificat ferme la connexion : ce n'est pas une erreur du serveur.
		this.server.on('tlsClientError', () => undefined);
		this.server.on('connection', (socket: net.Socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
		this.port = (this.server.address() as net.AddressInfo).port;
		return this;
	}

	async stop(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	private session(socket: net.Socket): void {
		this.connections++;
		socket.on('error', () => undefined);
		const { mode } = this.options;
		const delay = mode === 'lent' ? (this.options.delayMs ?? 200) : 0;
		const say = (text: string) => setTimeout(() => socket.writable && socket.write(`${text}\r\n`), delay);
		if (mode === 'muet') return;
		if (mode === 'accueil421') {
			socket.end('421 4.3.2 Service temporairement indisponible\r\n');
			return;
		}
		say('220 pannes.test ESMTP');
		let buffer = '';
		let data: string | undefined;
		let to: string[] = [];
		socket.setEncoding('latin1');
		const onData = (chunk: string): void => {
			if (data !== undefined) {
				if (mode === 'coupeDonnees') return void socket.destroy();
				data += chunk;
				const end = data.indexOf('\r\n.\r\n');
				if (end < 0) return;
				this.delivered.push({ to, size: end });
				buffer = data.slice(end + 5);
				data = undefined;
				to = [];
				say('250 2.0.0 Message accepté');
			} else buffer += chunk;
			let newline = buffer.indexOf('\r\n');
			while (newline >= 0) {
				const line = buffer.slice(0, newline);
				buffer = buffer.slice(newline + 2);
				const verb = line.slice(0, 4).toUpperCase();
				if (verb === 'EHLO' || verb === 'HELO') say('250-pannes.test\r\n250 8BITMIME');
				else if (verb === 'MAIL' || verb === 'RSET' || verb === 'NOOP') say('250 2.1.0 OK');
				else if (verb === 'RCPT') {
					const address = (/<([^>]*)>/.exec(line)?.[1] ?? '').toLowerCase();
					const code = this.options.rcpt?.[address];
					if (code === undefined) {
						to.push(address);
						say('250 2.1.5 OK');
					} else say(code >= 500 ? `${code} 5.1.1 Destinataire inconnu` : `${code} 4.2.1 Boîte temporairement indisponible`);
				} else if (verb === 'DATA') {
					if (mode === 'muetApresDonnees') return;
					say('354 Envoyez les données');
					data = '';
					const rest = buffer;
					buffer = '';
					if (rest !== '') onData(rest);
					return;
				} else if (verb === 'QUIT') {
					socket.end('221 2.0.0 Au revoir\r\n');
					return;
				} else say('502 5.5.2 Commande inconnue');
				newline = buffer.indexOf('\r\n');
			}
		};
		socket.on('data', onData);
	}
}
