/** « Lire les clauses » (en vigueur sur une période, heures déclarées) et « Historique d’une clause ». */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Register } from '../adapters';
import { clauseKey, inForce, sameName, storedClause } from '../core';
import { eachItem } from './items';
import { clauseRefParameters, periodParameters } from './parameters';
import { unknownClause } from './archive';
import { asJson, asJsonList } from '../shared/parameters';

export function readClauses(ctx: IExecuteFunctions, register: Register): Promise<INodeExecutionData[]> {
	return eachItem(ctx, async (_item, itemIndex) => {
		const period = periodParameters(ctx, itemIndex);
		const records = (await register.list('clause')).map((r) => ({ ...r, clause: storedClause(r) })).filter(({ clause }) => {
			return inForce(clause, period) && (period.facilitateur === undefined || sameName(clause.facilitateur, period.facilitateur));
		});
		const hours = await register.monthHours(records.map((r) => r.key));
		const byClause = new Map<string, Array<{ mois: string; heures: number }>>();
		for (const h of hours) byClause.set(h.clauseKey, [...(byClause.get(h.clauseKey) ?? []), { mois: h.month, heures: h.hours }]);
		return records.map(({ clause, ...record }) => {
			const months = byClause.get(record.key) ?? [];
			const declared = Math.round(months.reduce((sum, m) => sum + m.heures, 0) * 100) / 100;
			return {
				json: {
					cle: record.key,
					version: record.version,
					...(asJson(clause)),
					heuresDeclarees: declared,
					heuresRestantes: Math.max(0, Math.round((clause.heuresDues - declared) * 100) / 100),
					moisDeclares: asJsonList(months),
				},
			};
		});
	});
}

export function clauseHistory(ctx: IExecuteFunctions, register: Register): Promise<INodeExecutionData[]> {
	return eachItem(ctx, async (_item, itemIndex) => {
		const { marche, lot } = clauseRefParameters(ctx, itemIndex);
		const key = clauseKey({ marche, lot });
		const versions = await register.versions('clause', key);
		if (versions.length === 0) throw unknownClause(marche, lot, itemIndex);
		const history = await register.historyOf('clause', key);
		const current = versions[versions.length - 1];
		return [
			{
				json: {
					cle: key,
					marche,
					lot,
					versionEnVigueur: current.version,
					archivee: current.archived,
					// Conversions imposées par les types de n8n : les données d'une version et le détail d'une écriture sont du JSON relu tel quel, de forme libre (toute nature de fiche), qu'IDataObject ne sait pas décrire comme `unknown`.
					versions: versions.map((v) => ({ version: v.version, archivee: v.archived, enregistreeLe: v.recordedAt, source: v.source ?? null, donnees: v.data as IDataObject })),
					historique: history.map((h) => ({ le: h.at, action: h.action, detail: (h.detail ?? null) as IDataObject | null, execution: h.execution ?? null })),
				},
			},
		];
	});
}
