/**
 * Nœud « Approbation (clauses sociales) » dans le moteur de n8n : l'exécution
 * est mise en attente (délai maximal, ou sans limite), la page est vérifiée
 * avant l'attente (erreur française qui nomme le paramètre), puis la reprise
 * telle que n8n la fait : par la décision (elle sort du nœud), ou à l'expiration
 * du délai (l'élément reçu sort tel quel, sans décision : rien n'est approuvé).
 * La page elle-même et ses requêtes GET et POST sont éprouvées dans un vrai n8n
 * (test/e2e/avis-penalite.e2e.test.ts, test/e2e/parcours-readme.e2e.test.ts).
 */
import type { IDataObject } from 'n8n-workflow';
import { WAIT_INDEFINITELY } from 'n8n-workflow';

import { approvalOutcome } from '../../nodes/core';
import { PACKAGE_NAME, runWorkflow, useItems } from '../helpers/engine';

const DAY = 24 * 3600 * 1000;

function workflow(parameters: IDataObject) {
	return {
		nodes: [
			{ id: 'a', name: 'Demande envoyée', type: 'harness.items', typeVersion: 1, position: [0, 0] as [number, number], parameters: { dataKey: useItems([{ json: { messageId: '<demande@region.example.test>' } }]) } },
			{
				id: 'b',
				name: 'Approbation de l’acheteur',
				type: `${PACKAGE_NAME}.clauseApproval`,
				typeVersion: 1,
				position: [220, 0] as [number, number],
				parameters: { titre: 'Approbation des avis de pénalité', resume: '={{ "2 avis : " + $json.messageId }}', details: '• Marché A : 10 €\n• Marché B : 20 €', ...parameters },
			},
		],
		connections: { 'Demande envoyée': { main: [[{ node: 'Approbation de l’acheteur', type: 'main' as const, index: 0 }]] } },
	};
}

describe('Approbation (clauses sociales), moteur de n8n', () => {
	it('met l’exécution en attente 6 jours par défaut ; l’élément reçu reste à l’entrée du nœud', async () => {
		const before = Date.now();
		const { run, error } = await runWorkflow(workflow({}));
		expect(error()).toBeUndefined();
		expect(run.status).toBe('waiting');
		expect(run.waitTill).toBeInstanceOf(Date);
		const wait = run.waitTill!.getTime() - before;
		expect(wait).toBeGreaterThanOrEqual(6 * DAY);
		expect(wait).toBeLessThan(6 * DAY + 60_000);
		expect(run.data.resultData.lastNodeExecuted).toBe('Approbation de l’acheteur');
		expect(run.data.executionData!.nodeExecutionStack[0].node.name).toBe('Approbation de l’acheteur');
	});

	it('durée en heures, ou attente sans limite', async () => {
		const before = Date.now();
		const hours = await runWorkflow(workflow({ duree: 2, unite: 'heures' }));
		expect(hours.run.waitTill!.getTime() - before).toBeGreaterThanOrEqual(2 * 3600 * 1000);
		expect(hours.run.waitTill!.getTime() - before).toBeLessThan(2 * 3600 * 1000 + 60_000);
		const unlimited = await runWorkflow(workflow({ limiterAttente: false }));
		expect(unlimited.run.waitTill).toEqual(WAIT_INDEFINITELY);
	});

	it('page invalide : erreur française qui nomme le paramètre, avant toute attente', async () => {
		const { run, error } = await runWorkflow(workflow({ titre: '  ' }));
		expect(run.status).not.toBe('waiting');
		expect(error('Approbation de l’acheteur')?.message).toBe('Page d’approbation invalide : « Titre de la page » : le titre de la page est vide.');
		const long = await runWorkflow(workflow({ details: 'x'.repeat(1001) }));
		expect(long.error('Approbation de l’acheteur')?.message).toBe('Page d’approbation invalide : « Détail (une ligne par élément) » : 1 000 caractères au plus par ligne.');
		const delay = await runWorkflow(workflow({ duree: 0 }));
		expect(delay.error('Approbation de l’acheteur')?.message).toBe('Délai d’attente invalide : « Durée maximale » : durée positive attendue.');
	});

	it('reprise par la décision : elle sort du nœud (décision, auteur, heure)', async () => {
		const waiting = await runWorkflow(workflow({}));
		const outcome = approvalOutcome({ decision: 'refuser', nom: 'Claire Martin', commentaire: 'À revoir' }, new Date('2026-12-07T09:00:00Z'));
		const resumed = await runWorkflow(workflow({}), { resumeFrom: { run: waiting.run, decision: [[{ json: { ...outcome } }]] } });
		expect(resumed.run.status).toBe('success');
		expect(resumed.output('Approbation de l’acheteur').map((i) => i.json)).toEqual([
			{ decision: 'refusé', approuve: false, decidePar: 'Claire Martin', commentaire: 'À revoir', decideLe: '2026-12-07T09:00:00.000Z' },
		]);
	});

	it('délai expiré : l’élément reçu sort tel quel, sans décision (rien n’est approuvé)', async () => {
		const waiting = await runWorkflow(workflow({}));
		const resumed = await runWorkflow(workflow({}), { resumeFrom: { run: waiting.run } });
		expect(resumed.run.status).toBe('success');
		const out = resumed.output('Approbation de l’acheteur').map((i) => i.json);
		expect(out).toEqual([{ messageId: '<demande@region.example.test>' }]);
		expect(out[0]).not.toHaveProperty('decision');
	});
});
