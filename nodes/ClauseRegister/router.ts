/** Aiguillage des opérations du nœud « Registre des clauses » ; le registre est fermé quoi qu'il arrive. */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Register } from '../adapters';
import { openRegister } from '../shared/register';
import type { Operation } from './description';
import { archiveClause } from './archive';
import { declareCommitments, recordCommitmentProofs } from './commitment';
import { exportDecp, importDecp } from './decp';
import { exportRegister } from './export';
import { clauseHistory, readClauses } from './read';
import { importWorkbook } from './import';
import { recordNotification } from './notification';
import { declareIntervenants, declarePool, employerHours, poolSituation } from './pooling';
import { anonymiseExpiredReports } from './retention';
import { recordStudy } from './study';
import { recordVisa } from './visa';

const HANDLERS: Record<Operation, (ctx: IExecuteFunctions, register: Register) => Promise<INodeExecutionData[]>> = {
	enregistrerEtude: recordStudy,
	enregistrerFicheVisa: recordVisa,
	enregistrerNotification: recordNotification,
	importerClasseur: importWorkbook,
	exporter: exportRegister,
	exporterDecp: exportDecp,
	importerDecp: importDecp,
	lireClauses: readClauses,
	historique: clauseHistory,
	archiver: archiveClause,
	anonymiser: anonymiseExpiredReports,
	declarerEngagement: declareCommitments,
	enregistrerJustificatif: recordCommitmentProofs,
	declarerMutualisation: declarePool,
	declarerIntervenants: declareIntervenants,
	situationMutualisation: poolSituation,
	heuresParEmployeur: employerHours,
};

function isOperation(value: unknown): value is Operation {
	return typeof value === 'string' && Object.hasOwn(HANDLERS, value);
}

export async function route(ctx: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const operation = ctx.getNodeParameter('operation', 0);
	if (!isOperation(operation)) {
		throw new NodeOperationError(ctx.getNode(), `Opération inconnue : ${JSON.stringify(operation) ?? String(operation)}`, { description: 'Choisissez une des opérations proposées dans le nœud.' });
	}
	const handler = HANDLERS[operation];
	const register = await openRegister(ctx);
	try {
		return await handler(ctx, register);
	} finally {
		await register.close();
	}
}
