/**
 * Relances à faire : le suivi lu (registre, classeur ou éléments), la décision
 * de chaque clause, les destinataires et l'objet de son courriel. Les clauses
 * illisibles ressortent en erreur.
 *
 * Le corps du courriel (texte et HTML) n'est pas gardé dans le plan : il est
 * rendu au moment de son envoi (ou de son aperçu) par `renderMail`, puis
 * libéré. Gardé tout du long, il faisait croître la mémoire de l'exécution avec
 * le nombre de clauses (banc de la relance).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { OutgoingMail } from '../adapters';
import type { ClauseRecord, ReminderDecision, ReminderMessageOptions } from '../core';
import { REPORT_HOURS_READER, ReportIndex, decideReminder, reminderRecipients, reminderSubject, renderReminder } from '../core';
import { collectFollowUp, usableClauses } from '../shared/follow-up';
import { toNodeError } from '../shared/items';
import { failedItem } from '../shared/parameters';
import type { PoolingContext } from '../shared/pooling';
import { readPoolingContext } from '../shared/pooling';
import { pooledReminders } from '../shared/pooling-reminder';
import type { ReminderParameters } from './parameters';
import { onlineLinks } from './parameters';

/** Ce que le plan garde d'un courriel de relance : de quoi le résumer (destinataires, objet), pas son corps. */
export interface PlannedMail {
	to: string[];
	cc: string[];
	subject: string;
	/** Ce que la mutualisation et les entreprises déclarées ajoutent au corps, pour le rendre plus tard. */
	extras: Pick<ReminderMessageOptions, 'mutualisation' | 'lignesManquantes'>;
}

export interface Planned {
	/** Élément d'entrée de la clause (pairedItem de l'élément de sortie). */
	itemIndex: number;
	clause: ClauseRecord;
	decision: ReminderDecision;
	mail?: PlannedMail;
}

export interface ReminderPlan {
	planned: Planned[];
	/** Éléments d'erreur (fichiers ou clauses illisibles), avec « continuer en cas d'échec ». */
	failed: INodeExecutionData[];
	ignoredSheets: string[];
	ignoredFiles: string[];
	/** Registre : groupes de mutualisation et entreprises déclarées (sous-traitants, cotraitants, SIAE). */
	pooling?: PoolingContext;
	/** Le courriel complet d'une relance (texte et HTML), rendu à la demande : à libérer après son envoi ou son aperçu. */
	renderMail: (p: Planned & { mail: PlannedMail }) => OutgoingMail;
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
		// Seul l'indice de l'élément d'entrée est gardé : pas la fiche brute de la clause.
		const item: Planned = { itemIndex: entry.itemIndex, clause, decision };
		if (decision.niveau !== 'aucun') {
			const extras = { ...(mutualisation !== undefined ? { mutualisation } : {}), ...(lignesManquantes !== undefined ? { lignesManquantes } : {}) };
			item.mail = { ...reminderRecipients(clause, decision), subject: reminderSubject(clause, decision, extras), extras };
		}
		planned.push(item);
	}
	const renderMail = ({ clause, decision, mail }: Planned & { mail: PlannedMail }): OutgoingMail => {
		const releveEnLigne = online ? { liens: decision.moisManquants.map((m) => ({ mois: m.mois, url: online.url(clause, m.mois) })), expire: online.expireDate } : undefined;
		const message = renderReminder(clause, decision, { signature: parameters.signature, modeleJoint: parameters.attach, releveEnLigne, ...mail.extras });
		return { ...message, cleMessage: decision.cleEnvoi ?? undefined };
	};
	return { planned, failed, ignoredSheets: data.ignoredSheets, ignoredFiles: data.ignoredFiles, pooling: pooling?.context, renderMail };
}
