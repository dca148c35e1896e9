/**
 * Clauses types du dossier de consultation, préremplies par l'étude : pour
 * chaque mécanisme que l'étude recommande sur un lot, l'article du CCAP, le
 * paragraphe du règlement de la consultation et, pour un critère
 * d'attribution, l'annexe de notation. Les heures, le facilitateur et ses
 * coordonnées viennent de l'étude ; les pénalités et le rythme des relevés,
 * des paramètres (barème d'un CCAP public en vigueur par défaut ; pour les
 * engagements qualitatifs, la relance, la mise en demeure et la pénalité par
 * jour de retard du suivi des engagements, COMMITMENT_DEFAULTS). Le texte est
 * un modèle que l'acheteur relit et adapte : les passages à compléter sont
 * signalés entre crochets.
 *
 * Rédaction inspirée des pratiques décrites par Avise, ARF et Caisse des
 * Dépôts, « Intégration des clauses sociales dans la commande publique des
 * Conseils régionaux », 2014, et par l'Alliance Villes Emploi,
 * « Diversification des achats socialement responsables » (pénalités prévues
 * pour chaque considération sociale).
 */
import { z } from 'zod/v4';

import type { FieldLabels } from './anomalies';
import { COMMITMENT_DEFAULTS } from './commitments';
import type { Mechanism } from './feasibility';
import { MECHANISMS } from './feasibility';
import { formatEuros, formatHours, formatInteger, formatNumber, formatPercent } from './format';
import type { StudyRow } from './study-summary';

export interface ModelClauseSettings {
	/** Pénalité par heure d'insertion non réalisée (€ HT). */
	penaliteHeure: number;
	/** Pénalité par jour calendaire de retard du relevé mensuel, après mise en demeure (€ HT). */
	penaliteRetardReleve: number;
	/** Pénalité par jour calendaire de retard du bilan de fin de marché (€ HT). */
	penaliteRetardBilan: number;
	/** Plafond des pénalités de la clause, en % du montant HT du marché (absent : aucun plafond écrit). */
	plafondPenalites?: number;
	/** Jour du mois suivant avant lequel le relevé mensuel est transmis. */
	jourReleve: number;
	/** Pondération du critère social d'attribution, en %. */
	poidsCritereSocial: number;
	/**
	 * Engagement qui ne se compte pas en heures (action qualitative, plan de
	 * progrès…) : pénalité par jour calendaire de retard dans sa justification,
	 * après mise en demeure (€ HT) — celle que le suivi des engagements applique.
	 */
	penaliteJourEngagement: number;
	/** Délai laissé après la relance d'une échéance non justifiée avant la mise en demeure (jours). */
	delaiRelanceEngagement: number;
	/** Délai laissé par la mise en demeure pour justifier l'engagement (jours). */
	delaiMiseEnDemeureEngagement: number;
	/** Collectivité acheteuse, en tête du document. */
	collectivite?: string;
}

/**
 * Barème par défaut : celui d'un CCAP public en vigueur (60 € par heure, 100 € et 300 € par jour de retard) ;
 * pour les engagements, les valeurs du suivi des engagements (COMMITMENT_DEFAULTS, avec leurs sources).
 */
export const MODEL_CLAUSE_DEFAULTS: ModelClauseSettings = {
	penaliteHeure: 60,
	penaliteRetardReleve: 100,
	penaliteRetardBilan: 300,
	jourReleve: 10,
	poidsCritereSocial: 10,
	penaliteJourEngagement: COMMITMENT_DEFAULTS.penaliteJour.valeur,
	delaiRelanceEngagement: COMMITMENT_DEFAULTS.delaiRelanceJours.valeur,
	delaiMiseEnDemeureEngagement: COMMITMENT_DEFAULTS.delaiMiseEnDemeureJours.valeur,
};

const calendarDays = (n: number) => `${formatInteger(n)}\u00a0jour${n > 1 ? 's' : ''} calendaire${n > 1 ? 's' : ''}`;

/**
 * Les phrases du CCAP qui fondent le suivi d'un engagement qualitatif : relance
 * à l'échéance non justifiée, mise en demeure après le délai de relance, puis
 * pénalité par jour calendaire de retard après la date limite de la mise en
 * demeure — les étapes et les montants qu'applique le nœud « Engagements sociaux ».
 */
function commitmentPenaltyParagraphs(s: ModelClauseSettings): string[] {
	return [
		`Lorsqu\u2019une échéance passe sans que le titulaire ait justifié la réalisation de l\u2019action, l\u2019acheteur, ou le facilitateur pour son compte, la lui rappelle par courriel. Si le titulaire n\u2019en a pas justifié ${s.delaiRelanceEngagement === 0 ? 'à la date de ce rappel' : `dans un délai de ${calendarDays(s.delaiRelanceEngagement)} suivant ce rappel`}, l\u2019acheteur le met en demeure de le faire dans un délai de ${calendarDays(s.delaiMiseEnDemeureEngagement)}.`,
		`Passé la date limite fixée par la mise en demeure, et sauf si le titulaire démontre que le retard ne lui est pas imputable, il encourt une pénalité de ${formatEuros(s.penaliteJourEngagement)} HT par jour calendaire de retard dans la justification de l\u2019engagement, décomptée du lendemain de cette date limite jusqu\u2019au jour où l\u2019acheteur la constate, et notifiée après que le titulaire a pu présenter ses observations.`,
		s.plafondPenalites !== undefined
			? `Cette pénalité se cumule avec les autres pénalités de la clause, dans la limite du plafond de ${formatPercent(s.plafondPenalites)} du montant HT du marché.`
			: 'Cette pénalité se cumule avec les autres pénalités du marché. Par dérogation au CCAG, elle ne fait l\u2019objet d\u2019aucune exonération de minimis [à adapter].',
	];
}

export type Block = { paragraphe: string } | { puces: string[] } | { tableau: { entetes: string[]; lignes: string[][] } } | { intertitre: string };

export interface ClauseSection {
	/** Pièce du dossier : CCAP, règlement de la consultation, annexe. */
	piece: 'CCAP' | 'Règlement de la consultation' | 'Annexe au règlement de la consultation';
	titre: string;
	blocs: Block[];
}

export interface LotModelClauses {
	marche: string;
	lot: string;
	intitule: string;
	heures: number;
	facilitateur?: string;
	mecanismes: Array<{ code: Mechanism; libelle: string; option: boolean }>;
	sections: ClauseSection[];
}

export interface ModelClausesDocument {
	titre: string;
	collectivite?: string;
	dateEtude?: string;
	lots: LotModelClauses[];
	sansClause: Array<{ marche: string; lot: string; intitule: string; justification: string }>;
}

const ELIGIBLE_PUBLICS = [
	'les demandeurs d\u2019emploi de longue durée (plus de douze mois d\u2019inscription) ;',
	'les bénéficiaires du revenu de solidarité active et leurs ayants droit ;',
	'les bénéficiaires de l\u2019allocation de solidarité spécifique, de l\u2019allocation aux adultes handicapés ou d\u2019une pension d\u2019invalidité ;',
	'les travailleurs reconnus handicapés ;',
	'les jeunes de moins de 26 ans de faible niveau de qualification ou sans expérience professionnelle ;',
	'les demandeurs d\u2019emploi de plus de 50 ans ;',
	'les personnes salariées d\u2019une structure d\u2019insertion par l\u2019activité économique (AI, ETTI, EI, ACI) ou d\u2019une entreprise adaptée ;',
	'les stagiaires des écoles de la deuxième chance et de l\u2019EPIDE ;',
	'toute autre personne rencontrant des difficultés particulières d\u2019accès à l\u2019emploi, sur avis motivé de France Travail, d\u2019une mission locale, d\u2019un PLIE ou de Cap emploi.',
];

const MODALITIES = [
	'l\u2019embauche directe, par le titulaire ou ses sous-traitants, de personnes relevant des publics ci-dessus (CDI, CDD, contrat d\u2019apprentissage ou de professionnalisation) ;',
	'la mise à disposition de salariés en insertion par une association intermédiaire, une entreprise de travail temporaire d\u2019insertion ou un groupement d\u2019employeurs pour l\u2019insertion et la qualification ;',
	'la sous-traitance ou la co-traitance d\u2019une partie des prestations à une entreprise d\u2019insertion, un atelier et chantier d\u2019insertion ou une entreprise adaptée.',
];

function facilitatorText(f: NonNullable<StudyRow['faisabilite']>['facilitateur']): string {
	if (!f) return 'facilitateur de la clause désigné par l\u2019acheteur [nom et coordonnées à compléter]';
	const contact = [f.email, f.telephone].filter(Boolean).join(', tél. ');
	return `facilitateur de la clause, ${f.nom}${f.structure && f.structure !== f.nom ? ` (${f.structure})` : ''}${contact ? `, joignable à l\u2019adresse ${contact}` : ''}`;
}

function lotLabel(row: StudyRow): string {
	return row.lot && row.lot !== 'unique' ? `lot ${row.lot}${row.intitule ? ` « ${row.intitule} »` : ''}` : `marché${row.intitule ? ` « ${row.intitule} »` : ''}`;
}

/** L'article du CCAP d'une clause d'exécution en heures (L2112-2). */
function executionClause(row: StudyRow, heures: number, s: ModelClauseSettings): ClauseSection[] {
	const f = row.faisabilite?.facilitateur ?? null;
	const etp = heures / 1607;
	const penalties: string[] = [
		`Si l\u2019obligation d\u2019insertion n\u2019est pas exécutée du fait du titulaire, celui-ci encourt, après mise en demeure restée sans effet et procédure contradictoire, une pénalité de ${formatEuros(s.penaliteHeure)} HT par heure d\u2019insertion non réalisée, sauf s\u2019il démontre avoir mis en œuvre tous les moyens à sa disposition pour l\u2019exécuter (difficultés signalées en temps utile au facilitateur et à l\u2019acheteur).`,
		`Le défaut de transmission du relevé mensuel entraîne, après mise en demeure, une pénalité de ${formatEuros(s.penaliteRetardReleve)} HT par jour calendaire de retard ; le défaut de remise du bilan de fin de marché, une pénalité de ${formatEuros(s.penaliteRetardBilan)} HT par jour calendaire de retard.`,
		s.plafondPenalites !== undefined
			? `Ces pénalités se cumulent ; leur montant total est plafonné à ${formatPercent(s.plafondPenalites)} du montant HT du marché. Par dérogation au CCAG, elles ne font l\u2019objet d\u2019aucune exonération de minimis.`
			: 'Ces pénalités se cumulent. Par dérogation au CCAG, elles ne font l\u2019objet d\u2019aucune exonération de minimis ni d\u2019aucun plafonnement [à adapter].',
	];
	return [
		{
			piece: 'CCAP',
			titre: `Article [n°] – Clause sociale d\u2019insertion (${lotLabel(row)})`,
			blocs: [
				{ intertitre: 'Objet de la clause' },
				{
					paragraphe: `En application de l\u2019article L2112-2 du Code de la commande publique, l\u2019exécution du ${lotLabel(row)} comporte une action d\u2019insertion qui permet l\u2019accès ou le retour à l\u2019emploi de personnes rencontrant des difficultés sociales ou professionnelles particulières. Le titulaire s\u2019engage à réaliser, pendant la durée du marché, un volume minimal de ${formatHours(heures)} de travail au bénéfice de ces personnes (soit environ ${formatNumber(Math.round(etp * 100) / 100)} équivalent temps plein sur la base de 1 607 heures annuelles).`,
				},
				{ intertitre: 'Publics bénéficiaires' },
				{ paragraphe: 'Sont éligibles, après validation par le facilitateur :' },
				{ puces: ELIGIBLE_PUBLICS },
				{ intertitre: 'Modalités de mise en œuvre' },
				{ paragraphe: 'Le titulaire choisit librement, seul ou en les combinant, entre :' },
				{ puces: MODALITIES },
				{
					paragraphe:
						'Les heures réalisées par les sous-traitants et les co-traitants sont prises en compte. Les heures de formation suivies par les personnes pendant leur contrat sont comptées dans la limite de leur temps de travail.',
				},
				{ intertitre: 'Accompagnement par le facilitateur' },
				{
					paragraphe: `Le titulaire est accompagné par le ${facilitatorText(f)}. Le facilitateur l\u2019aide à définir les postes, lui présente des candidats, vérifie l\u2019éligibilité des personnes et suit la réalisation des heures. Le titulaire prend contact avec lui dans les quinze jours qui suivent la notification du marché, et au plus tard avant le démarrage des prestations.`,
				},
				{ intertitre: 'Suivi et obligation de rendre compte' },
				{
					paragraphe: `Le titulaire transmet au facilitateur, chaque mois et au plus tard le ${formatInteger(s.jourReleve)} du mois suivant, le relevé des heures d\u2019insertion réalisées (personnes, employeur, type de contrat, heures du mois), y compris celles de ses sous-traitants. Il remet à l\u2019acheteur, dans le mois qui suit la fin du marché, un bilan de l\u2019action d\u2019insertion. Il informe sans délai le facilitateur et l\u2019acheteur de toute difficulté d\u2019exécution de la clause.`,
				},
				{ intertitre: 'Pénalités' },
				...penalties.map((p) => ({ paragraphe: p })),
			],
		},
		{
			piece: 'Règlement de la consultation',
			titre: `Condition d\u2019exécution à caractère social (${lotLabel(row)})`,
			blocs: [
				{
					paragraphe: `Le ${lotLabel(row)} comporte une clause sociale d\u2019insertion, condition d\u2019exécution au sens de l\u2019article L2112-2 du Code de la commande publique, décrite à l\u2019article [n°] du CCAP : ${formatHours(heures)} de travail réservées à des personnes éloignées de l\u2019emploi. Cette condition s\u2019impose à tous les candidats, qui ne peuvent ni la modifier ni s\u2019y soustraire ; elle n\u2019est pas un critère de jugement des offres.`,
				},
				{
					paragraphe: `Pour préparer leur offre, les candidats peuvent s\u2019adresser au ${facilitatorText(f)}.`,
				},
			],
		},
	];
}

/** Critère social d'attribution (R2152-7) : paragraphe du règlement, annexe de notation et valeur contractuelle des engagements. */
function awardCriterion(row: StudyRow, s: ModelClauseSettings): ClauseSection[] {
	const poids = s.poidsCritereSocial;
	return [
		{
			piece: 'Règlement de la consultation',
			titre: `Critère d\u2019attribution « performance en matière d\u2019insertion professionnelle » (${lotLabel(row)})`,
			blocs: [
				{
					paragraphe: `En application de l\u2019article R2152-7 du Code de la commande publique, l\u2019offre économiquement la plus avantageuse est appréciée notamment au regard du critère « performance en matière d\u2019insertion professionnelle des publics en difficulté », pondéré à ${formatPercent(poids)}. Ce critère est noté selon la méthode décrite en annexe au présent règlement, sur la base d\u2019une note méthodologique du candidat (quatre pages au plus).`,
				},
				{
					paragraphe:
						'Les engagements pris dans cette note ont valeur contractuelle : ils sont repris au marché et leur exécution est suivie comme celle de la clause d\u2019insertion.',
				},
			],
		},
		{
			piece: 'Annexe au règlement de la consultation',
			titre: `Méthode de notation du critère d\u2019insertion professionnelle (${lotLabel(row)})`,
			blocs: [
				{ paragraphe: `Le critère est noté sur 20 points, puis pondéré à ${formatPercent(poids)}. Chaque sous-critère reçoit une appréciation convertie en points selon la grille ci-dessous.` },
				{
					tableau: {
						entetes: ['Sous-critère', 'Éléments appréciés', 'Points'],
						lignes: [
							['1. Parcours d\u2019insertion proposé', 'Postes ouverts, volume d\u2019heures au-delà du minimum exigé, durée des contrats, tutorat et encadrement', '8'],
							['2. Formation et qualification', 'Actions de formation, qualification visée, validation des acquis', '6'],
							['3. Partenariats et recrutement', 'Travail avec le facilitateur, recours aux SIAE, aux GEIQ et aux entreprises adaptées', '4'],
							['4. Suites de parcours', 'Perspectives d\u2019emploi durable à l\u2019issue du marché, suivi prévu', '2'],
						],
					},
				},
				{
					tableau: {
						entetes: ['Appréciation', 'Part des points du sous-critère'],
						lignes: [
							['Très satisfaisant : engagements précis, chiffrés et vérifiables', '100 %'],
							['Satisfaisant : engagements précis, partiellement chiffrés', '75 %'],
							['Moyen : engagements généraux, peu vérifiables', '50 %'],
							['Insuffisant : simple reprise de la clause d\u2019exécution', '25 %'],
							['Aucune proposition', '0 %'],
						],
					},
				},
				{ paragraphe: 'Note du critère = somme des points obtenus aux quatre sous-critères (sur 20) × pondération du critère.' },
			],
		},
		{
			piece: 'CCAP',
			titre: `Article [n°] – Engagements d\u2019insertion pris dans l\u2019offre (${lotLabel(row)})`,
			blocs: [
				{
					paragraphe: `Les engagements d\u2019insertion présentés par le titulaire dans sa note méthodologique au titre du critère d\u2019attribution ont valeur contractuelle. Le titulaire en rend compte dans son relevé mensuel. Leur inexécution, imputable au titulaire, entraîne après mise en demeure une pénalité de ${formatEuros(s.penaliteHeure)} HT par heure d\u2019insertion promise et non réalisée.`,
				},
				{
					paragraphe: 'Un engagement qui ne se compte pas en heures (accueil de stagiaires, formation, action qualitative) est assorti dans la note d\u2019un indicateur et d\u2019échéances, auxquelles le titulaire en justifie la réalisation.',
				},
				...commitmentPenaltyParagraphs(s).map((paragraphe) => ({ paragraphe })),
			],
		},
	];
}

function reservedMarket(row: StudyRow, code: 'marcheReserveEa' | 'marcheReserveSiae' | 'marcheReserveDetenus'): ClauseSection[] {
	const beneficiaires = {
		marcheReserveEa:
			'aux entreprises adaptées mentionnées à l\u2019article L5213-13 du code du travail, aux établissements et services d\u2019aide par le travail mentionnés à l\u2019article L344-2 du code de l\u2019action sociale et des familles, ainsi qu\u2019aux structures équivalentes, lorsqu\u2019ils emploient une proportion minimale de 50 % de travailleurs handicapés (article R2113-7)',
		marcheReserveSiae:
			'aux structures d\u2019insertion par l\u2019activité économique mentionnées à l\u2019article L5132-4 du code du travail, ainsi qu\u2019aux structures équivalentes, lorsqu\u2019elles emploient une proportion minimale de 50 % de travailleurs défavorisés (article R2113-7)',
		marcheReserveDetenus:
			'aux opérateurs économiques qui emploient des personnes détenues, dans une proportion minimale de 50 % (article R2113-7)',
	}[code];
	const base = MECHANISMS[code].base;
	return [
		{
			piece: 'Règlement de la consultation',
			titre: `Marché réservé (${lotLabel(row)})`,
			blocs: [
				{
					paragraphe: `En application de l\u2019${base}, le ${lotLabel(row)} est réservé ${beneficiaires}. L\u2019avis d\u2019appel à la concurrence le mentionne. Le candidat justifie de sa qualité par tout moyen (agrément, conventionnement ou attestation de l\u2019autorité compétente) ; une offre d\u2019un opérateur qui n\u2019en justifie pas est irrecevable.`,
				},
			],
		},
		{
			piece: 'CCAP',
			titre: `Article [n°] – Marché réservé (${lotLabel(row)})`,
			blocs: [
				{
					paragraphe:
						'Le titulaire conserve pendant toute la durée du marché la qualité au titre de laquelle le marché lui a été réservé, et en informe sans délai l\u2019acheteur s\u2019il venait à la perdre. Il transmet chaque année l\u2019attestation de cette qualité et la part des travailleurs concernés dans son effectif.',
				},
			],
		},
	];
}

function insertionMarket(row: StudyRow, heures: number, s: ModelClauseSettings): ClauseSection[] {
	const f = row.faisabilite?.facilitateur ?? null;
	return [
		{
			piece: 'Règlement de la consultation',
			titre: `Marché d\u2019insertion et de qualification professionnelle (${lotLabel(row)})`,
			blocs: [
				{
					paragraphe: `Le ${lotLabel(row)} a pour objet l\u2019insertion et la qualification professionnelles de personnes éloignées de l\u2019emploi ; la prestation support n\u2019en est que le moyen. Il relève des services sociaux et autres services spécifiques et est passé selon une procédure adaptée en application de l\u2019article R2123-1 (3°) du Code de la commande publique.`,
				},
				{
					paragraphe: 'Les offres sont jugées notamment sur la qualité de l\u2019accompagnement socioprofessionnel, de l\u2019encadrement technique et des actions de formation proposés [pondérations à compléter].',
				},
			],
		},
		{
			piece: 'CCAP',
			titre: `Article [n°] – Parcours d\u2019insertion (${lotLabel(row)})`,
			blocs: [
				{
					paragraphe: `Le titulaire assure l\u2019accueil, l\u2019encadrement technique, l\u2019accompagnement socioprofessionnel et la formation des personnes en parcours${heures > 0 ? `, pour un volume minimal de ${formatHours(heures)} de travail` : ' [volume d\u2019heures ou nombre de parcours à compléter]'}. Il travaille avec le ${facilitatorText(f)}, transmet un relevé mensuel au plus tard le ${formatInteger(s.jourReleve)} du mois suivant et remet un bilan des parcours à la fin du marché.`,
				},
			],
		},
	];
}

function qualitativeActions(row: StudyRow, s: ModelClauseSettings): ClauseSection[] {
	return [
		{
			piece: 'CCAP',
			titre: `Article [n°] – Actions qualitatives d\u2019insertion (${lotLabel(row)})`,
			blocs: [
				{
					paragraphe: `En application de l\u2019article L2112-2 du Code de la commande publique, le titulaire met en œuvre, pendant l\u2019exécution du ${lotLabel(row)}, au moins une des actions suivantes, qu\u2019il précise dans son offre avec son indicateur et son échéance :`,
				},
				{
					puces: [
						'l\u2019accueil de stagiaires ou d\u2019apprentis issus des publics éloignés de l\u2019emploi ;',
						'une action de lutte contre l\u2019illettrisme de ses salariés ;',
						'un plan de progrès en faveur de l\u2019égalité entre les femmes et les hommes ;',
						'la découverte des métiers auprès de demandeurs d\u2019emploi (visites de chantier, immersions).',
					],
				},
				{
					paragraphe: `Chaque action est assortie d\u2019un indicateur (par exemple : nombre de stagiaires accueillis, de salariés formés, de visites organisées) et d\u2019une ou plusieurs échéances, auxquelles le titulaire en justifie la réalisation par les pièces qui l\u2019attestent (attestations, liste pseudonymisée des participants, compte rendu) et la valeur atteinte par l\u2019indicateur. Il en rend compte aussi dans son relevé mensuel, transmis au plus tard le ${formatInteger(s.jourReleve)} du mois suivant.`,
				},
				{ intertitre: 'Pénalités' },
				...commitmentPenaltyParagraphs(s).map((paragraphe) => ({ paragraphe })),
			],
		},
	];
}

/**
 * Les clauses types de chaque lot étudié : un bloc par mécanisme recommandé
 * (les options de l'étude comprises, signalées comme telles), et la liste des
 * lots sans clause avec la justification de l'étude.
 */
export function buildModelClauses(rows: StudyRow[], settings: ModelClauseSettings, titre = 'Clauses sociales types du dossier de consultation'): ModelClausesDocument {
	const lots: LotModelClauses[] = [];
	const sansClause: ModelClausesDocument['sansClause'] = [];
	for (const row of rows) {
		const f = row.faisabilite;
		if (!f || !row.marche) continue;
		const intitule = row.intitule ?? row.objet ?? '';
		if (f.decision !== 'clause' || f.mecanismes.length === 0) {
			sansClause.push({ marche: row.marche, lot: row.lot ?? 'unique', intitule, justification: f.justification });
			continue;
		}
		const heures = f.heuresRetenues;
		const sections: ClauseSection[] = [];
		for (const m of f.mecanismes) {
			const first = sections.length;
			if (m.code === 'clauseExecution') sections.push(...executionClause(row, heures, settings));
			else if (m.code === 'critereAttribution') sections.push(...awardCriterion(row, settings));
			else if (m.code === 'marcheReserveEa' || m.code === 'marcheReserveSiae' || m.code === 'marcheReserveDetenus') sections.push(...reservedMarket(row, m.code));
			else if (m.code === 'marcheInsertion') sections.push(...insertionMarket(row, heures, settings));
			else if (m.code === 'actionsQualitatives') sections.push(...qualitativeActions(row, settings));
			// Une option de l'étude : chacune de ses pièces le dit, l'acheteur la retient ou la retire.
			if (m.option) for (const section of sections.slice(first)) section.titre = `${section.titre} – option proposée par l\u2019étude`;
		}
		lots.push({
			marche: row.marche,
			lot: row.lot ?? 'unique',
			intitule,
			heures,
			...(f.facilitateur ? { facilitateur: f.facilitateur.nom } : {}),
			mecanismes: f.mecanismes.map((m) => ({ code: m.code, libelle: m.libelle, option: m.option })),
			sections,
		});
	}
	const dateEtude = rows.find((r) => r.faisabilite)?.faisabilite?.dateEtude;
	return { titre, ...(settings.collectivite ? { collectivite: settings.collectivite } : {}), ...(dateEtude ? { dateEtude } : {}), lots, sansClause };
}

/** Paramètres des clauses types, validés (erreurs françaises qui nomment le paramètre). */
export const ModelClauseSettingsSchema = z.object({
	penaliteHeure: z.number().min(0),
	penaliteRetardReleve: z.number().min(0),
	penaliteRetardBilan: z.number().min(0),
	plafondPenalites: z.number().gt(0).max(100).optional(),
	jourReleve: z.number().int().min(1).max(28),
	poidsCritereSocial: z.number().gt(0).max(100),
	penaliteJourEngagement: z.number().min(0).default(COMMITMENT_DEFAULTS.penaliteJour.valeur),
	delaiRelanceEngagement: z.number().int().min(0).default(COMMITMENT_DEFAULTS.delaiRelanceJours.valeur),
	delaiMiseEnDemeureEngagement: z.number().int().min(1).default(COMMITMENT_DEFAULTS.delaiMiseEnDemeureJours.valeur),
	collectivite: z.string().optional(),
});

export const MODEL_CLAUSE_LABELS: FieldLabels = {
	penaliteHeure: 'pénalité par heure non réalisée',
	penaliteRetardReleve: 'pénalité par jour de retard du relevé',
	penaliteRetardBilan: 'pénalité par jour de retard du bilan',
	plafondPenalites: 'plafond des pénalités',
	jourReleve: 'jour limite du relevé mensuel',
	poidsCritereSocial: 'pondération du critère social',
	penaliteJourEngagement: 'pénalité par jour de retard d’un engagement',
	delaiRelanceEngagement: 'délai entre la relance et la mise en demeure d’un engagement',
	delaiMiseEnDemeureEngagement: 'délai laissé par la mise en demeure d’un engagement',
	collectivite: 'collectivité',
};
