/**
 * Les avis de pénalité et les groupes de mutualisation du registre : les
 * heures manquantes d'une clause couvertes par l'avance des autres clauses du
 * groupe sont neutralisées au motif de la mutualisation, et l'étape le dit.
 * Les règles sont dans le cœur (core/pooling.ts).
 */
import type { ClausePenaltyFields, ClauseRecord, PenaltySettings, PoolPenaltyNote, PoolRecord, ReportIndex, StepDecision } from '../core';
import { clauseKey, expectedHours, monthOf, neutralisationsOf, penaltyPeriod, poolIndex, poolPenaltyCover, roundTo } from '../core';

export interface PooledPenalty {
	fields: ClausePenaltyFields;
	note?: PoolPenaltyNote;
}

/** Champs de pénalité de chaque clause complétés de la neutralisation due à son groupe. */
export function pooledPenalties(
	clauses: ClauseRecord[],
	reports: ReportIndex,
	pools: PoolRecord[],
	settings: PenaltySettings,
): (clause: ClauseRecord, fields: ClausePenaltyFields) => PooledPenalty {
	const byKey = new Map(clauses.map((c) => [clauseKey(c), c]));
	const groups = poolIndex(pools);
	return (clause, fields) => {
		const pool = groups.get(clauseKey(clause));
		if (!pool) return { fields };
		const period = penaltyPeriod(clause, settings);
		const due = period.jalon ? roundTo(expectedHours(clause, monthOf(period.date)), 2) : clause.heuresDues;
		// Les heures déjà neutralisées (décision de l'acheteur) ne sont plus dues : la mutualisation ne couvre que le reste.
		const neutralised = neutralisationsOf(fields).reduce((sum, n) => sum + n.heures, 0);
		const cover = poolPenaltyCover(clause, roundTo(Math.max(0, due - neutralised), 2), pool, (k) => byKey.get(k), (k) => reports.months(k), period.date);
		if (!cover) return { fields };
		if (!cover.neutralisation) return { fields, note: cover.note };
		return { fields: { ...fields, neutralisations: [...(fields.neutralisations ?? []), cover.neutralisation] }, note: cover.note };
	};
}

/** Le motif de l'étape complété de la mutualisation, quand elle couvre des heures. */
export function stepWithPool(step: StepDecision, note: PoolPenaltyNote | undefined): StepDecision {
	if (!note || note.heuresCouvertes <= 0) return step;
	return { ...step, motif: `${step.motif} ${note.texte}` };
}
