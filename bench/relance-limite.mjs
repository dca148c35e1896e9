// Limite en Node seul de la relance mensuelle, sans n8n : le même travail avec
// les fonctions du paquet (dist/nodes/lib.js) — lecture du registre (clauses en
// vigueur, heures par mois totalisées par la base, lues par paquets de clauses
// comme le nœud), décisions, rendu des courriels et des modèles de relevé
// joints — puis envoi par nodemailer seul, une connexion groupée (pool,
// maxConnections 1 ; cette version de nodemailer règle TCP_NODELAY sur sa
// connexion), serveur SMTP dans un autre processus.
// Pas de réservation au registre : c'est le plancher, pas un envoi sûr.
// Deux façons de préparer les courriels (--preparer) :
//   - « volee » (par défaut) : chaque courriel et son modèle sont rendus au moment
//     de leur envoi, 32 au plus à la fois (comme le nœud), puis libérés : la
//     mémoire ne croît pas avec le nombre de courriels. C'est la limite de la
//     durée totale et de la mémoire ; « envoi » y comprend le rendu.
//   - « avance » : tous les courriels rendus d'abord (préparation), puis envoyés
//     (« envoi » : nodemailer seul sur des courriels déjà préparés) ; la mémoire
//     croît avec le nombre de courriels, ce n'est pas une limite de mémoire.
// Arguments : --registre='{"base":"sqlite","fichier":…}' --port=… --date=AAAA-MM-JJ [--preparer=volee|avance]
// Sortie (JSON, une ligne) : durées de préparation, d'envoi, totale.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const t0 = process.hrtime.bigint();
const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const lib = require(path.join(here, '..', 'dist', 'nodes', 'lib.js'));
const nodemailer = require('nodemailer');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split(/=(.*)/s).slice(0, 2)));
const ms = (from) => Number(process.hrtime.bigint() - from) / 1e6;
const loadMs = ms(t0);

const start = process.hrtime.bigint();
const ahead = (args.preparer ?? 'volee') === 'avance';
if (!['volee', 'avance'].includes(args.preparer ?? 'volee')) throw new Error(`--preparer : « volee » ou « avance », pas « ${args.preparer} »`);
const register = await lib.openRegisterWith(lib.registerSettings(JSON.parse(args.registre)));
const clauses = await lib.readRegisterClauses(register);
const byKey = lib.registerClauseIndex(clauses);
const reports = new lib.ReportIndex([]);
// Heures lues par paquets de 500 clauses, comme le nœud : jamais toutes à la fois en mémoire.
const keys = clauses.filter((c) => c.value).map((c) => c.recordKey);
for (let i = 0; i < keys.length; i += 500) {
	for (const row of await register.monthHours(keys.slice(i, i + 500))) {
		const clause = byKey.get(row.clauseKey);
		if (clause) reports.add({ marche: clause.marche, lot: clause.lot, mois: row.month, heuresMois: row.hours });
	}
}
await register.close();
const settings = lib.parseReminderSettings({ dateReference: args.date });
const factory = await lib.ReportTemplateFactory.create(settings.dateReference);
const from = { name: 'Mission clauses sociales', address: 'clauses-sociales@region-val-argent.example.test' };
// Ce qui est gardé de chaque relance jusqu'à son envoi : la clause et sa décision, pas le courriel.
const due = [];
for (const entry of clauses) {
	if (!entry.value) continue;
	const decision = lib.decideReminder(entry.value, reports, settings);
	if (decision.niveau !== 'aucun') due.push({ clause: entry.value, decision });
}
const render = ({ clause, decision }) => {
	const m = lib.renderReminder(clause, decision, { signature: 'La mission clauses sociales', modeleJoint: true });
	const mois = decision.moisManquants[0]?.mois ?? decision.moisReference;
	return {
		from,
		to: m.to,
		cc: m.cc && m.cc.length > 0 ? m.cc : undefined,
		subject: m.subject,
		text: m.text,
		html: m.html,
		messageId: lib.messageIdFor(decision.cleEnvoi, from.address),
		attachments: [{ filename: lib.reportFileName(clause, mois), content: factory.render({ clause, mois }), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }],
	};
};
const prepared = ahead ? due.map(render) : undefined;
const prepMs = ms(start);

const sendStart = process.hrtime.bigint();
const transport = nodemailer.createTransport({ pool: true, maxConnections: 1, maxMessages: Infinity, host: '127.0.0.1', port: Number(args.port), secure: false, ignoreTLS: true });
let failed = 0;
let firstFailure;
let bytes = 0;
const sendOne = async (mail) => {
	bytes += mail.attachments[0].content.length;
	try {
		await transport.sendMail(mail);
	} catch (error) {
		failed += 1;
		firstFailure ??= error.message;
	}
};
if (prepared) await Promise.all(prepared.map(sendOne));
// À la volée : 32 courriels rendus d'avance au plus (MAILS_IN_FLIGHT du nœud), assez pour que la connexion n'attende pas.
else await lib.forEachLimited(due, 32, async (d) => sendOne(render(d)));
const sendMs = ms(sendStart);
transport.close();
process.stdout.write(
	`${JSON.stringify({ preparer: ahead ? 'avance' : 'volee', loadMs, prepMs, sendMs, totalMs: ms(start), clauses: clauses.length, mails: due.length, echecs: failed, premierEchec: firstFailure, modeleMoyenKo: bytes / due.length / 1024 })}\n`,
);
