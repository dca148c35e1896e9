import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError, WAIT_INDEFINITELY } from 'n8n-workflow';
import { z } from 'zod/v4';

import {
	APPROVAL_PAGE_HEADERS,
	ApprovalDelaySchema,
	ApprovalMessagesSchema,
	ApprovalViewSchema,
	approvalDeadline,
	approvalLines,
	approvalOutcome,
	readApprovalSubmission,
	renderApprovalPage,
	renderDecisionPage,
} from '../core/approval';
import { optionsCollection } from '../shared/descriptions';

const problems = (error: z.ZodError, labels: Record<string, string>) =>
	error.issues.map((i) => `« ${labels[String(i.path[0])] ?? String(i.path[0])} » : ${i.message}`).join(' ; ');

const VIEW_LABELS = { titre: 'Titre de la page', resume: 'Résumé', details: 'Détail (une ligne par élément)', explication: 'Explication' };
const MESSAGE_LABELS = {
	titreApprouve: 'Titre de la confirmation (approuvé)',
	messageApprouve: 'Message de la confirmation (approuvé)',
	titreRefuse: 'Titre de la confirmation (refusé)',
	messageRefuse: 'Message de la confirmation (refusé)',
};

/**
 * Met l'exécution en attente de la décision de l'acheteur, comme le nœud Wait
 * de n8n, et sert lui-même sa page, en français : GET affiche la page sans rien
 * reprendre (un robot qui précharge le lien ne décide rien) ; POST enregistre la
 * décision et reprend l'exécution. Le lien est `$execution.resumeUrl`, signé par n8n.
 */
export class ClauseApproval implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Approbation (clauses sociales)',
		name: 'clauseApproval',
		icon: { light: 'file:clauseApproval.svg', dark: 'file:clauseApproval.dark.svg' },
		group: ['organization'],
		version: 1,
		subtitle: '={{ $parameter["limiterAttente"] ? "Attente : " + $parameter["duree"] + " " + $parameter["unite"] + " au plus" : "Attente sans limite" }}',
		description: 'Attend la décision de l’acheteur sur une page en français (approuver ou refuser), ouverte depuis le lien d’un courriel, puis reprend le workflow',
		defaults: { name: 'Approbation de l’acheteur' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		outputNames: ['Décision'],
		waitingNodeTooltip: '=En attente de la décision de l’acheteur, sur la page {{ $execution.resumeUrl }}',
		// Webhooks de reprise (restartWebhook) servis par n8n lui-même, comme ceux du nœud
		// Wait : rien à inscrire chez un service tiers, d'où l'absence de webhookMethods.
		webhooks: [
			{ name: 'default', httpMethod: 'GET', responseMode: 'onReceived', path: '', restartWebhook: true },
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: '', restartWebhook: true },
		],
		properties: [
			{
				displayName:
					'Le lien de la page est {{ $execution.resumeUrl }} : mettez-le dans le courriel envoyé juste avant ce nœud. La décision sort dans « decision » (« approuvé » ou « refusé »), « approuve », « decidePar », « commentaire », « decideLe » ; sans réponse dans le délai, l’élément reçu sort tel quel, sans « decision ».',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Titre de la page',
				name: 'titre',
				type: 'string',
				default: 'Approbation',
				required: true,
			},
			{
				displayName: 'Résumé',
				name: 'resume',
				type: 'string',
				default: '',
				placeholder: '2 notifications de pénalités : 9 000,00 € HT notifiés',
				description: 'Une ligne en gras en tête de la page : ce qui est soumis à l’approbation (nombre, montants)',
			},
			{
				displayName: 'Détail (une ligne par élément)',
				name: 'details',
				type: 'string',
				typeOptions: { rows: 4 },
				default: '',
				description: 'Une ligne par élément approuvé (par exemple un avis et son montant), affichées en liste',
			},
			{
				displayName: 'Explication',
				name: 'explication',
				type: 'string',
				typeOptions: { rows: 4 },
				default: 'Approuver : l’envoi part. Refuser : rien ne part.',
				description: 'Ce qui se passe selon la décision ; une ligne vide sépare deux paragraphes',
			},
			{
				displayName: 'Limiter l’attente',
				name: 'limiterAttente',
				type: 'boolean',
				default: true,
				description: 'Cesser d’attendre après la durée maximale : sans décision, l’élément reçu sort tel quel, sans « decision » (rien n’est approuvé)',
			},
			{
				displayName: 'Durée maximale',
				name: 'duree',
				type: 'number',
				default: 6,
				typeOptions: { minValue: 1 },
				displayOptions: { show: { limiterAttente: [true] } },
			},
			{
				displayName: 'Unité',
				name: 'unite',
				type: 'options',
				default: 'jours',
				options: [
					{ name: 'Heures', value: 'heures' },
					{ name: 'Jours', value: 'jours' },
				],
				displayOptions: { show: { limiterAttente: [true] } },
			},
			optionsCollection([
				{
					displayName: 'Message de la confirmation (approuvé)',
					name: 'messageApprouve',
					type: 'string',
					typeOptions: { rows: 3 },
					default: 'Votre décision est enregistrée : l’envoi est approuvé.',
				},
				{
					displayName: 'Message de la confirmation (refusé)',
					name: 'messageRefuse',
					type: 'string',
					typeOptions: { rows: 3 },
					default: 'Votre décision est enregistrée : rien ne part.',
				},
				{
					displayName: 'Titre de la confirmation (approuvé)',
					name: 'titreApprouve',
					type: 'string',
					default: 'Envoi approuvé',
				},
				{
					displayName: 'Titre de la confirmation (refusé)',
					name: 'titreRefuse',
					type: 'string',
					default: 'Envoi refusé',
				},
			]),
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const delay = ApprovalDelaySchema.safeParse({
			limiter: this.getNodeParameter('limiterAttente', 0, true),
			duree: this.getNodeParameter('duree', 0, 6),
			unite: this.getNodeParameter('unite', 0, 'jours'),
		});
		if (!delay.success) {
			throw new NodeOperationError(this.getNode(), `Délai d’attente invalide : ${problems(delay.error, { duree: 'Durée maximale', unite: 'Unité' })}.`, { itemIndex: 0 });
		}
		// La page est vérifiée dès maintenant : une erreur se voit avant l'envoi du lien, pas par l'acheteur.
		const get: Read = (name, fallback) => this.getNodeParameter(name, 0, fallback);
		readView(get, (message) => new NodeOperationError(this.getNode(), message, { itemIndex: 0 }));
		readMessages(get, (message) => new NodeOperationError(this.getNode(), message, { itemIndex: 0 }));
		await this.putExecutionToWait(approvalDeadline(delay.data, new Date()) ?? WAIT_INDEFINITELY);
		return [this.getInputData()];
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const res = this.getResponseObject();
		const fail = (message: string) => new NodeOperationError(this.getNode(), message);
		const get: Read = (name, fallback) => this.getNodeParameter(name, fallback);
		const view = readView(get, fail);
		const send = (status: number, html: string) => {
			res.status(status);
			for (const [name, value] of Object.entries(APPROVAL_PAGE_HEADERS)) res.setHeader(name, value);
			res.send(html);
		};
		// GET : la page seule ; l'exécution reste en attente.
		if (req.method !== 'POST') {
			send(200, renderApprovalPage(view));
			return { noWebhookResponse: true };
		}
		const submission = readApprovalSubmission(this.getBodyData());
		if (!submission.ok) {
			send(422, renderApprovalPage(view, { erreur: submission.message, draft: submission.draft }));
			return { noWebhookResponse: true };
		}
		const outcome = approvalOutcome(submission.value, new Date());
		send(200, renderDecisionPage(outcome, readMessages(get, fail)));
		return { noWebhookResponse: true, workflowData: [[{ json: { ...outcome } }]] };
	}
}

/** Lecture d'un paramètre du nœud (premier élément à l'exécution ; à la requête de la page). */
type Read = (name: string, fallback: string | object) => unknown;

function readView(parameter: Read, error: (message: string) => Error) {
	const view = ApprovalViewSchema.safeParse({
		titre: parameter('titre', 'Approbation'),
		resume: parameter('resume', ''),
		details: approvalLines(String(parameter('details', '') ?? '')),
		explication: parameter('explication', ''),
	});
	if (!view.success) throw error(`Page d’approbation invalide : ${problems(view.error, VIEW_LABELS)}.`);
	return view.data;
}

function readMessages(parameter: Read, error: (message: string) => Error) {
	const options = z.record(z.string(), z.unknown()).safeParse(parameter('options', {}));
	const given = options.success ? options.data : {};
	const messages = ApprovalMessagesSchema.safeParse({
		titreApprouve: given.titreApprouve ?? 'Envoi approuvé',
		messageApprouve: given.messageApprouve ?? 'Votre décision est enregistrée : l’envoi est approuvé.',
		titreRefuse: given.titreRefuse ?? 'Envoi refusé',
		messageRefuse: given.messageRefuse ?? 'Votre décision est enregistrée : rien ne part.',
	});
	if (!messages.success) throw error(`Page de confirmation invalide : ${problems(messages.error, MESSAGE_LABELS)}.`);
	return messages.data;
}
