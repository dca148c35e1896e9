/**
 * Mise à jour du schéma du registre pendant que des workers travaillent : une
 * version suivante du schéma (colonne et index en plus, ajoutés ici à la liste des
 * migrations du paquet, comme le ferait une version future) est appliquée par
 * quatre processus mis à jour en même temps, pendant que trois « workers » de
 * l'ancienne version réservent et consignent des envois, versionnent des fiches
 * et reçoivent des relevés. La migration passe une fois (verrou), aucune
 * opération des workers n'échoue ni ne se perd, et l'ancienne version continue
 * de travailler sur le schéma plus récent.
 */
import type { Database, Migration } from '../../nodes/adapters/register';
import { MIGRATIONS, Register, SCHEMA_VERSION } from '../../nodes/adapters/register';
import type { RegisterDialect } from '../helpers/registers';
import { DIALECTS, connect, freshRegisterLocation } from '../helpers/registers';

jest.setTimeout(120_000);

const V2: Migration = {
	version: SCHEMA_VERSION + 1,
	description: 'essai : canal des envois, index des envois par statut',
	statements: (d) => [
		// Sans IF NOT EXISTS : une seconde application échouerait.
		'ALTER TABLE messages ADD COLUMN channel TEXT',
		'CREATE INDEX messages_status ON messages (status)',
		// Migration longue (1 s sous verrou) : les workers la croisent forcément.
		...(d === 'postgres' ? ['SELECT pg_sleep(1)'] : []),
	],
};

describe.each(DIALECTS)('migration du registre pendant que les workers travaillent (%s)', (dialect: RegisterDialect) => {
	it('quatre processus appliquent la version suivante du schéma en même temps que trois workers écrivent : appliquée une fois, aucune opération perdue', async () => {
		const location = freshRegisterLocation(dialect);
		const setup = await Register.open(await connect(dialect, location));
		for (let i = 0; i < 20; i++) await setup.put('clause', `C-${i}`, { heures: i }, 'départ');
		await setup.close();

		const workers = await Promise.all([1, 2, 3].map(async () => Register.open(await connect(dialect, location))));
		let migrating = true;
		const done: string[][] = workers.map(() => []);
		const errors: unknown[] = [];
		const work = async (register: Register, w: number) => {
			// Le travail continue tant que la migration n'est pas finie, puis encore quelques tours.
			let after = 0;
			for (let n = 0; (migrating || after++ < 5) && n < 5000; n++) {
				try {
					const key = `relance|w${w}|${n}`;
					const claim = await register.claim(key, { kind: 'relance', leaseMs: 60_000 });
					if (!claim.claimed) throw new Error(`réservation ${key} refusée`);
					// L'envoi du courriel (quelques millisecondes) : la boucle d'événements tourne entre deux écritures, comme dans un worker.
					await new Promise((r) => setTimeout(r, 5));
					await register.markSent(key, { messageId: `<${w}.${n}@essai>`, response: '250 OK' });
					await register.put('clause', `C-${n % 20}`, { heures: n, par: w }, `worker ${w}`);
					await register.recordReport(`C-${n % 20}`, `2026-${String((n % 12) + 1).padStart(2, '0')}`, [{ hours: n, data: { w, n } }], `worker ${w}`);
					done[w].push(key);
				} catch (error) {
					errors.push(error);
					return;
				}
			}
		};
		const running = workers.map((register, w) => work(register, w));
		await new Promise((r) => setTimeout(r, 300)); // les workers sont lancés

		const upgraded: Database[] = await Promise.all([1, 2, 3, 4].map(() => connect(dialect, location)));
		let opened: Register[];
		try {
			opened = await Promise.all(upgraded.map((db) => Register.open(db, {}, undefined, [...MIGRATIONS, V2])));
		} finally {
			migrating = false;
			await Promise.all(running);
		}

		expect(errors).toEqual([]);
		for (const keys of done) expect(keys.length).toBeGreaterThan(5);
		const check = opened[0];
		// Version 2 appliquée une seule fois.
		const versions = await check.db.query<{ version: number | string }>('SELECT version FROM schema_migrations ORDER BY version');
		expect(versions.map((v) => Number(v.version))).toEqual([...MIGRATIONS.map((m) => m.version), V2.version]);
		// La nouvelle colonne est là, et chaque envoi des workers est consigné une fois.
		const messages = await check.db.query<{ key: string; status: string; channel: string | null }>('SELECT key, status, channel FROM messages ORDER BY key');
		expect(messages.map((m) => m.key)).toEqual(done.flat().sort());
		expect(messages.every((m) => m.status === 'envoyé' && m.channel === null)).toBe(true);
		// Une version par écriture de fiche, sans trou (20 au départ).
		const records = await check.db.query<{ key: string; n: number | string; top: number | string }>("SELECT key, COUNT(*) AS n, MAX(version) AS top FROM records WHERE kind = 'clause' GROUP BY key");
		expect(records.every((r) => Number(r.n) === Number(r.top))).toBe(true);

		// L'ancienne version du paquet rouvre le registre migré sans rien rejouer, et y écrit.
		const old = await Register.open(await connect(dialect, location));
		expect(await old.claim('après', { leaseMs: 1000 })).toMatchObject({ claimed: true });
		await old.close();
		expect(await check.db.query('SELECT version FROM schema_migrations')).toHaveLength(MIGRATIONS.length + 1);
		await Promise.all([...workers, ...opened].map((r) => r.close()));
	});
});
