/**
 * Réception des relevés dans le registre des clauses : chaque relevé est
 * contrôlé puis enregistré dans sa propre transaction. Le relevé en vigueur
 * de chaque mois concerné est lu sous le verrou de ce mois, si bien que deux
 * réceptions simultanées d'un même mois ne se croisent jamais : la seconde
 * voit la première et devient une correction (nouvelle version, l'ancienne
 * gardée), jamais un doublon. Si la transaction échoue, rien n'est écrit et
 * le relevé ressort en erreur (pas d'accusé de réception).
 */
import type { IncomingReport, IntakeSettings, ReportResult, ReportLine } from '../core';
import { RegisterIndex, REPORT_LINE_READER, ReportIntake, clauseKey, monthAfterIntake, tryReadRecord, versionRank, wantedMonths } from '../core';
import type { Register } from '../adapters';
import type { RegisterClauseEntry } from '../shared/follow-up';
import { readRegisterClauses, registerLineRaw } from '../shared/follow-up';

export type RegisterIntakeOutcome = { ok: true; result: ReportResult; written: Record<string, number> } | { ok: false; error: unknown };

/** Erreur d'écriture d'un relevé au registre, en français. */
export class RegisterIntakeError extends Error {
	constructor(
		message: string,
		readonly description: string,
	) {
		super(message);
		this.name = 'RegisterIntakeError';
	}
}

function textOf(value: unknown): string | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	return undefined;
}

/** Clauses du registre par clé de clause (marché et lot) ; la première fiche l'emporte, comme dans le classeur. */
function clausesByMarketLot(entries: RegisterClauseEntry[]): { valid: Map<string, RegisterClauseEntry>; invalid: Map<string, string> } {
	const valid = new Map<string, RegisterClauseEntry>();
	const invalid = new Map<string, string>();
	for (const entry of entries) {
		if (entry.value) {
			const key = clauseKey(entry.value);
			if (!valid.has(key)) valid.set(key, entry);
			continue;
		}
		const marche = textOf(entry.json.marche ?? entry.json['marché']);
		const lot = textOf(entry.json.lot);
		if (marche !== undefined && lot !== undefined) invalid.set(clauseKey({ marche, lot }), entry.error instanceof Error ? entry.error.message : String(entry.error));
	}
	return { valid, invalid };
}

/** Formulaire déjà enregistré, renvoyé tel quel (rejeu) : rien n'est écrit. */
export class ReplayError extends RegisterIntakeError {}

export interface IntakeOptions {
	/** Tout ou rien : une seule erreur et rien n'est écrit (relevé en ligne, corrigé avant enregistrement). */
	allOrNothing?: boolean;
	/** Numéro à usage unique du formulaire, consommé dans la transaction de l'enregistrement. */
	nonce?: string;
}

/**
 * Contrôle et enregistre chaque relevé, dans l'ordre de réception ; rend, par
 * relevé, le résultat du contrôle et la version écrite de chaque mois, ou l'erreur.
 */
export async function intakeIntoRegister(
	register: Register,
	releves: IncomingReport[],
	settings: IntakeSettings,
	dates: Map<IncomingReport, string | undefined>,
	source: string,
	options: IntakeOptions = {},
): Promise<RegisterIntakeOutcome[]> {
	const { valid, invalid } = clausesByMarketLot(await readRegisterClauses(register));
	const outcomes: RegisterIntakeOutcome[] = [];
	for (const releve of releves) {
		const marche = textOf(releve.header.marche);
		const lot = textOf(releve.header.lot);
		const key = marche !== undefined && lot !== undefined ? clauseKey({ marche, lot }) : undefined;
		const entry = key !== undefined ? valid.get(key) : undefined;
		try {
			const outcome = await register.transaction(async (tx) => {
				const months = wantedMonths([releve]);
				const index = new RegisterIndex(months);
				if (entry?.value) index.addClause(entry.value);
				else if (key !== undefined && invalid.has(key)) index.invalidClauses.set(key, invalid.get(key)!);
				// Relevés en vigueur des mois concernés, lus sous le verrou d'écriture du registre.
				const current = new Map<string, { version: number; lines: ReportLine[] }>();
				if (entry?.value) {
					const clause = entry.value;
					const prefix = `${clauseKey(clause)}|`;
					const concerned = [...months].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)).sort();
					for (const mois of concerned) {
						const stored = await tx.currentReport(entry.recordKey, mois);
						const lines: ReportLine[] = [];
						for (const [n, data] of stored.lines.entries()) {
							const read = tryReadRecord(REPORT_LINE_READER, registerLineRaw(clause, mois, data), `ligne ${n + 1} du relevé en vigueur (version ${stored.version}) du marché ${clause.marche}, lot ${clause.lot}, mois ${mois}`);
							if (!read.ok) {
								throw new RegisterIntakeError(`relevé en vigueur illisible au registre des clauses : ${read.error.message}`, 'Le relevé reçu n’est pas enregistré : faites corriger la ligne en cause du registre, puis relancez la réception.');
							}
							index.addLine(read.value);
							lines.push(read.value);
						}
						index.noteVersion(clause, mois, stored.version);
						current.set(mois, { version: stored.version, lines });
					}
				}
				const result = new ReportIntake(index, settings).receive(releve, dates.get(releve));
				const written: Record<string, number> = {};
				if (!entry) return { result, written };
				if (options.allOrNothing && result.anomalies.some((a) => a.gravite === 'erreur')) return { result, written };
				if (options.nonce !== undefined && !(await tx.consumeNonce(options.nonce, `${entry.recordKey}|${result.mois.join(',')}`))) {
					throw new ReplayError(
						'ce formulaire a déjà été envoyé et enregistré',
						'Pour corriger le relevé, rouvrez le lien du courriel : un nouveau formulaire s’affiche, pré-rempli avec le relevé enregistré.',
					);
				}
				for (const [mois, label] of Object.entries(result.versions).sort(([a], [b]) => a.localeCompare(b))) {
					const before = current.get(mois) ?? { version: 0, lines: [] };
					const lines = monthAfterIntake(before.lines, result, mois);
					const stored = await tx.recordReport(
						entry.recordKey,
						mois,
						lines.map((line) => ({ hours: line.heuresMois, trainingHours: line.heuresFormation, data: line })),
						source,
					);
					if (stored.version !== versionRank(label)) {
						throw new RegisterIntakeError(
							`version ${stored.version} écrite au registre pour ${mois}, ${label} annoncée`,
							'Le relevé n’est pas enregistré (rien n’a été écrit) : relancez la réception.',
						);
					}
					written[mois] = stored.version;
				}
				return { result, written };
			});
			outcomes.push({ ok: true, ...outcome });
		} catch (error) {
			outcomes.push({ ok: false, error });
		}
	}
	return outcomes;
}
