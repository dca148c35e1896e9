import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { FOLLOW_UP_SOURCE_PROPERTIES } from '../shared/follow-up';
import { clausesRegistreTest } from '../shared/register';
import { LEASE_OPTION, RATE_OPTION } from '../shared/send-once';
import { READ_LIMIT_PROPERTIES } from '../shared/read-limits';
import { clausesSocialesSmtpTest } from '../shared/smtp';
import { applyPlausibilityParameter, plausibilityProperties } from '../shared/plausibility';
import { optionsCollection, sendingCredentials } from '../shared/descriptions';
import { clauseItem, reviewPackage } from './output';
import { readPenaltyParameters } from './parameters';
import { planPenalties } from './plan';
import { recordPenaltySteps } from './record';
import { sendNotices } from './send';

export class ClausePenalty implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Avis de pénalité (clause sociale)',
		name: 'clausePenalty',
		icon: { light: 'file:clausePenalty.svg', dark: 'file:clausePenalty.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["mode"] === "revue" ? "Revue, sans envoi" : "Envoi des avis" }}',
		description:
			'Calcule les pénalités des clauses sociales d’insertion selon le CCAP, produit la mise en demeure puis la notification (lettre PDF et annexe Excel) et les envoie au titulaire',
		defaults: { name: 'Avis de pénalité' },
		// Outil d’agent : c’est l’utilisateur qui fixe le mode ; en « revue », rien ne part.
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Par clause', 'Paquet de revue'],
		credentials: sendingCredentials(),
		properties: [
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				default: 'revue',
				options: [
					{
						name: 'Envoyer',
						value: 'envoyer',
						description: 'Envoie chaque avis au titulaire (acheteur et facilitateur en copie) ; un avis déjà envoyé n’est jamais renvoyé',
					},
					{
						name: 'Revue, sans envoi',
						value: 'revue',
						description: 'Produit les lettres et les annexes pour relecture par l’acheteur, sans rien envoyer',
					},
				],
			},
			...FOLLOW_UP_SOURCE_PROPERTIES,
			{
				displayName: 'Date de l’avis',
				name: 'dateAvis',
				type: 'string',
				default: '',
				placeholder: '2026-12-01',
				description: 'AAAA-MM-JJ ; vide : la date du jour (fuseau du workflow). Les pénalités sont arrêtées à cette date.',
			},
			{
				displayName: 'Échéance évaluée',
				name: 'echeance',
				type: 'options',
				default: 'finExecution',
				options: [
					{ name: 'Fin d’exécution', value: 'finExecution', description: 'Clauses dont l’exécution est terminée : heures dues du contrat' },
					{ name: 'Jalon', value: 'jalon', description: 'Heures attendues à une date (courbe prévisionnelle ou prorata des jours)' },
				],
			},
			{
				displayName: 'Date du jalon',
				name: 'dateJalon',
				type: 'string',
				default: '',
				placeholder: '2026-06-30',
				required: true,
				displayOptions: { show: { echeance: ['jalon'] } },
				description: 'AAAA-MM-JJ',
			},
			{
				displayName: 'Pénalité par heure non réalisée (€ HT)',
				name: 'tauxHoraire',
				type: 'number',
				default: 60,
				typeOptions: { minValue: 0 },
				description: 'Valeur du CCAP ; une colonne « Pénalité par heure » du registre la remplace pour son marché',
			},
			{
				displayName: 'Pénalité par jour de retard des relevés (€ HT)',
				name: 'tauxJourRetardReleve',
				type: 'number',
				default: 100,
				typeOptions: { minValue: 0 },
			},
			{
				displayName: 'Pénalité par jour de retard du bilan (€ HT)',
				name: 'tauxJourRetardBilan',
				type: 'number',
				default: 300,
				typeOptions: { minValue: 0 },
			},
			{
				displayName: 'Plafond des pénalités (%)',
				name: 'plafondPourcentage',
				type: 'number',
				default: 20,
				typeOptions: { minValue: 0, maxValue: 100 },
				description: 'En pourcentage du montant annuel HT (ou du montant total, voir les options)',
			},
			{
				displayName: 'Émetteur',
				name: 'emetteur',
				type: 'string',
				typeOptions: { rows: 4 },
				default: 'Région\nDirection de la commande publique',
				description: 'En-tête de la lettre, une ligne par élément : collectivité, direction, adresse',
			},
			{
				displayName: 'Mention de délégation',
				name: 'signature',
				type: 'string',
				typeOptions: { rows: 2 },
				default: 'Pour le président et par délégation,',
				description: 'Au-dessus de la signature ; vide si le signataire signe en son nom propre',
			},
			{
				displayName: 'Qualité du signataire',
				name: 'signataireQualite',
				type: 'string',
				default: 'Le directeur de la commande publique',
				description: 'Fonction de la personne qui signe la lettre (compétente ou délégataire)',
			},
			{
				displayName: 'Nom du signataire',
				name: 'signataireNom',
				type: 'string',
				default: '',
				placeholder: 'Claire Martin',
				description: 'Prénom et nom de la personne qui signe la lettre',
			},
			{
				displayName: 'Mode d’envoi de la lettre',
				name: 'modeEnvoi',
				type: 'options',
				default: 'courriel',
				options: [
					{ name: 'Courriel', value: 'courriel', description: 'La lettre est notifiée par le courriel qui la porte' },
					{
						name: 'Lettre recommandée avec accusé de réception',
						value: 'lrar',
						description: 'La lettre part aussi par la poste ; le courriel en transmet une copie',
					},
					{ name: 'Lettre recommandée électronique', value: 'lre', description: 'La lettre part aussi par un prestataire de LRE ; le courriel en transmet une copie' },
				],
				description: 'Dit en tête de la lettre et dans le courriel qui l’accompagne',
			},
			optionsCollection([
				{
					displayName: 'Article du CCAP',
					name: 'articleCcap',
					type: 'string',
					default: '',
					placeholder: 'l’article 9.4 du CCAP',
					description: 'Cité comme base des pénalités ; une colonne « Article du CCAP » du registre le remplace',
				},
				{
					displayName: 'Assiette du plafond',
					name: 'plafondAssiette',
					type: 'options',
					default: 'annuel',
					options: [
						{ name: 'Montant annuel HT', value: 'annuel' },
						{ name: 'Montant total HT du marché', value: 'total' },
					],
				},
				{ ...RATE_OPTION, default: 5 },
				{
					displayName: 'Délai de grâce (jours)',
					name: 'delaiGraceJours',
					type: 'number',
					default: 0,
					description: 'Jours non décomptés au début d’un retard (relevés, bilan)',
				},
				{
					displayName: 'Délai de la mise en demeure (jours)',
					name: 'delaiMiseEnDemeureJours',
					type: 'number',
					default: 15,
				},
				{
					displayName: 'Délai de remise du bilan (jours après la fin)',
					name: 'delaiBilanJours',
					type: 'number',
					default: 30,
				},
				{
					displayName: 'Délai pour présenter des observations (jours)',
					name: 'delaiObservationsJours',
					type: 'number',
					default: 15,
				},
				{
					displayName: 'Empreintes des lettres approuvées',
					name: 'empreintesApprouvees',
					type: 'string',
					default: '',
					description:
						'Empreintes SHA-256 des lettres relues (sortie « empreintes » du mode revue) : seules ces lettres partent ; une lettre changée depuis la revue n’est pas envoyée. Vide : aucune lettre ne part, sauf si l’option « Envoyer sans revue » est activée.',
				},
				{
					displayName: 'Envoyer sans revue',
					name: 'envoiSansRevue',
					type: 'boolean',
					default: false,
					description:
						'Envoyer délibérément les avis sans revue préalable. Désactivé (par défaut), une liste d’empreintes approuvées vide n’envoie rien ; des empreintes saisies restent exigées.',
				},
				{
					displayName: 'Exonération du CCAG 2021 étendue à la clause',
					name: 'exonerationCcag',
					type: 'boolean',
					default: false,
					description:
						'À activer seulement si le CCAP étend à la clause sociale l’exonération que le CCAG 2021 prévoit pour les pénalités de retard (CCAG-FCS 2021, art. 14.1 ; CCAG-Travaux 2021, art. 19.2) : aucune pénalité quand leur total sur l’ensemble du marché ne dépasse pas le seuil. Une colonne « Exonération CCAG » du registre la remplace pour son marché.',
				},
				{
					displayName: 'Lieu de signature',
					name: 'lieu',
					type: 'string',
					default: '',
					placeholder: 'Saint-Aubin-sur-Argent',
				},
				LEASE_OPTION,
				{
					displayName: 'Mention du mode d’envoi',
					name: 'mentionEnvoi',
					type: 'string',
					default: '',
					placeholder: 'Lettre recommandée avec accusé de réception n° 1A 234 567 8901 2',
					description: 'Remplace la mention portée en tête de la lettre ; vide : celle du mode d’envoi',
				},
				{
					displayName: 'Mise en demeure requise pour les retards de relevés',
					name: 'miseEnDemeureRequise',
					type: 'boolean',
					default: true,
					description: 'Les pénalités pour relevé en retard ne courent qu’à partir de l’échéance de la mise en demeure (CCAP), et non de la date de remise prévue du relevé',
				},
				{
					displayName: 'Mutualisation des heures',
					name: 'mutualisation',
					type: 'boolean',
					default: true,
					description:
						'Tenir compte des groupes de mutualisation du registre : les heures manquantes d’une clause couvertes par l’avance des autres marchés du groupe sont neutralisées (pas de pénalité sur ces heures)',
				},
				...READ_LIMIT_PROPERTIES,
				...plausibilityProperties(['heuresDues', 'heuresMois']),
				{
					displayName: 'Plafond du CCAG 2021 (% du montant total HT)',
					name: 'plafondCcagPourcentage',
					type: 'number',
					default: 10,
					typeOptions: { minValue: 0, maxValue: 100 },
					description: 'CCAG-FCS 2021, art. 14.1 ; CCAG-Travaux 2021, art. 19.2 : 10 % du montant total HT du marché',
				},
				{
					displayName: 'Plafond du CCAG 2021 étendu à la clause',
					name: 'plafondCcag',
					type: 'boolean',
					default: false,
					description:
						'À activer seulement si le CCAP étend à la clause sociale le plafond que le CCAG 2021 prévoit pour les pénalités de retard (CCAG-FCS 2021, art. 14.1 ; CCAG-Travaux 2021, art. 19.2), en plus du plafond ci-dessus. Une colonne « Plafond CCAG » du registre la remplace pour son marché.',
				},
				{
					displayName: 'Seuil d’exonération du CCAG 2021 (€ HT)',
					name: 'seuilExonerationCcag',
					type: 'number',
					default: 1000,
					typeOptions: { minValue: 0 },
					description: 'CCAG-FCS 2021, art. 14.1 ; CCAG-Travaux 2021, art. 19.2 : 1 000 € HT pour l’ensemble du marché',
				},
			]),
		],
	};

	methods = { credentialTest: { clausesSocialesSmtpTest, clausesRegistreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Bornes de vraisemblance des options : lues par les schémas pendant toute l'exécution.
		applyPlausibilityParameter(this);
		const parameters = readPenaltyParameters(this);
		// Calcul, étape et documents de chaque clause ; les clauses en anomalie ressortent en erreur.
		const { planned, failed, review } = await planPenalties(this, parameters);
		// Envoi (mode envoi) : une seule fois par clause, étape et période.
		const outcomes = await sendNotices(this, planned, parameters);
		// Avis partis : leur étape est consignée au registre des clauses (la suivante s'en déduit).
		const recordings = await recordPenaltySteps(this, planned, outcomes, parameters);
		const clauseOut = [...failed];
		for (const p of planned) {
			const { item, entry } = await clauseItem(this, p, outcomes.get(p), { source: parameters.source, recording: recordings.get(p) });
			clauseOut.push(item);
			if (entry) review.push(entry);
		}
		const pack = await reviewPackage(this, planned, review, parameters, clauseOut);
		return [clauseOut, pack ? [pack] : []];
	}
}
