/**
 * Durée de conservation des données personnelles des relevés (RGPD, article 5,
 * paragraphe 1, e : limitation de la conservation). Au terme de la durée fixée
 * par le responsable du registre, les lignes de relevé perdent ce qui se
 * rattache à une personne ; restent les heures, l'employeur et la forme du
 * contrat, qui font le suivi des heures de la clause et le bilan. Fonctions pures.
 */
import type { IsoDate, IsoMonth } from './calendar';
import { addMonths, monthOf } from './calendar';
import { CONTRACT_PERSON_FIELDS } from './schemas/follow-up';

/** Durée de conservation par défaut (mois), celle qu'annonce le formulaire du relevé en ligne. */
export const DEFAULT_RETENTION_MONTHS = 60;

/** Préfixe des identifiants de participant rendus anonymes. */
export const ANONYMOUS_PREFIX = 'anonyme-';

/**
 * Champs d'une ligne de relevé qui se rattachent à une personne : effacés. Le
 * participant est remplacé par un alias tiré au hasard (le même pour une
 * personne dans une clause, le temps d'une anonymisation), pour que le nombre
 * de personnes d'une clause reste juste ; aucun lien avec l'identifiant
 * d'origine n'est gardé.
 */
export const PERSONAL_FIELDS = [
	'categoriePublic',
	'eligibiliteValidee',
	...CONTRACT_PERSON_FIELDS,
	'justification',
] as const;

/** Premier mois conservé tel quel à la date `reference` : les mois antérieurs sont échus. */
export function retentionStart(reference: IsoDate, months: number): IsoMonth {
	if (!Number.isInteger(months) || months < 1) throw new RangeError(`durée de conservation invalide : ${months} mois (un nombre entier de mois, 1 au moins)`);
	return addMonths(monthOf(reference), -months);
}

/** La ligne a-t-elle déjà été rendue anonyme ? */
export function isAnonymous(line: Record<string, unknown>): boolean {
	const participant = line.participant;
	return (participant === undefined || participant === null || (typeof participant === 'string' && participant.startsWith(ANONYMOUS_PREFIX))) && PERSONAL_FIELDS.every((f) => line[f] === undefined);
}

/**
 * La ligne sans ses données personnelles, ou undefined si elle n'en a plus.
 * `alias` donne l'alias d'un participant (stable pour une même personne).
 */
export function anonymiseLine(line: Record<string, unknown>, alias: (participant: string) => string): Record<string, unknown> | undefined {
	if (isAnonymous(line)) return undefined;
	const out: Record<string, unknown> = {};
	for (const [field, value] of Object.entries(line)) {
		if ((PERSONAL_FIELDS as readonly string[]).includes(field)) continue;
		out[field] = field === 'participant' && typeof value === 'string' && value !== '' && !value.startsWith(ANONYMOUS_PREFIX) ? alias(value) : value;
	}
	return out;
}
