/**
 * Bornes de vraisemblance des heures et des montants : au-delà, la valeur est
 * une erreur de saisie (unité, zéros en trop, cellule collée au mauvais
 * endroit), pas une donnée. Elles ne remplacent pas les règles du droit
 * (planchers, seuils) : elles arrêtent l'absurde avant tout calcul.
 *
 * Chaque borne porte sa source ; les schémas les appliquent par défaut
 * (PLAUSIBILITY_BOUNDS), un appelant peut en fournir d'autres (boundsWith).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

import type { Anomaly } from './anomalies';
import { AnomalyError } from './anomalies';
import { formatNumber } from './format';

export interface PlausibilityBound {
	max: number;
	unit: string;
	/** D'où vient la borne, dit dans la correction. */
	source: string;
}

export interface PlausibilityBounds {
	/** Heures d'insertion dues par une clause (un lot). */
	heuresDues: PlausibilityBound;
	/** Heures d'un participant dans un mois (ligne de relevé), travail ou formation. */
	heuresMois: PlausibilityBound;
	/** Montant HT d'un lot. */
	montantLot: PlausibilityBound;
	/** Heures d'insertion que donne le calcul pour un lot. */
	heuresCalculees: PlausibilityBound;
}

export const PLAUSIBILITY_BOUNDS: Readonly<PlausibilityBounds> = Object.freeze({
	heuresDues: {
		max: 1_000_000,
		unit: 'h',
		source: 'un million d\u2019heures, soit plus de 600 ETP pendant un an : au-delà des plus grands lots clausés connus',
	},
	heuresMois: {
		max: 260,
		unit: 'h',
		source: '60 h par semaine, durée maximale absolue du travail sur dérogation (code du travail, art. L3121-21), soit 260 h par mois',
	},
	montantLot: {
		max: 5_000_000_000,
		unit: '€',
		source: '5 milliards d\u2019euros HT, au-delà des plus grands marchés publics français attribués',
	},
	heuresCalculees: {
		max: 1_000_000,
		unit: 'h',
		source: 'un million d\u2019heures, borne des heures dues',
	},
});

/**
 * Bornes en vigueur pour l'exécution en cours d'un nœud (paramètre « Bornes de
 * vraisemblance ») : les schémas les lisent au moment de valider, sans qu'on
 * les leur passe. Une exécution concurrente garde les siennes (contexte
 * asynchrone propre) ; sans réglage, les bornes par défaut.
 */
const activeBounds = new AsyncLocalStorage<PlausibilityBounds>();

/** Bornes en vigueur pour la suite de l'exécution en cours (appelé au début d'`execute`). */
export function usePlausibilityBounds(bounds: PlausibilityBounds): void {
	activeBounds.enterWith(bounds);
}

/** Exécute `fn` avec ces bornes. */
export function withPlausibilityBounds<T>(bounds: PlausibilityBounds, fn: () => T): T {
	return activeBounds.run(bounds, fn);
}

/** La borne en vigueur. */
export function plausibilityBound(key: keyof PlausibilityBounds): PlausibilityBound {
	return (activeBounds.getStore() ?? PLAUSIBILITY_BOUNDS)[key];
}

/** Bornes par défaut, certaines remplacées. */
export function boundsWith(overrides: Partial<Record<keyof PlausibilityBounds, number>>): PlausibilityBounds {
	const out = { ...PLAUSIBILITY_BOUNDS };
	for (const [key, max] of Object.entries(overrides) as Array<[keyof PlausibilityBounds, number | undefined]>) {
		if (max !== undefined) out[key] = { ...out[key], max };
	}
	return out;
}

/** Message et correction d'une valeur au-delà de sa borne de vraisemblance. */
export function implausible(value: number, bound: PlausibilityBound): { message: string; correction: string } {
	const unit = `\u00a0${bound.unit}`;
	return {
		message: `valeur invraisemblable (${formatNumber(value)}${unit}, au-delà de ${formatNumber(bound.max)}${unit})`,
		correction: `Vérifiez la saisie (unité, zéros en trop, cellule décalée) ; borne : ${bound.source}.`,
	};
}

/** Heures issues du calcul d'un lot : une AnomalyError si elles dépassent la borne (montant ou taux absurdes). */
export function assertPlausibleHours(hours: number, where: string, bound: PlausibilityBound = plausibilityBound('heuresCalculees')): void {
	if (!(hours > bound.max)) return;
	const { message, correction } = implausible(Math.round(hours), bound);
	throw new AnomalyError([
		{
			gravite: 'erreur',
			champ: 'heures',
			libelle: 'heures d\u2019insertion calculées',
			ou: where,
			message,
			correction: `Vérifiez le montant, les taux et le coût horaire du lot. ${correction}`,
			regle: 'nombre.invraisemblable',
		},
	]);
}

/**
 * Doublons d'une liste selon une clé : pour chaque élément répété, l'indice
 * de sa première occurrence. Les éléments sans clé (`undefined`) sont ignorés.
 */
export function duplicatesOf<T>(items: readonly T[], keyOf: (item: T) => string | undefined): Map<number, number> {
	const first = new Map<string, number>();
	const out = new Map<number, number>();
	items.forEach((item, index) => {
		const key = keyOf(item);
		if (key === undefined) return;
		const seen = first.get(key);
		if (seen === undefined) first.set(key, index);
		else out.set(index, seen);
	});
	return out;
}

/** Anomalie d'un enregistrement en double : dit où est l'autre. */
export function duplicateAnomaly(what: string, where: string, firstWhere: string, correction: string, regle: string, champ = 'lot'): Anomaly {
	return { gravite: 'erreur', champ, libelle: what, ou: where, message: `${what} en double : déjà présent (${firstWhere})`, correction, regle };
}

/** Clause en double dans le registre (même marché, même lot) : où est l'autre. */
export function duplicateClause(clause: { marche: string; lot: string }, where: string, firstWhere: string): Anomaly {
	return duplicateAnomaly(
		`clause du marché ${clause.marche}, lot ${clause.lot}`,
		where,
		firstWhere,
		'Chaque couple marché-lot ne doit figurer qu\u2019une fois dans le registre : supprimez ou corrigez le doublon (seule la première ligne est comptée).',
		'clause.doublon',
		'marche',
	);
}
