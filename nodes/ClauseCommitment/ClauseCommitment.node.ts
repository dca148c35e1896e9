import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { toNodeError } from '../shared/items';
import { clausesRegistreTest, openRegister } from '../shared/register';
import { clausesSocialesSmtpTest } from '../shared/smtp';
import { COMMITMENT_PROPERTIES } from './description';
import { commitmentBilanItems, followUpCommitments } from './follow-up';

export class ClauseCommitment implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Engagements sociaux',
		name: 'clauseCommitment',
		icon: { light: 'file:clauseCommitment.svg', dark: 'file:clauseCommitment.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "bilan" ? "Bilan des engagements" : $parameter["mode"] === "envoyer" ? "Suivi, envoi" : "Suivi, aperçu" }}',
		description:
			'Suit les autres considérations sociales déclarées au registre (actions qualitatives, plan de progrès, illettrisme, égalité femmes-hommes, stagiaires) : relance à l’échéance passée sans justificatif, mise en demeure, pénalité selon le CCAP, et bilan',
		defaults: { name: 'Engagements sociaux' },
		// Outil d’agent : en aperçu (réglage par défaut), rien ne part.
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'clausesSocialesSmtpApi',
				required: true,
				testedBy: 'clausesSocialesSmtpTest',
				displayOptions: { show: { operation: ['suivre'], mode: ['envoyer'] } },
			},
			{
				name: 'clausesRegistreApi',
				required: false,
				testedBy: 'clausesRegistreTest',
			},
		],
		properties: COMMITMENT_PROPERTIES,
	};

	methods = { credentialTest: { clausesRegistreTest, clausesSocialesSmtpTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as string;
		// Le suivi porte sur tout le registre : une seule passe, quel que soit le nombre d'éléments d'entrée.
		const register = await openRegister(this);
		try {
			const items = operation === 'bilan' ? await commitmentBilanItems(this, register) : await followUpCommitments(this, register);
			return [items.map((json) => ({ json, pairedItem: { item: 0 } }))];
		} catch (error) {
			throw toNodeError(this.getNode(), error, 0);
		} finally {
			await register.close();
		}
	}
}
