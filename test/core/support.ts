/**
 * Outils communs aux tests du cœur : lecture d'un lot brut comme le fait le
 * nœud (readRecord + describeLot), calibrage avec des paramètres d'exécution
 * explicites, capture d'une AnomalyError.
 */
import type { CalibrationResult, Lot } from '../../nodes/core';
import {
	AnomalyError,
	Calibrator,
	describeLot,
	LOT_READER,
	parseCalibrationSettings,
	readRecord,
} from '../../nodes/core';

export type RawLot = Record<string, unknown>;

/** Espace insécable, tel que l'écrivent les messages et formules du cœur. */
export const NBSP = '\u00a0';

export function readLot(raw: RawLot): { lot: Lot; where: string } {
	const where = describeLot(raw);
	return { lot: readRecord(LOT_READER, raw, where), where };
}

export function calibrator(settings: Record<string, unknown> = {}): Calibrator {
	return new Calibrator(parseCalibrationSettings(settings));
}

/** Lit le lot brut puis le calibre avec les paramètres d'exécution donnés. */
export function calibrate(raw: RawLot, settings: Record<string, unknown> = {}): CalibrationResult {
	const { lot, where } = readLot(raw);
	return calibrator(settings).calibrate(lot, where);
}

/** Exécute `run`, vérifie qu'il lève une AnomalyError et la renvoie. */
export function anomalyFrom(run: () => unknown): AnomalyError {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(AnomalyError);
		return error as AnomalyError;
	}
	throw new Error('une AnomalyError était attendue, rien n’a été levé');
}

/** Règles des avertissements, dans l'ordre. */
export function warningRules(result: CalibrationResult): Array<string | undefined> {
	return result.avertissements.map((a) => a.regle);
}
