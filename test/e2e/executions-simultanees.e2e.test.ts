/**
 * Exécutions simultanées dans un seul vrai n8n (`n8n start`, base SQLite,
 * registre SQLite par défaut) : les workflows livrés sont lancés deux fois en
 * même temps par l'API de l'éditeur, comme deux clics sur « Lancer
 * maintenant » ; les deux exécutions tournent dans le même processus et
 * ouvrent chacune leur connexion au registre.
 *
 * - Deux relances mensuelles en envoi : chaque relance due est reçue une fois
 *   par le serveur SMTP, aucune en double ni perdue ; l'autre exécution la dit
 *   « déjà envoyé » ou « en cours ailleurs ».
 * - Deux réceptions de relevés différents pour les mêmes clauses et le même
 *   mois : les deux relevés sont gardés, chacun une version ; chaque accusé est
 *   reçu une fois.
 * - Deux réceptions des mêmes relevés (double clic) : une version par relevé,
 *   un accusé par relevé.
 *
 * Réglages changés comme un utilisateur dans le nœud « Configuration » :
 * « envoyer » à true, date de réception fixe, dossier des relevés ; sur les
 * nœuds qui envoient, un bail d'envoi court (3 s) et un débit non limité.
 * Chaque scénario repart du registre où le workflow livré « import du classeur
 * de suivi » a versé le classeur de suivi d'exemple.
 */
import fs from 'node:fs';
import path from 'node:path';

import { messageIdFor } from '../../nodes/adapters/mail/mailer';
import { clauseKey } from '../../nodes/core';
import type { StoredExecution } from '../helpers/real-n8n';
import { importSampleWorkbook, local, registerFile as registerFileOf, useRealN8n, workflowFile } from '../helpers/real-n8n';
import type { RegisterSnapshot } from '../helpers/registre-sqlite';
import { readRegisterFile } from '../helpers/registre-sqlite';
import type { WrittenReleve } from '../helpers/releves';
import { writeMonthlyReleves } from '../helpers/releves';

jest.setTimeout(1_800_000);

const SENDER = 'clauses-sociales@region-val-argent.example.test';
const MONTH = '2026-10';
const RECEIVED_ON = '2026-11-20';
const ROUNDS = 3;

type Workflow = { id: string; name: string; nodes: Array<{ type: string; parameters: { options?: Record<string, unknown> } }> };

/** Un workflow livré réglé comme un utilisateur, sous un identifiant de copie, avec un bail d'envoi court. */
function configured(file: string, id: string, nodeType: string, configuration: Record<string, unknown>): Workflow {
	const workflow = local.withConfiguration(JSON.parse(fs.readFileSync(workflowFile(file), 'utf8')), configuration) as Workflow;
	workflow.id = id;
	workflow.name = `${workflow.name} (${id})`;
	const node = workflow.nodes.find((n) => n.type.endsWith(nodeType))!;
	node.parameters.options = { ...(node.parameters.options ?? {}), bailEnvoi: 3, debitParSeconde: 0 };
	return workflow;
}

const REMINDER = 'ClsRelanceSimul1';
const INTAKE_A = 'ClsRelevesSimulA';
const INTAKE_B = 'ClsRelevesSimulB';

interface ReminderOut {
	envoi: { statut: string; cle?: string };
}

interface ReleveOut {
	fichier: string;
	marche: string;
	lot: string;
	statut: string;
	versionsRegistre?: Record<string, number>;
	accuse: { statut: string; cle?: string };
}

describe('exécutions simultanées dans un seul n8n (registre SQLite)', () => {
	const instance = useRealN8n({ dataDelayMs: 150 });
	let server: { url: string; log: string; stop(): Promise<void> };
	let session: Record<string, string>;
	let registerFile: string;
	let imported: string;
	let base: RegisterSnapshot;
	let relevesA: WrittenReleve[];
	let relevesB: WrittenReleve[];

	const restoreRegister = () => {
		for (const suffix of ['-wal', '-shm']) fs.rmSync(registerFile + suffix, { force: true });
		fs.copyFileSync(imported, registerFile);
		instance.sink.mails.splice(0);
	};

	async function run(workflowId: string): Promise<number> {
		const response = await fetch(new URL(`rest/workflows/${workflowId}/run`, server.url), {
			method: 'POST',
			headers: { ...session, 'content-type': 'application/json' },
			body: JSON.stringify({ triggerToStartFrom: { name: 'Lancer maintenant' } }),
		});
		const body = (await response.json()) as { data?: { executionId?: string } };
		if (!response.ok || !body.data?.executionId) throw new Error(`Lancement refusé (${response.status}) : ${JSON.stringify(body)}`);
		return Number(body.data.executionId);
	}

	/** Lance les workflows ensemble et attend leurs exécutions, qui doivent s'être chevauchées. */
	async function together(...workflowIds: string[]): Promise<StoredExecution[]> {
		const ids = await Promise.all(workflowIds.map((w) => run(w)));
		const executions = await Promise.all(ids.map((id) => local.waitForExecution(instance.layout, id, { timeoutMs: 180_000, until: (e) => Boolean(e?.data) })));
		for (const e of executions) expect({ id: e.id, status: e.status }).toEqual({ id: e.id, status: 'success' });
		const times = await local.queryDatabase(instance.layout, `SELECT id, startedAt, stoppedAt FROM execution_entity WHERE id IN (${ids.join(', ')}) ORDER BY id`);
		const [a, b] = times.map((t) => ({ start: Date.parse(String(t.startedAt)), stop: Date.parse(String(t.stoppedAt)) }));
		expect(a.start < b.stop && b.start < a.stop).toBe(true);
		return executions;
	}

	const output = <T>(execution: StoredExecution, node: string): T[] => (local.nodeOutput(execution as never, node) ?? []).map((i) => i.json as unknown as T);

	const countsById = (mails = instance.sink.mails) => {
		const counts = new Map<string, number>();
		for (const m of mails) counts.set(String(m.parsed.messageId), (counts.get(String(m.parsed.messageId)) ?? 0) + 1);
		return counts;
	};

	beforeAll(async () => {
		const { layout } = instance;
		await importSampleWorkbook(layout);
		registerFile = registerFileOf(layout);
		imported = `${registerFile}.apres-import`;
		fs.copyFileSync(registerFile, imported);
		base = readRegisterFile(imported);
		// Pour chaque clause en cours en octobre : un relevé dans chaque dossier, mêmes participants, heures différentes.
		relevesA = await writeMonthlyReleves(path.join(layout.data, 'releves-simultanes-a'), { mois: MONTH, lignes: 6, variante: 1 });
		relevesB = await writeMonthlyReleves(path.join(layout.data, 'releves-simultanes-b'), { mois: MONTH, lignes: 6, variante: 2 });
		expect(relevesA.map((r) => r.fichier)).toEqual(relevesB.map((r) => r.fichier));
		const workflows = [
			configured('relance-mensuelle.json', REMINDER, '.clauseReminder', { envoyer: true }),
			configured('reception-releves.json', INTAKE_A, '.clauseReportIntake', { envoyer: true, dateReception: RECEIVED_ON, relevesRecus: 'donnees/releves-simultanes-a/*.xlsx' }),
			configured('reception-releves.json', INTAKE_B, '.clauseReportIntake', { envoyer: true, dateReception: RECEIVED_ON, relevesRecus: 'donnees/releves-simultanes-b/*.xlsx' }),
		];
		const file = path.join(layout.home, 'workflows-simultanes.json');
		fs.writeFileSync(file, JSON.stringify(workflows));
		await local.importWorkflow(layout, file);
		server = await local.startServer(layout, { port: await local.freePort(), timeoutMs: 600_000 });
		session = await local.ownerSession(server.url);
	});

	afterAll(async () => {
		await server?.stop();
	});

	it(`deux relances mensuelles lancées ensemble (${ROUNDS} fois) : chaque relance due reçue une fois, l’autre exécution la dit « déjà envoyé » ou « en cours ailleurs »`, async () => {
		// Les synthèses aux facilitateurs (nœud d'envoi de n8n) partent avec chaque exécution : elles ne sont pas des relances.
		const reminderMails = () => instance.sink.mails.filter((m) => !m.parsed.subject?.startsWith('Relances des clauses sociales'));
		// Référence : une relance seule.
		restoreRegister();
		const [reference] = await Promise.all([run(REMINDER)].map(async (id) => local.waitForExecution(instance.layout, await id, { until: (e) => Boolean(e?.data) })));
		expect(reference.status).toBe('success');
		const due = new Set(
			output<ReminderOut>(reference, 'Relance mensuelle')
				.filter((c) => c.envoi.statut === 'envoyé')
				.map((c) => messageIdFor(c.envoi.cle!, SENDER)),
		);
		expect(due.size).toBeGreaterThanOrEqual(8);
		expect(new Set(countsById(reminderMails()).keys())).toEqual(due);

		const seen = new Map<string, number>();
		for (let round = 0; round < ROUNDS; round++) {
			restoreRegister();
			const executions = await together(REMINDER, REMINDER);
			await new Promise((r) => setTimeout(r, 300));
			const counts = countsById(reminderMails());
			expect(new Set(counts.keys())).toEqual(due);
			expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
			const [a, b] = executions.map((e) => new Map(output<ReminderOut>(e, 'Relance mensuelle').filter((c) => c.envoi.cle).map((c) => [messageIdFor(c.envoi.cle!, SENDER), c.envoi.statut])));
			for (const messageId of due) {
				const pair = [a.get(messageId), b.get(messageId)].sort();
				expect([
					['déjà envoyé', 'envoyé'],
					['en cours ailleurs', 'envoyé'],
				]).toContainEqual(pair);
				seen.set(pair.join(' / '), (seen.get(pair.join(' / ')) ?? 0) + 1);
			}
			const snapshot = readRegisterFile(registerFile);
			expect(snapshot.integrity).toBe('ok');
			expect(new Set(snapshot.messages.filter((m) => m.status === 'envoyé' && m.response?.startsWith('250')).map((m) => m.message_id))).toEqual(due);
			expect(snapshot.messages.filter((m) => m.status !== 'envoyé')).toEqual([]);
		}
		process.stdout.write(`Relances simultanées : ${due.size} dues × ${ROUNDS} ; ${[...seen].map(([k, n]) => `${k} : ${n}`).join(' ; ')}\n`);
	});

	/** Les relevés gardés au registre pour le mois : versions avant le test, puis celles de ce scénario. */
	function monthVersions(snapshot: RegisterSnapshot, r: WrittenReleve) {
		const all = snapshot.releves.get(`${clauseKey(r)} ${MONTH}`) ?? [];
		const before = base.releves.get(`${clauseKey(r)} ${MONTH}`)?.length ?? 0;
		expect(all.slice(0, before).map((v) => v.lignes)).toEqual((base.releves.get(`${clauseKey(r)} ${MONTH}`) ?? []).map((v) => v.lignes));
		return all.slice(before);
	}

	it(`deux réceptions de relevés différents, mêmes clauses et même mois, lancées ensemble (${ROUNDS} fois) : les deux relevés gardés, chaque accusé reçu une fois`, async () => {
		for (let round = 0; round < ROUNDS; round++) {
			restoreRegister();
			const [a, b] = await together(INTAKE_A, INTAKE_B);
			await new Promise((r) => setTimeout(r, 300));
			const outA = output<ReleveOut>(a, 'Réception des relevés');
			const outB = output<ReleveOut>(b, 'Réception des relevés');
			expect(outA).toHaveLength(relevesA.length);
			expect(outB).toHaveLength(relevesB.length);
			for (const r of [...outA, ...outB]) expect({ fichier: r.fichier, statut: r.statut, accuse: r.accuse.statut }).toEqual({ fichier: r.fichier, statut: 'accepte', accuse: 'envoyé' });

			const snapshot = readRegisterFile(registerFile);
			expect(snapshot.integrity).toBe('ok');
			expect(snapshot.problems).toEqual([]);
			expect(snapshot.receptions.length).toBe(base.receptions.length + relevesA.length + relevesB.length);
			relevesA.forEach((ra, i) => {
				const rb = relevesB[i];
				// Deux versions de plus : celle de A et celle de B, dans l'ordre où elles sont passées ; la dernière en vigueur.
				const added = monthVersions(snapshot, ra).map((v) => v.lignes);
				expect(added).toHaveLength(2);
				expect([ra.lignes, rb.lignes]).toEqual(expect.arrayContaining(added));
				expect(added[0]).not.toEqual(added[1]);
				// La version annoncée par chaque exécution est bien celle qui porte ses lignes.
				const version = (out: ReleveOut[], r: WrittenReleve) => out.find((o) => o.fichier === r.fichier)!.versionsRegistre![MONTH];
				const all = snapshot.releves.get(`${clauseKey(ra)} ${MONTH}`)!;
				expect(all.find((v) => v.version === version(outA, ra))!.lignes).toEqual(ra.lignes);
				expect(all.find((v) => v.version === version(outB, rb))!.lignes).toEqual(rb.lignes);
			});
			// Un accusé par relevé reçu, chacun une fois.
			const expected = new Set([...outA, ...outB].map((r) => messageIdFor(r.accuse.cle!, SENDER)));
			expect(expected.size).toBe(relevesA.length + relevesB.length);
			const counts = countsById();
			expect(new Set(counts.keys())).toEqual(expected);
			expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
		}
	});

	it('deux réceptions des mêmes relevés lancées ensemble (double clic) : une version par relevé, un accusé par relevé', async () => {
		const pairs = new Map<string, number>();
		for (let round = 0; round < ROUNDS; round++) {
			restoreRegister();
			const [a, b] = await together(INTAKE_A, INTAKE_A);
			await new Promise((r) => setTimeout(r, 300));
			const outA = output<ReleveOut>(a, 'Réception des relevés');
			const outB = output<ReleveOut>(b, 'Réception des relevés');
			const snapshot = readRegisterFile(registerFile);
			expect(snapshot.integrity).toBe('ok');
			expect(snapshot.problems).toEqual([]);
			expect(snapshot.receptions.length).toBe(base.receptions.length + relevesA.length);
			for (const r of relevesA) {
				expect(monthVersions(snapshot, r).map((v) => v.lignes)).toEqual([r.lignes]);
				const x = outA.find((o) => o.fichier === r.fichier)!;
				const y = outB.find((o) => o.fichier === r.fichier)!;
				// L'une enregistre, l'autre le trouve déjà reçu ; un seul accusé, même clé.
				expect([x.statut, y.statut].sort()).toEqual(['accepte', 'dejaRecu']);
				expect(x.accuse.cle).toBe(y.accuse.cle);
				const pair = [x.accuse.statut, y.accuse.statut].sort();
				expect([
					['déjà envoyé', 'envoyé'],
					['en cours ailleurs', 'envoyé'],
				]).toContainEqual(pair);
				pairs.set(pair.join(' / '), (pairs.get(pair.join(' / ')) ?? 0) + 1);
			}
			const expected = new Set(outA.map((r) => messageIdFor(r.accuse.cle!, SENDER)));
			expect(expected.size).toBe(relevesA.length);
			const counts = countsById();
			expect(new Set(counts.keys())).toEqual(expected);
			expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
		}
		process.stdout.write(`Réceptions simultanées des mêmes relevés : ${relevesA.length} × ${ROUNDS} ; ${[...pairs].map(([k, n]) => `${k} : ${n}`).join(' ; ')}\n`);
	});
});
