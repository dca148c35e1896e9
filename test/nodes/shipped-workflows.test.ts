/**
 * Les workflows livrés ne citent que des nœuds et des paramètres que n8n garde :
 * un type mal préfixé, un paramètre renommé ou un paramètre masqué par les
 * displayOptions fait échouer ce test (n8n, lui, ignorerait le paramètre en
 * silence, et le résultat ne changerait pas si sa valeur égale la valeur par
 * défaut). Le même contrôle tourne en tête de chaque test de bout en bout, sur
 * le paquet installé dans le vrai n8n (test/helpers/workflow-check.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NodeHelpers } from 'n8n-workflow';

import { PACKAGE_ROOT, loadPackage } from '../helpers/engine';
import { local } from '../helpers/real-n8n';
import { workflowProblemsWithN8n } from '../helpers/workflow-check';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const check = require('../helpers/workflow-parameters.cjs') as {
	PACKAGE_NAME: string;
	workflowProblems(helpers: typeof NodeHelpers, workflow: Workflow, describe: Describers): string[];
	packageDescriptions(helpers: typeof NodeHelpers, loader: unknown): Describers['ourDescription'];
	baseDescriptions(n8nNodeModules: string): NonNullable<Describers['baseDescription']>;
};

interface WorkflowNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string }>;
}
interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
}
type Describe = (name: string, version: number) => unknown;
interface Describers {
	ourDescription: Describe;
	baseDescription?: Describe;
}

const workflowFiles = local.shippedWorkflows();
const read = (file: string): Workflow => JSON.parse(fs.readFileSync(file, 'utf8'));

/** Le contrôle, dans ce processus : n8n-workflow des dépendances de développement, paquet de dist/, nœuds de base du n8n installé. */
async function problems(workflow: Workflow): Promise<string[]> {
	const loader = await loadPackage();
	return check.workflowProblems(NodeHelpers, workflow, {
		ourDescription: check.packageDescriptions(NodeHelpers, loader),
		baseDescription: check.baseDescriptions(path.join(local.ensureN8n().dir, 'node_modules')),
	});
}

/** Copie du workflow de calibrage, modifiée par `mutate` sur le nœud nommé. */
function mutated(nodeName: string, mutate: (node: WorkflowNode) => void): Workflow {
	const workflow = read(path.join(local.ROOT, 'workflows', 'etude-faisabilite-calibrage.json'));
	const node = workflow.nodes.find((n) => n.name === nodeName);
	if (!node) throw new Error(`Nœud « ${nodeName} » absent du workflow de calibrage`);
	mutate(node);
	return workflow;
}

function rename(parameters: Record<string, unknown>, from: string, to: string): void {
	parameters[to] = parameters[from];
	delete parameters[from];
}

describe('workflows livrés', () => {
	it('sont les dix workflows documentés', () => {
		expect(workflowFiles.map((file) => path.basename(file))).toEqual([
			'avis-penalite.json',
			'bilan-annuel.json',
			'engagements-sociaux.json',
			'etude-faisabilite-calibrage.json',
			'fiche-visa.json',
			'import-classeur-suivi.json',
			'notification-marche.json',
			'reception-releves.json',
			'relance-mensuelle.json',
			'releve-en-ligne.json',
		]);
	});

	it('envoient tous sous un même nom d’expéditeur, celui de l’identifiant SMTP des clauses sociales', () => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const credentials = (require('../../scripts/lib/n8n-local.cjs') as { localCredentials(): Array<{ type: string; data: Record<string, unknown> }> }).localCredentials();
		const reference = String(credentials.find((c) => c.type === 'clausesSocialesSmtpApi')!.data.expediteurNom);
		const displayName = (from: string) => from.replace(/\s*<[^>]*>\s*$/, '').trim();
		const senders: string[] = [];
		for (const file of workflowFiles) {
			const workflow = read(file);
			const configuration = workflow.nodes.find((n) => n.name === 'Configuration');
			const assignments = ((configuration?.parameters.assignments as { assignments?: Array<{ name: string; value: unknown }> } | undefined)?.assignments ?? []);
			for (const node of workflow.nodes) {
				const from = node.parameters.fromEmail;
				if (typeof from !== 'string') continue;
				const field = /json\.(\w+)\s*\}\}\s*$/.exec(from)?.[1];
				const value = field ? assignments.find((a) => a.name === field)?.value : from;
				expect(typeof value).toBe('string');
				senders.push(`${path.basename(file)} / ${node.name} : ${displayName(String(value))}`);
			}
		}
		expect(senders.length).toBeGreaterThanOrEqual(8);
		expect(senders.filter((s) => !s.endsWith(` : ${reference}`))).toEqual([]);
		expect(reference).toBe('Mission clauses sociales – Région Val-d\'Argent');
	});

	describe.each(workflowFiles.map((file) => [path.basename(file), file]))('%s', (_name, file) => {
		const workflow = read(file);

		it('porte un identifiant d’import n8n et un nom', () => {
			expect(workflow.id).toMatch(/^[A-Za-z0-9]{16}$/);
			expect(typeof workflow.name).toBe('string');
		});

		it('n’a que des types, versions et paramètres que n8n garde (ce paquet et nœuds de base de n8n 2.40.7)', async () => {
			expect(await problems(workflow)).toEqual([]);
		});

		it('référence des identifiants fournis par la démonstration et les tests', () => {
			const known = new Set(local.localCredentials({ smtpPort: 1025 }).map((c) => `${c.type}:${c.id}`));
			const used = workflow.nodes.flatMap((n) =>
				Object.entries(n.credentials ?? {}).map(([type, ref]) => `${type}:${ref.id}`),
			);
			for (const ref of used) expect(known).toContain(ref);
		});

		it('n’emploie pas de nœud d’un autre paquet communautaire ni le préfixe CUSTOM.', () => {
			const foreign = workflow.nodes
				.map((n) => n.type)
				.filter((t) => !t.startsWith('n8n-nodes-base.') && !t.startsWith(`${check.PACKAGE_NAME}.`));
			expect(foreign).toEqual([]);
		});
	});
	describe('le contrôle échoue sur une copie modifiée du workflow de calibrage', () => {
		it.each([
			// Valeurs égales aux valeurs par défaut : une exécution ne verrait aucune différence.
			['Calibrage des heures', 'tauxInsertion'],
			['Calibrage des heures', 'coutHoraire'],
			['Calibrage des heures', 'methode'],
			['Calibrage des heures', 'sheetName'],
			['Calibrage des heures', 'binaryPropertyName'],
			['Étude de faisabilité', 'seuilEtude'],
			['Étude de faisabilité', 'dateEtude'],
			['Rapport de la consultation', 'titre'],
			['Rapport de la consultation', 'region'],
		])('%s : paramètre « %s » renommé', async (nodeName, parameter) => {
			const workflow = mutated(nodeName, (node) => rename(node.parameters, parameter, `${parameter}X`));
			expect(await problems(workflow)).toEqual([`${nodeName} : paramètre inconnu « ${parameter}X » (n8n l’ignorerait)`]);
		});

		it('paramètre connu mais masqué par les displayOptions (classeur Excel demandé sans source Excel)', async () => {
			const workflow = mutated('Calibrage des heures', (node) => (node.parameters.source = 'items'));
			const hidden = (name: string) =>
				`Calibrage des heures : paramètre « ${name} » ignoré par n8n (inconnu à cet endroit, ou masqué par les displayOptions vu les autres paramètres)`;
			expect(await problems(workflow)).toEqual([hidden('binaryPropertyName'), hidden('sheetName')]);
		});

		it('option inconnue dans une collection', async () => {
			const workflow = mutated('Calibrage des heures', (node) => (node.parameters.options = { arrondiX: 'superieur' }));
			expect(await problems(workflow)).toEqual(['Calibrage des heures : paramètre « options.arrondiX » ignoré par n8n (inconnu à cet endroit, ou masqué par les displayOptions vu les autres paramètres)']);
		});

		it('valeur hors liste', async () => {
			const workflow = mutated('Calibrage des heures', (node) => (node.parameters.methode = 'forfait'));
			expect(await problems(workflow)).toEqual([
				'Calibrage des heures : valeur « forfait » hors liste pour « methode » (parEuroFacture, partHeuresMarche, proprete, auto, standard, volumeAnnuel)',
			]);
		});

		it('préfixe du type changé, ou type renommé', async () => {
			const prefix = mutated('Calibrage des heures', (node) => (node.type = 'n8n-nodes-clause-sociales.clauseCalibration'));
			expect(await problems(prefix)).toEqual([
				'Calibrage des heures : type « n8n-nodes-clause-sociales.clauseCalibration » hors de ce paquet et des nœuds de base de n8n',
			]);
			const type = mutated('Calibrage des heures', (node) => (node.type = 'n8n-nodes-clauses-sociales.clauseCalibrage'));
			expect(await problems(type)).toEqual(['Calibrage des heures : type « n8n-nodes-clauses-sociales.clauseCalibrage » v1 inconnu']);
		});

		it('paramètre d’un nœud de base renommé', async () => {
			const workflow = mutated('Enregistrer le rapport', (node) => rename(node.parameters, 'dataPropertyName', 'dataProperty'));
			expect(await problems(workflow)).toEqual(['Enregistrer le rapport : paramètre inconnu « dataProperty » (n8n l’ignorerait)']);
		});

		it('dans un processus à part, avec le n8n installé et un paquet chargé comme n8n le charge (chemin des tests de bout en bout)', () => {
			const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-workflow-check-'));
			try {
				const file = path.join(dir, 'etude-faisabilite-calibrage.json');
				const workflow = mutated('Calibrage des heures', (node) => rename(node.parameters, 'tauxInsertion', 'tauxInsertio'));
				fs.writeFileSync(file, JSON.stringify(workflow));
				expect(workflowProblemsWithN8n(PACKAGE_ROOT, [file])).toEqual({
					'etude-faisabilite-calibrage.json': ['Calibrage des heures : paramètre inconnu « tauxInsertio » (n8n l’ignorerait)'],
				});
			} finally {
				fs.rmSync(dir, { recursive: true, force: true });
			}
		});
	});
});
