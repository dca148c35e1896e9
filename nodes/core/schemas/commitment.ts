/**
 * Les autres considérations sociales (actions qualitatives, plan de progrès,
 * lutte contre l'illettrisme, égalité femmes-hommes, accueil de stagiaires…),
 * telles que l'étude les recommande : au registre, chacune est un
 * « engagement » du titulaire sur une clause, avec son indicateur, ses
 * échéances, les justificatifs reçus et les étapes du suivi (relance, mise en
 * demeure, pénalité). Ces schémas sont la seule définition de la fiche.
 *
 * Sources : Alliance Villes Emploi, « Diversification des achats socialement
 * responsables » (considérations sociales autres que les heures, indicateurs
 * de suivi, pénalités à prévoir en cas de non-réalisation) ; Code de la
 * commande publique, article L2112-2 (condition d'exécution à caractère social).
 */
import { z } from 'zod/v4';

import type { FieldLabels } from '../anomalies';
import { decimal, fieldIssue, isoDate, optional, text, tolerantEnum } from './primitives';

/** Natures d'engagement, avec les mots que les acheteurs emploient. */
export const COMMITMENT_TYPES = {
	actionQualitative: { libelle: 'action qualitative d’insertion', synonymes: ['action qualitative', 'action sociale', 'découverte des métiers', 'immersion'] },
	planProgres: { libelle: 'plan de progrès', synonymes: ['plan de progres', 'démarche de progrès'] },
	illettrisme: { libelle: 'lutte contre l’illettrisme', synonymes: ['illettrisme', 'clause illettrisme', 'formation aux savoirs de base'] },
	egaliteFemmesHommes: { libelle: 'égalité entre les femmes et les hommes', synonymes: ['égalité femmes-hommes', 'égalité F/H', 'égalité professionnelle', 'diversité'] },
	stagiaires: { libelle: 'accueil de stagiaires', synonymes: ['stagiaires', 'stages', 'apprentis', 'accueil de stagiaires ou d’apprentis'] },
} as const;

export type CommitmentType = keyof typeof COMMITMENT_TYPES;

/** Une échéance de l'engagement : un jalon où le titulaire justifie ce qu'il a fait. */
export const CommitmentDueDateSchema = z.object({
	date: isoDate(),
	libelle: optional(text({ max: 200 })),
	/** Valeur de l'indicateur attendue à cette échéance (cumul), si l'engagement se chiffre. */
	cible: optional(decimal({ min: 0, example: '3' })),
});

/** Un justificatif reçu : à quelle échéance il répond, sa date, la valeur atteinte. */
export const CommitmentProofSchema = z.object({
	echeance: isoDate(),
	dateReception: isoDate(),
	valeur: optional(decimal({ min: 0, example: '3' })),
	piece: optional(text({ max: 300 })),
	commentaire: optional(text({ max: 1000 })),
});

export const COMMITMENT_STEPS = ['relance', 'mise en demeure', 'pénalité'] as const;
export type CommitmentStepKind = (typeof COMMITMENT_STEPS)[number];

/** Une étape du suivi partie au titulaire (consignée après l'envoi). */
export const CommitmentStepSchema = z.object({
	echeance: isoDate(),
	etape: z.enum(COMMITMENT_STEPS),
	date: isoDate(),
	/** Mise en demeure : date limite donnée au titulaire. */
	dateLimite: isoDate().optional(),
	/** Pénalité : jours de retard décomptés et montant HT. */
	joursRetard: z.number().int().min(0).optional(),
	montant: z.number().min(0).optional(),
	messageId: z.string().optional(),
});

/** Ce qu'un utilisateur saisit pour déclarer un engagement (opération « Enregistrer un engagement »). */
export const CommitmentDeclarationSchema = z
	.object({
		marche: text({ max: 200 }),
		lot: text({ max: 100 }),
		numero: text({ max: 50 }),
		type: tolerantEnum(COMMITMENT_TYPES, 'une nature d’engagement'),
		libelle: text({ max: 500 }),
		indicateur: text({ max: 300 }),
		unite: optional(text({ max: 50 })),
		/** Liste d'objets { date, libelle, cible }, ou dates séparées par des points-virgules. */
		echeances: z.preprocess(
			(v) => (typeof v === 'string' ? v.split(/[;\n]/).map((d) => d.trim()).filter((d) => d !== '').map((date) => ({ date })) : v),
			z.array(CommitmentDueDateSchema),
		),
	})
	.superRefine((c, ctx) => {
		if (c.echeances.length === 0) {
			fieldIssue(ctx, 'echeances', 'aucune échéance', 'Donnez au moins une échéance (date AAAA-MM-JJ) à laquelle le titulaire justifie l’engagement : [{ "date": "2026-06-30", "libelle": "jalon de mi-parcours" }] ou des dates séparées par des points-virgules.', 'engagement.echeances');
		}
		const seen = new Set<string>();
		c.echeances.forEach((e, i) => {
			if (seen.has(e.date)) ctx.addIssue({ code: 'custom', path: ['echeances', i, 'date'], message: `échéance du ${e.date} donnée deux fois`, params: { correction: 'Gardez une seule ligne par date d’échéance.', regle: 'engagement.echeanceDouble' } });
			seen.add(e.date);
		});
	});

export type CommitmentDeclaration = z.output<typeof CommitmentDeclarationSchema>;

/** Fiche « engagement » du registre (versionnée : chaque justificatif, chaque étape est une nouvelle version). */
export const CommitmentRecordSchema = z.object({
	marche: z.string(),
	lot: z.string(),
	numero: z.string(),
	type: z.enum(Object.keys(COMMITMENT_TYPES) as [CommitmentType, ...CommitmentType[]]),
	libelle: z.string(),
	indicateur: z.string(),
	unite: z.string().optional(),
	echeances: z.array(z.object({ date: z.string(), libelle: z.string().optional(), cible: z.number().optional() })).min(1),
	/** D'où vient l'engagement : l'étude qui l'a recommandé, ou une saisie. */
	origine: z.string(),
	justificatifs: z.array(z.object({ echeance: z.string(), dateReception: z.string(), valeur: z.number().optional(), piece: z.string().optional(), commentaire: z.string().optional() })),
	etapes: z.array(CommitmentStepSchema),
});

export type CommitmentRecord = z.output<typeof CommitmentRecordSchema>;
export type CommitmentProof = CommitmentRecord['justificatifs'][number];
export type CommitmentStep = CommitmentRecord['etapes'][number];

/** Ce qu'un utilisateur saisit pour enregistrer un justificatif (opération « Enregistrer un justificatif »). */
export const CommitmentProofInputSchema = z.object({
	marche: text({ max: 200 }),
	lot: text({ max: 100 }),
	numero: text({ max: 50 }),
	...CommitmentProofSchema.shape,
});

/** Réglages du suivi des engagements : délais et montant de la pénalité (CCAP). */
export const CommitmentFollowUpSettingsSchema = z.object({
	dateSuivi: isoDate(),
	delaiRelanceJours: decimal({ min: 0, integer: true, unit: 'jours', example: '15' }),
	delaiMiseEnDemeureJours: decimal({ min: 1, integer: true, unit: 'jours', example: '15' }),
	penaliteJour: decimal({ min: 0, unit: '€ HT/jour', example: '100' }),
	sourcePenalite: text({ max: 500 }),
	envoyer: z.boolean(),
	facilitateur: optional(text({ max: 200 })),
});

export type CommitmentFollowUpSettings = z.output<typeof CommitmentFollowUpSettingsSchema>;

export const COMMITMENT_LABELS: FieldLabels = {
	marche: 'marché',
	lot: 'lot',
	numero: 'numéro de l’engagement',
	type: 'nature de l’engagement',
	libelle: 'libellé de l’engagement',
	indicateur: 'indicateur',
	unite: 'unité de l’indicateur',
	echeances: 'échéances',
	date: 'date de l’échéance',
	cible: 'valeur attendue',
	echeance: 'échéance justifiée',
	dateReception: 'date de réception du justificatif',
	valeur: 'valeur atteinte',
	piece: 'pièce justificative',
	commentaire: 'commentaire',
	dateSuivi: 'date du suivi',
	delaiRelanceJours: 'délai entre la relance et la mise en demeure',
	delaiMiseEnDemeureJours: 'délai laissé par la mise en demeure',
	penaliteJour: 'pénalité par jour de retard',
	sourcePenalite: 'source du montant de la pénalité',
	envoyer: 'envoyer',
	facilitateur: 'facilitateur',
};
