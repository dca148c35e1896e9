/**
 * Bout en bout dans un vrai n8n (paquet communautaire, base SQLite de n8n,
 * registre des clauses SQLite par défaut), avec un vrai serveur SMTP local :
 * deux marchés d'un même titulaire aux heures mutualisées, l'un en retard,
 * l'autre en avance.
 * 1. Le groupe est déclaré par le nœud « Registre des clauses » ; la relance
 *    mensuelle, en envoi, ne relance personne et les avis de pénalité n'en
 *    proposent aucun : le groupe atteint l'obligation mutualisée.
 * 2. Le sous-traitant du marché en retard est déclaré ; son relevé d'octobre
 *    n'a pas de ligne : une relance part au titulaire et le nomme, une seule
 *    fois (une seconde exécution n'envoie rien de nouveau).
 */
import fs from 'node:fs';
import path from 'node:path';

import { Register, SqliteDatabase } from '../../nodes/adapters/register';
import { clauseKey } from '../../nodes/core';
import { local, outputOf, registerFile, useRealN8n } from '../helpers/real-n8n';

jest.setTimeout(600_000);

const COMMON = {
	siret: '73282932000074',
	titulaire: 'Bâtiments du Val',
	emailTitulaire: 'contact@batiments-val.example.test',
	heuresDues: 455,
	debutExecution: '2026-01-01',
	finExecution: '2026-12-31',
	facilitateur: 'PLIE du Val d’Argent',
	emailFacilitateur: 'plie@example.test',
	acheteur: 'Direction des lycées',
	emailAcheteur: 'lycees@region.example.test',
	montantHT: 600000,
};
const A = { marche: '2026-TRX-014', lot: '4', intitule: 'Gros œuvre', ...COMMON };
const B = { marche: '2026-TRX-020', lot: '1', intitule: 'Voirie', ...COMMON };
const DUPONT = { nom: 'Maçonnerie Dupont', siret: '41234567800012', role: 'sousTraitant' };
const YEAR = Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`);

const REGISTRE = { clausesRegistreApi: { id: 'ClsRegistreLocal', name: 'Registre des clauses de la Région' } };
const SMTP = { clausesSocialesSmtpApi: { id: 'ClsSmtpClauses01', name: 'SMTP clauses sociales de la Région' } };

interface Out {
	marche: string;
	lot: string;
	decision: Record<string, unknown>;
	envoi: { statut: string };
	etape: string;
	motif: string;
	mutualisation?: Record<string, unknown>;
}
const byClause = (items: Array<{ json: Record<string, unknown> }>) => Object.fromEntries(items.map((i) => [`${String(i.json.marche)}/${String(i.json.lot)}`, i.json as unknown as Out]));

interface WorkflowNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, unknown>;
}

/** Un workflow « Lancer maintenant → nœuds en chaîne », plus des branches directes depuis le déclencheur. */
function workflow(id: string, name: string, chain: WorkflowNode[], branches: WorkflowNode[] = []) {
	const trigger = { name: 'Lancer maintenant', type: 'n8n-nodes-base.manualTrigger', parameters: {} };
	const all = [trigger, ...chain, ...branches];
	const connections: Record<string, unknown> = {};
	const link = (from: string, to: string[]) => (connections[from] = { main: [to.map((node) => ({ node, type: 'main', index: 0 }))] });
	link(trigger.name, [chain[0].name, ...branches.map((b) => b.name)]);
	chain.slice(0, -1).forEach((node, i) => link(node.name, [chain[i + 1].name]));
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1', timezone: 'Europe/Paris' },
		nodes: all.map((node, i) => ({ id: `${id}-${i}`, typeVersion: 1, position: [i * 240, 300], ...node })),
		connections,
	};
}

const pkg = (type: string) => `n8n-nodes-clauses-sociales.${type}`;
const reminder: WorkflowNode = {
	name: 'Relance mensuelle',
	type: pkg('clauseReminder'),
	parameters: { mode: 'envoyer', dateReference: '2026-11-02', signature: 'La mission clauses sociales', options: { joindreModele: false, debitParSeconde: 0 } },
	credentials: { ...SMTP, ...REGISTRE },
};
const penalty: WorkflowNode = {
	name: 'Avis de pénalité',
	type: pkg('clausePenalty'),
	parameters: { mode: 'revue', dateAvis: '2027-01-20', tauxHoraire: 60, emetteur: 'Région Val-d’Argent', signature: 'La directrice de la commande publique' },
	credentials: REGISTRE,
};
const declarePool: WorkflowNode = {
	name: 'Déclarer le groupe',
	type: pkg('clauseRegister'),
	parameters: {
		operation: 'declarerMutualisation',
		groupe: 'BTP-VAL-2026',
		libelleGroupe: 'Heures mutualisées de Bâtiments du Val',
		perimetre: 'acheteur',
		fondement: 'CCAP, article 9.4',
		clausesGroupe: { clause: [A, B].map((c) => ({ marche: c.marche, lot: c.lot })) },
	},
	credentials: REGISTRE,
};
const declareDupont: WorkflowNode = {
	name: 'Déclarer le sous-traitant',
	type: pkg('clauseRegister'),
	parameters: { operation: 'declarerIntervenants', marcheIntervenants: A.marche, lotIntervenants: A.lot, intervenants: { entreprise: [DUPONT] } },
	credentials: REGISTRE,
};

describe('mutualisation des heures et sous-traitants (vrai n8n, registre SQLite)', () => {
	const instance = useRealN8n();

	async function importRun(definition: ReturnType<typeof workflow>) {
		const file = path.join(instance.layout.home, `${definition.id}.json`);
		fs.writeFileSync(file, JSON.stringify(definition, null, '\t'));
		const id = await local.importWorkflow(instance.layout, file);
		const run = await local.executeWorkflow(instance.layout, id);
		expect(run.data.resultData.error).toBeUndefined();
		expect(run.status).toBe('success');
		return run;
	}

	it('groupe à jour : ni relance ni pénalité ; sous-traitant sans ligne : une relance qui le nomme', async () => {
		// Registre : A à 25 h par mois (en retard), B à 60 h (en avance) ; le sous-traitant de A a une ligne à 0 h chaque mois sauf en octobre.
		const register = await Register.open(await SqliteDatabase.open({ file: registerFile(instance.layout) }));
		try {
			for (const clause of [A, B]) {
				await register.put('clause', clauseKey(clause), clause, 'essai');
				for (const mois of YEAR) {
					const lines: Array<Record<string, unknown>> = [{ marche: clause.marche, lot: clause.lot, mois, participant: `${clause.lot}-P1`, heuresMois: clause === A ? 25 : 60 }];
					if (clause === A && mois !== '2026-10') lines.push({ marche: clause.marche, lot: clause.lot, mois, heuresMois: 0, nomEmployeur: DUPONT.nom, siretEmployeur: DUPONT.siret, employeur: 'sousTraitant' });
					await register.recordReport(clauseKey(clause), mois, lines.map((l) => ({ hours: Number(l.heuresMois), data: l })), 'essai');
				}
			}
		} finally {
			await register.close();
		}

		// 1. Groupe déclaré : aucune relance, aucune pénalité.
		const first = await importRun(workflow('ClsMutualisati01', 'Mutualisation – groupe et relance', [declarePool, reminder], [penalty]));
		expect(outputOf(first, 'Déclarer le groupe')[0].json).toMatchObject({ groupe: 'BTP-VAL-2026', version: 1, etat: 'créé' });
		const relances = byClause(outputOf(first, 'Relance mensuelle'));
		expect(relances['2026-TRX-014/4'].decision).toMatchObject({ niveau: 'aucun', enRetard: false, mutualisation: { couverte: true } });
		expect(relances['2026-TRX-014/4'].envoi.statut).toBe('sans objet');
		expect(relances['2026-TRX-020/1'].envoi.statut).toBe('sans objet');
		const avis = byClause(outputOf(first, 'Avis de pénalité'));
		expect(avis['2026-TRX-014/4']).toMatchObject({ etape: 'aucune', mutualisation: { heuresCouvertes: 155 } });
		expect(avis['2026-TRX-014/4'].motif).toContain('Clause couverte par la mutualisation du groupe « Heures mutualisées de Bâtiments du Val » (CCAP, article 9.4)');
		expect(avis['2026-TRX-020/1'].etape).toBe('aucune');
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(instance.sink.mails).toHaveLength(0);

		// 2. Sous-traitant déclaré, sans ligne au relevé d'octobre : une relance au titulaire qui le nomme.
		const second = await importRun(workflow('ClsMutualisati02', 'Mutualisation – sous-traitant', [declareDupont, reminder]));
		expect(outputOf(second, 'Déclarer le sous-traitant')[0].json).toMatchObject({ version: 1, etat: 'créé' });
		await instance.sink.waitFor(1, 30000);
		expect(instance.sink.mails).toHaveLength(1);
		const [mail] = instance.sink.mails;
		expect(mail.envelope.to).toEqual([A.emailTitulaire]);
		expect(mail.parsed.subject).toBe('Clause sociale : relevé d’heures d’insertion à compléter – marché 2026-TRX-014, lot 4 (Gros œuvre)');
		const text = String(mail.parsed.text);
		expect(text).toContain('Votre relevé d’octobre 2026 ne comporte aucune ligne pour l’entreprise Maçonnerie Dupont (sous-traitant, SIRET 41234567800012), déclarée sur ce marché.');
		expect(text).toContain('l’obligation mutualisée est atteinte');
		expect(text).not.toContain('soit un retard');

		// Une seconde exécution n'envoie rien de nouveau.
		const third = await importRun(workflow('ClsMutualisati03', 'Mutualisation – relance rejouée', [reminder]));
		const again = outputOf(third, 'Relance mensuelle').find((i) => i.json.marche === A.marche)!;
		expect((again.json.envoi as Record<string, unknown>).statut).toBe('déjà envoyé');
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(instance.sink.mails).toHaveLength(1);
	});
});
