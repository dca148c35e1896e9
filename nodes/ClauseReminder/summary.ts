/**
 * Synthèse d'une exécution de la relance, par facilitateur : ce qui est parti,
 * ce qui était déjà parti, ce qui a échoué et pourquoi, les clauses en anomalie.
 * Le HTML échappe tout ce qui vient des données.
 */
import type { IDataObject } from 'n8n-workflow';

import { escapeHtml, frenchLongDate, frenchMonth } from '../core';
import { isDataObject } from '../shared/parameters';

/** Adresses d'un champ de l'envoi (liste de textes). */
function textList(value: unknown): string[] {
	return Array.isArray(value) ? value.map(String) : [];
}

export interface FacilitatorSummary {
	facilitateur: string;
	emailFacilitateur: string | null;
	dateReference: string;
	moisReference: string;
	mode: string;
	compte: Record<string, number>;
	lignes: Array<{ marche: string; lot: string; titulaire: string; niveau: string; statut: string; detail: string }>;
	objet: string;
	texte: string;
	html: string;
}

const STATUS_ORDER = ['échec', 'reporté', 'anomalie', 'incertain', 'envoyé', 'aperçu', 'en cours ailleurs', 'déjà envoyé', 'sans objet'];

function lineOf(json: IDataObject): FacilitatorSummary['lignes'][number] & { email: string | null; nom: string } {
	if (typeof json.error === 'string') {
		const details = isDataObject(json.details) ? json.details : {};
		const donnees = isDataObject(details.donnees) ? details.donnees : {};
		return {
			email: typeof donnees.emailFacilitateur === 'string' ? donnees.emailFacilitateur : null,
			nom: typeof donnees.facilitateur === 'string' ? donnees.facilitateur : 'Sans facilitateur identifié',
			marche: String(donnees.marche ?? donnees['marché'] ?? '?'),
			lot: String(donnees.lot ?? '?'),
			titulaire: String(donnees.titulaire ?? ''),
			niveau: '',
			statut: 'anomalie',
			detail: json.error,
		};
	}
	const decision = isDataObject(json.decision) ? json.decision : {};
	const envoi = isDataObject(json.envoi) ? json.envoi : {};
	const statut = String(envoi.statut);
	const detail =
		statut === 'échec' || statut === 'reporté'
			? String(envoi.erreur)
			: statut === 'sans objet'
				? String(decision.motif)
				: `${String(decision.motif)} → ${[...textList(envoi.a), ...textList(envoi.cc)].join(', ')}`;
	return {
		email: typeof json.emailFacilitateur === 'string' ? json.emailFacilitateur : null,
		nom: String(json.facilitateur ?? ''),
		marche: String(json.marche),
		lot: String(json.lot),
		titulaire: String(json.titulaire ?? ''),
		niveau: String(decision.niveauLibelle ?? ''),
		statut,
		detail,
	};
}

export function buildFacilitatorSummaries(
	items: IDataObject[],
	meta: { dateReference: string; mode: string; ignoredSheets: string[]; ignoredFiles?: string[] },
): FacilitatorSummary[] {
	const groups = new Map<string, { nom: string; email: string | null; lignes: FacilitatorSummary['lignes'] }>();
	for (const json of items) {
		const { email, nom, ...line } = lineOf(json);
		const key = (email ?? '').toLowerCase();
		const group = groups.get(key) ?? { nom, email, lignes: [] };
		group.lignes.push(line);
		groups.set(key, group);
	}
	const [y, m] = meta.dateReference.split('-').map(Number);
	const ref = `${m === 1 ? y - 1 : y}-${String(m === 1 ? 12 : m - 1).padStart(2, '0')}`;
	return [...groups.values()].map((group) => {
		const lignes = [...group.lignes].sort(
			(a, b) => STATUS_ORDER.indexOf(a.statut) - STATUS_ORDER.indexOf(b.statut) || a.marche.localeCompare(b.marche) || a.lot.localeCompare(b.lot),
		);
		const compte: Record<string, number> = { clauses: lignes.length };
		for (const status of STATUS_ORDER) compte[status] = lignes.filter((l) => l.statut === status).length;
		const preview = meta.mode === 'apercu';
		const objet = `${preview ? 'Aperçu des relances' : 'Relances'} des clauses sociales – ${frenchMonth(ref)}`;
		const head = [
			`Relance mensuelle du ${frenchLongDate(meta.dateReference)} (relevés attendus jusqu’à ${frenchMonth(ref)})${preview ? ' — aperçu : aucun courriel n’est parti' : ''}.`,
			`${compte.clauses} clause(s) suivie(s) : ${compte['envoyé']} relance(s) envoyée(s), ${compte['déjà envoyé']} déjà envoyée(s) auparavant, ${compte['aperçu']} en aperçu, ${compte['échec']} échec(s), ${compte.anomalie} en anomalie, ${compte['sans objet']} sans relance.${compte['reporté'] > 0 ? ` ${compte['reporté']} relance(s) reportée(s) à la prochaine exécution (durée maximale des envois atteinte).` : ''}${compte.incertain > 0 ? ` ${compte.incertain} relance(s) interrompue(s) lors d’une exécution précédente et renvoyée(s) (réception en double possible).` : ''}${compte['en cours ailleurs'] > 0 ? ` ${compte['en cours ailleurs']} relance(s) en cours d’envoi dans une autre exécution.` : ''}`,
		];
		if (meta.ignoredSheets.length > 0) head.push(`Feuilles du classeur ignorées : ${meta.ignoredSheets.join(', ')}.`);
		if (meta.ignoredFiles && meta.ignoredFiles.length > 0) head.push(`Versions anciennes du classeur ignorées : ${meta.ignoredFiles.join(', ')}.`);
		// Clauses sans relance au même motif réunies sur une ligne : le motif n'est pas redit clause par clause.
		const label = (l: (typeof lignes)[number]) => `marché ${l.marche}, lot ${l.lot}${l.titulaire ? ` (${l.titulaire})` : ''}`;
		const entries: Array<{ line: string } | { detail: string; clauses: string[] }> = [];
		const byDetail = new Map<string, { detail: string; clauses: string[] }>();
		for (const l of lignes) {
			if (l.statut !== 'sans objet') {
				entries.push({ line: `- Marché ${l.marche}, lot ${l.lot}${l.titulaire ? ` (${l.titulaire})` : ''} : ${l.statut}${l.niveau ? `, ${l.niveau.toLowerCase()}` : ''}. ${l.detail}` });
				continue;
			}
			const group = byDetail.get(l.detail);
			if (group) group.clauses.push(label(l));
			else {
				const created = { detail: l.detail, clauses: [label(l)] };
				byDetail.set(l.detail, created);
				entries.push(created);
			}
		}
		const rows = entries.map((e) => ('line' in e ? e.line : `- Sans relance${e.clauses.length > 1 ? ` (${e.clauses.length} clauses)` : ''} : ${e.clauses.join(' ; ')}. ${e.detail}`));
		const texte = ['Bonjour,', '', ...head, '', ...rows, '', 'Les échecs et les anomalies sont à traiter : les relances correspondantes n’ont pas été envoyées et le seront à la prochaine exécution une fois corrigées.'].join('\n');
		const html = [
			'<p>Bonjour,</p>',
			...head.map((h) => `<p>${escapeHtml(h)}</p>`),
			'<table border="1" cellpadding="4" cellspacing="0" style="border-collapse:collapse"><thead><tr><th>Marché</th><th>Lot</th><th>Titulaire</th><th>Statut</th><th>Niveau</th><th>Détail</th></tr></thead><tbody>',
			...lignes.map(
				(l) =>
					`<tr><td>${escapeHtml(l.marche)}</td><td>${escapeHtml(l.lot)}</td><td>${escapeHtml(l.titulaire)}</td><td>${escapeHtml(l.statut)}</td><td>${escapeHtml(l.niveau)}</td><td>${escapeHtml(l.detail)}</td></tr>`,
			),
			'</tbody></table>',
			'<p>Les échecs et les anomalies sont à traiter : les relances correspondantes n’ont pas été envoyées et le seront à la prochaine exécution une fois corrigées.</p>',
		].join('\n');
		return {
			facilitateur: group.nom,
			emailFacilitateur: group.email,
			dateReference: meta.dateReference,
			moisReference: ref,
			mode: meta.mode,
			compte,
			lignes,
			objet,
			texte,
			html,
		};
	});
}
