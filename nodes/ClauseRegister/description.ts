/** Paramètres du nœud « Registre des clauses », par opération. */
import type { INodeProperties } from 'n8n-workflow';

import {
	DECP_CCAG,
	DECP_CONSIDERATIONS_ENVIRONNEMENTALES,
	DECP_FORMES_PRIX,
	DECP_GROUPEMENTS,
	DECP_MODALITES,
	DECP_NATURES,
	DECP_PROCEDURES,
	DECP_TECHNIQUES,
	DECP_TYPES_LIEU,
	DECP_TYPES_PRIX,
} from '../core';
import { periodProperties } from '../shared/follow-up';
import { POOLING_PROPERTIES } from './pooling-description';

export const OPERATIONS = {
	enregistrerEtude: 'enregistrerEtude',
	enregistrerFicheVisa: 'enregistrerFicheVisa',
	enregistrerNotification: 'enregistrerNotification',
	importerClasseur: 'importerClasseur',
	exporter: 'exporter',
	exporterDecp: 'exporterDecp',
	importerDecp: 'importerDecp',
	lireClauses: 'lireClauses',
	historique: 'historique',
	archiver: 'archiver',
	anonymiser: 'anonymiser',
	declarerEngagement: 'declarerEngagement',
	enregistrerJustificatif: 'enregistrerJustificatif',
	declarerMutualisation: 'declarerMutualisation',
	declarerIntervenants: 'declarerIntervenants',
	situationMutualisation: 'situationMutualisation',
	heuresParEmployeur: 'heuresParEmployeur',
} as const;

export type Operation = keyof typeof OPERATIONS;

const show = (...operation: Operation[]) => ({ show: { operation } });

const clauseKeyProperties = (...operation: Operation[]): INodeProperties[] => [
	{
		displayName: 'Marché',
		name: 'marche',
		type: 'string',
		default: '',
		required: true,
		placeholder: '2026-TRX-014',
		description: 'Numéro du marché de la clause',
		displayOptions: show(...operation),
	},
	{
		displayName: 'Lot',
		name: 'lot',
		type: 'string',
		default: '',
		required: true,
		placeholder: '4',
		description: 'Numéro du lot (« unique » pour un marché non alloti)',
		displayOptions: show(...operation),
	},
];

export const REGISTER_PROPERTIES: INodeProperties[] = [
	{
		displayName: 'Opération',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'lireClauses',
		options: [
			{
				name: 'Anonymiser les relevés échus',
				value: 'anonymiser',
				// Même règle de casse que plus bas : elle retire les lettres accentuées (« relev s chus ») ; le libellé est en casse de phrase.
				// eslint-disable-next-line n8n-nodes-base/node-param-operation-option-action-miscased
				action: 'Anonymiser les relevés échus',
				description: 'Au terme de la durée de conservation, retire des relevés les données qui se rattachent à une personne ; les heures restent',
			},
			{
				name: 'Archiver une clause',
				value: 'archiver',
				action: 'Archiver une clause',
				description: 'Retire une clause du suivi sans rien effacer : ses versions et son historique restent',
			},
			{
				name: 'Enregistrer l’étude',
				value: 'enregistrerEtude',
				// La règle de casse du linter retire les lettres accentuées et l’apostrophe typographique (« Enregistrer l tude ») : le libellé est déjà en casse de phrase.
				// eslint-disable-next-line n8n-nodes-base/node-param-operation-option-action-miscased
				action: 'Enregistrer l’étude',
				description: 'Un marché et ses lots depuis l’étude de faisabilité ou le calibrage : décision, mécanismes, heures, formule et source',
			},
			{
				name: 'Enregistrer la fiche visa',
				value: 'enregistrerFicheVisa',
				action: 'Enregistrer la fiche visa',
				description: 'La décision du nœud « Fiche visa » (visé, à compléter, refusé) sur chacun des lots de la fiche',
			},
			{
				name: 'Enregistrer la notification',
				value: 'enregistrerNotification',
				action: 'Enregistrer la notification',
				description: 'Marché notifié : titulaire, SIRET, contact, facilitateur, acheteur, dates d’exécution ; la clause devient active',
			},
			{
				name: 'Enregistrer les sous-traitants et cotraitants',
				value: 'declarerIntervenants',
				// La règle de casse remplace le trait d’union par une espace (« sous traitants ») : le libellé est déjà en casse de phrase.
				// eslint-disable-next-line n8n-nodes-base/node-param-operation-option-action-miscased
				action: 'Enregistrer les sous-traitants et cotraitants',
				description: 'Les entreprises qui emploient des personnes en insertion sur une clause (sous-traitant, cotraitant, SIAE mettant du personnel à disposition) : la relance nomme celles dont les lignes manquent au relevé',
			},
			{
				name: 'Enregistrer un engagement',
				value: 'declarerEngagement',
				action: 'Enregistrer un engagement',
				description: 'Une autre considération sociale (action qualitative, plan de progrès, illettrisme, égalité femmes-hommes, stagiaires) avec son indicateur et ses échéances, suivie comme les heures',
			},
			{
				name: 'Enregistrer un groupe de mutualisation',
				value: 'declarerMutualisation',
				action: 'Enregistrer un groupe de mutualisation',
				description: 'Les clauses d’un même titulaire dont les heures sont mutualisées, quand le CCAP le permet : relance et pénalités suivent l’obligation du groupe',
			},
			{
				name: 'Enregistrer un justificatif',
				value: 'enregistrerJustificatif',
				action: 'Enregistrer un justificatif',
				description: 'Le justificatif d’un engagement reçu pour une échéance : date de réception, valeur atteinte, pièce',
			},
			{
				name: 'Exporter',
				value: 'exporter',
				action: 'Exporter le registre',
				description: 'Classeur daté en lecture seule, par facilitateur ou par acheteur (feuilles Registre et Relevés)',
			},
			{
				name: 'Exporter les données essentielles (DECP)',
				value: 'exporterDecp',
				// « DECP » est un sigle : la règle de casse le voudrait en minuscules.
				// eslint-disable-next-line n8n-nodes-base/node-param-operation-option-action-miscased
				action: 'Exporter les données essentielles (DECP)',
				description: 'Les marchés notifiés au format de publication des données essentielles 2.0 (fichier JSON), considérations sociales tirées de l’étude et des clauses',
			},
			{
				name: 'Heures par employeur',
				value: 'heuresParEmployeur',
				action: 'Lire les heures par employeur',
				description: 'Pour chaque clause, les heures du titulaire, de chaque sous-traitant, cotraitant ou SIAE, et les lignes manquantes des entreprises déclarées',
			},
			{
				name: 'Historique d’une clause',
				value: 'historique',
				// Même règle de casse, qui retire l’apostrophe typographique.
				// eslint-disable-next-line n8n-nodes-base/node-param-operation-option-action-miscased
				action: 'Lire l’historique d’une clause',
				description: 'Toutes les versions d’une clause et chaque changement, avec sa date et son exécution',
			},
			{
				name: 'Importer des données essentielles (DECP)',
				value: 'importerDecp',
				// « DECP » est un sigle : la règle de casse le voudrait en minuscules.
				// eslint-disable-next-line n8n-nodes-base/node-param-operation-option-action-miscased
				action: 'Importer des données essentielles (DECP)',
				description: 'Les marchés d’un acheteur repris d’un fichier publié (format 2.0), avec le compte rendu des marchés repris et refusés ; rien n’est écrasé',
			},
			{
				name: 'Importer le classeur de suivi',
				value: 'importerClasseur',
				action: 'Importer le classeur de suivi',
				description: 'Le classeur de suivi actuel (feuilles Registre et Relevés), tout ou rien par fichier, avec le compte rendu des lignes reprises et refusées',
			},
			{
				name: 'Lire les clauses',
				value: 'lireClauses',
				action: 'Lire les clauses',
				description: 'Les clauses en vigueur sur une période, avec les heures déclarées à ce jour : un élément par clause',
			},
			{
				name: 'Situation des groupes de mutualisation',
				value: 'situationMutualisation',
				action: 'Lire la situation des groupes de mutualisation',
				description: 'Pour chaque groupe : la part, l’avance ou le retard de chaque marché et l’obligation mutualisée, tous acheteurs d’un facilitateur confondus',
			},
		],
	},
	// --- Engagements (autres considérations sociales) ---
	{
		displayName:
			'Un engagement par élément d’entrée : « marche », « lot », « numero », « type » (action qualitative, plan de progrès, illettrisme, égalité femmes-hommes, stagiaires), « libelle », « indicateur », « unite » (facultative) et « echeances » (liste de { "date", "libelle", "cible" }, ou dates séparées par des points-virgules). Le lot doit être au registre (étude ou notification).',
		name: 'noticeEngagement',
		type: 'notice',
		default: '',
		displayOptions: show('declarerEngagement'),
	},
	{
		displayName:
			'Un justificatif par élément d’entrée : « marche », « lot », « numero » de l’engagement, « echeance » à laquelle il répond, « dateReception », et, s’il y a lieu, « valeur » atteinte, « piece » et « commentaire ».',
		name: 'noticeJustificatif',
		type: 'notice',
		default: '',
		displayOptions: show('enregistrerJustificatif'),
	},
	// --- Importer le classeur de suivi ---
	{
		displayName: 'Champ binaire du classeur',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'Nom du champ binaire qui porte le classeur de suivi .xlsx',
		displayOptions: show('importerClasseur'),
	},
	// --- Exporter ---
	{
		displayName: 'Un classeur par',
		name: 'par',
		type: 'options',
		default: 'facilitateur',
		options: [
			{ name: 'Facilitateur', value: 'facilitateur', description: 'Les clauses que suit chaque facilitateur' },
			{ name: 'Acheteur', value: 'acheteur', description: 'Les clauses de chaque service acheteur' },
		],
		displayOptions: show('exporter'),
	},
	{
		displayName: 'Nom',
		name: 'nom',
		type: 'string',
		default: '',
		placeholder: 'PLIE du Val d’Argent',
		description: 'Facilitateur ou acheteur à exporter ; vide : un classeur pour chacun',
		displayOptions: show('exporter'),
	},
	{
		displayName: 'Date de l’export',
		name: 'dateExport',
		type: 'string',
		default: '',
		placeholder: '2026-12-01',
		description: 'AAAA-MM-JJ, portée dans le nom du fichier ; vide : la date du jour (fuseau du workflow)',
		displayOptions: show('exporter'),
	},
	{
		displayName: 'Mot de passe de protection',
		name: 'motDePasse',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		description: 'Protège les feuilles contre la modification ; vide : protection sans mot de passe (lecture seule, désactivable dans Excel)',
		displayOptions: show('exporter'),
	},
	{
		displayName: 'Champ binaire de sortie',
		name: 'binaryOutput',
		type: 'string',
		default: 'data',
		required: true,
		description: 'Nom du champ binaire qui portera le classeur',
		displayOptions: show('exporter'),
	},
	// --- Données essentielles (DECP) ---
	{
		displayName: 'Champ binaire du fichier',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'Nom du champ binaire qui porte le fichier JSON des données essentielles (format 2.0)',
		displayOptions: show('importerDecp'),
	},
	{
		displayName: 'SIRET de l’acheteur',
		name: 'acheteurSiret',
		type: 'string',
		default: '',
		required: true,
		placeholder: '23750007900312',
		description: 'SIRET de l’acheteur tel que publié dans les données essentielles (champ « acheteur ») ; seuls ses marchés sont importés ou exportés',
		displayOptions: show('exporterDecp', 'importerDecp'),
	},
	{
		displayName: 'Service acheteur',
		name: 'acheteur',
		type: 'string',
		default: '',
		placeholder: 'Direction des lycées – service des travaux',
		description: 'Seulement les marchés de ce service (tel qu’écrit dans les clauses) ; vide : tous les marchés de l’acheteur, y compris ceux importés sans clause',
		displayOptions: show('exporterDecp'),
	},
	{
		displayName: 'Notifiés à partir du',
		name: 'notifiesDepuis',
		type: 'string',
		default: '',
		placeholder: '2027-01-01',
		description: 'AAAA-MM-JJ : seulement les marchés notifiés depuis cette date ; vide : tous',
		displayOptions: show('exporterDecp'),
	},
	{
		displayName: 'Date de publication des données',
		name: 'datePublication',
		type: 'string',
		default: '',
		placeholder: '2027-03-01',
		description: 'AAAA-MM-JJ, pour les marchés publiés pour la première fois (une date déjà publiée est gardée) ; vide : la date du jour',
		displayOptions: show('exporterDecp'),
	},
	{
		displayName: 'Valeurs par défaut',
		name: 'valeursParDefaut',
		type: 'collection',
		placeholder: 'Ajouter une valeur par défaut',
		default: {},
		description: 'Pour les marchés dont ni le registre ni les données importées ne donnent ces champs',
		displayOptions: show('exporterDecp'),
		options: [
			{ displayName: 'Avance attribuée', name: 'attributionAvance', type: 'boolean', default: false },
			{
				displayName: 'CCAG de référence',
				name: 'ccag',
				type: 'options',
				default: 'Travaux',
				options: DECP_CCAG.map((v) => ({ name: v, value: v })),
			},
			{ displayName: 'Code CPV', name: 'codeCPV', type: 'string', default: '', placeholder: '45210000' },
			{ displayName: 'Code du lieu d’exécution', name: 'lieuExecutionCode', type: 'string', default: '', placeholder: '87' },
			{
				displayName: 'Considérations environnementales',
				name: 'considerationEnvironnementale',
				type: 'multiOptions',
				default: [],
				options: DECP_CONSIDERATIONS_ENVIRONNEMENTALES.map((v) => ({ name: v, value: v })),
			},
			{
				displayName: 'Forme du prix',
				name: 'formePrix',
				type: 'options',
				default: 'Forfaitaire',
				options: DECP_FORMES_PRIX.map((v) => ({ name: v, value: v })),
			},
			{ displayName: 'Marché innovant', name: 'marcheInnovant', type: 'boolean', default: false },
			{
				displayName: 'Modalités d’exécution',
				name: 'modaliteExecution',
				type: 'multiOptions',
				default: [],
				options: DECP_MODALITES.map((v) => ({ name: v, value: v })),
			},
			{
				displayName: 'Nature',
				name: 'nature',
				type: 'options',
				default: 'Marché',
				options: DECP_NATURES.map((v) => ({ name: v, value: v })),
			},
			{
				displayName: 'Procédure',
				name: 'procedure',
				type: 'options',
				default: 'Procédure adaptée',
				options: DECP_PROCEDURES.map((v) => ({ name: v, value: v })),
			},
			{ displayName: 'Sous-traitance déclarée', name: 'sousTraitanceDeclaree', type: 'boolean', default: false },
			{
				displayName: 'Techniques d’achat',
				name: 'technique',
				type: 'multiOptions',
				default: [],
				options: DECP_TECHNIQUES.map((v) => ({ name: v, value: v })),
			},
			{
				displayName: 'Type de code du lieu',
				name: 'lieuExecutionType',
				type: 'options',
				default: 'Code département',
				options: DECP_TYPES_LIEU.map((v) => ({ name: v, value: v })),
			},
			{
				displayName: 'Type de groupement',
				name: 'typeGroupementOperateurs',
				type: 'options',
				default: 'Pas de groupement',
				options: DECP_GROUPEMENTS.map((v) => ({ name: v, value: v })),
			},
			{
				displayName: 'Types de prix',
				name: 'typePrix',
				type: 'multiOptions',
				default: [],
				options: DECP_TYPES_PRIX.map((v) => ({ name: v, value: v })),
			},
		],
	},
	{
		displayName: 'Compléments par marché',
		name: 'complements',
		type: 'json',
		default: '[]',
		description: 'Liste JSON : pour un marché (« marche », « lot »), les champs des données essentielles que le registre ne connaît pas, par exemple [{ "marche": "2026-TRX-014", "lot": "1", "codeCPV": "45210000", "offresRecues": 4 }]',
		displayOptions: show('exporterDecp'),
	},
	{
		displayName: 'Champ binaire de sortie',
		name: 'binaryOutput',
		type: 'string',
		default: 'data',
		required: true,
		description: 'Nom du champ binaire qui portera le fichier JSON',
		displayOptions: show('exporterDecp'),
	},
	// --- Lire les clauses ---
	...periodProperties(show('lireClauses'), {
		debut: 'AAAA-MM-JJ : les clauses dont l’exécution chevauche la période sont lues',
		fin: 'AAAA-MM-JJ',
	}),
	{
		displayName: 'Facilitateur',
		name: 'facilitateur',
		type: 'string',
		default: '',
		description: 'Seulement les clauses de ce facilitateur ; vide : toutes',
		displayOptions: show('lireClauses'),
	},
	...POOLING_PROPERTIES,
	// --- Historique, archivage ---
	...clauseKeyProperties('historique', 'archiver'),
	{
		displayName: 'Motif de l’archivage',
		name: 'motif',
		type: 'string',
		default: '',
		placeholder: 'Lot résilié',
		description: 'Gardé dans l’historique de la clause',
		displayOptions: show('archiver'),
	},
	// --- Anonymisation des relevés échus ---
	{
		displayName: 'Durée de conservation (mois)',
		name: 'conservationMois',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 600 },
		default: 60,
		description:
			'Les relevés des mois plus anciens que cette durée, comptée depuis la date de référence, perdent les données qui se rattachent à une personne (RGPD, art. 5, 1, e). La durée est celle que fixe le responsable du registre ; 60 mois par défaut, celle qu’annonce le formulaire du relevé en ligne.',
		displayOptions: show('anonymiser'),
	},
	{
		displayName: 'Date de référence',
		name: 'dateReference',
		type: 'string',
		default: '',
		placeholder: '2031-01-15',
		description: 'AAAA-MM-JJ ; vide : la date du jour (fuseau du workflow)',
		displayOptions: show('anonymiser'),
	},
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		default: 'apercu',
		options: [
			{ name: 'Aperçu (rien n’est écrit)', value: 'apercu', description: 'Compte les lignes, relevés et clauses qui seraient anonymisés' },
			{ name: 'Appliquer (anonymiser au registre)', value: 'appliquer', description: 'Efface des lignes échues, toutes versions, les données personnelles ; irréversible' },
		],
		displayOptions: show('anonymiser'),
	},
];
