/** Paramètres du nœud « Registre des clauses », par opération. */
import type { INodeProperties } from 'n8n-workflow';

export const OPERATIONS = {
	enregistrerEtude: 'enregistrerEtude',
	enregistrerFicheVisa: 'enregistrerFicheVisa',
	enregistrerNotification: 'enregistrerNotification',
	importerClasseur: 'importerClasseur',
	exporter: 'exporter',
	lireClauses: 'lireClauses',
	historique: 'historique',
	archiver: 'archiver',
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
				name: 'Exporter',
				value: 'exporter',
				action: 'Exporter le registre',
				description: 'Classeur daté en lecture seule, par facilitateur ou par acheteur (feuilles Registre et Relevés)',
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
		],
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
	// --- Lire les clauses ---
	{
		displayName: 'Début de la période',
		name: 'debut',
		type: 'string',
		default: '',
		required: true,
		placeholder: '2026-01-01',
		description: 'AAAA-MM-JJ : les clauses dont l’exécution chevauche la période sont lues',
		displayOptions: show('lireClauses'),
	},
	{
		displayName: 'Fin de la période',
		name: 'fin',
		type: 'string',
		default: '',
		required: true,
		placeholder: '2026-12-31',
		description: 'AAAA-MM-JJ',
		displayOptions: show('lireClauses'),
	},
	{
		displayName: 'Facilitateur',
		name: 'facilitateur',
		type: 'string',
		default: '',
		description: 'Seulement les clauses de ce facilitateur ; vide : toutes',
		displayOptions: show('lireClauses'),
	},
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
];
