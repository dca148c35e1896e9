/**
 * Le formulaire Excel de la fiche visa : construction à partir du schéma,
 * lecture (noms définis, lots), entrées fautives, copie annotée relue.
 */
import crypto from 'node:crypto';
import ExcelJS from 'exceljs';

import { FICHE_VISA_TEMPLATE, annotateFicheVisa, annotatedFileName, buildFicheVisaForm, ficheDefinedName, readFicheVisaWorkbook } from '../../nodes/adapters';
import type { RawFiche } from '../../nodes/core';
import { AnomalyError, FICHE_FIELDS, FICHE_LOT_FIELDS, checkFiche, parseVisaSettings } from '../../nodes/core';
import { filledWorkbook, validFiche } from '../helpers/fiche-visa';
import { readWorkbook, workbookBuffer } from '../helpers/workbooks';

const settings = parseVisaSettings({});
const T = FICHE_VISA_TEMPLATE;

async function mutate(buffer: Buffer, change: (wb: ExcelJS.Workbook) => void | Promise<void>): Promise<Buffer> {
	const wb = await readWorkbook(buffer);
	await change(wb);
	return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

async function fileErrorOf(buffer: Buffer, fileName = 'fiche.xlsx'): Promise<{ regle?: string; message: string; correction: string }> {
	try {
		await readFicheVisaWorkbook(buffer, fileName);
	} catch (error) {
		expect(error).toBeInstanceOf(AnomalyError);
		return (error as AnomalyError).anomalies[0];
	}
	throw new Error('aucune erreur levée');
}

async function check(buffer: Buffer) {
	const raw: RawFiche = await readFicheVisaWorkbook(buffer, 'fiche.xlsx');
	return checkFiche(raw, settings);
}

describe('formulaire Excel de la fiche visa', () => {
	let blank: Buffer;
	let filled: Buffer;
	beforeAll(async () => {
		blank = await buildFicheVisaForm({ date: '2026-11-02' });
		filled = await filledWorkbook();
	});

	it('est déduit du schéma : une cellule nommée par champ, libellés protégés, listes, dates et montants contrôlés', async () => {
		const wb = await readWorkbook(blank);
		expect(wb.worksheets.map((ws) => ws.name)).toEqual(['Fiche visa', 'Lots', 'Listes', 'Instructions']);
		const ws = wb.getWorksheet('Fiche visa')!;
		expect(ws.getCell('B2').value).toBe(T.version);
		for (const f of FICHE_FIELDS) {
			const address = T.fieldCells[f.champ];
			expect(wb.definedNames.getRanges(ficheDefinedName(f.champ)).ranges).toEqual([`'Fiche visa'!$B$${address.slice(1)}`]);
			expect(ws.getCell(`A${address.slice(1)}`).value).toBe(f.obligatoire ? `${f.libelle} *` : f.libelle);
			expect(ws.getCell(address).protection).toMatchObject({ locked: false });
		}
		expect(ws.getCell('A6').protection?.locked).not.toBe(false);
		expect((ws as unknown as { sheetProtection: { sheet: boolean } }).sheetProtection.sheet).toBe(true);
		expect(ws.getCell(T.fieldCells.nature).dataValidation).toMatchObject({ type: 'list', formulae: ["'Listes'!$A$2:$A$7"] });
		expect(ws.getCell(T.fieldCells.dateLancement).dataValidation).toMatchObject({ type: 'date' });
		expect(ws.getCell(T.fieldCells.dateLancement).numFmt).toBe('dd/mm/yyyy');
		expect(ws.getCell(T.fieldCells.montantEstimeHT).numFmt).toBe('#,##0.00 "€"');
		const lists = wb.getWorksheet('Listes')!;
		expect(lists.getCell('A2').value).toBe('Travaux');
		const lots = wb.getWorksheet('Lots')!;
		expect(FICHE_LOT_FIELDS.map((_f, i) => lots.getCell(3, i + 1).value)).toEqual(FICHE_LOT_FIELDS.map((f) => (f.obligatoire ? `${f.libelle} *` : f.libelle)));
		expect(lots.getCell('D4').dataValidation).toMatchObject({ type: 'list' });
		expect(lots.getCell('C43').numFmt).toBe('#,##0.00 "€"');
	});

	it('écrit des contrôles de saisie qui ne se chevauchent pas (Excel refuserait le fichier)', async () => {
		const JSZip = (await import('jszip')).default;
		for (const buffer of [blank, await annotateFicheVisa(filled, 'f.xlsx', { decision: 'VISÉ', resume: 'ok', anomalies: [], date: '2026-11-23' })]) {
			const zip = await JSZip.loadAsync(buffer);
			const xml = await zip.file('xl/worksheets/sheet2.xml')!.async('string');
			const refs = [...xml.matchAll(/<dataValidation [^>]*sqref="([^"]+)"/g)].map((m) => m[1]);
			expect(refs).toEqual(['A4:A43', 'B4:B43', 'C4:C43', 'D4:D43', 'E4:E43', 'F4:F43', 'G4:G43', 'H4:H43']);
		}
	});

	it('un formulaire vierge est à compléter, chaque champ obligatoire situé dans sa cellule', async () => {
		const r = await check(blank);
		expect(r.decision).toBe('À COMPLÉTER');
		const objet = r.anomalies.find((a) => a.champ === 'objet')!;
		expect(objet).toMatchObject({ regle: 'visa.champManquant', feuille: 'Fiche visa', cellule: 'B7' });
		expect(r.anomalies.map((a) => a.regle)).toContain('lots.aucun');
		expect(r.anomalies.filter((a) => a.regle === 'visa.champManquant')).toHaveLength(FICHE_FIELDS.filter((f) => f.obligatoire).length);
	});

	it('lit une fiche remplie : VISÉ, valeurs converties', async () => {
		const r = await check(filled);
		expect(r.anomalies).toEqual([]);
		expect(r.decision).toBe('VISÉ');
		expect(r.fiche).toMatchObject({ reference: '2026-TRX-014', montantEstimeHT: 962000, dateLancement: '2026-12-01', nature: 'travaux', alloti: true });
		expect(r.fiche.lots.map((l) => [l.ligne, l.numero, l.montantHT, l.heures])).toEqual([
			[4, '1', 504000, 420],
			[5, '2', 420000, 280],
			[6, '8', 38000, undefined],
		]);
	});

	it('situe les anomalies des lots dans leur cellule (feuille « Lots »)', async () => {
		const json = validFiche();
		(json.lots as Array<Record<string, unknown>>)[1].heures = undefined;
		(json.lots as Array<Record<string, unknown>>)[1].montantHT = '420 000,00 € environ';
		const r = await check(await filledWorkbook(json));
		expect(r.anomalies.map((a) => [a.regle, a.feuille, a.cellule, a.ou])).toEqual([
			['visa.valeurIllisible', 'Lots', 'C5', 'lot 2 (feuille «\u00a0Lots\u00a0», ligne 5)'],
			['clause.sansHeures', 'Lots', 'F5', 'lot 2 (feuille «\u00a0Lots\u00a0», ligne 5)'],
		]);
	});

	it('accepte les montants en texte « 1 234,50 € », les dates en texte et en numéro de série', async () => {
		const buffer = await mutate(filled, (wb) => {
			const ws = wb.getWorksheet('Fiche visa')!;
			ws.getCell(T.fieldCells.montantEstimeHT).value = '962 000,00 €';
			ws.getCell(T.fieldCells.dateLancement).value = '01/12/2026';
			ws.getCell(T.fieldCells.dateEtude).value = 46310;
			wb.getWorksheet('Lots')!.getCell('C4').value = '504\u00a0000,00 €';
		});
		const r = await check(buffer);
		expect(r.decision).toBe('VISÉ');
		expect(r.fiche).toMatchObject({ montantEstimeHT: 962000, dateLancement: '2026-12-01', dateEtude: '2026-10-15' });
	});

	it('formules : le résultat enregistré est retenu (observation) ; sans résultat, la cellule est à reprendre', async () => {
		const buffer = await mutate(filled, (wb) => {
			const ws = wb.getWorksheet('Fiche visa')!;
			ws.getCell(T.fieldCells.montantEstimeHT).value = { formula: 'SUM(Lots!C4:C43)', result: 962000 } as ExcelJS.CellFormulaValue;
			ws.getCell(T.fieldCells.dureeMois).value = { formula: '12+8' } as ExcelJS.CellFormulaValue;
		});
		const r = await check(buffer);
		expect(r.fiche.montantEstimeHT).toBe(962000);
		const byRule = Object.fromEntries(r.anomalies.map((a) => [a.regle, a]));
		expect(byRule['visa.formule']).toMatchObject({ effet: 'observation', cellule: 'B15' });
		expect(byRule['visa.cellule']).toMatchObject({ effet: 'À COMPLÉTER', cellule: 'B18', message: 'formule sans résultat enregistré' });
	});

	it('cellules fusionnées : la saisie recouverte est signalée à sa place', async () => {
		const buffer = await mutate(filled, (wb) => {
			const ws = wb.getWorksheet('Fiche visa')!;
			ws.unprotect();
			ws.mergeCells('A7:B7');
		});
		const r = await check(buffer);
		const merged = r.anomalies.find((a) => a.regle === 'visa.cellule')!;
		expect(merged).toMatchObject({ champ: 'objet', cellule: 'B7', message: 'la cellule de saisie est fusionnée avec A7:B7' });
		expect(r.decision).toBe('À COMPLÉTER');
	});

	it('feuilles en trop : signalées et ignorées ; feuille renommée : erreur qui dit laquelle', async () => {
		const extra = await mutate(filled, (wb) => {
			wb.addWorksheet('Notes du service').getCell('A1').value = 'brouillon';
		});
		const r = await check(extra);
		expect(r.decision).toBe('VISÉ');
		expect(r.anomalies.map((a) => [a.regle, a.message])).toEqual([['visa.feuilleEnTrop', 'feuille « Notes du service » ajoutée au modèle : elle n’est pas lue']]);

		const renamed = await mutate(filled, (wb) => {
			wb.getWorksheet('Lots')!.name = 'Lots (v2)';
		});
		const error = await fileErrorOf(renamed);
		expect(error.regle).toBe('fiche.feuilleManquante');
		expect(error.message).toBe('feuille « Lots » introuvable (feuilles du classeur : « Fiche visa », « Lots (v2) », « Listes », « Instructions »)');
	});

	it('ancienne version du formulaire, ou classeur qui n’est pas une fiche : erreur claire', async () => {
		const old = await mutate(filled, (wb) => {
			wb.getWorksheet('Fiche visa')!.getCell('B2').value = '2025.2';
		});
		const error = await fileErrorOf(old);
		expect(error).toMatchObject({ regle: 'fiche.version', message: `fiche visa de la version «\u00a02025.2\u00a0» du formulaire, alors que la version en vigueur est ${T.version}` });
		expect(error.correction).toContain('formulaire vierge');

		const other = await workbookBuffer({ Lots: [['N° lot', 'Montant HT'], ['1', 1000]] });
		expect((await fileErrorOf(other, 'lots.xlsx')).regle).toBe('fiche.pasUneFiche');
	});

	it('pas un xlsx, protégé par mot de passe, abîmé, OpenDocument : une erreur française par cas', async () => {
		expect(await fileErrorOf(Buffer.from('%PDF-1.7 fiche'), 'fiche.pdf')).toMatchObject({ regle: 'fichier.pasXlsx' });
		const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]);
		expect(await fileErrorOf(ole)).toMatchObject({ regle: 'fichier.protegeOuXls' });
		expect(await fileErrorOf(filled.subarray(0, 2000))).toMatchObject({ regle: 'fichier.abime' });
		const JSZip = (await import('jszip')).default;
		const ods = new JSZip();
		ods.file('mimetype', 'application/vnd.oasis.opendocument.spreadsheet');
		ods.file('content.xml', '<office:document-content/>');
		const odsError = await fileErrorOf(await ods.generateAsync({ type: 'nodebuffer' }), 'fiche.ods');
		expect(odsError).toMatchObject({ regle: 'fichier.pasXlsx', message: 'c’est un fichier OpenDocument (.ods), pas un classeur Excel (.xlsx)' });
	});

	it('copie annotée : cellules colorées et commentées, décision, feuille « Anomalies » ; l’original intact', async () => {
		const json = validFiche();
		Object.assign(json, { procedure: 'gré à gré', ccapPublics: 'non' });
		const buffer = await filledWorkbook(json);
		const before = crypto.createHash('sha256').update(buffer).digest('hex');
		const result = await check(buffer);
		expect(result.decision).toBe('REFUSÉ');
		const annotated = await annotateFicheVisa(buffer, 'fiche 2026-TRX-014.xlsx', { ...result, date: '2026-11-23' });
		expect(crypto.createHash('sha256').update(buffer).digest('hex')).toBe(before);
		expect(annotatedFileName('fiche 2026-TRX-014.xlsx')).toBe('fiche 2026-TRX-014 (annotée).xlsx');

		const wb = await readWorkbook(annotated);
		const ws = wb.getWorksheet('Fiche visa')!;
		const procedure = ws.getCell(T.fieldCells.procedure);
		expect((procedure.fill as ExcelJS.FillPattern).fgColor?.argb).toBe('FFF4A6A6');
		const note = procedure.note as string | ExcelJS.Comment;
		expect(typeof note === 'string' ? note : note.texts?.map((t) => t.text).join('')).toContain('[REFUSÉ] procédure envisagée : marché sans publicité ni mise en concurrence pour 962\u00a0000,00\u00a0€ HT');
		expect((ws.getCell(T.fieldCells.ccapPublics).fill as ExcelJS.FillPattern).fgColor?.argb).toBe('FFFFC97A');
		expect(ws.getCell(T.decisionCell).value).toBe('REFUSÉ');
		expect(String(ws.getCell(T.controleCell).value)).toBe(`Contrôle automatique du 23/11/2026 : ${result.resume}`);
		// Les saisies restent celles du service.
		expect(ws.getCell(T.fieldCells.reference).value).toBe('2026-TRX-014');
		const list = wb.getWorksheet('Anomalies')!;
		expect(list.getCell('A1').value).toBe('Contrôle de la fiche visa : REFUSÉ');
		expect(list.getRow(4).values).toEqual([undefined, 'Effet', 'Champ', 'Où', 'Feuille', 'Cellule', 'Problème', 'Que faire', 'Règle', 'Fondement']);
		expect([list.getCell('A5').value, list.getCell('H5').value]).toEqual(['REFUSÉ', 'procedure.sansPublicite']);
		expect(list.getCell('E5').value).toEqual({ text: 'B19', hyperlink: "#'Fiche visa'!B19" });
		expect(list.rowCount).toBe(4 + result.anomalies.length);

		// Une copie annotée renvoyée telle quelle se relit (la feuille « Anomalies » est connue du modèle).
		const again = await check(annotated);
		expect(again.decision).toBe('REFUSÉ');
		expect(again.anomalies.map((a) => a.regle)).toEqual(result.anomalies.map((a) => a.regle));
		await expect(annotateFicheVisa(annotated, 'fiche 2026-TRX-014 (annotée).xlsx', { ...again, date: '2026-11-24' })).resolves.toBeInstanceOf(Buffer);
	});
});
