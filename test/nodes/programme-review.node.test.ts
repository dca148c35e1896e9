/**
 * Revue annuelle de la programmation, par les nœuds tels que n8n les charge :
 * étude de faisabilité sur le fichier de programmation, puis rapport avec la
 * revue (portefeuille, facilitateurs, marchés à justifier).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject } from 'n8n-workflow';

import { PACKAGE_ROOT, runNode } from '../helpers/engine';
import { readWorkbook } from '../helpers/workbooks';

const SAMPLE = path.join(PACKAGE_ROOT, 'workflows', 'donnees-exemple');
const facilitateurs = fs.readFileSync(path.join(SAMPLE, 'facilitateurs.json'), 'utf8');
const lots: IDataObject[] = [
	...JSON.parse(fs.readFileSync(path.join(SAMPLE, 'lots-consultation.json'), 'utf8')),
	{ marche: '2027-FCS-001', objet: 'Fourniture d’ordinateurs portables pour les lycéens', lot: '1', nature: 'fournitures', montantHT: 2400000, dureeMois: 36, lieuExecution: 'Niort (79)' },
];

describe('revue annuelle de la programmation (nœuds)', () => {
	it('étude de faisabilité puis rapport : portefeuille, charge des facilitateurs, marchés à justifier', async () => {
		const study = await runNode({ type: 'clauseFeasibility', parameters: { facilitateurs, dateEtude: '2026-11-23' } }, lots.map((json) => ({ json })));
		expect(study.items).toHaveLength(lots.length);
		const report = await runNode({ type: 'clauseStudyReport', parameters: { revueProgrammation: true, heuresParEtpFacilitateur: 50000, region: 'Région Val-d’Argent' } }, study.items.map((i) => ({ json: i.json })));
		const json = report.items[0].json;
		const revue = json.revue as IDataObject & { parFacilitateur: Array<{ facilitateur: string; heures: number; chargeEtpFacilitateur: number }> };
		expect(revue).toMatchObject({ fichier: 'revue-programmation-5-marches-2026-11-23.xlsx', marches: 5, aJustifier: ['2027-FCS-001'] });
		for (const f of revue.parFacilitateur) expect(f.chargeEtpFacilitateur).toBeCloseTo(f.heures / 50000, 3);
		expect(revue.parFacilitateur.reduce((s, f) => s + f.heures, 0)).toBeCloseTo(Number(revue.heures), 2);
		expect(Number(revue.heures)).toBeCloseTo(Number(json.heuresARetenir), 2);
		const wb = await readWorkbook(Buffer.from(report.items[0].binary!.revue.data, 'base64'));
		expect(wb.worksheets.map((w) => w.name)).toEqual(['Synthèse', 'Portefeuille', 'Par facilitateur', 'À justifier', 'Paramètres et sources']);
		expect(wb.getWorksheet('À justifier')!.getCell('A4').value).toBe('2027-FCS-001');
		expect(String(wb.getWorksheet('Paramètres et sources')!.getCell('C2').value)).toContain('fiche n° 8 « clauses sociales »');
		// Sans l'option : pas de revue, le rapport d'étude seul.
		const plain = await runNode({ type: 'clauseStudyReport', parameters: {} }, study.items.map((i) => ({ json: i.json })));
		expect(plain.items[0].json.revue).toBeNull();
		expect(Object.keys(plain.items[0].binary!)).toEqual(['data']);
	});
});
