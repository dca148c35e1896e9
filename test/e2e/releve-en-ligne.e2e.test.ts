/**
 * Bout en bout : le relevé en ligne dans un vrai n8n (paquet communautaire,
 * serveur `n8n start`), sur le registre SQLite par défaut où le classeur de
 * suivi d'exemple a été versé. La relance mensuelle (envoi, vers un serveur
 * SMTP local) porte le lien personnel ; ce lien, ouvert (GET), rend le
 * formulaire servi par le workflow livré « relevé en ligne », publié ; une
 * saisie fausse revient avec l'erreur à côté du champ, la saisie juste est
 * enregistrée au registre et acquittée par courriel ; un lien altéré est
 * refusé ; le bilan du mois, tiré du registre, compte la saisie : le cycle
 * mensuel tourne sans aucun fichier échangé ; le même lien ouvert dans
 * Chromium sans interface, une valeur fausse d'abord puis la bonne :
 * enregistré et acquitté ; 500 envois (20 à la fois) sont tous enregistrés,
 * une fois chacun.
 */
import fs from 'node:fs';
import path from 'node:path';

import { openRegisterWith } from '../../nodes/shared/register';
import { formFields, oneLineEntry, post } from '../helpers/formulaire';
import { launchChromium, newPage } from '../helpers/navigateur';
import { importSampleWorkbook, local, outputOf, registerFile, useRealN8n, workflowFile } from '../helpers/real-n8n';

jest.setTimeout(900_000);

const n8nCli = (local as unknown as { n8n: (layout: unknown, args: string[], options?: object) => Promise<{ stdout: string }> }).n8n;

describe('workflow livré : relevé en ligne (vrai n8n)', () => {
	const instance = useRealN8n();

	it('relance → lien → formulaire (erreur, puis saisie juste) → registre et accusé → bilan, sans aucun fichier ; le lien de la relance reçue dans Chromium (erreur, puis saisie juste) ; lien altéré refusé ; 500 envois, aucun perdu ni doublé', async () => {
		const { layout, sink } = instance;
		await importSampleWorkbook(layout);
		// Le workflow du formulaire, accusé envoyé, publié ; le serveur démarré aussitôt son port choisi.
		const formId = await local.importWorkflow(layout, workflowFile('releve-en-ligne.json'), { configuration: { envoyer: true } });
		await n8nCli(layout, ['publish:workflow', `--id=${formId}`]);
		let port = 0;
		let server: Awaited<ReturnType<typeof local.startServer>> | undefined;
		for (let attempt = 0; attempt < 3 && !server; attempt++) {
			port = await local.freePort();
			server = await local.startServer(layout, { port, env: { WEBHOOK_URL: `http://127.0.0.1:${port}/` } }).catch((error: Error) => {
				if (!/already in use/.test(error.message) || attempt === 2) throw error;
				return undefined;
			});
		}
		const base = `http://127.0.0.1:${port}/webhook/releve-en-ligne`;
		try {

		// La relance, avec l'adresse du formulaire et l'identifiant du registre (son secret des liens).
		const relance = JSON.parse(fs.readFileSync(workflowFile('relance-mensuelle.json'), 'utf8'));
		const node = relance.nodes.find((n: { name: string }) => n.name === 'Relance mensuelle');
		node.parameters.options = { ...node.parameters.options, adresseReleveEnLigne: base };
		node.credentials = { ...node.credentials, clausesRegistreApi: { id: 'ClsRegistreLocal', name: 'Registre des clauses de la Région' } };
		const relanceFile = path.join(layout.home, 'relance-avec-lien.json');
		fs.writeFileSync(relanceFile, JSON.stringify(relance));
		const relanceId = await local.importWorkflow(layout, relanceFile, { configuration: { envoyer: true } });
		const run = await local.executeWorkflow(layout, relanceId);
		expect(run.data.resultData.error).toBeUndefined();
		await sink.waitFor(1);
		await new Promise((r) => setTimeout(r, 1000));
		const reminder = sink.mails.find((m) => /jeton=/.test(String(m.parsed.text)) && m.parsed.attachments.length > 0);
		expect(reminder).toBeDefined();
		const link = /https?:\/\/\S+jeton=[A-Za-z0-9_.%-]+/.exec(String(reminder!.parsed.text))![0];
		expect(link.startsWith(`${base}?jeton=`)).toBe(true);
		sink.mails.splice(0);

			const opened = await fetch(link);
			const page = await opened.text();
			expect(opened.status).toBe(200);
			expect(opened.headers.get('content-type')).toMatch(/^text\/html/);
			expect(opened.headers.get('cache-control')).toBe('no-store');
			expect(page).toContain('Relevé des heures d’insertion');
			const fields = formFields(page);
			const marche = /<dt>Marché<\/dt><dd>([^<– ]+)/.exec(page)![1];
			expect(Number(fields.lignes)).toBeGreaterThan(0);

			// Première saisie : une valeur fausse ; l'erreur revient à côté du champ, rien n'est écrit.
			const entry = oneLineEntry(fields, '12,x');
			const wrong = await post(base, entry);
			expect(wrong.status).toBe(422);
			expect(wrong.body).toMatch(/aria-describedby="erreur-heuresMois_1"><p class="erreur" id="erreur-heuresMois_1">Erreur : [^<]*12,x/);

			const register = await openRegisterWith({ base: 'sqlite', fichier: registerFile(layout), secretLiens: '' });
			try {
				const before = await register.reportLines({ allVersions: true });
				const right = await post(base, { ...entry, heuresMois_1: '12,5' });
				expect(right.status).toBe(200);
				expect(right.body).toContain('enregistré');
				const after = await register.reportLines({ allVersions: true });
				const added = after.filter((l) => !before.some((b) => b.clauseKey === l.clauseKey && b.month === l.month && b.version === l.version));
				expect(added).toHaveLength(1);
				expect(added[0].data).toMatchObject({ participant: entry.participant_1, heuresMois: 12.5 });
				await sink.waitFor(1);
				const ack = sink.mails.find((m) => String(m.parsed.subject).startsWith('Relevé d’heures d’insertion'));
				expect(ack).toBeDefined();
				expect(ack!.envelope.to).toEqual(expect.arrayContaining(reminder!.envelope.to.slice(0, 1)));
				expect(String(ack!.parsed.subject)).toContain(`marché ${marche}`);

				// Le mois bouclé sans aucun fichier échangé : le bilan, tiré du registre, compte la saisie en ligne.
				const mois = added[0].month;
				const bilanId = await local.importWorkflow(layout, workflowFile('bilan-annuel.json'), { configuration: { debut: mois, fin: mois } });
				const bilan = await local.executeWorkflow(layout, bilanId);
				expect(bilan.data.resultData.error).toBeUndefined();
				const parLot = outputOf(bilan, 'Indicateurs (vers un tableau de bord)')
					.map((i) => i.json as Record<string, unknown>)
					.filter((v) => v.vue === 'parLot' && String(v.marche) === marche);
				expect(parLot.find((v) => v.heuresRealiseesPeriode === 12.5)).toMatchObject({ personnes: 1 });

				// Le titulaire dans un vrai navigateur : le lien de la relance reçue, une valeur fausse d'abord, puis la bonne.
				const browser = await launchChromium();
				try {
					const acks = () => sink.mails.filter((m) => String(m.parsed.subject).startsWith('Relevé d’heures d’insertion')).length;
					const acksBefore = acks();
					const versionsBefore = await register.reportLines({ allVersions: true });
					const page = await newPage(browser);
					await page.goto(link);
					expect(await page.locator('h1').textContent()).toMatch(/^Relevé des heures d’insertion d/);
					const lignes = Number(await page.locator('input[name="lignes"]').inputValue());
					await page.fill('#participant_1', 'NAV-01');
					await page.selectOption('#categoriePublic_1', { index: 1 });
					await page.selectOption('#modalite_1', { index: 1 });
					await page.fill('#heuresMois_1', '3,x');
					for (let n = 2; n <= lignes; n++) {
						await page.fill(`#participant_${n}`, '');
						for (const f of ['categoriePublic', 'employeur', 'modalite', 'typeContrat']) await page.selectOption(`#${f}_${n}`, '');
						for (const f of ['heuresMois', 'heuresFormation', 'justification']) await page.fill(`#${f}_${n}`, '');
					}
					await Promise.all([page.waitForNavigation(), page.click('button:has-text("Envoyer le relevé")')]);
					expect(await page.locator('#heuresMois_1').getAttribute('aria-invalid')).toBe('true');
					expect(await page.locator('[role="alert"]').textContent()).toContain('1 erreur à corriger');
					expect(await register.reportLines({ allVersions: true })).toHaveLength(versionsBefore.length);
					await page.fill('#heuresMois_1', '3,5');
					await Promise.all([page.waitForNavigation(), page.click('button:has-text("Envoyer le relevé")')]);
					expect(await page.locator('h1').textContent()).toMatch(/ enregistré$/);
					expect(await page.locator('[role="status"]').textContent()).toContain('NAV-01 : 3,5\u00a0h');
					const navigated = (await register.reportLines({ allVersions: true })).filter((l) => !versionsBefore.some((b) => b.clauseKey === l.clauseKey && b.month === l.month && b.version === l.version));
					expect(navigated.map((l) => l.data)).toEqual([expect.objectContaining({ participant: 'NAV-01', heuresMois: 3.5 })]);
					for (const until = Date.now() + 20_000; acks() < acksBefore + 1 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 200));
					expect(acks()).toBe(acksBefore + 1);
				} finally {
					await browser.close();
				}

				// Le même formulaire renvoyé : refusé. Un lien altéré : refusé.
				expect((await post(base, { ...entry, heuresMois_1: '12,5' })).status).toBe(409);
				const altered = await fetch(`${link.slice(0, -2)}xx`);
				expect(altered.status).toBe(403);
				expect(await altered.text()).toContain('Ce lien n’est pas valide');

				// 500 envois, 20 à la fois, chacun avec son numéro de formulaire : 500 versions, ni perte ni doublon.
				const count = 500;
				const statuses: number[] = [];
				let next = 0;
				await Promise.all(
					Array.from({ length: 20 }, async () => {
						while (next < count) {
							const i = next++;
							const res = await post(base, { ...entry, nonce: `rafale-e2e-${String(i).padStart(6, '0')}`, heuresMois_1: `${1 + Math.floor(i / 10)},${i % 10}` });
							statuses[i] = res.status;
						}
					}),
				);
				expect(statuses.filter((s) => s !== 200)).toEqual([]);
				const final = await register.reportLines({ allVersions: true });
				const key = added[0].clauseKey;
				const month = added[0].month;
				const versions = final.filter((l) => l.clauseKey === key && l.month === month).map((l) => l.version);
				const mine = [...new Set(versions)].filter((v) => v >= added[0].version).sort((a, b) => a - b);
				// La saisie juste, celle du navigateur, puis les 500 : chacune sa version, à la suite.
				expect(mine).toEqual(Array.from({ length: count + 2 }, (_, i) => added[0].version + i));
			} finally {
				await register.close();
			}
		} finally {
			await server!.stop();
		}
	});
});
