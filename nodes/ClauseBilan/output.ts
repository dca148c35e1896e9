/** Sorties du nœud : le bilan (classeur, document pour les élus, synthèse) et un élément par ligne de chaque vue. */
import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { buildBilanReport, renderBilanPdf } from '../adapters';
import type { AnomalyLog, Bilan } from '../core';
import { POOL_SECTION_TITLE, bilanDocument, bilanFileNames, bilanSummary, bilanViewRows } from '../core';
import { commitmentSectionJson } from '../shared/commitments';
import { asJson, asJsonList, outputFile } from '../shared/parameters';
import type { Collected } from './collect';
import type { BilanParameters } from './parameters';

export async function bilanOutputs(ctx: IExecuteFunctions, bilan: Bilan, collected: Collected, parameters: BilanParameters, log: AnomalyLog): Promise<INodeExecutionData[][]> {
	const { titre, region, today } = parameters;
	const commitments = collected.commitments;
	const names = bilanFileNames(parameters.nomFichier, bilan.periode);
	const buffer = await buildBilanReport(bilan, { titre, region, dateBilan: today }, commitments);
	const binary: Record<string, IBinaryData> = { [parameters.binaryOutput]: await outputFile(ctx, buffer, names.xlsx, 'xlsx') };
	let documentElus: IDataObject | null = null;
	if (parameters.binaryPdf !== undefined) {
		const pdf = await renderBilanPdf(bilanDocument(bilan, { titre, collectivite: region, dateBilan: today }, commitments), { date: today, auteur: region ?? titre });
		binary[parameters.binaryPdf] = await outputFile(ctx, pdf.buffer, names.pdf, 'pdf');
		documentElus = { fichier: names.pdf, pages: pdf.pages, graphiques: pdf.graphiques.map((g) => ({ ...g })) };
	}
	const paired = ctx.getInputData().map((_item, item) => ({ item }));
	const summary: INodeExecutionData = {
		json: {
			fichier: names.xlsx,
			periode: bilan.periode,
			...bilan.synthese,
			lignesEnAnomalie: log.count,
			anomalies: asJsonList(log.anomalies),
			documentElus,
			mutualisation: bilan.mutualisation ? asJson({ section: POOL_SECTION_TITLE, ...bilan.mutualisation }) : null,
			autresConsiderationsSociales: commitments ? commitmentSectionJson(commitments) : null,
			synthese: bilanSummary(bilan, { titre, fichier: names.xlsx, dateBilan: today, pdf: documentElus ? names.pdf : undefined, autresConsiderations: commitments?.texte }),
		},
		binary,
		pairedItem: paired,
	};
	return [[summary], bilanViewRows(bilan).map((json) => ({ json, pairedItem: paired }))];
}
