/**
 * Courriel de relance : destinataires selon le niveau, objet, texte et HTML.
 * Tout ce qui vient des données est échappé dans le HTML.
 */
import { frenchLongDate, frenchMonth, ofMonth } from './calendar';
import { escapeHtml, formatHours, withArticle, withPreposition } from './format';
import type { ReminderDecision } from './reminders';
import type { ClauseRecord } from './schemas/follow-up';

export interface ReminderMessageOptions {
	/** Signature (service, nom, coordonnées), une ligne par élément. */
	signature: string;
	/** Joindre le modèle de relevé pré-rempli (un par mois manquant, voir `templateMonths`). */
	modeleJoint: boolean;
	/** Relevé en ligne : un lien personnel par mois manquant, et leur date d'expiration. */
	releveEnLigne?: { liens: Array<{ mois: string; url: string }>; expire: string };
	/** Phrase sur la mutualisation des heures du titulaire (voir core/pooling.ts). */
	mutualisation?: string;
	/** Entreprises déclarées (sous-traitants, cotraitants…) sans ligne au relevé d'un mois (voir core/employers.ts). */
	lignesManquantes?: Array<{ nom: string; siret: string; roleLibelle: string; mois: string }>;
}

/** Paragraphe du relevé en ligne (texte, et HTML avec les liens cliquables), s'il y a des liens. */
function onlineReportBlock(options: ReminderMessageOptions): { text: string; html: string } | undefined {
	const online = options.releveEnLigne;
	if (!online || online.liens.length === 0) return undefined;
	const intro = `Vous pouvez aussi saisir ${online.liens.length === 1 ? 'ce relevé' : 'ces relevés'} en ligne, sans fichier : la saisie est contrôlée dès l\u2019envoi et enregistrée aussitôt. ${online.liens.length === 1 ? 'Lien personnel' : 'Liens personnels'}, à ne pas transmettre, valable${online.liens.length === 1 ? '' : 's'} jusqu\u2019au ${frenchLongDate(online.expire)}${options.modeleJoint ? (online.liens.length === 1 ? ' (le modèle joint reste possible)' : ' (les modèles joints restent possibles)') : ''} :`;
	const one = online.liens.length === 1;
	const text = `${intro} ${online.liens.map((l) => (one ? l.url : `${frenchMonth(l.mois)} : ${l.url}`)).join(' ; ')}`;
	const links = online.liens.map((l) => `<a href="${escapeHtml(l.url)}">${escapeHtml(one ? `Saisir le relevé ${ofMonth(l.mois)} en ligne` : frenchMonth(l.mois))}</a>`).join(one ? '' : ' ; ');
	return { text, html: `<p>${escapeHtml(intro)} ${links}</p>` };
}

export interface ReminderMessage {
	to: string[];
	cc: string[];
	subject: string;
	text: string;
	html: string;
}

/** Objet sur une seule ligne : aucun retour à la ligne venu des données ne peut créer d'en-tête. */
export function singleLine(value: string): string {
	// eslint-disable-next-line no-control-regex
	return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
}

function unique(list: Array<string | undefined>): string[] {
	const out: string[] = [];
	for (const value of list) if (value && !out.some((v) => v.toLowerCase() === value.toLowerCase())) out.push(value);
	return out;
}

export function reminderRecipients(clause: ClauseRecord, decision: ReminderDecision): { to: string[]; cc: string[] } {
	const copies = clause.copieRelances ?? [];
	const to = [clause.emailTitulaire];
	const cc =
		decision.niveau === 'escalade'
			? [clause.emailFacilitateur, clause.emailAcheteur, ...copies]
			: [clause.emailFacilitateur, ...copies];
	return { to, cc: unique(cc).filter((a) => a.toLowerCase() !== clause.emailTitulaire.toLowerCase()) };
}

const SUBJECT_PREFIX: Record<string, string> = {
	relance1: '',
	relance2: 'Deuxième relance – ',
	escalade: 'Dernière relance avant mise en demeure – ',
};

/**
 * Mois des modèles de relevé joints à une relance : un par mois manquant (le
 * titulaire renvoie un relevé par mois, que la réception lit séparément), sinon
 * le mois de référence.
 */
export function templateMonths(decision: Pick<ReminderDecision, 'moisManquants' | 'moisReference'>): string[] {
	if (decision.moisManquants.length === 0) return [decision.moisReference];
	return decision.moisManquants.map((m) => m.mois);
}

function lotLabelOf(clause: ClauseRecord): string {
	return `lot ${clause.lot}${clause.intitule ? ` (${clause.intitule})` : ''}`;
}

/**
 * Objet de la relance, sans en rendre le corps : la relance garde de chaque
 * courriel ses destinataires et son objet jusqu'à la fin, et ne rend le corps
 * qu'au moment de l'envoi (ou de l'aperçu).
 */
export function reminderSubject(clause: ClauseRecord, decision: ReminderDecision, options: Pick<ReminderMessageOptions, 'lignesManquantes'> = {}): string {
	const incomplete = options.lignesManquantes ?? [];
	const what =
		decision.moisManquants.length > 0
			? 'relevé d\u2019heures d\u2019insertion à transmettre'
			: incomplete.length > 0 && !decision.enRetard
				? 'relevé d\u2019heures d\u2019insertion à compléter'
				: 'heures d\u2019insertion en retard';
	return singleLine(`${SUBJECT_PREFIX[decision.niveau] ?? ''}Clause sociale : ${what} – marché ${clause.marche}, ${lotLabelOf(clause)}`);
}

export function renderReminder(clause: ClauseRecord, decision: ReminderDecision, options: ReminderMessageOptions): ReminderMessage {
	const { to, cc } = reminderRecipients(clause, decision);
	const lotLabel = lotLabelOf(clause);
	const incomplete = options.lignesManquantes ?? [];
	const subject = reminderSubject(clause, decision, options);

	const paragraphs: string[][] = [];
	paragraphs.push([
		`Dans le cadre du marché n° ${clause.marche}${clause.objet ? ` (${clause.objet})` : ''}, ${lotLabel}, votre entreprise ${clause.titulaire} (SIRET ${clause.siret}) s\u2019est engagée à réaliser ${formatHours(clause.heuresDues)} d\u2019insertion entre le ${frenchLongDate(clause.debutExecution)} et le ${frenchLongDate(clause.finExecution)}.`,
	]);
	if (decision.moisManquants.length > 0) {
		const months = decision.moisManquants.map((m) => m.libelle);
		paragraphs.push([
			months.length === 1
				? `Nous n\u2019avons pas reçu votre relevé mensuel des heures d\u2019insertion ${ofMonth(decision.moisManquants[0].mois)}.`
				: `Nous n\u2019avons pas reçu vos relevés mensuels des heures d\u2019insertion des mois suivants : ${months.join(', ')}.`,
		]);
	}
	if (incomplete.length > 0) {
		const byMonth = new Map<string, typeof incomplete>();
		for (const m of incomplete) byMonth.set(m.mois, [...(byMonth.get(m.mois) ?? []), m]);
		const sentences = [...byMonth.entries()].map(([mois, list]) => {
			const names = list.map((m) => `${m.nom} (${m.roleLibelle.toLowerCase()}, SIRET ${m.siret})`).join(', ');
			return `Votre relevé ${ofMonth(mois)} ne comporte aucune ligne pour ${list.length === 1 ? `l\u2019entreprise ${names}, déclarée` : `les entreprises ${names}, déclarées`} sur ce marché.`;
		});
		paragraphs.push([
			...sentences,
			'Les heures d\u2019insertion de vos sous-traitants et cotraitants comptent pour la clause : merci de transmettre un relevé complété de leurs lignes (une ligne à 0 h suffit pour une entreprise sans heure d\u2019insertion ce mois-là).',
		]);
	}
	if (options.mutualisation) paragraphs.push([options.mutualisation]);
	paragraphs.push([
		`À fin ${decision.moisReferenceLibelle}, ${formatHours(decision.heuresDeclarees)} ont été déclarées, pour ${formatHours(decision.heuresAttendues)} attendues à cette date selon le calendrier d\u2019exécution${decision.enRetard ? `, soit un retard de ${formatHours(decision.ecart)}` : ''}.`,
	]);
	const templates = templateMonths(decision);
	const templateText =
		templates.length > 1
			? `, au moyen des ${templates.length} modèles joints, un par mois, pré-remplis pour votre marché`
			: ', au moyen du modèle joint, pré-rempli pour votre marché';
	const ask =
		incomplete.length > 0 && decision.moisManquants.length === 0 && !decision.enRetard
			? `Nous vous remercions de transmettre ce relevé complété ${withPreposition('à', clause.facilitateur)} (${clause.emailFacilitateur})${options.modeleJoint ? templateText : ''}.`
			: decision.moisManquants.length > 0
			? `Nous vous remercions de transmettre ${decision.moisManquants.length === 1 ? 'ce relevé' : 'ces relevés'} ${withPreposition('à', clause.facilitateur)} (${clause.emailFacilitateur})${options.modeleJoint ? templateText : ''}.`
			: `Nous vous remercions de prendre contact avec ${withArticle(clause.facilitateur)} (${clause.emailFacilitateur}) pour organiser le rattrapage des heures.`;
	paragraphs.push([ask]);
	const online = decision.moisManquants.length > 0 ? onlineReportBlock(options) : undefined;
	if (online) paragraphs.push([online.text]);
	if (decision.niveau === 'relance2') {
		paragraphs.push(['Il s\u2019agit de notre deuxième relance.']);
	}
	if (decision.niveau === 'escalade') {
		paragraphs.push([
			`Sans retour de votre part, l\u2019acheteur (${clause.acheteur}), en copie de ce message, pourra vous adresser une mise en demeure, préalable à l\u2019application des pénalités prévues au CCAP.`,
		]);
	}
	paragraphs.push([
		'Le facilitateur reste à votre disposition pour vous accompagner dans le recrutement de personnes éligibles et le suivi des heures.',
	]);

	const greeting = 'Madame, Monsieur,';
	const closing = 'Nous vous prions d\u2019agréer, Madame, Monsieur, l\u2019expression de nos salutations distinguées.';
	const signature = options.signature.split('\n').map((line) => line.trim()).filter(Boolean);
	const text = [greeting, '', ...paragraphs.map((p) => p.join(' ')).flatMap((p) => [p, '']), closing, '', ...signature].join('\n');
	const html = [
		`<p>${escapeHtml(greeting)}</p>`,
		...paragraphs.map((p) => `<p>${escapeHtml(p.join(' '))}</p>`),
		`<p>${escapeHtml(closing)}</p>`,
		`<p>${signature.map((line) => escapeHtml(line)).join('<br>')}</p>`,
	].join('\n');
	if (online) return { to, cc, subject, text, html: html.replace(`<p>${escapeHtml(online.text)}</p>`, online.html) };
	return { to, cc, subject, text, html };
}
