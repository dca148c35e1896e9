/**
 * Mutualisation des heures (guichet unique) et part des entreprises
 * intervenantes : règles du cœur, sans n8n.
 */
import type { ClauseRecord, ReportLine } from '../../nodes/core';
import {
	CLAUSE_READER,
	INTERVENANT_LABELS,
	IntervenantsRecordSchema,
	PENALTY_FIELDS_READER,
	POOL_LABELS,
	PoolRecordSchema,
	REPORT_LINE_READER,
	ReportIndex,
	applyMissingEmployers,
	applyPoolToReminder,
	assessPenalties,
	BilanAccumulator,
	bilanDocument,
	bilanKeyFigures,
	parseBilanSettings,
	poolRows,
	withPooling,
	checkPool,
	clauseKey,
	decideReminder,
	decideStep,
	employerTable,
	missingEmployerLines,
	parseReminderSettings,
	parseSettings,
	poolPenaltyCover,
	poolStatus,
	readRecord,
	renderReminder,
} from '../../nodes/core';
import { POOL_HOLDER } from '../helpers/mutualisation';
import { anomalyFrom, penaltySettingsAt } from './support';

const clause = (overrides: Record<string, unknown> = {}): ClauseRecord =>
	readRecord(
		CLAUSE_READER,
		{ marche: '2026-TRX-014', lot: '4', ...POOL_HOLDER, ...overrides },
		'clause',
	);

const A = clause();
const B = clause({ marche: '2026-TRX-020', lot: '1' });
const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10'];

const line = (c: ClauseRecord, mois: string, heuresMois: number, extra: Record<string, unknown> = {}): ReportLine =>
	readRecord(REPORT_LINE_READER, { marche: c.marche, lot: c.lot, mois, participant: 'P1', heuresMois, ...extra }, 'ligne');
const monthly = (c: ClauseRecord, hours: number, months = MONTHS) => months.map((m) => line(c, m, hours));

const pool = (extra: Record<string, unknown> = {}) =>
	parseSettings(
		PoolRecordSchema,
		{ groupe: 'BTP-VAL-2026', perimetre: 'acheteur', fondement: 'CCAP, article 9.4', clauses: [{ marche: A.marche, lot: A.lot }, { marche: B.marche, lot: B.lot }], ...extra },
		POOL_LABELS,
	);
const settings = (dateReference = '2026-11-02') => parseReminderSettings({ dateReference });
const index = (...clauses: ClauseRecord[]) => {
	const map = new Map(clauses.map((c) => [clauseKey(c), c]));
	return (key: string) => map.get(key);
};

describe('mutualisation des heures : situation du groupe', () => {
	it('chaque marché garde sa part, son avance ou son retard ; le groupe atteint l’obligation mutualisée', () => {
		// A : 200 h, B : 600 h déclarées ; 378,96 h attendues chacun à fin octobre (prorata).
		const reports = new ReportIndex([...monthly(A, 20), ...monthly(B, 60)]);
		const status = poolStatus(pool(), index(A, B), (k) => reports.months(k), '2026-10', 10);
		expect(status).toMatchObject({ heuresDues: 910, heuresAttendues: 757.92, heuresDeclarees: 800, ecart: -42.08, enRetard: false, titulaire: 'Bâtiments du Val' });
		expect(status.membres.map((m) => [m.marche, m.heuresDeclarees, m.avance, m.part])).toEqual([
			['2026-TRX-014', 200, -178.96, 0.25],
			['2026-TRX-020', 600, 221.04, 0.75],
		]);
		expect(status.resume).toContain('à jour');
	});

	it('une clause en retard couverte par son groupe : ni relance de retard, et sa décision le dit', () => {
		const reports = new ReportIndex([...monthly(A, 20), ...monthly(B, 60)]);
		const s = settings();
		const status = poolStatus(pool(), index(A, B), (k) => reports.months(k), '2026-10', s.toleranceRetard);
		const alone = decideReminder(A, reports, s);
		expect(alone).toMatchObject({ enRetard: true, niveau: 'relance1' });
		const pooled = applyPoolToReminder(A, alone, reports, s, status);
		expect(pooled).toMatchObject({ enRetard: false, niveau: 'aucun', statut: 'aJour', cleEnvoi: null, heuresDeclarees: 200 });
		expect(pooled.mutualisation).toMatchObject({ couverte: true, groupeEnRetard: false, heuresDeclareesGroupe: 800 });
		expect(pooled.motif).toContain('Clause couverte par la mutualisation du groupe « BTP-VAL-2026 » (CCAP, article 9.4)');
		// La clause en avance reste sans relance, avec la situation du groupe.
		const ahead = applyPoolToReminder(B, decideReminder(B, reports, s), reports, s, status);
		expect(ahead).toMatchObject({ niveau: 'aucun', mutualisation: { couverte: false } });
	});

	it('un relevé manquant reste relancé, même couvert pour les heures', () => {
		const reports = new ReportIndex([...monthly(A, 20, MONTHS.slice(0, 9)), ...monthly(B, 70)]);
		const s = settings();
		const status = poolStatus(pool(), index(A, B), (k) => reports.months(k), '2026-10', s.toleranceRetard);
		const pooled = applyPoolToReminder(A, decideReminder(A, reports, s), reports, s, status);
		expect(pooled).toMatchObject({ statut: 'releveManquant', niveau: 'relance1', enRetard: false });
		expect(pooled.moisManquants.map((m) => m.mois)).toEqual(['2026-10']);
		expect(pooled.motif).toMatch(/^Relevé d’octobre 2026 non reçu\. Clause couverte par la mutualisation/);
		const mail = renderReminder(A, pooled, { signature: 'La mission', modeleJoint: false, mutualisation: pooled.mutualisation.texte });
		expect(mail.text).toContain('l’obligation mutualisée est atteinte ; ce marché n’est donc pas relancé au titre des heures');
		expect(mail.text).not.toContain('soit un retard');
	});

	it('groupe en retard : la clause en retard est relancée, avec le retard du groupe', () => {
		const reports = new ReportIndex([...monthly(A, 20), ...monthly(B, 30)]);
		const s = settings();
		const status = poolStatus(pool(), index(A, B), (k) => reports.months(k), '2026-10', s.toleranceRetard);
		expect(status).toMatchObject({ heuresDeclarees: 500, enRetard: true, ecart: 257.92 });
		const pooled = applyPoolToReminder(A, decideReminder(A, reports, s), reports, s, status);
		expect(pooled).toMatchObject({ enRetard: true, niveau: 'relance1', mutualisation: { couverte: false, groupeEnRetard: true } });
		expect(pooled.mutualisation.texte).toContain('l’ensemble du groupe est en retard de 257,92');
	});
});

describe('mutualisation des heures : le bilan', () => {
	/** Bilan de janvier à octobre 2026 des deux marchés, avec leurs groupes (lus au registre). */
	const bilanOf = (hoursA: number, hoursB: number, pools = [pool()]) => {
		const acc = new BilanAccumulator(parseBilanSettings({ debut: '2026-01', fin: '2026-10' }));
		acc.addRecords({ clauses: [A, B], lignes: [...monthly(A, hoursA), ...monthly(B, hoursB)] });
		return withPooling(acc.result(), acc.poolBilan(pools));
	};

	it('groupe à jour : obligation mutualisée et part de chaque marché ; le lot en retard couvert n’est pas compté en retard, et le bilan le dit', () => {
		// A : 100 h pour 378,96 attendues à fin octobre (26 %), B : 800 h ; le groupe : 900 h pour 757,92.
		const bilan = bilanOf(10, 80);
		const pooling = bilan.mutualisation!;
		expect(pooling).toMatchObject({ fin: '2026-10', tolerance: 10, groupesAJour: 1, groupesEnRetard: 0, clausesCouvertes: [clauseKey(A)], heuresCouvertes: 278.96 });
		const [group] = pooling.groupes;
		expect(group).toMatchObject({ libelle: 'BTP-VAL-2026', titulaire: 'Bâtiments du Val', heuresDues: 910, heuresAttendues: 757.92, heuresDeclarees: 900, enRetard: false });
		expect(group.situation).toBe('à jour : obligation mutualisée atteinte');
		expect(group.membres.map((m) => [m.marche, m.heuresDues, m.heuresAttendues, m.heuresDeclarees, m.avance, m.couverte, m.situation])).toEqual([
			['2026-TRX-014', 455, 378.96, 100, -278.96, true, 'en retard de 278,96\u00a0h, couvert par la mutualisation'],
			['2026-TRX-020', 455, 378.96, 800, 421.04, false, 'en avance de 421,04\u00a0h'],
		]);
		// Indicateurs : sans la mutualisation, A serait « 1 lot(s) sous 50 % ».
		const figures = bilanKeyFigures(bilan).join('\n');
		expect(figures).not.toContain('1 lot(s) sous 50 % des heures attendues à fin octobre 2026 (feuille « Par lot »)');
		expect(figures).toContain('1 lot(s) sous 50 % des heures attendues à fin octobre 2026, couvert(s) par la mutualisation des heures de leur groupe (feuille « Mutualisation des heures »).');
		expect(figures).toContain('Mutualisation des heures : 1 groupe de marchés dont le CCAP permet de mettre en commun les heures d’insertion d’un même titulaire (2 marchés) ; à fin octobre 2026, 1 groupe atteint l’obligation mutualisée.');
		expect(figures).toContain('1 marché en retard sur sa propre part est couvert par l’avance des autres marchés de son groupe (278,96\u00a0h) : il n’est pas compté en retard dans ce bilan.');
		expect(bilan.parLot.map((l) => [l.marche, l.mutualisation, l.couvertParMutualisation])).toEqual([
			['2026-TRX-014', 'groupe « BTP-VAL-2026 » : couvert par la mutualisation', 'oui'],
			['2026-TRX-020', 'groupe « BTP-VAL-2026 » : groupe à jour', 'non'],
		]);
		// Lignes du classeur : chaque marché, puis l'ensemble du groupe.
		expect(poolRows(pooling).map((r) => [r.marche, r.heuresRealisees, r.avance])).toEqual([
			['2026-TRX-014', 100, -278.96],
			['2026-TRX-020', 800, 421.04],
			['Ensemble du groupe', 900, 142.08],
		]);
		// Document des élus : une page, un tableau par groupe, le commentaire le dit.
		const doc = bilanDocument(bilan, { titre: 'Bilan 2026', dateBilan: '2026-11-15' });
		const page = doc.pages.find((p) => p.titre === 'Mutualisation des heures')!;
		expect(page.tableaux[0].titre).toBe('Groupe « BTP-VAL-2026 » : Bâtiments du Val (CCAP, article 9.4)');
		// Sous le titre de la page, la première phrase ne le répète pas.
		expect(page.paragraphes?.[0]).toMatch(/^1 groupe de marchés dont le CCAP permet de mettre en commun/);
		expect(page.tableaux[0].lignes.map((l) => [l[0], l[5], l[6]])).toEqual([
			['2026-TRX-014, lot 4', '\u2212278,96\u00a0h', 'couvert par la mutualisation'],
			['2026-TRX-020, lot 1', '+421,04\u00a0h', 'en avance'],
			['Ensemble du groupe', '+142,08\u00a0h', 'à jour'],
		]);
		const commentary = doc.commentaire.join(' ');
		expect(commentary).not.toContain('sous la moitié des heures attendues et fait l’objet d’un suivi rapproché');
		expect(commentary).toContain('les engagements sont tenus, et au-delà ; 1\u00a0lot est sous la moitié des heures attendues sur sa propre part, mais couvert par la mutualisation des heures de son titulaire.');
	});

	it('groupe en retard : le lot en retard reste compté en retard', () => {
		// A : 100 h, B : 200 h ; le groupe : 300 h pour 757,92 attendues, au-delà de 10 % des 910 h dues.
		const bilan = bilanOf(10, 20);
		const [group] = bilan.mutualisation!.groupes;
		expect(group).toMatchObject({ enRetard: true, ecart: 457.92 });
		expect(group.situation).toBe('en retard de 457,92\u00a0h sur l’obligation mutualisée (tolérance de 10\u00a0% des 910\u00a0h dues)');
		expect(group.membres.map((m) => m.situation)).toEqual(['en retard de 278,96\u00a0h, groupe en retard', 'en retard de 178,96\u00a0h, groupe en retard']);
		expect(bilan.mutualisation!.clausesCouvertes).toEqual([]);
		// A (26 % des heures attendues) reste compté sous 50 %, sans « couvert ».
		expect(bilanKeyFigures(bilan)).toContain('1 lot(s) sous 50 % des heures attendues à fin octobre 2026 (feuille « Par lot »).');
		expect(bilanKeyFigures(bilan).join(' ')).not.toContain('couvert');
		expect(bilan.mutualisation!.texte).toBe('Mutualisation des heures : 1 groupe de marchés dont le CCAP permet de mettre en commun les heures d’insertion d’un même titulaire (2 marchés) ; à fin octobre 2026, 1 groupe est en retard.');
	});

	it('sans groupe au registre : le bilan est rendu tel quel', () => {
		const acc = new BilanAccumulator(parseBilanSettings({ debut: '2026-01', fin: '2026-10' }));
		acc.addRecords({ clauses: [A, B], lignes: [...monthly(A, 10), ...monthly(B, 80)] });
		const plain = acc.result();
		expect(withPooling(plain, acc.poolBilan([]))).toBe(plain);
		expect(plain.mutualisation).toBeUndefined();
		expect(bilanKeyFigures(plain)).toContain('1 lot(s) sous 50 % des heures attendues à fin octobre 2026 (feuille « Par lot »).');
		expect(bilanDocument(plain, { titre: 'Bilan', dateBilan: '2026-11-15' }).pages.map((p) => p.titre)).not.toContain('Mutualisation des heures');
	});
});

describe('mutualisation des heures : contrôle du groupe déclaré', () => {
	it('deux clauses au moins', () => {
		const error = anomalyFrom(() => pool({ clauses: [{ marche: A.marche, lot: A.lot }] }));
		expect(error.anomalies[0]).toMatchObject({ champ: 'clauses', regle: 'mutualisation.deuxClauses' });
	});

	it('même titulaire, même acheteur (ou même facilitateur), clauses connues, un seul groupe par clause', () => {
		const other = clause({ marche: '2026-TRX-030', lot: '2', siret: '41234567800012', titulaire: 'Autre SA' });
		const withOther = pool({ clauses: [{ marche: A.marche, lot: A.lot }, { marche: other.marche, lot: other.lot }] });
		expect(anomalyFrom(() => checkPool(withOther, index(A, other), [])).anomalies[0]).toMatchObject({ regle: 'mutualisation.titulaire' });

		const otherBuyer = clause({ marche: '2026-COL-007', lot: '3', acheteur: 'Département du Val', emailAcheteur: 'achats@departement.example.test' });
		const crossBuyers = (perimetre: string) => pool({ perimetre, clauses: [{ marche: A.marche, lot: A.lot }, { marche: otherBuyer.marche, lot: otherBuyer.lot }] });
		expect(anomalyFrom(() => checkPool(crossBuyers('acheteur'), index(A, otherBuyer), [])).anomalies[0]).toMatchObject({ regle: 'mutualisation.acheteur' });
		// Guichet unique : deux acheteurs, un même facilitateur.
		expect(checkPool(crossBuyers('guichet unique'), index(A, otherBuyer), [])).toMatchObject({ titulaire: 'Bâtiments du Val', siret: '73282932000074' });

		const unknown = anomalyFrom(() => checkPool(pool(), index(A), []));
		expect(unknown.anomalies[0]).toMatchObject({ champ: 'clauses[1]', regle: 'mutualisation.clauseInconnue' });
		expect(unknown.anomalies[0].message).toContain('marché 2026-TRX-020, lot 1 absent du registre');

		const taken = pool({ groupe: 'AUTRE', clauses: [{ marche: B.marche, lot: B.lot }, { marche: other.marche, lot: other.lot }] });
		expect(anomalyFrom(() => checkPool(pool(), index(A, B), [taken])).anomalies[0]).toMatchObject({ regle: 'mutualisation.autreGroupe' });
		// La nouvelle déclaration d'un même groupe ne se heurte pas à son ancienne version.
		expect(checkPool(pool(), index(A, B), [pool()]).cles).toEqual([clauseKey(A), clauseKey(B)]);
	});
});

describe('mutualisation des heures : pénalités', () => {
	const penaltySettings = penaltySettingsAt('2027-01-20');
	const YEAR = [...MONTHS, '2026-11', '2026-12'];
	const fields = () => readRecord(PENALTY_FIELDS_READER, { bilanRemis: 'oui', dateRemiseBilan: '2027-01-05' }, 'clause');

	it('groupe à jour : les heures manquantes de la clause sont couvertes, aucune pénalité', () => {
		// A : 300 h sur 455 ; B : 700 h sur 455 ; le groupe : 1 000 h pour 910.
		const reports = new ReportIndex([...monthly(A, 25, YEAR), ...monthly(B, 700 / 12, YEAR)]);
		const cover = poolPenaltyCover(A, 455, pool(), index(A, B), (k) => reports.months(k), A.finExecution)!;
		expect(cover.note).toMatchObject({ manqueClause: 155, manqueGroupe: 0, heuresRetenues: 0, heuresCouvertes: 155, heuresDuesGroupe: 910 });
		expect(cover.neutralisation).toMatchObject({ motif: 'mutualisation', heures: 155 });
		const f = { ...fields(), neutralisations: [cover.neutralisation!] };
		const a = assessPenalties(A, f, reports.months(clauseKey(A)), penaltySettings);
		expect(a.heures).toMatchObject({ dues: 455, realisees: 300, neutralisees: 155, manquantes: 0 });
		expect(a.lignes.map((l) => l.code)).not.toContain('heures');
		expect(a.total).toBe(0);
		expect(decideStep(A, f, a).etape).toBe('aucune');
		// Sans la mutualisation, la même clause serait mise en demeure.
		const alone = assessPenalties(A, fields(), reports.months(clauseKey(A)), penaltySettings);
		expect(alone.total).toBe(9300);
		expect(decideStep(A, fields(), alone).etape).toBe('miseEnDemeure');
	});

	it('groupe en manque : le manque du groupe retenu, le reste couvert par l’avance des autres', () => {
		// A : 300 h (manque 155) ; B : 500 h (avance 45) ; le groupe manque 110 h.
		const reports = new ReportIndex([...monthly(A, 25, YEAR), ...monthly(B, 500 / 12, YEAR)]);
		const cover = poolPenaltyCover(A, 455, pool(), index(A, B), (k) => reports.months(k), A.finExecution)!;
		expect(cover.note).toMatchObject({ manqueClause: 155, manqueGroupe: 110, heuresRetenues: 110, heuresCouvertes: 45 });
		const a = assessPenalties(A, { ...fields(), neutralisations: [cover.neutralisation!] }, reports.months(clauseKey(A)), penaltySettings);
		expect(a.heures.manquantes).toBe(110);
		expect(a.lignes.find((l) => l.code === 'heures')?.montant).toBe(6600);
		// La clause en avance n'a pas de manque : rien à couvrir.
		expect(poolPenaltyCover(B, 455, pool(), index(A, B), (k) => reports.months(k), B.finExecution)).toBeUndefined();
	});
});

describe('part des sous-traitants', () => {
	const intervenants = parseSettings(
		IntervenantsRecordSchema,
		{
			marche: A.marche,
			lot: A.lot,
			intervenants: [
				{ nom: 'Maçonnerie Dupont', siret: '41234567800012', role: 'sous-traitant' },
				{ nom: 'Ateliers du Val (AI)', siret: '80295478500027', role: 'mise à disposition', debut: '2026-10-01' },
			],
		},
		INTERVENANT_LABELS,
	).intervenants;

	it('tableau des heures par employeur : titulaire, sous-traitant, SIAE, et les entreprises sans ligne', () => {
		const lines = [
			line(A, '2026-09', 30),
			line(A, '2026-09', 20, { participant: 'P2', employeur: 'sous-traitant', nomEmployeur: 'Maçonnerie Dupont', siretEmployeur: '41234567800012' }),
			line(A, '2026-10', 35),
			line(A, '2026-10', 15, { participant: 'P2', nomEmployeur: 'maconnerie dupont' }),
			line(A, '2026-10', 10, { participant: 'P3', employeur: 'ETTI' }),
		];
		const table = employerTable(A, lines, intervenants);
		expect(table.heuresDeclarees).toBe(110);
		expect(table.lignes.map((r) => [r.employeur, r.role, r.heures, r.personnes, r.part])).toEqual([
			['Bâtiments du Val', 'Titulaire', 65, 1, 0.5909],
			['Maçonnerie Dupont', 'Sous-traitant', 35, 1, 0.3182],
			['Ateliers du Val (AI)', 'SIAE mettant du personnel à disposition', 0, 0, 0],
			['Entreprise de travail temporaire d’insertion (ETTI) (non nommé)', 'Entreprise de travail temporaire d’insertion (ETTI)', 10, 1, 0.0909],
		]);
		expect(table.sansLigne).toEqual([{ nom: 'Ateliers du Val (AI)', siret: '80295478500027', role: 'SIAE mettant du personnel à disposition' }]);
	});

	it('relance au titulaire qui nomme le sous-traitant sans ligne au relevé du mois', () => {
		const received = new Map([
			['2026-09', [line(A, '2026-09', 30), line(A, '2026-09', 0, { participant: undefined, siretEmployeur: '41234567800012' })]],
			['2026-10', [line(A, '2026-10', 35), line(A, '2026-10', 0, { participant: undefined, siretEmployeur: '80295478500027' })]],
		]);
		const missing = missingEmployerLines(A, intervenants, received, '2026-11-02');
		// Septembre : la ligne « néant » du sous-traitant suffit ; la SIAE n'intervient qu'à partir d'octobre.
		expect(missing.map((m) => [m.mois, m.nom])).toEqual([['2026-10', 'Maçonnerie Dupont']]);

		const reports = new ReportIndex(MONTHS.map((m) => line(A, m, 40)));
		const s = settings();
		const base = decideReminder(A, reports, s);
		expect(base).toMatchObject({ statut: 'aJour', niveau: 'aucun' });
		const decision = applyMissingEmployers(A, base, missing, s);
		expect(decision).toMatchObject({ statut: 'releveIncomplet', niveau: 'relance1' });
		expect(decision.cleEnvoi).toBe(`relance|${clauseKey(A)}|2026-10|relance1|contact@batiments-val.example.test|employeurs:41234567800012`);
		expect(decision.motif).toBe('Relevé incomplet : relevé d’octobre 2026 sans ligne pour Maçonnerie Dupont (sous-traitant, SIRET 41234567800012).');
		const mail = renderReminder(A, decision, { signature: 'La mission', modeleJoint: true, lignesManquantes: missing });
		expect(mail.subject).toBe('Clause sociale : relevé d’heures d’insertion à compléter – marché 2026-TRX-014, lot 4');
		expect(mail.text).toContain('Votre relevé d’octobre 2026 ne comporte aucune ligne pour l’entreprise Maçonnerie Dupont (sous-traitant, SIRET 41234567800012), déclarée sur ce marché.');
		expect(mail.text).toContain('merci de transmettre un relevé complété de leurs lignes');
		expect(mail.text).toContain('Nous vous remercions de transmettre ce relevé complété au PLIE du Val d’Argent');
		expect(mail.text).not.toContain('rattrapage');

		// Clause suspendue : rien.
		const suspended = clause({ statut: 'suspendue' });
		expect(applyMissingEmployers(suspended, decideReminder(suspended, reports, s), missing, s).niveau).toBe('aucun');
	});

	it('déclaration : SIRET et rôle contrôlés, en français', () => {
		const error = anomalyFrom(() => parseSettings(IntervenantsRecordSchema, { marche: 'M', lot: '1', intervenants: [{ nom: 'X', siret: '123', role: 'fournisseur' }] }, INTERVENANT_LABELS));
		expect(error.anomalies.map((a) => a.champ).sort()).toEqual(['intervenants[0].role', 'intervenants[0].siret']);
		expect(error.message).toMatch(/rôle|SIRET/);
	});
});
