/**
 * Étude de faisabilité, lot par lot : une considération sociale est-elle
 * pertinente, et laquelle ? Sinon, pourquoi pas (la fiche visa exige la
 * justification dans les deux cas). Fonctions pures.
 *
 * Règles (Code de la commande publique ; Avise, ARF et Caisse des Dépôts,
 * « Intégration des clauses sociales dans la commande publique des Conseils
 * régionaux », 2014 ; Alliance Villes Emploi, « Diversification des achats
 * socialement responsables ») :
 * - l'étude est conduite pour tout marché dont le montant total dépasse un seuil
 *   (pratique de la Picardie : « plus de 90 000 € HT », strictement au-delà) ;
 *   en deçà, un lot calibré en amont (heures > 0) est étudié à titre volontaire :
 *   la clause reste possible (Avise, « Prestations intellectuelles et clauses sociales d'insertion »,
 *   2013, cas ECOMODAL : 55 000 €, 35 h) ;
 * - un lot à étudier doit avoir un lieu d'exécution (ou un facilitateur désigné) :
 *   sans lui, ni facilitateur ni zone blanche ne peuvent être établis, c'est une
 *   erreur qui nomme le lot et le champ ;
 * - pas de facilitateur sur le lieu d'exécution (« zone blanche ») : pas de clause
 *   en heures, mais un marché réservé reste possible ;
 * - fournitures sans main-d'œuvre, durée trop courte, personnel repris qui couvre
 *   déjà le marché, volume d'heures sous le plancher : pas de clause en heures ;
 *   sous le plancher, une action qualitative est proposée (Alliance Villes Emploi) ;
 * - la clause d'exécution (L2112-2) est la règle ; le critère social (R2152-7)
 *   l'accompagne au-delà d'un seuil ; le marché réservé (L2113-12, L2113-13, L2113-13-1) et
 *   le marché d'insertion (R2123-1) sont proposés quand l'offre locale existe ;
 * - au-delà des seuils européens (travaux, DSP et marchés de partenariat :
 *   5 404 000 € HT ; fournitures et services : 216 000 € HT ; atteints dès
 *   l'égalité), l'absence de considération sociale doit être justifiée (loi
 *   Climat et résilience, art. 35, pour les consultations lancées à partir du
 *   21 août 2026, paramètre « dateLoiClimat »).
 */
import { z } from 'zod/v4';

import type { Anomaly } from './anomalies';
import { AnomalyError, parseJsonParameter } from './anomalies';
import type { CalibrationResult, CalibrationSettings } from './calibration';
import { CALIBRATION_SETTINGS_LABELS, CalibrationSettingsSchema, calibrateLot } from './calibration';
import { frenchLongDate } from './calendar';
import { canonicalizeKeys } from './keys';
import { formatEuros, formatHours, formatNumber, quote } from './format';
import { duplicateAnomaly, duplicatesOf } from './plausibility';
import { LOI_CLIMAT, THRESHOLDS, aboveEuropeanThreshold, europeanThresholdFor, feasibilityStudyRequired } from './referential';
import type { Facilitator } from './schemas/facilitator';
import { FACILITATOR_READER } from './schemas/facilitator';
import type { Lot, Nature, StructureType } from './schemas/lot';
import { clauseKey } from './schemas/follow-up';
import { CALIBRATION_METHODS, LOT_READER, NATURES, STRUCTURE_TYPES } from './schemas/lot';
import { decimal, isoDate, normalizeToken, tolerantEnum, yesNo } from './schemas/primitives';
import { parseSettings, readRecord } from './records';
import { SectorIndex } from './sectors';
import { facilitatorsFor } from './territories';

export const MECHANISMS = {
	clauseExecution: {
		libelle: 'Clause sociale d\u2019insertion, condition d\u2019exécution',
		base: 'article L2112-2 du Code de la commande publique et article 16.1 du CCAG 2021',
		ancienneBase: 'art. 14 du CMP 2006',
		decp: 'Clause sociale',
	},
	critereAttribution: {
		libelle: 'Critère social d\u2019attribution',
		base: 'article R2152-7 du Code de la commande publique',
		ancienneBase: 'art. 53-1 du CMP 2006',
		decp: 'Critère social',
	},
	marcheReserveEa: {
		libelle: 'Marché ou lot réservé aux entreprises adaptées et ESAT',
		base: 'article L2113-12 du Code de la commande publique',
		ancienneBase: 'art. 15 du CMP 2006',
		decp: 'Marché réservé',
	},
	marcheReserveSiae: {
		libelle: 'Marché ou lot réservé aux structures d\u2019insertion par l\u2019activité économique',
		base: 'article L2113-13 du Code de la commande publique',
		ancienneBase: 'art. 15 du CMP 2006',
		decp: 'Marché réservé',
	},
	marcheReserveDetenus: {
		libelle: 'Marché ou lot réservé aux opérateurs économiques employant des personnes détenues',
		base: 'article L2113-13-1 du Code de la commande publique',
		ancienneBase: 'sans équivalent dans le CMP 2006',
		decp: 'Marché réservé',
	},
	marcheInsertion: {
		libelle: 'Marché d\u2019insertion et de qualification professionnelle',
		base: 'article R2123-1 du Code de la commande publique, services sociaux et autres services spécifiques',
		ancienneBase: 'art. 30 du CMP 2006',
		decp: 'Clause sociale',
	},
	actionsQualitatives: {
		libelle: 'Actions qualitatives (plan de progrès, lutte contre l\u2019illettrisme, égalité femmes-hommes, accueil de stagiaires)',
		base: 'article L2112-2 du Code de la commande publique, condition d\u2019exécution à caractère social',
		ancienneBase: 'art. 14 du CMP 2006',
		decp: 'Clause sociale',
	},
} as const;
export type Mechanism = keyof typeof MECHANISMS;

export const NO_CLAUSE_REASONS = {
	sousSeuilEtude: 'montant du marché inférieur au seuil de l\u2019étude de faisabilité',
	zoneBlanche: 'aucun facilitateur ne couvre le lieu d\u2019exécution (zone blanche)',
	fournituresSansMainOeuvre: 'fournitures sans main-d\u2019œuvre d\u2019exécution',
	dureeTropCourte: 'durée d\u2019exécution trop courte pour un parcours d\u2019insertion',
	personnelRepris: 'le personnel repris couvre déjà le besoin de main-d\u2019œuvre',
	sousPlancher: 'volume d\u2019heures d\u2019insertion inférieur au plancher',
} as const;
export type NoClauseReason = keyof typeof NO_CLAUSE_REASONS;

export const DECP_CONSIDERATIONS = ['Clause sociale', 'Critère social', 'Marché réservé', 'Pas de considération sociale'] as const;
export type DecpConsideration = (typeof DECP_CONSIDERATIONS)[number];

/** Activités supports des marchés d'insertion (Avise, ARF et Caisse des Dépôts, 2014, « Article 30 : marchés concernés »). */
const INSERTION_MARKET_ACTIVITIES = [
	'espaces verts',
	'espaces naturels',
	'cours d eau',
	'entretien de locaux',
	'nettoyage',
	'proprete',
	'demenagement',
	'collecte',
	'dechets',
	'voirie',
];

export const CRITERION_POLICIES = {
	auDelaSeuilUe: { libelle: 'Au-delà du seuil européen' },
	toujours: { libelle: 'Toujours, avec la clause' },
	jamais: { libelle: 'Jamais' },
} as const;

export const FeasibilitySettingsSchema = z.object({
	seuilEtude: decimal({ min: 0, unit: '€' }).default(THRESHOLDS.etudeFaisabilite.valeur),
	seuilUeFournituresServices: decimal({ min: 0, unit: '€' }).default(THRESHOLDS.europeenFournituresServices.valeur),
	seuilUeTravaux: decimal({ min: 0, unit: '€' }).default(THRESHOLDS.europeenTravaux.valeur),
	dureeMinimaleMois: decimal({ min: 0, unit: 'mois' }).default(0),
	dateLoiClimat: isoDate().default(LOI_CLIMAT.valeur),
	critereSocial: tolerantEnum(CRITERION_POLICIES, 'une règle pour le critère social').default('auDelaSeuilUe'),
	proposerActionsQualitatives: yesNo().default(true),
	dateEtude: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'date attendue au format AAAA-MM-JJ' }),
	facilitateurs: z.array(z.unknown()).default([]),
	calibrage: z.record(z.string(), z.unknown()).default({}),
});
export type FeasibilitySettingsInput = z.input<typeof FeasibilitySettingsSchema>;

export const FEASIBILITY_SETTINGS_LABELS = {
	seuilEtude: 'seuil de l\u2019étude de faisabilité (€ HT)',
	seuilUeFournituresServices: 'seuil européen fournitures et services (€ HT)',
	seuilUeTravaux: 'seuil européen travaux et concessions (€ HT)',
	dureeMinimaleMois: 'durée minimale (mois)',
	dateLoiClimat: 'date d\u2019application de la loi Climat',
	critereSocial: 'critère social',
	proposerActionsQualitatives: 'proposer des actions qualitatives',
	dateEtude: 'date de l\u2019étude',
	facilitateurs: 'facilitateurs',
	calibrage: 'paramètres de calibrage',
};

export interface FeasibilitySettings {
	seuilEtude: number;
	seuilUeFournituresServices: number;
	seuilUeTravaux: number;
	dureeMinimaleMois: number;
	dateLoiClimat: string;
	critereSocial: keyof typeof CRITERION_POLICIES;
	proposerActionsQualitatives: boolean;
	dateEtude: string;
	facilitateurs: Facilitator[];
	calibrage: CalibrationSettings;
}

/** Valide les paramètres d'une étude ; lève une AnomalyError qui nomme le paramètre ou le facilitateur fautif. */
export function parseFeasibilitySettings(input: Record<string, unknown>): FeasibilitySettings {
	const facilitateurs = parseJsonParameter(
		input.facilitateurs,
		'facilitateurs',
		FEASIBILITY_SETTINGS_LABELS.facilitateurs,
		'[{"nom": "PLIE du Val d\u2019Argent", "email": "plie@example.test", "territoires": ["79"]}]',
	);
	const parsed = parseSettings(FeasibilitySettingsSchema, { ...input, facilitateurs: facilitateurs ?? [] }, FEASIBILITY_SETTINGS_LABELS);
	const list = parsed.facilitateurs;
	const readFacilitators = list.map((raw, index) =>
		readRecord(FACILITATOR_READER, raw, `facilitateur n° ${index + 1} des paramètres du nœud`),
	);
	const secteurs = parseJsonParameter(
		parsed.calibrage.secteurs,
		'secteurs',
		CALIBRATION_SETTINGS_LABELS.secteurs,
		'{"electricite": {"libelle": "Électricité", "tauxMainOeuvre": 45}}',
	);
	const calibrage = parseSettings(
		CalibrationSettingsSchema,
		{ ...parsed.calibrage, secteurs: secteurs ?? {} },
		CALIBRATION_SETTINGS_LABELS,
		'paramètres de calibrage du nœud',
	);
	return { ...parsed, facilitateurs: readFacilitators, calibrage };
}

export interface MechanismRecommendation {
	code: Mechanism;
	libelle: string;
	base: string;
	/** Proposé en option (à la place ou en plus de la recommandation principale). */
	option: boolean;
	motif: string;
}

export interface FeasibilityResult {
	decision: 'clause' | 'pasDeClause';
	decisionLibelle: string;
	mecanismes: MechanismRecommendation[];
	raisons: Array<{ code: NoClauseReason; libelle: string }>;
	considerationsSociales: DecpConsideration[];
	etudeRequise: boolean;
	/** Marché sous le seuil de l'étude, étudié quand même parce que le lot a été calibré en amont. */
	etudeVolontaire: boolean;
	montantMarcheHT: number;
	seuilEuropeen: { seuil: number; depasse: boolean; justificationObligatoire: boolean };
	facilitateur: { nom: string; structure?: string; email?: string; telephone?: string } | null;
	heuresEstimees: number;
	/** Heures à inscrire au contrat : celles du calibrage si une clause d'exécution en heures est retenue, 0 sinon. */
	heuresRetenues: number;
	origineHeures: 'calibrage en amont' | 'estimation (référentiel)';
	justification: string;
	dateEtude: string;
	/** Paramètres de l'étude appliqués (pour le rapport et la traçabilité). */
	parametresEtude: StudyParameters;
	alertes: Anomaly[];
}

export interface StudyParameters {
	seuilEtude: number;
	seuilUeFournituresServices: number;
	seuilUeTravaux: number;
	dureeMinimaleMois: number;
	critereSocial: keyof typeof CRITERION_POLICIES;
	proposerActionsQualitatives: boolean;
	dateLoiClimat: string;
}

export interface StudyInput {
	lot: Lot;
	where: string;
	/** Résultat du nœud de calibrage placé en amont, s'il existe. */
	calibrage?: CalibrationResult;
}

/** Lots d'un marché écartés (en erreur) : leur montant manque au total du marché. */
export type ExcludedLots = Map<string, string[]>;

function rawText(value: unknown): string | undefined {
	if ((typeof value === 'string' && value.trim() !== '') || typeof value === 'number') return String(value).trim();
	return undefined;
}

/**
 * Lots illisibles, par marché : leur montant manque au total du marché, ce qui
 * peut changer les décisions de seuil des autres lots. Un lot sans marché ne
 * concerne que lui-même.
 */
export function excludedLots(raws: unknown[]): ExcludedLots {
	const out: ExcludedLots = new Map();
	raws.forEach((raw, index) => {
		// Mêmes intitulés reconnus que pour lire un lot (« N° marché », « marché »…).
		const record = canonicalizeKeys(raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {}, LOT_READER.keys);
		const marche = rawText(record.marche);
		if (marche === undefined) return;
		const label = rawText(record.lot) ?? `de l\u2019élément ${index + 1}`;
		const key = normalizeToken(marche);
		const list = out.get(key) ?? [];
		if (!list.includes(label)) list.push(label);
		out.set(key, list);
	});
	return out;
}

/**
 * Cumul des montants par marché : le seuil de l'étude et les seuils européens
 * portent sur le marché entier. La somme est faite en centimes entiers : en
 * virgule flottante, elle dépendrait de l'ordre des lots (6 539 905,68 contre
 * 6 539 905,680000001) et pourrait faire basculer un lot d'un côté d'un seuil.
 */
/** Un lot lu (ou son erreur de lecture), avec l'élément d'où il vient. */
export interface ParsedLot<E extends { where: string }> {
	entry: E;
	lot?: Lot;
	error?: unknown;
}

/**
 * Lot en double (même marché, même numéro) : il compterait deux fois dans le
 * total du marché ; le second (et les suivants) est refusé, le premier gardé.
 */
export function refuseDuplicateLots<E extends { where: string }>(parsed: ParsedLot<E>[]): ParsedLot<E>[] {
	const out = [...parsed];
	const duplicates = duplicatesOf(parsed, (p) => (p.lot ? clauseKey({ marche: p.lot.marche ?? '', lot: p.lot.lot }) : undefined));
	for (const [index, first] of duplicates) {
		out[index] = {
			entry: parsed[index].entry,
			error: new AnomalyError([
				duplicateAnomaly(
					'lot',
					parsed[index].entry.where,
					parsed[first].entry.where,
					'Chaque lot ne doit figurer qu\u2019une fois (même marché, même numéro de lot) : supprimez la ligne en double ou corrigez son numéro.',
					'lot.doublon',
				),
			]),
		};
	}
	return out;
}

export function marketTotals(lots: Iterable<Lot>): Map<string, number> {
	const cents = new Map<string, number>();
	for (const lot of lots) {
		const key = marketKey(lot);
		cents.set(key, (cents.get(key) ?? 0) + Math.round((lot.montantHT ?? 0) * 100));
	}
	return new Map([...cents].map(([key, value]) => [key, value / 100]));
}

export function marketKey(lot: Lot): string {
	return lot.marche === undefined ? `\u0000lot:${lot.lot}` : normalizeToken(lot.marche);
}

export class FeasibilityStudy {
	private readonly sectors: SectorIndex;

	constructor(
		readonly settings: FeasibilitySettings,
		private readonly totals: Map<string, number>,
		private readonly excluded: ExcludedLots = new Map(),
	) {
		this.sectors = SectorIndex.withOverrides(settings.calibrage.secteurs);
	}

	study({ lot, where, calibrage }: StudyInput): FeasibilityResult {
		const s = this.settings;
		const alertes: Anomaly[] = [];
		// Le montant décide des seuils (étude, seuil européen) : l'étude en a besoin, même si le calibrage s'en passe.
		if (lot.montantHT === undefined) throw missingAmount(where);
		const key = marketKey(lot);
		const montantMarcheHT = this.totals.get(key) ?? lot.montantHT;
		const etudeRequise = feasibilityStudyRequired(montantMarcheHT, s.seuilEtude);
		// Sous le seuil, un lot calibré en amont avec des heures est étudié à titre volontaire.
		const etudeVolontaire = !etudeRequise && calibrage !== undefined && calibrage.heures > 0;
		const etudiee = etudeRequise || etudeVolontaire;
		const seuil = europeanThresholdFor(lot.nature, s);
		const depasse = aboveEuropeanThreshold(montantMarcheHT, seuil);

		if (etudiee && lot.lieuExecution === undefined && lot.facilitateur === undefined) throw missingPlace(where);
		const facilitator = this.facilitatorFor(lot);
		const local = lot.offreSiae ?? [];

		const raisons: NoClauseReason[] = [];
		if (!etudiee) raisons.push('sousSeuilEtude');
		if (lot.nature === 'fournitures' && (lot.tauxMainOeuvre ?? 0) === 0) raisons.push('fournituresSansMainOeuvre');
		if (s.dureeMinimaleMois > 0 && lot.dureeMois !== undefined && lot.dureeMois < s.dureeMinimaleMois) raisons.push('dureeTropCourte');
		if (!facilitator && (lot.lieuExecution !== undefined || lot.facilitateur !== undefined)) raisons.push('zoneBlanche');

		// Le volume n'est estimé que s'il peut décider : sans motif bloquant, ou s'il a déjà été calibré en amont.
		const estimate = calibrage ?? (raisons.length === 0 ? this.estimate(lot, where) : undefined);
		const heuresEstimees = estimate?.heures ?? 0;
		if (estimate?.avertissements.some((a) => a.regle === 'calibrage.personnelRepris')) raisons.push('personnelRepris');
		else if (estimate?.sousPlancher) raisons.push('sousPlancher');

		const mecanismes: MechanismRecommendation[] = [];
		const hoursPossible = raisons.length === 0;
		if (hoursPossible) {
			mecanismes.push(this.mechanism('clauseExecution', false, `${formatHours(heuresEstimees)} d\u2019insertion au titre du lot, avec l\u2019appui du facilitateur`));
			const criterion = s.critereSocial === 'toujours' || (s.critereSocial === 'auDelaSeuilUe' && depasse);
			if (criterion) {
				mecanismes.push(
					this.mechanism(
						'critereAttribution',
						false,
						s.critereSocial === 'toujours'
							? 'critère de performance en matière d\u2019insertion, en complément de la clause'
							: `marché au-delà du seuil européen (${formatEuros(seuil)} HT) : critère de performance en matière d\u2019insertion, en complément de la clause`,
					),
				);
			}
		} else if (
			s.proposerActionsQualitatives &&
			etudiee &&
			raisons.every((r) => r === 'sousPlancher' || r === 'zoneBlanche' || r === 'dureeTropCourte' || r === 'personnelRepris')
		) {
			mecanismes.push(
				this.mechanism('actionsQualitatives', false, 'volume ou contexte insuffisant pour des heures d\u2019insertion ; une condition d\u2019exécution sociale qualitative reste possible'),
			);
		}
		// Marchés réservés ouverts à toute nature d'achat, prestations intellectuelles comprises (L2113-12, L2113-13, L2113-13-1).
		if (etudiee && local.some((t) => t === 'EA' || t === 'ESAT')) {
			mecanismes.push(this.mechanism('marcheReserveEa', true, `offre locale : ${this.structures(local, ['EA', 'ESAT'])}`));
		}
		const siae = local.filter((t) => t === 'EI' || t === 'AI' || t === 'ACI' || t === 'ETTI' || t === 'regieQuartier');
		if (etudiee && siae.length > 0) {
			mecanismes.push(this.mechanism('marcheReserveSiae', true, `offre locale : ${this.structures(local, siae)}`));
		}
		if (etudiee && local.includes('detention')) {
			mecanismes.push(this.mechanism('marcheReserveDetenus', true, `offre locale : ${this.structures(local, ['detention'])}`));
		}
		if (etudiee && lot.nature === 'services' && local.includes('ACI') && this.isInsertionActivity(lot)) {
			mecanismes.push(this.mechanism('marcheInsertion', true, 'activité support d\u2019insertion (entretien, espaces verts, propreté, déchets…) et atelier et chantier d\u2019insertion sur le territoire'));
		}

		const decision = mecanismes.some((m) => !m.option) ? 'clause' : 'pasDeClause';
		const considerations = decpConsiderations(mecanismes, decision);
		const justificationObligatoire = depasse && decision === 'pasDeClause';
		if (justificationObligatoire) {
			const since = frenchLongDate(s.dateLoiClimat);
			alertes.push({
				gravite: 'avertissement',
				champ: 'considerationsSociales',
				libelle: 'considération sociale',
				ou: where,
				message: `marché au-delà du seuil européen (${formatEuros(montantMarcheHT)} HT ≥ ${formatEuros(seuil)} HT) sans considération sociale`,
				correction:
					s.dateEtude >= s.dateLoiClimat
						? `Depuis le ${since} (loi Climat et résilience, art. 35), justifiez l\u2019absence de considération sociale dans les documents de la consultation, ou retenez-en une.`
						: `Si la consultation est lancée à partir du ${since} (loi Climat et résilience, art. 35), l\u2019absence de considération sociale devra être justifiée dans ses documents : préparez cette justification, ou retenez une considération sociale.`,
				regle: 'faisabilite.loiClimat',
			});
		}
		const ecartes = this.excluded.get(key);
		if (ecartes && ecartes.length > 0) {
			const list = ecartes.join(', ');
			const plural = ecartes.length > 1;
			alertes.push({
				gravite: 'avertissement',
				champ: 'montantMarcheHT',
				libelle: 'montant du marché',
				ou: where,
				message: `le montant du marché (${formatEuros(montantMarcheHT)} HT) ne compte pas ${plural ? `les lots ${list}, en erreur` : `le lot ${list}, en erreur`} : les seuils (étude, seuil européen) sont appréciés sans ${plural ? 'eux' : 'lui'}`,
				correction: `Corrigez ${plural ? `les lots ${list}` : `le lot ${list}`} puis relancez l\u2019étude : ${plural ? 'leur' : 'son'} montant peut faire franchir un seuil au marché et changer la décision de ce lot.`,
				regle: 'faisabilite.lotsEcartes',
			});
		}
		if (facilitator === undefined && lot.facilitateur !== undefined) {
			alertes.push({
				gravite: 'avertissement',
				champ: 'facilitateur',
				libelle: 'facilitateur',
				ou: where,
				message: `le facilitateur ${quote(lot.facilitateur)} n\u2019est pas dans la liste des facilitateurs`,
				correction: 'Ajoutez-le aux facilitateurs du nœud (nom, courriel, territoires) ou corrigez son nom.',
				regle: 'faisabilite.facilitateurInconnu',
			});
		}
		const clauseEnHeures = mecanismes.some((m) => m.code === 'clauseExecution' && !m.option);
		const result: FeasibilityResult = {
			decision,
			decisionLibelle: decision === 'clause' ? 'Considération sociale recommandée' : 'Pas de clause sociale',
			mecanismes,
			raisons: raisons.map((code) => ({ code, libelle: NO_CLAUSE_REASONS[code] })),
			considerationsSociales: considerations,
			etudeRequise,
			etudeVolontaire,
			montantMarcheHT,
			seuilEuropeen: { seuil, depasse, justificationObligatoire },
			facilitateur: facilitator
				? { nom: facilitator.nom, structure: facilitator.structure, email: facilitator.email, telephone: facilitator.telephone }
				: null,
			heuresEstimees,
			heuresRetenues: clauseEnHeures ? heuresEstimees : 0,
			origineHeures: calibrage ? 'calibrage en amont' : 'estimation (référentiel)',
			justification: '',
			dateEtude: s.dateEtude,
			parametresEtude: {
				seuilEtude: s.seuilEtude,
				seuilUeFournituresServices: s.seuilUeFournituresServices,
				seuilUeTravaux: s.seuilUeTravaux,
				dureeMinimaleMois: s.dureeMinimaleMois,
				critereSocial: s.critereSocial,
				proposerActionsQualitatives: s.proposerActionsQualitatives,
				dateLoiClimat: s.dateLoiClimat,
			},
			alertes: [...(estimate?.avertissements ?? []).filter((a) => a.regle !== 'calibrage.sousPlancher'), ...alertes],
		};
		result.justification = justify(lot, result, estimate, s);
		return result;
	}

	private estimate(lot: Lot, where: string): CalibrationResult {
		return calibrateLot(lot, this.settings.calibrage, this.sectors, where);
	}

	private facilitatorFor(lot: Lot): Facilitator | undefined {
		const list = this.settings.facilitateurs;
		if (lot.facilitateur !== undefined) {
			const wanted = normalizeToken(lot.facilitateur);
			return list.find((f) => normalizeToken(f.nom) === wanted || (f.structure !== undefined && normalizeToken(f.structure) === wanted));
		}
		if (lot.lieuExecution === undefined) return undefined;
		return facilitatorsFor(lot.lieuExecution, list)[0];
	}

	private isInsertionActivity(lot: Lot): boolean {
		const text = ` ${[lot.intitule, lot.secteur].filter(Boolean).join(' ')} `
			.normalize('NFD')
			.replace(/[\u0300-\u036f]/g, '')
			.toLowerCase()
			.replace(/[^a-z0-9]+/g, ' ');
		return INSERTION_MARKET_ACTIVITIES.some((activity) => text.includes(activity)) || (lot.cpv ?? '').startsWith('9');
	}

	private structures(all: StructureType[], wanted: StructureType[]): string {
		return all.filter((t) => wanted.includes(t)).map((t) => STRUCTURE_TYPES[t].libelle).join(', ');
	}

	private mechanism(code: Mechanism, option: boolean, motif: string): MechanismRecommendation {
		return { code, libelle: MECHANISMS[code].libelle, base: MECHANISMS[code].base, option, motif };
	}
}

function missingAmount(where: string): AnomalyError {
	return new AnomalyError([
		{
			gravite: 'erreur',
			champ: 'montantHT',
			libelle: 'montant HT',
			ou: where,
			message: 'montant HT non renseigné : sans lui, ni le seuil de l\u2019étude ni le seuil européen ne peuvent être appréciés',
			correction: 'Indiquez le montant HT estimé du lot (champ «\u00a0montantHT\u00a0», colonne «\u00a0Montant HT\u00a0»).',
			regle: 'faisabilite.montantManquant',
		},
	]);
}

function missingPlace(where: string): AnomalyError {
	return new AnomalyError([
		{
			gravite: 'erreur',
			champ: 'lieuExecution',
			libelle: 'lieu d\u2019exécution',
			ou: where,
			message: 'lieu d\u2019exécution non renseigné : sans lui, le lot ne peut pas être étudié (facilitateur du territoire ou zone blanche)',
			correction:
				'Indiquez le lieu d\u2019exécution du lot (champ «\u00a0lieuExecution\u00a0», colonne «\u00a0Lieu d\u2019exécution\u00a0») : commune, code postal ou département, par exemple «\u00a0Niort (79)\u00a0» ; ou désignez son facilitateur (champ «\u00a0facilitateur\u00a0»).',
			regle: 'faisabilite.lieuInconnu',
		},
	]);
}

export function decpConsiderations(mecanismes: MechanismRecommendation[], decision: 'clause' | 'pasDeClause'): DecpConsideration[] {
	const retained = mecanismes.filter((m) => !m.option);
	if (decision === 'pasDeClause' || retained.length === 0) return ['Pas de considération sociale'];
	const out: DecpConsideration[] = [];
	for (const m of retained) {
		const value = MECHANISMS[m.code].decp;
		if (!out.includes(value)) out.push(value);
	}
	return out;
}

function lotTitle(lot: Lot): string {
	const title = lot.intitule ? ` «\u00a0${lot.intitule}\u00a0»` : '';
	const duration = lot.dureeMois !== undefined ? `, ${formatNumber(lot.dureeMois)} mois` : '';
	return `Lot ${lot.lot}${title} (${lot.montantHT === undefined ? 'montant non renseigné' : `${formatEuros(lot.montantHT)} HT`}${duration})`;
}

/** Justification en français, prête à coller dans la fiche visa. */
function justify(lot: Lot, r: FeasibilityResult, estimate: CalibrationResult | undefined, s: FeasibilitySettings): string {
	const date = frenchLongDate(s.dateEtude);
	const parts: string[] = [];
	const main = r.mecanismes.filter((m) => !m.option);
	const options = r.mecanismes.filter((m) => m.option);
	if (r.decision === 'clause') {
		const listed = main.map((m) => `${m.libelle.charAt(0).toLowerCase()}${m.libelle.slice(1)} (${m.base})`).join(' ; ');
		parts.push(`${lotTitle(lot)} : ${listed}.`);
		if (estimate && main.some((m) => m.code === 'clauseExecution')) {
			parts.push(`Volume : ${formatHours(r.heuresRetenues)} d\u2019insertion (${CALIBRATION_METHODS[estimate.methode].court} : ${estimate.formule}).`);
		}
		if (r.raisons.length > 0) {
			parts.push(`Pas d\u2019heures d\u2019insertion : ${r.raisons.map((x) => x.libelle).join(' ; ')}.`);
		}
	} else {
		const why = r.raisons.length > 0 ? r.raisons.map((x) => x.libelle).join(' ; ') : 'aucun mécanisme adapté';
		parts.push(`${lotTitle(lot)} : pas de clause sociale. Motif : ${why}.`);
		if (estimate && r.raisons.some((x) => x.code === 'sousPlancher')) {
			parts.push(`Volume estimé : ${formatHours(estimate.heuresArrondies)}, sous le plancher de ${formatHours(estimate.plancher)}.`);
		}
	}
	if (r.facilitateur) {
		const contact = [r.facilitateur.structure, r.facilitateur.email, r.facilitateur.telephone].filter(Boolean).join(', ');
		parts.push(`Facilitateur : ${r.facilitateur.nom}${contact ? ` (${contact})` : ''}.`);
	}
	if (options.length > 0) {
		parts.push(`À envisager aussi : ${options.map((m) => `${m.libelle.charAt(0).toLowerCase()}${m.libelle.slice(1)} (${m.base}) — ${m.motif}`).join(' ; ')}.`);
	}
	if (r.seuilEuropeen.justificationObligatoire) {
		parts.push(
			`Marché au-delà du seuil européen (${formatEuros(r.montantMarcheHT)} HT) : absence de considération sociale justifiée au titre de l\u2019article 35 de la loi Climat et résilience.`,
		);
	}
	parts.push(`Considération sociale à déclarer (DECP) : ${r.considerationsSociales.join(', ')}.`);
	parts.push(
		r.etudeRequise
			? `Étude de faisabilité réalisée le ${date}.`
			: r.etudeVolontaire
				? `Marché sous le seuil de l\u2019étude de faisabilité (${formatEuros(s.seuilEtude)} HT) : étude conduite à titre volontaire sur le calibrage du lot, le ${date}.`
				: `Marché sous le seuil de l\u2019étude de faisabilité (${formatEuros(s.seuilEtude)} HT) ; examen réalisé le ${date}.`,
	);
	return parts.join(' ');
}

export const NATURE_LABELS: Record<Nature, string> = Object.fromEntries(
	Object.entries(NATURES).map(([k, v]) => [k, v.libelle]),
) as Record<Nature, string>;
