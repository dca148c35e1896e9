/**
 * Couche SQLite du registre : les requêtes préparées gardées par connexion.
 */
import { SqliteDatabase } from '../../nodes/adapters/register';

describe('requêtes préparées gardées par connexion SQLite', () => {
	it('une table d’attente supprimée puis recréée, et plus de requêtes distinctes que la réserve : résultats justes', async () => {
		const db = await SqliteDatabase.open({ file: ':memory:' });
		try {
			for (let round = 1; round <= 3; round++) {
				await db.transaction(async (tx) => {
					await tx.run('CREATE TEMP TABLE attente (n INTEGER NOT NULL, texte TEXT)');
					for (let i = 0; i < round * 2; i++) await tx.run('INSERT INTO attente (n, texte) VALUES (?, ?)', [i, `tour ${round}`]);
					expect(await tx.query<{ total: number; texte: string }>('SELECT COUNT(*) AS total, MAX(texte) AS texte FROM attente')).toEqual([{ total: round * 2, texte: `tour ${round}` }]);
					await tx.run('DROP TABLE attente');
				});
			}
			// 250 textes distincts (au-delà des 200 gardés), puis les premiers à nouveau.
			await db.run('CREATE TABLE t (n INTEGER NOT NULL)');
			for (let i = 0; i < 250; i++) await db.run(`INSERT INTO t (n) VALUES (${i})`);
			for (let i = 0; i < 5; i++) await db.run(`INSERT INTO t (n) VALUES (${i})`);
			expect(await db.query<{ total: number; somme: number }>('SELECT COUNT(*) AS total, SUM(n) AS somme FROM t')).toEqual([{ total: 255, somme: (249 * 250) / 2 + 10 }]);
			// Une requête fautive reste une erreur, et ne garde rien.
			await expect(db.run('INSERT INTO absente (n) VALUES (1)')).rejects.toThrow(/no such table: absente/);
			await db.run('CREATE TABLE absente (n INTEGER)');
			await expect(db.run('INSERT INTO absente (n) VALUES (1)')).resolves.toEqual({ changes: 1 });
		} finally {
			await db.close();
		}
	});
});
