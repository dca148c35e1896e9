import type { BilanAccumulator } from '../../nodes/core';
import {
	AnomalyError,
	AnomalyLog,
	BILAN_VIEWS,
	BilanAccumulator as Accumulator,
	addBilanItems,
	bilanFileNames,
	bilanViewRows,
	parseBilanSettings,
	readRecord,
	REPORT_LINE_READER,
} from '../../nodes/core';
import { sampleFollowUp } from './support';

const { registre, releves, clauses } = sampleFollowUp();

const anomaly = (n: number) => ({ gravite: 'erreur' as const, champ: 'c', libelle: 'l', ou: `ligne ${n}`, message: 'm', correction: 'c', regle: 'r' });

/** Un calcul de bilan qui garde ce qu'on lui passe, dans l'ordre. */
function recorder() {
	const calls: Array<[string, Record<string, unknown>]> = [];
	const acc = {
		addClause: (c: Record<string, unknown>) => calls.push(['clause', c]),
		addLine: (l: Record<string, unknown>) => calls.push(['ligne', l]),
		addPenalty: (p: Record<string, unknown>) => calls.push(['penalite', p]),
		addMarket: (m: Record<string, unknown>) => calls.push(['marche', m]),
	};
	// Seules ces quatre méthodes sont appelées par addBilanItems.
	return { calls, acc: acc as unknown as BilanAccumulator };
}

describe('bilan : anomalies gardées pour le rapport', () => {
	it('compte chaque donnée écartée, garde au plus le maximum d’anomalies', () => {
		const log = new AnomalyLog(3);
		log.note(new AnomalyError([anomaly(1), anomaly(2)]));
		log.note(new Error('registre injoignable'));
		log.note(new AnomalyError([anomaly(3), anomaly(4)]));
		log.note(new AnomalyError([anomaly(5)]));
		expect(log.count).toBe(4);
		expect(log.anomalies.map((a) => a.ou)).toEqual(['ligne 1', 'ligne 2', 'ligne 3']);
		expect(new AnomalyLog().anomalies).toEqual([]);
	});
});

describe('bilan : éléments d’entrée', () => {
	it('reconnaît clause, ligne de relevé, pénalité (aussi « penalites.total ») et marché ; note les doublons et les erreurs ; ignore le reste', () => {
		const { calls, acc } = recorder();
		const log = new AnomalyLog();
		const line = releves[0];
		addBilanItems(
			acc,
			[
				{ json: registre[0], where: 'élément 1' },
				{ json: line, where: 'élément 2' },
				{ json: { ...registre[0], objet: 'copie' }, where: 'élément 3' },
				{ json: { marche: 'M-1', lot: '1', etape: 'notifiée', penalites: { total: 1200 } }, where: 'élément 4' },
				{ json: { marche: 'M-2', nature: 'travaux' }, where: 'élément 5' },
				{ json: { ...line, heuresMois: 'beaucoup' }, where: 'élément 6' },
				{ json: { commentaire: 'sans rapport' }, where: 'élément 7' },
			],
			log.note,
		);
		expect(calls.map(([kind]) => kind)).toEqual(['clause', 'ligne', 'penalite', 'marche']);
		expect(calls[0][1]).toMatchObject({ marche: clauses[0].marche, lot: clauses[0].lot });
		expect(calls[2][1]).toMatchObject({ marche: 'M-1', lot: '1', montant: 1200 });
		expect(log.count).toBe(2);
		expect(log.anomalies[0]).toMatchObject({ ou: 'élément 3', regle: 'clause.doublon', message: expect.stringContaining('déjà présent (élément 1)') });
		expect(log.anomalies[1]).toMatchObject({ ou: expect.stringContaining('élément 6'), champ: 'heuresMois' });
	});
});

describe('bilan : fichiers et vues', () => {
	it('nomme le classeur et le document pour les élus', () => {
		expect(bilanFileNames('', { debut: '2026-01', fin: '2026-12' })).toEqual({ xlsx: 'bilan-clauses-sociales-2026-01-2026-12.xlsx', pdf: 'bilan-elus-clauses-sociales-2026-01-2026-12.pdf' });
		expect(bilanFileNames(' bilan-2026 ', { debut: '2026-01', fin: '2026-12' })).toEqual({ xlsx: 'bilan-2026.xlsx', pdf: 'bilan-elus-2026.pdf' });
		expect(bilanFileNames('rapport annuel.xlsx', { debut: '2026-01', fin: '2026-12' })).toEqual({ xlsx: 'rapport annuel.xlsx', pdf: 'rapport annuel.pdf' });
	});

	it('une ligne par rangée de chaque vue, dans l’ordre des vues, avec la vue et la période', () => {
		const acc = new Accumulator(parseBilanSettings({ debut: '2026-01', fin: '2026-12' }));
		for (const c of clauses) acc.addClause(c);
		for (const l of releves) acc.addLine(readRecord(REPORT_LINE_READER, l, 'ligne'));
		const bilan = acc.result();
		const rows = bilanViewRows(bilan);
		const expected = BILAN_VIEWS.flatMap((vue) => bilan[vue].map((row) => ({ vue, periode: '2026-01/2026-12', ...row })));
		expect(rows).toEqual(expected);
		expect(rows.length).toBeGreaterThan(BILAN_VIEWS.length);
		expect(new Set(rows.map((r) => r.vue))).toContain('parMarche');
		expect(rows.some((r) => r.vue === 'mutualisation')).toBe(false);
	});
});
