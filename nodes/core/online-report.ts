/**
 * Relevé en ligne : le titulaire saisit ses heures du mois dans un formulaire
 * ouvert par un lien personnel (courriel de relance), contrôlé à l'envoi par
 * les règles de la réception des relevés (report-intake), puis enregistré au
 * registre comme une nouvelle version du mois. Fonctions pures, sauf le
 * calcul HMAC (node:crypto).
 *
 * Lien : `jeton` = charge utile (marché, lot, SIRET du titulaire, mois,
 * expiration) en base64url, un point, puis sa signature HMAC-SHA256 par le
 * secret des liens. Un lien ne donne accès qu'à sa clause et à son mois ; un
 * lien altéré ou expiré est refusé. Chaque affichage du formulaire porte un
 * numéro à usage unique (`nonce`) : le même formulaire envoyé deux fois est
 * refusé (rejeu), un nouvel envoi depuis le lien est une correction.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

import { z } from 'zod/v4';

import type { Anomaly } from './anomalies';
import { capitalize } from './anomalies';
import type { IsoMonth } from './calendar';
import { frenchLongDate, frenchMonth, fromUtc, ofMonth, parseMonth } from './calendar';
import { escapeHtml, formatHours, formatNumber } from './format';
import type { IncomingLine, IncomingReport, ReportResult } from './report-intake';
import { LINE_STATUSES, participantKey } from './report-intake';
import type { ClauseRecord, ReportLine } from './schemas/follow-up';
import { CONTRACT_PERSON_FIELDS, CONTRACT_TYPES, EMPLOYERS, MODALITIES, PUBLIC_CATEGORIES, clauseKey } from './schemas/follow-up';

// --- Liens signés ----------------------------------------------------------

/** Longueur minimale du secret des liens (caractères). */
export const LINK_SECRET_MIN_LENGTH = 32;

export interface ReportLinkClaims {
	marche: string;
	lot: string;
	/** SIRET du titulaire à qui le lien est adressé. */
	siret: string;
	mois: IsoMonth;
	/** Expiration : secondes depuis l'époque Unix. */
	expire: number;
}

const ClaimsSchema = z.tuple([z.literal(1), z.string().min(1).max(200), z.string().min(1).max(100), z.string().max(20), z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/), z.number().int().positive()]);

export type LinkRefusal = 'secret' | 'altere' | 'expire';

export type LinkCheck = { ok: true; claims: ReportLinkClaims } | { ok: false; motif: LinkRefusal; message: string };

/** Problème du secret des liens, ou undefined s'il convient. */
export function linkSecretProblem(secret: string | undefined): string | undefined {
	if (secret === undefined || secret.trim() === '') return 'le secret des liens du relevé en ligne n’est pas renseigné';
	if (secret.length < LINK_SECRET_MIN_LENGTH) return `le secret des liens du relevé en ligne est trop court (${secret.length} caractères, ${LINK_SECRET_MIN_LENGTH} au moins)`;
	return undefined;
}

function mac(secret: string, payload: string): Buffer {
	return createHmac('sha256', secret).update(`releve-en-ligne.v1.${payload}`).digest();
}

/** Jeton signé d'un lien de relevé en ligne. */
export function signReportLink(secret: string, claims: ReportLinkClaims): string {
	const problem = linkSecretProblem(secret);
	if (problem) throw new Error(problem);
	const payload = Buffer.from(JSON.stringify([1, claims.marche, claims.lot, claims.siret, claims.mois, Math.floor(claims.expire)]), 'utf8').toString('base64url');
	return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

const ALTERED =
	'Ce lien n’est pas valide : il a été modifié ou recopié incomplètement. Ouvrez-le depuis le dernier courriel de relance reçu (sans le retaper), ou demandez un nouveau lien au facilitateur.';

/** Vérifie un jeton : signature (comparaison à temps constant), forme, expiration. */
export function verifyReportLink(token: unknown, secret: string, now: Date): LinkCheck {
	const problem = linkSecretProblem(secret);
	if (problem) return { ok: false, motif: 'secret', message: `Le relevé en ligne n’est pas encore ouvert (${problem}). Transmettez votre relevé au facilitateur avec le modèle joint à la relance.` };
	if (typeof token !== 'string' || token.length > 2000) return { ok: false, motif: 'altere', message: ALTERED };
	const parts = token.trim().split('.');
	if (parts.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(parts[0]) || !/^[A-Za-z0-9_-]+$/.test(parts[1])) return { ok: false, motif: 'altere', message: ALTERED };
	const expected = mac(secret, parts[0]);
	const given = Buffer.from(parts[1], 'base64url');
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, motif: 'altere', message: ALTERED };
	let parsed: z.output<typeof ClaimsSchema>;
	try {
		const read = ClaimsSchema.safeParse(JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')));
		if (!read.success) return { ok: false, motif: 'altere', message: ALTERED };
		parsed = read.data;
	} catch {
		return { ok: false, motif: 'altere', message: ALTERED };
	}
	const [, marche, lot, siret, mois, expire] = parsed;
	if (now.getTime() >= expire * 1000) {
		return {
			ok: false,
			motif: 'expire',
			message: `Ce lien a expiré le ${frenchLongDate(fromUtc(expire * 1000))}. Utilisez le lien du dernier courriel de relance, ou demandez un nouveau lien au facilitateur ; vous pouvez aussi renvoyer le modèle de relevé joint à la relance.`,
		};
	}
	return { ok: true, claims: { marche, lot, siret, mois, expire } };
}

/** Refus d'un lien valide qui ne correspond plus au registre (clause inconnue, autre titulaire). */
export function linkClauseProblem(claims: ReportLinkClaims, clause: ClauseRecord | undefined): string | undefined {
	const what = `marché ${claims.marche}, lot ${claims.lot}`;
	if (!clause) return `Ce lien concerne le ${what}, qui ne figure plus au registre des clauses. Prenez contact avec le facilitateur.`;
	if (clause.siret !== claims.siret) return `Ce lien a été adressé à un autre titulaire que celui aujourd’hui inscrit au registre pour le ${what}. Demandez un nouveau lien au facilitateur.`;
	return undefined;
}

/** Adresse du formulaire pour un jeton : `base?jeton=…` (ou `&jeton=…` si l'adresse a déjà des paramètres). */
export function reportLinkUrl(baseUrl: string, token: string): string {
	return `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}jeton=${encodeURIComponent(token)}`;
}

// --- Saisie envoyée ----------------------------------------------------------

/** Champs d'une ligne du formulaire, dans l'ordre d'affichage. */
export const FORM_FIELDS = ['participant', 'categoriePublic', 'employeur', 'modalite', 'typeContrat', 'heuresMois', 'heuresFormation', 'justification'] as const;
export type FormField = (typeof FORM_FIELDS)[number];

export const FORM_FIELD_LABELS: Record<FormField, string> = {
	participant: 'Identifiant du participant (pseudonyme)',
	categoriePublic: 'Catégorie de public',
	employeur: 'Employeur',
	modalite: 'Modalité',
	typeContrat: 'Type de contrat',
	heuresMois: 'Heures d’insertion du mois',
	heuresFormation: 'Heures de formation',
	justification: 'Justification (au-delà d’un temps plein)',
};

/** Nombre de lignes du formulaire : au plus. */
export const MAX_FORM_LINES = 100;
/** Lignes vides proposées en plus des lignes pré-remplies. */
export const EMPTY_FORM_LINES = 3;

/** Identifiant HTML (et nom) d'un champ de ligne : `participant_3`. */
export function fieldId(field: FormField, line: number): string {
	return `${field}_${line}`;
}

const field = (max: number) => z.string().max(max, `${max} caractères au plus`).optional();

/** Enveloppe d'une saisie envoyée (hors lignes) : source de vérité des champs reçus. */
export const OnlineSubmissionSchema = z.object({
	jeton: z.string().min(1, 'lien absent').max(2000),
	nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'numéro de formulaire illisible'),
	action: z.enum(['enregistrer', 'ajouter']).default('enregistrer'),
	lignes: z.coerce.number().int().min(1).max(MAX_FORM_LINES),
	neant: z.preprocess((v) => v === 'oui' || v === 'on' || v === true, z.boolean()).default(false),
	/** Présents seulement si quelqu'un les ajoute : doivent alors être ceux du lien. */
	marche: field(200),
	lot: field(100),
	mois: field(20),
});

/** Champs d'une ligne reçue (texte brut, contrôlé ensuite par les règles de la réception). */
export const OnlineLineSchema = z.object({
	participant: field(100),
	categoriePublic: field(100),
	employeur: field(100),
	modalite: field(100),
	typeContrat: field(100),
	heuresMois: field(20),
	heuresFormation: field(20),
	justification: field(1000),
});
export type OnlineLine = z.output<typeof OnlineLineSchema>;

export interface OnlineSubmission {
	jeton: string;
	nonce: string;
	action: 'enregistrer' | 'ajouter';
	neant: boolean;
	marche?: string;
	lot?: string;
	mois?: string;
	/** Toutes les lignes du formulaire (1 à `lignes`), vides comprises. */
	lines: OnlineLine[];
}

export type SubmissionRead = { ok: true; value: OnlineSubmission } | { ok: false; message: string };

const scalar = (v: unknown) => (Array.isArray(v) ? v[v.length - 1] : v);

/** Lit le corps d'une saisie (formulaire encodé, déjà découpé en champs). */
export function readSubmission(body: unknown): SubmissionRead {
	if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, message: 'Formulaire vide ou illisible : rouvrez le lien du courriel de relance.' };
	const raw = Object.fromEntries(Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, scalar(v)]));
	if (Object.keys(raw).length > (MAX_FORM_LINES + 1) * FORM_FIELDS.length + 20) return { ok: false, message: 'Formulaire trop long : 100 lignes au plus.' };
	const envelope = OnlineSubmissionSchema.safeParse(raw);
	if (!envelope.success) {
		const problems = envelope.error.issues.map((i) => `${i.path.join('.') || 'formulaire'} : ${i.message}`).join(' ; ');
		return { ok: false, message: `Formulaire incomplet ou modifié (${problems}) : rouvrez le lien du courriel de relance.` };
	}
	const lines: OnlineLine[] = [];
	for (let n = 1; n <= envelope.data.lignes; n++) {
		const values = Object.fromEntries(FORM_FIELDS.map((f) => [f, typeof raw[fieldId(f, n)] === 'string' ? (raw[fieldId(f, n)] as string).trim() || undefined : undefined]));
		const line = OnlineLineSchema.safeParse(values);
		if (!line.success) return { ok: false, message: `Ligne ${n} du formulaire illisible (${line.error.issues.map((i) => `${i.path.join('.')} : ${i.message}`).join(' ; ')}).` };
		lines.push(line.data);
	}
	const { jeton, nonce, action, neant, marche, lot, mois } = envelope.data;
	return { ok: true, value: { jeton, nonce, action, neant, marche, lot, mois, lines } };
}

/** Une saisie qui nomme une autre clause ou un autre mois que son lien est refusée. */
export function submissionScopeProblem(submission: OnlineSubmission, claims: ReportLinkClaims): string | undefined {
	const differs = (given: string | undefined, expected: string) => given !== undefined && given.trim() !== '' && given.trim().toLowerCase() !== expected.toLowerCase();
	if (differs(submission.marche, claims.marche) || differs(submission.lot, claims.lot)) {
		return `Ce lien ne donne accès qu’au marché ${claims.marche}, lot ${claims.lot} : la saisie d’une autre clause est refusée. Utilisez le lien reçu pour cette autre clause.`;
	}
	if (submission.mois !== undefined && submission.mois.trim() !== '' && parseMonth(submission.mois) !== claims.mois) {
		return `Ce lien ne donne accès qu’au relevé ${ofMonth(claims.mois)} : la saisie d’un autre mois est refusée. Utilisez le lien reçu pour ce mois.`;
	}
	return undefined;
}

/**
 * Champs d'une ligne que le formulaire ne demande pas (éligibilité validée par
 * le facilitateur, contrat, indicateurs) : repris du dernier relevé du même
 * participant, pour qu'une saisie en ligne ne les efface jamais.
 */
export const CARRIED_FIELDS = ['eligibiliteValidee', ...CONTRACT_PERSON_FIELDS] as const;

/** Champs repris, par participant, des lignes du dernier relevé. */
export function carriedFields(lines: ReportLine[]): Map<string, Record<string, unknown>> {
	const out = new Map<string, Record<string, unknown>>();
	for (const line of lines) {
		const kept = Object.fromEntries(CARRIED_FIELDS.flatMap((f) => (line[f] === undefined ? [] : [[f, line[f]]])));
		if (Object.keys(kept).length > 0) out.set(participantKey(line.participant), kept);
	}
	return out;
}

function isBlank(line: OnlineLine): boolean {
	return FORM_FIELDS.every((f) => line[f] === undefined);
}

/**
 * La saisie comme relevé reçu, pour la réception des relevés (mêmes règles que
 * le classeur) : une ligne par ligne remplie du formulaire ; chaque champ a
 * pour « cellule » l'identifiant de son champ HTML, pour placer ses erreurs.
 */
export function submissionToReport(submission: OnlineSubmission, claims: ReportLinkClaims, carried: Map<string, Record<string, unknown>> = new Map()): IncomingReport {
	const lines: IncomingLine[] = [];
	submission.lines.forEach((line, i) => {
		if (isBlank(line)) return;
		const n = i + 1;
		lines.push({
			raw: { ...carried.get(participantKey(line.participant)), ...line, mois: claims.mois },
			where: `ligne ${n} du formulaire`,
			feuille: 'formulaire',
			cells: Object.fromEntries(FORM_FIELDS.map((f) => [f, fieldId(f, n)])),
			ligne: n,
			problems: [],
			itemIndex: 0,
		});
	});
	if (lines.length === 0 && submission.neant) {
		lines.push({ raw: { participant: 'néant', heuresMois: 0, mois: claims.mois }, where: 'case « aucune heure ce mois-ci »', feuille: 'formulaire', cells: { participant: 'neant' }, problems: [], itemIndex: 0 });
	}
	const anomalies: Anomaly[] = [];
	if (lines.length > 0 && submission.neant && lines.some((l) => Number(String(l.raw.heuresMois ?? '0').replace(',', '.')) > 0)) {
		anomalies.push({
			gravite: 'erreur',
			champ: 'neant',
			libelle: 'aucune heure ce mois-ci',
			ou: 'formulaire',
			message: 'la case « aucune heure ce mois-ci » est cochée alors que des heures sont saisies',
			correction: 'Décochez la case, ou videz les lignes du mois.',
			regle: 'enLigne.neantContradictoire',
			feuille: 'formulaire',
			cellule: 'neant',
		});
	}
	if (lines.length === 0 && !submission.neant) {
		anomalies.push({
			gravite: 'erreur',
			champ: 'neant',
			libelle: 'lignes du relevé',
			ou: 'formulaire',
			message: 'aucune ligne remplie',
			correction: 'Saisissez une ligne par participant ; pour un mois sans activité, cochez « aucune heure ce mois-ci ».',
			regle: 'enLigne.vide',
			feuille: 'formulaire',
			cellule: 'neant',
		});
	}
	return {
		source: `relevé en ligne ${ofMonth(claims.mois)}`,
		itemIndexes: [0],
		header: { marche: claims.marche, lot: claims.lot, siret: claims.siret, mois: claims.mois },
		feuille: 'formulaire',
		lines,
		anomalies,
	};
}

export interface FieldErrors {
	/** Messages par identifiant de champ HTML (`heuresMois_2`, `neant`). */
	byField: Record<string, string[]>;
	/** Messages sans champ (clause, registre). */
	general: string[];
	count: number;
}

const LIST_FIELDS = new Set(['categoriePublic', 'employeur', 'modalite', 'typeContrat']);

function sentence(a: Anomaly): string {
	const message = capitalize(a.message);
	// Les consignes des règles parlent du classeur (« la colonne « Justification » ») : ici, un champ.
	let correction = a.correction.replace(/\bla colonne «/g, 'le champ «');
	// Une liste déroulante montre déjà ses valeurs : la consigne n'a pas à les énumérer.
	if (LIST_FIELDS.has(a.champ) && /^Choisissez\b/.test(correction)) correction = `${correction.replace(/\s*(?:dans la liste|parmi)?\s*:\s[\s\S]*$/, '')} dans la liste.`;
	return `${message}. ${correction}`;
}

/** Erreurs du contrôle, rangées par champ du formulaire (les avertissements n'y figurent pas). */
export function fieldErrors(result: ReportResult): FieldErrors {
	const out: FieldErrors = { byField: {}, general: [], count: 0 };
	const seen = new Set<string>();
	for (const a of result.anomalies) {
		if (a.gravite !== 'erreur') continue;
		const text = sentence(a);
		const key = `${a.cellule ?? ''}|${text}`;
		if (seen.has(key)) continue;
		seen.add(key);
		out.count++;
		if (a.cellule) (out.byField[a.cellule] ??= []).push(text);
		else out.general.push(text);
	}
	return out;
}

/** Avertissements (enregistrés avec le relevé, à vérifier par le facilitateur). */
export function warningsOf(result: ReportResult): string[] {
	return [...new Set(result.anomalies.filter((a) => a.gravite === 'avertissement').map(sentence))];
}

// --- Pré-remplissage ----------------------------------------------------------

function hoursText(value: number | undefined): string | undefined {
	return value === undefined ? undefined : formatNumber(value).replace(/\u202f|\u00a0/g, '');
}

/**
 * Lignes pré-remplies : celles du relevé en vigueur du mois (une correction),
 * sinon les participants du dernier mois reçu, heures à saisir.
 */
export function prefillLines(current: ReportLine[], previous: ReportLine[]): { lines: OnlineLine[]; neant: boolean; source: 'mois' | 'precedent' | 'aucune' } {
	const strip = (l: ReportLine, withHours: boolean): OnlineLine => ({
		participant: l.participant,
		categoriePublic: l.categoriePublic,
		employeur: l.employeur,
		modalite: l.modalite,
		typeContrat: l.typeContrat,
		heuresMois: withHours ? hoursText(l.heuresMois) : undefined,
		heuresFormation: withHours ? hoursText(l.heuresFormation) : undefined,
		justification: withHours ? l.justification : undefined,
	});
	const people = (lines: ReportLine[]) => lines.filter((l) => participantKey(l.participant) !== participantKey(undefined) && l.remplaceePar === undefined);
	if (current.length > 0) {
		const lines = people(current).map((l) => strip(l, true));
		return { lines, neant: lines.length === 0, source: 'mois' };
	}
	const lines = people(previous).map((l) => strip(l, false));
	return { lines, neant: false, source: lines.length > 0 ? 'precedent' : 'aucune' };
}

// --- Pages HTML ------------------------------------------------------------------

export interface OnlineFormView {
	clause: ClauseRecord;
	mois: IsoMonth;
	jeton: string;
	nonce: string;
	/** Expiration du lien (ISO). */
	expire: string;
	heuresDues: number;
	/** Heures déclarées en vigueur, tous mois confondus. */
	heuresRealisees: number;
	/** Version en vigueur du mois (0 : jamais reçu). */
	versionEnVigueur: number;
	lines: OnlineLine[];
	neant: boolean;
	prefill: 'mois' | 'precedent' | 'aucune' | 'saisie';
	errors?: FieldErrors;
	/** Durée de conservation des données personnelles (mois), affichée dans la mention d'information. */
	conservationMois: number;
	contact?: string;
}

const STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f5f6f8;color:#1d1f23;line-height:1.45}
main{max-width:1100px;margin:0 auto;padding:1.5rem}
h1{font-size:1.5rem;margin:.2rem 0 1rem}
.carte{background:#fff;border:1px solid #d6d9de;border-radius:8px;padding:1rem 1.25rem;margin-bottom:1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}dt{font-weight:600}dd{margin:0}
fieldset{border:1px solid #d6d9de;border-radius:8px;background:#fff;margin:0 0 1rem;padding:.75rem 1rem}
legend{font-weight:700;padding:0 .3rem}
.ligne{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:.6rem 1rem}
label{display:block;font-size:.9rem;font-weight:600;margin-bottom:.2rem}
input,select,textarea{box-sizing:border-box;width:100%;font:inherit;padding:.35rem .45rem;border:1px solid #8a9099;border-radius:4px;background:#fff}
input:focus,select:focus,textarea:focus,button:focus{outline:3px solid #1f5fbf;outline-offset:1px}
[aria-invalid=true]{border:2px solid #b3261e;background:#fff6f5}
.erreur{color:#b3261e;font-size:.9rem;margin:.2rem 0 0}
.resume{border:2px solid #b3261e;background:#fff6f5}
.ok{border:2px solid #1e7b34;background:#f1fbf3}
button{font:inherit;padding:.55rem 1.1rem;border-radius:6px;border:1px solid #1f5fbf;background:#1f5fbf;color:#fff;cursor:pointer;margin-right:.6rem}
button.secondaire{background:#fff;color:#1f5fbf}
.aide{font-size:.9rem;color:#444}
.choix label{display:flex;align-items:center;gap:.5rem;font-size:1rem;font-weight:400;margin:.4rem 0}
.choix input{width:auto;margin:0}`;

/** Page HTML complète en français (styles communs des pages servies par les nœuds). */
export function htmlPage(title: string, body: string): string {
	return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

function options(values: Record<string, { libelle: string }>, selected: string | undefined, placeholder: string): string {
	const known = selected !== undefined && selected in values;
	return [
		`<option value="">${escapeHtml(placeholder)}</option>`,
		...(selected !== undefined && !known ? [`<option value="${escapeHtml(selected)}" selected>${escapeHtml(selected)}</option>`] : []),
		...Object.entries(values).map(([value, v]) => `<option value="${escapeHtml(value)}"${value === selected ? ' selected' : ''}>${escapeHtml(v.libelle)}</option>`),
	].join('');
}

const SELECTS: Partial<Record<FormField, Record<string, { libelle: string }>>> = {
	categoriePublic: PUBLIC_CATEGORIES,
	employeur: EMPLOYERS,
	modalite: MODALITIES,
	typeContrat: CONTRACT_TYPES,
};

function errorBlock(id: string, errors: FieldErrors | undefined): { attrs: string; html: string } {
	const messages = errors?.byField[id];
	if (!messages || messages.length === 0) return { attrs: '', html: '' };
	return {
		attrs: ` aria-invalid="true" aria-describedby="erreur-${id}"`,
		html: `<p class="erreur" id="erreur-${id}">${messages.map((m) => `Erreur : ${escapeHtml(m)}`).join('<br>')}</p>`,
	};
}

function lineFieldset(line: OnlineLine, n: number, errors: FieldErrors | undefined): string {
	const cells = FORM_FIELDS.map((f) => {
		const id = fieldId(f, n);
		const err = errorBlock(id, errors);
		const label = `<label for="${id}">${escapeHtml(FORM_FIELD_LABELS[f])}</label>`;
		const select = SELECTS[f];
		let input: string;
		if (select) input = `<select id="${id}" name="${id}"${err.attrs}>${options(select, line[f], 'Choisir…')}</select>`;
		else if (f === 'heuresMois' || f === 'heuresFormation') input = `<input id="${id}" name="${id}" type="text" inputmode="decimal" autocomplete="off" value="${escapeHtml(line[f] ?? '')}"${err.attrs}>`;
		else if (f === 'justification') input = `<textarea id="${id}" name="${id}" rows="1"${err.attrs}>${escapeHtml(line[f] ?? '')}</textarea>`;
		else input = `<input id="${id}" name="${id}" type="text" autocomplete="off" spellcheck="false" value="${escapeHtml(line[f] ?? '')}"${err.attrs}>`;
		return `<div>${label}${input}${err.html}</div>`;
	});
	return `<fieldset><legend>Participant ${n}</legend><div class="ligne">${cells.join('')}</div></fieldset>`;
}

/** Le formulaire du relevé du mois, pré-rempli, avec les erreurs à côté de chaque champ. */
export function renderOnlineForm(view: OnlineFormView): string {
	const { clause, mois } = view;
	const errors = view.errors;
	const parts: string[] = [];
	parts.push(`<h1>Relevé des heures d’insertion ${escapeHtml(ofMonth(mois))}</h1>`);
	if (errors && errors.count > 0) {
		const items = [
			...errors.general.map((m) => `<li>${escapeHtml(m)}</li>`),
			...Object.entries(errors.byField).flatMap(([id, messages]) => messages.map((m) => `<li><a href="#${escapeHtml(id)}">${escapeHtml(fieldName(id))}</a> : ${escapeHtml(m)}</li>`)),
		];
		parts.push(
			`<div class="carte resume" role="alert" tabindex="-1" id="erreurs"><h2>Le relevé n’est pas enregistré : ${errors.count === 1 ? '1 erreur à corriger' : `${errors.count} erreurs à corriger`}</h2><ul>${items.join('')}</ul><p>Rien n’a été enregistré. Corrigez puis envoyez de nouveau.</p></div>`,
		);
	}
	parts.push(
		`<div class="carte"><dl>
<dt>Marché</dt><dd>${escapeHtml(clause.marche)}${clause.objet ? ` – ${escapeHtml(clause.objet)}` : ''}</dd>
<dt>Lot</dt><dd>${escapeHtml(clause.lot)}${clause.intitule ? ` – ${escapeHtml(clause.intitule)}` : ''}</dd>
<dt>Titulaire</dt><dd>${escapeHtml(clause.titulaire)} (SIRET ${escapeHtml(clause.siret)})</dd>
<dt>Mois</dt><dd>${escapeHtml(frenchMonth(mois))}</dd>
<dt>Heures d’insertion dues</dt><dd>${escapeHtml(formatHours(view.heuresDues))}</dd>
<dt>Heures déclarées à ce jour</dt><dd>${escapeHtml(formatHours(view.heuresRealisees))}</dd>
</dl>
<p class="aide">${escapeHtml(prefillNote(view))} Ce lien est valable jusqu’au ${escapeHtml(frenchLongDate(view.expire.slice(0, 10)))}.</p></div>`,
	);
	parts.push(`<form method="post" action="" novalidate>`);
	parts.push(`<input type="hidden" name="jeton" value="${escapeHtml(view.jeton)}"><input type="hidden" name="nonce" value="${escapeHtml(view.nonce)}"><input type="hidden" name="lignes" value="${view.lines.length}">`);
	parts.push(
		`<p class="aide">Une ligne par personne en insertion ayant travaillé ce mois-ci. N’indiquez ni nom ni prénom : un identifiant (pseudonyme) convenu avec le facilitateur suffit. Videz l’identifiant d’une personne qui n’a pas travaillé ce mois-ci. Heures au format 35 ou 35,5.</p>`,
	);
	view.lines.forEach((line, i) => parts.push(lineFieldset(line, i + 1, errors)));
	const neantErr = errorBlock('neant', errors);
	parts.push(
		`<div class="carte"><label for="neant"><input type="checkbox" id="neant" name="neant" value="oui" style="width:auto"${view.neant ? ' checked' : ''}${neantErr.attrs}> Aucune heure d’insertion ce mois-ci</label>${neantErr.html}</div>`,
	);
	parts.push(`<p><button type="submit" name="action" value="enregistrer">Envoyer le relevé</button><button type="submit" name="action" value="ajouter" class="secondaire">Ajouter des lignes</button></p>`);
	parts.push(`</form>`);
	parts.push(
		`<p class="aide">Données personnelles : seuls un identifiant pseudonyme, la catégorie de public, l’employeur, le contrat et les heures sont demandés, pour le suivi de la clause sociale du marché. Ils sont conservés ${escapeHtml(retentionLabel(view.conservationMois))} au registre des clauses de l’acheteur.${view.contact ? ` Questions : ${escapeHtml(view.contact)}.` : ''}</p>`,
	);
	return htmlPage(`Relevé ${ofMonth(mois)} – marché ${clause.marche}, lot ${clause.lot}`, parts.join('\n'));
}

function fieldName(id: string): string {
	const m = /^([a-zA-Z]+)_(\d+)$/.exec(id);
	if (m && m[1] in FORM_FIELD_LABELS) return `${FORM_FIELD_LABELS[m[1] as FormField]}, participant ${m[2]}`;
	return id === 'neant' ? 'Aucune heure ce mois-ci' : id;
}

function prefillNote(view: OnlineFormView): string {
	if (view.prefill === 'mois') return `Votre relevé ${ofMonth(view.mois)} a déjà été reçu (version ${view.versionEnVigueur}) : il est affiché ci-dessous ; un nouvel envoi l’enregistre comme une correction, la version précédente restant conservée.`;
	if (view.prefill === 'precedent') return 'Les participants de votre dernier relevé sont repris ci-dessous : saisissez leurs heures du mois.';
	if (view.prefill === 'saisie') return 'Votre saisie est affichée ci-dessous.';
	return 'Aucun relevé reçu pour ce marché : saisissez une ligne par participant.';
}

/** « 5 ans », « 18 mois ». */
export function retentionLabel(months: number): string {
	return months % 12 === 0 ? `${months / 12} an${months / 12 > 1 ? 's' : ''}` : `${months} mois`;
}

/** Page d'un lien refusé, ou d'une saisie refusée sans formulaire à corriger. */
export function renderRefusalPage(message: string): string {
	return htmlPage('Relevé en ligne : lien refusé', `<h1>Relevé en ligne</h1>\n<div class="carte resume" role="alert"><p>${escapeHtml(message)}</p></div>`);
}

/** Page d'accusé de réception, après l'enregistrement. */
export function renderReceiptPage(result: ReportResult, written: Record<string, number>, ackNote: string): string {
	const clause = result.clause;
	const accepted = result.lignes.filter((l) => l.statut === 'nouvelle' || l.statut === 'correction' || l.statut === 'dejaRecue');
	const items = accepted.map((l) => `<li>${escapeHtml(l.participant ?? 'néant')} : ${escapeHtml(formatHours(l.heuresMois ?? 0))}${l.statut === 'correction' ? ' (correction)' : ''}${l.statut === 'dejaRecue' ? ` (${escapeHtml(LINE_STATUSES.dejaRecue)})` : ''}</li>`);
	const versions = Object.entries(written).map(([m, v]) => `${frenchMonth(m)} : version ${v}`);
	const warnings = warningsOf(result);
	const body = [
		`<h1>Relevé ${escapeHtml(ofMonth(result.mois[0] ?? ''))} enregistré</h1>`,
		`<div class="carte ok" role="status"><p>Merci. Votre relevé${clause ? ` du marché ${escapeHtml(clause.marche)}, lot ${escapeHtml(clause.lot)},` : ''} est ${escapeHtml(result.statutLibelle)}${versions.length ? ` (${escapeHtml(versions.join(' ; '))})` : ' : il était déjà enregistré à l’identique, rien n’a changé'}.</p>`,
		`<ul>${items.join('')}</ul>`,
		`<p>Heures acceptées : ${escapeHtml(formatHours(result.compte.heuresAcceptees))}${result.compte.heuresFormationAcceptees > 0 ? `, dont ${escapeHtml(formatHours(result.compte.heuresFormationAcceptees))} de formation en plus` : ''}.</p>`,
		...(warnings.length ? [`<p>À vérifier par le facilitateur :</p><ul>${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`] : []),
		`<p>${escapeHtml(ackNote)}</p>`,
		`<p class="aide">Pour corriger ce relevé, rouvrez le lien du courriel : le nouvel envoi sera enregistré comme une correction.</p></div>`,
	];
	return htmlPage('Relevé enregistré', body.join('\n'));
}

/** Clé d'un relevé en ligne pour le registre des saisies et l'accusé. */
export function onlineSubmissionKey(claims: ReportLinkClaims): string {
	return `${clauseKey(claims)}|${claims.mois}`;
}
