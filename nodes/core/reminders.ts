/**
 * Relance mensuelle : pour chaque clause du registre et à une date de
 * référence (le premier jour ouvré du mois, en pratique), quels relevés
 * manquent, où en sont les heures, et quel niveau de relance s'applique.
 * Fonctions pures.
 *
 * Règles :
 * - le mois de référence est le mois qui vient de s'achever ; chaque mois
 *   d'exécution jusqu'à lui doit avoir un relevé (une ligne « néant » à 0 h
 *   suffit pour un mois sans activité) ;
 * - heures attendues : prorata des jours d'exécution écoulés à la fin du mois de
 *   référence, ou la courbe prévisionnelle de la clause si elle existe ;
 *   heures déclarées : cumul des heures du mois (hors heures de formation) ;
 * - niveau : selon l'ancienneté du plus ancien relevé manquant, comptée en
 *   jours depuis la fin de ce mois (paramètres : 0, 28 et 56 jours par défaut,
 *   soit une relance à chaque passage mensuel puis l'escalade au troisième) ;
 *   un retard sur l'objectif au-delà d'une tolérance déclenche au moins une
 *   première relance, et l'escalade si l'exécution est terminée ;
 * - rien pour une clause pas encore commencée, suspendue ou soldée.
 */
import { z } from 'zod/v4';

import { AnomalyError } from './anomalies';
import { parseSettings } from './records';
import type { IsoDate, IsoMonth } from './calendar';
import { addMonths, daysBetween, frenchMonth, lastDayOfMonth, monthOf, monthRange, ofMonth } from './calendar';
import { formatHours, formatPercent } from './format';
import { roundTo } from './numbers';
import type { ClauseRecord, ReportHours } from './schemas/follow-up';
import { clauseKey } from './schemas/follow-up';
import { decimal, isoDate, percent } from './schemas/primitives';

export const REMINDER_LEVELS = {
	aucun: { libelle: 'Aucune relance', rang: 0 },
	relance1: { libelle: 'Première relance', rang: 1 },
	relance2: { libelle: 'Deuxième relance', rang: 2 },
	escalade: { libelle: 'Escalade au facilitateur et à l\u2019acheteur', rang: 3 },
} as const;
export type ReminderLevel = keyof typeof REMINDER_LEVELS;

export const FOLLOW_UP_STATUSES = {
	aJour: 'À jour',
	releveManquant: 'Relevé manquant',
	enRetard: 'En retard sur l\u2019objectif',
	releveManquantEtRetard: 'Relevé manquant et retard sur l\u2019objectif',
	releveIncomplet: 'Relevé incomplet : lignes d\u2019une entreprise déclarée manquantes',
	nonCommencee: 'Exécution non commencée',
	suspendue: 'Clause suspendue',
	soldee: 'Clause soldée',
	sansHeures: 'Clause sans heures d\u2019insertion (engagements seulement)',
} as const;
export type FollowUpStatus = keyof typeof FOLLOW_UP_STATUSES;

export const ReminderSettingsSchema = z.object({
	dateReference: isoDate(),
	joursRelance1: decimal({ min: 0, integer: true, unit: 'jours' }).default(0),
	joursRelance2: decimal({ min: 0, integer: true, unit: 'jours' }).default(28),
	joursEscalade: decimal({ min: 0, integer: true, unit: 'jours' }).default(56),
	toleranceRetard: percent().default(10),
});
export type ReminderSettingsInput = z.input<typeof ReminderSettingsSchema>;
export type ReminderSettings = z.output<typeof ReminderSettingsSchema>;

export const REMINDER_SETTINGS_LABELS = {
	dateReference: 'date de référence',
	joursRelance1: 'délai de la première relance (jours)',
	joursRelance2: 'délai de la deuxième relance (jours)',
	joursEscalade: 'délai de l\u2019escalade (jours)',
	toleranceRetard: 'tolérance de retard (%)',
};

export function parseReminderSettings(input: Record<string, unknown>): ReminderSettings {
	const s = parseSettings(ReminderSettingsSchema, input, REMINDER_SETTINGS_LABELS);
	if (!(s.joursRelance1 <= s.joursRelance2 && s.joursRelance2 <= s.joursEscalade)) {
		throw new AnomalyError([
			{
				gravite: 'erreur',
				champ: 'joursRelance2',
				libelle: 'délais de relance',
				ou: 'paramètres du nœud',
				message: `délais incohérents (${s.joursRelance1}, ${s.joursRelance2}, ${s.joursEscalade} jours)`,
				correction: 'Les délais doivent croître : première relance ≤ deuxième relance ≤ escalade.',
				regle: 'relance.delais',
			},
		]);
	}
	return s;
}

export interface MissingMonth {
	mois: IsoMonth;
	libelle: string;
	/** Jours écoulés depuis la fin du mois. */
	joursDepuisFin: number;
}

export interface ReminderDecision {
	cle: string;
	statut: FollowUpStatus;
	statutLibelle: string;
	moisReference: IsoMonth;
	moisReferenceLibelle: string;
	moisManquants: MissingMonth[];
	heuresDues: number;
	heuresAttendues: number;
	heuresDeclarees: number;
	ecart: number;
	/** Heures déclarées ÷ heures dues ; null pour une clause sans heures. */
	tauxRealisation: number | null;
	enRetard: boolean;
	niveau: ReminderLevel;
	niveauLibelle: string;
	motif: string;
	/** Clé de non-redite : une seule relance par clause, mois de référence, niveau et adresse du titulaire. */
	cleEnvoi: string | null;
}

/** Heures déclarées par clause et par mois, à partir des lignes de relevé. */
export class ReportIndex {
	private readonly byClause = new Map<string, Map<IsoMonth, number>>();

	constructor(lines: Iterable<ReportHours>) {
		for (const line of lines) this.add(line);
	}

	add(line: ReportHours): void {
		const key = clauseKey(line);
		let months = this.byClause.get(key);
		if (!months) {
			months = new Map();
			this.byClause.set(key, months);
		}
		months.set(line.mois, (months.get(line.mois) ?? 0) + line.heuresMois);
	}

	months(key: string): Map<IsoMonth, number> {
		return this.byClause.get(key) ?? new Map();
	}
}

/** Heures cumulées attendues à la fin d'un mois : courbe prévisionnelle, sinon prorata des jours. */
export function expectedHours(clause: ClauseRecord, month: IsoMonth): number {
	const end = lastDayOfMonth(month);
	if (clause.courbe && clause.courbe.length > 0) {
		const points = [...clause.courbe].sort((a, b) => a.mois.localeCompare(b.mois));
		let value = 0;
		for (const point of points) if (point.mois <= month) value = point.heuresCumulees;
		return Math.min(value, clause.heuresDues);
	}
	const total = daysBetween(clause.debutExecution, clause.finExecution) + 1;
	const elapsed = Math.min(total, Math.max(0, daysBetween(clause.debutExecution, end) + 1));
	return (clause.heuresDues * elapsed) / total;
}

/** Niveau de relance selon l'ancienneté, en jours, du plus ancien mois en défaut. */
export function levelFor(days: number, s: ReminderSettings): ReminderLevel {
	if (days >= s.joursEscalade) return 'escalade';
	if (days >= s.joursRelance2) return 'relance2';
	if (days >= s.joursRelance1) return 'relance1';
	return 'aucun';
}

function maxLevel(a: ReminderLevel, b: ReminderLevel): ReminderLevel {
	return REMINDER_LEVELS[a].rang >= REMINDER_LEVELS[b].rang ? a : b;
}

export function decideReminder(clause: ClauseRecord, reports: ReportIndex, settings: ReminderSettings): ReminderDecision {
	const cle = clauseKey(clause);
	const ref = addMonths(monthOf(settings.dateReference), -1);
	const months = reports.months(cle);
	let declared = 0;
	for (const [month, hours] of months) if (month <= ref) declared += hours;
	const base = {
		cle,
		moisReference: ref,
		moisReferenceLibelle: frenchMonth(ref),
		heuresDues: clause.heuresDues,
		heuresDeclarees: roundTo(declared, 2),
	};
	const idle = (statut: FollowUpStatus, motif: string, expected = 0): ReminderDecision => ({
		...base,
		statut,
		statutLibelle: FOLLOW_UP_STATUSES[statut],
		moisManquants: [],
		heuresAttendues: roundTo(expected, 2),
		ecart: roundTo(expected - declared, 2),
		tauxRealisation: clause.heuresDues > 0 ? roundTo(declared / clause.heuresDues, 4) : null,
		enRetard: false,
		niveau: 'aucun',
		niveauLibelle: REMINDER_LEVELS.aucun.libelle,
		motif,
		cleEnvoi: null,
	});
	if (clause.statut === 'soldee') return idle('soldee', 'Clause soldée : plus de relevé attendu.');
	if (clause.statut === 'suspendue') return idle('suspendue', 'Clause suspendue : pas de relance pendant la suspension.');
	// Clause qui ne porte que des engagements : ni relevé d'heures attendu, ni relance pour des heures (le nœud « Engagements sociaux » suit ses échéances).
	if (clause.heuresDues === 0) return idle('sansHeures', 'Clause sans heures d\u2019insertion : aucun relevé d\u2019heures attendu ; ses engagements sont suivis par le nœud « Engagements sociaux ».');
	if (clause.debutExecution > lastDayOfMonth(ref)) {
		return idle('nonCommencee', `Exécution commencée après ${frenchMonth(ref)} : aucun relevé attendu à ce jour.`);
	}

	const lastDue = monthOf(clause.finExecution) < ref ? monthOf(clause.finExecution) : ref;
	const missing: MissingMonth[] = monthRange(monthOf(clause.debutExecution), lastDue)
		.filter((month) => !months.has(month))
		.map((month) => ({
			mois: month,
			libelle: frenchMonth(month),
			joursDepuisFin: daysBetween(lastDayOfMonth(month), settings.dateReference),
		}));
	const expected = expectedHours(clause, ref);
	const gap = expected - declared;
	const behind = gap > (settings.toleranceRetard / 100) * clause.heuresDues;
	const ended = clause.statut === 'terminee' || clause.finExecution < settings.dateReference;

	let level: ReminderLevel = missing.length > 0 ? levelFor(missing[0].joursDepuisFin, settings) : 'aucun';
	if (behind) level = maxLevel(level, ended ? 'escalade' : 'relance1');
	const statut: FollowUpStatus =
		missing.length > 0 && behind ? 'releveManquantEtRetard' : missing.length > 0 ? 'releveManquant' : behind ? 'enRetard' : 'aJour';
	const parts: string[] = [];
	if (missing.length > 0) {
		parts.push(
			missing.length === 1
				? `Relevé ${ofMonth(missing[0].mois)} non reçu.`
				: `Relevés non reçus : ${missing.map((m) => m.libelle).join(', ')}.`,
		);
	}
	if (behind) {
		parts.push(
			`${formatHours(roundTo(declared, 2))} déclarées pour ${formatHours(roundTo(expected, 2))} attendues à fin ${frenchMonth(ref)} (écart de ${formatHours(roundTo(gap, 2))}, tolérance de ${formatPercent(settings.toleranceRetard)} des ${formatHours(clause.heuresDues)} dues).`,
		);
	}
	if (parts.length === 0) parts.push(`Relevés à jour et heures conformes à l\u2019objectif à fin ${frenchMonth(ref)}.`);
	return {
		...base,
		statut,
		statutLibelle: FOLLOW_UP_STATUSES[statut],
		moisManquants: missing,
		heuresAttendues: roundTo(expected, 2),
		ecart: roundTo(gap, 2),
		tauxRealisation: roundTo(declared / clause.heuresDues, 4),
		enRetard: behind,
		niveau: level,
		niveauLibelle: REMINDER_LEVELS[level].libelle,
		motif: parts.join(' '),
		// L'adresse du titulaire fait partie de la clé : une adresse corrigée dans le registre relance de nouveau.
		cleEnvoi: level === 'aucun' ? null : `relance|${cle}|${ref}|${level}|${clause.emailTitulaire.toLowerCase()}`,
	};
}

/** Jour de référence : la relance ne part que le premier jour ouvré du mois, sauf exécution forcée. */
export function isFirstWorkingDay(date: IsoDate, firstWorkingDay: IsoDate): boolean {
	return date === firstWorkingDay;
}
