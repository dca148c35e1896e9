/**
 * Connexion SQLite du registre dans un fil de travail (celle des envois) : la
 * validation d'une transaction laisse Node continuer, et la connexion se
 * comporte comme celle du fil principal (erreurs, verrou d'une autre connexion,
 * annulation, fermeture).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { SqliteDatabase } from '../../nodes/adapters/register';

function freshFile(): string {
	return path.join(mkdtempSync(path.join(tmpdir(), 'clauses-fil-')), 'registre.sqlite');
}

/** Vrai si la boucle d'événements de Node a tourné pendant la validation de la transaction. */
async function loopTurnedDuringCommit(db: SqliteDatabase): Promise<boolean> {
	let turned = false;
	await db.transaction(async (tx) => {
		await tx.run('INSERT INTO t (n) VALUES (?)', [1]);
		// Programmé juste avant la validation : ne passe que si Node n'est pas bloqué par elle.
		setImmediate(() => {
			turned = true;
		});
	});
	return turned;
}

describe('connexion SQLite dans un fil de travail', () => {
	it('la validation d’une transaction ne bloque pas Node (elle le bloque dans le fil principal)', async () => {
		const file = freshFile();
		const local = await SqliteDatabase.open({ file });
		const thread = await SqliteDatabase.open({ file, thread: true });
		try {
			await local.run('CREATE TABLE t (n INTEGER NOT NULL)');
			expect(await loopTurnedDuringCommit(local)).toBe(false);
			expect(await loopTurnedDuringCommit(thread)).toBe(true);
			// Les deux écritures sont validées, et visibles de l'autre connexion.
			expect(await local.query('SELECT COUNT(*) AS n FROM t')).toEqual([{ n: 2 }]);
		} finally {
			await thread.close();
			await local.close();
		}
	});

	it('erreur SQL rendue telle quelle, transaction annulée en entier, verrou d’une autre connexion attendu sans bloquer', async () => {
		const file = freshFile();
		const thread = await SqliteDatabase.open({ file, thread: true });
		const other = await SqliteDatabase.open({ file });
		try {
			await thread.run('CREATE TABLE t (n INTEGER NOT NULL)');
			await expect(thread.run('INSERT INTO absente (n) VALUES (1)')).rejects.toThrow(/no such table: absente/);
			await expect(
				thread.transaction(async (tx) => {
					await tx.run('INSERT INTO t (n) VALUES (?)', [1]);
					await tx.run('INSERT INTO t (n) VALUES (?)', [null]);
				}),
			).rejects.toThrow(/NOT NULL/);
			expect(await thread.query('SELECT COUNT(*) AS n FROM t')).toEqual([{ n: 0 }]);
			// L'autre connexion tient le verrou d'écriture 150 ms : la transaction du fil l'attend, puis passe.
			let release!: () => void;
			const held = other.transaction(async (tx) => {
				await tx.run('INSERT INTO t (n) VALUES (?)', [1]);
				await new Promise<void>((resolve) => {
					release = resolve;
				});
			});
			await new Promise((resolve) => setTimeout(resolve, 20));
			const started = Date.now();
			const waiting = thread.transaction(async (tx) => tx.run('INSERT INTO t (n) VALUES (?)', [2]));
			setTimeout(() => release(), 150);
			await expect(waiting).resolves.toEqual({ changes: 1 });
			await held;
			expect(Date.now() - started).toBeGreaterThanOrEqual(100);
			expect(await thread.query('SELECT n FROM t ORDER BY n')).toEqual([{ n: 1 }, { n: 2 }]);
		} finally {
			await other.close();
			await thread.close();
		}
	});

	it('fichier impossible à ouvrir : erreur du registre en français ; fil arrêté après fermeture', async () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'clauses-fil-'));
		// Un dossier à la place du fichier.
		await expect(SqliteDatabase.open({ file: dir, thread: true })).rejects.toThrow(/ouverture du registre SQLite .* impossible/);
		const db = await SqliteDatabase.open({ file: freshFile(), thread: true });
		await db.close();
		await db.close();
		await expect(db.query('SELECT 1')).rejects.toThrow(/fil de travail du registre SQLite arrêté/);
	});
});
