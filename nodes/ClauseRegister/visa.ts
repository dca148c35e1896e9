/** « Enregistrer la fiche visa » : la décision du visa portée sur chaque lot de la fiche, sans toucher à l'étude. */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Register } from '../adapters';
import { clauseKey, lotWithVisa, storedLot, visaFromFiche, writeState } from '../core';
import { eachItem } from './items';

export function recordVisa(ctx: IExecuteFunctions, register: Register): Promise<INodeExecutionData[]> {
	return eachItem(ctx, async (item, itemIndex) => {
		const { marche, visa, lots } = visaFromFiche(item.json, `élément ${itemIndex + 1}`);
		const source = `fiche visa du ${visa.date}${visa.fichier ? ` (${visa.fichier})` : ''}`;
		// Tous les lots d'une fiche ensemble : tout ou rien.
		const results = await register.transaction(async (tx) => {
			const out = [];
			for (const lot of lots) {
				const key = clauseKey({ marche, lot: lot.lot });
				const current = storedLot(await tx.get('lot', key));
				const result = await tx.put('lot', key, lotWithVisa(current, marche, lot, visa), source);
				out.push({ key, lot: lot.lot, result, etudie: current?.etude !== undefined });
			}
			return out;
		});
		return results.map(({ key, lot, result, etudie }) => ({
			json: {
				cle: key,
				marche,
				lot,
				version: result.version,
				etat: writeState(result),
				decision: visa.decision,
				dateVisa: visa.date,
				anomalies: visa.anomalies,
				lotEtudie: etudie,
			},
		}));
	});
}
