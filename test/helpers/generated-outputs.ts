/**
 * Ce que produisent les nœuds sur les données d'exemple, pour les tests qui
 * relisent tous les documents et tous les courriels (mise en page à
 * l'impression, phrases répétées) : étude et rapport (avec la revue de la
 * programmation), fiche visa (formulaire, copies annotées, courriels), avis de
 * pénalité (revue), relances de chaque niveau, accusés de réception (relevés
 * acceptés et refusés), bilan, export du registre.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IConnections, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { PACKAGE_NAME, PACKAGE_ROOT, binaryItem, resetRegister, runNode, runWorkflow, useItems } from './engine';

const SAMPLE = path.join(PACKAGE_ROOT, 'workflows', 'donnees-exemple');
const sample = (...name: string[]) => path.join(SAMPLE, ...name);
const shippedParameters = (workflow: string, node: string) => {
	const shipped = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'workflows', workflow), 'utf8')) as { nodes: INode[] };
	return structuredClone(shipped.nodes.find((n) => n.name === node)!.parameters);
};
const credentials = { clausesSocialesSmtpApi: { id: 'smtp', name: 'SMTP' } };
const register = () => binaryItem(fs.readFileSync(sample('suivi-clauses.xlsx')), 'suivi-clauses.xlsx');

export interface Produced {
	/** Nœud et scénario (« relance du 2 novembre 2026 »…). */
	source: string;
	items: INodeExecutionData[];
}

export async function studyOutputs(): Promise<Produced[]> {
	const dataKey = useItems([binaryItem(fs.readFileSync(sample('lots-consultation.xlsx')), 'lots-consultation.xlsx')]);
	const node = (id: string, name: string, type: string, parameters: INode['parameters'], x: number): INode => ({ id, name, type: `${PACKAGE_NAME}.${type}`, typeVersion: 1, position: [x, 0], parameters });
	const workflow = 'etude-faisabilite-calibrage.json';
	const nodes: INode[] = [
		{ id: 'amorce', name: 'Lots', type: 'harness.items', typeVersion: 1, position: [0, 0], parameters: { dataKey } },
		node('calibrage', 'Calibrage des heures', 'clauseCalibration', shippedParameters(workflow, 'Calibrage des heures'), 200),
		node('faisabilite', 'Étude de faisabilité', 'clauseFeasibility', { ...shippedParameters(workflow, 'Étude de faisabilité'), facilitateurs: fs.readFileSync(sample('facilitateurs.json'), 'utf8'), dateEtude: '2026-11-23' }, 400),
		node('rapport', 'Rapport de la consultation', 'clauseStudyReport', { ...shippedParameters(workflow, 'Rapport de la consultation'), revueProgrammation: true }, 600),
	];
	const link = (to: string) => ({ main: [[{ node: to, type: NodeConnectionTypes.Main, index: 0 }]] });
	const connections: IConnections = { Lots: link('Calibrage des heures'), 'Calibrage des heures': link('Étude de faisabilité'), 'Étude de faisabilité': link('Rapport de la consultation') };
	const result = await runWorkflow({ nodes, connections });
	if (result.error()) throw result.error();
	return [
		{ source: 'calibrage', items: result.output('Calibrage des heures') },
		{ source: 'étude de faisabilité', items: result.output('Étude de faisabilité') },
		{ source: 'rapport de la consultation', items: result.output('Rapport de la consultation') },
	];
}

export async function ficheVisaOutputs(): Promise<Produced[]> {
	const blank = await runNode({ type: 'ficheVisa', parameters: { operation: 'generer' } }, [{ json: {} }]);
	const files = fs.readdirSync(sample('fiches-visa')).filter((f) => f.endsWith('.xlsx'));
	const input = files.map((f) => binaryItem(fs.readFileSync(sample('fiches-visa', f)), f));
	const checked = await runNode({ type: 'ficheVisa', parameters: { operation: 'valider', copieAnnotee: 'toujours', options: { dateControle: '2026-11-23' } }, continueOnFail: true }, input);
	return [
		{ source: 'formulaire de fiche visa', items: blank.items },
		{ source: 'fiches visa contrôlées', items: checked.items },
	];
}

export async function penaltyOutputs(): Promise<Produced[]> {
	const parameters: INode['parameters'] = {
		mode: 'revue',
		source: 'classeur',
		dateAvis: '2026-11-23',
		emetteur: 'Région Val-d’Argent\nDirection de la commande publique',
		signature: 'La directrice de la commande publique',
		options: { lieu: 'Saint-Aubin-sur-Argent', debitParSeconde: 0 },
	};
	const run = await runNode({ type: 'clausePenalty', parameters, credentials }, [binaryItem(fs.readFileSync(sample('clauses-a-solder.xlsx')), 'clauses-a-solder.xlsx')]);
	if (run.run.data.resultData.error) throw run.run.data.resultData.error;
	return [
		{ source: 'avis de pénalité', items: run.items },
		{ source: 'paquet de revue des avis', items: run.output('Nœud testé', 1) },
	];
}

/** Relances du 2 novembre (premier niveau et dernière relance) et du 1er décembre 2026 (deuxième relance). */
export async function reminderOutputs(): Promise<Produced[]> {
	const out: Produced[] = [];
	for (const dateReference of ['2026-11-02', '2026-12-01']) {
		const reminder = await runNode({ type: 'clauseReminder', parameters: { mode: 'apercu', source: 'classeur', dateReference, signature: 'La mission clauses sociales' }, credentials }, [register()]);
		if (reminder.run.data.resultData.error) throw reminder.run.data.resultData.error;
		out.push({ source: `relance du ${dateReference}`, items: [...reminder.items, ...reminder.output('Nœud testé', 1)] });
	}
	return out;
}

export async function intakeOutputs(): Promise<Produced[]> {
	const releves = fs.readdirSync(sample('releves-recus')).filter((f) => f.endsWith('.xlsx'));
	const intakeInput: INodeExecutionData[] = [
		{ json: { fichier: 'suivi-clauses.xlsx' }, binary: { registre: register().binary!.data } },
		...releves.map((f) => binaryItem(fs.readFileSync(sample('releves-recus', f)), f)),
	];
	const intake = await runNode(
		{ type: 'clauseReportIntake', parameters: { mode: 'apercu', source: 'classeur', sourceReleves: 'fichiers', champsReleves: 'data', champRegistre: 'registre', dateReception: '2026-11-23', signature: 'La mission clauses sociales' }, credentials, continueOnFail: true },
		intakeInput,
	);
	if (intake.run.data.resultData.error) throw intake.run.data.resultData.error;
	return [{ source: 'réception des relevés', items: [...intake.items, ...intake.output('Nœud testé', 1)] }];
}

export async function bilanOutputs(): Promise<Produced[]> {
	const bilan = await runNode({ type: 'clauseBilan', parameters: { ...shippedParameters('bilan-annuel.json', 'Bilan des clauses sociales'), debut: '2026-01', fin: '2026-12' } }, [register()]);
	if (bilan.run.data.resultData.error) throw bilan.run.data.resultData.error;
	return [{ source: 'bilan', items: [...bilan.items, ...bilan.output('Nœud testé', 1)] }];
}

export async function registerExportOutputs(): Promise<Produced[]> {
	resetRegister();
	const imported = await runNode({ type: 'clauseRegister', parameters: { operation: 'importerClasseur' } }, [register()]);
	if (imported.error()) throw imported.error();
	const exported = await runNode({ type: 'clauseRegister', parameters: { operation: 'exporter', par: 'facilitateur', dateExport: '2026-12-01' } }, [{ json: {} }]);
	if (exported.error()) throw exported.error();
	return [{ source: 'export du registre', items: exported.items }];
}

/** Tous les scénarios, l'un après l'autre (registre remis à zéro avant chacun). */
export async function allOutputs(): Promise<Produced[]> {
	const out: Produced[] = [];
	for (const produce of [studyOutputs, ficheVisaOutputs, penaltyOutputs, reminderOutputs, intakeOutputs, bilanOutputs, registerExportOutputs]) {
		resetRegister();
		out.push(...(await produce()));
	}
	return out;
}
