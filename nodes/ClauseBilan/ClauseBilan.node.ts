import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { buildBilanReport, duplicateClause, renderBilanPdf, streamBilanWorkbook, supersededRegisters } from '../adapters';
import type { Anomaly, Bilan, CommitmentBilan, Facilitator, PoolRecord, ReadLimits } from '../core';
import {
	AnomalyError,
	BilanAccumulator,
	CLAUSE_READER,
	FACILITATOR_READER,
	MARKET_READER,
	PENALTY_READER,
	POOL_SECTION_TITLE,
	REPORT_LINE_READER,
	bilanDocument,
	bilanSummary,
	canonicalizeKeys,
	clauseKey,
	firstDayOfMonth,
	lastDayOfMonth,
	parseBilanSettings,
	parseJsonParameter,
	penaltyInput,
	poolRows,
	previousYear,
	readRecord,
	todayIn,
	tryReadRecord,
	withPooling,
} from '../core';
import { commitmentSectionJson, readCommitmentBilan } from '../shared/commitments';
import { collectFollowUp, registerPenaltySteps } from '../shared/follow-up';
import { readPools } from '../shared/pooling';
import { errorItem, isUpstreamError, toNodeError } from '../shared/items';
import { clausesRegistreTest } from '../shared/register';
import { READ_LIMIT_PROPERTIES, readLimitsParameter } from '../shared/read-limits';
import { applyPlausibilityParameter, plausibilityProperties } from '../shared/plausibility';
import { regionProperty } from '../shared/descriptions';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PDF = 'application/pdf';
/** Anomalies gardées pour le rapport (les suivantes sont seulement comptées). */
const MAX_ANOMALIES = 200;

const VIEWS: Array<keyof Omit<Bilan, 'periode' | 'synthese' | 'mutualisation'>> = [
	'parNature',
	'parService',
	'parMecanisme',
	'parMarche',
	'parLot',
	'parTitulaire',
	'parFacilitateur',
	'parTerritoire',
	'parMois',
	'parAnnee',
	'publics',
	'publicsPrioritaires',
	'sorties',
	'modalites',
	'contrats',
	'employeurs',
	'penalites',
];

export class ClauseBilan implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bilan des clauses sociales',
		name: 'clauseBilan',
		icon: { light: 'file:clauseBilan.svg', dark: 'file:clauseBilan.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: 'Indicateurs, classeur Excel et document pour les élus',
		description:
			'Calcule les indicateurs des clauses sociales d’insertion sur une période (marchés avec et sans clause, heures dues, attendues et réalisées, publics, situations à six mois, pénalités) et produit le classeur du bilan et le document PDF pour les élus',
		defaults: { name: 'Bilan des clauses sociales' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Bilan', 'Indicateurs'],
		credentials: [
			{
				name: 'clausesRegistreApi',
				required: false,
				testedBy: 'clausesRegistreTest',
				displayOptions: { show: { source: ['registre'] } },
			},
		],
		properties: [
			{
				displayName: 'Source du suivi',
				name: 'source',
				type: 'options',
				default: 'registre',
				options: [
					{
						name: 'Classeur de suivi Excel',
						value: 'classeur',
						description: 'Feuilles Registre et Relevés, et au besoin Marchés et Pénalités ; lu en flux',
					},
					{
						name: 'Éléments d’entrée',
						value: 'elements',
						description: 'Clauses (heuresDues), lignes de relevé (heuresMois), pénalités (etape et montant ou penalites.total), marchés notifiés (marche et nature)',
					},
					{
						name: 'Registre des clauses',
						value: 'registre',
						description: 'Les clauses en vigueur, la dernière version de chaque relevé et les avis de pénalité envoyés, lus dans le registre',
					},
				],
			},
			{
				displayName: 'Champ binaire du classeur',
				name: 'binaryPropertyName',
				type: 'string',
				default: 'data',
				required: true,
				displayOptions: { show: { source: ['classeur'] } },
			},
			{
				displayName: 'Premier mois de la période',
				name: 'debut',
				type: 'string',
				default: '',
				placeholder: '2026-01',
				description: 'AAAA-MM ; vide : janvier de l’année précédente',
			},
			{
				displayName: 'Dernier mois de la période',
				name: 'fin',
				type: 'string',
				default: '',
				placeholder: '2026-12',
				description: 'AAAA-MM ; vide : décembre de l’année du premier mois',
			},
			{
				displayName: 'Nombre de marchés notifiés',
				name: 'nombreMarches',
				type: 'number',
				default: 0,
				description: 'Pour la part des marchés clausés ; 0 : d’après la feuille « Marchés » du classeur si elle existe',
			},
			{
				displayName: 'Facilitateurs (JSON)',
				name: 'facilitateurs',
				type: 'json',
				default: '[]',
				description: 'Facilitateurs et territoires couverts, pour la vue par territoire quand le registre ne porte pas de colonne « Territoire »',
			},
			{
				displayName: 'Titre',
				name: 'titre',
				type: 'string',
				default: 'Bilan des clauses sociales d’insertion',
			},
			regionProperty(),
			{
				displayName: 'Nom du fichier',
				name: 'nomFichier',
				type: 'string',
				default: '',
				placeholder: 'bilan-clauses-sociales-2026.xlsx',
				description: 'Vide : « bilan-clauses-sociales-DÉBUT-FIN.xlsx »',
			},
			{
				displayName: 'Champ binaire de sortie',
				name: 'binaryOutput',
				type: 'string',
				default: 'data',
				required: true,
				description: 'Champ du classeur Excel du bilan',
			},
			{
				displayName: 'Document pour les élus (PDF)',
				name: 'pdfElus',
				type: 'boolean',
				default: true,
				description: 'Produire aussi le « Bilan pour les élus » en PDF : chiffres clés, commentaire, graphiques, tableaux, sources',
			},
			{
				displayName: 'Champ binaire du PDF',
				name: 'binaryPdf',
				type: 'string',
				default: 'pdf',
				required: true,
				displayOptions: { show: { pdfElus: [true] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Ajouter une option',
				default: {},
				options: [
					{
						displayName: 'Identifiant des personnes',
						name: 'identifiantPersonnes',
						type: 'options',
						default: 'global',
						options: [
							{ name: 'Global (attribué par le facilitateur)', value: 'global', description: 'Un même identifiant désigne la même personne sur tous les marchés' },
							{ name: 'Par titulaire', value: 'parTitulaire', description: 'Identifiants propres à chaque titulaire : une personne n’est rapprochée qu’entre les marchés d’un même titulaire' },
						],
					},
					...READ_LIMIT_PROPERTIES,
					{
						displayName: 'Mutualisation des heures',
						name: 'mutualisation',
						type: 'boolean',
						default: true,
						description:
							'Registre des clauses : montrer les groupes de mutualisation (obligation mutualisée, part de chaque marché) ; un lot en retard dont le groupe atteint l’obligation mutualisée est dit « couvert par la mutualisation » et n’est pas compté en retard',
					},
					{
						displayName: 'Tolérance de retard des groupes (%)',
						name: 'toleranceRetard',
						type: 'number',
						default: 10,
						description: 'Écart entre heures attendues et réalisées d’un groupe de mutualisation, en % de ses heures dues, au-delà duquel le groupe est en retard (comme la relance mensuelle)',
					},
					...plausibilityProperties(['heuresDues', 'heuresMois']),
				],
			},
		],
	};

	methods = { credentialTest: { clausesRegistreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Bornes de vraisemblance des options : lues par les schémas pendant toute l'exécution.
		applyPlausibilityParameter(this);
		const node = this.getNode();
		const items = this.getInputData();
		const today = todayIn(this.getTimezone());
		let acc: BilanAccumulator;
		let settings;
		let limits: ReadLimits;
		let withPools = true;
		try {
			limits = readLimitsParameter(this);
			const debut = String(this.getNodeParameter('debut', 0, '')).trim() || previousYear(today).debut;
			const finRaw = String(this.getNodeParameter('fin', 0, '')).trim();
			const options = this.getNodeParameter('options', 0, {}) as IDataObject;
			const nombre = Number(this.getNodeParameter('nombreMarches', 0, 0));
			settings = parseBilanSettings({
				debut,
				fin: finRaw || `${String(debut).slice(0, 4)}-12`,
				nombreMarches: nombre > 0 ? nombre : undefined,
				identifiantPersonnes: options.identifiantPersonnes,
				toleranceRetard: options.toleranceRetard,
			});
			withPools = options.mutualisation !== false;
			const rawFacilitators = parseJsonParameter(this.getNodeParameter('facilitateurs', 0, '[]'), 'facilitateurs', 'facilitateurs (JSON)', '[{"nom": "PLIE du Val d’Argent", "territoires": ["79"]}]');
			const facilitators: Facilitator[] = Array.isArray(rawFacilitators)
				? rawFacilitators.map((f, i) => readRecord(FACILITATOR_READER, f, `facilitateur ${i + 1} du paramètre « Facilitateurs (JSON) »`))
				: [];
			acc = new BilanAccumulator(settings, facilitators);
		} catch (error) {
			throw toNodeError(node, error, 0);
		}

		const anomalies: Anomaly[] = [];
		let anomalyCount = 0;
		const note = (error: unknown) => {
			anomalyCount++;
			if (anomalies.length < MAX_ANOMALIES && error instanceof AnomalyError) anomalies.push(...error.anomalies.slice(0, MAX_ANOMALIES - anomalies.length));
		};
		const source = this.getNodeParameter('source', 0, 'registre') as string;
		const out: INodeExecutionData[] = [];
		// Autres considérations sociales (engagements du registre) : leur section du bilan, du classeur et du document des élus.
		const engagements: { bilan?: CommitmentBilan } = {};
		// Groupes de mutualisation des heures (registre), sauf option contraire : leur section du bilan.
		let pools: PoolRecord[] = [];
		const periodeEngagements = { debut: firstDayOfMonth(settings.debut), fin: lastDayOfMonth(settings.fin) };
		if (source === 'registre') {
			// Mêmes schémas que le classeur ; les avis envoyés (fiches « penalite ») donnent les pénalités proposées et notifiées.
			const data = await collectFollowUp(this, {
				// Chaque ligne valide passe au bilan à sa lecture, sans être gardée : la mémoire ne croît pas avec le nombre de lignes.
				onLine: (line) => acc.addLine(line),
				fromRegister: async (register) => {
					engagements.bilan = await readCommitmentBilan(register, periodeEngagements);
					if (withPools) pools = await readPools(register);
					// Pénalités recouvrées (titres de recette repris du classeur).
					for (const recovery of await register.list('recouvrement')) {
						const read = tryReadRecord(PENALTY_READER, recovery.data as Record<string, unknown>, `recouvrement ${recovery.key} (registre)`);
						if (read.ok) acc.addPenalty(read.value);
						else note(read.error);
					}
					// Tous les marchés du registre (feuille « Marchés » importée, études) : le dénominateur des parts.
					for (const market of await register.list('marche')) {
						const read = tryReadRecord(MARKET_READER, market.data as Record<string, unknown>, `marché ${market.key} (registre)`);
						if (read.ok) acc.addMarket(read.value);
						else note(read.error);
					}
					for (const step of await registerPenaltySteps(register)) {
						if (!step.ok) {
							note(step.error);
							continue;
						}
						const { marche, lot, etape, montantHT, date } = step.value;
						const read = tryReadRecord(PENALTY_READER, { marche, lot, etape, montant: montantHT, date }, `avis ${etape} du marché ${marche}, lot ${lot} (registre)`);
						if (read.ok) acc.addPenalty(read.value);
						else note(read.error);
					}
				},
			});
			for (const entry of data.clauses) {
				if (entry.value) acc.addClause(entry.value);
				else note(entry.error);
			}
			for (const line of data.lines) {
				if (line.value) acc.addLine(line.value);
				else note(line.error);
			}
		} else if (source === 'elements') {
			const firstItems = new Map<string, string>();
			items.forEach((item, itemIndex) => {
				if (isUpstreamError(item.json)) return;
				const where = `élément ${itemIndex + 1}`;
				const lineKeys = canonicalizeKeys(item.json, REPORT_LINE_READER.keys);
				if (lineKeys.heuresDues !== undefined || canonicalizeKeys(item.json, CLAUSE_READER.keys).heuresDues !== undefined) {
					const read = tryReadRecord(CLAUSE_READER, item.json, where);
					if (!read.ok) return note(read.error);
					const first = firstItems.get(clauseKey(read.value));
					if (first !== undefined) return note(new AnomalyError([duplicateClause(read.value, where, first)]));
					firstItems.set(clauseKey(read.value), where);
					acc.addClause(read.value);
				} else if (lineKeys.heuresMois !== undefined) {
					const read = tryReadRecord(REPORT_LINE_READER, item.json, where);
					if (read.ok) acc.addLine(read.value);
					else note(read.error);
				} else if (item.json.etape !== undefined) {
					const read = tryReadRecord(PENALTY_READER, penaltyInput(item.json), where);
					if (read.ok) acc.addPenalty(read.value);
					else note(read.error);
				} else if (canonicalizeKeys(item.json, MARKET_READER.keys).marche !== undefined) {
					const read = tryReadRecord(MARKET_READER, item.json, where);
					if (read.ok) acc.addMarket(read.value);
					else note(read.error);
				}
			});
		} else {
			const property = this.getNodeParameter('binaryPropertyName', 0, 'data') as string;
			// Plusieurs versions d'un même classeur (« suivi-clauses (v3 du …).xlsx ») : seule la plus récente est lue.
			const superseded = supersededRegisters(items.map((item) => item.binary?.[property]?.fileName));
			for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
				if (superseded.has(itemIndex)) continue;
				const binary = items[itemIndex].binary?.[property];
				const fileName = binary?.fileName ?? `élément ${itemIndex + 1}`;
				try {
					this.helpers.assertBinaryData(itemIndex, property);
					await streamBilanWorkbook(await this.helpers.getBinaryDataBuffer(itemIndex, property), fileName, acc, note, limits);
				} catch (error) {
					if (!this.continueOnFail()) throw toNodeError(node, error, itemIndex);
					out.push(errorItem(node, error, itemIndex, { fichier: fileName }));
					return [out, []];
				}
			}
		}

		const bilan = pools.length > 0 ? withPooling(acc.result(), acc.poolBilan(pools)) : acc.result();
		const titre = this.getNodeParameter('titre', 0, '') as string;
		const requested = String(this.getNodeParameter('nomFichier', 0, '')).trim();
		const fileName = requested === '' ? `bilan-clauses-sociales-${bilan.periode.debut}-${bilan.periode.fin}.xlsx` : requested.endsWith('.xlsx') ? requested : `${requested}.xlsx`;
		const buffer = await buildBilanReport(bilan, { titre, region: (this.getNodeParameter('region', 0, '') as string) || undefined, dateBilan: today }, engagements.bilan);
		const binaryOutput = this.getNodeParameter('binaryOutput', 0, 'data') as string;
		const region = (this.getNodeParameter('region', 0, '') as string) || undefined;
		const binary: Record<string, Awaited<ReturnType<typeof this.helpers.prepareBinaryData>>> = { [binaryOutput]: await this.helpers.prepareBinaryData(buffer, fileName, XLSX) };
		let documentElus: IDataObject | null = null;
		if (this.getNodeParameter('pdfElus', 0, true) as boolean) {
			const pdfName = fileName.replace(/\.xlsx$/, '').replace(/^bilan-/, 'bilan-elus-') + '.pdf';
			const pdf = await renderBilanPdf(bilanDocument(bilan, { titre, collectivite: region, dateBilan: today }, engagements.bilan), { date: today, auteur: region ?? titre });
			binary[this.getNodeParameter('binaryPdf', 0, 'pdf') as string] = await this.helpers.prepareBinaryData(pdf.buffer, pdfName, PDF);
			documentElus = { fichier: pdfName, pages: pdf.pages, graphiques: pdf.graphiques.map((g) => ({ ...g })) };
		}
		const paired = items.map((_item, item) => ({ item }));
		out.push({
			json: {
				fichier: fileName,
				periode: bilan.periode,
				...bilan.synthese,
				lignesEnAnomalie: anomalyCount,
				anomalies: anomalies as unknown as IDataObject[],
				documentElus,
				mutualisation: bilan.mutualisation ? ({ section: POOL_SECTION_TITLE, ...bilan.mutualisation } as unknown as IDataObject) : null,
				autresConsiderationsSociales: engagements.bilan ? commitmentSectionJson(engagements.bilan) : null,
				synthese: bilanSummary(bilan, { titre, fichier: fileName, dateBilan: today, pdf: documentElus ? String(documentElus.fichier) : undefined, autresConsiderations: engagements.bilan?.texte }),
			},
			binary,
			pairedItem: paired,
		});
		const views: INodeExecutionData[] = [];
		for (const vue of VIEWS) for (const row of bilan[vue]) views.push({ json: { vue, periode: `${bilan.periode.debut}/${bilan.periode.fin}`, ...row }, pairedItem: paired });
		for (const row of poolRows(bilan.mutualisation)) views.push({ json: { vue: 'mutualisation', periode: `${bilan.periode.debut}/${bilan.periode.fin}`, ...row }, pairedItem: paired });
		return [out, views];
	}
}
