/**
 * Ce que lit un utilisateur ne cite que des sources publiques : jamais un fichier
 * de travail (« DOMAIN.md », « ../shared »), jamais le mot « seed », jamais une
 * étiquette interne entre crochets (« [MDE77] », « [CCAP-REF] »). Le test
 * produit chaque document des nœuds sur les données d'exemple (classeurs,
 * lettres PDF, courriels en texte et en HTML, éléments de sortie), relit la
 * description de chaque nœud et de l'identifiant (propriétés, options, aides),
 * le README et les pages de docs/, puis dit où un tel mot apparaît.
 */
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';
import type { IConnections, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { ClausesSocialesSmtpApi } from '../../credentials/ClausesSocialesSmtpApi.credentials';
import { ClauseBilan } from '../../nodes/ClauseBilan/ClauseBilan.node';
import { ClauseCalibration } from '../../nodes/ClauseCalibration/ClauseCalibration.node';
import { ClauseFeasibility } from '../../nodes/ClauseFeasibility/ClauseFeasibility.node';
import { ClausePenalty } from '../../nodes/ClausePenalty/ClausePenalty.node';
import { ClauseReminder } from '../../nodes/ClauseReminder/ClauseReminder.node';
import { ClauseReportIntake } from '../../nodes/ClauseReportIntake/ClauseReportIntake.node';
import { ClauseStudyReport } from '../../nodes/ClauseStudyReport/ClauseStudyReport.node';
import { FicheVisa } from '../../nodes/FicheVisa/FicheVisa.node';
import { pdfText } from '../helpers/documents';
import { bilanOutputs, intakeOutputs, reminderOutputs } from '../helpers/generated-outputs';
import { PACKAGE_NAME, PACKAGE_ROOT, binaryItem, resetRegister, runNode, runWorkflow, useItems } from '../helpers/engine';

const SAMPLE = path.join(PACKAGE_ROOT, 'workflows', 'donnees-exemple');
const sample = (...name: string[]) => path.join(SAMPLE, ...name);
const shippedParameters = (workflow: string, node: string) => {
	const shipped = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'workflows', workflow), 'utf8')) as { nodes: INode[] };
	return structuredClone(shipped.nodes.find((n) => n.name === node)!.parameters);
};

/** Mots internes : fichiers de travail, « seed », étiquettes entre crochets. */
const INTERNAL = /DOMAIN\.md|\b[Ss][Ee][Ee][Dd][Ss]?\b|\[[A-Z0-9][A-Z0-9-]{2,}\]|\.\.\/shared/g;

/** Tout le texte relu, pour vérifier que le balayage atteint bien les sources citées. */
let scanned: string[] = [];

/** Chaque occurrence, avec ce qui l'entoure : « où : …contexte… ». */
function findings(where: string, text: string): string[] {
	scanned.push(text);
	return [...text.matchAll(INTERNAL)].map((m) => `${where} : …${text.slice(Math.max(0, m.index - 40), m.index + m[0].length + 40)}…`);
}

async function xlsxText(buffer: Buffer): Promise<Array<[string, string]>> {
	const workbook = new ExcelJS.Workbook();
	await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
	const out: Array<[string, string]> = [];
	workbook.eachSheet((sheet) => {
		out.push([`feuille « ${sheet.name} », en-tête et pied`, JSON.stringify(sheet.headerFooter ?? {})]);
		sheet.eachRow({ includeEmpty: false }, (row) =>
			row.eachCell({ includeEmpty: false }, (cell) => {
				const note = cell.note === undefined ? '' : typeof cell.note === 'string' ? ` ${cell.note}` : ` ${(cell.note.texts ?? []).map((t) => t.text).join('')}`;
				out.push([`feuille « ${sheet.name} », ${cell.address}`, `${cell.text}${note}`]);
			}),
		);
	});
	return out;
}

/** Texte d'un élément de sortie : son JSON (courriels compris) et chacun de ses fichiers. */
async function itemFindings(where: string, item: INodeExecutionData): Promise<string[]> {
	const out = findings(`${where}, JSON`, JSON.stringify(item.json));
	for (const [key, binary] of Object.entries(item.binary ?? {})) {
		const buffer = Buffer.from(binary.data, 'base64');
		const file = `${where}, fichier « ${binary.fileName ?? key} »`;
		if (binary.fileName?.endsWith('.xlsx')) for (const [cell, text] of await xlsxText(buffer)) out.push(...findings(`${file}, ${cell}`, text));
		else if (binary.fileName?.endsWith('.pdf')) out.push(...findings(file, (await pdfText(buffer)).text));
		else out.push(...findings(file, buffer.toString('utf8')));
	}
	return out;
}

async function outputFindings(where: string, items: INodeExecutionData[]): Promise<string[]> {
	const out: string[] = [];
	for (const [index, item] of items.entries()) out.push(...(await itemFindings(`${where}, élément ${index + 1}`, item)));
	return out;
}

describe('aucun mot interne dans ce que lit l’utilisateur', () => {
	beforeEach(() => {
		resetRegister();
		scanned = [];
	});
	const reached = (text: string) => scanned.some((t) => t.includes(text));

	it('le détecteur reconnaît les mots internes, et pas les décisions entre crochets', () => {
		expect(findings('t', 'source : [MDE77] ; voir DOMAIN.md ; Seed 002 ; ../shared/seeds')).toHaveLength(5);
		expect(findings('t', '[REFUSÉ] procédure ; [À COMPLÉTER] ; lots[0].heures ; [n8n](https://n8n.io) ; semences')).toEqual([]);
	});

	it('descriptions des nœuds et de l’identifiant (propriétés, options, aides), README et pages de docs/', () => {
		const nodes = [ClauseCalibration, ClauseFeasibility, ClauseStudyReport, FicheVisa, ClauseReminder, ClauseReportIntake, ClauseBilan, ClausePenalty];
		const found: string[] = [];
		for (const Node of nodes) {
			const { description } = new Node();
			found.push(...findings(`nœud « ${description.displayName} »`, JSON.stringify(description)));
		}
		found.push(...findings('identifiant SMTP', JSON.stringify(new ClausesSocialesSmtpApi())));
		found.push(...findings('README.md', fs.readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8')));
		const docs = fs.readdirSync(path.join(PACKAGE_ROOT, 'docs'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md'));
		expect(docs).toEqual(expect.arrayContaining(['registre.md', 'technique.md', path.join('noeuds', 'fiche-visa.md')]));
		for (const doc of docs) found.push(...findings(`docs/${doc}`, fs.readFileSync(path.join(PACKAGE_ROOT, 'docs', doc), 'utf8')));
		expect(found).toEqual([]);
	});

	it('étude : calibrage, étude de faisabilité et rapport Excel de la consultation d’exemple', async () => {
		const dataKey = useItems([binaryItem(fs.readFileSync(sample('lots-consultation.xlsx')), 'lots-consultation.xlsx')]);
		const node = (id: string, name: string, type: string, parameters: INode['parameters'], x: number): INode => ({ id, name, type: `${PACKAGE_NAME}.${type}`, typeVersion: 1, position: [x, 0], parameters });
		const workflow = 'etude-faisabilite-calibrage.json';
		const nodes: INode[] = [
			{ id: 'amorce', name: 'Lots', type: 'harness.items', typeVersion: 1, position: [0, 0], parameters: { dataKey } },
			node('calibrage', 'Calibrage des heures', 'clauseCalibration', shippedParameters(workflow, 'Calibrage des heures'), 200),
			node('faisabilite', 'Étude de faisabilité', 'clauseFeasibility', { ...shippedParameters(workflow, 'Étude de faisabilité'), facilitateurs: fs.readFileSync(sample('facilitateurs.json'), 'utf8'), dateEtude: '2026-11-23' }, 400),
			node('rapport', 'Rapport de la consultation', 'clauseStudyReport', shippedParameters(workflow, 'Rapport de la consultation'), 600),
		];
		const link = (to: string) => ({ main: [[{ node: to, type: NodeConnectionTypes.Main, index: 0 }]] });
		const connections: IConnections = { Lots: link('Calibrage des heures'), 'Calibrage des heures': link('Étude de faisabilité'), 'Étude de faisabilité': link('Rapport de la consultation') };
		const result = await runWorkflow({ nodes, connections });
		expect(result.error()).toBeUndefined();
		const report = result.output('Rapport de la consultation');
		expect(report[0].binary).toBeDefined();
		const found = [
			...(await outputFindings('calibrage', result.output('Calibrage des heures'))),
			...(await outputFindings('étude', result.output('Étude de faisabilité'))),
			...(await outputFindings('rapport', report)),
		];
		expect(found).toEqual([]);
		// Feuille « Paramètres et sources » du rapport : les sources y sont citées par leur titre.
		expect(reached('Maison de l’emploi Sud 77, exemple de calcul des heures d’insertion')).toBe(true);
	});

	it('fiche visa : formulaire vierge, copies annotées des fiches d’exemple et courriels', async () => {
		const blank = await runNode({ type: 'ficheVisa', parameters: { operation: 'generer' } }, [{ json: {} }]);
		const files = fs.readdirSync(sample('fiches-visa')).filter((f) => f.endsWith('.xlsx'));
		const input = files.map((f) => binaryItem(fs.readFileSync(sample('fiches-visa', f)), f));
		const checked = await runNode({ type: 'ficheVisa', parameters: { operation: 'valider', copieAnnotee: 'toujours', options: { dateControle: '2026-11-23' } }, continueOnFail: true }, input);
		expect(checked.items.filter((i) => i.binary?.annote).length).toBeGreaterThan(0);
		const found = [...(await outputFindings('formulaire vierge', blank.items)), ...(await outputFindings('fiches visa', checked.items))];
		expect(found).toEqual([]);
	});

	it('avis de pénalité : lettres PDF, annexes Excel et courriel de revue', async () => {
		const parameters: INode['parameters'] = {
			mode: 'revue',
			source: 'classeur',
			dateAvis: '2026-11-23',
			emetteur: 'Région Val-d’Argent\nDirection de la commande publique',
			signature: 'La directrice de la commande publique',
			options: { lieu: 'Saint-Aubin-sur-Argent', debitParSeconde: 0 },
		};
		const run = await runNode({ type: 'clausePenalty', parameters, credentials: { clausesSocialesSmtpApi: { id: 'smtp', name: 'SMTP' } } }, [
			binaryItem(fs.readFileSync(sample('clauses-a-solder.xlsx')), 'clauses-a-solder.xlsx'),
		]);
		expect(run.run.data.resultData.error).toBeUndefined();
		const pack = run.output('Nœud testé', 1);
		expect(pack[0].binary).toBeDefined();
		const found = [...(await outputFindings('avis', run.items)), ...(await outputFindings('paquet de revue', pack))];
		expect(found).toEqual([]);
		expect(reached('CCAP d’un acheteur public (barème de référence)')).toBe(true);
	});

	it('relance mensuelle, réception des relevés et bilan : courriels, modèles de relevé, accusés de réception, classeurs', async () => {
		const produced = [...(await reminderOutputs()), ...(await intakeOutputs()), ...(await bilanOutputs())];
		const found: string[] = [];
		for (const { source, items } of produced) found.push(...(await outputFindings(source, items)));
		expect(found).toEqual([]);
	});
});
