/**
 * Lecture directe du fichier SQLite du registre, indépendante du code du
 * registre : état des relevés (toutes versions) et contrôles de cohérence
 * après un arrêt brutal ou des exécutions simultanées.
 */
import { DatabaseSync } from 'node:sqlite';

export interface StoredVersion {
	version: number;
	current: boolean;
	/** Participants et heures, dans l'ordre des lignes. */
	lignes: Array<{ participant: string; heuresMois: number }>;
}

export interface RegisterSnapshot {
	integrity: string;
	/** Par « clé de clause mois » : les versions, de la plus ancienne à la plus récente. */
	releves: Map<string, StoredVersion[]>;
	/** Lignes de toutes les versions, sans l'heure d'écriture (comparables d'une exécution à l'autre). */
	lines: Array<Record<string, unknown>>;
	/** Entrées « réception » ou « correction » de l'historique des relevés. */
	receptions: Array<{ key: string; version: number; lignes: number }>;
	/** Problèmes de cohérence trouvés (vide : cohérent). */
	problems: string[];
	messages: Array<{ key: string; status: string; attempts: number; message_id: string | null; response: string | null }>;
	/** Entrées « reprise incertaine » de l'historique des envois. */
	uncertain: string[];
	/** Dernier numéro de l'historique. */
	lastHistoryId: number;
}

/**
 * `readOnly` : sans rien écrire ni refermer le journal WAL (après un arrêt
 * brutal, la reprise reste à faire par n8n) ; il faut alors que le fichier
 * `-shm` existe (base ouverte par n8n).
 */
export function readRegisterFile(file: string, options: { readOnly?: boolean } = {}): RegisterSnapshot {
	const db = new DatabaseSync(file, { readOnly: options.readOnly ?? false });
	try {
		const integrity = (db.prepare('PRAGMA integrity_check').all() as Array<Record<string, string>>).map((r) => Object.values(r)[0]).join('; ');
		const rows = db
			.prepare('SELECT clause_key, month, version, line_no, current, hours, training_hours, data, source FROM report_lines ORDER BY clause_key, month, version, line_no')
			.all() as Array<{ clause_key: string; month: string; version: number; line_no: number; current: number; hours: number; training_hours: number | null; data: string; source: string | null }>;
		const releves = new Map<string, StoredVersion[]>();
		const problems: string[] = [];
		const lineNos = new Map<string, number[]>();
		for (const r of rows) {
			const key = `${r.clause_key} ${r.month}`;
			const versions = releves.get(key) ?? [];
			releves.set(key, versions);
			let v = versions.find((x) => x.version === r.version);
			if (!v) versions.push((v = { version: r.version, current: r.current === 1, lignes: [] }));
			if ((r.current === 1) !== v.current) problems.push(`${key} v${r.version} : lignes en vigueur et remplacées mêlées`);
			const data = JSON.parse(r.data) as { participant?: string };
			v.lignes.push({ participant: String(data.participant ?? 'néant'), heuresMois: r.hours });
			lineNos.set(`${key} v${r.version}`, [...(lineNos.get(`${key} v${r.version}`) ?? []), r.line_no]);
		}
		for (const [key, nos] of lineNos) if (nos.some((n, i) => n !== i + 1)) problems.push(`${key} : lignes ${nos.join(', ')} (trou dans la numérotation)`);
		const receptions = (db.prepare(`SELECT key, detail FROM history WHERE kind = 'releve' AND action IN ('réception', 'correction') ORDER BY id`).all() as Array<{ key: string; detail: string }>).map((h) => {
			const detail = JSON.parse(h.detail) as { version: number; lignes: number };
			return { key: h.key, version: detail.version, lignes: detail.lignes };
		});
		// Chaque version a toutes ses lignes (celles que l'historique annonce), une seule entrée d'historique, et une seule version en vigueur par mois : la dernière.
		const announced = new Map<string, number[]>();
		for (const h of receptions) announced.set(`${h.key} v${h.version}`, [...(announced.get(`${h.key} v${h.version}`) ?? []), h.lignes]);
		for (const [key, versions] of releves) {
			versions.forEach((v, i) => {
				if (v.version !== i + 1) problems.push(`${key} : versions ${versions.map((x) => x.version).join(', ')} (trou)`);
				const counts = announced.get(`${key} v${v.version}`) ?? [];
				if (counts.length !== 1 || counts[0] !== v.lignes.length) problems.push(`${key} v${v.version} : ${v.lignes.length} ligne(s) écrites, historique ${JSON.stringify(counts)}`);
			});
			const current = versions.filter((v) => v.current);
			if (current.length !== 1 || current[0] !== versions[versions.length - 1]) problems.push(`${key} : versions en vigueur ${current.map((v) => v.version).join(', ') || 'aucune'}`);
		}
		for (const h of receptions) {
			const v = releves.get(h.key)?.find((x) => x.version === h.version);
			if (!v && h.lignes > 0) problems.push(`${h.key} v${h.version} : dans l'historique, sans ses ${h.lignes} ligne(s)`);
		}
		const messages = db.prepare('SELECT key, status, attempts, message_id, response FROM messages ORDER BY key').all() as RegisterSnapshot['messages'];
		const uncertain = (db.prepare(`SELECT key FROM history WHERE kind = 'envoi' AND action = 'reprise incertaine' ORDER BY id`).all() as Array<{ key: string }>).map((r) => r.key);
		const lastHistoryId = Number((db.prepare('SELECT MAX(id) AS id FROM history').get() as { id: number | null }).id ?? 0);
		return {
			lastHistoryId,
			integrity,
			releves,
			lines: rows.map(({ clause_key, month, version, line_no, current, hours, training_hours, data, source }) => ({ clause_key, month, version, line_no, current, hours, training_hours, data, source })),
			receptions,
			problems,
			messages,
			uncertain,
		};
	} finally {
		db.close();
	}
}
