// Plancher d'écriture de la base pour les lignes de relevé : les mêmes lignes
// que le registre garde (table de même forme que report_lines, clé primaire et
// index compris), écrites de la façon la plus rapide que la base offre, sans
// rien d'autre (ni lecture de classeur, ni contrôle, ni historique).
//   - SQLite (node:sqlite) : une transaction, un INSERT préparé, mêmes réglages
//     que le registre (journal WAL, synchronous=FULL) ;
//   - PostgreSQL (pg) : une transaction, INSERT … SELECT FROM unnest(tableaux)
//     par paquets de 5 000 lignes (un aller-retour par paquet).
// Arguments : --base=sqlite|postgres --lignes=N --clauses=N [--pg='{…}'] [--fichier=…]
// Sortie (JSON, une ligne) : durée de l'écriture (ms), lignes.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split(/=(.*)/s).slice(0, 2)));
const LINES = Number(args.lignes);
const CLAUSES = Number(args.clauses);
const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12'];
const CATEGORIES = ['Bénéficiaire du RSA', 'Demandeur d’emploi de longue durée (plus de 12 mois)', 'Jeune de moins de 26 ans peu qualifié', 'Travailleur handicapé (RQTH)'];

const TABLE = `CREATE TABLE report_lines (
	clause_key TEXT NOT NULL, month TEXT NOT NULL, version INTEGER NOT NULL, line_no INTEGER NOT NULL, current INTEGER NOT NULL,
	hours DOUBLE PRECISION NOT NULL, training_hours DOUBLE PRECISION, data TEXT NOT NULL, received_at TEXT NOT NULL, source TEXT,
	PRIMARY KEY (clause_key, month, version, line_no))`;
const INDEX = 'CREATE INDEX report_lines_current ON report_lines (clause_key, month) WHERE current = 1';

/** Les lignes du classeur de banc (même répartition que bench/releves-bilan.bench.mjs), dans l'ordre des colonnes de la table. */
function* rows() {
	const perMonth = Math.max(1, Math.round(LINES / CLAUSES / MONTHS.length));
	const at = new Date().toISOString();
	let written = 0;
	for (let m = 0; m < MONTHS.length && written < LINES; m++) {
		for (let i = 0; i < CLAUSES && written < LINES; i++) {
			for (let p = 0; p < perMonth && written < LINES; p++) {
				const data = {
					categoriePublic: CATEGORIES[(i + p) % 4],
					eligibiliteValidee: true,
					employeur: 'Titulaire',
					heuresFormation: p === 0 ? 7 : 0,
					heuresMois: 20 + (p % 5),
					modalite: 'Embauche directe',
					participant: `P-${Math.floor(i / 3)}-${p}`,
					poste: 'Ouvrier polyvalent',
					residentQpv: (i + p) % 4 === 0,
					sexe: (i + p) % 3 === 0 ? 'Femme' : 'Homme',
					trancheAge: ['Moins de 26 ans', 'De 26 à 49 ans', '50 ans et plus'][(i + p) % 3],
					typeContrat: 'CDD',
				};
				yield [`M-${Math.floor(i / 5)}\u001f${(i % 5) + 1}`, MONTHS[m], 1, p + 1, 1, 20 + (p % 5), p === 0 ? 7 : 0, JSON.stringify(data), at, 'plancher'];
				written++;
			}
		}
	}
}

let ms;
if (args.base === 'sqlite') {
	const { DatabaseSync } = require('node:sqlite');
	const file = args.fichier ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'plancher-')), 'plancher.sqlite');
	const db = new DatabaseSync(file);
	db.exec('PRAGMA journal_mode = WAL');
	db.exec('PRAGMA synchronous = FULL');
	db.exec(TABLE);
	db.exec(INDEX);
	const start = process.hrtime.bigint();
	db.exec('BEGIN IMMEDIATE');
	const insert = db.prepare('INSERT INTO report_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
	for (const r of rows()) insert.run(...r);
	db.exec('COMMIT');
	ms = Number(process.hrtime.bigint() - start) / 1e6;
	db.close();
	fs.rmSync(path.dirname(file), { recursive: true, force: true });
} else {
	const { Client } = require('pg');
	const client = new Client(JSON.parse(args.pg));
	await client.connect();
	await client.query('DROP TABLE IF EXISTS report_lines');
	await client.query(TABLE);
	await client.query(INDEX);
	const start = process.hrtime.bigint();
	await client.query('BEGIN');
	const sql =
		'INSERT INTO report_lines SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[], $6::float8[], $7::float8[], $8::text[], $9::text[], $10::text[])';
	let batch = Array.from({ length: 10 }, () => []);
	const flush = async () => {
		if (batch[0].length) await client.query(sql, batch);
		batch = Array.from({ length: 10 }, () => []);
	};
	for (const r of rows()) {
		for (let c = 0; c < 10; c++) batch[c].push(r[c]);
		if (batch[0].length >= 5000) await flush();
	}
	await flush();
	await client.query('COMMIT');
	ms = Number(process.hrtime.bigint() - start) / 1e6;
	await client.query('DROP TABLE report_lines');
	await client.end();
}
process.stdout.write(`${JSON.stringify({ ms, lignes: LINES })}\n`);
