/**
 * Le nœud « Registre des clauses », exécuté par le moteur de n8n, sur le
 * registre SQLite par défaut (dossier de n8n), sur un fichier SQLite choisi par
 * l'identifiant « Registre des clauses », et sur une base PostgreSQL neuve
 * choisie par ce même identifiant : de l'étude à la notification sans
 * ressaisie, import du classeur de suivi (tout ou rien, réimport sans nouvelle
 * version), export en lecture seule et retour, lecture, historique, archivage.
 */
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';
import type { ICredentialDataDecryptedObject, IConnections, IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import JSZip from 'jszip';

import { PostgresDatabase, Register, SqliteDatabase } from '../../nodes/adapters/register';
import { PACKAGE_NAME, PACKAGE_ROOT, binaryItem, defaultRegisterPath, resetRegister, runNode, runWorkflow, useItems } from '../helpers/engine';
import { freshRegisterLocation, testPostgres } from '../helpers/registers';

const SAMPLE = path.join(PACKAGE_ROOT, 'workflows', 'donnees-exemple');
const sample = (name: string) => fs.readFileSync(path.join(SAMPLE, name));
const suivi = () => binaryItem(sample('suivi-clauses.xlsx'), 'suivi-clauses.xlsx');

interface Setup {
	name: string;
	/** Identifiants du nœud et données de l'identifiant (aucun : registre par défaut). */
	prepare(): { node?: INode['credentials']; data?: Record<string, ICredentialDataDecryptedObject>; open: () => Promise<Register> };
}

const SETUPS: Setup[] = [
	{
		name: 'SQLite, fichier par défaut',
		prepare() {
			resetRegister();
			return { open: async () => Register.open(await SqliteDatabase.open({ file: defaultRegisterPath() })) };
		},
	},
	{
		name: 'SQLite, fichier de l’identifiant',
		prepare() {
			const file = String(freshRegisterLocation('sqlite').sqliteFile);
			return {
				node: { clausesRegistreApi: { id: 'registre', name: 'Registre' } },
				data: { clausesRegistreApi: { base: 'sqlite', fichier: file } },
				open: async () => Register.open(await SqliteDatabase.open({ file })),
			};
		},
	},
	{
		name: 'PostgreSQL, base de l’identifiant',
		prepare() {
			const database = String(freshRegisterLocation('postgres').pgDatabase);
			const pg = testPostgres();
			const settings = { host: pg.host, port: pg.port, user: pg.user, password: pg.password, database, schema: 'clauses_sociales' };
			return {
				node: { clausesRegistreApi: { id: 'registre', name: 'Registre' } },
				data: { clausesRegistreApi: { base: 'postgres', ...settings, ssl: 'desactive' } },
				open: async () => Register.open(new PostgresDatabase(settings), {}, settings.schema),
			};
		},
	},
];

/** Sortie de l'étude de faisabilité sur la consultation d'exemple (calibrage puis étude, paramètres du workflow livré). */
async function studyItems(): Promise<INodeExecutionData[]> {
	const shipped = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'workflows', 'etude-faisabilite-calibrage.json'), 'utf8')) as { nodes: INode[] };
	const parametersOf = (name: string) => structuredClone(shipped.nodes.find((n) => n.name === name)!.parameters);
	const dataKey = useItems([binaryItem(sample('lots-consultation.xlsx'), 'lots-consultation.xlsx')]);
	const node = (id: string, name: string, type: string, parameters: INode['parameters'], x: number): INode => ({ id, name, type, typeVersion: 1, position: [x, 0], parameters });
	const nodes: INode[] = [
		node('amorce', 'Lots', 'harness.items', { dataKey }, 0),
		node('calibrage', 'Calibrage', `${PACKAGE_NAME}.clauseCalibration`, parametersOf('Calibrage des heures'), 200),
		node('faisabilite', 'Étude', `${PACKAGE_NAME}.clauseFeasibility`, { ...parametersOf('Étude de faisabilité'), facilitateurs: sample('facilitateurs.json').toString('utf8'), dateEtude: '2026-11-23' }, 400),
	];
	const link = (to: string) => ({ main: [[{ node: to, type: NodeConnectionTypes.Main, index: 0 }]] });
	const connections: IConnections = { Lots: link('Calibrage'), Calibrage: link('Étude') };
	const result = await runWorkflow({ nodes, connections });
	expect(result.error()).toBeUndefined();
	return result.output('Étude').map((item) => ({ json: item.json }));
}

const notification = (overrides: IDataObject = {}): IDataObject => ({
	marche: '2026-TRX-014',
	lot: '1',
	dateNotification: '2027-02-15',
	titulaire: 'Bâtiments Moreau et Fils',
	siret: '88443430614252',
	emailTitulaire: 'contact@moreau.example.test',
	contactTitulaire: 'Julien Moreau',
	acheteur: 'Direction des lycées – service des travaux',
	emailAcheteur: 'travaux-lycees@region-val-argent.example.test',
	debutExecution: '2027-03-01',
	finExecution: '2028-02-29',
	...overrides,
});

/** Un classeur tronqué de deux façons : archive coupée, et XML de la feuille « Relevés » coupé dans une archive intacte. */
async function damagedWorkbooks(): Promise<Array<{ name: string; buffer: Buffer }>> {
	const good = sample('suivi-clauses.xlsx');
	const zip = await JSZip.loadAsync(good);
	const workbookXml = await zip.file('xl/workbook.xml')!.async('string');
	const rels = await zip.file('xl/_rels/workbook.xml.rels')!.async('string');
	// Partie de la feuille « Relevés » : par l'identifiant de relation de la feuille.
	const rid = /<sheet [^>]*name="Relevés"[^>]*r:id="([^"]+)"/.exec(workbookXml)?.[1] ?? /<sheet [^>]*r:id="([^"]+)"[^>]*name="Relevés"/.exec(workbookXml)![1];
	const target = new RegExp(`Id="${rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="${rid}"`).exec(rels)!;
	const part = `xl/${(target[1] ?? target[2]).replace(/^\/?xl\//, '')}`;
	const xml = await zip.file(part)!.async('string');
	zip.file(part, xml.slice(0, Math.floor(xml.length / 2)));
	const cutXml = Buffer.from(await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
	return [
		{ name: 'suivi-tronque.xlsx', buffer: good.subarray(0, Math.floor(good.length * 0.8)) },
		{ name: 'suivi-xml-coupe.xlsx', buffer: cutXml },
	];
}

/**
 * Un classeur de suivi dont la feuille « Relevés » (2 500 lignes d'un même
 * relevé) a un XML bien fermé mais abîmé vers la ligne 2 200 : la vérification
 * de fin de partie ne le voit pas, la lecture en flux le découvre après avoir
 * déjà versé deux paquets de lignes dans la table d'attente de la transaction.
 */
async function damagedMidway(): Promise<Buffer> {
	const { workbookBuffer } = await import('../helpers/workbooks');
	const lines = Array.from({ length: 2500 }, (_, i) => ['M-1', '1', '2026-01', `P-${i}`, 3]);
	const good = await workbookBuffer({
		Registre: [
			['N° marché', 'N° lot', 'Titulaire', 'Heures dues'],
			['M-1', '1', 'Entreprise', 900],
		],
		Relevés: [['N° marché', 'N° lot', 'Mois', 'Participant', 'Heures du mois'], ...lines],
	});
	const zip = await JSZip.loadAsync(good);
	const part = Object.keys(zip.files).find((name) => /^xl\/worksheets\/sheet2\.xml$/.test(name))!;
	const xml = await zip.file(part)!.async('string');
	expect(xml).toContain('<row r="2200"');
	zip.file(part, xml.replace('<row r="2200"', '<<row r="2200"'));
	return Buffer.from(await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
}

let study: INodeExecutionData[];
beforeAll(async () => {
	study = await studyItems();
}, 60000);

describe.each(SETUPS)('nœud Registre des clauses ($name)', (setup) => {
	let env: ReturnType<Setup['prepare']>;
	const opened: Register[] = [];
	beforeEach(() => {
		env = setup.prepare();
	});
	afterEach(async () => {
		for (const r of opened.splice(0)) await r.close();
	});
	const register = async () => {
		const r = await env.open();
		opened.push(r);
		return r;
	};
	const run = (parameters: IDataObject, items: Array<INodeExecutionData | IDataObject>, continueOnFail = false) =>
		runNode({ type: 'clauseRegister', parameters: parameters as INode['parameters'], credentials: env.node, continueOnFail }, items as INodeExecutionData[], { credentials: env.data });

	it('de l’étude à la notification sans ressaisie : lots et marchés, fiche visa sur les lots, clause active avec les heures de l’étude', async () => {
		const first = await run({ operation: 'enregistrerEtude' }, study);
		expect(first.error()).toBeUndefined();
		expect(first.items).toHaveLength(12);
		expect(new Set(first.items.map((i) => i.json.etat))).toEqual(new Set(['créé']));
		const lot1 = first.items.find((i) => i.json.marche === '2026-TRX-014' && i.json.lot === '1')!;
		expect(lot1.json).toMatchObject({ cle: '2026trx014/1', version: 1 });
		// Une seconde exécution de la même étude n'écrit rien.
		const again = await run({ operation: 'enregistrerEtude' }, study);
		expect(new Set(again.items.map((i) => i.json.etat))).toEqual(new Set(['inchangé']));

		const r = await register();
		const stored = (await r.get('lot', '2026trx014/1'))!.data as IDataObject;
		const studied = study.find((i) => i.json.marche === '2026-TRX-014' && i.json.lot === '1')!.json;
		const faisabilite = studied.faisabilite as IDataObject;
		expect(stored).toMatchObject({ marche: '2026-TRX-014', lot: '1', heures: faisabilite.heuresRetenues, etude: { decision: faisabilite.decision, dateEtude: '2026-11-23' } });
		expect(String(stored.formuleHeures)).not.toBe('');
		expect(String(stored.sourceHeures)).toContain('étude de faisabilité du 2026-11-23');
		expect((await r.get('marche', '2026trx014'))!.data).toMatchObject({ marche: '2026-TRX-014' });

		// Fiche visa : décision portée sur les lots, l'étude gardée.
		const visa = await runNode({ type: 'ficheVisa', parameters: { operation: 'valider', options: { dateControle: '2026-12-01' } } }, [
			binaryItem(sample('fiches-visa/fiche-visa-2026-TRX-014.xlsx'), 'fiche-visa-2026-TRX-014.xlsx'),
		]);
		expect(visa.error()).toBeUndefined();
		const visaOut = await run({ operation: 'enregistrerFicheVisa' }, visa.items.map((i) => ({ json: i.json })));
		expect(visaOut.error()).toBeUndefined();
		expect(visaOut.items.length).toBeGreaterThan(0);
		const visaLot1 = visaOut.items.find((i) => i.json.lot === '1')!;
		expect(visaLot1.json).toMatchObject({ cle: '2026trx014/1', version: 2, etat: 'modifié', decision: visa.items[0].json.decision, dateVisa: '2026-12-01', lotEtudie: true });
		const afterVisa = (await r.get('lot', '2026trx014/1'))!.data as IDataObject;
		expect(afterVisa.etude).toEqual(stored.etude);
		expect(afterVisa.visa).toMatchObject({ decision: visa.items[0].json.decision, date: '2026-12-01' });

		// Notification sans heures : celles du lot ; facilitateur de l'étude.
		const notified = await run({ operation: 'enregistrerNotification' }, [notification()]);
		expect(notified.error()).toBeUndefined();
		expect(notified.items[0].json).toMatchObject({ cle: '2026trx014/1', version: 1, etat: 'créé', statut: 'enCours', heuresDues: faisabilite.heuresRetenues, heuresReprisesDeLEtude: true });
		const clause = (await r.get('clause', '2026trx014/1'))!.data as IDataObject;
		expect(clause).toMatchObject({ heuresDues: faisabilite.heuresRetenues, facilitateur: (faisabilite.facilitateur as IDataObject).nom, dateNotification: '2027-02-15', statut: 'enCours' });
		// Une valeur donnée l'emporte, et elle est enregistrée (nouvelle version).
		const explicit = await run({ operation: 'enregistrerNotification' }, [notification({ heuresDues: 500 })]);
		expect(explicit.items[0].json).toMatchObject({ version: 2, etat: 'modifié', heuresDues: 500, heuresReprisesDeLEtude: false });
	}, 60000);

	it('notification : erreur française qui nomme l’élément et le champ ; lot inconnu sans heures refusé', async () => {
		const missing = await run({ operation: 'enregistrerNotification' }, [notification({ lot: '9', heuresDues: 100, siret: '' })]);
		expect((missing.error('Nœud testé') as { message: string }).message).toBe('Élément 1 (marché 2026-TRX-014, lot 9), SIRET du titulaire : SIRET manquant');
		const unknown = await run({ operation: 'enregistrerNotification' }, [notification({ lot: '9', facilitateur: 'PLIE', emailFacilitateur: 'plie@example.test' })], true);
		expect(unknown.items[0].json.error).toBe(
			'Élément 1 (marché 2026-TRX-014, lot 9), heures d’insertion dues : heures d’insertion dues absentes, et le lot 9 du marché 2026-TRX-014 est inconnu du registre',
		);
		expect(unknown.items[0].pairedItem).toEqual({ item: 0 });
		expect(await (await register()).list('clause')).toHaveLength(0);
	});

	it('import du classeur de suivi : lignes reprises puis inchangées au réimport, sans nouvelle version', async () => {
		const first = await run({ operation: 'importerClasseur' }, [suivi()]);
		expect(first.error()).toBeUndefined();
		const [summary, ...refused] = first.items;
		expect(summary.json).toMatchObject({ resultat: 'synthèse', fichier: 'suivi-clauses.xlsx', clauses: { reprises: 16, inchangees: 0, refusees: 0 }, lignes: { inchangees: 0 } });
		const lines = summary.json.lignes as IDataObject;
		expect(Number(lines.reprises) + Number(lines.refusees)).toBe(414 - Number(lines.remplaceesIgnorees));
		expect(refused.every((i) => i.json.resultat === 'refusée' && typeof i.json.motif === 'string')).toBe(true);
		const r = await register();
		const before = await r.reportLines({ allVersions: true });
		expect(before.length).toBe(Number(lines.reprises));

		const again = await run({ operation: 'importerClasseur' }, [suivi()]);
		expect(again.items[0].json).toMatchObject({ clauses: { reprises: 0, inchangees: 16 }, lignes: { reprises: 0, inchangees: lines.reprises }, releves: { enregistres: 0 } });
		expect(await r.reportLines({ allVersions: true })).toHaveLength(before.length);
		expect((await r.versions('clause', (await r.list('clause'))[0].key)).map((v) => v.version)).toEqual([1]);
	});

	it('import des feuilles « Marchés » et « Pénalités » : tous les marchés et les pénalités recouvrées au registre ; le bilan lu au registre en tire la part des marchés avec une clause et les recouvrements', async () => {
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(sample('suivi-clauses.xlsx') as unknown as ArrayBuffer);
		const rows = wb.getWorksheet('Marchés')!.actualRowCount - 1;
		expect(rows).toBeGreaterThan(0);
		const first = await run({ operation: 'importerClasseur' }, [suivi()]);
		expect(first.items[0].json.marches).toEqual({ repris: rows, inchanges: 0, refuses: 0 });
		// Une pénalité recouvrée (titre de recette) est reprise pour le bilan, pas refusée comme étape de procédure.
		expect(first.items[0].json.recouvrements).toEqual({ repris: 1, inchanges: 0 });
		expect(first.items[0].json.penalites).toMatchObject({ refusees: 0 });
		const again = await run({ operation: 'importerClasseur' }, [suivi()]);
		expect(again.items[0].json.marches).toEqual({ repris: 0, inchanges: rows, refuses: 0 });
		const r = await register();
		expect(await r.list('marche')).toHaveLength(rows);
		const bilan = await runNode(
			{ type: 'clauseBilan', parameters: { source: 'registre', debut: '2025-01', fin: '2025-12' }, credentials: env.node },
			[{ json: {} }],
			{ credentials: env.data },
		);
		expect(bilan.error()).toBeUndefined();
		const synthese = bilan.items[0].json as IDataObject;
		expect(Number(synthese.nombreMarches)).toBeGreaterThan(Number(synthese.marchesAvecClause));
		expect(synthese.partMarchesAvecClause).not.toBeNull();
		expect(Number(synthese.penalitesRecouvrees)).toBeGreaterThan(0);
	});

	it('import du classeur des clauses à solder : colonnes de pénalité gardées, feuille « Pénalités » reprise en étapes ; l’avis de pénalité lu au registre propose les mêmes étapes que sur le classeur', async () => {
		const solder = () => binaryItem(sample('clauses-a-solder.xlsx'), 'clauses-a-solder.xlsx');
		const first = await run({ operation: 'importerClasseur' }, [solder()]);
		expect(first.error()).toBeUndefined();
		expect(first.items).toHaveLength(1);
		expect(first.items[0].json).toMatchObject({ clauses: { reprises: 5, refusees: 0 }, penalites: { reprises: 3, inchangees: 0, refusees: 0 } });
		const again = await run({ operation: 'importerClasseur' }, [solder()]);
		expect(again.items[0].json).toMatchObject({ clauses: { inchangees: 5 }, penalites: { reprises: 0, inchangees: 3 } });
		const r = await register();
		const espacesVerts = (await r.get('clause', (await r.list('clause')).find((c) => (c.data as IDataObject).marche === '2025-TRX-039' && (c.data as IDataObject).lot === '8')!.key))!.data as IDataObject;
		expect(espacesVerts).toMatchObject({ heuresNeutralisees: 60, articleCcap: 'l’article 8.6 du CCAP', bilanRemis: true, dateRemiseBilan: '2026-08-28' });
		expect((await r.list('penalite')).map((p) => (p.data as IDataObject).etape).sort()).toEqual(['miseEnDemeure', 'miseEnDemeure', 'notification']);

		const penalty = (source: string, items: INodeExecutionData[]) =>
			runNode(
				{
					type: 'clausePenalty',
					credentials: env.node,
					parameters: { mode: 'revue', source, dateAvis: '2026-11-23', emetteur: 'Région Val-d’Argent', signature: 'Pour la présidente et par délégation,' },
				},
				items,
				{ credentials: env.data },
			);
		const steps = (items: INodeExecutionData[]) =>
			Object.fromEntries(items.filter((i) => i.json.marche !== undefined).map((i) => [`${i.json.marche}/${i.json.lot}`, [i.json.etape, i.json.montantTotal ?? null]]));
		const fromWorkbook = await penalty('classeur', [solder()]);
		const fromRegister = await penalty('registre', [{ json: {} }]);
		expect(fromRegister.error()).toBeUndefined();
		expect(Object.keys(steps(fromRegister.items)).sort()).toEqual(Object.keys(steps(fromWorkbook.items)).sort());
		expect(steps(fromRegister.items)).toEqual(steps(fromWorkbook.items));
		expect(steps(fromRegister.items)['2024-TRX-027/3'][0]).toBe('notifiee');
	});

	it('classeur abîmé (archive tronquée, XML coupé) ou sans feuille « Registre » : refusé en entier, rien d’écrit', async () => {
		for (const { name, buffer } of await damagedWorkbooks()) {
			const { error } = await run({ operation: 'importerClasseur' }, [binaryItem(buffer, name)]);
			const message = (error('Nœud testé') as { message: string }).message;
			expect(message).toContain(`Fichier « ${name} »`);
			expect(message).toContain('illisible ou abîmé');
		}
		// La partie coupée est nommée.
		const [, cut] = await damagedWorkbooks();
		const named = await run({ operation: 'importerClasseur' }, [binaryItem(cut.buffer, cut.name)]);
		expect((named.error('Nœud testé') as { message: string }).message).toMatch(/^Fichier « suivi-xml-coupe\.xlsx », contenu : le classeur est illisible ou abîmé \(partie « xl\/worksheets\/sheet\d+\.xml » incomplète : son XML s’arrête avant la fin\)$/);
		const { workbookBuffer } = await import('../helpers/workbooks');
		const noRegister = await run({ operation: 'importerClasseur' }, [binaryItem(await workbookBuffer({ Relevés: [['N° marché', 'N° lot', 'Mois', 'Heures du mois'], ['M', '1', '2026-01', 3]] }), 'sans-registre.xlsx')]);
		expect((noRegister.error('Nœud testé') as { message: string }).message).toBe('Fichier « sans-registre.xlsx », feuille : feuille « Registre » absente');
		const r = await register();
		expect(await r.list('clause')).toHaveLength(0);
		expect(await r.reportLines({ allVersions: true })).toHaveLength(0);
	});

	it('classeur abîmé au milieu de la feuille « Relevés », découvert pendant la lecture en flux : refusé en entier, la transaction annulée, rien d’écrit ; le registre reçoit ensuite un classeur sain', async () => {
		const { error } = await run({ operation: 'importerClasseur' }, [binaryItem(await damagedMidway(), 'suivi-abime-au-milieu.xlsx')]);
		const message = (error('Nœud testé') as { message: string }).message;
		expect(message).toMatch(/^Fichier « suivi-abime-au-milieu\.xlsx », contenu : le classeur est illisible ou abîmé \(/);
		const r = await register();
		expect(await r.list('clause')).toHaveLength(0);
		expect(await r.reportLines({ allVersions: true })).toHaveLength(0);
		// La table d'attente n'a pas survécu à l'annulation : un import sain passe aussitôt.
		const next = await run({ operation: 'importerClasseur' }, [suivi()]);
		expect(next.error()).toBeUndefined();
		expect(next.items[0].json).toMatchObject({ resultat: 'synthèse', clauses: { reprises: 16 } });
		expect((await r.reportLines({ allVersions: true })).length).toBe(Number((next.items[0].json.lignes as IDataObject).reprises));
	});

	it('export par facilitateur en lecture seule, puis import dans un registre neuf : mêmes clauses, mêmes lignes', async () => {
		await run({ operation: 'importerClasseur' }, [suivi()]);
		const exported = await run({ operation: 'exporter', par: 'facilitateur', dateExport: '2026-12-01' }, [{}]);
		expect(exported.error()).toBeUndefined();
		expect(exported.items.length).toBeGreaterThan(1);
		const plie = exported.items.find((i) => i.json.fichier === 'registre-plie-du-val-d-argent-2026-12-01.xlsx')!;
		expect(plie.json).toMatchObject({ facilitateur: "PLIE du Val d'Argent", date: '2026-12-01', lectureSeule: true });
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(Buffer.from(plie.binary!.data.data, 'base64') as unknown as ArrayBuffer);
		expect(wb.worksheets.map((w) => w.name)).toEqual(['Registre', 'Relevés', 'À propos']);
		expect((wb.getWorksheet('Registre') as unknown as { sheetProtection?: { sheet?: boolean } }).sheetProtection).toMatchObject({ sheet: true });

		const r = await register();
		const clauses = await r.list('clause');
		const lines = await r.reportLines();
		// Retour : chaque classeur exporté, importé dans un registre neuf.
		env = setup.prepare();
		const back = await run(
			{ operation: 'importerClasseur' },
			exported.items.map((i) => binaryItem(Buffer.from(i.binary!.data.data, 'base64'), String(i.json.fichier))),
		);
		expect(back.items.filter((i) => i.json.resultat === 'refusée')).toEqual([]);
		const fresh = await register();
		expect((await fresh.list('clause')).map((c) => [c.key, c.data])).toEqual(clauses.map((c) => [c.key, c.data]));
		expect((await fresh.reportLines()).map((l) => [l.clauseKey, l.month, l.data])).toEqual(lines.map((l) => [l.clauseKey, l.month, l.data]));
	}, 60000);

	it('lire les clauses d’une période avec leurs heures, historique, archivage', async () => {
		await run({ operation: 'importerClasseur' }, [suivi()]);
		const all = await run({ operation: 'lireClauses', debut: '2026-01-01', fin: '2026-12-31' }, [{}]);
		expect(all.error()).toBeUndefined();
		expect(all.items.length).toBeGreaterThan(0);
		const r = await register();
		const hours = await r.monthHours();
		const first = all.items[0].json;
		expect(first.heuresDeclarees).toBe(Math.round(hours.filter((h) => h.clauseKey === first.cle).reduce((s, h) => s + h.hours, 0) * 100) / 100);
		expect(all.items.every((i) => String(i.json.debutExecution) <= '2026-12-31' && String(i.json.finExecution) >= '2026-01-01')).toBe(true);
		const plie = await run({ operation: 'lireClauses', debut: '2026-01-01', fin: '2026-12-31', facilitateur: "plie du val d'argent" }, [{}]);
		expect(plie.items.length).toBeGreaterThan(0);
		expect(plie.items.every((i) => i.json.facilitateur === "PLIE du Val d'Argent")).toBe(true);
		const badPeriod = await run({ operation: 'lireClauses', debut: '2026-12-31', fin: '2026-01-01' }, [{}]);
		expect((badPeriod.error('Nœud testé') as { message: string }).message).toBe('Paramètres du nœud, fin de la période : fin de la période antérieure à son début');

		const { marche, lot } = first as { marche: string; lot: string };
		const archived = await run({ operation: 'archiver', marche, lot, motif: 'Lot résilié' }, [{}]);
		expect(archived.items[0].json).toMatchObject({ etat: 'archivée', version: 2 });
		expect((await run({ operation: 'archiver', marche, lot }, [{}])).items[0].json).toMatchObject({ etat: 'déjà archivée' });
		const history = await run({ operation: 'historique', marche, lot }, [{}]);
		expect(history.items[0].json).toMatchObject({ versionEnVigueur: 2, archivee: true });
		expect((history.items[0].json.historique as IDataObject[]).map((h) => h.action)).toEqual(['création', 'archivage']);
		const after = await run({ operation: 'lireClauses', debut: '2026-01-01', fin: '2026-12-31' }, [{}]);
		expect(after.items).toHaveLength(all.items.length - 1);
		const unknown = await run({ operation: 'historique', marche: 'X', lot: '1' }, [{}]);
		expect((unknown.error('Nœud testé') as { message: string }).message).toBe('Élément 1, clause : aucune clause du marché X, lot 1, dans le registre');
	});

	it('anonymiser les relevés échus : l’aperçu compte sans rien écrire ; appliqué, les mois échus perdent toute donnée personnelle, toutes versions, heures et nombre de personnes gardés ; une seconde passe ne trouve plus rien', async () => {
		await run({ operation: 'importerClasseur' }, [suivi()]);
		const r = await register();
		const before = await r.reportLines({ allVersions: true });
		const months = [...new Set(before.map((l) => l.month))].sort();
		expect(months.length).toBeGreaterThan(2);
		// Date de référence choisie pour que les deux premiers mois reçus soient échus avec 12 mois de conservation.
		const reference = `${Number(months[2].slice(0, 4)) + 1}${months[2].slice(4)}-15`;
		const expired = before.filter((l) => l.month < months[2]);
		expect(expired.length).toBeGreaterThan(0);
		const personal = (data: unknown) => Object.keys(data as object).filter((k) => ['sexe', 'trancheAge', 'residentQpv', 'categoriePublic', 'poste', 'debutContrat', 'finContrat', 'eligibiliteValidee', 'justification', 'situationSixMois'].includes(k));
		expect(expired.some((l) => personal(l.data).length > 0)).toBe(true);

		const preview = await run({ operation: 'anonymiser', conservationMois: 12, dateReference: reference }, [{}]);
		expect(preview.error()).toBeUndefined();
		expect(preview.items[0].json).toMatchObject({ resultat: 'aperçu', moisConservesDepuis: months[2], lignes: expired.length });
		expect((await r.reportLines({ allVersions: true })).map((l) => l.data)).toEqual(before.map((l) => l.data));

		const applied = await run({ operation: 'anonymiser', conservationMois: 12, dateReference: reference, mode: 'appliquer' }, [{}]);
		expect(applied.items[0].json).toMatchObject({ resultat: 'anonymisé', lignes: expired.length });
		const after = await r.reportLines({ allVersions: true });
		expect(after).toHaveLength(before.length);
		const people = (lines: typeof before) => new Set(lines.map((l) => `${l.clauseKey}|${(l.data as IDataObject).participant}`)).size;
		for (const [i, line] of after.entries()) {
			const data = line.data as IDataObject;
			expect(data.heuresMois).toEqual((before[i].data as IDataObject).heuresMois);
			if (line.month < months[2]) {
				expect(personal(data)).toEqual([]);
				expect(String(data.participant)).toMatch(/^anonyme-[A-Za-z0-9_-]{12}$/);
			} else expect(data).toEqual(before[i].data);
		}
		// Autant de personnes par clause qu'avant, sur les mois échus ; l'historique dit combien de lignes, sans données.
		expect(people(after.filter((l) => l.month < months[2]))).toBe(people(expired));
		const first = expired[0];
		const history = await r.historyOf('releve', `${first.clauseKey} ${first.month}`);
		expect(history.at(-1)).toMatchObject({ action: 'anonymisation', detail: { lignes: expect.any(Number) } });
		expect(JSON.stringify(history)).not.toContain(String((first.data as IDataObject).participant));

		const again = await run({ operation: 'anonymiser', conservationMois: 12, dateReference: reference, mode: 'appliquer' }, [{}]);
		expect(again.items[0].json).toMatchObject({ lignes: 0, releves: 0, clauses: 0 });
		const bad = await run({ operation: 'anonymiser', conservationMois: 0, dateReference: reference }, [{}]);
		expect((bad.error('Nœud testé') as { message: string }).message).toMatch(/^Paramètres du nœud, durée de conservation \(mois\) : /);
	});
});
