/**
 * Réception des relevés mensuels : chaque relevé renvoyé par un titulaire est
 * confronté au registre des clauses et aux relevés déjà reçus. Fonctions pures.
 *
 * Règles :
 * - le marché et le lot de l'en-tête figurent au registre ; chaque mois déclaré
 *   tombe dans l'exécution de la clause et n'est pas postérieur à la réception ;
 * - une ligne avec des heures porte un participant, une catégorie de public
 *   éligible et une modalité ; plus de 151,67 h (heures et formation) dans le
 *   mois pour une personne exige une justification (seuil paramétrable) ;
 * - un même participant ne figure qu'une fois par mois dans un relevé ;
 * - doublons et corrections, par clause et par mois : une ligne identique à
 *   celle du registre est « déjà reçue » et n'est pas comptée deux fois ; un
 *   mois déjà reçu dont les lignes diffèrent est une correction : les lignes
 *   nouvelles ou modifiées forment une nouvelle version, marquées
 *   `correction`, avec la version qu'elles remplacent ; les lignes remplacées
 *   restent au registre, marquées « remplacée par » (historique, jamais
 *   comptées). En mode « remplacer » (relevé complet, consigne du modèle), un
 *   participant déjà déclaré pour ce mois et absent du nouveau relevé est
 *   retiré de la même façon ; en mode « compléter », il reste.
 *
 * Version d'un relevé : « AAAA-MM-JJ vN », date de réception et rang de la
 * version pour la clause et le mois (v1 : première réception, v2 : première
 * correction…). Les lignes du registre sans version comptent comme v1.
 */
import { z } from 'zod/v4';

import type { Anomaly } from './anomalies';
import { describeAnomaly } from './anomalies';
import type { IsoMonth } from './calendar';
import { daysInMonth, firstDayOfMonth, frenchMonth, lastDayOfMonth, monthOf, parseMonth } from './calendar';
import { formatHours, quote } from './format';
import { roundTo } from './numbers';
import { parseSettings, rowReader } from './records';
import { decimal, isoDate, normalizeToken } from './schemas/primitives';
import type { ClauseRecord, ReportLine } from './schemas/follow-up';
import { detachedText } from './keys';
import { MONTHLY_FULL_TIME_HOURS, PUBLIC_CATEGORIES, MODALITIES, REPORT_LINE_READER, clauseKey, clauseKeyMemo } from './schemas/follow-up';

export const INTAKE_MODES = {
	remplacer: 'Le relevé renvoyé remplace le mois entier (relevé complet)',
	completer: 'Le relevé renvoyé complète le mois (les participants absents restent)',
} as const;
export type IntakeMode = keyof typeof INTAKE_MODES;

export const IntakeSettingsSchema = z.object({
	dateReception: isoDate(),
	seuilHeuresMois: decimal({ min: 1, max: 744, unit: 'h', example: '151,67' }).default(MONTHLY_FULL_TIME_HOURS),
	moisDejaRecu: z.enum(['remplacer', 'completer']).default('remplacer'),
});
export type IntakeSettings = z.output<typeof IntakeSettingsSchema>;

export const INTAKE_SETTINGS_LABELS = {
	dateReception: 'date de réception',
	seuilHeuresMois: 'seuil d’heures mensuelles par personne',
	moisDejaRecu: 'mois déjà reçu',
};

export function parseIntakeSettings(input: Record<string, unknown>): IntakeSettings {
	return parseSettings(IntakeSettingsSchema, input, INTAKE_SETTINGS_LABELS);
}

/** Une ligne d'un relevé reçu, avant validation : valeurs par champ et adresse de chaque cellule. */
export interface IncomingLine {
	raw: Record<string, unknown>;
	/** « fichier « … », feuille « Relevé », ligne 14 » ou « élément 3 ». */
	where: string;
	feuille?: string;
	cells?: Record<string, string>;
	/** Numéro de la ligne dans la feuille. */
	ligne?: number;
	/** Anomalies de lecture des cellules (erreur de formule…). */
	problems: Anomaly[];
	itemIndex: number;
}

/** Un relevé reçu : un fichier, ou les éléments JSON d'une même clause. */
export interface IncomingReport {
	/** « fichier « releve-….xlsx » », « éléments 3 à 7 ». */
	source: string;
	fileName?: string;
	itemIndexes: number[];
	header: { marche?: unknown; lot?: unknown; siret?: unknown; titulaire?: unknown; mois?: unknown };
	/** Adresse des cellules d'en-tête (marche → B4…). */
	headerCells?: Record<string, string>;
	feuille?: string;
	lines: IncomingLine[];
	/** Anomalies du fichier ou de l'en-tête ; une erreur refuse tout le relevé. */
	anomalies: Anomaly[];
	/** Adresse de l'expéditeur (courriel reçu), pour répondre quand la clause est inconnue. */
	expediteur?: string;
}

export type LineStatus = 'nouvelle' | 'correction' | 'dejaRecue' | 'refusee';
export type ReportStatus = 'accepte' | 'accepteAvecReserves' | 'partiellementAccepte' | 'refuse' | 'dejaRecu';

export const RELEVE_STATUSES: Record<ReportStatus, string> = {
	accepte: 'accepté',
	accepteAvecReserves: 'accepté avec réserves',
	partiellementAccepte: 'partiellement accepté',
	refuse: 'refusé',
	dejaRecu: 'déjà reçu',
};

export const LINE_STATUSES: Record<LineStatus, string> = {
	nouvelle: 'acceptée',
	correction: 'acceptée (correction)',
	dejaRecue: 'déjà reçue, non comptée deux fois',
	refusee: 'refusée',
};

export interface LineDecision {
	statut: LineStatus;
	/** Élément d'entrée d'où vient la ligne. */
	itemIndex?: number;
	ou: string;
	ligne?: number;
	participant?: string;
	mois?: IsoMonth;
	heuresMois?: number;
	/** Ligne validée, complétée de sa version (seulement si acceptée). */
	valeur?: ReportLine;
	anomalies: Anomaly[];
}

/** Ligne du registre remplacée (correction) ou retirée (relevé complet qui ne la reprend plus). */
export interface Replacement {
	/** Ligne de la feuille « Relevés » du registre, si connue. */
	ligne?: number;
	cle: string;
	participant: string;
	mois: IsoMonth;
	heuresMois: number;
	version: string;
	par: string;
	motif: 'correction' | 'retrait';
	/** Ligne « néant » d'un employeur nommé (sous-traitant…) : sa clé dans le mois (lineKey). */
	cleLigne?: string;
}

export interface ReportResult {
	source: string;
	fileName?: string;
	itemIndexes: number[];
	marche?: string;
	lot?: string;
	clause?: ClauseRecord;
	mois: IsoMonth[];
	/** Version créée pour chaque mois modifié. */
	versions: Record<IsoMonth, string>;
	statut: ReportStatus;
	statutLibelle: string;
	lignes: LineDecision[];
	anomalies: Anomaly[];
	remplacements: Replacement[];
	compte: {
		lignes: number;
		acceptees: number;
		corrections: number;
		dejaRecues: number;
		refusees: number;
		retirees: number;
		heuresAcceptees: number;
		heuresFormationAcceptees: number;
	};
	expediteur?: string;
}

interface RegisterLine {
	empreinte: string;
	version: string;
	ligne?: number;
	participant: string;
	heuresMois: number;
	/** Employeur de la ligne (employerId) : vide pour le titulaire ou sans employeur nommé. */
	employeur: string;
}

const NEANT = new Set(['neant', 'aucun', 'aucune', 'rien', 'sansactivite']);
const NEANT_KEY = '\u2205';

/** Clé d'un participant dans un mois : identifiant normalisé ; « néant », vide → ligne sans activité. */
export function participantKey(participant: string | undefined): string {
	if (participant === undefined) return NEANT_KEY;
	const token = normalizeToken(participant);
	return NEANT.has(token) || token === '' ? NEANT_KEY : token;
}

/** Ce qu'une ligne dit de son employeur (raison sociale, SIRET), saisi ou déjà lu. */
interface EmployerFields {
	nomEmployeur?: unknown;
	siretEmployeur?: unknown;
}

/**
 * Employeur nommé d'une ligne : son SIRET (chiffres seuls), sinon sa raison
 * sociale normalisée ; vide sans l'un ni l'autre. Avec le titulaire de la
 * clause, une ligne à son SIRET ou à sa raison sociale est celle du titulaire
 * (vide, comme une ligne sans employeur).
 */
export function employerId(line: EmployerFields, holder?: Pick<ClauseRecord, 'siret' | 'titulaire'>): string {
	const siret = typeof line.siretEmployeur === 'string' || typeof line.siretEmployeur === 'number' ? String(line.siretEmployeur).replace(/\D/g, '') : '';
	const nom = typeof line.nomEmployeur === 'string' ? normalizeToken(line.nomEmployeur) : '';
	if (holder && (siret !== '' ? siret === holder.siret.replace(/\D/g, '') : nom !== '' && nom === normalizeToken(holder.titulaire))) return '';
	return siret !== '' ? siret : nom;
}

/**
 * Clé d'une ligne dans son mois : le participant ; une ligne « néant » (mois
 * sans activité) est propre à son employeur, pour que chaque entreprise
 * (titulaire, sous-traitant, cotraitant…) puisse déclarer la sienne.
 */
export function lineKey(line: EmployerFields & { participant?: string }, holder?: Pick<ClauseRecord, 'siret' | 'titulaire'>): string {
	const key = participantKey(line.participant);
	if (key !== NEANT_KEY) return key;
	const employer = employerId(line, holder);
	return employer === '' ? NEANT_KEY : `${NEANT_KEY}|${employer}`;
}

function isNeantKey(key: string): boolean {
	return key === NEANT_KEY || key.startsWith(`${NEANT_KEY}|`);
}

function rankOf(version: string | undefined): number {
	const m = version ? /v(\d+)\s*$/i.exec(version) : null;
	return m ? Number(m[1]) : 1;
}

/** Empreinte d'une ligne : ce qui, s'il change, fait d'un renvoi une correction. */
export function lineFingerprint(line: ReportLine): string {
	return JSON.stringify([
		participantKey(line.participant),
		line.categoriePublic ?? null,
		line.eligibiliteValidee ?? null,
		line.employeur ?? null,
		line.siretEmployeur ?? (line.nomEmployeur ? normalizeToken(line.nomEmployeur) : null),
		line.modalite ?? null,
		line.typeContrat ?? null,
		line.debutContrat ?? null,
		line.finContrat ?? null,
		line.poste ? normalizeToken(line.poste) : null,
		roundTo(line.heuresMois, 2),
		roundTo(line.heuresFormation ?? 0, 2),
	]);
}

function monthKey(clause: { marche: string; lot: string }, mois: string): string {
	return `${clauseKey(clause)}|${mois}`;
}

/**
 * Le registre tel que la réception en a besoin : les clauses, et les lignes
 * déjà reçues des seuls mois concernés par les relevés du jour (`wanted`),
 * pour que la mémoire ne croisse pas avec la taille du registre.
 */
export class RegisterIndex {
	readonly clauses = new Map<string, ClauseRecord>();
	readonly duplicateClauses: string[] = [];
	/** Clauses du registre en anomalie : clé → description de l'anomalie. */
	readonly invalidClauses = new Map<string, string>();
	private readonly lines = new Map<string, Map<string, RegisterLine>>();
	private readonly ranks = new Map<string, number>();
	/** Mois seuls (AAAA-MM) des clés voulues : la plupart des lignes sont écartées avant tout calcul de clé. */
	private readonly wantedMonths?: ReadonlySet<string>;
	private readonly keyOf = clauseKeyMemo();
	/** Mois (clé clause|mois) dont les lignes sont indexées ; tous si absent. */
	constructor(private readonly wanted?: ReadonlySet<string>) {
		if (wanted) this.wantedMonths = new Set([...wanted].map((key) => key.slice(key.lastIndexOf('|') + 1)));
	}

	addClause(clause: ClauseRecord): void {
		const key = clauseKey(clause);
		if (this.clauses.has(key)) this.duplicateClauses.push(key);
		else this.clauses.set(key, clause);
	}

	/** Ligne de la feuille « Relevés » ; `ligne` : son numéro dans la feuille. */
	addLine(line: ReportLine, ligne?: number): void {
		if (this.wantedMonths && !this.wantedMonths.has(line.mois)) return;
		const key = `${this.keyOf(line)}|${line.mois}`;
		if (this.wanted && !this.wanted.has(key)) return;
		const rank = rankOf(line.version);
		if (rank > (this.ranks.get(key) ?? 0)) this.ranks.set(key, rank);
		if (line.remplaceePar !== undefined) return;
		let month = this.lines.get(key);
		if (!month) {
			month = new Map();
			this.lines.set(key, month);
		}
		month.set(lineKey(line), {
			empreinte: lineFingerprint(line),
			version: line.version ?? (line.dateReception ? `${line.dateReception} v1` : 'v1'),
			ligne,
			participant: line.participant === undefined ? 'néant' : detachedText(line.participant),
			heuresMois: line.heuresMois,
			employeur: employerId(line),
		});
	}

	month(clause: ClauseRecord, mois: string): Map<string, RegisterLine> {
		return this.lines.get(monthKey(clause, mois)) ?? new Map();
	}

	rank(clause: ClauseRecord, mois: string): number {
		return this.ranks.get(monthKey(clause, mois)) ?? 0;
	}

	/**
	 * Version en vigueur d'un mois telle que la tient le registre des clauses
	 * (qui numérote lui-même ses versions) : la prochaine correction prend la suivante.
	 */
	noteVersion(clause: { marche: string; lot: string }, mois: string, rank: number): void {
		const key = monthKey(clause, mois);
		if (rank > (this.ranks.get(key) ?? 0)) this.ranks.set(key, rank);
	}

	/** Enregistre une nouvelle version d'un mois (les relevés suivants de la même exécution la voient). */
	commit(clause: ClauseRecord, mois: string, rank: number, month: Map<string, RegisterLine>): void {
		const key = monthKey(clause, mois);
		this.ranks.set(key, rank);
		this.lines.set(key, month);
	}
}

/**
 * Les lignes d'un mois après un relevé reçu, pour la nouvelle version du
 * registre des clauses : les lignes en vigueur que le relevé ne corrige ni ne
 * retire, puis les lignes acceptées de ce mois. L'ancienne version reste au
 * registre, entière.
 */
export function monthAfterIntake(current: ReportLine[], result: ReportResult, mois: IsoMonth): ReportLine[] {
	const accepted = result.lignes.flatMap((l) => (l.valeur && l.valeur.mois === mois ? [l.valeur] : []));
	const gone = new Set([...result.remplacements.filter((r) => r.mois === mois).map((r) => r.cleLigne ?? participantKey(r.participant)), ...accepted.map((line) => lineKey(line))]);
	return [...current.filter((line) => !gone.has(lineKey(line))), ...accepted];
}

/** Clé d'une ligne retirée ou corrigée, quand elle n'est pas celle de son participant (ligne « néant » d'un employeur nommé). */
function lineKeyOf(key: string): { cleLigne?: string } {
	return key !== NEANT_KEY && isNeantKey(key) ? { cleLigne: key } : {};
}

/** Rang d'une version de relevé (« 2026-11-23 v2 » → 2 ; sans rang : 1). */
export function versionRank(version: string | undefined): number {
	return rankOf(version);
}

/** Clés « clause|mois » concernées par des relevés, pour n'indexer que ces mois du registre. */
export function wantedMonths(releves: IncomingReport[]): Set<string> {
	const out = new Set<string>();
	for (const r of releves) {
		const marche = textOf(r.header.marche);
		const lot = textOf(r.header.lot);
		if (marche === undefined || lot === undefined) continue;
		const headerMonth = parseMonth(r.header.mois);
		for (const line of r.lines) {
			const mois = parseMonth(line.raw.mois) ?? headerMonth;
			if (mois) out.add(monthKey({ marche, lot }, mois));
		}
	}
	return out;
}

function textOf(value: unknown): string | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	return undefined;
}

function anomaly(
	gravite: Anomaly['gravite'],
	champ: string,
	libelle: string,
	ou: string,
	message: string,
	correction: string,
	regle: string,
	at?: { feuille?: string; cellule?: string },
): Anomaly {
	return { gravite, champ, libelle, ou, message, correction, regle, ...(at?.cellule ? { feuille: at.feuille, cellule: at.cellule } : {}) };
}

/** Ajoute feuille et cellule aux anomalies d'une ligne lue dans un classeur. */
function placeAnomalies(anomalies: Anomaly[], line: IncomingLine, releve: IncomingReport): Anomaly[] {
	for (const a of anomalies) {
		if (a.cellule !== undefined) continue;
		const field = a.champ.split(/[.[]/)[0];
		const cell = line.cells?.[field] ?? (field === 'mois' || field === 'marche' || field === 'lot' || field === 'siret' ? releve.headerCells?.[field] : undefined);
		if (cell) {
			a.feuille = line.feuille ?? releve.feuille;
			a.cellule = cell;
		}
	}
	return anomalies;
}

export class ReportIntake {
	/** Lecture rapide des lignes (mêmes schéma et erreurs que tryReadRecord), propre à cette réception. */
	private readonly readLine = rowReader(REPORT_LINE_READER);

	constructor(
		private readonly register: RegisterIndex,
		private readonly settings: IntakeSettings,
	) {}

	/** @param dateReception date de réception propre à ce relevé (date du courriel), sinon celle des paramètres. */
	receive(releve: IncomingReport, dateReception?: string): ReportResult {
		const s = dateReception ? { ...this.settings, dateReception } : this.settings;
		const result: ReportResult = {
			source: releve.source,
			fileName: releve.fileName,
			itemIndexes: releve.itemIndexes,
			mois: [],
			versions: {},
			statut: 'refuse',
			statutLibelle: RELEVE_STATUSES.refuse,
			lignes: [],
			anomalies: [...releve.anomalies],
			remplacements: [],
			compte: { lignes: releve.lines.length, acceptees: 0, corrections: 0, dejaRecues: 0, refusees: 0, retirees: 0, heuresAcceptees: 0, heuresFormationAcceptees: 0 },
			expediteur: releve.expediteur,
		};
		if (releve.anomalies.some((a) => a.gravite === 'erreur')) {
			// Fichier illisible, feuille absente… : rien d'autre à vérifier.
			for (const line of releve.lines) result.lignes.push({ statut: 'refusee', itemIndex: line.itemIndex, ou: line.where, ligne: line.ligne, anomalies: [] });
			return this.finish(result);
		}
		const at = (field: string) => ({ feuille: releve.feuille, cellule: releve.headerCells?.[field] });
		const marche = textOf(releve.header.marche);
		const lot = textOf(releve.header.lot);
		result.marche = marche;
		result.lot = lot;
		if (marche === undefined) {
			result.anomalies.push(anomaly('erreur', 'marche', 'marché', releve.source, 'numéro de marché absent de l\u2019en-tête', 'Saisissez le numéro du marché dans l\u2019en-tête du relevé (ou utilisez le modèle joint à la relance, déjà rempli).', 'releve.marche', at('marche')));
		}
		if (lot === undefined) {
			result.anomalies.push(anomaly('erreur', 'lot', 'lot', releve.source, 'numéro de lot absent de l\u2019en-tête', 'Saisissez le numéro du lot dans l\u2019en-tête du relevé.', 'releve.lot', at('lot')));
		}
		const clause = marche !== undefined && lot !== undefined ? this.register.clauses.get(clauseKey({ marche, lot })) : undefined;
		const invalid = marche !== undefined && lot !== undefined ? this.register.invalidClauses.get(clauseKey({ marche, lot })) : undefined;
		if (invalid !== undefined && !clause) {
			result.anomalies.push(
				anomaly('erreur', 'lot', 'marché et lot', releve.source, `la clause du marché ${marche}, lot ${lot} est en anomalie au registre (${invalid})`, 'Le relevé sera enregistré une fois le registre corrigé par le facilitateur : rien à faire de votre côté.', 'releve.clauseEnAnomalie', at('lot')),
			);
		} else if (marche !== undefined && lot !== undefined && !clause) {
			result.anomalies.push(
				anomaly('erreur', 'lot', 'marché et lot', releve.source, `le marché ${marche}, lot ${lot} ne figure pas au registre des clauses`, 'Vérifiez le numéro de marché et de lot de l\u2019en-tête (ceux du modèle joint à la relance) ; si la clause est nouvelle, le facilitateur doit d\u2019abord l\u2019inscrire au registre.', 'releve.clauseInconnue', at('lot')),
			);
		}
		result.clause = clause;
		if (clause) {
			const siret = textOf(releve.header.siret)?.replace(/[\s.\u00a0]/g, '');
			if (siret !== undefined && siret !== clause.siret) {
				result.anomalies.push(
					anomaly('avertissement', 'siret', 'SIRET', releve.source, `le SIRET de l\u2019en-tête (${siret}) n\u2019est pas celui du titulaire inscrit au registre (${clause.siret})`, 'Vérifiez que le relevé est bien celui de ce marché ; si le titulaire a changé d\u2019établissement, mettez à jour le registre.', 'releve.siret', at('siret')),
				);
			}
			if (clause.statut === 'soldee') {
				result.anomalies.push(anomaly('avertissement', 'statut', 'statut de la clause', releve.source, 'la clause est soldée au registre', 'Vérifiez le relevé : une clause soldée n\u2019attend plus de relevé.', 'releve.clauseSoldee'));
			}
		}
		if (releve.lines.length === 0 && !result.anomalies.some((a) => a.gravite === 'erreur')) {
			result.anomalies.push(
				anomaly('erreur', 'lignes', 'lignes du relevé', releve.source, 'le relevé ne contient aucune ligne', 'Une ligne par participant ; pour un mois sans activité, une ligne « néant » avec 0 heure.', 'releve.vide'),
			);
		}
		if (!clause || result.anomalies.some((a) => a.gravite === 'erreur')) {
			for (const line of releve.lines) result.lignes.push({ statut: 'refusee', itemIndex: line.itemIndex, ou: line.where, ligne: line.ligne, anomalies: [] });
			return this.finish(result);
		}

		// 1. Chaque ligne, seule.
		const headerMonth = releve.header.mois;
		const receptionMonth = monthOf(s.dateReception);
		const candidates: Array<{ line: IncomingLine; value: ReportLine; decision: LineDecision }> = [];
		const seen = new Map<string, LineDecision>();
		for (const line of releve.lines) {
			const raw: Record<string, unknown> = { ...line.raw, marche: clause.marche, lot: clause.lot, siret: clause.siret };
			if (raw.mois === undefined || raw.mois === null || raw.mois === '') raw.mois = headerMonth;
			const decision: LineDecision = { statut: 'refusee', itemIndex: line.itemIndex, ou: line.where, ligne: line.ligne, anomalies: [] };
			result.lignes.push(decision);
			if (line.problems.length > 0) {
				decision.anomalies.push(...line.problems);
				continue;
			}
			const read = this.readLine(raw, line.where);
			if (!read.ok) {
				decision.anomalies.push(...placeAnomalies(read.error.anomalies, line, releve));
				continue;
			}
			const value = read.value;
			decision.participant = value.participant;
			decision.mois = value.mois;
			decision.heuresMois = value.heuresMois;
			const place = (field: string) => {
				const cell = line.cells?.[field] ?? (field === 'mois' ? releve.headerCells?.mois : undefined);
				return { feuille: line.feuille ?? releve.feuille, cellule: cell };
			};
			const problems: Anomaly[] = [];
			const start = monthOf(clause.debutExecution);
			const end = monthOf(clause.finExecution);
			if (value.mois < start || value.mois > end) {
				problems.push(anomaly('erreur', 'mois', 'mois', line.where, `${frenchMonth(value.mois)} est hors de la période d\u2019exécution (${frenchMonth(start)} à ${frenchMonth(end)})`, 'Vérifiez le mois du relevé : seuls les mois d\u2019exécution du marché sont déclarés.', 'releve.horsExecution', place('mois')));
			} else if (value.mois > receptionMonth) {
				problems.push(anomaly('erreur', 'mois', 'mois', line.where, `${frenchMonth(value.mois)} n\u2019est pas encore commencé (relevé reçu le ${s.dateReception})`, 'Déclarez les heures une fois le mois écoulé ; vérifiez le mois saisi.', 'releve.moisFutur', place('mois')));
			}
			const neant = participantKey(value.participant) === NEANT_KEY;
			if (neant && (value.heuresMois > 0 || (value.heuresFormation ?? 0) > 0)) {
				problems.push(anomaly('erreur', 'participant', 'participant', line.where, 'heures déclarées sur une ligne « néant »', 'Indiquez l\u2019identifiant du participant, ou 0 heure pour un mois sans activité.', 'releve.neant', place('participant')));
			}
			if (!neant && value.heuresMois + (value.heuresFormation ?? 0) > 0) {
				if (value.categoriePublic === undefined) {
					problems.push(anomaly('erreur', 'categoriePublic', 'catégorie de public', line.where, 'catégorie de public manquante : l\u2019éligibilité ne peut pas être vérifiée', `Choisissez la catégorie dans la liste : ${Object.values(PUBLIC_CATEGORIES).map((c) => c.libelle).join(' ; ')}.`, 'releve.public', place('categoriePublic')));
				}
				if (value.modalite === undefined) {
					problems.push(anomaly('erreur', 'modalite', 'modalité', line.where, 'modalité manquante', `Choisissez la modalité dans la liste : ${Object.values(MODALITIES).map((m) => m.libelle).join(' ; ')}.`, 'releve.modalite', place('modalite')));
				}
			}
			const [y, m] = value.mois.split('-').map(Number);
			const ceiling = 24 * daysInMonth(y, m);
			const total = value.heuresMois + (value.heuresFormation ?? 0);
			if (total > ceiling) {
				problems.push(anomaly('erreur', 'heuresMois', 'heures du mois', line.where, `${formatHours(total)} dans le mois est impossible (${formatHours(ceiling)} au plus)`, 'Vérifiez la saisie : heures du mois d\u2019une seule personne.', 'releve.heuresImpossibles', place('heuresMois')));
			} else if (total > s.seuilHeuresMois) {
				const detail = value.heuresFormation ? ` (dont ${formatHours(value.heuresFormation)} de formation)` : '';
				if (value.justification === undefined) {
					problems.push(anomaly('erreur', 'heuresMois', 'heures du mois', line.where, `${formatHours(total)}${detail} pour une personne, au-delà de ${formatHours(s.seuilHeuresMois)} (temps plein mensuel), sans justification`, 'Vérifiez les heures ; si elles sont exactes (heures supplémentaires…), expliquez-le dans la colonne « Justification ».', 'releve.heuresPlausibles', place('heuresMois')));
				} else {
					problems.push(anomaly('avertissement', 'heuresMois', 'heures du mois', line.where, `${formatHours(total)}${detail} pour une personne, au-delà de ${formatHours(s.seuilHeuresMois)}, justifiées : ${quote(value.justification)}`, 'Le facilitateur vérifie la justification.', 'releve.heuresJustifiees', place('heuresMois')));
				}
			}
			if (!neant && value.eligibiliteValidee === false) {
				problems.push(anomaly('avertissement', 'eligibiliteValidee', 'éligibilité validée par le facilitateur', line.where, 'éligibilité non validée par le facilitateur', 'Les heures sont enregistrées ; faites valider l\u2019éligibilité du participant par le facilitateur.', 'releve.eligibilite', place('eligibiliteValidee')));
			}
			if (value.finContrat && value.finContrat < firstDayOfMonth(value.mois)) {
				problems.push(anomaly('avertissement', 'finContrat', 'fin du contrat', line.where, `contrat terminé le ${value.finContrat}, avant ${frenchMonth(value.mois)}`, 'Vérifiez la date de fin du contrat ou le mois déclaré.', 'releve.contratTermine', place('finContrat')));
			}
			if (value.debutContrat && value.debutContrat > lastDayOfMonth(value.mois)) {
				problems.push(anomaly('avertissement', 'debutContrat', 'début du contrat', line.where, `contrat commencé le ${value.debutContrat}, après ${frenchMonth(value.mois)}`, 'Vérifiez la date de début du contrat ou le mois déclaré.', 'releve.contratFutur', place('debutContrat')));
			}
			// Une ligne « néant » par employeur et par mois (le titulaire, chaque sous-traitant ou cotraitant).
			const dupKey = `${value.mois}|${lineKey(value, clause)}`;
			const first = seen.get(dupKey);
			if (first && !problems.some((p) => p.gravite === 'erreur')) {
				const employer = value.nomEmployeur ?? (value.siretEmployeur ? `SIRET ${value.siretEmployeur}` : undefined);
				problems.push(
					neant
						? anomaly('erreur', 'participant', 'participant', line.where, `ligne « néant »${employer && employerId(value, clause) !== '' ? ` de ${employer}` : ' du titulaire'} déjà déclarée pour ${frenchMonth(value.mois)} dans ce relevé (${first.ou})`, 'Une seule ligne « néant » par employeur et par mois : supprimez le doublon, ou indiquez la raison sociale et le SIRET de l\u2019employeur de chaque ligne.', 'releve.participantEnDouble', place('participant'))
						: anomaly('erreur', 'participant', 'participant', line.where, `participant ${quote(value.participant)} déjà déclaré pour ${frenchMonth(value.mois)} dans ce relevé (${first.ou})`, 'Regroupez les heures de la personne sur une seule ligne par mois.', 'releve.participantEnDouble', place('participant')),
				);
			}
			decision.anomalies.push(...problems);
			if (problems.some((p) => p.gravite === 'erreur')) continue;
			seen.set(dupKey, decision);
			candidates.push({ line, value, decision });
		}

		// Participants cités par le relevé, lignes refusées comprises : leurs lignes déjà reçues ne sont jamais retirées.
		const mentioned = new Set<string>();
		for (const line of releve.lines) {
			const mois = parseMonth(line.raw.mois) ?? parseMonth(headerMonth);
			if (mois) mentioned.add(`${mois}|${lineKey({ ...line.raw, participant: textOf(line.raw.participant) })}`);
		}

		// 2. Par mois : nouveau, déjà reçu ou correction.
		const byMonth = new Map<IsoMonth, typeof candidates>();
		for (const c of candidates) byMonth.set(c.value.mois, [...(byMonth.get(c.value.mois) ?? []), c]);
		for (const [mois, group] of [...byMonth].sort(([a], [b]) => a.localeCompare(b))) {
			const existing = this.register.month(clause, mois);
			const previousRank = this.register.rank(clause, mois);
			const received = existing.size > 0 || previousRank > 0;
			const previousVersion = [...existing.values()].map((l) => l.version).sort((a, b) => rankOf(a) - rankOf(b)).pop() ?? (previousRank > 0 ? `v${previousRank}` : undefined);
			const rank = Math.max(previousRank, existing.size > 0 ? 1 : 0) + 1;
			const version = `${s.dateReception} v${rank}`;
			const next = new Map(existing);
			const replaced: Replacement[] = [];
			const changed: typeof candidates = [];
			const keys = new Set(group.map((c) => lineKey(c.value)));
			// Employeurs (le titulaire : vide) qui déclarent des heures dans ce relevé : leur ligne « néant » déjà reçue est retirée.
			const holderOf = (employer: string) => (employer === clause.siret.replace(/\D/g, '') || employer === normalizeToken(clause.titulaire) ? '' : employer);
			const active = new Set(group.filter((c) => !isNeantKey(lineKey(c.value))).map((c) => employerId(c.value, clause)));
			for (const c of group) {
				const key = lineKey(c.value);
				const old = existing.get(key);
				const print = lineFingerprint(c.value);
				if (old && old.empreinte === print) {
					c.decision.statut = 'dejaRecue';
					continue;
				}
				const employer = employerId(c.value, clause);
				if (isNeantKey(key) && s.moisDejaRecu === 'completer' && [...existing].some(([k, l]) => !isNeantKey(k) && holderOf(l.employeur) === employer)) {
					c.decision.statut = 'refusee';
					c.decision.anomalies.push(anomaly('erreur', 'participant', 'participant', c.line.where, `${frenchMonth(mois)} a déjà des heures déclarées : une ligne « néant » ne peut pas s\u2019y ajouter`, 'Pour annuler les heures du mois, renvoyez le relevé complet du mois (le facilitateur règle la réception sur « remplacer »).', 'releve.neantContradictoire', { feuille: c.line.feuille ?? releve.feuille, cellule: c.line.cells?.participant }));
					continue;
				}
				if (old) replaced.push({ ligne: old.ligne, cle: monthKey(clause, mois), participant: old.participant, mois, heuresMois: old.heuresMois, version: old.version, par: version, motif: 'correction', ...lineKeyOf(key) });
				changed.push(c);
			}
			for (const [key, old] of existing) {
				if (keys.has(key) || mentioned.has(`${mois}|${key}`)) continue;
				const remove = s.moisDejaRecu === 'remplacer' || (isNeantKey(key) && active.has(holderOf(old.employeur)));
				if (remove) replaced.push({ ligne: old.ligne, cle: monthKey(clause, mois), participant: old.participant, mois, heuresMois: old.heuresMois, version: old.version, par: version, motif: 'retrait', ...lineKeyOf(key) });
			}
			if (changed.length === 0 && replaced.length === 0) continue;
			for (const r of replaced) next.delete(r.cleLigne ?? participantKey(r.participant));
			for (const c of changed) {
				const correction = received;
				c.decision.statut = correction ? 'correction' : 'nouvelle';
				c.decision.valeur = {
					...c.value,
					dateReception: s.dateReception,
					version,
					correction,
					...(correction && previousVersion ? { remplace: previousVersion } : {}),
				};
				next.set(lineKey(c.value), {
					empreinte: lineFingerprint(c.value),
					version,
					participant: c.value.participant ?? 'néant',
					heuresMois: c.value.heuresMois,
					employeur: employerId(c.value),
				});
			}
			result.versions[mois] = version;
			result.remplacements.push(...replaced);
			this.register.commit(clause, mois, rank, next);
		}
		result.mois = [...new Set(result.lignes.map((l) => l.mois).filter((m): m is string => m !== undefined))].sort();
		if (result.mois.length === 0) {
			const headerIso = parseMonth(headerMonth);
			if (headerIso) result.mois = [headerIso];
		}
		return this.finish(result);
	}

	private finish(result: ReportResult): ReportResult {
		const c = result.compte;
		// Erreur de l'en-tête ou du fichier : tout le relevé est refusé.
		const blocking = result.anomalies.some((a) => a.gravite === 'erreur');
		for (const line of result.lignes) {
			if (line.statut === 'refusee') c.refusees++;
			else if (line.statut === 'dejaRecue') c.dejaRecues++;
			else {
				c.acceptees++;
				if (line.statut === 'correction') c.corrections++;
				c.heuresAcceptees += line.valeur?.heuresMois ?? 0;
				c.heuresFormationAcceptees += line.valeur?.heuresFormation ?? 0;
			}
			result.anomalies.push(...line.anomalies);
		}
		c.heuresAcceptees = roundTo(c.heuresAcceptees, 2);
		c.heuresFormationAcceptees = roundTo(c.heuresFormationAcceptees, 2);
		c.retirees = result.remplacements.filter((r) => r.motif === 'retrait').length;
		let statut: ReportStatus;
		if (blocking || (c.lignes > 0 && c.refusees === c.lignes)) statut = 'refuse';
		else if (c.acceptees === 0 && c.retirees === 0 && c.refusees === 0) statut = 'dejaRecu';
		else if (c.refusees > 0) statut = 'partiellementAccepte';
		else if (result.anomalies.some((a) => a.gravite === 'avertissement')) statut = 'accepteAvecReserves';
		else statut = 'accepte';
		result.statut = statut;
		result.statutLibelle = RELEVE_STATUSES[statut];
		return result;
	}
}

/** Phrase d'une anomalie, pour les accusés et les synthèses. */
export function anomalyLine(a: Anomaly): string {
	return `${describeAnomaly(a)} → ${a.correction}`;
}
