/**
 * Saisies fautives : l'erreur dit en français quel lot, quel champ et quoi
 * corriger. Paramètres d'exécution fautifs : l'erreur nomme « paramètres du nœud ».
 */
import type { RawLot } from './support';
import { anomalyFrom, calibrate, NBSP, readLot, warningRules } from './support';
import { parseCalibrationSettings } from '../../nodes/core';

const LOT_4: RawLot = {
	marche: '2026-017',
	lot: '4',
	intitule: 'Démolition / gros œuvre',
	nature: 'travaux',
	montantHT: 504_000,
	tauxMainOeuvre: 50,
};
const WHERE = 'lot 4 du marché 2026-017';
const without = (raw: RawLot, key: string): RawLot =>
	Object.fromEntries(Object.entries(raw).filter(([k]) => k !== key));
const NATURES_LIST =
	'Travaux, Services, Fournitures, Prestations intellectuelles, Délégation de service public, Marché de partenariat';

describe('lot mal saisi : erreur française qui nomme le lot et le champ', () => {
	it('montant négatif', () => {
		const error = anomalyFrom(() => readLot({ ...LOT_4, montantHT: -1000 }));
		expect(error.message).toContain('Lot 4 du marché 2026-017');
		expect(error.message).toContain('montant HT');
		expect(error.message).toMatch(/valeur négative/);
		expect(error.anomalies).toHaveLength(1);
		expect(error.anomalies[0]).toMatchObject({
			gravite: 'erreur',
			champ: 'montantHT',
			libelle: 'montant HT',
			ou: WHERE,
			regle: 'nombre.negatif',
			correction: `Saisissez une valeur supérieure ou égale à 0${NBSP}€.`,
		});
	});

	it('montant illisible « douze mille »', () => {
		const error = anomalyFrom(() => readLot({ ...LOT_4, montantHT: 'douze mille' }));
		expect(error.message).toBe(
			`Lot 4 du marché 2026-017, montant HT : «${NBSP}douze mille${NBSP}» n'est pas un nombre lisible`,
		);
		expect(error.anomalies[0]).toMatchObject({
			champ: 'montantHT',
			libelle: 'montant HT',
			ou: WHERE,
			regle: 'nombre.illisible',
		});
		expect(error.anomalies[0].correction).toBe(
			'Saisissez un nombre, par exemple 1 234 567,89 (virgule décimale et espaces acceptés).',
		);
	});

	it('montant manquant : erreur de la seule méthode qui s’en sert', () => {
		expect(readLot(without(LOT_4, 'montantHT')).lot.montantHT).toBeUndefined();
		const error = anomalyFrom(() => calibrate(without(LOT_4, 'montantHT')));
		expect(error.message).toBe('Lot 4 du marché 2026-017, montant HT : montant HT manquant : la méthode «\u00a0standard\u00a0» en a besoin');
		expect(error.anomalies[0]).toMatchObject({ champ: 'montantHT', regle: 'calibrage.parametreManquant', ou: WHERE });
		// Volume annuel, heures du marché, montant facturé : pas besoin du montant.
		expect(calibrate({ lot: 'autocars', nature: 'DSP', volumeAnnuel: 1800, dureeMois: 72 }).heures).toBe(10800);
		expect(calibrate({ lot: 'études', nature: 'prestations intellectuelles', heuresMarche: 24000, partHeuresMarche: 15 }).heures).toBe(3600);
		expect(calibrate({ lot: 'MOE', nature: 'prestations intellectuelles', methode: 'parEuroFacture', montantFacture: 1_312_500 }).heures).toBe(875);
	});

	it('nature manquante', () => {
		const error = anomalyFrom(() => readLot(without(LOT_4, 'nature')));
		expect(error.message).toBe('Lot 4 du marché 2026-017, nature : valeur manquante');
		expect(error.anomalies[0]).toMatchObject({
			champ: 'nature',
			libelle: 'nature',
			ou: WHERE,
			regle: 'liste.manquant',
		});
		expect(error.anomalies[0].correction).toBe(`Choisissez une nature de marché parmi : ${NATURES_LIST}.`);
	});

	it('nature inconnue', () => {
		const error = anomalyFrom(() => readLot({ ...LOT_4, nature: 'bricolage' }));
		expect(error.message).toBe(
			`Lot 4 du marché 2026-017, nature : «${NBSP}bricolage${NBSP}» n’est pas une nature de marché reconnue`,
		);
		expect(error.anomalies[0]).toMatchObject({ champ: 'nature', ou: WHERE, regle: 'liste.inconnu' });
		expect(error.anomalies[0].correction).toBe(`Choisissez parmi : ${NATURES_LIST}.`);
	});

	it('nature saisie par un synonyme, sans accents ni casse', () => {
		expect(readLot({ ...LOT_4, nature: 'BTP' }).lot.nature).toBe('travaux');
		expect(readLot({ ...LOT_4, nature: 'delegation de service public' }).lot.nature).toBe('dsp');
		expect(readLot({ ...LOT_4, nature: 'Maitrise d’oeuvre' }).lot.nature).toBe('prestationsIntellectuelles');
	});

	it('taux de main-d’œuvre au-delà de 100 %', () => {
		const error = anomalyFrom(() => readLot({ ...LOT_4, tauxMainOeuvre: '150 %' }));
		expect(error.message).toContain('Lot 4 du marché 2026-017, taux de main-d’œuvre (%)');
		expect(error.anomalies[0]).toMatchObject({ champ: 'tauxMainOeuvre', regle: 'nombre.tropGrand' });
		expect(error.anomalies[0].correction).toBe(`Saisissez une valeur inférieure ou égale à 100${NBSP}%.`);
	});

	it('coût horaire nul sur le lot (strictement positif attendu)', () => {
		const error = anomalyFrom(() => readLot({ ...LOT_4, coutHoraire: 0 }));
		expect(error.anomalies[0]).toMatchObject({
			champ: 'coutHoraire',
			libelle: 'coût horaire (€/h)',
			regle: 'nombre.tropPetit',
		});
		expect(error.anomalies[0].correction).toBe(`Saisissez une valeur strictement supérieure à 0${NBSP}€/h.`);
	});

	it('plusieurs fautes : toutes listées, le message annonce les autres', () => {
		const error = anomalyFrom(() => readLot({ ...LOT_4, montantHT: 'douze mille', nature: 'bricolage' }));
		expect(error.anomalies.map((a) => a.champ).sort()).toEqual(['montantHT', 'nature']);
		expect(error.anomalies.every((a) => a.ou === WHERE && a.correction.length > 10)).toBe(true);
		expect(error.message).toMatch(/^Lot 4 du marché 2026-017, .* \(et une autre anomalie\)$/);
	});

	it('lot sans marché : la désignation se limite au lot', () => {
		const error = anomalyFrom(() => readLot({ ...without(LOT_4, 'marche'), montantHT: -1 }));
		expect(error.anomalies[0].ou).toBe('lot 4');
		expect(error.message).toMatch(/^Lot 4, montant HT : /);
	});

	it('colonnes de tableur (« Montant HT », « N° lot ») reconnues', () => {
		const { lot } = readLot({
			'N° marché': '2026-017',
			'N° lot': 4,
			Nature: 'Travaux',
			'Montant HT': '504 000 €',
			"Taux de main-d'œuvre": '50 %',
		});
		expect(lot).toMatchObject({
			marche: '2026-017',
			lot: '4',
			nature: 'travaux',
			montantHT: 504000,
			tauxMainOeuvre: 50,
		});
	});

	it('durée manquante pour la méthode du volume annuel', () => {
		const error = anomalyFrom(() => calibrate({ ...LOT_4, nature: 'DSP', volumeAnnuel: 1800 }));
		expect(error.message).toBe(
			`Lot 4 du marché 2026-017, durée (mois) : durée manquante : la méthode «${NBSP}volume annuel${NBSP}» en a besoin`,
		);
		expect(error.anomalies[0]).toMatchObject({ champ: 'dureeMois', regle: 'calibrage.parametreManquant' });
		expect(error.anomalies[0].correction).toBe(`Indiquez la durée d’exécution du lot en mois (champ «${NBSP}dureeMois${NBSP}»).`);
	});

	it('heures du personnel repris manquantes pour la méthode Inserpropre', () => {
		const error = anomalyFrom(() => calibrate({ ...LOT_4, methode: 'Inserpropre', dureeMois: 12 }));
		expect(error.anomalies[0]).toMatchObject({
			champ: 'heuresMensuellesTransferees',
			ou: WHERE,
			regle: 'calibrage.parametreManquant',
		});
		expect(error.anomalies[0].correction).toMatch(/^Indiquez le volume mensuel d’heures du personnel transféré/);
	});
});

describe('saisies acceptées', () => {
	it.each<[string]>([['1 234,50'], ['1\u00a0234,50'], ['1\u202f234,50 €'], ['1.234,50'], ['1 234,50 € HT']])(
		'montant « %s » = 1 234,5 €',
		(montantHT) => {
			expect(readLot({ ...LOT_4, montantHT }).lot.montantHT).toBe(1234.5);
		},
	);

	it('taux d’insertion 0,05 accepté, avec un avertissement « calibrage.tauxEnFraction »', () => {
		for (const tauxInsertion of [0.05, '0,05']) {
			const result = calibrate({ ...LOT_4, tauxInsertion });
			expect(result.parametres.tauxInsertion).toMatchObject({ valeur: 0.05, origine: 'lot' });
			// 504 000 × 50 % × 0,05 % ÷ 30 = 4,2 h : sous le plancher
			expect(result.heuresCalculees).toBe(4.2);
			expect(result.heures).toBe(0);
			expect(warningRules(result)).toEqual(['calibrage.tauxEnFraction', 'calibrage.sousPlancher']);
			expect(result.avertissements[0]).toEqual({
				gravite: 'avertissement',
				champ: 'tauxInsertion',
				libelle: 'taux d’insertion',
				ou: WHERE,
				message: `0,05${NBSP}% est très faible : les taux s’expriment en pourcentage`,
				correction: `Vouliez-vous dire 5${NBSP}% ? Saisissez 5 pour 5${NBSP}%.`,
				regle: 'calibrage.tauxEnFraction',
			});
		}
	});

	it('taux de main-d’œuvre 0,5 : avertissement sur ce champ', () => {
		const result = calibrate({ ...LOT_4, tauxMainOeuvre: 0.5 });
		expect(result.avertissements[0]).toMatchObject({ champ: 'tauxMainOeuvre', regle: 'calibrage.tauxEnFraction' });
		expect(result.avertissements[0].correction).toBe(`Vouliez-vous dire 50${NBSP}% ? Saisissez 50 pour 50${NBSP}%.`);
	});

	it('taux d’insertion de 25 % : au-delà de la fourchette observée, avertissement « calibrage.tauxInsertionEleve »', () => {
		const result = calibrate({ ...LOT_4, tauxInsertion: 25 });
		// 504 000 × 50 % × 25 % ÷ 30 = 2 100 h
		expect(result.heures).toBe(2100);
		expect(warningRules(result)).toEqual(['calibrage.tauxInsertionEleve']);
		expect(result.avertissements[0].correction).toMatch(/^Vérifiez le taux avec le facilitateur/);
	});
});

describe('paramètres d’exécution fautifs : erreur qui nomme « paramètres du nœud »', () => {
	it('coût horaire négatif', () => {
		const error = anomalyFrom(() => parseCalibrationSettings({ coutHoraire: -5 }));
		expect(error.message).toMatch(/^Paramètres du nœud, coût horaire \(€\/h\) : valeur négative/);
		expect(error.anomalies[0]).toMatchObject({
			gravite: 'erreur',
			champ: 'coutHoraire',
			libelle: 'coût horaire (€/h)',
			ou: 'paramètres du nœud',
			regle: 'nombre.negatif',
			correction: `Saisissez une valeur strictement supérieure à 0${NBSP}€/h.`,
		});
	});

	it('coût horaire nul', () => {
		const error = anomalyFrom(() => parseCalibrationSettings({ coutHoraire: '0' }));
		expect(error.anomalies[0]).toMatchObject({
			champ: 'coutHoraire',
			ou: 'paramètres du nœud',
			regle: 'nombre.tropPetit',
		});
	});

	it('JSON des secteurs illisible', () => {
		const error = anomalyFrom(() => parseCalibrationSettings({ secteurs: '{"electricite": {"tauxMainOeuvre": 45}' }));
		expect(error.message).toMatch(/^Paramètres du nœud, référentiel des secteurs : le JSON est illisible/);
		expect(error.anomalies).toHaveLength(1);
		expect(error.anomalies[0]).toMatchObject({
			champ: 'secteurs',
			libelle: 'référentiel des secteurs',
			ou: 'paramètres du nœud',
			regle: 'parametres.json',
		});
		expect(error.anomalies[0].correction).toBe(
			'Corrigez la syntaxe, par exemple {"electricite": {"libelle": "Électricité", "tauxMainOeuvre": 45}}.',
		);
	});

	it('taux d’un secteur ajouté hors de 0–100 %', () => {
		const error = anomalyFrom(() => parseCalibrationSettings({ secteurs: '{"vrd": {"tauxMainOeuvre": 150}}' }));
		expect(error.anomalies[0]).toMatchObject({
			champ: 'secteurs.vrd.tauxMainOeuvre',
			libelle: 'taux de main-d’œuvre (%)',
			ou: 'paramètres du nœud',
			regle: 'nombre.tropGrand',
		});
	});

	it('mode d’arrondi inconnu', () => {
		const error = anomalyFrom(() => parseCalibrationSettings({ arrondi: 'aléatoire' }));
		expect(error.message).toBe(
			`Paramètres du nœud, arrondi : «${NBSP}aléatoire${NBSP}» n’est pas un mode d’arrondi reconnu`,
		);
		expect(error.anomalies[0].correction).toBe('Choisissez parmi : Au plus proche, À l’inférieur, Au supérieur.');
	});

	it('taux d’insertion illisible', () => {
		const error = anomalyFrom(() => parseCalibrationSettings({ tauxInsertion: 'cinq' }));
		expect(error.anomalies[0]).toMatchObject({
			champ: 'tauxInsertion',
			libelle: 'taux d’insertion (%)',
			regle: 'nombre.illisible',
		});
	});

	it('valeurs par défaut quand rien n’est saisi', () => {
		expect(parseCalibrationSettings({})).toEqual({
			methode: 'auto',
			coutHoraire: 30,
			tauxInsertion: 5,
			plancherHeures: 35,
			plancherProprete: 150,
			coutHoraireProprete: 25,
			partHeuresMarche: 15,
			coutHorairePrestationIntellectuelle: 40,
			eurosParHeure: 1500,
			volumeAnnuel: 1800,
			heuresEtp: 1607,
			heuresMoisTempsPlein: 151.67,
			arrondi: 'plusProche',
			pasArrondi: 1,
			secteurs: {},
		});
		expect(parseCalibrationSettings({ secteurs: '  ' }).secteurs).toEqual({});
	});
});
