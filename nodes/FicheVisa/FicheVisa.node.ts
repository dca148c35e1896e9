import type { IBinaryKeyData, IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { annotateFicheVisa, annotatedFileName, buildFicheVisaForm, buildPrefilledFicheVisa, readFicheVisaWorkbook } from '../adapters';
import type { RawFiche, StudiedLot, StudyRowForVisa, VisaSettings } from '../core';
import { FICHE_VISA_VERSION, READ_LIMIT_OPTIONS, checkFiche, ficheVisaFromStudy, parseDecimal, parseVisaSettings, rawFicheFromJson, readStudy, renderVisaMessage, todayIn, upstream, upstreamText, UpstreamFeasibilitySchema } from '../core';
import { isUpstreamError, optionValue, runParameters } from '../shared/items';
import { asJson, asJsonList, choiceParameter, collectionParameter, failedItem, inputFile, outputFile, textParameter } from '../shared/parameters';
import { optionsCollection } from '../shared/descriptions';
import { READ_LIMIT_PROPERTIES, readLimitsParameter } from '../shared/read-limits';

export class FicheVisa implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Fiche visa (clause sociale)',
		name: 'ficheVisa',
		icon: { light: 'file:ficheVisa.svg', dark: 'file:ficheVisa.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "generer" ? "Formulaire vierge" : $parameter["operation"] === "preremplirEtude" ? "Fiche préremplie par l’étude" : "Contrôle avant lancement" }}',
		description:
			'Contrôle les fiches visa avant le lancement d’une consultation (étude de faisabilité, clauses sociales, procédure, lots) : VISÉ, À COMPLÉTER ou REFUSÉ, avec une copie annotée',
		defaults: { name: 'Fiche visa' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'Opération',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'valider',
				options: [
					{
						name: 'Générer la fiche préremplie par l’étude',
						value: 'preremplirEtude',
						// La règle de casse du linter retire l’apostrophe typographique : le libellé est déjà en casse de phrase.
						// eslint-disable-next-line n8n-nodes-base/node-param-operation-option-action-miscased
						action: 'Générer la fiche préremplie par l’étude',
						description: 'Une fiche visa par marché, à partir de la sortie de l’étude de faisabilité : lots, heures, mécanismes, facilitateur et justification des lots sans clause, sans ressaisie',
					},
					{ name: 'Générer un formulaire vierge', value: 'generer', action: 'Produire un formulaire vierge', description: `Le classeur de fiche visa à remplir (modèle ${FICHE_VISA_VERSION})` },
					{ name: 'Valider des fiches visa', value: 'valider', action: 'Valider des fiches visa', description: 'Une décision par fiche, avec les anomalies et une copie annotée' },
				],
			},
			{
				displayName: 'Source des fiches',
				name: 'source',
				type: 'options',
				default: 'classeur',
				displayOptions: { show: { operation: ['valider'] } },
				options: [
					{ name: 'Classeur Excel (un formulaire rempli par élément)', value: 'classeur' },
					{ name: 'Éléments JSON (une fiche par élément)', value: 'elements', description: 'Champs du formulaire (objet, montantEstimeHT…) et « lots » : une liste' },
				],
			},
			{
				displayName: 'Champ binaire du classeur',
				name: 'binaryPropertyName',
				type: 'string',
				default: 'data',
				required: true,
				displayOptions: { show: { operation: ['valider'], source: ['classeur'] } },
				description: 'Champ binaire qui porte la fiche remplie (.xlsx), par exemple celui de « Read/Write Files from Disk » ou d’un formulaire n8n',
			},
			{
				displayName: 'Résultat de l’étude de faisabilité',
				name: 'etude',
				type: 'options',
				default: 'aucune',
				displayOptions: { show: { operation: ['valider'] } },
				description: 'Pour vérifier que la fiche reprend les lots, les heures, la date et le facilitateur de l’étude (nœud « Étude de faisabilité » ; « Calibrage des heures » pour les seules heures)',
				options: [
					{ name: 'Aucun', value: 'aucune' },
					{ name: 'Champ de l’élément', value: 'champ', description: 'Liste des lots étudiés portée par chaque élément' },
					{ name: 'Paramètre JSON', value: 'json', description: 'Liste des lots étudiés, par exemple une expression qui reprend la sortie du nœud d’étude' },
				],
			},
			{
				displayName: 'Champ de l’étude',
				name: 'champEtude',
				type: 'string',
				default: 'etude',
				displayOptions: { show: { operation: ['valider'], etude: ['champ'] } },
				description: 'Champ de l’élément qui porte la liste des lots étudiés',
			},
			{
				displayName: 'Lots étudiés (JSON)',
				name: 'etudeJson',
				type: 'json',
				default: '[]',
				displayOptions: { show: { operation: ['valider'], etude: ['json'] } },
				description: 'Éléments produits par le nœud « Étude de faisabilité » (un par lot), par une expression qui les reprend tous ; voir le README',
			},
			{
				displayName: 'Copie annotée',
				name: 'copieAnnotee',
				type: 'options',
				default: 'toujours',
				displayOptions: { show: { operation: ['valider'], source: ['classeur'] } },
				description: 'Nouveau classeur : cellules en cause surlignées et commentées, feuille « Anomalies ». Le fichier reçu n’est jamais modifié.',
				options: [
					{ name: 'Jamais', value: 'jamais' },
					{ name: 'Seulement si la fiche n’est pas visée', value: 'siAnomalies' },
					{ name: 'Toujours', value: 'toujours' },
				],
			},
			{
				displayName: 'Champ binaire de la copie annotée',
				name: 'champAnnote',
				type: 'string',
				default: 'annote',
				displayOptions: { show: { operation: ['valider'], source: ['classeur'] } },
			},
			{
				displayName: 'Nom du fichier',
				name: 'nomFichier',
				type: 'string',
				default: 'fiche-visa-vierge.xlsx',
				displayOptions: { show: { operation: ['generer'] } },
			},
			{
				displayName: 'Pénalité par heure non réalisée (€ HT)',
				name: 'penaliteParHeure',
				type: 'number',
				default: 60,
				description: 'Portée dans la fiche des marchés avec une clause (barème d’un CCAP public en vigueur) ; 0 : laissée à remplir',
				displayOptions: { show: { operation: ['preremplirEtude'] } },
			},
			{
				displayName: 'Pré-remplir avec les champs de l’élément',
				name: 'preRemplir',
				type: 'boolean',
				default: false,
				displayOptions: { show: { operation: ['generer'] } },
				description: 'Préremplir la fiche avec les champs de l’élément qui portent le nom d’un champ du formulaire (reference, objet, lots…)',
			},
			optionsCollection([
				{
					displayName: 'Date d’application de la loi Climat',
					name: 'dateLoiClimat',
					type: 'string',
					default: '2026-08-21',
					description: 'AAAA-MM-JJ. Consultations lancées à partir de cette date : considérations sociales (au-delà des seuils européens) et environnementales obligatoires (loi Climat et résilience, art. 35).',
				},
				{
					displayName: 'Date de relèvement du seuil de dispense des fournitures et services',
					name: 'dateSeuilDispenseFournituresServices',
					type: 'string',
					default: '2026-04-01',
					description: 'AAAA-MM-JJ. Consultations lancées à partir de cette date : seuil de dispense des fournitures et services ; avant : seuil d’avant le relèvement (R2122-8).',
				},
				{
					displayName: 'Date du contrôle',
					name: 'dateControle',
					type: 'string',
					default: '',
					placeholder: '2026-11-23',
					description: 'AAAA-MM-JJ, inscrite dans la copie annotée ; vide : aujourd’hui',
				},
				{
					displayName: 'Seuil de dispense des fournitures et services (€ HT)',
					name: 'seuilDispenseFournituresServices',
					type: 'number',
					default: 60000,
					description: 'R2122-8 du Code de la commande publique : un marché de fournitures, de services ou de prestations intellectuelles strictement sous ce montant peut être passé sans publicité ni mise en concurrence. 60 000 € HT à compter du 1er avril 2026.',
				},
				{
					displayName: 'Seuil de dispense des fournitures et services avant relèvement (€ HT)',
					name: 'seuilDispenseFournituresServicesAvant',
					type: 'number',
					default: 40000,
					description: 'Seuil appliqué aux consultations lancées avant la date de relèvement : 40 000 € HT jusqu’au 31 mars 2026',
				},
				{
					displayName: 'Seuil de dispense des travaux (€ HT)',
					name: 'seuilDispenseTravaux',
					type: 'number',
					default: 100000,
					description: 'R2122-8 du Code de la commande publique : 100 000 € HT pour les travaux, à titre permanent depuis le 1er janvier 2026',
				},
				{
					displayName: 'Seuil de l’étude de faisabilité (€ HT)',
					name: 'seuilEtude',
					type: 'number',
					default: 90000,
					description: 'Au-delà, une étude de faisabilité est exigée. Par défaut 90 000 € : pratique de la Région Picardie (Avise, ARF et Caisse des Dépôts, « Intégration des clauses sociales dans la commande publique des Conseils régionaux », 2014).',
				},
				{
					displayName: 'Seuil européen des services sociaux et spécifiques (€ HT)',
					name: 'seuilUeServicesSpecifiques',
					type: 'number',
					default: 750000,
					description: 'R2123-1 3° : un marché de services dont chaque lot est un marché d’insertion reste en procédure adaptée jusqu’à ce seuil (2026-2027)',
				},
				{
					displayName: 'Seuil européen fournitures et services (€ HT)',
					name: 'seuilUeFournituresServices',
					type: 'number',
					default: 216000,
					description: 'Collectivités territoriales, 2026-2027',
				},
				{
					displayName: 'Seuil européen travaux et concessions (€ HT)',
					name: 'seuilUeTravaux',
					type: 'number',
					default: 5404000,
					description: 'Seuil 2026-2027',
				},
				{
					displayName: 'Signature du courriel',
					name: 'signature',
					type: 'string',
					typeOptions: { rows: 3 },
					default: 'Le service des marchés',
				},
				{
					displayName: 'Tolérance sur la somme des lots (€)',
					name: 'toleranceMontant',
					type: 'number',
					default: 1,
					description: 'Écart admis entre la somme des lots et le montant estimé total',
				},
				{
					displayName: 'Tolérance sur les heures (h)',
					name: 'toleranceHeures',
					type: 'number',
					default: 0,
					description: 'Écart admis entre les heures de la fiche et celles du calibrage',
				},
				...READ_LIMIT_PROPERTIES,
			], { show: { operation: ['valider'] } }),
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = choiceParameter(this, 'operation', ['generer', 'valider', 'preremplirEtude']);
		if (operation === 'preremplirEtude') return [await prefillFromStudy(this)];
		return [operation === 'generer' ? await generate(this) : await validate(this)];
	}
}

/** Une fiche visa par marché étudié, préremplie par la sortie de l'étude de faisabilité. */
async function prefillFromStudy(ctx: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const out: INodeExecutionData[] = [];
	const rows: StudyRowForVisa[] = [];
	const origin = new Map<string, number[]>();
	items.forEach((item, itemIndex) => {
		if (isUpstreamError(item.json)) {
			out.push({ json: item.json, pairedItem: { item: itemIndex } });
			return;
		}
		const json = item.json;
		const faisabilite = upstream(UpstreamFeasibilitySchema, json.faisabilite);
		const marche = upstreamText(json.marche);
		if (!faisabilite || marche === undefined) return;
		rows.push({
			marche,
			lot: upstreamText(json.lot),
			objet: upstreamText(json.objet),
			intitule: upstreamText(json.intitule),
			nature: upstreamText(json.nature),
			cpv: upstreamText(json.cpv),
			montantHT: parseDecimal(json.montantHT),
			dureeMois: parseDecimal(json.dureeMois),
			faisabilite,
		});
		origin.set(marche, [...(origin.get(marche) ?? []), itemIndex]);
	});
	if (rows.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'Aucun lot étudié dans les éléments d’entrée : la fiche ne peut pas être préremplie', {
			description: 'Branchez ce nœud sur la sortie du nœud « Étude de faisabilité » (un élément par lot, avec son champ « faisabilite »).',
		});
	}
	const penalite = Number(ctx.getNodeParameter('penaliteParHeure', 0, 60));
	const date = todayIn(ctx.getTimezone());
	for (const fiche of ficheVisaFromStudy(rows, { penaliteParHeure: penalite > 0 ? penalite : undefined })) {
		const fileName = `fiche-visa-${fiche.marche.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9._-]+/g, '-')}.xlsx`;
		const buffer = await buildPrefilledFicheVisa({ champs: fiche.champs, lots: fiche.lots, date });
		out.push({
			json: { fichier: fileName, version: FICHE_VISA_VERSION, marche: fiche.marche, champs: asJson(fiche.champs), lots: asJsonList(fiche.lots) },
			binary: { data: await outputFile(ctx, buffer, fileName, 'xlsx') },
			pairedItem: (origin.get(fiche.marche) ?? []).map((item) => ({ item })),
		});
	}
	return out;
}

async function generate(ctx: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const out: INodeExecutionData[] = [];
	let blank: Buffer | undefined;
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const fileName = textParameter(ctx, 'nomFichier', itemIndex, 'fiche-visa-vierge.xlsx').trim() || 'fiche-visa-vierge.xlsx';
			let buffer: Buffer;
			if (ctx.getNodeParameter('preRemplir', itemIndex, false) === true) {
				const raw = rawFicheFromJson(items[itemIndex].json, `élément ${itemIndex + 1}`);
				buffer = await buildPrefilledFicheVisa({
					champs: Object.fromEntries(Object.entries(raw.champs).map(([k, cell]) => [k, cell?.value])),
					lots: raw.lots.map((lot) => Object.fromEntries(Object.entries(lot.champs).map(([k, cell]) => [k, cell?.value]))),
				});
			} else buffer = blank ??= await buildFicheVisaForm({ date: todayIn(ctx.getTimezone()) });
			out.push({
				json: { fichier: fileName, version: FICHE_VISA_VERSION },
				binary: { data: await outputFile(ctx, buffer, fileName, 'xlsx') },
				pairedItem: { item: itemIndex },
			});
		} catch (error) {
			out.push(failedItem(ctx, error, itemIndex, items[itemIndex].json));
		}
	}
	return out;
}

interface RunSettings {
	settings: VisaSettings;
	date: string;
	signature: string;
}

async function validate(ctx: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const settingsFor = runParameters(ctx, (itemIndex): RunSettings => {
		const options = collectionParameter(ctx, 'options', itemIndex);
		const date = String(optionValue(options, 'dateControle') ?? '').trim() || todayIn(ctx.getTimezone());
		const thresholds: IDataObject = { ...options };
		delete thresholds.dateControle;
		delete thresholds.signature;
		for (const key of Object.values(READ_LIMIT_OPTIONS)) delete thresholds[key];
		return { settings: parseVisaSettings(thresholds), date, signature: String(options.signature ?? 'Le service des marchés') };
	});
	// Étude en paramètre : lue une fois par exécution (sauf expression) ; étude portée par l'élément : à chaque élément.
	const studyParameter = runParameters(ctx, (itemIndex): StudiedLot[] | undefined =>
		ctx.getNodeParameter('etude', itemIndex, 'aucune') === 'json'
			? readStudy(ctx.getNodeParameter('etudeJson', itemIndex, '[]'), 'paramètre « Lots étudiés (JSON) »')
			: undefined,
	);
	const studyFor = (itemIndex: number): StudiedLot[] | undefined => {
		if (ctx.getNodeParameter('etude', itemIndex, 'aucune') !== 'champ') return studyParameter(itemIndex);
		const field = textParameter(ctx, 'champEtude', itemIndex, 'etude');
		return readStudy(items[itemIndex].json[field], `élément ${itemIndex + 1}, champ « ${field} »`);
	};
	const source = choiceParameter(ctx, 'source', ['classeur', 'elements'], 0, 'classeur');
	const out: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const item = items[itemIndex];
		if (isUpstreamError(item.json)) {
			out.push({ json: item.json, binary: item.binary, pairedItem: { item: itemIndex } });
			continue;
		}
		let fileName: string | undefined;
		try {
			const { settings, date, signature } = settingsFor(itemIndex);
			const study = studyFor(itemIndex);
			let raw: RawFiche;
			let buffer: Buffer | undefined;
			if (source === 'classeur') {
				const property = textParameter(ctx, 'binaryPropertyName', itemIndex, 'data');
				const binary = inputFile(ctx, item, itemIndex, property, 'la fiche visa (.xlsx)');
				fileName = binary.fileName ?? `fiche-visa-element-${itemIndex + 1}.xlsx`;
				buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
				raw = await readFicheVisaWorkbook(buffer, fileName, readLimitsParameter(ctx, itemIndex));
			} else raw = rawFicheFromJson(item.json, `élément ${itemIndex + 1}`);

			const result = checkFiche(raw, settings, study);
			const binary: IBinaryKeyData = { ...(item.binary ?? {}) };
			const mode = source === 'classeur' ? choiceParameter(ctx, 'copieAnnotee', ['toujours', 'siAnomalies', 'jamais'], itemIndex, 'toujours') : 'jamais';
			let annotatedName: string | undefined;
			if (buffer && fileName && (mode === 'toujours' || (mode === 'siAnomalies' && result.decision !== 'VISÉ'))) {
				annotatedName = annotatedFileName(fileName);
				const annotated = await annotateFicheVisa(buffer, fileName, { ...result, date }, readLimitsParameter(ctx, itemIndex));
				const property = textParameter(ctx, 'champAnnote', itemIndex, 'annote');
				binary[property] = await outputFile(ctx, annotated, annotatedName, 'xlsx');
			}
			const courriel = renderVisaMessage(result, { signature, fichierAnnote: annotatedName });
			out.push({
				json: {
					decision: result.decision,
					resume: result.resume,
					anomalies: asJsonList(result.anomalies),
					comptes: result.comptes,
					fiche: asJson(result.fiche),
					decpAttendue: result.decpAttendue,
					montantTotalHT: result.montantTotalHT,
					seuilEuropeen: result.seuilEuropeen,
					etudeFournie: result.etudeFournie,
					dateControle: date,
					courriel: { a: result.fiche.emailService ?? null, ...courriel },
					source: { fichier: fileName ?? null, element: itemIndex + 1, copieAnnotee: annotatedName ?? null },
				},
				binary: Object.keys(binary).length > 0 ? binary : undefined,
				pairedItem: { item: itemIndex },
			});
		} catch (error) {
			// Le fichier reçu accompagne l'erreur, pour le renvoyer à son auteur.
			out.push({ ...failedItem(ctx, error, itemIndex, { ...item.json, fichier: fileName ?? null }), binary: item.binary });
		}
	}
	return out;
}

