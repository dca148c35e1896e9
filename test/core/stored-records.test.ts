import {
	AnomalyError,
	lotWithVisa,
	marketWithLot,
	mergeImportedClause,
	mergeStudy,
	storedClause,
	storedFields,
	storedLot,
	storedMarket,
	storedReportLine,
	usePlausibilityBounds,
	PLAUSIBILITY_BOUNDS,
	boundsWith,
} from '../../nodes/core';
import { sampleFollowUp } from './support';

const { clauses } = sampleFollowUp();

/** Une fiche telle qu'une version plus récente l'aurait écrite : des champs que ce code ne connaît pas, en haut et plus bas. */
const fromNewerVersion = { champFutur: { niveau: 2, liste: ['a'] }, autreChamp: 'gardé' };

describe('fiches relues au registre', () => {
	afterEach(() => usePlausibilityBounds(PLAUSIBILITY_BOUNDS));

	it('clause : validée, rendue telle qu’elle est gardée ; la fusion d’une notification ou d’un import n’en perd aucun champ', () => {
		const data = JSON.parse(JSON.stringify({ ...clauses[0], dateNotification: '2026-02-01', ...fromNewerVersion }));
		const current = storedClause({ kind: 'clause', key: 'k', data });
		expect(current).toBe(data);
		const imported = { ...clauses[0], titulaire: 'Nouveau titulaire' };
		const merged = mergeImportedClause(current, imported);
		expect(merged).toMatchObject({ ...fromNewerVersion, dateNotification: '2026-02-01', titulaire: 'Nouveau titulaire' });
	});

	it('lot : les champs inconnus, même dans l’étude, restent à la fusion d’une étude ou d’une fiche visa', () => {
		const etude = {
			decision: 'clause',
			decisionLibelle: 'Clause recommandée',
			mecanismes: [{ code: 'insertion', libelle: 'Insertion', base: 'art. L2112-2', option: false, champFutur: 'gardé' }],
			heuresRetenues: 420,
			origineHeures: 'calibrage',
			justification: 'j',
			dateEtude: '2026-01-10',
			champFuturEtude: true,
		};
		const data = { marche: 'M-1', lot: '1', intitule: 'x'.repeat(800), montantHT: 1200, etude, ...fromNewerVersion };
		const current = storedLot({ kind: 'lot', key: 'm1|1', data });
		expect(current).toBe(data);
		const visa = { decision: 'VISÉ' as const, date: '2026-03-01', anomalies: 0, refus: 0, aCompleter: 0, observations: 0 };
		const withVisa = lotWithVisa(current, 'M-1', { lot: '1' }, visa);
		expect(withVisa).toMatchObject({ ...fromNewerVersion, visa, etude: { champFuturEtude: true, mecanismes: [expect.objectContaining({ champFutur: 'gardé' })] } });
		expect(mergeStudy(current, { marche: 'M-1', lot: '1', heures: 500 })).toMatchObject({ ...fromNewerVersion, heures: 500 });
		expect(storedLot(undefined)).toBeUndefined();
	});

	it('marché sans liste de lots (repris de la feuille « Marchés ») : lu, complété du lot étudié, ses autres champs gardés', () => {
		const market = storedMarket({ kind: 'marche', key: 'm1', data: { marche: 'M-1', objet: 'Voirie', dateNotification: '2026-01-05' } });
		expect(marketWithLot(market, { marche: 'M-1', lot: '2' }, {})).toEqual({ marche: 'M-1', lots: ['2'], objet: 'Voirie', dateNotification: '2026-01-05' });
	});

	it('une clause aux heures relevées par une option reste lisible, la borne par défaut rétablie', () => {
		usePlausibilityBounds(boundsWith({ heuresDues: 10 }));
		const data = { ...clauses[0], heuresDues: 5_000 };
		expect(storedClause({ kind: 'clause', key: 'k', data })).toBe(data);
	});

	it('fiche d’une autre forme : erreur française qui nomme la fiche et le champ', () => {
		const read = () => storedClause({ kind: 'clause', key: 'm1|1', data: { ...clauses[0], heuresDues: 'beaucoup' } });
		expect(read).toThrow(AnomalyError);
		expect(read).toThrow(/^Fiche « clause » m1\|1 du registre des clauses, heures d’insertion dues/);
		try {
			read();
		} catch (error) {
			expect((error as AnomalyError).anomalies[0]).toMatchObject({ champ: 'heuresDues' });
		}
		expect(() => storedLot({ kind: 'lot', key: 'l', data: { marche: 'M-1' } })).toThrow(/Fiche « lot » l du registre/);
		expect(() => storedFields({ kind: 'penalite', key: 'p', data: 'texte' })).toThrow(AnomalyError);
		expect(() => storedReportLine({ kind: 'relevé', key: 'r', data: { marche: 'M-1', lot: '1' } })).toThrow(AnomalyError);
	});

	it('fiche quelconque : toutes ses clés gardées', () => {
		const data = { etape: 'miseEnDemeure', ...fromNewerVersion };
		expect(storedFields({ kind: 'penalite', key: 'p', data })).toEqual(data);
		expect(storedFields(undefined)).toBeUndefined();
	});
});
