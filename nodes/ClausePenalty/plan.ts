/**
 * Préparation des avis : lecture du registre (clauses, relevés, feuille
 * « Pénalités »), calcul et étape de chaque clause, lettre PDF, annexe Excel et
 * courriel des clauses à mettre en demeure ou à notifier. Une clause en
 * anomalie (elle-même, ses relevés ou son historique) ressort en erreur, sans
 * document ; les autres continuent (« continuer en cas d'échec »).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { createHash } from 'node:crypto';

import type { Register, TableRow } from '../adapters';
import { buildPenaltyAnnex, locate, renderLetterPdf } from '../adapters';
import type { ClauseRecord, NoticeStep, PenaltyAssessment, PenaltyHistoryEntry, PoolRecord, ReviewEntry, StepDecision } from '../core';
import {
	AnomalyError,
	PENALTY_FIELDS_READER,
	PENALTY_HISTORY_READER,
	REPORT_HOURS_READER,
	ReportIndex,
	assessPenalties,
	buildLetter,
	clauseKey,
	decideStep,
	normalizeToken,
	noticeFileNames,
	penaltyPeriod,
	renderNoticeMail,
	tryReadRecord,
	withHistory,
} from '../core';
import { collectFollowUp, rawClauseKey, registerPenaltySteps, usableClauses } from '../shared/follow-up';
import { errorItem, toNodeError } from '../shared/items';
import { readPools } from '../shared/pooling';
import { pooledPenalties, stepWithPool } from '../shared/pooling-penalty';
import type { PenaltyParameters } from './parameters';
import type { Notice, Planned } from './types';
import { PDF, XLSX } from './types';

const HISTORY_SHEET = {
	names: ['Pénalités', 'Historique des pénalités', 'Avis de pénalité'],
	keys: PENALTY_HISTORY_READER.keys,
	labels: PENALTY_HISTORY_READER.labels,
	required: ['marche', 'lot', 'etape', 'date'],
};

interface Fault {
	itemIndex: number;
	json: IDataObject;
	error: unknown;
}

/** Situe une anomalie des champs de pénalité dans la ligne du registre (feuille, cellule). */
function locateInRow(error: unknown, row: TableRow | undefined): unknown {
	if (!row || !(error instanceof AnomalyError)) return error;
	const cells: Record<string, string> = {};
	for (const [key, cell] of Object.entries(row.cells)) cells[PENALTY_FIELDS_READER.keys.get(normalizeToken(key)) ?? key] = cell;
	return locate(error, { sheet: row.sheet, row: row.row, raw: row.raw, problems: row.problems, cells });
}

async function produceNotice(
	clause: ClauseRecord,
	assessment: PenaltyAssessment,
	step: StepDecision & { etape: NoticeStep },
	parameters: PenaltyParameters,
	reports: ReportIndex,
): Promise<Notice> {
	const model = buildLetter(clause, assessment, step, parameters.letter);
	const names = noticeFileNames(clause, assessment, step.etape);
	const pdf = await renderLetterPdf(model, { date: assessment.dateCalcul, auteur: parameters.letter.emetteur.split('\n')[0] ?? '' });
	const annex = await buildPenaltyAnnex({ clause, assessment, step, declared: reports.months(clauseKey(clause)) });
	const message = renderNoticeMail(clause, assessment, step, model);
	return {
		lettre: { fileName: names.lettre, content: pdf, empreinte: createHash('sha256').update(pdf).digest('hex') },
		annexe: { fileName: names.annexe, content: annex },
		model,
		mail: {
			...message,
			cleMessage: step.cleEnvoi ?? undefined,
			attachments: [
				{ filename: names.lettre, content: pdf, contentType: PDF },
				{ filename: names.annexe, content: annex, contentType: XLSX },
			],
		},
	};
}

export async function planPenalties(
	ctx: IExecuteFunctions,
	parameters: PenaltyParameters,
): Promise<{ planned: Planned[]; failed: INodeExecutionData[]; review: ReviewEntry[] }> {
	const node = ctx.getNode();
	const { settings } = parameters;
	const failed: INodeExecutionData[] = [];
	const review: ReviewEntry[] = [];
	const fail = (error: unknown, itemIndex: number, json: IDataObject, clause?: ClauseRecord) => {
		if (!ctx.continueOnFail()) throw toNodeError(node, error, itemIndex);
		const out = errorItem(node, error, itemIndex, json);
		failed.push(out);
		const marche = clause?.marche ?? json.marche ?? json['marché'];
		review.push({ marche: String(marche ?? '?'), lot: String(clause?.lot ?? json.lot ?? '?'), titulaire: clause?.titulaire ?? '', etape: 'erreur', total: 0, motif: '', erreur: String(out.json.error) });
	};

	// Lecture : relevés dans l'index des heures, historique des avis par clause.
	const reports = new ReportIndex([]);
	const history = new Map<string, PenaltyHistoryEntry[]>();
	const historyFaults = new Map<string, Fault>();
	const orphanFaults: Fault[] = [];
	const onHistoryRow = (row: TableRow, itemIndex: number) => {
		const { marche, lot } = row.raw;
		const where = `historique des pénalités${marche !== undefined && lot !== undefined ? ` (marché ${String(marche)}, lot ${String(lot)})` : ''}`;
		const read = row.problems.length > 0 ? { ok: false as const, error: new AnomalyError(row.problems) } : tryReadRecord(PENALTY_HISTORY_READER, row.raw, where);
		if (read.ok) {
			const key = clauseKey(read.value);
			history.set(key, [...(history.get(key) ?? []), read.value]);
			return;
		}
		// Une ligne d'historique fautive bloque sa clause (étape incertaine) ; sans clause, elle est rapportée seule.
		const fault = { itemIndex, json: row.raw as IDataObject, error: locate(read.error, row) };
		const key = rawClauseKey(row.raw);
		if (key === undefined) orphanFaults.push(fault);
		else if (!historyFaults.has(key)) historyFaults.set(key, fault);
	};
	// Registre des clauses : les étapes consignées à l'envoi des avis (fiches « penalite ») tiennent lieu de feuille « Pénalités ».
	let pools: PoolRecord[] = [];
	const fromRegister = async (register: Register) => {
		if (parameters.mutualisation) {
			try {
				pools = await readPools(register);
			} catch (error) {
				throw toNodeError(node, error, 0);
			}
		}
		for (const step of await registerPenaltySteps(register)) {
			if (step.ok) {
				const key = clauseKey(step.value);
				history.set(key, [...(history.get(key) ?? []), step.value]);
				continue;
			}
			const fault = { itemIndex: 0, json: step.json, error: step.error };
			const key = rawClauseKey(step.json);
			if (key === undefined) orphanFaults.push(fault);
			else if (!historyFaults.has(key)) historyFaults.set(key, fault);
		}
	};
	const data = await collectFollowUp(ctx, {
		lineReader: REPORT_HOURS_READER,
		onLine: (line) => reports.add(line),
		extraSheets: { penalites: { ...HISTORY_SHEET, onRow: onHistoryRow } },
		fromRegister,
	});
	for (const f of [...data.fileErrors, ...orphanFaults]) fail(f.error, f.itemIndex, f.json);

	const planned: Planned[] = [];
	const usable = [...usableClauses(data, node, fail)];
	const pooled = pooledPenalties(usable.map((u) => u.clause), reports, pools, settings);
	for (const { entry, clause, key } of usable) {
		const historyFault = historyFaults.get(key);
		if (historyFault) {
			fail(historyFault.error, entry.itemIndex, entry.json, clause);
			continue;
		}
		const read = tryReadRecord(PENALTY_FIELDS_READER, entry.json, entry.where);
		if (!read.ok) {
			fail(locateInRow(read.error, entry.row), entry.itemIndex, entry.json, clause);
			continue;
		}
		// Dates de procédure : colonnes du classeur, sinon historique (feuille « Pénalités » ou étapes consignées au registre).
		// Heures couvertes par le groupe de mutualisation de la clause : neutralisées, avec leur motif.
		const { fields, note } = pooled(clause, withHistory(read.value, history.get(key) ?? [], penaltyPeriod(clause, settings).periode));
		let assessment: PenaltyAssessment;
		try {
			assessment = assessPenalties(clause, fields, reports.months(key), settings, entry.where);
		} catch (error) {
			fail(locateInRow(error, entry.row), entry.itemIndex, entry.json, clause);
			continue;
		}
		const step = stepWithPool(decideStep(clause, fields, assessment), note);
		const item: Planned = { entry, clause, assessment, step, ...(note ? { mutualisation: note } : {}) };
		if (step.etape === 'miseEnDemeure' || step.etape === 'notification') {
			item.notice = await produceNotice(clause, assessment, step as StepDecision & { etape: NoticeStep }, parameters, reports);
		}
		planned.push(item);
	}
	return { planned, failed, review };
}
