import fc from 'fast-check';

import type { Lot } from '../../nodes/core';
import {
	FeasibilityStudy,
	LOT_READER,
	WorkingCalendar,
	coversPlace,
	departmentsOf,
	frenchMonth,
	marketTotals,
	ofMonth,
	parseDate,
	parseFeasibilitySettings,
	parseMonth,
	readRecord,
} from '../../nodes/core';

const FACILITATEURS = [
	{ nom: 'PLIE du Val d’Argent', email: 'plie@example.test', territoires: ['79', 'Communauté d’agglomération du Val d’Argent'] },
	{ nom: 'Maison de l’emploi du Haut-Argent', email: 'mde@example.test', territoires: ['86'] },
];

const lot = (raw: Record<string, unknown>): Lot => readRecord(LOT_READER, raw, `lot ${String(raw.lot)}`);

function study(lots: Lot[], extra: Record<string, unknown> = {}) {
	const settings = parseFeasibilitySettings({ dateEtude: '2026-11-23', facilitateurs: FACILITATEURS, ...extra });
	const s = new FeasibilityStudy(settings, marketTotals(lots));
	return lots.map((l) => s.study({ lot: l, where: `lot ${l.lot}` }));
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
		expect(reasons({ lieuExecution: undefined })).toEqual(['lieuInconnu']);
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

	it('propriété : la décision d’un lot ne dépend pas de l’ordre des lots', () => {
		const arbitraryLot = fc.record({
			marche: fc.constantFrom('A', 'B', 'C'),
			lot: fc.integer({ min: 1, max: 30 }).map(String),
			nature: fc.constantFrom('travaux', 'services', 'fournitures', 'prestations intellectuelles'),
			montantHT: fc.integer({ min: 0, max: 3_000_000 }),
			tauxMainOeuvre: fc.integer({ min: 0, max: 100 }),
			lieuExecution: fc.constantFrom('(79)', '(86)', '(16)', '(17)'),
		});
		fc.assert(
			fc.property(fc.uniqueArray(arbitraryLot, { minLength: 1, maxLength: 12, selector: (l) => `${l.marche}/${l.lot}` }), fc.nat(), (raws, shift) => {
				const lots = raws.map(lot);
				const rotated = [...lots.slice(shift % lots.length), ...lots.slice(0, shift % lots.length)];
				const key = (l: Lot) => `${l.marche}/${l.lot}`;
				const a = new Map(lots.map((l, i) => [key(l), JSON.stringify(study(lots)[i])]));
				const b = study(rotated);
				rotated.forEach((l, i) => expect(JSON.stringify(b[i])).toBe(a.get(key(l))));
			}),
			{ numRuns: 60 },
		);
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
});
