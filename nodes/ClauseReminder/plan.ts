/**
 * Relances à faire : le suivi lu (registre, classeur ou éléments), la décision
 * de chaque clause et son courriel. Les clauses illisibles ressortent en erreur.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { OutgoingMail } from '../adapters';
import type { ClauseRecord, ReminderDecision } from '../core';
import { REPORT_HOURS_READER, ReportIndex, decideReminder, renderReminder } from '../core';
import type { FollowUpEntry } from '../shared/follow-up';
import { collectFollowUp, usableClauses } from '../shared/follow-up';
import { toNodeError } from '../shared/items';
import { failedItem } from '../shared/parameters';
import type { PoolingContext } from '../shared/pooling';
import { readPoolingContext } from '../shared/pooling';
import { pooledReminders } from '../shared/pooling-reminder';
import type { ReminderParameters } from './parameters';
import { onlineLinks } from './parameters';

export interface Planned {
	entry: FollowUpEntry<ClauseRecord>;
	clause: ClauseRecord;
	decision: ReminderDecision;
	mail?: OutgoingMail;
}

export interface ReminderPlan {
	planned: Planned[];
	/** Éléments d'erreur (fichiers ou clauses illisibles), avec « continuer en cas d'échec ». */
	failed: INodeExecutionData[];
	ignoredSheets: string[];
	ignoredFiles: string[];
	/** Registre : groupes de mutualisation et entreprises déclarées (sous-traitants, cotraitants, SIAE). */
	pooling?: PoolingContext;
}

export async function planReminders(ctx: IExecuteFunctions, parameters: ReminderParameters): Promise<ReminderPlan> {
	const { options, settings } = parameters;
	// Les lignes de relevé valides vont directement à l'index des heures déclarées.
	const reports = new ReportIndex([]);
	// Registre : groupes de mutualisation et entreprises déclarées (sous-traitants…), sauf option contraire.
	const pooling: { context?: PoolingContext } | undefined = options.mutualisation === false && options.lignesIntervenants === false ? undefined : {};
	const data = await collectFollowUp(ctx, {
		lineReader: REPORT_HOURS_READER,
		onLine: (line) => reports.add(line),
		fromRegister: pooling
			? async (register) => {
					try {
						pooling.context = await readPoolingContext(register, { lines: options.lignesIntervenants !== false });
					} catch (error) {
						throw toNodeError(ctx.getNode(), error, 0);
					}
				}
			: undefined,
	});
	const failed: INodeExecutionData[] = [];
	const fail = (error: unknown, itemIndex: number, json: IDataObject) => failed.push(failedItem(ctx, error, itemIndex, json));
	for (const f of data.fileErrors) fail(f.error, f.itemIndex, f.json);

	const online = await onlineLinks(ctx, options, settings.dateReference);
	const planned: Planned[] = [];
	// Clauses lisibles, une fois chacune ; des relevés illisibles fausseraient le calcul : rien n'est envoyé pour leur clause.
	const usable = [...usableClauses(data, ctx.getNode(), fail)];
	const adjust = pooledReminders(usable.map((u) => u.clause), reports, settings, pooling?.context, { mutualisation: options.mutualisation !== false, lignesIntervenants: options.lignesIntervenants !== false });
	for (const { entry, clause } of usable) {
		const { decision, mutualisation, lignesManquantes } = adjust(clause, decideReminder(clause, reports, settings));
		const item: Planned = { entry, clause, decision };
		if (decision.niveau !== 'aucun') {
			const releveEnLigne = online ? { liens: decision.moisManquants.map((m) => ({ mois: m.mois, url: online.url(clause, m.mois) })), expire: online.expireDate } : undefined;
			const message = renderReminder(clause, decision, { signature: parameters.signature, modeleJoint: parameters.attach, releveEnLigne, mutualisation, lignesManquantes });
			item.mail = { ...message, cleMessage: decision.cleEnvoi ?? undefined };
		}
		planned.push(item);
	}
	return { planned, failed, ignoredSheets: data.ignoredSheets, ignoredFiles: data.ignoredFiles, pooling: pooling?.context };
}
