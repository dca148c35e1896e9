/**
 * « Exporter les données essentielles (DECP) » et « Importer des données
 * essentielles (DECP) » : les marchés notifiés du registre au format de
 * publication 2.0, et les marchés d'un acheteur repris d'un fichier publié.
 *
 * L'import lit le fichier en entier avant toute écriture (JSON illisible : rien
 * n'est importé), garde les seuls marchés de l'acheteur, et écrit dans une
 * transaction : chaque marché est repris, inchangé (déjà au registre à
 * l'identique, aucune version) ou refusé avec son motif. Rien n'est écrasé :
 * une fiche modifiée est une nouvelle version, et la fiche « marché » d'un
 * marché déjà connu n'est que complétée.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Register } from '../adapters';
import type { DecpComplement, DecpDefaults, DecpMarche } from '../core';
import {
	AnomalyError,
	readDecpMarche,
	storedClause,
	storedFields,
	storedLot,
	DECP_PARAMETER_LABELS,
	DecpDefaultsSchema,
	DecpExportParametersSchema,
	DecpImportParametersSchema,
	buildDecpFile,
	clauseKey,
	decpBuyerOf,
	decpFromRegister,
	decpIdOf,
	decpKeyIndex,
	parseJsonParameter,
	parseSettings,
	readDecpComplements,
	readDecpFile,
	registerMarketKey,
	tryDecpFromRegister,
	tryReadDecpMarche,
	sameName,
	todayIn,
	writeState,
} from '../core';
import type { ItemResult } from './items';
import { eachItem } from './items';
import { asJsonList, collectionParameter, inputFile } from '../shared/parameters';

const value = (ctx: IExecuteFunctions, name: string, itemIndex: number, fallback: unknown = '') => ctx.getNodeParameter(name, itemIndex, fallback);

/** Les valeurs par défaut saisies (collection du nœud), au format DECP. */
function defaultsOf(raw: IDataObject): DecpDefaults {
	const list = (v: unknown) => (Array.isArray(v) && v.length > 0 ? v : undefined);
	const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
	const candidate: Record<string, unknown> = {
		nature: text(raw.nature),
		codeCPV: text(raw.codeCPV),
		procedure: text(raw.procedure),
		ccag: text(raw.ccag),
		formePrix: text(raw.formePrix),
		typeGroupementOperateurs: text(raw.typeGroupementOperateurs),
		marcheInnovant: typeof raw.marcheInnovant === 'boolean' ? raw.marcheInnovant : undefined,
		attributionAvance: typeof raw.attributionAvance === 'boolean' ? raw.attributionAvance : undefined,
		sousTraitanceDeclaree: typeof raw.sousTraitanceDeclaree === 'boolean' ? raw.sousTraitanceDeclaree : undefined,
		techniques: list(raw.technique) && { technique: raw.technique },
		modalitesExecution: list(raw.modaliteExecution) && { modaliteExecution: raw.modaliteExecution },
		typesPrix: list(raw.typePrix) && { typePrix: raw.typePrix },
		considerationsEnvironnementales: list(raw.considerationEnvironnementale) && { considerationEnvironnementale: raw.considerationEnvironnementale },
		lieuExecution: text(raw.lieuExecutionCode) !== undefined ? { code: text(raw.lieuExecutionCode), typeCode: text(raw.lieuExecutionType) ?? 'Code département' } : undefined,
	};
	for (const key of Object.keys(candidate)) if (candidate[key] === undefined) delete candidate[key];
	return parseSettings(DecpDefaultsSchema, candidate, DECP_PARAMETER_LABELS, 'valeurs par défaut des données essentielles');
}

const JSON_MIME = 'application/json';

export function exportDecp(ctx: IExecuteFunctions, register: Register): Promise<INodeExecutionData[]> {
	return eachItem(ctx, async (_item, itemIndex) => {
		const date = String(value(ctx, 'datePublication', itemIndex) ?? '').trim();
		const p = parseSettings(
			DecpExportParametersSchema,
			{
				acheteurSiret: value(ctx, 'acheteurSiret', itemIndex),
				acheteur: value(ctx, 'acheteur', itemIndex),
				notifiesDepuis: value(ctx, 'notifiesDepuis', itemIndex),
				datePublication: date === '' ? todayIn(ctx.getTimezone()) : date,
				binaryOutput: value(ctx, 'binaryOutput', itemIndex, 'data'),
			},
			DECP_PARAMETER_LABELS,
		);
		const defaults = defaultsOf(collectionParameter(ctx, 'valeursParDefaut', itemIndex));
		const complements = readDecpComplements(
			parseJsonParameter(value(ctx, 'complements', itemIndex, '[]'), 'complements', 'compléments par marché', '[{ "marche": "2026-TRX-014", "lot": "1", "codeCPV": "45210000", "offresRecues": 4 }]'),
		);
		const complementOf = new Map<string, DecpComplement>(complements.map((c) => [clauseKey({ marche: c.marche, lot: c.lot ?? 'unique' }), c]));

		const stored = new Map((await register.list('decp')).map((r) => [r.key, readDecpMarche(r.data, `fiche « decp » ${r.key} du registre des clauses`)]));
		const lots = new Map((await register.list('lot')).map((r) => [r.key, storedLot(r)]));
		const marches: DecpMarche[] = [];
		const anomalies: AnomalyError['anomalies'] = [];
		const covered = new Set<string>();
		let fromClauses = 0;
		for (const record of await register.list('clause')) {
			const clause = storedClause(record);
			// Les marchés notifiés seulement, d'un autre acheteur (données importées) exclus.
			if (clause.dateNotification === undefined) continue;
			if (p.acheteur !== undefined && !sameName(clause.acheteur, p.acheteur)) continue;
			if (p.notifiesDepuis !== undefined && clause.dateNotification < p.notifiesDepuis) continue;
			const imported = stored.get(record.key);
			if (imported && imported.acheteur.id !== p.acheteurSiret) continue;
			covered.add(record.key);
			const result = tryDecpFromRegister(
				{ marche: clause.marche, lot: clause.lot, clause, lot_: lots.get(record.key), stored: imported, complement: complementOf.get(record.key) },
				{ acheteurSiret: p.acheteurSiret, datePublication: p.datePublication, defaults },
			);
			if (!result.ok) {
				anomalies.push(...result.error.anomalies);
				continue;
			}
			marches.push(result.value);
			fromClauses++;
		}
		// Les marchés importés sans clause au registre (marchés sans clause sociale, ou pas encore notifiés au registre) : tels que publiés.
		let fromImport = 0;
		if (p.acheteur === undefined) {
			for (const [key, imported] of stored) {
				if (covered.has(key) || imported.acheteur.id !== p.acheteurSiret) continue;
				if (p.notifiesDepuis !== undefined && imported.dateNotification < p.notifiesDepuis) continue;
				const complement = complementOf.get(key);
				marches.push(complement ? decpFromRegister({ marche: imported.id, lot: 'unique', stored: imported, complement }, { acheteurSiret: p.acheteurSiret, datePublication: p.datePublication, defaults }) : imported);
				fromImport++;
			}
		}
		if (anomalies.length > 0) throw new AnomalyError(anomalies);
		if (marches.length === 0) {
			throw new AnomalyError([
				{
					gravite: 'erreur',
					champ: 'acheteurSiret',
					libelle: DECP_PARAMETER_LABELS.acheteurSiret,
					ou: 'paramètres du nœud',
					message: `aucun marché notifié au registre pour l\u2019acheteur ${p.acheteurSiret}${p.acheteur ? ` (service « ${p.acheteur} »)` : ''}${p.notifiesDepuis ? ` depuis le ${p.notifiesDepuis}` : ''}`,
					correction: 'Enregistrez d\u2019abord les notifications des marchés, ou importez les données essentielles de l\u2019acheteur ; vérifiez le SIRET et les filtres.',
					regle: 'decp.exportVide',
				},
			]);
		}
		const file = buildDecpFile(marches);
		const fileName = `decp-${p.acheteurSiret}-${p.datePublication}.json`;
		const buffer = Buffer.from(`${JSON.stringify(file, null, 2)}\n`, 'utf8');
		const out: ItemResult[] = [
			{
				json: { fichier: fileName, acheteur: p.acheteurSiret, datePublication: p.datePublication, marches: file.marches.marche.length, depuisLeRegistre: fromClauses, importesSansClause: fromImport },
				binary: { [p.binaryOutput]: await ctx.helpers.prepareBinaryData(buffer, fileName, JSON_MIME) },
			},
		];
		return out;
	});
}

export function importDecp(ctx: IExecuteFunctions, register: Register): Promise<INodeExecutionData[]> {
	return eachItem(ctx, async (item, itemIndex) => {
		const p = parseSettings(
			DecpImportParametersSchema,
			{ acheteurSiret: value(ctx, 'acheteurSiret', itemIndex), binaryPropertyName: value(ctx, 'binaryPropertyName', itemIndex, 'data') },
			DECP_PARAMETER_LABELS,
		);
		const binary = inputFile(ctx, item, itemIndex, p.binaryPropertyName, 'le fichier JSON des données essentielles', '« Read/Write Files from Disk » ou « HTTP Request »');
		const fileName = binary.fileName ?? `élément ${itemIndex + 1}`;
		const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, p.binaryPropertyName);
		const read = readDecpFile(buffer.toString('utf8'), fileName);
		const source = `données essentielles « ${fileName} »`;
		const lines: IDataObject[] = [];
		let autresAcheteurs = 0;
		const counts = { repris: 0, inchanges: 0, refuses: 0 };
		const known = [...(await register.list('lot')).map((r) => storedLot(r)), ...(await register.list('clause')).map((r) => storedClause(r))];
		const keyOf = decpKeyIndex(known.map((k) => ({ marche: k.marche, lot: k.lot })));
		await register.transaction(async (tx) => {
			const seen = new Map<string, number>();
			for (const { rang, raw } of read.marches) {
				if (decpBuyerOf(raw) !== p.acheteurSiret) {
					autresAcheteurs++;
					continue;
				}
				const id = decpIdOf(raw);
				const where = `marché n° ${rang} du fichier${id ? ` (identifiant ${id})` : ''}`;
				const read = tryReadDecpMarche(raw, where);
				if (!read.ok) {
					counts.refuses++;
					lines.push({ resultat: 'refusé', rang, id: id ?? null, motif: read.error.message, anomalies: asJsonList(read.error.anomalies) });
					continue;
				}
				const marche = read.value;
				const previous = seen.get(marche.id);
				if (previous !== undefined) {
					counts.refuses++;
					lines.push({ resultat: 'refusé', rang, id: marche.id, motif: `${where} : identifiant déjà vu au marché n° ${previous} du fichier ; une seule fiche par marché (les modifications vont dans « modifications »)` });
					continue;
				}
				seen.set(marche.id, rang);
				const target = keyOf(marche.id);
				const result = await tx.put('decp', target.key, marche, source);
				if (!target.linked) {
					// Marché inconnu du registre : sa fiche « marché » est créée ou complétée, jamais écrasée.
					const mKey = registerMarketKey(target.marche);
					const current = storedFields(await tx.get('marche', mKey));
					const initial: Record<string, unknown> = { marche: target.marche, objet: marche.objet, montantHT: marche.montant, dateNotification: marche.dateNotification, lots: ['unique'] };
					await tx.put('marche', mKey, { ...initial, ...(current ?? {}) }, source);
				}
				const state = writeState(result);
				if (state === 'inchangé') counts.inchanges++;
				else counts.repris++;
				lines.push({ resultat: state === 'inchangé' ? 'inchangé' : 'repris', rang, id: marche.id, cle: target.key, marcheAuRegistre: target.marche, lot: target.lot, rattacheAUnLotConnu: target.linked, version: result.version, etat: state });
			}
		});
		const out: ItemResult[] = [
			{ json: { resultat: 'synthèse', fichier: fileName, acheteur: p.acheteurSiret, marches: counts, autresAcheteurs, contratsConcessionIgnores: read.concessions } },
			...lines.map((json) => ({ json: { fichier: fileName, ...json } })),
		];
		return out;
	});
}
