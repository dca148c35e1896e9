/** Paramètres du nœud « Engagements sociaux » ; défauts et sources dans COMMITMENT_DEFAULTS (cœur). */
import type { INodeProperties } from 'n8n-workflow';

import { COMMITMENT_DEFAULTS } from '../core';
import { optionsCollection } from '../shared/descriptions';
import { periodProperties } from '../shared/follow-up';
import { LEASE_OPTION, RATE_OPTION } from '../shared/send-once';

const follow = { show: { operation: ['suivre'] } };
const bilan = { show: { operation: ['bilan'] } };

export const COMMITMENT_PROPERTIES: INodeProperties[] = [
	{
		displayName: 'Opération',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'suivre',
		options: [
			{
				name: 'Bilan des engagements',
				value: 'bilan',
				action: 'Bilan des engagements',
				description: 'Section du bilan : échéances de la période tenues ou non, relances, mises en demeure et pénalités, par nature d’engagement',
			},
			{
				name: 'Suivre les engagements',
				value: 'suivre',
				action: 'Suivre les engagements',
				description: 'Relance à l’échéance passée sans justificatif, puis mise en demeure, puis pénalité selon le CCAP : une fois chacune',
			},
		],
	},
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		default: 'apercu',
		options: [
			{ name: 'Aperçu, sans envoi', value: 'apercu', description: 'Produit chaque courriel pour relecture ; rien ne part et rien n’est consigné' },
			{ name: 'Envoyer', value: 'envoyer', description: 'Envoie les relances et les mises en demeure (une fois chacune) et les consigne au registre' },
		],
		displayOptions: follow,
	},
	{
		displayName: 'Envoyer aussi les notifications de pénalité',
		name: 'envoyerPenalites',
		type: 'boolean',
		default: false,
		description: 'Sinon, chaque notification de pénalité reste « à approuver » : l’acheteur la relit avant de l’envoyer',
		displayOptions: { show: { operation: ['suivre'], mode: ['envoyer'] } },
	},
	{
		displayName: 'Date du suivi',
		name: 'dateSuivi',
		type: 'string',
		default: '',
		placeholder: '2026-12-01',
		description: 'AAAA-MM-JJ ; vide : la date du jour (fuseau du workflow). Les échéances passées à cette date sont suivies.',
		displayOptions: follow,
	},
	{
		displayName: `Délai entre relance et mise en demeure (${COMMITMENT_DEFAULTS.delaiRelanceJours.unite})`,
		name: 'delaiRelanceJours',
		type: 'number',
		default: 15, // COMMITMENT_DEFAULTS.delaiRelanceJours (le linter exige une valeur écrite ; test du nœud : égale au défaut du cœur)
		typeOptions: { minValue: 0 },
		description: COMMITMENT_DEFAULTS.delaiRelanceJours.source,
	},
	{
		displayName: `Délai laissé par la mise en demeure (${COMMITMENT_DEFAULTS.delaiMiseEnDemeureJours.unite})`,
		name: 'delaiMiseEnDemeureJours',
		type: 'number',
		default: 15, // COMMITMENT_DEFAULTS.delaiMiseEnDemeureJours
		typeOptions: { minValue: 1 },
		description: COMMITMENT_DEFAULTS.delaiMiseEnDemeureJours.source,
	},
	{
		displayName: 'Pénalité par jour de retard (€ HT)',
		name: 'penaliteJour',
		type: 'number',
		default: 100, // COMMITMENT_DEFAULTS.penaliteJour
		typeOptions: { minValue: 0 },
		description: 'Montant du CCAP du marché, décompté du lendemain de la date limite de la mise en demeure jusqu’à la date du suivi',
	},
	{
		displayName: 'Source du montant',
		name: 'sourcePenalite',
		type: 'string',
		default:
			'CCAP d’un acheteur public (barème de référence) : 100 € HT par jour calendaire de retard dans la remise des justificatifs de suivi, après mise en demeure ; Alliance Villes Emploi, « Diversification des achats socialement responsables » : pénalités à prévoir pour toute considération sociale', // COMMITMENT_DEFAULTS.penaliteJour.source
		description: 'Article du CCAP qui fixe la pénalité ; gardée avec chaque pénalité',
	},
	{
		displayName: 'Facilitateur',
		name: 'facilitateur',
		type: 'string',
		default: '',
		description: 'Seulement les engagements des clauses de ce facilitateur ; vide : tous',
	},
	...periodProperties(bilan, {
		debut: 'AAAA-MM-JJ : les échéances de la période sont comptées',
		fin: 'AAAA-MM-JJ ; la situation de chaque échéance est lue à cette date (justificatifs reçus jusque-là)',
	}),
	optionsCollection([
		LEASE_OPTION,
		RATE_OPTION,
	], follow),
];
