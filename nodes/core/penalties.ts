/**
 * Pénalités de la clause sociale d'insertion : calcul et étape de la procédure.
 * Fonctions pures.
 *
 * Calcul, à une échéance (fin d'exécution ou jalon) et à la date de l'avis :
 * - heures manquantes = max(0, heures dues − heures neutralisées − heures réalisées) ;
 *   heures dues : celles du contrat (fin) ou celles attendues au jalon (courbe
 *   prévisionnelle, sinon prorata des jours, comme la relance) ; heures réalisées :
 *   cumul des relevés jusqu'au mois de l'échéance, ou la colonne « Heures réalisées »
 *   du registre si elle est renseignée (chiffre consolidé par le facilitateur) ;
 * - ligne « heures » : heures manquantes × pénalité horaire ;
 * - ligne « relevés » : jours calendaires de retard × pénalité journalière, pour
 *   les relevés mensuels manquants à la date de l'avis (ou reçus en retard, date
 *   de réception renseignée) ; le retard court de l'échéance de la mise en demeure
 *   si le CCAP l'exige, sinon de la fin du plus ancien mois sans relevé, plus le
 *   délai de grâce ;
 * - ligne « bilan » (fin d'exécution) : jours de retard dans la remise du bilan
 *   après la date limite (fin d'exécution + délai de remise, ou date saisie) et le
 *   délai de grâce, jusqu'à la remise ou la date de l'avis si le bilan n'est pas remis ;
 * - arrondis : chaque ligne au centime, demi-centime vers le haut ; la somme en
 *   centimes exacts ; le plafond (pourcentage × montant de référence) au centime,
 *   diminué des pénalités déjà appliquées au titre du même plafond ; total = le
 *   plus petit des deux.
 *
 * Étapes (jamais de notification sans mise en demeure, voir decideStep).
 */
import { AnomalyError } from './anomalies';
import type { Anomaly } from './anomalies';
import type { IsoDate, IsoMonth } from './calendar';
import { addDays, addMonths, daysBetween, frenchLongDate, frenchMonth, lastDayOfMonth, monthOf, monthRange } from './calendar';
import { formatEuros, formatHours, formatInteger, formatNumber, formatPercent } from './format';
import { roundTo } from './numbers';
import { CCAG_PENALTY_LIMITS_SOURCE, PENALTY_DEFAULTS } from './referential';
import { expectedHours } from './reminders';
import type { ClausePenaltyFields, Neutralisation, PenaltySettings } from './schemas/penalty';
import { CAP_BASES, NEUTRALISATION_MOTIFS, neutralisationsOf, procedureProblem } from './schemas/penalty';
import type { ClauseRecord } from './schemas/follow-up';
import { clauseKey } from './schemas/follow-up';

export type PenaltyParameterKey =
	| 'tauxHoraire'
	| 'tauxJourRetardReleve'
	| 'tauxJourRetardBilan'
	| 'plafondPourcentage'
	| 'delaiGraceJours'
	| 'delaiMiseEnDemeureJours'
	| 'delaiBilanJours';

export interface UsedPenaltyParameter {
	libelle: string;
	valeur: number;
	unite: string;
	origine: 'registre (marché)' | 'paramètre du nœud';
	source: string;
}

export interface PenaltyLine {
	code: 'heures' | 'releves' | 'bilan';
	libelle: string;
	/** Base juridique : stipulation du CCAP et cadre. */
	base: string;
	quantite: number;
	unite: string;
	taux: number;
	formule: string;
	montant: number;
	detail: string;
}

export const PENALTY_STEPS = {
	miseEnDemeure: 'Mise en demeure',
	notification: 'Notification de pénalités',
	attente: 'Délai de la mise en demeure en cours',
	regularisee: 'Situation régularisée après mise en demeure',
	notifiee: 'Pénalités déjà notifiées',
	aucune: 'Aucune pénalité',
} as const;
export type PenaltyStep = keyof typeof PENALTY_STEPS;

export interface PenaltyAssessment {
	cle: string;
	/** « fin » ou « jalon-AAAA-MM-JJ » : la période de la clé de non-redite. */
	periode: string;
	periodeLibelle: string;
	dateEcheance: IsoDate;
	dateCalcul: IsoDate;
	articleCcap: string;
	miseEnDemeureRequise: boolean;
	parametres: Record<PenaltyParameterKey, UsedPenaltyParameter>;
	heures: {
		dues: number;
		neutralisees: number;
		neutralisations: Array<Neutralisation & { motifLibelle: string }>;
		realisees: number;
		origineRealisees: 'relevés mensuels' | 'registre';
		manquantes: number;
		surplus: number;
	};
	relevesManquants: Array<{ mois: IsoMonth; libelle: string }>;
	/** Relevés reçus en retard, tous mois confondus (colonne « Date de réception des relevés »). */
	dateReceptionReleves?: IsoDate;
	bilan: { dateLimite: IsoDate; dateRemise?: IsoDate; statut: 'remis' | 'nonRemis' | 'nonRenseigne' } | null;
	lignes: PenaltyLine[];
	sommeLignes: number;
	plafond: {
		assiette: keyof typeof CAP_BASES;
		assietteLibelle: string;
		/** 0 si l'assiette est inconnue (montant manquant, sans pénalité à plafonner) : voir assietteConnue. */
		montantAssiette: number;
		assietteConnue: boolean;
		pourcentage: number;
		montant: number;
		dejaAppliquees: number;
		disponible: number;
		applique: boolean;
		formule: string;
	};
	/**
	 * Limites du CCAG 2021 écrites pour les pénalités de retard (exonération jusqu'à
	 * un total de 1 000 € HT sur l'ensemble du marché, plafond de 10 % du montant
	 * du marché) : appliquées seulement si le CCAP les étend à la clause (paramètre
	 * ou colonne du registre, désactivés par défaut).
	 */
	limitesCcag: {
		source: string;
		exoneration: { active: boolean; seuil: number; appliquee: boolean };
		plafond: { active: boolean; pourcentage: number; montant?: number; applique: boolean };
		/** Total avant les limites du CCAG (plafond du CCAP seul). */
		totalAvant: number;
		/** Total si les deux limites étaient appliquées (pour l'avertissement). */
		totalAvecLimites: number;
	};
	total: number;
	avertissements: Anomaly[];
}

export interface StepDecision {
	etape: PenaltyStep;
	etapeLibelle: string;
	motif: string;
	dateMiseEnDemeure?: IsoDate;
	echeanceMiseEnDemeure?: IsoDate;
	/** Clé de non-redite de l'avis à produire : une par clause, étape et période. */
	cleEnvoi: string | null;
}

const cents = (value: number) => Math.round(roundTo(value, 2) * 100);
const fromCents = (value: number) => value / 100;

function anomaly(where: string, champ: string, libelle: string, message: string, correction: string, regle: string): Anomaly {
	return { gravite: 'erreur', champ, libelle, ou: where, message, correction, regle };
}

function param(
	key: PenaltyParameterKey,
	fields: ClausePenaltyFields,
	settings: PenaltySettings,
): UsedPenaltyParameter {
	const fromRegister = fields[key];
	const def = PENALTY_DEFAULTS[key];
	const valeur = fromRegister ?? settings[key];
	const isDefault = fromRegister === undefined && settings[key] === def.valeur;
	return {
		libelle: def.libelle,
		valeur,
		unite: def.unite,
		origine: fromRegister !== undefined ? 'registre (marché)' : 'paramètre du nœud',
		source: isDefault ? def.source : fromRegister !== undefined ? 'CCAP du marché (colonne du registre)' : 'paramètre du nœud (CCAP)',
	};
}

/** « Clause du marché 2025-TRX-031, lot 9 » pour situer une anomalie. */
export function clauseWhere(clause: { marche: string; lot: string }): string {
	return `clause du marché ${clause.marche}, lot ${clause.lot}`;
}

/**
 * Contrôles croisés de la clause et de ses champs de pénalité (dates, heures) :
 * lève une AnomalyError qui dit où et quoi corriger.
 */
export function checkPenaltyInput(clause: ClauseRecord, fields: ClausePenaltyFields, settings: PenaltySettings, where = clauseWhere(clause)): void {
	const problems: Anomaly[] = [];
	const neutralisations = neutralisationsOf(fields);
	const neutralised = neutralisations.reduce((s, n) => s + n.heures, 0);
	if (neutralised > clause.heuresDues) {
		problems.push(
			anomaly(where, 'heuresNeutralisees', 'heures neutralisées', `${formatHours(roundTo(neutralised, 2))} neutralisées pour ${formatHours(clause.heuresDues)} dues`, 'Les heures neutralisées ne peuvent dépasser les heures dues : vérifiez la décision de neutralisation.', 'penalite.neutralisationExcessive'),
		);
	}
	neutralisations.forEach((n) => {
		for (const [date, champ, libelle] of [
			[n.debut, 'debutNeutralisation', 'début de la neutralisation'],
			[n.fin, 'finNeutralisation', 'fin de la neutralisation'],
		] as const) {
			if (date && (date < clause.debutExecution || date > clause.finExecution)) {
				problems.push(
					anomaly(where, champ, libelle, `${frenchLongDate(date)} hors de la période d\u2019exécution (du ${frenchLongDate(clause.debutExecution)} au ${frenchLongDate(clause.finExecution)})`, 'Corrigez la date : une neutralisation porte sur la période d\u2019exécution du marché.', 'penalite.neutralisationDates'),
				);
			}
		}
	});
	if (fields.heuresRealisees !== undefined && fields.heuresRealisees > clause.heuresDues) {
		problems.push(
			anomaly(
				where,
				'heuresRealisees',
				'heures réalisées',
				`heures réalisées saisies (${formatHours(fields.heuresRealisees)}) supérieures aux heures dues (${formatHours(clause.heuresDues)})`,
				'Vérifiez la saisie (colonnes inversées ?). Si le titulaire a dépassé son objectif, laissez la colonne vide : les relevés mensuels font foi et aucune pénalité n\u2019est due.',
				'penalite.realiseesSaisies',
			),
		);
	}
	// Dates venues de l'historique (feuille « Pénalités ») : même règle que les colonnes du registre.
	const procedure = procedureProblem(fields.dateMiseEnDemeure, fields.dateNotificationPenalites);
	if (procedure) problems.push(anomaly(where, 'dateNotificationPenalites', 'date de notification des pénalités', procedure.message, procedure.correction, 'penalite.procedure'));
	const checks: Array<[IsoDate | undefined, string, string]> = [
		[fields.dateMiseEnDemeure, 'dateMiseEnDemeure', 'date de mise en demeure'],
		[fields.dateNotificationPenalites, 'dateNotificationPenalites', 'date de notification des pénalités'],
		[fields.dateReceptionReleves, 'dateReceptionReleves', 'date de réception des relevés en retard'],
		[fields.dateRemiseBilan, 'dateRemiseBilan', 'date de remise du bilan'],
	];
	for (const [date, champ, libelle] of checks) {
		if (date && date > settings.dateCalcul) {
			problems.push(anomaly(where, champ, libelle, `${frenchLongDate(date)} postérieure à la date de l\u2019avis (${frenchLongDate(settings.dateCalcul)})`, 'Corrigez la date : elle ne peut pas être dans le futur.', 'penalite.dateFuture'));
		}
		if (date && date < clause.debutExecution) {
			problems.push(anomaly(where, champ, libelle, `${frenchLongDate(date)} antérieure au début d\u2019exécution (${frenchLongDate(clause.debutExecution)})`, 'Corrigez la date : elle suit le début d\u2019exécution du marché.', 'penalite.dateAnterieure'));
		}
	}
	if (fields.dateRemiseBilan && fields.dateRemiseBilan < clause.finExecution) {
		problems.push(anomaly(where, 'dateRemiseBilan', 'date de remise du bilan', `bilan remis le ${frenchLongDate(fields.dateRemiseBilan)}, avant la fin d\u2019exécution (${frenchLongDate(clause.finExecution)})`, 'Corrigez la date de remise du bilan de fin d\u2019exécution, ou la date de fin d\u2019exécution.', 'penalite.bilanDate'));
	}
	if (fields.dateLimiteBilan && fields.dateLimiteBilan < clause.finExecution) {
		problems.push(anomaly(where, 'dateLimiteBilan', 'date limite de remise du bilan', `date limite (${frenchLongDate(fields.dateLimiteBilan)}) antérieure à la fin d\u2019exécution (${frenchLongDate(clause.finExecution)})`, 'Corrigez la date limite du bilan : elle suit la fin d\u2019exécution.', 'penalite.bilanDate'));
	}
	if (problems.length > 0) throw new AnomalyError(problems);
}

/** Le montant de référence du plafond : montant annuel, ou total ; erreur s'il manque. */
function capBase(clause: ClauseRecord, assiette: keyof typeof CAP_BASES, where: string): { montant: number; libelle: string; note?: string } {
	if (assiette === 'total') {
		if (clause.montantHT === undefined) {
			throw new AnomalyError([
				anomaly(where, 'montantHT', 'montant HT du marché', 'montant HT manquant : le plafond des pénalités (en % du montant total) est incalculable', 'Renseignez la colonne « Montant HT » du registre pour ce marché.', 'penalite.plafondMontant'),
			]);
		}
		return { montant: clause.montantHT, libelle: CAP_BASES.total.libelle };
	}
	if (clause.montantAnnuelHT !== undefined) return { montant: clause.montantAnnuelHT, libelle: CAP_BASES.annuel.libelle };
	const duration = daysBetween(clause.debutExecution, clause.finExecution) + 1;
	if (clause.montantHT !== undefined && duration <= 366) {
		return {
			montant: clause.montantHT,
			libelle: CAP_BASES.annuel.libelle,
			note: 'exécution d\u2019un an au plus : le montant annuel est le montant du marché',
		};
	}
	throw new AnomalyError([
		anomaly(
			where,
			'montantAnnuelHT',
			'montant annuel HT',
			clause.montantHT === undefined
				? 'montant annuel HT manquant : le plafond des pénalités (en % du montant annuel) est incalculable'
				: `montant annuel HT manquant pour une exécution de plus d\u2019un an (${formatInteger(duration)} jours) : le plafond des pénalités est incalculable`,
			'Renseignez la colonne « Montant annuel HT » du registre (ou choisissez un plafond sur le montant total du marché).',
			'penalite.plafondMontant',
		),
	]);
}

/** Échéance évaluée : fin d'exécution, ou jalon (borné à la fin d'exécution). */
export function penaltyPeriod(clause: ClauseRecord, settings: PenaltySettings): { periode: string; libelle: string; date: IsoDate; jalon: boolean } {
	if (settings.echeance === 'jalon' && settings.dateJalon && settings.dateJalon < clause.finExecution) {
		return { periode: `jalon-${settings.dateJalon}`, libelle: `jalon du ${frenchLongDate(settings.dateJalon)}`, date: settings.dateJalon, jalon: true };
	}
	return { periode: 'fin', libelle: `fin d\u2019exécution au ${frenchLongDate(clause.finExecution)}`, date: clause.finExecution, jalon: false };
}

/** Mois d'exécution dont le relevé est dû à une date donnée (mois achevés jusqu'à l'échéance). */
function dueMonths(clause: ClauseRecord, until: IsoDate, asOf: IsoDate): IsoMonth[] {
	const lastComplete = addMonths(monthOf(asOf), -1);
	const last = monthOf(until) < lastComplete ? monthOf(until) : lastComplete;
	if (last < monthOf(clause.debutExecution)) return [];
	return monthRange(monthOf(clause.debutExecution), last);
}

export interface AssessOptions {
	/** Date de la mise en demeure déjà envoyée (registre), pour le décompte des retards de relevés. */
	dateMiseEnDemeure?: IsoDate;
}

/**
 * Calcule les pénalités d'une clause à la date de l'avis. `declared` : heures
 * déclarées par mois (ReportIndex.months) ; `where` : désignation de la clause
 * dans les messages. Lève une AnomalyError sur une saisie incohérente.
 */
export function assessPenalties(
	clause: ClauseRecord,
	fields: ClausePenaltyFields,
	declared: Map<IsoMonth, number>,
	settings: PenaltySettings,
	where = clauseWhere(clause),
): PenaltyAssessment {
	checkPenaltyInput(clause, fields, settings, where);
	const avertissements: Anomaly[] = [];
	const warn = (champ: string, libelle: string, message: string, correction: string, regle: string) =>
		avertissements.push({ gravite: 'avertissement', champ, libelle, ou: where, message, correction, regle });

	const period = penaltyPeriod(clause, settings);
	const parametres = {
		tauxHoraire: param('tauxHoraire', fields, settings),
		tauxJourRetardReleve: param('tauxJourRetardReleve', fields, settings),
		tauxJourRetardBilan: param('tauxJourRetardBilan', fields, settings),
		plafondPourcentage: param('plafondPourcentage', fields, settings),
		delaiGraceJours: param('delaiGraceJours', fields, settings),
		delaiMiseEnDemeureJours: param('delaiMiseEnDemeureJours', fields, settings),
		delaiBilanJours: param('delaiBilanJours', fields, settings),
	};
	const miseEnDemeureRequise = fields.miseEnDemeureRequise ?? settings.miseEnDemeureRequise;
	const articleCcap = fields.articleCcap ?? settings.articleCcap ?? 'les stipulations du CCAP relatives à la clause sociale d\u2019insertion';
	const grace = parametres.delaiGraceJours.valeur;

	// Heures.
	const dues = period.jalon ? roundTo(expectedHours(clause, monthOf(period.date)), 2) : clause.heuresDues;
	const neutralisations = neutralisationsOf(fields).map((n) => ({ ...n, motifLibelle: NEUTRALISATION_MOTIFS[n.motif].libelle }));
	const neutralisees = roundTo(neutralisations.reduce((s, n) => s + n.heures, 0), 2);
	let fromReports = 0;
	for (const [month, h] of declared) if (month <= monthOf(period.date)) fromReports += h;
	fromReports = roundTo(fromReports, 2);
	const entered = fields.heuresRealisees;
	const realisees = entered ?? fromReports;
	if (entered !== undefined && declared.size > 0 && Math.abs(entered - fromReports) >= 0.01) {
		warn('heuresRealisees', 'heures réalisées', `heures réalisées du registre (${formatHours(entered)}) différentes du cumul des relevés (${formatHours(fromReports)})`, 'Le chiffre du registre est retenu ; vérifiez-le avec le facilitateur.', 'penalite.realiseesEcart');
	}
	const manquantes = roundTo(Math.max(0, dues - neutralisees - realisees), 2);
	const surplus = roundTo(Math.max(0, realisees - dues), 2);
	if (surplus > 0) {
		warn('heuresRealisees', 'heures réalisées', `${formatHours(realisees)} réalisées pour ${formatHours(dues)} dues : objectif dépassé de ${formatHours(surplus)}`, 'Aucune pénalité sur les heures.', 'penalite.objectifDepasse');
	}

	const lignes: PenaltyLine[] = [];
	const tauxH = parametres.tauxHoraire.valeur;
	if (manquantes > 0) {
		const neutralText = neutralisees > 0 ? ` − ${formatHours(neutralisees)} neutralisées` : '';
		lignes.push({
			code: 'heures',
			libelle: 'Heures d\u2019insertion non réalisées',
			base: `${articleCcap} ; CCAG 2021, art. 16.1 (clause sociale d\u2019insertion, condition d\u2019exécution, art. L2112-2 du code de la commande publique)`,
			quantite: manquantes,
			unite: 'h',
			taux: tauxH,
			formule: `${formatNumber(manquantes)} h × ${formatEuros(tauxH)}`,
			montant: fromCents(cents(manquantes * tauxH)),
			detail: `${formatHours(dues)} dues${neutralText} − ${formatHours(realisees)} réalisées = ${formatHours(manquantes)} non réalisées`,
		});
	}

	// Relevés mensuels manquants (seulement si les heures viennent des relevés).
	// Une clause sans heures (engagements seulement) n'attend aucun relevé d'heures.
	const relevesManquants =
		entered === undefined && clause.heuresDues > 0
			? dueMonths(clause, period.date, settings.dateCalcul)
					.filter((m) => !declared.has(m))
					.map((m) => ({ mois: m, libelle: frenchMonth(m) }))
			: [];
	const tauxR = parametres.tauxJourRetardReleve.valeur;
	const late = (start: IsoDate | undefined, end: IsoDate | undefined) =>
		start && end ? Math.max(0, daysBetween(addDays(start, grace), end)) : 0;
	let releveStart: IsoDate | undefined;
	let releveEnd: IsoDate | undefined;
	let releveWhy = '';
	const deadline = fields.dateMiseEnDemeure ? addDays(fields.dateMiseEnDemeure, parametres.delaiMiseEnDemeureJours.valeur) : undefined;
	if (relevesManquants.length > 0 || fields.dateReceptionReleves) {
		releveEnd = relevesManquants.length > 0 ? settings.dateCalcul : fields.dateReceptionReleves;
		// Le retard court du lendemain de l'échéance (« au plus tard le 25 » : en retard à compter du 26).
		const graceText = grace > 0 ? `, plus ${grace} jours de grâce` : '';
		if (miseEnDemeureRequise) {
			releveStart = deadline;
			releveWhy = deadline ? `à compter du ${frenchLongDate(addDays(deadline, grace + 1))} (lendemain de l\u2019échéance de la mise en demeure, le ${frenchLongDate(deadline)}${graceText})` : '';
		} else if (relevesManquants.length > 0) {
			releveStart = lastDayOfMonth(relevesManquants[0].mois);
			releveWhy = `à compter du ${frenchLongDate(addDays(releveStart, grace + 1))} (lendemain de la fin ${relevesManquants[0].libelle.match(/^[aeiouyàâéèêîôû]/i) ? 'd\u2019' : 'de '}${relevesManquants[0].libelle}${graceText})`;
		}
	}
	const joursReleves = late(releveStart, releveEnd);
	if (joursReleves > 0) {
		lignes.push({
			code: 'releves',
			libelle: 'Retard dans la remise des relevés mensuels',
			base: `${articleCcap}${miseEnDemeureRequise ? ' (après mise en demeure)' : ''}`,
			quantite: joursReleves,
			unite: 'jours',
			taux: tauxR,
			formule: `${formatInteger(joursReleves)} jours × ${formatEuros(tauxR)}`,
			montant: fromCents(cents(joursReleves * tauxR)),
			detail: `${relevesManquants.length > 0 ? `relevés manquants : ${relevesManquants.map((m) => m.libelle).join(', ')}` : `relevés reçus le ${frenchLongDate(fields.dateReceptionReleves!)}`} ; retard ${releveWhy}, jusqu\u2019au ${frenchLongDate(releveEnd!)}`,
		});
	}

	// Bilan de fin d'exécution.
	let bilan: PenaltyAssessment['bilan'] = null;
	if (!period.jalon && clause.heuresDues > 0) {
		const dateLimite = fields.dateLimiteBilan ?? addDays(clause.finExecution, parametres.delaiBilanJours.valeur);
		const statut = fields.dateRemiseBilan ? 'remis' : fields.bilanRemis === false ? 'nonRemis' : fields.bilanRemis === true ? 'remis' : 'nonRenseigne';
		bilan = { dateLimite, dateRemise: fields.dateRemiseBilan, statut };
		const end = fields.dateRemiseBilan ?? (statut === 'nonRemis' ? settings.dateCalcul : undefined);
		const joursBilan = late(dateLimite, end);
		const tauxB = parametres.tauxJourRetardBilan.valeur;
		if (joursBilan > 0) {
			lignes.push({
				code: 'bilan',
				libelle: 'Retard dans la remise du bilan de fin d\u2019exécution',
				base: articleCcap,
				quantite: joursBilan,
				unite: 'jours',
				taux: tauxB,
				formule: `${formatInteger(joursBilan)} jours × ${formatEuros(tauxB)}`,
				montant: fromCents(cents(joursBilan * tauxB)),
				detail: `date limite de remise : ${frenchLongDate(dateLimite)}${grace > 0 ? ` (plus ${grace} jours de grâce)` : ''} ; ${fields.dateRemiseBilan ? `bilan remis le ${frenchLongDate(fields.dateRemiseBilan)}` : `bilan non remis au ${frenchLongDate(settings.dateCalcul)}`}`,
			});
		}
		if (statut === 'nonRenseigne' && settings.dateCalcul > dateLimite) {
			warn('bilanRemis', 'bilan remis', 'remise du bilan de fin d\u2019exécution non renseignée : aucun retard de bilan n\u2019est calculé', 'Renseignez la date de remise du bilan, ou « non » dans « Bilan remis » s\u2019il manque.', 'penalite.bilanInconnu');
		}
	}

	// Somme, plafond, total (en centimes exacts).
	const sumCents = lignes.reduce((s, l) => s + cents(l.montant), 0);
	const assiette = fields.plafondAssiette ?? settings.plafondAssiette;
	const pct = parametres.plafondPourcentage.valeur;
	// Le plafond n'est exigé que pour des pénalités dues : avant l'échéance (la clause ne sera pas mise en demeure), un montant manquant n'est qu'un avertissement.
	const echeanceAtteinte = period.date < settings.dateCalcul;
	const base = lignes.length > 0 && echeanceAtteinte ? capBase(clause, assiette, where) : tryCapBase(clause, assiette, where);
	if (lignes.length > 0 && !base) {
		warn(
			assiette === 'total' ? 'montantHT' : 'montantAnnuelHT',
			assiette === 'total' ? 'montant HT du marché' : 'montant annuel HT',
			`montant ${assiette === 'total' ? 'HT du marché' : 'annuel HT'} non renseigné : le plafond des pénalités sera incalculable à l\u2019échéance (${period.libelle})`,
			assiette === 'total' ? 'Renseignez le montant HT du marché au registre avant l\u2019échéance.' : 'Renseignez le montant annuel HT au registre avant l\u2019échéance (ou choisissez un plafond sur le montant total du marché).',
			'penalite.plafondMontant',
		);
	}
	const capCents = base ? cents((pct / 100) * base.montant) : 0;
	const dejaCents = cents(fields.penalitesDejaAppliquees ?? 0);
	const availableCents = Math.max(0, capCents - dejaCents);
	const ccapTotalCents = base ? Math.min(sumCents, availableCents) : sumCents;
	const ccag = ccagLimits(clause, fields, settings, ccapTotalCents, dejaCents);
	const totalCents = ccag.totalCents;
	if (ccag.totalWithBothCents !== ccapTotalCents && sumCents > 0) {
		const what = [
			ccag.exonerationWould ? `exonération des pénalités dont le total sur l\u2019ensemble du marché ne dépasse pas ${formatEuros(ccag.seuil)} HT` : '',
			ccag.capWould ? `plafond de ${formatPercent(ccag.pct)} du montant total HT du marché${ccag.capCents !== undefined ? ` (${formatEuros(fromCents(ccag.capCents))})` : ''}` : '',
		].filter(Boolean).join(' ; ');
		const active = (ccag.exonerationWould && ccag.exonerationActive) || (ccag.capWould && ccag.capActive);
		warn(
			'limitesCcag',
			'limites du CCAG 2021',
			active
				? `limites du CCAG 2021 appliquées (${what}, ${CCAG_PENALTY_LIMITS_SOURCE}) : total ramené de ${formatEuros(fromCents(ccapTotalCents))} à ${formatEuros(fromCents(totalCents))}`
				: `les limites du CCAG 2021 (${what}, ${CCAG_PENALTY_LIMITS_SOURCE}) ramèneraient le total de ${formatEuros(fromCents(ccapTotalCents))} à ${formatEuros(fromCents(ccag.totalWithBothCents))}`,
			active
				? 'Ces limites sont écrites pour les pénalités de retard : vérifiez que le CCAP du marché les étend aux pénalités de la clause sociale, sinon désactivez-les.'
				: 'Ces limites sont écrites pour les pénalités de retard : vérifiez si le CCAP du marché les étend aux pénalités de la clause sociale ; si oui, activez-les (options du nœud ou colonnes « Exonération CCAG » et « Plafond CCAG » du registre).',
			'penalite.limitesCcag',
		);
	}
	if (base?.note) warn('montantAnnuelHT', 'montant annuel HT', base.note, 'Renseignez le montant annuel HT si le CCAP en retient un autre.', 'penalite.plafondAnnuel');

	return {
		cle: clauseKey(clause),
		periode: period.periode,
		periodeLibelle: period.libelle,
		dateEcheance: period.date,
		dateCalcul: settings.dateCalcul,
		articleCcap,
		miseEnDemeureRequise,
		parametres,
		heures: { dues, neutralisees, neutralisations, realisees, origineRealisees: entered !== undefined ? 'registre' : 'relevés mensuels', manquantes, surplus },
		relevesManquants,
		dateReceptionReleves: fields.dateReceptionReleves,
		bilan,
		lignes,
		sommeLignes: fromCents(sumCents),
		plafond: {
			assiette,
			assietteLibelle: base?.libelle ?? CAP_BASES[assiette].libelle,
			montantAssiette: base?.montant ?? 0,
			assietteConnue: base !== undefined,
			pourcentage: pct,
			montant: fromCents(capCents),
			dejaAppliquees: fromCents(dejaCents),
			disponible: fromCents(availableCents),
			applique: base !== undefined && sumCents > availableCents,
			formule: base
				? `${formatPercent(pct)} × ${formatEuros(base.montant)} = ${formatEuros(fromCents(capCents))}${dejaCents > 0 ? ` − ${formatEuros(fromCents(dejaCents))} déjà appliquées = ${formatEuros(fromCents(availableCents))}` : ''}`
				: 'sans objet',
		},
		limitesCcag: {
			source: CCAG_PENALTY_LIMITS_SOURCE,
			exoneration: { active: ccag.exonerationActive, seuil: ccag.seuil, appliquee: ccag.exonerationApplied },
			plafond: { active: ccag.capActive, pourcentage: ccag.pct, montant: ccag.capCents === undefined ? undefined : fromCents(ccag.capCents), applique: ccag.capApplied },
			totalAvant: fromCents(ccapTotalCents),
			totalAvecLimites: fromCents(ccag.totalWithBothCents),
		},
		total: fromCents(totalCents),
		avertissements,
	};
}

/**
 * Limites du CCAG 2021 sur un total déjà plafonné par le CCAP (centimes) : plafond
 * de 10 % du montant total HT du marché (diminué des pénalités déjà appliquées),
 * puis exonération si le total sur l'ensemble du marché (déjà appliquées
 * comprises) ne dépasse pas 1 000 € HT. Calcule aussi ce que donneraient les deux
 * limites actives, pour avertir l'acheteur quand elles changeraient l'avis.
 */
function ccagLimits(clause: ClauseRecord, fields: ClausePenaltyFields, settings: PenaltySettings, totalCents: number, dejaCents: number) {
	const exonerationActive = fields.exonerationCcag ?? settings.exonerationCcag;
	const capActive = fields.plafondCcag ?? settings.plafondCcag;
	const seuil = settings.seuilExonerationCcag;
	const pct = settings.plafondCcagPourcentage;
	const capCents = clause.montantHT === undefined ? undefined : cents((pct / 100) * clause.montantHT);
	const apply = (exoneration: boolean, cap: boolean) => {
		let total = totalCents;
		let capped = false;
		if (cap && capCents !== undefined) {
			const available = Math.max(0, capCents - dejaCents);
			if (total > available) {
				total = available;
				capped = true;
			}
		}
		const exonerated = exoneration && total > 0 && dejaCents + total <= cents(seuil);
		return { total: exonerated ? 0 : total, capped, exonerated };
	};
	const actual = apply(exonerationActive, capActive);
	const both = apply(true, true);
	return {
		exonerationActive,
		capActive,
		seuil,
		pct,
		capCents,
		totalCents: actual.total,
		exonerationApplied: actual.exonerated,
		capApplied: actual.capped,
		totalWithBothCents: both.total,
		exonerationWould: both.exonerated,
		capWould: both.capped,
	};
}

function tryCapBase(clause: ClauseRecord, assiette: keyof typeof CAP_BASES, where: string) {
	try {
		return capBase(clause, assiette, where);
	} catch {
		return undefined;
	}
}

/**
 * L'étape de la procédure pour une clause. Ordre de priorité :
 * 1. clause soldée ou suspendue, échéance non atteinte : aucune ;
 * 2. date de notification au registre : pénalités déjà notifiées ;
 * 3. aucune pénalité : régularisée (si une mise en demeure a été faite) ou aucune ;
 * 4. pas de date de mise en demeure au registre : mise en demeure ;
 * 5. délai de la mise en demeure non expiré à la date de l'avis : attente ;
 * 6. sinon : notification des pénalités.
 * La mémoire des envois de n8n vient ensuite (nœud) : un avis déjà envoyé n'est
 * jamais renvoyé, et une mise en demeure envoyée mais non reportée au registre
 * bloque la notification (date inconnue), sans jamais la sauter.
 */
export function decideStep(clause: ClauseRecord, fields: ClausePenaltyFields, a: PenaltyAssessment): StepDecision {
	const none = (etape: PenaltyStep, motif: string): StepDecision => ({ etape, etapeLibelle: PENALTY_STEPS[etape], motif, cleEnvoi: null, dateMiseEnDemeure: fields.dateMiseEnDemeure });
	if (clause.statut === 'soldee') return none('aucune', 'Clause soldée : plus de pénalité à appliquer.');
	if (clause.statut === 'suspendue') return none('aucune', 'Clause suspendue : pas de pénalité pendant la suspension.');
	if (clause.heuresDues === 0) return none('aucune', 'Clause sans heures d\u2019insertion : aucune pénalité au titre des heures ni des relevés ; ses engagements sont suivis, et pénalisés selon le CCAP, par le nœud « Engagements sociaux ».');
	const ended = a.periode !== 'fin' || clause.statut === 'terminee' || clause.finExecution < a.dateCalcul;
	if (!ended || a.dateEcheance >= a.dateCalcul) {
		return none('aucune', `Échéance évaluée (${a.periodeLibelle}) non atteinte au ${frenchLongDate(a.dateCalcul)}.`);
	}
	if (fields.dateNotificationPenalites) {
		return none('notifiee', `Pénalités notifiées le ${frenchLongDate(fields.dateNotificationPenalites)} (registre).`);
	}
	const deadline = fields.dateMiseEnDemeure ? addDays(fields.dateMiseEnDemeure, a.parametres.delaiMiseEnDemeureJours.valeur) : undefined;
	const bilanMissing = a.bilan !== null && a.bilan.statut === 'nonRemis' && a.dateCalcul > a.bilan.dateLimite;
	const breach = a.lignes.length > 0 || a.relevesManquants.length > 0 || bilanMissing;
	const exonerated = a.limitesCcag.exoneration.appliquee;
	const capReached = a.sommeLignes > 0 && a.total === 0 && !exonerated;
	if (!breach || (capReached && !fields.dateMiseEnDemeure)) {
		if (capReached) return none('aucune', `Plafond des pénalités déjà atteint (${a.plafond.formule}).`);
		const why = a.heures.surplus > 0 ? 'objectif d\u2019heures dépassé' : a.heures.neutralisees > 0 && a.heures.realisees < a.heures.dues ? 'heures manquantes neutralisées' : 'heures dues réalisées';
		if (fields.dateMiseEnDemeure) {
			return { ...none('regularisee', `Mise en demeure du ${frenchLongDate(fields.dateMiseEnDemeure)} suivie d\u2019effet : ${why}, relevés à jour.`), echeanceMiseEnDemeure: deadline };
		}
		return none('aucune', `Aucune pénalité : ${why}, relevés à jour.`);
	}
	if (!fields.dateMiseEnDemeure || !deadline) {
		return {
			etape: 'miseEnDemeure',
			etapeLibelle: PENALTY_STEPS.miseEnDemeure,
			motif: 'Manquement constaté, aucune mise en demeure au registre : mise en demeure préalable aux pénalités.',
			echeanceMiseEnDemeure: addDays(a.dateCalcul, a.parametres.delaiMiseEnDemeureJours.valeur),
			cleEnvoi: `penalite|miseEnDemeure|${a.cle}|${a.periode}`,
		};
	}
	if (a.dateCalcul <= deadline) {
		return {
			...none('attente', `Mise en demeure du ${frenchLongDate(fields.dateMiseEnDemeure)} : délai en cours jusqu\u2019au ${frenchLongDate(deadline)}.`),
			echeanceMiseEnDemeure: deadline,
		};
	}
	if (a.total === 0) {
		return {
			...none(
				'regularisee',
				`Mise en demeure du ${frenchLongDate(fields.dateMiseEnDemeure)} : ${
					exonerated
						? `pénalités exonérées, leur total sur l\u2019ensemble du marché ne dépassant pas ${formatEuros(a.limitesCcag.exoneration.seuil)} HT (${a.limitesCcag.source}, étendu par le CCAP)`
						: capReached
							? `plafond des pénalités déjà atteint (${a.plafond.formule})`
							: 'aucune pénalité à l\u2019expiration du délai'
				}.`,
			),
			echeanceMiseEnDemeure: deadline,
		};
	}
	return {
		etape: 'notification',
		etapeLibelle: PENALTY_STEPS.notification,
		motif: `Mise en demeure du ${frenchLongDate(fields.dateMiseEnDemeure)} restée sans effet à l\u2019expiration du délai (${frenchLongDate(deadline)}).`,
		dateMiseEnDemeure: fields.dateMiseEnDemeure,
		echeanceMiseEnDemeure: deadline,
		cleEnvoi: `penalite|notification|${a.cle}|${a.periode}`,
	};
}
