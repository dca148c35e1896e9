/** Paramètres des opérations de lecture, d'export et d'archivage, validés par zod (erreurs en français). */
import type { IExecuteFunctions } from 'n8n-workflow';
import { z } from 'zod/v4';

import { isoDate, optional, parseSettings, text, todayIn } from '../core';

const PeriodSchema = z.object({ debut: isoDate(), fin: isoDate(), facilitateur: optional(text({ max: 200 })) }).superRefine((p, ctx) => {
	if (p.fin < p.debut) ctx.addIssue({ code: 'custom', path: ['fin'], message: 'fin de la période antérieure à son début', params: { correction: 'Saisissez une fin postérieure au début (AAAA-MM-JJ).', regle: 'registre.periode' } });
});

const ExportSchema = z.object({
	par: z.enum(['facilitateur', 'acheteur']),
	nom: optional(text({ max: 200 })),
	dateExport: isoDate(),
	motDePasse: z.string(),
	binaryOutput: text({ max: 100 }),
});

const ClauseRefSchema = z.object({ marche: text({ max: 200 }), lot: text({ max: 100 }), motif: optional(text({ max: 500 })) });

const LABELS = {
	debut: 'début de la période',
	fin: 'fin de la période',
	facilitateur: 'facilitateur',
	par: 'un classeur par',
	nom: 'nom',
	dateExport: 'date de l’export',
	motDePasse: 'mot de passe de protection',
	binaryOutput: 'champ binaire de sortie',
	marche: 'marché',
	lot: 'lot',
	motif: 'motif de l’archivage',
};

const value = (ctx: IExecuteFunctions, name: string, itemIndex: number, fallback: unknown = '') => ctx.getNodeParameter(name, itemIndex, fallback);

export function periodParameters(ctx: IExecuteFunctions, itemIndex: number) {
	return parseSettings(PeriodSchema, { debut: value(ctx, 'debut', itemIndex), fin: value(ctx, 'fin', itemIndex), facilitateur: value(ctx, 'facilitateur', itemIndex) }, LABELS);
}

export function exportParameters(ctx: IExecuteFunctions, itemIndex: number) {
	const date = String(value(ctx, 'dateExport', itemIndex) ?? '').trim();
	return parseSettings(
		ExportSchema,
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
	return parseSettings(ClauseRefSchema, { marche: value(ctx, 'marche', itemIndex), lot: value(ctx, 'lot', itemIndex), motif: value(ctx, 'motif', itemIndex) }, LABELS);
}
