/**
 * Le suivi des engagements sur le registre : lecture des engagements et de
 * leurs clauses, situation de chaque échéance (cœur), envoi une seule fois de
 * chaque relance, mise en demeure ou pénalité, puis l'étape consignée sur la
 * fiche de l'engagement (nouvelle version). En aperçu, rien n'est envoyé ni
 * consigné.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { Register } from '../adapters';
import type { CommitmentClause, CommitmentDueState, CommitmentFollowUpSettings, RegisterClause } from '../core';
import {
	COMMITMENT_DEFAULTS,
	COMMITMENT_LABELS,
	CommitmentFollowUpSettingsSchema,
	CommitmentRecordSchema,
	RegisterPeriodSchema,
	REGISTER_PARAMETER_LABELS,
	addStep,
	commitmentDueStates,
	commitmentMail,
	commitmentMessageKey,
	commitmentRecipients,
	commitmentTypeLabel,
	parseSettings,
	todayIn,
} from '../core';
import type { OnceOutcome } from '../shared/send-once';
import type { Followed } from '../shared/commitments';
import { commitmentBilanSection, readCommitments } from '../shared/commitments';
import { BUSY_ELSEWHERE, UNCERTAIN_RESENT, failedStatus, sendOnce } from '../shared/send-once';

const parameter = (ctx: IExecuteFunctions, name: string, fallback: unknown = '') => ctx.getNodeParameter(name, 0, fallback);

function readSettings(ctx: IExecuteFunctions): CommitmentFollowUpSettings {
	const date = String(parameter(ctx, 'dateSuivi') ?? '').trim();
	return parseSettings(
		CommitmentFollowUpSettingsSchema,
		{
			dateSuivi: date === '' ? todayIn(ctx.getTimezone()) : date,
			delaiRelanceJours: parameter(ctx, 'delaiRelanceJours', 15),
			delaiMiseEnDemeureJours: parameter(ctx, 'delaiMiseEnDemeureJours', 15),
			penaliteJour: parameter(ctx, 'penaliteJour', 100),
			// Source effacée par l'utilisateur : celle de la valeur par défaut reste citée.
			sourcePenalite: String(parameter(ctx, 'sourcePenalite') ?? '').trim() || COMMITMENT_DEFAULTS.penaliteJour.source,
			envoyer: parameter(ctx, 'mode', 'apercu') === 'envoyer',
			facilitateur: parameter(ctx, 'facilitateur'),
		},
		COMMITMENT_LABELS,
	);
}

function clauseOf(c: RegisterClause): CommitmentClause {
	return {
		titulaire: c.titulaire,
		emailTitulaire: c.emailTitulaire,
		...(c.contactTitulaire ? { contactTitulaire: c.contactTitulaire } : {}),
		acheteur: c.acheteur,
		emailAcheteur: c.emailAcheteur,
		...(c.facilitateur ? { facilitateur: c.facilitateur } : {}),
		...(c.emailFacilitateur ? { emailFacilitateur: c.emailFacilitateur } : {}),
		...(c.intitule ? { intitule: c.intitule } : {}),
		...(c.objet ? { objet: c.objet } : {}),
		statut: c.statut,
	};
}

interface Planned {
	followed: Followed;
	state: CommitmentDueState;
	clause?: CommitmentClause;
	messageKey?: string;
}

function outcomeJson(outcome: OnceOutcome | undefined): IDataObject {
	if (outcome === undefined) return { statut: 'échec', motif: 'aucun résultat d’envoi' };
	if (outcome === 'déjà envoyé') return { statut: 'déjà envoyé' };
	if (outcome === 'en cours ailleurs') return { statut: 'en cours ailleurs', motif: BUSY_ELSEWHERE };
	if (outcome.ok) return { statut: 'envoyé', messageId: outcome.messageId, ...(outcome.incertain ? { motif: UNCERTAIN_RESENT } : {}) };
	return { statut: failedStatus(outcome), code: outcome.code, motif: outcome.message };
}

export async function followUpCommitments(ctx: IExecuteFunctions, register: Register): Promise<IDataObject[]> {
	const settings = readSettings(ctx);
	const envoyerPenalites = settings.envoyer && parameter(ctx, 'envoyerPenalites', false) === true;
	const options = parameter(ctx, 'options', {}) as IDataObject;
	const planned: Planned[] = [];
	for (const followed of await readCommitments(register, settings.facilitateur)) {
		const clause = followed.clause ? clauseOf(followed.clause) : undefined;
		for (const state of commitmentDueStates(followed.key, followed.record, clause?.statut ?? 'enCours', settings)) {
			planned.push({ followed, state, clause, ...(state.etape ? { messageKey: commitmentMessageKey(followed.key, state.echeance, state.etape) } : {}) });
		}
	}
	const toSend = planned.filter((p) => p.state.etape && p.clause && (p.state.etape !== 'pénalité' || envoyerPenalites));
	const outcomes = settings.envoyer
		? await sendOnce(
				ctx,
				register,
				toSend.map((p) => {
					const mail = commitmentMail(p.state, p.followed.record, p.clause!, settings);
					const to = commitmentRecipients(p.state.etape!, p.clause!);
					return { key: p.messageKey!, mail: { to: to.a, cc: to.cc, subject: mail.objet, text: mail.texte, html: mail.html } };
				}),
				{ debitParSeconde: Number(options.debitParSeconde ?? 10), nature: 'engagement social', bailSecondes: Number(options.bailEnvoi ?? 120) },
			)
		: new Map<string, OnceOutcome>();

	// Chaque étape partie (ou déjà partie lors d'une exécution interrompue avant d'être consignée) est consignée sur sa fiche.
	for (const p of toSend) {
		const outcome = outcomes.get(p.messageKey!);
		const gone = outcome === 'déjà envoyé' || (typeof outcome === 'object' && outcome.ok);
		if (!gone) continue;
		const message = await register.message(p.messageKey!);
		await register.transaction(async (tx) => {
			const current = await tx.get('engagement', p.followed.key);
			if (!current) return;
			const record = addStep(CommitmentRecordSchema.parse(current.data), {
				echeance: p.state.echeance,
				etape: p.state.etape!,
				date: settings.dateSuivi,
				...(p.state.dateLimite ? { dateLimite: p.state.dateLimite } : {}),
				...(p.state.joursRetard !== undefined ? { joursRetard: p.state.joursRetard, montant: p.state.montant } : {}),
				...(message?.messageId ? { messageId: message.messageId } : {}),
			});
			await tx.put('engagement', p.followed.key, record, `${p.state.etape} du ${settings.dateSuivi}`);
		});
	}

	return planned.map((p) => {
		const { record } = p.followed;
		const base: IDataObject = {
			cle: p.followed.key,
			marche: record.marche,
			lot: record.lot,
			numero: record.numero,
			nature: commitmentTypeLabel(record.type),
			libelle: record.libelle,
			indicateur: record.indicateur,
			echeance: p.state.echeance,
			etat: p.state.etat,
			dateSuivi: settings.dateSuivi,
		};
		if (!p.state.etape) return { ...base, etape: null, envoi: { statut: 'rien à envoyer' } };
		if (!p.clause) return { ...base, etape: p.state.etape, envoi: { statut: 'échec', motif: 'clause absente du registre : enregistrez la notification du marché pour connaître le titulaire et ses adresses' } };
		const mail = commitmentMail(p.state, record, p.clause, settings);
		const to = commitmentRecipients(p.state.etape, p.clause);
		const penalty = p.state.etape === 'pénalité' ? { penalite: { joursRetard: p.state.joursRetard, montant: p.state.montant, tauxJour: settings.penaliteJour, source: settings.sourcePenalite } } : {};
		const envoi: IDataObject = !settings.envoyer
			? { statut: 'aperçu' }
			: p.state.etape === 'pénalité' && !envoyerPenalites
				? { statut: 'à approuver', motif: 'notification de pénalité à relire par l’acheteur : envoyée quand l’option « Envoyer aussi les notifications de pénalité » est choisie' }
				: outcomeJson(outcomes.get(p.messageKey!));
		return { ...base, etape: p.state.etape, ...(p.state.dateLimite ? { dateLimite: p.state.dateLimite } : {}), ...penalty, courriel: { a: to.a, cc: to.cc, objet: mail.objet, texte: mail.texte, html: mail.html }, envoi };
	});
}

export async function commitmentBilanItems(ctx: IExecuteFunctions, register: Register): Promise<IDataObject[]> {
	const period = parseSettings(RegisterPeriodSchema, { debut: parameter(ctx, 'debut'), fin: parameter(ctx, 'fin'), facilitateur: parameter(ctx, 'facilitateur') }, REGISTER_PARAMETER_LABELS);
	const settings = parseSettings(
		CommitmentFollowUpSettingsSchema.pick({ delaiRelanceJours: true, delaiMiseEnDemeureJours: true, penaliteJour: true }),
		{ delaiRelanceJours: parameter(ctx, 'delaiRelanceJours', 15), delaiMiseEnDemeureJours: parameter(ctx, 'delaiMiseEnDemeureJours', 15), penaliteJour: parameter(ctx, 'penaliteJour', 100) },
		COMMITMENT_LABELS,
	);
	return [await commitmentBilanSection(register, period, settings)];
}
