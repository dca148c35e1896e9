import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { z } from 'zod/v4';

import type { Register } from '../adapters';
import type { Acknowledgement } from '../core';
import { linkSecretProblem, parseIntakeSettings, renderAcknowledgement, renderReceiptPage, todayIn } from '../core';
import { errorItem } from '../shared/items';
import { asJson, choiceParameter, textParameter } from '../shared/parameters';
import { clausesRegistreTest, openRegister, registerLinkSecret } from '../shared/register';
import type { OnceOutcome } from '../shared/send-once';
import { BUSY_ELSEWHERE, LEASE_OPTION, RATE_OPTION, sendOnce } from '../shared/send-once';
import { clausesSocialesSmtpTest } from '../shared/smtp';
import { optionsCollection } from '../shared/descriptions';
import type { PageOutcome } from './online';
import { prepareForm, submitForm } from './online';

const OptionsSchema = z.object({
	conservationMois: z.coerce.number().int().min(1).max(240).default(60),
	contact: z.string().trim().optional(),
	seuilHeuresMois: z.coerce.number().min(1).max(744).optional(),
	debitParSeconde: z.coerce.number().min(0).default(10),
	bailEnvoi: z.coerce.number().min(1).default(120),
});

function ackNote(outcome: OnceOutcome | 'aperçu', ack: Acknowledgement): string {
	const who = [...ack.to, ...ack.cc].join(', ');
	// La page dit ce qui s'est réellement passé : en aperçu, ou sans adresse connue, aucun courriel ne part.
	if (ack.cle === null) return 'Aucune adresse de courriel n’est connue pour vous adresser un accusé de réception : conservez cette page, elle en tient lieu.';
	if (outcome === 'aperçu') return 'Aperçu : aucun accusé de réception n’est envoyé par courriel (le workflow est réglé en aperçu) ; conservez cette page.';
	if (outcome === 'déjà envoyé') return 'L’accusé de réception de ce même relevé vous a déjà été envoyé.';
	if (outcome === 'en cours ailleurs') return 'Un accusé de réception est en cours d’envoi.';
	if (outcome.ok) return `Un accusé de réception a été envoyé à ${who}.`;
	return 'Votre relevé est bien enregistré ; l’accusé de réception n’a pas pu partir, le facilitateur en est informé.';
}

function ackStatus(outcome: OnceOutcome | 'aperçu', ack: Acknowledgement): IDataObject {
	const base: IDataObject = { a: ack.to, cc: ack.cc, objet: ack.subject, cle: ack.cle };
	if (outcome === 'aperçu') return { ...base, statut: 'aperçu', texte: ack.text };
	if (outcome === 'déjà envoyé') return { ...base, statut: 'déjà envoyé' };
	if (outcome === 'en cours ailleurs') return { ...base, statut: 'en cours ailleurs', motif: BUSY_ELSEWHERE };
	if (outcome.ok) return { ...base, statut: 'envoyé', messageId: outcome.messageId };
	return { ...base, statut: 'échec', erreur: outcome.message, code: outcome.code };
}

function pageJson(page: PageOutcome): IDataObject {
	const r = page.result;
	return {
		statut: page.statut,
		codeHttp: page.codeHttp,
		html: page.html,
		...(page.motif ? { motif: page.motif } : {}),
		...(page.claims ? { marche: page.claims.marche, lot: page.claims.lot, mois: page.claims.mois } : {}),
		...(page.clause ? { titulaire: page.clause.titulaire, facilitateur: page.clause.facilitateur } : {}),
		...(r ? { releve: r.statutLibelle, compte: asJson(r.compte), erreurs: r.anomalies.filter((a) => a.gravite === 'erreur').length } : {}),
		...(page.written ? { versionsRegistre: page.written } : {}),
	};
}

export class ClauseOnlineReport implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Relevé en ligne (clause sociale)',
		name: 'clauseOnlineReport',
		icon: { light: 'file:clauseOnlineReport.svg', dark: 'file:clauseOnlineReport.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "preparer" ? "Préparer le formulaire" : (($parameter["operation"] === "requete" ? "Formulaire et saisie" : "Enregistrer la saisie") + ($parameter["mode"] === "envoyer" ? ", accusé envoyé" : ", accusé en aperçu")) }}',
		description:
			'Formulaire du relevé mensuel d’heures d’insertion, ouvert par le lien personnel de la relance : le prépare pré-rempli, le contrôle à l’envoi (erreurs affichées à côté de chaque champ) et l’enregistre au registre des clauses',
		defaults: { name: 'Relevé en ligne' },
		// Outil d'agent : les deux opérations ne font que ce que le lien signé permet (sa clause, son mois).
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'clausesRegistreApi', required: true, testedBy: 'clausesRegistreTest' },
			{ name: 'clausesSocialesSmtpApi', required: true, testedBy: 'clausesSocialesSmtpTest', displayOptions: { show: { operation: ['enregistrer', 'requete'], mode: ['envoyer'] } } },
		],
		properties: [
			{
				displayName: 'Opération',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'requete',
				options: [
					{
						name: 'Selon la requête',
						value: 'requete',
						action: 'Repondre au lien ou au formulaire',
						description: 'Derrière un Webhook en GET et POST : lien ouvert (sans saisie), le formulaire ; formulaire envoyé, son enregistrement',
					},
					{ name: 'Préparer le formulaire', value: 'preparer', action: 'Afficher le formulaire du lien', description: 'Vérifie le lien et rend la page du formulaire, pré-remplie, ou la page de refus' },
					{ name: 'Enregistrer la saisie', value: 'enregistrer', action: 'Enregistrer la saisie', description: 'Contrôle la saisie envoyée ; l’enregistre au registre et accuse réception, ou rend le formulaire avec ses erreurs' },
				],
			},
			{
				displayName: 'Jeton du lien',
				name: 'jeton',
				type: 'string',
				default: '={{ $json.query.jeton }}',
				description: 'Le paramètre « jeton » de l’adresse ouverte (sortie du nœud Webhook : query, jeton)',
				displayOptions: { show: { operation: ['preparer', 'requete'] } },
			},
			{
				displayName: 'Saisie envoyée',
				name: 'saisie',
				type: 'json',
				default: '={{ $json.body }}',
				description: 'Les champs du formulaire envoyé (sortie du nœud Webhook en POST : body) ; « Selon la requête » : vide pour un lien ouvert',
				displayOptions: { show: { operation: ['enregistrer', 'requete'] } },
			},
			{
				displayName: 'Accusé de réception',
				name: 'mode',
				type: 'options',
				default: 'apercu',
				options: [
					{ name: 'Envoyer', value: 'envoyer', description: 'Envoie l’accusé au titulaire, facilitateur en copie, une seule fois par relevé' },
					{ name: 'Aperçu, sans envoi', value: 'apercu', description: 'Le relevé est enregistré ; l’accusé est seulement rendu dans la sortie' },
				],
				displayOptions: { show: { operation: ['enregistrer', 'requete'] } },
			},
			{
				displayName: 'Signature',
				name: 'signature',
				type: 'string',
				typeOptions: { rows: 3 },
				default: '',
				description: 'Signature de l’accusé de réception, une ligne par élément',
				displayOptions: { show: { operation: ['enregistrer', 'requete'] } },
			},
			optionsCollection([
				{
					displayName: 'Conservation des données (mois)',
					name: 'conservationMois',
					type: 'number',
					default: 60,
					description:
						'Durée de conservation des données personnelles du relevé, annoncée sur le formulaire (RGPD) ; les numéros de formulaire déjà servis plus anciens sont effacés à chaque enregistrement',
				},
				{ displayName: 'Contact affiché', name: 'contact', type: 'string', default: '', description: 'Vide : le facilitateur de la clause (nom et adresse)' },
				{ displayName: 'Seuil d’heures mensuelles par personne', name: 'seuilHeuresMois', type: 'number', default: 151.67, description: 'Au-delà, une justification est exigée (mêmes règles que la réception des relevés)' },
				RATE_OPTION,
				LEASE_OPTION,
			]),
		],
	};

	methods = { credentialTest: { clausesRegistreTest, clausesSocialesSmtpTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const node = this.getNode();
		const chosen = choiceParameter(this, 'operation', ['preparer', 'enregistrer', 'requete']);
		const secret = await registerLinkSecret(this);
		const problem = linkSecretProblem(secret);
		if (problem) {
			throw new NodeOperationError(node, `Relevé en ligne : ${problem}`, { description: 'Renseignez le secret des liens dans l’identifiant « Registre des clauses » choisi pour ce nœud (le même que celui de la relance).' });
		}
		const out: INodeExecutionData[] = [];
		const register = await openRegister(this);
		try {
			for (let i = 0; i < items.length; i++) {
				try {
					const options = readOptions(this, i);
					const now = new Date();
					const saisie = chosen === 'preparer' ? undefined : this.getNodeParameter('saisie', i, {});
					const operation = chosen === 'requete' ? (isSubmission(saisie) ? 'enregistrer' : 'preparer') : chosen;
					const json =
						operation === 'preparer'
							? pageJson(await prepareForm(register, this.getNodeParameter('jeton', i, ''), secret, now, pageSettings(options)))
							: await submit(this, register, i, { options, secret, now, saisie });
					out.push({ json, pairedItem: { item: i } });
				} catch (error) {
					if (this.continueOnFail()) {
						out.push(errorItem(node, error, i));
						continue;
					}
					throw error instanceof NodeOperationError ? error : new NodeOperationError(node, error instanceof Error ? error : String(error), { itemIndex: i });
				}
			}
		} finally {
			await register.close();
		}
		return [out];
	}
}

type OnlineOptions = z.output<typeof OptionsSchema>;

/** Options de l'élément, validées par leur schéma. */
function readOptions(ctx: IExecuteFunctions, itemIndex: number): OnlineOptions {
	const parsed = OptionsSchema.safeParse(ctx.getNodeParameter('options', itemIndex, {}));
	if (!parsed.success) {
		throw new NodeOperationError(ctx.getNode(), `Options invalides : ${parsed.error.issues.map((x) => `${x.path.join('.')} : ${x.message}`).join(' ; ')}`, { itemIndex });
	}
	return parsed.data;
}

/** Réglages des pages (conservation des données, contact). */
function pageSettings(options: OnlineOptions): { conservationMois: number; contact?: string } {
	return { conservationMois: options.conservationMois, ...(options.contact ? { contact: options.contact } : {}) };
}

/** « Enregistrer la saisie » : le relevé au registre, puis l'accusé (envoyé une fois, ou en aperçu) et la page de reçu. */
async function submit(
	ctx: IExecuteFunctions,
	register: Register,
	itemIndex: number,
	input: { options: OnlineOptions; secret: string; now: Date; saisie: unknown },
): Promise<IDataObject> {
	const { options, secret, now, saisie } = input;
	const mode = choiceParameter(ctx, 'mode', ['apercu', 'envoyer'], itemIndex, 'apercu');
	const dateReception = todayIn(ctx.getTimezone(), now);
	const intake = parseIntakeSettings({ dateReception, moisDejaRecu: 'remplacer', ...(options.seuilHeuresMois !== undefined ? { seuilHeuresMois: options.seuilHeuresMois } : {}) });
	const page = await submitForm(register, typeof saisie === 'string' ? safeJson(saisie) : saisie, secret, now, intake, pageSettings(options), `relevé en ligne du ${dateReception}`);
	const json = pageJson(page);
	if (page.statut !== 'enregistre' || !page.result) return json;
	const ack = renderAcknowledgement(page.result, { signature: textParameter(ctx, 'signature', itemIndex), dateReception });
	let outcome: OnceOutcome | 'aperçu' = 'aperçu';
	if (mode === 'envoyer' && ack.cle !== null) {
		const sent = await sendOnce(ctx, register, [{ key: ack.cle, mail: { to: ack.to, cc: ack.cc, subject: ack.subject, text: ack.text, html: ack.html, cleMessage: ack.cle } }], {
			debitParSeconde: options.debitParSeconde,
			nature: 'accusé de réception',
			bailSecondes: options.bailEnvoi,
		});
		outcome = sent.get(ack.cle)!;
	}
	json.html = renderReceiptPage(page.result, page.written ?? {}, ackNote(outcome, ack));
	json.accuse = ackStatus(outcome, ack);
	const before = new Date(now.getTime() - options.conservationMois * 30.44 * 86_400_000).toISOString();
	await register.purgeNonces(before);
	return json;
}

/** Un formulaire envoyé porte au moins un de ses champs cachés ; un lien ouvert (GET) n'a pas de corps. */
function isSubmission(body: unknown): boolean {
	const value = typeof body === 'string' ? safeJson(body) : body;
	return value !== null && typeof value === 'object' && !Array.isArray(value) && ['jeton', 'nonce', 'lignes'].some((k) => k in value);
}

function safeJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}
