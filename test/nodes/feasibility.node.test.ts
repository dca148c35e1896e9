import type { IDataObject } from 'n8n-workflow';

import { binaryItem, runNode } from '../helpers/engine';
import { workbookBuffer } from '../helpers/workbooks';

const FACILITATEURS = JSON.stringify([
	{ nom: 'PLIE du Val d’Argent', email: 'plie@example.test', territoires: ['79'] },
	{ nom: 'Maison de l’emploi du Haut-Argent', email: 'mde@example.test', territoires: ['86'] },
]);

const feasibility = (parameters: IDataObject = {}) => ({
	type: 'clauseFeasibility',
	parameters: { facilitateurs: FACILITATEURS, dateEtude: '2026-11-23', ...parameters },
});

interface Result {
	decision: string;
	heuresRetenues: number;
	mecanismes: Array<{ code: string; option: boolean }>;
	raisons: Array<{ code: string }>;
	considerationsSociales: string[];
	seuilEuropeen: { seuil: number; depasse: boolean; justificationObligatoire: boolean };
	justification: string;
	alertes: Array<{ regle: string }>;
	origineHeures: string;
	facilitateur: { nom: string } | null;
}
const f = (json: IDataObject) => json.faisabilite as unknown as Result;

describe('nœud Étude de faisabilité, exécuté par le moteur de n8n', () => {
	it('recommande la clause d’exécution avec le facilitateur du territoire, et la justifie', async () => {
		const { items, error } = await runNode(feasibility(), [
			{ marche: 'M1', lot: '1', intitule: 'Gros œuvre', nature: 'travaux', montantHT: 504000, secteur: 'gros œuvre', lieuExecution: 'Niort (79000)', dureeMois: 20 },
		]);
		expect(error()).toBeUndefined();
		// La décision d'abord, pour l'éditeur de n8n : « faisabilite » en tête de l'élément, « decision » en tête de « faisabilite ».
		expect(Object.keys(items[0].json)[0]).toBe('faisabilite');
		expect(Object.keys(items[0].json.faisabilite as IDataObject).slice(0, 2)).toEqual(['decision', 'decisionLibelle']);
		expect(items[0].json).toMatchObject({ marche: 'M1', lot: '1', intitule: 'Gros œuvre' });
		const r = f(items[0].json);
		expect(r.decision).toBe('clause');
		expect(r.mecanismes.map((m) => m.code)).toEqual(['clauseExecution']);
		expect(r.heuresRetenues).toBe(420);
		expect(r.origineHeures).toBe('estimation (référentiel)');
		expect(r.facilitateur?.nom).toBe('PLIE du Val d’Argent');
		expect(r.considerationsSociales).toEqual(['Clause sociale']);
		expect(r.justification).toBe(
			'Lot 1 «\u00a0Gros œuvre\u00a0» (504\u00a0000,00\u00a0€ HT, 20 mois) : clause sociale d’insertion, condition d’exécution (article L2112-2 du Code de la commande publique et article 16.1 du CCAG 2021). ' +
				'Volume : 420\u00a0h d’insertion (formule standard : 504\u00a0000,00\u00a0€ × 50\u00a0% × 5\u00a0% ÷ 30\u00a0€/h = 420\u00a0h). ' +
				'Facilitateur : PLIE du Val d’Argent (plie@example.test). Considération sociale à déclarer (DECP) : Clause sociale. Étude de faisabilité réalisée le 23 novembre 2026.',
		);
	});

	it('reprend les heures du calibrage placé en amont', async () => {
		const calibrage = { heures: 777, heuresArrondies: 777, heuresCalculees: 777, plancher: 35, sousPlancher: false, methode: 'standard', methodeLibelle: 'Standard', formule: 'x', parametres: {}, equivalents: { etp: 0.48, moisTempsPlein: 5.12 }, avertissements: [] };
		const { items } = await runNode(feasibility(), [
			{ lot: '1', nature: 'travaux', montantHT: 504000, tauxMainOeuvre: 50, lieuExecution: '(79)', calibrage },
		]);
		expect(f(items[0].json).heuresRetenues).toBe(777);
		expect(f(items[0].json).origineHeures).toBe('calibrage en amont');
		expect(items[0].json.calibrage).toEqual(calibrage);
	});

	it('zone blanche : pas d’heures, action qualitative, marché réservé proposé si l’offre locale existe', async () => {
		const { items } = await runNode(feasibility(), [
			{ lot: 'A', intitule: 'Entretien des espaces verts', nature: 'services', montantHT: 150000, tauxMainOeuvre: 60, lieuExecution: 'Cognac (16)', offreSiae: 'ACI, EA' },
		]);
		const r = f(items[0].json);
		expect(r.raisons.map((x) => x.code)).toEqual(['zoneBlanche']);
		expect(r.heuresRetenues).toBe(0);
		expect(r.mecanismes).toEqual([
			expect.objectContaining({ code: 'actionsQualitatives', option: false }),
			expect.objectContaining({ code: 'marcheReserveEa', option: true }),
			expect.objectContaining({ code: 'marcheReserveSiae', option: true }),
			expect.objectContaining({ code: 'marcheInsertion', option: true }),
		]);
	});

	it('seuils sur le montant du marché entier, et décisions indépendantes de l’ordre des lots', async () => {
		const lots = [
			{ marche: 'S1', lot: '1', nature: 'services', montantHT: 60000, tauxMainOeuvre: 80, lieuExecution: 'Poitiers (86000)' },
			{ marche: 'S1', lot: '2', nature: 'services', montantHT: 170000, tauxMainOeuvre: 80, lieuExecution: 'Poitiers (86000)' },
			{ marche: 'S2', lot: '1', nature: 'services', montantHT: 60000, tauxMainOeuvre: 80, lieuExecution: 'Poitiers (86000)' },
		];
		const forward = await runNode(feasibility(), lots);
		const backward = await runNode(feasibility(), [...lots].reverse());
		const decisions = (items: typeof forward.items) =>
			Object.fromEntries(items.map((i) => [`${i.json.marche}/${i.json.lot}`, f(i.json).mecanismes.map((m) => m.code).join('+') || f(i.json).raisons.map((r) => r.code).join('+')]));
		expect(decisions(forward.items)).toEqual({
			// S1 : 230 000 € au total ≥ 216 000 € (seuil européen des services) → critère social en complément.
			'S1/1': 'clauseExecution+critereAttribution',
			'S1/2': 'clauseExecution+critereAttribution',
			// S2 : 60 000 € < 90 000 € → pas d'étude requise.
			'S2/1': 'sousSeuilEtude',
		});
		expect(decisions(backward.items)).toEqual(decisions(forward.items));
		expect(backward.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('au-delà du seuil européen sans considération sociale : justification obligatoire (loi Climat)', async () => {
		const { items } = await runNode(feasibility({ options: { proposerActionsQualitatives: false } }), [
			{ marche: 'F1', lot: '1', nature: 'fournitures', montantHT: 400000, lieuExecution: '(79)' },
		]);
		const r = f(items[0].json);
		expect(r.decision).toBe('pasDeClause');
		expect(r.raisons.map((x) => x.code)).toEqual(['fournituresSansMainOeuvre']);
		expect(r.seuilEuropeen).toMatchObject({ depasse: true, justificationObligatoire: true });
		expect(r.alertes.map((a) => a.regle)).toContain('faisabilite.loiClimat');
		expect(r.justification).toContain('article 35 de la loi Climat et résilience');
		expect(r.considerationsSociales).toEqual(['Pas de considération sociale']);
	});

	it('lit la liste des lots d’un classeur Excel (montants en texte, taux au format %)', async () => {
		const buffer = await workbookBuffer({
			Lots: [
				['N° marché', 'N° lot', 'Intitulé du lot', 'Nature', 'Montant estimé HT', "Taux de main-d'œuvre", "Lieu d'exécution"],
				['M1', 1, 'Peinture', 'Travaux', '185 000,00 €', { value: 0.7, numFmt: '0%' }, 'Niort (79)'],
				['M1', 2, 'Gros œuvre', 'Travaux', 504000, { value: 0.5, numFmt: '0%' }, 'Niort (79)'],
			],
		});
		const { items } = await runNode(feasibility({ source: 'excel' }), [binaryItem(buffer, 'lots.xlsx')]);
		expect(items.map((i) => f(i.json).heuresRetenues)).toEqual([216, 420]);
		expect(items[0].json.source).toEqual({ fichier: 'lots.xlsx', feuille: 'Lots', ligne: 2 });
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
	});

	it('erreur en français qui nomme la feuille, la cellule et quoi faire ; les autres lots passent avec « continuer »', async () => {
		const buffer = await workbookBuffer({
			Lots: [
				['N° lot', 'Nature', 'Montant estimé HT', "Taux de main-d'œuvre", "Lieu d'exécution"],
				[1, 'Travaux', 'douze mille', 50, '(79)'],
				[2, 'Travaux', 504000, 50, '(79)'],
			],
		});
		const stopped = await runNode(feasibility({ source: 'excel' }), [binaryItem(buffer, 'lots.xlsx')]);
		const error = stopped.error('Nœud testé') as { message: string; description?: string };
		expect(error.message).toBe(
			"Lot 1 (fichier « lots.xlsx », feuille « Lots », ligne 2), montant HT (feuille «\u00a0Lots\u00a0», cellule C2) : «\u00a0douze mille\u00a0» n'est pas un nombre lisible",
		);
		expect(error.description).toContain('Saisissez un nombre, par exemple 1 234 567,89');

		const continued = await runNode({ ...feasibility({ source: 'excel' }), onError: 'continueRegularOutput' }, [binaryItem(buffer, 'lots.xlsx')]);
		expect(continued.items).toHaveLength(2);
		expect(continued.items[0].json.error).toContain('cellule C2');
		expect((continued.items[0].json.details as IDataObject).anomalies).toEqual([
			expect.objectContaining({ champ: 'montantHT', feuille: 'Lots', cellule: 'C2', regle: 'nombre.illisible' }),
		]);
		expect(f(continued.items[1].json).heuresRetenues).toBe(420);
	});

	it('« Continue (using error output) » : le lot fautif part sur la sortie d’erreur, les autres sur la sortie principale', async () => {
		const { items, errorItems } = await runNode({ ...feasibility(), onError: 'continueErrorOutput' }, [
			{ lot: '1', nature: 'travaux', montantHT: -5, tauxMainOeuvre: 50, lieuExecution: '(79)' },
			{ lot: '2', nature: 'travaux', montantHT: 504000, tauxMainOeuvre: 50, lieuExecution: '(79)' },
		]);
		expect(items.map((i) => i.json.lot)).toEqual(['2']);
		expect(errorItems).toHaveLength(1);
		expect(errorItems[0].json.error).toBe('Lot 1 (élément 1), montant HT : valeur négative (-5\u00a0€)');
		expect(errorItems[0].pairedItem).toEqual({ item: 0 });
	});

	it('refuse un fichier qui n’est pas un classeur, avec la raison et le remède', async () => {
		const pdf = Buffer.from('%PDF-1.7\n…');
		const ole = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0]);
		const { items } = await runNode({ ...feasibility({ source: 'excel' }), onError: 'continueRegularOutput' }, [
			binaryItem(pdf, 'lots.pdf', 'application/pdf'),
			binaryItem(ole, 'lots-protege.xlsx'),
		]);
		expect(items[0].json.error).toBe('Fichier « lots.pdf », format : ce n’est pas un classeur Excel (.xlsx)'.replace('’', '\u2019'));
		expect(items[1].json.error).toContain('protégé par mot de passe');
		expect(((items[1].json.details as IDataObject).anomalies as IDataObject[])[0].correction).toContain('Retirez le mot de passe');
	});

	it('signale une colonne obligatoire absente', async () => {
		const buffer = await workbookBuffer({ Lots: [['N° lot', 'Nature'], [1, 'Travaux']] });
		const { error } = await runNode(feasibility({ source: 'excel' }), [binaryItem(buffer, 'lots.xlsx')]);
		const e = error('Nœud testé') as { message: string };
		expect(e.message).toContain('colonne « montant HT » absente de la ligne d\u2019en-têtes');
	});

	it('nomme le facilitateur fautif dans les paramètres', async () => {
		const { error } = await runNode(feasibility({ facilitateurs: '[{"nom": "Sans territoire"}]' }), [
			{ lot: '1', nature: 'travaux', montantHT: 100000, tauxMainOeuvre: 50, lieuExecution: '(79)' },
		]);
		expect((error('Nœud testé') as { message: string }).message).toBe(
			'Facilitateur n° 1 des paramètres du nœud, territoires couverts : liste vide',
		);
	});

	it('lot sans lieu d’exécution : erreur qui nomme l’élément, le lot et le champ ; avec « continuer », les autres lots passent', async () => {
		const lots = [
			{ marche: 'M2', lot: '1', nature: 'travaux', montantHT: 504000, tauxMainOeuvre: 50 },
			{ marche: 'M2', lot: '2', nature: 'travaux', montantHT: 504000, tauxMainOeuvre: 50, lieuExecution: '(79)' },
		];
		const stopped = await runNode(feasibility(), lots);
		const e = stopped.error('Nœud testé') as { message: string; description?: string };
		expect(e.message).toBe(
			'Lot 1 du marché M2 (élément 1), lieu d’exécution : lieu d’exécution non renseigné : sans lui, le lot ne peut pas être étudié (facilitateur du territoire ou zone blanche)',
		);
		expect(e.description).toContain('Indiquez le lieu d’exécution du lot');
		const { items, errorItems } = await runNode({ ...feasibility(), onError: 'continueErrorOutput' }, lots);
		expect(errorItems.map((i) => i.pairedItem)).toEqual([{ item: 0 }]);
		expect((errorItems[0].json.details as IDataObject).anomalies).toEqual([expect.objectContaining({ champ: 'lieuExecution', regle: 'faisabilite.lieuInconnu' })]);
		// Le lot en erreur d'étude reste compté dans le montant du marché : 1 008 000 €.
		expect(items.map((i) => f(i.json).heuresRetenues)).toEqual([420]);
	});

	it('lot illisible : les autres lots du même marché sont avertis que le total du marché ne le compte pas', async () => {
		const { items } = await runNode({ ...feasibility(), onError: 'continueRegularOutput' }, [
			{ marche: 'S3', lot: '1', nature: 'services', montantHT: 150000, tauxMainOeuvre: 80, lieuExecution: '(86)' },
			{ marche: 'S3', lot: '2', nature: 'services', montantHT: 'cent mille', tauxMainOeuvre: 80, lieuExecution: '(86)' },
			{ marche: 'S4', lot: '1', nature: 'services', montantHT: 150000, tauxMainOeuvre: 80, lieuExecution: '(86)' },
		]);
		expect(items[1].json.error).toContain('montant HT');
		const s3 = f(items[0].json);
		expect(s3.alertes.filter((a) => a.regle === 'faisabilite.lotsEcartes')).toEqual([
			expect.objectContaining({
				message: 'le montant du marché (150\u00a0000,00\u00a0€ HT) ne compte pas le lot 2, en erreur : les seuils (étude, seuil européen) sont appréciés sans lui',
			}),
		]);
		expect(f(items[2].json).alertes.map((a) => a.regle)).not.toContain('faisabilite.lotsEcartes');
	});

	it('lot en erreur en amont (nœud de calibrage) : même avertissement aux autres lots du marché', async () => {
		const upstreamError = { error: 'Lot 2 du marché S5, secteur : …', details: { correction: null, anomalies: [], donnees: { marche: 'S5', lot: '2', nature: 'services', montantHT: 100000 } } };
		const { items } = await runNode(feasibility(), [
			{ marche: 'S5', lot: '1', nature: 'services', montantHT: 150000, tauxMainOeuvre: 80, lieuExecution: '(86)' },
			upstreamError,
		]);
		expect(items[1].json).toEqual(upstreamError);
		expect(f(items[0].json).alertes.map((a) => a.regle)).toContain('faisabilite.lotsEcartes');
	});

	it('paramètres de calibrage de l’exécution, sans nœud de calibrage en amont', async () => {
		const { items, error } = await runNode(
			feasibility({ calibrage: { tauxInsertion: 10, coutHoraire: 25, plancherHeures: 70, secteurs: '{"electricite": {"libelle": "Électricité", "tauxMainOeuvre": 35}}' } }),
			[
				// 504 000 × 50 % × 10 % ÷ 25 = 1 008 h
				{ marche: 'M', lot: '1', nature: 'travaux', montantHT: 504000, tauxMainOeuvre: 50, lieuExecution: '(79)' },
				// 780 000 × 35 % (secteur ajouté) × 10 % ÷ 25 = 1 092 h
				{ marche: 'M', lot: '2', nature: 'travaux', montantHT: 780000, secteur: 'électricité', lieuExecution: '(79)' },
				// 40 000 × 40 % × 10 % ÷ 25 = 64 h < plancher de 70 h
				{ marche: 'M', lot: '3', nature: 'travaux', montantHT: 40000, tauxMainOeuvre: 40, lieuExecution: '(79)' },
			],
		);
		expect(error()).toBeUndefined();
		expect(items.map((i) => f(i.json).heuresRetenues)).toEqual([1008, 1092, 0]);
		expect(f(items[2].json).raisons.map((r) => r.code)).toEqual(['sousPlancher']);
	});

	it('DSP : seuil européen des concessions (5 404 000 €), pas celui des services', async () => {
		const { items } = await runNode(feasibility(), [
			{ marche: 'DSP1', lot: 'unique', nature: 'DSP', montantHT: 3_000_000, volumeAnnuel: 1800, dureeMois: 72, lieuExecution: '(79)' },
		]);
		const r = f(items[0].json);
		expect(r.seuilEuropeen).toEqual({ seuil: 5_404_000, depasse: false, justificationObligatoire: false });
		expect(r.mecanismes.map((m) => m.code)).toEqual(['clauseExecution']);
		expect(r.heuresRetenues).toBe(10800);
	});
});
