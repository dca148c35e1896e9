import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { Calibrator, assertPlausibleHours, parseCalibrationSettings } from '../core';
import { isUpstreamError, runParameters } from '../shared/items';
import { optionsCollection } from '../shared/descriptions';
import { CALIBRATION_OPTIONS, MAIN_CALIBRATION_PROPERTIES, METHOD_PROPERTY, METHOD_SUBTITLE } from '../shared/calibration-properties';
import { READ_LIMIT_PROPERTIES } from '../shared/read-limits';
import { LOT_SOURCE_PROPERTIES, collectLots, parseLot } from '../shared/lots';
import { applyPlausibilityParameter, plausibilityProperties } from '../shared/plausibility';
import { asJson, collectionParameter, failedItem } from '../shared/parameters';

/*
 * Les valeurs par défaut des paramètres (nodes/shared/calibration-properties.ts)
 * reprennent celles du référentiel (nodes/core/referential.ts, sources citées) ;
 * test/nodes/calibration.node.test.ts vérifie qu'elles restent identiques.
 */
export class ClauseCalibration implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Calibrage des heures d\u2019insertion',
		name: 'clauseCalibration',
		icon: { light: 'file:clauseCalibration.svg', dark: 'file:clauseCalibration.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: METHOD_SUBTITLE,
		description: 'Calcule, lot par lot, les heures d\u2019insertion à inscrire au contrat (clause sociale)',
		defaults: { name: 'Calibrage des heures' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName:
					'Chaque élément d\u2019entrée est un lot : « lot », « nature », « montantHT », et selon la méthode « tauxMainOeuvre » ou « secteur », « dureeMois »… Une valeur portée par le lot remplace celle des paramètres ci-dessous.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			...LOT_SOURCE_PROPERTIES,
			METHOD_PROPERTY,
			...MAIN_CALIBRATION_PROPERTIES,
			optionsCollection([...CALIBRATION_OPTIONS, ...READ_LIMIT_PROPERTIES, ...plausibilityProperties(['montantLot', 'heuresCalculees'])]),
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Bornes de vraisemblance des options : lues par les schémas pendant toute l'exécution.
		applyPlausibilityParameter(this);
		const calibratorFor = runParameters(this, (itemIndex) => {
			const options = collectionParameter(this, 'options', itemIndex);
			const settings = parseCalibrationSettings({
				methode: this.getNodeParameter('methode', itemIndex),
				tauxInsertion: this.getNodeParameter('tauxInsertion', itemIndex),
				coutHoraire: this.getNodeParameter('coutHoraire', itemIndex),
				plancherHeures: this.getNodeParameter('plancherHeures', itemIndex),
				...options,
			});
			return new Calibrator(settings);
		});

		const returnData: INodeExecutionData[] = [];
		for (const entry of await collectLots(this)) {
			if (isUpstreamError(entry.json)) {
				returnData.push({ json: entry.json, pairedItem: { item: entry.itemIndex } });
				continue;
			}
			try {
				const calibrator = calibratorFor(entry.itemIndex);
				const lot = parseLot(entry);
				const calibrage = calibrator.calibrate(lot, entry.where);
				// Montant, taux ou coût horaire absurdes : des heures invraisemblables ne sortent pas du nœud.
				assertPlausibleHours(calibrage.heuresCalculees, entry.where);
				returnData.push({
					json: { ...entry.json, calibrage: asJson(calibrage) },
					pairedItem: { item: entry.itemIndex },
				});
			} catch (error) {
				returnData.push(failedItem(this, error, entry.itemIndex, entry.json));
			}
		}
		return [returnData];
	}
}
