/**
 * Mutualisation des heures d'insertion (guichet unique) : quand le CCAP le
 * permet, les heures d'un titulaire sont mises en commun entre ses marchés
 * d'un même acheteur, ou entre acheteurs qui partagent un facilitateur. Le
 * guide Avise, ARF et Caisse des Dépôts de 2014 (« Intégration des clauses
 * sociales dans la commande publique des Conseils régionaux », pratique de la
 * Région Bretagne) et Villes et Territoires Languedoc-Roussillon, fiche n° 8
 * « clauses sociales », 2016 (guichet unique de Toulouse Métropole) la décrivent ;
 * le Conseil général de la Gironde l'a pratiquée (Avise, « Prestations
 * intellectuelles et clauses sociales d'insertion », 2013). Fonctions pures.
 *
 * Règles :
 * - avance ou retard de chaque clause : heures déclarées moins heures
 *   attendues à fin du mois de référence (courbe ou prorata, comme la relance) ;
 * - obligation mutualisée : somme des heures attendues des clauses du groupe ;
 *   le groupe est en retard au-delà de la même tolérance que la relance,
 *   appliquée à la somme des heures dues ;
 * - une clause en retard dont le groupe atteint l'obligation mutualisée ne
 *   reçoit pas de relance de retard (un relevé manquant reste relancé) ;
 * - pénalités : le manque d'heures du groupe (obligation moins heures
 *   réalisées, à l'échéance évaluée) est réparti entre les clauses en manque, au
 *   prorata de leur manque ; le reste de leur manque est couvert par l'avance
 *   des autres et neutralisé au motif de la mutualisation.
 */
import type { Anomaly } from './anomalies';
import { AnomalyError } from './anomalies';
import type { IsoDate, IsoMonth } from './calendar';
import { frenchMonth, monthOf } from './calendar';
import { formatHours, formatPercent } from './format';
import { roundTo } from './numbers';
import type { ReminderDecision, ReminderSettings, ReportIndex } from './reminders';
import { FOLLOW_UP_STATUSES, decideReminder, expectedHours } from './reminders';
import type { Neutralisation } from './schemas/penalty';
import type { PoolRecord, PoolScope } from './schemas/pool';
import { POOL_SCOPES } from './schemas/pool';
import { sameName } from './register-records';
import { normalizeToken } from './schemas/primitives';
import type { ClauseRecord } from './schemas/follow-up';
import { clauseKey } from './schemas/follow-up';

export interface PoolMember {
	cle: string;
	marche: string;
	lot: string;
	acheteur: string;
	facilitateur: string;
	heuresDues: number;
	heuresAttendues: number;
	heuresDeclarees: number;
	/** Heures déclarées moins heures attendues : positif, une avance ; négatif, un retard. */
	avance: number;
	/** Part de la clause dans les heures déclarées du groupe (0 à 1). */
	part: number;
}

export interface PoolStatus {
	groupe: string;
	libelle: string;
	perimetre: PoolScope;
	perimetreLibelle: string;
	fondement: string;
	titulaire: string;
	siret: string;
	moisReference: IsoMonth;
	moisReferenceLibelle: string;
	heuresDues: number;
	heuresAttendues: number;
	heuresDeclarees: number;
	/** Heures attendues moins déclarées sur l'ensemble du groupe. */
	ecart: number;
	tolerance: number;
	enRetard: boolean;
	membres: PoolMember[];
	/** Clauses du groupe absentes du registre (archivées) : hors du calcul. */
	absentes: string[];
	resume: string;
}

/** Ce qu'une décision de relance retient de la mutualisation. */
export interface PoolReminderNote {
	groupe: string;
	libelle: string;
	fondement: string;
	heuresAttenduesGroupe: number;
	heuresDeclareesGroupe: number;
	groupeEnRetard: boolean;
	/** La clause est en retard sur sa part, mais le groupe atteint l'obligation mutualisée. */
	couverte: boolean;
	texte: string;
}

function groupName(pool: Pick<PoolRecord, 'groupe' | 'libelle'>): string {
	return `« ${pool.libelle ?? pool.groupe} »`;
}

function problem(champ: string, libelle: string, ou: string, message: string, correction: string, regle: string): Anomaly {
	return { gravite: 'erreur', champ, libelle, ou, message, correction, regle };
}

/**
 * Contrôle d'un groupe déclaré contre les clauses du registre : chaque clause
 * existe, une seule fois, d'un même titulaire (SIRET), d'un même acheteur ou
 * d'un même facilitateur selon le périmètre, et n'appartient à aucun autre
 * groupe. Rend le titulaire ; lève une AnomalyError sinon.
 */
export function checkPool(
	pool: PoolRecord,
	clauseOf: (key: string) => ClauseRecord | undefined,
	otherPools: PoolRecord[],
	where = `groupe de mutualisation ${groupName(pool)}`,
): { titulaire: string; siret: string; cles: string[] } {
	const anomalies: Anomaly[] = [];
	const seen = new Set<string>();
	const members: ClauseRecord[] = [];
	pool.clauses.forEach((ref, index) => {
		const key = clauseKey(ref);
		const champ = `clauses[${index}]`;
		if (seen.has(key)) {
			anomalies.push(problem(champ, 'clause du groupe', where, `marché ${ref.marche}, lot ${ref.lot} cité deux fois`, 'Retirez le doublon de la liste des clauses.', 'mutualisation.doublon'));
			return;
		}
		seen.add(key);
		const clause = clauseOf(key);
		if (!clause) {
			anomalies.push(problem(champ, 'clause du groupe', where, `marché ${ref.marche}, lot ${ref.lot} absent du registre (ou archivé)`, 'Enregistrez d\u2019abord la notification de ce marché (opération « Enregistrer la notification »), ou corrigez le marché et le lot.', 'mutualisation.clauseInconnue'));
			return;
		}
		// L'ancienne version du même groupe (même identifiant, à la casse et aux accents près) ne compte pas.
		const other = otherPools.find((p) => normalizeToken(p.groupe) !== normalizeToken(pool.groupe) && p.clauses.some((c) => clauseKey(c) === key));
		if (other) {
			anomalies.push(problem(champ, 'clause du groupe', where, `marché ${ref.marche}, lot ${ref.lot} appartient déjà au groupe ${groupName(other)}`, 'Une clause ne compte que dans un groupe : retirez-la de l\u2019autre groupe d\u2019abord (nouvelle déclaration de ce groupe sans elle).', 'mutualisation.autreGroupe'));
			return;
		}
		members.push(clause);
	});
	if (members.length > 0) {
		const first = members[0];
		for (const clause of members.slice(1)) {
			const at = `marché ${clause.marche}, lot ${clause.lot}`;
			if (clause.siret !== first.siret) {
				anomalies.push(problem('clauses', 'clauses du groupe', where, `${at} : titulaire ${clause.titulaire} (SIRET ${clause.siret}), différent de ${first.titulaire} (SIRET ${first.siret})`, 'Seules les heures d\u2019un même titulaire se mutualisent : retirez cette clause du groupe.', 'mutualisation.titulaire'));
			} else if (pool.perimetre === 'acheteur' && !sameName(clause.acheteur, first.acheteur)) {
				anomalies.push(problem('perimetre', 'périmètre de la mutualisation', where, `${at} : acheteur ${clause.acheteur}, différent de ${first.acheteur}`, 'Choisissez le périmètre « acheteurs qui partagent un facilitateur » si le guichet unique le permet, ou retirez cette clause.', 'mutualisation.acheteur'));
			} else if (pool.perimetre === 'facilitateur' && !sameName(clause.facilitateur, first.facilitateur)) {
				anomalies.push(problem('perimetre', 'périmètre de la mutualisation', where, `${at} : facilitateur ${clause.facilitateur}, différent de ${first.facilitateur}`, 'La mutualisation entre acheteurs passe par un même facilitateur (guichet unique) : retirez cette clause.', 'mutualisation.facilitateur'));
			}
		}
	}
	if (anomalies.length > 0) throw new AnomalyError(anomalies);
	return { titulaire: members[0].titulaire, siret: members[0].siret, cles: members.map((c) => clauseKey(c)) };
}

function declaredUntil(months: Map<IsoMonth, number>, month: IsoMonth): number {
	let sum = 0;
	for (const [m, h] of months) if (m <= month) sum += h;
	return sum;
}

/**
 * Situation d'un groupe à fin du mois de référence : chaque clause (sa part,
 * son avance ou son retard) et l'obligation mutualisée.
 */
export function poolStatus(
	pool: PoolRecord,
	clauseOf: (key: string) => ClauseRecord | undefined,
	months: (key: string) => Map<IsoMonth, number>,
	ref: IsoMonth,
	tolerance: number,
): PoolStatus {
	const membres: PoolMember[] = [];
	const absentes: string[] = [];
	for (const ref_ of pool.clauses) {
		const key = clauseKey(ref_);
		const clause = clauseOf(key);
		if (!clause) {
			absentes.push(`marché ${ref_.marche}, lot ${ref_.lot}`);
			continue;
		}
		const expected = expectedHours(clause, ref);
		const declared = declaredUntil(months(key), ref);
		membres.push({
			cle: key,
			marche: clause.marche,
			lot: clause.lot,
			acheteur: clause.acheteur,
			facilitateur: clause.facilitateur,
			heuresDues: clause.heuresDues,
			heuresAttendues: roundTo(expected, 2),
			heuresDeclarees: roundTo(declared, 2),
			avance: roundTo(declared - expected, 2),
			part: 0,
		});
	}
	const dues = roundTo(membres.reduce((s, m) => s + m.heuresDues, 0), 2);
	const expected = roundTo(membres.reduce((s, m) => s + m.heuresAttendues, 0), 2);
	const declared = roundTo(membres.reduce((s, m) => s + m.heuresDeclarees, 0), 2);
	for (const m of membres) m.part = declared > 0 ? roundTo(m.heuresDeclarees / declared, 4) : 0;
	const gap = roundTo(expected - declared, 2);
	const enRetard = gap > (tolerance / 100) * dues;
	const first = membres.length > 0 ? clauseOf(membres[0].cle) : undefined;
	const resume = enRetard
		? `Groupe ${groupName(pool)} en retard : ${formatHours(declared)} déclarées pour ${formatHours(expected)} attendues à fin ${frenchMonth(ref)} sur ${membres.length} marchés (écart de ${formatHours(gap)}, tolérance de ${formatPercent(tolerance)} des ${formatHours(dues)} dues).`
		: `Groupe ${groupName(pool)} à jour : ${formatHours(declared)} déclarées pour ${formatHours(expected)} attendues à fin ${frenchMonth(ref)} sur ${membres.length} marchés.`;
	return {
		groupe: pool.groupe,
		libelle: pool.libelle ?? pool.groupe,
		perimetre: pool.perimetre,
		perimetreLibelle: POOL_SCOPES[pool.perimetre].libelle,
		fondement: pool.fondement,
		titulaire: first?.titulaire ?? '',
		siret: first?.siret ?? '',
		moisReference: ref,
		moisReferenceLibelle: frenchMonth(ref),
		heuresDues: dues,
		heuresAttendues: expected,
		heuresDeclarees: declared,
		ecart: gap,
		tolerance,
		enRetard,
		membres,
		absentes,
		resume,
	};
}

/** Le groupe de chaque clause (clé marché/lot), pour les nœuds qui lisent toutes les clauses. */
export function poolIndex(pools: PoolRecord[]): Map<string, PoolRecord> {
	const index = new Map<string, PoolRecord>();
	for (const pool of pools) for (const ref of pool.clauses) if (!index.has(clauseKey(ref))) index.set(clauseKey(ref), pool);
	return index;
}

/**
 * Décision de relance d'une clause d'un groupe : en retard sur sa part mais le
 * groupe à jour, elle ne reçoit pas de relance de retard (un relevé manquant
 * reste relancé, au même niveau) et sa décision le dit.
 */
export function applyPoolToReminder(
	clause: ClauseRecord,
	decision: ReminderDecision,
	reports: ReportIndex,
	settings: ReminderSettings,
	status: PoolStatus,
): ReminderDecision & { mutualisation: PoolReminderNote } {
	const couverte = decision.enRetard && !status.enRetard;
	const base = {
		groupe: status.groupe,
		libelle: status.libelle,
		fondement: status.fondement,
		heuresAttenduesGroupe: status.heuresAttendues,
		heuresDeclareesGroupe: status.heuresDeclarees,
		groupeEnRetard: status.enRetard,
		couverte,
	};
	const group = `« ${status.libelle} » (${status.fondement})`;
	const totals = `${formatHours(status.heuresDeclarees)} déclarées pour ${formatHours(status.heuresAttendues)} attendues à fin ${status.moisReferenceLibelle} sur les ${status.membres.length} marchés du groupe`;
	if (!couverte) {
		const texte = status.enRetard
			? `Vos heures d\u2019insertion sont mutualisées entre vos marchés du groupe ${group} : ${totals}, l\u2019ensemble du groupe est en retard de ${formatHours(status.ecart)}.`
			: `Vos heures d\u2019insertion sont mutualisées entre vos marchés du groupe ${group} : ${totals}, l\u2019obligation mutualisée est atteinte.`;
		return { ...decision, mutualisation: { ...base, texte } };
	}
	// Même décision, le retard sur la part neutralisé : seuls les relevés manquants comptent.
	const withoutLateness = decideReminder(clause, reports, { ...settings, toleranceRetard: Number.POSITIVE_INFINITY });
	const own = `${formatHours(decision.heuresDeclarees)} déclarées pour ${formatHours(decision.heuresAttendues)} attendues sur ce marché (retard de ${formatHours(decision.ecart)})`;
	const covered = `Clause couverte par la mutualisation du groupe ${group} : ${own}, mais ${totals} ; pas de relance ni de pénalité au titre du retard.`;
	const motif = withoutLateness.moisManquants.length > 0 ? `${withoutLateness.motif} ${covered}` : covered;
	const statut = withoutLateness.statut;
	return {
		...withoutLateness,
		statut,
		statutLibelle: FOLLOW_UP_STATUSES[statut],
		motif,
		mutualisation: {
			...base,
			texte: `Vos heures d\u2019insertion sont mutualisées entre vos marchés du groupe ${group} : ${totals}, l\u2019obligation mutualisée est atteinte ; ce marché n\u2019est donc pas relancé au titre des heures.`,
		},
	};
}

/** Ce que le calcul des pénalités d'une clause retient de la mutualisation. */
export interface PoolPenaltyNote {
	groupe: string;
	libelle: string;
	fondement: string;
	dateEcheance: IsoDate;
	heuresDuesGroupe: number;
	heuresRealiseesGroupe: number;
	manqueGroupe: number;
	/** Heures manquantes de la clause, avant mutualisation. */
	manqueClause: number;
	/** Part du manque du groupe retenue pour cette clause. */
	heuresRetenues: number;
	/** Heures manquantes couvertes par l'avance des autres clauses du groupe (neutralisées). */
	heuresCouvertes: number;
	texte: string;
}

/**
 * Heures manquantes d'une clause couvertes par la mutualisation, à la date
 * d'échéance évaluée (fin d'exécution ou jalon) : le manque du groupe est
 * réparti entre les clauses en manque, au prorata ; le reste est couvert.
 * `undefined` si rien n'est couvert ni retenu (aucun manque sur la clause).
 */
export function poolPenaltyCover(
	clause: ClauseRecord,
	dueAtDate: number,
	pool: PoolRecord,
	clauseOf: (key: string) => ClauseRecord | undefined,
	months: (key: string) => Map<IsoMonth, number>,
	date: IsoDate,
): { note: PoolPenaltyNote; neutralisation?: Neutralisation } | undefined {
	const month = monthOf(date);
	const key = clauseKey(clause);
	let dues = 0;
	let realised = 0;
	let shortSum = 0;
	let own = 0;
	let count = 0;
	for (const ref of pool.clauses) {
		const k = clauseKey(ref);
		const member = k === key ? clause : clauseOf(k);
		if (!member) continue;
		count++;
		const due = k === key ? dueAtDate : roundTo(expectedHours(member, month), 2);
		const real = roundTo(declaredUntil(months(k), month), 2);
		dues += due;
		realised += real;
		shortSum += Math.max(0, due - real);
		if (k === key) own = Math.max(0, due - real);
	}
	if (own <= 0) return undefined;
	const groupShort = roundTo(Math.max(0, dues - realised), 2);
	const retained = shortSum > 0 ? roundTo((own * groupShort) / shortSum, 2) : 0;
	const covered = roundTo(own - retained, 2);
	const group = `« ${pool.libelle ?? pool.groupe} » (${pool.fondement})`;
	const totals = `les ${count} marchés du groupe totalisent ${formatHours(roundTo(realised, 2))} réalisées pour ${formatHours(roundTo(dues, 2))} dues à cette échéance`;
	const texte =
		retained === 0
			? `Clause couverte par la mutualisation du groupe ${group} : ${totals} ; les ${formatHours(roundTo(own, 2))} manquantes de ce marché sont couvertes par l\u2019avance des autres marchés.`
			: covered > 0
				? `Mutualisation du groupe ${group} : ${totals} ; sur les ${formatHours(roundTo(own, 2))} manquantes de ce marché, ${formatHours(covered)} sont couvertes par l\u2019avance des autres marchés et ${formatHours(retained)} restent dues.`
				: `Mutualisation du groupe ${group} : ${totals} ; aucune avance des autres marchés ne couvre les ${formatHours(roundTo(own, 2))} manquantes de ce marché.`;
	const note: PoolPenaltyNote = {
		groupe: pool.groupe,
		libelle: pool.libelle ?? pool.groupe,
		fondement: pool.fondement,
		dateEcheance: date,
		heuresDuesGroupe: roundTo(dues, 2),
		heuresRealiseesGroupe: roundTo(realised, 2),
		manqueGroupe: groupShort,
		manqueClause: roundTo(own, 2),
		heuresRetenues: retained,
		heuresCouvertes: covered,
		texte,
	};
	if (covered <= 0) return { note };
	return { note, neutralisation: { motif: 'mutualisation', heures: covered, reference: `groupe ${group}` } };
}

// --- Bilan ------------------------------------------------------------------

/** Titre de la section, dans le bilan JSON, le classeur et le document des élus. */
export const POOL_SECTION_TITLE = 'Mutualisation des heures';

/** Un marché d'un groupe, tel que le bilan le montre. */
export interface PoolBilanMember extends PoolMember {
	titulaire: string;
	/** En retard sur sa part, mais le groupe atteint l'obligation mutualisée. */
	couverte: boolean;
	/** Avance ou retard en clair, court (une cellule de tableau). */
	situation: string;
}

export interface PoolBilanGroup extends Omit<PoolStatus, 'membres'> {
	membres: PoolBilanMember[];
	/** Le groupe en clair : à jour ou en retard. */
	situation: string;
}

/** Section « Mutualisation des heures » du bilan, à la fin de la période. */
export interface PoolBilan {
	/** Dernier mois de la période : heures attendues et réalisées à sa fin. */
	fin: IsoMonth;
	tolerance: number;
	groupes: PoolBilanGroup[];
	groupesAJour: number;
	groupesEnRetard: number;
	/** Clés (marché/lot) des clauses en retard sur leur part et couvertes par leur groupe. */
	clausesCouvertes: string[];
	/** Heures de retard de ces clauses, couvertes par l'avance des autres marchés de leur groupe. */
	heuresCouvertes: number;
	/** La section du bilan, en phrases. */
	texte: string;
}

const count = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`;

function memberSituation(avance: number, groupLate: boolean): string {
	if (avance > 0) return `en avance de ${formatHours(avance)}`;
	if (avance === 0) return 'à jour';
	const late = `en retard de ${formatHours(-avance)}`;
	return groupLate ? `${late}, groupe en retard` : `${late}, couvert par la mutualisation`;
}

function groupSituation(status: PoolStatus): string {
	if (status.enRetard) return `en retard de ${formatHours(status.ecart)} sur l\u2019obligation mutualisée (tolérance de ${formatPercent(status.tolerance)} des ${formatHours(status.heuresDues)} dues)`;
	return status.ecart > 0
		? `à jour : obligation mutualisée atteinte (écart de ${formatHours(status.ecart)}, dans la tolérance de ${formatPercent(status.tolerance)} des heures dues)`
		: 'à jour : obligation mutualisée atteinte';
}

/**
 * Les groupes de mutualisation dans le bilan, à la fin de la période : pour
 * chaque groupe, l'obligation mutualisée (heures dues, attendues, réalisées,
 * à jour ou en retard, avec la tolérance de la relance) et la part de chaque
 * marché (heures dues, réalisées, avance ou retard) ; une clause en retard sur
 * sa part dont le groupe est à jour est dite « couverte par la mutualisation ».
 * `declared` : heures réalisées de la clause depuis son début jusqu'à la fin de
 * la période. Seuls les groupes dont une clause au moins est connue comptent.
 */
export function poolBilan(
	pools: PoolRecord[],
	clauseOf: (key: string) => ClauseRecord | undefined,
	declared: (key: string) => number,
	fin: IsoMonth,
	tolerance: number,
): PoolBilan {
	const groupes: PoolBilanGroup[] = [];
	for (const pool of pools) {
		if (!pool.clauses.some((c) => clauseOf(clauseKey(c)) !== undefined)) continue;
		// Heures réalisées jusqu'à la fin de la période, portées sur son dernier mois.
		const status = poolStatus(pool, clauseOf, (k) => new Map([[fin, declared(k)]]), fin, tolerance);
		const membres = status.membres.map((m) => ({
			...m,
			titulaire: clauseOf(m.cle)?.titulaire ?? status.titulaire,
			couverte: m.avance < 0 && !status.enRetard,
			situation: memberSituation(m.avance, status.enRetard),
		}));
		groupes.push({ ...status, membres, situation: groupSituation(status) });
	}
	const covered = groupes.flatMap((g) => g.membres.filter((m) => m.couverte));
	const heuresCouvertes = roundTo(covered.reduce((s, m) => s - m.avance, 0), 2);
	const late = groupes.filter((g) => g.enRetard).length;
	const upToDate = groupes.length - late;
	const markets = groupes.reduce((s, g) => s + g.membres.length, 0);
	const texte =
		groupes.length === 0
			? 'Aucun groupe de mutualisation des heures au registre pour les marchés de la période.'
			: [
					`Mutualisation des heures : ${count(groupes.length, 'groupe', 'groupes')} de marchés dont le CCAP permet de mettre en commun les heures d\u2019insertion d\u2019un même titulaire (${count(markets, 'marché', 'marchés')}) ; à fin ${frenchMonth(fin)}, ${[upToDate > 0 ? `${count(upToDate, 'groupe atteint', 'groupes atteignent')} l\u2019obligation mutualisée` : '', late > 0 ? `${count(late, 'groupe est', 'groupes sont')} en retard` : ''].filter((p) => p !== '').join(', ')}.`,
					covered.length > 0
						? `${count(covered.length, 'marché en retard sur sa propre part est couvert', 'marchés en retard sur leur propre part sont couverts')} par l\u2019avance des autres marchés de ${covered.length > 1 ? 'leur' : 'son'} groupe (${formatHours(heuresCouvertes)}) : ${covered.length > 1 ? 'ils ne sont pas comptés' : 'il n\u2019est pas compté'} en retard dans ce bilan.`
						: '',
				]
					.filter((s) => s !== '')
					.join(' ');
	return { fin, tolerance, groupes, groupesAJour: upToDate, groupesEnRetard: late, clausesCouvertes: covered.map((m) => m.cle), heuresCouvertes, texte };
}

/**
 * La section en lignes de tableau (classeur, sortie « Indicateurs ») : pour
 * chaque groupe, une ligne par marché (sa part), puis une ligne « Ensemble du
 * groupe » (l'obligation mutualisée).
 */
export function poolRows(pooling: PoolBilan | undefined): Array<Record<string, string | number | null>> {
	if (!pooling) return [];
	return pooling.groupes.flatMap((g) => {
		const common = { groupe: g.libelle, titulaire: g.titulaire, siret: g.siret, fondement: g.fondement, perimetre: g.perimetreLibelle };
		return [
			...g.membres.map((m) => ({
				...common,
				ligne: 'marché',
				marche: m.marche,
				lot: m.lot,
				acheteur: m.acheteur,
				heuresDues: m.heuresDues,
				heuresAttendues: m.heuresAttendues,
				heuresRealisees: m.heuresDeclarees,
				avance: m.avance,
				part: m.part,
				situation: m.situation,
			})),
			{
				...common,
				ligne: 'groupe',
				marche: 'Ensemble du groupe',
				lot: null,
				acheteur: null,
				heuresDues: g.heuresDues,
				heuresAttendues: g.heuresAttendues,
				heuresRealisees: g.heuresDeclarees,
				avance: roundTo(-g.ecart, 2),
				part: g.heuresDeclarees > 0 ? 1 : 0,
				situation: g.situation,
			},
		];
	});
}
