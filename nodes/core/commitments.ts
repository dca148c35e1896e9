/**
 * Les autres considérations sociales, suivies comme les heures : chaque
 * engagement du titulaire (action qualitative, plan de progrès, lutte contre
 * l'illettrisme, égalité femmes-hommes, accueil de stagiaires) a ses
 * échéances ; une échéance passée sans justificatif est relancée, puis, sans
 * réponse, fait l'objet d'une mise en demeure, puis d'une pénalité par jour de
 * retard selon le CCAP. Règles pures : aucune lecture, aucun envoi ici.
 *
 * Alliance Villes Emploi, « Diversification des achats socialement
 * responsables » : ces considérations se déclinent « non pas en nombre
 * d'heures d'insertion mais en actions spécifiques », se suivent par des
 * indicateurs, et « des pénalités doivent être prévues en cas de
 * non-réalisation par l'entreprise ».
 */
import { AnomalyError } from './anomalies';
import { addDays, daysBetween, frenchLongDate, frenchShortDate } from './calendar';
import { escapeHtml, formatEuros, formatInteger, formatNumber } from './format';
import { PENALTY_DEFAULTS, SOURCES } from './referential';
import type { SourcedValue } from './referential';
import type { CommitmentDeclaration, CommitmentFollowUpSettings, CommitmentRecord, CommitmentStep, CommitmentStepKind } from './schemas/commitment';
import { COMMITMENT_TYPES } from './schemas/commitment';
import type { LotRecord } from './schemas/register';
import { normalizeToken } from './schemas/primitives';
import { clauseKey } from './schemas/follow-up';

/** Valeurs de départ du suivi des engagements, chacune remplaçable par un paramètre du nœud. */
export const COMMITMENT_DEFAULTS = {
	delaiRelanceJours: {
		valeur: 15,
		unite: 'jours',
		libelle: 'délai laissé après la relance avant la mise en demeure',
		source: 'Valeur de départ (aucun document public cité ne la fixe) : à aligner sur le CCAP du marché',
	},
	delaiMiseEnDemeureJours: PENALTY_DEFAULTS.delaiMiseEnDemeureJours,
	penaliteJour: {
		valeur: 100,
		unite: '€ HT/jour',
		libelle: 'pénalité par jour calendaire de retard dans la justification d’un engagement, après mise en demeure',
		source: `${SOURCES.ccapReference} : 100 € HT par jour calendaire de retard dans la remise des justificatifs de suivi, après mise en demeure ; ${SOURCES.allianceVillesEmploi} : pénalités à prévoir pour toute considération sociale`,
	},
} as const satisfies Record<string, SourcedValue>;

/** Identifiant d'un engagement au registre : la clause et le numéro de l'engagement. */
export function commitmentKey(c: { marche: string; lot: string; numero: string }): string {
	return `${clauseKey(c)}#${normalizeToken(c.numero)}`;
}

/** Libellé français d'une nature d'engagement. */
export function commitmentTypeLabel(type: keyof typeof COMMITMENT_TYPES): string {
	return COMMITMENT_TYPES[type].libelle;
}

/** D'où vient l'engagement : l'étude du lot quand elle recommande des actions qualitatives. */
export function commitmentOrigin(lot: LotRecord | undefined): string {
	const study = lot?.etude;
	if (study && study.mecanismes.some((m) => m.code === 'actionsQualitatives')) return `recommandé par l’étude de faisabilité du ${frenchLongDate(study.dateEtude)}`;
	return 'déclaré au registre';
}

/**
 * Fiche « engagement » après une déclaration : libellé, indicateur et
 * échéances pris de la déclaration ; justificatifs et étapes déjà consignés
 * gardés (une nouvelle déclaration ne fait rien oublier).
 */
export function declareCommitment(current: CommitmentRecord | undefined, declaration: CommitmentDeclaration, origine: string): CommitmentRecord {
	const echeances = [...declaration.echeances]
		.sort((a, b) => (a.date < b.date ? -1 : 1))
		.map((e) => ({ date: e.date, ...(e.libelle ? { libelle: e.libelle } : {}), ...(e.cible !== undefined ? { cible: e.cible } : {}) }));
	return {
		marche: declaration.marche,
		lot: declaration.lot,
		numero: declaration.numero,
		type: declaration.type,
		libelle: declaration.libelle,
		indicateur: declaration.indicateur,
		...(declaration.unite ? { unite: declaration.unite } : {}),
		echeances,
		origine: current?.origine ?? origine,
		justificatifs: current?.justificatifs ?? [],
		etapes: current?.etapes ?? [],
	};
}

/** Ajoute un justificatif à la fiche ; l'échéance doit être l'une des siennes. Le même justificatif redonné ne change rien. */
export function addProof(record: CommitmentRecord, proof: CommitmentRecord['justificatifs'][number], where: string): CommitmentRecord {
	if (!record.echeances.some((e) => e.date === proof.echeance)) {
		throw new AnomalyError([
			{
				gravite: 'erreur',
				champ: 'echeance',
				libelle: 'échéance justifiée',
				ou: where,
				message: `le ${frenchLongDate(proof.echeance)} n’est pas une échéance de l’engagement ${record.numero} (échéances : ${record.echeances.map((e) => frenchLongDate(e.date)).join(', ')})`,
				correction: 'Indiquez la date de l’échéance à laquelle répond ce justificatif, telle que déclarée au registre.',
				regle: 'engagement.echeanceInconnue',
			},
		]);
	}
	const same = record.justificatifs.some((j) => j.echeance === proof.echeance && j.dateReception === proof.dateReception && j.valeur === proof.valeur && j.piece === proof.piece && j.commentaire === proof.commentaire);
	if (same) return record;
	const clean = Object.fromEntries(Object.entries(proof).filter(([, v]) => v !== undefined)) as CommitmentRecord['justificatifs'][number];
	return { ...record, justificatifs: [...record.justificatifs, clean] };
}

/** Consigne une étape partie ; déjà consignée pour cette échéance, elle n'est pas ajoutée deux fois. */
export function addStep(record: CommitmentRecord, step: CommitmentStep): CommitmentRecord {
	if (record.etapes.some((s) => s.echeance === step.echeance && s.etape === step.etape)) return record;
	const clean = Object.fromEntries(Object.entries(step).filter(([, v]) => v !== undefined)) as CommitmentStep;
	return { ...record, etapes: [...record.etapes, clean] };
}

/** Ce que le suivi sait de la clause de l'engagement (destinataires, intitulé). */
export interface CommitmentClause {
	titulaire: string;
	emailTitulaire: string;
	contactTitulaire?: string;
	acheteur: string;
	emailAcheteur: string;
	facilitateur?: string;
	emailFacilitateur?: string;
	intitule?: string;
	objet?: string;
	statut: string;
}

export type CommitmentState = 'à venir' | 'justifié' | 'à relancer' | 'relancé' | 'à mettre en demeure' | 'mis en demeure' | 'à pénaliser' | 'pénalisé' | 'clause close';

/** La situation d'une échéance à la date du suivi, et l'étape à envoyer s'il y en a une. */
export interface CommitmentDueState {
	cle: string;
	marche: string;
	lot: string;
	numero: string;
	echeance: string;
	etat: CommitmentState;
	etape?: CommitmentStepKind;
	/** Mise en demeure : date limite donnée au titulaire. */
	dateLimite?: string;
	joursRetard?: number;
	montant?: number;
	/** Étapes déjà parties pour cette échéance. */
	relance?: CommitmentStep;
	miseEnDemeure?: CommitmentStep;
	penalite?: CommitmentStep;
}

/** Statuts de clause où le suivi continue (une clause suspendue ou soldée n'est plus relancée). */
const FOLLOWED_STATUSES = new Set(['enCours', 'terminee']);

/**
 * Situation de chaque échéance d'un engagement à la date du suivi. Une
 * échéance justifiée (justificatif reçu au plus tard ce jour-là) n'appelle
 * rien ; sinon, passée, elle appelle la relance, puis après le délai de
 * relance la mise en demeure, puis après la date limite de celle-ci la
 * pénalité, une seule fois chacune.
 */
export function commitmentDueStates(
	key: string,
	record: CommitmentRecord,
	clauseStatus: string,
	settings: Pick<CommitmentFollowUpSettings, 'dateSuivi' | 'delaiRelanceJours' | 'delaiMiseEnDemeureJours' | 'penaliteJour'>,
): CommitmentDueState[] {
	const today = settings.dateSuivi;
	return record.echeances.map((e): CommitmentDueState => {
		const steps = record.etapes.filter((s) => s.echeance === e.date);
		const relance = steps.find((s) => s.etape === 'relance');
		const miseEnDemeure = steps.find((s) => s.etape === 'mise en demeure');
		const penalite = steps.find((s) => s.etape === 'pénalité');
		const base = { cle: key, marche: record.marche, lot: record.lot, numero: record.numero, echeance: e.date, ...(relance ? { relance } : {}), ...(miseEnDemeure ? { miseEnDemeure } : {}), ...(penalite ? { penalite } : {}) };
		const justified = record.justificatifs.some((j) => j.echeance === e.date && j.dateReception <= today);
		if (justified) return { ...base, etat: 'justifié' };
		if (today <= e.date) return { ...base, etat: 'à venir' };
		if (penalite) return { ...base, etat: 'pénalisé' };
		if (!FOLLOWED_STATUSES.has(clauseStatus)) return { ...base, etat: 'clause close' };
		if (!relance) return { ...base, etat: 'à relancer', etape: 'relance' };
		if (!miseEnDemeure) {
			if (daysBetween(relance.date, today) < settings.delaiRelanceJours) return { ...base, etat: 'relancé' };
			return { ...base, etat: 'à mettre en demeure', etape: 'mise en demeure', dateLimite: addDays(today, settings.delaiMiseEnDemeureJours) };
		}
		const limit = miseEnDemeure.dateLimite ?? addDays(miseEnDemeure.date, settings.delaiMiseEnDemeureJours);
		if (today <= limit) return { ...base, etat: 'mis en demeure' };
		const joursRetard = daysBetween(limit, today);
		return { ...base, etat: 'à pénaliser', etape: 'pénalité', joursRetard, montant: Math.round(joursRetard * settings.penaliteJour * 100) / 100 };
	});
}

/** Un courriel du suivi : objet, texte et HTML (les mêmes paragraphes). */
export interface CommitmentMail {
	objet: string;
	texte: string;
	html: string;
}

function lotLabel(record: CommitmentRecord, clause: CommitmentClause): string {
	const title = clause.intitule ?? clause.objet;
	return `marché ${record.marche}, lot ${record.lot}${title ? ` (${title})` : ''}`;
}

function dueLabel(record: CommitmentRecord, date: string): string {
	const due = record.echeances.find((e) => e.date === date);
	return `${frenchLongDate(date)}${due?.libelle ? ` (${due.libelle})` : ''}`;
}

function indicatorSentence(record: CommitmentRecord, date: string): string {
	const due = record.echeances.find((e) => e.date === date);
	const unit = record.unite ? `\u00a0${record.unite}` : '';
	return `Indicateur suivi : ${record.indicateur}${due?.cible !== undefined ? ` ; valeur attendue à cette échéance : ${formatNumber(due.cible)}${unit}` : ''}.`;
}

function render(paragraphs: string[], objet: string): CommitmentMail {
	return {
		objet,
		texte: paragraphs.join('\n\n'),
		html: paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('\n'),
	};
}

/** Le courriel d'une étape : relance, mise en demeure ou notification de pénalité. */
export function commitmentMail(
	state: CommitmentDueState,
	record: CommitmentRecord,
	clause: CommitmentClause,
	settings: Pick<CommitmentFollowUpSettings, 'dateSuivi' | 'delaiRelanceJours' | 'penaliteJour'>,
): CommitmentMail {
	const where = lotLabel(record, clause);
	const what = `« ${record.libelle} » (${commitmentTypeLabel(record.type)})`;
	const greeting = clause.contactTitulaire ? `Madame, Monsieur,\n\nÀ l’attention de ${clause.contactTitulaire}, ${clause.titulaire}.` : 'Madame, Monsieur,';
	const help = clause.facilitateur ? `${clause.facilitateur}, facilitateur de la clause, peut vous aider à réunir ces éléments.` : undefined;
	const signature = `${clause.acheteur}`;
	const subjectTail = `marché ${record.marche}, lot ${record.lot}`;
	if (state.etape === 'relance') {
		return render(
			[
				greeting,
				`Au titre du ${where}, votre entreprise s’est engagée à l’action suivante : ${what}.`,
				`L’échéance du ${dueLabel(record, state.echeance)} est passée sans que nous ayons reçu de justificatif de sa réalisation.`,
				indicatorSentence(record, state.echeance),
				'Merci de nous adresser en réponse à ce courriel les pièces qui en attestent (liste pseudonymisée des participants, attestations, compte rendu) et la valeur atteinte par l’indicateur.',
				`Sans justificatif d’ici ${formatInteger(settings.delaiRelanceJours)} jours, une mise en demeure pourra vous être adressée, comme le prévoit le CCAP du marché.`,
				...(help ? [help] : []),
				`Cordialement,\n${signature}`,
			],
			`Engagement social à justifier – ${subjectTail} – échéance du ${frenchLongDate(state.echeance)}`,
		);
	}
	if (state.etape === 'mise en demeure') {
		const relance = state.relance ? `Par courriel du ${frenchLongDate(state.relance.date)}, nous vous avons rappelé votre engagement ${what}, pris au titre du ${where}.` : `Nous vous avons rappelé votre engagement ${what}, pris au titre du ${where}.`;
		return render(
			[
				greeting,
				relance,
				`Son échéance était fixée au ${dueLabel(record, state.echeance)} ; à ce jour, aucun justificatif ne nous est parvenu.`,
				`Nous vous mettons en demeure d’en justifier la réalisation au plus tard le ${frenchLongDate(state.dateLimite!)}.`,
				`Passé ce délai, conformément au CCAP du marché, une pénalité de ${formatEuros(settings.penaliteJour)} HT par jour calendaire de retard pourra vous être appliquée.`,
				'Vous pouvez d’ici là nous faire part de vos observations, notamment des difficultés rencontrées ou de circonstances qui ne vous sont pas imputables.',
				`Veuillez agréer, Madame, Monsieur, l’expression de nos salutations distinguées.\n${signature}`,
			],
			`Mise en demeure – engagement social non justifié – ${subjectTail}`,
		);
	}
	const limit = state.miseEnDemeure?.dateLimite;
	const days = state.joursRetard ?? 0;
	return render(
		[
			greeting,
			`Par mise en demeure du ${frenchLongDate(state.miseEnDemeure?.date ?? settings.dateSuivi)}, nous vous demandions de justifier${limit ? ` au plus tard le ${frenchLongDate(limit)}` : ''} la réalisation de votre engagement ${what}, pris au titre du ${where}, dont l’échéance était fixée au ${dueLabel(record, state.echeance)}.`,
			`Aucun justificatif ne nous a été remis à la date du ${frenchLongDate(settings.dateSuivi)}.`,
			`En application du CCAP du marché, nous vous notifions une pénalité de ${formatEuros(state.montant ?? 0)} HT, soit ${formatInteger(days)} jour${days > 1 ? 's' : ''} de retard à ${formatEuros(settings.penaliteJour)} HT par jour, décomptés jusqu’à cette date.`,
			'Ce montant sera retenu sur les sommes dues au titre du marché.',
			`Veuillez agréer, Madame, Monsieur, l’expression de nos salutations distinguées.\n${signature}`,
		],
		`Notification de pénalité – engagement social – ${subjectTail}`,
	);
}

/** Destinataires d'une étape : le titulaire ; en copie le facilitateur, et l'acheteur pour la mise en demeure et la pénalité. */
export function commitmentRecipients(etape: CommitmentStepKind, clause: CommitmentClause): { a: string[]; cc: string[] } {
	const cc = [clause.emailFacilitateur, etape === 'relance' ? undefined : clause.emailAcheteur].filter((x): x is string => typeof x === 'string' && x !== '');
	return { a: [clause.emailTitulaire], cc: [...new Set(cc)].filter((x) => x !== clause.emailTitulaire) };
}

/** Clé de non-redite d'une étape : un même engagement, une même échéance, une même étape ne partent qu'une fois. */
export function commitmentMessageKey(key: string, echeance: string, etape: CommitmentStepKind): string {
	return `engagement|${key}|${echeance}|${etape}`;
}

// --- Bilan ------------------------------------------------------------------

/** Titre de la section, dans le bilan JSON, le classeur et le document des élus. */
export const COMMITMENT_SECTION_TITLE = 'Autres considérations sociales';

export interface CommitmentBilanLine {
	marche: string;
	lot: string;
	/** Titulaire de la clause (absent quand la clause n'est pas au registre). */
	titulaire?: string;
	numero: string;
	nature: string;
	libelle: string;
	indicateur: string;
	echeance: string;
	libelleEcheance?: string;
	cible?: number;
	valeur?: number;
	etat: CommitmentState;
	/** L'état en clair : tenu, à venir, en retard, relancé, mis en demeure, pénalité proposée ou notifiée. */
	situation: string;
	/** Pénalité calculée à la fin de la période, à approuver par l'acheteur avant sa notification. */
	penaliteProposee?: number;
	/** Pénalité notifiée au titulaire. */
	penalite?: number;
}

export interface CommitmentBilan {
	debut: string;
	fin: string;
	engagements: number;
	echeances: number;
	justifiees: number;
	enRetard: number;
	relances: number;
	misesEnDemeure: number;
	penalites: number;
	montantPenalites: number;
	/** Pénalités calculées, pas encore notifiées (à approuver). */
	penalitesProposees: number;
	montantPenalitesProposees: number;
	parNature: Array<{ nature: string; engagements: number; echeances: number; justifiees: number }>;
	lignes: CommitmentBilanLine[];
	/** La section du bilan, en phrases. */
	texte: string;
}

/** L'état d'une échéance en clair, court (une cellule de tableau). */
export function commitmentSituation(state: CommitmentDueState): string {
	switch (state.etat) {
		case 'justifié':
			return 'tenu';
		case 'à venir':
			return 'à venir';
		case 'à relancer':
			return 'en retard, relance à envoyer';
		case 'relancé':
			return state.relance ? `en retard, relancé le ${frenchShortDate(state.relance.date)}` : 'en retard, relancé';
		case 'à mettre en demeure':
			return `en retard, relancé${state.relance ? ` le ${frenchShortDate(state.relance.date)}` : ''}, mise en demeure à envoyer`;
		case 'mis en demeure':
			return state.miseEnDemeure ? `mis en demeure le ${frenchShortDate(state.miseEnDemeure.date)}` : 'mis en demeure';
		case 'à pénaliser':
			return `pénalité proposée : ${formatEuros(state.montant ?? 0)} HT`;
		case 'pénalisé':
			return `pénalité notifiée : ${formatEuros(state.penalite?.montant ?? 0)} HT`;
	}
	// Clause suspendue ou soldée : l'échéance n'est plus suivie.
	return 'en retard, clause close';
}

/**
 * Section « autres considérations sociales » du bilan : les échéances de la
 * période, tenues ou non, les relances, mises en demeure et pénalités.
 */
export function commitmentBilan(records: Array<{ key: string; record: CommitmentRecord; clauseStatus: string; titulaire?: string }>, period: { debut: string; fin: string; dateSuivi: string }, settings: Pick<CommitmentFollowUpSettings, 'delaiRelanceJours' | 'delaiMiseEnDemeureJours' | 'penaliteJour'>): CommitmentBilan {
	const lignes: CommitmentBilanLine[] = [];
	const counted = new Set<string>();
	const natures = new Map<string, { engagements: Set<string>; echeances: number; justifiees: number }>();
	let relances = 0;
	let misesEnDemeure = 0;
	let penalites = 0;
	let montantPenalites = 0;
	let penalitesProposees = 0;
	let montantPenalitesProposees = 0;
	for (const { key, record, clauseStatus, titulaire } of records) {
		const states = commitmentDueStates(key, record, clauseStatus, { ...settings, dateSuivi: period.dateSuivi });
		for (const s of states) {
			if (s.echeance < period.debut || s.echeance > period.fin) continue;
			counted.add(key);
			const nature = commitmentTypeLabel(record.type);
			const n = natures.get(nature) ?? { engagements: new Set<string>(), echeances: 0, justifiees: 0 };
			n.engagements.add(key);
			n.echeances += 1;
			if (s.etat === 'justifié') n.justifiees += 1;
			natures.set(nature, n);
			if (s.relance) relances += 1;
			if (s.miseEnDemeure) misesEnDemeure += 1;
			if (s.penalite) {
				penalites += 1;
				montantPenalites += s.penalite.montant ?? 0;
			} else if (s.etat === 'à pénaliser') {
				penalitesProposees += 1;
				montantPenalitesProposees += s.montant ?? 0;
			}
			const due = record.echeances.find((e) => e.date === s.echeance);
			const proof = [...record.justificatifs].reverse().find((j) => j.echeance === s.echeance);
			lignes.push({
				marche: record.marche,
				lot: record.lot,
				...(titulaire ? { titulaire } : {}),
				numero: record.numero,
				nature,
				libelle: record.libelle,
				indicateur: record.indicateur,
				echeance: s.echeance,
				...(due?.libelle ? { libelleEcheance: due.libelle } : {}),
				...(due?.cible !== undefined ? { cible: due.cible } : {}),
				...(proof?.valeur !== undefined ? { valeur: proof.valeur } : {}),
				etat: s.etat,
				situation: commitmentSituation(s),
				...(s.etat === 'à pénaliser' && s.montant !== undefined ? { penaliteProposee: s.montant } : {}),
				...(s.penalite?.montant !== undefined ? { penalite: s.penalite.montant } : {}),
			});
		}
	}
	const echeances = lignes.length;
	const justifiees = lignes.filter((l) => l.etat === 'justifié').length;
	const enRetard = lignes.filter((l) => !['justifié', 'à venir'].includes(l.etat)).length;
	const parNature = [...natures.entries()].map(([nature, n]) => ({ nature, engagements: n.engagements.size, echeances: n.echeances, justifiees: n.justifiees })).sort((a, b) => a.nature.localeCompare(b.nature, 'fr'));
	const texte =
		echeances === 0
			? `Aucun engagement social autre que les heures d’insertion n’avait d’échéance entre le ${frenchLongDate(period.debut)} et le ${frenchLongDate(period.fin)}.`
			: [
					`Entre le ${frenchLongDate(period.debut)} et le ${frenchLongDate(period.fin)}, ${formatInteger(counted.size)} engagement${counted.size > 1 ? 's' : ''} autre${counted.size > 1 ? 's' : ''} que les heures d’insertion ${counted.size > 1 ? 'avaient' : 'avait'} ${formatInteger(echeances)} échéance${echeances > 1 ? 's' : ''} : ${formatInteger(justifiees)} justifiée${justifiees > 1 ? 's' : ''}, ${formatInteger(enRetard)} sans justificatif à ce jour.`,
					`Par nature : ${parNature.map((n) => `${n.nature}, ${formatInteger(n.justifiees)} sur ${formatInteger(n.echeances)}`).join(' ; ')}.`,
					`Suivi : ${formatInteger(relances)} relance${relances > 1 ? 's' : ''}, ${formatInteger(misesEnDemeure)} mise${misesEnDemeure > 1 ? 's' : ''} en demeure, ${formatInteger(penalites)} pénalité${penalites > 1 ? 's' : ''} notifiée${penalites > 1 ? 's' : ''}${penalites > 0 ? ` pour ${formatEuros(montantPenalites)} HT` : ''}${penalitesProposees > 0 ? ` ; ${formatInteger(penalitesProposees)} pénalité${penalitesProposees > 1 ? 's' : ''} proposée${penalitesProposees > 1 ? 's' : ''} pour ${formatEuros(montantPenalitesProposees)} HT, à approuver par l’acheteur` : ''}.`,
				].join(' ');
	return { debut: period.debut, fin: period.fin, engagements: counted.size, echeances, justifiees, enRetard, relances, misesEnDemeure, penalites, montantPenalites, penalitesProposees, montantPenalitesProposees: Math.round(montantPenalitesProposees * 100) / 100, parNature, lignes, texte };
}
