/**
 * Lecture des paramètres d'un nœud, commune à tous les nœuds : chaque valeur
 * passe par un schéma zod (un paramètre peut être une expression, donc
 * n'importe quoi) ; une valeur d'un autre type devient une erreur n8n en
 * français qui nomme le paramètre et l'élément. Aussi : l'élément en échec pour
 * « continuer en cas d'échec », et les fichiers produits en sortie.
 */
import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { z } from 'zod/v4';

import { errorItem, toNodeError } from './items';

/** Types MIME des fichiers produits par les nœuds. */
export const MIME = {
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	pdf: 'application/pdf',
} as const;

const WHAT: Record<string, string> = { string: 'un texte', boolean: 'oui ou non', object: 'une collection d’options', enum: 'une des valeurs proposées' };

function parameter<S extends z.ZodType>(ctx: IExecuteFunctions, schema: S, what: string, name: string, itemIndex: number, fallback: unknown): z.output<S> {
	const value = ctx.getNodeParameter(name, itemIndex, fallback as never);
	const parsed = schema.safeParse(value);
	if (parsed.success) return parsed.data;
	throw new NodeOperationError(ctx.getNode(), `Paramètre « ${name} » : ${WHAT[what]} est attendu, pas ${JSON.stringify(value) ?? String(value)}`, {
		itemIndex,
		description: 'Corrigez la valeur (ou l’expression) de ce paramètre dans le nœud.',
	});
}

/** Paramètre texte (tel quel, sans espaces retirés). */
export function textParameter(ctx: IExecuteFunctions, name: string, itemIndex = 0, fallback = ''): string {
	return parameter(ctx, z.string(), 'string', name, itemIndex, fallback);
}

/** Paramètre oui/non. */
export function booleanParameter(ctx: IExecuteFunctions, name: string, itemIndex = 0, fallback = false): boolean {
	return parameter(ctx, z.boolean(), 'boolean', name, itemIndex, fallback);
}

/** Paramètre à choix : une des valeurs de la liste. */
export function choiceParameter<const T extends string>(ctx: IExecuteFunctions, name: string, values: readonly [T, ...T[]], itemIndex = 0, fallback?: T): T {
	return parameter(ctx, z.enum(values), 'enum', name, itemIndex, fallback);
}

/** Objet ordinaire (collection d'options de n8n), sans conversion. */
export function isDataObject(value: unknown): value is IDataObject {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const DataObjectSchema = z.custom<IDataObject>(isDataObject);

/** Collection de paramètres (« Options » par défaut) : un objet, vide s'il n'est pas renseigné. */
export function collectionParameter(ctx: IExecuteFunctions, name = 'options', itemIndex = 0): IDataObject {
	return parameter(ctx, DataObjectSchema, 'object', name, itemIndex, {});
}

/**
 * Un élément en échec : avec « continuer en cas d'échec », l'élément d'erreur
 * (données d'entrée comprises) à mettre en sortie ; sinon l'erreur n8n qui nomme l'élément.
 */
export function failedItem(ctx: IExecuteFunctions, error: unknown, itemIndex: number, input?: IDataObject): INodeExecutionData {
	if (!ctx.continueOnFail()) throw toNodeError(ctx.getNode(), error, itemIndex);
	return errorItem(ctx.getNode(), error, itemIndex, input);
}

/** Un fichier produit, prêt pour le champ binaire d'un élément de sortie. */
export async function outputFile(ctx: IExecuteFunctions, content: Buffer, fileName: string, type: keyof typeof MIME): Promise<IBinaryData> {
	return ctx.helpers.prepareBinaryData(content, fileName, MIME[type]);
}

/** Exécute une étape du nœud ; son erreur devient l'erreur n8n qui nomme l'élément. */
export async function atItem<T>(ctx: IExecuteFunctions, itemIndex: number, run: () => Promise<T> | T): Promise<T> {
	try {
		return await run();
	} catch (error) {
		throw toNodeError(ctx.getNode(), error, itemIndex);
	}
}

/**
 * Une donnée du cœur (interface TypeScript) comme JSON d'un élément de n8n. La
 * seule conversion que les types de n8n imposent : IDataObject exige une
 * signature d'index, qu'une interface n'a pas ; les valeurs, elles, sont déjà
 * du JSON (textes, nombres, booléens, null, listes et objets de ceux-ci).
 */
export function asJson(value: object): IDataObject {
	return value as IDataObject;
}

/** Une liste de données du cœur comme liste JSON d'un élément de n8n (voir asJson). */
export function asJsonList(values: readonly object[]): IDataObject[] {
	return values.map(asJson);
}

/**
 * Le fichier reçu dans un champ binaire de l'élément. Absent : erreur française
 * qui nomme l'élément et le champ, et dit quoi y mettre (`what` : « le classeur
 * de suivi (.xlsx) » ; `from` : les nœuds qui le lisent).
 */
export function inputFile(ctx: IExecuteFunctions, item: INodeExecutionData, itemIndex: number, property: string, what: string, from = '« Read/Write Files from Disk »'): IBinaryData {
	const binary = item.binary?.[property];
	if (binary) return binary;
	throw new NodeOperationError(ctx.getNode(), `Élément ${itemIndex + 1} : aucun fichier dans le champ binaire « ${property} »`, {
		itemIndex,
		description: `Indiquez le champ binaire qui porte ${what}, par exemple « data » après ${from}.`,
	});
}
