/**
 * Sorties des nœuds du paquet relues par les nœuds suivants (étude de
 * faisabilité, calibrage, éléments en erreur de « continuer en cas d'échec »).
 * Ces données viennent du paquet lui-même : le schéma vérifie leur marque
 * (décision de l'étude, heures du calibrage, liste d'anomalies) ; une donnée
 * sans cette marque (élément d'un autre nœud, champ effacé) est ignorée.
 */
import { z } from 'zod/v4';

import type { Anomaly } from '../anomalies';
import type { CalibrationResult } from '../calibration';
import type { FeasibilityResult } from '../feasibility';

function isRecord(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Résultat du nœud « Étude de faisabilité » (champ `faisabilite`). */
export const UpstreamFeasibilitySchema = z.custom<FeasibilityResult>((v) => isRecord(v) && typeof v.decision === 'string');

/** Résultat du nœud « Calibrage des heures » (champ `calibrage`). */
export const UpstreamCalibrationSchema = z.custom<CalibrationResult>((v) => isRecord(v) && typeof v.heures === 'number');

/** Anomalies d'un élément en erreur en amont (`details.anomalies`). */
export const UpstreamAnomaliesSchema = z.custom<Anomaly[]>((v) => Array.isArray(v));

/** Données d'un élément en erreur en amont (`details`) : correction, anomalies, données d'entrée. */
export const UpstreamDetailsSchema = z.custom<{ anomalies?: unknown; donnees?: unknown }>(isRecord);

/** La valeur si elle porte la marque du schéma, sinon rien. */
export function upstream<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
	const parsed = schema.safeParse(value);
	return parsed.success ? parsed.data : undefined;
}

/** Texte d'un champ d'un élément : un nombre devient texte, un texte vide ou absent rien. */
export function upstreamText(value: unknown): string | undefined {
	if (typeof value === 'number') return String(value);
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
