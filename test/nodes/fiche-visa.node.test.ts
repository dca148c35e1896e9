import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { binaryItem, runNode } from '../helpers/engine';
import { encryptedXlsx, filledWorkbook, validFiche } from '../helpers/fiche-visa';
import { readWorkbook } from '../helpers/workbooks';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const visa = (parameters: IDataObject = {}, extra: { continueOnFail?: boolean } = {}) => ({
	type: 'ficheVisa',
	parameters: { operation: 'valider', source: 'classeur', options: { dateControle: '2026-11-23' }, ...parameters },
	...extra,
});

interface Out {
	decision: string;
	resume: string;
	anomalies: Array<{ regle: string; effet: string; feuille?: string; cellule?: string }>;
	fiche: { reference?: string; emailService?: string };
	courriel: { a: string | null; objet: string; texte: string; html: string };
	source: { fichier: string | null; element: number; copieAnnotee: string | null };
}
const out = (item: INodeExecutionData) => item.json as unknown as Out;

function binaryBuffer(item: INodeExecutionData, property: string): Buffer {
	return Buffer.from(item.binary![property].data, 'base64');
}

describe('nœud Fiche visa, exécuté par le moteur de n8n', () => {
	it('produit le formulaire vierge en binaire', async () => {
		const { items, error } = await runNode({ type: 'ficheVisa', parameters: { operation: 'generer' } }, [{}]);
		expect(error()).toBeUndefined();
		expect(items).toHaveLength(1);
		expect(items[0].json).toEqual({ fichier: 'fiche-visa-vierge.xlsx', version: '2026.2' });
		expect(items[0].binary!.data).toMatchObject({ fileName: 'fiche-visa-vierge.xlsx', mimeType: XLSX });
		const wb = await readWorkbook(binaryBuffer(items[0], 'data'));
		expect(wb.getWorksheet('Fiche visa')!.getCell('B2').value).toBe('2026.2');
	});

	it('pré-remplit le formulaire avec les champs de l’élément', async () => {
		const json = validFiche();
		const { items } = await runNode({ type: 'ficheVisa', parameters: { operation: 'generer', preRemplir: true, nomFichier: 'fiche-2026-TRX-014.xlsx' } }, [json as IDataObject]);
		const wb = await readWorkbook(binaryBuffer(items[0], 'data'));
		expect(wb.getWorksheet('Fiche visa')!.getCell('B6').value).toBe('2026-TRX-014');
		expect(wb.getWorksheet('Lots')!.getCell('D6').value).toBe('Aucune considération sociale');
		// Relu par l'opération de validation : la fiche pré-remplie est visée.
		const check = await runNode(visa(), [binaryItem(binaryBuffer(items[0], 'data'), 'fiche-2026-TRX-014.xlsx')]);
		expect(out(check.items[0]).decision).toBe('VISÉ');
	});

	it('valide chaque fiche, joint la copie annotée, laisse le fichier reçu intact ; une fiche illisible n’arrête pas les autres', async () => {
		const good = await filledWorkbook();
		const refused = validFiche();
		Object.assign(refused, { reference: '2026-SRV-099', etudeFaisabilite: 'non', dateEtude: '' });
		const bad = await filledWorkbook(refused);
		const input = [
			binaryItem(good, 'fiche 2026-TRX-014.xlsx'),
			binaryItem(Buffer.from('%PDF-1.7'), 'scan.pdf', 'application/pdf'),
			binaryItem(bad, 'fiche 2026-SRV-099.xlsx'),
		];
		const { items, error } = await runNode(visa({}, { continueOnFail: true }), input);
		expect(error()).toBeUndefined();
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);

		expect(out(items[0])).toMatchObject({ decision: 'VISÉ', source: { fichier: 'fiche 2026-TRX-014.xlsx', copieAnnotee: 'fiche 2026-TRX-014 (annotée).xlsx' } });
		expect(items[0].binary!.annote).toMatchObject({ fileName: 'fiche 2026-TRX-014 (annotée).xlsx', mimeType: XLSX });
		expect(binaryBuffer(items[0], 'data').equals(good)).toBe(true);
		expect(out(items[0]).courriel).toMatchObject({ a: 'lycees@region-val-argent.example.test', objet: 'Fiche visa 2026-TRX-014 : VISÉ – Construction du lycée des métiers du bâtiment de Saint-Aubin-sur-Argent' });

		expect(items[1].json.error).toBe('Fichier « scan.pdf », format : ce n’est pas un classeur Excel (.xlsx)');
		expect((items[1].json.details as IDataObject).anomalies).toEqual([expect.objectContaining({ regle: 'fichier.pasXlsx' })]);
		expect(items[1].binary!.data.fileName).toBe('scan.pdf');

		const r = out(items[2]);
		expect(r.decision).toBe('REFUSÉ');
		expect(r.anomalies[0]).toMatchObject({ regle: 'etude.absente', effet: 'REFUSÉ', feuille: 'Fiche visa', cellule: 'B30' });
		const annotated = await readWorkbook(binaryBuffer(items[2], 'annote'));
		expect(annotated.getWorksheet('Anomalies')!.getCell('H5').value).toBe('etude.absente');
	});

	it('« continuer en cas d’échec » : dans un même lot, chaque fiche illisible a son erreur (message et correction), les bonnes leur décision', async () => {
		const good = await filledWorkbook();
		const refusedJson = validFiche();
		Object.assign(refusedJson, { reference: '2026-SRV-099', etudeFaisabilite: 'non', dateEtude: '' });
		const refused = await filledWorkbook(refusedJson);
		const edit = async (change: (wb: Awaited<ReturnType<typeof readWorkbook>>) => void) => {
			const wb = await readWorkbook(good);
			change(wb);
			return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
		};
		const oldVersion = await edit((wb) => {
			wb.getWorksheet('Fiche visa')!.getCell('B2').value = '2025.1';
		});
		const renamed = await edit((wb) => {
			wb.getWorksheet('Lots')!.name = 'Lots 2026';
		});
		const input = [
			binaryItem(good, 'lycee.xlsx'),
			binaryItem(encryptedXlsx(), 'protegee.xlsx'),
			binaryItem(good.subarray(0, 3000), 'tronquee.xlsx'),
			binaryItem(oldVersion, 'ancienne.xlsx'),
			binaryItem(renamed, 'renommee.xlsx'),
			binaryItem(refused, 'refusee.xlsx'),
		];
		const { items, error } = await runNode(visa({}, { continueOnFail: true }), input);
		expect(error()).toBeUndefined();
		expect(items.map((i) => i.pairedItem)).toEqual(input.map((_, item) => ({ item })));
		expect(items.map((i) => i.json.decision ?? null)).toEqual(['VISÉ', null, null, null, null, 'REFUSÉ']);
		expect(items[5].binary!.annote.fileName).toBe('refusee (annotée).xlsx');
		const failures = items.slice(1, 5).map((i) => ({
			error: i.json.error,
			regle: ((i.json.details as IDataObject).anomalies as IDataObject[])[0].regle,
			correction: (i.json.details as IDataObject).correction,
			fichier: ((i.json.details as IDataObject).donnees as IDataObject).fichier,
			binaire: i.binary!.data.fileName,
		}));
		expect(failures).toEqual([
			{
				error: 'Fichier « protegee.xlsx », format : classeur protégé par un mot de passe à l’ouverture : son contenu est chiffré et ne peut pas être contrôlé',
				regle: 'fichier.protege',
				correction:
					'• Fichier « protegee.xlsx », format : classeur protégé par un mot de passe à l’ouverture : son contenu est chiffré et ne peut pas être contrôlé → Ouvrez-le dans Excel, retirez le mot de passe (Fichier › Informations › Protéger le classeur › Chiffrer avec mot de passe : effacez-le), enregistrez-le et renvoyez-le. La protection des feuilles du formulaire, sans mot de passe, peut rester.',
				fichier: 'protegee.xlsx',
				binaire: 'protegee.xlsx',
			},
			{
				error: 'Fichier « tronquee.xlsx », contenu : le classeur est illisible ou abîmé (fin d’archive zip introuvable (fichier tronqué ?))',
				regle: 'fichier.abime',
				correction:
					'• Fichier « tronquee.xlsx », contenu : le classeur est illisible ou abîmé (fin d’archive zip introuvable (fichier tronqué ?)) → Ouvrez-le dans Excel ou LibreOffice, vérifiez son contenu et enregistrez-le de nouveau au format « Classeur Excel (.xlsx) ».',
				fichier: 'tronquee.xlsx',
				binaire: 'tronquee.xlsx',
			},
			{
				error: 'Fichier « ancienne.xlsx », version du formulaire : fiche visa de la version «\u00a02025.1\u00a0» du formulaire, alors que la version en vigueur est 2026.2',
				regle: 'fiche.version',
				correction: expect.stringContaining('→ Recopiez vos saisies dans le formulaire vierge de la version 2026.2'),
				fichier: 'ancienne.xlsx',
				binaire: 'ancienne.xlsx',
			},
			{
				error: 'Fichier « renommee.xlsx », feuilles : feuille « Lots » introuvable (feuilles du classeur : « Fiche visa », « Lots 2026 », « Listes », « Instructions »)',
				regle: 'fiche.feuilleManquante',
				correction: expect.stringContaining('→ Rendez à la feuille son nom « Lots » (clic droit sur l’onglet › Renommer)'),
				fichier: 'renommee.xlsx',
				binaire: 'renommee.xlsx',
			},
		]);
	});

	it('sans « continuer en cas d’échec », une fiche illisible arrête le nœud avec une erreur française', async () => {
		const { error } = await runNode(visa(), [binaryItem(Buffer.from('pas un classeur'), 'fiche.xlsx')]);
		expect(error('Nœud testé')?.message).toBe('Fichier « fiche.xlsx », format : ce n’est pas un classeur Excel (.xlsx)');
		expect(error('Nœud testé')?.description).toContain('Classeur Excel (.xlsx)');
	});

	it('copie annotée seulement pour les fiches non visées, si demandé', async () => {
		const json = validFiche();
		json.montantEstimeHT = 1000;
		const input = [binaryItem(await filledWorkbook(), 'a.xlsx'), binaryItem(await filledWorkbook(json), 'b.xlsx')];
		const { items } = await runNode(visa({ copieAnnotee: 'siAnomalies' }), input);
		expect(items.map((i) => [out(i).decision, Object.keys(i.binary ?? {}).sort()])).toEqual([
			['VISÉ', ['data']],
			['À COMPLÉTER', ['annote', 'data']],
		]);
	});

	it('fiches en éléments JSON, confrontées à la sortie réelle du nœud « Étude de faisabilité »', async () => {
		const lots = [
			{ marche: '2026-TRX-014', lot: '1', intitule: 'Gros œuvre', nature: 'travaux', montantHT: 504000, secteur: 'gros œuvre', lieuExecution: 'Niort (79000)' },
			{ marche: '2026-TRX-014', lot: '2', intitule: 'Menuiseries', nature: 'travaux', montantHT: 420000, tauxMainOeuvre: 40, lieuExecution: 'Niort (79000)' },
			{ marche: '2026-TRX-014', lot: '8', intitule: 'Signalétique', nature: 'travaux', montantHT: 38000, tauxMainOeuvre: 30, lieuExecution: 'Niort (79000)' },
		];
		const facilitateurs = JSON.stringify([{ nom: 'PLIE du Val d’Argent', email: 'plie@example.test', territoires: ['79'] }]);
		const study = await runNode({ type: 'clauseFeasibility', parameters: { facilitateurs, dateEtude: '2026-10-15' } }, lots);
		const etude = study.items.map((i) => i.json);
		expect(etude.map((e) => (e.faisabilite as IDataObject).heuresRetenues)).toEqual([420, 280, 0]);

		const fiche = validFiche();
		const { items, error } = await runNode(visa({ source: 'elements', etude: 'json', etudeJson: JSON.stringify(etude) }), [fiche as IDataObject]);
		expect(error()).toBeUndefined();
		const r = out(items[0]);
		// Lot 8 : 19 h, sous le plancher de 35 h ; l'étude propose des actions qualitatives, la fiche n'en retient aucune mais le justifie.
		expect(r.anomalies.map((a) => `${a.effet} ${a.regle}`)).toEqual(['observation etude.ecart']);
		expect(r.decision).toBe('VISÉ');
		expect(items[0].binary).toBeUndefined();

		// Heures modifiées dans la fiche : à compléter, avec les chiffres de l'étude.
		(fiche.lots as Array<Record<string, unknown>>)[1].heures = 250;
		const changed = await runNode(visa({ source: 'elements', etude: 'champ' }), [{ ...fiche, etude } as IDataObject]);
		expect(out(changed.items[0]).decision).toBe('À COMPLÉTER');
		expect(out(changed.items[0]).anomalies[0]).toMatchObject({ regle: 'etude.heures', effet: 'À COMPLÉTER' });
	});

	it('un élément déjà en erreur en amont traverse le nœud tel quel', async () => {
		const upstream = { error: 'lot illisible', details: { anomalies: [], correction: null, donnees: {} } };
		const { items } = await runNode(visa({ source: 'elements' }), [upstream]);
		expect(items[0].json).toEqual(upstream);
	});
});
