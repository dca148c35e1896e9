import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { createHash } from 'node:crypto';

import type { OutgoingMail, SendOutcome, TableRow } from '../adapters';
import { Mailer, buildPenaltyAnnex, locate, renderLetterPdf } from '../adapters';
import type {
	ClausePenaltyFields,
	ClauseRecord,
	LetterModel,
	NoticeStep,
	PenaltyAssessment,
	PenaltyHistoryEntry,
	ReviewEntry,
	StepDecision,
} from '../core';
import {
	AnomalyError,
	PENALTY_FIELDS_READER,
	PENALTY_HISTORY_READER,
	PENALTY_SETTINGS_LABELS,
	PenaltySettingsSchema,
	REPORT_HOURS_READER,
	ReportIndex,
	assessPenalties,
	buildLetter,
	clauseKey,
	decideStep,
	formatEuros,
	normalizeToken,
	noticeFileNames,
	penaltyPeriod,
	parseSettings,
	renderNoticeMail,
	renderReviewSummary,
	todayIn,
	tryReadRecord,
	withHistory,
} from '../core';
import type { FollowUpEntry } from '../shared/follow-up';
import { FOLLOW_UP_SOURCE_PROPERTIES, collectFollowUp } from '../shared/follow-up';
import { errorItem, toNodeError } from '../shared/items';
import { SMTP_CREDENTIAL, clausesSocialesSmtpTest, smtpSettings, smtpSettingsProblems } from '../shared/smtp';

const PDF = 'application/pdf';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface Notice {
	lettre: { fileName: string; content: Buffer; empreinte: string };
	annexe: { fileName: string; content: Buffer };
	mail: OutgoingMail;
	model: LetterModel;
}

interface Planned {
	entry: FollowUpEntry<ClauseRecord>;
	clause: ClauseRecord;
	assessment: PenaltyAssessment;
	step: StepDecision;
	notice?: Notice;
}

type Outcome = SendOutcome | 'aperçu' | 'déjà envoyé' | 'non approuvé';

/** Situe une anomalie des champs de pénalité dans la ligne du registre (feuille, cellule). */
function locateInRow(error: unknown, row: TableRow | undefined): unknown {
	if (!row || !(error instanceof AnomalyError)) return error;
	const cells: Record<string, string> = {};
	for (const [key, cell] of Object.entries(row.cells)) cells[PENALTY_FIELDS_READER.keys.get(normalizeToken(key)) ?? key] = cell;
	return locate(error, { sheet: row.sheet, row: row.row, raw: row.raw, problems: row.problems, cells });
}

const HISTORY_SHEET = {
	names: ['Pénalités', 'Historique des pénalités', 'Avis de pénalité'],
	keys: PENALTY_HISTORY_READER.keys,
	labels: PENALTY_HISTORY_READER.labels,
	required: ['marche', 'lot', 'etape', 'date'],
};

/** Liste d'empreintes saisie en JSON (tableau) ou séparée par des virgules. */
function fingerprints(value: unknown): Set<string> | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	let list: unknown = value;
	if (typeof value === 'string') {
		const text = value.trim();
		if (text === '') return undefined;
		try {
			list = text.startsWith('[') ? JSON.parse(text) : text.split(/[\s,;]+/);
		} catch {
			list = text.split(/[\s,;]+/);
		}
	}
	const out = new Set((Array.isArray(list) ? list : [list]).map((v) => String(v ?? '').trim().toLowerCase()).filter((v) => /^[0-9a-f]{64}$/.test(v)));
	return out;
}

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
		credentials: [
			{
				name: 'clausesSocialesSmtpApi',
				required: true,
				testedBy: 'clausesSocialesSmtpTest',
				displayOptions: { show: { mode: ['envoyer'] } },
			},
		],
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
				typeOptions: { minValue: 0, numberPrecision: 2 },
				description: 'Valeur du CCAP ; une colonne « Pénalité par heure » du registre la remplace pour son marché',
			},
			{
				displayName: 'Pénalité par jour de retard des relevés (€ HT)',
				name: 'tauxJourRetardReleve',
				type: 'number',
				default: 100,
				typeOptions: { minValue: 0, numberPrecision: 2 },
			},
			{
				displayName: 'Pénalité par jour de retard du bilan (€ HT)',
				name: 'tauxJourRetardBilan',
				type: 'number',
				default: 300,
				typeOptions: { minValue: 0, numberPrecision: 2 },
			},
			{
				displayName: 'Plafond des pénalités (%)',
				name: 'plafondPourcentage',
				type: 'number',
				default: 20,
				typeOptions: { minValue: 0, maxValue: 100, numberPrecision: 2 },
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
				displayName: 'Signature',
				name: 'signature',
				type: 'string',
				typeOptions: { rows: 4 },
				default: 'Pour le président et par délégation,\nLe directeur de la commande publique',
				description: 'Une ligne par élément : qualité, nom',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Ajouter une option',
				default: {},
				options: [
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
					{
						displayName: 'Débit maximal (courriels par seconde)',
						name: 'debitParSeconde',
						type: 'number',
						default: 5,
						description: 'Limite imposée par le relais SMTP ; 0 : sans limite',
					},
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
							'Empreintes SHA-256 des lettres relues (sortie du mode revue) : seules ces lettres partent ; une lettre changée depuis la revue n’est pas envoyée',
					},
					{
						displayName: 'Lieu de signature',
						name: 'lieu',
						type: 'string',
						default: '',
						placeholder: 'Saint-Aubin-sur-Argent',
					},
					{
						displayName: 'Mémoire des envois (nombre d’avis)',
						name: 'memoireEnvois',
						type: 'number',
						default: 60000,
						description: 'Nombre d’avis envoyés dont n8n garde la trace pour ne jamais les renvoyer',
					},
					{
						displayName: 'Mention du mode d’envoi',
						name: 'mentionEnvoi',
						type: 'string',
						default: 'Envoi par courriel',
						description: 'Mention portée en tête de la lettre (par exemple « Lettre recommandée avec accusé de réception »)',
					},
					{
						displayName: 'Mise en demeure requise pour les retards de relevés',
						name: 'miseEnDemeureRequise',
						type: 'boolean',
						default: true,
						description: 'Whether late-report penalties only run from the deadline of the formal notice (CCAP), rather than from the report due date',
					},
				],
			},
		],
	};

	methods = { credentialTest: { clausesSocialesSmtpTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const node = this.getNode();
		const mode = this.getNodeParameter('mode', 0) as 'revue' | 'envoyer';
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const requested = String(this.getNodeParameter('dateAvis', 0, '') ?? '').trim();
		const echeance = this.getNodeParameter('echeance', 0, 'finExecution') as string;
		let settings;
		try {
			settings = parseSettings(
				PenaltySettingsSchema,
				{
					dateCalcul: requested === '' ? todayIn(this.getTimezone()) : requested,
					echeance,
					dateJalon: echeance === 'jalon' ? this.getNodeParameter('dateJalon', 0, '') : undefined,
					tauxHoraire: this.getNodeParameter('tauxHoraire', 0, undefined),
					tauxJourRetardReleve: this.getNodeParameter('tauxJourRetardReleve', 0, undefined),
					tauxJourRetardBilan: this.getNodeParameter('tauxJourRetardBilan', 0, undefined),
					plafondPourcentage: this.getNodeParameter('plafondPourcentage', 0, undefined),
					plafondAssiette: options.plafondAssiette ?? 'annuel',
					delaiGraceJours: options.delaiGraceJours ?? 0,
					miseEnDemeureRequise: options.miseEnDemeureRequise ?? true,
					delaiMiseEnDemeureJours: options.delaiMiseEnDemeureJours ?? 15,
					delaiBilanJours: options.delaiBilanJours ?? 30,
					delaiObservationsJours: options.delaiObservationsJours ?? 15,
					articleCcap: options.articleCcap,
				},
				PENALTY_SETTINGS_LABELS,
			);
			if (settings.echeance === 'jalon' && !settings.dateJalon) {
				throw new NodeOperationError(node, 'Date du jalon manquante', { description: 'Saisissez la date du jalon (AAAA-MM-JJ) ou choisissez « Fin d’exécution ».' });
			}
		} catch (error) {
			throw toNodeError(node, error, 0);
		}
		const approved = fingerprints(options.empreintesApprouvees);
		const letterOptions = {
			emetteur: String(this.getNodeParameter('emetteur', 0, '') ?? ''),
			signature: String(this.getNodeParameter('signature', 0, '') ?? ''),
			lieu: options.lieu ? String(options.lieu) : undefined,
			mentionEnvoi: options.mentionEnvoi === undefined ? 'Envoi par courriel' : String(options.mentionEnvoi),
			delaiObservationsJours: settings.delaiObservationsJours,
		};

		const reports = new ReportIndex([]);
		// Historique des avis (feuille « Pénalités » du classeur), par clause.
		const history = new Map<string, PenaltyHistoryEntry[]>();
		const historyErrors: Array<{ itemIndex: number; json: IDataObject; error: unknown; key?: string }> = [];
		const onHistoryRow = (row: TableRow, itemIndex: number) => {
			const { marche, lot } = row.raw;
			const where = `historique des pénalités${marche !== undefined && lot !== undefined ? ` (marché ${String(marche)}, lot ${String(lot)})` : ''}`;
			const read = row.problems.length > 0 ? { ok: false as const, error: new AnomalyError(row.problems) } : tryReadRecord(PENALTY_HISTORY_READER, row.raw, where);
			if (read.ok) {
				const key = clauseKey(read.value);
				history.set(key, [...(history.get(key) ?? []), read.value]);
				return;
			}
			const key = marche !== undefined && lot !== undefined ? clauseKey({ marche: String(marche), lot: String(lot) }) : undefined;
			historyErrors.push({ itemIndex, json: row.raw as IDataObject, error: locate(read.error, row), key });
		};
		const data = await collectFollowUp(this, {
			lineReader: REPORT_HOURS_READER,
			onLine: (line) => reports.add(line),
			extraSheets: { penalites: { ...HISTORY_SHEET, onRow: onHistoryRow } },
		});
		const clauseOut: INodeExecutionData[] = [];
		const review: ReviewEntry[] = [];
		const fail = (error: unknown, itemIndex: number, json: IDataObject, who?: { marche?: unknown; lot?: unknown; titulaire?: unknown }) => {
			if (!this.continueOnFail()) throw toNodeError(node, error, itemIndex);
			const out = errorItem(node, error, itemIndex, json);
			clauseOut.push(out);
			review.push({ marche: String(who?.marche ?? json.marche ?? '?'), lot: String(who?.lot ?? json.lot ?? '?'), titulaire: String(who?.titulaire ?? ''), etape: 'erreur', total: 0, motif: '', erreur: String(out.json.error) });
		};
		for (const f of data.fileErrors) fail(f.error, f.itemIndex, f.json);

		// Une ligne d'historique fautive bloque sa clause (étape incertaine) ; sans clause, elle est rapportée seule.
		const historyFaults = new Map<string, (typeof historyErrors)[number]>();
		for (const h of historyErrors) {
			if (h.key && !historyFaults.has(h.key)) historyFaults.set(h.key, h);
			else if (!h.key) fail(h.error, h.itemIndex, h.json);
		}
		const lineErrors = new Map<string, FollowUpEntry<unknown>[]>();
		for (const line of data.lines) {
			const marche = line.json.marche ?? line.json['marché'];
			if (marche !== undefined && line.json.lot !== undefined) {
				const key = clauseKey({ marche: String(marche), lot: String(line.json.lot) });
				lineErrors.set(key, [...(lineErrors.get(key) ?? []), line]);
			} else fail(line.error, line.itemIndex, line.json);
		}

		const planned: Planned[] = [];
		const seen = new Set<string>();
		for (const entry of data.clauses) {
			if (!entry.value) {
				fail(entry.error, entry.itemIndex, entry.json);
				continue;
			}
			const clause = entry.value;
			const key = clauseKey(clause);
			if (seen.has(key)) {
				fail(
					new NodeOperationError(node, `${entry.where} : clause en double dans le registre`, {
						itemIndex: entry.itemIndex,
						description: 'Chaque couple marché-lot ne doit figurer qu’une fois dans le registre : supprimez ou corrigez le doublon.',
					}),
					entry.itemIndex,
					entry.json,
					clause,
				);
				continue;
			}
			seen.add(key);
			const faulty = lineErrors.get(key);
			if (faulty && faulty.length > 0) {
				// Des relevés illisibles fausseraient le calcul : rien n'est produit pour cette clause.
				fail(faulty[0].error, faulty[0].itemIndex, { ...entry.json, lignesEnAnomalie: faulty.length }, clause);
				continue;
			}
			const historyFault = historyFaults.get(key);
			if (historyFault) {
				fail(historyFault.error, entry.itemIndex, entry.json, clause);
				continue;
			}
			const read = tryReadRecord(PENALTY_FIELDS_READER, entry.json, entry.where);
			if (!read.ok) {
				fail(locateInRow(read.error, entry.row), entry.itemIndex, entry.json, clause);
				continue;
			}
			// Dates de procédure : colonnes du registre, sinon historique de la feuille « Pénalités ».
			const fields: ClausePenaltyFields = withHistory(read.value, history.get(key) ?? [], penaltyPeriod(clause, settings).periode);
			let assessment: PenaltyAssessment;
			try {
				assessment = assessPenalties(clause, fields, reports.months(key), settings, entry.where);
			} catch (error) {
				fail(locateInRow(error, entry.row), entry.itemIndex, entry.json, clause);
				continue;
			}
			const step = decideStep(clause, fields, assessment);
			const item: Planned = { entry, clause, assessment, step };
			if (step.etape === 'miseEnDemeure' || step.etape === 'notification') {
				const noticeStep = step as StepDecision & { etape: NoticeStep };
				const model = buildLetter(clause, assessment, noticeStep, letterOptions);
				const names = noticeFileNames(clause, assessment, noticeStep.etape);
				const pdf = await renderLetterPdf(model, { date: assessment.dateCalcul, auteur: letterOptions.emetteur.split('\n')[0] ?? '' });
				const annex = await buildPenaltyAnnex({ clause, assessment, step, declared: reports.months(key) });
				const message = renderNoticeMail(clause, assessment, step, model, letterOptions.signature);
				item.notice = {
					lettre: { fileName: names.lettre, content: pdf, empreinte: createHash('sha256').update(pdf).digest('hex') },
					annexe: { fileName: names.annexe, content: annex },
					model,
					mail: {
						...message,
						cleMessage: step.cleEnvoi ?? undefined,
						attachments: [
							{ filename: names.lettre, content: pdf, contentType: PDF },
							{ filename: names.annexe, content: annex, contentType: XLSX },
						],
					},
				};
			}
			planned.push(item);
		}

		// Envoi : une clé par clause, étape et période, inscrite avant l'envoi (exécutions et workers).
		const toSend = planned.filter((p) => p.notice);
		const outcomes = new Map<Planned, Outcome>();
		if (mode === 'envoyer' && toSend.length > 0) {
			const eligible = toSend.filter((p) => {
				if (approved && !approved.has(p.notice!.lettre.empreinte)) {
					outcomes.set(p, 'non approuvé');
					return false;
				}
				return true;
			});
			if (eligible.length > 0) {
				const smtp = smtpSettings(await this.getCredentials(SMTP_CREDENTIAL));
				const problems = smtpSettingsProblems(smtp);
				if (problems.length > 0) {
					throw new NodeOperationError(node, `Identifiant SMTP incomplet : ${problems.join(' ; ')}`, {
						description: 'Corrigez l’identifiant « SMTP (clauses sociales) » de ce nœud.',
					});
				}
				const dedup = { mode: 'entries' as const, maxEntries: Number(options.memoireEnvois ?? 60000) };
				const { processed } = await this.helpers.checkProcessedAndRecord(
					eligible.map((p) => p.step.cleEnvoi!),
					'workflow',
					dedup,
				);
				const already = new Set(processed.map(String));
				const mailer = new Mailer(smtp, { debitParSeconde: Number(options.debitParSeconde ?? 5) });
				const failedKeys: string[] = [];
				try {
					await Promise.all(
						eligible.map(async (p) => {
							if (already.has(p.step.cleEnvoi!)) {
								outcomes.set(p, 'déjà envoyé');
								return;
							}
							const outcome = await mailer.send(p.notice!.mail);
							outcomes.set(p, outcome);
							// Un envoi échoué libère sa clé : la prochaine exécution le retentera.
							// Titulaire refusé mais copies parties : la clé reste (pas de doublon aux copies).
							if (!outcome.ok) failedKeys.push(p.step.cleEnvoi!);
						}),
					);
				} finally {
					mailer.close();
					if (failedKeys.length > 0) await this.helpers.removeProcessed(failedKeys, 'workflow', dedup);
				}
			}
		} else {
			for (const p of toSend) outcomes.set(p, 'aperçu');
		}

		for (const p of planned) {
			const outcome = outcomes.get(p);
			const a = p.assessment;
			const envoi: IDataObject = { statut: 'sans objet', motif: p.step.motif };
			if (p.notice) {
				const mail = p.notice.mail;
				Object.assign(envoi, { a: mail.to, cc: mail.cc ?? [], objet: mail.subject, cle: p.step.cleEnvoi });
				if (outcome === 'aperçu') Object.assign(envoi, { statut: 'aperçu', motif: 'Mode revue : rien n’est envoyé.', texte: mail.text, html: mail.html });
				else if (outcome === 'non approuvé') {
					Object.assign(envoi, { statut: 'non approuvé', motif: 'Lettre différente de celles approuvées lors de la revue (empreinte inconnue) : non envoyée. Relancez la revue.' });
				} else if (outcome === 'déjà envoyé') {
					Object.assign(envoi, {
						statut: 'déjà envoyé',
						motif:
							p.step.etape === 'miseEnDemeure'
								? 'Mise en demeure déjà envoyée lors d’une exécution précédente : pas de renvoi. Reportez sa date dans le registre (colonne « Date de mise en demeure ») pour que la notification suive à l’expiration du délai.'
								: 'Notification déjà envoyée lors d’une exécution précédente : pas de renvoi. Reportez sa date dans le registre (colonne « Date de notification des pénalités »).',
					});
				} else if (outcome && outcome.ok) {
					const refused = outcome.rejected.filter((r) => mail.to.some((t) => t.toLowerCase() === r.adresse.toLowerCase()));
					Object.assign(envoi, { messageId: outcome.messageId, acceptes: outcome.accepted, refuses: outcome.rejected as unknown as IDataObject[], motif: undefined });
					if (refused.length > 0) {
						Object.assign(envoi, {
							statut: 'échec',
							code: refused[0].code,
							temporaire: false,
							erreur: `adresse du titulaire ${refused[0].adresse} refusée (${refused[0].message}) ; l’acheteur et le facilitateur en copie l’ont reçu. Corrigez l’adresse et transmettez l’avis au titulaire.`,
						});
					} else envoi.statut = 'envoyé';
				} else if (outcome) Object.assign(envoi, { statut: 'échec', erreur: outcome.message, code: outcome.code, temporaire: outcome.temporaire, motif: undefined });
				if (envoi.motif === undefined) delete envoi.motif;
			}
			const out: INodeExecutionData = {
				json: {
					marche: p.clause.marche,
					lot: p.clause.lot,
					titulaire: p.clause.titulaire,
					siret: p.clause.siret,
					emailTitulaire: p.clause.emailTitulaire,
					acheteur: p.clause.acheteur,
					emailAcheteur: p.clause.emailAcheteur,
					facilitateur: p.clause.facilitateur,
					etape: p.step.etape,
					etapeLibelle: p.step.etapeLibelle,
					motif: p.step.motif,
					periode: a.periode,
					dateDocument: a.dateCalcul,
					dateMiseEnDemeure: p.step.dateMiseEnDemeure ?? null,
					echeanceMiseEnDemeure: p.step.echeanceMiseEnDemeure ?? null,
					heures: a.heures as unknown as IDataObject,
					relevesManquants: a.relevesManquants as unknown as IDataObject[],
					bilan: a.bilan as unknown as IDataObject,
					penalites: {
						total: a.total,
						sommeLignes: a.sommeLignes,
						plafond: a.plafond as unknown as IDataObject,
						lignes: a.lignes as unknown as IDataObject[],
					},
					parametres: a.parametres as unknown as IDataObject,
					avertissements: a.avertissements as unknown as IDataObject[],
					documents: p.notice
						? { lettre: p.notice.lettre.fileName, annexe: p.notice.annexe.fileName, empreinteLettre: p.notice.lettre.empreinte }
						: null,
					envoi,
				},
				pairedItem: { item: p.entry.itemIndex },
			};
			if (p.notice) {
				out.binary = {
					lettre: await this.helpers.prepareBinaryData(p.notice.lettre.content, p.notice.lettre.fileName, PDF),
					annexe: await this.helpers.prepareBinaryData(p.notice.annexe.content, p.notice.annexe.fileName, XLSX),
				};
				review.push({
					marche: p.clause.marche,
					lot: p.clause.lot,
					titulaire: p.clause.titulaire,
					etape: p.step.etapeLibelle.toLowerCase(),
					total: a.total,
					motif: p.step.motif,
					lettre: p.notice.lettre.fileName,
					annexe: p.notice.annexe.fileName,
					statut: String(envoi.statut),
					detail: typeof envoi.erreur === 'string' ? envoi.erreur : envoi.statut === 'envoyé' ? undefined : (envoi.motif as string | undefined),
				});
			}
			clauseOut.push(out);
		}

		// Paquet de revue (mode revue) ou compte rendu (mode envoi) : seulement s'il y a un avis ou une erreur.
		const packageOut: INodeExecutionData[] = [];
		if (review.length > 0) {
			const summary = renderReviewSummary(review, settings.dateCalcul, mode);
			const json: IDataObject = {
				...summary,
				dateDocument: settings.dateCalcul,
				mode,
				avis: toSend.length,
				montantTotal: toSend.reduce((s, p) => s + Math.round(p.assessment.total * 100), 0) / 100,
				montantTotalTexte: formatEuros(toSend.reduce((s, p) => s + Math.round(p.assessment.total * 100), 0) / 100),
				empreintes: toSend.map((p) => p.notice!.lettre.empreinte),
				erreurs: review.filter((r) => r.erreur).length,
			};
			const binary: INodeExecutionData['binary'] = {};
			const names: string[] = [];
			if (mode === 'revue') {
				let n = 0;
				for (const p of toSend) {
					n++;
					binary[`lettre_${n}`] = await this.helpers.prepareBinaryData(p.notice!.lettre.content, p.notice!.lettre.fileName, PDF);
					binary[`annexe_${n}`] = await this.helpers.prepareBinaryData(p.notice!.annexe.content, p.notice!.annexe.fileName, XLSX);
					names.push(`lettre_${n}`, `annexe_${n}`);
				}
			}
			json.piecesJointes = names.join(',');
			packageOut.push({
				json,
				binary: names.length > 0 ? binary : undefined,
				pairedItem: clauseOut.map((i) => i.pairedItem as { item: number }),
			});
		}
		return [clauseOut, packageOut];
	}
}
