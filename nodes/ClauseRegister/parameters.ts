/** Paramètres des opérations de lecture, d'export et d'archivage, validés par zod (erreurs en français). */
import type { IExecuteFunctions } from 'n8n-workflow';
import { REGISTER_PARAMETER_LABELS as LABELS, RegisterClauseRefSchema, RegisterExportSchema, RegisterPeriodSchema, RegisterRetentionSchema, parseSettings, todayIn } from '../core';

const value = (ctx: IExecuteFunctions, name: string, itemIndex: number, fallback: unknown = '') => ctx.getNodeParameter(name, itemIndex, fallback);

export function periodParameters(ctx: IExecuteFunctions, itemIndex: number) {
	return parseSettings(RegisterPeriodSchema, { debut: value(ctx, 'debut', itemIndex), fin: value(ctx, 'fin', itemIndex), facilitateur: value(ctx, 'facilitateur', itemIndex) }, LABELS);
}

export function exportParameters(ctx: IExecuteFunctions, itemIndex: number) {
	const date = String(value(ctx, 'dateExport', itemIndex) ?? '').trim();
	return parseSettings(
		RegisterExportSchema,
		{
			par: value(ctx, 'par', itemIndex, 'facilitateur'),
			nom: value(ctx, 'nom', itemIndex),
			dateExport: date === '' ? todayIn(ctx.getTimezone()) : date,
			motDePasse: String(value(ctx, 'motDePasse', itemIndex) ?? ''),
			binaryOutput: value(ctx, 'binaryOutput', itemIndex, 'data'),
		},
		LABELS,
	);
}

export function clauseRefParameters(ctx: IExecuteFunctions, itemIndex: number) {
	return parseSettings(RegisterClauseRefSchema, { marche: value(ctx, 'marche', itemIndex), lot: value(ctx, 'lot', itemIndex), motif: value(ctx, 'motif', itemIndex) }, LABELS);
}

export function retentionParameters(ctx: IExecuteFunctions, itemIndex: number) {
	const date = String(value(ctx, 'dateReference', itemIndex) ?? '').trim();
	return parseSettings(
		RegisterRetentionSchema,
		{
			conservationMois: value(ctx, 'conservationMois', itemIndex, 60),
			dateReference: date === '' ? todayIn(ctx.getTimezone()) : date,
			mode: value(ctx, 'mode', itemIndex, 'apercu'),
		},
		LABELS,
	);
}
