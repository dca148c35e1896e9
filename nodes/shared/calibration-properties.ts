/**
 * Paramètres de calibrage communs aux nœuds « Calibrage des heures » et
 * « Étude de faisabilité ». Les valeurs par défaut (littérales, comme l'exige le
 * linter de n8n) reprennent celles du référentiel (nodes/core/referential.ts,
 * sources citées) ; test/nodes/calibration.node.test.ts vérifie que les
 * descriptions des deux nœuds restent identiques au référentiel.
 */
import type { INodeProperties } from 'n8n-workflow';

import { CALIBRATION_METHODS, compareFrench } from '../core';

export const METHOD_PROPERTY: INodeProperties = {
	displayName: 'Méthode',
	name: 'methode',
	type: 'options',
	default: 'auto',
	description: 'Formule de calcul des heures d\u2019insertion',
	options: [
		{
			name: 'Heures par euro facturé',
			value: 'parEuroFacture',
			description: 'Maîtrise d\u2019œuvre : montant facturé ÷ euros par heure',
		},
		{
			name: 'Part des heures du marché',
			value: 'partHeuresMarche',
			description: 'Prestations intellectuelles : heures du marché × part réservée',
		},
		{
			name: 'Propreté avec reprise du personnel',
			value: 'proprete',
			description: 'Formule Inserpropre de la branche propreté',
		},
		{
			name: 'Selon le lot (automatique)',
			value: 'auto',
			description: 'Champ « methode » du lot, sinon déduite de sa nature et de ses champs',
		},
		{
			name: 'Standard',
			value: 'standard',
			description: 'Montant HT × taux de main-d\u2019œuvre × taux d\u2019insertion ÷ coût horaire',
		},
		{
			name: 'Volume annuel fixe',
			value: 'volumeAnnuel',
			description: 'DSP, marché de partenariat : heures par an × durée',
		},
	],
};

/** Sous-titre du nœud : le libellé français de la méthode choisie, jamais sa valeur interne. */
export const METHOD_SUBTITLE = `={{ ${JSON.stringify(
	Object.fromEntries(Object.entries(CALIBRATION_METHODS).map(([key, m]) => [key, `Méthode : ${m.court}`])),
)}[$parameter["methode"]] ?? "Méthode selon le lot" }}`;

export const MAIN_CALIBRATION_PROPERTIES: INodeProperties[] = [
	{
		displayName: 'Taux d\u2019insertion (%)',
		name: 'tauxInsertion',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 0, maxValue: 100 },
		description:
			'Part des heures de main-d\u2019œuvre réservée à l\u2019insertion. Par défaut 5 % : taux retenu par l\u2019ANRU (Avise, ARF et Caisse des Dépôts, « Intégration des clauses sociales dans la commande publique des Conseils régionaux », 2014) ; 10 % observé dans certaines opérations.',
	},
	{
		displayName: 'Coût horaire (€/h)',
		name: 'coutHoraire',
		type: 'number',
		default: 30,
		typeOptions: { minValue: 0 },
		description:
			'Coût d\u2019une heure de main-d\u2019œuvre. Par défaut 30 €/h : exemple de la Maison de l\u2019emploi Sud 77 (fourchette 25–30 €/h ; INSEE 2012 : 33,7 €/h).',
	},
	{
		displayName: 'Plancher d\u2019heures',
		name: 'plancherHeures',
		type: 'number',
		default: 35,
		typeOptions: { minValue: 0 },
		description:
			'En deçà, aucune heure n\u2019est retenue. Par défaut 35 h (Alliance Villes Emploi) ; chaque territoire fixe le sien (70 à 150 h).',
	},
];

/** Options du calibrage, triées par libellé (convention n8n). */
export const CALIBRATION_OPTIONS: INodeProperties[] = [
	{
		displayName: 'Arrondi',
		name: 'arrondi',
		type: 'options',
		default: 'plusProche',
		options: [
			{ name: 'Au plus proche', value: 'plusProche' },
			{ name: 'Au supérieur', value: 'superieur' },
			{ name: 'À l\u2019inférieur', value: 'inferieur' },
		],
		description: 'Sens de l\u2019arrondi des heures (au plus proche : demi vers le haut)',
	},
	{
		displayName: 'Arrondir au multiple de (h)',
		name: 'pasArrondi',
		type: 'number',
		default: 1,
		description: 'Heures arrondies à 1 h, 5 h, 10 h… (les facilitateurs arrondissent souvent à la dizaine)',
	},
	{
		displayName: 'Chiffre d\u2019affaires par heure, prestations intellectuelles (€/h)',
		name: 'coutHorairePrestationIntellectuelle',
		type: 'number',
		default: 40,
		description:
			'Pour estimer les heures d\u2019un marché de prestations intellectuelles. Par défaut 40 €/h, déduit des cas de la CUB (Avise, « Prestations intellectuelles et clauses sociales d\u2019insertion », 2013).',
	},
	{
		displayName: 'Coût horaire propreté, C (€/h)',
		name: 'coutHoraireProprete',
		type: 'number',
		default: 25,
		description: 'Formule Inserpropre. Par défaut 25 (80 % de main-d\u2019œuvre à 20 €/h).',
	},
	{
		displayName: 'Euros facturés par heure d\u2019insertion',
		name: 'eurosParHeure',
		type: 'number',
		default: 1500,
		description: 'Maîtrise d\u2019œuvre. Par défaut 1 500 € : pratique de la Région Poitou-Charentes (Avise, ARF et Caisse des Dépôts, « Intégration des clauses sociales dans la commande publique des Conseils régionaux », 2014).',
	},
	{
		displayName: 'Heures d\u2019un ETP',
		name: 'heuresEtp',
		type: 'number',
		default: 1607,
		description: 'Par défaut 1 607 h : durée légale annuelle à temps plein (anciennement 1 820 h)',
	},
	{
		displayName: 'Heures d\u2019un mois à temps plein',
		name: 'heuresMoisTempsPlein',
		type: 'number',
		default: 151.67,
		description: 'Par défaut 151,67 h (35 h × 52 semaines ÷ 12)',
	},
	{
		displayName: 'Part des heures du marché (%)',
		name: 'partHeuresMarche',
		type: 'number',
		default: 15,
		description: 'Prestations intellectuelles. Par défaut 15 % : enquête de la CUB (Avise, « Prestations intellectuelles et clauses sociales d\u2019insertion », 2013).',
	},
	{
		displayName: 'Plancher propreté (h)',
		name: 'plancherProprete',
		type: 'number',
		default: 150,
		description: 'Formule Inserpropre. Par défaut 150 h : en deçà, pas de clause.',
	},
	{
		displayName: 'Référentiel des secteurs (JSON)',
		name: 'secteurs',
		type: 'json',
		default: '{}',
		description:
			'Secteurs ajoutés ou remplacés, par ex. {"electricite": {"libelle": "Électricité", "tauxMainOeuvre": 45, "source": "Étude 2025 du facilitateur", "cpv": ["4531"]}}.',
	},
	{
		displayName: 'Taux de main-d\u2019œuvre par défaut (%)',
		name: 'tauxMainOeuvre',
		type: 'number',
		default: 50,
		description:
			'Appliqué aux lots sans taux, sans secteur et sans code CPV reconnu par le référentiel. Proposé à 50 % : exemple de calcul de la Maison de l\u2019emploi Sud 77 (et maçonnerie / gros œuvre à 50 %).',
	},
	{
		displayName: 'Volume annuel (h/an)',
		name: 'volumeAnnuel',
		type: 'number',
		default: 1800,
		description: 'DSP, marché de partenariat. Par défaut 1 800 h/an : DSP d\u2019autocars de la Région Pays de la Loire (Avise, ARF et Caisse des Dépôts, « Intégration des clauses sociales dans la commande publique des Conseils régionaux », 2014).',
	},
];

/** Tous les paramètres de calibrage dans une seule collection (nœud « Étude de faisabilité »), triés par libellé. */
export const CALIBRATION_COLLECTION_OPTIONS: INodeProperties[] = [METHOD_PROPERTY, ...MAIN_CALIBRATION_PROPERTIES, ...CALIBRATION_OPTIONS].sort((a, b) =>
	compareFrench(a.displayName, b.displayName),
);
