import { runNode } from '../helpers/engine';

describe('nœud Calibrage des heures, exécuté par le moteur de n8n', () => {
	it('calcule les heures du lot avec la formule standard (exemple Maison de l’emploi Sud 77)', async () => {
		const result = await runNode({ type: 'clauseCalibration' }, [
			{ marche: '2026-017', lot: '1', nature: 'travaux', montantHT: 1_000_000, tauxMainOeuvre: 50 },
		]);
		expect(result.error()).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const calibrage = result.items[0].json.calibrage as Record<string, unknown>;
		expect(calibrage.heures).toBe(833);
		expect(calibrage.methode).toBe('standard');
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
	});
});
