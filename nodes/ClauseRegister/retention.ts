/**
 * « Anonymiser les relevés échus » : au terme de la durée de conservation, les
 * lignes de relevé (toutes versions) perdent les données qui se rattachent à une
 * personne ; les heures, l'employeur et la forme du contrat restent pour le
 * suivi et le bilan. En aperçu (par défaut), rien n'est écrit : le nœud dit ce
 * qui le serait.
 */
import { createHmac, randomBytes } from 'node:crypto';

import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Register } from '../adapters';
import { ANONYMOUS_PREFIX, anonymiseLine, retentionStart } from '../core';
import { eachItem } from './items';
import { retentionParameters } from './parameters';

export function anonymiseExpiredReports(ctx: IExecuteFunctions, register: Register): Promise<INodeExecutionData[]> {
	return eachItem(ctx, async (_item, itemIndex) => {
		const p = retentionParameters(ctx, itemIndex);
		const avant = retentionStart(p.dateReference, p.conservationMois);
		// Alias : même personne, même clause → même alias pendant cette anonymisation ; la clé
		// tirée au hasard n'est gardée nulle part, l'identifiant d'origine ne se retrouve pas.
		const salt = randomBytes(32);
		const result = await register.rewriteReportLinesBefore(
			avant,
			(data, clauseKey) => anonymiseLine(data, (participant) => `${ANONYMOUS_PREFIX}${createHmac('sha256', salt).update(`${clauseKey}\u001f${participant}`).digest('base64url').slice(0, 12)}`),
			{ apply: p.mode === 'appliquer', action: 'anonymisation' },
		);
		return [
			{
				json: {
					resultat: p.mode === 'appliquer' ? 'anonymisé' : 'aperçu',
					conservationMois: p.conservationMois,
					dateReference: p.dateReference,
					moisConservesDepuis: avant,
					lignes: result.lines,
					releves: result.reports,
					clauses: result.clauses,
				},
			},
		];
	});
}
