/**
 * Le suivi d'exécution des clauses : le registre des clauses (une ligne par lot
 * clausé) et les relevés mensuels d'heures (une ligne par participant et par
 * mois). Source unique de vérité pour la relance mensuelle, les pénalités, la
 * réception des relevés et le bilan.
 */
import { z } from 'zod/v4';

import type { FieldLabels } from '../anomalies';
import { frenchLongDate } from '../calendar';
import { buildKeyIndex, detachedText, detachedValue } from '../keys';
import type { RecordReader } from '../records';
import { labelledReader } from '../records';
import {
	amount,
	decimal,
	email,
	emailList,
	fieldIssue,
	isoDate,
	isoMonth,
	normalizeToken,
	optional,
	siret,
	text,
	tolerantEnum,
	yesNo,
} from './primitives';

export const CLAUSE_STATUSES = {
	enCours: { libelle: 'En cours', synonymes: ['en cours', 'active', 'exécution'] },
	suspendue: { libelle: 'Suspendue', synonymes: ['suspendu', 'suspension'] },
	terminee: { libelle: 'Exécution terminée (à solder)', synonymes: ['terminée', 'terminé', 'achevée', 'à solder'] },
	soldee: { libelle: 'Soldée', synonymes: ['soldé', 'close', 'clôturée', 'clôturé'] },
} as const;
export type ClauseStatus = keyof typeof CLAUSE_STATUSES;

/** Publics éligibles (CCAG 2021, art. 16.1.1, et listes des facilitateurs). */
export const PUBLIC_CATEGORIES = {
	demandeurEmploiLongueDuree: {
		libelle: 'Demandeur d\u2019emploi de longue durée (plus de 12 mois)',
		synonymes: ['DELD', 'demandeur d\'emploi longue durée', 'chômeur de longue durée'],
	},
	beneficiaireRsa: { libelle: 'Bénéficiaire du RSA', synonymes: ['RSA', 'allocataire du RSA'] },
	travailleurHandicape: {
		libelle: 'Travailleur handicapé (RQTH)',
		synonymes: ['RQTH', 'travailleur handicapé', 'personne handicapée'],
	},
	beneficiaireMinimaSociaux: {
		libelle: 'Bénéficiaire de l\u2019ASS, de l\u2019AAH ou d\u2019une pension d\u2019invalidité',
		synonymes: ['ASS', 'AAH', 'pension d\'invalidité', 'minima sociaux'],
	},
	jeunePeuQualifie: {
		libelle: 'Jeune de moins de 26 ans peu qualifié',
		synonymes: ['jeune', 'jeune de moins de 26 ans', 'moins de 26 ans', 'jeune peu qualifié'],
	},
	salarieSiae: {
		libelle: 'Salarié d\u2019une SIAE (AI, ETTI, EI, ACI)',
		synonymes: ['SIAE', 'salarié en insertion', 'IAE'],
	},
	travailleurEaEsat: { libelle: 'Travailleur d\u2019EA, d\u2019EATT ou d\u2019ESAT', synonymes: ['EA', 'ESAT', 'EATT'] },
	regieQuartier: { libelle: 'Salarié d\u2019une régie de quartier', synonymes: ['régie de quartier'] },
	stagiaireEpideE2c: { libelle: 'Stagiaire de l\u2019EPIDE ou d\u2019une E2C', synonymes: ['EPIDE', 'E2C', 'école de la deuxième chance'] },
	demandeurEmploiSenior: {
		libelle: 'Demandeur d\u2019emploi de plus de 50 ans',
		synonymes: ['senior', 'plus de 50 ans', 'demandeur d\'emploi senior'],
	},
	avisPrescripteur: {
		libelle: 'Autre public sur avis motivé (France Travail, Mission locale, PLIE, Cap emploi, MDPH)',
		synonymes: ['avis motivé', 'prescripteur', 'autre public'],
	},
} as const;
export type PublicCategory = keyof typeof PUBLIC_CATEGORIES;

export const EMPLOYERS = {
	titulaire: { libelle: 'Titulaire', synonymes: ['entreprise titulaire', 'attributaire'] },
	sousTraitant: { libelle: 'Sous-traitant', synonymes: ['sous traitant'] },
	coTraitant: { libelle: 'Cotraitant', synonymes: ['co-traitant', 'cotraitant'] },
	EI: { libelle: 'Entreprise d\u2019insertion (EI)', synonymes: ['entreprise d\'insertion'] },
	AI: { libelle: 'Association intermédiaire (AI)', synonymes: ['association intermédiaire'] },
	ACI: { libelle: 'Atelier et chantier d\u2019insertion (ACI)', synonymes: ['chantier d\'insertion'] },
	ETTI: { libelle: 'Entreprise de travail temporaire d\u2019insertion (ETTI)', synonymes: [] },
	GEIQ: { libelle: 'GEIQ', synonymes: ['groupement d\'employeurs'] },
	EA: { libelle: 'Entreprise adaptée (EA)', synonymes: ['entreprise adaptée'] },
	ESAT: { libelle: 'ESAT', synonymes: [] },
} as const;
export type Employer = keyof typeof EMPLOYERS;

export const MODALITIES = {
	embaucheDirecte: { libelle: 'Embauche directe', synonymes: ['embauche', 'recrutement direct'] },
	miseADisposition: { libelle: 'Mise à disposition', synonymes: ['MAD', 'mise a disposition', 'intérim d\'insertion'] },
	sousTraitance: { libelle: 'Sous-traitance à une structure d\u2019insertion', synonymes: ['sous-traitance', 'sous traitance'] },
	coTraitance: { libelle: 'Cotraitance avec une structure d\u2019insertion', synonymes: ['cotraitance', 'co-traitance'] },
} as const;
export type Modality = keyof typeof MODALITIES;

export const CONTRACT_TYPES = {
	CDI: { libelle: 'CDI', synonymes: ['contrat à durée indéterminée'] },
	CDD: { libelle: 'CDD', synonymes: ['contrat à durée déterminée'] },
	CDDI: { libelle: 'CDDI', synonymes: ['CDD d\'insertion', 'contrat à durée déterminée d\'insertion'] },
	interim: { libelle: 'Intérim', synonymes: ['interim', 'travail temporaire', 'mission d\'intérim'] },
	apprentissage: { libelle: 'Contrat d\u2019apprentissage', synonymes: ['apprentissage', 'apprenti'] },
	professionnalisation: { libelle: 'Contrat de professionnalisation', synonymes: ['professionnalisation', 'contrat pro'] },
} as const;
export type ContractType = keyof typeof CONTRACT_TYPES;

/**
 * Ce que les Régions rapportent des personnes (indicateurs du guide Avise, ARF
 * et Caisse des Dépôts de 2014 — pratiques des Régions Lorraine, Limousin et
 * Midi-Pyrénées — et tableau de bord partagé du groupe de travail « clauses
 * sociales » de la Préfecture de la région Hauts-de-France) : sexe, tranche
 * d'âge, résidence dans un quartier prioritaire, situation six mois après.
 * Jamais de nom ni de date de naissance : une tranche d'âge suffit.
 */
export const SEXES = {
	femme: { libelle: 'Femme', synonymes: ['F', 'féminin'] },
	homme: { libelle: 'Homme', synonymes: ['H', 'M', 'masculin'] },
} as const;
export type Sexe = keyof typeof SEXES;

export const AGE_BANDS = {
	moins26: { libelle: 'Moins de 26 ans', synonymes: ['moins de 26', '-26 ans', '< 26 ans', 'jeune', '16-25 ans', '18-25 ans'] },
	de26a49: { libelle: 'De 26 à 49 ans', synonymes: ['26-49 ans', '26 à 49 ans', '26-49'] },
	plus50: { libelle: '50 ans et plus', synonymes: ['50 ans ou plus', 'plus de 50 ans', '50+', 'senior'] },
} as const;
export type AgeBand = keyof typeof AGE_BANDS;

/** Situation six mois après la fin du parcours sur la clause (suivi du facilitateur). */
export const OUTCOMES = {
	emploiDurable: {
		libelle: 'Emploi durable (CDI, CDD ou intérim de 6 mois et plus, création d\u2019entreprise)',
		synonymes: ['emploi durable', 'CDI', 'CDD de 6 mois et plus', 'création d\'entreprise'],
	},
	emploiTransition: {
		libelle: 'Emploi de transition (CDD ou intérim de moins de 6 mois, contrat aidé)',
		synonymes: ['emploi de transition', 'emploi temporaire', 'contrat aidé', 'CDD de moins de 6 mois'],
	},
	formationQualifiante: { libelle: 'Formation qualifiante', synonymes: ['formation', 'formation qualifiante', 'entrée en formation'] },
	autre: { libelle: 'Autre situation (recherche d\u2019emploi, sans nouvelles…)', synonymes: ['autre', 'recherche d\'emploi', 'sans nouvelles', 'chômage', 'inactivité'] },
} as const;
export type Outcome = keyof typeof OUTCOMES;

/** Point d'une courbe prévisionnelle : heures cumulées attendues à la fin d'un mois. */
const CurvePointSchema = z.object({ mois: isoMonth(), heuresCumulees: decimal({ min: 0, unit: 'h' }) });

/** Courbe saisie en JSON ou en texte « 2026-01:100 ; 2026-02:250 ». */
function curve() {
	return z.preprocess((raw) => {
		if (typeof raw !== 'string') return raw;
		const text = raw.trim();
		if (text.startsWith('[')) {
			try {
				return JSON.parse(text);
			} catch {
				return raw;
			}
		}
		return text
			.split(/[;\n]/)
			.map((part) => part.trim())
			.filter(Boolean)
			.map((part) => {
				const [mois, heures] = part.split(/\s*[:=]\s*/);
				return { mois, heuresCumulees: heures };
			});
	}, z.array(CurvePointSchema));
}

/** Les champs d'une clause, sans la règle d'ensemble (relecture des fiches du registre : schemas/register.ts). */
export const ClauseRecordFields = z
	.object({
		marche: text({ max: 200 }),
		lot: text({ max: 100 }),
		objet: optional(text({ max: 500 })),
		intitule: optional(text({ max: 500 })),
		siret: siret(),
		titulaire: text({ max: 300 }),
		emailTitulaire: email(),
		contactTitulaire: optional(text({ max: 200 })),
		// 0 h : seulement pour une clause qui ne porte que des engagements (règle d'ensemble ci-dessous).
		heuresDues: decimal({ min: 0, unit: 'h', example: '420', plausible: 'heuresDues' }),
		debutExecution: isoDate(),
		finExecution: isoDate(),
		facilitateur: text({ max: 200 }),
		emailFacilitateur: email(),
		acheteur: text({ max: 200 }),
		emailAcheteur: email(),
		statut: z.preprocess((v) => (v === undefined || v === null || v === '' ? 'enCours' : v), tolerantEnum(CLAUSE_STATUSES, 'un statut de clause')),
		montantHT: optional(amount()),
		montantAnnuelHT: optional(amount()),
		courbe: optional(curve()),
		copieRelances: optional(emailList()),
		/** Pour le bilan : nature du marché, mécanisme de la considération sociale, territoire. */
		nature: optional(text({ max: 100 })),
		mecanisme: optional(text({ max: 200 })),
		territoire: optional(text({ max: 200 })),
	});

/**
 * Mécanismes d'une clause qui ne porte que des engagements (autres
 * considérations sociales, sans heures d'insertion) : le libellé de l'étude
 * (« Actions qualitatives (plan de progrès…) ») ou les mots des acheteurs.
 */
const COMMITMENTS_ONLY_MECHANISMS = ['actions qualitatives', 'action qualitative', 'engagements sociaux', 'autres considérations sociales'].map(normalizeToken);

/** La clause ne porte-t-elle que des engagements (mécanisme « actions qualitatives ») ? Elle peut alors ne devoir aucune heure. */
export function isCommitmentsOnly(clause: { mecanisme?: string }): boolean {
	const token = clause.mecanisme === undefined ? '' : normalizeToken(clause.mecanisme);
	return token !== '' && COMMITMENTS_ONLY_MECHANISMS.some((m) => token.startsWith(m));
}

/** Règle d'ensemble d'une clause (reprise par CLAUSE_READER pour la lecture rapide des lignes, voir rowReader). */
function refineClause(clause: z.output<typeof ClauseRecordFields>, ctx: z.RefinementCtx): void {
	if (clause.heuresDues === 0 && !isCommitmentsOnly(clause)) {
		fieldIssue(
			ctx,
			'heuresDues',
			'aucune heure d\u2019insertion due (0\u00a0h) pour une clause qui ne porte pas que des engagements',
			'Saisissez les heures d\u2019insertion dues (plus de 0\u00a0h, par exemple 420). Si la clause ne porte que des engagements (actions qualitatives, plan de progrès, illettrisme, égalité femmes-hommes, stagiaires), indiquez « actions qualitatives » comme mécanisme (colonne « Mécanisme » ou champ « mecanisme »).',
			'clause.sansHeures',
		);
	}
	if (clause.finExecution < clause.debutExecution) {
		fieldIssue(ctx, 'finExecution', `fin d\u2019exécution (${frenchLongDate(clause.finExecution)}) antérieure au début (${frenchLongDate(clause.debutExecution)})`, 'Corrigez les dates d\u2019exécution : la fin doit suivre le début.', 'clause.dates');
	}
}

export const ClauseRecordSchema = ClauseRecordFields.superRefine(refineClause);

export type ClauseRecord = z.output<typeof ClauseRecordSchema>;

export const CLAUSE_LABELS: FieldLabels = {
	marche: 'marché',
	lot: 'lot',
	objet: 'objet du marché',
	intitule: 'intitulé du lot',
	siret: 'SIRET du titulaire',
	titulaire: 'titulaire',
	emailTitulaire: 'courriel du titulaire',
	contactTitulaire: 'contact du titulaire',
	heuresDues: 'heures d\u2019insertion dues',
	debutExecution: 'début d\u2019exécution',
	finExecution: 'fin d\u2019exécution',
	facilitateur: 'facilitateur',
	emailFacilitateur: 'courriel du facilitateur',
	acheteur: 'acheteur',
	emailAcheteur: 'courriel de l\u2019acheteur',
	statut: 'statut',
	montantHT: 'montant HT du marché',
	montantAnnuelHT: 'montant annuel HT',
	courbe: 'courbe prévisionnelle',
	copieRelances: 'copie des relances',
	nature: 'nature du marché',
	mecanisme: 'mécanisme',
	territoire: 'territoire',
};

export const CLAUSE_READER: RecordReader<typeof ClauseRecordSchema> = {
	...labelledReader(ClauseRecordSchema, CLAUSE_LABELS, {
		marche: ['n° marché', 'numéro de marché', 'marché'],
		lot: ['n° lot', 'numéro de lot'],
		titulaire: ['raison sociale', 'entreprise', 'titulaire du marché'],
		siret: ['SIRET', 'n° SIRET', 'SIRET du titulaire'],
		emailTitulaire: ['courriel du titulaire', 'e-mail du titulaire', 'mail titulaire'],
		contactTitulaire: ['contact du titulaire', 'interlocuteur'],
		heuresDues: ['heures dues', 'heures d\'insertion dues', 'heures d\'insertion', 'objectif d\'heures', 'heures prévues'],
		debutExecution: ['début d\'exécution', 'date de début', 'début'],
		finExecution: ['fin d\'exécution', 'date de fin', 'fin'],
		emailFacilitateur: ['courriel du facilitateur', 'e-mail du facilitateur'],
		acheteur: ['service acheteur', 'service'],
		emailAcheteur: ['courriel de l\'acheteur', 'e-mail de l\'acheteur'],
		montantHT: ['montant HT', 'montant du marché'],
		montantAnnuelHT: ['montant annuel HT', 'montant annuel'],
		courbe: ['courbe prévisionnelle', 'planning', 'échéancier'],
		copieRelances: ['copie des relances', 'copie'],
		nature: ['nature', 'type de marché', 'nature du marché'],
		mecanisme: ['mécanisme', 'considération sociale', 'type de clause', 'dispositif'],
		territoire: ['territoire', 'bassin d\'emploi', 'département'],
	}),
	refine: refineClause,
};

/** Identifiant stable d'une clause : marché et lot. */
export function clauseKey(record: { marche: string; lot: string }): string {
	return `${normalizeToken(record.marche)}/${normalizeToken(record.lot)}`;
}

/**
 * `clauseKey` avec mémoire, pour les lectures de centaines de milliers de
 * lignes qui reviennent sans cesse aux mêmes quelques milliers de clauses
 * (la normalisation Unicode coûte plus que la recherche). La mémoire
 * appartient à l'appelant (un accumulateur, un index), jamais au module.
 */
export function clauseKeyMemo(limit = 20000): (record: { marche: string; lot: string }) => string {
	// Même clé que clauseKey, chaque partie normalisée une fois par texte distinct.
	const token = memoizeText(normalizeToken, limit);
	return (record) => `${token(record.marche)}/${token(record.lot)}`;
}

/** Une fonction pure d'un texte, avec mémoire bornée (vidée quand elle est pleine), propre à l'appelant. */
export function memoizeText<T>(fn: (text: string) => T, limit = 20000): (text: string) => T {
	const memo = new Map<string, T>();
	return (text) => {
		let value = memo.get(text);
		if (value === undefined) {
			value = detachedValue(fn(text));
			if (memo.size >= limit) memo.clear();
			memo.set(detachedText(text), value);
		}
		return value;
	};
}

/** Heures mensuelles plausibles pour une personne (35 h × 52 ÷ 12). */
export const MONTHLY_FULL_TIME_HOURS = 151.67;

/**
 * Champs d'une ligne de relevé qui décrivent le contrat et la personne, du
 * début du contrat à la situation six mois après, dans l'ordre de la feuille
 * « Relevés » : repris par la conservation (données personnelles), la saisie
 * en ligne (champs reportés) et les colonnes ajoutées au classeur.
 */
export const CONTRACT_PERSON_FIELDS = ['debutContrat', 'finContrat', 'poste', 'sexe', 'trancheAge', 'residentQpv', 'situationSixMois'] as const;

/** Les champs d'une ligne de relevé, sans la règle d'ensemble (relecture des lignes du registre : schemas/register.ts). */
export const ReportLineFields = z.object({
		marche: text({ max: 200 }),
		lot: text({ max: 100 }),
		siret: optional(siret()),
		mois: isoMonth(),
		participant: optional(text({ max: 100 })),
		categoriePublic: optional(tolerantEnum(PUBLIC_CATEGORIES, 'une catégorie de public')),
		eligibiliteValidee: optional(yesNo()),
		employeur: optional(tolerantEnum(EMPLOYERS, 'un type d\u2019employeur')),
		/** Entreprise qui emploie la personne, quand ce n'est pas le titulaire (tableau des sous-traitants : Avise, ARF et Caisse des Dépôts, « Intégration des clauses sociales dans la commande publique des Conseils régionaux », 2014, pratique de la Région Picardie). */
		nomEmployeur: optional(text({ max: 300 })),
		siretEmployeur: optional(siret()),
		modalite: optional(tolerantEnum(MODALITIES, 'une modalité')),
		typeContrat: optional(tolerantEnum(CONTRACT_TYPES, 'un type de contrat')),
		debutContrat: optional(isoDate()),
		finContrat: optional(isoDate()),
		poste: optional(text({ max: 200 })),
		sexe: optional(tolerantEnum(SEXES, 'un sexe')),
		trancheAge: optional(tolerantEnum(AGE_BANDS, 'une tranche d\u2019âge')),
		residentQpv: optional(yesNo()),
		situationSixMois: optional(tolerantEnum(OUTCOMES, 'une situation six mois après')),
		heuresMois: decimal({ min: 0, unit: 'h', example: '35', plausible: 'heuresMois' }),
		heuresFormation: optional(decimal({ min: 0, unit: 'h', example: '7', plausible: 'heuresMois' })),
		justification: optional(text({ max: 1000 })),
		dateReception: optional(isoDate()),
		/** Historique des relevés (réception) : version « AAAA-MM-JJ vN », correction d'un mois déjà reçu. */
		version: optional(text({ max: 40 })),
		correction: optional(yesNo()),
		remplace: optional(text({ max: 40 })),
		/** Ligne remplacée par une correction : gardée pour l'historique, jamais comptée. */
		remplaceePar: optional(text({ max: 200 })),
	});

function refineReportLine(line: z.output<typeof ReportLineFields>, ctx: z.RefinementCtx): void {
	// Une ligne « néant » (aucune heure ce mois-ci) n'a pas de participant ; toute autre en a un.
	if (line.heuresMois > 0 && line.participant === undefined) {
		fieldIssue(ctx, 'participant', 'heures déclarées sans participant', 'Indiquez l\u2019identifiant (pseudonyme) du participant, ou déclarez 0 heure pour un mois sans activité.', 'releve.participant');
	}
	if (line.debutContrat && line.finContrat && line.finContrat < line.debutContrat) {
		fieldIssue(ctx, 'finContrat', 'fin de contrat antérieure au début', 'Corrigez les dates du contrat.', 'releve.datesContrat');
	}
}

export const ReportLineSchema = ReportLineFields.superRefine(refineReportLine);

export type ReportLine = z.output<typeof ReportLineSchema>;

/**
 * Les seuls champs d'une ligne de relevé qui comptent pour les heures
 * déclarées (relance, pénalités) : une erreur sur une catégorie de public ne
 * bloque pas une relance ; elle relève de la réception des relevés.
 */
export const ReportHoursSchema = ReportLineFields.pick({ marche: true, lot: true, siret: true, mois: true, heuresMois: true, remplaceePar: true });
export type ReportHours = z.output<typeof ReportHoursSchema>;

export const REPORT_LINE_LABELS: FieldLabels = {
	marche: 'marché',
	lot: 'lot',
	siret: 'SIRET',
	mois: 'mois',
	participant: 'participant',
	categoriePublic: 'catégorie de public',
	eligibiliteValidee: 'éligibilité validée par le facilitateur',
	employeur: 'employeur',
	nomEmployeur: 'raison sociale de l\u2019employeur',
	siretEmployeur: 'SIRET de l\u2019employeur',
	modalite: 'modalité',
	typeContrat: 'type de contrat',
	debutContrat: 'début du contrat',
	finContrat: 'fin du contrat',
	poste: 'poste occupé',
	sexe: 'sexe',
	trancheAge: 'tranche d\u2019âge',
	residentQpv: 'résident d\u2019un quartier prioritaire (QPV)',
	situationSixMois: 'situation six mois après',
	heuresMois: 'heures du mois',
	heuresFormation: 'heures de formation',
	justification: 'justification',
	dateReception: 'date de réception',
	version: 'version du relevé',
	correction: 'correction',
	remplace: 'remplace',
	remplaceePar: 'remplacée par',
};

const REPORT_LINE_KEYS = buildKeyIndex(
	Object.keys(REPORT_LINE_LABELS),
	{
		marche: ['n° marché', 'marché'],
		lot: ['n° lot'],
		mois: ['mois concerné', 'période', 'mois du relevé'],
		participant: ['identifiant du participant', 'participant (pseudonyme)', 'personne', 'bénéficiaire'],
		categoriePublic: ['public', 'catégorie', 'public éligible', 'catégorie de public'],
		eligibiliteValidee: ['éligibilité validée', 'validé par le facilitateur', 'éligibilité'],
		employeur: ['employeur', 'structure employeuse'],
		nomEmployeur: ['raison sociale de l\'employeur', 'nom de l\'employeur', 'entreprise employeuse', 'raison sociale employeur'],
		siretEmployeur: ['SIRET de l\'employeur', 'SIRET employeur', 'SIRET de l\'entreprise employeuse'],
		modalite: ['modalité', 'modalité de mise en œuvre'],
		typeContrat: ['contrat', 'type de contrat'],
		debutContrat: ['début du contrat', 'date d\'embauche'],
		finContrat: ['fin du contrat'],
		poste: ['poste', 'emploi', 'métier'],
		sexe: ['sexe', 'genre', 'femme / homme', 'F/H'],
		trancheAge: ['tranche d\'âge', 'âge', 'classe d\'âge'],
		residentQpv: ['QPV', 'résident QPV', 'quartier prioritaire', 'résident d\'un QPV', 'habite un QPV'],
		situationSixMois: ['situation à six mois', 'situation à 6 mois', 'sortie', 'situation à la sortie', 'sortie à six mois'],
		heuresMois: ['heures', 'heures du mois', 'heures travaillées', 'heures d\'insertion du mois'],
		heuresFormation: ['heures de formation', 'formation (h)'],
		justification: ['justification', 'commentaire'],
		dateReception: ['reçu le', 'date de réception'],
		version: ['version', 'version du relevé'],
		correction: ['correction', 'ligne corrigée'],
		remplace: ['remplace', 'remplace la version'],
		remplaceePar: ['remplacée par', 'remplacé par', 'ligne remplacée par'],
	},
	REPORT_LINE_LABELS,
);

export const REPORT_LINE_READER: RecordReader<typeof ReportLineSchema> = {
	schema: ReportLineSchema,
	refine: refineReportLine,
	labels: REPORT_LINE_LABELS,
	keys: REPORT_LINE_KEYS,
};

/** Lecteur réduit aux heures (voir ReportHoursSchema). */
export const REPORT_HOURS_READER: RecordReader<typeof ReportHoursSchema> = {
	schema: ReportHoursSchema,
	labels: REPORT_LINE_LABELS,
	keys: REPORT_LINE_KEYS,
};
