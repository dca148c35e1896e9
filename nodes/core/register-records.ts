/**
 * Du cycle de vie d'une clause aux fiches du registre, sans n8n : l'étude d'un
 * lot (faisabilité, calibrage), la décision de la fiche visa, la notification
 * du marché, les lignes du classeur de suivi, et le filtre des clauses en
 * vigueur sur une période. Les schémas zod (schemas/register.ts, follow-up.ts)
 * définissent les fiches ; ces règles ne font que les assembler.
 */
import type { Anomaly, FieldLabels } from './anomalies';
import { AnomalyError, anomaliesFromZod } from './anomalies';
import { canonicalizeKeys } from './keys';
import { boundsWith, withPlausibilityBounds } from './plausibility';
import type { z } from 'zod/v4';
import type { ClauseRecord, ReportLine } from './schemas/follow-up';
import { CLAUSE_LABELS, ClauseRecordSchema, REPORT_LINE_LABELS, clauseKey } from './schemas/follow-up';
import { LOT_LABELS } from './schemas/lot';
import type { LotRecord, LotVisa, MarketRecord, Notification, StoredClause, StoredLot, StoredMarket, StoredReportLine } from './schemas/register';
import { LotRecordSchema, LotVisaSchema, NOTIFICATION_LABELS, NOTIFICATION_READER, StoredClauseSchema, StoredFieldsSchema, StoredLotSchema, StoredMarketSchema, StoredReportLineSchema, VISA_DECISIONS } from './schemas/register';
import { isoDate, normalizeToken, optional } from './schemas/primitives';
import { tryReadRecord } from './records';

export const LOT_RECORD_LABELS: FieldLabels = {
	...LOT_LABELS,
	lot: 'lot',
	heures: 'heures d\u2019insertion',
	calibrage: 'résultat du calibrage',
	etude: 'résultat de l\u2019étude de faisabilité',
	visa: 'décision de la fiche visa',
};

/** Fiche « clause » telle que gardée au registre : la clause et la date de notification de son marché. */
export type RegisterClause = ClauseRecord & { dateNotification?: string };

/** Une fiche telle que le registre la rend : sa nature, sa clé et ses données. */
export interface StoredData {
	kind: string;
	key: string;
	data: unknown;
}

/**
 * Bornes de vraisemblance levées pour relire une fiche : elles ont été
 * appliquées à son écriture, avec les bornes alors en vigueur (une option du
 * nœud a pu les relever) ; la relecture vérifie la forme, pas la saisie.
 */
const STORED_BOUNDS = boundsWith({ heuresDues: Infinity, heuresMois: Infinity, montantLot: Infinity, heuresCalculees: Infinity });

/** La fiche valide-t-elle son schéma (bornes de vraisemblance levées) ? */
function conforms<S extends z.ZodType>(schema: S, data: unknown): data is z.output<S> {
	return withPlausibilityBounds(STORED_BOUNDS, () => schema.safeParse(data).success);
}

/**
 * Une fiche relue au registre, validée par son schéma, rendue telle qu'elle est
 * gardée : toutes ses clés, à toute profondeur, et leurs valeurs inchangées (une
 * fusion de fiches n'en perd rien). Une fiche d'une autre forme est une erreur
 * qui la nomme, au lieu d'une donnée mal typée qui se propagerait.
 */
export function storedRecord<S extends z.ZodType>(schema: S, labels: FieldLabels, record: StoredData): z.output<S> {
	const data = record.data;
	if (conforms(schema, data)) return data;
	const parsed = withPlausibilityBounds(STORED_BOUNDS, () => schema.safeParse(data));
	const raw = data !== null && typeof data === 'object' && !Array.isArray(data) ? { ...data } : {};
	const issues = parsed.success ? [] : anomaliesFromZod(parsed.error, labels, `fiche « ${record.kind} » ${record.key} du registre des clauses`, raw);
	throw new AnomalyError(issues);
}

/** Fiche quelconque relue au registre : un objet, toutes ses clés gardées ; `undefined` si le registre n'en a pas. */
export function storedFields(record: StoredData): Record<string, unknown>;
export function storedFields(record: StoredData | undefined): Record<string, unknown> | undefined;
export function storedFields(record: StoredData | undefined): Record<string, unknown> | undefined {
	return record === undefined ? undefined : storedRecord(StoredFieldsSchema, {}, record);
}

/** Fiche « clause » relue au registre (date de notification comprise). */
export function storedClause(record: StoredData): StoredClause {
	return storedRecord(StoredClauseSchema, NOTIFICATION_LABELS, record);
}

/** Fiche « lot » relue au registre ; `undefined` si le registre n'en a pas. */
export function storedLot(record: StoredData): StoredLot;
export function storedLot(record: StoredData | undefined): StoredLot | undefined;
export function storedLot(record: StoredData | undefined): StoredLot | undefined {
	return record === undefined ? undefined : storedRecord(StoredLotSchema, LOT_RECORD_LABELS, record);
}

/** Fiche « marché » relue au registre ; `undefined` si le registre n'en a pas. */
export function storedMarket(record: StoredData): StoredMarket;
export function storedMarket(record: StoredData | undefined): StoredMarket | undefined;
export function storedMarket(record: StoredData | undefined): StoredMarket | undefined {
	return record === undefined ? undefined : storedRecord(StoredMarketSchema, LOT_RECORD_LABELS, record);
}

/** Ligne de relevé relue au registre. */
export function storedReportLine(record: StoredData): StoredReportLine {
	return storedRecord(StoredReportLineSchema, REPORT_LINE_LABELS, record);
}

/** État d'une fiche après une écriture. */
export type WriteState = 'créé' | 'modifié' | 'inchangé';

export function writeState(result: { version: number; changed: boolean }): WriteState {
	if (!result.changed) return 'inchangé';
	return result.version === 1 ? 'créé' : 'modifié';
}

function objectOf(value: unknown): Record<string, unknown> | undefined {
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function pick(source: Record<string, unknown> | undefined, keys: string[]): Record<string, unknown> | undefined {
	if (!source) return undefined;
	const out: Record<string, unknown> = {};
	for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
	return out;
}

function parseLot(raw: Record<string, unknown>, where: string): LotRecord {
	const parsed = LotRecordSchema.safeParse(raw);
	if (!parsed.success) throw new AnomalyError(anomaliesFromZod(parsed.error, LOT_RECORD_LABELS, where, raw));
	return parsed.data;
}

function problem(champ: string, libelle: string, ou: string, message: string, correction: string, regle: string): AnomalyError {
	const anomaly: Anomaly = { gravite: 'erreur', champ, libelle, ou, message, correction, regle };
	return new AnomalyError([anomaly]);
}

/**
 * Un lot sortant de l'étude de faisabilité ou du calibrage (leur élément de
 * sortie : le lot, `calibrage`, `faisabilite`), en fiche « lot » : décision,
 * mécanismes, heures retenues avec leur formule et leur source.
 */
export function lotFromStudy(json: Record<string, unknown>, where: string): LotRecord {
	if (typeof json.heuresARetenir === 'number' && typeof json.lots === 'number') {
		throw problem(
			'lots',
			'lots étudiés',
			where,
			'c\u2019est la synthèse du rapport de la consultation : elle ne porte que les totaux, pas les lots',
			'Branchez ce nœud sur la sortie de l\u2019étude de faisabilité (ou du calibrage) : un élément par lot.',
			'registre.etudeSansLots',
		);
	}
	const calibrage = objectOf(json.calibrage);
	const faisabilite = objectOf(json.faisabilite);
	if (!calibrage && !faisabilite) {
		throw problem(
			'faisabilite',
			'résultat de l\u2019étude de faisabilité',
			where,
			'ni étude de faisabilité ni calibrage dans cet élément',
			'Branchez ce nœud sur la sortie de l\u2019étude de faisabilité ou du calibrage des heures.',
			'registre.etudeAbsente',
		);
	}
	const parametres = objectOf(calibrage?.parametres);
	const montant = objectOf(parametres?.montantHT)?.valeur ?? json.montantHT;
	const heures = typeof faisabilite?.heuresRetenues === 'number' ? faisabilite.heuresRetenues : calibrage?.heures;
	const sourceHeures = faisabilite
		? `étude de faisabilité du ${String(faisabilite.dateEtude)} (${String(faisabilite.origineHeures)})`
		: `calibrage des heures (${String(calibrage?.methodeLibelle)})`;
	return parseLot(
		{
			marche: json.marche,
			lot: json.lot,
			objet: json.objet,
			intitule: json.intitule,
			nature: json.nature,
			montantHT: montant,
			dureeMois: json.dureeMois,
			lieuExecution: json.lieuExecution,
			heures,
			formuleHeures: typeof calibrage?.formule === 'string' ? calibrage.formule : undefined,
			sourceHeures,
			calibrage: pick(calibrage, ['heures', 'heuresCalculees', 'methode', 'methodeLibelle', 'formule', 'plancher', 'sousPlancher', 'parametres']),
			etude: pick(faisabilite, [
				'decision',
				'decisionLibelle',
				'mecanismes',
				'raisons',
				'considerationsSociales',
				'heuresRetenues',
				'origineHeures',
				'justification',
				'dateEtude',
				'facilitateur',
			]),
		},
		where,
	);
}

/**
 * Le lot étudié, complété sans rien perdre : l'étude et le calibrage sont
 * remplacés par les nouveaux, la décision de la fiche visa déjà portée reste.
 */
export function mergeStudy(current: LotRecord | undefined, study: LotRecord): LotRecord {
	if (!current) return study;
	return { ...current, ...study, visa: study.visa ?? current.visa };
}

/** La fiche « marché » d'un lot étudié, complétée de ce lot. */
export function marketWithLot(current: StoredMarket | undefined, lot: LotRecord, json: Record<string, unknown>): MarketRecord {
	const faisabilite = objectOf(json.faisabilite);
	const montantMarche = typeof faisabilite?.montantMarcheHT === 'number' ? faisabilite.montantMarcheHT : current?.montantHT;
	const lots = [...new Set([...(current?.lots ?? []), lot.lot])].sort((a, b) => a.localeCompare(b, 'fr', { numeric: true }));
	// Les champs que ce code ne connaît pas (feuille « Marchés », version plus récente) sont gardés.
	const out: MarketRecord = { ...current, marche: lot.marche, lots };
	const objet = lot.objet ?? current?.objet;
	const nature = lot.nature ?? current?.nature;
	if (objet !== undefined) out.objet = objet;
	if (nature !== undefined) out.nature = nature;
	if (montantMarche !== undefined) out.montantHT = montantMarche;
	return out;
}

export interface VisaForLots {
	marche: string;
	visa: LotVisa;
	lots: Array<{ lot: string; intitule?: string; montantHT?: number; heures?: number }>;
}

/** L'élément de sortie du nœud « Fiche visa » : sa décision et les lots de la fiche. */
export function visaFromFiche(json: Record<string, unknown>, where: string): VisaForLots {
	const fiche = objectOf(json.fiche);
	const reference = fiche?.reference;
	if (typeof reference !== 'string' && typeof reference !== 'number') {
		throw problem(
			'fiche.reference',
			'référence de la consultation',
			where,
			typeof json.decision === 'string' ? 'référence de la consultation absente de la fiche : les lots ne peuvent pas être retrouvés' : 'cet élément ne vient pas du nœud « Fiche visa »',
			'Branchez ce nœud sur la sortie du nœud « Fiche visa » (opération de contrôle), après avoir complété la référence de la consultation.',
			'registre.visaSansReference',
		);
	}
	const comptes = objectOf(json.comptes) ?? {};
	const source = objectOf(json.source);
	const parsed = LotVisaSchema.safeParse({
		decision: json.decision,
		date: json.dateControle,
		anomalies: Array.isArray(json.anomalies) ? json.anomalies.length : 0,
		refus: comptes.refus ?? 0,
		aCompleter: comptes.aCompleter ?? 0,
		observations: comptes.observations ?? 0,
		resume: typeof json.resume === 'string' ? json.resume : undefined,
		fichier: typeof source?.fichier === 'string' ? source.fichier : undefined,
	});
	if (!parsed.success) {
		throw new AnomalyError(
			anomaliesFromZod(parsed.error, { decision: `décision du visa (${VISA_DECISIONS.join(', ')})`, date: 'date du contrôle', anomalies: 'anomalies', refus: 'refus', aCompleter: 'points à compléter', observations: 'observations' }, where, json),
		);
	}
	const lots = (Array.isArray(fiche?.lots) ? fiche.lots : []).flatMap((raw) => {
		const lot = objectOf(raw);
		const numero = lot?.numero;
		if (typeof numero !== 'string' && typeof numero !== 'number') return [];
		return [
			{
				lot: String(numero),
				...(typeof lot?.intitule === 'string' ? { intitule: lot.intitule } : {}),
				...(typeof lot?.montantHT === 'number' ? { montantHT: lot.montantHT } : {}),
				...(typeof lot?.heures === 'number' ? { heures: lot.heures } : {}),
			},
		];
	});
	if (lots.length === 0) {
		throw problem('fiche.lots', 'lots de la fiche', where, 'la fiche visa ne porte aucun lot lisible', 'Complétez la feuille « Lots » de la fiche visa, puis contrôlez-la de nouveau.', 'registre.visaSansLots');
	}
	return { marche: String(reference), visa: parsed.data, lots };
}

/** Le lot avec la décision de la fiche visa ; l'étude et le calibrage déjà portés restent tels quels. */
export function lotWithVisa(current: LotRecord | undefined, marche: string, lot: VisaForLots['lots'][number], visa: LotVisa): LotRecord {
	if (current) return { ...current, visa };
	return {
		marche,
		lot: lot.lot,
		...(lot.intitule !== undefined ? { intitule: lot.intitule } : {}),
		...(lot.montantHT !== undefined ? { montantHT: lot.montantHT } : {}),
		...(lot.heures !== undefined ? { heures: lot.heures, sourceHeures: 'fiche visa' } : {}),
		visa,
	};
}

/**
 * La notification d'un lot en fiche « clause » active (ClauseRecordSchema,
 * statut « en cours ») : heures, facilitateur, objet, intitulé, nature,
 * mécanisme et montant repris du lot étudié quand ils ne sont pas donnés.
 * Erreur française qui nomme l'élément et le champ sinon.
 */
export function clauseFromNotification(raw: Record<string, unknown>, lot: LotRecord | undefined, where: string): { clause: RegisterClause; heuresReprises: boolean } {
	const read = tryReadRecord(NOTIFICATION_READER, raw, where);
	if (!read.ok) throw read.error;
	const n: Notification = read.value;
	const given = canonicalizeKeys(raw, NOTIFICATION_READER.keys);
	// L'étude ne recommande que des actions qualitatives : la clause peut ne devoir aucune heure (ses engagements sont suivis à part).
	const studyMechanisms = lot?.etude?.mecanismes.filter((m) => !m.option) ?? [];
	const commitmentsOnly = studyMechanisms.length > 0 && studyMechanisms.every((m) => m.code === 'actionsQualitatives');
	if (n.heuresDues === undefined && !commitmentsOnly && (lot === undefined || !(lot.heures !== undefined && lot.heures > 0))) {
		throw problem(
			'heuresDues',
			CLAUSE_LABELS.heuresDues,
			where,
			lot === undefined
				? `heures d\u2019insertion dues absentes, et le lot ${n.lot} du marché ${n.marche} est inconnu du registre`
				: `heures d\u2019insertion dues absentes, et l\u2019étude du lot ${n.lot} du marché ${n.marche} n\u2019en retient aucune`,
			lot === undefined
				? 'Enregistrez d\u2019abord l\u2019étude de ce lot (opération « Enregistrer l\u2019étude »), ou donnez les heures dues (champ « heuresDues »).'
				: 'Donnez les heures dues (champ « heuresDues ») : l\u2019étude n\u2019en prévoit pas pour ce lot. Une clause qui ne porte que des engagements (actions qualitatives) s\u2019enregistre avec 0 heure et le mécanisme « actions qualitatives ».',
			'registre.notificationSansHeures',
		);
	}
	const facilitateur = n.facilitateur ?? lot?.etude?.facilitateur?.nom;
	const emailFacilitateur = n.emailFacilitateur ?? lot?.etude?.facilitateur?.email;
	const mecanisme = lot?.etude?.mecanismes.find((m) => !m.option)?.libelle;
	const candidate: Record<string, unknown> = {
		...given,
		marche: n.marche,
		lot: n.lot,
		objet: given.objet ?? lot?.objet,
		intitule: given.intitule ?? lot?.intitule,
		nature: given.nature ?? lot?.nature,
		mecanisme: given.mecanisme ?? mecanisme,
		territoire: given.territoire ?? lot?.lieuExecution,
		montantHT: given.montantHT ?? lot?.montantHT,
		heuresDues: n.heuresDues ?? (lot?.heures !== undefined && lot.heures > 0 ? lot.heures : commitmentsOnly ? 0 : lot?.heures),
		facilitateur,
		emailFacilitateur,
		statut: given.statut ?? 'enCours',
	};
	delete candidate.dateNotification;
	const parsed = ClauseRecordSchema.safeParse(candidate);
	if (!parsed.success) {
		const anomalies = anomaliesFromZod(parsed.error, CLAUSE_LABELS, where, candidate).map((a) =>
			(a.champ === 'facilitateur' || a.champ === 'emailFacilitateur') && lot?.etude?.facilitateur == null
				? { ...a, correction: `${a.correction} L\u2019étude du lot ne nomme pas de facilitateur : donnez-le avec la notification.` }
				: a,
		);
		throw new AnomalyError(anomalies);
	}
	return { clause: { ...parsed.data, dateNotification: n.dateNotification }, heuresReprises: n.heuresDues === undefined };
}

const optionalDate = optional(isoDate());

/** Date de notification lue dans une ligne du classeur (colonne facultative). */
export function notificationDateOf(raw: Record<string, unknown>): string | undefined {
	const parsed = optionalDate.safeParse(raw.dateNotification);
	return parsed.success ? parsed.data : undefined;
}

/** La clause d'une ligne du registre, complétée de ce que la ligne ne dit pas (la date de notification, par exemple). */
export function mergeImportedClause(current: RegisterClause | undefined, imported: RegisterClause): RegisterClause {
	return current ? { ...current, ...imported } : imported;
}

export interface Period {
	debut: string;
	fin: string;
}

/** Clause en vigueur sur la période : exécution qui chevauche [début, fin] (bornes comprises). */
export function inForce(clause: Pick<ClauseRecord, 'debutExecution' | 'finExecution'>, period: Period): boolean {
	return clause.debutExecution <= period.fin && clause.finExecution >= period.debut;
}

/** Facilitateur ou acheteur comparé sans accents ni casse. */
export function sameName(a: string | undefined, b: string | undefined): boolean {
	const norm = (v: string | undefined) => (v ?? '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
	return norm(a) !== '' && norm(a) === norm(b);
}

/** Lignes de relevé d'un classeur, regroupées par clause et par mois (l'unité versionnée du registre). */
export function groupReportLines<T extends { line: ReportLine }>(lines: T[]): Map<string, { clauseKey: string; month: string; lines: T[] }> {
	const groups = new Map<string, { clauseKey: string; month: string; lines: T[] }>();
	for (const entry of lines) {
		const key = clauseKey(entry.line);
		const id = `${key}\u001f${entry.line.mois}`;
		let group = groups.get(id);
		if (!group) {
			group = { clauseKey: key, month: entry.line.mois, lines: [] };
			groups.set(id, group);
		}
		group.lines.push(entry);
	}
	return groups;
}

/** Clé d'un marché au registre : son numéro normalisé, comme la première partie de la clé d'une clause. */
export function registerMarketKey(marche: string): string {
	return normalizeToken(marche);
}

/** Nom de fichier sûr (sans accents ni séparateurs) pour un facilitateur ou un acheteur. */
export function fileNamePart(value: string): string {
	return (
		value
			.normalize('NFD')
			.replace(/[\u0300-\u036f]/g, '')
			.replace(/[^A-Za-z0-9]+/g, '-')
			.replace(/^-+|-+$/g, '')
			.toLowerCase() || 'registre'
	);
}
