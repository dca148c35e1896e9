import type {
	IBinaryData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { z } from 'zod/v4';

import type { OutgoingMail } from '../adapters';
import { ReleveTemplateFactory, releveFileName } from '../adapters';
import type { ClauseRecord, ReminderDecision } from '../core';
import {
	REPORT_HOURS_READER,
	ReportIndex,
	WorkingCalendar,
	addDays,
	clauseKey,
	decideReminder,
	linkSecretProblem,
	parseReminderSettings,
	renderReminder,
	reportLinkUrl,
	signReportLink,
	templateMonths,
	todayIn,
} from '../core';
import type { FollowUpEntry } from '../shared/follow-up';
import { FOLLOW_UP_SOURCE_PROPERTIES, collectFollowUp, usableClauses } from '../shared/follow-up';
import { READ_LIMIT_PROPERTIES } from '../shared/read-limits';
import { errorItem, toNodeError } from '../shared/items';
import { clausesRegistreTest, registerLinkSecret } from '../shared/register';
import type { OnceOutcome } from '../shared/send-once';
import { BUSY_ELSEWHERE, LEASE_OPTION, UNCERTAIN_RESENT, failedStatus, sendOnceInRegister } from '../shared/send-once';
import { clausesSocialesSmtpTest } from '../shared/smtp';
import { applyPlausibilityParameter, plausibilityProperties } from '../shared/plausibility';
import type { PoolingContext } from '../shared/pooling';
import { readPoolingContext } from '../shared/pooling';
import { POOLING_REMINDER_OPTIONS, pooledReminders } from '../shared/pooling-reminder';
import { buildFacilitatorSummaries } from './summary';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const OnlineOptionsSchema = z.object({
	adresseReleveEnLigne: z.string().trim().default(''),
	validiteLienJours: z.coerce.number().int().min(1, 'au moins 1 jour').max(366, 'au plus 366 jours').default(45),
});

/** Liens signés du relevé en ligne, si son adresse est renseignée (le secret vient de l'identifiant du registre). */
async function onlineLinks(ctx: IExecuteFunctions, options: IDataObject, dateReference: string): Promise<{ url: (clause: ClauseRecord, mois: string) => string; expireDate: string } | undefined> {
	const parsed = OnlineOptionsSchema.safeParse(options);
	if (!parsed.success) {
		throw new NodeOperationError(ctx.getNode(), `Option « Validité des liens du relevé en ligne » : ${parsed.error.issues[0].message}`, { description: 'Indiquez un nombre de jours entre 1 et 366.' });
	}
	const base = parsed.data.adresseReleveEnLigne;
	if (base === '') return undefined;
	if (!/^https?:\/\/[^\s]+$/.test(base)) {
		throw new NodeOperationError(ctx.getNode(), `Adresse du relevé en ligne invalide : « ${base} »`, { description: 'Indiquez l’adresse complète du nœud Webhook du workflow « Relevé en ligne », commençant par https://, ou videz l’option.' });
	}
	const secret = await registerLinkSecret(ctx);
	const problem = linkSecretProblem(secret);
	if (problem) {
		throw new NodeOperationError(ctx.getNode(), `Relevé en ligne : ${problem}`, {
			description: 'Choisissez dans ce nœud l’identifiant « Registre des clauses » et renseignez-y le secret des liens (32 caractères au moins), ou videz l’option « Adresse du relevé en ligne ».',
		});
	}
	const expireDate = addDays(dateReference, parsed.data.validiteLienJours);
	const expire = Date.parse(`${expireDate}T23:59:59Z`) / 1000;
	return { url: (clause, mois) => reportLinkUrl(base, signReportLink(secret, { marche: clause.marche, lot: clause.lot, siret: clause.siret, mois, expire })), expireDate };
}

interface Planned {
	entry: FollowUpEntry<ClauseRecord>;
	clause: ClauseRecord;
	decision: ReminderDecision;
	mail?: OutgoingMail;
}

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
		credentials: [
			{
				name: 'clausesSocialesSmtpApi',
				required: true,
				testedBy: 'clausesSocialesSmtpTest',
				displayOptions: { show: { mode: ['envoyer'] } },
			},
			{
				name: 'clausesRegistreApi',
				required: false,
				testedBy: 'clausesRegistreTest',
			},
		],
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
					'Ne rien faire si la date de référence n’est pas le premier jour ouvré de son mois (pour un déclenchement quotidien du 1er au 7 du mois)',
			},
			{
				displayName: 'Signature',
				name: 'signature',
				type: 'string',
				typeOptions: { rows: 4 },
				default: 'La mission clauses sociales',
				description: 'Une ligne par élément : service, nom, téléphone',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Ajouter une option',
				default: {},
				options: [
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
					{
						displayName: 'Débit maximal (courriels par seconde)',
						name: 'debitParSeconde',
						type: 'number',
						default: 10,
						description: 'Limite imposée par le relais SMTP de la collectivité ; 0 : sans limite',
					},
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
				],
			},
		],
	};

	methods = { credentialTest: { clausesSocialesSmtpTest, clausesRegistreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Bornes de vraisemblance des options : lues par les schémas pendant toute l'exécution.
		applyPlausibilityParameter(this);
		const node = this.getNode();
		const mode = this.getNodeParameter('mode', 0) as 'apercu' | 'envoyer';
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const requested = (this.getNodeParameter('dateReference', 0, '') as string).trim();
		const dateReference = requested === '' ? todayIn(this.getTimezone()) : requested;
		let settings;
		try {
			settings = parseReminderSettings({ ...options, dateReference });
		} catch (error) {
			throw toNodeError(node, error, 0);
		}
		const calendar = new WorkingCalendar(String(options.calendrier ?? 'FR'));
		if (this.getNodeParameter('premierJourOuvre', 0, false) === true) {
			if (settings.dateReference !== calendar.firstWorkingDay(settings.dateReference.slice(0, 7))) return [[], []];
		}

		// Les lignes de relevé valides vont directement à l'index des heures déclarées.
		const reports = new ReportIndex([]);
		// Registre : groupes de mutualisation et entreprises déclarées (sous-traitants…), sauf option contraire.
		const pooling: { context?: PoolingContext } | undefined = options.mutualisation === false && options.lignesIntervenants === false ? undefined : {};
		const data = await collectFollowUp(this, {
			lineReader: REPORT_HOURS_READER,
			onLine: (line) => reports.add(line),
			fromRegister: pooling
				? async (register) => {
						try {
							pooling.context = await readPoolingContext(register, { lines: options.lignesIntervenants !== false });
						} catch (error) {
							throw toNodeError(node, error, 0);
						}
					}
				: undefined,
		});
		const clauseOut: INodeExecutionData[] = [];
		const fail = (error: unknown, itemIndex: number, json: IDataObject) => {
			if (!this.continueOnFail()) throw toNodeError(node, error, itemIndex);
			clauseOut.push(errorItem(node, error, itemIndex, json));
		};
		for (const f of data.fileErrors) fail(f.error, f.itemIndex, f.json);

		const signature = this.getNodeParameter('signature', 0, '') as string;
		const attach = options.joindreModele !== false;
		const online = await onlineLinks(this, options, settings.dateReference);
		const planned: Planned[] = [];
		// Clauses lisibles, une fois chacune ; des relevés illisibles fausseraient le calcul : rien n'est envoyé pour leur clause.
		const usable = [...usableClauses(data, node, fail)];
		const adjust = pooledReminders(usable.map((u) => u.clause), reports, settings, pooling?.context, { mutualisation: options.mutualisation !== false, lignesIntervenants: options.lignesIntervenants !== false });
		for (const { entry, clause } of usable) {
			const { decision, mutualisation, lignesManquantes } = adjust(clause, decideReminder(clause, reports, settings));
			const item: Planned = { entry, clause, decision };
			if (decision.niveau !== 'aucun') {
				const releveEnLigne = online ? { liens: decision.moisManquants.map((m) => ({ mois: m.mois, url: online.url(clause, m.mois) })), expire: online.expireDate } : undefined;
				const message = renderReminder(clause, decision, { signature, modeleJoint: attach, releveEnLigne, mutualisation, lignesManquantes });
				item.mail = { ...message, cleMessage: decision.cleEnvoi ?? undefined };
			}
			planned.push(item);
		}

		// Modèles de relevé pré-remplis : un classeur de base par exécution, puis chaque modèle
		// produit au moment de son envoi (ou de son aperçu) et aussitôt libéré.
		const toMail = planned.filter((p) => p.mail);
		const factory = attach && toMail.length > 0 ? await ReleveTemplateFactory.create(settings.dateReference) : undefined;
		// Un modèle par mois manquant : le titulaire renvoie un relevé par mois.
		const templatesFor = async (p: Planned) => {
			if (!factory) return [];
			// Entreprises déclarées au registre (sous-traitants, cotraitants, SIAE) : nommées dans le modèle.
			const intervenants = pooling?.context?.intervenants.get(clauseKey(p.clause));
			return templateMonths(p.decision).map((mois) => ({ fileName: releveFileName(p.clause, mois), content: factory.render({ clause: p.clause, mois, intervenants }) }));
		};
		const withTemplates = (mail: OutgoingMail, modeles: Array<{ fileName: string; content: Buffer }>): OutgoingMail =>
			modeles.length > 0 ? { ...mail, attachments: modeles.map((m) => ({ filename: m.fileName, content: m.content, contentType: XLSX })) } : mail;

		const outcomes = new Map<Planned, OnceOutcome | 'aperçu'>();
		const previews = new Map<Planned, IBinaryData[]>();
		const sendStart = process.hrtime.bigint();
		if (mode === 'envoyer' && toMail.length > 0) {
			const sent = await sendOnceInRegister(
				this,
				// Le modèle de relevé est produit au moment de l'envoi, puis libéré.
				toMail.map((p) => ({ key: p.decision.cleEnvoi!, mail: async () => withTemplates(p.mail!, await templatesFor(p)) })),
				{ debitParSeconde: Number(options.debitParSeconde ?? 10), nature: 'relance', bailSecondes: Number(options.bailEnvoi ?? 120) },
			);
			for (const p of toMail) outcomes.set(p, sent.get(p.decision.cleEnvoi!)!);
		} else {
			for (const p of toMail) {
				outcomes.set(p, 'aperçu');
				const binaries: IBinaryData[] = [];
				for (const modele of await templatesFor(p)) binaries.push(await this.helpers.prepareBinaryData(modele.content, modele.fileName, XLSX));
				if (binaries.length > 0) previews.set(p, binaries);
			}
		}
		const sendMs = mode === 'envoyer' ? Number(process.hrtime.bigint() - sendStart) / 1e6 : 0;

		for (const p of planned) {
			const outcome = outcomes.get(p);
			const envoi: IDataObject = { statut: 'sans objet', motif: 'Aucune relance à ce niveau ce mois-ci.' };
			if (p.mail) {
				Object.assign(envoi, { a: p.mail.to, cc: p.mail.cc ?? [], objet: p.mail.subject, cle: p.decision.cleEnvoi });
				delete envoi.motif;
				if (outcome === 'aperçu') Object.assign(envoi, { statut: 'aperçu', texte: p.mail.text, html: p.mail.html });
				else if (outcome === 'déjà envoyé') Object.assign(envoi, { statut: 'déjà envoyé', motif: 'Relance déjà envoyée lors d’une exécution précédente : pas de renvoi.' });
				else if (outcome === 'en cours ailleurs') Object.assign(envoi, { statut: 'en cours ailleurs', motif: BUSY_ELSEWHERE });
				else if (outcome && outcome.ok) {
					const refusedMain = outcome.rejected.filter((r) => p.mail!.to.some((t) => t.toLowerCase() === r.adresse.toLowerCase()));
					Object.assign(envoi, { messageId: outcome.messageId, acceptes: outcome.accepted, refuses: outcome.rejected as unknown as IDataObject[] });
					if (refusedMain.length > 0) {
						// Les copies sont parties : pas de renvoi automatique (il doublerait les copies) ; l'adresse est à corriger.
						Object.assign(envoi, {
							statut: 'échec',
							code: refusedMain[0].code,
							temporaire: false,
							erreur: `adresse du titulaire ${refusedMain[0].adresse} refusée (${refusedMain[0].message}) ; les copies sont parties. Corrigez l’adresse dans le registre : la relance repartira à la prochaine exécution.`,
						});
					} else envoi.statut = 'envoyé';
					if (outcome.incertain) Object.assign(envoi, { statut: envoi.statut === 'envoyé' ? 'incertain' : envoi.statut, motif: UNCERTAIN_RESENT });
				}
				else if (outcome) Object.assign(envoi, { statut: failedStatus(outcome), erreur: outcome.message, code: outcome.code, temporaire: outcome.temporaire });
			}
			const out: INodeExecutionData = {
				json: {
					marche: p.clause.marche,
					lot: p.clause.lot,
					titulaire: p.clause.titulaire,
					siret: p.clause.siret,
					facilitateur: p.clause.facilitateur,
					emailFacilitateur: p.clause.emailFacilitateur,
					decision: p.decision as unknown as IDataObject,
					envoi,
				},
				pairedItem: { item: p.entry.itemIndex },
			};
			// Aperçu : « modele » (premier mois), puis « modele_2 », « modele_3 »… pour les mois suivants.
			const preview = previews.get(p);
			if (preview) out.binary = Object.fromEntries(preview.map((b, i) => [i === 0 ? 'modele' : `modele_${i + 1}`, b]));
			clauseOut.push(out);
		}

		const onlyNews = options.syntheseSiNouveau !== false;
		const summaries = buildFacilitatorSummaries(clauseOut.map((i) => i.json), {
			dateReference: settings.dateReference,
			mode,
			ignoredSheets: data.ignoredSheets,
			ignoredFiles: data.ignoredFiles,
		}).filter((s) => !onlyNews || s.compte['envoyé'] + s.compte['échec'] + s.compte['reporté'] + s.compte['aperçu'] > 0);
		const summaryOut: INodeExecutionData[] = summaries.map((summary) => ({
			json: { ...summary, envoi: { courriels: toMail.length, dureeMs: Math.round(sendMs) } } as unknown as IDataObject,
			pairedItem: clauseOut.flatMap((i) => (i.json.emailFacilitateur === summary.emailFacilitateur || summary.emailFacilitateur === null ? [i.pairedItem as { item: number }] : [])),
		}));
		return [clauseOut, summaryOut];
	}
}
