// Avant les tests : construction de dist/ (chargé par les tests de nœuds comme n8n
// le charge) et archive npm du paquet (installée par les tests de bout en bout dans
// un vrai n8n, comme un paquet communautaire) ; serveur PostgreSQL privé pour les
// tests du registre (arrêté par global-teardown.js).
const path = require('node:path');

module.exports = async () => {
	const pg = await require(path.join(__dirname, '..', '..', 'scripts', 'lib', 'postgres.cjs')).startPostgres({ settings: { fsync: 'off', max_connections: 200 } });
	globalThis.__clausesPostgres = pg;
	process.env.CLAUSES_TEST_PG_PORT = String(pg.port);
	process.env.CLAUSES_TEST_PG_PASSWORD = pg.password;
	process.env.CLAUSES_TEST_PG_BIN = pg.bin;
	if (process.env.CLAUSES_SKIP_BUILD === '1') return;
	const local = require(path.join(__dirname, '..', '..', 'scripts', 'lib', 'n8n-local.cjs'));
	process.env.CLAUSES_TARBALL = local.packPackage();
};
