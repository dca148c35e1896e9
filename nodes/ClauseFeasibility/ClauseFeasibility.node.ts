import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import type { CalibrationResult, Lot } from '../core';
import { AnomalyError, FeasibilityStudy, assertPlausibleHours, clauseKey, duplicateAnomaly, duplicatesOf, excludedLots, marketTotals, parseFeasibilitySettings } from '../core';
import { CALIBRATION_COLLECTION_OPTIONS } from '../shared/calibration-properties';
import { READ_LIMIT_PROPERTIES } from '../shared/read-limits';
import { errorItem, isUpstreamError, toNodeError } from '../shared/items';
import type { LotEntry } from '../shared/lots';
import { LOT_SOURCE_PROPERTIES, collectLots, parseLot } from '../shared/lots';
import { applyPlausibilityParameter, plausibilityProperties } from '../shared/plausibility';

/** Date du jour dans le fuseau du workflow, au format AAAA-MM-JJ. */
function today(timezone: string): string {
	return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

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
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Ajouter une option',
				default: {},
				options: [
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
				],
			},
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
		const node = this.getNode();
		const entries = await collectLots(this);
		const parsed: Array<{ entry: LotEntry; lot?: Lot; error?: unknown }> = entries.map((entry) => {
			try {
				return { entry, lot: parseLot(entry) };
			} catch (error) {
				return { entry, error };
			}
		});
		// Lot en double (même marché, même numéro) : il compterait deux fois dans le total du marché ; le second est refusé.
		const duplicates = duplicatesOf(parsed, (p) => (p.lot ? clauseKey({ marche: p.lot.marche ?? '', lot: p.lot.lot }) : undefined));
		for (const [index, first] of duplicates) {
			parsed[index] = {
				entry: parsed[index].entry,
				error: new AnomalyError([
					duplicateAnomaly(
						'lot',
						parsed[index].entry.where,
						parsed[first].entry.where,
						'Chaque lot ne doit figurer qu\u2019une fois (même marché, même numéro de lot) : supprimez la ligne en double ou corrigez son numéro.',
						'lot.doublon',
					),
				]),
			};
		}
		const totals = marketTotals(parsed.flatMap((p) => (p.lot ? [p.lot] : [])));
		// Lots illisibles ou déjà en erreur en amont : absents des totaux, signalés aux autres lots du marché.
		const excluded = excludedLots(
			parsed
				.filter((p) => !p.lot && p.entry.fileError === undefined)
				.map((p) => (isUpstreamError(p.entry.json) ? (p.entry.json.details as IDataObject).donnees : p.entry.json)),
		);

		let study: FeasibilityStudy | undefined;
		let settingsError: unknown;
		try {
			const options = this.getNodeParameter('options', 0, {}) as IDataObject;
			const date = (this.getNodeParameter('dateEtude', 0, '') as string).trim();
			const settings = parseFeasibilitySettings({
				...options,
				facilitateurs: this.getNodeParameter('facilitateurs', 0, '[]'),
				seuilEtude: this.getNodeParameter('seuilEtude', 0),
				dateEtude: date === '' ? today(this.getTimezone()) : date,
				calibrage: this.getNodeParameter('calibrage', 0, {}) as IDataObject,
			});
			study = new FeasibilityStudy(settings, totals, excluded);
		} catch (error) {
			settingsError = error;
		}
		if (settingsError !== undefined) throw toNodeError(node, settingsError, 0);

		const returnData: INodeExecutionData[] = [];
		for (const { entry, lot, error } of parsed) {
			if (isUpstreamError(entry.json)) {
				returnData.push({ json: entry.json, pairedItem: { item: entry.itemIndex } });
				continue;
			}
			try {
				if (!lot || !study) throw error;
				const upstream = entry.json.calibrage as unknown as CalibrationResult | undefined;
				const calibrage = upstream && typeof upstream.heures === 'number' ? upstream : undefined;
				const faisabilite = study.study({ lot, where: entry.where, calibrage });
				// Montant, taux ou coût horaire absurdes : des heures invraisemblables ne sortent pas du nœud.
				assertPlausibleHours(faisabilite.heuresEstimees, entry.where);
				// La décision d'abord : « faisabilite » (qui commence par la décision) en tête de l'élément,
				// pour que l'éditeur de n8n la montre en premier (tableau, JSON, schéma).
				const lotFields = { ...entry.json };
				delete lotFields.faisabilite;
				returnData.push({
					json: { faisabilite: faisabilite as unknown as IDataObject, ...lotFields },
					pairedItem: { item: entry.itemIndex },
				});
			} catch (failure) {
				if (this.continueOnFail()) {
					returnData.push(errorItem(node, failure, entry.itemIndex, entry.json));
					continue;
				}
				throw toNodeError(node, failure, entry.itemIndex);
			}
		}
		return [returnData];
	}
}
