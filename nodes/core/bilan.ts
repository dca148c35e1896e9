/**
 * Bilan des clauses sociales sur une période (en pratique, une année) : les
 * indicateurs qu'une Région présente à ses élus et au comité de pilotage
 * (Avise, ARF et Caisse des Dépôts, « Intégration des clauses sociales dans la
 * commande publique des Conseils régionaux », 2014 : consolidation et diffusion
 * des résultats, indicateurs des Régions Lorraine, Limousin et Midi-Pyrénées ;
 * Préfecture de la région Hauts-de-France, groupe de travail « clauses
 * sociales » : tableau de bord partagé, comptage harmonisé). Fonctions pures.
 *
 * Entrée : un jeu d'enregistrements typés par zod (BilanRecordSetSchema) —
 * marchés de la période, clauses, lignes de relevé, pénalités —, quelle que
 * soit leur origine (classeur de suivi, éléments n8n, base de données). Les
 * lignes de relevé passent une à une (jamais gardées) : seules les sommes et
 * les identifiants des personnes le sont.
 *
 * Comptage :
 * - une clause (lot clausé) compte si son exécution recoupe la période ; un
 *   marché est « avec clause » s'il a au moins un lot clausé qui compte ;
 * - marchés de la période (dénominateur des parts) : ceux de la liste des
 *   marchés dont l'exécution recoupe la période (dates d'exécution), sinon
 *   notifiés pendant la période (date de notification), sinon tous ceux de la
 *   liste ; plus les marchés avec clause qui n'y figurent pas. Nature, service
 *   acheteur et territoire : ceux de la liste des marchés, sinon ceux de la
 *   clause (territoire : sinon celui de son facilitateur) ;
 * - heures réalisées : heures du mois des relevés (hors heures de formation,
 *   comptées à part), sur la période et en cumul depuis le début jusqu'à la
 *   fin de la période ; taux de réalisation = cumul ÷ heures dues ; taux à
 *   date = cumul ÷ heures attendues à la fin de la période (courbe
 *   prévisionnelle de la clause, sinon prorata des jours d'exécution écoulés) ;
 * - lignes remplacées par une correction : jamais comptées ;
 * - personnes : comptées une fois, même présentes sur plusieurs marchés
 *   (identifiant pseudonyme du participant, global ou par titulaire) ; une
 *   personne compte dans la catégorie de public de sa première ligne de la
 *   période ; dans chaque modalité ou type de contrat où elle a travaillé ;
 * - publics prioritaires : une personne est une femme, a moins de 26 ans, 50
 *   ans et plus, réside en QPV si une de ses lignes de la période le dit
 *   (première valeur renseignée) ; moins de 26 ans ou 50 ans et plus aussi
 *   d'après sa catégorie (« jeune… », « … plus de 50 ans ») ; RSA, longue
 *   durée, RQTH : d'après la catégorie de public de l'une de ses lignes ;
 * - situation six mois après : la dernière renseignée pour la personne ;
 * - heures mutualisées d'un titulaire : heures de la période faites par des
 *   personnes présentes sur au moins deux de ses marchés ;
 * - pénalités : proposées (mises en demeure), notifiées (appliquées) et
 *   recouvrées, sommées séparément ; celles dont la date tombe hors de la
 *   période ne comptent pas (sans date : comptées).
 */
import { z } from 'zod/v4';

import { addMonths, firstDayOfMonth, frenchLongDate, frenchMonth, lastDayOfMonth, monthRange } from './calendar';
import { escapeHtml, formatEuros, formatHours, formatPercent } from './format';
import { roundTo } from './numbers';
import type { RecordReader } from './records';
import { labelledReader, parseSettings } from './records';
import { expectedHours } from './reminders';
import { singleLine } from './reminder-message';
import type { PoolBilan } from './pooling';
import { POOL_SECTION_TITLE, poolBilan } from './pooling';
import type { Facilitator } from './schemas/facilitator';
import type { PoolRecord } from './schemas/pool';
import { NATURES } from './schemas/lot';
import { amount, decimal, isoDate, isoMonth, normalizeToken, optional, percent, text, tolerantEnum } from './schemas/primitives';
import type { AgeBand, ClauseRecord, Outcome, PublicCategory, ReportLine } from './schemas/follow-up';
import {
	CONTRACT_TYPES,
	ClauseRecordSchema,
	EMPLOYERS,
	MODALITIES,
	OUTCOMES,
	PUBLIC_CATEGORIES,
	ReportLineSchema,
	clauseKey,
	clauseKeyMemo,
	memoizeText,
} from './schemas/follow-up';

export const BilanSettingsSchema = z.object({
	debut: isoMonth(),
	fin: isoMonth(),
	nombreMarches: optional(decimal({ min: 0, integer: true, example: '120' })),
	identifiantPersonnes: z.enum(['global', 'parTitulaire']).default('global'),
	/** Groupes de mutualisation : même tolérance que la relance mensuelle (10 % des heures dues par défaut). */
	toleranceRetard: percent().default(10),
});
export type BilanSettings = z.output<typeof BilanSettingsSchema>;

export const BILAN_SETTINGS_LABELS = {
	debut: 'début de la période',
	fin: 'fin de la période',
	nombreMarches: 'nombre de marchés de la période',
	identifiantPersonnes: 'identifiant des personnes',
	toleranceRetard: 'tolérance de retard des groupes de mutualisation (%)',
};

export function parseBilanSettings(input: Record<string, unknown>): BilanSettings {
	return parseSettings(BilanSettingsSchema, input, BILAN_SETTINGS_LABELS);
}

/** Période par défaut : l'année civile précédant la date donnée. */
export function previousYear(today: string): { debut: string; fin: string } {
	const year = Number(today.slice(0, 4)) - 1;
	return { debut: `${year}-01`, fin: `${year}-12` };
}

/** Un marché de la liste des marchés (clausé ou non) : le dénominateur des parts. */
export const BilanMarketSchema = z.object({
	marche: text({ max: 200 }),
	objet: optional(text({ max: 500 })),
	nature: optional(text({ max: 100 })),
	acheteur: optional(text({ max: 200 })),
	territoire: optional(text({ max: 200 })),
	montantHT: optional(amount()),
	dateNotification: optional(isoDate()),
	debutExecution: optional(isoDate()),
	finExecution: optional(isoDate()),
});
export type BilanMarket = z.output<typeof BilanMarketSchema>;

export const MARKET_LABELS = {
	marche: 'marché',
	objet: 'objet du marché',
	nature: 'nature',
	acheteur: 'service acheteur',
	territoire: 'territoire',
	montantHT: 'montant HT',
	dateNotification: 'date de notification',
	debutExecution: 'début d\u2019exécution',
	finExecution: 'fin d\u2019exécution',
};

export const MARKET_READER: RecordReader<typeof BilanMarketSchema> = labelledReader(BilanMarketSchema, MARKET_LABELS, {
		marche: ['n° marché', 'numéro de marché', 'id', 'identifiant'],
		objet: ['objet', 'objet du marché'],
		nature: ['nature du marché', 'type de marché'],
		acheteur: ['service acheteur', 'service', 'direction', 'acheteur'],
		territoire: ['territoire', 'lieu d\'exécution', 'département', 'bassin d\'emploi'],
		montantHT: ['montant HT', 'montant', 'montant du marché'],
		dateNotification: ['date de notification', 'notifié le', 'notification'],
		debutExecution: ['début d\'exécution', 'date de début'],
		finExecution: ['fin d\'exécution', 'date de fin'],
});

/** Étapes d'une pénalité comptées par le bilan. */
export const BILAN_PENALTY_STEPS = {
	proposee: {
		libelle: 'Proposée (mise en demeure)',
		synonymes: ['mise en demeure', 'MED', 'proposition', 'proposée', 'pénalités proposées', 'mise en demeure envoyée'],
	},
	notifiee: {
		libelle: 'Notifiée',
		synonymes: ['notification', 'notifiée', 'notification de pénalités', 'notification des pénalités', 'pénalités notifiées', 'pénalités appliquées', 'appliquée'],
	},
	recouvree: {
		libelle: 'Recouvrée',
		synonymes: ['recouvrement', 'recouvrée', 'pénalités recouvrées', 'titre de recette', 'encaissée', 'payée'],
	},
} as const;
export type BilanPenaltyStep = keyof typeof BILAN_PENALTY_STEPS;

/** Pénalité (historique des avis, feuille « Pénalités » du classeur, ou registre). */
export const BilanPenaltySchema = z.object({
	marche: text({ max: 200 }),
	lot: text({ max: 100 }),
	etape: tolerantEnum(BILAN_PENALTY_STEPS, 'une étape de pénalité (proposée, notifiée, recouvrée)'),
	montant: amount(),
	date: optional(isoDate()),
});
export type BilanPenalty = z.output<typeof BilanPenaltySchema>;

export const PENALTY_LABELS = { marche: 'marché', lot: 'lot', etape: 'étape', montant: 'montant HT', date: 'date' };
export const PENALTY_READER: RecordReader<typeof BilanPenaltySchema> = labelledReader(BilanPenaltySchema, PENALTY_LABELS, {
		marche: ['n° marché', 'marché'],
		lot: ['n° lot'],
		etape: ['étape', 'stade', 'type', 'étape de la procédure', 'avis'],
		montant: ['montant HT', 'montant', 'pénalités', 'total', 'montant des pénalités'],
		date: ['date', 'date du document', 'dateDocument', 'date de l\'avis'],
});

/**
 * Le jeu d'enregistrements que le bilan calcule, quelle qu'en soit l'origine
 * (classeur, éléments, base de données) : chaque enregistrement est validé par
 * le même schéma que sa lecture.
 */
export const BilanRecordSetSchema = z.object({
	marches: z.array(BilanMarketSchema).default([]),
	clauses: z.array(ClauseRecordSchema).default([]),
	lignes: z.array(ReportLineSchema).default([]),
	penalites: z.array(BilanPenaltySchema).default([]),
});
export type BilanRecordSet = z.output<typeof BilanRecordSetSchema>;

export const DEFAULT_MECHANISM = 'Clause d\u2019insertion, condition d\u2019exécution (L2112-2)';
const NOT_SET = 'Non renseigné';

interface ClauseStats {
	periode: number;
	cumul: number;
	formation: number;
	personnes: Set<string>;
	/** Heures de la période par mois (AAAA-MM). */
	mois: Map<string, number>;
	/** Heures et personnes par année, jusqu'à la fin de la période (comparaison d'une année sur l'autre). */
	annees: Map<string, { heures: number; personnes: Set<string> }>;
}

/** Ce que le bilan retient d'une personne sur la période. */
interface PersonInfo {
	heures: number;
	femme?: boolean;
	age?: AgeBand;
	qpv?: boolean;
	categories: Set<PublicCategory>;
	situation?: Outcome;
	situationMois?: string;
}

export interface BilanRow {
	[key: string]: string | number | null;
}

export interface Bilan {
	periode: { debut: string; fin: string };
	synthese: {
		marchesAvecClause: number;
		lotsAvecClause: number;
		nombreMarches: number | null;
		marchesSansClause: number | null;
		partMarchesAvecClause: number | null;
		heuresDues: number;
		heuresAttenduesADate: number;
		heuresRealiseesPeriode: number;
		heuresRealiseesCumul: number;
		tauxRealisation: number | null;
		tauxRealisationADate: number | null;
		heuresFormationPeriode: number;
		personnes: number;
		femmes: number;
		titulaires: number;
		penalitesProposees: number;
		penalitesAppliquees: number;
		penalitesRecouvrees: number;
		misesEnDemeure: number;
		lignesComptees: number;
		clausesDesRelevesHorsRegistre: number;
		clausesHorsPeriode: number;
		/** Une liste des marchés a été fournie (sinon, pas de part des marchés avec clause). */
		listeDesMarches: boolean;
	};
	parNature: BilanRow[];
	parService: BilanRow[];
	parMecanisme: BilanRow[];
	parMarche: BilanRow[];
	parLot: BilanRow[];
	parTitulaire: BilanRow[];
	parFacilitateur: BilanRow[];
	parTerritoire: BilanRow[];
	parMois: BilanRow[];
	parAnnee: BilanRow[];
	publics: BilanRow[];
	publicsPrioritaires: BilanRow[];
	sorties: BilanRow[];
	modalites: BilanRow[];
	contrats: BilanRow[];
	employeurs: BilanRow[];
	penalites: BilanRow[];
	/** Groupes de mutualisation des heures (bilan tiré du registre) : voir withPooling. */
	mutualisation?: PoolBilan;
}

function rate(done: number, due: number): number | null {
	return due > 0 ? roundTo(done / due, 4) : null;
}

function label<T extends string>(values: Record<T, { libelle: string }>, key: T | undefined): string {
	return key === undefined ? NOT_SET : values[key].libelle;
}

const NATURE_LOOKUP = new Map<string, string>();
for (const n of Object.values(NATURES)) {
	for (const t of [n.libelle, ...n.synonymes]) NATURE_LOOKUP.set(normalizeToken(t), n.libelle);
}
for (const [key, n] of Object.entries(NATURES)) NATURE_LOOKUP.set(normalizeToken(key), n.libelle);

/** Nature d'un marché au libellé du référentiel (« DSP », « travaux » → « Délégation de service public », « Travaux ») ; un texte inconnu est gardé tel quel. */
export function natureLabel(raw: string | undefined): string {
	if (raw === undefined) return NOT_SET;
	return NATURE_LOOKUP.get(normalizeToken(raw)) ?? raw.trim();
}

class Tally {
	readonly people = new Map<string, Set<string>>();
	readonly hours = new Map<string, number>();
	add(key: string, person: string | undefined, hours: number): void {
		this.hours.set(key, (this.hours.get(key) ?? 0) + hours);
		let set = this.people.get(key);
		if (!set) {
			set = new Set();
			this.people.set(key, set);
		}
		if (person !== undefined) set.add(person);
	}
	rows(name: string, order: string[]): BilanRow[] {
		const keys = [...new Set([...order.filter((k) => this.hours.has(k)), ...this.hours.keys()])];
		return keys.map((k) => ({ [name]: k, personnes: this.people.get(k)?.size ?? 0, heures: roundTo(this.hours.get(k) ?? 0, 2) }));
	}
}

function overlaps(from: string, to: string, start?: string, end?: string): boolean {
	return (start === undefined || start <= to) && (end === undefined || end >= from);
}

export class BilanAccumulator {
	private readonly clauses: ClauseRecord[] = [];
	private readonly stats = new Map<string, ClauseStats>();
	private readonly markets: BilanMarket[] = [];
	private readonly penalties: BilanPenalty[] = [];
	private readonly categories = new Map<string, string>();
	private readonly categoryHours = new Map<string, number>();
	private readonly modalities = new Tally();
	private readonly contracts = new Tally();
	private readonly employers = new Tally();
	private readonly people = new Map<string, PersonInfo>();
	/** Personne → clauses où elle a travaillé sur la période, avec ses heures. */
	private readonly personClauses = new Map<string, Map<string, number>>();
	private linesCounted = 0;
	private readonly keyOf = clauseKeyMemo();
	private readonly tokenOf = memoizeText(normalizeToken);
	private readonly start: string;
	private readonly end: string;

	constructor(
		private readonly settings: BilanSettings,
		private readonly facilitators: Facilitator[] = [],
	) {
		this.start = settings.debut;
		this.end = settings.fin;
	}

	addClause(clause: ClauseRecord): void {
		this.clauses.push(clause);
	}

	addMarket(market: BilanMarket): void {
		this.markets.push(market);
	}

	addPenalty(penalty: BilanPenalty): void {
		this.penalties.push(penalty);
	}

	/** Tout un jeu d'enregistrements (les lignes peuvent venir d'un itérateur, lues une à une). */
	addRecords(records: { marches?: Iterable<BilanMarket>; clauses?: Iterable<ClauseRecord>; lignes?: Iterable<ReportLine>; penalites?: Iterable<BilanPenalty> }): this {
		for (const m of records.marches ?? []) this.addMarket(m);
		for (const c of records.clauses ?? []) this.addClause(c);
		for (const p of records.penalites ?? []) this.addPenalty(p);
		for (const l of records.lignes ?? []) this.addLine(l);
		return this;
	}

	private person(line: ReportLine): string | undefined {
		if (line.participant === undefined || line.heuresMois + (line.heuresFormation ?? 0) <= 0) return undefined;
		const id = this.tokenOf(line.participant);
		if (id === '' || id === 'neant') return undefined;
		return this.settings.identifiantPersonnes === 'parTitulaire' ? `${line.siret ?? this.tokenOf(line.marche)}|${id}` : id;
	}

	addLine(line: ReportLine): void {
		if (line.remplaceePar !== undefined || line.mois > this.end) return;
		const key = this.keyOf(line);
		let s = this.stats.get(key);
		if (!s) {
			s = { periode: 0, cumul: 0, formation: 0, personnes: new Set(), mois: new Map(), annees: new Map() };
			this.stats.set(key, s);
		}
		s.cumul += line.heuresMois;
		const person = this.person(line);
		const year = line.mois.slice(0, 4);
		let y = s.annees.get(year);
		if (!y) {
			y = { heures: 0, personnes: new Set() };
			s.annees.set(year, y);
		}
		y.heures += line.heuresMois;
		if (person !== undefined) y.personnes.add(person);
		if (line.mois < this.start) return;
		this.linesCounted++;
		s.periode += line.heuresMois;
		s.formation += line.heuresFormation ?? 0;
		s.mois.set(line.mois, (s.mois.get(line.mois) ?? 0) + line.heuresMois);
		if (person === undefined) return;
		s.personnes.add(person);
		const category = label(PUBLIC_CATEGORIES, line.categoriePublic);
		if (!this.categories.has(person)) this.categories.set(person, category);
		this.categoryHours.set(category, (this.categoryHours.get(category) ?? 0) + line.heuresMois);
		this.modalities.add(label(MODALITIES, line.modalite), person, line.heuresMois);
		this.contracts.add(label(CONTRACT_TYPES, line.typeContrat), person, line.heuresMois);
		this.employers.add(label(EMPLOYERS, line.employeur), person, line.heuresMois);
		let info = this.people.get(person);
		if (!info) {
			info = { heures: 0, categories: new Set() };
			this.people.set(person, info);
		}
		info.heures += line.heuresMois;
		if (info.femme === undefined && line.sexe !== undefined) info.femme = line.sexe === 'femme';
		if (info.age === undefined && line.trancheAge !== undefined) info.age = line.trancheAge;
		if (info.qpv === undefined && line.residentQpv !== undefined) info.qpv = line.residentQpv;
		if (line.categoriePublic !== undefined) info.categories.add(line.categoriePublic);
		if (line.situationSixMois !== undefined && (info.situationMois === undefined || line.mois >= info.situationMois)) {
			info.situation = line.situationSixMois;
			info.situationMois = line.mois;
		}
		let clauses = this.personClauses.get(person);
		if (!clauses) {
			clauses = new Map();
			this.personClauses.set(person, clauses);
		}
		clauses.set(key, (clauses.get(key) ?? 0) + line.heuresMois);
	}

	/**
	 * Les groupes de mutualisation du registre à la fin de la période :
	 * l'obligation mutualisée et la part de chaque marché, d'après les clauses
	 * et les heures réalisées lues par ce bilan.
	 */
	poolBilan(pools: PoolRecord[]): PoolBilan {
		const clauses = new Map(this.clauses.map((c) => [this.keyOf(c), c]));
		return poolBilan(pools, (k) => clauses.get(k), (k) => this.stats.get(k)?.cumul ?? 0, this.end, this.settings.toleranceRetard);
	}

	private facilitatorTerritory(clause: ClauseRecord): string | undefined {
		const f = this.facilitators.find((x) => normalizeToken(x.nom) === normalizeToken(clause.facilitateur));
		return f ? f.territoires.join(', ') : undefined;
	}

	result(): Bilan {
		const from = firstDayOfMonth(this.start);
		const to = lastDayOfMonth(this.end);
		const seen = new Set<string>();
		const active: ClauseRecord[] = [];
		let outside = 0;
		for (const c of this.clauses) {
			const key = this.keyOf(c);
			if (seen.has(key)) continue;
			seen.add(key);
			if (c.debutExecution > to || c.finExecution < from) outside++;
			else active.push(c);
		}
		const empty: ClauseStats = { periode: 0, cumul: 0, formation: 0, personnes: new Set(), mois: new Map(), annees: new Map() };
		const statsOf = (c: ClauseRecord) => this.stats.get(this.keyOf(c)) ?? empty;
		const unknownLines = [...this.stats.keys()].filter((k) => !seen.has(k)).length;
		// Heures attendues à la fin de la période (courbe de la clause, sinon prorata des jours écoulés).
		const expected = new Map(active.map((c) => [this.keyOf(c), expectedHours(c, this.end)]));
		const expectedOf = (c: ClauseRecord) => expected.get(this.keyOf(c)) ?? 0;

		// Liste des marchés : ceux de la période, puis nature, service et territoire de chaque marché.
		const listed = new Map<string, BilanMarket>();
		for (const m of this.markets) {
			const inPeriod =
				m.debutExecution !== undefined || m.finExecution !== undefined
					? overlaps(from, to, m.debutExecution, m.finExecution)
					: m.dateNotification !== undefined
						? m.dateNotification >= from && m.dateNotification <= to
						: true;
			if (inPeriod && !listed.has(this.tokenOf(m.marche))) listed.set(this.tokenOf(m.marche), m);
		}
		const allListed = new Map(this.markets.map((m) => [this.tokenOf(m.marche), m]));
		const marketOf = (marche: string) => allListed.get(this.tokenOf(marche));
		const natureOf = (c: ClauseRecord) => natureLabel(marketOf(c.marche)?.nature ?? c.nature);
		const serviceOf = (c: ClauseRecord) => marketOf(c.marche)?.acheteur ?? c.acheteur;
		const territoryOf = (c: ClauseRecord) => c.territoire ?? marketOf(c.marche)?.territoire ?? this.facilitatorTerritory(c) ?? NOT_SET;
		const mechanismOf = (c: ClauseRecord) => c.mecanisme ?? DEFAULT_MECHANISM;

		const group = (keyOf: (c: ClauseRecord) => string) => {
			const groups = new Map<string, ClauseRecord[]>();
			for (const c of active) {
				const k = keyOf(c);
				const list = groups.get(k);
				if (list) list.push(c);
				else groups.set(k, [c]);
			}
			return groups;
		};
		const sums = (list: ClauseRecord[]) => {
			const people = new Set<string>();
			let dues = 0;
			let attendues = 0;
			let periode = 0;
			let cumul = 0;
			for (const c of list) {
				const s = statsOf(c);
				dues += c.heuresDues;
				attendues += expectedOf(c);
				periode += s.periode;
				cumul += s.cumul;
				for (const p of s.personnes) people.add(p);
			}
			return {
				lots: list.length,
				heuresDues: roundTo(dues, 2),
				heuresAttenduesADate: roundTo(attendues, 2),
				heuresRealiseesPeriode: roundTo(periode, 2),
				heuresRealiseesCumul: roundTo(cumul, 2),
				tauxRealisationADate: rate(cumul, attendues),
				tauxRealisation: rate(cumul, dues),
				personnes: people.size,
			};
		};

		const byMarket = group((c) => c.marche);
		const parMarche: BilanRow[] = [...byMarket].map(([marche, list]) => ({
			marche,
			objet: list[0].objet ?? marketOf(marche)?.objet ?? null,
			nature: natureOf(list[0]),
			service: serviceOf(list[0]) ?? NOT_SET,
			mecanisme: mechanismOf(list[0]),
			titulaires: [...new Set(list.map((c) => c.titulaire))].join(', '),
			...sums(list),
		}));

		// Pénalités : proposées, notifiées, recouvrées, par clause.
		const penaltyBy = new Map<string, Record<BilanPenaltyStep, number> & { misesEnDemeure: number }>();
		const penaltyTotals: Record<BilanPenaltyStep, number> = { proposee: 0, notifiee: 0, recouvree: 0 };
		let notices = 0;
		for (const p of this.penalties) {
			if (p.date !== undefined && (p.date < from || p.date > to)) continue;
			const key = this.keyOf(p);
			const entry = penaltyBy.get(key) ?? { proposee: 0, notifiee: 0, recouvree: 0, misesEnDemeure: 0 };
			entry[p.etape] += p.montant;
			penaltyTotals[p.etape] += p.montant;
			if (p.etape === 'proposee') {
				entry.misesEnDemeure++;
				notices++;
			}
			penaltyBy.set(key, entry);
		}
		const parLot: BilanRow[] = active.map((c) => {
			const s = statsOf(c);
			return {
				marche: c.marche,
				lot: c.lot,
				intitule: c.intitule ?? null,
				titulaire: c.titulaire,
				facilitateur: c.facilitateur,
				territoire: territoryOf(c),
				statut: c.statut,
				courbe: c.courbe && c.courbe.length > 0 ? 'oui' : 'non',
				heuresDues: c.heuresDues,
				heuresAttenduesADate: roundTo(expectedOf(c), 2),
				heuresRealiseesPeriode: roundTo(s.periode, 2),
				heuresRealiseesCumul: roundTo(s.cumul, 2),
				tauxRealisationADate: rate(s.cumul, expectedOf(c)),
				tauxRealisation: rate(s.cumul, c.heuresDues),
				heuresFormationPeriode: roundTo(s.formation, 2),
				personnes: s.personnes.size,
				penalitesAppliquees: roundTo(penaltyBy.get(this.keyOf(c))?.notifiee ?? 0, 2),
			};
		});

		// Titulaires : mutualisation entre leurs marchés.
		const bySiret = group((c) => c.siret);
		const owner = new Map(active.map((c) => [this.keyOf(c), c]));
		const mutual = new Map<string, { personnes: number; heures: number }>();
		for (const clauses of this.personClauses.values()) {
			const perSiret = new Map<string, { marches: Set<string>; heures: number }>();
			for (const [key, hours] of clauses) {
				const c = owner.get(key);
				if (!c) continue;
				const entry = perSiret.get(c.siret) ?? { marches: new Set(), heures: 0 };
				entry.marches.add(c.marche);
				entry.heures += hours;
				perSiret.set(c.siret, entry);
			}
			for (const [siret, entry] of perSiret) {
				if (entry.marches.size < 2) continue;
				const m = mutual.get(siret) ?? { personnes: 0, heures: 0 };
				m.personnes++;
				m.heures += entry.heures;
				mutual.set(siret, m);
			}
		}
		const parTitulaire: BilanRow[] = [...bySiret].map(([siret, list]) => ({
			titulaire: list[0].titulaire,
			siret,
			marches: new Set(list.map((c) => c.marche)).size,
			...sums(list),
			personnesSurPlusieursMarches: mutual.get(siret)?.personnes ?? 0,
			heuresMutualisees: roundTo(mutual.get(siret)?.heures ?? 0, 2),
		}));
		const parFacilitateur = [...group((c) => c.facilitateur)].map(([facilitateur, list]) => ({ facilitateur, ...sums(list) }));

		// Parts par nature, service acheteur et territoire : tous les marchés de la période, avec et sans clause.
		const hasList = this.markets.length > 0;
		const universe = new Map<string, { nature: string; service: string; territoire: string; clause: boolean }>();
		for (const [token, m] of listed) {
			universe.set(token, { nature: natureLabel(m.nature), service: m.acheteur ?? NOT_SET, territoire: m.territoire ?? NOT_SET, clause: false });
		}
		for (const [marche, list] of byMarket) {
			const token = this.tokenOf(marche);
			const known = universe.get(token);
			universe.set(token, {
				nature: natureOf(list[0]),
				service: serviceOf(list[0]) ?? NOT_SET,
				territoire: known && known.territoire !== NOT_SET ? known.territoire : territoryOf(list[0]),
				clause: true,
			});
		}
		const shares = (dimension: 'nature' | 'service' | 'territoire', name: string, clauseGroups: Map<string, ClauseRecord[]>, order: string[] = []): BilanRow[] => {
			const counts = new Map<string, { total: number; avec: number }>();
			for (const m of universe.values()) {
				const k = m[dimension];
				const entry = counts.get(k) ?? { total: 0, avec: 0 };
				entry.total++;
				if (m.clause) entry.avec++;
				counts.set(k, entry);
			}
			const keys = [...new Set([...order.filter((k) => counts.has(k) || clauseGroups.has(k)), ...counts.keys(), ...clauseGroups.keys()])];
			return keys.map((k) => {
				const c = counts.get(k) ?? { total: 0, avec: 0 };
				return {
					[name]: k,
					marches: hasList ? c.total : null,
					marchesAvecClause: c.avec,
					marchesSansClause: hasList ? c.total - c.avec : null,
					part: hasList && c.total > 0 ? roundTo(c.avec / c.total, 4) : null,
					...sums(clauseGroups.get(k) ?? []),
				};
			});
		};
		const natureOrder = [...Object.values(NATURES).map((n) => n.libelle), NOT_SET];
		const parNature = shares('nature', 'nature', group(natureOf), natureOrder);
		const parService = shares('service', 'service', group((c) => serviceOf(c) ?? NOT_SET));
		const parTerritoire = shares('territoire', 'territoire', group(territoryOf));
		const parMecanisme: BilanRow[] = [...group(mechanismOf)].map(([mecanisme, list]) => ({ mecanisme, marches: new Set(list.map((c) => c.marche)).size, lots: list.length }));

		// Heures par mois de la période et par année (jusqu'à la fin de la période).
		const months = new Map<string, number>(monthRange(this.start, this.end).map((m) => [m, 0]));
		const years = new Map<string, { heures: number; personnes: Set<string> }>();
		const activeKeys = new Set(active.map((c) => this.keyOf(c)));
		for (const key of seen) {
			const s = this.stats.get(key);
			if (!s) continue;
			if (activeKeys.has(key)) for (const [m, h] of s.mois) months.set(m, (months.get(m) ?? 0) + h);
			for (const [year, y] of s.annees) {
				const entry = years.get(year) ?? { heures: 0, personnes: new Set<string>() };
				entry.heures += y.heures;
				for (const p of y.personnes) entry.personnes.add(p);
				years.set(year, entry);
			}
		}
		const parMois: BilanRow[] = [...months].map(([mois, heures]) => ({ mois, heures: roundTo(heures, 2) }));
		const yearRows = [...years].sort(([a], [b]) => a.localeCompare(b));
		const parAnnee: BilanRow[] = yearRows.map(([annee, y], i) => {
			const previous = i > 0 ? yearRows[i - 1][1].heures : null;
			return {
				annee,
				heures: roundTo(y.heures, 2),
				personnes: y.personnes.size,
				evolution: previous !== null && previous > 0 ? roundTo(y.heures / previous - 1, 4) : null,
				anneeIncomplete: annee === this.end.slice(0, 4) && this.end.slice(5) !== '12' ? 'oui' : 'non',
			};
		});

		const categoryPeople = new Map<string, number>();
		for (const category of this.categories.values()) categoryPeople.set(category, (categoryPeople.get(category) ?? 0) + 1);
		const publicOrder = [...Object.values(PUBLIC_CATEGORIES).map((c) => c.libelle), NOT_SET];
		const publics: BilanRow[] = publicOrder
			.filter((c) => this.categoryHours.has(c) || categoryPeople.has(c))
			.map((categorie) => ({ categorie, personnes: categoryPeople.get(categorie) ?? 0, heures: roundTo(this.categoryHours.get(categorie) ?? 0, 2) }));

		// Publics prioritaires (une personne peut compter dans plusieurs lignes).
		const persons = [...this.people.values()];
		const total = persons.length;
		const indicator = (indicateur: string, is: (p: PersonInfo) => boolean | undefined): BilanRow => {
			let personnes = 0;
			let heures = 0;
			let inconnu = 0;
			for (const p of persons) {
				const v = is(p);
				if (v === undefined) inconnu++;
				else if (v) {
					personnes++;
					heures += p.heures;
				}
			}
			return { indicateur, personnes, part: total > 0 ? roundTo(personnes / total, 4) : null, heures: roundTo(heures, 2), nonRenseigne: inconnu };
		};
		const known = (...flags: Array<boolean | undefined>) => (flags.some((f) => f === true) ? true : flags.every((f) => f === undefined) ? undefined : false);
		const category = (cat: PublicCategory) => (p: PersonInfo) => (p.categories.size === 0 ? undefined : p.categories.has(cat));
		const publicsPrioritaires: BilanRow[] = [
			indicator('Femmes', (p) => p.femme),
			indicator('Moins de 26 ans', (p) => known(p.age === undefined ? undefined : p.age === 'moins26', p.categories.has('jeunePeuQualifie') || undefined)),
			indicator('50 ans et plus', (p) => known(p.age === undefined ? undefined : p.age === 'plus50', p.categories.has('demandeurEmploiSenior') || undefined)),
			indicator('Résidents d\u2019un quartier prioritaire (QPV)', (p) => p.qpv),
			indicator('Bénéficiaires du RSA', category('beneficiaireRsa')),
			indicator('Demandeurs d\u2019emploi de longue durée', category('demandeurEmploiLongueDuree')),
			indicator('Travailleurs handicapés (RQTH)', category('travailleurHandicape')),
		];
		const outcomes = new Map<string, number>();
		for (const p of persons) if (p.situation !== undefined) outcomes.set(OUTCOMES[p.situation].libelle, (outcomes.get(OUTCOMES[p.situation].libelle) ?? 0) + 1);
		const withOutcome = [...outcomes.values()].reduce((a, b) => a + b, 0);
		const sorties: BilanRow[] = [
			...Object.values(OUTCOMES).map((o) => ({ situation: o.libelle, personnes: outcomes.get(o.libelle) ?? 0, part: withOutcome > 0 ? roundTo((outcomes.get(o.libelle) ?? 0) / withOutcome, 4) : null })),
			{ situation: NOT_SET, personnes: total - withOutcome, part: null },
		];

		const penalites: BilanRow[] = [...penaltyBy].map(([key, p]) => {
			const clause = active.find((c) => this.keyOf(c) === key) ?? this.clauses.find((c) => this.keyOf(c) === key);
			const sample = this.penalties.find((x) => this.keyOf(x) === key)!;
			return {
				marche: clause?.marche ?? sample.marche,
				lot: clause?.lot ?? sample.lot,
				titulaire: clause?.titulaire ?? null,
				misesEnDemeure: p.misesEnDemeure,
				penalitesProposees: roundTo(p.proposee, 2),
				penalitesAppliquees: roundTo(p.notifiee, 2),
				penalitesRecouvrees: roundTo(p.recouvree, 2),
				resteARecouvrer: roundTo(Math.max(0, p.notifiee - p.recouvree), 2),
			};
		});

		const totals = sums(active);
		const marketsWithClause = byMarket.size;
		const nombreMarches = this.settings.nombreMarches ?? (hasList ? universe.size : null);
		return {
			periode: { debut: this.start, fin: this.end },
			synthese: {
				marchesAvecClause: marketsWithClause,
				lotsAvecClause: active.length,
				nombreMarches,
				marchesSansClause: nombreMarches === null ? null : Math.max(0, nombreMarches - marketsWithClause),
				partMarchesAvecClause: nombreMarches ? roundTo(marketsWithClause / nombreMarches, 4) : null,
				heuresDues: totals.heuresDues,
				heuresAttenduesADate: totals.heuresAttenduesADate,
				heuresRealiseesPeriode: totals.heuresRealiseesPeriode,
				heuresRealiseesCumul: totals.heuresRealiseesCumul,
				tauxRealisation: totals.tauxRealisation,
				tauxRealisationADate: totals.tauxRealisationADate,
				heuresFormationPeriode: roundTo(active.reduce((sum, c) => sum + statsOf(c).formation, 0), 2),
				personnes: this.personClauses.size,
				femmes: persons.filter((p) => p.femme === true).length,
				titulaires: bySiret.size,
				penalitesProposees: roundTo(penaltyTotals.proposee, 2),
				penalitesAppliquees: roundTo(penaltyTotals.notifiee, 2),
				penalitesRecouvrees: roundTo(penaltyTotals.recouvree, 2),
				misesEnDemeure: notices,
				lignesComptees: this.linesCounted,
				clausesDesRelevesHorsRegistre: unknownLines,
				clausesHorsPeriode: outside,
				listeDesMarches: hasList,
			},
			parNature,
			parService,
			parMecanisme,
			parMarche,
			parLot,
			parTitulaire,
			parFacilitateur,
			parTerritoire,
			parMois,
			parAnnee,
			publics,
			publicsPrioritaires,
			sorties,
			modalites: this.modalities.rows('modalite', [...Object.values(MODALITIES).map((m) => m.libelle), NOT_SET]),
			contrats: this.contracts.rows('typeContrat', [...Object.values(CONTRACT_TYPES).map((m) => m.libelle), NOT_SET]),
			employeurs: this.employers.rows('employeur', [...Object.values(EMPLOYERS).map((m) => m.libelle), NOT_SET]),
			penalites,
		};
	}
}

/** Le bilan d'un jeu d'enregistrements déjà validés (par BilanRecordSetSchema ou par leurs lecteurs). */
export function computeBilan(
	settings: BilanSettings,
	records: { marches?: Iterable<BilanMarket>; clauses?: Iterable<ClauseRecord>; lignes?: Iterable<ReportLine>; penalites?: Iterable<BilanPenalty> },
	facilitators: Facilitator[] = [],
): Bilan {
	return new BilanAccumulator(settings, facilitators).addRecords(records).result();
}

/** Mois de fin par défaut d'une période qui commence en `debut` : douze mois. */
export function twelveMonthsFrom(debut: string): string {
	return addMonths(debut, 11);
}

/**
 * Pénalité lue d'un élément (sortie du nœud des avis de pénalité :
 * penalites.total, dateDocument, etape « miseEnDemeure » ou « notification »)
 * ou d'une ligne de tableur : même schéma, mêmes anomalies.
 */
export function penaltyInput(raw: Record<string, unknown>): Record<string, unknown> {
	const nested = raw.penalites;
	if (nested !== null && typeof nested === 'object' && !Array.isArray(nested) && 'total' in nested) {
		return { marche: raw.marche, lot: raw.lot, etape: raw.etape, montant: nested.total, date: raw.date ?? raw.dateDocument };
	}
	return raw;
}

const pct = (rate: number) => formatPercent(roundTo(rate * 100, 1));

/** Les phrases clés du bilan, en français courant (courriel, première page du document des élus). */
export function bilanKeyFigures(bilan: Bilan): string[] {
	const s = bilan.synthese;
	const lines = [
		`${s.marchesAvecClause} marché(s) avec une clause sociale d\u2019insertion (${s.lotsAvecClause} lot(s))${s.partMarchesAvecClause !== null ? `, soit ${pct(s.partMarchesAvecClause)} des ${s.nombreMarches} marchés de la période` : ''}.`,
		`${formatHours(s.heuresRealiseesPeriode)} d\u2019insertion réalisées sur la période ; ${formatHours(s.heuresRealiseesCumul)} depuis le début des marchés${s.tauxRealisationADate !== null ? `, soit ${pct(s.tauxRealisationADate)} des ${formatHours(s.heuresAttenduesADate)} attendues à fin ${frenchMonth(bilan.periode.fin)}` : ''}${s.tauxRealisation !== null ? ` et ${pct(s.tauxRealisation)} des ${formatHours(s.heuresDues)} dues d\u2019ici la fin des marchés` : ''}.`,
		`${s.personnes} personne(s) en insertion, comptée(s) une fois chacune${s.femmes > 0 ? `, dont ${s.femmes} femme(s)` : ''} ; ${s.titulaires} titulaire(s).`,
		`Pénalités : ${formatEuros(s.penalitesProposees)} proposées (${s.misesEnDemeure} mise(s) en demeure), ${formatEuros(s.penalitesAppliquees)} notifiées, ${formatEuros(s.penalitesRecouvrees)} recouvrées.`,
	];
	const { late, covered } = lotsBehind(bilan);
	if (late > 0) lines.push(`${late} lot(s) sous 50 % des heures attendues à fin ${frenchMonth(bilan.periode.fin)} (feuille « Par lot »).`);
	if (covered > 0) lines.push(`${covered} ${late > 0 ? 'autre(s) ' : ''}lot(s) sous 50 % des heures attendues à fin ${frenchMonth(bilan.periode.fin)}, couvert(s) par la mutualisation des heures de leur groupe (feuille « ${POOL_SECTION_TITLE} »).`);
	if (bilan.mutualisation) lines.push(bilan.mutualisation.texte);
	return lines;
}

/** Lot du bilan couvert par la mutualisation des heures de son groupe (colonne « Mutualisation » de la vue par lot). */
function coveredLot(row: BilanRow): boolean {
	return row.couvertParMutualisation === 'oui';
}

/**
 * Lots sous la moitié des heures attendues à la fin de la période : ceux
 * qui restent en retard, et ceux que la mutualisation de leur groupe couvre
 * (comptés à part, jamais en retard sans le dire).
 */
export function lotsBehind(bilan: Bilan): { late: number; covered: number } {
	const behind = bilan.parLot.filter((l) => typeof l.tauxRealisationADate === 'number' && l.tauxRealisationADate < 0.5);
	const covered = behind.filter(coveredLot).length;
	return { late: behind.length - covered, covered };
}

/**
 * Le bilan avec ses groupes de mutualisation (tirés du registre) : la section
 * « Mutualisation des heures », et, dans la vue par lot, le groupe de chaque
 * lot et s'il est couvert par la mutualisation. Sans groupe, le bilan est
 * rendu tel quel.
 */
export function withPooling(bilan: Bilan, pooling: PoolBilan): Bilan {
	if (pooling.groupes.length === 0) return bilan;
	const members = new Map<string, { groupe: string; couverte: boolean; enRetard: boolean }>();
	for (const g of pooling.groupes) for (const m of g.membres) members.set(m.cle, { groupe: g.libelle, couverte: m.couverte, enRetard: g.enRetard });
	const parLot = bilan.parLot.map((row) => {
		const m = members.get(clauseKey({ marche: String(row.marche), lot: String(row.lot) }));
		if (!m) return { ...row, mutualisation: null, couvertParMutualisation: null };
		const state = m.couverte ? 'couvert par la mutualisation' : m.enRetard ? 'groupe en retard' : 'groupe à jour';
		return { ...row, mutualisation: `groupe « ${m.groupe} » : ${state}`, couvertParMutualisation: m.couverte ? 'oui' : 'non' };
	});
	return { ...bilan, parLot, mutualisation: pooling };
}

/** Courriel de synthèse du bilan pour le chargé ou la chargée de mission. */
export function bilanSummary(bilan: Bilan, meta: { titre: string; fichier: string; dateBilan: string; pdf?: string; autresConsiderations?: string }): { objet: string; texte: string; html: string } {
	const period = `${frenchMonth(bilan.periode.debut)} à ${frenchMonth(bilan.periode.fin)}`;
	// Autres considérations sociales (bilan tiré du registre) : leur section en phrases, et leur feuille.
	const lines = [...bilanKeyFigures(bilan), ...(meta.autresConsiderations ? [meta.autresConsiderations] : [])];
	const files = meta.pdf ? `fichiers joints « ${meta.fichier} » et « ${meta.pdf} »` : `fichier joint « ${meta.fichier} »`;
	const views = `Le classeur présente une feuille par vue : nature, service acheteur et territoire (marchés avec et sans clause), mécanisme, marchés, lots, titulaires, facilitateurs, mois et années, publics, publics prioritaires, situations à six mois, modalités, contrats, employeurs, pénalités${bilan.mutualisation ? ', mutualisation des heures' : ''}${meta.autresConsiderations ? ', autres considérations sociales' : ''}.`;
	const objet = singleLine(`${meta.titre} – ${period}`);
	const texte = ['Bonjour,', '', `Voici le bilan des clauses sociales d\u2019insertion de ${period} (${files}, établi le ${frenchLongDate(meta.dateBilan)}) :`, '', ...lines.map((l) => `- ${l}`), '', views].join('\n');
	const html = [
		'<p>Bonjour,</p>',
		`<p>Voici le bilan des clauses sociales d\u2019insertion de ${escapeHtml(period)} (${escapeHtml(files)}, établi le ${escapeHtml(frenchLongDate(meta.dateBilan))}) :</p>`,
		`<ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`,
		`<p>${escapeHtml(views)}</p>`,
	].join('\n');
	return { objet, texte, html };
}
