/**
 * Les fiches du registre des clauses qui ne sont pas déjà décrites ailleurs :
 * le marché et le lot étudiés (étude de faisabilité, calibrage, fiche visa) et
 * la notification du marché qui fait d'un lot une clause active. La clause
 * elle-même reste décrite par ClauseRecordSchema, les relevés par
 * ReportLineSchema : ces schémas sont la seule définition des fiches.
 */
import { z } from 'zod/v4';

import type { FieldLabels } from '../anomalies';
import { buildKeyIndex } from '../keys';
import type { RecordReader } from '../records';
import { CLAUSE_LABELS, CLAUSE_READER, ClauseRecordFields, ReportLineFields } from './follow-up';
import { amount, decimal, email, fieldIssue, isoDate, optional, siret, text } from './primitives';

/** Paramètre utilisé par le calibrage, avec son origine et sa source (gardé pour la traçabilité). */
const UsedParameterSchema = z.object({
	libelle: z.string(),
	valeur: z.number(),
	unite: z.string(),
	origine: z.string(),
	source: z.string().optional(),
});

/** Ce que le calibrage d'un lot laisse au registre : les heures, leur formule et leurs sources. */
export const LotCalibrationSchema = z.object({
	heures: z.number().min(0),
	heuresCalculees: z.number().optional(),
	methode: z.string(),
	methodeLibelle: z.string(),
	formule: z.string(),
	plancher: z.number().optional(),
	sousPlancher: z.boolean().optional(),
	parametres: z.record(z.string(), UsedParameterSchema).optional(),
});

/** Ce que l'étude de faisabilité d'un lot laisse au registre : décision, mécanismes, heures et leur origine. */
export const LotStudySchema = z.object({
	decision: z.enum(['clause', 'pasDeClause']),
	decisionLibelle: z.string(),
	mecanismes: z.array(z.object({ code: z.string(), libelle: z.string(), base: z.string(), option: z.boolean(), motif: z.string().optional() })),
	raisons: z.array(z.object({ code: z.string(), libelle: z.string() })).optional(),
	considerationsSociales: z.array(z.string()).optional(),
	heuresRetenues: z.number().min(0),
	origineHeures: z.string(),
	justification: z.string(),
	dateEtude: z.string(),
	facilitateur: z.object({ nom: z.string(), structure: z.string().optional(), email: z.string().optional(), telephone: z.string().optional() }).nullable().optional(),
});

export const VISA_DECISIONS = ['VISÉ', 'À COMPLÉTER', 'REFUSÉ'] as const;

/** Décision de la fiche visa, portée sur chacun de ses lots. */
export const LotVisaSchema = z.object({
	decision: z.enum(VISA_DECISIONS),
	date: isoDate(),
	anomalies: z.number().int().min(0),
	refus: z.number().int().min(0),
	aCompleter: z.number().int().min(0),
	observations: z.number().int().min(0),
	resume: z.string().optional(),
	fichier: z.string().optional(),
});

/** Fiche « lot » du registre : le lot tel qu'étudié, calibré et visé. */
export const LotRecordSchema = z.object({
	marche: text({ max: 200 }),
	lot: text({ max: 100 }),
	objet: optional(text({ max: 500 })),
	intitule: optional(text({ max: 500 })),
	nature: optional(text({ max: 100 })),
	montantHT: optional(amount()),
	dureeMois: optional(decimal({ min: 0 })),
	lieuExecution: optional(text({ max: 200 })),
	/** Heures d'insertion à inscrire au contrat, avec leur formule et leur source. */
	heures: z.number().min(0).optional(),
	formuleHeures: z.string().optional(),
	sourceHeures: z.string().optional(),
	calibrage: LotCalibrationSchema.optional(),
	etude: LotStudySchema.optional(),
	visa: LotVisaSchema.optional(),
});

export type LotRecord = z.output<typeof LotRecordSchema>;
export type LotStudy = z.output<typeof LotStudySchema>;
export type LotCalibration = z.output<typeof LotCalibrationSchema>;
export type LotVisa = z.output<typeof LotVisaSchema>;

/** Fiche « marché » du registre. */
export const MarketRecordSchema = z.object({
	marche: text({ max: 200 }),
	objet: optional(text({ max: 500 })),
	nature: optional(text({ max: 100 })),
	montantHT: optional(amount()),
	lots: z.array(z.string()),
});

export type MarketRecord = z.output<typeof MarketRecordSchema>;

/**
 * La notification d'un marché, pour un lot : ce qui manque au lot étudié pour
 * devenir une clause active. Les heures, le facilitateur, l'objet… sont repris
 * du lot quand ils ne sont pas donnés ; une valeur donnée l'emporte.
 */
export const NotificationSchema = z.object({
	marche: text({ max: 200 }),
	lot: text({ max: 100 }),
	dateNotification: isoDate(),
	titulaire: text({ max: 300 }),
	siret: siret(),
	emailTitulaire: email(),
	contactTitulaire: optional(text({ max: 200 })),
	debutExecution: isoDate(),
	finExecution: isoDate(),
	acheteur: text({ max: 200 }),
	emailAcheteur: email(),
	facilitateur: optional(text({ max: 200 })),
	emailFacilitateur: optional(email()),
	/** 0 h : clause qui ne porte que des engagements (voir isCommitmentsOnly). */
	heuresDues: optional(decimal({ min: 0, unit: 'h', example: '420' })),
});

export type Notification = z.output<typeof NotificationSchema>;

export const NOTIFICATION_LABELS: FieldLabels = { ...CLAUSE_LABELS, dateNotification: 'date de notification' };

export const NOTIFICATION_READER: RecordReader<typeof NotificationSchema> = {
	schema: NotificationSchema,
	labels: NOTIFICATION_LABELS,
	keys: buildKeyIndex([...Object.keys(NotificationSchema.shape)], { dateNotification: ['date de notification', 'notifié le', 'date de notification du marché'] }, NOTIFICATION_LABELS),
};

/** Intitulés acceptés pour les colonnes du registre, date de notification comprise. */
export const REGISTER_CLAUSE_KEYS = (() => {
	const index = new Map(CLAUSE_READER.keys);
	for (const [token, field] of buildKeyIndex(['dateNotification'], { dateNotification: ['date de notification', 'notifié le'] }, { dateNotification: 'date de notification' })) {
		if (!index.has(token)) index.set(token, field);
	}
	return index;
})();

// --- Paramètres du nœud « Registre des clauses » ---

export const RegisterPeriodSchema = z.object({ debut: isoDate(), fin: isoDate(), facilitateur: optional(text({ max: 200 })) }).superRefine((p, ctx) => {
	if (p.fin < p.debut) fieldIssue(ctx, 'fin', 'fin de la période antérieure à son début', 'Saisissez une fin postérieure au début (AAAA-MM-JJ).', 'registre.periode');
});

export const RegisterExportSchema = z.object({
	par: z.enum(['facilitateur', 'acheteur']),
	nom: optional(text({ max: 200 })),
	dateExport: isoDate(),
	motDePasse: z.string(),
	binaryOutput: text({ max: 100 }),
});

/** « Anonymiser les relevés échus » : durée de conservation, date de référence, aperçu ou application. */
export const RegisterRetentionSchema = z.object({
	conservationMois: decimal({ min: 1, max: 600, integer: true, unit: 'mois', example: '60' }),
	dateReference: isoDate(),
	mode: z.enum(['apercu', 'appliquer']),
});

export const RegisterClauseRefSchema = z.object({ marche: text({ max: 200 }), lot: text({ max: 100 }), motif: optional(text({ max: 500 })) });

export const REGISTER_PARAMETER_LABELS: FieldLabels = {
	debut: 'début de la période',
	fin: 'fin de la période',
	facilitateur: 'facilitateur',
	par: 'un classeur par',
	nom: 'nom',
	dateExport: 'date de l’export',
	motDePasse: 'mot de passe de protection',
	binaryOutput: 'champ binaire de sortie',
	marche: 'marché',
	lot: 'lot',
	motif: 'motif de l’archivage',
	conservationMois: 'durée de conservation (mois)',
	dateReference: 'date de référence',
	mode: 'mode',
};

/**
 * Fiches relues au registre des clauses (voir storedRecord). Validées à leur
 * écriture, elles sont relues pour leur forme : les champs dont le code se
 * sert, de leur type, sans rejouer les règles de saisie (longueurs, bornes).
 * Toutes leurs clés sont gardées : une fiche écrite par une version plus
 * récente peut porter des champs que ce code ne connaît pas, qu'une fusion de
 * fiches (notification, import, étude, fiche visa) ne doit pas perdre.
 */
export const StoredClauseSchema = ClauseRecordFields.extend({ dateNotification: optional(isoDate()) }).loose();
/** Fiche « lot » : le lot d'une fiche visa peut porter un intitulé ou un montant que la saisie d'une étude refuserait. */
export const StoredLotSchema = LotRecordSchema.extend({
	marche: z.string(),
	lot: z.string(),
	objet: z.string().optional(),
	intitule: z.string().optional(),
	nature: z.string().optional(),
	montantHT: z.number().optional(),
	dureeMois: z.number().optional(),
	lieuExecution: z.string().optional(),
}).loose();
/** Fiche « marché » : reprise de la feuille « Marchés » ou des données essentielles, elle n'a pas toujours la liste de ses lots. */
export const StoredMarketSchema = z.looseObject({
	marche: z.string(),
	objet: z.string().optional(),
	nature: z.string().optional(),
	montantHT: z.number().optional(),
	lots: z.array(z.string()).optional(),
});
export const StoredReportLineSchema = ReportLineFields.loose();
/** Toute autre fiche : un objet, toutes ses clés gardées. */
export const StoredFieldsSchema = z.record(z.string(), z.unknown());

export type StoredClause = z.output<typeof StoredClauseSchema>;
export type StoredLot = z.output<typeof StoredLotSchema>;
export type StoredMarket = z.output<typeof StoredMarketSchema>;
export type StoredReportLine = z.output<typeof StoredReportLineSchema>;
