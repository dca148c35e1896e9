/**
 * Mutualisation des heures et entreprises intervenantes au registre :
 * « Enregistrer un groupe de mutualisation », « Enregistrer les sous-traitants
 * et cotraitants » (fiches versionnées), « Situation des groupes de
 * mutualisation » (la part de chaque marché et l'obligation mutualisée, tous
 * acheteurs d'un facilitateur confondus) et « Heures par employeur ».
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Register } from '../adapters';
import type { ClauseRecord, IsoMonth } from '../core';
import {
	AnomalyError,
	INTERVENANT_LABELS,
	IntervenantsRecordSchema,
	POOL_LABELS,
	POOL_VIEW_LABELS,
	PoolRecordSchema,
	PoolViewSettingsSchema,
	addMonths,
	checkPool,
	clauseKey,
	employerTable,
	missingEmployerLines,
	monthOf,
	normalizeToken,
	parseSettings,
	poolStatus,
	sameName,
	todayIn,
	writeState,
} from '../core';
import { readRegisterClauses } from '../shared/follow-up';
import { readIntervenants, readPools, readReceivedLines } from '../shared/pooling';
import { unknownClause } from './archive';
import type { ItemResult } from './items';
import { eachItem } from './items';
import { asJson, asJsonList, collectionParameter, isDataObject } from '../shared/parameters';

function listParameter(ctx: IExecuteFunctions, name: string, entry: string, itemIndex: number): IDataObject[] {
	const list = collectionParameter(ctx, name, itemIndex)[entry];
	return Array.isArray(list) ? list.filter(isDataObject) : [];
}

/** Clauses lisibles du registre, par clé marché/lot. */
async function clauseIndex(register: Register): Promise<Map<string, ClauseRecord>> {
	const index = new Map<string, ClauseRecord>();
	for (const entry of await readRegisterClauses(register)) if (entry.value) index.set(clauseKey(entry.value), entry.value);
	return index;
}

export function declarePool(ctx: IExecuteFunctions, register: Register): Promise<INodeExecutionData[]> {
	return eachItem(ctx, async (_item, itemIndex) => {
		const pool = parseSettings(
			PoolRecordSchema,
			{
				groupe: ctx.getNodeParameter('groupe', itemIndex, ''),
				libelle: ctx.getNodeParameter('libelleGroupe', itemIndex, ''),
				perimetre: ctx.getNodeParameter('perimetre', itemIndex, 'acheteur'),
				fondement: ctx.getNodeParameter('fondement', itemIndex, ''),
				clauses: listParameter(ctx, 'clausesGroupe', 'clause', itemIndex),
			},
			POOL_LABELS,
		);
		const clauses = await clauseIndex(register);
		const { titulaire, siret, cles } = checkPool(pool, (k) => clauses.get(k), await readPools(register));
		const key = normalizeToken(pool.groupe);
		const result = await register.put('mutualisation', key, pool, `déclaration du groupe de mutualisation (${pool.fondement})`);
		return [
			{
				json: {
					groupe: pool.groupe,
					libelle: pool.libelle ?? pool.groupe,
					version: result.version,
					etat: writeState(result),
					perimetre: pool.perimetre,
					fondement: pool.fondement,
					titulaire,
					siret,
					clauses: pool.clauses.map((c, i) => ({ marche: c.marche, lot: c.lot, cle: cles[i] })),
				},
			},
		];
	});
}

export function declareIntervenants(ctx: IExecuteFunctions, register: Register): Promise<INodeExecutionData[]> {
	return eachItem(ctx, async (_item, itemIndex) => {
		const record = parseSettings(
			IntervenantsRecordSchema,
			{
				marche: ctx.getNodeParameter('marcheIntervenants', itemIndex, ''),
				lot: ctx.getNodeParameter('lotIntervenants', itemIndex, ''),
				intervenants: listParameter(ctx, 'intervenants', 'entreprise', itemIndex),
			},
			INTERVENANT_LABELS,
		);
		const key = clauseKey(record);
		const clause = (await clauseIndex(register)).get(key);
		if (!clause) throw unknownClause(record.marche, record.lot, itemIndex);
		const seen = new Set<string>();
		record.intervenants.forEach((i, index) => {
			const problem =
				i.siret === clause.siret
					? `${i.nom}, SIRET ${i.siret} : c\u2019est celui du titulaire ${clause.titulaire}`
					: seen.has(i.siret)
						? `${i.nom}, SIRET ${i.siret} : déclaré deux fois`
						: undefined;
			seen.add(i.siret);
			if (problem) {
				throw new AnomalyError([
					{
						gravite: 'erreur',
						champ: `intervenants[${index}].siret`,
						libelle: 'SIRET de l\u2019entreprise intervenante',
						ou: `élément ${itemIndex + 1}`,
						message: problem,
						correction: 'Déclarez chaque sous-traitant ou cotraitant une fois, sous son propre SIRET ; le titulaire n\u2019est pas à déclarer.',
						regle: 'intervenant.siret',
					},
				]);
			}
		});
		const result = await register.put('intervenants', key, record, 'déclaration des entreprises intervenantes');
		return [
			{
				json: {
					cle: key,
					marche: record.marche,
					lot: record.lot,
					titulaire: clause.titulaire,
					version: result.version,
					etat: writeState(result),
					intervenants: asJsonList(record.intervenants),
				},
			},
		];
	});
}

function viewParameters(ctx: IExecuteFunctions, itemIndex: number) {
	const date = String(ctx.getNodeParameter('dateReference', itemIndex, '') ?? '').trim();
	return parseSettings(
		PoolViewSettingsSchema,
		{
			dateReference: date === '' ? todayIn(ctx.getTimezone()) : date,
			facilitateur: ctx.getNodeParameter('facilitateurVue', itemIndex, ''),
			acheteur: ctx.getNodeParameter('acheteurVue', itemIndex, ''),
			toleranceRetard: ctx.getNodeParameter('toleranceRetard', itemIndex, 10),
		},
		POOL_VIEW_LABELS,
	);
}

/** Une vue par élément : ses paramètres (date de référence, facilitateur, acheteur) et les clauses en vigueur au registre. */
function eachView(
	ctx: IExecuteFunctions,
	register: Register,
	view: (settings: ReturnType<typeof viewParameters>, clauses: Awaited<ReturnType<typeof clauseIndex>>) => Promise<ItemResult[]>,
): Promise<INodeExecutionData[]> {
	return eachItem(ctx, async (_item, itemIndex) => view(viewParameters(ctx, itemIndex), await clauseIndex(register)));
}

function matches(clause: ClauseRecord, view: { facilitateur?: string; acheteur?: string }): boolean {
	return (view.facilitateur === undefined || sameName(clause.facilitateur, view.facilitateur)) && (view.acheteur === undefined || sameName(clause.acheteur, view.acheteur));
}

/** Heures déclarées en vigueur, par clause et par mois. */
async function monthIndex(register: Register): Promise<Map<string, Map<IsoMonth, number>>> {
	const out = new Map<string, Map<IsoMonth, number>>();
	for (const row of await register.monthHours()) {
		const months = out.get(row.clauseKey) ?? new Map<IsoMonth, number>();
		months.set(row.month, (months.get(row.month) ?? 0) + row.hours);
		out.set(row.clauseKey, months);
	}
	return out;
}

export function poolSituation(ctx: IExecuteFunctions, register: Register): Promise<INodeExecutionData[]> {
	return eachView(ctx, register, async (view, clauses) => {
		const months = await monthIndex(register);
		const ref = addMonths(monthOf(view.dateReference), -1);
		const out: ItemResult[] = [];
		for (const pool of await readPools(register)) {
			const members = pool.clauses.map((c) => clauses.get(clauseKey(c))).filter((c): c is ClauseRecord => c !== undefined);
			if (!members.some((c) => matches(c, view))) continue;
			const status = poolStatus(pool, (k) => clauses.get(k), (k) => months.get(k) ?? new Map(), ref, view.toleranceRetard);
			const acheteurs = [...new Set(members.map((c) => c.acheteur))];
			out.push({ json: asJson({ ...status, acheteurs }) });
		}
		return out;
	});
}

export function employerHours(ctx: IExecuteFunctions, register: Register): Promise<INodeExecutionData[]> {
	return eachView(ctx, register, async (view, clauses) => {
		const declared = await readIntervenants(register);
		const out: ItemResult[] = [];
		for (const [key, clause] of clauses) {
			if (!matches(clause, view)) continue;
			const received = await readReceivedLines(register, clause);
			const intervenants = declared.get(key) ?? [];
			if (received.size === 0 && intervenants.length === 0) continue;
			const table = employerTable(clause, [...received.values()].flat(), intervenants);
			const lignesManquantes = missingEmployerLines(clause, intervenants, received, view.dateReference);
			out.push({ json: asJson({ ...table, lignesManquantes }) });
		}
		return out;
	});
}
