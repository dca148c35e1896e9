/**
 * Deux fiches du registre, versionnées comme les autres :
 * - le groupe de mutualisation (guichet unique) : les clauses d'un même
 *   titulaire dont les heures d'insertion sont mises en commun, quand le CCAP
 *   le permet (Avise, ARF et Caisse des Dépôts, « Intégration des clauses
 *   sociales dans la commande publique des Conseils régionaux », 2014,
 *   pratique de la Région Bretagne ; Villes et Territoires Languedoc-Roussillon,
 *   fiche n° 8 « clauses sociales », 2016 ; Avise, « Prestations
 *   intellectuelles et clauses sociales d'insertion », 2013, Conseil général
 *   de la Gironde) ;
 * - les entreprises intervenantes d'une clause (sous-traitants, cotraitants,
 *   SIAE mettant du personnel à disposition), d'après le tableau remis aux
 *   titulaires qui sous-traitent (même guide de 2014, pratique de la Région
 *   Picardie).
 */
import { z } from 'zod/v4';

import type { FieldLabels } from '../anomalies';
import { fieldIssue, isoDate, optional, percent, siret, text, tolerantEnum } from './primitives';

export const POOL_SCOPES = {
	acheteur: { libelle: 'Marchés d\u2019un même acheteur', synonymes: ['acheteur', 'même acheteur', 'un acheteur'] },
	facilitateur: {
		libelle: 'Marchés d\u2019acheteurs qui partagent un facilitateur (guichet unique)',
		synonymes: ['facilitateur', 'guichet unique', 'guichet unique territorial', 'plusieurs acheteurs'],
	},
} as const;
export type PoolScope = keyof typeof POOL_SCOPES;

const ClauseRefSchema = z.object({ marche: text({ max: 200 }), lot: text({ max: 100 }) });

/** Fiche « mutualisation » : un groupe de clauses d'un même titulaire, aux heures mises en commun. */
export const PoolRecordSchema = z
	.object({
		groupe: text({ max: 100 }),
		libelle: optional(text({ max: 300 })),
		perimetre: tolerantEnum(POOL_SCOPES, 'un périmètre de mutualisation'),
		/** Stipulation qui autorise la mise en commun (article du CCAP de chaque marché). */
		fondement: text({ max: 300 }),
		clauses: z.array(ClauseRefSchema),
	})
	.superRefine((pool, ctx) => {
		if (pool.clauses.length < 2) {
			fieldIssue(ctx, 'clauses', `${pool.clauses.length} clause dans le groupe : une mutualisation met en commun les heures d\u2019au moins deux marchés`, 'Ajoutez au groupe au moins deux clauses (marché et lot) du même titulaire.', 'mutualisation.deuxClauses');
		}
	});
export type PoolRecord = z.output<typeof PoolRecordSchema>;

export const POOL_LABELS: FieldLabels = {
	groupe: 'identifiant du groupe',
	libelle: 'libellé du groupe',
	perimetre: 'périmètre de la mutualisation',
	fondement: 'article du CCAP qui permet la mutualisation',
	clauses: 'clauses du groupe',
	marche: 'marché',
	lot: 'lot',
};

export const INTERVENANT_ROLES = {
	sousTraitant: { libelle: 'Sous-traitant', synonymes: ['sous traitant', 'sous-traitance'] },
	coTraitant: { libelle: 'Cotraitant', synonymes: ['co-traitant', 'cotraitance', 'membre du groupement'] },
	miseADisposition: {
		libelle: 'SIAE mettant du personnel à disposition',
		synonymes: ['mise à disposition', 'mise a disposition', 'SIAE', 'AI', 'ETTI', 'GEIQ', 'association intermédiaire'],
	},
} as const;
export type IntervenantRole = keyof typeof INTERVENANT_ROLES;

export const IntervenantSchema = z
	.object({
		nom: text({ max: 300 }),
		siret: siret(),
		role: tolerantEnum(INTERVENANT_ROLES, 'un rôle d\u2019entreprise intervenante'),
		/** Période d'intervention : ses lignes ne sont attendues que pendant cette période. */
		debut: optional(isoDate()),
		fin: optional(isoDate()),
	})
	.superRefine((i, ctx) => {
		if (i.debut && i.fin && i.fin < i.debut) {
			fieldIssue(ctx, 'fin', 'fin d\u2019intervention antérieure au début', 'Corrigez les dates d\u2019intervention.', 'intervenant.dates');
		}
	});
export type Intervenant = z.output<typeof IntervenantSchema>;

/** Fiche « intervenants » d'une clause : les entreprises déclarées qui emploient des personnes en insertion. */
export const IntervenantsRecordSchema = z.object({
	marche: text({ max: 200 }),
	lot: text({ max: 100 }),
	intervenants: z.array(IntervenantSchema),
});
export type IntervenantsRecord = z.output<typeof IntervenantsRecordSchema>;

export const INTERVENANT_LABELS: FieldLabels = {
	marche: 'marché',
	lot: 'lot',
	intervenants: 'entreprises intervenantes',
	nom: 'raison sociale',
	siret: 'SIRET',
	role: 'rôle',
	debut: 'début d\u2019intervention',
	fin: 'fin d\u2019intervention',
};

/** Paramètres des vues « Situation des groupes de mutualisation » et « Heures par employeur ». */
export const PoolViewSettingsSchema = z.object({
	dateReference: isoDate(),
	facilitateur: optional(text({ max: 200 })),
	acheteur: optional(text({ max: 200 })),
	/** Même tolérance que la relance mensuelle (10 % des heures dues par défaut). */
	toleranceRetard: percent().default(10),
});

export const POOL_VIEW_LABELS: FieldLabels = {
	dateReference: 'date de référence',
	facilitateur: 'facilitateur',
	acheteur: 'acheteur',
	toleranceRetard: 'tolérance de retard (%)',
};
