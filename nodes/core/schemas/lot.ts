/**
 * Le lot d'un marché, tel qu'il entre dans l'étude de faisabilité et le
 * calibrage. Source unique de vérité : le type TypeScript en est déduit.
 */
import { z } from 'zod/v4';

import type { FieldLabels } from '../anomalies';
import { buildKeyIndex } from '../keys';
import type { RecordReader } from '../records';
import { amount, decimal, enumList, optional, percent, text, tolerantEnum, yesNo } from './primitives';

export const NATURES = {
	travaux: { libelle: 'Travaux', synonymes: ['travail', 'BTP'] },
	services: { libelle: 'Services', synonymes: ['service', 'prestations de services'] },
	fournitures: { libelle: 'Fournitures', synonymes: ['fourniture', 'achat de fournitures'] },
	prestationsIntellectuelles: {
		libelle: 'Prestations intellectuelles',
		synonymes: ['PI', 'prestation intellectuelle', 'études', 'maîtrise d\u2019œuvre', "maitrise d'oeuvre"],
	},
	dsp: { libelle: 'Délégation de service public', synonymes: ['DSP', 'concession', 'délégation'] },
	ppp: { libelle: 'Marché de partenariat', synonymes: ['PPP', 'partenariat public-privé', 'partenariat'] },
} as const;
export type Nature = keyof typeof NATURES;

export const CALIBRATION_METHODS = {
	standard: {
		libelle: 'Standard (montant × main-d\u2019œuvre × insertion ÷ coût horaire)',
		court: 'formule standard',
		synonymes: ['standard', 'classique', 'taux'],
	},
	partHeuresMarche: {
		libelle: 'Part des heures du marché',
		court: 'part des heures du marché',
		synonymes: ['part des heures', 'pourcentage des heures', 'heures du marché'],
	},
	volumeAnnuel: {
		libelle: 'Volume annuel fixe (DSP, marché de partenariat)',
		court: 'volume annuel fixe',
		synonymes: ['volume annuel', 'volume fixe', 'forfait annuel'],
	},
	parEuroFacture: {
		libelle: 'Heures par euro facturé (maîtrise d\u2019œuvre)',
		court: 'heures par euro facturé',
		synonymes: ['par euro facturé', 'euros facturés', 'honoraires'],
	},
	proprete: {
		libelle: 'Propreté avec reprise du personnel (Inserpropre)',
		court: 'formule Inserpropre',
		synonymes: ['Inserpropre', 'propreté', 'nettoyage', 'reprise du personnel'],
	},
} as const;
export type CalibrationMethod = keyof typeof CALIBRATION_METHODS;

/** Structures d'insertion ou adaptées présentes sur le territoire (marché réservé, sous-traitance). */
export const STRUCTURE_TYPES = {
	EI: { libelle: 'Entreprise d\u2019insertion (EI)', synonymes: ['entreprise d\'insertion'] },
	AI: { libelle: 'Association intermédiaire (AI)', synonymes: ['association intermédiaire'] },
	ACI: { libelle: 'Atelier et chantier d\u2019insertion (ACI)', synonymes: ['atelier chantier d\'insertion', 'chantier d\'insertion'] },
	ETTI: { libelle: 'Entreprise de travail temporaire d\u2019insertion (ETTI)', synonymes: ['travail temporaire d\'insertion'] },
	GEIQ: { libelle: 'Groupement d\u2019employeurs pour l\u2019insertion et la qualification (GEIQ)', synonymes: [] },
	EA: { libelle: 'Entreprise adaptée (EA)', synonymes: ['entreprise adaptée', 'EATT'] },
	ESAT: { libelle: 'Établissement et service d\u2019aide par le travail (ESAT)', synonymes: [] },
	regieQuartier: { libelle: 'Régie de quartier', synonymes: ['régie de quartier', 'régies de quartier'] },
	detention: {
		libelle: 'Opérateur employant des personnes détenues (travail pénitentiaire)',
		synonymes: ['personnes détenues', 'détenus', 'travail pénitentiaire', 'travail en détention', 'établissement pénitentiaire', 'concessionnaire pénitentiaire', 'ATIGIP'],
	},
} as const;
export type StructureType = keyof typeof STRUCTURE_TYPES;

const positiveRate = () => decimal({ min: 0, exclusiveMin: true, unit: '€/h', example: '30' });

export const LotSchema = z.object({
	marche: optional(text({ max: 200 })),
	objet: optional(text({ max: 500 })),
	lot: text({ max: 100 }),
	intitule: optional(text({ max: 500 })),
	nature: tolerantEnum(NATURES, 'une nature de marché'),
	/** Facultatif pour les méthodes qui ne s'en servent pas (heures du marché, volume annuel, montant facturé). */
	montantHT: optional(amount('montantLot')),
	dureeMois: optional(decimal({ min: 0, exclusiveMin: true, unit: 'mois', example: '24' })),
	cpv: optional(text({ max: 20 })),
	secteur: optional(text({ max: 200 })),
	lieuExecution: optional(text({ max: 200 })),
	tauxMainOeuvre: optional(percent()),
	tauxInsertion: optional(percent()),
	coutHoraire: optional(positiveRate()),
	methode: optional(tolerantEnum(CALIBRATION_METHODS, 'une méthode de calibrage')),
	heuresMarche: optional(decimal({ min: 0, unit: 'h', example: '24 000' })),
	partHeuresMarche: optional(percent()),
	volumeAnnuel: optional(decimal({ min: 0, unit: 'h/an', example: '1 800' })),
	montantFacture: optional(amount()),
	eurosParHeure: optional(positiveRate()),
	repriseDuPersonnel: optional(yesNo()),
	heuresMensuellesTransferees: optional(decimal({ min: 0, unit: 'h/mois', example: '500' })),
	plancherHeures: optional(decimal({ min: 0, unit: 'h', example: '70' })),
	offreSiae: optional(enumList(STRUCTURE_TYPES, 'un type de structure')),
	facilitateur: optional(text({ max: 200 })),
});

export type Lot = z.output<typeof LotSchema>;
export type LotInput = z.input<typeof LotSchema>;

export const LOT_LABELS: FieldLabels = {
	marche: 'marché',
	objet: 'objet du marché',
	lot: 'numéro du lot',
	intitule: 'intitulé du lot',
	nature: 'nature',
	montantHT: 'montant HT',
	dureeMois: 'durée (mois)',
	cpv: 'code CPV',
	secteur: 'secteur',
	lieuExecution: 'lieu d\u2019exécution',
	tauxMainOeuvre: 'taux de main-d\u2019œuvre (%)',
	tauxInsertion: 'taux d\u2019insertion (%)',
	coutHoraire: 'coût horaire (€/h)',
	methode: 'méthode de calibrage',
	heuresMarche: 'heures totales du marché',
	partHeuresMarche: 'part des heures du marché (%)',
	volumeAnnuel: 'volume annuel (h/an)',
	montantFacture: 'montant facturé HT',
	eurosParHeure: 'euros facturés par heure',
	repriseDuPersonnel: 'reprise du personnel',
	heuresMensuellesTransferees: 'heures mensuelles du personnel repris',
	plancherHeures: 'plancher d\u2019heures',
	offreSiae: 'structures d\u2019insertion ou adaptées du territoire',
	facilitateur: 'facilitateur',
};

/** Autres intitulés de colonnes acceptés (tableurs, formulaires), comparés sans accents ni casse. */
export const LOT_ALIASES: Record<string, string[]> = {
	marche: ['n° marché', 'numéro de marché', 'référence du marché', 'marché'],
	lot: ['n° lot', 'numéro de lot', 'numéro du lot', 'lot n°'],
	objet: ['objet du marché', 'objet de la consultation'],
	intitule: ['intitulé', 'intitulé du lot', 'objet du lot', 'désignation', 'désignation du lot', 'libellé'],
	montantHT: ['montant HT', 'montant estimé HT', 'montant (€ HT)', 'montant € HT', 'montant'],
	dureeMois: ['durée (mois)', 'durée en mois', 'durée'],
	cpv: ['code CPV', 'CPV'],
	lieuExecution: ["lieu d'exécution", 'territoire', 'lieu'],
	tauxMainOeuvre: ["taux de main-d'œuvre", "taux de main d'oeuvre", "part de main-d'œuvre", 'main-d\u2019œuvre (%)'],
	tauxInsertion: ["taux d'insertion", "taux d'insertion (%)"],
	coutHoraire: ['coût horaire', 'coût horaire (€/h)'],
	methode: ['méthode', 'méthode de calibrage'],
	repriseDuPersonnel: ['reprise du personnel', 'transfert de personnel'],
	heuresMensuellesTransferees: ['heures mensuelles du personnel repris', 'heures mensuelles transférées'],
	heuresMarche: ['heures du marché', 'heures totales du marché'],
	partHeuresMarche: ['part des heures du marché', 'part des heures'],
	offreSiae: ['offre SIAE', 'offre SIAE du territoire', 'SIAE du territoire', 'structures du territoire', 'offre d\'insertion locale'],
}

/** Lecteur de lots : schéma, libellés et intitulés de colonnes acceptés. */
export const LOT_READER: RecordReader<typeof LotSchema> = {
	schema: LotSchema,
	labels: LOT_LABELS,
	keys: buildKeyIndex(Object.keys(LotSchema.shape), LOT_ALIASES, LOT_LABELS),
};
