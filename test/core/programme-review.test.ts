/**
 * Revue annuelle de la programmation : l'étude de faisabilité passée sur tout un
 * fichier de programmation, lue comme un portefeuille (considérations par
 * marché, heures et charge par facilitateur, marchés au-delà du seuil européen
 * sans condition d'exécution sociale).
 */
import fs from 'node:fs';
import path from 'node:path';

import type { Lot, StudyRow } from '../../nodes/core';
import { DEFAULT_HOURS_PER_FACILITATOR_FTE, FeasibilityStudy, LOT_READER, marketTotals, parseFeasibilitySettings, parseProgrammeReviewSettings, readRecord, reviewProgramme } from '../../nodes/core';

const SAMPLE = path.join(__dirname, '..', '..', 'workflows', 'donnees-exemple');
const FACILITATEURS = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'facilitateurs.json'), 'utf8'));

function studyRows(raws: Array<Record<string, unknown>>): StudyRow[] {
	const lots: Lot[] = raws.map((raw, i) => readRecord(LOT_READER, raw, `lot ${i + 1}`));
	const study = new FeasibilityStudy(parseFeasibilitySettings({ dateEtude: '2026-11-23', facilitateurs: FACILITATEURS }), marketTotals(lots));
	return lots.map((lot, i) => ({ marche: lot.marche, objet: lot.objet, lot: lot.lot, montantHT: lot.montantHT, faisabilite: study.study({ lot, where: `lot ${i + 1}` }) }));
}

describe('revue annuelle de la programmation', () => {
	const programme: Array<Record<string, unknown>> = [
		...JSON.parse(fs.readFileSync(path.join(SAMPLE, 'lots-consultation.json'), 'utf8')),
		// Fournitures au-delà du seuil européen, sans main-d'œuvre : aucune condition d'exécution sociale, à justifier.
		{ marche: '2027-FCS-001', objet: 'Fourniture d’ordinateurs portables pour les lycéens', lot: '1', nature: 'fournitures', montantHT: 2400000, dureeMois: 36, lieuExecution: 'Niort (79)' },
		// Sous le seuil de l'étude : rien à porter.
		{ marche: '2027-SRV-002', objet: 'Traduction de documents', lot: '1', nature: 'services', montantHT: 45000, dureeMois: 12, lieuExecution: 'Poitiers (86)' },
	];
	const review = reviewProgramme(studyRows(programme), parseProgrammeReviewSettings({}));

	it('un marché par ligne, avec ses considérations et ses heures ; les marchés au-delà du seuil européen sans condition d’exécution sociale à justifier', () => {
		expect(review.totaux.marches).toBe(6);
		const market = (m: string) => review.marches.find((r) => r.marche === m)!;
		expect(market('2026-TRX-014')).toMatchObject({ considerations: expect.stringContaining('Clause sociale'), conditionExecutionSociale: true, aJustifier: false });
		expect(market('2026-TRX-014').heures).toBeGreaterThan(0);
		expect(market('2027-FCS-001')).toMatchObject({ seuilEuropeenDepasse: true, conditionExecutionSociale: false, aJustifier: true, heures: 0 });
		expect(market('2027-SRV-002')).toMatchObject({ considerations: 'Pas de considération sociale', aJustifier: false, seuilEuropeenDepasse: false });
		expect(review.aJustifier.map((m) => m.marche)).toEqual(review.marches.filter((m) => m.seuilEuropeenDepasse && !m.conditionExecutionSociale).map((m) => m.marche));
		expect(review.aJustifier.map((m) => m.marche)).toContain('2027-FCS-001');
	});

	it('heures par facilitateur et charge en ETP de facilitateur (600 000 h pour 5,5 ETP par défaut)', () => {
		expect(DEFAULT_HOURS_PER_FACILITATOR_FTE).toBe(109091);
		const total = review.parFacilitateur.reduce((s, f) => s + f.heures, 0);
		expect(total).toBeCloseTo(review.totaux.heures, 2);
		for (const f of review.parFacilitateur) {
			expect(f.chargeEtpFacilitateur).toBeCloseTo(f.heures / 109091, 3);
			expect(f.etpInsertion).toBeCloseTo(f.heures / 1607, 2);
		}
		const custom = reviewProgramme(studyRows(programme), parseProgrammeReviewSettings({ heuresParEtpFacilitateur: 20000 }));
		expect(custom.totaux.chargeEtpFacilitateur).toBeCloseTo(custom.totaux.heures / 20000, 3);
	});

	it('1 000 marchés : un par ligne, facilitateurs sommés (le temps est mesuré par le banc, hors de jest)', () => {
		const big = Array.from({ length: 1000 }, (_, m) => ({ ...programme[m % 12], marche: `2027-M-${m}`, lot: '1' }));
		const result = reviewProgramme(studyRows(big), parseProgrammeReviewSettings({}));
		expect(result.totaux.marches).toBe(1000);
		expect(result.parFacilitateur.reduce((s, f) => s + f.marches, 0)).toBeGreaterThanOrEqual(result.marches.filter((m) => m.heures > 0).length);
	});
});
