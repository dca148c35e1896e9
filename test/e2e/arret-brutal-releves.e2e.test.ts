/**
 * Arrêt brutal (SIGKILL) du vrai n8n en pleine réception de relevés mensuels,
 * à des moments tirés au hasard (tirage reproductible : son numéro est dans le
 * nom du test, CLAUSES_TIRAGE=… le rejoue) : pendant l'écriture des relevés au
 * registre, ou pendant l'envoi des accusés de réception. Après l'arrêt, la
 * réception est relancée ; alors :
 * - le registre est cohérent : intégrité SQLite, chaque version d'un relevé a
 *   toutes ses lignes ou n'existe pas, une seule version en vigueur par mois ;
 * - aucun relevé n'est perdu ni enregistré deux fois : le registre est celui
 *   d'une réception sans arrêt (chaque relevé une version ; deux pour un mois
 *   déjà reçu, la correction et l'ancienne) ;
 * - chaque accusé dû est reçu une fois par le serveur SMTP, ou deux fois sous
 *   le même Message-ID quand la reprise le signale « incertain » ; aucun perdu.
 *
 * Le workflow est celui livré, avec, comme le ferait un utilisateur dans son
 * nœud « Configuration », « envoyer » à true, une date de réception fixe et le
 * dossier des relevés de ce test ; sur le nœud de réception, un bail d'envoi
 * court (2 s) pour que la reprise n'attende pas les 120 s par défaut et le
 * débit non limité. Le registre SQLite par défaut reçoit d'abord le classeur de
 * suivi d'exemple par le workflow livré « import du classeur de suivi », et
 * chaque essai repart de ce registre-là.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { messageIdFor } from '../../nodes/adapters/mail/mailer';
import { clauseKey } from '../../nodes/core';
import { importSampleWorkbook, local, outputOf, registerFile as registerFileOf, useRealN8n, workflowFile } from '../helpers/real-n8n';
import { readRegisterFile } from '../helpers/registre-sqlite';
import { writeMonthlyReleves } from '../helpers/releves';
import { numeroDeTirage, tirage } from '../helpers/tirage';

// Environ 4 min sur une machine libre ; large marge pour une machine chargée.
jest.setTimeout(1_800_000);

/** Nombre d'arrêts : 10 (CLAUSES_ARRETS=… pour un essai plus court ou plus long). */
const TRIALS = Number(process.env.CLAUSES_ARRETS) || 10;
const SENDER = 'clauses-sociales@region-val-argent.example.test';
const MONTH = '2026-10';
const RECEIVED_ON = '2026-11-20';
const NUMERO = numeroDeTirage();

interface Out {
	fichier: string;
	marche: string;
	lot: string;
	statut: string;
	versionsRegistre?: Record<string, number>;
	accuse: { statut: string; cle?: string; messageId?: string };
	error?: string;
}

/** Le workflow livré, réglé comme un utilisateur (envoi, date, dossier), avec un bail d'envoi court. */
function killableWorkflow(home: string): string {
	const shipped = JSON.parse(fs.readFileSync(workflowFile('reception-releves.json'), 'utf8'));
	const workflow = local.withConfiguration(shipped, { envoyer: true, dateReception: RECEIVED_ON, relevesRecus: 'donnees/releves-arret-brutal/*.xlsx' }) as {
		nodes: Array<{ type: string; parameters: { options?: Record<string, unknown> } }>;
	};
	const intake = workflow.nodes.find((n) => n.type.endsWith('.clauseReportIntake'))!;
	intake.parameters.options = { ...(intake.parameters.options ?? {}), bailEnvoi: 2, debitParSeconde: 0 };
	const file = path.join(home, 'reception-arret-brutal.json');
	fs.writeFileSync(file, JSON.stringify(workflow));
	return file;
}

interface KillPoint {
	/** « écriture » : après `apres` relevés enregistrés ; « accusés » : tous enregistrés, après `apres` accusés reçus. */
	phase: 'écriture' | 'accusés';
	apres: number;
	delaiMs: number;
}

describe('arrêt brutal de n8n en pleine réception des relevés (vrai n8n, registre SQLite)', () => {
	const instance = useRealN8n({ dataDelayMs: 120 });

	it(`${TRIALS} arrêts à des moments tirés au hasard (tirage ${NUMERO}) : registre cohérent, aucun relevé perdu ni doublé, chaque accusé reçu une fois ou signalé incertain`, async () => {
		const { layout, sink } = instance;
		await importSampleWorkbook(layout);
		const registerFile = registerFileOf(layout);
		const imported = `${registerFile}.apres-import`;
		fs.copyFileSync(registerFile, imported);
		const releves = await writeMonthlyReleves(path.join(layout.data, 'releves-arret-brutal'), { mois: MONTH, lignes: 12 });
		const N = releves.length;
		expect(N).toBeGreaterThanOrEqual(10);
		const base = readRegisterFile(imported);
		expect(base.problems).toEqual([]);
		// Mois déjà reçus au registre (le relevé en est une correction) et mois nouveaux : les deux cas sont présents.
		const alreadyReceived = new Set(releves.filter((r) => base.releves.has(`${clauseKey(r)} ${MONTH}`)).map((r) => r.fichier));
		expect(alreadyReceived.size).toBeGreaterThan(0);
		expect(alreadyReceived.size).toBeLessThan(N);

		const id = await local.importWorkflow(layout, killableWorkflow(layout.home));
		const restoreRegister = () => {
			for (const suffix of ['-wal', '-shm']) fs.rmSync(registerFile + suffix, { force: true });
			fs.copyFileSync(imported, registerFile);
		};
		const { lastHistoryId } = base;

		/** Le registre attendu d'un essai : chaque relevé, une version de plus que le mois n'en avait, avec ses lignes. */
		const expectReleves = (snapshot: ReturnType<typeof readRegisterFile>) => {
			expect(snapshot.integrity).toBe('ok');
			expect(snapshot.problems).toEqual([]);
			for (const r of releves) {
				const versions = snapshot.releves.get(`${clauseKey(r)} ${MONTH}`) ?? [];
				const before = base.releves.get(`${clauseKey(r)} ${MONTH}`)?.length ?? 0;
				expect({ fichier: r.fichier, versions: versions.length }).toEqual({ fichier: r.fichier, versions: before + 1 });
				expect(versions[versions.length - 1].lignes).toEqual(r.lignes);
			}
			// Rien d'autre n'a changé.
			expect(snapshot.receptions.length).toBe(base.receptions.length + N);
		};

		// Référence : une réception complète, sans arrêt.
		restoreRegister();
		const reference = await local.executeWorkflow(layout, id);
		expect(reference.data.resultData.error).toBeUndefined();
		expect(reference.status).toBe('success');
		const referenceOut = outputOf(reference, 'Réception des relevés').map((i) => i.json as unknown as Out);
		expect(referenceOut.map((r) => r.fichier).sort()).toEqual(releves.map((r) => r.fichier).sort());
		for (const r of referenceOut) {
			expect({ fichier: r.fichier, statut: r.statut, accuse: r.accuse.statut }).toEqual({ fichier: r.fichier, statut: 'accepte', accuse: 'envoyé' });
			expect(r.versionsRegistre).toEqual({ [MONTH]: alreadyReceived.has(r.fichier) ? 2 : 1 });
		}
		const referenceRegister = readRegisterFile(registerFile);
		expectReleves(referenceRegister);
		const expectedIds = new Set(referenceOut.map((r) => messageIdFor(r.accuse.cle!, SENDER)));
		expect(expectedIds.size).toBe(N);
		expect(sink.mails.map((m) => m.parsed.messageId).sort()).toEqual([...expectedIds].sort());

		// Moments d'arrêt : moitié pendant l'écriture des relevés, moitié pendant l'envoi des accusés. Un relevé
		// s'écrit en 1 ms environ (mesuré : un arrêt 8 ms après le 8e relevé tombait après le 13e) : l'arrêt
		// d'écriture vient au plus tard après le 7e, 3 ms plus tard, pour tomber avant la fin des écritures.
		const random = tirage(NUMERO);
		const points: KillPoint[] = random.melange(
			Array.from({ length: TRIALS }, (_, i): KillPoint => (i % 2 === 0 ? { phase: 'écriture', apres: random.entier(0, N - 6), delaiMs: random.entier(0, 3) } : { phase: 'accusés', apres: random.entier(0, N - 1), delaiMs: random.entier(0, 150) })),
		);
		const landed: Array<KillPoint & { tue: boolean; enregistres: number; accuses: number; incertains: number; doubles: number }> = [];
		for (const point of points) {
			restoreRegister();
			sink.mails.splice(0);
			let killed = false;
			await local
				.executeWorkflow(layout, id, {
					onChild: (child) => {
						// Relevés enregistrés par cette exécution : entrées de l'historique du registre, lues à côté de n8n.
						// Connexion en lecture seule : elle ne referme pas le journal WAL, la reprise reste à n8n.
						let db: DatabaseSync | undefined;
						const recorded = () => {
							try {
								db ??= new DatabaseSync(registerFile, { readOnly: true });
								return Number((db.prepare(`SELECT COUNT(*) AS n FROM history WHERE kind = 'releve' AND id > ?`).get(lastHistoryId) as { n: number }).n);
							} catch {
								db?.close();
								db = undefined;
								return 0; // registre pas encore ouvert par n8n
							}
						};
						const stop = () => {
							clearInterval(watch);
							db?.close();
							db = undefined;
						};
						const watch = setInterval(() => {
							const n = recorded();
							const reached = point.phase === 'écriture' ? n >= Math.max(1, point.apres) : n >= N && sink.mails.length >= point.apres;
							if (!reached) return;
							stop();
							setTimeout(() => {
								killed = child.kill('SIGKILL');
							}, point.delaiMs);
						}, 2);
						child.on('exit', stop);
					},
				})
				.then(
					() => undefined,
					() => undefined,
				);
			const mailsBeforeRerun = sink.mails.length;
			let recordedBeforeRerun = 0;
			try {
				recordedBeforeRerun = readRegisterFile(registerFile, { readOnly: true }).receptions.length - base.receptions.length;
			} catch {
				// tué avant d'ouvrir le registre : rien d'enregistré
			}

			await new Promise((r) => setTimeout(r, 2500)); // bail expiré
			const rerun = await local.executeWorkflow(layout, id);
			expect(rerun.data.resultData.error).toBeUndefined();
			expect(rerun.status).toBe('success');
			const after = outputOf(rerun, 'Réception des relevés').map((i) => i.json as unknown as Out);
			await new Promise((r) => setTimeout(r, 300));

			// Chaque relevé ressort, enregistré (nouveau ou déjà reçu), aucun en erreur.
			expect(after.map((r) => r.fichier).sort()).toEqual(releves.map((r) => r.fichier).sort());
			for (const r of after) expect(['accepte', 'dejaRecu']).toContain(r.statut);
			// Le registre est celui d'une réception sans arrêt.
			const snapshot = readRegisterFile(registerFile);
			expectReleves(snapshot);
			expect(snapshot.lines).toEqual(referenceRegister.lines);

			// Accusés : chacun reçu une fois, ou deux fois sous le même Message-ID s'il est signalé incertain.
			const statuses = new Map(after.map((r) => [messageIdFor(r.accuse.cle!, SENDER), r.accuse.statut]));
			const counts = new Map<string, number>();
			for (const m of sink.mails) counts.set(String(m.parsed.messageId), (counts.get(String(m.parsed.messageId)) ?? 0) + 1);
			expect(new Set(counts.keys())).toEqual(expectedIds);
			let incertains = 0;
			let doubles = 0;
			for (const [messageId, count] of counts) {
				const status = statuses.get(messageId);
				expect(['envoyé', 'déjà envoyé', 'incertain']).toContain(status);
				if (status === 'incertain') incertains += 1;
				if (count > 1) {
					doubles += 1;
					expect({ messageId, count, status }).toEqual({ messageId, count: 2, status: 'incertain' });
				}
			}
			// Au registre : chaque accusé envoyé, avec la réponse du serveur ; les reprises incertaines consignées.
			const sent = snapshot.messages.filter((m) => m.status === 'envoyé' && m.response?.startsWith('250'));
			expect(new Set(sent.map((m) => m.message_id))).toEqual(expectedIds);
			expect(snapshot.messages).toHaveLength(N);
			expect(snapshot.uncertain.length).toBe(incertains);
			landed.push({ ...point, tue: killed, enregistres: recordedBeforeRerun, accuses: mailsBeforeRerun, incertains, doubles });
		}
		// Les arrêts sont tombés dans les deux phases : en cours d'écriture des relevés, et après l'écriture, en cours d'envoi des accusés.
		const table = landed.map((l) => `${l.phase} après ${l.apres} (+${l.delaiMs} ms) : ${l.tue ? 'tué' : 'fini avant'}, ${l.enregistres}/${N} relevés, ${l.accuses}/${N} accusés, ${l.incertains} incertain(s), ${l.doubles} reçu(s) deux fois`);
		process.stdout.write(`Tirage ${NUMERO}\n${table.join('\n')}\n`);
		expect(landed.every((l) => l.tue)).toBe(true);
		const each = Math.min(2, Math.floor(TRIALS / 2));
		expect(landed.filter((l) => l.enregistres < N).length).toBeGreaterThanOrEqual(each);
		expect(landed.filter((l) => l.enregistres === N && l.accuses < N).length).toBeGreaterThanOrEqual(each);
	});
});
