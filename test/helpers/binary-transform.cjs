// Transformation Jest des fichiers binaires importés par le code (polices des
// lettres) : le module rend leur contenu, comme le chargeur « binary » d'esbuild
// dans dist/.
'use strict';

module.exports = {
	process(_source, filename) {
		const data = require('node:fs').readFileSync(filename).toString('base64');
		return { code: `module.exports = { __esModule: true, default: Buffer.from(${JSON.stringify(data)}, 'base64') };` };
	},
};
