/**
 * Les deux temps du relevé en ligne, sur le registre des clauses : préparer
 * le formulaire d'un lien (vérifié, pré-rempli), puis enregistrer la saisie
 * envoyée (contrôlée par les règles de la réception des relevés, tout ou rien,
 * numéro de formulaire consommé dans la même transaction).
 */
import { randomBytes } from 'node:crypto';

import type { Register } from '../adapters';
import type { ClauseRecord, IntakeSettings, LinkCheck, OnlineFormView, OnlineLine, ReportResult, ReportLine, ReportLinkClaims } from '../core';
import {
	EMPTY_FORM_LINES,
	carriedFields,
	MAX_FORM_LINES,
	REPORT_LINE_READER,
	clauseKey,
	fieldErrors,
	linkClauseProblem,
	prefillLines,
	readSubmission,
	renderOnlineForm,
	renderRefusalPage,
	submissionScopeProblem,
	submissionToReport,
	tryReadRecord,
	verifyReportLink,
} from '../core';
import { ReplayError, intakeIntoRegister } from '../ClauseReportIntake/register-intake';
import type { RegisterClauseEntry } from '../shared/follow-up';
import { readRegisterClauses, registerLineRaw } from '../shared/follow-up';

export interface PageSettings {
	conservationMois: number;
	contact?: string;
}

/** Réponse HTTP d'une page : ce que le nœud « Respond to Webhook » renvoie. */
export interface PageOutcome {
	statut: 'formulaire' | 'refuse' | 'erreurs' | 'enregistre' | 'rejeu' | 'incident';
	codeHttp: number;
	html: string;
	motif?: string;
	claims?: ReportLinkClaims;
	clause?: ClauseRecord;
	result?: ReportResult;
	written?: Record<string, number>;
	nonce?: string;
}

const REFUSAL_CODE: Record<string, number> = { secret: 503, altere: 403, expire: 410 };

function refuse(motif: string, codeHttp: number, claims?: ReportLinkClaims): PageOutcome {
	return { statut: 'refuse', codeHttp, html: renderRefusalPage(motif), motif, ...(claims ? { claims } : {}) };
}

export function newNonce(): string {
	return randomBytes(18).toString('base64url');
}

interface ClauseContext {
	entry: RegisterClauseEntry;
	clause: ClauseRecord;
}

/** Le lien, vérifié, et sa clause au registre ; ou la page de refus. */
async function checkLink(register: Register, check: LinkCheck): Promise<{ ok: true; claims: ReportLinkClaims; ctx: ClauseContext } | { ok: false; page: PageOutcome }> {
	if (!check.ok) return { ok: false, page: refuse(check.message, REFUSAL_CODE[check.motif] ?? 403) };
	const claims = check.claims;
	const key = clauseKey(claims);
	const entry = (await readRegisterClauses(register)).find((e) => e.value && clauseKey(e.value) === key);
	const problem = linkClauseProblem(claims, entry?.value);
	if (problem || !entry?.value) return { ok: false, page: refuse(problem ?? 'Clause inconnue.', 404, claims) };
	return { ok: true, claims, ctx: { entry, clause: entry.value } };
}

/** Relevés en vigueur de la clause, lus par le schéma des lignes. */
async function storedLines(register: Register, ctx: ClauseContext): Promise<Map<string, { version: number; lines: ReportLine[] }>> {
	const months = new Map<string, { version: number; lines: ReportLine[] }>();
	for (const row of await register.reportLines({ clauseKey: ctx.entry.recordKey })) {
		const read = tryReadRecord(REPORT_LINE_READER, registerLineRaw(ctx.clause, row.month, row.data), `relevé ${row.month}`);
		const month = months.get(row.month) ?? { version: row.version, lines: [] };
		if (read.ok) month.lines.push(read.value);
		months.set(row.month, month);
	}
	return months;
}

async function formView(register: Register, claims: ReportLinkClaims, ctx: ClauseContext, token: string, nonce: string, settings: PageSettings): Promise<OnlineFormView> {
	const months = await storedLines(register, ctx);
	const current = months.get(claims.mois);
	const previousMonth = [...months.keys()].filter((m) => m < claims.mois).sort().pop();
	const prefill = prefillLines(current?.lines ?? [], previousMonth ? months.get(previousMonth)!.lines : []);
	const hours = await register.monthHours([ctx.entry.recordKey]);
	const lines = [...prefill.lines, ...Array.from({ length: EMPTY_FORM_LINES }, (): OnlineLine => ({}))].slice(0, MAX_FORM_LINES);
	return {
		clause: ctx.clause,
		mois: claims.mois,
		jeton: token,
		nonce,
		expire: new Date(claims.expire * 1000).toISOString(),
		heuresDues: ctx.clause.heuresDues,
		heuresRealisees: hours.reduce((sum, m) => sum + m.hours, 0),
		versionEnVigueur: current?.version ?? 0,
		lines,
		neant: prefill.neant,
		prefill: prefill.source,
		conservationMois: settings.conservationMois,
		contact: settings.contact ?? `${ctx.clause.facilitateur} (${ctx.clause.emailFacilitateur})`,
	};
}

/** « Préparer le formulaire » : lien vérifié → formulaire pré-rempli, sinon page de refus. */
export async function prepareForm(register: Register, token: unknown, secret: string, now: Date, settings: PageSettings): Promise<PageOutcome> {
	const link = await checkLink(register, verifyReportLink(token, secret, now));
	if (!link.ok) return link.page;
	const nonce = newNonce();
	const view = await formView(register, link.claims, link.ctx, String(token).trim(), nonce, settings);
	return { statut: 'formulaire', codeHttp: 200, html: renderOnlineForm(view), claims: link.claims, clause: link.ctx.clause, nonce };
}

/** « Enregistrer la saisie » : erreurs par champ (rien d'écrit), ou relevé enregistré (nouvelle version). */
export async function submitForm(
	register: Register,
	body: unknown,
	secret: string,
	now: Date,
	intake: IntakeSettings,
	settings: PageSettings,
	source: string,
): Promise<PageOutcome> {
	const read = readSubmission(body);
	if (!read.ok) return refuse(read.message, 400);
	const submission = read.value;
	const link = await checkLink(register, verifyReportLink(submission.jeton, secret, now));
	if (!link.ok) return link.page;
	const { claims, ctx } = link;
	const scope = submissionScopeProblem(submission, claims);
	if (scope) return refuse(scope, 403, claims);
	const replay = () => refuse('Ce formulaire a déjà été envoyé et enregistré. Pour corriger le relevé, rouvrez le lien du courriel : un nouveau formulaire s’affiche, pré-rempli avec le relevé enregistré.', 409, claims);
	if (await register.nonceUsed(submission.nonce)) return { ...replay(), statut: 'rejeu' };

	const base = await formView(register, claims, ctx, submission.jeton, submission.nonce, settings);
	const again = (lines: OnlineLine[], extra: Partial<OnlineFormView>): string => renderOnlineForm({ ...base, lines, neant: submission.neant, prefill: 'saisie', ...extra });
	if (submission.action === 'ajouter') {
		const lines = [...submission.lines, ...Array.from({ length: EMPTY_FORM_LINES }, (): OnlineLine => ({}))].slice(0, MAX_FORM_LINES);
		return { statut: 'formulaire', codeHttp: 200, html: again(lines, {}), claims, clause: ctx.clause, nonce: submission.nonce };
	}
	const months = await storedLines(register, ctx);
	const latest = months.get(claims.mois) ?? months.get([...months.keys()].filter((m) => m < claims.mois).sort().pop() ?? '');
	const releve = submissionToReport(submission, claims, carriedFields(latest?.lines ?? []));
	const [outcome] = await intakeIntoRegister(register, [releve], intake, new Map([[releve, intake.dateReception]]), source, { allOrNothing: true, nonce: submission.nonce });
	if (!outcome.ok) {
		if (outcome.error instanceof ReplayError) return { ...replay(), statut: 'rejeu' };
		const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
		return {
			statut: 'incident',
			codeHttp: 503,
			html: renderRefusalPage('Votre relevé n’a pas pu être enregistré à cause d’un incident technique ; rien n’a été enregistré. Réessayez dans quelques minutes avec le même lien ; si l’incident persiste, prévenez le facilitateur.'),
			motif: message,
			claims,
			clause: ctx.clause,
		};
	}
	const errors = fieldErrors(outcome.result);
	if (errors.count > 0) {
		return { statut: 'erreurs', codeHttp: 422, html: again(submission.lines, { errors }), claims, clause: ctx.clause, result: outcome.result, nonce: submission.nonce };
	}
	return { statut: 'enregistre', codeHttp: 200, html: '', claims, clause: ctx.clause, result: outcome.result, written: outcome.written, nonce: submission.nonce };
}
