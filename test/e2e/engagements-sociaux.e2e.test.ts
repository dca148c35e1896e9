/**
 * Bout en bout : une action qualitative dans un vrai n8n (paquet
 * communautaire, base SQLite, registre SQLite par défaut), avec un vrai
 * serveur SMTP local. Le workflow livré « import du classeur de suivi » verse
 * les clauses d'exemple au registre ; un workflow composé comme le ferait un
 * utilisateur (« Configuration », l'engagement saisi dans un nœud Set,
 * « Registre des clauses » → « Enregistrer un engagement », « Engagements
 * sociaux » → « Suivre les engagements ») déclare une action qualitative dont
 * l'échéance est passée : elle reçoit une relance, puis, le délai de relance
 * écoulé, une mise en demeure ; une exécution de plus n'envoie rien.
 */
import fs from 'node:fs';
import path from 'node:path';

import { importSampleWorkbook, local, outputOf, registerFile, useRealN8n } from '../helpers/real-n8n';
import { Register, SqliteDatabase } from '../../nodes/adapters/register';

jest.setTimeout(600_000);

const assignment = (id: string, name: string, value: string, type = 'string') => ({ id, name, type, value });

/** Le workflow de l'essai, tel qu'un utilisateur le compose dans l'éditeur. */
function commitmentWorkflow() {
	const node = (id: number, name: string, type: string, typeVersion: number, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
		id: `7e4b2c10-0016-4a03-b000-00000000000${id}`,
		name,
		type,
		typeVersion,
		position: [id * 220, 300],
		parameters,
		...extra,
	});
	const link = (to: string) => ({ main: [[{ node: to, type: 'main', index: 0 }]] });
	return {
		id: 'ClsEngagements01',
		name: 'Clauses sociales – suivi des engagements (essai)',
		active: false,
		settings: { executionOrder: 'v1', timezone: 'Europe/Paris', saveManualExecutions: true },
		pinData: {},
		tags: [],
		nodes: [
			node(1, 'Lancer maintenant', 'n8n-nodes-base.manualTrigger', 1, {}),
			node(2, 'Configuration', 'n8n-nodes-base.set', 3.4, {
				mode: 'manual',
				includeOtherFields: false,
				assignments: { assignments: [assignment('c1', 'dateSuivi', '2027-07-02'), assignment('c2', 'mode', 'apercu')] },
			}),
			node(3, 'Engagement', 'n8n-nodes-base.set', 3.4, {
				mode: 'manual',
				includeOtherFields: false,
				assignments: {
					assignments: [
						assignment('e1', 'marche', '2025-TRX-031'),
						assignment('e2', 'lot', '20'),
						assignment('e3', 'numero', 'AQ-1'),
						assignment('e4', 'type', 'action qualitative'),
						assignment('e5', 'libelle', 'Organiser deux visites de chantier pour des demandeurs d’emploi'),
						assignment('e6', 'indicateur', 'visites organisées'),
						assignment('e7', 'echeances', '2027-06-30'),
					],
				},
			}),
			node(4, 'Déclarer l’engagement', 'n8n-nodes-clauses-sociales.clauseRegister', 1, { operation: 'declarerEngagement' }),
			node(
				5,
				'Suivre les engagements',
				'n8n-nodes-clauses-sociales.clauseCommitment',
				1,
				{ operation: 'suivre', mode: "={{ $('Configuration').first().json.mode }}", dateSuivi: "={{ $('Configuration').first().json.dateSuivi }}" },
				{ credentials: { clausesSocialesSmtpApi: { id: 'ClsSmtpClauses01', name: 'SMTP clauses sociales de la Région' } } },
			),
		],
		connections: {
			'Lancer maintenant': link('Configuration'),
			Configuration: link('Engagement'),
			Engagement: link('Déclarer l’engagement'),
			'Déclarer l’engagement': link('Suivre les engagements'),
		},
	};
}

interface Followed {
	marche: string;
	echeance: string;
	etat: string;
	etape: string | null;
	dateLimite?: string;
	envoi: { statut: string; messageId?: string };
}

describe('engagement social dans un vrai n8n : relance puis mise en demeure', () => {
	const instance = useRealN8n();

	it('une action qualitative dont l’échéance est passée reçoit une relance, puis une mise en demeure, une seule fois chacune', async () => {
		const { layout, sink } = instance;
		await importSampleWorkbook(layout);

		const file = path.join(layout.home, 'engagements-essai.json');
		fs.writeFileSync(file, JSON.stringify(commitmentWorkflow(), null, '\t'));
		const run = async (configuration: Record<string, unknown>) => {
			const id = await local.importWorkflow(layout, file, { configuration });
			const result = await local.executeWorkflow(layout, id);
			expect(result.data.resultData.error).toBeUndefined();
			expect(result.status).toBe('success');
			return outputOf(result, 'Suivre les engagements').map((i) => i.json as unknown as Followed);
		};

		// Aperçu : la relance est prête, rien ne part.
		const preview = await run({ dateSuivi: '2027-07-02', mode: 'apercu' });
		expect(preview).toEqual([expect.objectContaining({ marche: '2025-TRX-031', echeance: '2027-06-30', etat: 'à relancer', etape: 'relance', envoi: { statut: 'aperçu' } })]);

		// Le lendemain de l'échéance (et plus), sans justificatif : la relance part.
		const [relance] = await run({ dateSuivi: '2027-07-02', mode: 'envoyer' });
		expect(relance).toMatchObject({ etat: 'à relancer', etape: 'relance', envoi: { statut: 'envoyé' } });
		await sink.waitFor(1);
		const first = sink.mails.find((m) => m.parsed.messageId === relance.envoi.messageId)!;
		expect(first.parsed.subject).toBe('Engagement social à justifier – marché 2025-TRX-031, lot 20 – échéance du 30 juin 2027');
		expect(first.envelope.to.sort()).toEqual(['clauses@plie-val-argent.example.test', 'electricite-generale-niortai@example.test']);
		expect(first.parsed.text).toContain('« Organiser deux visites de chantier pour des demandeurs d’emploi » (action qualitative d’insertion)');

		// Le délai de relance écoulé, toujours sans justificatif : la mise en demeure part, acheteur en copie.
		const [demeure] = await run({ dateSuivi: '2027-07-17', mode: 'envoyer' });
		expect(demeure).toMatchObject({ etat: 'à mettre en demeure', etape: 'mise en demeure', dateLimite: '2027-08-01', envoi: { statut: 'envoyé' } });
		await sink.waitFor(2);
		const second = sink.mails.find((m) => m.parsed.messageId === demeure.envoi.messageId)!;
		expect(second.parsed.subject).toBe('Mise en demeure – engagement social non justifié – marché 2025-TRX-031, lot 20');
		expect(second.parsed.text).toContain('Par courriel du 2 juillet 2027, nous vous avons rappelé votre engagement');
		expect(second.parsed.text).toContain('au plus tard le 1er août 2027');
		expect(second.envelope.to).toContain('travaux-lycees@region-val-argent.example.test');

		// Une exécution de plus le même jour : rien de nouveau.
		const [again] = await run({ dateSuivi: '2027-07-17', mode: 'envoyer' });
		expect(again).toMatchObject({ etat: 'mis en demeure', envoi: { statut: 'rien à envoyer' } });
		await new Promise((r) => setTimeout(r, 500));
		expect(sink.mails).toHaveLength(2);

		// Au registre de l'instance : la fiche de l'engagement garde ses versions et ses étapes.
		const register = await Register.open(await SqliteDatabase.open({ file: registerFile(layout) }));
		try {
			const versions = await register.versions('engagement', '2025trx031/20#aq1');
			expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
			expect((versions[2].data as { etapes: Array<{ etape: string }> }).etapes.map((s) => s.etape)).toEqual(['relance', 'mise en demeure']);
		} finally {
			await register.close();
		}
	});
});
