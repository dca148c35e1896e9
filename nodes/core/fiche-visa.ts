/**
 * Contrôle d'une fiche visa avant le lancement d'une consultation : chaque
 * champ est lu par son schéma (schemas/fiche-visa.ts), puis les règles
 * ci-dessous croisent les champs, les lots et, s'il est fourni, le résultat de
 * l'étude de faisabilité. Décision :
 * - REFUSÉ : la consultation ne peut pas partir telle quelle (procédure
 *   inférieure à celle qu'impose le montant, étude absente, clause sans
 *   facilitateur, absence de considération sociale ou environnementale non
 *   justifiée quand la loi l'exige) ;
 * - À COMPLÉTER : un champ manque, une valeur est illisible ou incohérente ;
 * - VISÉ : aucune des deux ; les observations n'empêchent pas le visa.
 * Fonctions pures : aucune dépendance à n8n ni à Excel.
 */
import { z } from 'zod/v4';

import type { Anomaly } from './anomalies';
import { AnomalyError, parseJsonParameter, uncapitalize } from './anomalies';
import { frenchShortDate } from './calendar';
import { DECP_CONSIDERATIONS, MECHANISMS } from './feasibility';
import type { DecpConsideration, Mechanism } from './feasibility';
import { formatEuros, formatHours, quote } from './format';
import { canonicalizeKeys } from './keys';
import { parseSettings } from './records';
import { DISPENSE_FOURNITURES_SERVICES_DATE, LOI_CLIMAT, THRESHOLDS, europeanThresholdFor, exemptionThresholdFor, feasibilityStudyRequired } from './referential';
import type { FicheField, FicheFieldInfo, FicheLot, FicheLotField, FicheMechanism, FicheVisaFields } from './schemas/fiche-visa';
import {
	CCAGS,
	FICHE_FIELDS,
	FICHE_KEYS,
	FICHE_LOT_FIELDS,
	FICHE_LOT_KEYS,
	FICHE_MECHANISMS,
	SOCIAL_EXEMPTIONS,
	PROCEDURES,
} from './schemas/fiche-visa';
import { decimal, isoDate, normalizeToken, yesNo } from './schemas/primitives';

export type VisaDecision = 'VISÉ' | 'À COMPLÉTER' | 'REFUSÉ';
export type VisaEffect = 'REFUSÉ' | 'À COMPLÉTER' | 'observation';

export interface VisaAnomaly extends Anomaly {
	/** Effet sur la décision. */
	effet: VisaEffect;
	/** Texte ou article qui fonde la règle. */
	source?: string;
}

/**
 * Les règles du visa : code stable, sens, effet habituel et fondement. Le
 * README reprend ce tableau ; un test vérifie qu'aucune règle n'est oubliée.
 */
export const VISA_RULES = {
	'visa.champManquant': { effet: 'À COMPLÉTER', sens: 'champ obligatoire non renseigné', source: 'modèle de fiche visa' },
	'visa.valeurIllisible': { effet: 'À COMPLÉTER', sens: 'valeur illisible (nombre, date, liste, courriel, CPV)', source: 'modèle de fiche visa' },
	'visa.cellule': { effet: 'À COMPLÉTER', sens: 'cellule fusionnée, formule sans résultat ou erreur de calcul', source: 'modèle de fiche visa' },
	'visa.formule': { effet: 'observation', sens: 'formule dans une cellule de saisie : la valeur calculée est retenue', source: 'modèle de fiche visa' },
	'visa.feuilleEnTrop': { effet: 'observation', sens: 'feuille ajoutée au classeur, ignorée', source: 'modèle de fiche visa' },
	'lots.aucun': { effet: 'À COMPLÉTER', sens: 'aucun lot dans la feuille « Lots »', source: 'modèle de fiche visa' },
	'lots.doublon': { effet: 'À COMPLÉTER', sens: 'deux lignes portent le même numéro de lot', source: 'modèle de fiche visa' },
	'lots.somme': { effet: 'À COMPLÉTER', sens: 'la somme des lots diffère du montant estimé total', source: 'R2121-1 (valeur totale, tous lots)' },
	'allotissement.motif': { effet: 'À COMPLÉTER', sens: 'marché non alloti sans motif', source: 'L2113-10 et L2113-11' },
	'allotissement.incoherent': { effet: 'À COMPLÉTER', sens: 'réponse « alloti » contredite par le nombre de lots', source: 'L2113-10' },
	'estimation.precision': { effet: 'À COMPLÉTER', sens: 'méthode d\u2019estimation « Autre » sans précision', source: 'R2121-1' },
	'procedure.sansPublicite': { effet: 'REFUSÉ', sens: 'marché sans publicité au-delà du seuil de dispense', source: 'R2122-8 (travaux : 100 000 € HT ; fournitures et services : 60 000 € HT à compter du 1er avril 2026, 40 000 € HT avant)' },
	'procedure.mapaAuDelaSeuilUe': { effet: 'REFUSÉ', sens: 'procédure adaptée au-delà du seuil européen', source: 'L2124-1, R2123-1 1° et 3° ; seuils 2026-2027 (services sociaux et autres services spécifiques : 750 000 € HT)' },
	'procedure.concession': { effet: 'À COMPLÉTER', sens: 'procédure de concession pour un marché, ou marché pour une concession', source: 'L3120-1' },
	'dates.etudeApresLancement': { effet: 'À COMPLÉTER', sens: 'étude de faisabilité datée après le lancement', source: 'fiche visa (Avise, ARF et Caisse des Dépôts, 2014, pratique de la Région Lorraine)' },
	'dates.notificationAvantLancement': { effet: 'À COMPLÉTER', sens: 'notification prévue avant le lancement', source: 'cohérence des dates' },
	'dates.ficheApresLancement': { effet: 'observation', sens: 'fiche datée après le lancement prévu', source: 'cohérence des dates' },
	'etude.absente': { effet: 'REFUSÉ', sens: 'pas d\u2019étude de faisabilité au-delà du seuil de l\u2019étude', source: 'Avise, ARF et Caisse des Dépôts, 2014 : pratique de la Région Picardie (90 000 € HT) et fiche visa de la Région Lorraine' },
	'etude.dateManquante': { effet: 'À COMPLÉTER', sens: 'étude déclarée sans sa date', source: 'fiche visa (Avise, ARF et Caisse des Dépôts, 2014, pratique de la Région Lorraine)' },
	'clause.sansHeures': { effet: 'À COMPLÉTER', sens: 'clause d\u2019insertion sans heures', source: 'L2112-2 ; CCAG 2021, art. 16.1' },
	'clause.sansFacilitateur': { effet: 'REFUSÉ', sens: 'clause d\u2019insertion sans facilitateur', source: 'pas de facilitateur sur le territoire (zone blanche), pas de clause en heures : le facilitateur accompagne le titulaire' },
	'clause.heuresSansClause': { effet: 'À COMPLÉTER', sens: 'heures d\u2019insertion sur un lot sans clause en heures', source: 'cohérence de la fiche' },
	'clause.mecanismeContradictoire': { effet: 'À COMPLÉTER', sens: '« Aucune considération sociale » avec un mécanisme complémentaire', source: 'cohérence de la fiche' },
	'absence.sansJustification': { effet: 'À COMPLÉTER', sens: 'lot sans considération sociale ni justification', source: 'fiche visa (Avise, ARF et Caisse des Dépôts, 2014, pratique de la Région Lorraine) : l\u2019étude justifie la décision dans les deux cas' },
	'loiClimat.social': { effet: 'REFUSÉ', sens: 'au-delà du seuil européen, lot sans considération sociale ni justification', source: 'L2112-2-1 (loi Climat et résilience, art. 35, depuis août 2026)' },
	'loiClimat.socialJustifie': { effet: 'observation', sens: 'au-delà du seuil européen, absence justifiée : à reprendre dans les documents', source: 'L2112-2-1 (loi Climat et résilience, art. 35)' },
	'loiClimat.conditionExecution': { effet: 'REFUSÉ', sens: 'au-delà du seuil européen, aucune condition d\u2019exécution sociale (critère social ou marché réservé seuls) ni exemption justifiée', source: 'L2112-2-1 (loi Climat et résilience, art. 35) : ce sont les conditions d\u2019exécution qui prennent en compte une considération sociale ; un critère d\u2019attribution (R2152-7) ou la réservation du marché n\u2019en sont pas' },
	'loiClimat.exemption': { effet: 'observation', sens: 'au-delà du seuil européen, sans condition d\u2019exécution sociale : cas d\u2019exemption indiqué et motifs consignés, à reprendre dans les documents', source: 'L2112-2-1 (loi Climat et résilience, art. 35) : l\u2019acheteur consigne les motifs de l\u2019exemption' },
	'loiClimat.casExemption': { effet: 'À COMPLÉTER', sens: 'au-delà du seuil européen, sans condition d\u2019exécution sociale : motifs donnés sans le cas d\u2019exemption de l\u2019article', source: 'L2112-2-1 (loi Climat et résilience, art. 35) : l\u2019exemption n\u2019existe que dans les cas que l\u2019article énumère' },
	'ccap16.contenu': { effet: 'À COMPLÉTER', sens: 'contenu du CCAP exigé pour la clause non confirmé (prestations, facilitateur, publics, volume)', source: 'CCAG 2021, art. 16.1 et 16.1.1' },
	'penalites.absentes': { effet: 'À COMPLÉTER', sens: 'considération sociale sans pénalités au CCAP', source: 'Alliance Villes Emploi, «\u00a0Diversification des achats socialement responsables\u00a0» : des pénalités pour chaque considération sociale ; le CCAG n\u2019en fixe pas' },
	'penalites.montant': { effet: 'observation', sens: 'clause en heures sans montant de pénalité par heure', source: 'CCAP d\u2019un acheteur public (barème de référence) : 60 € HT par heure non réalisée' },
	'decp.incoherente': { effet: 'À COMPLÉTER', sens: 'valeur DECP différente de celle qu\u2019impliquent les lots', source: 'DECP v2, considerationsSociales' },
	'environnement.absente': { effet: 'À COMPLÉTER', sens: 'avant la date d\u2019application de la loi Climat : aucune considération environnementale ni justification', source: 'loi Climat et résilience, art. 35 (L2112-2, L2152-7)' },
	'environnement.justifiee': { effet: 'observation', sens: 'avant la date d\u2019application de la loi Climat : absence de considération environnementale justifiée', source: 'loi Climat et résilience, art. 35' },
	'environnement.conditionExecution': { effet: 'REFUSÉ', sens: 'aucune condition d\u2019exécution environnementale (un critère d\u2019attribution ne la remplace pas)', source: 'L2112-2 (loi Climat et résilience, art. 35, depuis août 2026) : les conditions d\u2019exécution prennent en compte l\u2019environnement ; l\u2019article ne prévoit pas d\u2019exemption' },
	'environnement.critere': { effet: 'REFUSÉ', sens: 'aucun critère d\u2019attribution environnemental (procédure avec mise en concurrence)', source: 'L2152-7 (loi Climat et résilience, art. 35, depuis août 2026) : au moins un critère prend en compte les caractéristiques environnementales de l\u2019offre' },
	'environnement.formulaireAnterieur': { effet: 'À COMPLÉTER', sens: 'fiche d\u2019une version antérieure du formulaire : condition d\u2019exécution et critère environnementaux non distingués', source: 'L2112-2 et L2152-7 (loi Climat et résilience, art. 35) ; modèle de fiche visa' },
	'sourcing.absent': { effet: 'observation', sens: 'pas de sourcing (SIAE, EA, ESAT à consulter)', source: 'R2111-1' },
	'ccag.nature': { effet: 'observation', sens: 'CCAG inhabituel pour la nature du marché', source: 'CCAG 2021' },
	'cpv.nature': { effet: 'observation', sens: 'code CPV de travaux (45…) pour un marché d\u2019une autre nature, ou l\u2019inverse', source: 'vocabulaire commun CPV' },
	'etude.lotAbsentFiche': { effet: 'À COMPLÉTER', sens: 'lot étudié absent de la fiche', source: 'cohérence avec l\u2019étude de faisabilité' },
	'etude.lotAbsentEtude': { effet: 'À COMPLÉTER', sens: 'lot de la fiche absent de l\u2019étude', source: 'cohérence avec l\u2019étude de faisabilité' },
	'etude.heures': { effet: 'À COMPLÉTER', sens: 'heures différentes de celles du calibrage', source: 'cohérence avec le calibrage' },
	'etude.mecanisme': { effet: 'À COMPLÉTER', sens: 'l\u2019étude recommande une considération sociale que la fiche écarte sans justification', source: 'cohérence avec l\u2019étude de faisabilité' },
	'etude.ecart': { effet: 'observation', sens: 'mécanisme différent de la recommandation de l\u2019étude (justifié)', source: 'cohérence avec l\u2019étude de faisabilité' },
	'etude.clauseManquante': { effet: 'À COMPLÉTER', sens: 'critère social retenu sans la clause d\u2019insertion que l\u2019étude recommande avec lui', source: 'cohérence avec l\u2019étude de faisabilité ; le critère seul ne crée pas d\u2019heures (CCAG 2021, art. 16.1)' },
	'etude.date': { effet: 'À COMPLÉTER', sens: 'date de l\u2019étude différente de celle de l\u2019étude fournie', source: 'cohérence avec l\u2019étude de faisabilité' },
	'etude.apresFiche': { effet: 'À COMPLÉTER', sens: 'étude fournie datée après la fiche', source: 'fiche visa (Avise, ARF et Caisse des Dépôts, 2014, pratique de la Région Lorraine) : l\u2019étude précède la fiche' },
	'etude.facilitateur': { effet: 'observation', sens: 'facilitateur différent de celui de l\u2019étude', source: 'cohérence avec l\u2019étude de faisabilité' },
} as const satisfies Record<string, { effet: VisaEffect; sens: string; source: string }>;
export type VisaRule = keyof typeof VISA_RULES;

export const VisaSettingsSchema = z.object({
	seuilEtude: decimal({ min: 0, unit: '€' }).default(THRESHOLDS.etudeFaisabilite.valeur),
	seuilUeFournituresServices: decimal({ min: 0, unit: '€' }).default(THRESHOLDS.europeenFournituresServices.valeur),
	seuilUeTravaux: decimal({ min: 0, unit: '€' }).default(THRESHOLDS.europeenTravaux.valeur),
	seuilUeServicesSpecifiques: decimal({ min: 0, unit: '€' }).default(THRESHOLDS.europeenServicesSpecifiques.valeur),
	seuilDispenseTravaux: decimal({ min: 0, unit: '€' }).default(THRESHOLDS.dispenseTravaux.valeur),
	seuilDispenseFournituresServices: decimal({ min: 0, unit: '€' }).default(THRESHOLDS.dispenseFournituresServices.valeur),
	seuilDispenseFournituresServicesAvant: decimal({ min: 0, unit: '€' }).default(THRESHOLDS.dispenseFournituresServicesAvant.valeur),
	dateSeuilDispenseFournituresServices: isoDate().default(DISPENSE_FOURNITURES_SERVICES_DATE.valeur),
	dateLoiClimat: isoDate().default(LOI_CLIMAT.valeur),
	toleranceHeures: decimal({ min: 0, unit: 'h' }).default(0),
	toleranceMontant: decimal({ min: 0, unit: '€' }).default(1),
});
export type VisaSettings = z.output<typeof VisaSettingsSchema>;
export const VISA_SETTINGS_LABELS = {
	seuilEtude: 'seuil de l\u2019étude de faisabilité (€ HT)',
	seuilUeFournituresServices: 'seuil européen fournitures et services (€ HT)',
	seuilUeTravaux: 'seuil européen travaux et concessions (€ HT)',
	seuilUeServicesSpecifiques: 'seuil européen des services sociaux et autres services spécifiques (€ HT)',
	seuilDispenseTravaux: 'seuil de dispense de procédure des travaux (€ HT)',
	seuilDispenseFournituresServices: 'seuil de dispense de procédure des fournitures et services (€ HT)',
	seuilDispenseFournituresServicesAvant: 'seuil de dispense des fournitures et services avant la date de relèvement (€ HT)',
	dateSeuilDispenseFournituresServices: 'date de relèvement du seuil de dispense des fournitures et services',
	dateLoiClimat: 'date d\u2019application de la loi Climat',
	toleranceHeures: 'tolérance sur les heures (h)',
	toleranceMontant: 'tolérance sur la somme des lots (€)',
};

export function parseVisaSettings(input: Record<string, unknown>): VisaSettings {
	const clean = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== ''));
	return parseSettings(VisaSettingsSchema, clean, VISA_SETTINGS_LABELS);
}

// ---------------------------------------------------------------------------
// Saisie brute : ce que lisent les adaptateurs (classeur) ou les éléments JSON.

export interface RawCell {
	value: unknown;
	feuille?: string;
	cellule?: string;
	/** Problème de la cellule elle-même (erreur de calcul, formule sans résultat). */
	probleme?: { message: string; correction: string; regle: string };
	/** La valeur vient d'une formule. */
	formule?: boolean;
	/** La cellule est recouverte par une fusion dont elle n'est pas la première. */
	fusionneeDans?: string;
}

export interface RawFicheLot {
	/** Ligne de la feuille « Lots », ou rang dans la liste JSON (à partir de 1). */
	ligne: number;
	feuille?: string;
	champs: Partial<Record<FicheLotField, RawCell>>;
}

export interface RawFiche {
	champs: Partial<Record<FicheField, RawCell>>;
	lots: RawFicheLot[];
	/** « fichier « fiche.xlsx » » ou « élément 3 ». */
	origine: string;
	/** Remarques de lecture (feuilles en trop…). */
	observations?: VisaAnomaly[];
	/** Fiche d'une version antérieure du formulaire, encore lue : ce qu'elle n'avait pas. */
	versionAnterieure?: EarlierFiche;
}

export interface EarlierFiche {
	version: string;
	/** Champs de la feuille « Fiche visa » absents de cette version. */
	champsAbsents: FicheField[];
	/** Colonnes de la feuille « Lots » absentes de cette version. */
	colonnesAbsentes: FicheLotField[];
	/** Sa réponse unique « Considération environnementale prévue » (condition d'exécution ou critère). */
	environnement?: RawCell;
}

/** Fiche reçue en JSON (un élément n8n) : champs au nom du schéma, du libellé ou d'un synonyme, lots dans « lots ». */
export function rawFicheFromJson(json: Record<string, unknown>, origine: string): RawFiche {
	const record = canonicalizeKeys(json, FICHE_KEYS);
	const champs: RawFiche['champs'] = {};
	for (const f of FICHE_FIELDS) if (f.champ in record) champs[f.champ] = { value: record[f.champ] };
	const rawLots = Array.isArray(record.lots) ? record.lots : record.lots === undefined ? [] : [record.lots];
	const lots: RawFicheLot[] = rawLots.map((raw, index) => {
		const lot = raw !== null && typeof raw === 'object' ? canonicalizeKeys(raw as Record<string, unknown>, FICHE_LOT_KEYS) : {};
		const cells: RawFicheLot['champs'] = {};
		for (const f of FICHE_LOT_FIELDS) if (f.champ in lot) cells[f.champ] = { value: lot[f.champ] };
		return { ligne: index + 1, champs: cells };
	});
	return { champs, lots, origine };
}

// ---------------------------------------------------------------------------
// Résultat de l'étude de faisabilité (sortie du nœud « Étude de faisabilité »).

export interface StudiedLot {
	marche?: string;
	lot: string;
	/** Absente pour une sortie du seul nœud « Calibrage des heures » : seules les heures sont comparées. */
	decision?: 'clause' | 'pasDeClause';
	mecanismes: Mechanism[];
	/** Mécanismes que l'étude propose en option (marché réservé, marché d'insertion). */
	options?: Mechanism[];
	heures: number;
	facilitateur?: string;
	dateEtude?: string;
}

const StudiedLotSchema = z.object({
	marche: z.union([z.string(), z.number()]).optional(),
	lot: z.union([z.string(), z.number()]),
	faisabilite: z.object({
		decision: z.enum(['clause', 'pasDeClause']),
		mecanismes: z.array(z.object({ code: z.string(), option: z.boolean() })),
		heuresRetenues: z.number(),
		facilitateur: z.object({ nom: z.string() }).nullable().optional(),
		dateEtude: z.string().optional(),
	}),
});

/** Sortie du nœud « Calibrage des heures » (sans étude) : le lot et ses heures retenues. */
const CalibratedLotSchema = z.object({
	marche: z.union([z.string(), z.number()]).optional(),
	lot: z.union([z.string(), z.number()]),
	calibrage: z.object({ heures: z.number() }),
});

/**
 * Lit le résultat de l'étude : la liste des éléments produits par le nœud
 * « Étude de faisabilité » (un par lot, avec `faisabilite`). Les éléments en
 * erreur de l'étude sont ignorés ; un élément d'une autre forme est une erreur.
 */
export function readStudy(raw: unknown, where: string): StudiedLot[] {
	const parsed = parseJsonParameter(raw, 'etude', 'résultat de l\u2019étude', '[{"marche": "2026-TRX-014", "lot": "1", "faisabilite": {…}}]');
	if (parsed === undefined || parsed === null) return [];
	const list = Array.isArray(parsed) ? parsed : [parsed];
	const out: StudiedLot[] = [];
	list.forEach((entry, index) => {
		const json = entry !== null && typeof entry === 'object' && 'json' in entry ? (entry as { json: unknown }).json : entry;
		if (json !== null && typeof json === 'object' && typeof (json as { error?: unknown }).error === 'string') return;
		const result = StudiedLotSchema.safeParse(json);
		if (!result.success) {
			const calibrated = CalibratedLotSchema.safeParse(json);
			if (calibrated.success) {
				out.push({
					marche: calibrated.data.marche === undefined ? undefined : String(calibrated.data.marche),
					lot: String(calibrated.data.lot),
					mecanismes: [],
					heures: calibrated.data.calibrage.heures,
				});
				return;
			}
			throw new AnomalyError([
				{
					gravite: 'erreur',
					champ: 'etude',
					libelle: 'résultat de l\u2019étude',
					ou: `${where}, élément ${index + 1} du résultat de l\u2019étude`,
					message: 'ce n\u2019est pas une sortie du nœud « Étude de faisabilité » ni du nœud « Calibrage des heures » (champs « lot » et « faisabilite » ou « calibrage » attendus)',
					correction: 'Passez les éléments produits par le nœud « Étude de faisabilité » (ou « Calibrage des heures »), par exemple {{ $(\'Étude de faisabilité\').all().map(i => i.json) }}.',
					regle: 'etude.illisible',
				},
			]);
		}
		const f = result.data.faisabilite;
		out.push({
			marche: result.data.marche === undefined ? undefined : String(result.data.marche),
			lot: String(result.data.lot),
			decision: f.decision,
			mecanismes: f.mecanismes.filter((m) => !m.option && m.code in MECHANISMS).map((m) => m.code as Mechanism),
			options: f.mecanismes.filter((m) => m.option && m.code in MECHANISMS).map((m) => m.code as Mechanism),
			heures: f.heuresRetenues,
			facilitateur: f.facilitateur?.nom,
			dateEtude: f.dateEtude,
		});
	});
	return out;
}

// ---------------------------------------------------------------------------
// Contrôle.

export interface CheckedLot extends Partial<FicheLot> {
	ligne: number;
	mecanismes: FicheMechanism[];
}

export interface VisaResult {
	decision: VisaDecision;
	resume: string;
	anomalies: VisaAnomaly[];
	comptes: { refus: number; aCompleter: number; observations: number };
	/** Valeurs lues (les champs illisibles sont absents). */
	fiche: Partial<FicheVisaFields> & { lots: CheckedLot[] };
	/** Valeur DECP qu'impliquent les lots. */
	decpAttendue: DecpConsideration[];
	montantTotalHT: number;
	seuilEuropeen: number;
	etudeFournie: boolean;
}

const SOCIAL_HOURS: readonly FicheMechanism[] = ['clauseExecution'];
/**
 * Mécanismes qui font d'une considération sociale une condition d'exécution
 * (L2112-2-1) : la clause d'insertion, les actions qualitatives, et le marché
 * d'insertion, dont l'insertion est l'objet même des prestations. Le critère
 * d'attribution (R2152-7) et la réservation (L2113-12, L2113-13, L2113-13-1),
 * qui portent sur le choix du titulaire, n'en sont pas.
 */
const SOCIAL_EXECUTION: readonly FicheMechanism[] = ['clauseExecution', 'actionsQualitatives', 'marcheInsertion'];
/** Mécanismes qui peuvent porter des heures. */
const HOURS_ALLOWED: readonly FicheMechanism[] = ['clauseExecution', 'marcheInsertion', 'actionsQualitatives'];

const EXPECTED_CCAG: Record<string, Array<keyof typeof CCAGS>> = {
	travaux: ['travaux', 'moe'],
	services: ['fcs', 'tic', 'mi'],
	fournitures: ['fcs', 'mi', 'tic'],
	prestationsIntellectuelles: ['pi', 'moe', 'tic'],
	dsp: ['aucun', 'travaux', 'fcs'],
	ppp: ['aucun', 'travaux', 'fcs'],
};

class Checker {
	readonly anomalies: VisaAnomaly[] = [];
	readonly values: Partial<FicheVisaFields> = {};
	readonly lots: CheckedLot[] = [];

	constructor(
		private readonly raw: RawFiche,
		private readonly ou: string,
	) {}

	/** Adresse d'un champ de la fiche (feuille et cellule) quand elle vient d'un classeur. */
	at(champ: FicheField): { feuille?: string; cellule?: string } {
		const cell = this.raw.champs[champ];
		return cell?.cellule ? { feuille: cell.feuille, cellule: cell.cellule } : {};
	}

	lotAt(index: number, champ: FicheLotField): { feuille?: string; cellule?: string } {
		const cell = this.raw.lots[index]?.champs[champ];
		return cell?.cellule ? { feuille: cell.feuille, cellule: cell.cellule } : {};
	}

	add(regle: VisaRule, champ: string, libelle: string, message: string, correction: string, where: { feuille?: string; cellule?: string; ou?: string } = {}, effet?: VisaEffect): void {
		const rule = VISA_RULES[regle];
		const finalEffect = effet ?? rule.effet;
		this.anomalies.push({
			gravite: finalEffect === 'observation' ? 'avertissement' : 'erreur',
			effet: finalEffect,
			champ,
			libelle,
			ou: where.ou ?? this.ou,
			message,
			correction,
			...(where.cellule ? { feuille: where.feuille, cellule: where.cellule } : {}),
			regle,
			source: rule.source,
		});
	}

	/** Lit une valeur par le schéma de son champ ; les problèmes deviennent des anomalies qui la situent. */
	read<K extends string>(info: FicheFieldInfo<K>, cell: RawCell | undefined, path: string, ou: string): unknown {
		const where = { feuille: cell?.feuille, cellule: cell?.cellule, ou };
		if (cell?.fusionneeDans) {
			this.add('visa.cellule', path, info.libelle, `la cellule de saisie est fusionnée avec ${cell.fusionneeDans}`, `Défusionnez la cellule (Accueil › Fusionner et centrer) et saisissez la valeur dans ${cell.cellule ?? 'la cellule prévue'}.`, where);
			return undefined;
		}
		if (cell?.probleme) {
			this.add('visa.cellule', path, info.libelle, cell.probleme.message, cell.probleme.correction, where);
			return undefined;
		}
		const raw = cell?.value;
		const empty = raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
		if (empty) {
			if (info.obligatoire) {
				this.add('visa.champManquant', path, info.libelle, 'champ obligatoire non renseigné', `Renseignez «\u00a0${info.libelle}\u00a0» (${info.aide.replace(/\.$/, '')}).`, where);
			}
			return undefined;
		}
		const result = info.schema.safeParse(raw);
		if (!result.success) {
			const issue = result.error.issues[0];
			const params = (issue as { params?: { correction?: string } }).params;
			this.add('visa.valeurIllisible', path, info.libelle, issue.code === 'custom' ? issue.message : `valeur invalide (${quote(raw)})`, params?.correction ?? `Corrigez «\u00a0${info.libelle}\u00a0».`, where);
			return undefined;
		}
		if (cell?.formule) {
			this.add('visa.formule', path, info.libelle, `la valeur vient d\u2019une formule (${quote(result.data)})`, 'Vérifiez la valeur calculée, ou saisissez-la directement.', where);
		}
		return result.data;
	}
}

function lotWhere(lot: RawFicheLot, numero?: string): string {
	const name = numero ? `lot ${numero}` : 'lot sans numéro';
	return lot.feuille ? `${name} (feuille «\u00a0${lot.feuille}\u00a0», ligne ${lot.ligne})` : `${name} (ligne ${lot.ligne} des lots)`;
}

function sameLot(a: string, b: string): boolean {
	const norm = (v: string) => normalizeToken(v).replace(/^lot/, '').replace(/^0+(?=\d)/, '');
	return norm(a) === norm(b);
}

/** Valeur DECP qu'impliquent les mécanismes retenus pour les lots. */
export function expectedDecp(lots: Array<{ mecanismes: FicheMechanism[] }>): DecpConsideration[] {
	const out = new Set<DecpConsideration>();
	for (const lot of lots) {
		for (const m of lot.mecanismes) if (m !== 'aucune') out.add(MECHANISMS[m].decp);
	}
	if (out.size === 0) return ['Pas de considération sociale'];
	return DECP_CONSIDERATIONS.filter((v) => out.has(v));
}

/**
 * L'environnement (loi Climat et résilience, art. 35). À compter de sa date
 * d'application (paramètre), les conditions d'exécution prennent en compte
 * l'environnement (L2112-2, sans exemption) et au moins un critère
 * d'attribution porte sur les caractéristiques environnementales de l'offre
 * (L2152-7, hors marché passé sans mise en concurrence) : un critère ne
 * remplace pas la condition, ni une justification l'une ou l'autre. Avant
 * cette date, une absence justifiée est observée. Une fiche de la version
 * 2026.1 n'a qu'une réponse pour les deux : « non » se lit pour l'une et
 * l'autre, « oui » ne dit pas laquelle.
 */
function checkEnvironment(c: Checker, raw: RawFiche, f: Partial<FicheVisaFields>, loiClimat: boolean): void {
	const earlier = raw.versionAnterieure?.champsAbsents.includes('environnementCondition') ? raw.versionAnterieure : undefined;
	const earlierAnswer = earlier && yesNo().safeParse(earlier.environnement?.value);
	const single = earlierAnswer?.success ? earlierAnswer.data : undefined;
	const condition = earlier ? single : f.environnementCondition;
	const critere = earlier ? single : f.environnementCritere;
	const at = (champ: 'environnementCondition' | 'environnementCritere') => (earlier ? { feuille: earlier.environnement?.feuille, cellule: earlier.environnement?.cellule } : c.at(champ));
	const justified = Boolean(f.environnementDescription);
	if (!loiClimat) {
		if (condition !== false || critere !== false) return;
		if (justified) c.add('environnement.justifiee', 'environnementDescription', 'considération environnementale', 'absence de considération environnementale justifiée', 'Reprenez la justification dans les documents de la consultation.', c.at('environnementDescription'));
		else c.add('environnement.absente', 'environnementCondition', 'considération environnementale', 'aucune considération environnementale, sans justification', 'Prévoyez une condition d\u2019exécution et un critère environnementaux (loi Climat et résilience, art. 35), ou justifiez leur absence dans la fiche.', at('environnementCondition'));
		return;
	}
	if (earlier && single !== false) {
		c.add(
			'environnement.formulaireAnterieur',
			'environnementCondition',
			'considération environnementale',
			`fiche de la version ${earlier.version} du formulaire : « Considération environnementale prévue » ne dit pas s\u2019il s\u2019agit d\u2019une condition d\u2019exécution (L2112-2) ou d\u2019un critère d\u2019attribution (L2152-7), tous deux exigés depuis la loi Climat et résilience`,
			'Recopiez la fiche dans le formulaire vierge et répondez aux deux questions de la rubrique « Développement durable : environnement ».',
			at('environnementCondition'),
		);
		return;
	}
	const notLifted = justified ? ' La justification donnée ne lève pas l\u2019obligation.' : '';
	if (condition === false) {
		c.add(
			'environnement.conditionExecution',
			'environnementCondition',
			'condition d\u2019exécution environnementale',
			`aucune condition d\u2019exécution environnementale${critere === true ? ' : le critère d\u2019attribution environnemental ne la remplace pas' : ''}`,
			`Prévoyez au CCAP une condition d\u2019exécution qui prend en compte l\u2019environnement (L2112-2, loi Climat et résilience, art. 35 : l\u2019article ne prévoit pas d\u2019exemption).${notLifted}`,
			at('environnementCondition'),
		);
	}
	if (critere === false && f.procedure !== 'sansPublicite') {
		c.add(
			'environnement.critere',
			'environnementCritere',
			'critère environnemental d\u2019attribution',
			'aucun critère d\u2019attribution environnemental',
			`Retenez au moins un critère d\u2019attribution qui prend en compte les caractéristiques environnementales de l\u2019offre (L2152-7, loi Climat et résilience, art. 35).${notLifted}`,
			at('environnementCritere'),
		);
	}
}

const decisionWord: Record<VisaDecision, string> = { VISÉ: 'visée', 'À COMPLÉTER': 'à compléter', REFUSÉ: 'refusée' };

/** Contrôle une fiche : décision, anomalies situées, valeurs lues. */
export function checkFiche(raw: RawFiche, settings: VisaSettings, study?: StudiedLot[]): VisaResult {
	const referenceCell = raw.champs.reference?.value;
	const refText = typeof referenceCell === 'string' || typeof referenceCell === 'number' ? String(referenceCell).trim() : '';
	const ou = `fiche visa${refText ? ` ${refText}` : ''} (${raw.origine})`;
	const c = new Checker(raw, ou);
	for (const observation of raw.observations ?? []) c.anomalies.push(observation);

	// 1. Champs de la fiche, chacun par son schéma.
	const v = c.values as Record<string, unknown>;
	for (const info of FICHE_FIELDS) {
		if (raw.versionAnterieure?.champsAbsents.includes(info.champ)) continue;
		const value = c.read(info, raw.champs[info.champ], info.champ, ou);
		if (value !== undefined) v[info.champ] = value;
	}
	const f = c.values;

	// 2. Lots.
	raw.lots.forEach((rawLot, index) => {
		const numeroCell = rawLot.champs.numero?.value;
		const where = lotWhere(rawLot, numeroCell === undefined || numeroCell === null || numeroCell === '' ? undefined : String(numeroCell).trim());
		const lot: CheckedLot = { ligne: rawLot.ligne, mecanismes: [] };
		const l = lot as unknown as Record<string, unknown>;
		for (const info of FICHE_LOT_FIELDS) {
			const value = c.read(info, rawLot.champs[info.champ], `lots[${index}].${info.champ}`, where);
			if (value !== undefined) l[info.champ] = value;
		}
		if (lot.mecanisme) lot.mecanismes.push(lot.mecanisme);
		if (lot.mecanismeComplementaire && !lot.mecanismes.includes(lot.mecanismeComplementaire)) lot.mecanismes.push(lot.mecanismeComplementaire);
		c.lots.push(lot);
	});
	const lots = c.lots;
	const lotWhereAt = (index: number) => lotWhere(raw.lots[index], lots[index].numero);

	// 3. Montants, allotissement.
	const sumLots = lots.reduce((sum, lot) => sum + (lot.montantHT ?? 0), 0);
	const allAmounts = lots.length > 0 && lots.every((lot) => lot.montantHT !== undefined);
	const total = f.montantEstimeHT ?? sumLots;
	if (lots.length === 0) {
		c.add('lots.aucun', 'lots', 'lots', 'aucun lot n\u2019est renseigné', 'Remplissez une ligne par lot dans la feuille « Lots » ; pour un marché non alloti, une seule ligne avec le numéro « unique ».', { feuille: 'Lots' });
	}
	const seen = new Map<string, number>();
	lots.forEach((lot, index) => {
		if (lot.numero === undefined) return;
		const key = normalizeToken(lot.numero);
		const first = seen.get(key);
		if (first !== undefined) {
			c.add('lots.doublon', `lots[${index}].numero`, 'N° lot', `le lot ${lot.numero} figure deux fois (lignes ${raw.lots[first].ligne} et ${raw.lots[index].ligne})`, 'Numérotez chaque lot une seule fois ou supprimez la ligne en double.', { ...c.lotAt(index, 'numero'), ou: lotWhereAt(index) });
		} else seen.set(key, index);
	});
	if (f.montantEstimeHT !== undefined && allAmounts && Math.abs(sumLots - f.montantEstimeHT) > settings.toleranceMontant) {
		c.add(
			'lots.somme',
			'montantEstimeHT',
			'montant estimé HT',
			`la somme des lots (${formatEuros(sumLots)} HT) diffère du montant estimé total (${formatEuros(f.montantEstimeHT)} HT) de ${formatEuros(Math.abs(sumLots - f.montantEstimeHT))}`,
			'Corrigez le montant total ou celui des lots : le montant total est la somme des lots (R2121-1).',
			c.at('montantEstimeHT'),
		);
	}
	if (f.alloti === false && !f.motifLotUnique) {
		c.add('allotissement.motif', 'motifLotUnique', 'motif de l\u2019absence d\u2019allotissement', 'marché non alloti sans motif', 'Indiquez pourquoi le marché n\u2019est pas alloti (prestations non distinctes, risque de restreindre la concurrence, difficulté technique ou financière : L2113-11) ; ce motif figurera dans les documents de la consultation.', c.at('motifLotUnique'));
	}
	if (f.alloti === false && lots.length > 1) {
		c.add('allotissement.incoherent', 'alloti', 'marché alloti', `« non » alors que la feuille « Lots » compte ${lots.length} lots`, 'Répondez « oui » si le marché est alloti, ou ne gardez qu\u2019une ligne (lot « unique »).', c.at('alloti'));
	}
	if (f.alloti === true && lots.length === 1) {
		c.add('allotissement.incoherent', 'alloti', 'marché alloti', '« oui » alors que la feuille « Lots » ne compte qu\u2019un lot', 'Ajoutez les autres lots, ou répondez « non » et motivez l\u2019absence d\u2019allotissement.', c.at('alloti'));
	}
	if (f.methodeEstimation === 'autre' && !f.detailEstimation) {
		c.add('estimation.precision', 'detailEstimation', 'précisions sur l\u2019estimation', 'méthode « Autre » sans précision', 'Décrivez comment le montant a été estimé.', c.at('detailEstimation'));
	}

	// 4. Procédure et seuils (montant total du marché, tous lots).
	// Services sociaux et autres services spécifiques (R2123-1 3°) : un marché de services dont chaque lot est un marché d'insertion.
	const servicesSpecifiques = f.nature === 'services' && lots.length > 0 && lots.every((lot) => lot.mecanismes.includes('marcheInsertion'));
	const seuilUe = servicesSpecifiques ? settings.seuilUeServicesSpecifiques : europeanThresholdFor(f.nature, settings);
	const dateProcedure = f.dateLancement ?? f.dateFiche;
	const seuilDispense = exemptionThresholdFor(f.nature, dateProcedure, settings);
	if (f.procedure === 'sansPublicite' && total >= seuilDispense) {
		const which = f.nature === 'travaux' ? 'des travaux' : f.nature === undefined ? '' : 'des fournitures et services';
		c.add(
			'procedure.sansPublicite',
			'procedure',
			'procédure envisagée',
			`marché sans publicité ni mise en concurrence pour ${formatEuros(total)} HT, au-delà du seuil de dispense${which ? ` ${which}` : ''} (${formatEuros(seuilDispense)} HT${f.nature !== 'travaux' && dateProcedure ? ` pour un lancement le ${frenchShortDate(dateProcedure)}` : ''})`,
			'Passez en procédure adaptée (ou formalisée au-delà du seuil européen), sauf cas prévu aux articles R2122-1 à R2122-7 (urgence, marché infructueux, exclusivité…) : citez alors l\u2019article dans la fiche.',
			c.at('procedure'),
		);
	}
	if (f.procedure === 'procedureAdaptee' && total >= seuilUe && f.nature !== undefined) {
		c.add(
			'procedure.mapaAuDelaSeuilUe',
			'procedure',
			'procédure envisagée',
			`procédure adaptée pour ${formatEuros(total)} HT, au-delà du seuil européen${servicesSpecifiques ? ' des services sociaux et autres services spécifiques' : ''} (${formatEuros(seuilUe)} HT)`,
			'Retenez une procédure formalisée (appel d\u2019offres, procédure avec négociation ou dialogue compétitif). Seuls les petits lots (R2123-1 2°) peuvent rester en procédure adaptée : indiquez-le alors dans la fiche. Un marché d\u2019insertion (services sociaux et autres services spécifiques, R2123-1 3°) reste en procédure adaptée jusqu\u2019à son propre seuil européen : retenez alors « Marché d\u2019insertion » pour chacun de ses lots.',
			c.at('procedure'),
		);
	}
	if (f.procedure === 'concession' && f.nature !== undefined && f.nature !== 'dsp') {
		c.add('procedure.concession', 'procedure', 'procédure envisagée', 'procédure de concession pour un marché public', 'Choisissez une procédure de marché public, ou la nature « Délégation de service public ».', c.at('procedure'));
	} else if (f.nature === 'dsp' && f.procedure !== undefined && f.procedure !== 'concession') {
		c.add('procedure.concession', 'procedure', 'procédure envisagée', `procédure « ${PROCEDURES[f.procedure].libelle} » pour une délégation de service public`, 'Choisissez « Procédure de concession » (L3120-1).', c.at('procedure'));
	}

	// 5. Dates.
	if (f.dateEtude && f.dateLancement && f.dateEtude > f.dateLancement) {
		c.add('dates.etudeApresLancement', 'dateEtude', 'date de l\u2019étude de faisabilité', `étude datée du ${frenchShortDate(f.dateEtude)}, après le lancement prévu le ${frenchShortDate(f.dateLancement)}`, 'L\u2019étude précède le lancement : corrigez l\u2019une des deux dates.', c.at('dateEtude'));
	}
	if (f.dateNotification && f.dateLancement && f.dateNotification <= f.dateLancement) {
		c.add('dates.notificationAvantLancement', 'dateNotification', 'date de notification prévue', `notification prévue le ${frenchShortDate(f.dateNotification)}, avant ou le jour du lancement (${frenchShortDate(f.dateLancement)})`, 'Corrigez la date de notification ou la date de lancement.', c.at('dateNotification'));
	}
	if (f.dateFiche && f.dateLancement && f.dateFiche > f.dateLancement) {
		c.add('dates.ficheApresLancement', 'dateFiche', 'date de la fiche', `fiche datée du ${frenchShortDate(f.dateFiche)}, après le lancement prévu (${frenchShortDate(f.dateLancement)})`, 'La fiche visa précède le lancement : vérifiez les dates.', c.at('dateFiche'));
	}

	// 6. Étude de faisabilité.
	if (f.etudeFaisabilite === false) {
		const required = feasibilityStudyRequired(total, settings.seuilEtude);
		c.add(
			'etude.absente',
			'etudeFaisabilite',
			'étude de faisabilité',
			required
				? `pas d\u2019étude de faisabilité pour un marché de ${formatEuros(total)} HT (seuil de l\u2019étude : ${formatEuros(settings.seuilEtude)} HT)`
				: `pas d\u2019étude de faisabilité (marché de ${formatEuros(total)} HT, sous le seuil de ${formatEuros(settings.seuilEtude)} HT)`,
			required
				? 'Demandez l\u2019étude à la mission clauses sociales avant le lancement, puis reportez sa date et ses conclusions lot par lot.'
				: 'Rien n\u2019est exigé sous le seuil ; une étude reste possible.',
			c.at('etudeFaisabilite'),
			required ? 'REFUSÉ' : 'observation',
		);
	}
	if (f.etudeFaisabilite === true && !f.dateEtude && !raw.champs.dateEtude?.probleme) {
		c.add('etude.dateManquante', 'dateEtude', 'date de l\u2019étude de faisabilité', 'étude déclarée sans sa date', 'Indiquez la date de l\u2019étude de faisabilité (JJ/MM/AAAA).', c.at('dateEtude'));
	}

	// 7. Clauses sociales, lot par lot.
	const loiClimat = f.dateLancement === undefined || f.dateLancement >= settings.dateLoiClimat;
	const aboveEu = total >= seuilUe;
	/**
	 * Lot au-delà du seuil européen, sans condition d'exécution sociale, dont
	 * l'absence est motivée, une fois la loi Climat applicable : l'exemption
	 * n'existe que dans un cas de l'article L2112-2-1, que la fiche nomme.
	 */
	const exemption = (lot: CheckedLot, index: number, retained: string): void => {
		const where = lotWhereAt(index);
		if (lot.casExemption) {
			c.add(
				'loiClimat.exemption',
				`lots[${index}].casExemption`,
				'cas d\u2019exemption (L2112-2-1)',
				`marché au-delà du seuil européen, ${retained} sans condition d\u2019exécution sociale : exemption de l\u2019article L2112-2-1 (${uncapitalize(SOCIAL_EXEMPTIONS[lot.casExemption].libelle.replace(/ \(.*\)$/, ''))}), motifs consignés`,
				'Reprenez le cas d\u2019exemption et ses motifs dans les documents de la consultation (rapport de présentation) : l\u2019article L2112-2-1 demande que l\u2019acheteur les consigne.',
				{ ...c.lotAt(index, 'casExemption'), ou: where },
			);
			return;
		}
		c.add(
			'loiClimat.casExemption',
			`lots[${index}].casExemption`,
			'cas d\u2019exemption (L2112-2-1)',
			`marché au-delà du seuil européen, ${retained} sans condition d\u2019exécution sociale : motifs donnés sans le cas d\u2019exemption`,
			`Choisissez dans « Cas d\u2019exemption (L2112-2-1) » le cas de l\u2019article qui s\u2019applique (${Object.values(SOCIAL_EXEMPTIONS).map((e) => `« ${e.libelle} »`).join(', ')}), la justification en donnant les motifs ; sinon, retenez une condition d\u2019exécution sociale (clause d\u2019insertion en heures ou actions qualitatives).${raw.versionAnterieure?.colonnesAbsentes.includes('casExemption') ? ' Cette fiche, d\u2019une version antérieure du formulaire, n\u2019a pas cette colonne : recopiez-la dans le formulaire vierge.' : ''}`,
			{ ...c.lotAt(index, 'casExemption'), ou: where },
		);
	};
	lots.forEach((lot, index) => {
		const where = lotWhereAt(index);
		if (lot.mecanismes.includes('clauseExecution')) {
			if (!(lot.heures && lot.heures > 0) && !raw.lots[index].champs.heures?.probleme) {
				c.add('clause.sansHeures', `lots[${index}].heures`, 'heures d\u2019insertion', 'clause d\u2019insertion sans heures', 'Reportez les heures du calibrage (étude de faisabilité) pour ce lot.', { ...c.lotAt(index, 'heures'), ou: where });
			}
			if (!lot.facilitateur && !f.facilitateur) {
				c.add('clause.sansFacilitateur', `lots[${index}].facilitateur`, 'facilitateur', 'clause d\u2019insertion sans facilitateur', 'Indiquez le facilitateur (PLIE, Maison de l\u2019emploi…) qui accompagnera le titulaire ; sans facilitateur sur le territoire (zone blanche), retenez un autre mécanisme (marché réservé, actions qualitatives) ou justifiez l\u2019absence de clause.', { ...(raw.lots[index].champs.facilitateur?.cellule ? c.lotAt(index, 'facilitateur') : c.at('facilitateur')), ou: where });
			}
		}
		if (lot.heures && lot.heures > 0 && !lot.mecanismes.some((m) => HOURS_ALLOWED.includes(m)) && lot.mecanismes.length > 0) {
			c.add('clause.heuresSansClause', `lots[${index}].heures`, 'heures d\u2019insertion', `${formatHours(lot.heures)} d\u2019insertion sur un lot sans clause en heures`, 'Choisissez « Clause d\u2019insertion en heures » ou retirez les heures.', { ...c.lotAt(index, 'heures'), ou: where });
		}
		if (lot.mecanisme === 'aucune' && lot.mecanismeComplementaire && lot.mecanismeComplementaire !== 'aucune') {
			c.add('clause.mecanismeContradictoire', `lots[${index}].mecanismeComplementaire`, 'considération complémentaire', '« Aucune considération sociale » avec une considération complémentaire', 'Placez la considération retenue en premier, ou retirez la considération complémentaire.', { ...c.lotAt(index, 'mecanismeComplementaire'), ou: where });
		}
		const none = lot.mecanismes.length > 0 && lot.mecanismes.every((m) => m === 'aucune');
		if (none) {
			const justified = Boolean(lot.justificationAbsence);
			const position = { ...c.lotAt(index, 'justificationAbsence'), ou: where };
			if (aboveEu && !justified) {
				c.add(
					'loiClimat.social',
					`lots[${index}].justificationAbsence`,
					'justification de l\u2019absence de clause',
					`marché de ${formatEuros(total)} HT, au-delà du seuil européen (${formatEuros(seuilUe)} HT), sans considération sociale ni justification`,
					'Retenez une considération sociale pour ce lot, ou justifiez son absence (loi Climat et résilience, art. 35) : la justification figurera dans les documents de la consultation.',
					position,
					loiClimat ? 'REFUSÉ' : 'À COMPLÉTER',
				);
			} else if (!justified) {
				c.add('absence.sansJustification', `lots[${index}].justificationAbsence`, 'justification de l\u2019absence de clause', 'lot sans considération sociale ni justification', 'Reprenez la justification de l\u2019étude de faisabilité (zone blanche, fournitures sans main-d\u2019œuvre, volume sous le plancher…).', position);
			} else if (aboveEu && loiClimat) {
				exemption(lot, index, 'aucune considération sociale');
			} else if (aboveEu) {
				c.add('loiClimat.socialJustifie', `lots[${index}].justificationAbsence`, 'justification de l\u2019absence de clause', 'marché au-delà du seuil européen sans considération sociale : absence justifiée', 'Reprenez cette justification dans le règlement de la consultation (loi Climat et résilience, art. 35).', position);
			}
		}
		const declared = lot.mecanismes.filter((m) => m !== 'aucune');
		if (aboveEu && declared.length > 0 && !declared.some((m) => SOCIAL_EXECUTION.includes(m))) {
			const retained = declared.map((m) => FICHE_MECHANISMS[m].libelle).join(', ');
			const position = { ...c.lotAt(index, 'mecanisme'), ou: where };
			if (lot.justificationAbsence && loiClimat) {
				exemption(lot, index, retained);
			} else if (lot.justificationAbsence) {
				c.add('loiClimat.exemption', `lots[${index}].justificationAbsence`, 'justification de l\u2019absence de clause', `marché au-delà du seuil européen, ${retained} sans condition d\u2019exécution sociale : exemption justifiée`, 'Reprenez cette justification dans les documents de la consultation : elle doit correspondre à une exemption de l\u2019article L2112-2-1.', { ...c.lotAt(index, 'justificationAbsence'), ou: where });
			} else {
				c.add(
					'loiClimat.conditionExecution',
					`lots[${index}].mecanisme`,
					'considération sociale',
					`marché de ${formatEuros(total)} HT, au-delà du seuil européen (${formatEuros(seuilUe)} HT) : ${retained} seul${declared.length > 1 ? 's' : ''}, sans condition d\u2019exécution sociale`,
					'Ajoutez une condition d\u2019exécution sociale (clause d\u2019insertion en heures ou actions qualitatives) : au-delà du seuil européen, ce sont les conditions d\u2019exécution qui doivent prendre en compte une considération sociale ou d\u2019emploi (L2112-2-1, loi Climat et résilience, art. 35) ; un critère d\u2019attribution ou la réservation du marché ne suffisent pas. Sinon, justifiez l\u2019exemption que prévoit l\u2019article dans « Justification de l\u2019absence de clause ».',
					position,
					loiClimat ? 'REFUSÉ' : 'À COMPLÉTER',
				);
			}
		}
	});

	// 8. Contenu du CCAP et pénalités.
	const withHours = lots.some((lot) => lot.mecanismes.some((m) => SOCIAL_HOURS.includes(m)));
	const withSocial = lots.some((lot) => lot.mecanismes.some((m) => m !== 'aucune'));
	if (withHours) {
		const items: Array<[FicheField, string]> = [
			['ccapPerimetre', 'les prestations concernées par la clause'],
			['ccapContactFacilitateur', 'les coordonnées du facilitateur'],
			['ccapPublics', 'les publics éligibles'],
			['ccapVolume', 'le volume d\u2019heures par lot'],
		];
		for (const [champ, what] of items) {
			if (v[champ] !== true && !raw.champs[champ]?.probleme && !raw.champs[champ]?.fusionneeDans) {
				const info = FICHE_FIELDS.find((x) => x.champ === champ)!;
				c.add('ccap16.contenu', champ, info.libelle, `le CCAP doit préciser ${what} (réponse : ${v[champ] === false ? '« non »' : 'vide'})`, `Complétez le CCAP (CCAG 2021, art. 16.1) puis répondez « oui ».`, c.at(champ));
			}
		}
		if (f.penaliteParHeure === undefined && f.penalitesCcap === true) {
			c.add('penalites.montant', 'penaliteParHeure', 'pénalité par heure non réalisée', 'montant de la pénalité par heure non renseigné', 'Indiquez le montant prévu au CCAP, par exemple 60 € HT par heure d\u2019insertion non réalisée.', c.at('penaliteParHeure'));
		}
	}
	if (withSocial && f.penalitesCcap !== true && !raw.champs.penalitesCcap?.probleme) {
		c.add('penalites.absentes', 'penalitesCcap', 'pénalités prévues au CCAP', 'considération sociale sans pénalités prévues au CCAP', 'Prévoyez au CCAP les pénalités de chaque considération sociale (le CCAG 2021 n\u2019en fixe aucun montant), puis répondez « oui ».', c.at('penalitesCcap'));
	}

	// 9. Valeur DECP.
	const decp = expectedDecp(lots);
	const mechanismsKnown = lots.length > 0 && lots.every((lot) => lot.mecanismes.length > 0);
	if (f.considerationsDecp && mechanismsKnown) {
		const declared = [...f.considerationsDecp].sort();
		const expected = [...decp].sort();
		if (declared.join('|') !== expected.join('|')) {
			c.add('decp.incoherente', 'considerationsDecp', 'considération sociale déclarée (DECP)', `« ${f.considerationsDecp.join(', ')} » déclaré, alors que les lots impliquent « ${decp.join(', ')} »`, `Déclarez « ${decp.join(', ')} » (valeurs DECP des mécanismes retenus).`, c.at('considerationsDecp'));
		}
	}

	// 10. Environnement, sourcing, CCAG, CPV.
	checkEnvironment(c, raw, f, loiClimat);
	if (f.sourcing === false) {
		c.add('sourcing.absent', 'sourcing', 'sourcing', 'pas de sourcing', 'Pour les prochaines consultations, pensez à consulter les SIAE, EA et ESAT du territoire (R2111-1).', c.at('sourcing'));
	}
	if (f.ccag && f.nature && !EXPECTED_CCAG[f.nature].includes(f.ccag)) {
		c.add('ccag.nature', 'ccag', 'CCAG de référence', `${CCAGS[f.ccag].libelle} pour un marché de nature « ${f.nature} »`, 'Vérifiez le CCAG auquel se réfère le CCAP.', c.at('ccag'));
	}
	if (f.cpv && f.nature && (f.cpv.startsWith('45') !== (f.nature === 'travaux'))) {
		c.add('cpv.nature', 'cpv', 'code CPV principal', f.cpv.startsWith('45') ? `code CPV de travaux (${f.cpv}) pour une autre nature de marché` : `code CPV ${f.cpv} hors division 45 (travaux) pour un marché de travaux`, 'Vérifiez le code CPV principal ou la nature du marché.', c.at('cpv'));
	}

	// 11. Cohérence avec l'étude de faisabilité (mêmes lots, mêmes heures).
	const etudeFournie = study !== undefined && study.length > 0;
	if (study && study.length > 0) {
		const forMarket = study.filter((s) => s.marche === undefined || f.reference === undefined || normalizeToken(s.marche) === normalizeToken(f.reference));
		const used = new Set<StudiedLot>();
		lots.forEach((lot, index) => {
			if (lot.numero === undefined) return;
			const where = lotWhereAt(index);
			const studied = forMarket.find((s) => sameLot(s.lot, lot.numero!) || (forMarket.length === 1 && lots.length === 1));
			if (!studied) {
				c.add('etude.lotAbsentEtude', `lots[${index}].numero`, 'N° lot', `le lot ${lot.numero} ne figure pas dans l\u2019étude de faisabilité`, 'Faites étudier ce lot par la mission clauses sociales, ou corrigez son numéro.', { ...c.lotAt(index, 'numero'), ou: where });
				return;
			}
			used.add(studied);
			const hoursInStudy = studied.decision === undefined || studied.mecanismes.includes('clauseExecution');
			if (hoursInStudy && lot.mecanismes.includes('clauseExecution') && lot.heures !== undefined && Math.abs(lot.heures - studied.heures) > settings.toleranceHeures) {
				c.add('etude.heures', `lots[${index}].heures`, 'heures d\u2019insertion', `${formatHours(lot.heures)} dans la fiche, ${formatHours(studied.heures)} au calibrage de l\u2019étude`, `Reportez ${formatHours(studied.heures)} (calibrage de l\u2019étude), ou faites recalibrer le lot.`, { ...c.lotAt(index, 'heures'), ou: where });
			}
			if (studied.decision === undefined) return; // calibrage seul : les heures, rien d'autre
			const fiche = lot.facilitateur ?? f.facilitateur;
			if (studied.facilitateur && fiche && lot.mecanismes.includes('clauseExecution') && normalizeToken(studied.facilitateur) !== normalizeToken(fiche)) {
				c.add('etude.facilitateur', `lots[${index}].facilitateur`, 'facilitateur', `${quote(fiche)} dans la fiche, ${quote(studied.facilitateur)} dans l\u2019étude`, 'Vérifiez le facilitateur du territoire avec la mission clauses sociales, ou faites mettre l\u2019étude à jour.', { ...(raw.lots[index].champs.facilitateur?.cellule && lot.facilitateur ? c.lotAt(index, 'facilitateur') : c.at('facilitateur')), ou: where });
			}
			const declared = lot.mecanismes.filter((m) => m !== 'aucune');
			if (studied.decision === 'clause' && studied.mecanismes.includes('clauseExecution') && studied.mecanismes.includes('critereAttribution') && declared.length > 0 && !declared.includes('clauseExecution') && declared.includes('critereAttribution')) {
				const message = 'l\u2019étude recommande la clause d\u2019insertion et le critère social ; la fiche ne retient que le critère';
				if (lot.justificationAbsence) {
					c.add('etude.ecart', `lots[${index}].mecanisme`, 'considération sociale', `${message} (justifié)`, 'Vérifiez que la justification répond à la recommandation de l\u2019étude.', { ...c.lotAt(index, 'mecanisme'), ou: where });
				} else {
					c.add('etude.clauseManquante', `lots[${index}].mecanisme`, 'considération sociale', message, `Retenez aussi la clause d\u2019insertion (${formatHours(studied.heures)} au calibrage), ou justifiez l\u2019écart dans « Justification de l\u2019absence de clause ».`, { ...c.lotAt(index, 'mecanisme'), ou: where });
				}
			} else if (studied.decision === 'clause' && declared.length === 0 && lot.mecanismes.length > 0) {
				const recommended = studied.mecanismes.map((m) => MECHANISMS[m].libelle.toLowerCase()).join(', ');
				if (lot.justificationAbsence) {
					c.add('etude.ecart', `lots[${index}].mecanisme`, 'considération sociale', `l\u2019étude recommande : ${recommended} ; la fiche n\u2019en retient aucune (justifié)`, 'Vérifiez que la justification répond à la recommandation de l\u2019étude.', { ...c.lotAt(index, 'mecanisme'), ou: where });
				} else {
					c.add('etude.mecanisme', `lots[${index}].mecanisme`, 'considération sociale', `l\u2019étude recommande : ${recommended} ; la fiche n\u2019en retient aucune`, 'Retenez la considération recommandée, ou justifiez l\u2019écart dans « Justification de l\u2019absence de clause ».', { ...c.lotAt(index, 'mecanisme'), ou: where });
				}
			} else if (declared.length > 0 && declared.some((m) => !studied.mecanismes.includes(m as Mechanism) && !(studied.options ?? []).includes(m as Mechanism))) {
				const missing = declared.filter((m) => !studied.mecanismes.includes(m as Mechanism) && !(studied.options ?? []).includes(m as Mechanism)).map((m) => FICHE_MECHANISMS[m].libelle);
				c.add('etude.ecart', `lots[${index}].mecanisme`, 'considération sociale', `mécanisme non recommandé par l\u2019étude : ${missing.join(', ')}`, 'Vérifiez ce choix avec la mission clauses sociales.', { ...c.lotAt(index, 'mecanisme'), ou: where });
			}
		});
		// Date de l'étude : celle que cite la fiche, et avant la fiche.
		const studyDates = [...new Set(forMarket.map((s) => s.dateEtude).filter((d): d is string => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d)))].sort();
		if (f.dateEtude && studyDates.length > 0 && !studyDates.includes(f.dateEtude)) {
			c.add('etude.date', 'dateEtude', 'date de l\u2019étude de faisabilité', `étude du ${frenchShortDate(f.dateEtude)} dans la fiche, du ${studyDates.map(frenchShortDate).join(', ')} dans l\u2019étude fournie`, 'Reportez la date de l\u2019étude fournie, ou joignez l\u2019étude que cite la fiche.', c.at('dateEtude'));
		}
		const latest = studyDates[studyDates.length - 1];
		if (f.dateFiche && latest && latest > f.dateFiche) {
			c.add('etude.apresFiche', 'dateFiche', 'date de la fiche', `étude fournie datée du ${frenchShortDate(latest)}, après la fiche (${frenchShortDate(f.dateFiche)})`, 'L\u2019étude précède la fiche : datez la fiche après l\u2019étude, ou joignez l\u2019étude sur laquelle la fiche s\u2019appuie.', c.at('dateFiche'));
		}
		for (const studied of forMarket) {
			if (used.has(studied)) continue;
			c.add('etude.lotAbsentFiche', 'lots', 'lots', `le lot ${studied.lot} de l\u2019étude de faisabilité n\u2019est pas dans la fiche`, 'Ajoutez ce lot à la feuille « Lots », ou faites mettre l\u2019étude à jour s\u2019il a été supprimé.', { feuille: raw.lots[0]?.feuille });
		}
	}

	const comptes = {
		refus: c.anomalies.filter((a) => a.effet === 'REFUSÉ').length,
		aCompleter: c.anomalies.filter((a) => a.effet === 'À COMPLÉTER').length,
		observations: c.anomalies.filter((a) => a.effet === 'observation').length,
	};
	const decision: VisaDecision = comptes.refus > 0 ? 'REFUSÉ' : comptes.aCompleter > 0 ? 'À COMPLÉTER' : 'VISÉ';
	const order: Record<VisaEffect, number> = { REFUSÉ: 0, 'À COMPLÉTER': 1, observation: 2 };
	const anomalies = c.anomalies.map((a, i) => ({ a, i })).sort((x, y) => order[x.a.effet] - order[y.a.effet] || x.i - y.i).map((x) => x.a);
	return {
		decision,
		resume: summarizeVisa(decision, comptes, f.reference, f.objet),
		anomalies,
		comptes,
		fiche: { ...f, lots },
		decpAttendue: decp,
		montantTotalHT: total,
		seuilEuropeen: seuilUe,
		etudeFournie,
	};
}

function plural(count: number, one: string, many: string): string {
	return `${count}\u00a0${count > 1 ? many : one}`;
}

function summarizeVisa(decision: VisaDecision, comptes: VisaResult['comptes'], reference?: string, objet?: string): string {
	const name = `Fiche visa${reference ? ` ${reference}` : ''}${objet ? ` «\u00a0${objet}\u00a0»` : ''}`;
	const parts: string[] = [];
	if (comptes.refus > 0) parts.push(plural(comptes.refus, 'motif de refus', 'motifs de refus'));
	if (comptes.aCompleter > 0) parts.push(plural(comptes.aCompleter, 'point à compléter', 'points à compléter'));
	if (comptes.observations > 0) parts.push(plural(comptes.observations, 'observation', 'observations'));
	return `${name} : ${decisionWord[decision]}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}.`;
}
