/**
 * Lecture du suivi pour le bilan, selon la source : registre des clauses (clauses,
 * relevés, pénalités, marchés, engagements, groupes de mutualisation), éléments
 * d'entrée, ou classeurs de suivi lus en flux. Chaque donnée valide passe au
 * calcul du bilan ; les autres sont notées.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Register } from '../adapters';
import { streamBilanWorkbook, supersededRegisters } from '../adapters';
import type { AnomalyLog, BilanAccumulator, CommitmentBilan, PoolRecord } from '../core';
import { PENALTY_READER, MARKET_READER, addBilanItems, firstDayOfMonth, lastDayOfMonth, tryReadRecord } from '../core';
import { readCommitmentBilan } from '../shared/commitments';
import { collectFollowUp, registerPenaltySteps } from '../shared/follow-up';
import { isUpstreamError } from '../shared/items';
import { failedItem } from '../shared/parameters';
import { readPools } from '../shared/pooling';
import type { BilanParameters } from './parameters';

export interface Collected {
	/** Autres considérations sociales (engagements du registre) : leur section du bilan, du classeur et du document des élus. */
	commitments?: CommitmentBilan;
	/** Groupes de mutualisation des heures (registre), sauf option contraire. */
	pools: PoolRecord[];
}

/** Pénalités recouvrées, marchés et avis de pénalité envoyés, lus au registre. */
async function penaltiesAndMarkets(register: Register, acc: BilanAccumulator, note: (error: unknown) => void): Promise<void> {
	// Pénalités recouvrées (titres de recette repris du classeur).
	for (const recovery of await register.list('recouvrement')) {
		const read = tryReadRecord(PENALTY_READER, recovery.data, `recouvrement ${recovery.key} (registre)`);
		if (read.ok) acc.addPenalty(read.value);
		else note(read.error);
	}
	// Tous les marchés du registre (feuille « Marchés » importée, études) : le dénominateur des parts.
	for (const market of await register.list('marche')) {
		const read = tryReadRecord(MARKET_READER, market.data, `marché ${market.key} (registre)`);
		if (read.ok) acc.addMarket(read.value);
		else note(read.error);
	}
	for (const step of await registerPenaltySteps(register)) {
		if (!step.ok) {
			note(step.error);
			continue;
		}
		const { marche, lot, etape, montantHT, date } = step.value;
		const read = tryReadRecord(PENALTY_READER, { marche, lot, etape, montant: montantHT, date }, `avis ${etape} du marché ${marche}, lot ${lot} (registre)`);
		if (read.ok) acc.addPenalty(read.value);
		else note(read.error);
	}
}

/** Registre des clauses : mêmes schémas que le classeur ; les avis envoyés (fiches « penalite ») donnent les pénalités proposées et notifiées. */
async function fromRegister(ctx: IExecuteFunctions, acc: BilanAccumulator, parameters: BilanParameters, log: AnomalyLog): Promise<Collected> {
	const collected: Collected = { pools: [] };
	const periode = { debut: firstDayOfMonth(parameters.settings.debut), fin: lastDayOfMonth(parameters.settings.fin) };
	const data = await collectFollowUp(ctx, {
		// Chaque ligne valide passe au bilan à sa lecture, sans être gardée : la mémoire ne croît pas avec le nombre de lignes.
		onLine: (line) => acc.addLine(line),
		fromRegister: async (register) => {
			collected.commitments = await readCommitmentBilan(register, periode);
			if (parameters.withPools) collected.pools = await readPools(register);
			await penaltiesAndMarkets(register, acc, log.note);
		},
	});
	for (const entry of data.clauses) {
		if (entry.value) acc.addClause(entry.value);
		else log.note(entry.error);
	}
	for (const line of data.lines) {
		if (line.value) acc.addLine(line.value);
		else log.note(line.error);
	}
	return collected;
}

/**
 * Le suivi lu selon la source. Un classeur illisible arrête la lecture : l'élément
 * d'erreur (« continuer en cas d'échec ») est rendu à la place, ou l'erreur n8n levée.
 */
export async function collectBilan(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	acc: BilanAccumulator,
	parameters: BilanParameters,
	log: AnomalyLog,
): Promise<Collected | { failed: INodeExecutionData }> {
	if (parameters.source === 'registre') return fromRegister(ctx, acc, parameters, log);
	if (parameters.source === 'elements') {
		const inputs = items.flatMap((item, itemIndex) => (isUpstreamError(item.json) ? [] : [{ json: item.json, where: `élément ${itemIndex + 1}` }]));
		addBilanItems(acc, inputs, log.note);
		return { pools: [] };
	}
	const property = parameters.binaryPropertyName;
	// Plusieurs versions d'un même classeur (« suivi-clauses (v3 du …).xlsx ») : seule la plus récente est lue.
	const superseded = supersededRegisters(items.map((item) => item.binary?.[property]?.fileName));
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		if (superseded.has(itemIndex)) continue;
		const fileName = items[itemIndex].binary?.[property]?.fileName ?? `élément ${itemIndex + 1}`;
		try {
			ctx.helpers.assertBinaryData(itemIndex, property);
			await streamBilanWorkbook(await ctx.helpers.getBinaryDataBuffer(itemIndex, property), fileName, acc, log.note, parameters.limits);
		} catch (error) {
			return { failed: failedItem(ctx, error, itemIndex, { fichier: fileName }) };
		}
	}
	return { pools: [] };
}
