// Deux coûts de l'import des relevés au registre SQLite, mesurés à part, pour
// 150 000 lignes de relevé comme celles du banc de la réception :
// 1. le texte JSON stable de chaque ligne : stableJson du paquet (objets recopiés
//    aux clés triées s'il le faut, puis JSON.stringify sans fonction de
//    remplacement), contre l'écriture d'avant (JSON.stringify avec une fonction
//    de remplacement qui recopie chaque objet aux clés triées) et contre
//    JSON.stringify avec la liste des clés triées (une écriture à la main du
//    texte entier essayée aussi, qui n'était pas plus rapide) ;
// 2. l'écriture dans la table d'attente par INSERT de 1 000 lignes : requête
//    préparée à chaque paquet (db.prepare(sql).run), contre requête préparée une
//    fois et gardée (ce que fait le registre).
// Tours alternés, médiane et écart.
//   scripts/node24.sh node bench/ecriture-registre.mjs [--lignes=150000] [--tours=5]
import { createRequire } from 'node:module';
import os from 'node:os';
import { DatabaseSync } from 'node:sqlite';

const require = createRequire(import.meta.url);
const { stableJson } = require('../dist/nodes/lib.js');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const LINES = Number(args.lignes ?? 150000);
const ROUNDS = Number(args.tours ?? 5);
const ROWS = 1000;

/** L'écriture d'avant : fonction de remplacement qui recopie chaque objet, clés triées. */
function replacerJson(value) {
	return JSON.stringify(value, (_k, v) => {
		if (v && typeof v === 'object' && !Array.isArray(v)) {
			return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
		}
		return v;
	});
}

/** JSON.stringify avec la liste des clés triées (clés entières croissantes d'abord, comme un objet JavaScript). */
function keyListJson(value) {
	const keys = new Set();
	const collect = (v) => {
		if (v === null || typeof v !== 'object') return;
		const w = typeof v.toJSON === 'function' ? v.toJSON() : v;
		if (w === null || typeof w !== 'object') return;
		if (Array.isArray(w)) return w.forEach(collect);
		for (const [k, x] of Object.entries(w)) {
			keys.add(k);
			collect(x);
		}
	};
	collect(value);
	const all = [...keys];
	const integers = all.filter((k) => /^(?:0|[1-9]\d*)$/.test(k)).sort((a, b) => a - b);
	return JSON.stringify(value, [...integers, ...all.filter((k) => !integers.includes(k)).sort()]);
}

// Les données d'une ligne de relevé telles que l'import les garde (mêmes champs que le banc de la réception).
const lines = Array.from({ length: LINES }, (_, n) => ({
	participant: `P-${n % 5000}-${Math.floor(n / 60000)}`,
	categorie: 'Bénéficiaire du RSA',
	eligibiliteValidee: true,
	employeur: 'Titulaire',
	modalite: 'Embauche directe',
	typeContrat: 'CDD',
	poste: 'Ouvrier polyvalent',
	heures: 20 + (n % 5),
	heuresFormation: n % 12 === 0 ? 7 : 0,
	sexe: n % 3 === 0 ? 'Femme' : 'Homme',
	trancheAge: 'De 26 à 49 ans',
	residentQpv: n % 4 === 0,
	commentaire: undefined,
}));

function timeJson(fn) {
	const start = performance.now();
	let size = 0;
	for (const line of lines) size += fn(line).length;
	return { ms: performance.now() - start, size };
}

function timeInsert(cached) {
	const db = new DatabaseSync(':memory:');
	db.exec('CREATE TEMP TABLE staged (gid INTEGER NOT NULL, line_no INTEGER NOT NULL, hours DOUBLE PRECISION NOT NULL, training_hours DOUBLE PRECISION, data TEXT NOT NULL)');
	const sql = `INSERT INTO staged (gid, line_no, hours, training_hours, data) VALUES ${Array.from({ length: ROWS }, () => '(?, ?, ?, ?, ?)').join(', ')}`;
	const data = lines.map((line) => stableJson(line));
	const start = performance.now();
	const statement = cached ? db.prepare(sql) : undefined;
	for (let first = 0; first + ROWS <= LINES; first += ROWS) {
		const params = [];
		for (let i = first; i < first + ROWS; i++) params.push(i % 5000, i, 20, null, data[i]);
		(statement ?? db.prepare(sql)).run(...params);
	}
	const ms = performance.now() - start;
	db.close();
	return { ms };
}

if (lines.some((line) => stableJson(line) !== keyListJson(line) || stableJson(line) !== replacerJson(line))) throw new Error('les deux écritures ne rendent pas le même texte');
const arms = {
	'JSON, stableJson du paquet (copie aux clés triées, sans fonction de remplacement)': () => timeJson(stableJson),
	'JSON, fonction de remplacement (écriture d’avant)': () => timeJson(replacerJson),
	'JSON, liste des clés triées': () => timeJson(keyListJson),
	'INSERT, préparé à chaque paquet': () => timeInsert(false),
	'INSERT, préparé une fois': () => timeInsert(true),
};
const results = Object.fromEntries(Object.keys(arms).map((k) => [k, []]));
for (const arm of Object.values(arms)) arm(); // chauffe
for (let round = 0; round < ROUNDS; round++) for (const [name, arm] of Object.entries(arms)) results[name].push(arm().ms);
const fr = (v, d = 0) => v.toLocaleString('fr-FR', { maximumFractionDigits: d, minimumFractionDigits: d });
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(`${fr(LINES)} lignes, ${ROUNDS} tours alternés, Node ${process.versions.node}, charge ${os.loadavg().map((l) => fr(l, 2)).join(' / ')}`);
for (const [name, values] of Object.entries(results)) {
	console.log(`- ${name} : ${fr(median(values))} ms (${fr(Math.min(...values))} à ${fr(Math.max(...values))}), ${fr((median(values) * 1e6) / LINES)} ns par ligne`);
}
