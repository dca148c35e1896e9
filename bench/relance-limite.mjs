// Limite en Node seul de la relance mensuelle, sans n8n : le même travail avec
// les fonctions du paquet (dist/nodes/lib.js) — lecture du registre (clauses en
// vigueur, heures par mois totalisées par la base), décisions, rendu des
// courriels et des modèles de relevé joints — puis envoi par nodemailer seul,
// une connexion groupée (pool, maxConnections 1 ; cette version de nodemailer
// règle TCP_NODELAY sur sa connexion), serveur SMTP dans un autre processus.
// Pas de réservation au registre : c'est le plancher, pas un envoi sûr.
// Arguments : --registre='{"base":"sqlite","fichier":…}' --port=… --date=AAAA-MM-JJ
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
const register = await lib.openRegisterWith(lib.registerSettings(JSON.parse(args.registre)));
const clauses = await lib.readRegisterClauses(register);
const byKey = lib.registerClauseIndex(clauses);
const reports = new lib.ReportIndex([]);
for (const row of await register.monthHours()) {
	const clause = byKey.get(row.clauseKey);
	if (clause) reports.add({ marche: clause.marche, lot: clause.lot, mois: row.month, heuresMois: row.hours });
}
await register.close();
const settings = lib.parseReminderSettings({ dateReference: args.date });
const factory = await lib.ReportTemplateFactory.create(settings.dateReference);
const from = { name: 'Mission clauses sociales', address: 'clauses-sociales@region-val-argent.example.test' };
const mails = [];
for (const entry of clauses) {
	if (!entry.value) continue;
	const decision = lib.decideReminder(entry.value, reports, settings);
	if (decision.niveau === 'aucun') continue;
	const m = lib.renderReminder(entry.value, decision, { signature: 'La mission clauses sociales', modeleJoint: true });
	const mois = decision.moisManquants[0]?.mois ?? decision.moisReference;
	mails.push({
		from,
		to: m.to,
		cc: m.cc && m.cc.length > 0 ? m.cc : undefined,
		subject: m.subject,
		text: m.text,
		html: m.html,
		messageId: lib.messageIdFor(decision.cleEnvoi, from.address),
		attachments: [{ filename: lib.reportFileName(entry.value, mois), content: factory.render({ clause: entry.value, mois }), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }],
	});
}
const prepMs = ms(start);

const sendStart = process.hrtime.bigint();
const transport = nodemailer.createTransport({ pool: true, maxConnections: 1, maxMessages: Infinity, host: '127.0.0.1', port: Number(args.port), secure: false, ignoreTLS: true });
const results = await Promise.allSettled(mails.map((m) => transport.sendMail(m)));
const sendMs = ms(sendStart);
transport.close();
const failed = results.filter((r) => r.status === 'rejected');
const bytes = mails.reduce((s, m) => s + m.attachments[0].content.length, 0);
process.stdout.write(
	`${JSON.stringify({ loadMs, prepMs, sendMs, totalMs: ms(start), clauses: clauses.length, mails: mails.length, echecs: failed.length, premierEchec: failed[0]?.reason?.message, modeleMoyenKo: bytes / mails.length / 1024 })}\n`,
);
