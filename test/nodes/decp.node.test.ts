/**
 * Données essentielles (DECP 2.0) par le nœud « Registre des clauses », exécuté
 * par le moteur de n8n sur le registre SQLite par défaut : de l'étude et de la
 * notification au fichier publié (validé par ajv contre le schéma officiel),
 * import d'un fichier publié (compte rendu, rien d'écrasé, réimport sans
 * nouvelle version) et aller-retour export → import → export à l'identique.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { Register, SqliteDatabase } from '../../nodes/adapters/register';
import { binaryItem, defaultRegisterPath, resetRegister, runNode } from '../helpers/engine';
import { officialSchemaErrors } from '../helpers/decp-schema';
import { sampleStudyItems } from '../helpers/study-items';

const SIRET_REGION = '23870001500007';
const AUTRE_ACHETEUR = '21870085600006';

const notification = (lot: string, siret: string, overrides: IDataObject = {}): IDataObject => ({
	marche: '2026-TRX-014',
	lot,
	dateNotification: '2027-02-15',
	titulaire: `Entreprise du lot ${lot}`,
	siret,
	emailTitulaire: `lot${lot}@entreprise.example.test`,
	acheteur: 'Direction des lycées – service des travaux',
	emailAcheteur: 'travaux-lycees@region-val-argent.example.test',
	debutExecution: '2027-03-01',
	finExecution: '2028-02-29',
	...overrides,
});

const DEFAUTS = {
	procedure: "Appel d'offres ouvert",
	ccag: 'Travaux',
	formePrix: 'Forfaitaire',
	typePrix: ['Définitif révisable'],
	technique: ['Sans objet'],
	modaliteExecution: ['Sans objet'],
	considerationEnvironnementale: ['Pas de considération environnementale'],
	typeGroupementOperateurs: 'Pas de groupement',
	marcheInnovant: false,
	attributionAvance: false,
	sousTraitanceDeclaree: false,
};

const COMPLEMENTS = [
	{ marche: '2026-TRX-014', lot: '1', codeCPV: '45262500', offresRecues: 5 },
	{ marche: '2026-TRX-014', lot: '2', codeCPV: '45421000', offresRecues: 3 },
	{ marche: '2026-SRV-031', lot: '1', codeCPV: '90919200', offresRecues: 7, ccag: 'Fournitures courantes et services', formePrix: 'Mixte' },
];

const run = (parameters: IDataObject, items: Array<INodeExecutionData | IDataObject>, continueOnFail = false) =>
	runNode({ type: 'clauseRegister', parameters: parameters as INode['parameters'], continueOnFail }, items as INodeExecutionData[]);

const exportParameters = (overrides: IDataObject = {}): IDataObject => ({
	operation: 'exporterDecp',
	acheteurSiret: SIRET_REGION,
	datePublication: '2027-03-01',
	valeursParDefaut: DEFAUTS,
	complements: JSON.stringify(COMPLEMENTS),
	...overrides,
});

const fileOf = (item: INodeExecutionData) => {
	const binary = item.binary!.data;
	return { name: binary.fileName!, mime: binary.mimeType, text: Buffer.from(binary.data, 'base64').toString('utf8') };
};

const decpItem = (text: string, fileName = 'decp.json') => binaryItem(Buffer.from(text, 'utf8'), fileName, 'application/json');

async function openRegister() {
	return Register.open(await SqliteDatabase.open({ file: defaultRegisterPath() }));
}

let study: INodeExecutionData[];
beforeAll(async () => {
	study = await sampleStudyItems();
}, 60000);

describe('nœud Registre des clauses : données essentielles (DECP)', () => {
	beforeEach(() => resetRegister());

	async function notifiedRegister() {
		expect((await run({ operation: 'enregistrerEtude' }, study)).error()).toBeUndefined();
		const notified = await run({ operation: 'enregistrerNotification' }, [
			notification('1', '88443430614252'),
			notification('2', '73282932000074'),
			notification('1', '44306184100047', { marche: '2026-SRV-031', acheteur: 'Direction de l’immobilier', debutExecution: '2027-04-01', finExecution: '2031-03-31', dateNotification: '2027-03-10' }),
		]);
		expect(notified.error()).toBeUndefined();
	}

	it('export : les marchés notifiés au format officiel, considérations sociales de l’étude ; champ manquant nommé avec son marché', async () => {
		await notifiedRegister();
		// Sans les compléments, ni code CPV ni nombre d'offres : une erreur qui les nomme tous, marché par marché.
		const missing = await run(exportParameters({ complements: '[]' }), [{}]);
		const error = missing.error('Nœud testé') as { message: string; description?: string };
		expect(error.message).toBe('Marché 2026-SRV-031, lot 1, code CPV : aucune valeur : ni le registre, ni les données essentielles importées, ni les valeurs par défaut n’en donnent (et 5 autres anomalies)');
		expect(error.description).toContain('Marché 2026-TRX-014, lot 2, nombre d’offres reçues : aucune valeur');
		expect(error.description).toContain('donnez « codeCPV » dans les compléments par marché');

		const out = await run(exportParameters(), [{}]);
		expect(out.error()).toBeUndefined();
		expect(out.items).toHaveLength(1);
		expect(out.items[0].json).toMatchObject({ fichier: `decp-${SIRET_REGION}-2027-03-01.json`, marches: 3, depuisLeRegistre: 3, importesSansClause: 0 });
		const file = fileOf(out.items[0]);
		expect(file.mime).toBe('application/json');
		const json = JSON.parse(file.text) as { marches: { marche: IDataObject[] } };
		expect(officialSchemaErrors(json)).toEqual([]);
		const byId = new Map(json.marches.marche.map((m) => [m.id, m]));
		expect([...byId.keys()]).toEqual(['2026-SRV-031-1', '2026-TRX-014-1', '2026-TRX-014-2']);
		expect(byId.get('2026-TRX-014-1')).toMatchObject({
			acheteur: { id: SIRET_REGION },
			objet: 'Construction du lycée des métiers du bâtiment de Saint-Aubin-sur-Argent – lot 1 : Démolition – gros œuvre',
			codeCPV: '45262500',
			dureeMois: 20,
			montant: 504000,
			lieuExecution: { code: '79', typeCode: 'Code département' },
			titulaires: [{ titulaire: { typeIdentifiant: 'SIRET', id: '88443430614252' } }],
			considerationsSociales: { considerationSociale: ['Clause sociale'] },
		});
		expect(byId.get('2026-SRV-031-1')).toMatchObject({
			ccag: 'Fournitures courantes et services',
			formePrix: 'Mixte',
			lieuExecution: { code: '86000', typeCode: 'Code postal' },
			considerationsSociales: { considerationSociale: ['Clause sociale', 'Critère social'] },
		});
		// Filtres : un service, une date de notification.
		const since = await run(exportParameters({ notifiesDepuis: '2027-03-01' }), [{}]);
		expect(since.items[0].json.marches).toBe(1);
		const none = await run(exportParameters({ acheteurSiret: AUTRE_ACHETEUR, acheteur: 'Direction inconnue' }), [{}]);
		expect((none.error('Nœud testé') as { message: string }).message).toContain('aucun marché notifié au registre pour l’acheteur');
	}, 90000);

	it('import : marchés de l’acheteur repris (rattachés aux lots connus), réimport sans nouvelle version, autres acheteurs laissés, fiche fautive refusée, rien d’écrasé', async () => {
		await notifiedRegister();
		const before = await openRegister();
		const marketVersions = (await before.versions('marche', '2026trx014')).length;
		await before.close();
		const exported = fileOf((await run(exportParameters(), [{}])).items[0]).text;
		const imported = await run({ operation: 'importerDecp', acheteurSiret: SIRET_REGION }, [decpItem(exported)]);
		expect(imported.error()).toBeUndefined();
		const [summary, ...lines] = imported.items;
		expect(summary.json).toMatchObject({ resultat: 'synthèse', marches: { repris: 3, inchanges: 0, refuses: 0 }, autresAcheteurs: 0 });
		expect(lines.map((l) => [l.json.id, l.json.cle, l.json.rattacheAUnLotConnu])).toEqual([
			['2026-SRV-031-1', '2026srv031/1', true],
			['2026-TRX-014-1', '2026trx014/1', true],
			['2026-TRX-014-2', '2026trx014/2', true],
		]);
		const again = await run({ operation: 'importerDecp', acheteurSiret: SIRET_REGION }, [decpItem(exported)]);
		expect(again.items[0].json.marches).toEqual({ repris: 0, inchanges: 3, refuses: 0 });
		// Les données importées suffisent : plus besoin des compléments, et l'export est identique.
		const second = await run(exportParameters({ complements: '[]' }), [{}]);
		expect(second.error()).toBeUndefined();
		expect(fileOf(second.items[0]).text).toBe(exported);

		// Un fichier d'un autre jour : un marché modifié, un nouveau, un d'un autre acheteur, un fautif.
		const json = JSON.parse(exported) as { marches: { marche: IDataObject[] } };
		const modifie = { ...json.marches.marche[1], offresRecues: 6 };
		const nouveau = { ...json.marches.marche[2], id: '2025FCS0007', objet: 'Fourniture de mobilier scolaire', titulaires: [{ titulaire: { typeIdentifiant: 'SIRET', id: '55203253400646' } }] };
		const autre = { ...json.marches.marche[2], id: 'CD87-2027-01', acheteur: { id: AUTRE_ACHETEUR } };
		const fautif = { ...json.marches.marche[0], id: '2025PI0003' } as IDataObject;
		delete fautif.considerationsSociales;
		const next = JSON.stringify({ marches: { marche: [modifie, nouveau, autre, fautif] } });
		const second_import = await run({ operation: 'importerDecp', acheteurSiret: SIRET_REGION }, [decpItem(next, 'decp-2027-04.json')]);
		expect(second_import.error()).toBeUndefined();
		const [s2, ...l2] = second_import.items;
		expect(s2.json).toMatchObject({ fichier: 'decp-2027-04.json', marches: { repris: 2, inchanges: 0, refuses: 1 }, autresAcheteurs: 1 });
		expect(l2.find((l) => l.json.id === '2026-TRX-014-1')!.json).toMatchObject({ resultat: 'repris', etat: 'modifié', version: 2 });
		expect(l2.find((l) => l.json.id === '2025FCS0007')!.json).toMatchObject({ resultat: 'repris', etat: 'créé', cle: '2025fcs0007/unique', rattacheAUnLotConnu: false });
		const refused = l2.find((l) => l.json.resultat === 'refusé')!.json;
		expect(refused).toMatchObject({ rang: 4, id: '2025PI0003' });
		expect(String(refused.motif)).toBe('Marché n° 4 du fichier (identifiant 2025PI0003), considérations sociales : valeur manquante');

		const r = await openRegister();
		try {
			// La version précédente reste ; le nouveau marché a sa fiche « marché » (pour le bilan), la fiche d'un marché étudié n'est pas touchée.
			expect((await r.versions('decp', '2026trx014/1')).map((v) => (v.data as IDataObject).offresRecues)).toEqual([5, 6]);
			expect((await r.get('marche', '2025fcs0007'))!.data).toMatchObject({ marche: '2025FCS0007', objet: 'Fourniture de mobilier scolaire', lots: ['unique'] });
			expect((await r.versions('marche', '2026trx014')).length).toBe(marketVersions);
			expect(await r.get('decp', 'cd872027-01/unique')).toBeUndefined();
		} finally {
			await r.close();
		}
		// Le marché importé sans clause est publié tel quel avec les marchés notifiés.
		const third = await run(exportParameters({ complements: '[]' }), [{}]);
		expect(third.items[0].json).toMatchObject({ marches: 4, depuisLeRegistre: 3, importesSansClause: 1 });
		expect(officialSchemaErrors(JSON.parse(fileOf(third.items[0]).text))).toEqual([]);
	}, 90000);

	it('aller-retour sur un registre vide : import puis export redonnent les mêmes marchés ; JSON coupé refusé sans rien importer', async () => {
		await notifiedRegister();
		const exported = fileOf((await run(exportParameters(), [{}])).items[0]).text;
		resetRegister();
		const cut = await run({ operation: 'importerDecp', acheteurSiret: SIRET_REGION }, [decpItem(exported.slice(0, exported.length - 40), 'coupe.json')], true);
		expect(String(cut.items[0].json.error)).toMatch(/^Fichier « coupe\.json », fichier des données essentielles : JSON illisible/);
		const imported = await run({ operation: 'importerDecp', acheteurSiret: SIRET_REGION }, [decpItem(exported)]);
		expect(imported.items[0].json.marches).toEqual({ repris: 3, inchanges: 0, refuses: 0 });
		const back = await run(exportParameters({ complements: '[]', valeursParDefaut: {} }), [{}]);
		expect(back.error()).toBeUndefined();
		expect(back.items[0].json).toMatchObject({ depuisLeRegistre: 0, importesSansClause: 3 });
		expect(JSON.parse(fileOf(back.items[0]).text)).toEqual(JSON.parse(exported));
		// Paramètre fautif : erreur qui le nomme.
		const bad = await run({ operation: 'importerDecp', acheteurSiret: '1234' }, [decpItem(exported)]);
		expect((bad.error('Nœud testé') as { message: string }).message).toContain('SIRET de l’acheteur');
	}, 90000);
});
