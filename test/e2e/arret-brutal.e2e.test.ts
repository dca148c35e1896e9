/**
 * Arrêt brutal (SIGKILL) du vrai n8n en plein lot de relances, à dix moments
 * tirés au hasard : à l'exécution suivante, chaque relance due est partie une
 * fois, ou deux fois sous le même Message-ID quand elle est signalée
 * « incertaine » (le processus a été tué entre l'envoi et sa confirmation) ;
 * aucune n'est perdue, aucune n'est envoyée sous deux identifiants.
 *
 * Le workflow est celui livré, avec « envoyer » à true et un bail d'envoi
 * court (2 s) pour que la reprise n'attende pas les 120 s par défaut ; le
 * registre SQLite par défaut reçoit d'abord le classeur de suivi d'exemple par
 * le workflow livré « import du classeur de suivi », et chaque essai repart de
 * ce registre-là (aucun envoi consigné).
 */
import fs from 'node:fs';
import path from 'node:path';

import { messageIdFor } from '../../nodes/adapters/mail/mailer';
import { Register, SqliteDatabase } from '../../nodes/adapters/register';
import { importSampleWorkbook, local, outputOf, registerFile as registerFileOf, useRealN8n, workflowFile } from '../helpers/real-n8n';

jest.setTimeout(900_000);

const TRIALS = 10;
const SENDER = 'clauses-sociales@region-val-argent.example.test';

interface Out {
	marche: string;
	lot: string;
	envoi: { statut: string; cle?: string; messageId?: string };
}

/** Le workflow livré, en envoi, avec un bail court sur le nœud de relance. */
function killableWorkflow(home: string): string {
	const workflow = local.withConfiguration(JSON.parse(fs.readFileSync(workflowFile('relance-mensuelle.json'), 'utf8')), { envoyer: true }) as {
		nodes: Array<{ type: string; parameters: { options?: Record<string, unknown> } }>;
	};
	const reminder = workflow.nodes.find((n) => n.type.endsWith('.clauseReminder'))!;
	reminder.parameters.options = { ...(reminder.parameters.options ?? {}), bailEnvoi: 2, debitParSeconde: 0 };
	const file = path.join(home, 'relance-arret-brutal.json');
	fs.writeFileSync(file, JSON.stringify(workflow));
	return file;
}

describe('arrêt brutal de n8n en plein lot de relances (vrai n8n, registre SQLite)', () => {
	const instance = useRealN8n({ dataDelayMs: 120 });

	it(`${TRIALS} arrêts à des moments tirés au hasard : chaque relance due part une fois, ou est signalée incertaine ; aucune perdue`, async () => {
		const { layout, sink } = instance;
		await importSampleWorkbook(layout);
		const registerFile = registerFileOf(layout);
		const imported = `${registerFile}.apres-import`;
		fs.copyFileSync(registerFile, imported);
		const id = await local.importWorkflow(layout, killableWorkflow(layout.home));
		const restoreRegister = () => {
			for (const suffix of ['-wal', '-shm']) fs.rmSync(registerFile + suffix, { force: true });
			fs.copyFileSync(imported, registerFile);
		};
		const reminderMails = () => sink.mails.filter((m) => !m.parsed.subject?.startsWith('Relances des clauses sociales') && !m.parsed.subject?.startsWith('Aperçu'));

		// Référence : un lot complet, sans arrêt, donne les relances dues.
		const reference = await local.executeWorkflow(layout, id);
		expect(reference.status).toBe('success');
		const due = outputOf(reference, 'Relance mensuelle')
			.map((i) => i.json as unknown as Out)
			.filter((c) => c.envoi.statut === 'envoyé');
		expect(due.length).toBeGreaterThanOrEqual(8);
		const expectedIds = new Set(due.map((c) => messageIdFor(c.envoi.cle!, SENDER)));
		expect(new Set(reminderMails().map((m) => m.parsed.messageId))).toEqual(expectedIds);

		const seen = { incertain: 0, killedBeforeAny: 0, killedAfterAll: 0 };
		for (let trial = 0; trial < TRIALS; trial++) {
			restoreRegister();
			sink.mails.splice(0);
			// Tué après k courriels reçus par le serveur (k tiré au hasard), plus un délai tiré au hasard.
			const k = Math.floor(Math.random() * due.length);
			const extraMs = Math.floor(Math.random() * 120);
			let killed = false;
			const run = local.executeWorkflow(layout, id, {
				onChild: (child) => {
					const watch = setInterval(() => {
						if (reminderMails().length >= k) {
							clearInterval(watch);
							setTimeout(() => {
								killed = child.kill('SIGKILL');
							}, extraMs);
						}
					}, 5);
					child.on('exit', () => clearInterval(watch));
				},
			});
			await run.then(
				() => undefined,
				() => undefined,
			);
			const beforeRerun = reminderMails().length;
			if (!killed || beforeRerun === due.length) seen.killedAfterAll += 1;
			if (beforeRerun === 0) seen.killedBeforeAny += 1;

			await new Promise((r) => setTimeout(r, 2500)); // bail expiré
			const rerun = await local.executeWorkflow(layout, id);
			expect(rerun.status).toBe('success');
			const after = outputOf(rerun, 'Relance mensuelle').map((i) => i.json as unknown as Out);
			const statuses = new Map(after.filter((c) => c.envoi.cle).map((c) => [messageIdFor(c.envoi.cle!, SENDER), c.envoi.statut]));
			await new Promise((r) => setTimeout(r, 300));

			const counts = new Map<string, number>();
			for (const m of reminderMails()) counts.set(String(m.parsed.messageId), (counts.get(String(m.parsed.messageId)) ?? 0) + 1);
			// Rien d'inattendu, rien de perdu.
			expect(new Set(counts.keys())).toEqual(expectedIds);
			for (const [messageId, count] of counts) {
				const status = statuses.get(messageId);
				expect(['envoyé', 'déjà envoyé', 'incertain']).toContain(status);
				if (count > 1) {
					// Un doublon n'est admis que signalé, sous le même identifiant, et une fois au plus.
					expect({ messageId, count, status }).toEqual({ messageId, count: 2, status: 'incertain' });
				}
				if (status === 'incertain') seen.incertain += 1;
			}
			// Le registre consigne chaque relance due comme envoyée, avec sa réponse du serveur.
			const register = await Register.open(await SqliteDatabase.open({ file: registerFile }));
			const messages = await register.messages();
			await register.close();
			expect(new Set(messages.filter((m) => m.status === 'envoyé' && m.response?.startsWith('250')).map((m) => m.messageId))).toEqual(expectedIds);
		}
		// Les arrêts sont tombés en plein lot (pas tous avant le premier ni après le dernier courriel).
		expect(seen.killedAfterAll + seen.killedBeforeAny).toBeLessThan(TRIALS);
	});
});
