/**
 * Bout en bout dans un vrai n8n (paquet communautaire, base SQLite de n8n,
 * registre des clauses SQLite par défaut), avec un vrai serveur SMTP local :
 * deux marchés d'un même titulaire aux heures mutualisées, l'un en retard,
 * l'autre en avance.
 * 1. Le groupe est enregistré par le nœud « Registre des clauses » ; la
 *    relance mensuelle et les avis de pénalité, en envoi, n'envoient rien : le
 *    groupe atteint l'obligation mutualisée. Contre-épreuve dans la même
 *    exécution : sans la mutualisation, le marché en retard serait relancé et
 *    mis en demeure.
 *    Le bilan annuel du registre montre le groupe à jour : l'obligation
 *    mutualisée, la part de chaque marché, le marché en retard « couvert par la
 *    mutualisation » (classeur relu, texte du document des élus).
 * 2. Le sous-traitant du marché en retard est enregistré ; son relevé
 *    d'octobre n'a pas de ligne : une relance part au titulaire et le nomme,
 *    une seule fois (une seconde exécution n'envoie rien de nouveau).
 * Les comptes portent sur ce que le serveur SMTP a réellement reçu.
 */
import fs from 'node:fs';
import path from 'node:path';

import ExcelJS from 'exceljs';

import { Register, SqliteDatabase } from '../../nodes/adapters/register';
import { clauseKey } from '../../nodes/core';
import { POOL_HOLDER } from '../helpers/mutualisation';
import { local, outputOf, registerFile, useRealN8n } from '../helpers/real-n8n';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pdfLayoutText } = require('../helpers/pdf-info.cjs') as { pdfLayoutText(file: string): string };

jest.setTimeout(600_000);

const COMMON = POOL_HOLDER;
const A = { marche: '2026-TRX-014', lot: '4', intitule: 'Gros œuvre', ...COMMON };
const B = { marche: '2026-TRX-020', lot: '1', intitule: 'Voirie', ...COMMON };
const DUPONT = { nom: 'Maçonnerie Dupont', siret: '41234567800012', role: 'sousTraitant' };
const YEAR = Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`);

const REGISTRE = { clausesRegistreApi: { id: 'ClsRegistreLocal', name: 'Registre des clauses de la Région' } };
const SMTP = { clausesSocialesSmtpApi: { id: 'ClsSmtpClauses01', name: 'SMTP clauses sociales de la Région' } };

type Json = Record<string, unknown>;
const byClause = (items: Array<{ json: Json }>) => Object.fromEntries(items.map((i) => [`${String(i.json.marche)}/${String(i.json.lot)}`, i.json]));

interface WorkflowNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, unknown>;
}

/** Un workflow « Lancer maintenant → nœuds en chaîne » : l'ordre d'exécution est celui de la chaîne. */
function workflow(id: string, name: string, chain: WorkflowNode[]) {
	const trigger = { name: 'Lancer maintenant', type: 'n8n-nodes-base.manualTrigger', parameters: {} };
	const all = [trigger, ...chain];
	const connections: Record<string, unknown> = {};
	all.slice(0, -1).forEach((node, i) => (connections[node.name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] }));
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
const reminder = (name: string, mode: 'envoyer' | 'apercu', options: Json = {}): WorkflowNode => ({
	name,
	type: pkg('clauseReminder'),
	parameters: { mode, dateReference: '2026-11-02', signature: 'La mission clauses sociales', options: { joindreModele: false, debitParSeconde: 0, ...options } },
	credentials: { ...SMTP, ...REGISTRE },
});
const penalty = (name: string, mode: 'envoyer' | 'revue', options: Json = {}): WorkflowNode => ({
	name,
	type: pkg('clausePenalty'),
	parameters: {
		mode,
		dateAvis: '2027-01-20',
		tauxHoraire: 60,
		emetteur: 'Région Val-d’Argent',
		signature: 'La directrice de la commande publique',
		// Envoi sans revue : si la mutualisation ne jouait pas, la mise en demeure partirait.
		options: { envoiSansRevue: true, debitParSeconde: 0, ...options },
	},
	credentials: { ...SMTP, ...REGISTRE },
});
const declarePool: WorkflowNode = {
	name: 'Enregistrer le groupe',
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
	name: 'Enregistrer le sous-traitant',
	type: pkg('clauseRegister'),
	parameters: { operation: 'declarerIntervenants', marcheIntervenants: A.marche, lotIntervenants: A.lot, intervenants: { entreprise: [DUPONT] } },
	credentials: REGISTRE,
};

describe('mutualisation des heures et sous-traitants (vrai n8n, registre SQLite, vrai serveur SMTP)', () => {
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

	/** Le serveur SMTP a fini de lire ce qui lui a été remis : un courriel en cours de lecture aurait le temps d'arriver. */
	const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));

	it('groupe à jour : ni relance ni pénalité ; sous-traitant sans ligne : une relance qui le nomme, une seule', async () => {
		// Registre : A à 25 h par mois (en retard), B à 60 h (en avance) ; le sous-traitant de A a une ligne à 0 h chaque mois sauf en octobre.
		const register = await Register.open(await SqliteDatabase.open({ file: registerFile(instance.layout) }));
		try {
			for (const clause of [A, B]) {
				await register.put('clause', clauseKey(clause), clause, 'essai');
				for (const mois of YEAR) {
					const lines: Json[] = [{ marche: clause.marche, lot: clause.lot, mois, participant: `${clause.lot}-P1`, heuresMois: clause === A ? 25 : 60 }];
					if (clause === A && mois !== '2026-10') lines.push({ marche: clause.marche, lot: clause.lot, mois, heuresMois: 0, nomEmployeur: DUPONT.nom, siretEmployeur: DUPONT.siret, employeur: 'sousTraitant' });
					await register.recordReport(clauseKey(clause), mois, lines.map((l) => ({ hours: Number(l.heuresMois), data: l })), 'essai');
				}
			}
		} finally {
			await register.close();
		}

		// 1. Groupe enregistré : aucune relance, aucune pénalité ; la contre-épreuve sans mutualisation relancerait et mettrait en demeure A.
		const first = await importRun(
			workflow('ClsMutualisati01', 'Mutualisation – groupe, relance et pénalités', [
				declarePool,
				reminder('Relance mensuelle', 'envoyer'),
				penalty('Avis de pénalité', 'envoyer'),
				reminder('Relance sans mutualisation', 'apercu', { mutualisation: false, lignesIntervenants: false }),
				penalty('Pénalités sans mutualisation', 'revue', { mutualisation: false }),
			]),
		);
		expect(outputOf(first, 'Enregistrer le groupe')[0].json).toMatchObject({ groupe: 'BTP-VAL-2026', version: 1, etat: 'créé', titulaire: 'Bâtiments du Val' });

		const relances = byClause(outputOf(first, 'Relance mensuelle'));
		expect(relances['2026-TRX-014/4']).toMatchObject({ decision: { niveau: 'aucun', enRetard: false, heuresDeclarees: 250, mutualisation: { couverte: true, heuresDeclareesGroupe: 600 + 250 } }, envoi: { statut: 'sans objet' } });
		expect(relances['2026-TRX-020/1']).toMatchObject({ decision: { niveau: 'aucun' }, envoi: { statut: 'sans objet' } });

		const avis = byClause(outputOf(first, 'Avis de pénalité'));
		expect(avis['2026-TRX-014/4']).toMatchObject({ etape: 'aucune', heures: { dues: 455, realisees: 300, manquantes: 0 }, mutualisation: { heuresCouvertes: 155, heuresRetenues: 0 }, envoi: { statut: 'sans objet' } });
		expect(String(avis['2026-TRX-014/4'].motif)).toContain('Clause couverte par la mutualisation du groupe « Heures mutualisées de Bâtiments du Val » (CCAP, article 9.4)');
		expect(avis['2026-TRX-020/1']).toMatchObject({ etape: 'aucune', envoi: { statut: 'sans objet' } });

		// Contre-épreuve : le même registre, la mutualisation désactivée.
		expect(byClause(outputOf(first, 'Relance sans mutualisation'))['2026-TRX-014/4']).toMatchObject({ decision: { niveau: 'relance1', enRetard: true }, envoi: { statut: 'aperçu' } });
		expect(byClause(outputOf(first, 'Pénalités sans mutualisation'))['2026-TRX-014/4']).toMatchObject({ etape: 'miseEnDemeure', heures: { manquantes: 155 } });

		await settle();
		expect(instance.sink.mails).toHaveLength(0);

		// Le bilan de l'année sur le registre : le groupe à jour, la part de chaque marché ; le classeur et le document des élus enregistrés par n8n.
		const output = instance.layout.output;
		const annual = await importRun(
			workflow('ClsMutualisati04', 'Mutualisation – bilan annuel', [
				{ name: 'Bilan des clauses sociales', type: pkg('clauseBilan'), parameters: { source: 'registre', debut: '2026-01', fin: '2026-12', titre: 'Bilan des clauses sociales 2026', region: 'Région Val-d’Argent', nomFichier: 'bilan-mutualisation-2026' }, credentials: REGISTRE },
				{ name: 'Enregistrer le bilan', type: 'n8n-nodes-base.readWriteFile', parameters: { operation: 'write', fileName: `=${output}/{{ $json.fichier }}`, dataPropertyName: 'data', options: {} } },
				{ name: 'Enregistrer le document des élus', type: 'n8n-nodes-base.readWriteFile', parameters: { operation: 'write', fileName: `=${output}/{{ $('Bilan des clauses sociales').first().json.documentElus.fichier }}`, dataPropertyName: 'pdf', options: {} } },
			]),
		);
		const [summary] = outputOf(annual, 'Bilan des clauses sociales');
		expect(summary.json).toMatchObject({ fichier: 'bilan-mutualisation-2026.xlsx', mutualisation: { groupesAJour: 1, groupesEnRetard: 0, heuresCouvertes: 155 }, documentElus: { fichier: 'bilan-elus-mutualisation-2026.pdf' } });
		const report = new ExcelJS.Workbook();
		await report.xlsx.readFile(path.join(output, 'bilan-mutualisation-2026.xlsx'));
		const sheet = report.getWorksheet('Mutualisation des heures')!;
		const row = (r: number) => (sheet.getRow(r).values as unknown[]).slice(1);
		// A : 300 h pour 455 dues (retard de 155 h, couvert) ; B : 720 h (avance de 265 h) ; le groupe : 1 020 h pour 910.
		expect(row(4).slice(0, 12)).toEqual(['Heures mutualisées de Bâtiments du Val', 'Bâtiments du Val', 'CCAP, article 9.4', '2026-TRX-014', '4', 'Direction des lycées', 455, 455, 300, -155, 0.2941, 'en retard de 155\u00a0h, couvert par la mutualisation']);
		expect(row(5).slice(3, 12)).toEqual(['2026-TRX-020', '1', 'Direction des lycées', 455, 455, 720, 265, 0.7059, 'en avance de 265\u00a0h']);
		expect(row(6).slice(3, 12)).toEqual(['Ensemble du groupe', undefined, undefined, 910, 910, 1020, 110, 1, 'à jour : obligation mutualisée atteinte']);
		const figures = new Map<unknown, unknown>();
		report.getWorksheet('Synthèse')!.eachRow((r) => figures.set(r.getCell(1).value, r.getCell(2).value));
		expect(figures.get('dont à jour (obligation mutualisée atteinte)')).toBe(1);
		expect(figures.get('Lots en retard sur leur part, couverts par la mutualisation')).toBe(1);
		// Le document des élus lu par pdftotext : la page de la mutualisation, ligne à ligne.
		const flat = pdfLayoutText(path.join(output, 'bilan-elus-mutualisation-2026.pdf')).replace(/\s+/g, ' ');
		expect(flat).toContain('Groupe « Heures mutualisées de Bâtiments du Val » : Bâtiments du Val (CCAP, article 9.4)');
		expect(flat).toMatch(/2026-TRX-014, lot 4 Direction des lycées 455 h 455 h 300 h −155 h couvert par la mutualisation/);
		expect(flat).toMatch(/Ensemble du groupe 910 h 910 h 1 020 h \+110 h à jour/);
		expect(flat).toContain('1 marché en retard sur sa propre part est couvert par l’avance des autres marchés de son groupe (155 h) : il n’est pas compté en retard dans ce bilan.');

		// 2. Sous-traitant enregistré, sans ligne au relevé d'octobre : une relance au titulaire qui le nomme.
		const second = await importRun(workflow('ClsMutualisati02', 'Mutualisation – sous-traitant', [declareDupont, reminder('Relance mensuelle', 'envoyer')]));
		expect(outputOf(second, 'Enregistrer le sous-traitant')[0].json).toMatchObject({ version: 1, etat: 'créé', titulaire: 'Bâtiments du Val' });
		const sent = byClause(outputOf(second, 'Relance mensuelle'));
		expect(sent['2026-TRX-014/4']).toMatchObject({ decision: { statut: 'releveIncomplet', niveau: 'relance1' }, envoi: { statut: 'envoyé' } });
		expect(sent['2026-TRX-020/1']).toMatchObject({ envoi: { statut: 'sans objet' } });
		await instance.sink.waitFor(1, 30000);
		await settle();
		expect(instance.sink.mails).toHaveLength(1);
		const [mail] = instance.sink.mails;
		expect(mail.parsed.messageId).toBe((sent['2026-TRX-014/4'].envoi as Json).messageId);
		// Le titulaire en destinataire, le facilitateur en copie : l'acheteur n'est pas dans l'enveloppe (première relance).
		expect([...mail.envelope.to].sort()).toEqual([A.emailTitulaire, A.emailFacilitateur].sort());
		expect(mail.parsed.subject).toBe('Clause sociale : relevé d’heures d’insertion à compléter – marché 2026-TRX-014, lot 4 (Gros œuvre)');
		const text = String(mail.parsed.text);
		expect(text).toContain('Votre relevé d’octobre 2026 ne comporte aucune ligne pour l’entreprise Maçonnerie Dupont (sous-traitant, SIRET 41234567800012), déclarée sur ce marché.');
		expect(text).toContain('l’obligation mutualisée est atteinte');
		expect(text).not.toContain('soit un retard');

		// Une seconde exécution n'envoie rien de nouveau.
		const third = await importRun(workflow('ClsMutualisati03', 'Mutualisation – relance rejouée', [reminder('Relance mensuelle', 'envoyer')]));
		expect(byClause(outputOf(third, 'Relance mensuelle'))['2026-TRX-014/4']).toMatchObject({ envoi: { statut: 'déjà envoyé' } });
		await settle();
		expect(instance.sink.mails).toHaveLength(1);
	});
});
