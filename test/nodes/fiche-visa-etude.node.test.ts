/**
 * La fiche visa préremplie par l'étude (nœud « Fiche visa », opération
 * « Générer la fiche préremplie par l’étude »), sur le moteur de n8n : une
 * fiche par marché, dont le contrôle relit les heures, les mécanismes et le
 * facilitateur de l'étude sans ressaisie ; restent à remplir les seuls champs
 * que l'étude ne connaît pas.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { runNode } from '../helpers/engine';
import { sampleStudyItems } from '../helpers/study-items';

let study: INodeExecutionData[];
beforeAll(async () => {
	study = await sampleStudyItems();
}, 60000);

describe('fiche visa préremplie par l’étude', () => {
	it('une fiche par marché ; relue par le contrôle, ses lots portent les heures et le facilitateur de l’étude', async () => {
		const out = await runNode({ type: 'ficheVisa', parameters: { operation: 'preremplirEtude' } }, study);
		expect(out.error()).toBeUndefined();
		expect(out.items.map((i) => i.json.marche)).toEqual(['2026-TRX-014', '2026-SRV-031', '2026-SRV-040', '2026-PI-007']);
		const trx = out.items[0];
		expect(trx.json.fichier).toBe('fiche-visa-2026-TRX-014.xlsx');
		expect(trx.pairedItem).toHaveLength(8);
		expect(trx.json.champs).toMatchObject({ reference: '2026-TRX-014', etudeFaisabilite: 'oui', dateEtude: '2026-11-23', facilitateur: "PLIE du Val d'Argent", alloti: 'oui', considerationsDecp: ['Clause sociale'], penaliteParHeure: 60 });

		const checked = await runNode({ type: 'ficheVisa', parameters: { operation: 'valider', options: { dateControle: '2026-12-01' } } }, [{ json: {}, binary: trx.binary }]);
		expect(checked.error()).toBeUndefined();
		const result = checked.items[0].json;
		const fiche = result.fiche as IDataObject;
		const lots = fiche.lots as IDataObject[];
		const studied = study.filter((i) => i.json.marche === '2026-TRX-014').map((i) => (i.json.faisabilite as IDataObject).heuresRetenues);
		expect(lots.map((l) => l.heures ?? 0)).toEqual(studied);
		expect(lots[0]).toMatchObject({ numero: '1', intitule: 'Démolition – gros œuvre', mecanisme: 'clauseExecution', heures: 420 });
		expect(fiche).toMatchObject({ facilitateur: "PLIE du Val d'Argent", contactFacilitateur: 'clauses@plie-val-argent.example.test', etudeFaisabilite: true });
		// Aucune anomalie sur ce que l'étude a rempli : seuls restent les champs qu'elle ne connaît pas.
		const anomalies = result.anomalies as Array<{ champ: string }>;
		const fromStudy = ['lots', 'etudeFaisabilite', 'dateEtude', 'facilitateur', 'contactFacilitateur', 'considerationsDecp', 'reference', 'objet', 'montantEstimeHT'];
		expect(anomalies.filter((a) => fromStudy.some((f) => a.champ === f || a.champ.startsWith(`${f}[`) || a.champ.startsWith(`${f}.`)))).toEqual([]);
		expect(result.decision).not.toBe('VISÉ');
	}, 120000);

	it('sans lot étudié en entrée : erreur française qui dit quoi brancher', async () => {
		const out = await runNode({ type: 'ficheVisa', parameters: { operation: 'preremplirEtude' } }, [{ marche: '2026-TRX-014' }]);
		expect((out.error('Nœud testé') as { message: string }).message).toBe('Aucun lot étudié dans les éléments d’entrée : la fiche ne peut pas être préremplie');
	}, 60000);
});
