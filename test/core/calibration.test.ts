/**
 * Calibrage : chaque chiffre réel des guides publics (formules de calibrage en usage)
 * reproduit avec des paramètres explicites, puis plancher, arrondi, équivalents,
 * provenance des paramètres et résolution du secteur.
 */
import type { RawLot } from './support';
import { anomalyFrom, calibrate, NBSP, warningRules } from './support';
import { DEFAULTS, SectorIndex, SECTORS } from '../../nodes/core';

const MDE77: RawLot = {
	marche: '2026-017',
	lot: '1',
	intitule: 'Gros œuvre',
	nature: 'travaux',
	montantHT: 1_000_000,
	tauxMainOeuvre: 50,
	tauxInsertion: 5,
	coutHoraire: 30,
};

describe('formule standard', () => {
	it('Maison de l’emploi Sud 77 : 1 000 000 € × 50 % × 5 % ÷ 30 €/h ≈ 833 h', () => {
		const result = calibrate(MDE77);
		expect(result.methode).toBe('standard');
		expect(result.heuresCalculees).toBe(833.33);
		expect(result.heuresArrondies).toBe(833);
		expect(result.heures).toBe(833);
		expect(result.sousPlancher).toBe(false);
		expect(result.plancher).toBe(35);
		expect(result.avertissements).toEqual([]);
		expect(result.formule).toBe(
			`1${NBSP}000${NBSP}000,00${NBSP}€ × 50${NBSP}% × 5${NBSP}% ÷ 30${NBSP}€/h = 833,33${NBSP}h → 833${NBSP}h`,
		);
		expect(result.parametres.montantHT).toEqual({
			libelle: 'montant HT',
			valeur: 1_000_000,
			unite: '€',
			origine: 'lot',
		});
	});

	it('les mêmes chiffres saisis en texte à la française donnent le même résultat', () => {
		const result = calibrate({
			...MDE77,
			montantHT: '1\u202f000\u202f000,00 € HT',
			tauxMainOeuvre: '50 %',
			tauxInsertion: '5 %',
			coutHoraire: '30 €/h',
		});
		expect(result.heuresCalculees).toBe(833.33);
		expect(result.heures).toBe(833);
	});

	// Le guide Avise, ARF et Caisse des Dépôts (2014) ne donne que les heures de ces lots : montant, taux de
	// main-d'œuvre, taux d'insertion et coût horaire sont RECONSTITUÉS (choisis
	// pour que la formule standard tombe exactement sur les heures publiées).
	describe.each<[string, string, string, number, number, number, number, number]>([
		// marché, lot, intitulé, montant HT, main-d'œuvre %, insertion %, €/h, heures publiées
		['Limousin lycée', '4', 'démolition / gros-œuvre', 504_000, 50, 5, 30, 420],
		['Limousin lycée', '9', 'menuiseries aluminium', 350_000, 40, 5, 25, 280],
		['Limousin lycée', '12', 'plâtrerie', 490_000, 60, 5, 30, 490],
		['Limousin lycée', '20', 'électricité', 780_000, 35, 5, 30, 455],
		['Picardie UTC', 'GO-MEN', 'gros œuvre + menuiserie', 2_160_000, 50, 10, 30, 3600],
		['Picardie UTC', 'ELEC', 'électricité', 540_000, 40, 5, 30, 360],
		['Picardie UTC', 'CVC', 'chauffage, ventilation, climatisation', 725_000, 40, 5, 25, 580],
		['Picardie UTC', 'VENT', 'ventilation', 675_000, 40, 5, 30, 450],
		['Picardie UTC', 'EV', 'espaces verts', 100_000, 60, 5, 30, 100],
	])('%s, lot %s (%s)', (marche, lot, intitule, montantHT, tauxMainOeuvre, tauxInsertion, coutHoraire, heures) => {
		const raw: RawLot = {
			marche,
			lot,
			intitule,
			nature: 'travaux',
			montantHT,
			tauxMainOeuvre,
			tauxInsertion,
			coutHoraire,
		};

		it(`${heures} h exactement`, () => {
			const result = calibrate(raw);
			expect(result.methode).toBe('standard');
			expect(result.heuresCalculees).toBe(heures);
			expect(result.heures).toBe(heures);
			expect(result.avertissements).toEqual([]);
			expect(result.parametres.tauxMainOeuvre).toMatchObject({ valeur: tauxMainOeuvre, origine: 'lot' });
			expect(result.parametres.tauxInsertion).toMatchObject({ valeur: tauxInsertion, origine: 'lot' });
			expect(result.parametres.coutHoraire).toMatchObject({ valeur: coutHoraire, origine: 'lot' });
		});

		it(`${heures} h aussi à l’arrondi supérieur et inférieur (pas d’erreur binaire)`, () => {
			expect(calibrate(raw, { arrondi: 'superieur' }).heures).toBe(heures);
			expect(calibrate(raw, { arrondi: 'inferieur' }).heures).toBe(heures);
		});
	});

	it('Limousin lot 4 : le secteur « démolition/gros-œuvre » donne les 50 % du référentiel', () => {
		const result = calibrate({
			marche: 'Limousin lycée',
			lot: '4',
			nature: 'travaux',
			montantHT: 504_000,
			secteur: 'démolition/gros-œuvre',
		});
		expect(result.parametres.tauxMainOeuvre).toMatchObject({
			valeur: 50,
			origine: 'référentiel',
			source: SECTORS.maconnerie.source,
		});
		expect(result.heures).toBe(420);
	});
});

describe('part des heures du marché (enquête de la CUB, prestations intellectuelles)', () => {
	const cub = (montantHT: number, extra: RawLot): RawLot => ({
		marche: 'CUB',
		lot: String(montantHT),
		nature: 'prestations intellectuelles',
		montantHT,
		partHeuresMarche: '15 %',
		...extra,
	});

	it('1 000 000 €, 24 000 h de marché à 15 % → 3 600 h', () => {
		const result = calibrate(cub(1_000_000, { heuresMarche: '24 000' }));
		expect(result.methode).toBe('partHeuresMarche');
		expect(result.heuresCalculees).toBe(3600);
		expect(result.heures).toBe(3600);
		expect(result.formule).toBe(`24${NBSP}000${NBSP}h × 15${NBSP}% = 3${NBSP}600${NBSP}h`);
		expect(result.parametres.heuresMarche).toEqual({
			libelle: 'heures totales du marché',
			valeur: 24000,
			unite: 'h',
			origine: 'lot',
		});
		expect(result.parametres.partHeuresMarche).toMatchObject({ valeur: 15, origine: 'lot' });
	});

	it('630 000 €, 16 000 h de marché à 15 % → 2 400 h', () => {
		const result = calibrate(cub(630_000, { heuresMarche: 16000 }));
		expect(result.heuresCalculees).toBe(2400);
		expect(result.heures).toBe(2400);
	});

	it('1 000 000 € à 90 % de main-d’œuvre et 37,50 €/h → 24 000 h de marché → 3 600 h', () => {
		const result = calibrate(cub(1_000_000, { tauxMainOeuvre: 90, coutHoraire: '37,50' }));
		expect(result.methode).toBe('partHeuresMarche');
		expect(result.parametres.heuresMarche).toMatchObject({ valeur: 24000, origine: 'calcul' });
		expect(result.parametres.coutHoraire).toMatchObject({ valeur: 37.5, origine: 'lot' });
		expect(result.heuresCalculees).toBe(3600);
		expect(result.heures).toBe(3600);
	});

	it('630 000 € à 100 % de main-d’œuvre et 39,375 €/h → 16 000 h de marché → 2 400 h', () => {
		const result = calibrate(cub(630_000, { tauxMainOeuvre: 100, coutHoraire: '39,375' }));
		expect(result.parametres.heuresMarche).toMatchObject({ valeur: 16000, origine: 'calcul' });
		expect(result.heuresCalculees).toBe(2400);
		expect(result.heures).toBe(2400);
	});

	it('avec les valeurs par défaut (≈ 40 €/h à 100 %, 15 %) : 3 750 h et 2 363 h, ordre de grandeur de la CUB', () => {
		const big = calibrate({ lot: 'A', nature: 'PI', montantHT: 1_000_000, methode: 'part des heures' });
		expect(big.heures).toBe(3750);
		expect(big.parametres.coutHoraire).toMatchObject({
			valeur: 40,
			origine: 'référentiel',
			source: DEFAULTS.coutHorairePrestationIntellectuelle.source,
		});
		expect(big.parametres.partHeuresMarche).toMatchObject({
			valeur: 15,
			origine: 'référentiel',
			source: DEFAULTS.partHeuresMarche.source,
		});
		const small = calibrate({ lot: 'B', nature: 'PI', montantHT: 630_000, methode: 'part des heures' });
		expect(small.heuresCalculees).toBe(2362.5);
		expect(small.heures).toBe(2363);
	});
});

describe('volume annuel fixe (DSP, marché de partenariat)', () => {
	it('Pays de la Loire, lignes d’autocars : 1 800 h/an sur 72 mois → 10 800 h', () => {
		const result = calibrate({
			marche: 'Pays de la Loire',
			lot: 'autocars',
			nature: 'DSP',
			montantHT: 30_000_000,
			volumeAnnuel: '1 800',
			dureeMois: 72,
		});
		expect(result.methode).toBe('volumeAnnuel');
		expect(result.heuresCalculees).toBe(10800);
		expect(result.heures).toBe(10800);
		expect(result.formule).toBe(`1${NBSP}800${NBSP}h/an × 72${NBSP}mois ÷ 12 = 10${NBSP}800${NBSP}h`);
		expect(result.parametres.volumeAnnuel).toMatchObject({ valeur: 1800, origine: 'lot' });
		expect(result.parametres.dureeMois).toMatchObject({ valeur: 72, origine: 'lot' });
		// « 1 800 heures par an, soit plus d'un ETP » : ETP par année d'exécution, à côté du total.
		expect(result.equivalents).toEqual({ etp: 6.72, etpParAn: 1.12, moisTempsPlein: 71.21 });
	});

	it('par euro facturé : une heure par tranche complète de 1 500 € (les tranches entamées ne comptent pas)', () => {
		const result = calibrate({ lot: 'MOE', nature: 'prestations intellectuelles', methode: 'parEuroFacture', montantFacture: 1_313_999, plancherHeures: 0 });
		expect(result.heuresCalculees).toBe(875);
		expect(result.heures).toBe(875);
		expect(result.formule).toBe(`tranches complètes de 1${NBSP}500,00${NBSP}€ dans 1${NBSP}313${NBSP}999,00${NBSP}€ × 1${NBSP}h = 875${NBSP}h`);
		expect(calibrate({ lot: 'MOE', nature: 'prestations intellectuelles', methode: 'parEuroFacture', montantFacture: 1499, plancherHeures: 0 }).heures).toBe(0);
	});

	it('sans volume saisi : 1 800 h/an du référentiel', () => {
		const result = calibrate({ lot: 'PPP', nature: 'PPP', montantHT: 1, methode: 'volume annuel', dureeMois: 72 });
		expect(result.heures).toBe(10800);
		expect(result.parametres.volumeAnnuel).toMatchObject({
			valeur: 1800,
			origine: 'référentiel',
			source: DEFAULTS.volumeAnnuel.source,
		});
	});

	it('un volume de l’exécution remplace le référentiel (1 200 h/an sur 30 mois → 3 000 h)', () => {
		const result = calibrate(
			{ lot: 'DSP', nature: 'DSP', montantHT: 1, methode: 'volumeAnnuel', dureeMois: 30 },
			{ volumeAnnuel: 1200 },
		);
		expect(result.heures).toBe(3000);
		expect(result.parametres.volumeAnnuel).toEqual({
			libelle: DEFAULTS.volumeAnnuel.libelle,
			valeur: 1200,
			unite: 'h/an',
			origine: 'paramètre du nœud',
			source: undefined,
		});
	});
});

describe('heures par euro facturé (maîtrise d’œuvre, Poitou-Charentes)', () => {
	it('300 000 € d’honoraires à 1 h pour 1 500 € → 200 h', () => {
		const result = calibrate({
			marche: 'Poitou-Charentes',
			lot: 'MOE',
			nature: 'maîtrise d’œuvre',
			montantHT: 4_000_000,
			montantFacture: '300 000',
		});
		expect(result.methode).toBe('parEuroFacture');
		expect(result.heuresCalculees).toBe(200);
		expect(result.heures).toBe(200);
		expect(result.parametres.montantFacture).toMatchObject({
			libelle: 'montant facturé HT',
			valeur: 300000,
			origine: 'lot',
		});
		expect(result.parametres.eurosParHeure).toMatchObject({
			valeur: 1500,
			origine: 'référentiel',
			source: DEFAULTS.eurosParHeure.source,
		});
	});

	it('1 500 € par heure saisi sur le lot → même résultat, d’origine « lot »', () => {
		const result = calibrate({ lot: 'MOE', nature: 'PI', montantHT: 300_000, eurosParHeure: '1 500' });
		expect(result.methode).toBe('parEuroFacture');
		expect(result.parametres.montantFacture).toMatchObject({
			libelle: 'montant HT (assiette facturée)',
			valeur: 300000,
		});
		expect(result.parametres.eurosParHeure).toMatchObject({ valeur: 1500, origine: 'lot' });
		expect(result.heures).toBe(200);
	});
});

describe('propreté avec reprise du personnel (Inserpropre)', () => {
	const cleaning = (extra: RawLot): RawLot => ({
		marche: '2026-040',
		lot: 'nettoyage',
		nature: 'services',
		repriseDuPersonnel: 'oui',
		...extra,
	});

	it('cas calculé à la main : A = 900 000 €, N = 36, S = 300 h, C = 25, T = 10 % → P = 0,7 → 2 520 h', () => {
		// A ÷ N = 25 000 €/mois ; S × C = 7 500 € ; P = 1 − 7 500 ÷ 25 000 = 0,7
		// heures = 0,7 × 900 000 ÷ 25 × 10 % = 2 520 h
		const result = calibrate(
			cleaning({ montantHT: 900_000, dureeMois: 36, heuresMensuellesTransferees: 300, tauxInsertion: 10 }),
		);
		expect(result.methode).toBe('proprete');
		expect(result.parametres.partNonCouverte).toMatchObject({ valeur: 0.7, origine: 'calcul' });
		expect(result.parametres.coutHoraire).toMatchObject({
			valeur: 25,
			origine: 'référentiel',
			source: DEFAULTS.coutHoraireProprete.source,
		});
		expect(result.heuresCalculees).toBe(2520);
		expect(result.heures).toBe(2520);
		expect(result.plancher).toBe(150);
		expect(result.avertissements).toEqual([]);
	});

	it('second cas : A = 600 000 €, N = 24, S = 500 h → P = 0,5 → 1 200 h', () => {
		const result = calibrate(
			cleaning({ montantHT: 600_000, dureeMois: 24, heuresMensuellesTransferees: 500, tauxInsertion: 10 }),
		);
		expect(result.parametres.partNonCouverte.valeur).toBe(0.5);
		expect(result.heures).toBe(1200);
	});

	it.each<[number, number]>([
		[1000, 0],
		[1500, -0.5],
	])('S = %p h/mois : P = %p ≤ 0, le personnel repris couvre le marché → 0 h', (heuresMensuellesTransferees, P) => {
		const result = calibrate(
			cleaning({ montantHT: 600_000, dureeMois: 24, heuresMensuellesTransferees, tauxInsertion: 10 }),
		);
		expect(result.parametres.partNonCouverte.valeur).toBe(P);
		expect(result.heuresCalculees).toBe(0);
		expect(result.heures).toBe(0);
		expect(warningRules(result)).toEqual(['calibrage.personnelRepris']);
		// La formule dit que le personnel repris remplit le marché, sans produit négatif comparé au plancher.
		expect(result.formule).toContain('≤ 0 : le personnel repris couvre déjà tout le marché, aucune heure d’insertion à exiger en plus → 0');
		expect(result.formule).not.toContain('plancher');
		expect(result.avertissements[0]).toMatchObject({
			gravite: 'avertissement',
			champ: 'heuresMensuellesTransferees',
			ou: 'lot nettoyage du marché 2026-040',
		});
		expect(result.avertissements[0].correction).toMatch(/^Pas d’heures d’insertion à exiger/);
	});

	it('60 h calculées : sous le plancher propreté de 150 h → 0 h (alors qu’elles dépassent 35 h)', () => {
		// A ÷ N = 5 000 € ; P = 1 − 100 × 25 ÷ 5 000 = 0,5 ; 0,5 × 60 000 ÷ 25 × 5 % = 60 h
		const result = calibrate(cleaning({ montantHT: 60_000, dureeMois: 12, heuresMensuellesTransferees: 100 }));
		expect(result.heuresCalculees).toBe(60);
		expect(result.heuresArrondies).toBe(60);
		expect(result.heures).toBe(0);
		expect(result.plancher).toBe(150);
		expect(result.sousPlancher).toBe(true);
		expect(result.parametres.plancherHeures).toMatchObject({
			valeur: 150,
			origine: 'référentiel',
			source: DEFAULTS.plancherProprete.source,
		});
		expect(warningRules(result)).toEqual(['calibrage.sousPlancher']);
	});

	it('150 h tout juste : retenues', () => {
		// P = 1 − 100 × 25 ÷ 5 000 = 0,5 ; 0,5 × 60 000 ÷ 25 × 12,5 % = 150 h
		const result = calibrate(
			cleaning({ montantHT: 60_000, dureeMois: 12, heuresMensuellesTransferees: 100, tauxInsertion: '12,5' }),
		);
		expect(result.heures).toBe(150);
		expect(result.sousPlancher).toBe(false);
	});
});

describe('plancher et arrondi', () => {
	const standard = (montantHT: number, extra: RawLot = {}): RawLot => ({ ...MDE77, montantHT, ...extra });

	it('34 h < plancher de 35 h → 0 h, avec un avertissement « calibrage.sousPlancher »', () => {
		const result = calibrate(standard(40_800));
		expect(result.heuresCalculees).toBe(34);
		expect(result.heuresArrondies).toBe(34);
		expect(result.heures).toBe(0);
		expect(result.sousPlancher).toBe(true);
		expect(result.plancher).toBe(35);
		expect(result.equivalents).toEqual({ etp: 0, moisTempsPlein: 0 });
		expect(warningRules(result)).toEqual(['calibrage.sousPlancher']);
		expect(result.avertissements[0]).toMatchObject({ champ: 'heures', ou: 'lot 1 du marché 2026-017' });
		expect(result.avertissements[0].correction).toMatch(/^Justifiez l’absence de clause en heures/);
		expect(result.formule.endsWith(`= 34${NBSP}h < plancher de 35${NBSP}h → 0${NBSP}h`)).toBe(true);
	});

	it('35 h : retenues', () => {
		const result = calibrate(standard(42_000));
		expect(result.heures).toBe(35);
		expect(result.sousPlancher).toBe(false);
		expect(result.avertissements).toEqual([]);
	});

	it('le plancher porte sur les heures arrondies : 34,5 h → 35 h retenues', () => {
		const result = calibrate(standard(41_400));
		expect(result.heuresCalculees).toBe(34.5);
		expect(result.heures).toBe(35);
		expect(result.sousPlancher).toBe(false);
	});

	it('un plancher de lot (70 h) remplace celui de l’exécution : 50 h → 0 h', () => {
		const result = calibrate(standard(60_000, { plancherHeures: 70 }));
		expect(result.heuresCalculees).toBe(50);
		expect(result.heures).toBe(0);
		expect(result.plancher).toBe(70);
		expect(result.parametres.plancherHeures).toEqual({
			libelle: 'plancher d’heures',
			valeur: 70,
			unite: 'h',
			origine: 'lot',
		});
		expect(warningRules(result)).toEqual(['calibrage.sousPlancher']);
	});

	it('un plancher de lot plus bas (20 h) l’emporte aussi sur le paramètre de l’exécution : 34 h retenues', () => {
		const result = calibrate(standard(40_800, { plancherHeures: 20 }), { plancherHeures: 100 });
		expect(result.plancher).toBe(20);
		expect(result.heures).toBe(34);
	});

	it('plancher de l’exécution à 0 : 34 h retenues, paramètre d’origine « paramètre du nœud »', () => {
		const result = calibrate(standard(40_800), { plancherHeures: 0 });
		expect(result.heures).toBe(34);
		expect(result.parametres.plancherHeures).toMatchObject({ valeur: 0, origine: 'paramètre du nœud' });
	});

	it('0 h calculées : pas d’avertissement de plancher', () => {
		const result = calibrate(standard(0));
		expect(result.heures).toBe(0);
		expect(result.sousPlancher).toBe(true);
		expect(result.avertissements).toEqual([]);
	});

	it.each<[string, number, number, number, number]>([
		// arrondi, pas, montant HT, heures calculées, heures retenues
		['plusProche', 1, 1_000_000, 833.33, 833],
		['inferieur', 1, 1_000_000, 833.33, 833],
		['superieur', 1, 1_000_000, 833.33, 834],
		['plusProche', 1, 120_600, 100.5, 101],
		['inferieur', 1, 120_600, 100.5, 100],
		['superieur', 1, 120_600, 100.5, 101],
		['plusProche', 10, 1_000_000, 833.33, 830],
		['inferieur', 10, 1_000_000, 833.33, 830],
		['superieur', 10, 1_000_000, 833.33, 840],
		['plusProche', 10, 1_002_000, 835, 840],
		['inferieur', 10, 1_002_000, 835, 830],
		['superieur', 10, 1_002_000, 835, 840],
		['superieur', 10, 1_008_000, 840, 840],
		['plusProche', 0.5, 1_000_000, 833.33, 833.5],
	])('arrondi %s au pas de %p h : %p € → %p h → %p h', (arrondi, pasArrondi, montantHT, calculees, retenues) => {
		const result = calibrate(standard(montantHT), { arrondi, pasArrondi });
		expect(result.heuresCalculees).toBe(calculees);
		expect(result.heuresArrondies).toBe(retenues);
		expect(result.heures).toBe(retenues);
	});

	it.each<[string, number, number, number, number, number]>([
		// arrondi, montant HT, main-d'œuvre %, insertion %, €/h, heures exactes ;
		// le calcul binaire tombe juste à côté de l'entier
		['inferieur', 337_000, 20, 5, 33.7, 100], // 99,999999999999986 h : 100 h, pas 99
		['superieur', 750_000, 20, 7, 25, 420], // 420,00000000000006 h : 420 h, pas 421
	])(
		'arrondi %s sans erreur binaire : %p € × %p % × %p % ÷ %p €/h = %p h',
		(arrondi, montantHT, tauxMainOeuvre, tauxInsertion, coutHoraire, expected) => {
			const raw = { ...MDE77, montantHT, tauxMainOeuvre, tauxInsertion, coutHoraire };
			const result = calibrate(raw, { arrondi });
			expect(result.heuresCalculees).toBe(expected);
			expect(result.heures).toBe(expected);
			expect(calibrate(raw, { arrondi, pasArrondi: 10 }).heures).toBe(expected);
		},
	);

	it('accepte les libellés français des modes d’arrondi', () => {
		expect(calibrate(MDE77, { arrondi: 'Au supérieur' }).heures).toBe(834);
		expect(calibrate(MDE77, { arrondi: 'À l’inférieur' }).heures).toBe(833);
		expect(calibrate(MDE77, { arrondi: 'au plus proche' }).heures).toBe(833);
	});

	it('le pas de 10 h s’applique avant le plancher : 34 h → 30 h → 0 h', () => {
		const result = calibrate(standard(40_800), { pasArrondi: 10 });
		expect(result.heuresArrondies).toBe(30);
		expect(result.heures).toBe(0);
		expect(result.sousPlancher).toBe(true);
	});
});

describe('équivalents temps plein', () => {
	it.each<[number, number, number, number]>([
		// montant HT, heures, ETP (÷ 1 607), mois à temps plein (÷ 151,67)
		[1_000_000, 833, 0.52, 5.49],
		[4_320_000, 3600, 2.24, 23.74],
		[1_928_400, 1607, 1, 10.6],
		[42_000, 35, 0.02, 0.23],
	])('%p € → %p h = %p ETP = %p mois', (montantHT, heures, etp, mois) => {
		const result = calibrate({ ...MDE77, montantHT });
		expect(result.heures).toBe(heures);
		expect(result.equivalents).toEqual({ etp, moisTempsPlein: mois });
		expect(result.parametres.heuresEtp).toMatchObject({
			valeur: 1607,
			origine: 'référentiel',
			source: DEFAULTS.heuresEtp.source,
		});
		expect(result.parametres.heuresMoisTempsPlein).toMatchObject({ valeur: 151.67, origine: 'référentiel' });
	});

	it('avec l’ancienne base de 1 820 h par ETP : 833 h = 0,46 ETP', () => {
		const result = calibrate(MDE77, { heuresEtp: 1820 });
		expect(result.equivalents.etp).toBe(0.46);
		expect(result.parametres.heuresEtp).toMatchObject({ valeur: 1820, origine: 'paramètre du nœud' });
	});
});

describe('provenance des paramètres', () => {
	it('valeur du lot → « lot » ; valeur par défaut → « référentiel » avec sa source ; paramètre changé → « paramètre du nœud »', () => {
		const result = calibrate(
			{ marche: '2026-017', lot: '2', nature: 'travaux', montantHT: 1_000_000, tauxMainOeuvre: 50 },
			{ coutHoraire: 25 },
		);
		expect(result.parametres.tauxMainOeuvre).toEqual({
			libelle: 'taux de main-d’œuvre',
			valeur: 50,
			unite: '%',
			origine: 'lot',
		});
		expect(result.parametres.tauxInsertion).toEqual({
			libelle: 'taux d’insertion',
			valeur: 5,
			unite: '%',
			origine: 'référentiel',
			source: DEFAULTS.tauxInsertion.source,
		});
		expect(result.parametres.coutHoraire).toEqual({
			libelle: 'coût horaire de la main-d’œuvre',
			valeur: 25,
			unite: '€/h',
			origine: 'paramètre du nœud',
			source: undefined,
		});
		expect(result.parametres.plancherHeures).toMatchObject({
			origine: 'référentiel',
			source: DEFAULTS.plancherHeures.source,
		});
		// 1 000 000 × 50 % × 5 % ÷ 25 = 1 000 h
		expect(result.heures).toBe(1000);
	});

	it('la valeur du lot l’emporte sur le paramètre de l’exécution', () => {
		const result = calibrate(MDE77, { coutHoraire: 25, tauxInsertion: 10 });
		expect(result.parametres.coutHoraire).toMatchObject({ valeur: 30, origine: 'lot' });
		expect(result.parametres.tauxInsertion).toMatchObject({ valeur: 5, origine: 'lot' });
		expect(result.heures).toBe(833);
	});

	it('un taux de main-d’œuvre de l’exécution sert en dernier recours, d’origine « paramètre du nœud »', () => {
		const result = calibrate({ lot: '3', nature: 'fournitures', montantHT: 600_000 }, { tauxMainOeuvre: '25 %' });
		expect(result.parametres.tauxMainOeuvre).toEqual({
			libelle: 'taux de main-d’œuvre',
			valeur: 25,
			unite: '%',
			origine: 'paramètre du nœud',
		});
		// 600 000 × 25 % × 5 % ÷ 30 = 250 h
		expect(result.heures).toBe(250);
	});
});

describe('résolution du secteur', () => {
	const lot = (extra: RawLot): RawLot => ({
		marche: '2026-017',
		lot: '7',
		nature: 'travaux',
		montantHT: 1_000_000,
		...extra,
	});

	it.each<[string]>([['gros œuvre'], ['Gros-Oeuvre'], ['maçonnerie'], ['MACONNERIE'], ['Maçonnerie / gros œuvre']])(
		'secteur « %s » → maçonnerie, 50 % → 833 h',
		(secteur) => {
			const result = calibrate(lot({ secteur }));
			expect(result.parametres.tauxMainOeuvre).toEqual({
				libelle: `taux de main-d’œuvre (Maçonnerie / gros œuvre, d’après le secteur «${NBSP}${secteur}${NBSP}»)`,
				valeur: 50,
				unite: '%',
				origine: 'référentiel',
				source: SECTORS.maconnerie.source,
			});
			expect(result.heures).toBe(833);
		},
	);

	it.each<[string]>([['45442100'], ['45442100-5'], ['4544 2100']])('code CPV %s → peinture, 70 % → 1 167 h', (cpv) => {
		const result = calibrate(lot({ cpv }));
		expect(result.parametres.tauxMainOeuvre).toMatchObject({
			valeur: 70,
			origine: 'référentiel',
			source: SECTORS.peinture.source,
		});
		expect(result.parametres.tauxMainOeuvre.libelle).toBe(
			`taux de main-d’œuvre (Peinture, d’après le code CPV ${cpv})`,
		);
		// 1 000 000 × 70 % × 5 % ÷ 30 = 1 166,67 h
		expect(result.heuresCalculees).toBe(1166.67);
		expect(result.heures).toBe(1167);
	});

	it('priorité : taux du lot, puis secteur, puis code CPV', () => {
		expect(
			calibrate(lot({ tauxMainOeuvre: 30, secteur: 'peinture', cpv: '45262500' })).parametres.tauxMainOeuvre.valeur,
		).toBe(30);
		expect(calibrate(lot({ secteur: 'peinture', cpv: '45262500' })).parametres.tauxMainOeuvre.valeur).toBe(70);
		expect(calibrate(lot({ cpv: '45262500' })).parametres.tauxMainOeuvre.valeur).toBe(50);
	});

	it('le préfixe CPV le plus long l’emporte (45262400 : charpente métallique, pas maçonnerie)', () => {
		expect(calibrate(lot({ cpv: '45262400' })).parametres.tauxMainOeuvre.valeur).toBe(20);
	});

	it('le préfixe CPV le plus long l’emporte, quel que soit l’ordre du référentiel', () => {
		const sector = (libelle: string, tauxMainOeuvre: number, cpv: string[]) => ({
			libelle,
			tauxMainOeuvre,
			cpv,
			source: 'test',
			synonymes: [],
		});
		const index = new SectorIndex({
			batiment: sector('Bâtiment', 40, ['45']),
			peinture: sector('Peinture', 70, ['454421']),
			second: sector('Second œuvre', 55, ['454']),
		});
		expect(index.byCpv('45442100')).toMatchObject({ cle: 'peinture', par: 'cpv' });
		expect(index.byCpv('45400000')).toMatchObject({ cle: 'second' });
		expect(index.byCpv('45000000')).toMatchObject({ cle: 'batiment' });
		expect(index.byCpv('03000000')).toBeUndefined();
		expect(index.byCpv('4')).toBeUndefined();
	});

	it('un secteur utilisateur à préfixe court (« 45 ») ne capte pas les CPV plus précis du référentiel', () => {
		const settings = { secteurs: { batiment: { libelle: 'Bâtiment tous corps', tauxMainOeuvre: 40, cpv: ['45'] } } };
		expect(calibrate(lot({ cpv: '45442100' }), settings).parametres.tauxMainOeuvre.valeur).toBe(70);
		expect(calibrate(lot({ cpv: '45000000' }), settings).parametres.tauxMainOeuvre).toMatchObject({
			valeur: 40,
			libelle: 'taux de main-d’œuvre (Bâtiment tous corps, d’après le code CPV 45000000)',
		});
	});

	it('secteur ajouté par l’utilisateur (JSON du paramètre « Référentiel des secteurs »)', () => {
		const settings = {
			secteurs:
				'{"electricite": {"libelle": "Électricité", "tauxMainOeuvre": "45 %", "cpv": ["4531"], "synonymes": ["courants forts"]}}',
		};
		for (const extra of [{ secteur: 'électricité' }, { secteur: 'Courants forts' }, { cpv: '45310000' }]) {
			const result = calibrate(lot(extra), settings);
			expect(result.parametres.tauxMainOeuvre).toMatchObject({
				valeur: 45,
				origine: 'référentiel',
				source: 'Référentiel fourni par l’utilisateur',
			});
			// 1 000 000 × 45 % × 5 % ÷ 30 = 750 h
			expect(result.heures).toBe(750);
		}
	});

	it('secteur du référentiel remplacé par l’utilisateur : la peinture à 60 %, CPV et synonymes conservés', () => {
		const settings = { secteurs: { peinture: { tauxMainOeuvre: 60, source: 'Facilitateur Lorraine' } } };
		const byCpv = calibrate(lot({ cpv: '45442100' }), settings);
		expect(byCpv.parametres.tauxMainOeuvre).toMatchObject({ valeur: 60, source: 'Facilitateur Lorraine' });
		expect(byCpv.parametres.tauxMainOeuvre.libelle).toBe(
			'taux de main-d’œuvre (Peinture, d’après le code CPV 45442100)',
		);
		expect(byCpv.heures).toBe(1000);
		expect(calibrate(lot({ secteur: 'revêtements muraux' }), settings).heures).toBe(1000);
		// Le référentiel livré n'est pas modifié pour les exécutions suivantes.
		expect(calibrate(lot({ cpv: '45442100' })).heures).toBe(1167);
		expect(SECTORS.peinture.tauxMainOeuvre).toBe(70);
	});

	it('secteur inconnu → AnomalyError « calibrage.secteurInconnu » qui nomme le lot et liste les secteurs connus', () => {
		const error = anomalyFrom(() => calibrate(lot({ secteur: 'aéronautique' })));
		expect(error.anomalies).toHaveLength(1);
		const [anomaly] = error.anomalies;
		expect(anomaly).toMatchObject({
			gravite: 'erreur',
			champ: 'secteur',
			libelle: 'secteur',
			ou: 'lot 7 du marché 2026-017',
			regle: 'calibrage.secteurInconnu',
			message: `le secteur «${NBSP}aéronautique${NBSP}» est absent du référentiel`,
		});
		expect(anomaly.correction).toContain(
			'Choisissez un secteur parmi : Peinture, Maçonnerie / gros œuvre, Charpente métallique, Propreté / nettoyage ;',
		);
		expect(anomaly.correction).toContain(`«${NBSP}tauxMainOeuvre${NBSP}»`);
		expect(error.message).toBe(
			`Lot 7 du marché 2026-017, secteur : le secteur «${NBSP}aéronautique${NBSP}» est absent du référentiel`,
		);
	});

	it('le secteur inconnu liste aussi les secteurs ajoutés par l’utilisateur', () => {
		const error = anomalyFrom(() =>
			calibrate(lot({ secteur: 'aéronautique' }), { secteurs: { vrd: { libelle: 'VRD', tauxMainOeuvre: 35 } } }),
		);
		expect(error.anomalies[0].correction).toContain('Propreté / nettoyage, VRD ;');
	});

	it('ni taux, ni secteur, ni CPV connu → « calibrage.parametreManquant » sur le taux de main-d’œuvre', () => {
		const error = anomalyFrom(() => calibrate(lot({ cpv: '30200000' })));
		expect(error.anomalies[0]).toMatchObject({
			champ: 'tauxMainOeuvre',
			ou: 'lot 7 du marché 2026-017',
			regle: 'calibrage.parametreManquant',
			message: 'taux de main-d’œuvre inconnu : le code CPV 30200000 ne correspond à aucun secteur du référentiel',
		});
		expect(error.anomalies[0].correction).toMatch(/^Indiquez le taux de main-d’œuvre du lot/);
	});
});

/**
 * Avise, « Prestations intellectuelles et clauses sociales d’insertion », 2013 :
 * les heures PRÉVUES des études de cas, reproduites avec des paramètres explicites.
 * L'étude Avise (2013) ne donne ni la méthode ni les taux : les paramètres ci-dessous sont
 * RECONSTITUÉS (déduits des montants publiés pour retomber exactement sur les
 * heures publiées) ; chaque test dit comment.
 */
describe('Avise, « Prestations intellectuelles et clauses sociales d’insertion », 2013 : heures prévues des études de cas', () => {
	// Cas n° 2, Conseil général de la Gironde, expertise topographique (4 ans) :
	// lot 1 220 000 € HT → 385 h ; lot 2 460 000 € HT → 700 h (planifiées).
	// Paramètres déduits : main-d’œuvre 100 % (prestations intellectuelles), part de 7 % des
	// heures du marché, chiffre d’affaires horaire 40 €/h pour le lot 1 (valeur de la CUB) et
	// 46 €/h pour le lot 2 : 220 000 ÷ 40 = 5 500 h × 7 % = 385 h ; 460 000 ÷ 46 = 10 000 h × 7 % = 700 h.
	it.each<[string, number, number, number, number]>([
		// lot, montant HT, €/h, heures du marché, heures prévues
		['1', 220_000, 40, 5500, 385],
		['2', 460_000, 46, 10_000, 700],
	])('Gironde, lot %s : %p € HT ÷ %p €/h → %p h de marché × 7 % = %p h', (lot, montantHT, coutHoraire, heuresMarche, heures) => {
		const result = calibrate({
			marche: 'Aménagement foncier A65',
			lot,
			nature: 'prestations intellectuelles',
			montantHT,
			dureeMois: 48,
			tauxMainOeuvre: 100,
			coutHoraire,
			partHeuresMarche: 7,
		});
		expect(result.methode).toBe('partHeuresMarche');
		expect(result.parametres.heuresMarche).toMatchObject({ valeur: heuresMarche, origine: 'calcul' });
		expect(result.heuresCalculees).toBe(heures);
		expect(result.heures).toBe(heures);
		expect(result.avertissements).toEqual([]);
	});

	it('Gironde, les deux lots ensemble : 385 + 700 = 1 085 h prévues', () => {
		const lots = [
			{ lot: '1', montantHT: 220_000, coutHoraire: 40 },
			{ lot: '2', montantHT: 460_000, coutHoraire: 46 },
		].map((l) => calibrate({ marche: 'A65', nature: 'PI', tauxMainOeuvre: 100, partHeuresMarche: 7, ...l }).heures);
		expect(lots.reduce((a, b) => a + b, 0)).toBe(1085);
	});

	// Cas n° 3, Communauté de communes du Haut Val d’Oise, étude logistique (ECOMODAL) :
	// 55 000 €, 6 mois, 35 h prévues. Paramètres déduits : main-d’œuvre 100 %, 55 €/h
	// (1 000 h de marché, environ 1,1 ETP sur 6 mois), part de 3,5 % → 35 h, soit le
	// plancher de 35 h tout juste (retenu : le plancher est atteint).
	it('ECOMODAL : 55 000 € ÷ 55 €/h = 1 000 h × 3,5 % = 35 h, au plancher de 35 h, retenues', () => {
		const result = calibrate(
			{
				marche: 'Haut Val d’Oise',
				lot: 'unique',
				nature: 'prestations intellectuelles',
				montantHT: 55_000,
				dureeMois: 6,
				tauxMainOeuvre: 100,
				coutHoraire: 55,
				partHeuresMarche: '3,5',
			},
			{ plancherHeures: 35 },
		);
		expect(result.parametres.heuresMarche).toMatchObject({ valeur: 1000, origine: 'calcul' });
		expect(result.heuresCalculees).toBe(35);
		expect(result.plancher).toBe(35);
		expect(result.sousPlancher).toBe(false);
		expect(result.heures).toBe(35);
		// 35 ÷ 1 607 = 0,02 ETP ; 35 ÷ 151,67 = 0,23 mois à temps plein.
		expect(result.equivalents).toEqual({ etp: 0.02, moisTempsPlein: 0.23 });
	});

	it('ECOMODAL avec les valeurs par défaut de la CUB (40 €/h, 15 %) : 206 h, six fois les 35 h prévues', () => {
		// 55 000 ÷ 40 = 1 375 h × 15 % = 206,25 h : le référentiel ne remplace pas le calibrage concerté.
		const result = calibrate({ lot: 'unique', nature: 'PI', montantHT: 55_000, dureeMois: 6, methode: 'part des heures' });
		expect(result.heuresCalculees).toBe(206.25);
		expect(result.heures).toBe(206);
	});

	// Cas n° 4, Communauté d’agglomération de Pau-Pyrénées, maîtrise d’œuvre : 875 h prévues,
	// montant « non précisé ». Paramètres déduits : règle de Poitou-Charentes (1 h pour
	// 1 500 € facturés, guide Avise, ARF et Caisse des Dépôts 2014) → honoraires de 875 × 1 500 = 1 312 500 € HT.
	it('Pau, maîtrise d’œuvre : 1 312 500 € facturés ÷ 1 500 €/h = 875 h', () => {
		const result = calibrate(
			{ marche: 'Pôle éducatif du Hameau', lot: 'MOE', nature: 'prestations intellectuelles', montantHT: 1_312_500, montantFacture: 1_312_500, dureeMois: 6 },
			{ eurosParHeure: 1500 },
		);
		expect(result.methode).toBe('parEuroFacture');
		expect(result.parametres.eurosParHeure).toMatchObject({ valeur: 1500, origine: 'référentiel' });
		expect(result.heuresCalculees).toBe(875);
		expect(result.heures).toBe(875);
	});
});

describe('propreté : part de main-d’œuvre de 80 % et C = 25 (Inserpropre)', () => {
	it('le secteur « nettoyage » donne 80 % de main-d’œuvre, sourcé Inserpropre', () => {
		expect(SECTORS.proprete.tauxMainOeuvre).toBe(80);
		// 300 000 € × 80 % × 5 % ÷ 25 €/h = 480 h
		const result = calibrate(
			{ marche: '2026-040', lot: '1', nature: 'services', montantHT: 300_000, secteur: 'nettoyage', tauxInsertion: 5, coutHoraire: 25 },
			{ plancherProprete: 150 },
		);
		expect(result.methode).toBe('standard');
		expect(result.parametres.tauxMainOeuvre).toMatchObject({ valeur: 80, origine: 'référentiel', source: SECTORS.proprete.source });
		expect(result.parametres.tauxMainOeuvre.source).toContain('Inserpropre, outil de calibrage de la branche propreté');
		expect(result.heures).toBe(480);
	});

	it('lot de propreté en formule standard : plancher de la propreté (150 h), pas 35 h', () => {
		// 100 000 € × 80 % × 5 % ÷ 25 €/h = 160 h ≥ 150 h ; 90 000 € → 144 h < 150 h → 0 h (35 h ne s'applique pas).
		const at = (montantHT: number) => calibrate({ lot: '1', nature: 'services', montantHT, secteur: 'nettoyage', coutHoraire: 25 });
		expect(at(100_000).heures).toBe(160);
		const below = at(90_000);
		expect(below.heuresCalculees).toBe(144);
		expect(below.plancher).toBe(150);
		expect(below.heures).toBe(0);
		expect(below.parametres.plancherHeures).toMatchObject({ valeur: 150, origine: 'référentiel', source: DEFAULTS.plancherProprete.source });
		// Par le code CPV aussi ; un plancher porté par le lot l'emporte.
		expect(calibrate({ lot: '1', nature: 'services', montantHT: 90_000, cpv: '90910000', coutHoraire: 25 }).plancher).toBe(150);
		expect(calibrate({ lot: '1', nature: 'services', montantHT: 90_000, secteur: 'nettoyage', coutHoraire: 25, plancherHeures: 35 }).heures).toBe(144);
		// Un autre secteur garde le plancher général.
		expect(calibrate({ lot: '1', nature: 'travaux', montantHT: 90_000, secteur: 'peinture', coutHoraire: 25 }).plancher).toBe(35);
	});

	it('reprise du personnel sans heures transférées : formule standard, avec un avertissement', () => {
		const result = calibrate({ marche: '2026-040', lot: '2', nature: 'services', montantHT: 300_000, secteur: 'nettoyage', coutHoraire: 25, repriseDuPersonnel: 'oui' });
		expect(result.methode).toBe('standard');
		expect(result.heures).toBe(480);
		expect(warningRules(result)).toEqual(['calibrage.repriseSansHeures']);
		expect(result.avertissements[0]).toMatchObject({
			champ: 'heuresMensuellesTransferees',
			ou: 'lot 2 du marché 2026-040',
			message: 'reprise du personnel indiquée sans les heures mensuelles du personnel repris : formule standard appliquée, qui ne tient pas compte de la reprise',
		});
	});

	it('le code CPV 90910000 (nettoyage) mène aussi aux 80 %', () => {
		const result = calibrate({ lot: '1', nature: 'services', montantHT: 300_000, cpv: '90910000', coutHoraire: 25 });
		expect(result.parametres.tauxMainOeuvre).toMatchObject({ valeur: 80, origine: 'référentiel' });
	});

	it('C = 25 €/h, c’est 20 €/h de coût salarial ÷ 80 % de main-d’œuvre', () => {
		expect(DEFAULTS.coutHoraireProprete.valeur).toBe(20 / (SECTORS.proprete.tauxMainOeuvre / 100));
	});

	it('C = 25 passé explicitement (lot ou exécution) : A = 900 000 €, N = 36, S = 300 h, T = 10 % → 2 520 h', () => {
		const raw: RawLot = { marche: '2026-040', lot: 'nettoyage', nature: 'services', repriseDuPersonnel: 'oui', montantHT: 900_000, dureeMois: 36, heuresMensuellesTransferees: 300, tauxInsertion: 10 };
		const onLot = calibrate({ ...raw, coutHoraire: 25 });
		expect(onLot.parametres.coutHoraire).toMatchObject({ valeur: 25, origine: 'lot' });
		expect(onLot.heures).toBe(2520);
		const onRun = calibrate(raw, { coutHoraireProprete: 25 });
		expect(onRun.parametres.coutHoraire).toMatchObject({ valeur: 25 });
		expect(onRun.heures).toBe(2520);
		// Le paramètre sert bien : C = 20 → P = 1 − 300 × 20 ÷ 25 000 = 0,76 ; 0,76 × 900 000 ÷ 20 × 10 % = 3 420 h.
		const other = calibrate(raw, { coutHoraireProprete: 20 });
		expect(other.parametres.coutHoraire).toMatchObject({ valeur: 20, origine: 'paramètre du nœud' });
		expect(other.heures).toBe(3420);
	});
});
