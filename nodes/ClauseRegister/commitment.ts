/**
 * « Enregistrer un engagement » et « Enregistrer un justificatif » : les autres
 * considérations sociales (actions qualitatives, plan de progrès…) au registre,
 * une fiche versionnée par engagement, rattachée à sa clause.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Register } from '../adapters';
import type { CommitmentRecord } from '../core';
import {
	AnomalyError,
	storedLot,
	COMMITMENT_LABELS,
	CommitmentDeclarationSchema,
	CommitmentProofInputSchema,
	CommitmentRecordSchema,
	addProof,
	clauseKey,
	commitmentKey,
	commitmentOrigin,
	declareCommitment,
	parseSettings,
	writeState,
} from '../core';
import { eachItem } from './items';

const whereOf = (json: Record<string, unknown>, itemIndex: number) => {
	const m = json.marche;
	const l = json.lot;
	const n = json.numero;
	const present = (v: unknown) => (typeof v === 'string' && v.trim() !== '') || typeof v === 'number';
	return `élément ${itemIndex + 1}${present(m) && present(l) ? ` (marché ${String(m).trim()}, lot ${String(l).trim()}${present(n) ? `, engagement ${String(n).trim()}` : ''})` : ''}`;
};

export function declareCommitments(ctx: IExecuteFunctions, register: Register): Promise<INodeExecutionData[]> {
	return eachItem(ctx, async (item, itemIndex) => {
		const where = whereOf(item.json, itemIndex);
		const declaration = parseSettings(CommitmentDeclarationSchema, item.json, COMMITMENT_LABELS, where);
		const cKey = clauseKey(declaration);
		const key = commitmentKey(declaration);
		const result = await register.transaction(async (tx) => {
			const lot = await tx.get('lot', cKey);
			const clause = await tx.get('clause', cKey);
			if (!lot && !clause) throw unknownLot(declaration.marche, declaration.lot, where);
			const current = await tx.get('engagement', key);
			const record = declareCommitment(current ? CommitmentRecordSchema.parse(current.data) : undefined, declaration, commitmentOrigin(storedLot(lot)));
			const written = await tx.put('engagement', key, record, current ? 'déclaration modifiée' : record.origine);
			return { written, record };
		});
		return [
			{
				json: {
					cle: key,
					marche: declaration.marche,
					lot: declaration.lot,
					numero: declaration.numero,
					version: result.written.version,
					etat: writeState(result.written),
					nature: result.record.type,
					echeances: result.record.echeances.map((e) => e.date),
					origine: result.record.origine,
				},
			},
		];
	});
}

export function recordCommitmentProofs(ctx: IExecuteFunctions, register: Register): Promise<INodeExecutionData[]> {
	return eachItem(ctx, async (item, itemIndex) => {
		const where = whereOf(item.json, itemIndex);
		const input = parseSettings(CommitmentProofInputSchema, item.json, COMMITMENT_LABELS, where);
		const key = commitmentKey(input);
		const { marche, lot, numero, ...proof } = input;
		const result = await register.transaction(async (tx) => {
			const current = await tx.get('engagement', key);
			if (!current) throw unknownCommitment(marche, lot, numero, where);
			const record: CommitmentRecord = addProof(CommitmentRecordSchema.parse(current.data), proof, where);
			return tx.put('engagement', key, record, `justificatif reçu le ${proof.dateReception}`);
		});
		return [{ json: { cle: key, marche, lot, numero, echeance: proof.echeance, dateReception: proof.dateReception, version: result.version, etat: writeState(result) } }];
	});
}

function unknownLot(marche: string, lot: string, where: string): AnomalyError {
	return new AnomalyError([
		{
			gravite: 'erreur',
			champ: 'lot',
			libelle: 'lot',
			ou: where,
			message: `ni le lot ${lot} du marché ${marche} ni sa clause ne sont au registre`,
			correction: 'Enregistrez d’abord l’étude du lot (opération « Enregistrer l’étude ») ou la notification du marché, puis déclarez l’engagement.',
			regle: 'engagement.lotInconnu',
		},
	]);
}

function unknownCommitment(marche: string, lot: string, numero: string, where: string): AnomalyError {
	return new AnomalyError([
		{
			gravite: 'erreur',
			champ: 'numero',
			libelle: 'numéro de l’engagement',
			ou: where,
			message: `aucun engagement n° ${numero} sur le marché ${marche}, lot ${lot}`,
			correction: 'Vérifiez le numéro de l’engagement, ou déclarez-le d’abord (opération « Enregistrer un engagement »).',
			regle: 'engagement.inconnu',
		},
	]);
}
