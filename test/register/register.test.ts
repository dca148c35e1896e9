/**
 * Le registre des clauses, sur SQLite et sur un vrai PostgreSQL : migrations
 * sûres quand plusieurs processus démarrent ensemble, versions jamais
 * écrasées, relevés corrigés sans perte, réservations d'envoi qui tiennent
 * sous la concurrence et après un arrêt brutal.
 */
import type { Database } from '../../nodes/adapters/register';
import { Register, SCHEMA_VERSION } from '../../nodes/adapters/register';
import { CONNECTIONS, connect, freshRegisterLocation } from '../helpers/registers';

describe.each(CONNECTIONS)('registre ($name)', ({ dialect, thread }) => {
	const opened: Array<Register | Database> = [];
	afterAll(async () => {
		for (const r of opened) await r.close().catch(() => undefined);
	});

	async function openMany(n: number, location = freshRegisterLocation(dialect), context = {}): Promise<Register[]> {
		const registers = await Promise.all(Array.from({ length: n }, () => connect(dialect, location, { thread }).then((db) => Register.open(db, context))));
		opened.push(...registers);
		return registers;
	}

	test('les migrations s’appliquent une fois quand quatre processus ouvrent ensemble un registre neuf', async () => {
		const [a] = await openMany(4);
		const rows = await a.db.query<{ version: number | string }>('SELECT version FROM schema_migrations ORDER BY version');
		expect(rows.map((r) => Number(r.version))).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
		// Rouvrir ne rejoue rien.
		const [again] = await openMany(1, undefined);
		expect(await again.db.query('SELECT version FROM schema_migrations')).toHaveLength(SCHEMA_VERSION);
	});

	test('une fiche modifiée devient une nouvelle version, l’ancienne reste ; une saisie identique n’écrit rien ; l’archivage garde tout', async () => {
		const [r] = await openMany(1);
		expect(await r.put('clause', 'M1|1', { heuresDues: 420 }, 'étude')).toEqual({ version: 1, changed: true });
		expect(await r.put('clause', 'M1|1', { heuresDues: 420 }, 'import')).toEqual({ version: 1, changed: false });
		expect(await r.put('clause', 'M1|1', { heuresDues: 500 }, 'correction')).toEqual({ version: 2, changed: true });
		expect((await r.get('clause', 'M1|1'))?.data).toEqual({ heuresDues: 500 });
		expect((await r.versions('clause', 'M1|1')).map((v) => v.data)).toEqual([{ heuresDues: 420 }, { heuresDues: 500 }]);
		expect(await r.archive('clause', 'M1|1', 'retrait')).toEqual({ version: 3, changed: true });
		expect(await r.list('clause')).toHaveLength(0);
		expect((await r.list('clause', { includeArchived: true }))[0]).toMatchObject({ version: 3, archived: true, data: { heuresDues: 500 } });
		expect((await r.historyOf('clause', 'M1|1')).map((h) => h.action)).toEqual(['création', 'modification', 'archivage']);
	});

	test('les fiches lues par paquets sont celles de la liste, dans le même ordre, chacune une fois (versions, archivées, autres natures)', async () => {
		const [r] = await openMany(1);
		for (const key of ['B|2', 'A|1', 'C|3', 'A|10', 'D|4', 'E|5', 'F|6']) await r.put('clause', key, { heuresDues: key.length });
		await r.put('clause', 'C|3', { heuresDues: 99 }, 'correction');
		await r.archive('clause', 'D|4');
		await r.put('marche', 'A', { objet: 'autre nature' });
		for (const includeArchived of [false, true]) {
			const listed = await r.list('clause', { includeArchived });
			for (const perQuery of [1, 2, 3, 500]) {
				const seen: Array<{ key: string; version: number; data: unknown }> = [];
				await r.forEachRecord('clause', (record) => seen.push({ key: record.key, version: record.version, data: record.data }), { includeArchived, perQuery });
				expect(seen).toEqual(listed.map((l) => ({ key: l.key, version: l.version, data: l.data })));
			}
		}
		expect((await r.list('clause')).map((l) => l.key)).not.toContain('D|4');
	});

	test('une transaction qui échoue n’écrit rien ; l’erreur levée dans la transaction en ressort telle quelle', async () => {
		const [r] = await openMany(1);
		// Une erreur métier (relevé déjà enregistré…) n'est pas une panne de la base : même objet, pas « erreur PostgreSQL ».
		const failure = new Error('panne au milieu');
		await expect(
			r.transaction(async (tx) => {
				await tx.put('marche', 'M2', { objet: 'Nettoyage' });
				throw failure;
			}),
		).rejects.toBe(failure);
		expect(await r.get('marche', 'M2')).toBeUndefined();
	});

	test('une transaction écrit des milliers de fiches et de relevés d’un coup (import d’un grand classeur) en tenant un seul verrou de la base', async () => {
		// Avec un verrou PostgreSQL par clé écrite, l'import d'un classeur de 5 000 clauses
		// (52 500 clés) échouait sur « out of shared memory » : la table des verrous a
		// max_locks_per_transaction (64) × max_connections places.
		const [r] = await openMany(1);
		const locks = await r.transaction(async (tx) => {
			for (let i = 0; i < 3_000; i++) {
				await tx.put('clause', `GRAND|${i}`, { heuresDues: i + 1 });
				await tx.recordReport(`GRAND|${i}`, '2026-03', [{ hours: 7, data: { participant: 'P1' } }]);
			}
			if (dialect !== 'postgres') return 0;
			const held = await tx.q.query<{ n: number | string }>("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()");
			return Number(held[0].n);
		});
		expect(locks).toBeLessThanOrEqual(1);
		expect((await r.list('clause')).filter((c) => c.key.startsWith('GRAND|'))).toHaveLength(3_000);
	}, 120_000);

	test('relevés écrits d’un coup (import) : nouveau, identique (rien d’écrit) et corrigé, comme un par un ; historique de chacun', async () => {
		const [r] = await openMany(1);
		await r.recordReport('B|1', '2026-03', [{ hours: 35, data: { participant: 'P1' } }]);
		await r.recordReport('B|2', '2026-03', [{ hours: 10, trainingHours: 2, data: { participant: 'P2' } }]);
		const reports = [
			{ clauseKey: 'B|1', month: '2026-03', lines: [{ hours: 35, data: { participant: 'P1' } }] },
			{ clauseKey: 'B|2', month: '2026-03', lines: [{ hours: 12, trainingHours: 2, data: { participant: 'P2' } }, { hours: 5, data: { participant: 'P3' } }] },
			{ clauseKey: 'B|3', month: '2026-04', lines: [{ hours: 7, data: { participant: 'P4' } }] },
		];
		// Comme l'import du classeur : lignes versées dans la table d'attente de la transaction, puis au registre.
		const out = await r.transaction(async (tx) => {
			const staging = await tx.stageReports();
			for (const report of reports) for (const line of report.lines) await staging.add(report.clauseKey, report.month, line);
			const written = await staging.write(staging.groups.map((_group, gid) => gid), 'import');
			await staging.close();
			return written;
		});
		expect(out).toEqual([
			{ version: 1, correction: false, changed: false },
			{ version: 2, correction: true, changed: true },
			{ version: 1, correction: false, changed: true },
		]);
		const lines = await r.reportLines({ allVersions: true });
		expect(lines.filter((l) => l.clauseKey === 'B|2').map((l) => [l.version, l.current, (l.data as { participant: string }).participant])).toEqual([
			[1, false, 'P2'],
			[2, true, 'P2'],
			[2, true, 'P3'],
		]);
		expect((await r.monthHours(['B|2'])).map((h) => h.hours)).toEqual([17]);
		expect((await r.historyOf('releve', 'B|2 2026-03')).map((h) => [h.action, (h.detail as { version: number }).version])).toEqual([
			['réception', 1],
			['correction', 2],
		]);
		expect(await r.historyOf('releve', 'B|1 2026-03')).toHaveLength(1);
		expect((await r.historyOf('releve', 'B|3 2026-04'))[0]).toMatchObject({ action: 'réception', detail: { version: 1, lignes: 1, source: 'import' } });
	});

	test('lignes en vigueur remises une à une, par paquets de clauses (bilan) : les mêmes que la lecture d’un coup, version corrigée seule', async () => {
		const [r] = await openMany(1);
		await r.recordReport('L|1', '2026-03', [{ hours: 35, data: { participant: 'P1' } }]);
		await r.recordReport('L|2', '2026-03', [{ hours: 10, data: { participant: 'P2' } }]);
		await r.recordReport('L|2', '2026-03', [{ hours: 12, data: { participant: 'P2' } }, { hours: 5, data: { participant: 'P3' } }]);
		await r.recordReport('L|3', '2026-04', [{ hours: 7, data: { participant: 'P4' } }]);
		await r.recordReport('L|3', '2026-05', [{ hours: 8, data: { participant: 'P4' } }]);
		const expected = (await r.reportLines()).map(({ clauseKey, month, version, data }) => ({ clauseKey, month, version, data }));
		expect(expected).toHaveLength(5);
		for (const clausesPerQuery of [1, 2, 200]) {
			const seen: unknown[] = [];
			expect(await r.forEachReportLine((line) => seen.push(line), { clausesPerQuery })).toBe(5);
			expect(seen).toEqual(expected);
		}
		expect(expected.filter((l) => l.clauseKey === 'L|2').map((l) => [l.version, (l.data as { participant: string }).participant])).toEqual([
			[2, 'P2'],
			[2, 'P3'],
		]);
	});

	test('un relevé corrigé devient une nouvelle version ; les heures comptées sont celles de la version en vigueur', async () => {
		const [r] = await openMany(1);
		expect(await r.recordReport('M1|1', '2026-03', [{ hours: 35, data: { participant: 'P1' } }, { hours: 20, data: { participant: 'P2' } }])).toEqual({ version: 1, correction: false });
		await r.recordReport('M1|1', '2026-04', [{ hours: 10, data: { participant: 'P1' } }]);
		expect(await r.recordReport('M1|1', '2026-03', [{ hours: 40, data: { participant: 'P1' } }])).toEqual({ version: 2, correction: true });
		expect(await r.monthHours()).toEqual([
			{ clauseKey: 'M1|1', month: '2026-03', hours: 40, version: 2 },
			{ clauseKey: 'M1|1', month: '2026-04', hours: 10, version: 1 },
		]);
		expect(await r.reportLines({ clauseKey: 'M1|1', allVersions: true })).toHaveLength(4);
	});

	test('deux réceptions simultanées du même mois sur deux connexions : les deux relevés sont gardés, en deux versions', async () => {
		const [a, b] = await openMany(2);
		const results = await Promise.all([a.recordReport('M9|2', '2026-05', [{ hours: 7, data: { n: 'a' } }]), b.recordReport('M9|2', '2026-05', [{ hours: 9, data: { n: 'b' } }])]);
		expect(results.map((x) => x.version).sort()).toEqual([1, 2]);
		const all = await a.reportLines({ clauseKey: 'M9|2', allVersions: true });
		expect(all.map((l) => l.data).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))).toEqual([{ n: 'a' }, { n: 'b' }]);
		expect(all.filter((l) => l.current)).toHaveLength(1);
	});

	test('réservation d’envoi : une seule par clé, envoyé reste envoyé, échec définitif gardé, refus temporaire libéré', async () => {
		const [r] = await openMany(1);
		expect(await r.claim('relance|A', { leaseMs: 60000 })).toEqual({ claimed: true, uncertain: false, attempts: 1 });
		expect(await r.claim('relance|A', { leaseMs: 60000 })).toMatchObject({ claimed: false, busy: true });
		await r.markSent('relance|A', { messageId: '<a@x>', response: '250 OK' });
		expect(await r.claim('relance|A', { leaseMs: 60000 })).toMatchObject({ claimed: false, busy: false, existing: { status: 'envoyé', messageId: '<a@x>', response: '250 OK' } });
		await r.claim('relance|B', { leaseMs: 60000 });
		await r.markFailed('relance|B', { code: 'SMTP 550', error: 'boîte inconnue' });
		expect(await r.message('relance|B')).toMatchObject({ status: 'échec', code: 'SMTP 550', error: 'boîte inconnue' });
		// Refus définitif : retenté à l'exécution suivante (adresse corrigée entre-temps).
		expect(await r.claim('relance|B', { leaseMs: 60000 })).toEqual({ claimed: true, uncertain: false, attempts: 2 });
		expect(await r.sentKeys(['relance|A', 'relance|B', 'relance|Z'])).toEqual(new Set(['relance|A']));
		await r.claim('relance|C', { leaseMs: 60000 });
		await r.release('relance|C');
		expect(await r.claim('relance|C', { leaseMs: 60000 })).toEqual({ claimed: true, uncertain: false, attempts: 1 });
	});

	test('réservation qui porte les issues d’envois précédents : validées avec elle, tout ou rien ; reprise incertaine et concurrence inchangées', async () => {
		let now = Date.parse('2026-12-01T10:00:00Z');
		const location = freshRegisterLocation(dialect);
		const [r, other] = await openMany(2, location, { now: () => new Date(now) });
		for (const key of ['relance|A', 'relance|B', 'relance|C']) await r.claim(key, { leaseMs: 1000 });
		expect(
			await r.claim('relance|D', { leaseMs: 1000 }, [
				{ key: 'relance|A', result: 'envoyé', messageId: '<a@x>', response: '250 OK', accepted: ['a@x'] },
				{ key: 'relance|B', result: 'échec', code: 'SMTP 550', error: 'boîte inconnue', messageId: '<b@x>' },
				{ key: 'relance|C', result: 'libéré' },
			]),
		).toEqual({ claimed: true, uncertain: false, attempts: 1 });
		expect(await r.message('relance|A')).toMatchObject({ status: 'envoyé', messageId: '<a@x>', response: '250 OK' });
		expect(await r.message('relance|B')).toMatchObject({ status: 'échec', code: 'SMTP 550', error: 'boîte inconnue', messageId: '<b@x>' });
		expect(await r.message('relance|C')).toBeUndefined();
		// Clé déjà prise ailleurs : pas de réservation, mais les issues portées sont validées.
		expect(await other.claim('relance|D', { leaseMs: 1000 }, [{ key: 'relance|A', result: 'envoyé', messageId: '<a@x>', response: '250 OK' }])).toMatchObject({ claimed: false, busy: true });
		// Bail expiré : reprise incertaine, gagnée une seule fois entre deux connexions qui portent chacune une issue.
		await r.claim('relance|E', { leaseMs: 1000 });
		await other.claim('relance|F', { leaseMs: 1000 });
		now += 5000;
		const [x, y] = await Promise.all([
			r.claim('relance|D', { leaseMs: 1000 }, [{ key: 'relance|E', result: 'envoyé', response: '250 OK' }]),
			other.claim('relance|D', { leaseMs: 1000 }, [{ key: 'relance|F', result: 'libéré' }]),
		]);
		expect([x, y].filter((c) => c.claimed)).toEqual([{ claimed: true, uncertain: true, attempts: 2 }]);
		expect(await r.message('relance|E')).toMatchObject({ status: 'envoyé' });
		expect(await r.message('relance|F')).toBeUndefined();
		// Plusieurs issues seules (fin d'un lot) : une transaction.
		await r.claim('relance|G', { leaseMs: 60000 });
		await r.claim('relance|H', { leaseMs: 60000 });
		await r.settle([
			{ key: 'relance|G', result: 'envoyé', response: '250 OK' },
			{ key: 'relance|H', result: 'envoyé', response: '250 OK' },
		]);
		expect((await r.sentKeys(['relance|G', 'relance|H'])).size).toBe(2);
	});

	test('réservation qui échoue : les issues qu’elle portait ne sont pas validées (tout ou rien)', async () => {
		let broken = false;
		const [r] = await openMany(1, undefined, {
			now: () => {
				if (broken) throw new Error('horloge en panne');
				return new Date();
			},
		});
		await r.claim('relance|C', { leaseMs: 60000 });
		broken = true;
		// La libération de C s'exécute dans la transaction, puis la réservation de B échoue.
		await expect(r.claim('relance|B', { leaseMs: 60000 }, [{ key: 'relance|C', result: 'libéré' }])).rejects.toThrow('horloge en panne');
		broken = false;
		expect(await r.message('relance|C')).toMatchObject({ status: 'en cours' });
		expect(await r.message('relance|B')).toBeUndefined();
	});

	test('un envoi resté « en cours » (processus tué) est repris une fois son bail expiré, et signalé incertain', async () => {
		let now = Date.parse('2026-12-01T10:00:00Z');
		const location = freshRegisterLocation(dialect);
		const [crashed, next, third] = await openMany(3, location, { now: () => new Date(now) });
		await crashed.claim('avis|P1', { leaseMs: 1000 });
		expect(await next.claim('avis|P1', { leaseMs: 1000 })).toMatchObject({ claimed: false, busy: true });
		now += 5000;
		const [x, y] = await Promise.all([next.claim('avis|P1', { leaseMs: 1000 }), third.claim('avis|P1', { leaseMs: 1000 })]);
		const winners = [x, y].filter((c) => c.claimed);
		expect(winners).toEqual([{ claimed: true, uncertain: true, attempts: 2 }]);
		expect((await next.historyOf('envoi', 'avis|P1')).map((h) => h.action)).toEqual(['reprise incertaine']);
	});

	test('huit connexions réservent ensemble les mêmes 50 clés : chaque clé est gagnée une seule fois', async () => {
		const registers = await openMany(8);
		const keys = Array.from({ length: 50 }, (_, i) => `relance|K${i}`);
		const results = await Promise.all(registers.map(async (r) => {
			const won: string[] = [];
			for (const key of keys) if ((await r.claim(key, { leaseMs: 60000 })).claimed) won.push(key);
			return won;
		}));
		const all = results.flat();
		expect(all).toHaveLength(50);
		expect(new Set(all).size).toBe(50);
	});
});
