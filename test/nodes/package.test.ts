/**
 * Le paquet tel qu'il est publié : aucune dépendance d'exécution, n8n-workflow
 * en seule dépendance pair (facultative), seulement dist/, le README, la licence
 * et package.json dans l'archive, et chaque nœud ou identifiant déclaré présent
 * dans dist/.
 */
import fs from 'node:fs';
import path from 'node:path';

import { PACKAGE_ROOT } from '../helpers/engine';
import { local } from '../helpers/real-n8n';

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

	it('porte le texte de la licence MIT au nom de l’auteur du paquet', () => {
		const license = fs.readFileSync(path.join(PACKAGE_ROOT, 'LICENSE'), 'utf8');
		expect(license.split('\n')[0]).toBe('MIT License');
		expect(license).toContain(`Copyright (c) 2026 ${pkg.author.name}`);
	});
});
