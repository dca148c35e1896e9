/** Limites de lecture des fichiers déposés, en options des nœuds qui en lisent (défauts : ceux du cœur). */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { ZodError } from 'zod/v4';

import type { ReadLimits } from '../core';
import { READ_LIMIT_OPTIONS, readLimitsFrom } from '../core';

/**
 * Entrées de la collection « Options » : taille décompressée d'une partie et du
 * fichier, lignes, cellules. Les défauts affichés sont ceux du cœur
 * (DEFAULT_READ_LIMITS), écrits en littéraux comme l'exige n8n ; un test
 * vérifie qu'ils le restent.
 */
export const READ_LIMIT_PROPERTIES: INodeProperties[] = [
	{
		displayName: 'Cellules au plus par fichier',
		name: READ_LIMIT_OPTIONS.cells,
		type: 'number',
		default: 20000000,
		typeOptions: { minValue: 1 },
		description: 'Un fichier qui porte plus de cellules est refusé pendant sa lecture',
	},
	{
		displayName: 'Lignes au plus par feuille',
		name: READ_LIMIT_OPTIONS.rows,
		type: 'number',
		default: 1048576,
		typeOptions: { minValue: 1, maxValue: 1048576 },
		description: 'Une feuille qui porte plus de lignes est refusée pendant sa lecture (Excel en permet 1 048 576)',
	},
	{
		displayName: 'Taille décompressée maximale d’une partie (Mo)',
		name: READ_LIMIT_OPTIONS.partMo,
		type: 'number',
		default: 256,
		typeOptions: { minValue: 1, maxValue: 4096 },
		description: 'Un classeur .xlsx est une archive : chaque partie (feuille, chaînes…) est refusée dès que sa décompression dépasse cette taille',
	},
	{
		displayName: 'Taille décompressée maximale du fichier (Mo)',
		name: READ_LIMIT_OPTIONS.fileMo,
		type: 'number',
		default: 512,
		typeOptions: { minValue: 1, maxValue: 8192 },
		description: 'Le fichier est refusé dès que ses parties décompressées dépassent ensemble cette taille',
	},
];

/** Limites de lecture des options du nœud ; une option hors bornes est une erreur du nœud, en français. */
export function readLimitsParameter(ctx: IExecuteFunctions, itemIndex = 0): ReadLimits {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	try {
		return readLimitsFrom(options);
	} catch (error) {
		const detail = error instanceof ZodError ? error.issues.map((i) => i.message).join(' ; ') : String(error);
		throw new NodeOperationError(ctx.getNode(), `Option de lecture invalide : ${detail}`, {
			itemIndex,
			description: 'Corrigez les limites de lecture dans les options du nœud, ou retirez-les pour garder les valeurs par défaut.',
		});
	}
}
