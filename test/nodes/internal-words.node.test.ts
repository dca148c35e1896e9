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
import type { INodeExecutionData } from 'n8n-workflow';

import { ClausesRegistreApi } from '../../credentials/ClausesRegistreApi.credentials';
import { ClausesSocialesSmtpApi } from '../../credentials/ClausesSocialesSmtpApi.credentials';
import { ClauseApproval } from '../../nodes/ClauseApproval/ClauseApproval.node';
import { ClauseBilan } from '../../nodes/ClauseBilan/ClauseBilan.node';
import { ClauseCalibration } from '../../nodes/ClauseCalibration/ClauseCalibration.node';
import { ClauseCommitment } from '../../nodes/ClauseCommitment/ClauseCommitment.node';
import { ClauseFeasibility } from '../../nodes/ClauseFeasibility/ClauseFeasibility.node';
import { ClauseOnlineReport } from '../../nodes/ClauseOnlineReport/ClauseOnlineReport.node';
import { ClausePenalty } from '../../nodes/ClausePenalty/ClausePenalty.node';
import { ClauseRegister } from '../../nodes/ClauseRegister/ClauseRegister.node';
import { ClauseReminder } from '../../nodes/ClauseReminder/ClauseReminder.node';
import { ClauseReportIntake } from '../../nodes/ClauseReportIntake/ClauseReportIntake.node';
import { ClauseStudyReport } from '../../nodes/ClauseStudyReport/ClauseStudyReport.node';
import { FicheVisa } from '../../nodes/FicheVisa/FicheVisa.node';
import { pdfText } from '../helpers/documents';
import type { Produced } from '../helpers/generated-outputs';
import { bilanOutputs, ficheVisaOutputs, intakeOutputs, penaltyOutputs, reminderOutputs, studyOutputs } from '../helpers/generated-outputs';
import { PACKAGE_ROOT, resetRegister } from '../helpers/engine';

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
		const nodes = [ClauseCalibration, ClauseFeasibility, ClauseStudyReport, FicheVisa, ClauseReminder, ClauseReportIntake, ClauseBilan, ClausePenalty, ClauseRegister, ClauseOnlineReport, ClauseCommitment, ClauseApproval];
		const found: string[] = [];
		for (const Node of nodes) {
			const { description } = new Node();
			found.push(...findings(`nœud « ${description.displayName} »`, JSON.stringify(description)));
		}
		found.push(...findings('identifiant SMTP', JSON.stringify(new ClausesSocialesSmtpApi())));
		found.push(...findings('identifiant du registre', JSON.stringify(new ClausesRegistreApi())));
		found.push(...findings('README.md', fs.readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8')));
		const docs = fs.readdirSync(path.join(PACKAGE_ROOT, 'docs'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md'));
		expect(docs).toEqual(expect.arrayContaining(['registre.md', 'technique.md', path.join('noeuds', 'fiche-visa.md')]));
		for (const doc of docs) found.push(...findings(`docs/${doc}`, fs.readFileSync(path.join(PACKAGE_ROOT, 'docs', doc), 'utf8')));
		expect(found).toEqual([]);
	});

	/** Mots internes trouvés dans les sorties d'un ou plusieurs scénarios partagés. */
	async function producedFindings(produced: Produced[]): Promise<string[]> {
		const found: string[] = [];
		for (const { source, items } of produced) found.push(...(await outputFindings(source, items)));
		return found;
	}

	it('étude : calibrage, étude de faisabilité et rapport Excel de la consultation d’exemple', async () => {
		const produced = await studyOutputs();
		expect(produced.find((p) => p.source === 'rapport de la consultation')?.items[0].binary).toBeDefined();
		expect(await producedFindings(produced)).toEqual([]);
		// Feuille « Paramètres et sources » du rapport : les sources y sont citées par leur titre.
		expect(reached('Maison de l’emploi Sud 77, exemple de calcul des heures d’insertion')).toBe(true);
	});

	it('fiche visa : formulaire vierge, copies annotées des fiches d’exemple et courriels', async () => {
		const produced = await ficheVisaOutputs();
		expect(produced.find((p) => p.source === 'fiches visa contrôlées')?.items.filter((i) => i.binary?.annote).length).toBeGreaterThan(0);
		expect(await producedFindings(produced)).toEqual([]);
	});

	it('avis de pénalité : lettres PDF, annexes Excel et courriel de revue', async () => {
		const produced = await penaltyOutputs();
		expect(produced.find((p) => p.source === 'paquet de revue des avis')?.items[0].binary).toBeDefined();
		expect(await producedFindings(produced)).toEqual([]);
		expect(reached('CCAP d’un acheteur public (barème de référence)')).toBe(true);
	});

	it('relance mensuelle, réception des relevés et bilan : courriels, modèles de relevé, accusés de réception, classeurs', async () => {
		expect(await producedFindings([...(await reminderOutputs()), ...(await intakeOutputs()), ...(await bilanOutputs())])).toEqual([]);
	});
});
