/**
 * Le paquet tel qu'il est publié : aucune dépendance d'exécution, n8n-workflow
 * en seule dépendance pair (facultative), seulement dist/, le README, la licence
 * et package.json dans l'archive, et chaque nœud ou identifiant déclaré présent
 * dans dist/. Les bibliothèques lourdes (dist/nodes/vendor/) sont dans l'archive
 * et ne se chargent pas avec les nœuds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { PACKAGE_ROOT } from '../helpers/engine';
import { local } from '../helpers/real-n8n';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runNode } = require('../helpers/run-script.cjs') as {
	runNode(args: string[], options?: object): { status: number | null; stdout: string; stderr: string };
};

const pkg = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8'));

describe('paquet publié', () => {
	it('n’a aucune dépendance d’exécution et n8n-workflow pour seule dépendance pair (facultative)', () => {
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(pkg.peerDependenciesMeta).toEqual({ 'n8n-workflow': { optional: true } });
		// Les tests chargent et exécutent les nœuds avec le moteur de n8n : dépendances de développement seulement.
		expect(pkg.devDependencies['n8n-workflow']).toBe('2.40.1');
		expect(pkg.devDependencies['n8n-core']).toBe('2.40.3');
		expect(pkg.optionalDependencies ?? {}).toEqual({});
		expect(pkg.bundleDependencies ?? pkg.bundledDependencies ?? []).toEqual([]);
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.license).toBe('MIT');
		expect(pkg.files).toEqual(['dist']);
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
	});

	it('déclare des nœuds et des identifiants présents dans dist/', () => {
		for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
			expect(file).toMatch(/^dist\//);
			expect(fs.existsSync(path.join(PACKAGE_ROOT, file))).toBe(true);
		}
	});

	it('ne met dans l’archive que dist/, le README, la licence (ajoutée d’office par npm) et package.json', () => {
		const files = local.packedFiles();
		expect(files.filter((f) => !f.startsWith('dist/')).sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
		expect(files).toContain('dist/nodes/lib.js');
	});

	it('met dans l’archive chaque bibliothèque que lib.js requiert à la demande', () => {
		const lib = fs.readFileSync(path.join(PACKAGE_ROOT, 'dist', 'nodes', 'lib.js'), 'utf8');
		const required = [...new Set([...lib.matchAll(/require\("\.\/(vendor\/[a-z]+\.js)"\)/g)].map((m) => `dist/nodes/${m[1]}`))].sort();
		expect(required).toEqual(['docx', 'excel', 'mail', 'pdf', 'pg'].map((f) => `dist/nodes/vendor/${f}.js`));
		const files = local.packedFiles();
		for (const file of required) expect(files).toContain(file);
	});

	it('ne charge aucune bibliothèque de vendor/ avec les nœuds ; chacune se charge seule et porte sa bibliothèque', () => {
		const declared = [...pkg.n8n.nodes, ...pkg.n8n.credentials].map((f: string) => path.join(PACKAGE_ROOT, f));
		const script = `require('n8n-workflow');
for (const f of ${JSON.stringify(declared)}) require(f);
const atStartup = Object.keys(require.cache).filter((f) => f.includes('vendor'));
const v = (name) => require(${JSON.stringify(path.join(PACKAGE_ROOT, 'dist', 'nodes', 'vendor'))} + '/' + name);
const kinds = {
	workbook: typeof v('excel.js').exceljs.default.Workbook,
	zip: typeof v('excel.js').jszip.default.loadAsync,
	docx: typeof v('docx.js').docx.Document,
	pdf: typeof v('pdf.js').pdfkit.default,
	mail: typeof v('mail.js').nodemailer.default.createTransport,
	pg: typeof v('pg.js').pg.Pool,
};
process.stdout.write(JSON.stringify({ atStartup, kinds }));`;
		const run = runNode(['-e', script], { cwd: PACKAGE_ROOT });
		expect(run.stderr).toBe('');
		expect(run.status).toBe(0);
		const result = JSON.parse(run.stdout);
		expect(result.atStartup).toEqual([]);
		expect(result.kinds).toEqual({ workbook: 'function', zip: 'function', docx: 'function', pdf: 'function', mail: 'function', pg: 'function' });
	});

	it('refuse un fichier de vendor/ d’une autre version (paquet remplacé sur le disque depuis le démarrage) avec une erreur qui dit de redémarrer', () => {
		const docxVersion = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'node_modules', 'docx', 'package.json'), 'utf8')).version;
		const tried = (replacement: string) => {
			const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-vendor-'));
			try {
				fs.cpSync(path.join(PACKAGE_ROOT, 'dist', 'nodes'), copy, { recursive: true });
				fs.writeFileSync(path.join(copy, 'vendor', 'docx.js'), replacement);
				const script = `require(${JSON.stringify(path.join(copy, 'lib.js'))}).buildModelClausesDocx({ titre: 'Modèle', lots: [], sansClause: [] }).then(() => process.stdout.write('produit'), (error) => process.stdout.write(error.message));`;
				const run = runNode(['-e', script], { env: { ...process.env, NODE_PATH: path.join(PACKAGE_ROOT, 'node_modules') } });
				expect(run.stderr).toBe('');
				return run.stdout;
			} finally {
				fs.rmSync(copy, { recursive: true, force: true });
			}
		};
		const restart = 'redémarrez ce processus pour charger la nouvelle version';
		expect(tried(`module.exports = { docx: {}, versions: { docx: '0.0.1' } };`)).toBe(
			`le paquet n8n-nodes-clauses-sociales a été mis à jour sur le disque depuis le démarrage de ce processus n8n (docx ${docxVersion} attendu, 0.0.1 trouvé) : ${restart}`,
		);
		expect(tried(`module.exports = { docx: {}, versions: { docx: '${docxVersion}' } };`)).toContain(`(docx ${docxVersion} attendu, noms absents : AlignmentType, BorderStyle, Document`);
		expect(tried('module.exports = {};')).toContain('(docx');
	});

	it('porte le texte de la licence MIT au nom de l’auteur du paquet', () => {
		const license = fs.readFileSync(path.join(PACKAGE_ROOT, 'LICENSE'), 'utf8');
		expect(license.split('\n')[0]).toBe('MIT License');
		expect(license).toContain(`Copyright (c) 2026 ${pkg.author.name}`);
	});
});
