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
export type RecordKind = 'marche' | 'lot' | 'clause' | 'facilitateur' | 'penalite' | 'recouvrement' | 'engagement' | 'decp';

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

/** JSON stable (clés triées) : deux saisies identiques donnent le même texte, donc pas de nouvelle version. */
export function stableJson(value: unknown): string {
	return JSON.stringify(value, (_k, v: unknown) => {
		if (v && typeof v === 'object' && !Array.isArray(v)) {
			return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
		}
		return v;
	});
}

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
	 * Comme recordReportIn, sauf si la version en vigueur du mois porte déjà
	 * exactement ces lignes (mêmes heures, mêmes données, même ordre) : rien
	 * n'est alors écrit. Une réimportation du même relevé ne crée pas de version.
	 * @internal
	 */
	async recordReportIfChangedIn(
		tx: Queryable,
		clauseKey: string,
		month: string,
		lines: ReportLineInput[],
		source?: string,
	): Promise<{ version: number; correction: boolean; changed: boolean }> {
		const current = await tx.query<{ version: number | string; hours: number | string; training_hours: number | string | null; data: string }>(
			'SELECT version, hours, training_hours, data FROM report_lines WHERE clause_key = ? AND month = ? AND current = 1 ORDER BY line_no',
			[clauseKey, month],
		);
		const same =
			current.length === lines.length &&
			current.length > 0 &&
			current.every((row, i) => {
				const line = lines[i];
				const training = row.training_hours === null ? undefined : Number(row.training_hours);
				return Number(row.hours) === line.hours && training === line.trainingHours && row.data === stableJson(line.data);
			});
		if (same) return { version: Number(current[0].version), correction: false, changed: false };
		return { ...(await this.recordReportIn(tx, clauseKey, month, lines, source)), changed: true };
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
		const filter = clauseKeys ? ` AND clause_key IN (${clauseKeys.map(() => '?').join(', ')})` : '';
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

	// --- Envois -------------------------------------------------------------

	/**
	 * Réserve l'envoi d'un message sous sa clé, dans sa propre transaction validée,
	 * juste avant l'envoi. La clé unique fait foi : deux exécutions simultanées ne
	 * réservent jamais la même. Une réservation « en cours » dont le bail a expiré
	 * (processus arrêté en plein envoi) est reprise et signalée « incertaine ».
	 */
	async claim(key: string, options: { kind?: string; leaseMs: number; recipients?: string[] }): Promise<Claim> {
		const now = this.now();
		const lease = now.getTime() + options.leaseMs;
		const inserted = await this.db.run(
			'INSERT INTO messages (key, kind, status, lease_until, attempts, claimed_at, recipients, execution) VALUES (?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT (key) DO NOTHING',
			[key, options.kind ?? null, 'en cours', lease, now.toISOString(), options.recipients ? options.recipients.join(', ') : null, this.context.execution ?? null],
		);
		if (inserted.changes === 1) return { claimed: true, uncertain: false, attempts: 1 };
		const rows = await this.db.query<MessageDbRow>('SELECT * FROM messages WHERE key = ?', [key]);
		const row = rows[0];
		if (!row) return this.claim(key, options); // réservation libérée entre-temps : on recommence
		if (row.status === 'en cours' && Number(row.lease_until) < now.getTime()) {
			// Reprise conditionnelle : seule l'exécution qui voit encore l'ancien bail la gagne.
			const taken = await this.db.run('UPDATE messages SET lease_until = ?, attempts = attempts + 1, execution = ? WHERE key = ? AND status = ? AND lease_until = ?', [
				lease,
				this.context.execution ?? null,
				key,
				'en cours',
				Number(row.lease_until),
			]);
			if (taken.changes === 1) {
				await this.log(this.db, 'envoi', key, 'reprise incertaine', { tentative: Number(row.attempts) + 1 });
				return { claimed: true, uncertain: true, attempts: Number(row.attempts) + 1 };
			}
			const again = await this.db.query<MessageDbRow>('SELECT * FROM messages WHERE key = ?', [key]);
			return again[0] ? { claimed: false, existing: toMessage(again[0]), busy: again[0].status === 'en cours' } : this.claim(key, options);
		}
		if (row.status === 'échec') {
			// Un refus définitif est retenté à l'exécution suivante (adresse corrigée entre-temps, par exemple).
			const retried = await this.db.run('UPDATE messages SET status = ?, lease_until = ?, attempts = attempts + 1, claimed_at = ?, execution = ? WHERE key = ? AND status = ? AND attempts = ?', [
				'en cours',
				lease,
				now.toISOString(),
				this.context.execution ?? null,
				key,
				'échec',
				Number(row.attempts),
			]);
			if (retried.changes === 1) return { claimed: true, uncertain: false, attempts: Number(row.attempts) + 1 };
			return this.claim(key, options);
		}
		return { claimed: false, existing: toMessage(row), busy: row.status === 'en cours' };
	}

	/** Parmi ces clés, celles déjà envoyées (lecture seule, par paquets). */
	async sentKeys(keys: string[]): Promise<Set<string>> {
		const sent = new Set<string>();
		for (let i = 0; i < keys.length; i += 500) {
			const chunk = keys.slice(i, i + 500);
			const rows = await this.db.query<{ key: string }>(`SELECT key FROM messages WHERE status = ? AND key IN (${chunk.map(() => '?').join(', ')})`, ['envoyé', ...chunk]);
			for (const r of rows) sent.add(r.key);
		}
		return sent;
	}

	async markSent(key: string, result: { messageId?: string; response?: string; accepted?: string[] }): Promise<void> {
		await this.db.run('UPDATE messages SET status = ?, message_id = ?, sent_at = ?, response = ?, recipients = COALESCE(?, recipients), lease_until = NULL, code = NULL, error = NULL WHERE key = ?', [
			'envoyé',
			result.messageId ?? null,
			this.stamp(),
			result.response ?? null,
			result.accepted ? result.accepted.join(', ') : null,
			key,
		]);
	}

	async markFailed(key: string, failure: { code: string; error: string; messageId?: string }): Promise<void> {
		await this.db.run('UPDATE messages SET status = ?, code = ?, error = ?, message_id = COALESCE(?, message_id), lease_until = NULL WHERE key = ?', [
			'échec',
			failure.code,
			failure.error,
			failure.messageId ?? null,
			key,
		]);
	}

	/** Libère une réservation (refus temporaire, délai dépassé) : la prochaine exécution renverra. */
	async release(key: string): Promise<void> {
		await this.db.run('DELETE FROM messages WHERE key = ? AND status = ?', [key, 'en cours']);
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

	/** Relevé du mois enregistré seulement s'il diffère de la version en vigueur (`changed: false` sinon). */
	recordReportIfChanged(clauseKey: string, month: string, lines: ReportLineInput[], source?: string) {
		return this.register.recordReportIfChangedIn(this.q, clauseKey, month, lines, source);
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
