/**
 * Envois SMTP sous pannes, contre un serveur local qui les simule
 * (test/helpers/smtp-faults.ts) : chaque scénario dit ce que rapporte chaque
 * courriel (parti, refus temporaire ou définitif, non tenté) et ce que le
 * serveur a reçu. Un serveur muet ne coûte qu'un délai par exécution.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ICredentialTestFunctions, ICredentialsDecrypted, IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { SendOutcome, SmtpSettings } from '../../nodes/adapters';
import { Mailer } from '../../nodes/adapters';
import { clausesSocialesSmtpTest, smtpSettings } from '../../nodes/shared/smtp';
import type { FaultOptions } from '../helpers/smtp-faults';
import type { NodeUnderTest } from '../helpers/engine';
import { PACKAGE_ROOT, binaryItem, registerMessages, resetRegister, runNode } from '../helpers/engine';
import { filledReleve } from '../helpers/releves';
import { FaultSmtp, trustTestAuthority } from '../helpers/smtp-faults';
import { unusedPort } from '../helpers/smtp-sink';

const SAMPLE_DIR = path.join(PACKAGE_ROOT, 'workflows', 'donnees-exemple');
const REGISTRE: IDataObject[] = JSON.parse(fs.readFileSync(path.join(SAMPLE_DIR, 'registre-clauses.json'), 'utf8'));
const clauseOf = (marche: string, lot: string) => REGISTRE.find((c) => c.marche === marche && c.lot === lot) as unknown as Parameters<typeof filledReleve>[0];
/** Minuteries réelles sous une date simulée. */
const REAL_TIMERS = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const;

/** Réception des relevés, envoi des accusés : le classeur de suivi d'exemple et trois relevés de trois titulaires. */
function intakeNode(): NodeUnderTest {
	return {
		type: 'clauseReportIntake',
		parameters: { mode: 'envoyer', source: 'classeur', sourceReleves: 'fichiers', champsReleves: 'data', champRegistre: 'registre', dateReception: '2026-11-23', signature: 'La mission clauses sociales', options: { debitParSeconde: 0 } },
		credentials: { clausesSocialesSmtpApi: { id: 'smtp', name: 'SMTP' } },
	};
}
const INTAKE_FILES = [
	['releve-031-9.xlsx', 'accepte', 1],
	['releve-031-20.xlsx', 'accepte', 1],
	['releve-044-3.xlsx', 'accepte', 1],
];
async function intakeInput(): Promise<INodeExecutionData[]> {
	const releve = (marche: string, lot: string, participant: string) =>
		filledReleve(clauseOf(marche, lot), '2026-10', [{ participant, categoriePublic: 'Bénéficiaire du RSA', modalite: 'Embauche directe', typeContrat: 'CDD', heuresMois: 35 }]);
	return [
		{ json: { fichier: 'suivi-clauses.xlsx' }, binary: { registre: binaryItem(fs.readFileSync(path.join(SAMPLE_DIR, 'suivi-clauses.xlsx')), 'suivi-clauses.xlsx').binary!.data } },
		binaryItem(await releve('2025-TRX-031', '9', '031-9-P01'), 'releve-031-9.xlsx'),
		binaryItem(await releve('2025-TRX-031', '20', '031-20-P01'), 'releve-031-20.xlsx'),
		binaryItem(await releve('2025-TRX-044', '3', '044-3-P01'), 'releve-044-3.xlsx'),
	];
}

/** Avis de pénalité du classeur d'exemple des clauses à solder. */
function penaltyNode(parameters: IDataObject): NodeUnderTest {
	return {
		type: 'clausePenalty',
		parameters: { source: 'classeur', dateAvis: '2026-11-23', emetteur: 'Région Val-d’Argent\nDirection de la commande publique', signature: 'La directrice de la commande publique', ...parameters },
		credentials: { clausesSocialesSmtpApi: { id: 'smtp', name: 'SMTP' } },
	};
}

const RECIPIENTS = ['a@titulaire.example.test', 'b@titulaire.example.test', 'c@titulaire.example.test', 'd@titulaire.example.test'];

function settings(port: number, extra: Partial<SmtpSettings> = {}): SmtpSettings {
	return {
		host: '127.0.0.1',
		port,
		securite: 'aucune',
		expediteurEmail: 'clauses-sociales@region.example.test',
		delais: { connexionMs: 1000, accueilMs: 1000, inactiviteMs: 1500 },
		...extra,
	};
}

async function sendAll(s: SmtpSettings, recipients = RECIPIENTS): Promise<{ outcomes: SendOutcome[]; ms: number }> {
	const mailer = new Mailer(s);
	const started = Date.now();
	try {
		const outcomes = await Promise.all(recipients.map((to) => mailer.send({ to: [to], subject: 'Relance', text: 'Bonjour', html: '<p>Bonjour</p>' })));
		return { outcomes, ms: Date.now() - started };
	} finally {
		mailer.close();
	}
}

/** Résumé d'un envoi : « parti », ou le code et la nature du refus. */
const summary = (o: SendOutcome) => (o.ok ? 'parti' : `${o.code}:${o.temporaire ? 'temporaire' : 'définitif'}`);

interface Scenario {
	name: string;
	server?: FaultOptions;
	/** Client : mode de sécurité et autres réglages. */
	client?: Partial<SmtpSettings>;
	/** Autorité de test reconnue par le client. */
	trust?: boolean;
	expected: string[];
	/** Fragment du message du premier échec. */
	message?: string;
	/** Courriels reçus par le serveur. */
	delivered: number;
	/** Durée maximale de tout le lot (ms). */
	maxMs: number;
}

const SCENARIOS: Scenario[] = [
	{ name: 'serveur arrêté', expected: ['ECONNREFUSED:temporaire', 'NON_TENTE:temporaire', 'NON_TENTE:temporaire', 'NON_TENTE:temporaire'], message: 'injoignable (connexion refusée)', delivered: 0, maxMs: 2000 },
	{ name: '421 à l’accueil', server: { mode: 'accueil421' }, expected: Array(4).fill('SMTP 421:temporaire'), message: 'refus temporaire du serveur SMTP', delivered: 0, maxMs: 3000 },
	{ name: '450 pour un destinataire', server: { mode: 'ok', rcpt: { 'b@titulaire.example.test': 450 } }, expected: ['parti', 'SMTP 450:temporaire', 'parti', 'parti'], message: 'refus temporaire', delivered: 3, maxMs: 3000 },
	{ name: '550 pour un destinataire', server: { mode: 'ok', rcpt: { 'c@titulaire.example.test': 550 } }, expected: ['parti', 'parti', 'SMTP 550:définitif', 'parti'], message: 'refus définitif', delivered: 3, maxMs: 3000 },
	{ name: 'serveur muet : un seul délai d’accueil pour tout le lot', server: { mode: 'muet' }, expected: ['ETIMEDOUT:temporaire', 'NON_TENTE:temporaire', 'NON_TENTE:temporaire', 'NON_TENTE:temporaire'], message: 'ne se présente pas dans le délai d’accueil (1\u00a0s)', delivered: 0, maxMs: 2500 },
	{ name: 'serveur lent, dans les délais', server: { mode: 'lent', delayMs: 50 }, expected: Array(4).fill('parti'), delivered: 4, maxMs: 5000 },
	{ name: 'connexion coupée au milieu des données', server: { mode: 'coupeDonnees' }, expected: Array(4).fill('ECONNECTION:temporaire'), message: 'interrompue avant la fin de l’envoi', delivered: 0, maxMs: 5000 },
	{ name: 'serveur muet après DATA', server: { mode: 'muetApresDonnees' }, expected: ['ETIMEDOUT:temporaire', 'NON_TENTE:temporaire', 'NON_TENTE:temporaire', 'NON_TENTE:temporaire'], message: 'ne répond plus (délai d’inactivité de 1,5\u00a0s dépassé)', delivered: 0, maxMs: 3000 },
	{ name: 'TLS implicite demandé, serveur en clair', server: { mode: 'ok' }, client: { securite: 'tls' }, expected: ['ETLS:définitif', 'NON_TENTE:temporaire', 'NON_TENTE:temporaire', 'NON_TENTE:temporaire'], message: 'ne chiffre pas dès la connexion (il répond en clair) : choisissez la sécurité « STARTTLS »', delivered: 0, maxMs: 2500 },
	{ name: 'sans chiffrement, serveur en TLS implicite', server: { mode: 'ok', tls: 'valide' }, expected: ['ETIMEDOUT:temporaire', 'NON_TENTE:temporaire', 'NON_TENTE:temporaire', 'NON_TENTE:temporaire'], message: 'choisissez la sécurité « TLS implicite »', delivered: 0, maxMs: 2500 },
	{ name: 'certificat expiré', server: { mode: 'ok', tls: 'expire' }, client: { securite: 'tls', host: 'localhost' }, trust: true, expected: ['ETLS:définitif', 'NON_TENTE:temporaire', 'NON_TENTE:temporaire', 'NON_TENTE:temporaire'], message: 'le certificat TLS du serveur est expiré (localhost:', delivered: 0, maxMs: 2500 },
	{ name: 'certificat d’une autorité inconnue', server: { mode: 'ok', tls: 'valide' }, client: { securite: 'tls', host: 'localhost' }, expected: ['ETLS:définitif', 'NON_TENTE:temporaire', 'NON_TENTE:temporaire', 'NON_TENTE:temporaire'], message: 'n’est pas reconnu : son autorité est inconnue de n8n', delivered: 0, maxMs: 2500 },
	{ name: 'certificat expiré accepté sur demande (test)', server: { mode: 'ok', tls: 'expire' }, client: { securite: 'tls', host: 'localhost', accepterCertificatsNonVerifies: true }, expected: Array(4).fill('parti'), delivered: 4, maxMs: 3000 },
	{ name: 'TLS implicite, certificat valide', server: { mode: 'ok', tls: 'valide' }, client: { securite: 'tls', host: 'localhost' }, trust: true, expected: Array(4).fill('parti'), delivered: 4, maxMs: 3000 },
	{ name: 'durée maximale des envois atteinte', server: { mode: 'lent', delayMs: 150 }, client: { dureeMaxEnvoisMs: 600 }, expected: ['parti', 'DUREE_MAX:temporaire', 'DUREE_MAX:temporaire', 'DUREE_MAX:temporaire'], message: 'durée maximale des envois de cette exécution (0,6\u00a0s) atteinte', delivered: 1, maxMs: 3000 },
];

describe('envois SMTP sous pannes', () => {
	it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
		const server = scenario.server ? await new FaultSmtp(scenario.server).start() : undefined;
		const untrust = scenario.trust ? trustTestAuthority() : undefined;
		try {
			const port = server?.port ?? (await unusedPort());
			const { outcomes, ms } = await sendAll(settings(port, scenario.client));
			expect(outcomes.map(summary)).toEqual(scenario.expected);
			const failure = outcomes.find((o) => !o.ok);
			if (scenario.message) expect(failure && !failure.ok ? failure.message : '').toContain(scenario.message);
			// Aucun texte brut d'OpenSSL ni de nodemailer dans les messages.
			for (const o of outcomes) if (!o.ok) expect(o.message).not.toMatch(/routines|SSL|wrong version|Greeting never|ETIMEDOUT|certificate has/);
			expect(server?.delivered.length ?? 0).toBe(scenario.delivered);
			expect(ms).toBeLessThan(scenario.maxMs);
		} finally {
			untrust?.();
			await server?.stop();
		}
	});

	describe('test de l’identifiant, dans l’interface de n8n', () => {
		const credential = (port: number, data: Record<string, unknown>): ICredentialsDecrypted => ({
			id: 'smtp',
			name: 'SMTP',
			type: 'clausesSocialesSmtpApi',
			data: { host: '127.0.0.1', port, securite: 'tls', expediteurEmail: 'clauses-sociales@region.example.test', delaiConnexion: 1, delaiAccueil: 1, delaiInactivite: 1, ...data },
		});
		const testCredential = (c: ICredentialsDecrypted) => clausesSocialesSmtpTest.call({} as ICredentialTestFunctions, c);

		it('certificat expiré : dit en français, sans « délai dépassé » ni texte d’OpenSSL', async () => {
			const server = await new FaultSmtp({ mode: 'ok', tls: 'expire' }).start();
			const untrust = trustTestAuthority();
			try {
				const result = await testCredential(credential(server.port, { host: 'localhost' }));
				expect(result).toEqual({
					status: 'Error',
					message: `Connexion impossible : le certificat TLS du serveur est expiré (localhost:${server.port}) : demandez au gestionnaire du serveur de messagerie de le corriger ; « Accepter les certificats non vérifiés » de l’identifiant ne se coche qu’en environnement de test.`,
				});
			} finally {
				untrust();
				await server.stop();
			}
		});

		it('TLS implicite contre un serveur en clair : conseille STARTTLS', async () => {
			const server = await new FaultSmtp({ mode: 'ok' }).start();
			try {
				const result = await testCredential(credential(server.port, {}));
				expect(result.status).toBe('Error');
				expect(result.message).toBe(
					`Connexion impossible : le serveur 127.0.0.1:${server.port} ne chiffre pas dès la connexion (il répond en clair) : choisissez la sécurité « STARTTLS » (port 587 en général) au lieu de « TLS implicite », ou vérifiez le port.`,
				);
			} finally {
				await server.stop();
			}
		});

		it('délais de l’identifiant : lus en secondes, défauts de quelques secondes', () => {
			expect(smtpSettings({ host: 'h', expediteurEmail: 'x@y.fr' }).delais).toEqual({ connexionMs: 10000, accueilMs: 10000, inactiviteMs: 20000 });
			expect(smtpSettings({ host: 'h', expediteurEmail: 'x@y.fr', delaiConnexion: 3, delaiAccueil: 4, delaiInactivite: 5, dureeMaxEnvois: 0 })).toMatchObject({
				delais: { connexionMs: 3000, accueilMs: 4000, inactiviteMs: 5000 },
				dureeMaxEnvoisMs: 0,
			});
		});
	});

	describe('nœuds d’envoi face à un serveur muet : un seul délai par exécution, rien de perdu', () => {
		const SAMPLE = path.join(PACKAGE_ROOT, 'workflows', 'donnees-exemple');
		const file = (name: string) => binaryItem(fs.readFileSync(path.join(SAMPLE, name)), name);
		const credentials = (port: number) => ({
			clausesSocialesSmtpApi: { host: '127.0.0.1', port, securite: 'aucune', expediteurEmail: 'clauses-sociales@region.example.test', delaiConnexion: 1, delaiAccueil: 1, delaiInactivite: 2 },
		});
		const smtpCredential = { clausesSocialesSmtpApi: { id: 'smtp', name: 'SMTP' } };
		const envois = (items: INodeExecutionData[]) => items.map((i) => i.json.envoi as IDataObject).filter((e) => e && e.statut === 'échec');
		beforeEach(() => resetRegister());

		it.each([
			[
				'relance mensuelle',
				{ type: 'clauseReminder', parameters: { mode: 'envoyer', source: 'classeur', dateReference: '2026-11-02', options: { debitParSeconde: 0 } }, credentials: smtpCredential },
				'suivi-clauses.xlsx',
				5,
			],
		] as Array<[string, NodeUnderTest, string, number]>)('%s', async (_name, node, input, count) => {
			const server = await new FaultSmtp({ mode: 'muet' }).start();
			try {
				const started = performance.now();
				const { items } = await runNode(node, [file(input)], { credentials: credentials(server.port) });
				const failed = envois(items);
				expect(failed).toHaveLength(count);
				expect(failed.map((e) => e.code)).toEqual(['ETIMEDOUT', ...Array(count - 1).fill('NON_TENTE')]);
				expect(failed.every((e) => e.temporaire === true)).toBe(true);
				expect(String(failed[1].erreur)).toContain('non envoyé, laissé pour la prochaine exécution');
				// Un seul délai (les codes le prouvent) ; la borne de temps laisse de la marge à une machine chargée.
				expect(performance.now() - started).toBeLessThan(8000);
				// Aucune réservation gardée dans le registre : tout repartira à l'exécution suivante.
				expect(await registerMessages()).toEqual([]);
			} finally {
				await server.stop();
			}
		});

		it('avis de pénalité approuvés', async () => {
			// Envoi le jour de la date des avis : seule la date est simulée, les minuteries restent réelles.
			jest.useFakeTimers({ now: new Date('2026-11-23T12:00:00Z'), doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
			const server = await new FaultSmtp({ mode: 'muet' }).start();
			try {
				const penalty = (parameters: IDataObject) => ({
					type: 'clausePenalty',
					parameters: {
						source: 'classeur',
						dateAvis: '2026-11-23',
						emetteur: 'Région Val-d’Argent\nDirection de la commande publique',
						signature: 'La directrice de la commande publique',
						...parameters,
					},
					credentials: smtpCredential,
				});
				const review = await runNode(penalty({ mode: 'revue', options: { lieu: 'Saint-Aubin-sur-Argent' } }), [file('clauses-a-solder.xlsx')]);
				const empreintes = review.output('Nœud testé', 1)[0].json.empreintes as string[];
				const started = performance.now();
				const { items } = await runNode(penalty({ mode: 'envoyer', options: { lieu: 'Saint-Aubin-sur-Argent', debitParSeconde: 0, empreintesApprouvees: JSON.stringify(empreintes) } }), [file('clauses-a-solder.xlsx')], {
					credentials: credentials(server.port),
				});
				const failed = envois(items);
				expect(failed.map((e) => e.code)).toEqual(['ETIMEDOUT', 'NON_TENTE']);
				expect(performance.now() - started).toBeLessThan(8000);
				expect(await registerMessages()).toEqual([]);
			} finally {
				jest.useRealTimers();
				await server.stop();
			}
		});
	});

	describe('durée maximale des envois d’une exécution : le reste est reporté, ni préparé ni réservé, et part à l’exécution suivante', () => {
		const SAMPLE = path.join(PACKAGE_ROOT, 'workflows', 'donnees-exemple');
		const file = (name: string) => binaryItem(fs.readFileSync(path.join(SAMPLE, name)), name);
		// Serveur lent (0,4 s par réponse : plus de 2 s par courriel) et une seconde d'envois par exécution : un seul courriel part.
		const credentials = (port: number) => ({
			clausesSocialesSmtpApi: { host: '127.0.0.1', port, securite: 'aucune', expediteurEmail: 'clauses-sociales@region.example.test', delaiConnexion: 3, delaiAccueil: 3, delaiInactivite: 3, dureeMaxEnvois: 1 },
		});
		const smtpCredential = { clausesSocialesSmtpApi: { id: 'smtp', name: 'SMTP' } };
		beforeEach(() => resetRegister());
		afterEach(() => jest.useRealTimers());

		async function twoRuns(node: NodeUnderTest, input: () => Promise<INodeExecutionData[]>, field: 'envoi' | 'accuse', count: number): Promise<void> {
			const slow = await new FaultSmtp({ mode: 'lent', delayMs: 400 }).start();
			let first: IDataObject[];
			try {
				const { items } = await runNode(node, await input(), { credentials: credentials(slow.port) });
				first = items.map((i) => i.json[field] as IDataObject).filter((e) => e && e.cle);
			} finally {
				await slow.stop();
			}
			expect(first).toHaveLength(count);
			expect(first.map((e) => e.statut)).toEqual(['envoyé', ...Array(count - 1).fill('reporté')]);
			for (const e of first.slice(1)) {
				expect(e).toMatchObject({ code: 'DUREE_MAX', temporaire: true, erreur: 'non envoyé, laissé pour la prochaine exécution : durée maximale des envois de cette exécution (1\u00a0s) atteinte' });
			}
			expect(slow.delivered).toHaveLength(1);
			// Seul le courriel parti est consigné : les reportés ne sont pas réservés.
			const consigned = await registerMessages();
			expect(consigned.map((m) => [m.key, m.status])).toEqual([[first[0].cle, 'envoyé']]);

			const ok = await new FaultSmtp({ mode: 'ok' }).start();
			try {
				const { items } = await runNode(node, await input(), { credentials: credentials(ok.port) });
				const second = items.map((i) => i.json[field] as IDataObject).filter((e) => e && e.cle);
				expect(second.map((e) => [e.cle, e.statut])).toEqual(first.map((e, i) => [e.cle, i === 0 ? 'déjà envoyé' : 'envoyé']));
				expect(ok.delivered).toHaveLength(count - 1);
			} finally {
				await ok.stop();
			}
		}

		it('relance mensuelle', async () => {
			const node = { type: 'clauseReminder', parameters: { mode: 'envoyer', source: 'classeur', dateReference: '2026-11-02', options: { debitParSeconde: 0 } }, credentials: smtpCredential };
			await twoRuns(node, async () => [file('suivi-clauses.xlsx')], 'envoi', 5);
		});

		it('accusés de réception des relevés', async () => {
			await twoRuns(intakeNode(), intakeInput, 'accuse', 3);
		});

		it('avis de pénalité approuvés', async () => {
			jest.useFakeTimers({ now: new Date('2026-11-23T12:00:00Z'), doNotFake: [...REAL_TIMERS] });
			const review = await runNode(penaltyNode({ mode: 'revue', options: { lieu: 'Saint-Aubin-sur-Argent' } }), [file('clauses-a-solder.xlsx')]);
			const empreintes = review.output('Nœud testé', 1)[0].json.empreintes as string[];
			const node = penaltyNode({ mode: 'envoyer', options: { lieu: 'Saint-Aubin-sur-Argent', debitParSeconde: 0, empreintesApprouvees: JSON.stringify(empreintes) } });
			await twoRuns(node, async () => [file('clauses-a-solder.xlsx')], 'envoi', 2);
		});
	});

	describe('accusés de réception des relevés sous pannes : relevés gardés, accusé retenté à l’exécution suivante', () => {
		const credentials = (port: number) => ({
			clausesSocialesSmtpApi: { host: '127.0.0.1', port, securite: 'aucune', expediteurEmail: 'clauses-sociales@region.example.test', delaiConnexion: 1, delaiAccueil: 1, delaiInactivite: 2 },
		});
		beforeEach(() => resetRegister());

		interface AckScenario {
			name: string;
			server?: FaultOptions;
			/** Par relevé : statut, code, temporaire. */
			expected: Array<[string, string | undefined, boolean | undefined]>;
			/** Fragment du message du premier échec. */
			message: string;
			delivered: number;
			/** Statuts à l'exécution suivante, serveur rétabli. */
			next: string[];
		}
		const B = 'electricite-generale-niortai@example.test';
		const SCENARIOS: AckScenario[] = [
			{
				name: '450 pour le titulaire d’un relevé',
				server: { mode: 'ok', rcpt: { [B]: 450 } },
				expected: [['envoyé', undefined, undefined], ['échec', 'SMTP 450', undefined], ['envoyé', undefined, undefined]],
				message: `adresse ${B} refusée (refus temporaire`,
				delivered: 3,
				next: ['déjà envoyé', 'envoyé', 'déjà envoyé'],
			},
			{
				name: '550 pour le titulaire d’un relevé',
				server: { mode: 'ok', rcpt: { [B]: 550 } },
				expected: [['envoyé', undefined, undefined], ['échec', 'SMTP 550', undefined], ['envoyé', undefined, undefined]],
				message: `adresse ${B} refusée (refus définitif`,
				delivered: 3,
				next: ['déjà envoyé', 'envoyé', 'déjà envoyé'],
			},
			{
				name: 'connexion coupée au milieu des données',
				server: { mode: 'coupeDonnees' },
				expected: Array(3).fill(['échec', 'ECONNECTION', true]),
				message: 'interrompue avant la fin de l’envoi',
				delivered: 0,
				next: ['envoyé', 'envoyé', 'envoyé'],
			},
			{
				name: 'serveur arrêté',
				expected: [['échec', 'ECONNREFUSED', true], ['échec', 'NON_TENTE', true], ['échec', 'NON_TENTE', true]],
				message: 'injoignable (connexion refusée)',
				delivered: 0,
				next: ['envoyé', 'envoyé', 'envoyé'],
			},
		];

		it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
			const server = scenario.server ? await new FaultSmtp(scenario.server).start() : undefined;
			const port = server?.port ?? (await unusedPort());
			let acks: IDataObject[];
			try {
				const { items } = await runNode(intakeNode(), await intakeInput(), { credentials: credentials(port) });
				// Aucun relevé perdu : chacun ressort accepté avec ses lignes, quel que soit le sort de son accusé.
				expect(items.map((i) => [i.json.fichier, i.json.statut, (i.json.lignes as unknown[]).length])).toEqual(INTAKE_FILES);
				acks = items.map((i) => i.json.accuse as IDataObject);
				expect(acks.map((a) => [a.statut, a.code, a.temporaire])).toEqual(scenario.expected);
				expect(String(acks.find((a) => a.statut !== 'envoyé')!.erreur)).toContain(scenario.message);
				expect(server?.delivered.length ?? 0).toBe(scenario.delivered);
			} finally {
				await server?.stop();
			}
			const back = await new FaultSmtp({ mode: 'ok' }).start();
			try {
				const { items } = await runNode(intakeNode(), await intakeInput(), { credentials: credentials(back.port) });
				expect(items.map((i) => (i.json.accuse as IDataObject).statut)).toEqual(scenario.next);
				expect(back.delivered).toHaveLength(scenario.next.filter((s) => s === 'envoyé').length);
			} finally {
				await back.stop();
			}
		});
	});
});
