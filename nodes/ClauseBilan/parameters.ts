/** Paramètres du nœud « Bilan des clauses sociales », lus et validés une fois par exécution. */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { BilanSettings, Facilitator, ReadLimits } from '../core';
import { FACILITATOR_READER, parseBilanSettings, parseJsonParameter, previousYear, readRecord, todayIn } from '../core';
import { toNodeError } from '../shared/items';
import { booleanParameter, choiceParameter, collectionParameter, textParameter } from '../shared/parameters';
import { readLimitsParameter } from '../shared/read-limits';

export interface BilanParameters {
	source: 'registre' | 'elements' | 'classeur';
	/** Champ binaire du classeur de suivi (source « classeur »). */
	binaryPropertyName: string;
	settings: BilanSettings;
	limits: ReadLimits;
	facilitators: Facilitator[];
	/** Montrer les groupes de mutualisation du registre (option, activée par défaut). */
	withPools: boolean;
	today: string;
	titre: string;
	/** Collectivité ; `undefined` si le paramètre est vide. */
	region: string | undefined;
	/** Nom demandé pour le classeur du bilan (vide : nom par défaut). */
	nomFichier: string;
	binaryOutput: string;
	/** Champ binaire du document pour les élus ; `undefined` : pas de document. */
	binaryPdf: string | undefined;
}

export function readBilanParameters(ctx: IExecuteFunctions): BilanParameters {
	const today = todayIn(ctx.getTimezone());
	let settings: BilanSettings;
	let limits: ReadLimits;
	let facilitators: Facilitator[];
	let withPools: boolean;
	try {
		limits = readLimitsParameter(ctx);
		const debut = String(ctx.getNodeParameter('debut', 0, '')).trim() || previousYear(today).debut;
		const fin = String(ctx.getNodeParameter('fin', 0, '')).trim();
		const options = collectionParameter(ctx);
		const nombre = Number(ctx.getNodeParameter('nombreMarches', 0, 0));
		settings = parseBilanSettings({
			debut,
			fin: fin || `${debut.slice(0, 4)}-12`,
			nombreMarches: nombre > 0 ? nombre : undefined,
			identifiantPersonnes: options.identifiantPersonnes,
			toleranceRetard: options.toleranceRetard,
		});
		withPools = options.mutualisation !== false;
		const raw = parseJsonParameter(ctx.getNodeParameter('facilitateurs', 0, '[]'), 'facilitateurs', 'facilitateurs (JSON)', '[{"nom": "PLIE du Val d’Argent", "territoires": ["79"]}]');
		facilitators = Array.isArray(raw) ? raw.map((f, i) => readRecord(FACILITATOR_READER, f, `facilitateur ${i + 1} du paramètre « Facilitateurs (JSON) »`)) : [];
	} catch (error) {
		throw toNodeError(ctx.getNode(), error, 0);
	}
	const source = choiceParameter(ctx, 'source', ['registre', 'elements', 'classeur'], 0, 'registre');
	return {
		source,
		binaryPropertyName: source === 'classeur' ? textParameter(ctx, 'binaryPropertyName', 0, 'data') : 'data',
		settings,
		limits,
		facilitators,
		withPools,
		today,
		titre: textParameter(ctx, 'titre'),
		region: textParameter(ctx, 'region') || undefined,
		nomFichier: String(ctx.getNodeParameter('nomFichier', 0, '')),
		binaryOutput: textParameter(ctx, 'binaryOutput', 0, 'data'),
		binaryPdf: booleanParameter(ctx, 'pdfElus', 0, true) ? textParameter(ctx, 'binaryPdf', 0, 'pdf') : undefined,
	};
}
