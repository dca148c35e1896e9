/** « Archiver une clause » : retirée du suivi, jamais effacée (versions et historique gardés). */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Register } from '../adapters';
import { AnomalyError, clauseKey } from '../core';
import { eachItem } from './items';
import { clauseRefParameters } from './parameters';

export function archiveClause(ctx: IExecuteFunctions, register: Register): Promise<INodeExecutionData[]> {
	return eachItem(ctx, async (_item, itemIndex) => {
		const { marche, lot, motif } = clauseRefParameters(ctx, itemIndex);
		const key = clauseKey({ marche, lot });
		const result = await register.archive('clause', key, motif ? `archivage : ${motif}` : 'archivage');
		if (!result) throw unknownClause(marche, lot, itemIndex);
		return [{ json: { cle: key, marche, lot, version: result.version, etat: result.changed ? 'archivée' : 'déjà archivée', motif: motif ?? null } }];
	});
}

export function unknownClause(marche: string, lot: string, itemIndex: number): AnomalyError {
	return new AnomalyError([
		{
			gravite: 'erreur',
			champ: 'lot',
			libelle: 'clause',
			ou: `élément ${itemIndex + 1}`,
			message: `aucune clause du marché ${marche}, lot ${lot}, dans le registre`,
			correction: 'Vérifiez le numéro du marché et du lot ; une clause entre au registre par sa notification ou par l’import du classeur de suivi.',
			regle: 'registre.clauseInconnue',
		},
	]);
}
