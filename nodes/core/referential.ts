/**
 * Référentiel : les valeurs par défaut du calibrage et de l'étude de
 * faisabilité, chacune avec sa source. Ce ne sont que des points de départ :
 * chaque valeur est un paramètre que l'utilisateur peut remplacer, pour une
 * exécution (paramètre du nœud) ou pour un lot (champ du lot).
 *
 * Sources, citées par leur titre public (constante SOURCES) :
 * - Avise, ARF et Caisse des Dépôts, « Intégration des clauses sociales dans la
 *   commande publique des Conseils régionaux », 2014 ;
 * - Avise, « Prestations intellectuelles et clauses sociales d'insertion », 2013 ;
 * - Alliance Villes Emploi, « Diversification des achats socialement
 *   responsables » ;
 * - Maison de l'emploi Sud 77, exemple de calcul des heures d'insertion ;
 * - Inserpropre, outil de calibrage de la branche propreté ;
 * - INSEE, coût horaire moyen du travail, 2012 (33,7 €/h) ;
 * - le CCAP d'un acheteur public (barème de référence des pénalités) ;
 * - le Code de la commande publique et le CCAG 2021.
 */

/** Titres publics des documents cités dans les colonnes « source » et « fondement ». */
export const SOURCES = {
	avise2014: 'Avise, ARF et Caisse des Dépôts, «\u00a0Intégration des clauses sociales dans la commande publique des Conseils régionaux\u00a0», 2014',
	avisePrestationsIntellectuelles2013: 'Avise, «\u00a0Prestations intellectuelles et clauses sociales d\u2019insertion\u00a0», 2013',
	allianceVillesEmploi: 'Alliance Villes Emploi, «\u00a0Diversification des achats socialement responsables\u00a0»',
	maisonEmploiSud77: 'Maison de l\u2019emploi Sud 77, exemple de calcul des heures d\u2019insertion',
	inserpropre: 'Inserpropre, outil de calibrage de la branche propreté',
	insee2012: 'INSEE, coût horaire moyen du travail, 2012',
	ccapReference: 'CCAP d\u2019un acheteur public (barème de référence)',
	ccag2021: 'CCAG 2021, art. 16.1',
	guidesFacilitateurs: 'guides de facilitateurs (parts de main-d\u2019œuvre usuelles)',
} as const;

export interface SourcedValue {
	valeur: number;
	unite: string;
	libelle: string;
	source: string;
}

export const DEFAULTS = {
	coutHoraire: {
		valeur: 30,
		unite: '€/h',
		libelle: 'coût horaire de la main-d\u2019œuvre',
		source:
			`${SOURCES.maisonEmploiSud77} : 1 000 000 € × 50 % × 5 % ÷ 30 €/h ≈ 833 h ; fourchette usuelle 25–30 €/h ; ${SOURCES.insee2012} : 33,7 €/h en moyenne`,
	},
	tauxInsertion: {
		valeur: 5,
		unite: '%',
		libelle: 'taux d\u2019insertion',
		source:
			`${SOURCES.avise2014} : taux de 5 % retenu par l\u2019ANRU pour la rénovation urbaine (minimum de la charte nationale d\u2019insertion) ; environ 10 % observé dans certaines opérations`,
	},
	tauxMainOeuvre: {
		valeur: 50,
		unite: '%',
		libelle: 'taux de main-d\u2019œuvre',
		source:
			`${SOURCES.maisonEmploiSud77} : 50 % de main-d\u2019œuvre (1 000 000 € × 50 % × 5 % ÷ 30 €/h ≈ 833 h) ; maçonnerie / gros œuvre 50 % (${SOURCES.guidesFacilitateurs}). Valeur proposée par l\u2019option «\u00a0Taux de main-d\u2019œuvre par défaut\u00a0» : à n\u2019appliquer qu\u2019aux lots sans taux ni secteur`,
	},
	heuresEtp: {
		valeur: 1607,
		unite: 'h/an',
		libelle: 'heures annuelles d\u2019un équivalent temps plein',
		source: 'Durée légale annuelle du travail à temps plein : 1 607 h (anciennement 1 820 h dans certains guides)',
	},
	heuresMoisTempsPlein: {
		valeur: 151.67,
		unite: 'h/mois',
		libelle: 'heures d\u2019un mois à temps plein',
		source: '35 h × 52 semaines ÷ 12 mois = 151,67 h',
	},
	plancherHeures: {
		valeur: 35,
		unite: 'h',
		libelle: 'plancher d\u2019heures d\u2019insertion',
		source:
			`${SOURCES.allianceVillesEmploi} : en deçà de 35 h une clause a rarement du sens ; chaque territoire fixe son propre plancher (70 à 150 h)`,
	},
	plancherProprete: {
		valeur: 150,
		unite: 'h',
		libelle: 'plancher d\u2019heures pour la propreté',
		source: `${SOURCES.inserpropre} : en deçà de 150 h, pas de clause`,
	},
	coutHoraireProprete: {
		valeur: 25,
		unite: '€/h',
		libelle: 'chiffre d\u2019affaires par heure travaillée (propreté)',
		source: `${SOURCES.inserpropre} : C = 25 (80 % de main-d\u2019œuvre à 20 €/h)`,
	},
	partHeuresMarche: {
		valeur: 15,
		unite: '%',
		libelle: 'part des heures du marché réservée à l\u2019insertion',
		source:
			`${SOURCES.avisePrestationsIntellectuelles2013} : enquête de la CUB, 15 % des heures du marché (1 000 000 € → 3 600 h ; 630 000 € → 2 400 h)`,
	},
	coutHorairePrestationIntellectuelle: {
		valeur: 40,
		unite: '€/h',
		libelle: 'chiffre d\u2019affaires par heure (prestations intellectuelles, main-d\u2019œuvre 100 %)',
		source: `${SOURCES.avisePrestationsIntellectuelles2013} : déduit des cas de la CUB, environ 40 €/h à 100 % de main-d\u2019œuvre`,
	},
	eurosParHeure: {
		valeur: 1500,
		unite: '€/h',
		libelle: 'euros facturés par heure d\u2019insertion',
		source: `${SOURCES.avise2014}, pratique de la Région Poitou-Charentes (maîtrise d\u2019œuvre) : 1 heure d\u2019insertion par tranche de 1 500 € facturés`,
	},
	volumeAnnuel: {
		valeur: 1800,
		unite: 'h/an',
		libelle: 'volume annuel d\u2019heures d\u2019insertion',
		source: `${SOURCES.avise2014}, pratique de la Région Pays de la Loire (DSP de lignes d\u2019autocars) : 1 800 h par an sur 6 ans, «\u00a0soit plus d\u2019un ETP\u00a0»`,
	},
} as const satisfies Record<string, SourcedValue>;

export type DefaultKey = keyof typeof DEFAULTS;

export interface Sector {
	libelle: string;
	tauxMainOeuvre: number;
	source: string;
	/** Préfixes de codes CPV rattachés à ce secteur. */
	cpv: string[];
	synonymes: string[];
}

/**
 * Parts de main-d'œuvre par secteur. Seules figurent les valeurs sourcées ;
 * ajoutez les vôtres par le paramètre « Référentiel des secteurs » du nœud.
 */
export const SECTORS: Record<string, Sector> = {
	peinture: {
		libelle: 'Peinture',
		tauxMainOeuvre: 70,
		source: 'Guides de facilitateurs (parts de main-d\u2019œuvre usuelles) : peinture 70 %',
		cpv: ['454421', '454420'],
		synonymes: ['peinture', 'peintures', 'revêtements muraux', 'peinture et revêtements'],
	},
	maconnerie: {
		libelle: 'Maçonnerie / gros œuvre',
		tauxMainOeuvre: 50,
		source:
			`Guides de facilitateurs (parts de main-d\u2019œuvre usuelles) : maçonnerie 50 % ; ${SOURCES.maisonEmploiSud77} : 50 % de main-d\u2019œuvre`,
		cpv: ['452625', '452620', '452100', '451110'],
		synonymes: ['maçonnerie', 'gros œuvre', 'gros-œuvre', 'démolition gros œuvre', 'démolition / gros œuvre'],
	},
	charpenteMetallique: {
		libelle: 'Charpente métallique',
		tauxMainOeuvre: 20,
		source: 'Guides de facilitateurs (parts de main-d\u2019œuvre usuelles) : charpente métallique 20 %',
		cpv: ['452624', '452611'],
		synonymes: ['charpente métallique', 'structure métallique', 'serrurerie métallerie lourde'],
	},
	proprete: {
		libelle: 'Propreté / nettoyage',
		tauxMainOeuvre: 80,
		source: `${SOURCES.inserpropre} : 80 % de main-d\u2019œuvre dans la propreté`,
		cpv: ['909'],
		synonymes: ['propreté', 'nettoyage', 'nettoyage de locaux', 'entretien des locaux'],
	},
};

/** Seuils réglementaires (HT), paramétrables dans les nœuds. */
export const THRESHOLDS = {
	etudeFaisabilite: {
		valeur: 90000,
		unite: '€ HT',
		libelle: 'seuil au-delà duquel une étude de faisabilité est conduite',
		source:
			`${SOURCES.avise2014}, pratique de la Région Picardie : étude de faisabilité pour les marchés «\u00a0de plus de 90\u00a0000\u00a0€ HT\u00a0» (strictement au-delà : un marché de 90\u00a0000\u00a0€ HT tout juste n\u2019en exige pas)`,
	},
	europeenFournituresServices: {
		valeur: 216000,
		unite: '€ HT',
		libelle: 'seuil européen des fournitures et services (collectivités territoriales, 2026-2027)',
		source: 'Seuils de procédure formalisée 2026-2027 (avis de la Commission européenne, Code de la commande publique)',
	},
	europeenTravaux: {
		valeur: 5404000,
		unite: '€ HT',
		libelle: 'seuil européen des travaux et des concessions (2026-2027)',
		source:
			'Seuils de procédure formalisée 2026-2027 (avis de la Commission européenne, Code de la commande publique) : 5\u00a0404\u00a0000\u00a0€ HT pour les travaux et pour les concessions (délégations de service public) ; les marchés de partenariat, qui portent sur la construction d\u2019ouvrages, y sont rattachés',
	},
	dispenseTravaux: {
		valeur: 100000,
		unite: '€ HT',
		libelle: 'seuil de dispense de procédure des travaux (depuis le 1er janvier 2026)',
		source: 'Code de la commande publique, R2122-8 : marchés de travaux de moins de 100\u00a0000\u00a0€ HT, sans publicité ni mise en concurrence, à titre permanent depuis le 1er janvier 2026',
	},
	dispenseFournituresServices: {
		valeur: 60000,
		unite: '€ HT',
		libelle: 'seuil de dispense de procédure des fournitures et services (à compter du 1er avril 2026)',
		source: 'Code de la commande publique, R2122-8 : marchés de fournitures et de services de moins de 60\u00a0000\u00a0€ HT à compter du 1er avril 2026 (40\u00a0000\u00a0€ HT auparavant)',
	},
	dispenseFournituresServicesAvant: {
		valeur: 40000,
		unite: '€ HT',
		libelle: 'seuil de dispense de procédure des fournitures et services avant la date de relèvement',
		source: 'Code de la commande publique, R2122-8 : 40\u00a0000\u00a0€ HT jusqu\u2019au 31 mars 2026',
	},
	europeenServicesSpecifiques: {
		valeur: 750000,
		unite: '€ HT',
		libelle: 'seuil européen des services sociaux et autres services spécifiques (2026-2027)',
		source: 'Code de la commande publique, R2123-1 3° : procédure adaptée permise pour les services sociaux et autres services spécifiques (dont le marché d\u2019insertion et de qualification professionnelle) quel que soit leur montant ; seuil européen 2026-2027 de 750\u00a0000\u00a0€ HT',
	},
} as const satisfies Record<string, SourcedValue>;

/** Date à compter de laquelle le seuil de dispense des fournitures et services passe à 60 000 € HT (paramètre). */
export const DISPENSE_FOURNITURES_SERVICES_DATE = {
	valeur: '2026-04-01',
	libelle: 'date de relèvement du seuil de dispense des fournitures et services',
	source: 'Code de la commande publique, R2122-8 : 60\u00a0000\u00a0€ HT à compter du 1er avril 2026',
} as const;

/**
 * Seuil de dispense de procédure (R2122-8) d'une nature de marché, à une date :
 * celui des travaux pour les travaux, celui des fournitures et services sinon,
 * relevé à la date de relèvement. Un marché strictement sous son seuil peut être
 * passé sans publicité ni mise en concurrence.
 */
export function exemptionThresholdFor(
	nature: string | undefined,
	date: string | undefined,
	thresholds: { seuilDispenseTravaux: number; seuilDispenseFournituresServices: number; seuilDispenseFournituresServicesAvant: number; dateSeuilDispenseFournituresServices: string },
): number {
	if (nature === 'travaux') return thresholds.seuilDispenseTravaux;
	return date !== undefined && date < thresholds.dateSeuilDispenseFournituresServices
		? thresholds.seuilDispenseFournituresServicesAvant
		: thresholds.seuilDispenseFournituresServices;
}

/**
 * Seuil européen applicable à une nature de marché : celui des travaux et des
 * concessions pour les travaux, les délégations de service public (concessions)
 * et les marchés de partenariat ; celui des fournitures et services sinon
 * (services, fournitures, prestations intellectuelles). Règle commune à l'étude
 * de faisabilité et à la fiche visa.
 */
export function usesWorksThreshold(nature: string | undefined): boolean {
	return nature === 'travaux' || nature === 'dsp' || nature === 'ppp';
}

export function europeanThresholdFor(
	nature: string | undefined,
	thresholds: { seuilUeTravaux: number; seuilUeFournituresServices: number },
): number {
	return usesWorksThreshold(nature) ? thresholds.seuilUeTravaux : thresholds.seuilUeFournituresServices;
}

/**
 * L'étude de faisabilité est due pour un marché « de plus de » 90 000 € HT
 * (Avise, ARF et Caisse des Dépôts, 2014, pratique de la Région Picardie) : strictement au-delà du seuil.
 */
export function feasibilityStudyRequired(montantMarcheHT: number, seuilEtude: number): boolean {
	return montantMarcheHT > seuilEtude;
}

/**
 * Seuils européens : une procédure formalisée s'impose dès que le montant
 * estimé atteint le seuil (égal ou supérieur).
 */
export function aboveEuropeanThreshold(montantMarcheHT: number, seuil: number): boolean {
	return montantMarcheHT >= seuil;
}

/** Entrée en vigueur de l'article 35 de la loi Climat et résilience pour les marchés (paramètre). */
export const LOI_CLIMAT = {
	valeur: '2026-08-21',
	libelle: 'date d\u2019application de l\u2019article 35 de la loi Climat et résilience aux consultations',
	source:
		'Loi n° 2021-1104 du 22 août 2021, art. 35 (considérations sociales et environnementales dans les marchés, au plus tard cinq ans après la promulgation : 21 août 2026)',
} as const;

/**
 * Limites des pénalités écrites par le CCAG 2021 pour les pénalités de retard :
 * le CCAP décide s'il les étend à celles de la clause sociale (paramètres
 * désactivés par défaut).
 */
export const CCAG_PENALTY_LIMITS_SOURCE = 'CCAG-FCS 2021, art. 14.1 ; CCAG-Travaux 2021, art. 19.2';

/**
 * Pénalités de la clause sociale d'insertion : valeurs de départ, chacune
 * remplaçable par un paramètre du nœud ou une colonne du registre (par marché).
 * Le CCAG 2021 ne fixe aucun montant : c'est le CCAP de chaque marché.
 *
 * - CCAP d'un acheteur public (barème de référence) : 60 € HT par heure
 *   d'insertion non réalisée (sauf si le titulaire démontre avoir mis en œuvre
 *   tous les moyens), 100 € HT par jour calendaire de retard dans la remise des
 *   relevés mensuels après mise en demeure, 300 € HT par jour de retard dans la
 *   remise du bilan de fin de marché ; cumulables, plafonnées à 20 % du montant
 *   annuel HT.
 * - CCAG 2021, art. 16.1 (clause sociale d'insertion) ; les pénalités relèvent
 *   du CCAP.
 * - Alliance Villes Emploi, « Diversification des achats socialement
 *   responsables » : des pénalités doivent être prévues pour toute
 *   considération sociale, pas seulement pour les heures.
 */
export const PENALTY_DEFAULTS = {
	tauxHoraire: {
		valeur: 60,
		unite: '€ HT/h',
		libelle: 'pénalité par heure d\u2019insertion non réalisée',
		source: `${SOURCES.ccapReference} : 60 € HT par heure non réalisée, sauf si le titulaire démontre avoir mis en œuvre tous les moyens ; ${SOURCES.ccag2021} ; ${SOURCES.allianceVillesEmploi} : pénalités à prévoir pour toute considération sociale`,
	},
	tauxJourRetardReleve: {
		valeur: 100,
		unite: '€ HT/jour',
		libelle: 'pénalité par jour calendaire de retard dans la remise des relevés mensuels',
		source: `${SOURCES.ccapReference} : 100 € HT par jour calendaire de retard, après mise en demeure`,
	},
	tauxJourRetardBilan: {
		valeur: 300,
		unite: '€ HT/jour',
		libelle: 'pénalité par jour de retard dans la remise du bilan de fin de marché',
		source: `${SOURCES.ccapReference} : 300 € HT par jour de retard dans la remise du bilan de fin d\u2019exécution`,
	},
	plafondPourcentage: {
		valeur: 20,
		unite: '%',
		libelle: 'plafond des pénalités de la clause, en % du montant HT de référence',
		source: `${SOURCES.ccapReference} : pénalités cumulables, plafonnées à 20 % du montant annuel HT`,
	},
	delaiMiseEnDemeureJours: {
		valeur: 15,
		unite: 'jours',
		libelle: 'délai laissé au titulaire par la mise en demeure',
		source: 'Valeur de départ usuelle des mises en demeure (aucun texte public ne la fixe) : à aligner sur le CCAP',
	},
	delaiGraceJours: {
		valeur: 0,
		unite: 'jours',
		libelle: 'délai de grâce avant le décompte des jours de retard',
		source: `${SOURCES.ccapReference} : aucun délai de grâce, le retard court dès le premier jour`,
	},
	delaiBilanJours: {
		valeur: 30,
		unite: 'jours',
		libelle: 'délai de remise du bilan après la fin d\u2019exécution',
		source: `Valeur de départ (le ${SOURCES.ccapReference} ne la précise pas) : à aligner sur le CCAP du marché`,
	},
	seuilExonerationCcag: {
		valeur: 1000,
		unite: '€ HT',
		libelle: 'exonération des pénalités dont le total sur l\u2019ensemble du marché ne dépasse pas ce montant (limite du CCAG 2021, à appliquer si le CCAP l\u2019étend à la clause)',
		source: `${CCAG_PENALTY_LIMITS_SOURCE} : exonération des pénalités de retard dont le montant total ne dépasse pas 1 000 € HT pour l\u2019ensemble du marché`,
	},
	plafondCcagPourcentage: {
		valeur: 10,
		unite: '%',
		libelle: 'plafond des pénalités en % du montant total HT du marché (limite du CCAG 2021, à appliquer si le CCAP l\u2019étend à la clause)',
		source: `${CCAG_PENALTY_LIMITS_SOURCE} : pénalités de retard plafonnées à 10 % du montant total HT du marché`,
	},
	delaiObservationsJours: {
		valeur: 15,
		unite: 'jours',
		libelle: 'délai laissé au titulaire pour présenter ses observations sur les pénalités',
		source: 'Procédure contradictoire usuelle avant application des pénalités (valeur de départ, à aligner sur le CCAP)',
	},
} as const satisfies Record<string, SourcedValue>;
