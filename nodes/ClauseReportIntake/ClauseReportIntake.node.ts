import type { IBinaryData, IDataObject, IExecuteFunctions, INode, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import type { RegisterAppendPlan } from '../adapters';
import { appendToRegister, nextRegisterName, readReportWorkbook, registerVersionOf, streamRegisterForIntake } from '../adapters';
import type { Acknowledgement, IncomingReport, ReadLimits, ReportResult, ReportLine } from '../core';
import {
	REPORT_LINE_READER,
	RegisterIndex,
	ReportIntake,
	canonicalizeKeys,
	clauseKey,
	parseDate,
	parseIntakeSettings,
	lineKey,
	participantKey,
	renderAcknowledgement,
	todayIn,
	wantedMonths,
} from '../core';
import { errorItem, toNodeError } from '../shared/items';
import { clausesRegistreTest, openRegister } from '../shared/register';
import type { OnceOutcome } from '../shared/send-once';
import { BUSY_ELSEWHERE, LEASE_OPTION, UNCERTAIN_RESENT, failedStatus, refusedHolder, sendOnceInRegister } from '../shared/send-once';
import { READ_LIMIT_PROPERTIES, readLimitsParameter } from '../shared/read-limits';
import { clausesSocialesSmtpTest } from '../shared/smtp';
import { applyPlausibilityParameter, plausibilityProperties } from '../shared/plausibility';
import { sendingCredentials } from '../shared/descriptions';
import { RegisterIntakeError, intakeIntoRegister } from './register-intake';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface Register {
	itemIndex: number;
	property: string;
	binary: IBinaryData;
	ignored: string[];
}

/** Le classeur de suivi parmi les éléments : le plus récent (« (vN du …) » le plus élevé) s'il y en a plusieurs. */
function findRegister(items: INodeExecutionData[], property: string): Register | undefined {
	const found = items.flatMap((item, itemIndex) => (item.binary?.[property] ? [{ itemIndex, property, binary: item.binary[property] }] : []));
	if (found.length === 0) return undefined;
	const sorted = [...found].sort((a, b) => registerVersionOf(b.binary.fileName ?? '') - registerVersionOf(a.binary.fileName ?? '') || (b.binary.fileName ?? '').localeCompare(a.binary.fileName ?? ''));
	return { ...sorted[0], ignored: sorted.slice(1).map((r) => r.binary.fileName ?? `élément ${r.itemIndex + 1}`) };
}

/** Erreur d'un relevé que le registre des clauses n'a pas pu enregistrer (rien n'en est écrit). */
function registerFailure(node: INode, releve: IncomingReport, error: unknown): NodeOperationError {
	const what = `${releve.source}${releve.fileName ? ` (« ${releve.fileName} »)` : ''}`;
	const cause = error instanceof Error ? error.message : String(error);
	const description = error instanceof RegisterIntakeError ? error.description : 'Rien n’a été écrit au registre pour ce relevé et aucun accusé n’est parti : relancez la réception une fois le registre joignable.';
	return new NodeOperationError(node, `Relevé non enregistré au registre des clauses : ${what} — ${cause}`, { itemIndex: releve.itemIndexes[0] ?? 0, description });
}

function isXlsx(binary: IBinaryData): boolean {
	return binary.mimeType === XLSX || /\.xlsx$/i.test(binary.fileName ?? '') || binary.fileExtension === 'xlsx';
}

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
			{
				displayName: 'Source du suivi',
				name: 'source',
				type: 'options',
				default: 'registre',
				options: [
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
				],
			},
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
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Ajouter une option',
				default: {},
				options: [
					{
						displayName: 'Débit maximal (courriels par seconde)',
						name: 'debitParSeconde',
						type: 'number',
						default: 10,
						description: 'Limite du relais SMTP ; 0 : sans limite',
					},
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
				],
			},
		],
	};

	methods = { credentialTest: { clausesSocialesSmtpTest, clausesRegistreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Bornes de vraisemblance des options : lues par les schémas pendant toute l'exécution.
		applyPlausibilityParameter(this);
		const node = this.getNode();
		const items = this.getInputData();
		const mode = this.getNodeParameter('mode', 0) as 'apercu' | 'envoyer';
		const source = this.getNodeParameter('sourceReleves', 0) as 'fichiers' | 'elements';
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const today = todayIn(this.getTimezone());
		const dateFor = (itemIndex: number): string | undefined => {
			const raw = this.getNodeParameter('dateReception', itemIndex, '') as unknown;
			return raw === '' || raw === undefined || raw === null ? undefined : parseDate(raw instanceof Date ? raw : String(raw)) ?? parseDate(String(raw).slice(0, 10));
		};
		let settings;
		let limits: ReadLimits;
		try {
			limits = readLimitsParameter(this);
			settings = parseIntakeSettings({ dateReception: dateFor(0) ?? today, seuilHeuresMois: options.seuilHeuresMois, moisDejaRecu: options.moisDejaRecu });
		} catch (error) {
			throw toNodeError(node, error, 0);
		}
		const suivi = this.getNodeParameter('source', 0, 'registre') as 'registre' | 'classeur';
		const registerProperty = suivi === 'classeur' ? (this.getNodeParameter('champRegistre', 0, 'registre') as string) : undefined;
		const register = registerProperty === undefined ? undefined : findRegister(items, registerProperty);
		const releveOut: INodeExecutionData[] = [];
		if (registerProperty !== undefined && !register) {
			const error = new NodeOperationError(node, `Aucun classeur de suivi reçu (champ binaire « ${registerProperty} »)`, {
				description: 'Lisez le classeur de suivi (feuilles Registre et Relevés) dans un champ binaire de ce nom, par exemple avec « Read/Write Files from Disk » (option « Put Output File in Field »), et joignez-le aux relevés avec un nœud Merge (Append).',
			});
			if (!this.continueOnFail()) throw error;
			return [[errorItem(node, error, 0)], [], []];
		}

		// 1. Les relevés reçus.
		const releves: IncomingReport[] = [];
		const dates = new Map<IncomingReport, string | undefined>();
		const expediteurOf = (itemIndex: number) => {
			const value = this.getNodeParameter('expediteur', itemIndex, '') as unknown;
			const text = typeof value === 'string' ? value : value && typeof value === 'object' ? String((value as IDataObject).text ?? (value as { value?: Array<{ address?: string }> }).value?.[0]?.address ?? '') : '';
			const m = /[^\s<>"]+@[^\s<>"]+/.exec(text);
			return m ? m[0] : undefined;
		};
		if (source === 'fichiers') {
			const wanted = (this.getNodeParameter('champsReleves', 0, 'data') as string).split(',').map((s) => s.trim()).filter(Boolean);
			for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
				const binaries = items[itemIndex].binary ?? {};
				// Élément qui ne porte qu'un classeur de suivi (y compris une version plus ancienne, ignorée).
				const onlyRegister = registerProperty !== undefined && binaries[registerProperty] !== undefined && Object.keys(binaries).every((k) => k === registerProperty);
				if (onlyRegister) continue;
				const properties = wanted.includes('*')
					? Object.keys(binaries).filter((k) => k !== registerProperty && isXlsx(binaries[k]))
					: wanted.filter((k) => k !== registerProperty && binaries[k] !== undefined);
				const expediteur = expediteurOf(itemIndex);
				if (properties.length === 0) {
					releves.push({
						source: `élément ${itemIndex + 1}`,
						itemIndexes: [itemIndex],
						header: {},
						lines: [],
						expediteur,
						anomalies: [
							{
								gravite: 'erreur',
								champ: 'fichier',
								libelle: 'relevé',
								ou: `élément ${itemIndex + 1}`,
								message: 'aucun relevé Excel (.xlsx) reçu',
								correction: 'Joignez le modèle de relevé rempli, au format .xlsx, à votre message.',
								regle: 'releve.absent',
							},
						],
					});
					continue;
				}
				for (const property of properties) {
					const fileName = binaries[property].fileName ?? `${property}.xlsx`;
					const buffer = await this.helpers.getBinaryDataBuffer(itemIndex, property);
					const releve = await readReportWorkbook(buffer, fileName, itemIndex, limits);
					releve.expediteur = expediteur;
					releves.push(releve);
					dates.set(releve, dateFor(itemIndex));
				}
			}
		} else {
			// Éléments : les lignes consécutives d'une même clause forment un relevé.
			let current: IncomingReport | undefined;
			let currentKey = '';
			for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
				if (registerProperty !== undefined && items[itemIndex].binary?.[registerProperty] !== undefined) continue;
				const raw = canonicalizeKeys(items[itemIndex].json, REPORT_LINE_READER.keys);
				const key = `${String(raw.marche ?? '')}|${String(raw.lot ?? '')}`;
				if (!current || key !== currentKey) {
					current = { source: `élément ${itemIndex + 1}`, itemIndexes: [], header: { marche: raw.marche, lot: raw.lot, siret: raw.siret }, lines: [], anomalies: [], expediteur: expediteurOf(itemIndex) };
					currentKey = key;
					releves.push(current);
					dates.set(current, dateFor(itemIndex));
				}
				current.itemIndexes.push(itemIndex);
				current.source = current.itemIndexes.length === 1 ? `élément ${itemIndex + 1}` : `éléments ${current.itemIndexes[0] + 1} à ${itemIndex + 1}`;
				const { marche: _m, lot: _l, ...line } = raw;
				void _m;
				void _l;
				current.lines.push({ raw: line, where: `élément ${itemIndex + 1}`, problems: [], itemIndex });
			}
		}

		// 2 à 4. Contrôle de chaque relevé, dans l'ordre de réception, et enregistrement.
		let results: Array<ReportResult | undefined>;
		const registerOut: INodeExecutionData[] = [];
		/** Relevés que le registre n'a pas pu enregistrer : en erreur, sans accusé. */
		const failures = new Map<number, unknown>();
		/** Version écrite au registre, par relevé et par mois. */
		const written = new Map<number, Record<string, number>>();
		if (register === undefined || registerProperty === undefined) {
			const store = await openRegister(this);
			try {
				const outcomes = await intakeIntoRegister(store, releves, settings, dates, `réception des relevés du ${settings.dateReception}`);
				results = outcomes.map((outcome, i) => {
					if (outcome.ok) {
						written.set(i, outcome.written);
						return outcome.result;
					}
					failures.set(i, outcome.error);
					return undefined;
				});
			} finally {
				await store.close();
			}
		} else {
			// 2. Le classeur de suivi, lu en flux : clauses, et lignes déjà reçues des seuls mois concernés.
			const registerName = register.binary.fileName ?? 'suivi-clauses.xlsx';
			const index = new RegisterIndex(wantedMonths(releves));
			let registerBuffer: Buffer;
			const plan: RegisterAppendPlan = { sheetName: 'Relevés', headerRow: 0, columns: new Map(), marks: new Map(), rows: [], lastRow: 0 };
			let invalidLines = 0;
			try {
				registerBuffer = await this.helpers.getBinaryDataBuffer(register.itemIndex, registerProperty);
				invalidLines = await streamRegisterForIntake(registerBuffer, registerName, index, plan, limits);
			} catch (error) {
				if (!this.continueOnFail()) throw toNodeError(node, error, register.itemIndex);
				return [[errorItem(node, error, register.itemIndex, { fichier: registerName })], [], []];
			}

			// 3. Contrôle de chaque relevé, dans l'ordre de réception.
			const intake = new ReportIntake(index, settings);
			const checked = releves.map((r) => intake.receive(r, dates.get(r)));
			results = checked;

			// 4. Nouvelle version du classeur : lignes acceptées ajoutées, lignes remplacées marquées.
			const pending = new Map<string, Record<string, unknown>>();
			for (const result of checked) {
				for (const line of result.lignes) {
					if (!line.valeur) continue;
					const row: Record<string, unknown> = { ...line.valeur };
					plan.rows.push(row);
					pending.set(`${clauseKey(line.valeur)}|${line.valeur.mois}|${lineKey(line.valeur)}|${line.valeur.version}`, row);
				}
				for (const r of result.remplacements) {
					const text = `${r.par}${r.motif === 'retrait' ? ' (retrait)' : ''}`;
					if (r.ligne !== undefined) (plan.marks as Map<number, string>).set(r.ligne, text);
					else {
						// Ligne reçue plus tôt dans la même exécution, puis corrigée.
						const row = pending.get(`${r.cle}|${r.cleLigne ?? participantKey(r.participant)}|${r.version}`);
						if (row) row.remplaceePar = text;
					}
				}
			}
			if (plan.rows.length > 0 || plan.marks.size > 0) {
				const requested = String(options.nomRegistre ?? '').trim();
				const next = nextRegisterName(registerName, settings.dateReception);
				const fileName = requested === '' ? next.fileName : requested.endsWith('.xlsx') ? requested : `${requested}.xlsx`;
				let buffer: Buffer;
				try {
					buffer = await appendToRegister(registerBuffer, registerName, plan);
				} catch (error) {
					throw toNodeError(node, error, register.itemIndex);
				}
				registerOut.push({
					json: {
						fichier: fileName,
						version: next.version,
						classeurLu: registerName,
						lignesAjoutees: plan.rows.length,
						lignesRemplacees: plan.marks.size,
						lignesDuRegistreEnAnomalie: invalidLines,
						autresVersionsIgnorees: register.ignored,
					},
					binary: { [registerProperty]: await this.helpers.prepareBinaryData(buffer, fileName, XLSX) },
					pairedItem: { item: register.itemIndex },
				});
			}
		}

		// 5. Accusés de réception.
		const signature = this.getNodeParameter('signature', 0, '') as string;
		// Un relevé que le registre n'a pas enregistré n'est pas acquitté.
		const acks = results.map((r, i) => (r ? renderAcknowledgement(r, { signature, dateReception: dates.get(releves[i]) ?? settings.dateReception }) : undefined));
		const outcomes = new Map<Acknowledgement, OnceOutcome | 'aperçu' | 'sans destinataire'>();
		const toSend = acks.filter((a): a is Acknowledgement => {
			if (a === undefined) return false;
			if (a.cle === null) outcomes.set(a, 'sans destinataire');
			return a.cle !== null;
		});
		if (mode === 'envoyer' && toSend.length > 0) {
			const byKey = new Map(toSend.map((a) => [a.cle!, a]));
			const sent = await sendOnceInRegister(
				this,
				toSend.map((a) => ({ key: a.cle!, mail: { to: a.to, cc: a.cc, subject: a.subject, text: a.text, html: a.html, cleMessage: a.cle! } })),
				{
					debitParSeconde: Number(options.debitParSeconde ?? 10),
					nature: 'accusé de réception',
					bailSecondes: Number(options.bailEnvoi ?? 120),
					// Titulaire refusé : l'accusé repartira à la prochaine exécution (la clé tient au relevé reçu, pas à l'adresse).
					liberer: (outcome, key) => refusedHolder(outcome, byKey.get(key)!.to) !== undefined,
				},
			);
			for (const a of toSend) outcomes.set(a, sent.get(a.cle!)!);
		} else for (const a of toSend) outcomes.set(a, 'aperçu');

		// 6. Un élément par relevé, une ligne acceptée par élément.
		const linesOut: INodeExecutionData[] = [];
		let firstFailure: NodeOperationError | undefined;
		results.forEach((result, i) => {
			const ack = acks[i];
			if (!result || !ack) {
				const error = registerFailure(node, releves[i], failures.get(i));
				firstFailure ??= error;
				releveOut.push(errorItem(node, error, releves[i].itemIndexes[0] ?? 0, { source: releves[i].source, fichier: releves[i].fileName ?? null, accuse: { statut: 'non envoyé', motif: 'Relevé non enregistré : pas d’accusé de réception.' } }));
				releveOut[releveOut.length - 1].pairedItem = releves[i].itemIndexes.map((item) => ({ item }));
				return;
			}
			const outcome = outcomes.get(ack);
			const accuse: IDataObject = { a: ack.to, cc: ack.cc, objet: ack.subject, cle: ack.cle };
			if (outcome === 'aperçu') Object.assign(accuse, { statut: 'aperçu', texte: ack.text, html: ack.html });
			else if (outcome === 'déjà envoyé') Object.assign(accuse, { statut: 'déjà envoyé', motif: 'Accusé déjà envoyé pour ce même relevé lors d’une exécution précédente.' });
			else if (outcome === 'en cours ailleurs') Object.assign(accuse, { statut: 'en cours ailleurs', motif: BUSY_ELSEWHERE });
			else if (outcome === 'sans destinataire') Object.assign(accuse, { statut: 'sans destinataire', motif: 'Titulaire inconnu et adresse de l’expéditeur absente : le facilitateur doit répondre lui-même.', texte: ack.text });
			else if (outcome && outcome.ok) {
				const refused = refusedHolder(outcome, ack.to);
				Object.assign(accuse, refused ? { statut: 'échec', erreur: `adresse ${refused.adresse} refusée (${refused.message})`, code: refused.code } : { statut: 'envoyé', messageId: outcome.messageId });
				if (outcome.incertain && !refused) Object.assign(accuse, { statut: 'incertain', motif: UNCERTAIN_RESENT });
			} else if (outcome) Object.assign(accuse, { statut: failedStatus(outcome), erreur: outcome.message, code: outcome.code, temporaire: outcome.temporaire });
			releveOut.push({
				json: {
					source: result.source,
					fichier: result.fileName ?? null,
					marche: result.marche ?? null,
					lot: result.lot ?? null,
					titulaire: result.clause?.titulaire ?? null,
					facilitateur: result.clause?.facilitateur ?? null,
					mois: result.mois,
					statut: result.statut,
					statutLibelle: result.statutLibelle,
					versions: result.versions,
					...(written.has(i) ? { versionsRegistre: written.get(i) } : {}),
					compte: result.compte,
					lignes: result.lignes.map((l) => ({ ou: l.ou, statut: l.statut, participant: l.participant ?? null, mois: l.mois ?? null, heuresMois: l.heuresMois ?? null, anomalies: l.anomalies.map((a) => `${a.gravite === 'erreur' ? 'Erreur' : 'À vérifier'} : ${a.libelle}${a.cellule ? ` (${a.cellule})` : ''} — ${a.message}. ${a.correction}`) })),
					remplacements: result.remplacements as unknown as IDataObject[],
					anomalies: result.anomalies as unknown as IDataObject[],
					accuse,
				},
				pairedItem: result.itemIndexes.map((item) => ({ item })),
			});
			for (const line of result.lignes) {
				if (!line.valeur) continue;
				const value: ReportLine = line.valeur;
				linesOut.push({
					json: { ...(value as unknown as IDataObject), titulaire: result.clause?.titulaire ?? null, statutLigne: line.statut },
					pairedItem: { item: line.itemIndex ?? result.itemIndexes[0] },
				});
			}
		});
		// Sans « continuer en cas d'échec » : les relevés enregistrés sont acquittés, puis l'erreur du premier relevé refusé par le registre arrête le nœud.
		if (firstFailure && !this.continueOnFail()) throw firstFailure;
		return [releveOut, linesOut, registerOut];
	}
}
