/**
 * Les lots en entrée d'un nœud : un élément n8n par lot, ou un classeur Excel
 * (liste de lots, une ligne par lot) porté par chaque élément en binaire.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { TableRow } from '../adapters';
import { loadWorkbook, locate, readTable } from '../adapters';
import type { Lot } from '../core';
import { AnomalyError, LOT_READER, describeLot, tryReadRecord } from '../core';
import { readLimitsParameter } from './read-limits';

export interface LotEntry {
	/** Élément d'entrée d'où vient le lot (pairedItem). */
	itemIndex: number;
	json: IDataObject;
	where: string;
	row?: TableRow;
	/** Erreur de lecture du fichier entier (aucun lot lisible pour cet élément). */
	fileError?: unknown;
}

export const LOT_SOURCE_PROPERTIES: INodeProperties[] = [
	{
		displayName: 'Source des lots',
		name: 'source',
		type: 'options',
		default: 'items',
		options: [
			{ name: 'Éléments d\u2019entrée (un lot par élément)', value: 'items' },
			{ name: 'Classeur Excel (une ligne par lot)', value: 'excel' },
		],
		description: 'D\u2019où viennent les lots à traiter',
	},
	{
		displayName: 'Champ binaire du classeur',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show: { source: ['excel'] } },
		description: 'Nom du champ binaire qui porte le classeur .xlsx (par exemple celui produit par « Read/Write Files from Disk »)',
	},
	{
		displayName: 'Feuille',
		name: 'sheetName',
		type: 'string',
		default: 'Lots',
		displayOptions: { show: { source: ['excel'] } },
		description: 'Feuille qui porte la liste des lots ; à défaut, la première feuille visible',
	},
];

/** Rassemble les lots à traiter, élément par élément ou ligne par ligne. */
export async function collectLots(ctx: IExecuteFunctions): Promise<LotEntry[]> {
	const items = ctx.getInputData();
	const source = ctx.getNodeParameter('source', 0, 'items') as string;
	if (source !== 'excel') {
		return items.map((item, itemIndex) => ({ itemIndex, json: item.json, where: describeLot(item.json, itemIndex) }));
	}
	const entries: LotEntry[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const property = ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string;
		const sheetName = ctx.getNodeParameter('sheetName', itemIndex, 'Lots') as string;
		const binary = items[itemIndex].binary?.[property];
		const fileName = binary?.fileName ?? `élément ${itemIndex + 1}`;
		try {
			const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
			const workbook = await loadWorkbook(buffer, fileName, readLimitsParameter(ctx, itemIndex));
			const rows = readTable(workbook, {
				fileName,
				sheetNames: [sheetName, 'Lots', 'Liste des lots'],
				keys: LOT_READER.keys,
				labels: LOT_READER.labels,
				required: ['lot', 'nature', 'montantHT'],
				describe: (raw, row) => `${describeLot(raw)} (ligne ${row})`,
			});
			for (const row of rows) {
				entries.push({
					itemIndex,
					json: { ...row.raw, source: { fichier: fileName, feuille: row.sheet, ligne: row.row } } as IDataObject,
					where: `${describeLot(row.raw)} (fichier « ${fileName} », feuille « ${row.sheet} », ligne ${row.row})`,
					row,
				});
			}
		} catch (error) {
			entries.push({ itemIndex, json: items[itemIndex].json, where: `élément ${itemIndex + 1}`, fileError: error });
		}
	}
	return entries;
}

/** Lit le lot d'une entrée ; les anomalies d'un lot lu dans Excel portent sa feuille et sa cellule. */
export function parseLot(entry: LotEntry): Lot {
	if (entry.fileError !== undefined) throw entry.fileError;
	if (entry.row && entry.row.problems.length > 0) throw locate(new AnomalyError(entry.row.problems), entry.row);
	const result = tryReadRecord(LOT_READER, entry.json, entry.where);
	if (result.ok) return result.value;
	throw entry.row ? locate(result.error, entry.row) : result.error;
}
