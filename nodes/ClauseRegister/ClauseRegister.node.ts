import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { clausesRegistreTest } from '../shared/register';
import { REGISTER_PROPERTIES } from './description';
import { route } from './router';

export class ClauseRegister implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Registre des clauses',
		name: 'clauseRegister',
		icon: { light: 'file:clauseRegister.svg', dark: 'file:clauseRegister.dark.svg' },
		group: ['transform'],
		version: 1,
		// Libellé français de l'opération sous le nom du nœud (la valeur technique sinon).
		subtitle:
			'={{ $parameter["operation"] === "archiver" ? "Archiver une clause" : $parameter["operation"] === "declarerEngagement" ? "Enregistrer un engagement" : $parameter["operation"] === "enregistrerJustificatif" ? "Enregistrer un justificatif" : $parameter["operation"] === "enregistrerEtude" ? "Enregistrer l’étude" : $parameter["operation"] === "enregistrerFicheVisa" ? "Enregistrer la fiche visa" : $parameter["operation"] === "enregistrerNotification" ? "Enregistrer la notification" : $parameter["operation"] === "exporter" ? "Exporter" : $parameter["operation"] === "exporterDecp" ? "Exporter les données essentielles (DECP)" : $parameter["operation"] === "importerDecp" ? "Importer des données essentielles (DECP)" : $parameter["operation"] === "historique" ? "Historique d’une clause" : $parameter["operation"] === "importerClasseur" ? "Importer le classeur de suivi" : $parameter["operation"] === "lireClauses" ? "Lire les clauses" : $parameter["operation"] }}',
		description:
			'Le registre des clauses sociales d’insertion : étude, fiche visa et notification enregistrées sans ressaisie, engagements sociaux et leurs justificatifs, import du classeur de suivi, export par facilitateur ou par acheteur, données essentielles (DECP) exportées et importées, lecture des clauses en vigueur et de leur historique',
		defaults: { name: 'Registre des clauses' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'clausesRegistreApi',
				required: false,
				testedBy: 'clausesRegistreTest',
			},
		],
		properties: REGISTER_PROPERTIES,
	};

	methods = { credentialTest: { clausesRegistreTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await route(this)];
	}
}
