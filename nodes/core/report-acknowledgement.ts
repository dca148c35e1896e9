/**
 * Accusé de réception d'un relevé, pour le titulaire (facilitateur en copie) :
 * ce qui est accepté, ce qui ne l'est pas et quoi corriger, les corrections
 * enregistrées, les lignes déjà reçues. Texte et HTML (tout ce qui vient des
 * données est échappé). Fonctions pures.
 */
import type { Anomaly } from './anomalies';
import { describeAnomaly } from './anomalies';
import { frenchLongDate, frenchMonth } from './calendar';
import { escapeHtml, formatHours } from './format';
import type { ReportResult } from './report-intake';
import { LINE_STATUSES } from './report-intake';
import { singleLine } from './reminder-message';
import { clauseKey } from './schemas/follow-up';

export interface AcknowledgementOptions {
	signature: string;
	dateReception: string;
}

export interface Acknowledgement {
	to: string[];
	cc: string[];
	subject: string;
	text: string;
	html: string;
	/** Clé de non-redite : un même relevé, au même destinataire, n'est jamais acquitté deux fois. */
	cle: string | null;
}

/** Hachage FNV-1a 32 bits (hexadécimal) : empreinte courte d'un contenu, sans dépendance. */
export function fnv1a(text: string): string {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return (h >>> 0).toString(16).padStart(8, '0');
}

function monthsLabel(months: string[]): string {
	if (months.length === 0) return 'mois non identifié';
	return months.map(frenchMonth).join(', ');
}

function placeOf(a: Anomaly): string {
	return a.cellule ? ` (cellule ${a.cellule})` : '';
}

export function renderAcknowledgement(result: ReportResult, options: AcknowledgementOptions): Acknowledgement {
	const clause = result.clause;
	const to = clause ? [clause.emailTitulaire] : result.expediteur ? [result.expediteur] : [];
	const cc = clause ? [clause.emailFacilitateur] : [];
	const what = result.marche ? `marché ${result.marche}${result.lot ? `, lot ${result.lot}` : ''}` : result.fileName ? `fichier ${result.fileName}` : 'relevé';
	const subject = singleLine(`Relevé d\u2019heures d\u2019insertion ${monthsLabel(result.mois)} – ${what} : ${result.statutLibelle}`);
	const c = result.compte;
	const accepted = result.lignes.filter((l) => l.statut === 'nouvelle' || l.statut === 'correction');
	const refused = result.lignes.filter((l) => l.statut === 'refusee');
	const already = result.lignes.filter((l) => l.statut === 'dejaRecue');
	const headerErrors = result.anomalies.filter((a) => a.gravite === 'erreur' && !result.lignes.some((l) => l.anomalies.includes(a)));
	const warnings = result.anomalies.filter((a) => a.gravite === 'avertissement');

	const intro = `Nous avons reçu le ${frenchLongDate(options.dateReception)} votre relevé des heures d\u2019insertion (${what}, ${monthsLabel(result.mois)}${result.fileName ? `, fichier « ${result.fileName} »` : ''}). Il est ${result.statutLibelle}.`;
	const sections: Array<{ title: string; lines: string[] }> = [];
	if (headerErrors.length > 0) {
		sections.push({ title: 'Le relevé n\u2019a pas pu être enregistré :', lines: headerErrors.map((a) => `${describeAnomaly(a)}. ${a.correction}`) });
	}
	if (accepted.length > 0) {
		const versions = Object.entries(result.versions).map(([m, v]) => `${frenchMonth(m)} : version ${v}`).join(' ; ');
		sections.push({
			title: `Lignes enregistrées : ${accepted.length}, soit ${formatHours(c.heuresAcceptees)} d\u2019insertion${c.heuresFormationAcceptees > 0 ? ` et ${formatHours(c.heuresFormationAcceptees)} de formation` : ''} (${versions}).`,
			lines: accepted.map((l) => `${l.participant ?? 'néant'}, ${frenchMonth(l.mois!)} : ${formatHours(l.heuresMois ?? 0)}, ${LINE_STATUSES[l.statut]}${l.valeur?.remplace ? `, remplace la version ${l.valeur.remplace}` : ''}.`),
		});
	}
	if (result.remplacements.length > 0) {
		sections.push({
			title: 'Lignes précédemment déclarées, remplacées par ce relevé (conservées dans l\u2019historique, plus comptées) :',
			lines: result.remplacements.map((r) => `${r.participant}, ${frenchMonth(r.mois)} : ${formatHours(r.heuresMois)} (version ${r.version}) — ${r.motif === 'retrait' ? 'absent du relevé complet renvoyé' : 'corrigée'}.`),
		});
	}
	if (already.length > 0) {
		sections.push({
			title: `Lignes déjà reçues à l\u2019identique : ${already.length} (elles ne sont pas comptées deux fois).`,
			lines: already.map((l) => `${l.participant ?? 'néant'}, ${frenchMonth(l.mois!)} : ${formatHours(l.heuresMois ?? 0)}.`),
		});
	}
	if (refused.length > 0 && headerErrors.length === 0) {
		sections.push({
			title: `Lignes refusées : ${refused.length}. Corrigez-les et renvoyez le relevé complet du mois :`,
			lines: refused.flatMap((l) => l.anomalies.filter((a) => a.gravite === 'erreur').map((a) => `${a.ou ?? l.ou}${placeOf(a)}${l.participant ? `, participant ${l.participant}` : ''} — ${a.libelle} : ${a.message}. ${a.correction}`)),
		});
	}
	if (warnings.length > 0) {
		sections.push({ title: 'Points à vérifier (les heures sont enregistrées) :', lines: warnings.map((a) => `${a.ou ?? ''}${placeOf(a)} — ${a.libelle} : ${a.message}. ${a.correction}`) });
	}
	const closing = result.statut === 'refuse' || result.statut === 'partiellementAccepte' ? 'Merci de renvoyer le relevé corrigé en réponse à ce message.' : 'Merci pour votre relevé.';
	const signature = options.signature.split('\n').map((l) => l.trim()).filter(Boolean);
	const text = [
		'Madame, Monsieur,',
		'',
		intro,
		...sections.flatMap((s) => ['', s.title, ...s.lines.map((l) => `- ${l}`)]),
		'',
		closing,
		'',
		'Cordialement,',
		...signature,
	].join('\n');
	const html = [
		'<p>Madame, Monsieur,</p>',
		`<p>${escapeHtml(intro)}</p>`,
		...sections.map((s) => `<p>${escapeHtml(s.title)}</p>\n<ul>${s.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`),
		`<p>${escapeHtml(closing)}</p>`,
		`<p>Cordialement,<br>${signature.map(escapeHtml).join('<br>')}</p>`,
	].join('\n');
	// La clé porte sur le contenu reçu, pas sur la décision : un même relevé traité de nouveau (exécution
	// relancée, registre déjà à jour) n'est pas acquitté une seconde fois ; un relevé corrigé l'est.
	const content = JSON.stringify([
		result.marche,
		result.lot,
		result.mois,
		headerErrors.map((a) => a.regle),
		result.lignes.map((l) => [l.participant, l.mois, l.heuresMois, l.statut === 'refusee' ? l.anomalies.map((a) => a.regle) : null]),
	]);
	const key = clause ? clauseKey(clause) : result.fileName ?? result.source;
	return {
		to,
		cc,
		subject,
		text,
		html,
		cle: to.length > 0 ? `accuse|${key}|${result.mois.join(',')}|${fnv1a(content)}|${to[0].toLowerCase()}` : null,
	};
}
