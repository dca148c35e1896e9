/**
 * Approbation par une page web : la page que l'acheteur ouvre depuis le lien
 * du courriel (rappel de ce qu'il approuve, choix, bouton), la lecture de la
 * décision postée et la page de confirmation. Tout en français ; chaque texte
 * venu des données est échappé. Sans dépendance à n8n : le nœud « Approbation
 * (clauses sociales) » sert ces pages et reprend l'exécution en attente.
 */
import { z } from 'zod/v4';

import { escapeHtml } from './format';
import { htmlPage } from './online-report';

/** Les deux choix de la page : valeur postée → libellé affiché et décision rendue. */
export const APPROVAL_CHOICES = {
	approuver: { libelle: 'Approuver l\u2019envoi', decision: 'approuvé' },
	refuser: { libelle: 'Refuser l\u2019envoi', decision: 'refusé' },
} as const;
export type ApprovalChoice = keyof typeof APPROVAL_CHOICES;

/**
 * En-têtes des pages servies par le nœud. n8n n'ajoute pas sa politique de sécurité
 * aux réponses qu'un nœud écrit lui-même : la page porte la sienne. Ni script, ni
 * ressource extérieure ; le formulaire n'est posté qu'à la même origine ; la page
 * ne s'affiche pas dans un cadre d'un autre site ; l'adresse, qui porte le jeton,
 * n'est jamais transmise comme référent ; aucune copie en cache.
 */
export const APPROVAL_PAGE_HEADERS = {
	'Content-Type': 'text/html; charset=utf-8',
	'Cache-Control': 'no-store',
	'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	'Referrer-Policy': 'no-referrer',
	'X-Content-Type-Options': 'nosniff',
} as const;

/** Libellé du bouton de la page. */
export const APPROVAL_BUTTON = 'Enregistrer ma décision';

const text = (max: number) => z.string().trim().max(max, { error: `${max} caractères au plus` });

/** Ce que la page rappelle : paramètres du nœud, souvent des expressions sur les données. */
export const ApprovalViewSchema = z.object({
	titre: z.string().trim().min(1, { error: 'le titre de la page est vide' }).max(200, { error: '200 caractères au plus' }),
	resume: text(1000),
	/** Une ligne par élément soumis à l'approbation (par exemple un avis et son montant). */
	details: z.array(z.string().trim().min(1).max(1000, { error: '1 000 caractères au plus par ligne' })).max(500, { error: '500 lignes au plus' }),
	explication: text(4000),
});
export type ApprovalView = z.output<typeof ApprovalViewSchema>;

/** Découpe un texte en lignes non vides (une ligne par élément ; puce « • » ou « - » ôtée). */
export function approvalLines(value: string): string[] {
	return value
		.split(/\r\n|\r|\n/)
		.map((line) => line.replace(/^\s*(?:[•\-*]\s+)/, '').trim())
		.filter((line) => line !== '');
}

/** Saisie en cours, remise dans la page quand elle est refusée (rien n'est perdu). */
export interface ApprovalDraft {
	decision?: string;
	nom?: string;
	commentaire?: string;
}

const paragraphs = (value: string) =>
	value
		.split(/\r\n\r\n|\n\n/)
		.filter((p) => p.trim() !== '')
		.map((p) => `<p>${escapeHtml(p.trim()).replace(/\r\n|\n/g, '<br>')}</p>`)
		.join('\n');

/** La page d'approbation (GET) ; avec `erreur`, la même page et ce qu'il faut corriger. */
export function renderApprovalPage(view: ApprovalView, state: { erreur?: string; draft?: ApprovalDraft } = {}): string {
	const draft = state.draft ?? {};
	const choices = (Object.keys(APPROVAL_CHOICES) as ApprovalChoice[])
		.map(
			(value) =>
				`<label for="decision-${value}"><input type="radio" id="decision-${value}" name="decision" value="${value}"${draft.decision === value ? ' checked' : ''}${state.erreur ? ' aria-invalid="true"' : ''}> ${escapeHtml(APPROVAL_CHOICES[value].libelle)}</label>`,
		)
		.join('\n');
	const body = [
		`<h1>${escapeHtml(view.titre)}</h1>`,
		state.erreur ? `<div class="carte resume" role="alert"><p>${escapeHtml(state.erreur)}</p></div>` : '',
		`<section class="carte" aria-label="Ce que vous approuvez">`,
		view.resume ? `<p><strong>${escapeHtml(view.resume)}</strong></p>` : '',
		view.details.length > 0 ? `<ul>${view.details.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>` : '',
		paragraphs(view.explication),
		`</section>`,
		// Formulaire sans action : il est posté à l'adresse de la page, signature comprise.
		`<form method="post">`,
		`<fieldset class="choix"><legend>Décision</legend>\n${choices}\n</fieldset>`,
		`<fieldset>`,
		`<legend>Pour le suivi (facultatif)</legend>`,
		`<label for="nom">Votre nom</label>`,
		`<input type="text" id="nom" name="nom" maxlength="200" autocomplete="name" value="${escapeHtml(draft.nom ?? '')}">`,
		`<p class="aide">Consigné avec la décision et son heure.</p>`,
		`<label for="commentaire">Commentaire</label>`,
		`<textarea id="commentaire" name="commentaire" rows="3" maxlength="2000">${escapeHtml(draft.commentaire ?? '')}</textarea>`,
		`<p class="aide">Par exemple le motif d\u2019un refus.</p>`,
		`</fieldset>`,
		`<button type="submit">${escapeHtml(APPROVAL_BUTTON)}</button>`,
		`</form>`,
		`<p class="aide">Ouvrir cette page ne décide rien : seule la décision enregistrée avec le bouton compte.</p>`,
	].filter((part) => part !== '');
	return htmlPage(view.titre, body.join('\n'));
}

/** La décision postée par la page. */
export const ApprovalSubmissionSchema = z.object({
	decision: z.enum(Object.keys(APPROVAL_CHOICES) as [ApprovalChoice, ...ApprovalChoice[]], {
		error: `choisissez « ${APPROVAL_CHOICES.approuver.libelle} » ou « ${APPROVAL_CHOICES.refuser.libelle} »`,
	}),
	nom: text(200).optional(),
	commentaire: text(2000).optional(),
});
export type ApprovalSubmission = z.output<typeof ApprovalSubmissionSchema>;

export type ApprovalRead = { ok: true; value: ApprovalSubmission } | { ok: false; message: string; draft: ApprovalDraft };

const scalar = (v: unknown) => (Array.isArray(v) ? v[v.length - 1] : v);
const asText = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Lit la décision postée (formulaire encodé, déjà découpé en champs). */
export function readApprovalSubmission(body: unknown): ApprovalRead {
	const raw = body !== null && typeof body === 'object' && !Array.isArray(body) ? Object.fromEntries(Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, scalar(v)])) : {};
	const draft: ApprovalDraft = { decision: asText(raw.decision), nom: asText(raw.nom), commentaire: asText(raw.commentaire) };
	const parsed = ApprovalSubmissionSchema.safeParse({ decision: raw.decision, nom: draft.nom, commentaire: draft.commentaire });
	if (parsed.success) return { ok: true, value: parsed.data };
	const field: Record<string, string> = { decision: 'Décision', nom: 'Votre nom', commentaire: 'Commentaire' };
	const problems = parsed.error.issues.map((i) => `${field[String(i.path[0])] ?? 'formulaire'} : ${i.message}`).join(' ; ');
	return { ok: false, message: `Décision non enregistrée (${problems}). Corrigez, puis cliquez sur « ${APPROVAL_BUTTON} ».`, draft };
}

/** La décision rendue par le nœud : ce qui a été choisi, par qui s'il l'a dit, et quand. */
export interface ApprovalOutcome {
	decision: 'approuvé' | 'refusé';
	approuve: boolean;
	decidePar: string | null;
	commentaire: string;
	decideLe: string;
}

export function approvalOutcome(submission: ApprovalSubmission, now: Date): ApprovalOutcome {
	const choice = APPROVAL_CHOICES[submission.decision];
	return {
		decision: choice.decision,
		approuve: submission.decision === 'approuver',
		decidePar: submission.nom ? submission.nom : null,
		commentaire: submission.commentaire ?? '',
		decideLe: now.toISOString(),
	};
}

/** Textes de la page de confirmation, paramètres du nœud. */
export const ApprovalMessagesSchema = z.object({
	titreApprouve: z.string().trim().min(1, { error: 'titre vide' }).max(200),
	messageApprouve: text(2000),
	titreRefuse: z.string().trim().min(1, { error: 'titre vide' }).max(200),
	messageRefuse: text(2000),
});
export type ApprovalMessages = z.output<typeof ApprovalMessagesSchema>;

/** La page de confirmation, une fois la décision enregistrée. */
export function renderDecisionPage(outcome: ApprovalOutcome, messages: ApprovalMessages): string {
	const title = outcome.approuve ? messages.titreApprouve : messages.titreRefuse;
	const message = outcome.approuve ? messages.messageApprouve : messages.messageRefuse;
	return htmlPage(title, [`<h1>${escapeHtml(title)}</h1>`, `<div class="carte ok" role="status">`, paragraphs(message), `</div>`].join('\n'));
}

/** Délai d'attente maximal : paramètres du nœud. */
export const ApprovalDelaySchema = z
	.object({
		limiter: z.boolean(),
		duree: z.number({ error: 'nombre attendu' }).positive({ error: 'durée positive attendue' }),
		unite: z.enum(['heures', 'jours'], { error: 'unité « heures » ou « jours » attendue' }),
	})
	// Un an au plus, dans l'unité choisie (365 jours ou 8 760 heures).
	.refine((d) => !d.limiter || d.duree <= (d.unite === 'jours' ? 365 : 365 * 24), { error: 'un an au plus (365 jours ou 8 760 heures)', path: ['duree'] });
export type ApprovalDelay = z.output<typeof ApprovalDelaySchema>;

/** Fin de l'attente : `undefined` quand elle n'est pas limitée. */
export function approvalDeadline(delay: ApprovalDelay, now: Date): Date | undefined {
	if (!delay.limiter) return undefined;
	const hours = delay.unite === 'jours' ? delay.duree * 24 : delay.duree;
	return new Date(now.getTime() + hours * 3600 * 1000);
}
