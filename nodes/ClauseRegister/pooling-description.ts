/** Paramètres des opérations de mutualisation des heures et des entreprises intervenantes du nœud « Registre des clauses ». */
import type { INodeProperties } from 'n8n-workflow';

const show = (...operation: string[]) => ({ show: { operation } });

export const POOLING_PROPERTIES: INodeProperties[] = [
	// --- Enregistrer un groupe de mutualisation ---
	{
		displayName: 'Identifiant du groupe',
		name: 'groupe',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'BTP-ARGENT-2026',
		description: 'Une nouvelle déclaration sous le même identifiant remplace la composition du groupe (l’ancienne version reste dans l’historique)',
		displayOptions: show('declarerMutualisation'),
	},
	{
		displayName: 'Libellé du groupe',
		name: 'libelleGroupe',
		type: 'string',
		default: '',
		placeholder: 'Heures mutualisées de Bâtiments du Val d’Argent',
		displayOptions: show('declarerMutualisation'),
	},
	{
		displayName: 'Périmètre',
		name: 'perimetre',
		type: 'options',
		default: 'acheteur',
		options: [
			{ name: 'Marchés d’acheteurs qui partagent un facilitateur (guichet unique)', value: 'facilitateur' },
			{ name: 'Marchés d’un même acheteur', value: 'acheteur' },
		],
		displayOptions: show('declarerMutualisation'),
	},
	{
		displayName: 'Article du CCAP qui permet la mutualisation',
		name: 'fondement',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'CCAP, article 9.4',
		description: 'Les heures ne se mutualisent que si le CCAP de chaque marché le prévoit : cité dans les relances et les avis de pénalité',
		displayOptions: show('declarerMutualisation'),
	},
	{
		displayName: 'Clauses du groupe',
		name: 'clausesGroupe',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Ajouter une clause',
		description: 'Au moins deux clauses (marché et lot) d’un même titulaire, déjà au registre',
		displayOptions: show('declarerMutualisation'),
		options: [
			{
				displayName: 'Clause',
				name: 'clause',
				values: [
					{ displayName: 'Lot', name: 'lot', type: 'string', default: '', placeholder: '4' },
					{ displayName: 'Marché', name: 'marche', type: 'string', default: '', placeholder: '2026-TRX-014' },
				],
			},
		],
	},
	// --- Enregistrer les sous-traitants et cotraitants ---
	{
		displayName: 'Marché',
		name: 'marcheIntervenants',
		type: 'string',
		default: '',
		required: true,
		placeholder: '2026-TRX-014',
		displayOptions: show('declarerIntervenants'),
	},
	{
		displayName: 'Lot',
		name: 'lotIntervenants',
		type: 'string',
		default: '',
		required: true,
		placeholder: '4',
		displayOptions: show('declarerIntervenants'),
	},
	{
		displayName: 'Entreprises intervenantes',
		name: 'intervenants',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Ajouter une entreprise',
		description: 'Toute la liste des entreprises de la clause : une nouvelle déclaration la remplace (l’ancienne version reste dans l’historique) ; vide : plus aucune',
		displayOptions: show('declarerIntervenants'),
		options: [
			{
				displayName: 'Entreprise',
				name: 'entreprise',
				values: [
					{ displayName: 'Début d’intervention', name: 'debut', type: 'string', default: '', placeholder: '2026-09-01', description: 'AAAA-MM-JJ ; vide : dès le début du marché' },
					{ displayName: 'Fin d’intervention', name: 'fin', type: 'string', default: '', placeholder: '2027-03-31', description: 'AAAA-MM-JJ ; vide : jusqu’à la fin du marché' },
					{ displayName: 'Raison sociale', name: 'nom', type: 'string', default: '', placeholder: 'Maçonnerie Dupont' },
					{
						displayName: 'Rôle',
						name: 'role',
						type: 'options',
						default: 'sousTraitant',
						options: [
							{ name: 'Cotraitant', value: 'coTraitant' },
							{ name: 'SIAE mettant du personnel à disposition', value: 'miseADisposition' },
							{ name: 'Sous-traitant', value: 'sousTraitant' },
						],
					},
					{ displayName: 'SIRET', name: 'siret', type: 'string', default: '', placeholder: '41234567800012' },
				],
			},
		],
	},
	// --- Situation des groupes de mutualisation, heures par employeur ---
	{
		displayName: 'Date de référence',
		name: 'dateReference',
		type: 'string',
		default: '',
		placeholder: '2026-12-01',
		description: 'AAAA-MM-JJ ; vide : la date du jour. Le mois de référence est le mois précédent, comme pour la relance.',
		displayOptions: show('situationMutualisation', 'heuresParEmployeur'),
	},
	{
		displayName: 'Facilitateur',
		name: 'facilitateurVue',
		type: 'string',
		default: '',
		description: 'Seulement les clauses de ce facilitateur, tous acheteurs confondus (guichet unique) ; vide : toutes',
		displayOptions: show('situationMutualisation', 'heuresParEmployeur'),
	},
	{
		displayName: 'Acheteur',
		name: 'acheteurVue',
		type: 'string',
		default: '',
		description: 'Seulement les clauses de cet acheteur ; vide : tous',
		displayOptions: show('situationMutualisation', 'heuresParEmployeur'),
	},
	{
		displayName: 'Tolérance de retard (%)',
		name: 'toleranceRetard',
		type: 'number',
		default: 10,
		description: 'Écart entre heures attendues et déclarées du groupe, en % de ses heures dues, au-delà duquel le groupe est en retard (comme la relance mensuelle)',
		displayOptions: show('situationMutualisation'),
	},
];
