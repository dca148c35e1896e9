// Lance un script shell du projet (tests des scripts d'exploitation), un script Node et une requête psql.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const path = require('node:path');

/** Lance `bash script args…` ; rend { status, out } (sorties standard et d'erreur réunies). */
function runScript(script, args, env = process.env) {
	const result = spawnSync('bash', [script, ...args], { env, encoding: 'utf8' });
	return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

/** Lance `node args…` (Node de ce processus) ; rend { status, stdout, stderr }. */
function runNode(args, options = {}) {
	const result = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: process.env, ...options });
	return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Une requête psql sur une base du serveur PostgreSQL de test ; rend la sortie brute (-At). */
function psql(pg, database, sql) {
	return execFileSync(path.join(pg.bin, 'psql'), ['-h', pg.host, '-p', String(pg.port), '-U', pg.user, '-d', database, '-qAtc', sql], {
		env: { ...process.env, PGPASSWORD: pg.password },
		encoding: 'utf8',
	});
}

module.exports = { runScript, runNode, psql };
