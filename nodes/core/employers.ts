/**
 * Part des entreprises intervenantes : les heures d'insertion d'une clause
 * réparties par employeur (titulaire, sous-traitant, cotraitant, SIAE mettant
 * du personnel à disposition), et les entreprises déclarées dont les lignes
 * manquent au relevé d'un mois. D'après le tableau remis aux titulaires qui
 * sous-traitent (guide Avise, ARF et Caisse des Dépôts de 2014, « Intégration
 * des clauses sociales dans la commande publique des Conseils régionaux »,
 * pratique de la Région Picardie). Fonctions pures.
 */
import type { IsoDate, IsoMonth } from './calendar';
import { addMonths, daysBetween, frenchMonth, lastDayOfMonth, monthOf, ofMonth } from './calendar';
import { roundTo } from './numbers';
import { sameName } from './register-records';
import type { ReminderDecision, ReminderLevel, ReminderSettings } from './reminders';
import { FOLLOW_UP_STATUSES, REMINDER_LEVELS, levelFor } from './reminders';
import type { Intervenant, IntervenantRole } from './schemas/pool';
import { INTERVENANT_ROLES } from './schemas/pool';
import type { ClauseRecord, ReportLine } from './schemas/follow-up';
import { EMPLOYERS, clauseKey } from './schemas/follow-up';

/** Ce qu'une ligne de relevé dit de son employeur et de ses heures. */
export type EmployerLine = Pick<ReportLine, 'employeur' | 'nomEmployeur' | 'siretEmployeur' | 'participant' | 'heuresMois' | 'heuresFormation'>;

export interface EmployerRow {
	employeur: string;
	siret: string | null;
	role: string;
	/** Entreprise déclarée au registre pour cette clause. */
	declaree: boolean;
	heures: number;
	heuresFormation: number;
	personnes: number;
	/** Part des heures de la clause (0 à 1). */
	part: number;
}

export interface EmployerTable {
	cle: string;
	marche: string;
	lot: string;
	titulaire: string;
	heuresDues: number;
	heuresDeclarees: number;
	lignes: EmployerRow[];
	/** Entreprises déclarées sans aucune ligne dans les relevés reçus. */
	sansLigne: Array<{ nom: string; siret: string; role: string }>;
}

/** La ligne est-elle celle de cette entreprise ? Par le SIRET de l'employeur, sinon par sa raison sociale. */
export function lineOf(line: EmployerLine, intervenant: Pick<Intervenant, 'nom' | 'siret'>): boolean {
	if (line.siretEmployeur !== undefined) return line.siretEmployeur === intervenant.siret;
	return sameName(line.nomEmployeur, intervenant.nom);
}

const NOT_NAMED = 'non nommé';

/** Tableau des heures par employeur d'une clause, à partir des lignes de relevé en vigueur. */
export function employerTable(clause: ClauseRecord, lines: Iterable<EmployerLine>, declared: Intervenant[]): EmployerTable {
	const rows = new Map<string, EmployerRow & { people: Set<string> }>();
	const row = (id: string, init: () => Omit<EmployerRow, 'heures' | 'heuresFormation' | 'personnes' | 'part'>) => {
		let r = rows.get(id);
		if (!r) {
			r = { ...init(), heures: 0, heuresFormation: 0, personnes: 0, part: 0, people: new Set() };
			rows.set(id, r);
		}
		return r;
	};
	const titulaire = () => row(`siret:${clause.siret}`, () => ({ employeur: clause.titulaire, siret: clause.siret, role: EMPLOYERS.titulaire.libelle, declaree: false }));
	// Le titulaire d'abord, puis les entreprises déclarées, dans l'ordre de la déclaration.
	titulaire();
	for (const i of declared) row(`siret:${i.siret}`, () => ({ employeur: i.nom, siret: i.siret, role: INTERVENANT_ROLES[i.role].libelle, declaree: true }));
	let total = 0;
	const seen = new Set<string>();
	for (const line of lines) {
		const known = declared.find((i) => lineOf(line, i));
		if (known) seen.add(known.siret);
		let r;
		if (known) r = rows.get(`siret:${known.siret}`)!;
		else if (line.siretEmployeur === clause.siret || (line.siretEmployeur === undefined && sameName(line.nomEmployeur, clause.titulaire))) r = titulaire();
		else if (line.siretEmployeur !== undefined || line.nomEmployeur !== undefined) {
			const role = line.employeur ? EMPLOYERS[line.employeur].libelle : 'Employeur non déclaré';
			r = row(line.siretEmployeur ? `siret:${line.siretEmployeur}` : `nom:${line.nomEmployeur}`, () => ({ employeur: line.nomEmployeur ?? `SIRET ${line.siretEmployeur}`, siret: line.siretEmployeur ?? null, role, declaree: false }));
		} else if (line.employeur === undefined || line.employeur === 'titulaire') r = titulaire();
		else r = row(`type:${line.employeur}`, () => ({ employeur: `${EMPLOYERS[line.employeur!].libelle} (${NOT_NAMED})`, siret: null, role: EMPLOYERS[line.employeur!].libelle, declaree: false }));
		r.heures += line.heuresMois;
		r.heuresFormation += line.heuresFormation ?? 0;
		if (line.participant !== undefined && line.heuresMois > 0) r.people.add(line.participant);
		total += line.heuresMois;
	}
	const lignes: EmployerRow[] = [...rows.values()].map(({ people, ...r }) => ({
		...r,
		heures: roundTo(r.heures, 2),
		heuresFormation: roundTo(r.heuresFormation, 2),
		personnes: people.size,
		part: total > 0 ? roundTo(r.heures / total, 4) : 0,
	}));
	return {
		cle: clauseKey(clause),
		marche: clause.marche,
		lot: clause.lot,
		titulaire: clause.titulaire,
		heuresDues: clause.heuresDues,
		heuresDeclarees: roundTo(total, 2),
		lignes,
		sansLigne: declared.filter((i) => !seen.has(i.siret)).map((i) => ({ nom: i.nom, siret: i.siret, role: INTERVENANT_ROLES[i.role].libelle })),
	};
}

export interface MissingEmployerLines {
	nom: string;
	siret: string;
	role: IntervenantRole;
	roleLibelle: string;
	mois: IsoMonth;
	moisLibelle: string;
	/** Jours écoulés depuis la fin du mois. */
	joursDepuisFin: number;
}

function activeIn(i: Intervenant, month: IsoMonth): boolean {
	return (i.debut === undefined || i.debut <= lastDayOfMonth(month)) && (i.fin === undefined || monthOf(i.fin) >= month);
}

/**
 * Entreprises déclarées dont les lignes manquent au relevé reçu d'un mois
 * (jusqu'au mois de référence, pendant leur période d'intervention). Un
 * relevé non reçu relève de la relance ordinaire : il n'est pas compté ici.
 * Une ligne « néant » à 0 h de l'entreprise suffit.
 */
export function missingEmployerLines(
	clause: ClauseRecord,
	declared: Intervenant[],
	received: Map<IsoMonth, EmployerLine[]>,
	dateReference: IsoDate,
): MissingEmployerLines[] {
	const ref = addMonths(monthOf(dateReference), -1);
	const out: MissingEmployerLines[] = [];
	const months = [...received.keys()].filter((m) => m <= ref && m >= monthOf(clause.debutExecution) && m <= monthOf(clause.finExecution)).sort();
	for (const month of months) {
		const lines = received.get(month) ?? [];
		for (const i of declared) {
			if (!activeIn(i, month) || lines.some((line) => lineOf(line, i))) continue;
			out.push({ nom: i.nom, siret: i.siret, role: i.role, roleLibelle: INTERVENANT_ROLES[i.role].libelle, mois: month, moisLibelle: frenchMonth(month), joursDepuisFin: daysBetween(lastDayOfMonth(month), dateReference) });
		}
	}
	return out;
}

/** Une phrase qui nomme les entreprises sans ligne, mois par mois. */
export function missingEmployersSentence(missing: MissingEmployerLines[]): string {
	const byMonth = new Map<IsoMonth, MissingEmployerLines[]>();
	for (const m of missing) byMonth.set(m.mois, [...(byMonth.get(m.mois) ?? []), m]);
	return [...byMonth.entries()]
		.map(([month, list]) => `relevé ${ofMonth(month)} sans ligne pour ${list.map((m) => `${m.nom} (${m.roleLibelle.toLowerCase()}, SIRET ${m.siret})`).join(', ')}`)
		.join(' ; ');
}

/**
 * Décision de relance complétée des lignes manquantes des entreprises
 * déclarées : au moins la relance due à l'ancienneté du plus ancien mois
 * incomplet (mêmes délais que pour un relevé manquant), et une clé d'envoi
 * propre, pour qu'un relevé incomplet soit relancé même si le relevé manquant
 * du même mois l'a déjà été.
 */
export function applyMissingEmployers(
	clause: ClauseRecord,
	decision: ReminderDecision,
	missing: MissingEmployerLines[],
	settings: ReminderSettings,
): ReminderDecision & { lignesManquantes: MissingEmployerLines[] } {
	// Clause soldée, suspendue ou pas encore commencée : aucune relance, comme pour un relevé manquant.
	if (missing.length === 0 || decision.statut === 'soldee' || decision.statut === 'suspendue' || decision.statut === 'nonCommencee') return { ...decision, lignesManquantes: [] };
	const oldest = Math.max(...missing.map((m) => m.joursDepuisFin));
	const fromAge = levelFor(oldest, settings);
	const level: ReminderLevel = REMINDER_LEVELS[fromAge].rang > REMINDER_LEVELS[decision.niveau].rang ? fromAge : decision.niveau;
	const statut = decision.statut === 'aJour' ? 'releveIncomplet' : decision.statut;
	const sentence = missingEmployersSentence(missing);
	const motif = decision.statut === 'aJour' ? `Relevé incomplet : ${sentence}.` : `${decision.motif} Relevé incomplet : ${sentence}.`;
	const sirets = [...new Set(missing.map((m) => m.siret))].sort().join(',');
	return {
		...decision,
		statut,
		statutLibelle: FOLLOW_UP_STATUSES[statut],
		niveau: level,
		niveauLibelle: REMINDER_LEVELS[level].libelle,
		motif,
		lignesManquantes: missing,
		cleEnvoi: level === 'aucun' ? null : `relance|${decision.cle}|${decision.moisReference}|${level}|${clause.emailTitulaire.toLowerCase()}|employeurs:${sirets}`,
	};
}

/**
 * La note du modèle de relevé d'un mois sur les entreprises déclarées de la
 * clause (pendant leur période d'intervention) : raison sociale, rôle et SIRET
 * de chacune, à reprendre dans les colonnes de l'employeur ; vide s'il n'y en
 * a aucune.
 */
export function declaredEmployersNote(declared: Intervenant[], month: IsoMonth): string {
	const active = declared.filter((i) => activeIn(i, month));
	if (active.length === 0) return '';
	const list = active.map((i) => `${i.nom} (${INTERVENANT_ROLES[i.role].libelle.toLowerCase()}, SIRET ${i.siret})`).join(' ; ');
	return `Entreprises déclarées sur ce marché : ${list}. Pour chaque personne, indiquez la raison sociale et le SIRET de son employeur ; une entreprise sans heure d\u2019insertion ce mois-là déclare une ligne « néant » à 0 heure, avec sa raison sociale et son SIRET.`;
}
