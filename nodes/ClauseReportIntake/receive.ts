/** Les relevés reçus : fichiers Excel joints aux éléments, ou lignes reçues comme éléments ; et le classeur de suivi joint. */
import type { IBinaryData, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { readReportWorkbook, registerVersionOf } from '../adapters';
import type { IncomingReport } from '../core';
import { missingReport, reportsFromLineItems } from '../core';
import { MIME } from '../shared/parameters';
import type { IntakeParameters } from './parameters';

/** Le classeur de suivi joint aux relevés. */
export interface FollowUpWorkbook {
	itemIndex: number;
	property: string;
	binary: IBinaryData;
	/** Versions plus anciennes reçues aussi, ignorées. */
	ignored: string[];
}

/** Le classeur de suivi parmi les éléments : le plus récent (« (vN du …) » le plus élevé) s'il y en a plusieurs. */
export function findWorkbook(items: INodeExecutionData[], property: string): FollowUpWorkbook | undefined {
	const found = items.flatMap((item, itemIndex) => (item.binary?.[property] ? [{ itemIndex, property, binary: item.binary[property] }] : []));
	if (found.length === 0) return undefined;
	const sorted = [...found].sort((a, b) => registerVersionOf(b.binary.fileName ?? '') - registerVersionOf(a.binary.fileName ?? '') || (b.binary.fileName ?? '').localeCompare(a.binary.fileName ?? ''));
	return { ...sorted[0], ignored: sorted.slice(1).map((r) => r.binary.fileName ?? `élément ${r.itemIndex + 1}`) };
}

function isXlsx(binary: IBinaryData): boolean {
	return binary.mimeType === MIME.xlsx || /\.xlsx$/i.test(binary.fileName ?? '') || binary.fileExtension === 'xlsx';
}

/** Les relevés reçus, dans l'ordre des éléments, et la date de réception de chacun. */
export interface Received {
	reports: IncomingReport[];
	dates: Map<IncomingReport, string | undefined>;
}

export async function receiveReports(ctx: IExecuteFunctions, items: INodeExecutionData[], parameters: IntakeParameters): Promise<Received> {
	const { workbookProperty, dateOf, senderOf } = parameters;
	const reports: IncomingReport[] = [];
	const dates = new Map<IncomingReport, string | undefined>();
	if (parameters.reports === 'elements') {
		// Les éléments qui portent le classeur de suivi ne sont pas des lignes de relevé.
		const lineItems = items.flatMap((item, itemIndex) => (workbookProperty !== undefined && item.binary?.[workbookProperty] !== undefined ? [] : [{ itemIndex, json: item.json }]));
		for (const report of reportsFromLineItems(lineItems, senderOf)) {
			reports.push(report);
			dates.set(report, dateOf(report.itemIndexes[0]));
		}
		return { reports, dates };
	}
	const wanted = parameters.reportProperties;
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const binaries = items[itemIndex].binary ?? {};
		// Élément qui ne porte qu'un classeur de suivi (y compris une version plus ancienne, ignorée).
		const onlyWorkbook = workbookProperty !== undefined && binaries[workbookProperty] !== undefined && Object.keys(binaries).every((k) => k === workbookProperty);
		if (onlyWorkbook) continue;
		const properties = wanted.includes('*')
			? Object.keys(binaries).filter((k) => k !== workbookProperty && isXlsx(binaries[k]))
			: wanted.filter((k) => k !== workbookProperty && binaries[k] !== undefined);
		const expediteur = senderOf(itemIndex);
		if (properties.length === 0) {
			reports.push(missingReport(itemIndex, expediteur));
			continue;
		}
		for (const property of properties) {
			const fileName = binaries[property].fileName ?? `${property}.xlsx`;
			const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
			const report = await readReportWorkbook(buffer, fileName, itemIndex, parameters.limits);
			report.expediteur = expediteur;
			reports.push(report);
			dates.set(report, dateOf(itemIndex));
		}
	}
	return { reports, dates };
}
