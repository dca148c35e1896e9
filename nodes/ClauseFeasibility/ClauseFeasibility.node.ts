import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import type { ExcludedLots, Lot, ParsedLot } from '../core';
import { FeasibilityStudy, assertPlausibleHours, excludedLots, marketTotals, parseFeasibilitySettings, refuseDuplicateLots, todayIn, upstream, UpstreamCalibrationSchema } from '../core';
import { CALIBRATION_COLLECTION_OPTIONS } from '../shared/calibration-properties';
import { READ_LIMIT_PROPERTIES } from '../shared/read-limits';
import { isUpstreamError, toNodeError } from '../shared/items';
import type { LotEntry } from '../shared/lots';
import { LOT_SOURCE_PROPERTIES, collectLots, parseLot } from '../shared/lots';
import { asJson, collectionParameter, failedItem, isDataObject, textParameter } from '../shared/parameters';
import { applyPlausibilityParameter, plausibilityProperties } from '../shared/plausibility';
import { optionsCollection } from '../shared/descriptions';

export class ClauseFeasibility implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Étude de faisabilité (clause sociale)',
		name: 'clauseFeasibility',
		icon: { light: 'file:clauseFeasibility.svg', dark: 'file:clauseFeasibility.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["source"] === "excel" ? "Lots d’un classeur Excel" : "Un lot par élément" }}',
		description:
			'Recommande, lot par lot, la considération sociale adaptée (clause d’insertion, critère, marché réservé…) ou justifie son absence',
		defaults: { name: 'Étude de faisabilité' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName:
					'Le volume d’heures vient du nœud « Calibrage des heures » placé en amont (champ « calibrage ») ; à défaut, il est estimé avec les valeurs du référentiel, que « Paramètres de calibrage » permet de remplacer. Les seuils portent sur le montant total du marché (somme de ses lots).',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			...LOT_SOURCE_PROPERTIES,
			{
				displayName: 'Facilitateurs (JSON)',
				name: 'facilitateurs',
				type: 'json',
				default: '[]',
				description:
					'Liste des facilitateurs et des territoires qu’ils couvrent (codes de département, communes, intercommunalités), par ex. [{"nom": "PLIE du Val d’Argent", "email": "plie@example.test", "territoires": ["79"]}]. Peut venir d’un autre nœud par une expression.',
			},
			{
				displayName: 'Seuil de l’étude (€ HT)',
				name: 'seuilEtude',
				type: 'number',
				default: 90000,
				typeOptions: { minValue: 0 },
				description:
					'Une étude est conduite pour tout marché dont le montant total dépasse ce seuil (strictement). Par défaut 90 000 € HT : pratique de la Région Picardie, « marchés de plus de 90 000 € HT » (Avise, ARF et Caisse des Dépôts, « Intégration des clauses sociales dans la commande publique des Conseils régionaux », 2014). En deçà, un lot calibré en amont est étudié à titre volontaire.',
			},
			{
				displayName: 'Date de l’étude',
				name: 'dateEtude',
				type: 'string',
				default: '',
				placeholder: '2026-11-23',
				description: 'Au format AAAA-MM-JJ ; vide : date du jour (fuseau du workflow)',
			},
			optionsCollection([
				{
					displayName: 'Critère social d’attribution',
					name: 'critereSocial',
					type: 'options',
					default: 'auDelaSeuilUe',
					options: [
						{ name: 'Au-delà du seuil européen', value: 'auDelaSeuilUe' },
						{ name: 'Jamais', value: 'jamais' },
						{ name: 'Toujours, avec la clause', value: 'toujours' },
					],
					description: 'Quand recommander le critère social (R2152-7) en complément de la clause',
				},
				{
					displayName: 'Date d’application de la loi Climat',
					name: 'dateLoiClimat',
					type: 'string',
					default: '2026-08-21',
					placeholder: '2026-08-21',
					description:
						'AAAA-MM-JJ. Au-delà du seuil européen, l’absence de considération sociale doit être justifiée pour les consultations lancées à partir de cette date (loi Climat et résilience, art. 35).',
				},
				{
					displayName: 'Durée minimale (mois)',
					name: 'dureeMinimaleMois',
					type: 'number',
					default: 0,
					description:
						'En deçà, pas d’heures d’insertion (parcours trop court). 0 : pas de minimum. Aucune source publique ne fixe ce seuil : à décider par la Région.',
				},
				{
					displayName: 'Proposer des actions qualitatives',
					name: 'proposerActionsQualitatives',
					type: 'boolean',
					default: true,
					description: 'Proposer une condition sociale qualitative quand les heures d’insertion sont trop peu nombreuses (Alliance Villes Emploi)',
				},
				{
					displayName: 'Seuil européen fournitures et services (€ HT)',
					name: 'seuilUeFournituresServices',
					type: 'number',
					default: 216000,
					description: 'Services, fournitures, prestations intellectuelles : 216 000 € HT pour les collectivités territoriales (2026-2027)',
				},
				{
					displayName: 'Seuil européen travaux et concessions (€ HT)',
					name: 'seuilUeTravaux',
					type: 'number',
					default: 5404000,
					description: 'Travaux, délégations de service public et marchés de partenariat : 5 404 000 € HT (2026-2027)',
				},
				...READ_LIMIT_PROPERTIES,
				...plausibilityProperties(['montantLot', 'heuresCalculees']),
			]),
			{
				displayName: 'Paramètres de calibrage',
				name: 'calibrage',
				type: 'collection',
				placeholder: 'Remplacer une valeur du référentiel',
				default: {},
				description:
					'Pour les lots sans calibrage en amont : valeurs de l’estimation des heures (mêmes paramètres que le nœud « Calibrage des heures »). Une valeur portée par le lot l’emporte.',
				options: CALIBRATION_COLLECTION_OPTIONS,
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Bornes de vraisemblance des options : lues par les schémas pendant toute l'exécution.
		applyPlausibilityParameter(this);
		const parsed = refuseDuplicateLots((await collectLots(this)).map(readLot));
		const totals = marketTotals(parsed.flatMap((p) => (p.lot ? [p.lot] : [])));
		// Lots illisibles ou déjà en erreur en amont : absents des totaux, signalés aux autres lots du marché.
		const excluded = excludedLots(parsed.filter((p) => !p.lot && p.entry.fileError === undefined).map((p) => upstreamData(p.entry.json)));
		const study = readStudy(this, totals, excluded);
		const returnData: INodeExecutionData[] = [];
		for (const { entry, lot, error } of parsed) {
			if (isUpstreamError(entry.json)) {
				returnData.push({ json: entry.json, pairedItem: { item: entry.itemIndex } });
				continue;
			}
			try {
				if (!lot) throw error;
				returnData.push({ json: studyJson(study, lot, entry), pairedItem: { item: entry.itemIndex } });
			} catch (failure) {
				returnData.push(failedItem(this, failure, entry.itemIndex, entry.json));
			}
		}
		return [returnData];
	}
}

/** Un lot lu, ou son erreur de lecture. */
function readLot(entry: LotEntry): ParsedLot<LotEntry> {
	try {
		return { entry, lot: parseLot(entry) };
	} catch (error) {
		return { entry, error };
	}
}

/** Données d'un lot : celles de l'élément, ou, pour un élément déjà en erreur en amont, les données qu'il porte. */
function upstreamData(json: IDataObject): unknown {
	return isUpstreamError(json) && isDataObject(json.details) ? json.details.donnees : json;
}

/** Paramètres de l'étude (lus une fois pour l'exécution) ; une erreur nomme le paramètre fautif. */
function readStudy(ctx: IExecuteFunctions, totals: Map<string, number>, excluded: ExcludedLots): FeasibilityStudy {
	try {
		const date = textParameter(ctx, 'dateEtude').trim();
		const settings = parseFeasibilitySettings({
			...collectionParameter(ctx),
			facilitateurs: ctx.getNodeParameter('facilitateurs', 0, '[]'),
			seuilEtude: ctx.getNodeParameter('seuilEtude', 0),
			dateEtude: date === '' ? todayIn(ctx.getTimezone()) : date,
			calibrage: collectionParameter(ctx, 'calibrage'),
		});
		return new FeasibilityStudy(settings, totals, excluded);
	} catch (error) {
		throw toNodeError(ctx.getNode(), error, 0);
	}
}

/** L'étude d'un lot, en tête de ses données. */
function studyJson(study: FeasibilityStudy, lot: Lot, entry: LotEntry): IDataObject {
	// Nœud de calibrage en amont : ses heures priment sur l'estimation du référentiel.
	const calibrage = upstream(UpstreamCalibrationSchema, entry.json.calibrage);
	const faisabilite = study.study({ lot, where: entry.where, calibrage });
	// Montant, taux ou coût horaire absurdes : des heures invraisemblables ne sortent pas du nœud.
	assertPlausibleHours(faisabilite.heuresEstimees, entry.where);
	// La décision d'abord : « faisabilite » (qui commence par la décision) en tête de l'élément,
	// pour que l'éditeur de n8n la montre en premier (tableau, JSON, schéma).
	const lotFields = { ...entry.json };
	delete lotFields.faisabilite;
	return { faisabilite: asJson(faisabilite), ...lotFields };
}
