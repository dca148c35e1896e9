import fc from 'fast-check';

import type { CalibrationResult, Lot } from '../../nodes/core';
import {
	AnomalyError,
	Calibrator,
	FeasibilityStudy,
	THRESHOLDS,
	LOT_READER,
	WorkingCalendar,
	easterSunday,
	publicHolidays,
	HOLIDAY_REGIONS,
	coversPlace,
	departmentsOf,
	frenchMonth,
	marketTotals,
	ofMonth,
	parseDate,
	parseFeasibilitySettings,
	parseCalibrationSettings,
	parseMonth,
	readRecord,
} from '../../nodes/core';

const FACILITATEURS = [
	{ nom: 'PLIE du Val d’Argent', email: 'plie@example.test', territoires: ['79', 'Communauté d’agglomération du Val d’Argent'] },
	{ nom: 'Maison de l’emploi du Haut-Argent', email: 'mde@example.test', territoires: ['86'] },
];

const lot = (raw: Record<string, unknown>): Lot => readRecord(LOT_READER, raw, `lot ${String(raw.lot)}`);

function study(lots: Lot[], extra: Record<string, unknown> = {}, calibrages: Array<CalibrationResult | undefined> = []) {
	const settings = parseFeasibilitySettings({ dateEtude: '2026-11-23', facilitateurs: FACILITATEURS, ...extra });
	const s = new FeasibilityStudy(settings, marketTotals(lots));
	return lots.map((l, i) => s.study({ lot: l, where: `lot ${l.lot}`, calibrage: calibrages[i] }));
}

/** Lève-t-il une AnomalyError ? La renvoie. */
function anomalyOf(run: () => unknown): AnomalyError {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(AnomalyError);
		return error as AnomalyError;
	}
	throw new Error('une AnomalyError était attendue');
}

describe('territoires des facilitateurs', () => {
	it('lit les départements d’un lieu : parenthèses, code postal, code seul', () => {
		expect([...departmentsOf('Niort (79)')]).toEqual(['79']);
		expect([...departmentsOf('12 rue des Lilas, 79000 Niort')]).toEqual(['79']);
		expect([...departmentsOf('Basse-Terre 97100')]).toEqual(['971']);
		expect([...departmentsOf('2A')]).toEqual(['2A']);
		expect([...departmentsOf('Lot 12, bâtiment 3')]).toEqual([]);
	});

	it('rapproche un lieu d’un territoire par département ou par nom, sans accents ni casse', () => {
		expect(coversPlace('79', 'Saint-Aubin-sur-Argent (79)')).toBe(true);
		expect(coversPlace('86', 'Saint-Aubin-sur-Argent (79)')).toBe(false);
		expect(coversPlace('Communauté d’agglomération du Val d’Argent', 'communaute d\'agglomeration du val d\'argent, site nord')).toBe(true);
		expect(coversPlace('Niort', 'Niortais')).toBe(false);
	});
});

describe('étude de faisabilité : règles', () => {
	it('justification, DECP et heures retenues d’un lot avec clause', () => {
		const [r] = study([lot({ marche: 'M', lot: '1', intitule: 'Peinture', nature: 'travaux', montantHT: 185000, cpv: '45442100', lieuExecution: 'Niort (79000)' })]);
		expect(r.decision).toBe('clause');
		expect(r.heuresRetenues).toBe(216);
		expect(r.considerationsSociales).toEqual(['Clause sociale']);
		expect(r.facilitateur?.nom).toBe('PLIE du Val d’Argent');
	});

	it('motifs d’absence de clause, chacun nommé', () => {
		const reasons = (raw: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
			study([lot({ lot: 'x', nature: 'travaux', montantHT: 500000, tauxMainOeuvre: 50, lieuExecution: '(79)', ...raw })], extra)[0].raisons.map((r) => r.code);
		expect(reasons({ montantHT: 60000 })).toEqual(['sousSeuilEtude']);
		expect(reasons({ lieuExecution: 'Cognac (16)' })).toEqual(['zoneBlanche']);
		expect(reasons({ nature: 'fournitures', tauxMainOeuvre: undefined })).toEqual(['fournituresSansMainOeuvre']);
		expect(reasons({ dureeMois: 2 }, { dureeMinimaleMois: 3 })).toEqual(['dureeTropCourte']);
		expect(reasons({ montantHT: 100000, tauxMainOeuvre: 20 })).toEqual(['sousPlancher']);
		expect(
			reasons({ nature: 'services', montantHT: 300000, dureeMois: 12, repriseDuPersonnel: 'oui', heuresMensuellesTransferees: 1000 }),
		).toEqual(['personnelRepris']);
	});

	it('critère social au-delà du seuil européen du marché entier, selon la règle choisie', () => {
		const lots = [
			lot({ marche: 'S', lot: '1', nature: 'services', montantHT: 120000, tauxMainOeuvre: 80, lieuExecution: '(86)' }),
			lot({ marche: 'S', lot: '2', nature: 'services', montantHT: 120000, tauxMainOeuvre: 80, lieuExecution: '(86)' }),
		];
		expect(study(lots).map((r) => r.mecanismes.map((m) => m.code))).toEqual([
			['clauseExecution', 'critereAttribution'],
			['clauseExecution', 'critereAttribution'],
		]);
		expect(study(lots, { critereSocial: 'jamais' })[0].mecanismes.map((m) => m.code)).toEqual(['clauseExecution']);
		expect(study([lots[0]])[0].mecanismes.map((m) => m.code)).toEqual(['clauseExecution']);
		expect(study([lots[0]], { critereSocial: 'toujours' })[0].considerationsSociales).toEqual(['Clause sociale', 'Critère social']);
	});

	it('facilitateur désigné par le lot, ou inconnu (alerte)', () => {
		const [known] = study([lot({ lot: '1', nature: 'travaux', montantHT: 500000, tauxMainOeuvre: 50, facilitateur: 'maison de l’emploi du haut-argent' })]);
		expect(known.facilitateur?.email).toBe('mde@example.test');
		const [unknown] = study([lot({ lot: '1', nature: 'travaux', montantHT: 500000, tauxMainOeuvre: 50, facilitateur: 'PLIE inconnu' })]);
		expect(unknown.raisons.map((r) => r.code)).toEqual(['zoneBlanche']);
		expect(unknown.alertes.map((a) => a.regle)).toContain('faisabilite.facilitateurInconnu');
	});

	it('total du marché au centime, quel que soit l’ordre des lots (contre-exemple trouvé par la propriété ci-dessous)', () => {
		const amounts = [1_866_481.3, 1_888_540.57, 2_784_883.81];
		const lots = amounts.map((montantHT, i) => lot({ marche: 'B', lot: String(i + 1), nature: 'travaux', montantHT }));
		expect(marketTotals(lots).get('b')).toBe(6_539_905.68);
		expect(marketTotals([lots[2], lots[0], lots[1]]).get('b')).toBe(6_539_905.68);
	});

	it('propriété : la décision d’un lot ne dépend pas de l’ordre des lots (permutations quelconques, montants au centime)', () => {
		const arbitraryLot = fc.record({
			marche: fc.constantFrom('A', 'B', 'C'),
			lot: fc.integer({ min: 1, max: 30 }).map(String),
			nature: fc.constantFrom('travaux', 'services', 'fournitures', 'prestations intellectuelles', 'DSP'),
			// Au centime, autour des seuils (90 000 €, 216 000 €, 5 404 000 €) comme loin d'eux.
			montantHT: fc.oneof(
				fc.integer({ min: 0, max: 300_000_000 }),
				fc.constantFrom(9_000_000, 9_000_001, 21_600_000, 21_599_999, 540_400_000),
			).map((cents) => cents / 100),
			tauxMainOeuvre: fc.integer({ min: 0, max: 10_000 }).map((h) => h / 100),
			volumeAnnuel: fc.constant(1800),
			dureeMois: fc.integer({ min: 1, max: 72 }),
			lieuExecution: fc.constantFrom('(79)', '(86)', '(16)', '(17)'),
		});
		const scenario = fc
			.uniqueArray(arbitraryLot, { minLength: 1, maxLength: 12, selector: (l) => `${l.marche}/${l.lot}` })
			.chain((raws) => fc.tuple(fc.constant(raws), fc.shuffledSubarray(raws, { minLength: raws.length, maxLength: raws.length })));
		fc.assert(
			fc.property(scenario, ([raws, shuffled]) => {
				const key = (l: Lot) => `${l.marche}/${l.lot}`;
				const lots = raws.map(lot);
				const permuted = shuffled.map(lot);
				const a = new Map(study(lots).map((r, i) => [key(lots[i]), JSON.stringify(r)]));
				const b = study(permuted);
				expect(b).toHaveLength(lots.length);
				permuted.forEach((l, i) => expect(JSON.stringify(b[i])).toBe(a.get(key(l))));
			}),
			{ numRuns: 100 },
		);
	});
});

describe('étude de faisabilité : lieu d’exécution manquant', () => {
	it('lot à étudier sans lieu ni facilitateur : erreur qui nomme le lot, le champ et quoi faire', () => {
		const error = anomalyOf(() => study([lot({ marche: 'M', lot: '3', nature: 'travaux', montantHT: 500000, tauxMainOeuvre: 50 })]));
		expect(error.anomalies).toEqual([
			expect.objectContaining({
				gravite: 'erreur',
				champ: 'lieuExecution',
				libelle: 'lieu d’exécution',
				ou: 'lot 3',
				regle: 'faisabilite.lieuInconnu',
			}),
		]);
		expect(error.message).toBe(
			'Lot 3, lieu d’exécution : lieu d’exécution non renseigné : sans lui, le lot ne peut pas être étudié (facilitateur du territoire ou zone blanche)',
		);
		expect(error.anomalies[0].correction).toBe(
			'Indiquez le lieu d’exécution du lot (champ «\u00a0lieuExecution\u00a0», colonne «\u00a0Lieu d’exécution\u00a0») : commune, code postal ou département, par exemple «\u00a0Niort (79)\u00a0» ; ou désignez son facilitateur (champ «\u00a0facilitateur\u00a0»).',
		);
	});

	it('un facilitateur désigné suffit ; sous le seuil de l’étude, le lieu n’est pas exigé', () => {
		const [withFacilitator] = study([lot({ lot: '1', nature: 'travaux', montantHT: 500000, tauxMainOeuvre: 50, facilitateur: 'PLIE du Val d’Argent' })]);
		expect(withFacilitator.decision).toBe('clause');
		const [small] = study([lot({ lot: '2', nature: 'travaux', montantHT: 60000, tauxMainOeuvre: 50 })]);
		expect(small.raisons.map((r) => r.code)).toEqual(['sousSeuilEtude']);
	});
});

describe('étude de faisabilité : seuils', () => {
	const at = (montantHT: number, nature: string, extra: Record<string, unknown> = {}) =>
		study([lot({ marche: 'M', lot: '1', nature, montantHT, tauxMainOeuvre: 50, lieuExecution: '(79)', ...extra })], { proposerActionsQualitatives: false })[0];

	it('seuil de l’étude : « plus de 90 000 € HT », strictement (90 000 € : pas d’étude ; 90 000,01 € : étude)', () => {
		expect(THRESHOLDS.etudeFaisabilite.valeur).toBe(90000);
		const exact = at(90000, 'travaux');
		expect(exact.etudeRequise).toBe(false);
		expect(exact.raisons.map((r) => r.code)).toEqual(['sousSeuilEtude']);
		const above = at(90000.01, 'travaux');
		expect(above.etudeRequise).toBe(true);
		// 90 000,01 × 50 % × 5 % ÷ 30 = 75 h
		expect(above.heuresRetenues).toBe(75);
	});

	it.each<[string, number]>([
		['travaux', 5_404_000],
		['DSP', 5_404_000],
		['PPP', 5_404_000],
		['services', 216_000],
		['fournitures', 216_000],
		['prestations intellectuelles', 216_000],
	])('%s : seuil européen de %p € HT, atteint dès l’égalité', (nature, seuil) => {
		const below = at(seuil - 0.01, nature, { volumeAnnuel: 1800, dureeMois: 72 });
		expect(below.seuilEuropeen).toEqual({ seuil, depasse: false, justificationObligatoire: false });
		const equal = at(seuil, nature, { volumeAnnuel: 1800, dureeMois: 72 });
		expect(equal.seuilEuropeen.seuil).toBe(seuil);
		expect(equal.seuilEuropeen.depasse).toBe(true);
	});

	it('une DSP de 1 000 000 € reste sous le seuil des concessions : ni critère social, ni justification « loi Climat »', () => {
		const r = at(1_000_000, 'DSP', { volumeAnnuel: 1800, dureeMois: 72 });
		expect(r.seuilEuropeen).toEqual({ seuil: 5_404_000, depasse: false, justificationObligatoire: false });
		expect(r.mecanismes.map((m) => m.code)).toEqual(['clauseExecution']);
		expect(r.heuresRetenues).toBe(10800);
	});

	it('seuils remplacés par les paramètres de l’exécution', () => {
		const r = study([lot({ lot: '1', nature: 'dsp', montantHT: 1_000_000, volumeAnnuel: 1800, dureeMois: 12, lieuExecution: '(79)' })], { seuilUeTravaux: 900_000 })[0];
		expect(r.seuilEuropeen).toMatchObject({ seuil: 900_000, depasse: true });
		expect(r.mecanismes.map((m) => m.code)).toEqual(['clauseExecution', 'critereAttribution']);
	});

	it('loi Climat : la correction dépend de la date de l’étude et de la date d’application (21 août 2026)', () => {
		const supplies = { lot: '1', nature: 'fournitures', montantHT: 400000, lieuExecution: '(79)' };
		const climat = (extra: Record<string, unknown>) =>
			study([lot(supplies)], { proposerActionsQualitatives: false, ...extra })[0].alertes.find((a) => a.regle === 'faisabilite.loiClimat');
		expect(climat({ dateEtude: '2026-11-23' })?.correction).toBe(
			'Depuis le 21 août 2026 (loi Climat et résilience, art. 35), justifiez l’absence de considération sociale dans les documents de la consultation, ou retenez-en une.',
		);
		expect(climat({ dateEtude: '2026-08-21' })?.correction).toMatch(/^Depuis le 21 août 2026/);
		expect(climat({ dateEtude: '2026-03-02' })?.correction).toBe(
			'Si la consultation est lancée à partir du 21 août 2026 (loi Climat et résilience, art. 35), l’absence de considération sociale devra être justifiée dans ses documents : préparez cette justification, ou retenez une considération sociale.',
		);
		expect(climat({ dateEtude: '2026-11-23', dateLoiClimat: '2027-01-01' })?.correction).toMatch(/^Si la consultation est lancée à partir du 1er janvier 2027/);
	});
});

describe('étude de faisabilité : Avise 2013, ECOMODAL (55 000 €, 6 mois, 35 h prévues)', () => {
	// Le marché est sous le seuil de l'étude (90 000 €) et portait pourtant une clause de 35 h,
	// décidée par les élus pour « tester » la clause en prestations intellectuelles.
	const facilitateurs = [{ nom: 'Maison de l’emploi du Haut Val d’Oise', email: 'mde@example.test', territoires: ['95'] }];
	const ecomodal = lot({
		marche: 'Plateforme logistique',
		lot: 'unique',
		nature: 'prestations intellectuelles',
		montantHT: 55000,
		dureeMois: 6,
		lieuExecution: 'Bruyères-sur-Oise (95820)',
		// Paramètres reconstitués (voir test/core/calibration.test.ts) : 55 000 ÷ 55 €/h = 1 000 h × 3,5 % = 35 h.
		tauxMainOeuvre: 100,
		coutHoraire: 55,
		partHeuresMarche: '3,5',
	});

	it('sans calibrage en amont : pas d’étude requise, pas de clause, motif « sous le seuil »', () => {
		const [r] = study([ecomodal], { facilitateurs });
		expect(r.etudeRequise).toBe(false);
		expect(r.etudeVolontaire).toBe(false);
		expect(r.decision).toBe('pasDeClause');
		expect(r.raisons.map((x) => x.code)).toEqual(['sousSeuilEtude']);
		expect(r.heuresRetenues).toBe(0);
	});

	it('calibré en amont (35 h) : étude volontaire, clause de 35 h avec le facilitateur', () => {
		const calibrage = new Calibrator(parseCalibrationSettings({})).calibrate(ecomodal, 'lot unique');
		expect(calibrage.heures).toBe(35);
		const [r] = study([ecomodal], { facilitateurs }, [calibrage]);
		expect(r.etudeRequise).toBe(false);
		expect(r.etudeVolontaire).toBe(true);
		expect(r.decision).toBe('clause');
		expect(r.mecanismes.map((m) => m.code)).toEqual(['clauseExecution']);
		expect(r.heuresRetenues).toBe(35);
		expect(r.considerationsSociales).toEqual(['Clause sociale']);
		expect(r.facilitateur?.nom).toBe('Maison de l’emploi du Haut Val d’Oise');
		expect(r.justification).toContain('Volume : 35\u00a0h d’insertion');
		expect(r.justification.endsWith(
			'Marché sous le seuil de l’étude de faisabilité (90\u00a0000,00\u00a0€ HT) : étude conduite à titre volontaire sur le calibrage du lot, le 23 novembre 2026.',
		)).toBe(true);
	});

	it('calibré en amont mais sous le plancher (0 h) : pas d’étude volontaire', () => {
		const calibrage = new Calibrator(parseCalibrationSettings({ plancherHeures: 70 })).calibrate(ecomodal, 'lot unique');
		expect(calibrage.heures).toBe(0);
		const [r] = study([ecomodal], { facilitateurs }, [calibrage]);
		expect(r.etudeVolontaire).toBe(false);
		expect(r.decision).toBe('pasDeClause');
		expect(r.raisons.map((x) => x.code)).toEqual(['sousSeuilEtude', 'sousPlancher']);
	});

	it('seuil de l’étude abaissé à 50 000 € : étudié, 35 h estimées avec les paramètres du lot', () => {
		const [r] = study([ecomodal], { facilitateurs, seuilEtude: 50000 });
		expect(r.etudeRequise).toBe(true);
		expect(r.heuresRetenues).toBe(35);
	});
});

describe('étude de faisabilité : lots écartés du total du marché', () => {
	it('avertit les autres lots du marché que le total ne compte pas le lot en erreur', () => {
		const lots = [lot({ marche: 'M', lot: '1', nature: 'services', montantHT: 150000, tauxMainOeuvre: 80, lieuExecution: '(79)' })];
		const settings = parseFeasibilitySettings({ dateEtude: '2026-11-23', facilitateurs: FACILITATEURS });
		const s = new FeasibilityStudy(settings, marketTotals(lots), new Map([['m', ['2']]]));
		const r = s.study({ lot: lots[0], where: 'lot 1 du marché M' });
		const alert = r.alertes.find((a) => a.regle === 'faisabilite.lotsEcartes');
		expect(alert).toEqual({
			gravite: 'avertissement',
			champ: 'montantMarcheHT',
			libelle: 'montant du marché',
			ou: 'lot 1 du marché M',
			message: 'le montant du marché (150\u00a0000,00\u00a0€ HT) ne compte pas le lot 2, en erreur : les seuils (étude, seuil européen) sont appréciés sans lui',
			correction: 'Corrigez le lot 2 puis relancez l’étude : son montant peut faire franchir un seuil au marché et changer la décision de ce lot.',
			regle: 'faisabilite.lotsEcartes',
		});
	});
});

describe('dates et mois', () => {
	it('lit les dates saisies à la française, les numéros de série Excel, et refuse les dates impossibles', () => {
		expect(parseDate('23/11/2026')).toBe('2026-11-23');
		expect(parseDate('1er mars 2026')).toBe('2026-03-01');
		expect(parseDate('2026-11-23T10:00:00Z')).toBe('2026-11-23');
		expect(parseDate(46349)).toBe('2026-11-23');
		expect(parseDate('46349')).toBe('2026-11-23');
		expect(parseDate('31/02/2026')).toBeUndefined();
		expect(parseDate(12)).toBeUndefined();
		expect(parseMonth('03/2026')).toBe('2026-03');
		expect(parseMonth('août 2026')).toBe('2026-08');
		expect(parseMonth('13/2026')).toBeUndefined();
		expect(ofMonth('2026-04')).toBe('d’avril 2026');
		expect(ofMonth('2026-03')).toBe('de mars 2026');
		expect(frenchMonth('2026-08')).toBe('août 2026');
	});

	it('premier jour ouvré : jours fériés de métropole, d’Alsace-Moselle et d’outre-mer', () => {
		const fr = new WorkingCalendar('FR');
		expect(fr.firstWorkingDay('2026-11')).toBe('2026-11-02');
		expect(fr.firstWorkingDay('2026-05')).toBe('2026-05-04');
		expect(fr.firstWorkingDay('2027-01')).toBe('2027-01-04');
		expect(fr.isHoliday('2026-05-25')).toBe(true);
		expect(new WorkingCalendar('FR-57').isHoliday('2026-12-26')).toBe(true);
		expect(fr.isHoliday('2026-12-26')).toBe(false);
		expect(new WorkingCalendar('FR-RE').isHoliday('2026-12-20')).toBe(true);
	});

	it('jours fériés : les mêmes que ceux de date-holidays, remplacé pour alléger le paquet, dans chaque région de 1950 à 2200', () => {
		// Dimanche de Pâques (MMJJ) de 1950 à 2200, relevé avec date-holidays 3.37.0.
		const easter = [
			'0409 0325 0413 0405 0418 0410 0401 0421 0406 0329 0417 0402 0422 0414 0329 0418 0410 0326 0414 0406 0329 0411 0402 0422 0414',
			'0330 0418 0410 0326 0415 0406 0419 0411 0403 0422 0407 0330 0419 0403 0326 0415 0331 0419 0411 0403 0416 0407 0330 0412 0404',
			'0423 0415 0331 0420 0411 0327 0416 0408 0323 0412 0404 0424 0408 0331 0420 0405 0327 0416 0401 0421 0412 0404 0417 0409 0331',
			'0420 0405 0328 0416 0401 0421 0413 0328 0417 0409 0325 0413 0405 0425 0410 0401 0421 0406 0329 0417 0409 0325 0414 0405 0418',
			'0410 0402 0421 0406 0329 0418 0402 0422 0414 0330 0418 0410 0326 0415 0406 0329 0411 0403 0422 0414 0330 0419 0410 0326 0415',
			'0407 0419 0411 0403 0423 0407 0330 0419 0404 0326 0415 0331 0420 0411 0403 0416 0408 0330 0412 0404 0424 0415 0331 0420 0412',
			'0328 0417 0409 0325 0413 0405 0418 0410 0401 0421 0406 0329 0417 0402 0422 0414 0329 0418 0410 0326 0414 0406 0329 0411 0402',
			'0422 0414 0330 0418 0410 0326 0415 0406 0419 0411 0403 0422 0407 0330 0419 0403 0326 0415 0331 0419 0411 0403 0416 0407 0330',
			'0412 0404 0423 0415 0331 0420 0411 0327 0416 0408 0323 0412 0404 0424 0408 0331 0420 0405 0327 0416 0401 0421 0412 0404 0417',
			'0409 0331 0420 0405 0328 0416 0401 0421 0413 0328 0417 0409 0325 0413 0405 0425 0410 0401 0421 0406 0329 0417 0409 0325 0414',
			'0406',
		]
			.join(' ')
			.split(' ');
		expect(easter).toHaveLength(251);
		easter.forEach((mmdd, i) => expect(easterSunday(1950 + i)).toBe(`${1950 + i}-${mmdd.slice(0, 2)}-${mmdd.slice(2)}`));
		// Jours de 2026 relevés avec date-holidays, région par région.
		const common = ['2026-01-01', '2026-04-06', '2026-05-01', '2026-05-08', '2026-05-14', '2026-05-25', '2026-07-14', '2026-08-15', '2026-11-01', '2026-11-11', '2026-12-25'];
		const expected: Record<string, string[]> = {
			FR: [],
			'FR-57': ['2026-04-03', '2026-12-26'],
			'FR-67': ['2026-04-03', '2026-12-26'],
			'FR-68': ['2026-04-03', '2026-12-26'],
			'FR-GP': ['2026-04-03', '2026-05-27'],
			'FR-MQ': ['2026-04-03', '2026-05-22'],
			'FR-GF': ['2026-06-10'],
			'FR-RE': ['2026-12-20'],
			'FR-YT': ['2026-04-27'],
		};
		expect([...HOLIDAY_REGIONS].sort()).toEqual(Object.keys(expected).sort());
		for (const [region, extra] of Object.entries(expected)) expect(publicHolidays(2026, region)).toEqual([...common, ...extra].sort());
		// Ascension le 1er mai (2008) : un seul jour.
		expect(publicHolidays(2008)).toHaveLength(10);
		expect(() => new WorkingCalendar('FR-75')).toThrow('Calendrier des jours fériés inconnu : « FR-75 »');
	});
});

describe('étude de faisabilité : marchés réservés ouverts à toute nature d’achat', () => {
	it('prestations intellectuelles avec une offre locale d’EA et de SIAE : marchés réservés proposés (L2113-12, L2113-13)', () => {
		const [r] = study([lot({ lot: '1', nature: 'prestations intellectuelles', montantHT: 300000, heuresMarche: 6000, partHeuresMarche: 15, lieuExecution: '79', offreSiae: 'EA, EI' })]);
		expect(r.mecanismes.filter((m) => m.option).map((m) => m.code)).toEqual(['marcheReserveEa', 'marcheReserveSiae']);
	});

	it('opérateur employant des personnes détenues sur le territoire : marché réservé L2113-13-1 proposé', () => {
		const [r] = study([lot({ lot: '1', nature: 'services', montantHT: 300000, tauxMainOeuvre: 60, lieuExecution: '79', offreSiae: 'travail pénitentiaire' })]);
		const reserved = r.mecanismes.find((m) => m.code === 'marcheReserveDetenus');
		expect(reserved).toMatchObject({ option: true, base: 'article L2113-13-1 du Code de la commande publique' });
		expect(reserved?.motif).toBe('offre locale : Opérateur employant des personnes détenues (travail pénitentiaire)');
	});
});
