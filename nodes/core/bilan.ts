/**
 * Bilan des clauses sociales sur une période (en pratique, une année) : les
 * indicateurs qu'une Région présente à ses élus et au comité de pilotage
 * (Avise, ARF et Caisse des Dépôts, 2014 : « consolidation et diffusion des
 * résultats » ; Préfecture de la région Hauts-de-France, groupe de travail
 * « clauses sociales » : tableau de bord partagé, comptage harmonisé). Agrégation en flux : les lignes de
 * relevé sont ajoutées une à une (jamais gardées), seules les sommes et les
 * identifiants des personnes le sont. Fonctions pures.
 *
 * Comptage :
 * - une clause (lot clausé) compte si son exécution recoupe la période ; un
 *   marché compte s'il a au moins un lot clausé ;
 * - heures réalisées : heures du mois des relevés (hors heures de formation,
 *   comptées à part), sur la période et en cumul depuis le début jusqu'à la
 *   fin de la période ; taux de réalisation = cumul ÷ heures dues ;
 * - lignes remplacées par une correction : jamais comptées ;
 * - personnes : comptées une fois, même présentes sur plusieurs marchés
 *   (identifiant pseudonyme du participant, global ou par titulaire) ; une
 *   personne compte dans la catégorie de public de sa première ligne de la
 *   période ; dans chaque modalité ou type de contrat où elle a travaillé ;
 * - heures mutualisées d'un titulaire : heures de la période faites par des
 *   personnes présentes sur au moins deux de ses marchés ;
 * - pénalités appliquées : montants notifiés (étape « notification ») ; les
 *   mises en demeure sont comptées à part.
 */
import { z } from 'zod/v4';

import { addMonths, firstDayOfMonth, frenchLongDate, frenchMonth, lastDayOfMonth, parseDate } from './calendar';
import { escapeHtml, formatEuros, formatHours, formatPercent } from './format';
import { buildKeyIndex, canonicalizeKeys } from './keys';
import { parseDecimal, roundTo } from './numbers';
import { parseSettings } from './records';
import { singleLine } from './reminder-message';
import type { Facilitator } from './schemas/facilitator';
import { decimal, isoMonth, normalizeToken, optional } from './schemas/primitives';
import type { ClauseRecord, ReportLine } from './schemas/suivi';
import { CONTRACT_TYPES, EMPLOYERS, MODALITIES, PUBLIC_CATEGORIES, clauseKey, clauseKeyMemo, memoizeText } from './schemas/suivi';

export const BilanSettingsSchema = z.object({
	debut: isoMonth(),
	fin: isoMonth(),
	nombreMarches: optional(decimal({ min: 0, integer: true, example: '120' })),
	identifiantPersonnes: z.enum(['global', 'parTitulaire']).default('global'),
});
export type BilanSettings = z.output<typeof BilanSettingsSchema>;

export const BILAN_SETTINGS_LABELS = {
	debut: 'début de la période',
	fin: 'fin de la période',
	nombreMarches: 'nombre de marchés notifiés',
	identifiantPersonnes: 'identifiant des personnes',
};

export function parseBilanSettings(input: Record<string, unknown>): BilanSettings {
	return parseSettings(BilanSettingsSchema, input, BILAN_SETTINGS_LABELS);
}

/** Période par défaut : l'année civile précédant la date donnée. */
export function previousYear(today: string): { debut: string; fin: string } {
	const year = Number(today.slice(0, 4)) - 1;
	return { debut: `${year}-01`, fin: `${year}-12` };
}

export interface NotifiedMarket {
	marche: string;
	nature?: string;
}

/** Pénalité (sortie du nœud des avis de pénalité, ou feuille « Pénalités » du registre). */
export interface PenaltyEntry {
	marche: string;
	lot: string;
	/** « notification » (appliquée) ou « miseEnDemeure ». */
	etape: string;
	montant: number;
	date?: string;
}

export const DEFAULT_MECHANISM = 'Clause d\u2019insertion, condition d\u2019exécution (L2112-2)';
const NOT_SET = 'Non renseigné';

interface ClauseStats {
	periode: number;
	cumul: number;
	formation: number;
	personnes: Set<string>;
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
		partMarchesAvecClause: number | null;
		heuresDues: number;
		heuresRealiseesPeriode: number;
		heuresRealiseesCumul: number;
		tauxRealisation: number | null;
		heuresFormationPeriode: number;
		personnes: number;
		titulaires: number;
		penalitesAppliquees: number;
		misesEnDemeure: number;
		lignesComptees: number;
		clausesDesRelevesHorsRegistre: number;
		clausesHorsPeriode: number;
	};
	parNature: BilanRow[];
	parMecanisme: BilanRow[];
	parMarche: BilanRow[];
	parLot: BilanRow[];
	parTitulaire: BilanRow[];
	parFacilitateur: BilanRow[];
	parTerritoire: BilanRow[];
	publics: BilanRow[];
	modalites: BilanRow[];
	contrats: BilanRow[];
	employeurs: BilanRow[];
	penalites: BilanRow[];
}

function rate(done: number, due: number): number | null {
	return due > 0 ? roundTo(done / due, 4) : null;
}

function label<T extends string>(values: Record<T, { libelle: string }>, key: T | undefined): string {
	return key === undefined ? NOT_SET : values[key].libelle;
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

export class BilanAccumulator {
	private readonly clauses: ClauseRecord[] = [];
	private readonly stats = new Map<string, ClauseStats>();
	private readonly markets: NotifiedMarket[] = [];
	private readonly penalties: PenaltyEntry[] = [];
	private readonly categories = new Map<string, string>();
	private readonly categoryHours = new Map<string, number>();
	private readonly modalities = new Tally();
	private readonly contracts = new Tally();
	private readonly employers = new Tally();
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

	addMarket(market: NotifiedMarket): void {
		this.markets.push(market);
	}

	addPenalty(penalty: PenaltyEntry): void {
		this.penalties.push(penalty);
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
			s = { periode: 0, cumul: 0, formation: 0, personnes: new Set() };
			this.stats.set(key, s);
		}
		s.cumul += line.heuresMois;
		if (line.mois < this.start) return;
		this.linesCounted++;
		s.periode += line.heuresMois;
		s.formation += line.heuresFormation ?? 0;
		const person = this.person(line);
		if (person === undefined) return;
		s.personnes.add(person);
		const category = label(PUBLIC_CATEGORIES, line.categoriePublic);
		if (!this.categories.has(person)) this.categories.set(person, category);
		this.categoryHours.set(category, (this.categoryHours.get(category) ?? 0) + line.heuresMois);
		this.modalities.add(label(MODALITIES, line.modalite), person, line.heuresMois);
		this.contracts.add(label(CONTRACT_TYPES, line.typeContrat), person, line.heuresMois);
		this.employers.add(label(EMPLOYERS, line.employeur), person, line.heuresMois);
		let clauses = this.personClauses.get(person);
		if (!clauses) {
			clauses = new Map();
			this.personClauses.set(person, clauses);
		}
		clauses.set(key, (clauses.get(key) ?? 0) + line.heuresMois);
	}

	private territoryOf(clause: ClauseRecord): string {
		if (clause.territoire) return clause.territoire;
		const f = this.facilitators.find((x) => normalizeToken(x.nom) === normalizeToken(clause.facilitateur));
		return f ? f.territoires.join(', ') : NOT_SET;
	}

	result(): Bilan {
		const from = firstDayOfMonth(this.start);
		const to = lastDayOfMonth(this.end);
		const seen = new Set<string>();
		const active: ClauseRecord[] = [];
		let outside = 0;
		for (const c of this.clauses) {
			const key = clauseKey(c);
			if (seen.has(key)) continue;
			seen.add(key);
			if (c.debutExecution > to || c.finExecution < from) outside++;
			else active.push(c);
		}
		const empty: ClauseStats = { periode: 0, cumul: 0, formation: 0, personnes: new Set() };
		const statsOf = (c: ClauseRecord) => this.stats.get(clauseKey(c)) ?? empty;
		const unknownLines = [...this.stats.keys()].filter((k) => !seen.has(k)).length;

		const group = (keyOf: (c: ClauseRecord) => string) => {
			const groups = new Map<string, ClauseRecord[]>();
			for (const c of active) groups.set(keyOf(c), [...(groups.get(keyOf(c)) ?? []), c]);
			return groups;
		};
		const sums = (list: ClauseRecord[]) => {
			const people = new Set<string>();
			let dues = 0;
			let periode = 0;
			let cumul = 0;
			for (const c of list) {
				const s = statsOf(c);
				dues += c.heuresDues;
				periode += s.periode;
				cumul += s.cumul;
				for (const p of s.personnes) people.add(p);
			}
			return {
				lots: list.length,
				heuresDues: roundTo(dues, 2),
				heuresRealiseesPeriode: roundTo(periode, 2),
				heuresRealiseesCumul: roundTo(cumul, 2),
				tauxRealisation: rate(cumul, dues),
				personnes: people.size,
			};
		};
		const natureOf = (c: ClauseRecord) => c.nature ?? NOT_SET;
		const mechanismOf = (c: ClauseRecord) => c.mecanisme ?? DEFAULT_MECHANISM;

		const byMarket = group((c) => c.marche);
		const parMarche: BilanRow[] = [...byMarket].map(([marche, list]) => ({
			marche,
			objet: list[0].objet ?? null,
			nature: natureOf(list[0]),
			mecanisme: mechanismOf(list[0]),
			titulaires: [...new Set(list.map((c) => c.titulaire))].join(', '),
			...sums(list),
		}));
		const penaltyBy = new Map<string, { applique: number; misesEnDemeure: number; montantMisEnDemeure: number }>();
		let applied = 0;
		let notices = 0;
		for (const p of this.penalties) {
			const key = clauseKey(p);
			const entry = penaltyBy.get(key) ?? { applique: 0, misesEnDemeure: 0, montantMisEnDemeure: 0 };
			if (normalizeToken(p.etape) === 'notification') {
				entry.applique += p.montant;
				applied += p.montant;
			} else {
				entry.misesEnDemeure++;
				entry.montantMisEnDemeure += p.montant;
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
				territoire: this.territoryOf(c),
				statut: c.statut,
				heuresDues: c.heuresDues,
				heuresRealiseesPeriode: roundTo(s.periode, 2),
				heuresRealiseesCumul: roundTo(s.cumul, 2),
				tauxRealisation: rate(s.cumul, c.heuresDues),
				heuresFormationPeriode: roundTo(s.formation, 2),
				personnes: s.personnes.size,
				penalitesAppliquees: roundTo(penaltyBy.get(clauseKey(c))?.applique ?? 0, 2),
			};
		});

		// Titulaires : mutualisation entre leurs marchés.
		const bySiret = group((c) => c.siret);
		const owner = new Map(active.map((c) => [clauseKey(c), c]));
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
		const parTitulaire: BilanRow[] = [...bySiret].map(([siret, list]) => {
			const shared = mutual.get(siret)?.personnes ?? 0;
			const sharedHours = mutual.get(siret)?.heures ?? 0;
			return {
				titulaire: list[0].titulaire,
				siret,
				marches: new Set(list.map((c) => c.marche)).size,
				...sums(list),
				personnesSurPlusieursMarches: shared,
				heuresMutualisees: roundTo(sharedHours, 2),
			};
		});
		const parFacilitateur = [...group((c) => c.facilitateur)].map(([facilitateur, list]) => ({ facilitateur, ...sums(list) }));
		const parTerritoire = [...group((c) => this.territoryOf(c))].map(([territoire, list]) => ({ territoire, ...sums(list) }));

		// Nature et mécanisme : marchés et lots clausés, part des marchés notifiés si leur liste est connue.
		const notified = new Map<string, string>();
		for (const m of this.markets) notified.set(normalizeToken(m.marche), m.nature ?? NOT_SET);
		const totalByNature = new Map<string, number>();
		for (const nature of notified.values()) totalByNature.set(nature, (totalByNature.get(nature) ?? 0) + 1);
		const parNature: BilanRow[] = [...group(natureOf)].map(([nature, list]) => {
			const marches = new Set(list.map((c) => c.marche)).size;
			const total = totalByNature.get(nature);
			return { nature, marches, lots: list.length, marchesNotifies: total ?? null, part: total ? roundTo(marches / total, 4) : null };
		});
		for (const [nature, total] of totalByNature) if (!parNature.some((r) => r.nature === nature)) parNature.push({ nature, marches: 0, lots: 0, marchesNotifies: total, part: 0 });
		const parMecanisme: BilanRow[] = [...group(mechanismOf)].map(([mecanisme, list]) => ({ mecanisme, marches: new Set(list.map((c) => c.marche)).size, lots: list.length }));

		const categoryPeople = new Map<string, number>();
		for (const category of this.categories.values()) categoryPeople.set(category, (categoryPeople.get(category) ?? 0) + 1);
		const publicOrder = [...Object.values(PUBLIC_CATEGORIES).map((c) => c.libelle), NOT_SET];
		const publics: BilanRow[] = publicOrder
			.filter((c) => this.categoryHours.has(c) || categoryPeople.has(c))
			.map((categorie) => ({ categorie, personnes: categoryPeople.get(categorie) ?? 0, heures: roundTo(this.categoryHours.get(categorie) ?? 0, 2) }));

		const penalites: BilanRow[] = [...penaltyBy].map(([key, p]) => {
			const clause = active.find((c) => clauseKey(c) === key) ?? this.clauses.find((c) => clauseKey(c) === key);
			const sample = this.penalties.find((x) => clauseKey(x) === key)!;
			return {
				marche: clause?.marche ?? sample.marche,
				lot: clause?.lot ?? sample.lot,
				titulaire: clause?.titulaire ?? null,
				penalitesAppliquees: roundTo(p.applique, 2),
				misesEnDemeure: p.misesEnDemeure,
				montantMisEnDemeure: roundTo(p.montantMisEnDemeure, 2),
			};
		});

		const totals = sums(active);
		const marketsWithClause = byMarket.size;
		const nombreMarches = this.settings.nombreMarches ?? (notified.size > 0 ? notified.size : null);
		return {
			periode: { debut: this.start, fin: this.end },
			synthese: {
				marchesAvecClause: marketsWithClause,
				lotsAvecClause: active.length,
				nombreMarches,
				partMarchesAvecClause: nombreMarches ? roundTo(marketsWithClause / nombreMarches, 4) : null,
				heuresDues: totals.heuresDues,
				heuresRealiseesPeriode: totals.heuresRealiseesPeriode,
				heuresRealiseesCumul: totals.heuresRealiseesCumul,
				tauxRealisation: totals.tauxRealisation,
				heuresFormationPeriode: roundTo(active.reduce((sum, c) => sum + statsOf(c).formation, 0), 2),
				personnes: this.personClauses.size,
				titulaires: bySiret.size,
				penalitesAppliquees: roundTo(applied, 2),
				misesEnDemeure: notices,
				lignesComptees: this.linesCounted,
				clausesDesRelevesHorsRegistre: unknownLines,
				clausesHorsPeriode: outside,
			},
			parNature,
			parMecanisme,
			parMarche,
			parLot,
			parTitulaire,
			parFacilitateur,
			parTerritoire,
			publics,
			modalites: this.modalities.rows('modalite', [...Object.values(MODALITIES).map((m) => m.libelle), NOT_SET]),
			contrats: this.contracts.rows('typeContrat', [...Object.values(CONTRACT_TYPES).map((m) => m.libelle), NOT_SET]),
			employeurs: this.employers.rows('employeur', [...Object.values(EMPLOYERS).map((m) => m.libelle), NOT_SET]),
			penalites,
		};
	}
}

/** Mois de fin par défaut d'une période qui commence en `debut` : douze mois. */
export function twelveMonthsFrom(debut: string): string {
	return addMonths(debut, 11);
}

export const PENALTY_LABELS = { marche: 'marché', lot: 'lot', etape: 'étape', montant: 'montant HT', date: 'date' };
export const PENALTY_KEYS = buildKeyIndex(Object.keys(PENALTY_LABELS), {
	marche: ['n° marché', 'marché'],
	lot: ['n° lot'],
	etape: ['étape', 'stade', 'type'],
	montant: ['montant HT', 'montant', 'pénalités', 'total'],
	date: ['date', 'date du document', 'dateDocument'],
}, PENALTY_LABELS);
export const MARKET_LABELS = { marche: 'marché', nature: 'nature' };
export const MARKET_KEYS = buildKeyIndex(Object.keys(MARKET_LABELS), { marche: ['n° marché', 'numéro de marché', 'id', 'identifiant'], nature: ['nature du marché', 'type de marché'] }, MARKET_LABELS);

/** Pénalité lue d'un élément (sortie du nœud des avis de pénalité : penalites.total, dateDocument) ou d'une ligne de tableur. */
export function readPenalty(raw: Record<string, unknown>): PenaltyEntry | undefined {
	const record = canonicalizeKeys(raw, PENALTY_KEYS);
	const nested = record.penalites as { total?: unknown } | undefined;
	const montant = parseDecimal(nested && typeof nested === 'object' ? nested.total : record.montant);
	const marche = record.marche;
	const lot = record.lot;
	if (montant === undefined || marche === undefined || lot === undefined || record.etape === undefined) return undefined;
	return { marche: String(marche), lot: String(lot), etape: String(record.etape), montant, date: parseDate(record.date ?? raw.dateDocument) };
}

/** Courriel de synthèse du bilan pour le chargé ou la chargée de mission. */
export function bilanSummary(bilan: Bilan, meta: { titre: string; fichier: string; dateBilan: string }): { objet: string; texte: string; html: string } {
	const s = bilan.synthese;
	const period = `${frenchMonth(bilan.periode.debut)} à ${frenchMonth(bilan.periode.fin)}`;
	const lines = [
		`${s.marchesAvecClause} marché(s) avec une clause sociale d\u2019insertion (${s.lotsAvecClause} lot(s))${s.partMarchesAvecClause !== null ? `, soit ${formatPercent(roundTo(s.partMarchesAvecClause * 100, 1))} des ${s.nombreMarches} marchés notifiés` : ''}.`,
		`${formatHours(s.heuresRealiseesPeriode)} d\u2019insertion réalisées sur la période ; ${formatHours(s.heuresRealiseesCumul)} depuis le début des marchés pour ${formatHours(s.heuresDues)} dues${s.tauxRealisation !== null ? ` (taux de réalisation : ${formatPercent(roundTo(s.tauxRealisation * 100, 1))})` : ''}.`,
		`${s.personnes} personne(s) en insertion, comptée(s) une fois chacune ; ${s.titulaires} titulaire(s).`,
		`Pénalités appliquées : ${formatEuros(s.penalitesAppliquees)} ; mises en demeure : ${s.misesEnDemeure}.`,
	];
	const late = bilan.parLot.filter((l) => typeof l.tauxRealisation === 'number' && (l.tauxRealisation as number) < 0.5).length;
	if (late > 0) lines.push(`${late} lot(s) sous 50 % de réalisation (feuille « Par lot »).`);
	const objet = singleLine(`${meta.titre} – ${period}`);
	const texte = ['Bonjour,', '', `Voici le bilan des clauses sociales d\u2019insertion de ${period} (fichier joint « ${meta.fichier} », établi le ${frenchLongDate(meta.dateBilan)}) :`, '', ...lines.map((l) => `- ${l}`), '', 'Le classeur présente une feuille par vue : nature et mécanisme, marchés, lots, titulaires, facilitateurs, territoires, publics, modalités, contrats, employeurs, pénalités.'].join('\n');
	const html = [
		'<p>Bonjour,</p>',
		`<p>Voici le bilan des clauses sociales d\u2019insertion de ${escapeHtml(period)} (fichier joint «&nbsp;${escapeHtml(meta.fichier)}&nbsp;», établi le ${escapeHtml(frenchLongDate(meta.dateBilan))}) :</p>`,
		`<ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`,
		'<p>Le classeur présente une feuille par vue : nature et mécanisme, marchés, lots, titulaires, facilitateurs, territoires, publics, modalités, contrats, employeurs, pénalités.</p>',
	].join('\n');
	return { objet, texte, html };
}
