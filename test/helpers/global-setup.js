// Avant les tests : construction de dist/ (chargé par les tests de nœuds comme n8n
// le charge) et archive npm du paquet (installée par les tests de bout en bout dans
// un vrai n8n, comme un paquet communautaire).
const path = require('node:path');

module.exports = async () => {
	if (process.env.CLAUSES_SKIP_BUILD === '1') return;
	const local = require(path.join(__dirname, '..', '..', 'scripts', 'lib', 'n8n-local.cjs'));
	process.env.CLAUSES_TARBALL = local.packPackage();
};
