/**
 * Des marchés notifiés du registre aux données essentielles de la commande
 * publique (DECP, format 2.0) et retour, sans n8n.
 *
 * Pour chaque champ d'un marché exporté, la première valeur connue l'emporte :
 * le complément donné pour ce marché, puis ses données essentielles déjà
 * importées (publiées par l'acheteur), puis ce que sait le registre (clause
 * notifiée, lot étudié), enfin les valeurs par défaut du nœud. Les
 * considérations sociales font exception : l'étude du lot et la clause du
 * registre passent avant les données importées, puisque c'est leur objet.
 * Un champ obligatoire que rien ne donne : erreur française qui nomme le
 * marché, le lot et le champ.
 */
import type { Anomaly } from './anomalies';
import { AnomalyError, anomaliesFromZod } from './anomalies';
import type { ReadResult } from './records';
import type { LotRecord } from './schemas/register';
import type { RegisterClause } from './register-records';
import type { DecpComplement, DecpConsiderationSociale, DecpDefaults, DecpMarche } from './schemas/decp';
import { DECP_CONSIDERATIONS_SOCIALES, DECP_ID_MAX, DECP_LABELS, DecpComplementSchema, DecpMarcheSchema } from './schemas/decp';
import { clauseKey, isCommitmentsOnly } from './schemas/follow-up';
import { normalizeToken } from './schemas/primitives';

/** Le fichier publié : `{ "marches": { "marche": [ … ] } }`. */
export interface DecpFile {
	marches: { marche: DecpMarche[] };
}

const isUniqueLot = (lot: string) => normalizeToken(lot) === 'unique' || normalizeToken(lot) === '';

/**
 * Identifiant DECP d'un lot du registre quand aucun n'est donné : le numéro du
 * marché, suivi du numéro de lot s'il est alloti (« 2026-TRX-014-4 »), sans espaces.
 */
export function decpIdentifier(marche: string, lot: string): string {
	const base = marche.replace(/\s+/g, '');
	return isUniqueLot(lot) ? base : `${base}-${lot.replace(/\s+/g, '')}`;
}

/** Libellé d'un lot dans les messages : « marché 2026-TRX-014, lot 4 ». */
export function decpWhere(marche: string, lot?: string): string {
	return lot === undefined || isUniqueLot(lot) ? `marché ${marche}` : `marché ${marche}, lot ${lot}`;
}

/** Libellé du champ en erreur, par son chemin complet (« acheteur.id » n'est pas « id »). */
function labelled(anomalies: Anomaly[]): Anomaly[] {
	return anomalies.map((a) => {
		const path = a.champ.replace(/\[\d+\]/g, '');
		const libelle = DECP_LABELS[path] ?? a.libelle;
		return { ...a, libelle };
	});
}

/** Une fiche DECP lue et vérifiée, ou l'erreur française qui nomme l'endroit et le champ. */
export function tryReadDecpMarche(raw: unknown, where: string): ReadResult<DecpMarche> {
	const parsed = DecpMarcheSchema.safeParse(raw);
	if (!parsed.success) return { ok: false, error: new AnomalyError(labelled(anomaliesFromZod(parsed.error, DECP_LABELS, where, raw))) };
	return { ok: true, value: parsed.data };
}

/** Comme tryReadDecpMarche, l'erreur levée. */
export function readDecpMarche(raw: unknown, where: string): DecpMarche {
	const read = tryReadDecpMarche(raw, where);
	if (!read.ok) throw read.error;
	return read.value;
}

/** Les compléments par marché saisis dans le nœud (liste d'objets). */
export function readDecpComplements(raw: unknown): DecpComplement[] {
	if (raw === undefined || raw === null || raw === '') return [];
	const list = Array.isArray(raw) ? raw : [raw];
	const anomalies: Anomaly[] = [];
	const out: DecpComplement[] = [];
	list.forEach((entry, index) => {
		const parsed = DecpComplementSchema.safeParse(entry);
		if (parsed.success) out.push(parsed.data);
		else anomalies.push(...labelled(anomaliesFromZod(parsed.error, DECP_LABELS, `complément n° ${index + 1} des données essentielles`, entry)));
	});
	if (anomalies.length > 0) throw new AnomalyError(anomalies);
	return out;
}

/** Considérations sociales que le registre connaît pour un lot : celles de l'étude, sinon celle de sa clause active. */
export function registerSocialConsiderations(lot: LotRecord | undefined, clause: RegisterClause | undefined): DecpConsiderationSociale[] | undefined {
	const known = new Set<string>(DECP_CONSIDERATIONS_SOCIALES);
	const fromStudy = (lot?.etude?.considerationsSociales ?? []).filter((c): c is DecpConsiderationSociale => known.has(c));
	const out = new Set<DecpConsiderationSociale>(fromStudy);
	// Une clause sans heures qui ne porte que des engagements (actions qualitatives) reste une condition d'exécution sociale.
	if (clause && (clause.heuresDues > 0 || isCommitmentsOnly(clause))) {
		const mecanisme = normalizeToken(clause.mecanisme ?? '');
		if (mecanisme.includes('reserve')) out.add('Marché réservé');
		else if (mecanisme.includes('critere')) out.add('Critère social');
		else out.add('Clause sociale');
	}
	if (out.size > 1) out.delete('Pas de considération sociale');
	if (out.size === 0) return undefined;
	return DECP_CONSIDERATIONS_SOCIALES.filter((c) => out.has(c));
}

/** Durée en mois entiers (au moins 1) d'une exécution du début à la fin, bornes comprises. */
export function monthsBetween(debut: string, fin: string): number {
	const [y1, m1, d1] = debut.split('-').map(Number);
	const [y2, m2, d2] = fin.split('-').map(Number);
	const months = (y2 - y1) * 12 + (m2 - m1) + (d2 >= d1 ? 1 : 0);
	return Math.max(1, months);
}

/**
 * Lieu d'exécution au format DECP tiré du territoire écrit au registre, quand il
 * finit par un code entre parenthèses : « Niort (79000) » → code postal,
 * « Saint-Aubin-sur-Argent (79) » → code département ; sinon rien.
 */
export function lieuFromTerritory(territoire: string | undefined): DecpMarche['lieuExecution'] | undefined {
	const code = /\(\s*(\d{5}|\d{2,3}|2[AB])\s*\)\s*$/i.exec(territoire ?? '')?.[1]?.toUpperCase();
	if (code === undefined) return undefined;
	return { code, typeCode: code.length === 5 ? 'Code postal' : 'Code département' };
}

/**
 * Nature DECP d'après la nature écrite au registre : un PPP est un marché de
 * partenariat, les autres natures d'achat (travaux, services, fournitures,
 * prestations intellectuelles) sont des marchés. Une délégation de service
 * public est un contrat de concession, hors de ce fichier : rien n'est déduit.
 */
export function natureFromRegister(nature: string | undefined): DecpMarche['nature'] | undefined {
	const token = normalizeToken(nature ?? '');
	if (token === '' || token.includes('dsp') || token.includes('delegation') || token.includes('concession')) return undefined;
	if (token.includes('ppp') || token.includes('partenariat')) return 'Marché de partenariat';
	if (token.includes('defense') || token.includes('securite')) return undefined;
	return 'Marché';
}

export interface DecpSource {
	marche: string;
	lot: string;
	clause?: RegisterClause;
	lot_?: LotRecord;
	/** Données essentielles déjà importées pour ce lot. */
	stored?: DecpMarche;
	complement?: DecpComplement;
}

export interface DecpExportSettings {
	acheteurSiret: string;
	datePublication: string;
	defaults: DecpDefaults;
}

function firstDefined<T>(...values: Array<T | undefined>): T | undefined {
	return values.find((v) => v !== undefined);
}

/**
 * La fiche DECP d'un lot du registre. Les champs obligatoires manquants sont
 * tous signalés ensemble, chacun avec le marché, le lot et la façon de le donner.
 */
export function decpFromRegister(source: DecpSource, settings: DecpExportSettings): DecpMarche {
	const result = tryDecpFromRegister(source, settings);
	if (!result.ok) throw result.error;
	return result.value;
}

/** Comme decpFromRegister, l'erreur rendue au lieu d'être levée. */
export function tryDecpFromRegister(source: DecpSource, settings: DecpExportSettings): ReadResult<DecpMarche> {
	const { clause, lot_: lot, stored, complement: c = {} as Partial<DecpComplement> } = source;
	const where = decpWhere(source.marche, source.lot);
	const d = settings.defaults;
	const registerObjet = (() => {
		const objet = clause?.objet ?? lot?.objet;
		if (objet === undefined) return undefined;
		if (isUniqueLot(source.lot)) return objet;
		const intitule = clause?.intitule ?? lot?.intitule;
		return `${objet} – lot ${source.lot}${intitule ? ` : ${intitule}` : ''}`;
	})();
	const registerDuree = lot?.dureeMois !== undefined ? Math.max(1, Math.ceil(lot.dureeMois)) : clause ? monthsBetween(clause.debutExecution, clause.finExecution) : undefined;
	const registerLieu = lieuFromTerritory(lot?.lieuExecution ?? clause?.territoire);
	const registerTitulaires = clause ? [{ titulaire: { typeIdentifiant: 'SIRET' as const, id: clause.siret } }] : undefined;
	const sociales = c.considerationsSociales ?? (registerSocialConsiderations(lot, clause) ? { considerationSociale: registerSocialConsiderations(lot, clause)! } : undefined) ?? stored?.considerationsSociales;
	const candidate: Record<string, unknown> = {
		id: firstDefined(c.id, stored?.id, decpIdentifier(source.marche, source.lot)),
		acheteur: { id: settings.acheteurSiret },
		nature: firstDefined(c.nature, stored?.nature, natureFromRegister(clause?.nature ?? lot?.nature), d.nature),
		objet: firstDefined(c.objet, stored?.objet, registerObjet),
		codeCPV: firstDefined(c.codeCPV, stored?.codeCPV, d.codeCPV),
		techniques: firstDefined(c.techniques, stored?.techniques, d.techniques),
		modalitesExecution: firstDefined(c.modalitesExecution, stored?.modalitesExecution, d.modalitesExecution),
		idAccordCadre: firstDefined(c.idAccordCadre, stored?.idAccordCadre),
		marcheInnovant: firstDefined(c.marcheInnovant, stored?.marcheInnovant, d.marcheInnovant),
		ccag: firstDefined(c.ccag, stored?.ccag, d.ccag),
		offresRecues: firstDefined(c.offresRecues, stored?.offresRecues),
		attributionAvance: firstDefined(c.attributionAvance, stored?.attributionAvance, d.attributionAvance),
		tauxAvance: firstDefined(c.tauxAvance, stored?.tauxAvance),
		typeGroupementOperateurs: firstDefined(c.typeGroupementOperateurs, stored?.typeGroupementOperateurs, d.typeGroupementOperateurs),
		sousTraitanceDeclaree: firstDefined(c.sousTraitanceDeclaree, stored?.sousTraitanceDeclaree, d.sousTraitanceDeclaree),
		actesSousTraitance: firstDefined(c.actesSousTraitance, stored?.actesSousTraitance),
		procedure: firstDefined(c.procedure, stored?.procedure, d.procedure),
		lieuExecution: firstDefined(c.lieuExecution, stored?.lieuExecution, registerLieu, d.lieuExecution),
		dureeMois: firstDefined(c.dureeMois, stored?.dureeMois, registerDuree),
		dateNotification: firstDefined(c.dateNotification, stored?.dateNotification, clause?.dateNotification),
		datePublicationDonnees: firstDefined(c.datePublicationDonnees, stored?.datePublicationDonnees, settings.datePublication),
		montant: firstDefined(c.montant, stored?.montant, clause?.montantHT, lot?.montantHT),
		typesPrix: firstDefined(c.typesPrix, stored?.typesPrix, d.typesPrix),
		formePrix: firstDefined(c.formePrix, stored?.formePrix, d.formePrix),
		origineUE: firstDefined(c.origineUE, stored?.origineUE),
		origineFrance: firstDefined(c.origineFrance, stored?.origineFrance),
		titulaires: firstDefined(c.titulaires, stored?.titulaires, registerTitulaires),
		considerationsSociales: sociales,
		considerationsEnvironnementales: firstDefined(c.considerationsEnvironnementales, stored?.considerationsEnvironnementales, d.considerationsEnvironnementales),
		modificationsActesSousTraitance: firstDefined(c.modificationsActesSousTraitance, stored?.modificationsActesSousTraitance),
		modifications: firstDefined(c.modifications, stored?.modifications),
	};
	for (const key of Object.keys(candidate)) if (candidate[key] === undefined) delete candidate[key];
	const parsed = DecpMarcheSchema.safeParse(candidate);
	if (parsed.success) return { ok: true, value: parsed.data };
	const anomalies = labelled(anomaliesFromZod(parsed.error, DECP_LABELS, where, candidate)).map((a) => {
		const top = a.champ.split(/[.[]/)[0];
		if (candidate[top] !== undefined) {
			if (top === 'id') return { ...a, correction: `L\u2019identifiant DECP compte au plus ${DECP_ID_MAX} caractères : donnez-le (champ « id ») dans les compléments par marché.`, regle: 'decp.identifiant' };
			return a;
		}
		return {
			...a,
			message: 'aucune valeur : ni le registre, ni les données essentielles importées, ni les valeurs par défaut n\u2019en donnent',
			correction: `Importez les données essentielles de ce marché, ou donnez « ${top} » dans les compléments par marché (ou une valeur par défaut dans les paramètres du nœud).`,
			regle: 'decp.champManquant',
		};
	});
	return { ok: false, error: new AnomalyError(anomalies) };
}

/** Le fichier de publication, marchés triés par identifiant ; deux marchés de même identifiant : erreur. */
export function buildDecpFile(marches: DecpMarche[]): DecpFile {
	const seen = new Map<string, DecpMarche>();
	const anomalies: Anomaly[] = [];
	for (const m of marches) {
		if (seen.has(m.id)) {
			anomalies.push({
				gravite: 'erreur',
				champ: 'id',
				libelle: DECP_LABELS.id,
				ou: `marché ${m.id}`,
				message: `deux marchés exportés portent l\u2019identifiant « ${m.id} »`,
				correction: 'Donnez à l\u2019un d\u2019eux un identifiant propre (champ « id ») dans les compléments par marché.',
				regle: 'decp.identifiantDouble',
			});
		}
		seen.set(m.id, m);
	}
	if (anomalies.length > 0) throw new AnomalyError(anomalies);
	return { marches: { marche: [...seen.values()].sort((a, b) => a.id.localeCompare(b.id)) } };
}

export interface DecpFileRead {
	/** Fiches « marche » du fichier, telles quelles, avec leur rang (1, 2…). */
	marches: Array<{ rang: number; raw: unknown }>;
	/** Contrats de concession du fichier (hors du registre, laissés de côté). */
	concessions: number;
}

/** Le fichier DECP lu en entier avant toute écriture : JSON et enveloppe `marches` du format 2.0. */
export function readDecpFile(text: string, fileName: string): DecpFileRead {
	const fail = (message: string, correction: string, regle: string) =>
		new AnomalyError([{ gravite: 'erreur', champ: 'marches', libelle: 'fichier des données essentielles', ou: `fichier « ${fileName} »`, message, correction, regle }]);
	let json: unknown;
	try {
		json = JSON.parse(text.replace(/^\uFEFF/, ''));
	} catch (error) {
		throw fail(
			`JSON illisible (${error instanceof Error ? error.message : String(error)}) : le fichier est peut-être incomplet`,
			'Téléchargez de nouveau le fichier des données essentielles (format JSON) et réessayez ; rien n\u2019a été importé.',
			'decp.json',
		);
	}
	const marches = json && typeof json === 'object' ? (json as Record<string, unknown>).marches : undefined;
	if (Array.isArray(marches)) {
		throw fail(
			'liste « marches » à plat : c\u2019est le format 1 des données essentielles (avant 2024), pas le format 2.0',
			'Importez un fichier au format 2.0 : { "marches": { "marche": [ … ] } }.',
			'decp.format1',
		);
	}
	if (!marches || typeof marches !== 'object') {
		throw fail('pas d\u2019objet « marches » : ce n\u2019est pas un fichier des données essentielles au format 2.0', 'Importez le fichier JSON des données essentielles (format 2.0) : { "marches": { "marche": [ … ] } }.', 'decp.enveloppe');
	}
	const list = (marches as Record<string, unknown>).marche;
	const concessions = (marches as Record<string, unknown>)['contrat-concession'];
	if (list !== undefined && !Array.isArray(list)) throw fail('« marches.marche » n\u2019est pas une liste', 'Corrigez le fichier : « marche » doit être une liste de marchés.', 'decp.enveloppe');
	return { marches: (list ?? []).map((raw, i) => ({ rang: i + 1, raw })), concessions: Array.isArray(concessions) ? concessions.length : 0 };
}

/** SIRET de l'acheteur d'une fiche, même illisible par ailleurs. */
export function decpBuyerOf(raw: unknown): string | undefined {
	const acheteur = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).acheteur : undefined;
	const id = acheteur && typeof acheteur === 'object' ? (acheteur as Record<string, unknown>).id : undefined;
	return typeof id === 'string' ? id : typeof id === 'number' ? String(id) : undefined;
}

/** Identifiant d'une fiche, même illisible par ailleurs. */
export function decpIdOf(raw: unknown): string | undefined {
	const id = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).id : undefined;
	return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/**
 * Index « identifiant DECP → clé du registre » des lots et clauses déjà
 * connus : une fiche importée se rattache au lot dont l'identifiant par défaut
 * est le sien ; sinon elle devient le marché non alloti de même numéro.
 */
export function decpKeyIndex(known: Array<{ marche: string; lot: string }>): (id: string) => { key: string; marche: string; lot: string; linked: boolean } {
	const index = new Map<string, { marche: string; lot: string }>();
	for (const k of known) {
		const id = normalizeToken(decpIdentifier(k.marche, k.lot));
		if (!index.has(id)) index.set(id, k);
	}
	return (id) => {
		const found = index.get(normalizeToken(id));
		if (found) return { key: clauseKey(found), marche: found.marche, lot: found.lot, linked: true };
		return { key: clauseKey({ marche: id, lot: 'unique' }), marche: id, lot: 'unique', linked: false };
	};
}
