/**
 * Les nœuds d'étape sur le registre des clauses (source « registre », celle par
 * défaut), sur SQLite et sur un vrai PostgreSQL, exécutés par le moteur de
 * n8n : réception des relevés écrite au registre (versions, jamais de doublon),
 * relance qui compte les heures reçues, mise en demeure consignée à l'envoi
 * puis notification proposée d'elle-même après l'échéance, bilan.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { Register } from '../../nodes/adapters/register';
import { clauseKey } from '../../nodes/core';
import { openRegisterWith, registerSettings } from '../../nodes/shared/register';
import { PACKAGE_ROOT, runNode } from '../helpers/engine';
import type { RegisterDialect } from '../helpers/registers';
import { DIALECTS, freshRegisterLocation, registerCredentialData } from '../helpers/registers';
import { SmtpSink } from '../helpers/smtp-sink';

const SAMPLE = path.join(PACKAGE_ROOT, 'workflows', 'donnees-exemple');
const sample = (name: string): IDataObject[] => JSON.parse(fs.readFileSync(path.join(SAMPLE, name), 'utf8'));

const SMTP = (port: number) => ({
	host: '127.0.0.1',
	port,
	securite: 'aucune',
	expediteurNom: 'Mission clauses sociales',
	expediteurEmail: 'clauses-sociales@region.example.test',
});

/** Seule la date du jour est simulée : minuteries et E/S restent réelles. */
const REAL_TIMERS = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const;
const today = (date: string) => jest.useFakeTimers({ now: new Date(`${date}T12:00:00Z`), doNotFake: [...REAL_TIMERS] });

const byClause = (items: INodeExecutionData[]) => Object.fromEntries(items.map((i) => [`${i.json.marche}/${i.json.lot}`, i]));

/** Lignes d'un relevé d'octobre 2026 du lot 9 de 2025-TRX-031, en éléments. */
const octobre = (heures: number): IDataObject[] => [
	{ marche: '2025-TRX-031', lot: '9', mois: '2026-10', participant: '031-9-P01', categoriePublic: 'Bénéficiaire du RSA', modalite: 'Embauche directe', typeContrat: 'CDD', heuresMois: heures },
	{ marche: '2025-TRX-031', lot: '9', mois: '2026-10', participant: '031-9-P02', categoriePublic: 'jeune', modalite: 'embauche directe', typeContrat: 'CDD', heuresMois: 10 },
];

describe.each(DIALECTS)('nœuds d’étape sur le registre des clauses (%s)', (dialect: RegisterDialect) => {
	let credential: Record<string, string | number>;
	let sink: SmtpSink;

	beforeAll(async () => {
		sink = await new SmtpSink().start();
	});
	afterAll(async () => {
		await sink.stop();
	});
	beforeEach(() => {
		credential = registerCredentialData(dialect, freshRegisterLocation(dialect));
		sink.mails.length = 0;
	});
	afterEach(() => jest.useRealTimers());

	async function withRegister<T>(fn: (register: Register) => Promise<T>): Promise<T> {
		const register = await openRegisterWith(registerSettings(credential));
		try {
			return await fn(register);
		} finally {
			await register.close();
		}
	}

	/** Clauses et relevés inscrits directement au registre (sous la clé marché/lot de chaque clause). */
	async function fill(clauses: IDataObject[], lines: IDataObject[]): Promise<void> {
		await withRegister(async (register) => {
			for (const clause of clauses) await register.put('clause', clauseKey({ marche: String(clause.marche), lot: String(clause.lot) }), clause, 'essai');
			const months = new Map<string, IDataObject[]>();
			for (const line of lines) {
				const key = `${clauseKey({ marche: String(line.marche), lot: String(line.lot) })}\u0000${String(line.mois)}`;
				months.set(key, [...(months.get(key) ?? []), line]);
			}
			for (const [key, month] of months) {
				const [clause, mois] = key.split('\u0000');
				await register.recordReport(clause, mois, month.map((l) => ({ hours: Number(l.heuresMois), data: l })), 'essai');
			}
		});
	}

	const credentials = () => ({ clausesRegistreApi: credential, clausesSocialesSmtpApi: SMTP(sink.port) });
	const node = (type: string, parameters: INodeParameters) => ({
		type,
		parameters,
		credentials: { clausesRegistreApi: { id: 'registre', name: 'Registre des clauses' }, clausesSocialesSmtpApi: { id: 'smtp', name: 'SMTP' } },
	});
	const intake = (items: IDataObject[], mode = 'envoyer') =>
		runNode(node('clauseReportIntake', { mode, sourceReleves: 'elements', dateReception: '2026-11-05', signature: 'La mission clauses sociales' }), items, { credentials: credentials() });
	const reminder = () => runNode(node('clauseReminder', { mode: 'apercu', dateReference: '2026-11-02', signature: 'La mission clauses sociales' }), [{}], { credentials: credentials() });

	const lot9 = () => sample('registre-clauses.json').filter((c) => c.marche === '2025-TRX-031' && String(c.lot) === '9');
	const lot9Lines = () => sample('releves-2026.json').filter((l) => l.marche === '2025-TRX-031' && String(l.lot) === '9');

	it('deux réceptions simultanées du même mois : les deux relevés gardés (versions 1 et 2), un accusé envoyé pour chacun, une seule fois', async () => {
		await fill(lot9(), lot9Lines());
		const [a, b] = await Promise.all([intake(octobre(12)), intake(octobre(15))]);
		for (const run of [a, b]) {
			expect(run.run.data.resultData.error).toBeUndefined();
			expect(run.items).toHaveLength(1);
			expect(run.items[0].json.accuse).toMatchObject({ statut: 'envoyé' });
			expect(run.output('Nœud testé', 2)).toEqual([]); // pas de classeur de suivi en sortie
		}
		const versions = [a, b].map((run) => Object.values(run.items[0].json.versionsRegistre as Record<string, number>)[0]).sort();
		expect(versions).toEqual([1, 2]);
		// La seconde réception a vu la première : une correction, pas un doublon.
		const second = [a, b].find((run) => (run.items[0].json.versionsRegistre as Record<string, number>)['2026-10'] === 2)!;
		expect(second.items[0].json.compte).toMatchObject({ corrections: 1, acceptees: 1 });
		await sink.waitFor(2);
		expect(sink.mails).toHaveLength(2);

		const key = clauseKey({ marche: '2025-TRX-031', lot: '9' });
		await withRegister(async (register) => {
			const all = (await register.reportLines({ clauseKey: key, allVersions: true })).filter((l) => l.month === '2026-10');
			expect(all.filter((l) => l.version === 1)).toHaveLength(2);
			expect(all.filter((l) => l.version === 2)).toHaveLength(2);
			expect(all.filter((l) => l.current).map((l) => l.version)).toEqual([2, 2]);
			const october = (await register.monthHours([key])).find((m) => m.month === '2026-10');
			expect([22, 25]).toContain(october?.hours);
			expect(october?.version).toBe(2);
			// Un accusé par relevé, consigné envoyé.
			const acks = (await register.messages()).filter((m) => m.key.startsWith('accuse|'));
			expect(acks.map((m) => m.status)).toEqual(['envoyé', 'envoyé']);
		});

		// Le relevé en vigueur, renvoyé tel quel : déjà reçu, pas de nouvelle version.
		const p01 = await withRegister(async (register) => (await register.reportLines({ clauseKey: key })).find((l) => l.month === '2026-10' && (l.data as IDataObject).participant === '031-9-P01'));
		const again = await intake(octobre(Number((p01?.data as IDataObject).heuresMois)));
		expect(again.items[0].json).toMatchObject({ statut: 'dejaRecu', versions: {} });
		await withRegister(async (register) => expect((await register.monthHours([key])).find((m) => m.month === '2026-10')?.version).toBe(2));
	});

	it('une correction garde l’ancienne version ; la relance compte les heures reçues', async () => {
		await fill(lot9(), lot9Lines());
		const declared = (items: INodeExecutionData[]) => (byClause(items)['2025-TRX-031/9'].json.decision as IDataObject).heuresDeclarees;
		const before = await reminder();
		expect(before.run.data.resultData.error).toBeUndefined();
		expect(declared(before.items)).toBe(216);
		expect((byClause(before.items)['2025-TRX-031/9'].json.decision as IDataObject).statut).toMatch(/^releveManquant/);

		const first = await intake(octobre(12), 'apercu');
		expect(first.items[0].json).toMatchObject({ statut: 'accepte', versionsRegistre: { '2026-10': 1 } });
		const after = await reminder();
		expect(declared(after.items)).toBe(238);

		// Correction : P01 passe de 12 h à 20 h ; P02, inchangé, reste.
		const corrected = await intake(octobre(20), 'apercu');
		expect(corrected.items[0].json).toMatchObject({ versionsRegistre: { '2026-10': 2 }, compte: { corrections: 1, dejaRecues: 1 } });
		expect(declared((await reminder()).items)).toBe(246);
		await withRegister(async (register) => {
			const lines = (await register.reportLines({ clauseKey: clauseKey({ marche: '2025-TRX-031', lot: '9' }), allVersions: true })).filter((l) => l.month === '2026-10');
			const hours = (version: number) => lines.filter((l) => l.version === version).map((l) => (l.data as IDataObject).heuresMois);
			expect(hours(1)).toEqual([12, 10]);
			expect(hours(2).sort()).toEqual([10, 20]);
			expect(lines.filter((l) => l.version === 1).every((l) => !l.current)).toBe(true);
		});
	});

	it('relevé d’une clause absente du registre : refusé, rien d’écrit', async () => {
		await fill(lot9(), []);
		const run = await intake([{ ...octobre(12)[0], marche: '2099-XXX-001' }], 'apercu');
		expect(run.items[0].json).toMatchObject({ statut: 'refuse' });
		await withRegister(async (register) => expect(await register.reportLines()).toEqual([]));
	});

	it('mise en demeure envoyée, consignée au registre : après l’échéance, la notification est proposée sans rien recopier', async () => {
		await fill(sample('clauses-a-solder.json'), sample('releves-a-solder.json'));
		const penalty = (mode: string, dateAvis: string) =>
			runNode(
				node('clausePenalty', {
					mode,
					dateAvis,
					emetteur: 'Région Val-d’Argent\nDirection de la commande publique',
					signature: 'La directrice de la commande publique',
					options: { debitParSeconde: 0, envoiSansRevue: true },
				}),
				[{}],
				{ credentials: credentials() },
			);
		today('2026-11-23');
		const sent = await penalty('envoyer', '2026-11-23');
		expect(sent.run.data.resultData.error).toBeUndefined();
		const med = byClause(sent.items)['2025-PI-011/2'].json;
		expect(med).toMatchObject({ etape: 'miseEnDemeure', ligneRegistre: null });
		expect(med.envoi).toMatchObject({ statut: 'envoyé', registre: { consignee: true, version: 1 } });
		const key = `${clauseKey({ marche: '2025-PI-011', lot: '2' })}|miseEnDemeure|fin`;
		await withRegister(async (register) => {
			const step = await register.get('penalite', key);
			expect(step?.data).toMatchObject({ etape: 'miseEnDemeure', date: '2026-11-23', dateEnvoi: '2026-11-23', echeanceMiseEnDemeure: '2026-12-08', montantHT: 7800, statutEnvoi: 'envoyé' });
			expect((step?.data as IDataObject).messageId).toEqual(expect.any(String));
		});

		// Pendant le délai : en attente.
		today('2026-12-01');
		const waiting = await penalty('revue', '2026-12-01');
		expect(byClause(waiting.items)['2025-PI-011/2'].json).toMatchObject({ etape: 'attente', dateMiseEnDemeure: '2026-11-23', echeanceMiseEnDemeure: '2026-12-08' });

		// Après l'échéance : la notification suit.
		today('2026-12-10');
		const next = await penalty('revue', '2026-12-10');
		expect(byClause(next.items)['2025-PI-011/2'].json).toMatchObject({ etape: 'notification', dateMiseEnDemeure: '2026-11-23' });

		// Le bilan compte la mise en demeure consignée.
		const bilan = await runNode(node('clauseBilan', { debut: '2026-01', fin: '2026-12' }), [{}], { credentials: credentials() });
		expect(bilan.run.data.resultData.error).toBeUndefined();
		expect(bilan.items[0].json).toMatchObject({ lignesEnAnomalie: 0 });
		expect(Number(bilan.items[0].json.misesEnDemeure)).toBeGreaterThanOrEqual(1);
		const lot = bilan.output('Nœud testé', 1).find((v) => v.json.vue === 'parLot' && String(v.json.marche) === '2025-PI-011' && String(v.json.lot) === '2');
		expect(lot).toBeDefined();
	});
});
