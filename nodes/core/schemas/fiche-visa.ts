/**
 * La fiche visa : la liste de contrôle qu'un service remplit avant le lancement
 * d'une consultation (Avise, ARF et Caisse des Dépôts, « Intégration des clauses
 * sociales dans la commande publique des Conseils régionaux », 2014, pratique de
 * la Région Lorraine : « des fiches visas
 * qui permettent de vérifier un ensemble de données avant de lancer
 * officiellement les consultations », avec un item développement durable dont
 * la sous-catégorie « clauses sociales » confirme que l'étude de faisabilité a
 * eu lieu, que le marché comporte une clause ou non).
 *
 * Aucun modèle public n'existe : ce schéma le définit. Il est la source unique
 * de vérité : le formulaire Excel (adapters/excel/fiche-visa-template.ts), la
 * lecture des éléments JSON et les messages en sont déduits. Chaque champ porte
 * ses métadonnées (`.meta()`) : libellé, rubrique, type de saisie, aide.
 */
import { z } from 'zod/v4';

import type { FieldLabels } from '../anomalies';
import { DECP_CONSIDERATIONS, MECHANISMS } from '../feasibility';
import { buildKeyIndex } from '../keys';
import type { KeyIndex } from '../keys';
import { quote } from '../format';
import { NATURES } from './lot';
import { amount, decimal, email, enumList, isoDate, optional, text, tolerantEnum, yesNo } from './primitives';

/** Version du formulaire : une fiche d'une autre version est refusée avec un message clair. */
export const FICHE_VISA_VERSION = '2026.2';
/**
 * Versions antérieures encore lues, avec les champs et les colonnes de la
 * feuille « Lots » qu'elles n'avaient pas (2026.2 ajoute le cas d'exemption de
 * l'article L2112-2-1 et distingue la condition d'exécution et le critère
 * environnementaux) : une fiche déjà remplie reste lue, et ce qu'elle ne dit
 * pas n'est demandé que là où la loi l'exige.
 */
export const FICHE_VISA_EARLIER_VERSIONS: Readonly<Record<string, { champs: readonly FicheField[]; colonnes: readonly FicheLotField[] }>> = {
	// 2026.1 demandait « Considération environnementale prévue » (condition d'exécution ou critère) d'une seule réponse.
	'2026.1': { champs: ['environnementCondition', 'environnementCritere'], colonnes: ['casExemption'] },
};
/** Nom, dans les versions antérieures, de la question unique sur l'environnement. */
export const EARLIER_ENVIRONMENT_FIELD = 'environnement';

export const PROCEDURES = {
	sansPublicite: {
		libelle: 'Sans publicité ni mise en concurrence (R2122-1 à R2122-11)',
		synonymes: ['gré à gré', 'sans publicité', 'dispense de procédure', 'achat direct', 'marché négocié sans publicité'],
	},
	procedureAdaptee: { libelle: 'Procédure adaptée (MAPA, R2123-1)', synonymes: ['MAPA', 'procédure adaptée', 'marché à procédure adaptée'] },
	appelOffres: {
		libelle: 'Appel d\u2019offres ouvert ou restreint (R2124-2)',
		synonymes: ['appel d\'offres', 'AO', 'AOO', 'AOR', 'appel d\'offres ouvert', 'appel d\'offres restreint'],
	},
	negociee: { libelle: 'Procédure avec négociation (R2124-3)', synonymes: ['procédure concurrentielle avec négociation', 'PCN', 'négociée'] },
	dialogueCompetitif: { libelle: 'Dialogue compétitif (R2124-5)', synonymes: ['dialogue compétitif'] },
	concession: { libelle: 'Procédure de concession (L3120-1)', synonymes: ['concession', 'DSP', 'délégation de service public'] },
} as const;
export type Procedure = keyof typeof PROCEDURES;

/**
 * Un CCAG 2021 sous ses graphies usuelles : « CCAG-FCS », « CCAG FCS 2021 »,
 * « FCS », et son titre (« CCAG des marchés publics de fournitures courantes et
 * services »). La comparaison ignore casse, accents, tirets et espaces.
 */
function ccag(libelle: string, sigles: string[], titres: string[]) {
	const synonymes = sigles.flatMap((s) => [s, `${s} 2021`, `CCAG ${s}`, `CCAG ${s} 2021`, `CCAG 2021 ${s}`]);
	for (const t of titres) synonymes.push(t, `CCAG ${t}`, `CCAG des marchés publics de ${t}`, `CCAG ${t} 2021`, `cahier des clauses administratives générales des marchés publics de ${t}`);
	return { libelle, synonymes };
}

export const CCAGS = {
	travaux: ccag('CCAG-Travaux 2021', ['Travaux', 'T', 'TX'], ['travaux']),
	fcs: ccag('CCAG-FCS 2021 (fournitures courantes et services)', ['FCS'], ['fournitures courantes et services', 'fournitures courantes et de services']),
	pi: ccag('CCAG-PI 2021 (prestations intellectuelles)', ['PI'], ['prestations intellectuelles']),
	tic: ccag('CCAG-TIC 2021 (techniques de l\u2019information)', ['TIC'], ['techniques de l\u2019information et de la communication', 'techniques de l\u2019information']),
	mi: ccag('CCAG-MI 2021 (marchés industriels)', ['MI'], ['marchés industriels']),
	moe: ccag('CCAG-MOE 2021 (maîtrise d\u2019œuvre)', ['MOE'], ['maîtrise d\u2019œuvre', 'maîtrise d\'œuvre']),
	aucun: { libelle: 'Aucun CCAG (concession ou dérogation totale)', synonymes: ['aucun', 'sans CCAG', 'néant'] },
} as const;
export type Ccag = keyof typeof CCAGS;

export const ESTIMATION_METHODS = {
	historique: { libelle: 'Historique des dépenses', synonymes: ['historique', 'dépenses passées', 'marché précédent'] },
	estimationMoe: { libelle: 'Estimation du maître d\u2019œuvre', synonymes: ['estimation moe', 'maître d\'œuvre', 'APD', 'DCE du maître d\'œuvre'] },
	sourcing: { libelle: 'Sourcing, devis indicatifs', synonymes: ['sourcing', 'devis', 'consultation préalable'] },
	prixReference: { libelle: 'Prix de référence ou catalogue', synonymes: ['catalogue', 'prix de référence', 'mercuriale'] },
	autre: { libelle: 'Autre (préciser)', synonymes: ['autre'] },
} as const;

/** Mécanismes proposés dans la fiche : ceux de l'étude de faisabilité, plus « aucune considération sociale ». */
export const FICHE_MECHANISMS = {
	clauseExecution: {
		libelle: 'Clause d\u2019insertion en heures (L2112-2)',
		synonymes: [MECHANISMS.clauseExecution.libelle, 'clause sociale', 'clause d\'insertion', 'clause d\'exécution', 'article 14', 'heures d\'insertion'],
	},
	critereAttribution: {
		libelle: 'Critère social d\u2019attribution (R2152-7)',
		synonymes: [MECHANISMS.critereAttribution.libelle, 'critère social', 'critère d\'attribution', 'article 53'],
	},
	marcheReserveEa: {
		libelle: 'Marché réservé EA / ESAT (L2113-12)',
		synonymes: [MECHANISMS.marcheReserveEa.libelle, 'réservé EA', 'réservé ESAT', 'marché réservé EA'],
	},
	marcheReserveSiae: {
		libelle: 'Marché réservé SIAE (L2113-13)',
		synonymes: [MECHANISMS.marcheReserveSiae.libelle, 'réservé SIAE', 'marché réservé', 'article 15'],
	},
	marcheReserveDetenus: {
		libelle: 'Marché réservé aux opérateurs employant des personnes détenues (L2113-13-1)',
		synonymes: [MECHANISMS.marcheReserveDetenus.libelle, 'réservé détenus', 'réservé personnes détenues', 'marché réservé détenus', 'travail pénitentiaire'],
	},
	marcheInsertion: {
		libelle: 'Marché d\u2019insertion (R2123-1)',
		synonymes: [MECHANISMS.marcheInsertion.libelle, 'marché d\'insertion et de qualification', 'article 30'],
	},
	actionsQualitatives: {
		libelle: 'Actions qualitatives (condition sociale, L2112-2)',
		synonymes: [MECHANISMS.actionsQualitatives.libelle, 'actions qualitatives', 'action qualitative', 'plan de progrès'],
	},
	aucune: {
		libelle: 'Aucune considération sociale',
		synonymes: ['aucune', 'aucun', 'néant', 'sans clause', 'pas de clause', 'pas de considération sociale', 'non'],
	},
} as const;
export type FicheMechanism = keyof typeof FICHE_MECHANISMS;

/**
 * Cas où l'acheteur peut ne pas prévoir de condition d'exécution sociale dans
 * un marché au-delà des seuils européens (L2112-2-1, créé par la loi Climat et
 * résilience, art. 35) ; les motifs en sont consignés. Les deux premiers sont
 * ceux que la même loi écrit, dans les mêmes termes, pour les concessions
 * (L3114-2-1) ; « autre cas » laisse citer un cas de l'article que la liste ne
 * nomme pas.
 */
export const SOCIAL_EXEMPTIONS = {
	lienInsuffisant: {
		libelle: 'Lien insuffisant avec l\u2019objet du marché',
		synonymes: ['lien insuffisant', 'pas de lien suffisant avec l\'objet du marché', 'sans lien avec l\'objet'],
	},
	concurrenceOuExecution: {
		libelle: 'Concurrence restreinte ou exécution rendue techniquement ou économiquement difficile',
		synonymes: ['concurrence restreinte', 'restreint la concurrence', 'exécution difficile', 'difficulté technique', 'difficulté économique'],
	},
	autreCas: {
		libelle: 'Autre cas prévu par l\u2019article L2112-2-1 (cité dans la justification)',
		synonymes: ['autre', 'autre cas'],
	},
} as const;
export type SocialExemption = keyof typeof SOCIAL_EXEMPTIONS;

const DECP_VALUES = Object.fromEntries(DECP_CONSIDERATIONS.map((v) => [v, { libelle: v }])) as Record<
	(typeof DECP_CONSIDERATIONS)[number],
	{ libelle: string }
>;

/** Listes de valeurs du formulaire (feuille « Listes »), par nom. */
export const FICHE_LISTS = {
	nature: NATURES,
	ccag: CCAGS,
	procedure: PROCEDURES,
	methodeEstimation: ESTIMATION_METHODS,
	mecanisme: FICHE_MECHANISMS,
	decp: DECP_VALUES,
	ouiNon: { oui: { libelle: 'oui' }, non: { libelle: 'non' } },
	exemption: SOCIAL_EXEMPTIONS,
} as const;
export type FicheListName = keyof typeof FICHE_LISTS;

export type Saisie = 'texte' | 'texteLong' | 'montant' | 'nombre' | 'date' | 'ouiNon' | 'liste' | 'courriel';

/** Métadonnées d'un champ : tout ce qu'il faut pour le formulaire et les messages. */
export interface FicheFieldMeta {
	libelle: string;
	rubrique: string;
	saisie: Saisie;
	liste?: FicheListName;
	/** La liste accepte plusieurs valeurs séparées par des virgules. */
	plusieurs?: boolean;
	aide: string;
	/** Autres noms acceptés pour ce champ dans un élément JSON. */
	synonymes?: string[];
}

function field<T extends z.ZodType>(schema: T, meta: FicheFieldMeta): T {
	return schema.meta(meta as unknown as Record<string, unknown>) as T;
}

/** Code CPV : 8 chiffres, clé de contrôle facultative (« 45262500 » ou « 45262500-6 »). */
function cpv() {
	return z.unknown().transform((raw, ctx): string => {
		const value = (typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw : '').replace(/[\s\u00a0.]/g, '');
		if (value === '') {
			ctx.addIssue({ code: 'custom', message: 'valeur manquante', params: { correction: 'Saisissez le code CPV principal à 8 chiffres, par exemple 45262500.', regle: 'cpv.manquant' } });
			return z.NEVER;
		}
		if (!/^\d{8}(-\d)?$/.test(value)) {
			ctx.addIssue({ code: 'custom', message: `${quote(raw)} n\u2019est pas un code CPV (8 chiffres attendus)`, params: { correction: 'Saisissez les 8 chiffres du code CPV, éventuellement suivis de la clé (45262500-6).', regle: 'cpv.format' } });
			return z.NEVER;
		}
		return value;
	});
}

const ID = 'Identification de la consultation';
const PROC = 'Montant et procédure';
const LOTS = 'Allotissement';
const SOURCING = 'Sourcing';
const SOCIAL = 'Développement durable : clauses sociales';
const ENV = 'Développement durable : environnement';
const VISA = 'Rédaction';

/** Champs de la fiche (hors lots), dans l'ordre du formulaire. */
export const FicheVisaFieldsSchema = z.object({
	reference: field(text({ max: 60 }), { libelle: 'Référence de la consultation', rubrique: ID, saisie: 'texte', aide: 'Numéro interne, par exemple 2026-TRX-014.', synonymes: ['marché', 'n° marché', 'numéro de marché', 'référence'] }),
	objet: field(text({ max: 500 }), { libelle: 'Objet du marché', rubrique: ID, saisie: 'texteLong', aide: 'Tel qu\u2019il figurera dans l\u2019avis de publicité.' }),
	servicePrescripteur: field(text({ max: 200 }), { libelle: 'Service prescripteur', rubrique: ID, saisie: 'texte', aide: 'Direction ou service qui exprime le besoin.', synonymes: ['service', 'direction'] }),
	emailService: field(email(), { libelle: 'Courriel du service prescripteur', rubrique: ID, saisie: 'courriel', aide: 'La décision et la fiche annotée y sont envoyées.', synonymes: ['courriel du service', 'email du service'] }),
	acheteur: field(text({ max: 200 }), { libelle: 'Acheteur (service des marchés)', rubrique: ID, saisie: 'texte', aide: 'Nom de l\u2019acheteur qui conduit la procédure.' }),
	cpv: field(cpv(), { libelle: 'Code CPV principal', rubrique: ID, saisie: 'texte', aide: '8 chiffres, par exemple 45262500.', synonymes: ['code CPV', 'CPV'] }),
	nature: field(tolerantEnum(NATURES, 'une nature de marché'), { libelle: 'Nature du marché', rubrique: ID, saisie: 'liste', liste: 'nature', aide: 'Travaux, services, fournitures, prestations intellectuelles, DSP, marché de partenariat.' }),
	ccag: field(tolerantEnum(CCAGS, 'un CCAG'), { libelle: 'CCAG de référence', rubrique: ID, saisie: 'liste', liste: 'ccag', aide: 'Le CCAG auquel le CCAP se réfère.' }),

	montantEstimeHT: field(amount(), { libelle: 'Montant estimé HT (tous lots)', rubrique: PROC, saisie: 'montant', aide: 'Valeur totale estimée, toutes tranches, reconductions et lots compris (R2121-1).', synonymes: ['montant estimé HT', 'montant HT', 'montant'] }),
	methodeEstimation: field(tolerantEnum(ESTIMATION_METHODS, 'une méthode d\u2019estimation'), { libelle: 'Méthode d\u2019estimation', rubrique: PROC, saisie: 'liste', liste: 'methodeEstimation', aide: 'Comment le montant a été estimé.' }),
	detailEstimation: field(optional(text({ max: 1000 })), { libelle: 'Précisions sur l\u2019estimation', rubrique: PROC, saisie: 'texteLong', aide: 'Obligatoire si la méthode est « Autre ».' }),
	dureeMois: field(decimal({ min: 0, exclusiveMin: true, unit: 'mois', example: '24' }), { libelle: 'Durée totale (mois)', rubrique: PROC, saisie: 'nombre', aide: 'Reconductions comprises.', synonymes: ['durée', 'durée (mois)'] }),
	procedure: field(tolerantEnum(PROCEDURES, 'une procédure'), { libelle: 'Procédure envisagée', rubrique: PROC, saisie: 'liste', liste: 'procedure', aide: 'Contrôlée au regard du montant et des seuils.' }),
	dateFiche: field(isoDate(), { libelle: 'Date de la fiche', rubrique: PROC, saisie: 'date', aide: 'JJ/MM/AAAA.' }),
	dateLancement: field(isoDate(), { libelle: 'Date de lancement prévue', rubrique: PROC, saisie: 'date', aide: 'Date d\u2019envoi prévue de l\u2019avis de publicité (JJ/MM/AAAA).' }),
	dateNotification: field(optional(isoDate()), { libelle: 'Date de notification prévue', rubrique: PROC, saisie: 'date', aide: 'Facultatif (JJ/MM/AAAA).' }),

	alloti: field(yesNo(), { libelle: 'Marché alloti', rubrique: LOTS, saisie: 'ouiNon', liste: 'ouiNon', aide: 'Oui : un lot par ligne dans la feuille « Lots ». Non : une seule ligne (lot « unique »).' }),
	motifLotUnique: field(optional(text({ max: 1000 })), { libelle: 'Motif de l\u2019absence d\u2019allotissement', rubrique: LOTS, saisie: 'texteLong', aide: 'Obligatoire si le marché n\u2019est pas alloti (L2113-11).' }),

	sourcing: field(yesNo(), { libelle: 'Sourcing réalisé', rubrique: SOURCING, saisie: 'ouiNon', liste: 'ouiNon', aide: 'Échanges préalables avec les entreprises (R2111-1).' }),
	sourcingDescription: field(optional(text({ max: 1000 })), { libelle: 'Entreprises ou structures rencontrées', rubrique: SOURCING, saisie: 'texteLong', aide: 'Y compris SIAE, EA et ESAT consultées.' }),

	etudeFaisabilite: field(yesNo(), { libelle: 'Étude de faisabilité de la clause sociale réalisée', rubrique: SOCIAL, saisie: 'ouiNon', liste: 'ouiNon', aide: 'Qu\u2019une clause soit retenue ou non.', synonymes: ['étude de faisabilité'] }),
	dateEtude: field(optional(isoDate()), { libelle: 'Date de l\u2019étude de faisabilité', rubrique: SOCIAL, saisie: 'date', aide: 'JJ/MM/AAAA.' }),
	facilitateur: field(optional(text({ max: 200 })), { libelle: 'Facilitateur', rubrique: SOCIAL, saisie: 'texte', aide: 'PLIE, Maison de l\u2019emploi… qui accompagne la clause (un autre peut être indiqué par lot).' }),
	contactFacilitateur: field(optional(email()), { libelle: 'Courriel du facilitateur', rubrique: SOCIAL, saisie: 'courriel', aide: 'Repris dans le CCAP.' }),
	ccapPerimetre: field(optional(yesNo()), { libelle: 'CCAP : prestations concernées par la clause', rubrique: SOCIAL, saisie: 'ouiNon', liste: 'ouiNon', aide: 'CCAG 2021, art. 16.1 : le CCAP dit quels lots et prestations portent la clause.' }),
	ccapContactFacilitateur: field(optional(yesNo()), { libelle: 'CCAP : coordonnées du facilitateur', rubrique: SOCIAL, saisie: 'ouiNon', liste: 'ouiNon', aide: 'CCAG 2021, art. 16.1.' }),
	ccapPublics: field(optional(yesNo()), { libelle: 'CCAP : publics éligibles', rubrique: SOCIAL, saisie: 'ouiNon', liste: 'ouiNon', aide: 'CCAG 2021, art. 16.1.1 (ou liste dérogatoire du CCAP).' }),
	ccapVolume: field(optional(yesNo()), { libelle: 'CCAP : volume d\u2019heures par lot', rubrique: SOCIAL, saisie: 'ouiNon', liste: 'ouiNon', aide: 'Les heures de la feuille « Lots ».' }),
	penalitesCcap: field(optional(yesNo()), { libelle: 'Pénalités prévues au CCAP', rubrique: SOCIAL, saisie: 'ouiNon', liste: 'ouiNon', aide: 'Le CCAG ne fixe aucun montant : le CCAP le fait, pour chaque considération sociale.' }),
	penaliteParHeure: field(optional(amount()), { libelle: 'Pénalité par heure non réalisée (€ HT)', rubrique: SOCIAL, saisie: 'montant', aide: 'Par exemple 60 € HT (un CCAP public).' }),
	considerationsDecp: field(enumList(DECP_VALUES, 'une valeur DECP'), { libelle: 'Considération sociale déclarée (DECP)', rubrique: SOCIAL, saisie: 'liste', liste: 'decp', plusieurs: true, aide: 'Valeur « considerationsSociales » des données essentielles ; plusieurs valeurs séparées par des virgules.', synonymes: ['considerationsSociales', 'considération sociale DECP', 'DECP'] }),

	environnementCondition: field(yesNo(), { libelle: 'Condition d\u2019exécution environnementale (L2112-2)', rubrique: ENV, saisie: 'ouiNon', liste: 'ouiNon', aide: 'Les conditions d\u2019exécution prennent en compte l\u2019environnement (loi Climat et résilience, art. 35) ; un critère d\u2019attribution ne les remplace pas.' }),
	environnementCritere: field(yesNo(), { libelle: 'Critère environnemental d\u2019attribution (L2152-7)', rubrique: ENV, saisie: 'ouiNon', liste: 'ouiNon', aide: 'Au moins un critère prend en compte les caractéristiques environnementales de l\u2019offre (loi Climat et résilience, art. 35).' }),
	environnementDescription: field(optional(text({ max: 1000 })), { libelle: 'Description, ou justification de l\u2019absence', rubrique: ENV, saisie: 'texteLong', aide: 'La condition et le critère prévus, ou pourquoi rien ne l\u2019est.' }),

	redacteur: field(text({ max: 200 }), { libelle: 'Fiche rédigée par', rubrique: VISA, saisie: 'texte', aide: 'Nom et fonction.' }),
});

/** Une ligne de la feuille « Lots ». */
export const FicheLotSchema = z.object({
	numero: field(text({ max: 40 }), { libelle: 'N° lot', rubrique: 'Lots', saisie: 'texte', aide: '1, 2… ou « unique ».', synonymes: ['lot', 'n° lot', 'numéro', 'numéro du lot'] }),
	intitule: field(text({ max: 300 }), { libelle: 'Intitulé', rubrique: 'Lots', saisie: 'texte', aide: 'Intitulé du lot.', synonymes: ['intitulé du lot', 'libellé'] }),
	montantHT: field(amount(), { libelle: 'Montant estimé HT', rubrique: 'Lots', saisie: 'montant', aide: 'En euros HT.', synonymes: ['montant HT', 'montant'] }),
	mecanisme: field(tolerantEnum(FICHE_MECHANISMS, 'un mécanisme'), { libelle: 'Considération sociale', rubrique: 'Lots', saisie: 'liste', liste: 'mecanisme', aide: 'Mécanisme principal, ou « Aucune considération sociale ».', synonymes: ['mécanisme', 'clause'] }),
	mecanismeComplementaire: field(optional(tolerantEnum(FICHE_MECHANISMS, 'un mécanisme')), { libelle: 'Considération complémentaire', rubrique: 'Lots', saisie: 'liste', liste: 'mecanisme', aide: 'Par exemple un critère social en plus de la clause.' }),
	heures: field(optional(decimal({ min: 0, unit: 'h', example: '420' })), { libelle: 'Heures d\u2019insertion', rubrique: 'Lots', saisie: 'nombre', aide: 'Heures du calibrage, pour une clause en heures.', synonymes: ['heures', 'heures d\'insertion', 'volume'] }),
	facilitateur: field(optional(text({ max: 200 })), { libelle: 'Facilitateur du lot', rubrique: 'Lots', saisie: 'texte', aide: 'Si différent de celui de la fiche.' }),
	justificationAbsence: field(optional(text({ max: 1000 })), { libelle: 'Justification de l\u2019absence de clause', rubrique: 'Lots', saisie: 'texteLong', aide: 'Obligatoire sans considération sociale (reprise de l\u2019étude).', synonymes: ['justification', 'motif'] }),
	casExemption: field(optional(tolerantEnum(SOCIAL_EXEMPTIONS, 'un cas d\u2019exemption')), { libelle: 'Cas d\u2019exemption (L2112-2-1)', rubrique: 'Lots', saisie: 'liste', liste: 'exemption', aide: 'Au-delà du seuil européen, pour un lot sans condition d\u2019exécution sociale : le cas de l\u2019article L2112-2-1 qui s\u2019applique ; ses motifs vont dans la justification.', synonymes: ['cas d\u2019exemption', 'exemption', 'exemption loi Climat'] }),
});

export const FicheVisaSchema = FicheVisaFieldsSchema.extend({ lots: z.array(FicheLotSchema) });

export type FicheVisaFields = z.output<typeof FicheVisaFieldsSchema>;
export type FicheLot = z.output<typeof FicheLotSchema>;
export type FicheVisa = z.output<typeof FicheVisaSchema>;
export type FicheField = keyof FicheVisaFields;
export type FicheLotField = keyof FicheLot;

export interface FicheFieldInfo<K extends string = string> extends FicheFieldMeta {
	champ: K;
	schema: z.ZodType;
	obligatoire: boolean;
}

function describeShape<K extends string>(shape: Record<K, z.ZodType>): Array<FicheFieldInfo<K>> {
	return (Object.keys(shape) as K[]).map((champ) => {
		const schema = shape[champ];
		const meta = schema.meta() as unknown as FicheFieldMeta;
		return { ...meta, champ, schema, obligatoire: !schema.safeParse(undefined).success };
	});
}

/** Champs de la fiche, dans l'ordre du formulaire, avec leurs métadonnées. */
export const FICHE_FIELDS: Array<FicheFieldInfo<FicheField>> = describeShape(FicheVisaFieldsSchema.shape);
/** Colonnes de la feuille « Lots ». */
export const FICHE_LOT_FIELDS: Array<FicheFieldInfo<FicheLotField>> = describeShape(FicheLotSchema.shape);

export const FICHE_LABELS: FieldLabels = Object.fromEntries([...FICHE_FIELDS, ...FICHE_LOT_FIELDS].map((f) => [f.champ, f.libelle]));

function keyIndex(fields: Array<FicheFieldInfo>): KeyIndex {
	return buildKeyIndex(
		fields.map((f) => f.champ),
		Object.fromEntries(fields.map((f) => [f.champ, f.synonymes ?? []])),
		Object.fromEntries(fields.map((f) => [f.champ, f.libelle])),
	);
}

/** Noms acceptés dans un élément JSON : nom du champ, libellé du formulaire, synonymes. */
export const FICHE_KEYS: KeyIndex = keyIndex(FICHE_FIELDS);
export const FICHE_LOT_KEYS: KeyIndex = keyIndex(FICHE_LOT_FIELDS);

/** Libellés d'une liste, dans l'ordre (listes déroulantes du formulaire). */
export function listLabels(name: FicheListName): string[] {
	return Object.values(FICHE_LISTS[name] as Record<string, { libelle: string }>).map((v) => v.libelle);
}
