import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { AnomalyLog, BilanAccumulator, withPooling } from '../core';
import { clausesRegistreTest } from '../shared/register';
import { READ_LIMIT_PROPERTIES } from '../shared/read-limits';
import { applyPlausibilityParameter, plausibilityProperties } from '../shared/plausibility';
import { followUpSourceProperty, optionsCollection, regionProperty, workbookBinaryProperty } from '../shared/descriptions';
import { collectBilan } from './collect';
import { bilanOutputs } from './output';
import { readBilanParameters } from './parameters';

export class ClauseBilan implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bilan des clauses sociales',
		name: 'clauseBilan',
		icon: { light: 'file:clauseBilan.svg', dark: 'file:clauseBilan.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: 'Indicateurs, classeur Excel et document pour les élus',
		description:
			'Calcule les indicateurs des clauses sociales d’insertion sur une période (marchés avec et sans clause, heures dues, attendues et réalisées, publics, situations à six mois, pénalités) et produit le classeur du bilan et le document PDF pour les élus',
		defaults: { name: 'Bilan des clauses sociales' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Bilan', 'Indicateurs'],
		credentials: [
			{
				name: 'clausesRegistreApi',
				required: false,
				testedBy: 'clausesRegistreTest',
				displayOptions: { show: { source: ['registre'] } },
			},
		],
		properties: [
			followUpSourceProperty([
				{
					name: 'Classeur de suivi Excel',
					value: 'classeur',
					description: 'Feuilles Registre et Relevés, et au besoin Marchés et Pénalités ; lu en flux',
				},
				{
					name: 'Éléments d’entrée',
					value: 'elements',
					description: 'Clauses (heuresDues), lignes de relevé (heuresMois), pénalités (etape et montant ou penalites.total), marchés notifiés (marche et nature)',
				},
				{
					name: 'Registre des clauses',
					value: 'registre',
					description: 'Les clauses en vigueur, la dernière version de chaque relevé et les avis de pénalité envoyés, lus dans le registre',
				},
			]),
			workbookBinaryProperty(),
			{
				displayName: 'Premier mois de la période',
				name: 'debut',
				type: 'string',
				default: '',
				placeholder: '2026-01',
				description: 'AAAA-MM ; vide : janvier de l’année précédente',
			},
			{
				displayName: 'Dernier mois de la période',
				name: 'fin',
				type: 'string',
				default: '',
				placeholder: '2026-12',
				description: 'AAAA-MM ; vide : décembre de l’année du premier mois',
			},
			{
				displayName: 'Nombre de marchés notifiés',
				name: 'nombreMarches',
				type: 'number',
				default: 0,
				description: 'Pour la part des marchés clausés ; 0 : d’après la feuille « Marchés » du classeur si elle existe',
			},
			{
				displayName: 'Facilitateurs (JSON)',
				name: 'facilitateurs',
				type: 'json',
				default: '[]',
				description: 'Facilitateurs et territoires couverts, pour la vue par territoire quand le registre ne porte pas de colonne « Territoire »',
			},
			{
				displayName: 'Titre',
				name: 'titre',
				type: 'string',
				default: 'Bilan des clauses sociales d’insertion',
			},
			regionProperty(),
			{
				displayName: 'Nom du fichier',
				name: 'nomFichier',
				type: 'string',
				default: '',
				placeholder: 'bilan-clauses-sociales-2026.xlsx',
				description: 'Vide : « bilan-clauses-sociales-DÉBUT-FIN.xlsx »',
			},
			{
				displayName: 'Champ binaire de sortie',
				name: 'binaryOutput',
				type: 'string',
				default: 'data',
				required: true,
				description: 'Champ du classeur Excel du bilan',
			},
			{
				displayName: 'Document pour les élus (PDF)',
				name: 'pdfElus',
				type: 'boolean',
				default: true,
				description: 'Produire aussi le « Bilan pour les élus » en PDF : chiffres clés, commentaire, graphiques, tableaux, sources',
			},
			{
				displayName: 'Champ binaire du PDF',
				name: 'binaryPdf',
				type: 'string',
				default: 'pdf',
				required: true,
				displayOptions: { show: { pdfElus: [true] } },
			},
			optionsCollection([
				{
					displayName: 'Identifiant des personnes',
					name: 'identifiantPersonnes',
					type: 'options',
					default: 'global',
					options: [
						{ name: 'Global (attribué par le facilitateur)', value: 'global', description: 'Un même identifiant désigne la même personne sur tous les marchés' },
						{ name: 'Par titulaire', value: 'parTitulaire', description: 'Identifiants propres à chaque titulaire : une personne n’est rapprochée qu’entre les marchés d’un même titulaire' },
					],
				},
				...READ_LIMIT_PROPERTIES,
				{
					displayName: 'Mutualisation des heures',
					name: 'mutualisation',
					type: 'boolean',
					default: true,
					description:
						'Registre des clauses : montrer les groupes de mutualisation (obligation mutualisée, part de chaque marché) ; un lot en retard dont le groupe atteint l’obligation mutualisée est dit « couvert par la mutualisation » et n’est pas compté en retard',
				},
				{
					displayName: 'Tolérance de retard des groupes (%)',
					name: 'toleranceRetard',
					type: 'number',
					default: 10,
					description: 'Écart entre heures attendues et réalisées d’un groupe de mutualisation, en % de ses heures dues, au-delà duquel le groupe est en retard (comme la relance mensuelle)',
				},
				...plausibilityProperties(['heuresDues', 'heuresMois']),
			]),
		],
	};

	methods = { credentialTest: { clausesRegistreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Bornes de vraisemblance des options : lues par les schémas pendant toute l'exécution.
		applyPlausibilityParameter(this);
		const parameters = readBilanParameters(this);
		const acc = new BilanAccumulator(parameters.settings, parameters.facilitators);
		// Données écartées : toutes comptées, les premières anomalies gardées pour le rapport.
		const log = new AnomalyLog();
		const collected = await collectBilan(this, this.getInputData(), acc, parameters, log);
		if ('failed' in collected) return [[collected.failed], []];
		const bilan = collected.pools.length > 0 ? withPooling(acc.result(), acc.poolBilan(collected.pools)) : acc.result();
		return bilanOutputs(this, bilan, collected, parameters, log);
	}
}
