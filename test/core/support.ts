/**
 * Outils communs aux tests du cœur : lecture d'un lot brut comme le fait le
 * nœud (readRecord + describeLot), calibrage avec des paramètres d'exécution
 * explicites, capture d'une AnomalyError.
 */
import fs from 'node:fs';
import path from 'node:path';

import type { CalibrationResult, ClauseRecord, Lot, PenaltySettingsInput } from '../../nodes/core';
import {
	AnomalyError,
	Calibrator,
	describeLot,
	CLAUSE_READER,
	LOT_READER,
	PENALTY_SETTINGS_LABELS,
	PenaltySettingsSchema,
	parseCalibrationSettings,
	parseSettings,
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

/**
 * Registre et relevés d'exemple livrés (workflows/donnees-exemple), les clauses
 * lues comme le fait le nœud, et le lot 9 du marché 2025-TRX-031 qui sert
 * d'exemple aux tests de la réception et du relevé en ligne.
 */
export function sampleFollowUp(): { registre: RawLot[]; releves: RawLot[]; clauses: ClauseRecord[]; lot9: ClauseRecord } {
	const sample = path.join(__dirname, '..', '..', 'workflows', 'donnees-exemple');
	const registre: RawLot[] = JSON.parse(fs.readFileSync(path.join(sample, 'registre-clauses.json'), 'utf8'));
	const releves: RawLot[] = JSON.parse(fs.readFileSync(path.join(sample, 'releves-2026.json'), 'utf8'));
	const clauses = registre.map((c, i) => readRecord(CLAUSE_READER, c, `clause ${i + 1}`));
	const lot9 = clauses.find((c) => c.marche === '2025-TRX-031' && c.lot === '9');
	if (!lot9) throw new Error('Registre d’exemple : lot 9 du marché 2025-TRX-031 introuvable');
	return { registre, releves, clauses, lot9 };
}

/** Réglages des pénalités des tests : ceux du CCAP d'exemple, à la date de calcul donnée ; `extra` en change d'autres. */
export const penaltySettingsAt = (dateCalcul: string, extra: Partial<Record<keyof PenaltySettingsInput, unknown>> = {}) =>
	parseSettings(
		PenaltySettingsSchema,
		{
			dateCalcul,
			echeance: 'finExecution',
			tauxHoraire: 60,
			tauxJourRetardReleve: 100,
			tauxJourRetardBilan: 300,
			plafondPourcentage: 20,
			plafondAssiette: 'annuel',
			delaiGraceJours: 0,
			miseEnDemeureRequise: true,
			delaiMiseEnDemeureJours: 15,
			delaiBilanJours: 30,
			delaiObservationsJours: 15,
			...extra,
		},
		PENALTY_SETTINGS_LABELS,
	);
