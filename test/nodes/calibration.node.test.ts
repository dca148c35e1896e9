import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { ClauseCalibration } from '../../nodes/ClauseCalibration/ClauseCalibration.node';
import { ClauseFeasibility } from '../../nodes/ClauseFeasibility/ClauseFeasibility.node';
import { DEFAULTS, LOI_CLIMAT, PLAUSIBILITY_BOUNDS, THRESHOLDS } from '../../nodes/core';
import { PLAUSIBILITY_OPTIONS, plausibilityProperties } from '../../nodes/shared/plausibility';
import { binaryItem, runNode } from '../helpers/engine';
import { workbookBuffer } from '../helpers/workbooks';

interface Calibrage {
	heures: number;
	heuresCalculees: number;
	methode: string;
	plancher: number;
	parametres: Record<string, { valeur: number; origine: string }>;
}
const c = (json: IDataObject) => json.calibrage as unknown as Calibrage;

/** Toutes les propriétés d'une description, options des collections comprises. */
function flatten(properties: INodeProperties[]): INodeProperties[] {
	return properties.flatMap((p) =>
		p.type === 'collection' ? [p, ...flatten((p.options ?? []) as INodeProperties[])] : [p],
	);
}

describe('nœud Calibrage des heures, exécuté par le moteur de n8n', () => {
	it('calcule les heures du lot avec la formule standard (exemple Maison de l’emploi Sud 77)', async () => {
		const result = await runNode({ type: 'clauseCalibration' }, [
			{ marche: '2026-017', lot: '1', nature: 'travaux', montantHT: 1_000_000, tauxMainOeuvre: 50 },
		]);
		expect(result.error()).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const calibrage = result.items[0].json.calibrage as Record<string, unknown>;
		expect(calibrage.heures).toBe(833);
		expect(calibrage.methode).toBe('standard');
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
	});

	it('paramètres de l’exécution : taux d’insertion, coût horaire, plancher et options remplacent le référentiel', async () => {
		const { items, error } = await runNode(
			{
				type: 'clauseCalibration',
				parameters: { tauxInsertion: 10, coutHoraire: 25, plancherHeures: 70, options: { arrondi: 'superieur', pasArrondi: 10, heuresEtp: 1820 } },
			},
			[
				// 1 000 000 × 50 % × 10 % ÷ 25 = 2 000 h
				{ marche: 'M', lot: '1', nature: 'travaux', montantHT: 1_000_000, tauxMainOeuvre: 50 },
				// 120 000 × 50 % × 10 % ÷ 25 = 240 h ; un taux porté par le lot (5 %) l'emporte : 120 h
				{ marche: 'M', lot: '2', nature: 'travaux', montantHT: 120_000, tauxMainOeuvre: 50, tauxInsertion: 5 },
				// 30 000 × 50 % × 10 % ÷ 25 = 60 h → 60 h au multiple de 10 < 70 h → 0 h
				{ marche: 'M', lot: '3', nature: 'travaux', montantHT: 30_000, tauxMainOeuvre: 50 },
				// 1 003 000 × 50 % × 10 % ÷ 25 = 2 006 h → 2 010 h à la dizaine supérieure
				{ marche: 'M', lot: '4', nature: 'travaux', montantHT: 1_003_000, tauxMainOeuvre: 50 },
			],
		);
		expect(error()).toBeUndefined();
		expect(items.map((i) => c(i.json).heures)).toEqual([2000, 120, 0, 2010]);
		expect(c(items[0].json).parametres.tauxInsertion).toMatchObject({ valeur: 10, origine: 'paramètre du nœud' });
		expect(c(items[0].json).parametres.coutHoraire).toMatchObject({ valeur: 25, origine: 'paramètre du nœud' });
		expect(c(items[1].json).parametres.tauxInsertion).toMatchObject({ valeur: 5, origine: 'lot' });
		expect(c(items[2].json).plancher).toBe(70);
		expect(c(items[0].json).parametres.heuresEtp).toMatchObject({ valeur: 1820, origine: 'paramètre du nœud' });
		expect(items[0].json.calibrage).toMatchObject({ equivalents: { etp: 1.1 } });
	});

	it('taux de main-d’œuvre par défaut (option, 50 %) pour un lot sans taux ni secteur : origine « référentiel », source citée', async () => {
		const { items } = await runNode({ type: 'clauseCalibration', parameters: { options: { tauxMainOeuvre: 50 } } }, [
			{ lot: '1', nature: 'services', montantHT: 1_000_000 },
		]);
		expect(c(items[0].json).heures).toBe(833);
		expect(items[0].json.calibrage).toMatchObject({
			parametres: { tauxMainOeuvre: { valeur: 50, origine: 'référentiel', source: DEFAULTS.tauxMainOeuvre.source } },
		});
	});

	it('erreur en français qui nomme l’élément, le lot et le champ, et dit quoi faire', async () => {
		const { error } = await runNode({ type: 'clauseCalibration' }, [
			{ marche: 'M', lot: '1', nature: 'travaux', montantHT: 1_000_000, tauxMainOeuvre: 50 },
			{ marche: 'M', lot: '2', nature: 'travaux', montantHT: 500_000, secteur: 'orfèvrerie' },
		]);
		const e = error('Nœud testé') as { message: string; description?: string; context?: { itemIndex?: number } };
		expect(e.message).toBe('Lot 2 du marché M (élément 2), secteur : le secteur «\u00a0orfèvrerie\u00a0» est absent du référentiel');
		expect(e.description).toContain('Choisissez un secteur parmi : Peinture, Maçonnerie / gros œuvre, Charpente métallique, Propreté / nettoyage');
		expect(e.context?.itemIndex).toBe(1);
	});

	it('bornes de vraisemblance en options : une borne changée change l’issue', async () => {
		// 6 milliards d'euros HT : au-delà du montant vraisemblable d'un lot, puis des heures vraisemblables qu'il donne.
		const lot = { marche: 'M', lot: '1', nature: 'travaux', montantHT: 6_000_000_000, tauxMainOeuvre: 50 };
		const run = (options: Record<string, number>) => runNode({ type: 'clauseCalibration', parameters: { options }, onError: 'continueRegularOutput' }, [lot]);
		expect((await run({})).items[0].json.error).toBe('Lot 1 du marché M (élément 1), montant HT : valeur invraisemblable (6\u00a0000\u00a0000\u00a0000\u00a0€, au-delà de 5\u00a0000\u00a0000\u00a0000\u00a0€)');
		const higherAmount = (await run({ borneMontantLot: 10_000_000_000 })).items[0].json;
		expect(higherAmount.error).toMatch(/^Lot 1 du marché M \(élément 1\), heures d’insertion calculées : valeur invraisemblable \(5\u00a0000\u00a0000\u00a0h, au-delà de 1\u00a0000\u00a0000\u00a0h\)/);
		const both = (await run({ borneMontantLot: 10_000_000_000, borneHeuresCalculees: 10_000_000 })).items[0].json;
		expect(both.error).toBeUndefined();
		expect(c(both).heures).toBe(5_000_000);
		// Une borne plus basse refuse ce que le défaut acceptait.
		const small = { marche: 'M', lot: '2', nature: 'travaux', montantHT: 1_000_000, tauxMainOeuvre: 50 };
		const lowered = await runNode({ type: 'clauseCalibration', parameters: { options: { borneMontantLot: 500_000 } }, onError: 'continueRegularOutput' }, [small]);
		expect(lowered.items[0].json.error).toBe('Lot 2 du marché M (élément 1), montant HT : valeur invraisemblable (1\u00a0000\u00a0000\u00a0€, au-delà de 500\u00a0000\u00a0€)');
		const invalid = await runNode({ type: 'clauseCalibration', parameters: { options: { borneMontantLot: -1 } } }, [small]);
		expect((invalid.error('Nœud testé') as { message: string }).message).toBe('Option « Vraisemblance : montant HT d’un lot, au plus (€) » invalide : -1 n’est pas un nombre positif');
	});

	it('bornes de vraisemblance : les défauts affichés sont ceux du cœur, la source dite', () => {
		for (const [key, name] of Object.entries(PLAUSIBILITY_OPTIONS) as Array<[keyof typeof PLAUSIBILITY_BOUNDS, string]>) {
			const [property] = plausibilityProperties([key]);
			expect(property.name).toBe(name);
			expect(property.default).toBe(PLAUSIBILITY_BOUNDS[key].max);
			expect(property.description).toContain('Défaut : ');
		}
		expect(plausibilityProperties(['heuresMois'])[0].description).toContain('code du travail, art. L3121-21');
	});

	it('paramètre de l’exécution fautif : erreur qui nomme le paramètre', async () => {
		const { error } = await runNode({ type: 'clauseCalibration', parameters: { options: { secteurs: '{"peinture": {' } } }, [
			{ lot: '1', nature: 'travaux', montantHT: 1_000_000, tauxMainOeuvre: 50 },
		]);
		expect((error('Nœud testé') as { message: string }).message).toMatch(/^Paramètres du nœud, référentiel des secteurs : le JSON est illisible/);
	});

	it('« continuer » (sortie normale) : le lot fautif devient un élément d’erreur, les autres sont calibrés', async () => {
		const { items, errorItems } = await runNode({ type: 'clauseCalibration', onError: 'continueRegularOutput' }, [
			{ marche: 'M', lot: '1', nature: 'travaux', montantHT: -5, tauxMainOeuvre: 50 },
			{ marche: 'M', lot: '2', nature: 'travaux', montantHT: 1_000_000, tauxMainOeuvre: 50 },
		]);
		expect(errorItems).toEqual([]);
		expect(items).toHaveLength(2);
		expect(items[0].json.error).toBe('Lot 1 du marché M (élément 1), montant HT : valeur négative (-5\u00a0€)');
		expect((items[0].json.details as IDataObject).anomalies).toEqual([expect.objectContaining({ champ: 'montantHT', gravite: 'erreur' })]);
		expect((items[0].json.details as IDataObject).donnees).toMatchObject({ lot: '1', montantHT: -5 });
		expect(c(items[1].json).heures).toBe(833);
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('« continuer » (sortie d’erreur) : le lot fautif part sur la sortie d’erreur', async () => {
		const { items, errorItems } = await runNode({ type: 'clauseCalibration', onError: 'continueErrorOutput' }, [
			{ marche: 'M', lot: '1', nature: 'DSP', montantHT: 1_000_000, methode: 'volume annuel' },
			{ marche: 'M', lot: '2', nature: 'travaux', montantHT: 1_000_000, tauxMainOeuvre: 50 },
		]);
		expect(items.map((i) => i.json.lot)).toEqual(['2']);
		expect(errorItems).toHaveLength(1);
		expect(errorItems[0].json.error).toBe('Lot 1 du marché M (élément 1), durée (mois) : durée manquante : la méthode «\u00a0volume annuel\u00a0» en a besoin');
		expect(errorItems[0].pairedItem).toEqual({ item: 0 });
	});

	it('lit les lots d’un classeur Excel (montants en texte, taux au format %), erreurs situées à la cellule', async () => {
		const buffer = await workbookBuffer({
			Lots: [
				['N° marché', 'N° lot', 'Nature', 'Montant HT', "Taux de main-d'œuvre", 'Durée (mois)'],
				['Limousin lycée', 4, 'Travaux', '504 000,00 €', { value: 0.5, numFmt: '0%' }, 20],
				['Limousin lycée', 12, 'Travaux', 490_000, { value: 0.6, numFmt: '0%' }, 20],
				['Limousin lycée', 20, 'Travaux', 'sept cent mille', { value: 0.35, numFmt: '0%' }, 20],
			],
		});
		const { items } = await runNode({ type: 'clauseCalibration', parameters: { source: 'excel' }, onError: 'continueRegularOutput' }, [binaryItem(buffer, 'lots.xlsx')]);
		expect(items.slice(0, 2).map((i) => c(i.json).heures)).toEqual([420, 490]);
		expect(items[0].json.source).toEqual({ fichier: 'lots.xlsx', feuille: 'Lots', ligne: 2 });
		expect(items[2].json.error).toContain('cellule D4');
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 0 }]);
	});
});

describe('valeurs par défaut des nœuds = référentiel', () => {
	const calibration = flatten(new ClauseCalibration().description.properties);
	const feasibility = flatten(new ClauseFeasibility().description.properties);
	const calibrationCollection = feasibility.find((p) => p.name === 'calibrage');

	it.each(Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>)('%s : même valeur dans les deux nœuds que dans le référentiel', (key) => {
		const inCalibration = calibration.filter((p) => p.name === key);
		expect(inCalibration).toHaveLength(1);
		expect(inCalibration[0].default).toBe(DEFAULTS[key].valeur);
		const inFeasibility = ((calibrationCollection?.options ?? []) as INodeProperties[]).filter((p) => p.name === key);
		expect(inFeasibility).toHaveLength(1);
		expect(inFeasibility[0].default).toBe(DEFAULTS[key].valeur);
	});

	it('seuils et date de la loi Climat du nœud Étude de faisabilité', () => {
		const byName = (name: string) => feasibility.find((p) => p.name === name)?.default;
		expect(byName('seuilEtude')).toBe(THRESHOLDS.etudeFaisabilite.valeur);
		expect(byName('seuilUeFournituresServices')).toBe(THRESHOLDS.europeenFournituresServices.valeur);
		expect(byName('seuilUeTravaux')).toBe(THRESHOLDS.europeenTravaux.valeur);
		expect(byName('dateLoiClimat')).toBe(LOI_CLIMAT.valeur);
	});

	it('le sous-titre montre le libellé français de la méthode, jamais sa valeur interne', () => {
		const subtitle = new ClauseCalibration().description.subtitle as string;
		const match = /^=\{\{ (\{.*\})\[\$parameter\["methode"\]\] \?\? "Méthode selon le lot" \}\}$/.exec(subtitle);
		expect(match).not.toBeNull();
		const labels = JSON.parse(match![1]) as Record<string, string>;
		expect(labels).toEqual({
			standard: 'Méthode : formule standard',
			partHeuresMarche: 'Méthode : part des heures du marché',
			volumeAnnuel: 'Méthode : volume annuel fixe',
			parEuroFacture: 'Méthode : heures par euro facturé',
			proprete: 'Méthode : formule Inserpropre',
		});
		// « auto » n'a pas d'entrée : l'expression retombe sur « Méthode selon le lot ».
		expect(labels.auto).toBeUndefined();
	});
});
