/**
 * Le facilitateur (PLIE, Maison de l'emploi…) et les territoires qu'il couvre.
 * Un lieu d'exécution sans facilitateur est une « zone blanche ».
 */
import { z } from 'zod/v4';

import type { FieldLabels } from '../anomalies';
import { buildKeyIndex } from '../keys';
import type { RecordReader } from '../records';
import { optional, text, textList } from './primitives';

export const FacilitatorSchema = z.object({
	nom: text({ max: 200 }),
	structure: optional(text({ max: 200 })),
	email: optional(text({ max: 320 })),
	telephone: optional(text({ max: 40 })),
	territoires: textList({
		min: 1,
		correction: 'Indiquez au moins un territoire couvert (code de département, commune ou intercommunalité).',
	}),
});

export type Facilitator = z.output<typeof FacilitatorSchema>;

export const FACILITATOR_LABELS: FieldLabels = {
	nom: 'nom du facilitateur',
	structure: 'structure',
	email: 'courriel',
	telephone: 'téléphone',
	territoires: 'territoires couverts',
};

export const FACILITATOR_READER: RecordReader<typeof FacilitatorSchema> = {
	schema: FacilitatorSchema,
	labels: FACILITATOR_LABELS,
	keys: buildKeyIndex(Object.keys(FacilitatorSchema.shape), {
		nom: ['facilitateur', 'nom', 'contact'],
		email: ['courriel', 'e-mail', 'mail', 'adresse électronique'],
		territoires: ['territoire', 'territoires couverts', 'zone'],
	}, FACILITATOR_LABELS),
};
