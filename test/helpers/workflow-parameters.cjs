// Contrôle d'un workflow livré contre les descriptions de nœuds : n8n, en
// construisant un Workflow, ne garde que les paramètres que renvoie
// NodeHelpers.getNodeParameters (paramètres connus et affichés, vu les valeurs
// des autres paramètres et les displayOptions) ; tout autre paramètre est
// ignoré en silence. Un paramètre renommé dont la valeur égale la valeur par
// défaut ne change donc pas le résultat d'une exécution : seul ce contrôle le
// voit.
//
// Deux usages :
// - dans le processus des tests (tests de nœuds) : workflowProblems() avec le
//   n8n-workflow des dépendances de développement et le paquet de dist/ ;
// - dans un processus à part (tests de bout en bout) : `node workflow-parameters.cjs`
//   avec NODE_PATH vers les modules du vrai n8n, qui charge le paquet tel qu'il
//   est installé dans l'instance (archive npm) avec le n8n-core et le
//   n8n-workflow de ce n8n, comme n8n le fait.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const PACKAGE_NAME = 'n8n-nodes-clauses-sociales';
const BASE_PREFIX = 'n8n-nodes-base.';

function isObject(value) {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function sameValue(a, b) {
	return JSON.stringify(a) === JSON.stringify(b);
}

/** Chemins des valeurs posées dans `set` que n8n n'a pas gardées (absentes ou différentes dans `kept`). */
function droppedPaths(set, kept, prefix = '') {
	const paths = [];
	for (const [key, value] of Object.entries(set ?? {})) {
		const where = `${prefix}${key}`;
		if (!isObject(kept) || !Object.prototype.hasOwnProperty.call(kept, key)) {
			paths.push(where);
			continue;
		}
		const keptValue = kept[key];
		if (isObject(value) && isObject(keptValue)) paths.push(...droppedPaths(value, keptValue, `${where}.`));
		else if (Array.isArray(value) && Array.isArray(keptValue)) {
			value.forEach((entry, index) => {
				if (isObject(entry) && isObject(keptValue[index])) paths.push(...droppedPaths(entry, keptValue[index], `${where}[${index}].`));
				else if (!sameValue(entry, keptValue[index])) paths.push(`${where}[${index}]`);
			});
		} else if (!sameValue(value, keptValue)) paths.push(where);
	}
	return paths;
}

/** Le paramètre `key` est-il décrit à ce niveau (quelles que soient ses displayOptions) ? */
function described(properties, key) {
	return properties.some((p) => p.name === key);
}

/**
 * Valeurs hors liste des paramètres à options (n8n les garderait, et le nœud
 * échouerait ou ferait autre chose), dans les collections comprises.
 */
function optionProblems(values, properties, prefix = '') {
	const problems = [];
	for (const [key, value] of Object.entries(values ?? {})) {
		const candidates = properties.filter((p) => p.name === key);
		if (candidates.length === 0) continue;
		const isExpression = typeof value === 'string' && value.startsWith('=');
		const optionLists = candidates.filter((p) => p.type === 'options');
		if (!isExpression && optionLists.length === candidates.length && (typeof value === 'string' || typeof value === 'number')) {
			const allowed = optionLists.flatMap((p) => (p.options ?? []).map((o) => o.value));
			if (!allowed.includes(value)) problems.push(`valeur « ${String(value)} » hors liste pour « ${prefix}${key} » (${allowed.join(', ')})`);
		}
		const collections = candidates.filter((p) => p.type === 'collection');
		if (collections.length > 0 && isObject(value)) {
			problems.push(...optionProblems(value, collections.flatMap((p) => p.options ?? []), `${prefix}${key}.`));
		}
		const fixed = candidates.filter((p) => p.type === 'fixedCollection');
		if (fixed.length > 0 && isObject(value)) {
			for (const [group, entries] of Object.entries(value)) {
				const option = fixed.flatMap((p) => p.options ?? []).find((o) => o.name === group);
				if (!option) continue;
				for (const entry of Array.isArray(entries) ? entries : [entries]) {
					problems.push(...optionProblems(entry, option.values ?? [], `${prefix}${key}.${group}.`));
				}
			}
		}
	}
	return problems;
}

/**
 * Problèmes d'un nœud du workflow face à la description de son type : chaque
 * paramètre posé dans le fichier doit se retrouver, inchangé, dans ce que garde
 * NodeHelpers.getNodeParameters (appel identique à celui du constructeur de
 * Workflow de n8n : valeurs par défaut ajoutées, paramètres non affichés retirés).
 */
function nodeProblems(NodeHelpers, node, description) {
	const properties = description.properties ?? [];
	const set = node.parameters ?? {};
	const kept = NodeHelpers.getNodeParameters(properties, set, true, false, node, description);
	const problems = droppedPaths(set, kept ?? {}).map((where) => {
		const top = where.split(/[.[]/)[0];
		if (!described(properties, top)) return `paramètre inconnu « ${where} » (n8n l’ignorerait)`;
		return `paramètre « ${where} » ignoré par n8n (inconnu à cet endroit, ou masqué par les displayOptions vu les autres paramètres)`;
	});
	problems.push(...optionProblems(set, properties));
	return problems.map((problem) => `${node.name} : ${problem}`);
}

/**
 * Problèmes d'un workflow : types inconnus (préfixe du paquet changé, nœud
 * renommé, version absente) et paramètres que n8n ne garderait pas.
 *
 * `ourDescription(shortName, version)` et `baseDescription(shortName, version)`
 * renvoient la description du type dans la version demandée, ou undefined.
 */
function workflowProblems(NodeHelpers, workflow, { ourDescription, baseDescription }) {
	const problems = [];
	for (const node of workflow.nodes ?? []) {
		let description;
		if (node.type.startsWith(`${PACKAGE_NAME}.`)) description = ourDescription(node.type.slice(PACKAGE_NAME.length + 1), node.typeVersion);
		else if (node.type.startsWith(BASE_PREFIX)) {
			if (!baseDescription) continue;
			description = baseDescription(node.type.slice(BASE_PREFIX.length), node.typeVersion);
		} else {
			problems.push(`${node.name} : type « ${node.type} » hors de ce paquet et des nœuds de base de n8n`);
			continue;
		}
		if (!description) {
			problems.push(`${node.name} : type « ${node.type} » v${node.typeVersion} inconnu`);
			continue;
		}
		if (node.type === `${BASE_PREFIX}stickyNote`) continue;
		problems.push(...nodeProblems(NodeHelpers, node, description));
	}
	return problems;
}

/** Descriptions des nœuds de base d'un n8n installé (n8n-nodes-base/dist/types/nodes.json). */
function baseDescriptions(n8nNodeModules) {
	const all = JSON.parse(fs.readFileSync(path.join(n8nNodeModules, 'n8n-nodes-base', 'dist', 'types', 'nodes.json'), 'utf8'));
	return (name, version) => {
		const matching = all.filter((d) => d.name === name && (Array.isArray(d.version) ? d.version : [d.version]).includes(version));
		return matching[matching.length - 1];
	};
}

/** Descriptions des nœuds d'un paquet chargé par le PackageDirectoryLoader de n8n-core. */
function packageDescriptions(NodeHelpers, loader) {
	return (name, version) => {
		if (!loader.known.nodes[name]) return undefined;
		const type = NodeHelpers.getVersionedNodeType(loader.getNode(name).type, version);
		const versions = type.description.version;
		if (!(Array.isArray(versions) ? versions : [versions]).includes(version)) return undefined;
		return type.description;
	};
}

/**
 * Processus à part : `node workflow-parameters.cjs <dossier du paquet installé>
 * <dossier node_modules du n8n> <workflow.json>…` ; imprime les problèmes en JSON.
 * NODE_PATH doit contenir le dossier node_modules du n8n, pour que le paquet
 * installé (sans n8n-workflow, dépendance pair) trouve celui de n8n.
 */
async function main([packageDir, n8nNodeModules, ...files]) {
	const { NodeHelpers } = require(path.join(n8nNodeModules, 'n8n-workflow'));
	const { PackageDirectoryLoader } = require(path.join(n8nNodeModules, 'n8n-core'));
	const loader = new PackageDirectoryLoader(packageDir);
	await loader.loadAll();
	const describe = { ourDescription: packageDescriptions(NodeHelpers, loader), baseDescription: baseDescriptions(n8nNodeModules) };
	const result = {};
	for (const file of files) {
		result[path.basename(file)] = workflowProblems(NodeHelpers, JSON.parse(fs.readFileSync(file, 'utf8')), describe);
	}
	process.stdout.write(JSON.stringify(result));
}

/**
 * Lance ce contrôle dans un processus à part avec les modules du n8n installé
 * (`n8nNodeModules`) sur le paquet de `packageDir` ; renvoie les problèmes par
 * nom de fichier. NODE_PATH : le paquet installé (sans sa dépendance pair
 * n8n-workflow) trouve celui de n8n, comme dans n8n.
 */
function problemsWithN8n(packageDir, n8nNodeModules, files) {
	const { execFileSync } = require('node:child_process');
	const out = execFileSync(process.execPath, [__filename, packageDir, n8nNodeModules, ...files], {
		encoding: 'utf8',
		env: { ...process.env, NODE_PATH: n8nNodeModules },
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	return JSON.parse(out);
}

if (require.main === module) {
	main(process.argv.slice(2)).catch((error) => {
		process.stderr.write(`${error.stack ?? error}\n`);
		process.exit(1);
	});
}

module.exports = { PACKAGE_NAME, problemsWithN8n, workflowProblems, nodeProblems, packageDescriptions, baseDescriptions, droppedPaths };
