import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { FOLLOW_UP_SOURCE_PROPERTIES } from '../shared/follow-up';
import { READ_LIMIT_PROPERTIES } from '../shared/read-limits';
import { clausesRegistreTest } from '../shared/register';
import { LEASE_OPTION, RATE_OPTION } from '../shared/send-once';
import { clausesSocialesSmtpTest } from '../shared/smtp';
import { applyPlausibilityParameter, plausibilityProperties } from '../shared/plausibility';
import { POOLING_REMINDER_OPTIONS } from '../shared/pooling-reminder';
import { optionsCollection, sendingCredentials } from '../shared/descriptions';
import { clauseItem, summaryItems } from './output';
import { readReminderParameters } from './parameters';
import { planReminders } from './plan';
import { sendReminders } from './send';

export class ClauseReminder implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Relance mensuelle (clause sociale)',
		name: 'clauseReminder',
		icon: { light: 'file:clauseReminder.svg', dark: 'file:clauseReminder.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["mode"] === "apercu" ? "Aperçu, sans envoi" : "Envoi des relances" }}',
		description:
			'Relance les titulaires dont le relevé mensuel d’heures d’insertion manque ou qui sont en retard, et prévient le facilitateur et l’acheteur',
		defaults: { name: 'Relance mensuelle' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Par clause', 'Synthèse par facilitateur'],
		credentials: sendingCredentials(),
		properties: [
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				default: 'apercu',
				options: [
					{ name: 'Aperçu, sans envoi', value: 'apercu', description: 'Produit chaque courriel et son modèle de relevé pour relecture, sans rien envoyer' },
					{ name: 'Envoyer', value: 'envoyer', description: 'Envoie les relances ; une relance déjà envoyée n’est jamais renvoyée' },
				],
			},
			...FOLLOW_UP_SOURCE_PROPERTIES,
			{
				displayName: 'Date de référence',
				name: 'dateReference',
				type: 'string',
				default: '',
				placeholder: '2026-12-01',
				description: 'AAAA-MM-JJ ; vide : la date du jour (fuseau du workflow). Le mois de référence est le mois précédent.',
			},
			{
				displayName: 'Seulement le premier jour ouvré du mois',
				name: 'premierJourOuvre',
				type: 'boolean',
				default: false,
				description:
					'Pour un déclenchement quotidien du 1er au 7 du mois : rien avant le premier jour ouvré ; ce jour-là, les relances du mois ; les jours suivants, rattrapage à la date du premier jour ouvré de ce qui n’est pas parti (exécution manquée, serveur injoignable, refus, durée maximale des envois atteinte), sans rien renvoyer de ce qui est parti',
			},
			{
				displayName: 'Signature',
				name: 'signature',
				type: 'string',
				typeOptions: { rows: 4 },
				default: 'La mission clauses sociales',
				description: 'Une ligne par élément : service, nom, téléphone',
			},
			optionsCollection([
				{
					displayName: 'Adresse du relevé en ligne',
					name: 'adresseReleveEnLigne',
					type: 'string',
					default: '',
					placeholder: 'https://n8n.region.fr/webhook/releve-en-ligne',
					description:
						'Adresse publique du workflow « Relevé en ligne » (son nœud Webhook) : chaque relance y ajoute un lien personnel par relevé manquant, signé par le secret des liens de l’identifiant « Registre des clauses ». Vide : pas de lien, le modèle joint seul.',
				},
				{
					displayName: 'Calendrier des jours fériés',
					name: 'calendrier',
					type: 'options',
					default: 'FR',
					options: [
						{ name: 'Bas-Rhin', value: 'FR-67' },
						{ name: 'France métropolitaine', value: 'FR' },
						{ name: 'Guadeloupe', value: 'FR-GP' },
						{ name: 'Guyane', value: 'FR-GF' },
						{ name: 'Haut-Rhin', value: 'FR-68' },
						{ name: 'La Réunion', value: 'FR-RE' },
						{ name: 'Martinique', value: 'FR-MQ' },
						{ name: 'Mayotte', value: 'FR-YT' },
						{ name: 'Moselle', value: 'FR-57' },
					],
				},
				RATE_OPTION,
				{
					displayName: 'Délai de l’escalade (jours)',
					name: 'joursEscalade',
					type: 'number',
					default: 56,
					description: 'Au-delà, l’acheteur et le facilitateur sont en copie et la mise en demeure est annoncée',
				},
				{
					displayName: 'Délai de la deuxième relance (jours)',
					name: 'joursRelance2',
					type: 'number',
					default: 28,
					description: 'Ancienneté du plus ancien relevé manquant, comptée depuis la fin de son mois',
				},
				{
					displayName: 'Délai de la première relance (jours)',
					name: 'joursRelance1',
					type: 'number',
					default: 0,
				},
				{
					displayName: 'Joindre le modèle de relevé',
					name: 'joindreModele',
					type: 'boolean',
					default: true,
					description: 'Joindre le modèle de relevé mensuel prérempli avec les données du marché, un par mois manquant (en aperçu : « modele », « modele_2 »…)',
				},
				...POOLING_REMINDER_OPTIONS,
				LEASE_OPTION,
				{
					displayName: 'Synthèse seulement s’il y a du nouveau',
					name: 'syntheseSiNouveau',
					type: 'boolean',
					default: true,
					description: 'Ne produire la synthèse du facilitateur que si une relance a été envoyée, a échoué ou a été prévisualisée pendant cette exécution',
				},
				{
					displayName: 'Tolérance de retard (%)',
					name: 'toleranceRetard',
					type: 'number',
					default: 10,
					description: 'Écart entre heures attendues et déclarées, en % des heures dues, au-delà duquel le titulaire est relancé',
				},
				{
					displayName: 'Validité des liens du relevé en ligne (jours)',
					name: 'validiteLienJours',
					type: 'number',
					default: 45,
					description: 'Au-delà, le lien est refusé ; la relance suivante en porte un nouveau',
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
		const parameters = readReminderParameters(this);
		// Option « premier jour ouvré » : rien avant lui ; après lui, rattrapage de ce qui n'est pas parti
		// (en aperçu, rien à rattraper : l'aperçu du premier jour ouvré a été produit ce jour-là).
		if (parameters.moment === 'attente' || (parameters.moment === 'rattrapage' && parameters.mode === 'apercu')) return [[], []];
		// Suivi lu, décision et courriel de chaque clause ; les clauses illisibles ressortent en erreur.
		const plan = await planReminders(this, parameters);
		// Envoi (mode envoi) : une seule fois par clause, mois et niveau ; sinon l'aperçu et ses modèles de relevé.
		const sending = await sendReminders(this, plan, parameters);
		// Rattrapage : ne ressortent que les clauses dont la relance vient d'être tentée, et les clauses en erreur ;
		// les autres sont ressorties le premier jour ouvré (journal de ce jour-là).
		const shown = parameters.moment === 'rattrapage' ? plan.planned.filter((p) => p.mail !== undefined && sending.outcomes.get(p) !== 'déjà envoyé') : plan.planned;
		const clauseOut = [...plan.failed, ...shown.map((p) => clauseItem(p, sending.outcomes.get(p), sending.previews.get(p)))];
		return [clauseOut, summaryItems(clauseOut, parameters, sending, plan)];
	}
}
