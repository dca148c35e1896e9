import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { clausesRegistreTest } from '../shared/register';
import { LEASE_OPTION, RATE_OPTION } from '../shared/send-once';
import { READ_LIMIT_PROPERTIES } from '../shared/read-limits';
import { clausesSocialesSmtpTest } from '../shared/smtp';
import { applyPlausibilityParameter, plausibilityProperties } from '../shared/plausibility';
import { followUpSourceProperty, optionsCollection, sendingCredentials } from '../shared/descriptions';
import { failedItem } from '../shared/parameters';
import { intakeOutput } from './output';
import { readIntakeParameters } from './parameters';
import { findWorkbook, receiveReports } from './receive';
import { recordInRegister, recordInWorkbook } from './record';
import { acknowledge } from './send';

export class ClauseReportIntake implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Réception des relevés (clause sociale)',
		name: 'clauseReportIntake',
		icon: { light: 'file:clauseReportIntake.svg', dark: 'file:clauseReportIntake.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["mode"] === "apercu" ? "Aperçu des accusés" : "Accusés envoyés" }}',
		description:
			'Contrôle les relevés mensuels d’heures d’insertion renvoyés par les titulaires, les enregistre au registre des clauses (ou au classeur de suivi, nouvelle version) et accuse réception',
		defaults: { name: 'Réception des relevés' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Par relevé', 'Lignes', 'Classeur'],
		credentials: sendingCredentials(),
		properties: [
			{
				displayName: 'Accusés de réception',
				name: 'mode',
				type: 'options',
				default: 'apercu',
				options: [
					{ name: 'Aperçu, sans envoi', value: 'apercu', description: 'Produit chaque accusé pour relecture, sans rien envoyer' },
					{ name: 'Envoyer', value: 'envoyer', description: 'Envoie à chaque titulaire l’accusé de son relevé ; un accusé n’est jamais envoyé deux fois' },
				],
			},
			followUpSourceProperty([
				{
					name: 'Classeur de suivi Excel (feuilles Registre et Relevés)',
					value: 'classeur',
					description: 'Le classeur reçu avec les relevés ; une nouvelle version, complétée, sort sur la troisième sortie',
				},
				{
					name: 'Registre des clauses',
					value: 'registre',
					description: 'Clause retrouvée au registre par marché et lot ; chaque relevé y est enregistré (une correction devient une nouvelle version, l’ancienne reste)',
				},
			]),
			{
				displayName: 'Relevés reçus',
				name: 'sourceReleves',
				type: 'options',
				default: 'fichiers',
				options: [
					{ name: 'Fichiers Excel (modèle de relevé rempli)', value: 'fichiers', description: 'Pièces jointes d’un courriel, fichiers déposés ou lus dans un dossier' },
					{ name: 'Éléments d’entrée (une ligne de relevé par élément)', value: 'elements', description: 'Champs marche, lot, mois, participant, heuresMois… (base de données, tableur)' },
				],
			},
			{
				displayName: 'Champs binaires des relevés',
				name: 'champsReleves',
				type: 'string',
				default: 'data',
				displayOptions: { show: { sourceReleves: ['fichiers'] } },
				description: 'Noms séparés par des virgules ; « * » : tous les fichiers .xlsx de l’élément (pièces jointes d’un courriel)',
			},
			{
				displayName: 'Champ binaire du classeur de suivi',
				name: 'champRegistre',
				type: 'string',
				default: 'registre',
				required: true,
				displayOptions: { show: { source: ['classeur'] } },
				description: 'Champ binaire de l’élément qui porte le classeur de suivi (feuilles Registre et Relevés) ; s’il y en a plusieurs versions, la plus récente est lue',
			},
			{
				displayName: 'Date de réception',
				name: 'dateReception',
				type: 'string',
				default: '',
				placeholder: '2026-11-05',
				description: 'AAAA-MM-JJ (ou date du courriel) ; vide : la date du jour. Elle date la version des relevés.',
			},
			{
				displayName: 'Adresse de l’expéditeur',
				name: 'expediteur',
				type: 'string',
				default: '',
				placeholder: 'contact@entreprise.fr',
				description: 'Pour répondre à un relevé dont le marché est inconnu du registre (sinon, l’accusé va au titulaire inscrit au registre)',
			},
			{
				displayName: 'Signature',
				name: 'signature',
				type: 'string',
				typeOptions: { rows: 3 },
				default: 'La mission clauses sociales',
			},
			optionsCollection([
				RATE_OPTION,
				LEASE_OPTION,
				{
					displayName: 'Mois déjà reçu',
					name: 'moisDejaRecu',
					type: 'options',
					default: 'remplacer',
					options: [
						{ name: 'Compléter (les participants absents restent)', value: 'completer' },
						{ name: 'Remplacer le mois (relevé complet, consigne du modèle)', value: 'remplacer' },
					],
					description: 'Quand un relevé arrive pour un mois déjà reçu avec d’autres chiffres',
				},
				{
					displayName: 'Nom de la nouvelle version du classeur',
					name: 'nomRegistre',
					type: 'string',
					default: '',
					placeholder: 'suivi-clauses (v2 du 2026-11-23).xlsx',
					description: 'Source « classeur de suivi » seulement ; vide : nom du classeur lu suivi de « (vN du AAAA-MM-JJ) »',
				},
				{
					displayName: 'Seuil d’heures mensuelles par personne',
					name: 'seuilHeuresMois',
					type: 'number',
					default: 151.67,
					description: 'Au-delà (heures et formation), une justification est exigée ; 151,67 h : temps plein mensuel (35 h × 52 ÷ 12)',
				},
				...READ_LIMIT_PROPERTIES,
				...plausibilityProperties(['heuresDues', 'heuresMois']),
			]),
		],
	};

	methods = { credentialTest: { clausesSocialesSmtpTest, clausesRegistreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Bornes de vraisemblance des options : lues par les schémas pendant toute l'exécution.
		applyPlausibilityParameter(this);
		const parameters = readIntakeParameters(this);
		const items = this.getInputData();
		const property = parameters.workbookProperty;
		const workbook = property === undefined ? undefined : findWorkbook(items, property);
		if (property !== undefined && !workbook) {
			const error = new NodeOperationError(this.getNode(), `Aucun classeur de suivi reçu (champ binaire « ${property} »)`, {
				description: 'Lisez le classeur de suivi (feuilles Registre et Relevés) dans un champ binaire de ce nom, par exemple avec « Read/Write Files from Disk » (option « Put Output File in Field »), et joignez-le aux relevés avec un nœud Merge (Append).',
			});
			return [[failedItem(this, error, 0)], [], []];
		}
		const received = await receiveReports(this, items, parameters);
		// Contrôle de chaque relevé, dans l'ordre de réception, et enregistrement (registre, ou nouvelle version du classeur).
		const recorded = workbook ? await recordInWorkbook(this, received, parameters, workbook) : await recordInRegister(this, received, parameters);
		if ('failed' in recorded) return [[recorded.failed], [], []];
		const sending = await acknowledge(this, recorded.results, received, parameters);
		const output = intakeOutput(this.getNode(), received, recorded, sending);
		// Sans « continuer en cas d'échec » : les relevés enregistrés sont acquittés, puis l'erreur du premier relevé refusé par le registre arrête le nœud.
		if (output.firstFailure && !this.continueOnFail()) throw output.firstFailure;
		return [output.reportItems, output.lineItems, recorded.workbookOut];
	}
}
