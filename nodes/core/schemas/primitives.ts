/**
 * Briques zod communes à tous les schémas : nombres saisis à la française,
 * montants, taux en pourcentage, textes, énumérations avec synonymes.
 * Chaque erreur porte un message et une correction en français.
 */
import { z } from 'zod/v4';

import { parseDate, parseMonth } from '../calendar';
import { normalizeEmail, splitEmails } from '../email';
import { formatNumber, quote } from '../format';
import { parseDecimal } from '../numbers';
import type { PlausibilityBounds } from '../plausibility';
import { implausible, plausibilityBound } from '../plausibility';

type Ctx = z.RefinementCtx;

function issue(ctx: Ctx, message: string, correction: string, regle: string): typeof z.NEVER {
	ctx.addIssue({ code: 'custom', message, params: { correction, regle } });
	return z.NEVER;
}

/** Anomalie d'une règle d'ensemble (`superRefine`), rattachée à un champ. */
export function fieldIssue(ctx: Ctx, field: string, message: string, correction: string, regle: string): void {
	ctx.addIssue({ code: 'custom', path: [field], message, params: { correction, regle } });
}

/** Anomalie d'une valeur : message, correction, règle. */
type IssueText = [message: string, correction: string, regle: string];

/**
 * Valeur lue par `parse` ; sinon l'anomalie `missing` pour une valeur absente
 * (undefined, null, chaîne vide) ou celle de `unreadable` pour une autre.
 */
function parsedValue<T>(parse: (raw: unknown) => T | undefined, missing: IssueText, unreadable: (raw: unknown) => IssueText) {
	return z.unknown().transform((raw, ctx): T => {
		const value = parse(raw);
		if (value !== undefined) return value;
		return issue(ctx, ...(raw === undefined || raw === null || raw === '' ? missing : unreadable(raw)));
	});
}

/** Vide (null, chaîne vide ou espaces) → undefined, pour les champs facultatifs. */
export function emptyToUndefined(value: unknown): unknown {
	if (value === null || value === undefined) return undefined;
	if (typeof value === 'string' && value.trim() === '') return undefined;
	return value;
}

interface NumberOptions {
	min?: number;
	max?: number;
	/** Le minimum est-il exclu (strictement supérieur) ? */
	exclusiveMin?: boolean;
	integer?: boolean;
	/** Exemple de saisie correcte, affiché dans la correction. */
	example?: string;
	/** Unité affichée : « € », « % », « h », « mois »… */
	unit?: string;
	/** Borne de vraisemblance (plausibility.ts), celle en vigueur à la validation : au-delà, erreur de saisie, avec la source de la borne. */
	plausible?: keyof PlausibilityBounds;
}

/** Nombre saisi en JSON ou en texte français (« 1 234,50 », « 12,5 % »). */
export function decimal(options: NumberOptions = {}) {
	const example = options.example ?? '1 234,50';
	return z.unknown().transform((raw, ctx): number => {
		const value = parseDecimal(raw);
		if (value === undefined) {
			if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
				return issue(ctx, 'valeur manquante', `Saisissez un nombre, par exemple ${example}.`, 'nombre.manquant');
			}
			return issue(
				ctx,
				`${quote(raw)} n'est pas un nombre lisible`,
				`Saisissez un nombre, par exemple ${example} (virgule décimale et espaces acceptés).`,
				'nombre.illisible',
			);
		}
		const unit = options.unit ? `\u00a0${options.unit}` : '';
		if (options.min !== undefined) {
			const tooSmall = options.exclusiveMin ? value <= options.min : value < options.min;
			if (tooSmall) {
				const bound = options.exclusiveMin ? 'strictement supérieure à' : 'supérieure ou égale à';
				const negative = value < 0 && options.min >= 0;
				return issue(
					ctx,
					negative ? `valeur négative (${formatNumber(value)}${unit})` : `valeur trop petite (${formatNumber(value)}${unit})`,
					`Saisissez une valeur ${bound} ${formatNumber(options.min)}${unit}.`,
					negative ? 'nombre.negatif' : 'nombre.tropPetit',
				);
			}
		}
		if (options.max !== undefined && value > options.max) {
			return issue(
				ctx,
				`valeur trop grande (${formatNumber(value)}${unit})`,
				`Saisissez une valeur inférieure ou égale à ${formatNumber(options.max)}${unit}.`,
				'nombre.tropGrand',
			);
		}
		const plausible = options.plausible === undefined ? undefined : plausibilityBound(options.plausible);
		if (plausible !== undefined && value > plausible.max) {
			const { message, correction } = implausible(value, plausible);
			return issue(ctx, message, correction, 'nombre.invraisemblable');
		}
		if (options.integer && !Number.isInteger(value)) {
			return issue(ctx, `${formatNumber(value)} n'est pas un nombre entier`, 'Saisissez un nombre entier.', 'nombre.nonEntier');
		}
		return value;
	});
}

/** Montant en euros HT, positif ou nul. */
export function amount(plausible?: keyof PlausibilityBounds) {
	return decimal({ min: 0, unit: '€', example: '1 234 567,89', plausible });
}

/** Taux en pourcentage, de 0 à 100 (« 5 », « 5 % », « 12,5 »). */
export function percent() {
	return decimal({ min: 0, max: 100, unit: '%', example: '5 ou 5 %' });
}

export function optional<T extends z.ZodType>(schema: T) {
	// L'enveloppe extérieure laisse passer un champ absent sans autre calcul
	// (la plupart des champs facultatifs d'un lot sont absents) ; l'intérieure
	// traite les vides saisis (« », null) comme absents.
	return z.preprocess(emptyToUndefined, schema.optional()).optional();
}

/** Texte non vide (les nombres sont acceptés et convertis : « lot 4 » ou 4). */
export function text(options: { max?: number } = {}) {
	return z.unknown().transform((raw, ctx): string => {
		if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
		if (typeof raw !== 'string' || raw.trim() === '') {
			if (raw === undefined || raw === null || raw === '') {
				return issue(ctx, 'valeur manquante', 'Renseignez ce champ.', 'texte.manquant');
			}
			return issue(ctx, `${quote(raw)} n'est pas un texte`, 'Saisissez un texte.', 'texte.type');
		}
		const value = raw.trim();
		if (options.max !== undefined && value.length > options.max) {
			return issue(ctx, `texte trop long (${value.length} caractères)`, `Limitez-le à ${options.max} caractères.`, 'texte.tropLong');
		}
		return value;
	});
}

/** Oui/non : booléen, « oui », « non », « x », 1/0. */
export function yesNo() {
	return z.unknown().transform((raw, ctx): boolean => {
		if (typeof raw === 'boolean') return raw;
		if (raw === 1 || raw === 0) return raw === 1;
		if (typeof raw === 'string') {
			const v = normalizeToken(raw);
			if (['oui', 'o', 'x', 'vrai', 'true', 'yes', '1'].includes(v)) return true;
			if (['non', 'n', 'faux', 'false', 'no', '0'].includes(v)) return false;
		}
		return issue(ctx, `${quote(raw)} n'est pas une réponse oui/non`, 'Saisissez « oui » ou « non ».', 'ouiNon.illisible');
	});
}

/** Minuscules, sans accents, sans espaces ni ponctuation : clé de comparaison tolérante. */
export function normalizeToken(value: string): string {
	return value
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.replace(/œ/gi, 'oe')
		.toLowerCase()
		.replace(/[^a-z0-9]/g, '');
}

type EnumValues<T extends string> = Record<T, { libelle: string; synonymes?: readonly string[] }>;

function enumLookup<T extends string>(values: EnumValues<T>) {
	const lookup = new Map<string, T>();
	// Saisie exacte (clé ou libellé) : trouvée sans normalisation (le cas courant).
	const exact = new Map<string, T>();
	for (const key of Object.keys(values) as T[]) {
		exact.set(key, key);
		exact.set(values[key].libelle, key);
		lookup.set(normalizeToken(key), key);
		lookup.set(normalizeToken(values[key].libelle), key);
		for (const synonym of values[key].synonymes ?? []) lookup.set(normalizeToken(synonym), key);
	}
	const accepted = (Object.keys(values) as T[]).map((k) => values[k].libelle).join(', ');
	return { find: (raw: string) => exact.get(raw) ?? lookup.get(normalizeToken(raw)), accepted };
}

/**
 * « « bricolage » n’est pas une nature de marché reconnue » : l'accord suit
 * l'article du nom de la liste (« une … » : féminin, « un … » : masculin).
 */
function notRecognised(raw: unknown, nom: string): string {
	return `${quote(raw)} n\u2019est pas ${nom} reconnu${nom.startsWith('une ') ? 'e' : ''}`;
}

/**
 * Énumération tolérante : accepte la valeur canonique, son libellé français ou
 * un synonyme, sans tenir compte des accents, de la casse ni des espaces.
 */
export function tolerantEnum<const T extends string>(values: EnumValues<T>, nom: string) {
	const { find, accepted } = enumLookup(values);
	return parsedValue<T>(
		(raw) => (typeof raw === 'string' ? find(raw) : undefined),
		['valeur manquante', `Choisissez ${nom} parmi : ${accepted}.`, 'liste.manquant'],
		(raw) => [notRecognised(raw, nom), `Choisissez parmi : ${accepted}.`, 'liste.inconnu'],
	);
}

/** Liste de valeurs d'une énumération (« EI, ACI » ou ["EI", "ACI"]). */
export function enumList<const T extends string>(values: EnumValues<T>, nom: string) {
	const { find, accepted } = enumLookup(values);
	return textList().transform((list, ctx): T[] => {
		const out: T[] = [];
		for (const raw of list) {
			const found = find(raw);
			if (found === undefined) {
				return issue(ctx, notRecognised(raw, nom), `Choisissez parmi : ${accepted}.`, 'liste.inconnu');
			}
			if (!out.includes(found)) out.push(found);
		}
		return out;
	});
}

/** Liste saisie en tableau ou en texte séparé par des virgules ou points-virgules. */
export function textList(options: { min?: number; correction?: string } = {}) {
	return z.unknown().transform((raw, ctx): string[] => {
		const values = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[;,\n]/) : raw == null ? [] : [raw];
		const out: string[] = [];
		for (const value of values) {
			if (typeof value === 'number') out.push(String(value));
			else if (typeof value === 'string' && value.trim() !== '') out.push(value.trim());
			else if (value != null && value !== '') {
				return issue(ctx, 'liste illisible', 'Saisissez une liste de textes séparés par des virgules.', 'liste.illisible');
			}
		}
		if (options.min !== undefined && out.length < options.min) {
			ctx.addIssue({
				code: 'custom',
				message: 'liste vide',
				params: { correction: options.correction ?? 'Renseignez au moins une valeur.', regle: 'liste.vide' },
			});
			return z.NEVER;
		}
		return out;
	});
}

/** Date civile « AAAA-MM-JJ » : Date, « AAAA-MM-JJ », « JJ/MM/AAAA », « 3 mars 2026 », numéro de série Excel. */
export function isoDate() {
	return parsedValue<string>(
		parseDate,
		['date manquante', 'Saisissez une date au format JJ/MM/AAAA.', 'date.manquante'],
		(raw) => [`${quote(raw)} n'est pas une date lisible`, 'Saisissez une date au format JJ/MM/AAAA, par exemple 01/03/2026.', 'date.illisible'],
	);
}

/** Mois « AAAA-MM » : « 2026-03 », « 03/2026 », « mars 2026 », une date ou un numéro de série Excel. */
export function isoMonth() {
	return parsedValue<string>(
		parseMonth,
		['mois manquant', 'Saisissez le mois au format MM/AAAA, par exemple 03/2026.', 'mois.manquant'],
		(raw) => [`${quote(raw)} n'est pas un mois lisible`, 'Saisissez le mois au format MM/AAAA, par exemple 03/2026, ou « mars 2026 ».', 'mois.illisible'],
	);
}

/** SIRET : 14 chiffres (espaces tolérés), clé de Luhn (exception de La Poste, SIREN 356 000 000). */
export function siret() {
	return z.unknown().transform((raw, ctx): string => {
		const digits = (typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw : '').replace(/[\s.\u00a0]/g, '');
		if (digits === '') return issue(ctx, 'SIRET manquant', 'Saisissez le numéro SIRET à 14 chiffres de l\u2019établissement.', 'siret.manquant');
		if (!/^\d{14}$/.test(digits)) {
			return issue(ctx, `${quote(raw)} n'est pas un SIRET (14 chiffres attendus)`, 'Saisissez les 14 chiffres du SIRET, sans lettres.', 'siret.format');
		}
		if (!isValidSiret(digits)) {
			return issue(ctx, `le SIRET ${digits} a une clé de contrôle invalide`, 'Vérifiez le SIRET sur l\u2019avis de situation SIRENE ou l\u2019annuaire des entreprises : un chiffre est probablement inversé ou erroné.', 'siret.cle');
		}
		return digits;
	});
}

export function isValidSiret(digits: string): boolean {
	if (digits.startsWith('356000000')) {
		return digits.split('').reduce((sum, d) => sum + Number(d), 0) % 5 === 0;
	}
	let sum = 0;
	for (let i = 0; i < 14; i++) {
		let d = Number(digits[13 - i]);
		if (i % 2 === 1) {
			d *= 2;
			if (d > 9) d -= 9;
		}
		sum += d;
	}
	return sum % 10 === 0;
}

/** Adresse électronique unique, validée (RFC 5322, pas d'injection d'en-tête). */
export function email() {
	return parsedValue<string>(
		(raw) => (typeof raw === 'string' ? normalizeEmail(raw) : undefined),
		['adresse électronique manquante', 'Saisissez une adresse électronique, par exemple contact@entreprise.fr.', 'courriel.manquant'],
		(raw) => [`${quote(raw)} n'est pas une adresse électronique valide`, 'Saisissez une seule adresse, sans nom ni retour à la ligne, par exemple contact@entreprise.fr.', 'courriel.invalide'],
	);
}

/** Une ou plusieurs adresses séparées par des virgules ou des points-virgules. */
export function emailList() {
	return z.unknown().transform((raw, ctx): string[] => {
		const parts = Array.isArray(raw) ? raw : typeof raw === 'string' ? splitEmails(raw) : [];
		const out: string[] = [];
		for (const part of parts) {
			const value = typeof part === 'string' ? normalizeEmail(part) : undefined;
			if (value === undefined) {
				return issue(ctx, `${quote(part)} n'est pas une adresse électronique valide`, 'Séparez les adresses par des virgules, sans nom ni retour à la ligne.', 'courriel.invalide');
			}
			if (!out.includes(value)) out.push(value);
		}
		if (out.length === 0) return issue(ctx, 'adresse électronique manquante', 'Saisissez au moins une adresse électronique.', 'courriel.manquant');
		return out;
	});
}
