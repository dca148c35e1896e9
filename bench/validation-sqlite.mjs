// Coût d'une validation (COMMIT) du registre SQLite sur cette machine : journal
// WAL et synchronous=FULL comme le registre (chaque validation attend que le
// disque ait écrit), puis synchronous=NORMAL pour comparaison. Une ligne de
// 200 octets par transaction, 2 000 transactions, fichier temporaire.
// Sert à lire le banc de la relance : chaque courriel y coûte deux validations
// (réservation, puis marque « envoyé »).
//   scripts/node24.sh node bench/validation-sqlite.mjs
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

const N = 2000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validation-sqlite-'));
const out = {};
for (const synchronous of ['FULL', 'NORMAL']) {
	const file = path.join(dir, `${synchronous}.sqlite`);
	const db = new DatabaseSync(file);
	db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous}; CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)`);
	const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
	const start = performance.now();
	for (let i = 0; i < N; i++) {
		db.exec('BEGIN IMMEDIATE');
		insert.run(`k${i}`, 'x'.repeat(200));
		db.exec('COMMIT');
	}
	out[synchronous] = (performance.now() - start) / N;
	db.close();
}
fs.rmSync(dir, { recursive: true, force: true });
const fr = (v) => v.toLocaleString('fr-FR', { maximumFractionDigits: 3 });
console.log(`${N} validations d'une ligne, journal WAL : synchronous=FULL ${fr(out.FULL)} ms par validation ; synchronous=NORMAL ${fr(out.NORMAL)} ms ; charge ${os.loadavg().map((l) => fr(l)).join(' / ')}`);
