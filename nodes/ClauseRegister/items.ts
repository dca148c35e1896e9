/** Boucle sur les éléments d'entrée : erreurs n8n avec l'élément en cause, « continuer en cas d'échec », pairedItem. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorItem, isUpstreamError, toNodeError } from '../shared/items';

export type ItemResult = { json: IDataObject; binary?: INodeExecutionData['binary'] };

/**
 * Traite chaque élément d'entrée ; un élément déjà en échec en amont traverse
 * tel quel. Chaque élément produit rattache ses sorties à son élément d'entrée.
 */
export async function eachItem(
	ctx: IExecuteFunctions,
	handle: (item: INodeExecutionData, itemIndex: number) => Promise<ItemResult[]>,
): Promise<INodeExecutionData[]> {
	const node = ctx.getNode();
	const out: INodeExecutionData[] = [];
	const items = ctx.getInputData();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const item = items[itemIndex];
		if (isUpstreamError(item.json)) {
			out.push({ json: item.json, pairedItem: { item: itemIndex } });
			continue;
		}
		try {
			for (const produced of await handle(item, itemIndex)) out.push({ ...produced, pairedItem: { item: itemIndex } });
		} catch (error) {
			if (!ctx.continueOnFail()) throw toNodeError(node, error, itemIndex);
			out.push(errorItem(node, error, itemIndex, item.json));
		}
	}
	return out;
}
