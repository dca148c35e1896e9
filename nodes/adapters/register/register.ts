/**
 * Le registre des clauses : la source de vérité des marchés, lots, clauses,
 * relevés, envois et étapes de pénalité. Rien n'y est jamais écrasé : une
 * modification est une nouvelle version (l'ancienne reste), une clause retirée
 * est archivée, et chaque changement laisse une trace dans l'historique.
 */
import type { Database, Queryable, SqlValue } from './database';
import type { Migration } from './migrations';
import { migrate } from './migrations';

/** Nature d'une fiche du registre. */
export type RecordKind = 'marche' | 'lot' | 'clause' | 'facilitateur' | 'penalite' | 'recouvrement' | 'engagement' | 'decp' | 'mutualisation' | 'intervenants';

export interface StoredRecord {
	kind: RecordKind;
	key: string;
	version: number;
	archived: boolean;
	data: unknown;
	recordedAt: string;
	source?: string;
}

export interface PutResult {
	version: number;
	/** `false` : la version en vigueur avait déjà exactement ces données (rien d'écrit). */
	changed: boolean;
}

export interface ReportLineInput {
	hours: number;
	trainingHours?: number;
	data: unknown;
}

export interface MonthHours {
	clauseKey: string;
	month: string;
	hours: number;
	version: number;
}

export type MessageStatus = 'en cours' | 'envoyé' | 'échec';

export interface MessageRow {
	key: string;
	status: MessageStatus;
	messageId?: string;
	attempts: number;
	sentAt?: string;
	response?: string;
	code?: string;
	error?: string;
}

/** Issue d'une réservation d'envoi. */
export type Claim =
	| { claimed: true; /** reprise d'un envoi resté « en cours » (processus arrêté) : le message a pu partir. */ uncertain: boolean; attempts: number }
	| { claimed: false; existing: MessageRow; /** une autre exécution envoie ce message en ce moment */ busy: boolean };

export interface ClaimOptions {
	kind?: string;
	leaseMs: number;
	recipients?: string[];
}

export interface SentResult {
	messageId?: string;
	response?: string;
	accepted?: string[];
}

/**
 * Issue d'un envoi réservé, à consigner : parti (« envoyé », avec la réponse du
 * serveur), refus définitif (« échec », avec son motif), ou refus temporaire
 * (« libéré » : la réservation est supprimée, la prochaine exécution renverra).
 */
export type Settlement =
	| ({ key: string; result: 'envoyé' } & SentResult)
	| { key: string; result: 'échec'; code: string; error: string; messageId?: string }
	| { key: string; result: 'libéré' };

export interface RegisterContext {
	/** Identifiant de l'exécution n8n, gardé dans l'historique et sur les envois. */
	execution?: string;
	now?: () => Date;
}

interface RecordRow {
	kind: RecordKind;
	key: string;
	version: number | string;
	archived: number | string;
	data: string;
	recorded_at: string;
	source: string | null;
}

interface MessageDbRow {
	key: string;
	status: MessageStatus;
	message_id: string | null;
	lease_until: number | string | null;
	attempts: number | string;
	sent_at: string | null;
	response: string | null;
	code: string | null;
	error: string | null;
}

function toRecord(row: RecordRow): StoredRecord {
	return {
		kind: row.kind,
		key: row.key,
		version: Number(row.version),
		archived: Number(row.archived) === 1,
		data: JSON.parse(row.data),
		recordedAt: row.recorded_at,
		...(row.source ? { source: row.source } : {}),
	};
}

function toMessage(row: MessageDbRow): MessageRow {
	return {
		key: row.key,
		status: row.status,
		attempts: Number(row.attempts),
		...(row.message_id ? { messageId: row.message_id } : {}),
		...(row.sent_at ? { sentAt: row.sent_at } : {}),
		...(row.response ? { response: row.response } : {}),
		...(row.code ? { code: row.code } : {}),
		...(row.error ? { error: row.error } : {}),
	};
}

/** JSON stable par une fonction de remplacement qui recopie chaque objet, clés triées (cas général, voir stableJson). */
function replacerStableJson(value: unknown): string {
	return JSON.stringify(value, (_k, v: unknown) => {
		if (v && typeof v === 'object' && !Array.isArray(v)) {
			return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
		}
		return v;
	});
}

/** Hors du cas simple de sortedForJson : le texte se fait par replacerStableJson. */
const NOT_PLAIN = Symbol('hors du cas simple');
/** Clé qu'un objet JavaScript énumère avant les autres, en ordre croissant (indice de tableau). */
const INDEX_KEY = /^(?:0|[1-9]\d*)$/;

/** Ordre d'écriture des clés d'un objet (indices dans Object.keys), `null` s'il est déjà le bon. */
function keyOrder(keys: string[]): number[] | null {
	// Les clés d'indice viennent d'abord, croissantes, dans tout objet (et dans sa copie) : seules les autres sont à trier.
	let first = 0;
	while (first < keys.length && INDEX_KEY.test(keys[first]) && Number(keys[first]) < 4294967295) first++;
	let sorted = true;
	for (let i = first + 1; i < keys.length && sorted; i++) sorted = keys[i - 1] < keys[i];
	if (sorted) return null;
	const order = keys.map((_, i) => i);
	const tail = order.slice(first).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0));
	order.splice(first, tail.length, ...tail);
	return order;
}

/**
 * Dernières clés vues et leur ordre : les lignes d'un même relevé ont toutes les mêmes clés,
 * triées une fois. Propre à chaque écriture (table d'attente d'un import), jamais au module :
 * un processus de n8n exécute plusieurs workflows à la fois.
 */
export interface KeyOrderCache {
	keys: string[];
	order: number[] | null;
}

/**
 * La valeur, avec chaque objet aux clés triées (recopié seulement s'il ne l'est
 * pas déjà), prête pour JSON.stringify sans fonction de remplacement ; NOT_PLAIN
 * si elle porte autre chose que des valeurs simples, des tableaux et des objets
 * ordinaires (toJSON, Date, classe, clé « __proto__ »).
 */
function sortedForJson(v: unknown, cache: KeyOrderCache): unknown {
	if (v === null || typeof v !== 'object') return v;
	if (Array.isArray(v)) {
		let out: unknown[] | undefined;
		for (let i = 0; i < v.length; i++) {
			const item = sortedForJson(v[i], cache);
			if (item === NOT_PLAIN) return NOT_PLAIN;
			if (item !== v[i]) (out ??= v.slice())[i] = item;
		}
		return out ?? v;
	}
	const proto = Object.getPrototypeOf(v) as unknown;
	if ((proto !== Object.prototype && proto !== null) || 'toJSON' in v) return NOT_PLAIN;
	const record = v as Record<string, unknown>;
	const keys = Object.keys(record);
	let order: number[] | null;
	if (keys.length === cache.keys.length && keys.every((key, i) => key === cache.keys[i])) order = cache.order;
	else {
		if (keys.includes('__proto__')) return NOT_PLAIN;
		order = keyOrder(keys);
		cache.keys = keys;
		cache.order = order;
	}
	let changed = order !== null;
	const values: unknown[] = new Array(keys.length);
	for (let i = 0; i < keys.length; i++) {
		const value = record[keys[i]];
		const item = sortedForJson(value, cache);
		if (item === NOT_PLAIN) return NOT_PLAIN;
		if (item !== value) changed = true;
		values[i] = item;
	}
	if (!changed) return v;
	const out: Record<string, unknown> = {};
	if (order === null) for (let i = 0; i < keys.length; i++) out[keys[i]] = values[i];
	else for (const i of order) out[keys[i]] = values[i];
	return out;
}

/**
 * JSON stable (clés triées) : deux saisies identiques donnent le même texte, donc pas de nouvelle version.
 * Même texte que replacerStableJson (test/register/stable-json.test.ts, valeurs tirées au hasard),
 * mais, pour les valeurs simples (une ligne de relevé), par JSON.stringify sans fonction de
 * remplacement, que V8 écrit bien plus vite. Mesure (bench/ecriture-registre.mjs, 150 000 lignes de
 * relevé) : voir l'en-tête de ce banc et bench/RESULTATS-releves-bilan.md.
 */
export function stableJson(value: unknown, cache: KeyOrderCache = { keys: [], order: null }): string {
	const sorted = sortedForJson(value, cache);
	return sorted === NOT_PLAIN ? replacerStableJson(value) : JSON.stringify(sorted);
}

/** Clés par requête de lecture groupée (bien sous les limites de paramètres de SQLite et de PostgreSQL). */
const KEYS_PER_QUERY = 500;
/** Lignes par INSERT de plusieurs lignes (10 valeurs chacune : 10 000 paramètres au plus). */
const ROWS_PER_INSERT = 1000;
/** Clauses dont les relevés en vigueur sont relus ensemble pour les comparer à ceux d'un import. */
const COMPARED_CLAUSES_PER_QUERY = 100;

/** Marques de paramètres d'une requête : « ?, ?, ? » pour trois valeurs. */
function placeholders(count: number): string {
	return Array.from({ length: count }, () => '?').join(', ');
}

/** Une liste par paquets d'au plus `size` éléments (requêtes groupées), avec les marques de paramètres de chaque paquet. */
function* batches<T>(list: readonly T[], size: number): Generator<{ chunk: T[]; marks: string }> {
	for (let i = 0; i < list.length; i += size) {
		const chunk = list.slice(i, i + size);
		yield { chunk, marks: placeholders(chunk.length) };
	}
}

/** INSERT de plusieurs lignes à la fois, par paquets de ROWS_PER_INSERT. `table` : nom et colonnes. */
async function insertMany(tx: Queryable, table: string, rows: SqlValue[][]): Promise<void> {
	for (const { chunk } of batches(rows, ROWS_PER_INSERT)) {
		const values = chunk.map((row) => `(${placeholders(row.length)})`).join(', ');
		await tx.run(`INSERT INTO ${table} VALUES ${values}`, chunk.flat());
	}
}

/** Clauses lues par requête quand les lignes de relevé passent une à une (bilan) : environ 12 000 lignes par requête pour 60 mois. */
const REPORT_LINE_CLAUSES_PER_QUERY = 200;

export class Register {
	private constructor(
		readonly db: Database,
		private readonly context: RegisterContext,
	) {}

	/** Ouvre le registre et met son schéma à jour (`migrations` : la liste du paquet, sauf essai d'une version future). */
	static async open(db: Database, context: RegisterContext = {}, schema?: string, migrations?: readonly Migration[]): Promise<Register> {
		try {
			await migrate(db, schema, migrations);
		} catch (error) {
			await db.close().catch(() => undefined);
			throw error;
		}
		return new Register(db, context);
	}

	get dialect() {
		return this.db.dialect;
	}

	private now(): Date {
		return this.context.now?.() ?? new Date();
	}

	private stamp(): string {
		return this.now().toISOString();
	}

	async close(): Promise<void> {
		await this.db.close();
	}

	private async log(tx: Queryable, kind: string, key: string, action: string, detail?: unknown): Promise<void> {
		await tx.run('INSERT INTO history (at, kind, key, action, detail, execution) VALUES (?, ?, ?, ?, ?, ?)', [
			this.stamp(),
			kind,
			key,
			action,
			detail === undefined ? null : JSON.stringify(detail),
			this.context.execution ?? null,
		]);
	}

	/** Exécute plusieurs écritures d'un bloc : tout ou rien. */
	async transaction<T>(fn: (tx: RegisterTx) => Promise<T>): Promise<T> {
		return this.db.transaction((q) => fn(new RegisterTx(this, q)));
	}

	// --- Fiches versionnées -------------------------------------------------

	async put(kind: RecordKind, key: string, data: unknown, source?: string): Promise<PutResult> {
		return this.transaction((tx) => tx.put(kind, key, data, source));
	}

	/** @internal */
	async putIn(tx: Queryable, kind: RecordKind, key: string, data: unknown, source: string | undefined, archived = false): Promise<PutResult> {
		const json = stableJson(data);
		const rows = await tx.query<RecordRow>('SELECT * FROM records WHERE kind = ? AND key = ? AND current = 1', [kind, key]);
		const current = rows[0];
		if (current && current.data === json && Number(current.archived) === (archived ? 1 : 0)) return { version: Number(current.version), changed: false };
		const version = current ? Number(current.version) + 1 : 1;
		if (current) await tx.run('UPDATE records SET current = 0 WHERE kind = ? AND key = ? AND current = 1', [kind, key]);
		await tx.run('INSERT INTO records (kind, key, version, current, archived, data, recorded_at, source) VALUES (?, ?, ?, 1, ?, ?, ?, ?)', [
			kind,
			key,
			version,
			archived ? 1 : 0,
			json,
			this.stamp(),
			source ?? null,
		]);
		await this.log(tx, kind, key, archived ? 'archivage' : current ? 'modification' : 'création', { version, source });
		return { version, changed: true };
	}

	async get(kind: RecordKind, key: string): Promise<StoredRecord | undefined> {
		const rows = await this.db.query<RecordRow>('SELECT * FROM records WHERE kind = ? AND key = ? AND current = 1', [kind, key]);
		return rows[0] ? toRecord(rows[0]) : undefined;
	}

	/** Fiches en vigueur d'une nature (sans les archivées, sauf demande). */
	async list(kind: RecordKind, options: { includeArchived?: boolean } = {}): Promise<StoredRecord[]> {
		const rows = await this.db.query<RecordRow>(`SELECT * FROM records WHERE kind = ? AND current = 1${options.includeArchived ? '' : ' AND archived = 0'} ORDER BY key`, [kind]);
		return rows.map(toRecord);
	}

	/**
	 * Les mêmes fiches que `list`, dans le même ordre, passées une à une et lues par
	 * paquets de `perQuery` (pagination par la clé) : les lignes lues ne sont jamais
	 * toutes en mémoire à la fois (relance : 5 000 clauses lues d'un coup faisaient
	 * croître le tas de Node bien au-delà de ce qui en était gardé).
	 */
	async forEachRecord(kind: RecordKind, fn: (record: StoredRecord) => void, options: { includeArchived?: boolean; perQuery?: number } = {}): Promise<void> {
		const per = Math.max(1, Math.floor(options.perQuery ?? KEYS_PER_QUERY));
		const archived = options.includeArchived ? '' : ' AND archived = 0';
		let after: string | undefined;
		for (;;) {
			const rows = await this.db.query<RecordRow>(
				`SELECT * FROM records WHERE kind = ? AND current = 1${archived}${after === undefined ? '' : ' AND key > ?'} ORDER BY key LIMIT ${per}`,
				after === undefined ? [kind] : [kind, after],
			);
			for (const row of rows) fn(toRecord(row));
			if (rows.length < per) return;
			after = rows[rows.length - 1].key;
		}
	}

	/** Toutes les versions d'une fiche, de la plus ancienne à la plus récente. */
	async versions(kind: RecordKind, key: string): Promise<StoredRecord[]> {
		const rows = await this.db.query<RecordRow>('SELECT * FROM records WHERE kind = ? AND key = ? ORDER BY version', [kind, key]);
		return rows.map(toRecord);
	}

	async archive(kind: RecordKind, key: string, source?: string): Promise<PutResult | undefined> {
		return this.transaction(async (tx) => {
			const current = await tx.q.query<RecordRow>('SELECT * FROM records WHERE kind = ? AND key = ? AND current = 1', [kind, key]);
			if (!current[0]) return undefined;
			return this.putIn(tx.q, kind, key, JSON.parse(current[0].data), source, true);
		});
	}

	async historyOf(kind: string, key: string): Promise<Array<{ at: string; action: string; detail: unknown; execution?: string }>> {
		const rows = await this.db.query<{ at: string; action: string; detail: string | null; execution: string | null }>(
			'SELECT at, action, detail, execution FROM history WHERE kind = ? AND key = ? ORDER BY id',
			[kind, key],
		);
		return rows.map((r) => ({ at: r.at, action: r.action, detail: r.detail ? JSON.parse(r.detail) : undefined, ...(r.execution ? { execution: r.execution } : {}) }));
	}

	// --- Relevés ------------------------------------------------------------

	/** @internal */
	async recordReportIn(tx: Queryable, clauseKey: string, month: string, lines: ReportLineInput[], source?: string): Promise<{ version: number; correction: boolean }> {
		const rows = await tx.query<{ v: number | string | null }>('SELECT MAX(version) AS v FROM report_lines WHERE clause_key = ? AND month = ?', [clauseKey, month]);
		const previous = Number(rows[0]?.v ?? 0);
		const version = previous + 1;
		if (previous > 0) await tx.run('UPDATE report_lines SET current = 0 WHERE clause_key = ? AND month = ? AND current = 1', [clauseKey, month]);
		const at = this.stamp();
		let lineNo = 0;
		for (const line of lines) {
			lineNo += 1;
			await tx.run(
				'INSERT INTO report_lines (clause_key, month, version, line_no, current, hours, training_hours, data, received_at, source) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)',
				[clauseKey, month, version, lineNo, line.hours, line.trainingHours ?? null, stableJson(line.data), at, source ?? null],
			);
		}
		await this.log(tx, 'releve', `${clauseKey} ${month}`, previous > 0 ? 'correction' : 'réception', { version, lignes: lines.length, source });
		return { version, correction: previous > 0 };
	}

	/**
	 * Verse au registre les relevés `gids` d'une table d'attente (voir
	 * ReportStaging), dans l'ordre donné, chacun écrit comme recordReportIn sauf
	 * si la version en vigueur du mois porte déjà exactement ces lignes (mêmes
	 * heures, mêmes données, même ordre : une réimportation du même relevé ne crée
	 * pas de version) ; mêmes versions, même historique. Les lignes passent de la
	 * table d'attente au registre par une seule requête, sans revenir en mémoire ;
	 * seules celles des mois déjà au registre sont relues, par paquets de clauses,
	 * pour les comparer. Mesuré (banc de la réception, 300 000 lignes, 60 000
	 * relevés) : relevé par relevé, quatre requêtes et plus chacun, la réception
	 * prenait 93 s en PostgreSQL, 26 s en SQLite.
	 * @internal
	 */
	async writeStagedReportsIn(tx: Queryable, staging: ReportStaging, gids: number[], source?: string): Promise<Array<{ version: number; correction: boolean; changed: boolean }>> {
		const { groups } = staging;
		const id = (clauseKey: string, month: string) => `${clauseKey}\u001f${month}`;
		const latest = new Map<string, number>();
		const keys = [...new Set(gids.map((gid) => groups[gid].clauseKey))];
		for (const { chunk, marks } of batches(keys, KEYS_PER_QUERY)) {
			const versions = await tx.query<{ clause_key: string; month: string; v: number | string }>(
				`SELECT clause_key, month, MAX(version) AS v FROM report_lines WHERE clause_key IN (${marks}) GROUP BY clause_key, month`,
				chunk,
			);
			for (const row of versions) latest.set(id(row.clause_key, row.month), Number(row.v));
		}
		// Mois déjà au registre : la version en vigueur comparée aux lignes reçues, par paquets de clauses.
		const unchanged = new Map<number, number>();
		const compared = gids.filter((gid) => latest.has(id(groups[gid].clauseKey, groups[gid].month)));
		if (compared.length > 0) {
			await tx.run('CREATE INDEX staged_report_lines_gid ON staged_report_lines (gid, line_no)');
			const byClause = new Map<string, number[]>();
			for (const gid of compared) byClause.set(groups[gid].clauseKey, [...(byClause.get(groups[gid].clauseKey) ?? []), gid]);
			const clauses = [...byClause.keys()];
			for (const { chunk, marks } of batches(clauses, COMPARED_CLAUSES_PER_QUERY)) {
				const chunkGids = chunk.flatMap((key) => byClause.get(key)!);
				const stored = new Map<string, Array<{ version: number; hours: number; training: number | undefined; data: string }>>();
				const rows = await tx.query<{ clause_key: string; month: string; version: number | string; hours: number | string; training_hours: number | string | null; data: string }>(
					`SELECT clause_key, month, version, hours, training_hours, data FROM report_lines WHERE current = 1 AND clause_key IN (${marks}) ORDER BY clause_key, month, line_no`,
					chunk,
				);
				for (const row of rows) {
					const lines = stored.get(id(row.clause_key, row.month)) ?? [];
					lines.push({ version: Number(row.version), hours: Number(row.hours), training: row.training_hours === null ? undefined : Number(row.training_hours), data: row.data });
					stored.set(id(row.clause_key, row.month), lines);
				}
				const received = new Map<number, Array<{ hours: number; training: number | undefined; data: string }>>();
				const staged = await tx.query<{ gid: number | string; hours: number | string; training_hours: number | string | null; data: string }>(
					`SELECT gid, hours, training_hours, data FROM staged_report_lines WHERE gid IN (${placeholders(chunkGids.length)}) ORDER BY gid, line_no`,
					chunkGids,
				);
				for (const row of staged) {
					const lines = received.get(Number(row.gid)) ?? [];
					lines.push({ hours: Number(row.hours), training: row.training_hours === null ? undefined : Number(row.training_hours), data: row.data });
					received.set(Number(row.gid), lines);
				}
				for (const gid of chunkGids) {
					const before = stored.get(id(groups[gid].clauseKey, groups[gid].month)) ?? [];
					const now = received.get(gid) ?? [];
					const same = before.length === now.length && before.length > 0 && before.every((row, n) => row.hours === now[n].hours && row.training === now[n].training && row.data === now[n].data);
					if (same) unchanged.set(gid, before[0].version);
				}
			}
		}
		// Relevés à écrire : leur version, par paquets (jamais tous en mémoire), puis leurs lignes en une requête.
		const at = this.stamp();
		let groupRows: SqlValue[][] = [];
		let historyRows: SqlValue[][] = [];
		let anyWritten = false;
		const flush = async () => {
			if (groupRows.length === 0) return;
			if (!anyWritten) {
				await tx.run(
					`CREATE TEMP TABLE staged_report_groups (gid INTEGER PRIMARY KEY, clause_key TEXT NOT NULL, month TEXT NOT NULL, version INTEGER NOT NULL)${tx.dialect === 'postgres' ? ' ON COMMIT DROP' : ''}`,
				);
				anyWritten = true;
			}
			await insertMany(tx, 'staged_report_groups (gid, clause_key, month, version)', groupRows);
			await insertMany(tx, 'history (at, kind, key, action, detail, execution)', historyRows);
			groupRows = [];
			historyRows = [];
		};
		const out: Array<{ version: number; correction: boolean; changed: boolean }> = [];
		for (const gid of gids) {
			const group = groups[gid];
			const kept = unchanged.get(gid);
			if (kept !== undefined) {
				out.push({ version: kept, correction: false, changed: false });
				continue;
			}
			const key = id(group.clauseKey, group.month);
			const previous = latest.get(key) ?? 0;
			const version = previous + 1;
			if (previous > 0) await tx.run('UPDATE report_lines SET current = 0 WHERE clause_key = ? AND month = ? AND current = 1', [group.clauseKey, group.month]);
			groupRows.push([gid, group.clauseKey, group.month, version]);
			historyRows.push([at, 'releve', `${group.clauseKey} ${group.month}`, previous > 0 ? 'correction' : 'réception', JSON.stringify({ version, lignes: group.lines, source }), this.context.execution ?? null]);
			latest.set(key, version);
			out.push({ version, correction: previous > 0, changed: true });
			if (groupRows.length >= ROWS_PER_INSERT) await flush();
		}
		await flush();
		if (anyWritten) {
			await tx.run(
				`INSERT INTO report_lines (clause_key, month, version, line_no, current, hours, training_hours, data, received_at, source)
				 SELECT g.clause_key, g.month, g.version, s.line_no, 1, s.hours, s.training_hours, s.data, CAST(? AS TEXT), CAST(? AS TEXT)
				 FROM staged_report_lines s JOIN staged_report_groups g ON g.gid = s.gid`,
				[at, source ?? null],
			);
			await tx.run('DROP TABLE staged_report_groups');
		}
		return out;
	}

	async recordReport(clauseKey: string, month: string, lines: ReportLineInput[], source?: string) {
		return this.transaction((tx) => tx.recordReport(clauseKey, month, lines, source));
	}

	/** @internal */
	async currentReportIn(tx: Queryable, clauseKey: string, month: string): Promise<{ version: number; lines: unknown[] }> {
		// Lu dans la transaction, sous le verrou d'écriture du registre : aucune autre réception ne s'intercale.
		const max = await tx.query<{ v: number | string | null }>('SELECT MAX(version) AS v FROM report_lines WHERE clause_key = ? AND month = ?', [clauseKey, month]);
		const rows = await tx.query<{ data: string }>('SELECT data FROM report_lines WHERE clause_key = ? AND month = ? AND current = 1 ORDER BY line_no', [clauseKey, month]);
		return { version: Number(max[0]?.v ?? 0), lines: rows.map((r) => JSON.parse(r.data) as unknown) };
	}

	/** Heures déclarées en vigueur, par clause et par mois (une ligne par mois reçu). */
	async monthHours(clauseKeys?: string[]): Promise<MonthHours[]> {
		const filter = clauseKeys ? ` AND clause_key IN (${placeholders(clauseKeys.length)})` : '';
		if (clauseKeys && clauseKeys.length === 0) return [];
		const rows = await this.db.query<{ clause_key: string; month: string; hours: number | string; version: number | string }>(
			`SELECT clause_key, month, SUM(hours) AS hours, MAX(version) AS version FROM report_lines WHERE current = 1${filter} GROUP BY clause_key, month ORDER BY clause_key, month`,
			clauseKeys ?? [],
		);
		return rows.map((r) => ({ clauseKey: r.clause_key, month: r.month, hours: Number(r.hours), version: Number(r.version) }));
	}

	/** Lignes de relevé en vigueur (ou toutes les versions), dans l'ordre clause, mois, version, ligne. */
	async reportLines(options: { clauseKey?: string; allVersions?: boolean } = {}): Promise<Array<{ clauseKey: string; month: string; version: number; current: boolean; data: unknown }>> {
		const where: string[] = [];
		const params: SqlValue[] = [];
		if (!options.allVersions) where.push('current = 1');
		if (options.clauseKey) {
			where.push('clause_key = ?');
			params.push(options.clauseKey);
		}
		const rows = await this.db.query<{ clause_key: string; month: string; version: number | string; current: number | string; data: string }>(
			`SELECT clause_key, month, version, current, data FROM report_lines${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY clause_key, month, version, line_no`,
			params,
		);
		return rows.map((r) => ({ clauseKey: r.clause_key, month: r.month, version: Number(r.version), current: Number(r.current) === 1, data: JSON.parse(r.data) }));
	}

	/**
	 * Les lignes en vigueur, remises une à une à `fn`, lues par paquets de
	 * clauses : la mémoire ne dépend pas du nombre de lignes (bilan de 300 000
	 * lignes). Chaque clause est lue d'une seule requête, donc dans un seul état :
	 * un relevé corrigé pendant la lecture compte en entier, dans son ancienne ou
	 * sa nouvelle version, jamais pour partie dans les deux. Renvoie le nombre de
	 * lignes lues.
	 */
	async forEachReportLine(fn: (line: { clauseKey: string; month: string; version: number; data: unknown }) => void, options: { clausesPerQuery?: number } = {}): Promise<number> {
		const keys = await this.db.query<{ clause_key: string }>('SELECT DISTINCT clause_key FROM report_lines WHERE current = 1 ORDER BY clause_key');
		const per = Math.max(1, options.clausesPerQuery ?? REPORT_LINE_CLAUSES_PER_QUERY);
		let count = 0;
		for (const { chunk, marks } of batches(keys.map((k) => k.clause_key), per)) {
			const rows = await this.db.query<{ clause_key: string; month: string; version: number | string; data: string }>(
				`SELECT clause_key, month, version, data FROM report_lines WHERE current = 1 AND clause_key IN (${marks}) ORDER BY clause_key, month, version, line_no`,
				chunk,
			);
			for (const r of rows) fn({ clauseKey: r.clause_key, month: r.month, version: Number(r.version), data: JSON.parse(r.data) });
			count += rows.length;
		}
		return count;
	}

	// --- Relevé en ligne ----------------------------------------------------

	/**
	 * Consomme le numéro à usage unique d'un formulaire, dans la transaction qui
	 * enregistre le relevé : `false` s'il a déjà servi (formulaire renvoyé).
	 * @internal
	 */
	async consumeNonceIn(tx: Queryable, nonce: string, reportKey: string): Promise<boolean> {
		const inserted = await tx.run('INSERT INTO online_submissions (nonce, report_key, submitted_at, execution) VALUES (?, ?, ?, ?) ON CONFLICT (nonce) DO NOTHING', [
			nonce,
			reportKey,
			this.stamp(),
			this.context.execution ?? null,
		]);
		return inserted.changes === 1;
	}

	/** Le numéro d'un formulaire a-t-il déjà servi ? (lecture seule, pour refuser un rejeu avant tout contrôle) */
	async nonceUsed(nonce: string): Promise<boolean> {
		const rows = await this.db.query<{ nonce: string }>('SELECT nonce FROM online_submissions WHERE nonce = ?', [nonce]);
		return rows.length > 0;
	}

	/** Efface les numéros de formulaire plus anciens que `before` (ISO) : rend le nombre effacé. */
	async purgeNonces(before: string): Promise<number> {
		const out = await this.db.run('DELETE FROM online_submissions WHERE submitted_at < ?', [before]);
		return out.changes;
	}

	/**
	 * Réécrit, dans une transaction, les lignes de relevé (toutes versions) des
	 * mois antérieurs à `beforeMonth` que `transform` change (undefined : inchangée),
	 * et consigne à l'historique de chaque relevé touché le nombre de lignes
	 * réécrites, sans aucune donnée de ligne. `apply: false` compte sans écrire.
	 */
	async rewriteReportLinesBefore(
		beforeMonth: string,
		transform: (data: Record<string, unknown>, clauseKey: string) => Record<string, unknown> | undefined,
		options: { apply: boolean; action: string },
	): Promise<{ lines: number; reports: number; clauses: number }> {
		return this.transaction(async (tx) => {
			const rows = await tx.q.query<{ clause_key: string; month: string; version: number | string; line_no: number | string; data: string }>(
				'SELECT clause_key, month, version, line_no, data FROM report_lines WHERE month < ? ORDER BY clause_key, month, version, line_no',
				[beforeMonth],
			);
			const touched = new Map<string, number>();
			for (const row of rows) {
				const next = transform(JSON.parse(row.data) as Record<string, unknown>, row.clause_key);
				if (next === undefined) continue;
				const report = `${row.clause_key} ${row.month}`;
				touched.set(report, (touched.get(report) ?? 0) + 1);
				if (options.apply) {
					await tx.q.run('UPDATE report_lines SET data = ? WHERE clause_key = ? AND month = ? AND version = ? AND line_no = ?', [
						stableJson(next),
						row.clause_key,
						row.month,
						Number(row.version),
						Number(row.line_no),
					]);
				}
			}
			if (options.apply) for (const [report, lignes] of touched) await this.log(tx.q, 'releve', report, options.action, { lignes });
			const clauses = new Set([...touched.keys()].map((k) => k.slice(0, k.lastIndexOf(' '))));
			return { lines: [...touched.values()].reduce((a, b) => a + b, 0), reports: touched.size, clauses: clauses.size };
		});
	}

	// --- Envois -------------------------------------------------------------

	/**
	 * Réserve l'envoi d'un message sous sa clé, dans sa propre transaction validée,
	 * juste avant l'envoi. La clé unique fait foi : deux exécutions simultanées ne
	 * réservent jamais la même. Une réservation « en cours » dont le bail a expiré
	 * (processus arrêté en plein envoi) est reprise et signalée « incertaine ».
	 *
	 * `settle` : issues d'envois précédents à consigner dans la même transaction,
	 * validées avec la réservation (une validation au lieu de deux) ; si la
	 * réservation échoue, elles ne le sont pas non plus (tout ou rien).
	 */
	async claim(key: string, options: ClaimOptions, settle: readonly Settlement[] = []): Promise<Claim> {
		if (settle.length === 0) return this.claimIn(this.db, key, options);
		return this.db.transaction(async (q) => {
			for (const s of settle) await this.settleIn(q, s);
			return this.claimIn(q, key, options);
		});
	}

	/**
	 * La réservation, requête par requête sur `q` : hors transaction, chaque
	 * requête est validée seule (une seule écrit dans le cas courant) ; dans une
	 * transaction, le verrou d'écriture est tenu de bout en bout.
	 */
	private async claimIn(q: Queryable, key: string, options: ClaimOptions): Promise<Claim> {
		const now = this.now();
		const lease = now.getTime() + options.leaseMs;
		const inserted = await q.run(
			'INSERT INTO messages (key, kind, status, lease_until, attempts, claimed_at, recipients, execution) VALUES (?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT (key) DO NOTHING',
			[key, options.kind ?? null, 'en cours', lease, now.toISOString(), options.recipients ? options.recipients.join(', ') : null, this.context.execution ?? null],
		);
		if (inserted.changes === 1) return { claimed: true, uncertain: false, attempts: 1 };
		const rows = await q.query<MessageDbRow>('SELECT * FROM messages WHERE key = ?', [key]);
		const row = rows[0];
		if (!row) return this.claimIn(q, key, options); // réservation libérée entre-temps : on recommence
		if (row.status === 'en cours' && Number(row.lease_until) < now.getTime()) {
			// Reprise conditionnelle : seule l'exécution qui voit encore l'ancien bail la gagne.
			const taken = await q.run('UPDATE messages SET lease_until = ?, attempts = attempts + 1, execution = ? WHERE key = ? AND status = ? AND lease_until = ?', [
				lease,
				this.context.execution ?? null,
				key,
				'en cours',
				Number(row.lease_until),
			]);
			if (taken.changes === 1) {
				await this.log(q, 'envoi', key, 'reprise incertaine', { tentative: Number(row.attempts) + 1 });
				return { claimed: true, uncertain: true, attempts: Number(row.attempts) + 1 };
			}
			const again = await q.query<MessageDbRow>('SELECT * FROM messages WHERE key = ?', [key]);
			return again[0] ? { claimed: false, existing: toMessage(again[0]), busy: again[0].status === 'en cours' } : this.claimIn(q, key, options);
		}
		if (row.status === 'échec') {
			// Un refus définitif est retenté à l'exécution suivante (adresse corrigée entre-temps, par exemple).
			const retried = await q.run('UPDATE messages SET status = ?, lease_until = ?, attempts = attempts + 1, claimed_at = ?, execution = ? WHERE key = ? AND status = ? AND attempts = ?', [
				'en cours',
				lease,
				now.toISOString(),
				this.context.execution ?? null,
				key,
				'échec',
				Number(row.attempts),
			]);
			if (retried.changes === 1) return { claimed: true, uncertain: false, attempts: Number(row.attempts) + 1 };
			return this.claimIn(q, key, options);
		}
		return { claimed: false, existing: toMessage(row), busy: row.status === 'en cours' };
	}

	/** Parmi ces clés, celles déjà envoyées (lecture seule, par paquets). */
	async sentKeys(keys: string[]): Promise<Set<string>> {
		const sent = new Set<string>();
		for (const { chunk, marks } of batches(keys, KEYS_PER_QUERY)) {
			const rows = await this.db.query<{ key: string }>(`SELECT key FROM messages WHERE status = ? AND key IN (${marks})`, ['envoyé', ...chunk]);
			for (const r of rows) sent.add(r.key);
		}
		return sent;
	}

	async markSent(key: string, result: SentResult): Promise<void> {
		await this.settleIn(this.db, { key, result: 'envoyé', ...result });
	}

	async markFailed(key: string, failure: { code: string; error: string; messageId?: string }): Promise<void> {
		await this.settleIn(this.db, { key, result: 'échec', ...failure });
	}

	/** Libère une réservation (refus temporaire, délai dépassé) : la prochaine exécution renverra. */
	async release(key: string): Promise<void> {
		await this.settleIn(this.db, { key, result: 'libéré' });
	}

	/** Consigne des issues d'envoi : une seule dans sa propre validation, plusieurs dans une même transaction. */
	async settle(settle: readonly Settlement[]): Promise<void> {
		if (settle.length === 1) return this.settleIn(this.db, settle[0]);
		if (settle.length > 1) {
			await this.db.transaction(async (q) => {
				for (const s of settle) await this.settleIn(q, s);
			});
		}
	}

	private async settleIn(q: Queryable, s: Settlement): Promise<void> {
		switch (s.result) {
			case 'envoyé':
				await q.run('UPDATE messages SET status = ?, message_id = ?, sent_at = ?, response = ?, recipients = COALESCE(?, recipients), lease_until = NULL, code = NULL, error = NULL WHERE key = ?', [
					'envoyé',
					s.messageId ?? null,
					this.stamp(),
					s.response ?? null,
					s.accepted ? s.accepted.join(', ') : null,
					s.key,
				]);
				return;
			case 'échec':
				await q.run('UPDATE messages SET status = ?, code = ?, error = ?, message_id = COALESCE(?, message_id), lease_until = NULL WHERE key = ?', ['échec', s.code, s.error, s.messageId ?? null, s.key]);
				return;
			case 'libéré':
				await q.run('DELETE FROM messages WHERE key = ? AND status = ?', [s.key, 'en cours']);
				return;
		}
	}

	async message(key: string): Promise<MessageRow | undefined> {
		const rows = await this.db.query<MessageDbRow>('SELECT * FROM messages WHERE key = ?', [key]);
		return rows[0] ? toMessage(rows[0]) : undefined;
	}

	async messages(): Promise<MessageRow[]> {
		const rows = await this.db.query<MessageDbRow>('SELECT * FROM messages ORDER BY key');
		return rows.map(toMessage);
	}
}

/** Écritures groupées dans une même transaction. */
export class RegisterTx {
	constructor(
		private readonly register: Register,
		readonly q: Queryable,
	) {}

	put(kind: RecordKind, key: string, data: unknown, source?: string): Promise<PutResult> {
		return this.register.putIn(this.q, kind, key, data, source);
	}

	recordReport(clauseKey: string, month: string, lines: ReportLineInput[], source?: string) {
		return this.register.recordReportIn(this.q, clauseKey, month, lines, source);
	}

	/** Table d'attente des relevés d'un import lu en flux (voir ReportStaging), qui disparaît avec la transaction. */
	stageReports(): Promise<ReportStaging> {
		return ReportStaging.open(this.register, this.q);
	}

	/** Consomme le numéro à usage unique d'un formulaire (`false` : déjà servi). */
	consumeNonce(nonce: string, reportKey: string): Promise<boolean> {
		return this.register.consumeNonceIn(this.q, nonce, reportKey);
	}

	/** Version en vigueur d'une fiche, lue dans la transaction (pour la compléter sans rien écraser). */
	async get(kind: RecordKind, key: string): Promise<StoredRecord | undefined> {
		const rows = await this.q.query<RecordRow>('SELECT * FROM records WHERE kind = ? AND key = ? AND current = 1', [kind, key]);
		return rows[0] ? toRecord(rows[0]) : undefined;
	}

	/**
	 * Le relevé en vigueur d'une clause pour un mois (dernière version, 0 si aucun),
	 * verrouillé jusqu'à la fin de la transaction : une correction se décide sur
	 * ce qu'elle remplace, sans qu'une réception simultanée s'intercale.
	 */
	currentReport(clauseKey: string, month: string) {
		return this.register.currentReportIn(this.q, clauseKey, month);
	}
}

/** Lignes par INSERT dans la table d'attente (5 valeurs chacune). */
const STAGED_ROWS_PER_INSERT = 1000;
const STAGED_VALUES = Array.from({ length: STAGED_ROWS_PER_INSERT }, () => '(?, ?, ?, ?, ?)').join(', ');

/**
 * Relevés d'un import reçus ligne à ligne pendant la lecture en flux du
 * classeur : chaque ligne va, par paquets, dans une table temporaire de la
 * transaction du registre au lieu de rester en mémoire ; seuls restent en
 * mémoire la clé et le nombre de lignes de chaque relevé (clause × mois), dans
 * l'ordre de leur première ligne. `write` verse ensuite au registre les relevés
 * retenus (Register.writeStagedReportsIn). La table n'est jamais visible hors de
 * la transaction et disparaît avec elle : un classeur qui se révèle abîmé en
 * cours de lecture annule la transaction, et rien n'en reste.
 */
export class ReportStaging {
	readonly groups: Array<{ clauseKey: string; month: string; lines: number }> = [];
	private readonly ids = new Map<string, number>();
	private pending: SqlValue[] = [];
	private pendingRows = 0;
	/** Ordre des clés des lignes, trié une fois pour toutes les lignes de même forme (stableJson). */
	private readonly keyOrder: KeyOrderCache = { keys: [], order: null };

	private constructor(
		private readonly register: Register,
		private readonly q: Queryable,
	) {}

	static async open(register: Register, q: Queryable): Promise<ReportStaging> {
		await q.run(
			`CREATE TEMP TABLE staged_report_lines (gid INTEGER NOT NULL, line_no INTEGER NOT NULL, hours DOUBLE PRECISION NOT NULL, training_hours DOUBLE PRECISION, data TEXT NOT NULL)${q.dialect === 'postgres' ? ' ON COMMIT DROP' : ''}`,
		);
		return new ReportStaging(register, q);
	}

	/**
	 * Ajoute une ligne au relevé `clauseKey` × `month` (écrite dans la table par paquets).
	 * Rend une promesse, à attendre, seulement quand un paquet part dans la table : la lecture en
	 * flux n'attend pas une promesse par ligne.
	 */
	add(clauseKey: string, month: string, line: ReportLineInput): Promise<void> | undefined {
		const id = `${clauseKey}\u001f${month}`;
		let gid = this.ids.get(id);
		if (gid === undefined) {
			gid = this.groups.length;
			this.ids.set(id, gid);
			this.groups.push({ clauseKey, month, lines: 0 });
		}
		const group = this.groups[gid];
		group.lines += 1;
		this.pending.push(gid, group.lines, line.hours, line.trainingHours ?? null, stableJson(line.data, this.keyOrder));
		this.pendingRows += 1;
		return this.pendingRows >= STAGED_ROWS_PER_INSERT ? this.flush() : undefined;
	}

	private async flush(): Promise<void> {
		if (this.pendingRows === 0) return;
		const values = this.pendingRows === STAGED_ROWS_PER_INSERT ? STAGED_VALUES : Array.from({ length: this.pendingRows }, () => '(?, ?, ?, ?, ?)').join(', ');
		const params = this.pending;
		this.pending = [];
		this.pendingRows = 0;
		await this.q.run(`INSERT INTO staged_report_lines (gid, line_no, hours, training_hours, data) VALUES ${values}`, params);
	}

	/** Verse au registre les relevés `gids`, dans cet ordre ; rend, pour chacun, sa version et s'il a changé. */
	async write(gids: number[], source?: string): Promise<Array<{ version: number; correction: boolean; changed: boolean }>> {
		await this.flush();
		return this.register.writeStagedReportsIn(this.q, this, gids, source);
	}

	/** Supprime la table d'attente (dans la transaction). */
	async close(): Promise<void> {
		this.pending = [];
		this.pendingRows = 0;
		await this.q.run('DROP TABLE staged_report_lines');
	}
}
