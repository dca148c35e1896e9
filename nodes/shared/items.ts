/**
 * L'enveloppe n8n commune aux nœuds : erreurs n8n avec l'élément en cause,
 * éléments d'erreur pour « continuer en cas d'échec », paramètres lus une
 * seule fois quand ils ne contiennent pas d'expression.
 */
import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData, INodeParameters, NodeParameterValueType } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { RegisterError } from '../adapters/register/database';
import type { Anomaly } from '../core';
import { AnomalyError, detailAnomalies } from '../core';

/** Erreur n8n qui nomme l'élément et dit quoi corriger. */
export function toNodeError(node: INode, error: unknown, itemIndex: number): NodeOperationError {
	if (error instanceof NodeOperationError) return error;
	if (error instanceof AnomalyError) {
		return new NodeOperationError(node, error.message, {
			itemIndex,
			description: detailAnomalies(error.anomalies),
		});
	}
	if (error instanceof RegisterError) {
		// Registre injoignable ou connexion perdue : l'erreur dit déjà quoi faire.
		return new NodeOperationError(node, `Registre des clauses : ${error.message}`, { itemIndex, description: error.correction });
	}
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, `Erreur inattendue sur l\u2019élément ${itemIndex + 1} : ${message}`, {
		itemIndex,
		description: 'Vérifiez les données de cet élément ; si l\u2019erreur persiste, signalez-la avec l\u2019exécution en pièce jointe.',
	});
}

/**
 * Élément de sortie pour « continuer en cas d'échec » : le message (`error`,
 * convention n8n) et, dans `details`, les anomalies détaillées et les données
 * d'entrée. Ces seules clés (`error`, `details`) font que n8n oriente l'élément
 * vers la sortie d'erreur quand le nœud est réglé sur « Continue (using error
 * output) ». La propriété `error` de l'élément n'est pas posée : n8n remplacerait
 * alors tout le JSON par le seul message.
 */
export function errorItem(node: INode, error: unknown, itemIndex: number, input?: IDataObject): INodeExecutionData {
	const nodeError = toNodeError(node, error, itemIndex);
	const anomalies: Anomaly[] = error instanceof AnomalyError ? error.anomalies : [];
	return {
		json: {
			error: nodeError.message,
			details: {
				correction: nodeError.description ?? null,
				anomalies: anomalies as unknown as IDataObject[],
				donnees: input ?? {},
			},
		},
		pairedItem: { item: itemIndex },
	};
}

/** Élément déjà en échec en amont (« continuer en cas d'échec ») : il traverse le nœud tel quel. */
export function isUpstreamError(json: IDataObject): boolean {
	const details = json.details as IDataObject | undefined;
	return typeof json.error === 'string' && details !== undefined && Array.isArray(details.anomalies);
}

function containsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(containsExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(containsExpression);
	return false;
}

/**
 * Lit les paramètres d'exécution une seule fois si aucun n'est une expression ;
 * sinon, élément par élément, comme n8n le fait d'ordinaire.
 */
export function runParameters<T>(ctx: IExecuteFunctions, read: (itemIndex: number) => T): (itemIndex: number) => T {
	const parameters: INodeParameters = ctx.getNode().parameters;
	if (containsExpression(parameters)) return read;
	let cached: { value: T } | undefined;
	return (itemIndex) => {
		if (!cached) cached = { value: read(itemIndex) };
		return cached.value;
	};
}

/** Paramètre facultatif d'une collection « Options », sans valeur par défaut imposée. */
export function optionValue(options: IDataObject, name: string): NodeParameterValueType | undefined {
	const value = options[name];
	return value === undefined || value === '' ? undefined : (value as NodeParameterValueType);
}
