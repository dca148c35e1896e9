/**
 * Approbation des avis de pénalité par la page reçue par courriel : le lien du
 * courriel « Approbation requise » ($execution.resumeUrl) ouvre la page du nœud
 * « Approbation (clauses sociales) » ; la décision est postée comme le fait la
 * page dans un navigateur (formulaire encodé : decision, nom, commentaire ;
 * signature dans l'adresse).
 */
import type { ParsedMail } from 'mailparser';

import { local } from './real-n8n';

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

export const APPROUVER = 'Approuver l’envoi';
export const REFUSER = 'Refuser l’envoi';

/** Le lien d'approbation du courriel, lu dans sa partie texte brut (et le même dans sa partie HTML). */
export function approvalLink(mail: { parsed: ParsedMail }): string {
	const text = String(mail.parsed.text ?? '');
	const link = /(https?:\/\/\S+\/webhook-waiting\/\d+\?signature=[0-9a-f]+)/.exec(text)?.[1];
	if (!link) throw new Error(`Aucun lien d’approbation dans le texte du courriel :\n${text}`);
	const html = String(mail.parsed.html ?? '');
	if (!html.includes(`href="${link}"`)) throw new Error(`Le bouton du courriel HTML ne porte pas le lien ${link}`);
	return link;
}

/** Identifiant de l'exécution en attente, lu dans le lien. */
export function executionOf(link: string): string {
	return /webhook-waiting\/(\d+)/.exec(link)![1];
}

/** Ouvre la page d'approbation (réessaie le temps que le serveur enregistre ses routes). */
export function openApprovalPage(link: string, options?: { timeoutMs?: number }): Promise<{ status: number; body: string }> {
	return local.openLink(link, options);
}

/** Valeur postée par la page pour chaque choix affiché. */
const POSTED: Record<string, string> = { [APPROUVER]: 'approuver', [REFUSER]: 'refuser', '': '' };

/** Poste la décision (et un commentaire) comme la page le fait, '' : aucun choix coché ; rend la réponse (page de fin). */
export async function submitApproval(link: string, decision: string, commentaire = '', timeoutMs = 120000): Promise<{ status: number; body: string }> {
	const value = POSTED[decision];
	if (value === undefined) throw new Error(`Choix inconnu de la page d’approbation : « ${decision} »`);
	const form = new URLSearchParams({ decision: value, nom: '', commentaire });
	const response = await fetch(link, { method: 'POST', body: form, headers: { 'user-agent': BROWSER }, signal: AbortSignal.timeout(timeoutMs) }).catch((error: unknown) => {
		throw new Error(`Décision « ${decision} » postée sur ${link} : pas de réponse (${String(error)})`);
	});
	return { status: response.status, body: await response.text() };
}
