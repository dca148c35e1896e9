/**
 * Contrôle des workflows livrés avant leur exécution de bout en bout : chaque
 * paramètre posé dans le fichier doit être gardé par n8n
 * (NodeHelpers.getNodeParameters, comme le constructeur de Workflow), vu les
 * descriptions du paquet tel qu'il est installé dans le vrai n8n (archive npm)
 * et celles des nœuds de base de ce n8n. Un préfixe de type changé ou un
 * paramètre renommé fait échouer le test, même quand la valeur du paramètre
 * égale sa valeur par défaut (n8n l'ignorerait alors sans rien changer).
 */
import path from 'node:path';

import type { Layout } from './real-n8n';
import { local, workflowFile } from './real-n8n';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const parameters = require('./workflow-parameters.cjs') as {
	problemsWithN8n(packageDir: string, n8nNodeModules: string, files: string[]): Record<string, string[]>;
};

/**
 * Problèmes de chaque fichier de workflow (par nom de fichier), calculés dans un
 * processus à part par le n8n installé (son n8n-core charge le paquet du dossier
 * donné, son n8n-workflow dit quels paramètres il garde).
 */
export function workflowProblemsWithN8n(packageDir: string, files: string[]): Record<string, string[]> {
	return parameters.problemsWithN8n(packageDir, path.join(local.ensureN8n().dir, 'node_modules'), files);
}

/** Problèmes des workflows livrés nommés, vus par le vrai n8n sur le paquet tel qu'il y est installé (archive npm). */
export function installedWorkflowProblems(layout: Layout, names: string[]): Record<string, string[]> {
	return workflowProblemsWithN8n(local.installedPackageDir(layout), names.map(workflowFile));
}

/** À appeler en tête d'un test de bout en bout : les workflows nommés n'ont aucun paramètre que n8n ignorerait. */
export function expectWorkflowsKeptByN8n(layout: Layout, ...names: string[]): void {
	expect(installedWorkflowProblems(layout, names)).toEqual(Object.fromEntries(names.map((name) => [name, []])));
}
