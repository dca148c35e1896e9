/**
 * Bout en bout, dans Chromium sans interface : ce que fait une personne qui suit
 * le README (« Essayer en deux commandes », « Ouvrir l'éditeur, approuver les
 * avis », « Autre port »), sur un autre port que 5678, puis le titulaire qui
 * remplit son relevé en ligne au clavier seul (« Titulaire : relevé en ligne »).
 *
 * L'instance est préparée par les fonctions mêmes qu'appelle
 * `N8N_PORT=<port> scripts/demo.sh` (scripts/lib/n8n-local.cjs), dans un
 * dossier temporaire au lieu de sortie/, un serveur SMTP de test tenant le rôle
 * de MailDev : paquet installé depuis son archive comme paquet communautaire,
 * identifiants SMTP, classeurs de suivi d'exemple versés au registre par le
 * workflow d'import, workflows livrés importés tels quels, relevé en ligne
 * publié (docs/releve-en-ligne.md, « Mise en service »), avis de pénalité
 * exécutés avec les liens du port choisi et laissés « en attente ». Puis, comme
 * le dit le README : `N8N_PORT=<port> scripts/n8n.sh start`.
 *
 * 1. « À la première ouverture, l'éditeur demande de créer le compte
 *    propriétaire » : il est créé dans la page ; chaque workflow livré s'ouvre
 *    depuis la liste de l'éditeur, tous ses nœuds sur le canevas, aucun nœud
 *    inconnu ni en erreur ; le panneau de chaque nœud du paquet montre ses
 *    paramètres.
 * 2. La relance mensuelle, « livrée en aperçu », exécutée depuis l'éditeur
 *    (« Execute workflow ») : aucune relance ne part, seules les synthèses
 *    « Aperçu des relances » arrivent aux facilitateurs.
 * 3. Le courriel « Approbation requise » : son lien « Approuver ou refuser
 *    l’envoi », cliqué, ouvre la page où l'on choisit « Approuver l’envoi » ;
 *    l'exécution en attente se termine et envoie les lettres relues.
 * 4. Le relevé en ligne : le formulaire ouvert par le lien signé d'une clause
 *    est rempli et envoyé au clavier seul (Tab, saisie, flèches, Entrée) ;
 *    chaque champ a son étiquette ; une heure mal écrite revient en erreur liée
 *    à son champ, la correction est enregistrée au registre et confirmée en
 *    français.
 *
 * Un échec dit l'étape en français, avec la capture de la page (gardée dans le
 * dossier temporaire du système) et la fin du journal de n8n.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';

import { signReportLink } from '../../nodes/core';
import { openRegisterWith } from '../../nodes/shared/register';
import { APPROUVER, approvalLink, executionOf } from '../helpers/approbation';
import { captureOnFailure, launchChromium, newPage } from '../helpers/navigateur';
import type { Layout, N8nScript } from '../helpers/real-n8n';
import { importSampleWorkbook, local, portOtherThanDefault, registerFile, startN8nScript } from '../helpers/real-n8n';
import type { ReceivedMail } from '../helpers/smtp-sink';
import { SmtpSink } from '../helpers/smtp-sink';

jest.setTimeout(900_000);

const PACKAGE_PREFIX = `${local.PACKAGE.name}.`;

const WorkflowFileSchema = z.object({
	id: z.string(),
	name: z.string(),
	nodes: z.array(z.object({ id: z.string(), name: z.string(), type: z.string() })),
});
type ShippedWorkflow = z.output<typeof WorkflowFileSchema> & { file: string };

const shipped: ShippedWorkflow[] = local.shippedWorkflows().map((file) => ({ ...WorkflowFileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8'))), file }));
function byFile(name: string): ShippedWorkflow {
	const found = shipped.find((w) => path.basename(w.file) === name);
	if (!found) throw new Error(`Le workflow livré ${name} est introuvable dans workflows/`);
	return found;
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Sortie d'un avis de pénalité (nœuds « revue » et « envoi »). */
const PenaltyOutSchema = z.object({
	marche: z.string(),
	lot: z.string(),
	documents: z.object({ lettre: z.string() }).nullable().optional(),
	envoi: z.object({ statut: z.string(), messageId: z.string().optional() }),
});

/**
 * Les clauses d'une sortie du nœud « Avis de pénalité ». Une clause que le nœud
 * ne peut pas solder (donnée manquante au registre) sort en élément d'erreur
 * (« error », avec sa correction) sans arrêter les autres : elle est écartée.
 */
function penaltyClauses(items: Array<{ json: Record<string, unknown> }> | undefined, node: string): Array<z.output<typeof PenaltyOutSchema>> {
	if (!items) throw new Error(`Le nœud « ${node} » n'a pas été exécuté`);
	return items
		.filter((i) => !('error' in i.json))
		.map((i, n) => {
			const clause = PenaltyOutSchema.safeParse(i.json);
			if (!clause.success) throw new Error(`Élément ${n + 1} du nœud « ${node} » inattendu : ${JSON.stringify(i.json).slice(0, 800)}`);
			return clause.data;
		});
}

describe('parcours du README dans Chromium (vrai n8n, autre port que 5678)', () => {
	let sink: SmtpSink;
	let layout: Layout;
	let logDir: string;
	let secret: string;
	let server: N8nScript | undefined;
	let browser: Browser | undefined;
	let page: Page | undefined;
	let base: string;
	/** Le courriel « Approbation requise » reçu par l'acheteur, et les avis relus qu'il annonce. */
	let approval: ReceivedMail;
	let reviewed: Array<z.output<typeof PenaltyOutSchema>>;

	/** Échec lisible : l'étape, ce que montrait la page, et la fin du journal de n8n. */
	async function explain(error: unknown, what: string): Promise<never> {
		const shot = page ? await captureOnFailure(page, os.tmpdir(), `echec-parcours-${what}`) : 'pas de page ouverte';
		let log = '';
		try {
			log = server ? server.log().slice(-3000) : '';
		} catch {
			// journal déjà effacé : rien à ajouter
		}
		throw new Error(`Étape « ${what} » : ${error instanceof Error ? error.message : String(error)} (${shot})\n${log}`);
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
		secret = z.object({ data: z.object({ secretLiens: z.string() }) }).parse(credentials.find((c) => c.id === 'ClsRegistreLocal')).data.secretLiens;
		await local.importCredentials(layout, credentials);
		// Comme la démonstration : les deux classeurs de suivi d'exemple versés au registre.
		await importSampleWorkbook(layout, 'donnees/suivi-clauses.xlsx');
		await importSampleWorkbook(layout, 'donnees/clauses-a-solder.xlsx');
		// Puis les workflows livrés, tels quels, en une commande (import d'un dossier).
		const dir = path.join(layout.home, 'workflows-livres');
		fs.mkdirSync(dir);
		for (const w of shipped) fs.copyFileSync(w.file, path.join(dir, path.basename(w.file)));
		const imported = await local.n8n(layout, ['import:workflow', '--separate', `--input=${dir}`], { env: { N8N_LOG_LEVEL: 'info' } });
		expect(imported.stdout).toMatch(/Successfully imported/);
		await local.n8n(layout, ['publish:workflow', `--id=${byFile('releve-en-ligne.json').id}`]);

		// `N8N_PORT=<port> scripts/demo.sh` : les avis de pénalité, en attente de l'approbation, liens vers ce port.
		const port = await portOtherThanDefault();
		base = `http://127.0.0.1:${port}/`;
		const avis = await local.executeWorkflow(layout, byFile('avis-penalite.json').id, { env: local.serverSettings({ N8N_PORT: String(port) }).env });
		if (avis.status !== 'waiting') throw new Error(`Avis de pénalité : « ${avis.status} » au lieu de « waiting » (${avis.data.resultData.error?.message ?? 'sans erreur'})`);
		reviewed = penaltyClauses(local.nodeOutput(avis, 'Avis de pénalité (revue)'), 'Avis de pénalité (revue)').filter((c) => c.documents);
		expect(reviewed.length).toBeGreaterThan(0);
		// Le paquet de revue et la demande d'approbation, à l'acheteur.
		await sink.waitFor(2, 60_000);
		const found = sink.mails.find((m) => String(m.parsed.subject).startsWith('Approbation requise – clause sociale d’insertion'));
		if (!found) throw new Error(`Aucun courriel « Approbation requise » parmi : ${sink.mails.map((m) => m.parsed.subject).join(' | ')}`);
		approval = found;
		sink.mails.splice(0);

		server = await startN8nScript(layout.home, port, path.join(logDir, 'n8n.log'));
		expect(server.log()).toContain(`éditeur sur ${base} (écoute sur 127.0.0.1 seulement, port ${port})`);
		browser = await launchChromium();
		page = await newPage(browser);
		process.stdout.write(`Instance prête en ${Math.round((Date.now() - started) / 1000)} s, port ${port}\n`);
	});

	afterAll(async () => {
		// Chaque étape du nettoyage est tentée, même si une autre échoue.
		const steps: Array<() => unknown> = [
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

	function tab(): Page {
		if (!page) throw new Error('Chromium n’a pas démarré (voir l’erreur de la préparation)');
		return page;
	}

	it('première ouverture : compte propriétaire créé dans la page, chaque workflow livré ouvert depuis la liste', async () => {
		const p = tab();
		try {
			await p.goto(base);
			await p.waitForURL(/\/setup/, { timeout: 60_000 });
			await p.locator('input[autocomplete="email"]').fill('proprietaire@region-val-argent.example.test');
			await p.locator('input[autocomplete="given-name"]').fill('Camille');
			await p.locator('input[autocomplete="family-name"]').fill('Martin');
			await p.locator('input[autocomplete="new-password"]').fill('Clauses-sociales-2026');
			await p.locator('[data-test-id="form-submit-button"]').click();
			await p.waitForURL((url) => !url.pathname.startsWith('/setup'), { timeout: 60_000 });
		} catch (error) {
			await explain(error, 'création du compte propriétaire demandée à la première ouverture');
		}

		// La liste des workflows de l'éditeur : les workflows livrés, par leur nom.
		const list = `${base}home/workflows`;
		const names = p.locator('[data-test-id="workflow-card-name"]');
		try {
			await p.goto(list);
			await names.first().waitFor({ timeout: 60_000 });
		} catch (error) {
			await explain(error, 'liste des workflows de l’éditeur');
		}
		// La liste se remplit puis se redessine : lue jusqu'à ce qu'elle montre autant de workflows que livrés.
		let seen: string[] = [];
		for (const until = Date.now() + 60_000; Date.now() < until; await p.waitForTimeout(500)) {
			seen = (await names.allTextContents()).map((n) => n.trim()).sort();
			if (seen.length >= shipped.length) break;
		}
		expect(seen).toEqual(shipped.map((w) => w.name).sort());

		for (const workflow of shipped) {
			const expected = workflow.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote').length;
			try {
				await p.goto(list);
				await names.filter({ hasText: new RegExp(`^\\s*${escapeRegExp(workflow.name)}\\s*$`) }).click({ timeout: 60_000 });
				await p.waitForURL(new RegExp(`/workflow/${workflow.id}`), { timeout: 60_000 });
				await p.waitForFunction(`document.querySelectorAll('[data-test-id="canvas-node"]').length >= ${expected}`, undefined, { timeout: 60_000 });
			} catch (error) {
				await explain(error, `ouverture de « ${workflow.name} » depuis la liste`);
			}
			expect({ workflow: workflow.name, noeuds: await p.locator('[data-test-id="canvas-node"]').count() }).toEqual({ workflow: workflow.name, noeuds: expected });
			expect({ workflow: workflow.name, inconnus: await p.locator('[data-test-id="node-not-installed"]').count() }).toEqual({ workflow: workflow.name, inconnus: 0 });
			expect({ workflow: workflow.name, enErreur: await p.locator('[data-test-id="node-issues"]').count() }).toEqual({ workflow: workflow.name, enErreur: 0 });
			for (const node of workflow.nodes.filter((n) => n.type.startsWith(PACKAGE_PREFIX))) {
				const ndv = p.locator('[data-test-id="ndv"]');
				try {
					await p.goto(`${base}workflow/${workflow.id}/${node.id}`);
					await ndv.locator('[data-test-id="parameter-item"]').first().waitFor({ timeout: 60_000 });
				} catch (error) {
					await explain(error, `panneau du nœud « ${node.name} » de « ${workflow.name} »`);
				}
				expect({ noeud: node.name, inconnu: await ndv.locator('[data-test-id="node-not-installed"]').count() }).toEqual({ noeud: node.name, inconnu: 0 });
			}
		}
	});

	it('relance mensuelle exécutée depuis l’éditeur, telle que livrée (aperçu) : aucune relance ne part', async () => {
		const p = tab();
		const relance = byFile('relance-mensuelle.json');
		const trigger = relance.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger');
		if (!trigger) throw new Error('La relance mensuelle livrée n’a plus de déclencheur manuel');
		const before = await local.queryDatabase(layout, 'SELECT MAX(id) AS id FROM execution_entity');
		const lastId = Number(before[0]?.id ?? 0);
		try {
			await p.goto(`${base}workflow/${relance.id}`);
			const node = p.locator(`[data-test-id="canvas-node"][data-node-name="${trigger.name}"]`);
			await node.waitFor({ timeout: 60_000 });
			// Le bouton « Execute workflow » du déclencheur manuel (le workflow a aussi un déclencheur planifié) apparaît au survol.
			await node.hover();
			const button = p.locator(`[data-test-id="execute-workflow-button-${trigger.name}"]`);
			// Le survol quitte le nœud en allant au bouton : s'il s'est refermé, le clic lui est donné directement.
			await button.click({ timeout: 15_000 }).catch(() => button.dispatchEvent('click'));
		} catch (error) {
			await explain(error, 'lancement de la relance depuis l’éditeur');
		}
		// L'exécution, enregistrée par n8n une fois finie.
		const deadline = Date.now() + 180_000;
		let rows: Array<Record<string, unknown>> = [];
		while (rows.length === 0 && Date.now() < deadline) {
			rows = await local.queryDatabase(layout, "SELECT id, mode FROM execution_entity WHERE workflowId = ? AND id > ? AND status NOT IN ('new', 'running')", [relance.id, lastId]);
			if (rows.length === 0) await new Promise((r) => setTimeout(r, 1000));
		}
		if (rows.length === 0) await explain(new Error('aucune exécution terminée en 180 s'), 'exécution de la relance depuis l’éditeur');
		expect(rows).toHaveLength(1);
		expect(rows[0].mode).toBe('manual');
		const execution = await local.waitForExecution(layout, String(rows[0].id));
		expect(execution.status).toBe('success');
		const run = { status: execution.status, data: execution.data! };
		const clauses = z
			.array(z.object({ json: z.object({ marche: z.string(), lot: z.string(), envoi: z.object({ statut: z.string(), a: z.array(z.string()).optional() }) }) }))
			.parse(local.nodeOutput(run, 'Relance mensuelle', 0))
			.map((c) => c.json);
		expect(clauses.filter((c) => ['envoyé', 'déjà envoyé'].includes(c.envoi.statut))).toEqual([]);
		const previews = clauses.filter((c) => c.envoi.statut === 'aperçu');
		expect(previews.length).toBeGreaterThan(0);
		const summaries = local.nodeOutput(run, 'Envoyer la synthèse au facilitateur', 0) ?? [];
		expect(summaries.length).toBeGreaterThan(0);
		// L'éditeur le montre : nœuds exécutés marqués réussis.
		try {
			await p.locator('[data-test-id="canvas-node-status-success"]').first().waitFor({ timeout: 60_000 });
		} catch (error) {
			await explain(error, 'résultat de la relance affiché dans l’éditeur');
		}
		// Ce que l'aperçu envoie réellement : une synthèse par facilitateur, rien aux titulaires.
		await sink.waitFor(summaries.length, 60_000);
		await new Promise((r) => setTimeout(r, 1000));
		expect(sink.mails.map((m) => String(m.parsed.subject).startsWith('Aperçu des relances des clauses sociales'))).toEqual(summaries.map(() => true));
		const titulaires = new Set(previews.flatMap((c) => c.envoi.a ?? []).map((a) => a.toLowerCase()));
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

	it('approbation des avis de pénalité : le lien du courriel, page en français, « Approuver l’envoi », les lettres relues partent', async () => {
		const p = tab();
		// Le lien du courriel (HTML et texte brut) pointe vers le port choisi.
		const link = approvalLink(approval);
		expect(link.startsWith(`${base}webhook-waiting/`)).toBe(true);
		const executionId = executionOf(link);
		expect((await local.readExecution(layout, executionId))?.status).toBe('waiting');
		/** Le texte visible de la page : aucun mot anglais (bouton, titre, mentions de n8n). */
		const expectFrenchOnly = async () => {
			expect(await p.getAttribute('html', 'lang')).toBe('fr');
			expect(await p.locator('body').innerText()).not.toMatch(/\b(Submit|Send|My form|Got it|thanks|Form|automated|Powered|Choose|Yes|No)\b/);
		};
		try {
			// Le courriel tel que l'affiche une messagerie ; son bouton, cliqué, ouvre la page dans le même onglet.
			await p.goto('about:blank');
			await p.setContent(String(approval.parsed.html));
			await p.evaluate(`document.querySelectorAll('a[target]').forEach((a) => a.removeAttribute('target'))`);
			await Promise.all([p.waitForURL(/\/webhook-waiting\//, { timeout: 60_000 }), p.getByRole('link', { name: 'Approuver ou refuser l’envoi' }).click()]);
			await p.getByText(APPROUVER, { exact: true }).waitFor({ timeout: 60_000 });
			expect(await p.title()).toBe('Approbation des avis de pénalité');
			await p.getByRole('heading', { name: 'Approbation des avis de pénalité' }).waitFor();
			// Les avis relus, rappelés sur la page.
			for (const c of reviewed) expect(await p.locator('li', { hasText: `Marché ${c.marche}, lot ${c.lot}` }).count()).toBe(1);
			await expectFrenchOnly();
			// Ouvrir la page ne décide rien : l'exécution attend toujours.
			expect((await local.readExecution(layout, executionId))?.status).toBe('waiting');
			if (process.env.CLAUSES_KEEP_E2E === '1') await p.screenshot({ path: path.join(logDir, 'approbation-page.png'), fullPage: true });
			// Le bouton sans choix : la page le dit, en français, et rien ne reprend.
			await p.getByRole('button', { name: 'Enregistrer ma décision' }).click();
			await p.getByRole('alert').waitFor({ timeout: 60_000 });
			expect(await p.getByRole('alert').innerText()).toContain('choisissez « Approuver l’envoi » ou « Refuser l’envoi »');
			await expectFrenchOnly();
			expect((await local.readExecution(layout, executionId))?.status).toBe('waiting');
			await p.getByLabel(APPROUVER, { exact: true }).check();
			expect(await p.getByLabel(APPROUVER, { exact: true }).isChecked()).toBe(true);
			await p.getByLabel('Votre nom').fill('Claire Martin');
			await p.getByRole('button', { name: 'Enregistrer ma décision' }).click();
			await p.getByRole('heading', { name: 'Envoi approuvé' }).waitFor({ timeout: 120_000 });
			await expectFrenchOnly();
			if (process.env.CLAUSES_KEEP_E2E === '1') await p.screenshot({ path: path.join(logDir, 'approbation-confirmation.png'), fullPage: true });
		} catch (error) {
			await explain(error, 'approbation des avis par la page du courriel');
		}
		expect(await p.locator('body').textContent()).toContain('Votre décision est enregistrée : les avis relus partent maintenant aux titulaires.');
		const finished = await local.waitForExecution(layout, executionId, { timeoutMs: 180_000, until: (e) => Boolean(e.data?.resultData.runData['Enregistrer le journal']) });
		if (finished.status !== 'success') await explain(new Error(`exécution ${executionId} « ${finished.status} » : ${finished.data?.resultData.error?.message ?? ''}`), 'envoi des avis approuvés');
		const run = { status: finished.status, data: finished.data! };
		// La décision, son auteur (nom saisi) et son heure.
		expect(local.nodeOutput(run, 'Approbation de l’acheteur')?.[0]).toMatchObject({ json: { decision: 'approuvé', approuve: true, decidePar: 'Claire Martin', commentaire: '' } });
		// Chaque avis relu est parti, une fois, avec le Message-ID consigné.
		const out = penaltyClauses(local.nodeOutput(run, 'Avis de pénalité (envoi)'), 'Avis de pénalité (envoi)');
		const statusOf = new Map(out.map((c) => [`${c.marche}/${c.lot}`, c.envoi.statut]));
		expect(reviewed.map((c) => `${c.marche}/${c.lot} : ${statusOf.get(`${c.marche}/${c.lot}`)}`)).toEqual(reviewed.map((c) => `${c.marche}/${c.lot} : envoyé`));
		const sent = out.filter((c) => c.envoi.statut === 'envoyé');
		// Les lettres, puis le compte rendu à l'acheteur.
		await sink.waitFor(sent.length + 1, 60_000);
		for (const c of sent) expect(sink.mails.filter((m) => m.parsed.messageId === c.envoi.messageId)).toHaveLength(1);
		expect(sink.mails.filter((m) => String(m.parsed.subject).startsWith('Avis de pénalité envoyés'))).toHaveLength(1);
		sink.mails.splice(0);
	});

	it('relevé en ligne : le formulaire rempli et envoyé au clavier seul, chaque champ étiqueté, enregistré au registre, confirmé en français', async () => {
		const p = tab();
		const register = await openRegisterWith({ base: 'sqlite', fichier: registerFile(layout), secretLiens: '' });
		try {
			const ClauseSchema = z.object({ marche: z.string(), lot: z.string(), siret: z.string() });
			const clause = (await register.list('clause'))
				.map((r) => ClauseSchema.safeParse(r.data))
				.flatMap((r) => (r.success ? [r.data] : []))
				.find((c) => c.marche === '2025-TRX-031' && c.lot === '9');
			if (!clause) throw new Error('La clause d’exemple 2025-TRX-031, lot 9, manque au registre');
			const { marche, lot, siret } = clause;
			const mois = '2026-10';
			const jeton = signReportLink(secret, { marche, lot, siret, mois, expire: Math.floor(Date.now() / 1000) + 7 * 86400 });
			const before = await register.reportLines({ allVersions: true });

			await p.goto(`${base}webhook/releve-en-ligne?jeton=${encodeURIComponent(jeton)}`);
			expect(await p.locator('h1').textContent()).toBe('Relevé des heures d’insertion d’octobre 2026');
			expect(await p.getAttribute('html', 'lang')).toBe('fr');

			// Chaque champ a une étiquette.
			const fields = z
				.array(z.object({ id: z.string(), label: z.string() }))
				.parse(await p.evaluate(`[...document.querySelectorAll('form input:not([type=hidden]), form select, form textarea')].map((e) => ({ id: e.id, label: e.labels?.[0]?.textContent?.trim() ?? '' }))`));
			expect(fields.length).toBeGreaterThan(0);
			expect(fields.filter((f) => f.label === '')).toEqual([]);
			const lines = Number(await p.locator('input[name="lignes"]').inputValue());
			expect(lines).toBeGreaterThan(0);

			/** Le champ qui a le focus : son id, ou le texte d'un bouton ou d'un lien. */
			const focused = async () => String(await p.evaluate(`document.activeElement?.id || document.activeElement?.textContent?.trim() || document.activeElement?.tagName`));
			/** Tab, et le focus doit arriver sur `expected` : l'ordre du clavier est celui de la page. */
			const next = async (expected: string) => {
				await p.keyboard.press('Tab');
				expect(await focused()).toBe(expected);
			};
			const replace = async (text: string) => {
				await p.keyboard.press('Control+A');
				await p.keyboard.press('Backspace');
				if (text) await p.keyboard.type(text);
			};
			/** Liste déroulante fermée : Début (« Choisir… »), puis flèche vers le bas `steps` fois. */
			const choose = async (steps: number) => {
				await p.keyboard.press('Home');
				for (let i = 0; i < steps; i++) await p.keyboard.press('ArrowDown');
			};

			// Ligne 1 : identifiant, le premier choix de chaque liste, une heure mal écrite d'abord.
			await next('participant_1');
			await replace('CLAVIER-01');
			for (const f of ['categoriePublic', 'employeur', 'modalite', 'typeContrat']) {
				await next(`${f}_1`);
				await choose(1);
			}
			await next('heuresMois_1');
			await replace('7,x');
			await next('heuresFormation_1');
			await replace('');
			await next('justification_1');
			await replace('');
			// Lignes suivantes (participants repris du registre, lignes vides) : vidées, personne d'autre ce mois-ci.
			for (let n = 2; n <= lines; n++) {
				await next(`participant_${n}`);
				await replace('');
				for (const f of ['categoriePublic', 'employeur', 'modalite', 'typeContrat']) {
					await next(`${f}_${n}`);
					await choose(0);
				}
				for (const f of ['heuresMois', 'heuresFormation', 'justification']) {
					await next(`${f}_${n}`);
					await replace('');
				}
			}
			await next('neant');
			await next('Envoyer le relevé');
			const chosen = Object.fromEntries(await Promise.all(['categoriePublic', 'employeur', 'modalite', 'typeContrat'].map(async (f) => [f, await p.locator(`#${f}_1`).inputValue()] as const)));
			expect(Object.values(chosen).filter((v) => v === '')).toEqual([]);
			await Promise.all([p.waitForNavigation(), p.keyboard.press('Enter')]);

			// L'erreur : annoncée en tête, liée à son champ ; rien n'est enregistré, la saisie est gardée.
			expect(await p.locator('[role="alert"] h2').textContent()).toBe('Le relevé n’est pas enregistré : 1 erreur à corriger');
			const invalid = p.locator('#heuresMois_1');
			expect(await invalid.getAttribute('aria-invalid')).toBe('true');
			expect(await p.locator(`#${await invalid.getAttribute('aria-describedby')}`).textContent()).toMatch(/^Erreur : .*7,x/);
			expect(await register.reportLines({ allVersions: true })).toHaveLength(before.length);
			expect(await p.locator('#participant_1').inputValue()).toBe('CLAVIER-01');

			// Au clavier : d'abord le lien de l'erreur, qui désigne le champ, puis les champs dans l'ordre ; la correction, puis Entrée envoie.
			await next('Heures d’insertion du mois, participant 1');
			expect(await p.evaluate(`document.activeElement.getAttribute('href')`)).toBe('#heuresMois_1');
			for (const f of ['participant', 'categoriePublic', 'employeur', 'modalite', 'typeContrat', 'heuresMois']) await next(`${f}_1`);
			await replace('7,5');
			await Promise.all([p.waitForNavigation(), p.keyboard.press('Enter')]);

			// La confirmation, en français.
			expect(await p.locator('h1').textContent()).toBe('Relevé d’octobre 2026 enregistré');
			const status = String(await p.locator('[role="status"]').textContent());
			expect(status).toMatch(new RegExp(`^Merci\\. Votre relevé du marché ${marche}, lot ${lot}, est [^.]+ \\(octobre 2026 : version \\d+\\)\\.`));
			expect(status).toContain('CLAVIER-01 : 7,5\u00a0h');
			expect(status).toContain('Pour corriger ce relevé, rouvrez le lien du courriel');

			// Le registre : une version de plus du mois, avec la seule ligne saisie au clavier.
			const after = await register.reportLines({ allVersions: true });
			const added = after.filter((l) => !before.some((b) => b.clauseKey === l.clauseKey && b.month === l.month && b.version === l.version));
			expect(added.map((l) => l.month)).toEqual([mois]);
			expect(added[0].data).toMatchObject({ participant: 'CLAVIER-01', heuresMois: 7.5, ...chosen });
		} catch (error) {
			await explain(error, 'relevé en ligne au clavier');
		} finally {
			await register.close();
		}
	});
});
