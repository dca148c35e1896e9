/**
 * Les données essentielles d'un marché public (DECP), format réglementaire
 * version 2.0 (arrêté du 22 décembre 2022 modifié relatif aux données
 * essentielles des marchés publics ; schéma de publication 2.0.3 du ministère
 * de l'Économie). Écrit à la main d'après la spécification : noms de champs,
 * valeurs admises, bornes et champs obligatoires sont les siens. Le fichier
 * publié regroupe les marchés sous `{ "marches": { "marche": [ … ] } }`.
 */
import { z } from 'zod/v4';

import type { FieldLabels } from '../anomalies';
import { isoDate, optional, siret, text } from './primitives';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const isoDay = () =>
	z.string().regex(DATE, { message: 'date attendue au format AAAA-MM-JJ' }).refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), {
		message: 'date inexistante',
	});

export const DECP_NATURES = ['Marché', 'Marché de partenariat', 'Marché de défense ou de sécurité'] as const;
export const DECP_PROCEDURES = [
	'Procédure adaptée',
	"Appel d'offres ouvert",
	"Appel d'offres restreint",
	'Procédure avec négociation',
	'Marché passé sans publicité ni mise en concurrence préalable',
	'Dialogue compétitif',
] as const;
export const DECP_TECHNIQUES = ['Accord-cadre', 'Concours', 'Système de qualification', "Système d'acquisition dynamique", 'Catalogue électronique', 'Enchère électronique', 'Sans objet'] as const;
export const DECP_MODALITES = ['Tranches', 'Bons de commande', 'Marchés subséquents', 'Sans objet'] as const;
export const DECP_CCAG = [
	'Travaux',
	"Maitrise d'œuvre",
	'Fournitures courantes et services',
	'Marchés industriels',
	'Prestations intellectuelles',
	"Techniques de l'information et de la communication",
	'Pas de CCAG',
] as const;
export const DECP_GROUPEMENTS = ['Conjoint', 'Solidaire', 'Pas de groupement'] as const;
export const DECP_TYPES_LIEU = ['Code postal', 'Code commune', 'Code arrondissement', 'Code canton', 'Code département', 'Code région', 'Code pays'] as const;
export const DECP_TYPES_PRIX = ['Définitif ferme', 'Définitif actualisable', 'Définitif révisable', 'Provisoire'] as const;
export const DECP_FORMES_PRIX = ['Unitaire', 'Forfaitaire', 'Mixte'] as const;
export const DECP_TYPES_IDENTIFIANT = ['SIRET', 'TVA', 'TAHITI', 'RIDET', 'FRWF', 'IREP', 'HORS-UE'] as const;
export const DECP_CONSIDERATIONS_SOCIALES = ['Clause sociale', 'Critère social', 'Marché réservé', 'Pas de considération sociale'] as const;
export const DECP_CONSIDERATIONS_ENVIRONNEMENTALES = ['Clause environnementale', 'Critère environnemental', 'Pas de considération environnementale'] as const;
export const DECP_VARIATIONS_PRIX = ['Ferme', 'Actualisable', 'Révisable'] as const;

/** Liste non vide, sans doublon (`uniqueItems` du schéma). */
function uniqueList<T extends z.ZodType>(item: T) {
	return z
		.array(item)
		.min(1)
		.refine((list) => new Set(list.map((v) => JSON.stringify(v))).size === list.length, { message: 'valeur en double dans la liste' });
}

const Operateur = z.object({ typeIdentifiant: z.enum(DECP_TYPES_IDENTIFIANT), id: z.string() });

export const DecpTitulaireSchema = z.object({ titulaire: Operateur });

const ActeSousTraitance = z.object({
	acteSousTraitance: z.object({
		id: z.number().int().min(1),
		sousTraitant: Operateur,
		dureeMois: z.number().int().min(1),
		dateNotification: isoDay(),
		datePublicationDonnees: isoDay(),
		montant: z.number().min(1),
		variationPrix: z.enum(DECP_VARIATIONS_PRIX),
	}),
});

const ModificationActeSousTraitance = z.object({
	modificationActeSousTraitance: z.object({
		id: z.number().int().min(1),
		dureeMois: z.number().int().min(1).optional(),
		dateNotificationModificationSousTraitance: isoDay(),
		montant: z.number().min(1).optional(),
		datePublicationDonnees: isoDay(),
	}),
});

const Modification = z.object({
	modification: z.object({
		id: z.number().int().min(1),
		dateNotificationModification: isoDay(),
		datePublicationDonneesModification: isoDay(),
		dureeMois: z.number().int().min(1).optional(),
		montant: z.number().min(1).optional(),
		titulaires: uniqueList(DecpTitulaireSchema).optional(),
	}),
});

/** Identifiant du marché : 1 à 16 caractères (ex. « 2026TRX01401 »). */
export const DECP_ID_MAX = 16;

export const DecpMarcheSchema = z
	.object({
		id: z.string().min(1).max(DECP_ID_MAX),
		acheteur: z.object({ id: z.string().regex(/^[0-9]{14}$/, { message: 'SIRET de 14 chiffres attendu' }) }),
		nature: z.enum(DECP_NATURES),
		objet: z.string().max(1000),
		codeCPV: z.string().regex(/^[0-9]{8}(-[0-9])?$/, { message: 'code CPV de 8 chiffres attendu (ex. 45210000)' }),
		techniques: z.object({ technique: uniqueList(z.enum(DECP_TECHNIQUES)) }),
		modalitesExecution: z.object({ modaliteExecution: uniqueList(z.enum(DECP_MODALITES)) }),
		idAccordCadre: z.string().min(1).max(DECP_ID_MAX).optional(),
		marcheInnovant: z.boolean(),
		ccag: z.enum(DECP_CCAG),
		offresRecues: z.number().int().min(1),
		attributionAvance: z.boolean(),
		tauxAvance: z.number().min(0).max(1).optional(),
		typeGroupementOperateurs: z.enum(DECP_GROUPEMENTS),
		sousTraitanceDeclaree: z.boolean(),
		actesSousTraitance: uniqueList(ActeSousTraitance).optional(),
		procedure: z.enum(DECP_PROCEDURES),
		lieuExecution: z.object({ code: z.string(), typeCode: z.enum(DECP_TYPES_LIEU) }),
		dureeMois: z.number().int().min(1),
		dateNotification: isoDay(),
		datePublicationDonnees: isoDay(),
		montant: z.number().min(1),
		typesPrix: z.object({ typePrix: uniqueList(z.enum(DECP_TYPES_PRIX)) }),
		formePrix: z.enum(DECP_FORMES_PRIX),
		origineUE: z.number().min(0).max(1).optional(),
		origineFrance: z.number().min(0).max(1).optional(),
		titulaires: uniqueList(DecpTitulaireSchema),
		considerationsSociales: z.object({ considerationSociale: uniqueList(z.enum(DECP_CONSIDERATIONS_SOCIALES)) }),
		considerationsEnvironnementales: z.object({ considerationEnvironnementale: uniqueList(z.enum(DECP_CONSIDERATIONS_ENVIRONNEMENTALES)) }),
		modificationsActesSousTraitance: uniqueList(ModificationActeSousTraitance).optional(),
		modifications: uniqueList(Modification).optional(),
	})
	.strict();

export type DecpMarche = z.output<typeof DecpMarcheSchema>;
export type DecpConsiderationSociale = (typeof DECP_CONSIDERATIONS_SOCIALES)[number];

/**
 * Ce qu'un acheteur peut donner pour un marché que le registre ne connaît pas
 * en entier (code CPV, procédure, offres reçues…) : les mêmes champs, tous
 * facultatifs, rattachés au marché et au lot du registre.
 */
export const DecpComplementSchema = DecpMarcheSchema.partial().extend({
	marche: z.string().trim().min(1),
	lot: z.string().trim().min(1).optional(),
});

export type DecpComplement = z.output<typeof DecpComplementSchema>;

/** Valeurs communes à tous les marchés exportés, faute de mieux (paramètres du nœud). */
export const DecpDefaultsSchema = DecpMarcheSchema.pick({
	nature: true,
	codeCPV: true,
	techniques: true,
	modalitesExecution: true,
	marcheInnovant: true,
	ccag: true,
	attributionAvance: true,
	typeGroupementOperateurs: true,
	sousTraitanceDeclaree: true,
	procedure: true,
	lieuExecution: true,
	typesPrix: true,
	formePrix: true,
	considerationsEnvironnementales: true,
}).partial();

export type DecpDefaults = z.output<typeof DecpDefaultsSchema>;

export const DECP_LABELS: FieldLabels = {
	id: 'identifiant du marché (DECP)',
	acheteur: 'acheteur',
	'acheteur.id': 'SIRET de l\u2019acheteur',
	nature: 'nature (DECP)',
	objet: 'objet du marché',
	codeCPV: 'code CPV',
	techniques: 'techniques d\u2019achat',
	'techniques.technique': 'techniques d\u2019achat',
	modalitesExecution: 'modalités d\u2019exécution',
	'modalitesExecution.modaliteExecution': 'modalités d\u2019exécution',
	idAccordCadre: 'identifiant de l\u2019accord-cadre',
	marcheInnovant: 'marché innovant',
	ccag: 'CCAG de référence',
	offresRecues: 'nombre d\u2019offres reçues',
	attributionAvance: 'avance attribuée',
	tauxAvance: 'taux de l\u2019avance',
	typeGroupementOperateurs: 'type de groupement d\u2019opérateurs',
	sousTraitanceDeclaree: 'sous-traitance déclarée',
	actesSousTraitance: 'actes de sous-traitance',
	procedure: 'procédure de passation',
	lieuExecution: 'lieu d\u2019exécution',
	'lieuExecution.code': 'code du lieu d\u2019exécution',
	'lieuExecution.typeCode': 'type de code du lieu d\u2019exécution',
	dureeMois: 'durée en mois',
	dateNotification: 'date de notification',
	datePublicationDonnees: 'date de publication des données',
	montant: 'montant HT',
	typesPrix: 'types de prix',
	'typesPrix.typePrix': 'types de prix',
	formePrix: 'forme du prix',
	origineUE: 'part des produits de l\u2019Union européenne',
	origineFrance: 'part des produits français',
	titulaires: 'titulaires',
	considerationsSociales: 'considérations sociales',
	'considerationsSociales.considerationSociale': 'considérations sociales',
	considerationsEnvironnementales: 'considérations environnementales',
	'considerationsEnvironnementales.considerationEnvironnementale': 'considérations environnementales',
	modificationsActesSousTraitance: 'modifications des actes de sous-traitance',
	modifications: 'modifications',
	marche: 'marché',
	lot: 'lot',
};

// --- Paramètres des opérations DECP du nœud « Registre des clauses » ---

export const DecpExportParametersSchema = z.object({
	acheteurSiret: siret(),
	acheteur: optional(text({ max: 200 })),
	notifiesDepuis: optional(isoDate()),
	datePublication: isoDate(),
	binaryOutput: text({ max: 100 }),
});

export const DecpImportParametersSchema = z.object({ acheteurSiret: siret(), binaryPropertyName: text({ max: 100 }) });

export const DECP_PARAMETER_LABELS: FieldLabels = {
	acheteurSiret: 'SIRET de l\u2019acheteur',
	acheteur: 'acheteur (service au registre)',
	notifiesDepuis: 'marchés notifiés à partir du',
	datePublication: 'date de publication des données',
	binaryOutput: 'champ binaire de sortie',
	binaryPropertyName: 'champ binaire du fichier',
	...DECP_LABELS,
};
