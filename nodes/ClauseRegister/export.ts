/** « Exporter » : un classeur daté, en lecture seule, par facilitateur ou par acheteur. */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Register } from '../adapters';
import { buildRegisterExport } from '../adapters';
import type { StoredReportLine } from '../core';
import { AnomalyError, fileNamePart, sameName, storedClause, storedReportLine } from '../core';
import type { ItemResult } from './items';
import { eachItem } from './items';
import { exportParameters } from './parameters';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function exportRegister(ctx: IExecuteFunctions, register: Register): Promise<INodeExecutionData[]> {
	return eachItem(ctx, async (_item, itemIndex) => {
		const p = exportParameters(ctx, itemIndex);
		const clauses = (await register.list('clause')).map((r) => ({ key: r.key, clause: storedClause(r) }));
		// Un groupe par facilitateur (ou acheteur), sous le nom écrit dans la première de ses clauses.
		const groups = new Map<string, { nom: string; clauses: typeof clauses }>();
		for (const entry of clauses) {
			const nom = p.par === 'facilitateur' ? entry.clause.facilitateur : entry.clause.acheteur;
			if (p.nom !== undefined && !sameName(nom, p.nom)) continue;
			const id = fileNamePart(nom);
			const group = groups.get(id) ?? { nom, clauses: [] };
			group.clauses.push(entry);
			groups.set(id, group);
		}
		if (groups.size === 0) {
			throw new AnomalyError([
				{
					gravite: 'erreur',
					champ: 'nom',
					libelle: 'nom',
					ou: 'paramètres du nœud',
					message: p.nom !== undefined ? `aucune clause en vigueur pour ${p.par === 'facilitateur' ? 'le facilitateur' : 'l’acheteur'} « ${p.nom} »` : 'aucune clause en vigueur dans le registre',
					correction: p.nom !== undefined ? 'Vérifiez le nom (tel qu’il figure dans les clauses), ou laissez-le vide pour exporter tout le registre.' : 'Enregistrez d’abord des notifications ou importez le classeur de suivi.',
					regle: 'registre.exportVide',
				},
			]);
		}
		const out: ItemResult[] = [];
		for (const [id, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
			const lines: StoredReportLine[] = [];
			for (const { key } of group.clauses) for (const line of await register.reportLines({ clauseKey: key })) lines.push(storedReportLine({ kind: 'relevé', key: `${line.clauseKey}|${line.month}|v${line.version}`, data: line.data }));
			const buffer = await buildRegisterExport({
				destinataire: { role: p.par, nom: group.nom },
				date: p.dateExport,
				clauses: group.clauses.map((c) => c.clause),
				lines,
				motDePasse: p.motDePasse,
			});
			const fileName = `registre-${id}-${p.dateExport}.xlsx`;
			out.push({
				json: { fichier: fileName, [p.par]: group.nom, date: p.dateExport, clauses: group.clauses.length, lignes: lines.length, lectureSeule: true },
				binary: { [p.binaryOutput]: await ctx.helpers.prepareBinaryData(buffer, fileName, XLSX) },
			});
		}
		return out;
	});
}
