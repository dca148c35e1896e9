/**
 * Anomalies : ce qui ne va pas dans une saisie, dit en français, avec
 * l'endroit (champ, élément, feuille, cellule) et ce qu'il faut faire.
 * Les schémas zod produisent leurs erreurs dans ce format.
 */
import type { z } from 'zod/v4';

import { quote } from './format';

export type Severity = 'erreur' | 'avertissement';

export interface Anomaly {
	/** Gravité : une erreur bloque l'enregistrement, un avertissement l'accompagne. */
	gravite: Severity;
	/** Chemin du champ dans l'enregistrement, par ex. « montantHT » ou « lots[2].heures ». */
	champ: string;
	/** Libellé français du champ, par ex. « montant HT ». */
	libelle: string;
	/** Où : « lot 4 du marché 2026-017 », « feuille « Lots », cellule C5 »… */
	ou?: string;
	/** Ce qui ne va pas. */
	message: string;
	/** Ce qu'il faut faire. */
	correction: string;
	/** Feuille et cellule quand la donnée vient d'un classeur. */
	feuille?: string;
	cellule?: string;
	/** Code stable de la règle, pour filtrer ou traduire. */
	regle?: string;
}

/** Erreur métier : une ou plusieurs anomalies bloquantes. */
export class AnomalyError extends Error {
	readonly anomalies: Anomaly[];

	constructor(anomalies: Anomaly[], summary?: string) {
		super(summary ?? summarize(anomalies));
		this.name = 'AnomalyError';
		this.anomalies = anomalies;
	}
}

/** Une phrase qui dit où et quoi, pour le message principal d'une erreur n8n. */
export function describeAnomaly(anomaly: Anomaly): string {
	const where = anomaly.ou ? `${capitalize(anomaly.ou)}, ` : '';
	const cell = anomaly.cellule
		? ` (feuille «\u00a0${anomaly.feuille ?? ''}\u00a0», cellule ${anomaly.cellule})`
		: '';
	return `${where}${anomaly.libelle}${cell} : ${anomaly.message}`;
}

export function summarize(anomalies: Anomaly[]): string {
	const errors = anomalies.filter((a) => a.gravite === 'erreur');
	const list = errors.length > 0 ? errors : anomalies;
	if (list.length === 0) return 'Saisie invalide.';
	const first = describeAnomaly(list[0]);
	if (list.length === 1) return first;
	const others = list.length - 1;
	return `${first} (et ${others === 1 ? 'une autre anomalie' : `${others} autres anomalies`})`;
}

/** Texte détaillé : une ligne par anomalie avec la correction attendue. */
export function detailAnomalies(anomalies: Anomaly[]): string {
	return anomalies
		.map((a) => `• ${describeAnomaly(a)} → ${a.correction}`)
		.join('\n');
}

export function capitalize(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Première lettre en minuscule (un libellé repris au fil d'une phrase). */
export function uncapitalize(text: string): string {
	return text.charAt(0).toLowerCase() + text.slice(1);
}

/** Libellés français des champs, par nom de champ (dernier segment du chemin). */
export type FieldLabels = Record<string, string>;

function pathToString(path: PropertyKey[]): string {
	let out = '';
	for (const segment of path) {
		if (typeof segment === 'number') out += `[${segment}]`;
		else out += out === '' ? String(segment) : `.${String(segment)}`;
	}
	return out;
}

function labelFor(path: PropertyKey[], labels: FieldLabels): string {
	const last = [...path].reverse().find((segment) => typeof segment === 'string');
	if (last === undefined) return 'enregistrement';
	return labels[String(last)] ?? String(last);
}

/**
 * Traduit les erreurs zod en anomalies françaises. Les schémas du cœur portent
 * leurs propres messages (paramètres `message` et `correction`) ; les cas
 * génériques sont traduits ici.
 */
export function anomaliesFromZod(
	error: z.ZodError,
	labels: FieldLabels,
	where?: string,
	input?: unknown,
): Anomaly[] {
	return error.issues.map((issue) => {
		const libelle = labelFor(issue.path, labels);
		const params = (issue as { params?: { correction?: string; regle?: string } }).params;
		const received = valueAt(input, issue.path);
		const { message, correction } = translateIssue(issue, libelle, received);
		return {
			gravite: 'erreur' as const,
			champ: pathToString(issue.path),
			libelle,
			ou: where,
			message: issue.code === 'custom' ? issue.message : message,
			correction: params?.correction ?? correction,
			regle: params?.regle ?? `schema.${issue.code}`,
		};
	});
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
	let current: unknown = input;
	for (const segment of path) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<PropertyKey, unknown>)[segment];
	}
	return current;
}

function translateIssue(
	issue: z.core.$ZodIssue,
	libelle: string,
	received: unknown,
): { message: string; correction: string } {
	const shown = received === undefined ? '' : ` (reçu ${quote(received)})`;
	switch (issue.code) {
		case 'invalid_type':
			if (received === undefined || received === null || received === '') {
				return {
					message: 'valeur manquante',
					correction: `Renseignez le champ «\u00a0${libelle}\u00a0».`,
				};
			}
			return {
				message: `type inattendu${shown}, ${expectedLabel(issue.expected)} attendu`,
				correction: `Saisissez ${expectedLabel(issue.expected)} dans «\u00a0${libelle}\u00a0».`,
			};
		case 'invalid_value':
			return {
				message: `valeur non reconnue${shown}`,
				correction: `Choisissez l'une des valeurs : ${issue.values.map((v) => String(v)).join(', ')}.`,
			};
		case 'too_small':
			return {
				message: `valeur trop petite${shown}, minimum ${String(issue.minimum)}`,
				correction: `Saisissez une valeur supérieure ou égale à ${String(issue.minimum)}.`,
			};
		case 'too_big':
			return {
				message: `valeur trop grande${shown}, maximum ${String(issue.maximum)}`,
				correction: `Saisissez une valeur inférieure ou égale à ${String(issue.maximum)}.`,
			};
		case 'invalid_format':
			return {
				message: `format invalide${shown}`,
				correction: `Corrigez le format de «\u00a0${libelle}\u00a0».`,
			};
		case 'unrecognized_keys':
			return {
				message: `champ(s) inconnu(s) : ${issue.keys.join(', ')}`,
				correction: 'Retirez ou renommez ces champs.',
			};
		default:
			return {
				message: `valeur invalide${shown}`,
				correction: `Vérifiez le champ «\u00a0${libelle}\u00a0».`,
			};
	}
}

function expectedLabel(expected: string): string {
	switch (expected) {
		case 'number':
			return 'un nombre';
		case 'string':
			return 'un texte';
		case 'boolean':
			return 'oui ou non';
		case 'array':
			return 'une liste';
		case 'object':
			return 'un objet';
		case 'date':
			return 'une date';
		default:
			return expected;
	}
}

/** Lit un paramètre JSON saisi dans le nœud ; une syntaxe fautive devient une anomalie qui le nomme. */
export function parseJsonParameter(value: unknown, champ: string, libelle: string, example: string): unknown {
	if (typeof value !== 'string') return value;
	if (value.trim() === '') return undefined;
	let detail = '';
	try {
		return JSON.parse(value);
	} catch (error) {
		detail = error instanceof Error ? ` (${error.message})` : '';
	}
	throw new AnomalyError([
		{
			gravite: 'erreur',
			champ,
			libelle,
			ou: 'paramètres du nœud',
			message: `le JSON est illisible${detail}`,
			correction: `Corrigez la syntaxe, par exemple ${example}.`,
			regle: 'parametres.json',
		},
	]);
}
