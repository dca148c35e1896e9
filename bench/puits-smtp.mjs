// Serveur SMTP de banc, toujours dans son propre processus (jamais dans celui
// du client mesuré : il partagerait sa boucle d'événements). Il accepte tout et
// compte les courriels reçus. Argument : pause avant l'accueil (ms).
//   - 100 : le comportement de smtp-server (il attend 100 ms avant de saluer,
//     pour repérer les clients qui parlent trop tôt) ;
//   - 0 : accueil immédiat, comme un relais réel (pause de smtp-server retirée
//     dans ce processus seulement).
// Dialogue avec le banc par IPC : { port } au démarrage ; 'compte' et 'raz'.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { SMTPServer } = require('smtp-server');
const { SMTPConnection } = require('smtp-server/lib/smtp-connection.js');

const pause = Number(process.argv[2] ?? 100);
if (pause !== 100) {
	SMTPConnection.prototype.init = function init() {
		this._setListeners(() => {
			const timer = setTimeout(() => this.connectionReady(), pause);
			timer.unref();
		});
	};
}

let count = 0;
let connections = 0;
const server = new SMTPServer({
	authOptional: true,
	disabledCommands: ['STARTTLS'],
	disableReverseLookup: true,
	logger: false,
	size: 50 * 1024 * 1024,
	onConnect(_session, callback) {
		connections++;
		callback();
	},
	onData(stream, _session, callback) {
		stream.on('data', () => undefined);
		stream.on('end', () => {
			count++;
			callback();
		});
	},
});
// Un client qui coupe sa connexion (ECONNRESET) ne doit pas arrêter le serveur.
server.on('error', (error) => process.stderr.write(`puits SMTP : connexion en erreur (${error.code ?? error.message})\n`));
server.listen(0, '127.0.0.1', () => process.send({ port: server.server.address().port }));
process.on('message', (m) => {
	if (m === 'compte') process.send({ compte: count, connexions: connections });
	else if (m === 'raz') {
		count = 0;
		connections = 0;
		process.send({ compte: 0, connexions: 0 });
	} else if (m === 'fin') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
