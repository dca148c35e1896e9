import type { ClauseRecord, ReportLine } from '../../nodes/core';
import {
	CLAUSE_READER,
	REPORT_LINE_READER,
	ReportIndex,
	decideReminder,
	expectedHours,
	isCommitmentsOnly,
	parseReminderSettings,
	readRecord,
	reminderRecipients,
	renderReminder,
	rowReader,
	tryReadRecord,
} from '../../nodes/core';

const clause = (overrides: Record<string, unknown> = {}): ClauseRecord =>
	readRecord(
		CLAUSE_READER,
		{
			marche: '2026-TRX-014',
			lot: '4',
			intitule: 'Électricité',
			siret: '73282932000074',
			titulaire: 'Élec & Cie',
			emailTitulaire: 'contact@elec.example.test',
			heuresDues: 455,
			debutExecution: '2026-01-01',
			finExecution: '2026-12-31',
			facilitateur: 'PLIE du Val d’Argent',
			emailFacilitateur: 'plie@example.test',
			acheteur: 'Direction des lycées',
			emailAcheteur: 'lycees@region.example.test',
			...overrides,
		},
		'clause',
	);

const lines = (months: string[], hours = 40, extra: Record<string, unknown> = {}): ReportLine[] =>
	months.map((mois) => readRecord(REPORT_LINE_READER, { marche: '2026-TRX-014', lot: '4', mois, participant: 'P1', heuresMois: hours, ...extra }, 'ligne'));

const settings = (dateReference: string, extra: Record<string, unknown> = {}) => parseReminderSettings({ dateReference, ...extra });
const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10'];

describe('relance mensuelle : règles', () => {
	it('heures attendues au prorata des jours, ou selon la courbe prévisionnelle', () => {
		// 1er janvier au 31 décembre 2026 : 365 jours ; fin octobre = 304 jours écoulés.
		expect(expectedHours(clause(), '2026-10')).toBeCloseTo((455 * 304) / 365, 10);
		expect(expectedHours(clause(), '2027-03')).toBe(455);
		const withCurve = clause({ courbe: '2026-03:50 ; 2026-09:300 ; 2026-12:455' });
		expect(expectedHours(withCurve, '2026-02')).toBe(0);
		expect(expectedHours(withCurve, '2026-08')).toBe(50);
		expect(expectedHours(withCurve, '2026-10')).toBe(300);
	});

	it('à jour : aucune relance', () => {
		const d = decideReminder(clause(), new ReportIndex(lines(MONTHS, 40)), settings('2026-11-02'));
		expect(d).toMatchObject({ statut: 'aJour', niveau: 'aucun', moisReference: '2026-10', heuresDeclarees: 400, cleEnvoi: null });
		expect(d.heuresAttendues).toBe(378.96);
	});

	it('niveau selon l’ancienneté du plus ancien relevé manquant : 0, 28 et 56 jours', () => {
		const partial = new ReportIndex(lines(MONTHS.slice(0, 9), 45));
		expect(decideReminder(clause(), partial, settings('2026-11-02')).niveau).toBe('relance1');
		expect(decideReminder(clause(), partial, settings('2026-11-28')).niveau).toBe('relance2');
		expect(decideReminder(clause(), partial, settings('2026-12-26')).niveau).toBe('escalade');
		const d = decideReminder(clause(), partial, settings('2026-11-02'));
		expect(d.moisManquants).toEqual([{ mois: '2026-10', libelle: 'octobre 2026', joursDepuisFin: 2 }]);
		expect(d.motif).toBe('Relevé d’octobre 2026 non reçu.');
		expect(d.cleEnvoi).toBe('relance|2026trx014/4|2026-10|relance1|contact@elec.example.test');
	});

	it('une ligne « néant » à 0 h vaut relevé reçu', () => {
		const index = new ReportIndex([...lines(MONTHS.slice(0, 9), 45), ...lines(['2026-10'], 0, { participant: 'néant' })]);
		expect(decideReminder(clause(), index, settings('2026-11-02')).moisManquants).toEqual([]);
	});

	it('retard sur l’objectif au-delà de la tolérance : première relance, escalade une fois l’exécution terminée', () => {
		const behind = new ReportIndex(lines(MONTHS, 20));
		const d = decideReminder(clause(), behind, settings('2026-11-02'));
		expect(d).toMatchObject({ statut: 'enRetard', enRetard: true, niveau: 'relance1', heuresDeclarees: 200, ecart: 178.96 });
		expect(d.motif).toBe(
			'200\u00a0h déclarées pour 378,96\u00a0h attendues à fin octobre 2026 (écart de 178,96\u00a0h, tolérance de 10\u00a0% des 455\u00a0h dues).',
		);
		expect(decideReminder(clause(), behind, settings('2026-11-02', { toleranceRetard: 40 })).niveau).toBe('aucun');
		const ended = clause({ debutExecution: '2025-01-01', finExecution: '2025-12-31' });
		const endedLines = new ReportIndex(
			['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12'].flatMap((m) =>
				lines([m], 10),
			),
		);
		expect(decideReminder(ended, endedLines, settings('2026-02-02')).niveau).toBe('escalade');
	});

	it('rien pour une clause soldée, suspendue ou pas encore commencée ; relevés attendus jusqu’à la fin d’exécution seulement', () => {
		const none = new ReportIndex([]);
		expect(decideReminder(clause({ statut: 'soldée' }), none, settings('2026-11-02')).statut).toBe('soldee');
		expect(decideReminder(clause({ statut: 'Suspendue' }), none, settings('2026-11-02')).statut).toBe('suspendue');
		expect(decideReminder(clause({ debutExecution: '2026-11-03', finExecution: '2027-06-30' }), none, settings('2026-11-02')).statut).toBe('nonCommencee');
		const shortOne = clause({ debutExecution: '2026-01-05', finExecution: '2026-03-20' });
		const d = decideReminder(shortOne, new ReportIndex(lines(['2026-01', '2026-02'], 100)), settings('2026-11-02'));
		expect(d.moisManquants.map((m) => m.mois)).toEqual(['2026-03']);
	});

	it('refuse des délais incohérents et une date de référence illisible, en le disant', () => {
		expect(() => parseReminderSettings({ dateReference: '2026-11-02', joursRelance2: 10, joursRelance1: 20 })).toThrow(
			'Paramètres du nœud, délais de relance : délais incohérents (20, 10, 56 jours)',
		);
		expect(() => parseReminderSettings({ dateReference: '31/02/2026' })).toThrow('date de référence : «\u00a031/02/2026\u00a0» n\'est pas une date lisible');
	});

	it('destinataires : le titulaire, le facilitateur en copie ; l’acheteur en plus à l’escalade ; pas de doublon', () => {
		const c = clause({ copieRelances: 'suivi@region.example.test; PLIE@example.test' });
		const partial = new ReportIndex(lines(MONTHS.slice(0, 9), 45));
		expect(reminderRecipients(c, decideReminder(c, partial, settings('2026-11-02')))).toEqual({
			to: ['contact@elec.example.test'],
			cc: ['plie@example.test', 'suivi@region.example.test'],
		});
		expect(reminderRecipients(c, decideReminder(c, partial, settings('2026-12-26'))).cc).toEqual([
			'plie@example.test',
			'lycees@region.example.test',
			'suivi@region.example.test',
		]);
	});

	it('courriel : texte exact, HTML échappé', () => {
		const c = clause({ intitule: 'Électricité <b>courants forts</b>' });
		const d = decideReminder(c, new ReportIndex(lines(MONTHS.slice(0, 9), 45)), settings('2026-11-02'));
		const m = renderReminder(c, d, { signature: 'La mission clauses sociales\nRégion', modeleJoint: true });
		expect(m.subject).toBe('Clause sociale : relevé d’heures d’insertion à transmettre – marché 2026-TRX-014, lot 4 (Électricité <b>courants forts</b>)');
		expect(m.text.split('\n')).toEqual([
			'Madame, Monsieur,',
			'',
			'Dans le cadre du marché n° 2026-TRX-014, lot 4 (Électricité <b>courants forts</b>), votre entreprise Élec & Cie (SIRET 73282932000074) s’est engagée à réaliser 455\u00a0h d’insertion entre le 1er janvier 2026 et le 31 décembre 2026.',
			'',
			'Nous n’avons pas reçu votre relevé mensuel des heures d’insertion d’octobre 2026.',
			'',
			'À fin octobre 2026, 405\u00a0h ont été déclarées, pour 378,96\u00a0h attendues à cette date selon le calendrier d’exécution.',
			'',
			'Nous vous remercions de transmettre ce relevé au PLIE du Val d’Argent (plie@example.test), au moyen du modèle joint, pré-rempli pour votre marché.',
			'',
			'Le facilitateur reste à votre disposition pour vous accompagner dans le recrutement de personnes éligibles et le suivi des heures.',
			'',
			'Nous vous prions d’agréer, Madame, Monsieur, l’expression de nos salutations distinguées.',
			'',
			'La mission clauses sociales',
			'Région',
		]);
		expect(m.html).toContain('Électricité &lt;b&gt;courants forts&lt;/b&gt;), votre entreprise Élec &amp; Cie');
		expect(m.html).not.toContain('<b>');
	});
});

describe('clause sans heures d’insertion (engagements seulement)', () => {
	it('0 h exige le mécanisme « actions qualitatives » : erreur française sinon', () => {
		const refused = tryReadRecord(CLAUSE_READER, { ...clause(), heuresDues: 0, mecanisme: undefined }, 'ligne 4');
		expect(refused.ok).toBe(false);
		if (!refused.ok) {
			expect(refused.error.anomalies).toEqual([expect.objectContaining({ champ: 'heuresDues', regle: 'clause.sansHeures' })]);
			expect(refused.error.anomalies[0].correction).toContain('indiquez « actions qualitatives » comme mécanisme');
		}
		// Lecture rapide des lignes du classeur : même règle, même erreur.
		const fast = rowReader(CLAUSE_READER)({ ...clause(), heuresDues: '0' }, () => 'ligne 4');
		expect(fast.ok).toBe(false);
		expect(clause({ heuresDues: 0, mecanisme: 'Actions qualitatives' }).heuresDues).toBe(0);
		expect(isCommitmentsOnly({ mecanisme: 'Actions qualitatives (plan de progrès, lutte contre l’illettrisme, égalité femmes-hommes, accueil de stagiaires)' })).toBe(true);
		expect(isCommitmentsOnly({ mecanisme: 'Clause sociale d’insertion, condition d’exécution' })).toBe(false);
		expect(tryReadRecord(CLAUSE_READER, { ...clause(), heuresDues: -1, mecanisme: 'actions qualitatives' }, 'ligne 4').ok).toBe(false);
	});

	it('jamais relancée pour des heures ni pour un relevé, même sans aucun relevé', () => {
		const none = clause({ heuresDues: 0, mecanisme: 'actions qualitatives' });
		const decision = decideReminder(none, new ReportIndex([]), settings('2026-11-02'));
		expect(decision).toMatchObject({ statut: 'sansHeures', niveau: 'aucun', enRetard: false, moisManquants: [], cleEnvoi: null, tauxRealisation: null, heuresDues: 0 });
		expect(decision.motif).toContain('Engagements sociaux');
		// La même clause avec des heures, sans relevé : relancée (le contrôle ci-dessus peut échouer).
		expect(decideReminder(clause(), new ReportIndex([]), settings('2026-11-02')).cleEnvoi).not.toBeNull();
	});
});
