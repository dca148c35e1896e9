/**
 * « Bilan pour les élus » : ce que dit le document (chiffres clés, commentaire
 * en français courant, graphiques, tableaux, méthode, sources), tiré du bilan.
 * Fonctions pures ; la mise en page (PDF) est dans les adaptateurs.
 *
 * Les graphiques sont ceux que les Régions présentent à leurs élus et au comité
 * de pilotage : heures par mois et par année, réalisation par marché et par
 * territoire, part des marchés avec une clause par nature, heures par nature,
 * publics, modalités.
 */
import type { Bilan, BilanRow } from './bilan';
import { lotsBehind } from './bilan';
import { frenchLongDate, frenchMonth, frenchShortDate } from './calendar';
import type { CommitmentBilan } from './commitments';
import { COMMITMENT_SECTION_TITLE } from './commitments';
import type { PoolBilan, PoolBilanMember } from './pooling';
import { POOL_SECTION_TITLE } from './pooling';
import { capitalize } from './anomalies';
import { SOURCES } from './referential';
import { formatEuros, formatHours, formatNumber, formatPercent } from './format';
import { roundTo } from './numbers';

/** Sources citées par leur titre public. */
export const BILAN_SOURCES = [
	'Avise, ARF et Caisse des Dépôts, « Intégration des clauses sociales dans la commande publique des Conseils régionaux », 2014 (indicateurs suivis par les Régions Lorraine, Limousin et Midi-Pyrénées ; comité de pilotage)',
	'Préfecture de la région Hauts-de-France, groupe de travail « clauses sociales » (comptage harmonisé des heures, tableau de bord partagé)',
];

export interface ChartBar {
	libelle: string;
	valeur: number;
	/** Seconde série (barres doubles) ou part complémentaire (barres empilées). */
	valeur2?: number;
}

export interface ChartSpec {
	/** Identifiant stable (tests, tableau de bord). */
	id: string;
	titre: string;
	/** colonnes : verticales ; barres : horizontales ; doubles : deux séries côte à côte ; empilees : valeur + valeur2. */
	type: 'colonnes' | 'barres' | 'doubles' | 'empilees';
	unite: 'h' | '%' | 'marchés' | 'personnes';
	barres: ChartBar[];
	legende?: [string, string];
	/** Ligne de repère (100 % pour un taux). */
	repere?: number;
	note?: string;
}

export interface TableSpec {
	titre: string;
	colonnes: string[];
	/** « g » : texte à gauche ; « d » : nombre à droite. */
	alignement: Array<'g' | 'd'>;
	lignes: string[][];
	note?: string;
	/** Poids relatifs des largeurs de colonnes (sinon : d'après l'alignement). */
	poids?: number[];
}

export interface KeyFigure {
	valeur: string;
	libelle: string;
	detail?: string;
}

export interface BilanDocument {
	titre: string;
	collectivite?: string;
	periode: string;
	dateBilan: string;
	chiffresCles: KeyFigure[];
	commentaire: string[];
	/** Page 1 : un graphique sous la synthèse. */
	grapheSynthese: ChartSpec;
	/** Pages suivantes : paragraphes sous le titre, puis graphiques, puis tableaux. */
	pages: Array<{ titre: string; paragraphes?: string[]; graphiques: ChartSpec[]; tableaux: TableSpec[] }>;
	methode: string[];
	sources: string[];
}

const pct = (rate: BilanRow[string] | undefined) => (typeof rate === 'number' ? formatPercent(roundTo(rate * 100, 1)) : '–');
const num = (v: BilanRow[string] | undefined) => (typeof v === 'number' ? v : 0);
const plural = (n: number, one: string, many: string) => `${formatNumber(n)}\u00a0${n > 1 ? many : one}`;

const MONTHS_SHORT = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];

/** Libellé court d'un mois pour l'axe d'un graphique : « janv. 25 ». */
function shortMonth(month: string): string {
	return `${MONTHS_SHORT[Number(month.slice(5, 7)) - 1]} ${month.slice(2, 4)}`;
}

/** Le commentaire du bilan, en phrases simples, sans jargon. */
export function bilanCommentary(bilan: Bilan): string[] {
	const s = bilan.synthese;
	const year = bilan.periode.debut.slice(0, 4) === bilan.periode.fin.slice(0, 4) && bilan.periode.debut.endsWith('-01') && bilan.periode.fin.endsWith('-12');
	const when = year ? `En ${bilan.periode.debut.slice(0, 4)}` : `De ${frenchMonth(bilan.periode.debut)} à ${frenchMonth(bilan.periode.fin)}`;
	const out: string[] = [];
	out.push(
		s.partMarchesAvecClause !== null && s.nombreMarches !== null
			? `${when}, ${plural(s.marchesAvecClause, 'marché en exécution portait', 'marchés en exécution portaient')} une clause sociale d\u2019insertion, sur ${plural(s.nombreMarches, 'marché', 'marchés')} de la Région, soit ${pct(s.partMarchesAvecClause)}.`
			: `${when}, ${plural(s.marchesAvecClause, 'marché en exécution portait', 'marchés en exécution portaient')} une clause sociale d\u2019insertion (${plural(s.lotsAvecClause, 'lot', 'lots')}).`,
	);
	const top = bilan.parNature.filter((n) => typeof n.part === 'number' && num(n.marches) > 0).sort((a, b) => num(b.part) - num(a.part))[0];
	if (top && s.partMarchesAvecClause !== null) {
		out.push(`La clause est la plus répandue dans les marchés de nature « ${String(top.nature)} » : ${formatNumber(num(top.marchesAvecClause))} sur ${formatNumber(num(top.marches))} (${pct(num(top.part))}).`);
	}
	const women = s.femmes > 0 ? `, dont ${plural(s.femmes, 'femme', 'femmes')}` : '';
	out.push(`Les entreprises titulaires ont réalisé ${formatHours(Math.round(s.heuresRealiseesPeriode))} de travail au profit de ${plural(s.personnes, 'personne éloignée', 'personnes éloignées')} de l\u2019emploi${women}.`);
	const years = bilan.parAnnee;
	const current = years.find((y) => y.annee === bilan.periode.fin.slice(0, 4));
	const previous = current ? years[years.indexOf(current) - 1] : undefined;
	if (year && current && previous && num(previous.heures) > 0) {
		const change = num(current.heures) / num(previous.heures) - 1;
		out.push(`C\u2019est ${change >= 0 ? 'plus' : 'moins'} qu\u2019en ${String(previous.annee)} (${formatHours(num(previous.heures))}, soit ${change >= 0 ? '+' : '\u2212'}${pct(Math.abs(change))}).`);
	}
	if (s.tauxRealisationADate !== null) {
		// Un lot couvert par la mutualisation de son groupe n'est pas compté en retard : il est dit à part.
		const { late, covered } = lotsBehind(bilan);
		const verdict = s.tauxRealisationADate >= 1 ? 'les engagements sont tenus, et au-delà' : s.tauxRealisationADate >= 0.8 ? 'les engagements sont globalement tenus' : 'un retard est à rattraper';
		out.push(
			`Depuis le début des marchés, ${formatHours(Math.round(s.heuresRealiseesCumul))} ont été réalisées pour ${formatHours(Math.round(s.heuresAttenduesADate))} attendues à fin ${frenchMonth(bilan.periode.fin)} (${pct(s.tauxRealisationADate)}) : ${verdict}${late > 0 ? ` ; ${plural(late, 'lot reste', 'lots restent')} sous la moitié des heures attendues et ${late > 1 ? 'font' : 'fait'} l\u2019objet d\u2019un suivi rapproché` : ''}${covered > 0 ? ` ; ${late > 0 ? plural(covered, 'autre lot est', 'autres lots sont') : plural(covered, 'lot est', 'lots sont')} sous la moitié des heures attendues sur ${covered > 1 ? 'leur' : 'sa'} propre part, mais ${covered > 1 ? 'couverts' : 'couvert'} par la mutualisation des heures de ${covered > 1 ? 'leur' : 'son'} titulaire` : ''}.`,
		);
	}
	if (bilan.mutualisation) out.push(bilan.mutualisation.texte);
	const row = (label: string) => bilan.publicsPrioritaires.find((r) => r.indicateur === label);
	const parts = [
		['Bénéficiaires du RSA', 'bénéficiaire du RSA', 'bénéficiaires du RSA'],
		['Demandeurs d\u2019emploi de longue durée', 'demandeur d\u2019emploi de longue durée', 'demandeurs d\u2019emploi de longue durée'],
		['Moins de 26 ans', 'jeune de moins de 26 ans', 'jeunes de moins de 26 ans'],
		['Résidents d\u2019un quartier prioritaire (QPV)', 'habitant d\u2019un quartier prioritaire', 'habitants d\u2019un quartier prioritaire'],
	]
		.map(([label, one, many]) => [num(row(label)?.personnes), one, many] as const)
		.filter(([n]) => n > 0)
		.map(([n, one, many]) => plural(n, one, many));
	if (parts.length > 0) out.push(`Parmi ces personnes : ${parts.join(', ')}.`);
	const known = bilan.sorties.filter((o) => o.situation !== 'Non renseigné').reduce((a, o) => a + num(o.personnes), 0);
	if (known > 0) {
		const job = bilan.sorties.filter((o) => String(o.situation).startsWith('Emploi')).reduce((a, o) => a + num(o.personnes), 0);
		out.push(`Six mois après leur parcours, ${plural(job, 'personne est', 'personnes sont')} en emploi sur ${plural(known, 'situation connue', 'situations connues')}.`);
	}
	if (s.penalitesProposees + s.penalitesAppliquees + s.penalitesRecouvrees > 0) {
		out.push(`Pénalités pour heures non réalisées : ${formatEuros(s.penalitesProposees)} proposées, ${formatEuros(s.penalitesAppliquees)} notifiées après les observations des titulaires, ${formatEuros(s.penalitesRecouvrees)} recouvrées.`);
	}
	return out;
}

/** Les lignes qui portent le plus d'heures dues, au plus `max`. */
function largest(rows: BilanRow[], max: number): BilanRow[] {
	return rows.length <= max ? rows : [...rows].sort((a, b) => num(b.heuresDues) - num(a.heuresDues)).slice(0, max);
}

function completionChart(id: string, titre: string, rows: BilanRow[], label: (r: BilanRow) => string, max = 12): ChartSpec {
	const shown = largest(
		rows.filter((r) => typeof r.tauxRealisationADate === 'number' || typeof r.tauxRealisation === 'number'),
		max,
	);
	const bars = shown.map((r) => ({ libelle: label(r), valeur: roundTo(num(r.tauxRealisationADate) * 100, 1), valeur2: roundTo(num(r.tauxRealisation) * 100, 1) }));
	const hidden = rows.length - shown.length;
	return {
		id,
		titre,
		type: 'doubles',
		unite: '%',
		barres: bars,
		legende: ['à date (÷ heures attendues)', 'sur le total (÷ heures dues)'],
		repere: 100,
		note: hidden > 0 ? `Les ${max} qui portent le plus d\u2019heures dues ; les ${formatNumber(hidden)} autres sont dans le classeur.` : undefined,
	};
}

/**
 * Page « Autres considérations sociales » : la section en phrases, puis une
 * ligne par échéance (engagement, marché et lot, titulaire, indicateur,
 * échéance, état à la fin de la période).
 */
export function commitmentPage(commitments: CommitmentBilan): BilanDocument['pages'][number] {
	const MAX = 40;
	const shown = commitments.lignes.slice(0, MAX);
	const table: TableSpec = {
		titre: 'Engagements et échéances de la période',
		colonnes: ['Engagement', 'Marché / lot', 'Titulaire', 'Indicateur', 'Échéance', 'État'],
		alignement: ['g', 'g', 'g', 'g', 'g', 'g'],
		// Largeurs en points sur la page A4 (511 pt utiles) : marché et lot, date et état lisibles en entier.
		poids: [125, 80, 68, 68, 50, 120],
		lignes: shown.map((l) => [
			`${l.numero} – ${l.libelle}`,
			`${l.marche}, lot ${l.lot}`,
			l.titulaire ?? '',
			l.indicateur,
			frenchShortDate(l.echeance),
			l.situation,
		]),
		note: `${commitments.lignes.length > MAX ? `Les ${MAX} premières échéances sur ${formatNumber(commitments.lignes.length)}. ` : ''}État à la fin de la période. Pénalité proposée : calculée selon le CCAP, à approuver par l\u2019acheteur ; notifiée : envoyée au titulaire. Détail (nature, valeurs attendues et atteintes, montants) dans la feuille « ${COMMITMENT_SECTION_TITLE} » du classeur.`,
	};
	return { titre: COMMITMENT_SECTION_TITLE, paragraphes: [commitments.texte], graphiques: [], tableaux: commitments.lignes.length > 0 ? [table] : [] };
}

/** L'état d'un marché du groupe en deux ou trois mots (une cellule ; l'écart est dans la colonne voisine). */
function shortSituation(m: PoolBilanMember): string {
	if (m.couverte) return 'couvert par la mutualisation';
	return m.avance > 0 ? 'en avance' : m.avance === 0 ? 'à jour' : 'en retard';
}

/**
 * Page « Mutualisation des heures » : la section en phrases, puis un tableau
 * par groupe (chaque marché avec sa part : heures dues, attendues, réalisées,
 * avance ou retard ; l'ensemble du groupe : l'obligation mutualisée).
 */
export function poolPage(pooling: PoolBilan): BilanDocument['pages'][number] {
	const MAX = 12;
	const signed = (h: number) => (h > 0 ? `+${formatHours(h)}` : h < 0 ? `\u2212${formatHours(-h)}` : formatHours(0));
	const tables: TableSpec[] = pooling.groupes.slice(0, MAX).map((g) => ({
		titre: `Groupe « ${g.libelle} » : ${g.titulaire} (${g.fondement})`,
		colonnes: ['Marché / lot', 'Acheteur', 'Heures dues', 'Attendues', 'Réalisées', 'Avance ou retard', 'Situation'],
		alignement: ['g', 'g', 'd', 'd', 'd', 'd', 'g'],
		// Largeurs en points sur la page A4 (511 pt utiles).
		poids: [85, 80, 56, 50, 50, 74, 116],
		lignes: [
			...g.membres.map((m) => [`${m.marche}, lot ${m.lot}`, m.acheteur, formatHours(m.heuresDues), formatHours(m.heuresAttendues), formatHours(m.heuresDeclarees), signed(m.avance), shortSituation(m)]),
			['Ensemble du groupe', '', formatHours(g.heuresDues), formatHours(g.heuresAttendues), formatHours(g.heuresDeclarees), signed(roundTo(-g.ecart, 2)), g.enRetard ? 'en retard' : 'à jour'],
		],
		note: `Groupe ${g.situation}.${g.absentes.length > 0 ? ` Hors du calcul (absents du registre) : ${g.absentes.join(' ; ')}.` : ''}`,
	}));
	const more = pooling.groupes.length - tables.length;
	return {
		titre: POOL_SECTION_TITLE,
		paragraphes: [
			// Sous le titre de la page, la phrase ne le répète pas.
			capitalize(pooling.texte.replace(`${POOL_SECTION_TITLE} : `, '')),
			`Quand le CCAP le permet, les heures d\u2019insertion d\u2019un titulaire sont mises en commun entre ses marchés : le groupe est à jour quand ses marchés ensemble réalisent les heures attendues à fin ${frenchMonth(pooling.fin)} (l\u2019obligation mutualisée), à ${formatPercent(pooling.tolerance)} des heures dues près, comme pour la relance mensuelle. Chaque marché garde sa part : ses heures dues, attendues et réalisées, son avance ou son retard.${more > 0 ? ` Les ${MAX} premiers groupes sur ${formatNumber(pooling.groupes.length)} ; tous sont dans la feuille « ${POOL_SECTION_TITLE} » du classeur.` : ''}`,
		],
		graphiques: [],
		tableaux: tables,
	};
}

/** Le document des élus ; avec `commitments` (bilan tiré du registre), la page des autres considérations sociales. */
export function bilanDocument(bilan: Bilan, meta: { titre: string; collectivite?: string; dateBilan: string }, commitments?: CommitmentBilan): BilanDocument {
	const s = bilan.synthese;
	const periode = `${frenchMonth(bilan.periode.debut)} à ${frenchMonth(bilan.periode.fin)}`;
	const chiffresCles: KeyFigure[] = [
		{ valeur: formatNumber(s.marchesAvecClause), libelle: 'marchés avec une clause d\u2019insertion', detail: s.partMarchesAvecClause !== null ? `${pct(s.partMarchesAvecClause)} des ${formatNumber(s.nombreMarches ?? 0)} marchés de la période` : `${plural(s.lotsAvecClause, 'lot', 'lots')}` },
		{ valeur: formatHours(s.heuresRealiseesPeriode), libelle: 'heures d\u2019insertion réalisées sur la période', detail: `${formatHours(s.heuresRealiseesCumul)} depuis le début des marchés` },
		{ valeur: pct(s.tauxRealisationADate), libelle: 'des heures attendues à date', detail: `${pct(s.tauxRealisation)} des ${formatHours(s.heuresDues)} dues au total` },
		{ valeur: formatNumber(s.personnes), libelle: 'personnes en insertion', detail: s.femmes > 0 ? `dont ${plural(s.femmes, 'femme', 'femmes')}` : 'comptées une fois chacune' },
		{ valeur: formatNumber(s.titulaires), libelle: 'entreprises titulaires', detail: `${plural(s.lotsAvecClause, 'lot clausé', 'lots clausés')}` },
		{ valeur: formatEuros(s.penalitesAppliquees), libelle: 'pénalités notifiées', detail: `${formatEuros(s.penalitesProposees)} proposées, ${formatEuros(s.penalitesRecouvrees)} recouvrées` },
	];
	const grapheSynthese: ChartSpec = {
		id: 'heuresParMois',
		titre: 'Heures d\u2019insertion réalisées chaque mois',
		type: 'colonnes',
		unite: 'h',
		barres: bilan.parMois.map((m) => ({ libelle: shortMonth(String(m.mois)), valeur: num(m.heures) })),
	};
	const hasList = s.listeDesMarches;
	const natureShares: ChartSpec = hasList
		? {
				id: 'marchesParNature',
				titre: 'Marchés de la période avec et sans clause, par nature',
				type: 'empilees',
				unite: 'marchés',
				barres: bilan.parNature.filter((n) => num(n.marches) > 0).map((n) => ({ libelle: String(n.nature), valeur: num(n.marchesAvecClause), valeur2: num(n.marchesSansClause) })),
				legende: ['avec clause', 'sans clause'],
			}
		: {
				id: 'marchesParNature',
				titre: 'Marchés avec une clause, par nature',
				type: 'barres',
				unite: 'marchés',
				barres: bilan.parNature.filter((n) => num(n.marchesAvecClause) > 0).map((n) => ({ libelle: String(n.nature), valeur: num(n.marchesAvecClause) })),
				note: 'Sans liste de tous les marchés de la période, la part des marchés avec clause n\u2019est pas connue.',
			};
	const years = bilan.parAnnee.map((y) => ({ libelle: `${String(y.annee)}${y.anneeIncomplete === 'oui' ? ' (en cours)' : ''}`, valeur: num(y.heures) }));
	const prioritaires: ChartSpec = {
		id: 'publicsPrioritaires',
		titre: 'Part des personnes, par public',
		type: 'barres',
		unite: '%',
		barres: bilan.publicsPrioritaires.map((p) => ({ libelle: String(p.indicateur), valeur: roundTo(num(p.part) * 100, 1) })),
		note: 'Une personne peut relever de plusieurs publics.',
	};
	const modalites: ChartSpec = {
		id: 'heuresParModalite',
		titre: 'Heures par modalité de mise en œuvre',
		type: 'barres',
		unite: 'h',
		barres: bilan.modalites.filter((m) => num(m.heures) > 0).map((m) => ({ libelle: String(m.modalite), valeur: num(m.heures) })),
	};
	const marketTable: TableSpec = {
		titre: 'Marchés avec une clause',
		colonnes: ['Marché', 'Objet', 'Heures dues', 'Période', 'À date', 'Sur le total'],
		alignement: ['g', 'g', 'd', 'd', 'd', 'd'],
		note: `${bilan.parMarche.length > 30 ? `Les 30 marchés qui portent le plus d\u2019heures dues, sur ${formatNumber(bilan.parMarche.length)} (tous dans le classeur). ` : ''}Période : heures réalisées sur la période. À date : heures réalisées depuis le début ÷ heures attendues à la fin de la période. Sur le total : ÷ heures dues.`,
		lignes: largest(bilan.parMarche, 30).map((m) => [String(m.marche), String(m.objet ?? ''), formatHours(num(m.heuresDues)), formatHours(num(m.heuresRealiseesPeriode)), pct(m.tauxRealisationADate), pct(m.tauxRealisation)]),
	};
	const sorties: TableSpec = {
		titre: 'Situation des personnes six mois après',
		colonnes: ['Situation', 'Personnes', 'Part'],
		alignement: ['g', 'd', 'd'],
		lignes: bilan.sorties.map((o) => [String(o.situation), formatNumber(num(o.personnes)), pct(o.part)]),
		note: 'Part : sur les personnes dont la situation est connue (renseignée par le facilitateur dans les relevés).',
	};
	const penalties: TableSpec = {
		titre: 'Pénalités pour heures non réalisées',
		colonnes: ['Marché', 'Lot', 'Titulaire', 'Proposées', 'Notifiées', 'Recouvrées'],
		alignement: ['g', 'g', 'g', 'd', 'd', 'd'],
		lignes: bilan.penalites.map((p) => [String(p.marche), String(p.lot), String(p.titulaire ?? ''), formatEuros(num(p.penalitesProposees)), formatEuros(num(p.penalitesAppliquees)), formatEuros(num(p.penalitesRecouvrees))]),
	};
	const territories: TableSpec = {
		titre: 'Par territoire et par facilitateur',
		colonnes: ['Territoire ou facilitateur', 'Marchés avec clause', 'Heures (période)', 'Personnes'],
		alignement: ['g', 'd', 'd', 'd'],
		lignes: [
			...largest(bilan.parTerritoire.filter((t) => num(t.marchesAvecClause) > 0), 20).map((t) => [`Territoire ${String(t.territoire)}`, formatNumber(num(t.marchesAvecClause)), formatHours(num(t.heuresRealiseesPeriode)), formatNumber(num(t.personnes))]),
			...largest(bilan.parFacilitateur, 20).map((f) => [String(f.facilitateur), formatNumber(num(f.lots)) + ' lot(s)', formatHours(num(f.heuresRealiseesPeriode)), formatNumber(num(f.personnes))]),
		],
	};
	return {
		titre: meta.titre,
		collectivite: meta.collectivite,
		periode,
		dateBilan: frenchLongDate(meta.dateBilan),
		chiffresCles,
		commentaire: bilanCommentary(bilan),
		grapheSynthese,
		pages: [
			{
				titre: 'Réalisation des heures',
				graphiques: [
					completionChart('realisationParMarche', 'Réalisation des heures par marché', bilan.parMarche, (r) => String(r.marche)),
					completionChart('realisationParTerritoire', 'Réalisation des heures par territoire', bilan.parTerritoire.filter((t) => num(t.lots) > 0), (r) => String(r.territoire)),
					{ id: 'heuresParAnnee', titre: 'Heures réalisées d\u2019une année sur l\u2019autre', type: 'colonnes', unite: 'h', barres: years },
				],
				tableaux: [],
			},
			{
				titre: 'Marchés et publics',
				graphiques: [
					natureShares,
					{ id: 'heuresParNature', titre: 'Heures réalisées sur la période, par nature de marché', type: 'barres', unite: 'h', barres: bilan.parNature.filter((n) => num(n.heuresRealiseesPeriode) > 0).map((n) => ({ libelle: String(n.nature), valeur: num(n.heuresRealiseesPeriode) })) },
					prioritaires,
					modalites,
				],
				tableaux: [],
			},
			{ titre: 'Détail', graphiques: [], tableaux: [marketTable, territories, sorties, ...(penalties.lignes.length > 0 ? [penalties] : [])] },
			...(bilan.mutualisation ? [poolPage(bilan.mutualisation)] : []),
			...(commitments ? [commitmentPage(commitments)] : []),
		],
		methode: [
			'Heures réalisées : heures du mois déclarées par les titulaires dans leurs relevés mensuels, formation à part ; une ligne corrigée ne compte qu\u2019une fois.',
			'Réalisation à date : heures réalisées depuis le début du marché, rapportées aux heures attendues à la fin de la période (échéancier de la clause, sinon au prorata de la durée d\u2019exécution écoulée). Réalisation sur le total : rapportée à toutes les heures dues au marché.',
			'Personnes : comptées une fois chacune, même présentes sur plusieurs marchés (identifiant anonyme attribué par le facilitateur).',
			'Part des marchés avec une clause : sur tous les marchés en exécution pendant la période, avec et sans clause.',
			...(bilan.mutualisation
				? [
						`Mutualisation des heures (${SOURCES.avise2014}, guichet unique) : groupes de marchés d\u2019un même titulaire déclarés au registre ; un marché en retard sur sa part dont le groupe atteint l\u2019obligation mutualisée est « couvert par la mutualisation » et n\u2019est pas compté parmi les lots en retard.`,
					]
				: []),
			...(commitments
				? [
						`Autres considérations sociales (${SOURCES.allianceVillesEmploi}) : engagements du titulaire déclarés au registre (actions qualitatives, plan de progrès, illettrisme, égalité femmes-hommes, stagiaires) ; une échéance est tenue quand son justificatif est reçu au plus tard à la fin de la période.`,
					]
				: []),
		],
		sources: BILAN_SOURCES,
	};
}
