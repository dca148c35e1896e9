/**
 * Dates civiles (sans heure ni fuseau) au format « AAAA-MM-JJ », mois au format
 * « AAAA-MM », jours ouvrés français : lundi à vendredi hors jours fériés du
 * code du travail (art. L3133-1), de l'Alsace-Moselle (art. L3134-13) et de
 * l'outre-mer (abolition de l'esclavage : loi n° 83-550 du 30 juin 1983 et
 * décret n° 83-1003 du 23 novembre 1983).
 *
 * Écrit ici plutôt que tiré d'une bibliothèque (mesure dans docs/technique.md,
 * « Paquet construit ») : date-holidays, utilisé jusque-là, embarquait moment,
 * moment-timezone et astronomia (1,3 Mo, près du quart du paquet) pour ces
 * quatorze dates ; @socialgouv/jours-feries, plus léger, ne connaît pas
 * l'outre-mer, rend des Date à minuit heure locale (à ramener au jour civil
 * selon le fuseau du serveur) et se trompe sur Pâques après 2099 (2106 : 25
 * avril au lieu du 18). Pâques suit l'algorithme grégorien anonyme (Meeus,
 * Jones, Butcher) ; les jours rendus sont ceux de date-holidays de 1950 à 2200
 * dans chaque région proposée (test/core/feasibility.test.ts).
 */
import { excelSerialToIsoDate } from './excel-serial';

export type IsoDate = string;
export type IsoMonth = string;

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
const MONTH_TOKENS: Record<string, number> = {
	janvier: 1, janv: 1, jan: 1,
	fevrier: 2, fevr: 2, fev: 2,
	mars: 3, mar: 3,
	avril: 4, avr: 4,
	mai: 5,
	juin: 6,
	juillet: 7, juil: 7,
	aout: 8,
	septembre: 9, sept: 9, sep: 9,
	octobre: 10, oct: 10,
	novembre: 11, nov: 11,
	decembre: 12, dec: 12,
};

function pad(value: number): string {
	return String(value).padStart(2, '0');
}

export function isValidDate(year: number, month: number, day: number): boolean {
	if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
	if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1) return false;
	return day <= daysInMonth(year, month);
}

export function daysInMonth(year: number, month: number): number {
	return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Lit une date saisie : Date, « AAAA-MM-JJ » (éventuellement suivie d'une heure),
 * « JJ/MM/AAAA », « JJ-MM-AAAA », « JJ.MM.AAAA », ou numéro de série Excel
 * (la forme que produit « Extract From File » de n8n). `undefined` si illisible.
 */
export function parseDate(input: unknown): IsoDate | undefined {
	if (input instanceof Date) {
		return Number.isNaN(input.getTime()) ? undefined : input.toISOString().slice(0, 10);
	}
	if (typeof input === 'number') {
		// Numéros de série Excel entre 1950 et 2150.
		return input >= 18264 && input <= 91311 ? excelSerialToIsoDate(input) : undefined;
	}
	if (typeof input !== 'string') return undefined;
	const text = input.trim();
	let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
	if (m) return build(Number(m[1]), Number(m[2]), Number(m[3]));
	m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
	if (m) return build(Number(m[3]), Number(m[2]), Number(m[1]));
	m = /^(\d{1,2})(?:er)?\s+([a-zéûè.]+)\s+(\d{4})$/i.exec(text);
	if (m) {
		const month = MONTH_TOKENS[normalizeMonth(m[2])];
		if (month) return build(Number(m[3]), month, Number(m[1]));
	}
	if (/^\d+(\.\d+)?$/.test(text)) return parseDate(Number(text));
	return undefined;
}

function normalizeMonth(value: string): string {
	return value.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/\./g, '').toLowerCase();
}

function build(year: number, month: number, day: number): IsoDate | undefined {
	return isValidDate(year, month, day) ? `${year}-${pad(month)}-${pad(day)}` : undefined;
}

/** Lit un mois : « AAAA-MM », « MM/AAAA », « mars 2026 », une date (son mois) ou un numéro de série Excel. */
export function parseMonth(input: unknown): IsoMonth | undefined {
	if (typeof input === 'string') {
		const text = input.trim();
		let m = /^(\d{4})-(\d{1,2})$/.exec(text);
		if (m) return buildMonth(Number(m[1]), Number(m[2]));
		m = /^(\d{1,2})[/.-](\d{4})$/.exec(text);
		if (m) return buildMonth(Number(m[2]), Number(m[1]));
		m = /^([a-zéûè.]+)\s+(\d{4})$/i.exec(text);
		if (m) {
			const month = MONTH_TOKENS[normalizeMonth(m[1])];
			if (month) return buildMonth(Number(m[2]), month);
		}
	}
	const date = parseDate(input);
	return date?.slice(0, 7);
}

function buildMonth(year: number, month: number): IsoMonth | undefined {
	return isValidDate(year, month, 1) ? `${year}-${pad(month)}` : undefined;
}

export function toUtc(date: IsoDate): number {
	return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

export function fromUtc(ms: number): IsoDate {
	return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
	return fromUtc(toUtc(date) + days * 86400000);
}

/** Nombre de jours de `from` à `to` (négatif si `to` précède `from`). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
	return Math.round((toUtc(to) - toUtc(from)) / 86400000);
}

export function firstDayOfMonth(month: IsoMonth): IsoDate {
	return `${month}-01`;
}

export function lastDayOfMonth(month: IsoMonth): IsoDate {
	const [y, m] = month.split('-').map(Number);
	return `${month}-${pad(daysInMonth(y, m))}`;
}

export function addMonths(month: IsoMonth, count: number): IsoMonth {
	const [y, m] = month.split('-').map(Number);
	const index = y * 12 + (m - 1) + count;
	return `${Math.floor(index / 12)}-${pad((index % 12) + 1)}`;
}

export function monthOf(date: IsoDate): IsoMonth {
	return date.slice(0, 7);
}

/** Mois de `from` à `to` inclus. */
export function monthRange(from: IsoMonth, to: IsoMonth): IsoMonth[] {
	const out: IsoMonth[] = [];
	for (let m = from; m <= to; m = addMonths(m, 1)) out.push(m);
	return out;
}

/** « 2026-03 » → « mars 2026 ». */
export function frenchMonth(month: IsoMonth): string {
	const [y, m] = month.split('-').map(Number);
	return `${MONTHS[m - 1]} ${y}`;
}

/** « de mars 2026 », « d’octobre 2026 » : préposition élidée devant une voyelle. */
export function ofMonth(month: IsoMonth): string {
	const label = frenchMonth(month);
	return /^[aeiouyàâéèêîôû]/i.test(label) ? `d\u2019${label}` : `de ${label}`;
}

/** « 2026-11-23 » → « 23 novembre 2026 » ; « 1er » pour le premier du mois. */
export function frenchLongDate(date: IsoDate): string {
	const [y, m, d] = date.split('-').map(Number);
	return `${d === 1 ? '1er' : d} ${MONTHS[m - 1]} ${y}`;
}

/** « 2026-11-23 » → « 23/11/2026 ». */
export function frenchShortDate(date: IsoDate): string {
	return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

/** Date du jour dans un fuseau donné (celui du workflow n8n). */
export function todayIn(timeZone: string, now: Date = new Date()): IsoDate {
	return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** Calendrier des jours ouvrés : lundi à vendredi, hors jours fériés. */
/** Alsace-Moselle : Vendredi saint et 26 décembre fériés. */
const ALSACE_MOSELLE = ['FR-57', 'FR-67', 'FR-68'];

/** Outre-mer : jour de l'abolition de l'esclavage ; Vendredi saint aussi en Guadeloupe et en Martinique. */
const OVERSEAS: Record<string, { abolition: string; vendrediSaint: boolean }> = {
	'FR-GP': { abolition: '05-27', vendrediSaint: true },
	'FR-MQ': { abolition: '05-22', vendrediSaint: true },
	'FR-GF': { abolition: '06-10', vendrediSaint: false },
	'FR-RE': { abolition: '12-20', vendrediSaint: false },
	'FR-YT': { abolition: '04-27', vendrediSaint: false },
};

/** Calendriers proposés : métropole, Alsace-Moselle, outre-mer. */
export const HOLIDAY_REGIONS: readonly string[] = ['FR', ...ALSACE_MOSELLE, ...Object.keys(OVERSEAS)];

/** Jours fériés fixes du code du travail (art. L3133-1), « MM-JJ ». */
const FIXED_HOLIDAYS = ['01-01', '05-01', '05-08', '07-14', '08-15', '11-01', '11-11', '12-25'];

/** Dimanche de Pâques (calendrier grégorien, algorithme anonyme de Meeus, Jones et Butcher). */
export function easterSunday(year: number): IsoDate {
	const a = year % 19;
	const b = Math.floor(year / 100);
	const c = year % 100;
	const d = Math.floor(b / 4);
	const e = b % 4;
	const f = Math.floor((b + 8) / 25);
	const g = Math.floor((b - f + 1) / 3);
	const h = (19 * a + b - d - g + 15) % 30;
	const i = Math.floor(c / 4);
	const k = c % 4;
	const l = (32 + 2 * e + 2 * i - h - k) % 7;
	const m = Math.floor((a + 11 * h + 22 * l) / 451);
	const month = Math.floor((h + l - 7 * m + 114) / 31);
	const day = ((h + l - 7 * m + 114) % 31) + 1;
	return `${year}-${pad(month)}-${pad(day)}`;
}

/** Jours fériés d'une année dans une région (« FR », « FR-57 »…, voir HOLIDAY_REGIONS). */
export function publicHolidays(year: number, region = 'FR'): IsoDate[] {
	if (!HOLIDAY_REGIONS.includes(region)) throw new RangeError(`Calendrier des jours fériés inconnu : « ${region} » (attendu : ${HOLIDAY_REGIONS.join(', ')})`);
	const easter = easterSunday(year);
	// Lundi de Pâques, Ascension, lundi de Pentecôte.
	const days = [...FIXED_HOLIDAYS.map((md) => `${year}-${md}`), addDays(easter, 1), addDays(easter, 39), addDays(easter, 50)];
	const overseas = OVERSEAS[region];
	if (ALSACE_MOSELLE.includes(region)) days.push(addDays(easter, -2), `${year}-12-26`);
	if (overseas) days.push(`${year}-${overseas.abolition}`);
	if (overseas?.vendrediSaint) days.push(addDays(easter, -2));
	return [...new Set(days)].sort();
}

export class WorkingCalendar {
	private readonly cache = new Map<number, Set<IsoDate>>();

	/**
	 * @param region « FR » (métropole), « FR-57 » / « FR-67 » / « FR-68 »
	 *   (Alsace-Moselle), « FR-GP », « FR-MQ », « FR-GF », « FR-RE », « FR-YT » (outre-mer).
	 */
	constructor(readonly region = 'FR') {
		publicHolidays(2000, region);
	}

	private holidaysOf(year: number): Set<IsoDate> {
		let set = this.cache.get(year);
		if (!set) {
			set = new Set(publicHolidays(year, this.region));
			this.cache.set(year, set);
		}
		return set;
	}

	isHoliday(date: IsoDate): boolean {
		return this.holidaysOf(Number(date.slice(0, 4))).has(date);
	}

	isWorkingDay(date: IsoDate): boolean {
		const day = new Date(toUtc(date)).getUTCDay();
		return day !== 0 && day !== 6 && !this.isHoliday(date);
	}

	firstWorkingDay(month: IsoMonth): IsoDate {
		let date = firstDayOfMonth(month);
		while (!this.isWorkingDay(date)) date = addDays(date, 1);
		return date;
	}
}
