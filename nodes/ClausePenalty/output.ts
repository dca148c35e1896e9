/**
 * Sorties du nœud : un élément par clause (calcul, étape, documents, envoi) et
 * le paquet de revue (mode revue : toutes les pièces et la synthèse) ou le
 * compte rendu (mode envoi) pour l'acheteur.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { ReviewEntry } from '../core';
import { approvalSubject, formatEuros, frenchLongDate, renderReviewSummary } from '../core';
import { sendReport } from '../shared/send-once';
import type { PenaltyParameters } from './parameters';
import type { StepRecording } from './record';
import type { Outcome, Planned, Refusal } from './types';
import { PDF, XLSX } from './types';
import { asJson, asJsonList } from '../shared/parameters';

const ALREADY_SENT = {
	miseEnDemeure:
		'Mise en demeure déjà envoyée lors d’une exécution précédente : pas de renvoi. Reportez sa date dans le registre (colonne « Date de mise en demeure » ou feuille « Pénalités ») pour que la notification suive à l’expiration du délai.',
	notification:
		'Notification déjà envoyée lors d’une exécution précédente : pas de renvoi. Reportez sa date dans le registre (colonne « Date de notification des pénalités » ou feuille « Pénalités »).',
};

/** Source « registre » : la date de l'avis parti y est déjà consignée, rien à reporter. */
const ALREADY_SENT_REGISTER = {
	miseEnDemeure:
		'Mise en demeure déjà envoyée lors d’une exécution précédente : pas de renvoi. Sa date est consignée au registre des clauses : la notification suivra d’elle-même à l’expiration du délai.',
	notification: 'Notification déjà envoyée lors d’une exécution précédente : pas de renvoi. Sa date est consignée au registre des clauses.',
};

/** Avis retenu avant l'envoi : statut et raison, en français, pour l'élément de sortie. */
function refusalOf(p: Planned, refusal: Refusal, base: IDataObject): IDataObject {
	if (refusal.refus === 'sans approbation') {
		return {
			statut: 'non approuvé',
			...base,
			motif:
				'Lettre non envoyée : aucune lettre n’a été approuvée (option « Empreintes des lettres approuvées » vide). Faites relire et approuver l’avis (mode revue, puis approbation de l’acheteur), ou, pour un envoi délibéré sans revue, activez l’option « Envoyer sans revue ».',
		};
	}
	if (refusal.refus === 'non approuvé') {
		return { statut: 'non approuvé', ...base, motif: 'Lettre différente de celles approuvées lors de la revue (empreinte inconnue) : non envoyée. Relancez la revue.' };
	}
	return {
		statut: 'délai échu',
		...base,
		dateEnvoi: refusal.dateEnvoi,
		motif: `Mise en demeure non envoyée : datée du ${frenchLongDate(p.assessment.dateCalcul)}, elle laisse au titulaire jusqu’au ${frenchLongDate(p.step.echeanceMiseEnDemeure!)} pour s’exécuter, délai déjà écoulé à la date d’envoi (${frenchLongDate(refusal.dateEnvoi!)}). Relancez la revue : la nouvelle lettre, datée du jour, fixera un nouveau délai.`,
	};
}

/** Ce que l'envoi a donné, pour l'élément de sortie. */
function envoiOf(p: Planned, outcome: Outcome | undefined, fromRegister: boolean): IDataObject {
	if (!p.notice) return { statut: 'sans objet', motif: p.step.motif };
	const mail = p.notice.mail;
	const base: IDataObject = { a: mail.to, cc: mail.cc ?? [], objet: mail.subject, cle: p.step.cleEnvoi };
	if (outcome === undefined || outcome === 'aperçu') return { statut: 'aperçu', ...base, motif: 'Mode revue : rien n’est envoyé.', texte: mail.text, html: mail.html };
	if (typeof outcome === 'object' && 'refus' in outcome) return refusalOf(p, outcome, base);
	return sendReport(outcome, mail.to, base, {
		alreadySent: (fromRegister ? ALREADY_SENT_REGISTER : ALREADY_SENT)[p.step.etape === 'notification' ? 'notification' : 'miseEnDemeure'],
		holderRefused: (refused) =>
			`adresse du titulaire ${refused.adresse} refusée (${refused.message}) ; l’acheteur et le facilitateur en copie l’ont reçu. Corrigez l’adresse et transmettez l’avis au titulaire.`,
	});
}

/**
 * La ligne à ajouter à la feuille « Pénalités » du registre une fois l'avis envoyé
 * (mêmes intitulés que la feuille) : sans elle, la mise en demeure serait proposée
 * de nouveau à chaque exécution et la notification ne suivrait jamais. La date est
 * celle de la lettre : le délai de la mise en demeure se compte depuis elle.
 */
function registerRow(p: Planned): IDataObject {
	const a = p.assessment;
	return {
		Marché: p.clause.marche,
		Lot: p.clause.lot,
		Étape: p.step.etapeLibelle,
		'Montant HT': a.total,
		Date: a.dateCalcul,
		Période: a.periode === 'fin' ? 'fin d’exécution' : a.dateEcheance,
	};
}

/** L'étape consignée au registre des clauses (avis parti), pour l'élément de sortie. */
function recordingOf(recording: StepRecording | undefined): IDataObject | null {
	if (!recording) return null;
	if ('erreur' in recording) {
		return {
			cle: recording.cle,
			consignee: false,
			erreur: `Avis parti, mais son étape n’a pas pu être consignée au registre des clauses (${recording.erreur}). L’exécution suivante la consignera d’après l’envoi gardé au registre.`,
		};
	}
	return { cle: recording.cle, consignee: true, version: recording.version };
}

export async function clauseItem(
	ctx: IExecuteFunctions,
	p: Planned,
	outcome: Outcome | undefined,
	options: { source: PenaltyParameters['source']; recording?: StepRecording },
): Promise<{ item: INodeExecutionData; entry?: ReviewEntry }> {
	const a = p.assessment;
	const fromRegister = options.source === 'registre';
	const envoi = envoiOf(p, outcome, fromRegister);
	const etapeRegistre = recordingOf(options.recording);
	if (etapeRegistre) envoi.registre = etapeRegistre;
	const item: INodeExecutionData = {
		json: {
			marche: p.clause.marche,
			lot: p.clause.lot,
			titulaire: p.clause.titulaire,
			siret: p.clause.siret,
			emailTitulaire: p.clause.emailTitulaire,
			acheteur: p.clause.acheteur,
			emailAcheteur: p.clause.emailAcheteur,
			facilitateur: p.clause.facilitateur,
			etape: p.step.etape,
			etapeLibelle: p.step.etapeLibelle,
			motif: p.step.motif,
			periode: a.periode,
			dateDocument: a.dateCalcul,
			dateMiseEnDemeure: p.step.dateMiseEnDemeure ?? null,
			echeanceMiseEnDemeure: p.step.echeanceMiseEnDemeure ?? null,
			heures: asJson(a.heures),
			...(p.mutualisation ? { mutualisation: asJson(p.mutualisation) } : {}),
			relevesManquants: asJsonList(a.relevesManquants),
			bilan: a.bilan && asJson(a.bilan),
			penalites: { total: a.total, sommeLignes: a.sommeLignes, plafond: asJson(a.plafond), lignes: asJsonList(a.lignes) },
			parametres: asJson(a.parametres),
			avertissements: asJsonList(a.avertissements),
			documents: p.notice ? { lettre: p.notice.lettre.fileName, annexe: p.notice.annexe.fileName, empreinteLettre: p.notice.lettre.empreinte } : null,
			// Classeur de suivi : la ligne à reporter dans sa feuille « Pénalités » ; le registre des clauses, lui, la consigne à l'envoi.
			ligneRegistre: p.notice && !fromRegister ? registerRow(p) : null,
			envoi,
		},
		pairedItem: { item: p.entry.itemIndex },
	};
	if (!p.notice) return { item };
	item.binary = {
		lettre: await ctx.helpers.prepareBinaryData(p.notice.lettre.content, p.notice.lettre.fileName, PDF),
		annexe: await ctx.helpers.prepareBinaryData(p.notice.annexe.content, p.notice.annexe.fileName, XLSX),
	};
	const entry: ReviewEntry = {
		marche: p.clause.marche,
		lot: p.clause.lot,
		titulaire: p.clause.titulaire,
		etape: p.step.etapeLibelle.toLowerCase(),
		total: a.total,
		motif: p.step.motif,
		lettre: p.notice.lettre.fileName,
		annexe: p.notice.annexe.fileName,
		statut: String(envoi.statut),
		detail: typeof envoi.erreur === 'string' ? envoi.erreur : envoi.statut === 'envoyé' ? undefined : (envoi.motif as string | undefined),
	};
	return { item, entry };
}

/** Paquet de revue ou compte rendu : seulement s'il y a un avis ou une clause en anomalie. */
export async function reviewPackage(
	ctx: IExecuteFunctions,
	planned: Planned[],
	review: ReviewEntry[],
	parameters: PenaltyParameters,
	clauseOut: INodeExecutionData[],
): Promise<INodeExecutionData | undefined> {
	if (review.length === 0) return undefined;
	const { mode, settings } = parameters;
	const notices = planned.filter((p) => p.notice);
	const totalCents = notices.reduce((s, p) => s + Math.round(p.assessment.total * 100), 0);
	const json: IDataObject = {
		...renderReviewSummary(review, settings.dateCalcul, mode),
		dateDocument: settings.dateCalcul,
		mode,
		avis: notices.length,
		montantTotal: totalCents / 100,
		montantTotalTexte: formatEuros(totalCents / 100),
		// Objet du courriel d'approbation : montants notifiés et montants encourus (mises en demeure) séparés.
		objetApprobation: approvalSubject(notices.map((p) => ({ etape: p.notice!.model.etape, total: p.assessment.total }))),
		empreintes: notices.map((p) => p.notice!.lettre.empreinte),
		erreurs: review.filter((r) => r.erreur).length,
		piecesJointes: '',
	};
	const item: INodeExecutionData = { json, pairedItem: clauseOut.map((i) => i.pairedItem as { item: number }) };
	if (mode === 'revue' && notices.length > 0) {
		const binary: NonNullable<INodeExecutionData['binary']> = {};
		const names: string[] = [];
		for (const [index, p] of notices.entries()) {
			binary[`lettre_${index + 1}`] = await ctx.helpers.prepareBinaryData(p.notice!.lettre.content, p.notice!.lettre.fileName, PDF);
			binary[`annexe_${index + 1}`] = await ctx.helpers.prepareBinaryData(p.notice!.annexe.content, p.notice!.annexe.fileName, XLSX);
			names.push(`lettre_${index + 1}`, `annexe_${index + 1}`);
		}
		item.binary = binary;
		json.piecesJointes = names.join(',');
	}
	return item;
}
