/**
 * Matrice des pannes d'entrée : chaque ligne est un fichier ou un
 * enregistrement mal formé (archive tronquée ou piégée, XML incomplet, feuille
 * absente, mauvais types, valeurs absurdes, tentatives d'injection…), le
 * lecteur qui le reçoit et le fragment de l'erreur française attendue (ou
 * « ok »). Un cas de plus : une ligne de plus.
 *
 * Lecteurs : le classeur de suivi lu en flux (bilan, relance, pénalités,
 * réception), la fiche visa (lecture légère), la liste des lots et le relevé
 * d'un titulaire (exceljs, après inspection de l'archive).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

import { LightWorkbook, ZipArchive, loadWorkbook, readFicheVisaWorkbook, readReportWorkbook, readTable, streamBilanWorkbook } from '../../nodes/adapters';
import type { ReadLimits } from '../../nodes/core';
import { AnomalyError, BilanAccumulator, DEFAULT_READ_LIMITS, LOT_READER, MIO, describeLot, duplicatesOf, parseBilanSettings, readLimitsFrom, tryReadRecord } from '../../nodes/core';
import { READ_LIMIT_PROPERTIES } from '../../nodes/shared/read-limits';
import { filledWorkbook, oleContainer } from '../helpers/fiche-visa';
import { filledReleve } from '../helpers/releves';
import { workbookBuffer } from '../helpers/workbooks';

const SAMPLE = path.join(__dirname, '..', '..', 'workflows', 'donnees-exemple');

type ReaderName = 'suivi' | 'fiche' | 'lots' | 'releve';

/** Ce qu'un lecteur rend d'un fichier : « ok », ou les messages de ses anomalies. */
function outcome(error: unknown): string {
	if (error instanceof AnomalyError) return error.anomalies.map((a) => `${a.ou ?? ''} ${a.feuille ?? ''} ${a.message}`).join(' | ');
	return `ERREUR NON TRADUITE : ${error instanceof Error ? error.message : String(error)}`;
}

const READERS: Record<ReaderName, (buffer: Buffer, limits?: ReadLimits) => Promise<string>> = {
	async suivi(buffer, limits) {
		const acc = new BilanAccumulator(parseBilanSettings({ debut: '2026-01', fin: '2026-12' }), []);
		const notes: string[] = [];
		try {
			await streamBilanWorkbook(buffer, 'suivi.xlsx', acc, (e) => notes.push(outcome(e)), limits);
		} catch (error) {
			return outcome(error);
		}
		return notes.length > 0 ? notes.join(' | ') : 'ok';
	},
	async fiche(buffer, limits) {
		try {
			await readFicheVisaWorkbook(buffer, 'fiche.xlsx', limits);
			return 'ok';
		} catch (error) {
			return outcome(error);
		}
	},
	async lots(buffer, limits) {
		try {
			const rows = readTable(await loadWorkbook(buffer, 'lots.xlsx', limits), {
				fileName: 'lots.xlsx',
				sheetNames: ['Lots'],
				keys: LOT_READER.keys,
				labels: LOT_READER.labels,
				required: ['lot', 'nature', 'montantHT'],
				describe: (raw, row) => `${describeLot(raw)} (ligne ${row})`,
			});
			const errors = rows.map((row) => tryReadRecord(LOT_READER, row.raw, `ligne ${row.row}`)).flatMap((r) => (r.ok ? [] : [outcome(r.error)]));
			return errors.length > 0 ? errors.join(' | ') : 'ok';
		} catch (error) {
			return outcome(error);
		}
	},
	async releve(buffer, limits) {
		const releve = await readReportWorkbook(buffer, 'releve.xlsx', 0, limits);
		const errors = releve.anomalies.filter((a) => a.gravite === 'erreur');
		return errors.length > 0 ? errors.map((a) => `${a.ou ?? ''} ${a.message}`).join(' | ') : 'ok';
	},
};

// ——— Fichiers de départ, valides ———

const CLAUSE = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'registre-clauses.json'), 'utf8'))[0] as Record<string, unknown>;
const LINE = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'releves-2026.json'), 'utf8'))[0] as Record<string, unknown>;
const REGISTRE_HEADERS = ['marche', 'lot', 'titulaire', 'emailTitulaire', 'heuresDues', 'debutExecution', 'finExecution', 'facilitateur', 'emailFacilitateur', 'acheteur', 'emailAcheteur', 'statut', 'siret'];
const RELEVES_HEADERS = ['marche', 'lot', 'siret', 'mois', 'participant', 'heuresMois', 'heuresFormation'];

const bases: Partial<Record<ReaderName, Buffer>> = {};
async function base(reader: ReaderName): Promise<Buffer> {
	if (bases[reader]) return bases[reader];
	const built =
		reader === 'suivi'
			? fs.readFileSync(path.join(SAMPLE, 'suivi-clauses.xlsx'))
			: reader === 'lots'
				? fs.readFileSync(path.join(SAMPLE, 'lots-consultation.xlsx'))
				: reader === 'fiche'
					? await filledWorkbook()
					: await filledReleve(
							{ marche: '2025-TRX-031', lot: '4', titulaire: 'Bâtiments Moreau et Fils', siret: '88443430614252', intitule: 'Gros œuvre', facilitateur: 'PLIE', emailFacilitateur: 'clauses@plie.example.test', heuresDues: 420 },
							'2026-10',
							[{ participant: 'P01', heuresMois: 35 } as never],
						);
	bases[reader] = built;
	return built;
}

/** Classeur de suivi minimal : une clause (champs remplacés) et une ligne de relevé (champs remplacés). */
function suivi(clause: Record<string, unknown> = {}, line: Record<string, unknown> = {}, extraClauses: Array<Record<string, unknown>> = []): Promise<Buffer> {
	const c = { ...CLAUSE, ...clause };
	const l = { ...LINE, ...line };
	return workbookBuffer({
		Registre: [REGISTRE_HEADERS, REGISTRE_HEADERS.map((h) => c[h] as never), ...extraClauses.map((x) => REGISTRE_HEADERS.map((h) => ({ ...CLAUSE, ...x })[h] as never))],
		Relevés: [RELEVES_HEADERS, RELEVES_HEADERS.map((h) => l[h] as never)],
	});
}

// ——— Pièges fabriqués dans l'archive ———

/** Partie XML de la première feuille lue par le lecteur. */
async function firstSheetPart(buffer: Buffer, sheetName?: string): Promise<string> {
	const wb = await LightWorkbook.open(buffer, 'x.xlsx');
	return (sheetName ? wb.sheets.find((s) => s.name === sheetName) : wb.sheets[0])!.path;
}

const SHEET_OF: Record<ReaderName, string | undefined> = { suivi: 'Registre', fiche: 'Fiche visa', lots: 'Lots', releve: 'Relevé' };

async function mutate(reader: ReaderName, edit: (zip: ZipArchive, sheet: string) => void): Promise<Buffer> {
	const buffer = await base(reader);
	const sheet = await firstSheetPart(buffer, SHEET_OF[reader]);
	const zip = ZipArchive.read(buffer);
	edit(zip, sheet);
	return zip.toBuffer();
}

/**
 * Bombe zip : `mib` Mio d'espaces (blancs admis avant l'élément racine : seule
 * la taille peut l'arrêter) en un flux deflate d'environ 1 Kio par Mio (un bloc
 * compressé sans historique, vidé en synchronisé, répété ; puis un bloc final
 * vide), taille annoncée au choix.
 */
function bomb(mib: number): Buffer {
	const block = zlib.deflateRawSync(Buffer.alloc(MIO, 0x20), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
	return Buffer.concat([...Array<Buffer>(mib).fill(block), Buffer.from([0x03, 0x00])]);
}
let bombCache: Buffer | undefined;
const gibBomb = () => (bombCache ??= bomb(1024));

function withBomb(declared: number) {
	return (zip: ZipArchive, sheet: string) => zip.setCompressed(sheet, { raw: gibBomb(), crc: 0, size: declared });
}

function rewritePart(part: (sheet: string) => string, change: (xml: string) => string) {
	return (zip: ZipArchive, sheet: string) => {
		const name = part(sheet);
		zip.set(name, change(zip.text(name)!));
	};
}

/** Archive modifiée octet à octet (répertoire central, en-têtes). */
function patchBytes(buffer: Buffer, patch: (copy: Buffer) => void): Buffer {
	const copy = Buffer.from(buffer);
	patch(copy);
	return copy;
}
const eocdOf = (b: Buffer) => b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
const firstCentralOf = (b: Buffer) => b.readUInt32LE(eocdOf(b) + 16);

const BILLION_LAUGHS = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>';
const EXTERNAL_ENTITY = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>';

interface FileCase {
	name: string;
	readers: ReaderName[];
	build: (reader: ReaderName) => Promise<Buffer>;
	expected: string;
	limits?: Partial<ReadLimits>;
}

const ALL: ReaderName[] = ['suivi', 'fiche', 'lots', 'releve'];

const FILE_CASES: FileCase[] = [
	// Pas un classeur
	{ name: 'fichier vide', readers: ALL, build: async () => Buffer.alloc(0), expected: 'le fichier est vide' },
	{ name: 'PDF', readers: ALL, build: async () => Buffer.from('%PDF-1.7\n1 0 obj\n'), expected: 'ce n’est pas un classeur Excel (.xlsx)' },
	{ name: 'CSV renommé en .xlsx', readers: ALL, build: async () => Buffer.from('marche;lot;heuresDues\n2025-TRX-031;4;420\n'), expected: 'ce n’est pas un classeur Excel (.xlsx)' },
	{ name: 'ancien .xls (Excel 97-2003)', readers: ALL, build: async () => oleContainer({ Workbook: Buffer.alloc(4096, 1) }), expected: 'format Excel 97-2003 (.xls)' },
	{ name: 'classeur chiffré par mot de passe', readers: ALL, build: async () => oleContainer({ EncryptionInfo: Buffer.alloc(64, 1), EncryptedPackage: Buffer.alloc(4096, 2) }), expected: 'protégé par un mot de passe' },
	{
		name: 'OpenDocument (.ods)',
		readers: ['fiche', 'suivi'],
		build: async () => {
			const zip = ZipArchive.read((await workbookBuffer({ A: [[1]] })));
			for (const n of zip.names()) zip.remove(n);
			zip.set('mimetype', 'application/vnd.oasis.opendocument.spreadsheet');
			zip.set('content.xml', '<office:document-content/>');
			return zip.toBuffer();
		},
		expected: 'OpenDocument (.ods)',
	},
	// Archive abîmée
	{ name: 'archive tronquée de moitié', readers: ALL, build: async (r) => (await base(r)).subarray(0, Math.floor((await base(r)).length / 2)), expected: 'fin d’archive zip introuvable' },
	{ name: 'répertoire central abîmé', readers: ALL, build: async (r) => patchBytes(await base(r), (b) => b.writeUInt32LE(0x12345678, firstCentralOf(b))), expected: 'répertoire central de l’archive abîmé' },
	{ name: 'répertoire central incomplet (nombre de parties incohérent)', readers: ALL, build: async (r) => patchBytes(await base(r), (b) => b.writeUInt16LE(b.readUInt16LE(eocdOf(b) + 8) + 1, eocdOf(b) + 8)), expected: 'répertoire central de l’archive incomplet' },
	{ name: 'archive zip64', readers: ALL, build: async (r) => patchBytes(await base(r), (b) => b.writeUInt32LE(0xffffffff, eocdOf(b) + 16)), expected: 'zip64 non prise en charge' },
	{ name: 'partie chiffrée dans l’archive', readers: ALL, build: async (r) => patchBytes(await base(r), (b) => b.writeUInt16LE(b.readUInt16LE(firstCentralOf(b) + 8) | 1, firstCentralOf(b) + 8)), expected: 'chiffrée' },
	{
		name: 'données compressées de la feuille corrompues',
		readers: ALL,
		build: (r) => mutate(r, (zip, sheet) => zip.setCompressed(sheet, { raw: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x11]), crc: 0, size: 1000 })),
		expected: 'données compressées corrompues',
	},
	{
		name: 'données compressées de la feuille tronquées',
		readers: ALL,
		build: (r) =>
			mutate(r, (zip, sheet) => {
				const text = Buffer.from(zip.text(sheet)!);
				const raw = zlib.deflateRawSync(text);
				zip.setCompressed(sheet, { raw: raw.subarray(0, raw.length >> 1), crc: zlib.crc32(text), size: text.length });
			}),
		expected: 'données compressées incomplètes',
	},
	{
		name: 'somme de contrôle (CRC-32) fausse',
		readers: ALL,
		build: (r) =>
			mutate(r, (zip, sheet) => {
				const text = Buffer.from(zip.text(sheet)!);
				zip.setCompressed(sheet, { raw: zlib.deflateRawSync(text), crc: (zlib.crc32(text) + 1) >>> 0, size: text.length });
			}),
		expected: 'somme de contrôle décompressée différente',
	},
	// Bombes zip (1 Gio de zéros dans ~1 Mio)
	{ name: 'bombe zip de 1 Gio, taille annoncée', readers: ALL, build: (r) => mutate(r, withBomb(1024 * MIO)), expected: 'dépasse, décompressée, la limite de 256\u00a0Mo par partie' },
	{ name: 'bombe zip de 1 Gio, taille annoncée mensongère (1 Mio)', readers: ALL, build: (r) => mutate(r, withBomb(MIO)), expected: 'taille décompressée différente de celle qu’annonce l’archive' },
	{
		name: 'limite par fichier (parties chacune sous la limite par partie)',
		readers: ALL,
		build: (r) => mutate(r, (zip, sheet) => zip.setCompressed(sheet, { raw: gibBomb(), crc: 0, size: 3 * MIO })),
		limits: { partBytes: 4 * MIO, fileBytes: 2 * MIO },
		expected: 'dépasse la limite de 2\u00a0Mo par fichier',
	},
	{ name: 'limite de lignes abaissée à 3', readers: ['suivi', 'releve', 'lots'], build: base, limits: { rows: 3 }, expected: 'dépasse la limite de 3 lignes' },
	{ name: 'limite de lignes abaissée à 3 (fiche visa)', readers: ['fiche'], build: base, limits: { rows: 3 }, expected: 'dépasse la limite de 3 lignes' },
	{ name: 'limite de cellules abaissée à 10', readers: ALL, build: base, limits: { cells: 10 }, expected: 'dépasse la limite de 10 cellules' },
	// XML incomplet ou piégé dans une archive valide
	{ name: 'XML de la feuille tronqué (archive valide)', readers: ALL, build: (r) => mutate(r, rewritePart((s) => s, (x) => x.slice(0, Math.floor(x.length * 0.6)))), expected: 'incomplète : le document XML s’arrête avant sa fin' },
	{ name: 'XML du classeur tronqué', readers: ALL, build: (r) => mutate(r, rewritePart(() => 'xl/workbook.xml', (x) => x.slice(0, x.length - 30))), expected: '« xl/workbook.xml » incomplète' },
	{ name: 'XML de la feuille vide', readers: ALL, build: (r) => mutate(r, rewritePart((s) => s, () => '')), expected: 'vide' },
	{ name: 'entités en cascade (DOCTYPE) dans la feuille', readers: ALL, build: (r) => mutate(r, rewritePart((s) => s, (x) => x.replace(/^<\?xml[^>]*\?>/, BILLION_LAUGHS))), expected: 'déclaration DOCTYPE' },
	{ name: 'entité externe (XXE) dans le classeur', readers: ALL, build: (r) => mutate(r, rewritePart(() => 'xl/workbook.xml', (x) => x.replace(/^<\?xml[^>]*\?>/, EXTERNAL_ENTITY))), expected: 'déclaration DOCTYPE' },
	{ name: 'feuille déclarée dont la partie manque', readers: ['suivi', 'fiche'], build: (r) => mutate(r, (zip, sheet) => zip.remove(sheet)), expected: 'absente de l’archive' },
	{
		name: 'nom de partie avec remontée de dossiers (../)',
		readers: ['suivi', 'fiche'],
		build: (r) =>
			mutate(r, (zip, sheet) => {
				const rels = 'xl/_rels/workbook.xml.rels';
				zip.set(rels, zip.text(rels)!.replace(`Target="${sheet.replace(/^xl\//, '')}"`, 'Target="../../../../etc/passwd"').replace(`Target="/${sheet}"`, 'Target="../../../../etc/passwd"'));
			}),
		expected: 'absente',
	},
	// Feuilles absentes ou renommées
	{ name: 'classeur de suivi sans feuille « Relevés »', readers: ['suivi'], build: () => workbookBuffer({ Registre: [REGISTRE_HEADERS, REGISTRE_HEADERS.map((h) => CLAUSE[h] as never)] }), expected: 'feuille « Relevés » absente' },
	{ name: 'classeur de suivi sans feuille « Registre »', readers: ['suivi'], build: () => workbookBuffer({ Relevés: [RELEVES_HEADERS] }), expected: 'feuille « Registre » absente' },
	{ name: 'colonne « heures dues » absente', readers: ['suivi'], build: () => workbookBuffer({ Registre: [['marche', 'lot'], ['M', '1']], Relevés: [RELEVES_HEADERS] }), expected: 'colonne « heures d’insertion dues » absente' },
	{ name: 'relevé sans feuille « Relevé »', readers: ['releve'], build: () => workbookBuffer({ Feuil1: [['a'], [1]] }), expected: 'feuille « Relevé » absente' },
	{ name: 'liste de lots sans feuille reconnue (première feuille lue)', readers: ['lots'], build: () => workbookBuffer({ Autre: [['x'], [1]] }), expected: 'colonne « numéro du lot » absente' },
	{ name: 'fiche visa : feuille renommée', readers: ['fiche'], build: () => workbookBuffer({ Feuil1: [['Fiche'], [1]] }), expected: 'n’est pas une fiche visa' },
	// Valeurs des cellules
	{ name: 'heures dues : 10⁹ h', readers: ['suivi'], build: () => suivi({ heuresDues: 1e9 }), expected: 'valeur invraisemblable (1' },
	{ name: 'heures dues négatives', readers: ['suivi'], build: () => suivi({ heuresDues: -5 }), expected: 'valeur négative' },
	{ name: 'heures dues : 0 h sur une clause d’heures', readers: ['suivi'], build: () => suivi({ heuresDues: 0 }), expected: 'aucune heure d’insertion due (0' },
	{ name: 'heures dues en texte illisible', readers: ['suivi'], build: () => suivi({ heuresDues: 'beaucoup' }), expected: 'n\'est pas un nombre lisible' },
	{ name: 'heures dues « 1 234,56 »', readers: ['suivi'], build: () => suivi({ heuresDues: '1 234,56' }), expected: 'ok' },
	{ name: 'heures dues « NaN »', readers: ['suivi'], build: () => suivi({ heuresDues: 'NaN' }), expected: 'n\'est pas un nombre lisible' },
	{ name: 'heures dues : erreur de calcul #REF!', readers: ['suivi'], build: () => suivi({ heuresDues: { error: '#REF!' } }), expected: '#REF!' },
	{ name: 'heures d’une ligne de relevé : 2 000 000 h', readers: ['suivi'], build: () => suivi({}, { heuresMois: 2_000_000 }), expected: 'valeur invraisemblable (2' },
	{ name: 'heures d’une ligne de relevé : 261 h (au-delà de 60 h par semaine)', readers: ['suivi'], build: () => suivi({}, { heuresMois: 261 }), expected: 'au-delà de 260' },
	{ name: 'heures d’une ligne de relevé : 260 h', readers: ['suivi'], build: () => suivi({}, { heuresMois: 260 }), expected: 'ok' },
	{ name: 'heures de formation : 500 h', readers: ['suivi'], build: () => suivi({}, { heuresFormation: 500 }), expected: 'valeur invraisemblable' },
	{ name: 'mois impossible (2026-13)', readers: ['suivi'], build: () => suivi({}, { mois: '2026-13' }), expected: 'mois' },
	{ name: 'date française « 03/11/2025 »', readers: ['suivi'], build: () => suivi({ debutExecution: '03/11/2025' }), expected: 'ok' },
	{ name: 'date en numéro de série Excel', readers: ['suivi'], build: () => suivi({ debutExecution: 45964 }), expected: 'ok' },
	{ name: 'début d’exécution après la fin', readers: ['suivi'], build: () => suivi({ debutExecution: '2028-01-01' }), expected: 'exécution' },
	{ name: 'clause en double dans le registre', readers: ['suivi'], build: () => suivi({}, {}, [{}]), expected: 'en double : déjà présent (feuille « Registre », ligne 2)' },
	{ name: 'identifiant de marché très long (10 000 caractères)', readers: ['suivi'], build: () => suivi({ marche: 'M'.repeat(10_000) }), expected: 'texte trop long' },
	{ name: 'injection d’en-tête dans l’adresse du titulaire', readers: ['suivi'], build: () => suivi({ emailTitulaire: 'a@b.fr\r\nBcc: espion@example.test' }), expected: 'adresse' },
	{ name: 'formule Excel en texte (=HYPERLINK…) dans le titulaire : gardée comme texte', readers: ['suivi'], build: () => suivi({ titulaire: '=HYPERLINK("http://x.test","clic")' }), expected: 'ok' },
	{ name: 'balise HTML dans le titulaire : gardée comme texte', readers: ['suivi'], build: () => suivi({ titulaire: '<script>alert(1)</script>' }), expected: 'ok' },
	{ name: 'identifiant à lettre cyrillique ressemblante : clause distincte, pas un doublon', readers: ['suivi'], build: () => suivi({}, {}, [{ marche: '2025-TRX-\u041e31' }]), expected: 'ok' },
	{ name: 'cellules fusionnées sur l’en-tête du registre', readers: ['suivi'], build: () => workbookBuffer({ Registre: [REGISTRE_HEADERS, REGISTRE_HEADERS.map((h) => CLAUSE[h] as never)], Relevés: [RELEVES_HEADERS] }, (wb) => wb.getWorksheet('Relevés')!.mergeCells('A1:B1')), expected: 'colonne « lot » absente' },
];

describe('matrice des pannes d’entrée', () => {
	const rows = FILE_CASES.flatMap((c) => c.readers.map((reader) => [`${reader} — ${c.name}`, reader, c] as const));

	it('compte au moins 80 cas', () => {
		expect(rows.length + VALUE_CASES.length).toBeGreaterThanOrEqual(80);
	});

	it.each(rows)('%s', async (_label, reader, c) => {
		const limits = c.limits ? { ...DEFAULT_READ_LIMITS, ...c.limits } : undefined;
		const result = await READERS[reader](await c.build(reader), limits);
		if (c.expected === 'ok') expect(result).toBe('ok');
		else {
			expect(result).toContain(c.expected);
			expect(result).not.toContain('ERREUR NON TRADUITE');
		}
	});

	it('une bombe zip de 1 Gio reste sous 300 Mo de mémoire dans chaque lecteur, et ne laisse rien dans le dossier temporaire', async () => {
		const spooled = () => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('clauses-sociales-feuille-')).length;
		const spooledBefore = spooled();
		const before = process.memoryUsage().rss;
		let peak = before;
		const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
		try {
			for (const reader of ALL) {
				for (const declared of [1024 * MIO, 200 * MIO, MIO]) {
					const result = await READERS[reader](await mutate(reader, withBomb(declared)));
					expect(result).toMatch(/limite|taille décompressée différente/);
					peak = Math.max(peak, process.memoryUsage().rss);
				}
			}
		} finally {
			clearInterval(timer);
		}
		expect((peak - before) / MIO).toBeLessThan(300);
		expect(spooled()).toBe(spooledBefore);
	});
});

// ——— Enregistrements (éléments n8n) : types et valeurs ———

interface ValueCase {
	name: string;
	lot: Record<string, unknown>;
	expected: string;
}

const LOT = { marche: '2026-TRX-014', lot: '1', nature: 'travaux', montantHT: 504000 };

const VALUE_CASES: ValueCase[] = [
	{ name: 'lot valide', lot: {}, expected: 'ok' },
	{ name: 'montant de 8·10¹⁴ €', lot: { montantHT: 8e14 }, expected: 'valeur invraisemblable' },
	{ name: 'montant au-delà de 5 Md€', lot: { montantHT: 5_000_000_001 }, expected: 'valeur invraisemblable' },
	{ name: 'montant « 1 234,56 »', lot: { montantHT: '1 234,56' }, expected: 'ok' },
	{ name: 'montant négatif', lot: { montantHT: -1 }, expected: 'valeur négative' },
	{ name: 'montant booléen', lot: { montantHT: true }, expected: 'n\'est pas un nombre lisible' },
	{ name: 'montant tableau', lot: { montantHT: [1, 2] }, expected: 'n\'est pas un nombre lisible' },
	{ name: 'montant objet', lot: { montantHT: { valeur: 1 } }, expected: 'n\'est pas un nombre lisible' },
	{ name: 'montant absent (facultatif pour le lot, selon la méthode)', lot: { montantHT: null }, expected: 'ok' },
	{ name: 'montant « NaN »', lot: { montantHT: 'NaN' }, expected: 'n\'est pas un nombre lisible' },
	{ name: 'montant « Infinity »', lot: { montantHT: 'Infinity' }, expected: 'n\'est pas un nombre lisible' },
	{ name: 'montant 1e400', lot: { montantHT: '1e400' }, expected: 'n\'est pas un nombre lisible' },
	{ name: 'taux d’insertion « 12,5 % »', lot: { tauxInsertion: '12,5 %' }, expected: 'ok' },
	{ name: 'taux d’insertion 150 %', lot: { tauxInsertion: 150 }, expected: 'valeur trop grande' },
	{ name: 'nature inconnue', lot: { nature: 'bricolage' }, expected: 'n’est pas une nature de marché reconnue' },
	{ name: 'numéro de lot de 101 caractères', lot: { lot: 'L'.repeat(101) }, expected: 'texte trop long' },
	{ name: 'durée de 0 mois', lot: { dureeMois: 0 }, expected: 'valeur trop petite (0' },
	{ name: 'coût horaire nul', lot: { coutHoraire: 0 }, expected: 'valeur trop petite (0' },
];

describe('matrice des pannes d’entrée : enregistrements', () => {
	it.each(VALUE_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
		const result = tryReadRecord(LOT_READER, { ...LOT, ...c.lot }, 'lot 1 du marché 2026-TRX-014');
		if (c.expected === 'ok') expect(result.ok).toBe(true);
		else expect(result.ok ? 'ok' : outcome(result.error)).toContain(c.expected);
	});

	it('lots en double repérés avec la position du premier', () => {
		expect([...duplicatesOf([LOT, { ...LOT, lot: '2' }, LOT], (l) => `${l.marche}|${l.lot}`)]).toEqual([[2, 0]]);
	});

	it('limites de lecture en options : défauts du cœur, bornes refusées en français', () => {
		expect(readLimitsFrom({})).toEqual(DEFAULT_READ_LIMITS);
		expect(readLimitsFrom({ limiteTaillePartieMo: 64, limiteLignes: 1000 })).toMatchObject({ partBytes: 64 * MIO, rows: 1000 });
		expect(() => readLimitsFrom({ limiteTaillePartieMo: 0 })).toThrow('la limite doit être strictement positive');
		expect(() => readLimitsFrom({ limiteTailleFichierMo: 'beaucoup' })).toThrow('un nombre est attendu');
		// Défauts affichés par n8n (littéraux) : ceux du cœur.
		const shown = Object.fromEntries(READ_LIMIT_PROPERTIES.map((p) => [p.name, p.default]));
		expect(readLimitsFrom(shown)).toEqual(DEFAULT_READ_LIMITS);
	});
});
