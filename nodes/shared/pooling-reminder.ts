/**
 * La relance mensuelle et les groupes du registre : mutualisation des heures
 * (une clause couverte par son groupe n'est pas relancée au titre du retard)
 * et lignes manquantes des entreprises déclarées (le titulaire est relancé en
 * les nommant). Les règles sont dans le cœur (core/pooling.ts, core/employers.ts).
 */
import type { INodeProperties } from 'n8n-workflow';

import type { ClauseRecord, MissingEmployerLines, PoolStatus, ReminderDecision, ReminderSettings, ReportIndex } from '../core';
import { addMonths, applyMissingEmployers, applyPoolToReminder, clauseKey, missingEmployerLines, monthOf, poolIndex, poolStatus } from '../core';
import type { PoolingContext } from './pooling';

export const POOLING_REMINDER_OPTIONS: INodeProperties[] = [
	{
		displayName: 'Lignes des sous-traitants et cotraitants',
		name: 'lignesIntervenants',
		type: 'boolean',
		default: true,
		description:
			'Relancer le titulaire, en les nommant, quand le relevé reçu d’un mois n’a aucune ligne pour une entreprise déclarée au registre (sous-traitant, cotraitant, SIAE mettant du personnel à disposition)',
	},
	{
		displayName: 'Mutualisation des heures',
		name: 'mutualisation',
		type: 'boolean',
		default: true,
		description:
			'Tenir compte des groupes de mutualisation du registre : une clause en retard dont le groupe atteint l’obligation mutualisée n’est pas relancée au titre des heures',
	},
];

export interface PooledDecision {
	decision: ReminderDecision;
	mutualisation?: string;
	lignesManquantes?: MissingEmployerLines[];
}

/** Ajuste la décision de chaque clause d'après son groupe et ses entreprises déclarées (sans effet hors registre). */
export function pooledReminders(
	clauses: ClauseRecord[],
	reports: ReportIndex,
	settings: ReminderSettings,
	context: PoolingContext | undefined,
	flags: { mutualisation: boolean; lignesIntervenants: boolean },
): (clause: ClauseRecord, decision: ReminderDecision) => PooledDecision {
	if (!context) return (_clause, decision) => ({ decision });
	const byKey = new Map(clauses.map((c) => [clauseKey(c), c]));
	const groups = poolIndex(flags.mutualisation ? context.pools : []);
	const ref = addMonths(monthOf(settings.dateReference), -1);
	const statuses = new Map<string, PoolStatus>();
	const statusOf = (clause: ClauseRecord): PoolStatus | undefined => {
		const pool = groups.get(clauseKey(clause));
		if (!pool) return undefined;
		let status = statuses.get(pool.groupe);
		if (!status) {
			status = poolStatus(pool, (k) => byKey.get(k), (k) => reports.months(k), ref, settings.toleranceRetard);
			statuses.set(pool.groupe, status);
		}
		return status;
	};
	return (clause, decision) => {
		const out: PooledDecision = { decision };
		const status = statusOf(clause);
		if (status) {
			const pooled = applyPoolToReminder(clause, decision, reports, settings, status);
			out.decision = pooled;
			out.mutualisation = pooled.mutualisation.texte;
		}
		const declared = flags.lignesIntervenants ? context.intervenants.get(clauseKey(clause)) : undefined;
		if (declared) {
			const missing = missingEmployerLines(clause, declared, context.received.get(clauseKey(clause)) ?? new Map(), settings.dateReference);
			if (missing.length > 0) {
				out.decision = applyMissingEmployers(clause, out.decision, missing, settings);
				out.lignesManquantes = missing;
			}
		}
		return out;
	};
}
