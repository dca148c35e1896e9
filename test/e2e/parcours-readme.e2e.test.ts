/**
 * Bout en bout, dans Chromium sans interface : le parcours d'une personne qui
 * suit le README, puis le titulaire qui remplit le relevé en ligne au clavier.
 *
 * L'instance est préparée comme par la démonstration (paquet installé depuis
 * son archive comme paquet communautaire, identifiants SMTP vers un serveur
 * local, workflows livrés importés tels quels, classeur de suivi d'exemple
 * versé au registre), puis démarrée comme le dit le README :
 * `N8N_PORT=<port> scripts/n8n.sh start`, sur un autre port que 5678.
 *
 * 1. Première ouverture : l'éditeur demande le compte propriétaire, créé dans
 *    la page ; chaque workflow livré s'ouvre dans l'éditeur sans nœud inconnu ni
 *    nœud en erreur, et le panneau de chaque nœud du paquet affiche ses
 *    paramètres ; la relance mensuelle, livrée en aperçu, est exécutée depuis
 *    l'éditeur : aucune relance ne part, seules les synthèses « Aperçu des
 *    relances » arrivent aux facilitateurs (une par synthèse produite).
 * 2. Le relevé en ligne (workflow livré, publié) : le formulaire ouvert par un
 *    lien signé est rempli et envoyé au clavier seul (Tab, saisie, Entrée) ; une
 *    heure mal écrite revient en erreur liée à son champ, la correction est
 *    enregistrée au registre, et la page de confirmation le dit en français.
 *
 * Le journal de n8n est écrit hors du dossier de l'instance, effacé à la fin ;
 * la capture de la page d'un échec est gardée dans le dossier temporaire.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';

import { signReportLink } from '../../nodes/core';
import { openRegisterWith } from '../../nodes/shared/register';
import { captureOnFailure, launchChromium, newPage } from '../helpers/navigateur';
import type { Layout } from '../helpers/real-n8n';
import { importSampleWorkbook, local, registerFile, workflowFile } from '../helpers/real-n8n';
import { SmtpSink } from '../helpers/smtp-sink';

jest.setTimeout(900_000);

const PACKAGE_PREFIX = `${local.PACKAGE.name}.`;
const n8nCli = (local as unknown as { n8n: (layout: Layout, args: string[], options?: object) => Promise<{ stdout: string }> }).n8n;

const WorkflowFileSchema = z.object({
	id: z.string(),
	name: z.string(),
	nodes: z.array(z.object({ id: z.string(), name: z.string(), type: z.string(), disabled: z.boolean().optional() })),
});
type ShippedWorkflow = z.output<typeof WorkflowFileSchema> & { file: string };

const shipped: ShippedWorkflow[] = local.shippedWorkflows().map((file) => ({ ...WorkflowFileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8'))), file }));
const byFile = (name: string) => shipped.find((w) => path.basename(w.file) === name)!;

/** Environnement d'un utilisateur qui lance `N8N_PORT=<port> scripts/n8n.sh start` : aucune variable du lanceur de tests. */
function userEnv(home: string, port: number): NodeJS.ProcessEnv {
	const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('N8N_') && !key.startsWith('JEST_') && key !== 'NODE_ENV' && key !== 'WEBHOOK_URL'));
	return { ...env, CLAUSES_N8N_HOME: home, N8N_PORT: String(port) };
}

async function portNot5678(): Promise<number> {
	let port = await local.freePort();
	while (port === local.DEFAULT_PORT) port = await local.freePort();
	return port;
}

describe('parcours du README dans Chromium (vrai n8n)', () => {
	let sink: SmtpSink;
	let layout: Layout;
	let logDir: string;
	let secret: string;
	let server: ReturnType<typeof local.runN8nScript> | undefined;
	let browser: Browser | undefined;
	let page: Page;
	let base: string;

	/** Échec lisible : ce que montrait la page, et la fin du journal de n8n (s'il existe encore). */
	async function explain(error: unknown, what: string): Promise<never> {
		// La capture va dans le dossier temporaire du système : gardée après le nettoyage.
		const shot = page ? await captureOnFailure(page, os.tmpdir(), `echec-parcours-${what}`) : '';
		let log = '';
		try {
			log = server ? server.log().slice(-3000) : '';
		} catch {
			// journal absent : rien à ajouter
		}
		throw new Error(`${what} : ${error instanceof Error ? error.message : String(error)} (${shot})\n${log}`);
	}

	beforeAll(async () => {
		const started = Date.now();
		logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-parcours-journal-'));
		sink = await new SmtpSink().start();
		local.ensureN8n();
		layout = local.createHome(fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-parcours-')));
		local.copySampleData(layout);
		local.installPackage(layout, process.env.CLAUSES_TARBALL ?? local.packPackage(path.join(layout.home, 'pack')));
		const credentials = local.localCredentials({ smtpPort: sink.port });
		const registre = z.object({ data: z.object({ secretLiens: z.string() }) }).parse(credentials.find((c) => c.id === 'ClsRegistreLocal'));
		secret = registre.data.secretLiens;
		await local.importCredentials(layout, credentials);
		// Les workflows livrés, tels quels, en une commande (import d'un dossier).
		const dir = path.join(layout.home, 'workflows-livres');
		fs.mkdirSync(dir);
		for (const w of shipped) fs.copyFileSync(w.file, path.join(dir, path.basename(w.file)));
		const imported = await n8nCli(layout, ['import:workflow', '--separate', `--input=${dir}`], { env: { N8N_LOG_LEVEL: 'info' } });
		expect(imported.stdout).toMatch(/Successfully imported/);
		await importSampleWorkbook(layout);
		// Le relevé en ligne répond une fois publié (docs/releve-en-ligne.md, « Mise en service »).
		await n8nCli(layout, ['publish:workflow', `--id=${byFile('releve-en-ligne.json').id}`]);

		const port = await portNot5678();
		base = `http://127.0.0.1:${port}/`;
		server = local.runN8nScript(['start'], { env: userEnv(layout.home, port), logFile: path.join(logDir, 'n8n.log') });
		const deadline = Date.now() + 180_000;
		for (;;) {
			if (server.child.exitCode !== null) throw new Error(`scripts/n8n.sh start s'est arrêté :\n${server.log().slice(-3000)}`);
			try {
				if ((await fetch(`${base}healthz/readiness`)).ok) break;
			} catch {
				// pas encore à l'écoute
			}
			if (Date.now() > deadline) throw new Error(`n8n ne répond pas sur le port ${port} :\n${server.log().slice(-3000)}`);
			await new Promise((r) => setTimeout(r, 500));
		}
		expect(server.log()).toContain(`éditeur sur ${base} (écoute sur 127.0.0.1 seulement, port ${port})`);
		browser = await launchChromium();
		page = await newPage(browser);
		process.stdout.write(`Instance prête en ${Math.round((Date.now() - started) / 1000)} s\n`);
	});

	afterAll(async () => {
		// Chaque étape du nettoyage est tentée, même si une autre échoue.
		const steps: Array<() => Promise<unknown> | unknown> = [
			() => browser?.close(),
			() => server?.stop(),
			() => sink?.stop(),
			() => layout && process.env.CLAUSES_KEEP_E2E !== '1' && fs.rmSync(layout.home, { recursive: true, force: true }),
			() => logDir && process.env.CLAUSES_KEEP_E2E !== '1' && fs.rmSync(logDir, { recursive: true, force: true }),
		];
		for (const step of steps) {
			try {
				await step();
			} catch {
				// déjà arrêté ou déjà effacé
			}
		}
	});

	it('première ouverture : compte propriétaire, chaque workflow livré ouvert, relance exécutée en aperçu depuis l’éditeur', async () => {
		// 1. L'éditeur demande le compte propriétaire.
		try {
			await page.goto(base);
			await page.waitForURL(/\/setup/, { timeout: 60_000 });
			await page.locator('input[autocomplete="email"]').fill('proprietaire@region-val-argent.example.test');
			await page.locator('input[autocomplete="given-name"]').fill('Camille');
			await page.locator('input[autocomplete="family-name"]').fill('Martin');
			await page.locator('input[autocomplete="new-password"]').fill('Clauses-sociales-2026');
			await page.locator('input[autocomplete="new-password"]').press('Enter');
			await page.waitForURL((url) => !url.pathname.startsWith('/setup'), { timeout: 60_000 });
		} catch (error) {
			await explain(error, 'création du compte propriétaire');
		}

		// 2. Chaque workflow livré s'ouvre ; chaque nœud du paquet montre ses paramètres.
		for (const workflow of shipped) {
			const expected = workflow.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote').length;
			try {
				await page.goto(`${base}workflow/${workflow.id}`);
				await page.waitForFunction(`document.querySelectorAll('[data-test-id="canvas-node"]').length >= ${expected}`, undefined, { timeout: 60_000 });
				expect(await page.locator('[data-test-id="canvas-node"]').count()).toBe(expected);
				expect(await page.locator('[data-test-id="node-not-installed"]').count()).toBe(0);
				expect(await page.locator('[data-test-id="node-issues"]').count()).toBe(0);
				for (const node of workflow.nodes.filter((n) => n.type.startsWith(PACKAGE_PREFIX))) {
					await page.goto(`${base}workflow/${workflow.id}/${node.id}`);
					const ndv = page.locator('[data-test-id="ndv"]');
					await ndv.locator('[data-test-id="parameter-item"]').first().waitFor({ timeout: 60_000 });
					expect(await ndv.locator('[data-test-id="parameter-item"]').count()).toBeGreaterThan(0);
					expect(await ndv.locator('[data-test-id="node-not-installed"]').count()).toBe(0);
					expect(await ndv.textContent()).toContain(node.name);
				}
			} catch (error) {
				await explain(error, `ouverture de « ${workflow.name} »`);
			}
		}

		// 3. La relance mensuelle, telle que livrée (aperçu), exécutée depuis l'éditeur.
		const relance = byFile('relance-mensuelle.json');
		const trigger = relance.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger')!;
		const before = await local.queryDatabase(layout, 'SELECT MAX(id) AS id FROM execution_entity');
		const lastId = Number(before[0]?.id ?? 0);
		try {
			await page.goto(`${base}workflow/${relance.id}`);
			await page.waitForFunction(`document.querySelectorAll('[data-test-id="canvas-node"]').length > 0`, undefined, { timeout: 60_000 });
			// Le bouton d'exécution du déclencheur manuel (le workflow a aussi un déclencheur planifié).
			const button = page.locator(`[data-test-id="execute-workflow-button-${trigger.name}"]`);
			// Le bouton apparaît au survol du nœud.
			await page.locator(`[data-node-name="${trigger.name}"]`).first().hover({ timeout: 10_000 }).catch(() => undefined);
			await button.click({ timeout: 30_000 });
			await page.locator('[data-test-id="canvas-node-status-success"]').first().waitFor({ timeout: 180_000 });
		} catch (error) {
			await explain(error, 'exécution de la relance depuis l’éditeur');
		}
		const rows = await local.queryDatabase(layout, 'SELECT id, mode FROM execution_entity WHERE workflowId = ? AND id > ? ORDER BY id', [relance.id, lastId]);
		expect(rows).toHaveLength(1);
		expect(rows[0].mode).toBe('manual');
		const execution = await local.waitForExecution(layout, String(rows[0].id));
		expect(execution.status).toBe('success');
		expect(execution.data?.resultData.runData).toBeDefined();
		const run = { status: execution.status, data: execution.data! };
		const clauses = z
			.array(z.object({ json: z.object({ marche: z.string(), lot: z.string(), envoi: z.object({ statut: z.string(), a: z.array(z.string()).optional() }) }) }))
			.parse(local.nodeOutput(run, 'Relance mensuelle', 0));
		expect(clauses.length).toBeGreaterThan(0);
		expect(clauses.filter((c) => ['envoyé', 'déjà envoyé'].includes(c.json.envoi.statut))).toEqual([]);
		const previews = clauses.filter((c) => c.json.envoi.statut === 'aperçu');
		expect(previews.length).toBeGreaterThan(0);
		const summaries = local.nodeOutput(run, 'Envoyer la synthèse au facilitateur', 0) ?? [];
		expect(summaries.length).toBeGreaterThan(0);
		// Ce que l'aperçu envoie réellement : une synthèse par facilitateur, rien aux titulaires.
		await sink.waitFor(summaries.length, 60_000);
		await new Promise((r) => setTimeout(r, 1000));
		expect(sink.mails.map((m) => String(m.parsed.subject).startsWith('Aperçu des relances des clauses sociales'))).toEqual(summaries.map(() => true));
		const titulaires = new Set(previews.flatMap((c) => c.json.envoi.a ?? []).map((a) => a.toLowerCase()));
		expect(titulaires.size).toBeGreaterThan(0);
		for (const mail of sink.mails) {
			expect(mail.envelope.to.filter((to) => titulaires.has(to.toLowerCase()))).toEqual([]);
			expect(String(mail.parsed.text)).toContain('aperçu : aucun courriel n’est parti');
		}
		// Le journal de l'exécution est écrit dans le dossier des fichiers produits.
		const journal = z.object({ json: z.object({ fileName: z.string() }) }).parse(local.nodeOutput(run, 'Enregistrer le journal', 0)?.[0]);
		expect(fs.existsSync(path.join(layout.home, journal.json.fileName))).toBe(true);
		sink.mails.splice(0);
	});

	it('relevé en ligne : le formulaire rempli et envoyé au clavier seul, enregistré au registre, confirmé en français', async () => {
		const register = await openRegisterWith({ base: 'sqlite', fichier: registerFile(layout), secretLiens: '' });
		try {
			const ClauseSchema = z.object({ marche: z.string(), lot: z.string(), siret: z.string() });
			const clause = (await register.list('clause')).map((r) => ClauseSchema.safeParse(r.data)).find((r) => r.success && r.data.marche === '2025-TRX-031' && r.data.lot === '9');
			expect(clause?.success).toBe(true);
			const { marche, lot, siret } = clause!.data!;
			const mois = '2026-10';
			const jeton = signReportLink(secret, { marche, lot, siret, mois, expire: Math.floor(Date.now() / 1000) + 7 * 86400 });
			const before = await register.reportLines({ allVersions: true });

			await page.goto(`${base}webhook/releve-en-ligne?jeton=${encodeURIComponent(jeton)}`);
			expect(await page.locator('h1').textContent()).toBe('Relevé des heures d’insertion d’octobre 2026');
			expect(await page.getAttribute('html', 'lang')).toBe('fr');

			// Chaque champ a une étiquette, dans l'ordre où le clavier les parcourt.
			const fields = z.array(z.object({ id: z.string(), label: z.string() })).parse(
				await page.evaluate(`[...document.querySelectorAll('form input:not([type=hidden]), form select, form textarea')].map((e) => ({ id: e.id, label: e.labels?.[0]?.textContent?.trim() ?? '' }))`),
			);
			expect(fields.length).toBeGreaterThan(0);
			expect(fields.filter((f) => f.label === '')).toEqual([]);
			const lines = Number(await page.locator('input[name="lignes"]').inputValue());
			expect(lines).toBeGreaterThan(0);

			/** Le champ qui a le focus : son id, ou le texte d'un bouton ou d'un lien. */
			const focused = async () => String(await page.evaluate(`document.activeElement?.id || document.activeElement?.textContent?.trim() || document.activeElement?.tagName`));
			const tab = async (expectedId: string) => {
				await page.keyboard.press('Tab');
				expect(await focused()).toBe(expectedId);
			};
			const replace = async (text: string) => {
				await page.keyboard.press('Control+A');
				await page.keyboard.press('Backspace');
				if (text) await page.keyboard.type(text);
			};
			/** Liste déroulante fermée : Début (« Choisir… »), puis flèche vers le bas `steps` fois. */
			const choose = async (steps: number) => {
				await page.keyboard.press('Home');
				for (let i = 0; i < steps; i++) await page.keyboard.press('ArrowDown');
			};

			// Ligne 1 : identifiant, catégorie de public, modalité, heures (une heure mal écrite d'abord).
			await tab('participant_1');
			await replace('CLAVIER-01');
			await tab('categoriePublic_1');
			await choose(1);
			await tab('employeur_1');
			await tab('modalite_1');
			await choose(1);
			await tab('typeContrat_1');
			await tab('heuresMois_1');
			await replace('7,x');
			await tab('heuresFormation_1');
			await replace('');
			await tab('justification_1');
			await replace('');
			// Lignes suivantes pré-remplies par le registre : vidées (personnes sans heures ce mois-ci).
			for (let n = 2; n <= lines; n++) {
				await tab(`participant_${n}`);
				await replace('');
				for (const f of ['categoriePublic', 'employeur', 'modalite', 'typeContrat']) {
					await tab(`${f}_${n}`);
					await choose(0);
				}
				for (const f of ['heuresMois', 'heuresFormation', 'justification']) {
					await tab(`${f}_${n}`);
					await replace('');
				}
			}
			await tab('neant');
			await tab('Envoyer le relevé');
			const chosen = { categoriePublic: await page.locator('#categoriePublic_1').inputValue(), modalite: await page.locator('#modalite_1').inputValue() };
			expect(chosen.categoriePublic).not.toBe('');
			expect(chosen.modalite).not.toBe('');
			await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);

			// L'erreur : listée en tête, liée à son champ ; rien n'est enregistré.
			expect(await page.locator('[role="alert"] h2').textContent()).toBe('Le relevé n’est pas enregistré : 1 erreur à corriger');
			const invalid = page.locator('#heuresMois_1');
			expect(await invalid.getAttribute('aria-invalid')).toBe('true');
			expect(await page.locator(`#${await invalid.getAttribute('aria-describedby')}`).textContent()).toMatch(/^Erreur : .*7,x/);
			expect(await register.reportLines({ allVersions: true })).toHaveLength(before.length);
			// La saisie est gardée.
			expect(await page.locator('#participant_1').inputValue()).toBe('CLAVIER-01');

			// Au clavier : d'abord le lien de l'erreur, qui désigne le champ, puis les champs dans l'ordre ; la correction, puis Entrée envoie.
			await tab('Heures d’insertion du mois, participant 1');
			expect(await page.evaluate(`document.activeElement.getAttribute('href')`)).toBe('#heuresMois_1');
			for (const f of ['participant', 'categoriePublic', 'employeur', 'modalite', 'typeContrat', 'heuresMois']) await tab(`${f}_1`);
			await replace('7,5');
			await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);

			// La confirmation, en français.
			expect(await page.locator('h1').textContent()).toBe('Relevé d’octobre 2026 enregistré');
			const status = String(await page.locator('[role="status"]').textContent());
			expect(status).toMatch(new RegExp(`^Merci\\. Votre relevé du marché ${marche}, lot ${lot}, est [^.]+ \\(octobre 2026 : version \\d+\\)\\.`));
			expect(status).toContain('CLAVIER-01 : 7,5\u00a0h');
			expect(status).toContain('Pour corriger ce relevé, rouvrez le lien du courriel');

			// Le registre : une version de plus du mois, avec la ligne saisie au clavier.
			const after = await register.reportLines({ allVersions: true });
			const added = after.filter((l) => !before.some((b) => b.clauseKey === l.clauseKey && b.month === l.month && b.version === l.version));
			expect(added.map((l) => l.month)).toEqual(added.map(() => mois));
			expect(added.map((l) => l.data)).toEqual([expect.objectContaining({ participant: 'CLAVIER-01', heuresMois: 7.5, categoriePublic: chosen.categoriePublic, modalite: chosen.modalite })]);
		} catch (error) {
			await explain(error, 'relevé en ligne au clavier');
		} finally {
			await register.close();
		}
	});
});
