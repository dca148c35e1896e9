/**
 * Synthèse d'une étude de consultation (faisabilité et calibrage), en texte et
 * en HTML échappé, pour le courriel qui accompagne le rapport Excel.
 */
import type { CalibrationResult } from './calibration';
import type { FeasibilityResult } from './feasibility';
import { escapeHtml, formatEuros, formatHours, formatInteger } from './format';

export interface StudyRow {
	marche?: string;
	objet?: string;
	lot?: string;
	intitule?: string;
	montantHT?: number;
	calibrage?: CalibrationResult;
	faisabilite?: FeasibilityResult;
	/** Message d'erreur d'un lot qui n'a pas pu être traité. */
	erreur?: string;
}

export interface StudyTotals {
	lots: number;
	lotsEnErreur: number;
	lotsAvecClause: number;
	montantHT: number;
	heuresARetenir: number;
	marches: string[];
}

/** Heures à inscrire au contrat : décision de l'étude si elle existe, sinon calibrage. */
export function retainedHours(row: StudyRow): number {
	if (row.faisabilite) return row.faisabilite.heuresRetenues;
	return row.calibrage?.heures ?? 0;
}

export function studyTotals(rows: StudyRow[]): StudyTotals {
	const marches: string[] = [];
	let montantHT = 0;
	let heures = 0;
	let withClause = 0;
	let errors = 0;
	for (const row of rows) {
		if (row.marche && !marches.includes(row.marche)) marches.push(row.marche);
		if (row.erreur) {
			errors++;
			continue;
		}
		montantHT += row.montantHT ?? 0;
		heures += retainedHours(row);
		if (row.faisabilite ? row.faisabilite.decision === 'clause' : (row.calibrage?.heures ?? 0) > 0) withClause++;
	}
	return { lots: rows.length, lotsEnErreur: errors, lotsAvecClause: withClause, montantHT, heuresARetenir: heures, marches };
}

function decisionText(row: StudyRow): string {
	if (row.erreur) return `non traité : ${row.erreur}`;
	const f = row.faisabilite;
	const hours = retainedHours(row);
	if (f) {
		if (f.decision === 'pasDeClause') return `pas de clause (${f.raisons.map((r) => r.libelle).join(' ; ') || 'aucun mécanisme adapté'})`;
		const mechanisms = f.mecanismes.filter((m) => !m.option).map((m) => m.libelle.toLowerCase()).join(', ');
		return hours > 0 ? `${formatHours(hours)} — ${mechanisms}` : mechanisms;
	}
	return row.calibrage ? formatHours(hours) : 'non calibré';
}

export function studySummaryText(rows: StudyRow[], fileName?: string): string {
	const t = studyTotals(rows);
	const lines = rows.map((row) => `- Marché ${row.marche ?? 'non renseigné'}, lot ${row.lot ?? '?'}${row.intitule ? ` (${row.intitule})` : ''} : ${decisionText(row)}`);
	return [
		`Marché(s) : ${t.marches.join(', ') || 'non renseigné'}`,
		`${formatInteger(t.lots)} lot(s) étudié(s), ${formatInteger(t.lotsAvecClause)} avec une considération sociale, ${formatInteger(t.lotsEnErreur)} en erreur.`,
		`Montant total : ${formatEuros(t.montantHT)} HT. Heures d\u2019insertion à inscrire : ${formatHours(t.heuresARetenir)}.`,
		'',
		...lines,
		...(fileName ? ['', `Le détail (calculs, paramètres et sources, justifications pour la fiche visa) figure dans le fichier joint ${fileName}.`] : []),
	].join('\n');
}

export function studySummaryHtml(rows: StudyRow[], fileName?: string): string {
	const t = studyTotals(rows);
	const body = rows
		.map(
			(row) =>
				`<tr><td>${escapeHtml(row.marche ?? 'non renseigné')}</td><td>${escapeHtml(row.lot ?? '?')}</td><td>${escapeHtml(row.intitule ?? '')}</td><td style="text-align:right">${escapeHtml(row.erreur ? '—' : formatHours(retainedHours(row)))}</td><td>${escapeHtml(decisionText(row))}</td></tr>`,
		)
		.join('');
	return [
		`<p>Marché(s) : <strong>${escapeHtml(t.marches.join(', ') || 'non renseigné')}</strong></p>`,
		`<p>${escapeHtml(formatInteger(t.lots))} lot(s) étudié(s), ${escapeHtml(formatInteger(t.lotsAvecClause))} avec une considération sociale, ${escapeHtml(formatInteger(t.lotsEnErreur))} en erreur.<br>`,
		`Montant total : ${escapeHtml(formatEuros(t.montantHT))} HT. Heures d\u2019insertion à inscrire : <strong>${escapeHtml(formatHours(t.heuresARetenir))}</strong>.</p>`,
		'<table border="1" cellpadding="4" cellspacing="0" style="border-collapse:collapse"><thead><tr><th>Marché</th><th>Lot</th><th>Intitulé</th><th>Heures</th><th>Décision</th></tr></thead>',
		`<tbody>${body}</tbody></table>`,
		fileName ? `<p>Le détail (calculs, paramètres et sources, justifications pour la fiche visa) figure dans le fichier joint ${escapeHtml(fileName)}.</p>` : '',
	].join('\n');
}
