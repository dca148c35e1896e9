/**
 * Réception des relevés, côté entrées et classeur de suivi, sans n8n : la date
 * de réception et l'adresse de l'expéditeur saisies (ou venues d'un courriel),
 * le relevé absent d'un élément, les lignes d'éléments groupées en relevés,
 * les lignes à ajouter et à marquer dans la nouvelle version du classeur, le
 * nom d'un fichier produit et le texte d'une anomalie de ligne.
 */
import { z } from 'zod/v4';

import type { Anomaly } from './anomalies';
import { parseDate } from './calendar';
import { canonicalizeKeys } from './keys';
import type { IncomingReport, ReportResult } from './report-intake';
import { lineKey, participantKey } from './report-intake';
import { REPORT_LINE_READER, clauseKey } from './schemas/follow-up';

/**
 * Date de réception saisie (texte, date, ou date d'un courriel « 2026-11-05T08:12:00Z ») ;
 * `undefined` si elle est vide ou illisible (la date du jour vaut alors).
 */
export function receptionDateOf(raw: unknown): string | undefined {
	if (raw === '' || raw === undefined || raw === null) return undefined;
	return parseDate(raw instanceof Date ? raw : String(raw)) ?? parseDate(String(raw).slice(0, 10));
}

/** Expéditeur d'un courriel lu par n8n : `{ text }` ou `{ value: [{ address }] }`. */
const MailSenderSchema = z.looseObject({
	text: z.unknown().optional(),
	value: z.array(z.looseObject({ address: z.unknown().optional() })).optional().catch(undefined),
});

/** Adresse de l'expéditeur : saisie, ou champ « from » d'un courriel lu par n8n ; `undefined` si aucune. */
export function senderAddress(value: unknown): string | undefined {
	let text = '';
	if (typeof value === 'string') text = value;
	else {
		const sender = MailSenderSchema.safeParse(value);
		if (sender.success) text = String(sender.data.text ?? sender.data.value?.[0]?.address ?? '');
	}
	const m = /[^\s<>"]+@[^\s<>"]+/.exec(text);
	return m ? m[0] : undefined;
}

/** Relevé d'un élément qui ne porte aucun classeur .xlsx : refusé, avec la correction à faire. */
export function missingReport(itemIndex: number, expediteur: string | undefined): IncomingReport {
	return {
		source: `élément ${itemIndex + 1}`,
		itemIndexes: [itemIndex],
		header: {},
		lines: [],
		expediteur,
		anomalies: [
			{
				gravite: 'erreur',
				champ: 'fichier',
				libelle: 'relevé',
				ou: `élément ${itemIndex + 1}`,
				message: 'aucun relevé Excel (.xlsx) reçu',
				correction: 'Joignez le modèle de relevé rempli, au format .xlsx, à votre message.',
				regle: 'releve.absent',
			},
		],
	};
}

/** Une ligne de relevé reçue comme élément d'entrée (base de données, tableur). */
export interface ReportLineItem {
	itemIndex: number;
	json: Record<string, unknown>;
}

/**
 * Lignes reçues comme éléments : les lignes consécutives d'une même clause
 * (marché et lot) forment un relevé. `senderOf` donne l'adresse de l'expéditeur
 * de l'élément qui ouvre un relevé.
 */
export function reportsFromLineItems(items: readonly ReportLineItem[], senderOf: (itemIndex: number) => string | undefined): IncomingReport[] {
	const reports: IncomingReport[] = [];
	let current: IncomingReport | undefined;
	let currentKey = '';
	for (const { itemIndex, json } of items) {
		const raw = canonicalizeKeys(json, REPORT_LINE_READER.keys);
		const key = `${String(raw.marche ?? '')}|${String(raw.lot ?? '')}`;
		if (!current || key !== currentKey) {
			current = { source: `élément ${itemIndex + 1}`, itemIndexes: [], header: { marche: raw.marche, lot: raw.lot, siret: raw.siret }, lines: [], anomalies: [], expediteur: senderOf(itemIndex) };
			currentKey = key;
			reports.push(current);
		}
		current.itemIndexes.push(itemIndex);
		current.source = current.itemIndexes.length === 1 ? `élément ${itemIndex + 1}` : `éléments ${current.itemIndexes[0] + 1} à ${itemIndex + 1}`;
		const { marche: _m, lot: _l, ...line } = raw;
		void _m;
		void _l;
		current.lines.push({ raw: line, where: `élément ${itemIndex + 1}`, problems: [], itemIndex });
	}
	return reports;
}

/** Ce que la réception change au classeur de suivi : lignes ajoutées, lignes déjà au classeur marquées « remplacée par ». */
export interface WorkbookChanges {
	rows: Array<Record<string, unknown>>;
	/** Numéro de ligne de la feuille « Relevés » → texte « remplacée par ». */
	marks: Map<number, string>;
}

/**
 * Lignes acceptées à ajouter au classeur et lignes remplacées à marquer. Une
 * ligne reçue plus tôt dans la même exécution puis corrigée est marquée dans
 * les lignes ajoutées elles-mêmes.
 */
export function workbookChanges(results: readonly ReportResult[]): WorkbookChanges {
	const rows: Array<Record<string, unknown>> = [];
	const marks = new Map<number, string>();
	const pending = new Map<string, Record<string, unknown>>();
	for (const result of results) {
		for (const line of result.lignes) {
			if (!line.valeur) continue;
			const row: Record<string, unknown> = { ...line.valeur };
			rows.push(row);
			pending.set(`${clauseKey(line.valeur)}|${line.valeur.mois}|${lineKey(line.valeur)}|${line.valeur.version}`, row);
		}
		for (const r of result.remplacements) {
			const text = `${r.par}${r.motif === 'retrait' ? ' (retrait)' : ''}`;
			if (r.ligne !== undefined) marks.set(r.ligne, text);
			else {
				const row = pending.get(`${r.cle}|${r.cleLigne ?? participantKey(r.participant)}|${r.version}`);
				if (row) row.remplaceePar = text;
			}
		}
	}
	return { rows, marks };
}

/** Nom d'un fichier produit : celui demandé (extension ajoutée au besoin), ou le nom par défaut s'il est vide. */
export function requestedFileName(requested: string, fallback: string, extension: string): string {
	const name = requested.trim();
	if (name === '') return fallback;
	return name.endsWith(extension) ? name : `${name}${extension}`;
}

/** Une anomalie de ligne de relevé, en une phrase : gravité, champ, cellule, message et correction. */
export function lineAnomalyText(a: Anomaly): string {
	return `${a.gravite === 'erreur' ? 'Erreur' : 'À vérifier'} : ${a.libelle}${a.cellule ? ` (${a.cellule})` : ''} — ${a.message}. ${a.correction}`;
}
