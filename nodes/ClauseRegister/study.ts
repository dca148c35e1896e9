/** « Enregistrer l’étude » : un marché et ses lots depuis l'étude de faisabilité ou le calibrage. */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Register } from '../adapters';
import { clauseKey, describeLot, lotFromStudy, registerMarketKey, marketWithLot, mergeStudy, storedLot, storedMarket, writeState } from '../core';
import { eachItem } from './items';

export function recordStudy(ctx: IExecuteFunctions, register: Register): Promise<INodeExecutionData[]> {
	return eachItem(ctx, async (item, itemIndex) => {
		const where = describeLot(item.json, itemIndex);
		const study = lotFromStudy(item.json, where);
		const key = clauseKey(study);
		const source = study.etude ? `étude de faisabilité du ${study.etude.dateEtude}` : 'calibrage des heures';
		// Le lot et son marché ensemble : tout ou rien.
		const { lot, market } = await register.transaction(async (tx) => {
			const current = await tx.get('lot', key);
			const lotResult = await tx.put('lot', key, mergeStudy(storedLot(current), study), source);
			const mKey = registerMarketKey(study.marche);
			const currentMarket = await tx.get('marche', mKey);
			const marketResult = await tx.put('marche', mKey, marketWithLot(storedMarket(currentMarket), study, item.json), source);
			return { lot: lotResult, market: marketResult };
		});
		return [
			{
				json: {
					cle: key,
					marche: study.marche,
					lot: study.lot,
					version: lot.version,
					etat: writeState(lot),
					decision: study.etude?.decisionLibelle ?? null,
					heures: study.heures ?? null,
					sourceHeures: study.sourceHeures ?? null,
					versionMarche: market.version,
				},
			},
		];
	});
}
