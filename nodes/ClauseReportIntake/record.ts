/**
 * Contrôle et enregistrement des relevés reçus : au registre des clauses
 * (chaque relevé dans sa transaction), ou dans une nouvelle version du
 * classeur de suivi (lu en flux, lignes acceptées ajoutées, lignes remplacées marquées).
 */
import type { IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { RegisterAppendPlan } from '../adapters';
import { appendToRegister, nextRegisterName, streamRegisterForIntake } from '../adapters';
import type { IncomingReport, ReportResult } from '../core';
import { RegisterIndex, ReportIntake, requestedFileName, wantedMonths, workbookChanges } from '../core';
import { errorItem, toNodeError } from '../shared/items';
import { atItem, outputFile } from '../shared/parameters';
import { openRegister } from '../shared/register';
import type { IntakeParameters } from './parameters';
import type { FollowUpWorkbook, Received } from './receive';
import { RegisterIntakeError, intakeIntoRegister } from './register-intake';

export interface Recorded {
	/** Résultat du contrôle de chaque relevé ; `undefined` : relevé que le registre n'a pas pu enregistrer. */
	results: Array<ReportResult | undefined>;
	/** Relevés que le registre n'a pas pu enregistrer : en erreur, sans accusé. */
	failures: Map<number, unknown>;
	/** Version écrite au registre, par relevé et par mois. */
	written: Map<number, Record<string, number>>;
	/** La nouvelle version du classeur de suivi, s'il a changé. */
	workbookOut: INodeExecutionData[];
}

/** Au registre des clauses : chaque relevé contrôlé et enregistré dans sa propre transaction. */
export async function recordInRegister(ctx: IExecuteFunctions, received: Received, parameters: IntakeParameters): Promise<Recorded> {
	const { settings } = parameters;
	const failures = new Map<number, unknown>();
	const written = new Map<number, Record<string, number>>();
	const store = await openRegister(ctx);
	try {
		const outcomes = await intakeIntoRegister(store, received.reports, settings, received.dates, `réception des relevés du ${settings.dateReception}`);
		const results = outcomes.map((outcome, i) => {
			if (outcome.ok) {
				written.set(i, outcome.written);
				return outcome.result;
			}
			failures.set(i, outcome.error);
			return undefined;
		});
		return { results, failures, written, workbookOut: [] };
	} finally {
		await store.close();
	}
}

/**
 * Au classeur de suivi : le classeur lu en flux (clauses, et lignes déjà reçues
 * des seuls mois concernés), chaque relevé contrôlé dans l'ordre de réception,
 * puis la nouvelle version du classeur. Classeur illisible : l'élément d'erreur
 * (« continuer en cas d'échec ») ou l'erreur n8n.
 */
export async function recordInWorkbook(
	ctx: IExecuteFunctions,
	received: Received,
	parameters: IntakeParameters,
	workbook: FollowUpWorkbook,
): Promise<Recorded | { failed: INodeExecutionData }> {
	const node = ctx.getNode();
	const { settings } = parameters;
	const workbookName = workbook.binary.fileName ?? 'suivi-clauses.xlsx';
	const index = new RegisterIndex(wantedMonths(received.reports));
	let workbookBuffer: Buffer;
	const plan: RegisterAppendPlan = { sheetName: 'Relevés', headerRow: 0, columns: new Map(), marks: new Map(), rows: [], lastRow: 0 };
	let invalidLines = 0;
	try {
		workbookBuffer = await ctx.helpers.getBinaryDataBuffer(workbook.itemIndex, workbook.property);
		invalidLines = await streamRegisterForIntake(workbookBuffer, workbookName, index, plan, parameters.limits);
	} catch (error) {
		if (!ctx.continueOnFail()) throw toNodeError(node, error, workbook.itemIndex);
		return { failed: errorItem(node, error, workbook.itemIndex, { fichier: workbookName }) };
	}

	const intake = new ReportIntake(index, settings);
	const results = received.reports.map((r) => intake.receive(r, received.dates.get(r)));
	const changes = workbookChanges(results);
	plan.rows.push(...changes.rows);
	plan.marks = changes.marks;
	const workbookOut: INodeExecutionData[] = [];
	if (plan.rows.length > 0 || plan.marks.size > 0) {
		const next = nextRegisterName(workbookName, settings.dateReception);
		const fileName = requestedFileName(parameters.nomRegistre, next.fileName, '.xlsx');
		const buffer = await atItem(ctx, workbook.itemIndex, () => appendToRegister(workbookBuffer, workbookName, plan));
		workbookOut.push({
			json: {
				fichier: fileName,
				version: next.version,
				classeurLu: workbookName,
				lignesAjoutees: plan.rows.length,
				lignesRemplacees: plan.marks.size,
				lignesDuRegistreEnAnomalie: invalidLines,
				autresVersionsIgnorees: workbook.ignored,
			},
			binary: { [workbook.property]: await outputFile(ctx, buffer, fileName, 'xlsx') },
			pairedItem: { item: workbook.itemIndex },
		});
	}
	return { results, failures: new Map(), written: new Map(), workbookOut };
}

/** Erreur d'un relevé que le registre des clauses n'a pas pu enregistrer (rien n'en est écrit). */
export function registerFailure(node: INode, report: IncomingReport, error: unknown): NodeOperationError {
	const what = `${report.source}${report.fileName ? ` (« ${report.fileName} »)` : ''}`;
	const cause = error instanceof Error ? error.message : String(error);
	const description = error instanceof RegisterIntakeError ? error.description : 'Rien n’a été écrit au registre pour ce relevé et aucun accusé n’est parti : relancez la réception une fois le registre joignable.';
	return new NodeOperationError(node, `Relevé non enregistré au registre des clauses : ${what} — ${cause}`, { itemIndex: report.itemIndexes[0] ?? 0, description });
}
