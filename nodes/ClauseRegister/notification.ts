/** « Enregistrer la notification » : le lot notifié devient une clause active, sans ressaisir ce que l'étude a fixé. */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Register } from '../adapters';
import { NOTIFICATION_READER, canonicalizeKeys, clauseFromNotification, clauseKey, describeLot, mergeImportedClause, storedClause, storedLot, writeState } from '../core';
import { eachItem } from './items';

const present = (value: unknown) => (typeof value === 'string' && value.trim() !== '') || typeof value === 'number';

export function recordNotification(ctx: IExecuteFunctions, register: Register): Promise<INodeExecutionData[]> {
	return eachItem(ctx, async (item, itemIndex) => {
		const raw = canonicalizeKeys(item.json, NOTIFICATION_READER.keys);
		const where = `élément ${itemIndex + 1}${present(raw.marche) && present(raw.lot) ? ` (marché ${String(raw.marche).trim()}, lot ${String(raw.lot).trim()})` : ''}`;
		const lot = present(raw.marche) && present(raw.lot) ? await register.get('lot', clauseKey({ marche: String(raw.marche), lot: String(raw.lot) })) : undefined;
		const { clause, heuresReprises } = clauseFromNotification(raw, storedLot(lot), where || describeLot(item.json, itemIndex));
		const key = clauseKey(clause);
		const result = await register.transaction(async (tx) => {
			const current = await tx.get('clause', key);
			return tx.put('clause', key, mergeImportedClause(current ? storedClause(current) : undefined, clause), `notification du ${clause.dateNotification}`);
		});
		return [
			{
				json: {
					cle: key,
					marche: clause.marche,
					lot: clause.lot,
					version: result.version,
					etat: writeState(result),
					statut: clause.statut,
					heuresDues: clause.heuresDues,
					heuresReprisesDeLEtude: heuresReprises,
					dateNotification: clause.dateNotification ?? null,
				},
			},
		];
	});
}
