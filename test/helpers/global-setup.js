// Les tests de nœuds chargent dist/ comme n8n : on reconstruit avant chaque lancement (esbuild, < 2 s).
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async () => {
	if (process.env.CLAUSES_SKIP_BUILD === '1') return;
	execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'build.mjs')], { stdio: 'inherit' });
};
