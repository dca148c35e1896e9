/**
 * Bornes de vraisemblance en options des nœuds qui les appliquent (défauts et
 * sources : ceux du cœur, PLAUSIBILITY_BOUNDS, écrits en littéraux comme
 * l'exige n8n ; un test vérifie qu'ils le restent).
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { PlausibilityBounds } from '../core';
import { boundsWith, compareFrench, formatNumber, usePlausibilityBounds } from '../core';

/** Nom de l'option de chaque borne. */
export const PLAUSIBILITY_OPTIONS: Readonly<Record<keyof PlausibilityBounds, string>> = Object.freeze({
	heuresDues: 'borneHeuresDues',
	heuresMois: 'borneHeuresMois',
	montantLot: 'borneMontantLot',
	heuresCalculees: 'borneHeuresCalculees',
});

const PROPERTIES: Record<keyof PlausibilityBounds, INodeProperties> = {
	heuresCalculees: {
		displayName: 'Vraisemblance : heures calculées pour un lot, au plus (h)',
		name: PLAUSIBILITY_OPTIONS.heuresCalculees,
		type: 'number',
		default: 1000000,
		typeOptions: { minValue: 1 },
		description:
			'Au-delà, le montant, les taux ou le coût horaire du lot sont tenus pour une erreur de saisie et le lot est refusé. Défaut : un million d’heures, la borne des heures dues.',
	},
	heuresDues: {
		displayName: 'Vraisemblance : heures dues par une clause, au plus (h)',
		name: PLAUSIBILITY_OPTIONS.heuresDues,
		type: 'number',
		default: 1000000,
		typeOptions: { minValue: 1 },
		description:
			'Au-delà, la valeur est tenue pour une erreur de saisie et la ligne est refusée. Défaut : un million d’heures, soit plus de 600 ETP pendant un an, au-delà des plus grands lots clausés connus.',
	},
	heuresMois: {
		displayName: 'Vraisemblance : heures d’une personne dans un mois, au plus (h)',
		name: PLAUSIBILITY_OPTIONS.heuresMois,
		type: 'number',
		default: 260,
		typeOptions: { minValue: 1 },
		description:
			'Au-delà, la ligne de relevé est refusée comme erreur de saisie. Défaut : 60 h par semaine, durée maximale absolue du travail sur dérogation (code du travail, art. L3121-21), soit 260 h par mois.',
	},
	montantLot: {
		displayName: 'Vraisemblance : montant HT d’un lot, au plus (€)',
		name: PLAUSIBILITY_OPTIONS.montantLot,
		type: 'number',
		default: 5000000000,
		typeOptions: { minValue: 1 },
		description: 'Au-delà, le montant est tenu pour une erreur de saisie et le lot est refusé. Défaut : 5 milliards d’euros HT, au-delà des plus grands marchés publics français attribués.',
	},
};

/** Entrées de la collection « Options » pour les bornes que le nœud applique, dans l'ordre alphabétique de n8n. */
export function plausibilityProperties(keys: Array<keyof PlausibilityBounds>): INodeProperties[] {
	return keys.map((key) => PROPERTIES[key]).sort((a, b) => compareFrench(a.displayName, b.displayName));
}

/** Bornes des options du nœud (défauts pour les autres) ; une borne qui n'est pas un nombre positif est une erreur du nœud. */
export function plausibilityParameter(ctx: IExecuteFunctions, itemIndex = 0): PlausibilityBounds {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const overrides: Partial<Record<keyof PlausibilityBounds, number>> = {};
	for (const [key, name] of Object.entries(PLAUSIBILITY_OPTIONS) as Array<[keyof PlausibilityBounds, string]>) {
		const value = options[name];
		if (value === undefined || value === '' || value === null) continue;
		const n = Number(value);
		if (!Number.isFinite(n) || n <= 0) {
			throw new NodeOperationError(ctx.getNode(), `Option « ${PROPERTIES[key].displayName} » invalide : ${typeof value === 'number' ? formatNumber(value) : String(value)} n’est pas un nombre positif`, {
				itemIndex,
				description: 'Corrigez la borne dans les options du nœud, ou retirez-la pour garder la valeur par défaut.',
			});
		}
		overrides[key] = n;
	}
	return boundsWith(overrides);
}

/** Applique les bornes des options du nœud à la suite de son exécution (à appeler au début d'`execute`). */
export function applyPlausibilityParameter(ctx: IExecuteFunctions): void {
	usePlausibilityBounds(plausibilityParameter(ctx));
}
