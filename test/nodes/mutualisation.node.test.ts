/**
 * Mutualisation des heures et part des sous-traitants, par le moteur de n8n,
 * sur le registre des clauses (SQLite et PostgreSQL) : groupe et entreprises
 * enregistrés par le nœud « Registre des clauses », puis relance mensuelle et
 * avis de pénalité qui suivent l'obligation mutualisée et nomment le
 * sous-traitant sans ligne.
 */
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { REPORT_TEMPLATE } from '../../nodes/adapters';
import type { Register } from '../../nodes/adapters/register';
import { clauseKey } from '../../nodes/core';
import { openRegisterWith, registerSettings } from '../../nodes/shared/register';
import { pdfText } from '../helpers/documents';
import { PACKAGE_ROOT, binaryItem, resetRegister, runNode } from '../helpers/engine';
import type { RegisterDialect } from '../helpers/registers';
import { POOL_HOLDER } from '../helpers/mutualisation';
import { filledReleve } from '../helpers/releves';
import { SmtpSink } from '../helpers/smtp-sink';
import { DIALECTS, freshRegisterLocation, registerCredentialData } from '../helpers/registers';

const COMMON = POOL_HOLDER;
const A = { marche: '2026-TRX-014', lot: '4', ...COMMON };
const B = { marche: '2026-TRX-020', lot: '1', ...COMMON };
const YEAR = Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`);
const DUPONT = { nom: 'Maçonnerie Dupont', siret: '41234567800012', role: 'sousTraitant' };

const byClause = (items: INodeExecutionData[]) => Object.fromEntries(items.map((i) => [`${i.json.marche}/${i.json.lot}`, i.json]));

describe.each(DIALECTS)('mutualisation des heures et sous-traitants sur le registre (%s)', (dialect: RegisterDialect) => {
	let credential: Record<string, string | number>;
	beforeEach(() => {
		credential = registerCredentialData(dialect, freshRegisterLocation(dialect));
	});

	async function withRegister<T>(fn: (register: Register) => Promise<T>): Promise<T> {
		const register = await openRegisterWith(registerSettings(credential));
		try {
			return await fn(register);
		} finally {
			await register.close();
		}
	}

	/** A : 25 h par mois (en retard), B : 60 h par mois (en avance) ; le relevé d'octobre de A sans ligne du sous-traitant. */
	async function fill(): Promise<void> {
		await withRegister(async (register) => {
			for (const clause of [A, B]) {
				await register.put('clause', clauseKey(clause), clause, 'essai');
				for (const mois of YEAR) {
					const hours = clause === A ? 25 : 60;
					const data: IDataObject[] = [{ marche: clause.marche, lot: clause.lot, mois, participant: `${clause.lot}-P1`, heuresMois: hours }];
					// Le sous-traitant de A déclare une ligne « néant » chaque mois, sauf en octobre.
					if (clause === A && mois !== '2026-10') data.push({ marche: clause.marche, lot: clause.lot, mois, heuresMois: 0, nomEmployeur: DUPONT.nom, siretEmployeur: DUPONT.siret, employeur: 'sousTraitant' });
					await register.recordReport(clauseKey(clause), mois, data.map((d) => ({ hours: Number(d.heuresMois), data: d })), 'essai');
				}
			}
		});
	}

	const node = (type: string, parameters: INodeParameters) => ({ type, parameters, credentials: { clausesRegistreApi: { id: 'registre', name: 'Registre des clauses' } } });
	const run = (type: string, parameters: INodeParameters, options: { continueOnFail?: boolean } = {}) =>
		runNode({ ...node(type, parameters), ...options }, [{}], { credentials: { clausesRegistreApi: credential } });
	const declarePool = (clauses = [A, B]) =>
		run('clauseRegister', {
			operation: 'declarerMutualisation',
			groupe: 'BTP-VAL-2026',
			perimetre: 'acheteur',
			fondement: 'CCAP, article 9.4',
			clausesGroupe: { clause: clauses.map((c) => ({ marche: c.marche, lot: c.lot })) },
		});
	const declareDupont = () => run('clauseRegister', { operation: 'declarerIntervenants', marcheIntervenants: A.marche, lotIntervenants: A.lot, intervenants: { entreprise: [DUPONT] } });
	const reminder = (options: INodeParameters = {}) => run('clauseReminder', { mode: 'apercu', dateReference: '2026-11-02', signature: 'La mission clauses sociales', options: { joindreModele: false, ...options } });
	const penalty = (options: INodeParameters = {}) =>
		run('clausePenalty', {
			mode: 'revue',
			dateAvis: '2027-01-20',
			emetteur: 'Région Val-d’Argent\nDirection de la commande publique',
			signature: 'La directrice de la commande publique',
			tauxHoraire: 60,
			options,
		});

	it('groupe enregistré et versionné ; la clause en retard couverte par son groupe n’est ni relancée ni pénalisée', async () => {
		await fill();
		const first = await declarePool();
		expect(first.run.data.resultData.error).toBeUndefined();
		expect(first.items[0].json).toMatchObject({ groupe: 'BTP-VAL-2026', version: 1, etat: 'créé', titulaire: 'Bâtiments du Val', siret: POOL_HOLDER.siret });
		expect((await declarePool()).items[0].json).toMatchObject({ version: 1, etat: 'inchangé' });

		// Situation du groupe : la part de chaque marché reste visible.
		const situation = await run('clauseRegister', { operation: 'situationMutualisation', dateReference: '2026-11-02', facilitateurVue: 'PLIE du Val d’Argent' });
		expect(situation.items).toHaveLength(1);
		expect(situation.items[0].json).toMatchObject({ groupe: 'BTP-VAL-2026', heuresDeclarees: 850, heuresAttendues: 757.92, enRetard: false, acheteurs: ['Direction des lycées'] });
		expect((situation.items[0].json.membres as IDataObject[]).map((m) => [m.marche, m.heuresDeclarees, m.avance])).toEqual([
			['2026-TRX-014', 250, -128.96],
			['2026-TRX-020', 600, 221.04],
		]);

		// Relance : ni A (couverte) ni B (en avance) ; sans la mutualisation, A serait relancée.
		const pooled = byClause((await reminder({ lignesIntervenants: false })).items);
		expect(pooled['2026-TRX-014/4']).toMatchObject({ envoi: { statut: 'sans objet' }, decision: { niveau: 'aucun', enRetard: false, mutualisation: { couverte: true } } });
		expect(String((pooled['2026-TRX-014/4'].decision as IDataObject).motif)).toContain('Clause couverte par la mutualisation du groupe « BTP-VAL-2026 » (CCAP, article 9.4)');
		expect(pooled['2026-TRX-020/1']).toMatchObject({ envoi: { statut: 'sans objet' } });
		const alone = byClause((await reminder({ mutualisation: false, lignesIntervenants: false })).items);
		expect(alone['2026-TRX-014/4']).toMatchObject({ envoi: { statut: 'aperçu' }, decision: { niveau: 'relance1', enRetard: true } });

		// Pénalités à la fin : 300 h sur 455 pour A, mais 1 020 h pour 910 sur le groupe.
		const avis = byClause((await penalty()).items);
		expect(avis['2026-TRX-014/4']).toMatchObject({ etape: 'aucune', mutualisation: { heuresCouvertes: 155, heuresRetenues: 0 }, heures: { manquantes: 0, neutralisees: 155 } });
		expect(String(avis['2026-TRX-014/4'].motif)).toContain('Clause couverte par la mutualisation du groupe « BTP-VAL-2026 »');
		const withoutPool = byClause((await penalty({ mutualisation: false })).items);
		expect(withoutPool['2026-TRX-014/4']).toMatchObject({ etape: 'miseEnDemeure', heures: { manquantes: 155 } });
	});

	it('bilan annuel : le groupe à jour, sa part pour chaque marché, le marché en retard « couvert par la mutualisation » ; sans groupe ou sans l’option, rien ne change', async () => {
		await fill();
		const bilan = (options: INodeParameters = {}) => run('clauseBilan', { source: 'registre', debut: '2026-01', fin: '2026-12', titre: 'Bilan des clauses sociales 2026', options });
		const sheetsOf = async (out: Awaited<ReturnType<typeof bilan>>) => {
			const wb = new ExcelJS.Workbook();
			await wb.xlsx.load(Buffer.from(out.items[0].binary!.data.data, 'base64') as unknown as ArrayBuffer);
			return wb;
		};
		// Sans groupe au registre : pas de section, la vue par lot sans colonne de plus.
		const before = await bilan();
		expect(before.run.data.resultData.error).toBeUndefined();
		expect(before.items[0].json.mutualisation).toBeNull();
		const plain = await sheetsOf(before);
		expect(plain.getWorksheet('Mutualisation des heures')).toBeUndefined();
		expect((plain.getWorksheet('Par lot')!.getRow(3).values as unknown[]).at(-1)).toBe('Pénalités notifiées');

		await declarePool();
		const out = await bilan();
		expect(out.run.data.resultData.error).toBeUndefined();
		const json = out.items[0].json;
		// À fin décembre : A 300 h pour 455 dues, B 720 h ; le groupe 1 020 h pour 910.
		expect(json.mutualisation).toMatchObject({ section: 'Mutualisation des heures', fin: '2026-12', groupesAJour: 1, groupesEnRetard: 0, heuresCouvertes: 155 });
		const [group] = (json.mutualisation as IDataObject).groupes as IDataObject[];
		expect(group).toMatchObject({ groupe: 'BTP-VAL-2026', heuresDues: 910, heuresAttendues: 910, heuresDeclarees: 1020, enRetard: false, situation: 'à jour : obligation mutualisée atteinte' });
		expect((group.membres as IDataObject[]).map((m) => [m.marche, m.heuresDeclarees, m.avance, m.couverte])).toEqual([
			['2026-TRX-014', 300, -155, true],
			['2026-TRX-020', 720, 265, false],
		]);
		expect(String((json.synthese as IDataObject).texte)).toContain('1 marché en retard sur sa propre part est couvert par l’avance des autres marchés de son groupe (155\u00a0h) : il n’est pas compté en retard dans ce bilan.');
		// Sortie « Indicateurs » (la seconde) : une ligne par marché du groupe et une pour le groupe.
		const views = out.errorItems;
		expect(views.filter((v) => v.json.vue === 'mutualisation').map((v) => [v.json.ligne, v.json.marche, v.json.avance])).toEqual([
			['marché', '2026-TRX-014', -155],
			['marché', '2026-TRX-020', 265],
			['groupe', 'Ensemble du groupe', 110],
		]);

		// Le classeur : la feuille du groupe, relue cellule par cellule.
		const wb = await sheetsOf(out);
		const sheet = wb.getWorksheet('Mutualisation des heures')!;
		const row = (r: number) => (sheet.getRow(r).values as unknown[]).slice(1);
		expect(row(3)).toEqual(['Groupe', 'Titulaire', 'Stipulation du CCAP', 'Marché', 'Lot', 'Acheteur', 'Heures dues', 'Heures attendues à fin de période', 'Heures réalisées (cumul)', 'Avance (+) ou retard (−)', 'Part des heures du groupe', 'Situation']);
		expect(row(4)).toEqual(['BTP-VAL-2026', 'Bâtiments du Val', 'CCAP, article 9.4', '2026-TRX-014', '4', 'Direction des lycées', 455, 455, 300, -155, 0.2941, 'en retard de 155\u00a0h, couvert par la mutualisation']);
		expect(row(5).slice(3, 12)).toEqual(['2026-TRX-020', '1', 'Direction des lycées', 455, 455, 720, 265, 0.7059, 'en avance de 265\u00a0h']);
		expect(row(6).slice(3, 12)).toEqual(['Ensemble du groupe', undefined, undefined, 910, 910, 1020, 110, 1, 'à jour : obligation mutualisée atteinte']);
		expect(String(sheet.getCell('A8').value)).toContain('1 groupe atteint l’obligation mutualisée');
		expect(sheet.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToPage: true });
		const lots = wb.getWorksheet('Par lot')!;
		expect((lots.getRow(3).values as unknown[]).at(-1)).toBe('Mutualisation des heures');
		expect((lots.getRow(4).values as unknown[]).at(-1)).toBe('groupe « BTP-VAL-2026 » : couvert par la mutualisation');
		const figures = new Map<unknown, unknown>();
		wb.getWorksheet('Synthèse')!.eachRow((r) => figures.set(r.getCell(1).value, r.getCell(2).value));
		expect(figures.get('Groupes de mutualisation des heures')).toBe(1);
		expect(figures.get('dont à jour (obligation mutualisée atteinte)')).toBe(1);
		expect(figures.get('Lots en retard sur leur part, couverts par la mutualisation')).toBe(1);
		expect(figures.get('Heures de retard couvertes par la mutualisation')).toBe(155);

		// Le document des élus : la page de la mutualisation.
		const { text } = await pdfText(Buffer.from(out.items[0].binary!.pdf.data, 'base64'));
		const flat = text.replace(/\s+/g, ' ');
		expect(flat).toContain('Mutualisation des heures');
		expect(flat).toContain('Groupe « BTP-VAL-2026 » : Bâtiments du Val (CCAP, article 9.4)');
		expect(flat).toContain('Ensemble du groupe');
		expect(flat).toContain('couvert par la mutualisation');

		// Option désactivée : le bilan d'avant.
		const off = await bilan({ mutualisation: false });
		expect(off.items[0].json.mutualisation).toBeNull();
		expect((await sheetsOf(off)).getWorksheet('Mutualisation des heures')).toBeUndefined();
	});

	it('guichet unique : un facilitateur voit ensemble les groupes de plusieurs acheteurs', async () => {
		await fill();
		// Deux autres marchés du même titulaire, chez deux autres acheteurs qui partagent le même facilitateur.
		const C = { ...COMMON, marche: '2026-COL-007', lot: '3', acheteur: 'Département du Val', emailAcheteur: 'achats@departement.example.test' };
		const D = { ...COMMON, marche: '2026-VIL-002', lot: 'unique', acheteur: 'Ville de Val-d’Argent', emailAcheteur: 'achats@ville.example.test' };
		await withRegister(async (register) => {
			for (const clause of [C, D]) await register.put('clause', clauseKey(clause), clause, 'essai');
		});
		expect((await declarePool()).items[0].json).toMatchObject({ version: 1, etat: 'créé' });
		const guichet = (perimetre: string) =>
			run('clauseRegister', {
				operation: 'declarerMutualisation',
				groupe: 'GU-VAL-2026',
				libelleGroupe: 'Guichet unique du Val',
				perimetre,
				fondement: 'CCAP, article 9.4 de chaque marché',
				clausesGroupe: { clause: [C, D].map((c) => ({ marche: c.marche, lot: c.lot })) },
			});
		// Périmètre « un acheteur » : refusé, l'erreur dit quoi choisir.
		const refused = await guichet('acheteur');
		expect(refused.run.data.resultData.error?.message).toContain('acheteur Ville de Val-d’Argent, différent de Département du Val');
		expect((await guichet('facilitateur')).items[0].json).toMatchObject({ groupe: 'GU-VAL-2026', version: 1, etat: 'créé', perimetre: 'facilitateur' });

		const view = async (parameters: INodeParameters) => {
			const out = await run('clauseRegister', { operation: 'situationMutualisation', dateReference: '2026-11-02', ...parameters });
			expect(out.run.data.resultData.error).toBeUndefined();
			return Object.fromEntries(out.items.map((i) => [String(i.json.groupe), i.json]));
		};
		const all = await view({ facilitateurVue: 'plie du val d’argent' });
		expect(Object.keys(all).sort()).toEqual(['BTP-VAL-2026', 'GU-VAL-2026']);
		expect(all['GU-VAL-2026']).toMatchObject({ perimetre: 'facilitateur', acheteurs: ['Département du Val', 'Ville de Val-d’Argent'], heuresDeclarees: 0, enRetard: true });
		expect(all['BTP-VAL-2026']).toMatchObject({ acheteurs: ['Direction des lycées'], enRetard: false });
		expect(Object.keys(await view({ acheteurVue: 'Département du Val' }))).toEqual(['GU-VAL-2026']);
		expect(await view({ facilitateurVue: 'Maison de l’emploi de Rennes' })).toEqual({});
	});

	it('sous-traitant enregistré sans ligne au relevé du mois : la relance le nomme ; tableau des heures par employeur', async () => {
		await fill();
		const declared = await declareDupont();
		expect(declared.items[0].json).toMatchObject({ version: 1, etat: 'créé', titulaire: 'Bâtiments du Val' });
		const out = byClause((await reminder({ mutualisation: false })).items)['2026-TRX-014/4'];
		expect(out).toMatchObject({ decision: { statut: 'enRetard', niveau: 'relance1' }, envoi: { statut: 'aperçu' } });
		const envoi = out.envoi as IDataObject;
		expect(String(envoi.texte)).toContain('Votre relevé d’octobre 2026 ne comporte aucune ligne pour l’entreprise Maçonnerie Dupont (sous-traitant, SIRET 41234567800012), déclarée sur ce marché.');
		expect(String(envoi.cle)).toMatch(/\|employeurs:41234567800012$/);

		const table = await run('clauseRegister', { operation: 'heuresParEmployeur', dateReference: '2026-11-02' });
		const a = byClause(table.items)['2026-TRX-014/4'];
		expect((a.lignes as IDataObject[]).map((r) => [r.employeur, r.role, r.heures])).toEqual([
			['Bâtiments du Val', 'Titulaire', 300],
			['Maçonnerie Dupont', 'Sous-traitant', 0],
		]);
		expect((a.lignesManquantes as IDataObject[]).map((m) => [m.mois, m.nom])).toEqual([['2026-10', 'Maçonnerie Dupont']]);
	});

	it('modèle de relevé joint à la relance : colonnes de l’employeur, entreprises déclarées nommées ; rempli, la réception retrouve l’employeur de chaque ligne et accepte une ligne « néant » par entreprise', async () => {
		await fill();
		// Le cotraitant n'intervient qu'à partir d'octobre.
		const NETTOYAGE = { nom: 'Nettoyage du Val', siret: '52312345600007', role: 'coTraitant', debut: '2026-10-01' };
		const declared = await run('clauseRegister', { operation: 'declarerIntervenants', marcheIntervenants: A.marche, lotIntervenants: A.lot, intervenants: { entreprise: [DUPONT, NETTOYAGE] } });
		expect(declared.run.data.resultData.error).toBeUndefined();
		// Octobre : aucune ligne des deux entreprises (et A en retard, sans groupe) ; la relance joint le modèle du mois, qui les nomme.
		const reminded = (await reminder({ joindreModele: true })).items.find((i) => i.json.marche === A.marche)!;
		expect(reminded.json).toMatchObject({ decision: { moisReference: '2026-10', moisManquants: [] } });
		const modele = reminded.binary!.modele;
		expect(modele.fileName).toBe('releve-heures-insertion-2026-TRX-014-lot-4-2026-10.xlsx');
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(Buffer.from(modele.data, 'base64') as unknown as ArrayBuffer);
		const sheet = wb.getWorksheet('Relevé')!;
		const headers = (sheet.getRow(REPORT_TEMPLATE.headerRow).values as unknown[]).slice(1);
		// Les colonnes de l'employeur en fin de tableau : celles des modèles déjà envoyés gardent leur place (heures du mois en J).
		expect(headers[3]).toBe('Employeur');
		expect(headers[9]).toBe('Heures du mois');
		expect(headers.slice(-2)).toEqual(['Raison sociale de l’employeur', 'SIRET de l’employeur']);
		expect(sheet.getCell('D6').value).toBe(
			'Entreprises déclarées sur ce marché : Maçonnerie Dupont (sous-traitant, SIRET 41234567800012) ; Nettoyage du Val (cotraitant, SIRET 52312345600007). Pour chaque personne, indiquez la raison sociale et le SIRET de son employeur ; une entreprise sans heure d’insertion ce mois-là déclare une ligne « néant » à 0 heure, avec sa raison sociale et son SIRET.',
		);

		// Rempli comme par le titulaire : ses heures, une ligne « néant » pour chaque entreprise, et un « néant » en double.
		const rows: Array<Record<string, unknown>> = [
			{ participant: '4-P1', categoriePublic: 'Bénéficiaire du RSA', modalite: 'Embauche directe', employeur: 'Titulaire', heuresMois: 25 },
			{ participant: 'néant', employeur: 'Sous-traitant', nomEmployeur: DUPONT.nom, siretEmployeur: DUPONT.siret, heuresMois: 0 },
			{ participant: 'néant', employeur: 'Cotraitant', nomEmployeur: NETTOYAGE.nom, siretEmployeur: NETTOYAGE.siret, heuresMois: 0 },
			{ participant: 'néant', nomEmployeur: 'MAÇONNERIE DUPONT', siretEmployeur: DUPONT.siret, heuresMois: 0 },
		];
		rows.forEach((row, r) => REPORT_TEMPLATE.columns.forEach((col, c) => row[col.field] !== undefined && (sheet.getCell(REPORT_TEMPLATE.firstDataRow + r, c + 1).value = row[col.field] as ExcelJS.CellValue)));
		const filled = Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
		// Réception en envoi (accusé reçu par un vrai serveur SMTP) : les lignes gardées au registre portent leur employeur.
		const sink = await new SmtpSink().start();
		try {
			const intake = await runNode(
				{ type: 'clauseReportIntake', parameters: { mode: 'envoyer', sourceReleves: 'fichiers', champsReleves: 'data', dateReception: '2026-11-23', signature: 'La mission clauses sociales' }, credentials: { clausesRegistreApi: { id: 'registre', name: 'Registre des clauses' }, clausesSocialesSmtpApi: { id: 'smtp', name: 'SMTP' } } },
				[binaryItem(filled, modele.fileName!)],
				{ credentials: { clausesRegistreApi: credential, clausesSocialesSmtpApi: { host: '127.0.0.1', port: sink.port, securite: 'aucune', expediteurNom: 'Mission clauses sociales', expediteurEmail: 'clauses-sociales@region.example.test' } } },
			);
			expect(intake.run.data.resultData.error).toBeUndefined();
			expect((intake.items[0].json.lignes as IDataObject[]).map((l) => l.statut)).toEqual(['correction', 'correction', 'correction', 'refusee']);
			expect(JSON.stringify(intake.items[0].json.anomalies)).toContain('ligne « néant » de MAÇONNERIE DUPONT déjà déclarée pour octobre 2026');
			await sink.waitFor(1);
		} finally {
			await sink.stop();
		}
		const october = await withRegister((register) => register.reportLines({ clauseKey: clauseKey(A) }));
		const data = october.filter((l) => l.month === '2026-10').map((l) => l.data as IDataObject);
		expect(data.map((d) => [d.participant ?? 'néant', d.heuresMois, d.nomEmployeur ?? null, d.siretEmployeur ?? null])).toEqual([
			['4-P1', 25, null, null],
			['néant', 0, 'Maçonnerie Dupont', '41234567800012'],
			['néant', 0, 'Nettoyage du Val', '52312345600007'],
		]);
		// Les deux entreprises ont leur ligne d'octobre : la relance ne les nomme plus.
		const before = String((reminded.json.envoi as IDataObject).texte);
		expect(before).toContain('Votre relevé d’octobre 2026 ne comporte aucune ligne pour les entreprises Maçonnerie Dupont (sous-traitant, SIRET 41234567800012), Nettoyage du Val (cotraitant, SIRET 52312345600007)');
		const after = (await reminder()).items.find((i) => i.json.marche === A.marche)!;
		expect(after.json).toMatchObject({ decision: { statut: 'enRetard' } });
		expect(String((after.json.envoi as IDataObject).texte ?? '')).not.toContain('ne comporte aucune ligne');
	});

	it('enregistrements refusés en français : clause absente, SIRET du titulaire déclaré comme sous-traitant', async () => {
		await fill();
		const unknown = await run('clauseRegister', {
			operation: 'declarerMutualisation',
			groupe: 'G',
			perimetre: 'acheteur',
			fondement: 'CCAP, article 9.4',
			clausesGroupe: { clause: [{ marche: A.marche, lot: A.lot }, { marche: '2099-XXX-001', lot: '1' }] },
		});
		expect(unknown.run.data.resultData.error?.message).toContain('marché 2099-XXX-001, lot 1 absent du registre');
		const self = await run('clauseRegister', { operation: 'declarerIntervenants', marcheIntervenants: A.marche, lotIntervenants: A.lot, intervenants: { entreprise: [{ ...DUPONT, siret: POOL_HOLDER.siret }] } });
		expect(self.run.data.resultData.error?.message).toContain('celui du titulaire Bâtiments du Val');
		await withRegister(async (register) => {
			expect(await register.list('mutualisation')).toEqual([]);
			expect(await register.list('intervenants')).toEqual([]);
		});
	});
});

describe('une ligne « néant » par employeur dans le classeur de suivi (réception, source « Classeur de suivi Excel »)', () => {
	beforeEach(() => resetRegister());

	it('deux relevés du même mois dans une exécution : le « néant » retiré est celui du titulaire, celui du sous-traitant reste, avec son employeur', async () => {
		const sample = path.join(PACKAGE_ROOT, 'workflows', 'donnees-exemple');
		const register = fs.readFileSync(path.join(sample, 'suivi-clauses.xlsx'));
		const registre = JSON.parse(fs.readFileSync(path.join(sample, 'registre-clauses.json'), 'utf8')) as Array<Parameters<typeof filledReleve>[0]>;
		const lot9 = registre.find((c) => c.marche === '2025-TRX-031' && c.lot === '9')!;
		const dupont = { participant: 'néant', employeur: 'Sous-traitant', nomEmployeur: DUPONT.nom, siretEmployeur: DUPONT.siret, heuresMois: 0 };
		// Premier relevé : un « néant » du titulaire et un du sous-traitant ; le second, complet, n'a plus que celui du sous-traitant.
		const first = await filledReleve(lot9, '2026-10', [{ participant: 'néant', heuresMois: 0 }, dupont]);
		const second = await filledReleve(lot9, '2026-10', [dupont]);
		const out = await runNode(
			{
				type: 'clauseReportIntake',
				parameters: { mode: 'apercu', source: 'classeur', sourceReleves: 'fichiers', champsReleves: 'data', champRegistre: 'registre', dateReception: '2026-11-23', signature: 'La mission clauses sociales' },
				credentials: { clausesSocialesSmtpApi: { id: 'smtp', name: 'SMTP' } },
			},
			[{ json: {}, binary: { registre: binaryItem(register, 'suivi-clauses.xlsx').binary!.data } }, binaryItem(first, 'releve-1.xlsx'), binaryItem(second, 'releve-2.xlsx')],
		);
		expect(out.run.data.resultData.error).toBeUndefined();
		expect(out.items.map((i) => (i.json.lignes as IDataObject[]).map((l) => l.statut))).toEqual([['nouvelle', 'nouvelle'], ['dejaRecue']]);
		const [classeur] = out.output('Nœud testé', 2);
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(Buffer.from(classeur.binary!.registre.data, 'base64') as unknown as ArrayBuffer);
		const sheet = wb.getWorksheet('Relevés')!;
		const header = (sheet.getRow(1).values as unknown[]).map((v) => String(v ?? ''));
		const col = (name: string) => header.indexOf(name);
		const added: unknown[][] = [];
		sheet.eachRow((row, r) => {
			if (r > 1 && row.getCell(col('N° marché')).value === '2025-TRX-031' && row.getCell(col('N° lot')).value === '9' && row.getCell(col('Version du relevé')).value === '2026-11-23 v1') {
				added.push(['Raison sociale de l’employeur', 'SIRET de l’employeur', 'Remplacée par'].map((name) => row.getCell(col(name)).value ?? null));
			}
		});
		expect(added).toEqual([
			[null, null, '2026-11-23 v2 (retrait)'],
			['Maçonnerie Dupont', '41234567800012', null],
		]);
	});
});
