/**
 * Le modèle des pénalités de la clause sociale : paramètres du CCAP (par marché),
 * neutralisations d'heures et exonérations, dates de la procédure (mise en
 * demeure, notification), remise des relevés et du bilan. Ces champs complètent
 * la ligne du registre des clauses (ClauseRecordSchema, follow-up.ts) : ce sont des
 * colonnes supplémentaires du registre, ou des champs des éléments d'entrée.
 * Tous sont facultatifs : une valeur absente prend le paramètre du nœud.
 */
import { z } from 'zod/v4';

import type { FieldLabels } from '../anomalies';
import { buildKeyIndex } from '../keys';
import type { RecordReader } from '../records';
import { labelledReader } from '../records';
import { frenchLongDate, parseDate } from '../calendar';
import { amount, decimal, emptyToUndefined, fieldIssue, isoDate, normalizeToken, optional, percent, text, tolerantEnum, yesNo } from './primitives';

/** Motifs pour lesquels des heures ne sont pas dues (neutralisées) ou le titulaire est exonéré. */
export const NEUTRALISATION_MOTIFS = {
	difficultesAcceptees: {
		libelle: 'Difficultés notifiées par le titulaire et acceptées par l\u2019acheteur',
		synonymes: ['difficultés', 'difficultés acceptées', 'difficultés notifiées', 'difficultés d\u2019exécution'],
	},
	forceMajeure: { libelle: 'Force majeure', synonymes: ['cas de force majeure'] },
	suspension: { libelle: 'Suspension de l\u2019exécution', synonymes: ['suspension', 'ordre de service de suspension', 'arrêt de chantier'] },
	tousMoyens: {
		libelle: 'Titulaire ayant démontré avoir mis en œuvre tous les moyens',
		synonymes: ['tous les moyens', 'moyens mis en œuvre', 'diligences', 'diligences accomplies', 'moyens'],
	},
	/** Posée par le nœud d'après le groupe de mutualisation du registre (voir core/pooling.ts). */
	mutualisation: {
		libelle: 'Heures couvertes par la mutualisation des heures du titulaire (CCAP)',
		synonymes: ['mutualisation', 'mutualisation des heures', 'heures mutualisées', 'guichet unique'],
	},
} as const;
export type NeutralisationMotif = keyof typeof NEUTRALISATION_MOTIFS;

export const CAP_BASES = {
	annuel: { libelle: 'montant annuel HT', synonymes: ['montant annuel', 'annuel', 'annuel HT'] },
	total: { libelle: 'montant total HT du marché', synonymes: ['total', 'montant total', 'montant du marché', 'montant HT'] },
} as const;
export type CapBase = keyof typeof CAP_BASES;

const hours = (example = '120') => decimal({ min: 0, unit: 'h', example });
const euros = (example: string) => decimal({ min: 0, unit: '€', example });
const days = () => decimal({ min: 0, integer: true, unit: 'jours', example: '15' });

export const NeutralisationSchema = z
	.object({
		motif: tolerantEnum(NEUTRALISATION_MOTIFS, 'un motif de neutralisation'),
		heures: decimal({ min: 0, exclusiveMin: true, unit: 'h', example: '70' }),
		debut: optional(isoDate()),
		fin: optional(isoDate()),
		reference: optional(text({ max: 300 })),
	})
	.superRefine((n, ctx) => {
		if (n.debut && n.fin && n.fin < n.debut) {
			fieldIssue(ctx, 'fin', `fin de la neutralisation (${frenchLongDate(n.fin)}) antérieure à son début (${frenchLongDate(n.debut)})`, 'Corrigez les dates de la neutralisation : la fin doit suivre le début.', 'penalite.neutralisationDates');
		}
	});
export type Neutralisation = z.output<typeof NeutralisationSchema>;

/** Liste de neutralisations : tableau d'objets ou JSON (éléments d'entrée). */
function neutralisationList() {
	return z.preprocess((raw) => {
		if (typeof raw !== 'string') return raw;
		try {
			return JSON.parse(raw);
		} catch {
			return raw;
		}
	}, z.array(NeutralisationSchema));
}

/** Champs de pénalité d'une clause (colonnes supplémentaires du registre ou champs d'un élément). */
export const ClausePenaltyFieldsSchema = z
	.object({
		// Paramètres du CCAP propres au marché.
		tauxHoraire: optional(euros('60')),
		tauxJourRetardReleve: optional(euros('100')),
		tauxJourRetardBilan: optional(euros('300')),
		plafondPourcentage: optional(percent()),
		plafondAssiette: optional(tolerantEnum(CAP_BASES, 'une assiette du plafond')),
		delaiGraceJours: optional(days()),
		miseEnDemeureRequise: optional(yesNo()),
		delaiMiseEnDemeureJours: optional(decimal({ min: 1, integer: true, unit: 'jours', example: '15' })),
		delaiBilanJours: optional(days()),
		articleCcap: optional(text({ max: 300 })),
		// Limites du CCAG 2021 (pénalités de retard) étendues par le CCAP à la clause.
		exonerationCcag: optional(yesNo()),
		plafondCcag: optional(yesNo()),
		penalitesDejaAppliquees: optional(euros('1 200')),
		// Heures.
		heuresRealisees: optional(hours('350')),
		heuresNeutralisees: optional(decimal({ min: 0, unit: 'h', example: '70' })),
		motifNeutralisation: optional(tolerantEnum(NEUTRALISATION_MOTIFS, 'un motif de neutralisation')),
		debutNeutralisation: optional(isoDate()),
		finNeutralisation: optional(isoDate()),
		referenceNeutralisation: optional(text({ max: 300 })),
		neutralisations: optional(neutralisationList()),
		// Procédure.
		dateMiseEnDemeure: optional(isoDate()),
		dateNotificationPenalites: optional(isoDate()),
		// Remise des relevés et du bilan.
		dateReceptionReleves: optional(isoDate()),
		dateLimiteBilan: optional(isoDate()),
		dateRemiseBilan: optional(isoDate()),
		bilanRemis: optional(yesNo()),
	})
	.superRefine((f, ctx) => {
		const add = (path: string, message: string, correction: string, regle: string) =>
			fieldIssue(ctx, path, message, correction, regle);
		if (f.heuresNeutralisees !== undefined && f.heuresNeutralisees > 0 && f.motifNeutralisation === undefined) {
			add(
				'motifNeutralisation',
				`${f.heuresNeutralisees} h neutralisées sans motif`,
				'Indiquez le motif : difficultés notifiées et acceptées, force majeure, suspension, ou tous les moyens mis en œuvre.',
				'penalite.neutralisationMotif',
			);
		}
		if (f.motifNeutralisation !== undefined && !(f.heuresNeutralisees !== undefined && f.heuresNeutralisees > 0)) {
			add('heuresNeutralisees', 'motif de neutralisation sans heures neutralisées', 'Indiquez le nombre d\u2019heures neutralisées, ou retirez le motif.', 'penalite.neutralisationHeures');
		}
		if (f.debutNeutralisation && f.finNeutralisation && f.finNeutralisation < f.debutNeutralisation) {
			add('finNeutralisation', `fin de la neutralisation (${frenchLongDate(f.finNeutralisation)}) antérieure à son début (${frenchLongDate(f.debutNeutralisation)})`, 'Corrigez les dates de la neutralisation : la fin doit suivre le début.', 'penalite.neutralisationDates');
		}
		const procedure = procedureProblem(f.dateMiseEnDemeure, f.dateNotificationPenalites);
		if (procedure) add('dateNotificationPenalites', procedure.message, procedure.correction, 'penalite.procedure');
		if (f.bilanRemis === true && f.dateRemiseBilan === undefined) {
			// Bilan remis, date inconnue : aucun retard calculable, sans erreur.
		}
		if (f.bilanRemis === false && f.dateRemiseBilan !== undefined) {
			add('bilanRemis', 'bilan déclaré non remis alors qu\u2019une date de remise est renseignée', 'Corrigez « Bilan remis » ou effacez la date de remise du bilan.', 'penalite.bilan');
		}
	});
export type ClausePenaltyFields = z.output<typeof ClausePenaltyFieldsSchema>;

export const PENALTY_FIELD_LABELS: FieldLabels = {
	tauxHoraire: 'pénalité par heure non réalisée (€ HT)',
	tauxJourRetardReleve: 'pénalité par jour de retard des relevés (€ HT)',
	tauxJourRetardBilan: 'pénalité par jour de retard du bilan (€ HT)',
	plafondPourcentage: 'plafond des pénalités (%)',
	plafondAssiette: 'assiette du plafond',
	delaiGraceJours: 'délai de grâce (jours)',
	miseEnDemeureRequise: 'mise en demeure requise',
	delaiMiseEnDemeureJours: 'délai de la mise en demeure (jours)',
	delaiBilanJours: 'délai de remise du bilan (jours)',
	articleCcap: 'article du CCAP',
	exonerationCcag: 'exonération du CCAG 2021 (total ≤ 1 000 € HT)',
	plafondCcag: 'plafond du CCAG 2021 (10 % du montant du marché)',
	penalitesDejaAppliquees: 'pénalités déjà appliquées (€ HT)',
	heuresRealisees: 'heures réalisées',
	heuresNeutralisees: 'heures neutralisées',
	motifNeutralisation: 'motif de neutralisation',
	debutNeutralisation: 'début de la neutralisation',
	finNeutralisation: 'fin de la neutralisation',
	referenceNeutralisation: 'référence de la neutralisation',
	neutralisations: 'neutralisations',
	motif: 'motif de neutralisation',
	heures: 'heures neutralisées',
	debut: 'début de la neutralisation',
	fin: 'fin de la neutralisation',
	reference: 'référence de la neutralisation',
	dateMiseEnDemeure: 'date de mise en demeure',
	dateNotificationPenalites: 'date de notification des pénalités',
	dateReceptionReleves: 'date de réception des relevés en retard',
	dateLimiteBilan: 'date limite de remise du bilan',
	dateRemiseBilan: 'date de remise du bilan',
	bilanRemis: 'bilan remis',
};

export const PENALTY_FIELDS_READER: RecordReader<typeof ClausePenaltyFieldsSchema> = {
	schema: ClausePenaltyFieldsSchema,
	labels: PENALTY_FIELD_LABELS,
	keys: buildKeyIndex(
		Object.keys(ClausePenaltyFieldsSchema.shape),
		{
			tauxHoraire: ['pénalité horaire', 'taux horaire de pénalité', 'pénalité par heure', 'pénalité par heure non réalisée'],
			tauxJourRetardReleve: ['pénalité par jour de retard des relevés', 'pénalité retard relevé', 'pénalité journalière relevés'],
			tauxJourRetardBilan: ['pénalité par jour de retard du bilan', 'pénalité retard bilan', 'pénalité journalière bilan'],
			plafondPourcentage: ['plafond', 'plafond des pénalités', 'plafond (%)', 'plafond des pénalités (%)'],
			plafondAssiette: ['assiette du plafond', 'base du plafond'],
			delaiGraceJours: ['délai de grâce', 'délai de grâce (jours)'],
			miseEnDemeureRequise: ['mise en demeure requise', 'mise en demeure préalable'],
			delaiMiseEnDemeureJours: ['délai de la mise en demeure', 'délai de mise en demeure', 'délai de la mise en demeure (jours)'],
			delaiBilanJours: ['délai de remise du bilan', 'délai du bilan'],
			articleCcap: ['article du CCAP', 'article CCAP', 'référence CCAP'],
			exonerationCcag: ['exonération CCAG', 'exonération du CCAG', 'exonération 1 000 €', 'seuil d\u2019exonération du CCAG'],
			plafondCcag: ['plafond CCAG', 'plafond du CCAG', 'plafond 10 %', 'plafond de 10 % du CCAG'],
			penalitesDejaAppliquees: ['pénalités déjà appliquées', 'pénalités antérieures'],
			heuresRealisees: ['heures réalisées', 'heures d\u2019insertion réalisées', 'réalisé'],
			heuresNeutralisees: ['heures neutralisées', 'neutralisation (h)', 'heures exonérées'],
			motifNeutralisation: ['motif de neutralisation', 'motif d\u2019exonération', 'motif'],
			debutNeutralisation: ['début de la neutralisation', 'neutralisation du'],
			finNeutralisation: ['fin de la neutralisation', 'neutralisation au'],
			referenceNeutralisation: ['référence de la neutralisation', 'décision de neutralisation'],
			dateMiseEnDemeure: ['date de mise en demeure', 'mise en demeure le', 'mise en demeure'],
			dateNotificationPenalites: ['date de notification des pénalités', 'pénalités notifiées le', 'notification des pénalités'],
			dateReceptionReleves: ['date de réception des relevés', 'relevés reçus le'],
			dateLimiteBilan: ['date limite du bilan', 'date limite de remise du bilan'],
			dateRemiseBilan: ['date de remise du bilan', 'bilan reçu le', 'bilan remis le'],
			bilanRemis: ['bilan remis', 'bilan reçu', 'bilan final remis'],
		},
		PENALTY_FIELD_LABELS,
	),
};

/** Une notification exige une mise en demeure antérieure (jamais d'étape sautée). */
export function procedureProblem(miseEnDemeure?: string, notification?: string): { message: string; correction: string } | undefined {
	if (notification && !miseEnDemeure) {
		return {
			message: 'notification des pénalités sans mise en demeure préalable',
			correction: 'Renseignez la date de la mise en demeure : les pénalités ne se notifient qu\u2019après une mise en demeure restée sans effet.',
		};
	}
	if (notification && miseEnDemeure && notification <= miseEnDemeure) {
		return {
			message: `notification des pénalités (${frenchLongDate(notification)}) antérieure ou égale à la mise en demeure (${frenchLongDate(miseEnDemeure)})`,
			correction: 'Corrigez les dates : la notification suit la mise en demeure et l\u2019expiration de son délai.',
		};
	}
	return undefined;
}

/** Toutes les neutralisations d'une clause : la colonne simple du registre et la liste détaillée. */
export function neutralisationsOf(fields: ClausePenaltyFields): Neutralisation[] {
	const list = [...(fields.neutralisations ?? [])];
	if (fields.heuresNeutralisees !== undefined && fields.heuresNeutralisees > 0 && fields.motifNeutralisation !== undefined) {
		list.unshift({
			motif: fields.motifNeutralisation,
			heures: fields.heuresNeutralisees,
			debut: fields.debutNeutralisation,
			fin: fields.finNeutralisation,
			reference: fields.referenceNeutralisation,
		});
	}
	return list;
}

export const PenaltySettingsSchema = z.object({
	dateCalcul: isoDate(),
	echeance: z.enum(['finExecution', 'jalon']),
	dateJalon: optional(isoDate()),
	tauxHoraire: euros('60'),
	tauxJourRetardReleve: euros('100'),
	tauxJourRetardBilan: euros('300'),
	plafondPourcentage: percent(),
	plafondAssiette: tolerantEnum(CAP_BASES, 'une assiette du plafond'),
	delaiGraceJours: days(),
	miseEnDemeureRequise: yesNo(),
	delaiMiseEnDemeureJours: decimal({ min: 1, integer: true, unit: 'jours', example: '15' }),
	delaiBilanJours: days(),
	delaiObservationsJours: decimal({ min: 1, integer: true, unit: 'jours', example: '15' }),
	articleCcap: z.preprocess(emptyToUndefined, z.string().optional()),
	/** Limites du CCAG 2021 pour les pénalités de retard, à appliquer si le CCAP les étend à la clause (désactivées par défaut). */
	exonerationCcag: yesNo().default(false),
	seuilExonerationCcag: euros('1 000').default(1000),
	plafondCcag: yesNo().default(false),
	plafondCcagPourcentage: percent().default(10),
});
export type PenaltySettings = z.output<typeof PenaltySettingsSchema>;
export type PenaltySettingsInput = z.input<typeof PenaltySettingsSchema>;

export const PENALTY_SETTINGS_LABELS: FieldLabels = {
	...PENALTY_FIELD_LABELS,
	dateCalcul: 'date de l\u2019avis',
	echeance: 'échéance évaluée',
	dateJalon: 'date du jalon',
	delaiObservationsJours: 'délai pour présenter des observations (jours)',
	seuilExonerationCcag: 'seuil d\u2019exonération du CCAG 2021 (€ HT)',
	plafondCcagPourcentage: 'plafond du CCAG 2021 (% du montant du marché)',
};

/**
 * Historique des avis (feuille « Pénalités » du registre, tenue par l'acheteur ou
 * alimentée par le bilan) : une ligne par mise en demeure ou notification.
 */
export const PENALTY_HISTORY_STEPS = {
	miseEnDemeure: { libelle: 'Mise en demeure', synonymes: ['MED', 'mise en demeure envoyée'] },
	notification: {
		libelle: 'Notification de pénalités',
		synonymes: ['notification', 'notification des pénalités', 'pénalités notifiées', 'pénalités appliquées', 'pénalités'],
	},
} as const;

/** Période d'un avis : « fin » (fin d'exécution, par défaut) ou « jalon-AAAA-MM-JJ » (une date). */
function period() {
	return z.preprocess((raw) => {
		if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return 'fin';
		const date = parseDate(raw);
		if (date) return `jalon-${date}`;
		if (typeof raw === 'string') {
			const token = normalizeToken(raw);
			if (token.startsWith('fin')) return 'fin';
			const jalon = /^jalon-(\d{4}-\d{2}-\d{2})$/.exec(raw.trim());
			if (jalon) return raw.trim();
		}
		return raw;
	}, z.string().regex(/^(fin|jalon-\d{4}-\d{2}-\d{2})$/, { message: 'période illisible : « fin d\u2019exécution » ou la date du jalon attendue' }));
}

export const PenaltyHistorySchema = z.object({
	marche: text({ max: 200 }),
	lot: text({ max: 100 }),
	etape: tolerantEnum(PENALTY_HISTORY_STEPS, 'une étape (mise en demeure ou notification)'),
	date: isoDate(),
	montantHT: optional(amount()),
	periode: period(),
});
export type PenaltyHistoryEntry = z.output<typeof PenaltyHistorySchema>;

export const PENALTY_HISTORY_LABELS: FieldLabels = {
	marche: 'marché',
	lot: 'lot',
	etape: 'étape',
	date: 'date',
	montantHT: 'montant HT',
	periode: 'période',
};

export const PENALTY_HISTORY_READER: RecordReader<typeof PenaltyHistorySchema> = labelledReader(PenaltyHistorySchema, PENALTY_HISTORY_LABELS, {
		marche: ['n° marché', 'numéro de marché'],
		lot: ['n° lot'],
		etape: ['étape de la procédure', 'avis', 'type d\u2019avis'],
		date: ['date de l\u2019avis', 'date du document', 'date d\u2019envoi'],
		montantHT: ['montant', 'montant des pénalités', 'montant HT des pénalités'],
		periode: ['échéance', 'période évaluée', 'échéance évaluée'],
});

/**
 * Complète les champs de procédure d'une clause par son historique, pour une
 * période : les colonnes du registre l'emportent ; à défaut, la dernière mise en
 * demeure et la dernière notification de l'historique pour cette période, et,
 * pour le plafond, la somme des pénalités notifiées pour les autres périodes
 * (un jalon précédent) : le plafond est commun à toute l'exécution.
 */
export function withHistory(fields: ClausePenaltyFields, history: PenaltyHistoryEntry[], periode: string): ClausePenaltyFields {
	const latest = (etape: keyof typeof PENALTY_HISTORY_STEPS) =>
		history
			.filter((h) => h.etape === etape && h.periode === periode)
			.map((h) => h.date)
			.sort()
			.pop();
	const earlier = history.filter((h) => h.etape === 'notification' && h.periode !== periode && h.montantHT !== undefined);
	const appliedCents = earlier.reduce((sum, h) => sum + Math.round(h.montantHT! * 100), 0);
	return {
		...fields,
		dateMiseEnDemeure: fields.dateMiseEnDemeure ?? latest('miseEnDemeure'),
		dateNotificationPenalites: fields.dateNotificationPenalites ?? latest('notification'),
		penalitesDejaAppliquees: fields.penalitesDejaAppliquees ?? (earlier.length > 0 ? appliedCents / 100 : undefined),
	};
}

/**
 * Étape de pénalité consignée au registre des clauses quand son avis part
 * (fiche « penalite ») : la date de la lettre (le délai de la mise en demeure
 * se compte depuis elle), son échéance, les montants, la date d'envoi et
 * l'identifiant du message. Lue comme une ligne de l'historique des avis : la
 * notification suit d'elle-même la mise en demeure, sans rien recopier.
 */
export const PenaltyStepRecordSchema = PenaltyHistorySchema.extend({
	dateEnvoi: isoDate(),
	echeanceMiseEnDemeure: optional(isoDate()),
	sommeLignesHT: optional(amount()),
	statutEnvoi: z.enum(['envoyé', 'incertain']),
	messageId: optional(text({ max: 998 })),
	cleEnvoi: text({ max: 500 }),
	lettre: optional(text({ max: 300 })),
	empreinteLettre: optional(text({ max: 64 })),
});
export type PenaltyStepRecord = z.output<typeof PenaltyStepRecordSchema>;

export const PENALTY_STEP_RECORD_LABELS: FieldLabels = {
	...PENALTY_HISTORY_LABELS,
	dateEnvoi: 'date d\u2019envoi',
	echeanceMiseEnDemeure: 'échéance de la mise en demeure',
	sommeLignesHT: 'somme des pénalités avant plafond',
	statutEnvoi: 'statut de l\u2019envoi',
	messageId: 'identifiant du message',
	cleEnvoi: 'clé de l\u2019envoi',
	lettre: 'lettre',
	empreinteLettre: 'empreinte de la lettre',
};

export const PENALTY_STEP_RECORD_READER: RecordReader<typeof PenaltyStepRecordSchema> = {
	schema: PenaltyStepRecordSchema,
	labels: PENALTY_STEP_RECORD_LABELS,
	keys: buildKeyIndex(Object.keys(PENALTY_STEP_RECORD_LABELS)),
};

/** Clé de la fiche d'une étape de pénalité : une par clause, étape et période. */
export function penaltyStepKey(cle: string, etape: keyof typeof PENALTY_HISTORY_STEPS, periode: string): string {
	return `${cle}|${etape}|${periode}`;
}
