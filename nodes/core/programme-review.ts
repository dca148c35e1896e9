/**
 * Revue annuelle de la programmation des achats : l'étude de faisabilité passée
 * sur tout le fichier de programmation de l'année (une revue de « 150 marchés
 * par an » dans tous les services : Villes et Territoires Languedoc-Roussillon,
 * fiche n° 8 « clauses sociales », 2016), lue comme un portefeuille :
 * - par marché, la ou les considérations sociales à porter et les heures ;
 * - par facilitateur, les heures à accompagner et la charge qu'elles
 *   représentent (en ETP de facilitateur, au ratio d'une équipe qui accompagne
 *   600 000 heures par an avec 5,5 ETP, même fiche : Maison de l'emploi de
 *   Toulouse Métropole ; paramètre) ;
 * - les marchés au-delà du seuil européen sans condition d'exécution sociale
 *   (loi Climat et résilience, art. 35 : à justifier).
 * Fonctions pures, sur les résultats de l'étude (StudyRow).
 */
import { z } from 'zod/v4';

import type { MechanismRecommendation } from './feasibility';
import { roundTo } from './numbers';
import { parseSettings } from './records';
import { decimal, normalizeToken } from './schemas/primitives';
import type { StudyRow } from './study-summary';
import { retainedHours } from './study-summary';

/** Heures d'insertion accompagnées par ETP de facilitateur et par an : 600 000 h pour 5,5 ETP (Toulouse Métropole). */
export const DEFAULT_HOURS_PER_FACILITATOR_FTE = roundTo(600000 / 5.5, 0);

export const ProgrammeReviewSettingsSchema = z.object({
	heuresParEtpFacilitateur: decimal({ min: 1, unit: 'h', example: '109 091' }).default(DEFAULT_HOURS_PER_FACILITATOR_FTE),
	heuresParEtp: decimal({ min: 1, unit: 'h', example: '1 607' }).default(1607),
});
export type ProgrammeReviewSettings = z.output<typeof ProgrammeReviewSettingsSchema>;

export function parseProgrammeReviewSettings(input: Record<string, unknown>): ProgrammeReviewSettings {
	return parseSettings(ProgrammeReviewSettingsSchema, input, {
		heuresParEtpFacilitateur: 'heures accompagnées par ETP de facilitateur',
		heuresParEtp: 'heures d\u2019un ETP',
	});
}

/** Mécanismes qui sont des conditions d'exécution sociales (L2112-2) ou qui en tiennent lieu (marché réservé, marché d'insertion). */
const EXECUTION_CONDITIONS = new Set(['clauseExecution', 'actionsQualitatives', 'marcheReserveEa', 'marcheReserveSiae', 'marcheInsertion']);

export interface ReviewMarket {
	marche: string;
	objet: string | null;
	lots: number;
	lotsAvecClause: number;
	montantHT: number;
	considerations: string;
	mecanismes: string;
	heures: number;
	facilitateurs: string;
	seuilEuropeenDepasse: boolean;
	conditionExecutionSociale: boolean;
	/** Au-delà du seuil européen sans condition d'exécution sociale : absence à justifier. */
	aJustifier: boolean;
	motifs: string;
}

export interface ReviewFacilitator {
	facilitateur: string;
	marches: number;
	lots: number;
	heures: number;
	etpInsertion: number;
	chargeEtpFacilitateur: number;
}

export interface ProgrammeReview {
	marches: ReviewMarket[];
	parFacilitateur: ReviewFacilitator[];
	aJustifier: ReviewMarket[];
	totaux: { marches: number; marchesAvecConsideration: number; lots: number; lotsEnErreur: number; heures: number; etpInsertion: number; chargeEtpFacilitateur: number; aJustifier: number };
	parametres: ProgrammeReviewSettings;
}

const NO_FACILITATOR = 'Sans facilitateur (zone blanche ou sous le seuil)';

/** Le portefeuille de la programmation, marché par marché et facilitateur par facilitateur. */
export function reviewProgramme(rows: StudyRow[], settings: ProgrammeReviewSettings): ProgrammeReview {
	const byMarket = new Map<string, StudyRow[]>();
	for (const row of rows) {
		const key = normalizeToken(row.marche ?? `lot ${row.lot ?? '?'}`);
		const list = byMarket.get(key);
		if (list) list.push(row);
		else byMarket.set(key, [row]);
	}
	const facilitators = new Map<string, { marches: Set<string>; lots: number; heures: number }>();
	const marches: ReviewMarket[] = [];
	let errors = 0;
	for (const list of byMarket.values()) {
		const studied = list.filter((r) => !r.erreur && r.faisabilite);
		errors += list.length - studied.length;
		const marche = list[0].marche ?? `lot ${list[0].lot ?? '?'}`;
		const considerations = new Set<string>();
		const mechanisms = new Map<string, MechanismRecommendation>();
		const motifs = new Set<string>();
		const facs = new Set<string>();
		let heures = 0;
		let withClause = 0;
		let above = false;
		for (const r of studied) {
			const f = r.faisabilite!;
			const h = retainedHours(r);
			heures += h;
			if (f.decision === 'clause') withClause++;
			above ||= f.seuilEuropeen.depasse;
			for (const c of f.considerationsSociales) if (c !== 'Pas de considération sociale') considerations.add(c);
			for (const m of f.mecanismes) if (!m.option) mechanisms.set(m.code, m);
			for (const reason of f.raisons) motifs.add(reason.libelle);
			const fac = f.facilitateur?.nom ?? NO_FACILITATOR;
			if (f.decision === 'clause' || h > 0) {
				facs.add(fac);
				const entry = facilitators.get(fac) ?? { marches: new Set<string>(), lots: 0, heures: 0 };
				entry.marches.add(marche);
				entry.lots++;
				entry.heures += h;
				facilitators.set(fac, entry);
			}
		}
		const condition = [...mechanisms.keys()].some((code) => EXECUTION_CONDITIONS.has(code));
		marches.push({
			marche,
			objet: list.find((r) => r.objet)?.objet ?? null,
			lots: list.length,
			lotsAvecClause: withClause,
			// Montant du marché entier, tel que l'étude l'a cumulé sur ses lots.
			montantHT: studied[0]?.faisabilite?.montantMarcheHT ?? 0,
			considerations: considerations.size > 0 ? [...considerations].join(', ') : 'Pas de considération sociale',
			mecanismes: [...mechanisms.values()].map((m) => m.libelle).join(' ; '),
			heures: roundTo(heures, 2),
			facilitateurs: [...facs].join(', '),
			seuilEuropeenDepasse: above,
			conditionExecutionSociale: condition,
			aJustifier: above && !condition,
			motifs: [...motifs].join(' ; '),
		});
	}
	const parFacilitateur = [...facilitators]
		.map(([facilitateur, e]) => ({
			facilitateur,
			marches: e.marches.size,
			lots: e.lots,
			heures: roundTo(e.heures, 2),
			etpInsertion: roundTo(e.heures / settings.heuresParEtp, 2),
			chargeEtpFacilitateur: roundTo(e.heures / settings.heuresParEtpFacilitateur, 3),
		}))
		.sort((a, b) => b.heures - a.heures);
	const heures = marches.reduce((sum, m) => sum + m.heures, 0);
	const aJustifier = marches.filter((m) => m.aJustifier);
	return {
		marches,
		parFacilitateur,
		aJustifier,
		totaux: {
			marches: marches.length,
			marchesAvecConsideration: marches.filter((m) => m.considerations !== 'Pas de considération sociale').length,
			lots: rows.length,
			lotsEnErreur: errors,
			heures: roundTo(heures, 2),
			etpInsertion: roundTo(heures / settings.heuresParEtp, 2),
			chargeEtpFacilitateur: roundTo(heures / settings.heuresParEtpFacilitateur, 3),
			aJustifier: aJustifier.length,
		},
		parametres: settings,
	};
}
