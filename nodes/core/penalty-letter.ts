/**
 * Contenu des avis de pénalité : la lettre (mise en demeure ou notification),
 * le courriel qui l'accompagne et la synthèse de revue pour l'acheteur. Contenu
 * seulement : la mise en page PDF et le classeur Excel sont des adaptateurs.
 * Tout texte venu des données est échappé dans le HTML.
 */
import { addDays, frenchLongDate, ofMonth } from './calendar';
import { escapeHtml, formatEuros, formatHours, formatPercent, withPreposition } from './format';
import type { PenaltyAssessment, StepDecision } from './penalties';
import { singleLine } from './reminder-message';
import type { ClauseRecord } from './schemas/follow-up';

export type NoticeStep = 'miseEnDemeure' | 'notification';

/** Modes d'envoi de la lettre, dits dans la lettre et dans le courriel qui l'accompagne. */
export const DELIVERY_MODES = {
	lrar: { libelle: 'Lettre recommandée avec accusé de réception', mention: 'Lettre recommandée avec accusé de réception' },
	lre: { libelle: 'Lettre recommandée électronique', mention: 'Lettre recommandée électronique' },
	courriel: { libelle: 'Courriel', mention: 'Envoi par courriel' },
} as const;
export type DeliveryMode = keyof typeof DELIVERY_MODES;

export interface LetterOptions {
	/** Émetteur : une ligne par élément (collectivité, direction, adresse). */
	emetteur: string;
	/** Mention de délégation au-dessus de la signature (« Pour le président et par délégation, »), facultative. */
	signature: string;
	/** Signataire : qualité (« La directrice de la commande publique ») et nom. */
	signataire?: { qualite?: string; nom?: string };
	/** Lieu de signature (« Fait à … »), facultatif. */
	lieu?: string;
	/** Mode d'envoi de la lettre (par défaut : courriel). */
	modeEnvoi?: DeliveryMode;
	/** Mention du mode d'envoi en tête de lettre ; par défaut, celle du mode d'envoi. */
	mentionEnvoi?: string;
	/** Délai pour présenter des observations sur les pénalités notifiées (jours). */
	delaiObservationsJours: number;
}

export interface LetterTable {
	colonnes: string[];
	lignes: string[][];
	/** Lignes de pied (somme, plafond, total), en gras. */
	pied: string[][];
}

export interface LetterModel {
	etape: NoticeStep;
	modeEnvoi: DeliveryMode;
	titre: string;
	emetteur: string[];
	destinataire: string[];
	mentionEnvoi?: string;
	lieuDate: string;
	references: Array<[string, string]>;
	objet: string;
	salutation: string;
	sections: Array<{ titre?: string; paragraphes: string[]; tableau?: LetterTable }>;
	formule: string;
	signature: string[];
}

const lines = (value: string) => value.split('\n').map((l) => l.trim()).filter(Boolean);

export function noticeTitle(step: NoticeStep): string {
	return step === 'miseEnDemeure' ? 'Mise en demeure' : 'Notification de pénalités';
}

/** Tableau du calcul : une ligne par pénalité, puis somme, plafond et total. */
export function calculationTable(a: PenaltyAssessment): LetterTable {
	const rows = a.lignes.map((l) => [l.libelle, l.formule, formatEuros(l.montant)]);
	if (rows.length === 0) rows.push(['Aucune pénalité à la date de la présente', '', formatEuros(0)]);
	const pied: string[][] = [['Somme des pénalités', '', formatEuros(a.sommeLignes)]];
	pied.push([`Plafond (${formatPercent(a.plafond.pourcentage)} du ${a.plafond.assietteLibelle})`, a.plafond.formule, formatEuros(a.plafond.disponible)]);
	const ccag = a.limitesCcag;
	if (ccag.plafond.applique && ccag.plafond.montant !== undefined) {
		pied.push([`Plafond du CCAG 2021 étendu par le CCAP (${formatPercent(ccag.plafond.pourcentage)} du montant total HT du marché)`, `${ccag.source}`, formatEuros(ccag.plafond.montant)]);
	}
	if (ccag.exoneration.appliquee) {
		pied.push([`Exonération du CCAG 2021 étendue par le CCAP (total sur l\u2019ensemble du marché d\u2019au plus ${formatEuros(ccag.exoneration.seuil)} HT)`, ccag.source, formatEuros(0)]);
	}
	const limited = a.plafond.applique || ccag.plafond.applique;
	pied.push([ccag.exoneration.appliquee ? 'Total HT, après exonération' : limited ? 'Total HT, après plafonnement' : 'Total HT', '', formatEuros(a.total)]);
	return { colonnes: ['Pénalité', 'Calcul', 'Montant HT'], lignes: rows, pied };
}

function lotLabel(clause: ClauseRecord): string {
	return `lot ${clause.lot}${clause.intitule ? ` (${clause.intitule})` : ''}`;
}

function factParagraphs(clause: ClauseRecord, a: PenaltyAssessment): string[] {
	const out: string[] = [];
	out.push(
		`Par le marché n° ${clause.marche}${clause.objet ? ` (${clause.objet})` : ''}, ${lotLabel(clause)}, votre entreprise s\u2019est engagée, au titre de la clause sociale d\u2019insertion, à réaliser ${formatHours(clause.heuresDues)} d\u2019insertion au profit de personnes éloignées de l\u2019emploi entre le ${frenchLongDate(clause.debutExecution)} et le ${frenchLongDate(clause.finExecution)}.`,
	);
	const h = a.heures;
	const neutral =
		h.neutralisations.length > 0
			? ` ${formatHours(h.neutralisees)} ont été neutralisées (${h.neutralisations.map((n) => `${n.motifLibelle.charAt(0).toLowerCase()}${n.motifLibelle.slice(1)}${n.reference ? `, ${n.reference}` : ''}`).join(' ; ')}).`
			: '';
	const source = h.origineRealisees === 'registre' ? 'le suivi consolidé par le facilitateur fait' : 'vos relevés mensuels font';
	out.push(
		`À l\u2019échéance évaluée (${a.periodeLibelle}), ${formatHours(h.dues)} étaient dues et ${source} état de ${formatHours(h.realisees)} réalisées.${neutral}${h.manquantes > 0 ? ` ${formatHours(h.manquantes)} n\u2019ont donc pas été réalisées.` : ''}`,
	);
	if (a.relevesManquants.length > 0) {
		const months = a.relevesManquants.map((m) => m.libelle);
		out.push(
			months.length === 1
				? `Votre relevé mensuel des heures d\u2019insertion ${ofMonth(a.relevesManquants[0].mois)} ne nous est pas parvenu.`
				: `Vos relevés mensuels des heures d\u2019insertion des mois suivants ne nous sont pas parvenus : ${months.join(', ')}.`,
		);
	}
	if (lateReports(a)) {
		out.push(`Vos relevés mensuels des heures d\u2019insertion ne nous sont parvenus que le ${frenchLongDate(a.dateReceptionReleves!)}, après le délai imparti.`);
	}
	if (bilanMissing(a)) {
		out.push(`Le bilan de fin d\u2019exécution de la clause, attendu au plus tard le ${frenchLongDate(a.bilan!.dateLimite)}, ne nous est pas parvenu.`);
	}
	if (lateBilan(a)) {
		out.push(`Le bilan de fin d\u2019exécution de la clause, attendu au plus tard le ${frenchLongDate(a.bilan!.dateLimite)}, ne nous est parvenu que le ${frenchLongDate(a.bilan!.dateRemise!)}.`);
	}
	return out;
}

/** Bilan attendu, non remis à la date de l'avis. */
const bilanMissing = (a: PenaltyAssessment) => a.bilan !== null && a.bilan.statut === 'nonRemis' && a.dateCalcul > a.bilan.dateLimite;
/** Bilan remis, mais après la date limite (ligne de pénalité « bilan »). */
const lateBilan = (a: PenaltyAssessment) => a.bilan?.dateRemise !== undefined && a.lignes.some((l) => l.code === 'bilan');
/** Relevés reçus en retard, aucun ne manquant plus (ligne de pénalité « relevés »). */
const lateReports = (a: PenaltyAssessment) => a.relevesManquants.length === 0 && a.dateReceptionReleves !== undefined && a.lignes.some((l) => l.code === 'releves');

function legalBasis(a: PenaltyAssessment): string {
	const amount = a.plafond.assietteConnue ? ` (${formatEuros(a.plafond.montantAssiette)})` : '';
	const ccag = a.limitesCcag;
	const limits = [
		ccag.plafond.active ? `plafonnées à ${formatPercent(ccag.plafond.pourcentage)} du montant total HT du marché` : '',
		ccag.exoneration.active ? `exonérées lorsque leur total sur l\u2019ensemble du marché ne dépasse pas ${formatEuros(ccag.exoneration.seuil)} HT` : '',
	].filter(Boolean);
	const ccagText = limits.length > 0 ? ` Conformément au CCAP, qui leur étend les limites du CCAG 2021 (${ccag.source}), elles sont en outre ${limits.join(' et ')}.` : '';
	return `Les pénalités sont prévues par ${a.articleCcap}, dans le cadre de la clause sociale d\u2019insertion, condition d\u2019exécution du marché au sens de l\u2019article L2112-2 du code de la commande publique et de l\u2019article 16.1 du CCAG 2021. Elles sont cumulables et plafonnées à ${formatPercent(a.plafond.pourcentage)} du ${a.plafond.assietteLibelle}${amount}.${ccagText}`;
}

export function buildLetter(
	clause: ClauseRecord,
	a: PenaltyAssessment,
	step: StepDecision & { etape: NoticeStep },
	options: LetterOptions,
): LetterModel {
	const etape = step.etape;
	const destinataire = [clause.titulaire];
	if (clause.contactTitulaire) destinataire.push(`À l\u2019attention de ${clause.contactTitulaire}`);
	destinataire.push(`SIRET ${clause.siret}`, clause.emailTitulaire);
	const references: Array<[string, string]> = [
		['Marché', `n° ${clause.marche}${clause.objet ? ` – ${clause.objet}` : ''}`],
		['Lot', `${clause.lot}${clause.intitule ? ` – ${clause.intitule}` : ''}`],
		['Clause', 'clause sociale d\u2019insertion (condition d\u2019exécution)'],
		['Échéance évaluée', a.periodeLibelle],
		['Acheteur', `${clause.acheteur} (${clause.emailAcheteur})`],
		['Facilitateur', `${clause.facilitateur} (${clause.emailFacilitateur})`],
	];
	const modeEnvoi = options.modeEnvoi ?? 'courriel';
	if (etape === 'notification' && step.dateMiseEnDemeure) {
		references.push(['Mise en demeure', `du ${frenchLongDate(step.dateMiseEnDemeure)}, délai expiré le ${frenchLongDate(step.echeanceMiseEnDemeure!)}`]);
	}
	const sections: LetterModel['sections'] = [];
	sections.push({ titre: 'Les faits', paragraphes: factParagraphs(clause, a) });
	const table = calculationTable(a);
	const tauxReleve = formatEuros(a.parametres.tauxJourRetardReleve.valeur);
	if (etape === 'miseEnDemeure') {
		const asks: string[] = [];
		if (a.heures.manquantes > 0) {
			asks.push(`justifier les ${formatHours(a.heures.manquantes)} d\u2019insertion non réalisées : relevés non transmis, difficultés rencontrées, ou preuve que vous avez mis en œuvre tous les moyens pour les réaliser, pièces à l\u2019appui`);
		}
		if (a.relevesManquants.length > 0) asks.push(`transmettre ${a.relevesManquants.length === 1 ? 'le relevé mensuel manquant' : 'les relevés mensuels manquants'} ${withPreposition('à', clause.facilitateur)} (${clause.emailFacilitateur})`);
		if (bilanMissing(a)) asks.push('transmettre le bilan de fin d\u2019exécution de la clause');
		// Remises tardives déjà faites : il n'y a plus rien à transmettre, seulement à justifier le retard.
		if (lateReports(a)) asks.push('justifier la remise tardive de vos relevés mensuels');
		if (lateBilan(a)) asks.push('justifier la remise tardive du bilan de fin d\u2019exécution');
		if (asks.length === 0) asks.push('présenter vos observations et justificatifs sur les manquements constatés ci-dessus');
		sections.push({
			titre: 'Mise en demeure',
			paragraphes: [
				`En conséquence, nous vous mettons en demeure, dans un délai de ${a.parametres.delaiMiseEnDemeureJours.valeur} jours à compter de la date de la présente, soit au plus tard le ${frenchLongDate(step.echeanceMiseEnDemeure!)}, de : ${asks.join(' ; ')}.`,
			],
		});
		const reportsPerDay = a.relevesManquants.length > 0 && a.miseEnDemeureRequise;
		// « au plus tard le 25 octobre » : le retard court du lendemain, le 26.
		const firstLateDay = frenchLongDate(addDays(step.echeanceMiseEnDemeure!, 1 + a.parametres.delaiGraceJours.valeur));
		if (a.lignes.length > 0) {
			const perDay = reportsPerDay
				? ` S\u2019y ajouterait une pénalité de ${tauxReleve} HT par jour calendaire de retard dans la remise des relevés à compter du ${firstLateDay}.`
				: '';
			sections.push({
				titre: 'Pénalités encourues',
				paragraphes: [`À défaut, les pénalités suivantes, calculées à la date de la présente, vous seront appliquées.${perDay} Le détail du calcul figure dans l\u2019annexe jointe.`],
				tableau: table,
			});
		} else {
			// Aucune pénalité encore due (retards qui ne courent qu'après la mise en demeure, délai de grâce) : pas de tableau vide.
			const future: string[] = [];
			if (reportsPerDay) {
				future.push(`À défaut de régularisation dans ce délai, une pénalité de ${tauxReleve} HT par jour calendaire de retard dans la remise des relevés vous sera appliquée à compter du ${firstLateDay}.`);
			}
			if (bilanMissing(a)) {
				future.push(`Au-delà du délai de grâce, chaque jour calendaire de retard dans la remise du bilan de fin d\u2019exécution donnera lieu à une pénalité de ${formatEuros(a.parametres.tauxJourRetardBilan.valeur)} HT.`);
			}
			if (future.length === 0) future.push('À défaut de régularisation dans ce délai, les pénalités prévues par le CCAP vous seront appliquées.');
			sections.push({
				titre: 'Pénalités encourues',
				paragraphes: [`Aucune pénalité n\u2019est due à la date de la présente. ${future.join(' ')} Le détail du calcul figure dans l\u2019annexe jointe.`],
			});
		}
		sections.push({ titre: 'Fondement', paragraphes: [legalBasis(a)] });
		sections.push({
			titre: 'Vos observations',
			paragraphes: [
				`Vous pouvez présenter vos observations et justificatifs à l\u2019acheteur (${clause.acheteur}, ${clause.emailAcheteur}) au plus tard le ${frenchLongDate(step.echeanceMiseEnDemeure!)}. Les heures neutralisées pour des difficultés notifiées et acceptées, un cas de force majeure ou une suspension de l\u2019exécution ne donnent pas lieu à pénalité.`,
			],
		});
	} else {
		sections.push({
			titre: 'Pénalités appliquées',
			paragraphes: [
				`Notre mise en demeure du ${frenchLongDate(step.dateMiseEnDemeure!)} est restée sans effet à l\u2019expiration du délai imparti, le ${frenchLongDate(step.echeanceMiseEnDemeure!)}. Nous vous notifions en conséquence les pénalités suivantes, arrêtées au ${frenchLongDate(a.dateCalcul)} ; le détail du calcul figure dans l\u2019annexe jointe.`,
			],
			tableau: table,
		});
		sections.push({
			titre: 'Montant',
			paragraphes: [
				`Le montant des pénalités s\u2019élève à ${formatEuros(a.total)} HT${a.plafond.applique ? ', après application du plafond' : ''}. Il sera imputé sur les sommes dues au titre du marché, selon les modalités du CCAP.`,
			],
		});
		sections.push({ titre: 'Fondement', paragraphes: [legalBasis(a)] });
		sections.push({
			titre: 'Voies de contestation',
			paragraphes: [
				`Vous pouvez présenter vos observations à l\u2019acheteur (${clause.acheteur}, ${clause.emailAcheteur}) dans un délai de ${options.delaiObservationsJours} jours à compter de la réception de la présente.`,
				'En cas de désaccord, vous pouvez adresser à l\u2019acheteur un mémoire en réclamation exposant les motifs de votre désaccord, dans le délai et selon les modalités de règlement des différends du CCAG 2021 applicable à votre marché (deux mois à compter de l\u2019apparition du différend), puis, le cas échéant, saisir le tribunal administratif compétent.',
			],
		});
	}
	return {
		etape,
		modeEnvoi,
		titre: noticeTitle(etape),
		emetteur: lines(options.emetteur),
		destinataire,
		mentionEnvoi: options.mentionEnvoi?.trim() || DELIVERY_MODES[modeEnvoi].mention,
		lieuDate: `${options.lieu?.trim() ? `${options.lieu.trim()}, le` : 'Le'} ${frenchLongDate(a.dateCalcul)}`,
		references,
		objet: `${noticeTitle(etape)} – clause sociale d\u2019insertion – marché n° ${clause.marche}, ${lotLabel(clause)}`,
		salutation: 'Madame, Monsieur,',
		sections,
		formule: 'Nous vous prions d\u2019agréer, Madame, Monsieur, l\u2019expression de nos salutations distinguées.',
		signature: signatureLines(options),
	};
}

/** Bloc de signature : mention de délégation, qualité, puis nom du signataire. */
export function signatureLines(options: Pick<LetterOptions, 'signature' | 'signataire'>): string[] {
	return [...lines(options.signature), ...lines(options.signataire?.qualite ?? ''), ...lines(options.signataire?.nom ?? '')];
}

/** Texte brut de la lettre (relecture, tests, recherche). */
export function letterText(model: LetterModel): string {
	const out: string[] = [...model.emetteur, '', ...model.destinataire, ''];
	if (model.mentionEnvoi) out.push(model.mentionEnvoi);
	out.push(model.lieuDate, '', `Objet : ${model.objet}`, '');
	for (const [k, v] of model.references) out.push(`${k} : ${v}`);
	out.push('', model.salutation, '');
	for (const section of model.sections) {
		if (section.titre) out.push(section.titre);
		out.push(...section.paragraphes);
		if (section.tableau) for (const row of [...section.tableau.lignes, ...section.tableau.pied]) out.push(row.filter(Boolean).join(' | '));
		out.push('');
	}
	out.push(model.formule, '', ...model.signature);
	return out.join('\n');
}

export interface NoticeMail {
	to: string[];
	cc: string[];
	subject: string;
	text: string;
	html: string;
}

/** Courriel qui accompagne la lettre et son annexe (pièces jointes). */
export function renderNoticeMail(clause: ClauseRecord, a: PenaltyAssessment, step: StepDecision, model: LetterModel): NoticeMail {
	const cc = [clause.emailAcheteur, clause.emailFacilitateur].filter(
		(v, i, all) => v.toLowerCase() !== clause.emailTitulaire.toLowerCase() && all.findIndex((o) => o.toLowerCase() === v.toLowerCase()) === i,
	);
	const paragraphs = [
		`Veuillez trouver ci-joint ${model.etape === 'miseEnDemeure' ? 'une mise en demeure' : 'la notification des pénalités'} relative à la clause sociale d\u2019insertion du marché n° ${clause.marche}, ${lotLabel(clause)}, ainsi que l\u2019annexe détaillant le calcul (classeur Excel).`,
		model.etape === 'miseEnDemeure'
			? `${a.lignes.length > 0 ? `Pénalités encourues à ce jour : ${formatEuros(a.total)} HT.` : 'Aucune pénalité n\u2019est due à ce jour.'} Délai de régularisation : jusqu\u2019au ${frenchLongDate(step.echeanceMiseEnDemeure!)}.`
			: `Montant des pénalités : ${formatEuros(a.total)} HT.`,
		model.modeEnvoi === 'courriel'
			? 'La lettre vous est notifiée par le présent courriel.'
			: `La lettre vous est adressée par ${model.modeEnvoi === 'lrar' ? 'lettre recommandée avec accusé de réception' : 'lettre recommandée électronique'} ; le présent courriel vous en transmet une copie.`,
		`Pour toute question : ${clause.acheteur}, ${clause.emailAcheteur}.`,
	];
	const sign = model.signature;
	const text = ['Madame, Monsieur,', '', ...paragraphs.flatMap((p) => [p, '']), 'Cordialement,', '', ...sign].join('\n');
	const html = [
		'<p>Madame, Monsieur,</p>',
		...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
		'<p>Cordialement,</p>',
		`<p>${sign.map(escapeHtml).join('<br>')}</p>`,
	].join('\n');
	return { to: [clause.emailTitulaire], cc, subject: singleLine(model.objet), text, html };
}

/** Nom de fichier sûr : lettres, chiffres, tirets. */
export function safeFileName(value: string): string {
	return value
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.replace(/[^A-Za-z0-9._-]+/g, '-')
		.replace(/-{2,}/g, '-')
		.replace(/^-|-$/g, '')
		.slice(0, 120);
}

export function noticeFileNames(clause: ClauseRecord, a: PenaltyAssessment, step: NoticeStep): { lettre: string; annexe: string } {
	const base = safeFileName(`${step === 'miseEnDemeure' ? 'mise-en-demeure' : 'notification-penalites'}-${clause.marche}-lot-${clause.lot}-${a.periode}`);
	return { lettre: `${base}.pdf`, annexe: `${base}-annexe-calcul.xlsx` };
}

export interface ReviewEntry {
	marche: string;
	lot: string;
	titulaire: string;
	etape: string;
	total: number;
	motif: string;
	lettre?: string;
	annexe?: string;
	/** Mode envoi : statut de l'envoi (« envoyé », « déjà envoyé », « échec »…) et son détail. */
	statut?: string;
	detail?: string;
	erreur?: string;
}

/**
 * Synthèse pour l'acheteur. Mode revue : ce qui partira après approbation ;
 * mode envoi : le compte rendu de ce qui est parti.
 */
export function renderReviewSummary(entries: ReviewEntry[], dateDocument: string, mode: 'revue' | 'envoyer' = 'revue'): { objet: string; texte: string; html: string } {
	const notices = entries.filter((e) => e.lettre);
	const errors = entries.filter((e) => e.erreur);
	const date = frenchLongDate(dateDocument);
	const objet = singleLine(
		mode === 'revue'
			? `Avis de pénalité à relire – clause sociale d\u2019insertion – ${notices.length} avis du ${date}`
			: `Avis de pénalité envoyés – clause sociale d\u2019insertion – ${notices.filter((e) => e.statut === 'envoyé').length} sur ${notices.length} avis du ${date}`,
	);
	const intro =
		mode === 'revue'
			? `${notices.length} avis de pénalité sont prêts à partir (lettres PDF et annexes de calcul jointes). Relisez-les, puis approuvez ou refusez l\u2019envoi depuis le courriel d\u2019approbation qui suit.`
			: `Compte rendu de l\u2019envoi des avis de pénalité du ${date} :`;
	const item = (e: ReviewEntry) =>
		`Marché ${e.marche}, lot ${e.lot} (${e.titulaire}) : ${e.etape}, ${formatEuros(e.total)} HT — ${mode === 'revue' ? e.motif : `${e.statut ?? ''}${e.detail ? ` (${e.detail})` : ''}`}`;
	const errorLines = errors.map((e) => `Marché ${e.marche}, lot ${e.lot} : ${e.erreur}`);
	const texte = [
		'Bonjour,',
		'',
		intro,
		'',
		...notices.map((e) => `• ${item(e)}`),
		...(errors.length > 0 ? ['', 'Clauses en anomalie (rien ne part pour elles) :', ...errorLines.map((l) => `• ${l}`)] : []),
	].join('\n');
	const html = [
		'<p>Bonjour,</p>',
		`<p>${escapeHtml(intro)}</p>`,
		`<ul>${notices.map((e) => `<li>${escapeHtml(item(e))}</li>`).join('')}</ul>`,
		...(errors.length > 0 ? ['<p>Clauses en anomalie (rien ne part pour elles) :</p>', `<ul>${errorLines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`] : []),
	].join('\n');
	return { objet, texte, html };
}

/**
 * Objet du courriel d'approbation : les montants notifiés (notifications de
 * pénalités) séparés des montants encourus (mises en demeure, qui ne réclament
 * encore rien), pour que l'acheteur sache ce qu'il approuve.
 */
export function approvalSubject(notices: Array<{ etape: NoticeStep; total: number }>): string {
	const sum = (etape: NoticeStep) => notices.filter((n) => n.etape === etape).reduce((s, n) => s + Math.round(n.total * 100), 0) / 100;
	const count = (etape: NoticeStep) => notices.filter((n) => n.etape === etape).length;
	const parts: string[] = [];
	const notifications = count('notification');
	const mises = count('miseEnDemeure');
	if (notifications > 0) parts.push(`${notifications} notification${notifications > 1 ? 's' : ''} de pénalités : ${formatEuros(sum('notification'))} HT notifiés`);
	if (mises > 0) parts.push(`${mises} mise${mises > 1 ? 's' : ''} en demeure : ${formatEuros(sum('miseEnDemeure'))} HT encourus`);
	return singleLine(`Approbation requise – clause sociale d\u2019insertion – ${parts.length > 0 ? parts.join(' ; ') : 'aucun avis'}`);
}
