/**
 * Le nœud « Relevé en ligne » exécuté par le moteur de n8n, sur un registre
 * SQLite et sur un vrai PostgreSQL : formulaire préparé depuis un lien
 * (pré-rempli, liens altérés, expirés ou d'un autre titulaire refusés),
 * saisie contrôlée (erreur à côté du champ, rien d'écrit), puis enregistrée
 * (nouvelle version, accusé au titulaire et au facilitateur, une fois), rejeu
 * refusé, correction, envois simultanés sans perte ni doublon.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { Register } from '../../nodes/adapters/register';
import { clauseKey, signReportLink } from '../../nodes/core';
import { openRegisterWith, registerSettings } from '../../nodes/shared/register';
import { PACKAGE_ROOT, runNode } from '../helpers/engine';
import type { RegisterDialect } from '../helpers/registers';
import { DIALECTS, freshRegisterLocation, registerCredentialData } from '../helpers/registers';
import { SmtpSink } from '../helpers/smtp-sink';

const SAMPLE = path.join(PACKAGE_ROOT, 'workflows', 'donnees-exemple');
const sample = (name: string): IDataObject[] => JSON.parse(fs.readFileSync(path.join(SAMPLE, name), 'utf8'));
const PHRASE_LIENS = 'secret-des-liens-pour-les-essais-0123456789abcdef';
const SMTP = (port: number) => ({ host: '127.0.0.1', port, securite: 'aucune', expediteurNom: 'Mission clauses sociales', expediteurEmail: 'clauses-sociales@region.example.test' });

const lot9 = () => sample('registre-clauses.json').filter((c) => c.marche === '2025-TRX-031' && String(c.lot) === '9');
const lot9Lines = () => sample('releves-2026.json').filter((l) => l.marche === '2025-TRX-031' && String(l.lot) === '9');
const KEY = clauseKey({ marche: '2025-TRX-031', lot: '9' });
const MONTH = '2026-10';
const inDays = (days: number) => Math.floor(Date.now() / 1000) + days * 86_400;
const link = (extra: Partial<{ lot: string; siret: string; mois: string; expire: number }> = {}, secret = PHRASE_LIENS) =>
	signReportLink(secret, { marche: '2025-TRX-031', lot: '9', siret: '36850093023238', mois: MONTH, expire: inDays(30), ...extra });

/** Champs d'un formulaire rempli, comme les envoie le navigateur. */
function form(token: string, nonce: string, lines: Array<Record<string, string>>, extra: Record<string, string> = {}): Record<string, string> {
	const out: Record<string, string> = { jeton: token, nonce, lignes: String(lines.length), action: 'enregistrer', ...extra };
	lines.forEach((line, i) => {
		for (const [k, v] of Object.entries(line)) out[`${k}_${i + 1}`] = v;
	});
	return out;
}
const person = (participant: string, heuresMois: string, extra: Record<string, string> = {}) => ({
	participant,
	categoriePublic: 'demandeurEmploiSenior',
	employeur: 'GEIQ',
	modalite: 'miseADisposition',
	typeContrat: 'professionnalisation',
	heuresMois,
	...extra,
});
const nonceOf = (html: string) => /name="nonce" value="([^"]+)"/.exec(html)![1];

describe.each(DIALECTS)('nœud « Relevé en ligne » (%s)', (dialect: RegisterDialect) => {
	let credential: Record<string, string | number>;
	let sink: SmtpSink;

	beforeAll(async () => {
		sink = await new SmtpSink().start();
	});
	afterAll(async () => {
		await sink.stop();
	});
	beforeEach(async () => {
		credential = { ...registerCredentialData(dialect, freshRegisterLocation(dialect)), secretLiens: PHRASE_LIENS };
		sink.mails.length = 0;
		await withRegister(async (register) => {
			for (const clause of lot9()) await register.put('clause', KEY, clause, 'essai');
			const months = new Map<string, IDataObject[]>();
			for (const line of lot9Lines()) months.set(String(line.mois), [...(months.get(String(line.mois)) ?? []), line]);
			for (const [mois, lines] of months) await register.recordReport(KEY, mois, lines.map((l) => ({ hours: Number(l.heuresMois), data: l })), 'essai');
		});
	});

	async function withRegister<T>(fn: (register: Register) => Promise<T>): Promise<T> {
		const register = await openRegisterWith(registerSettings(credential));
		try {
			return await fn(register);
		} finally {
			await register.close();
		}
	}

	const credentials = () => ({ clausesRegistreApi: credential, clausesSocialesSmtpApi: SMTP(sink.port) });
	const node = (parameters: INodeParameters) => ({
		type: 'clauseOnlineReport',
		parameters,
		credentials: { clausesRegistreApi: { id: 'registre', name: 'Registre des clauses' }, clausesSocialesSmtpApi: { id: 'smtp', name: 'SMTP' } },
	});
	const prepare = async (token: string) => (await runNode(node({ operation: 'preparer' }), [{ query: { jeton: token } }], { credentials: credentials() })).items[0].json;
	const submit = async (body: Record<string, string>, mode = 'envoyer') =>
		(await runNode(node({ operation: 'enregistrer', mode, signature: 'La mission clauses sociales' }), [{ body }], { credentials: credentials() })).items[0].json;
	const october = () => withRegister(async (register) => (await register.reportLines({ clauseKey: KEY, allVersions: true })).filter((l) => l.month === MONTH));

	it('prépare le formulaire pré-rempli (marché, lot, mois, heures dues et déclarées, participants du dernier relevé)', async () => {
		const page = await prepare(link());
		expect(page).toMatchObject({ statut: 'formulaire', codeHttp: 200, marche: '2025-TRX-031', lot: '9', mois: MONTH });
		const html = String(page.html);
		expect(html).toContain('Relevé des heures d’insertion d’octobre 2026');
		expect(html).toContain('Menuiseries extérieures aluminium');
		expect(html).toMatch(/Heures d’insertion dues<\/dt><dd>280.h/);
		expect(html).toContain('value="031-9-P01"');
		expect(html).toContain('Les participants de votre dernier relevé sont repris');
		expect(nonceOf(html)).toMatch(/^[A-Za-z0-9_-]{24}$/);
	});

	it.each([
		['altéré', () => `${link().slice(0, -3)}abc`, 403, /^Ce lien n’est pas valide/],
		['expiré', () => link({ expire: inDays(-1) }), 410, /^Ce lien a expiré le /],
		['d’un autre titulaire', () => link({ siret: '12345678900011' }), 404, /adressé à un autre titulaire/],
		['d’une clause absente du registre', () => link({ lot: '77' }), 404, /ne figure plus au registre/],
		['signé par un autre secret', () => link({}, `${PHRASE_LIENS}-ancien`), 403, /^Ce lien n’est pas valide/],
	])('refuse un lien %s, en clair, sans rien montrer du registre', async (_label, make, code, message) => {
		const page = await prepare(make());
		expect(page).toMatchObject({ statut: 'refuse', codeHttp: code });
		expect(String(page.motif)).toMatch(message);
		expect(String(page.html)).not.toContain('031-9-P01');
	});

	it('la relance porte le lien personnel du mois manquant, et le modèle joint ; ce lien ouvre le formulaire', async () => {
		const reminder = await runNode(
			{ ...node({ mode: 'apercu', dateReference: '2026-11-02', signature: 'La mission clauses sociales', options: { adresseReleveEnLigne: 'https://n8n.region.example.test/webhook/releve-en-ligne', validiteLienJours: 45 } }), type: 'clauseReminder' },
			[{}],
			{ credentials: credentials() },
		);
		expect(reminder.run.data.resultData.error).toBeUndefined();
		const item = reminder.items.find((i) => i.json.marche === '2025-TRX-031' && String(i.json.lot) === '9')!;
		const envoi = item.json.envoi as IDataObject;
		expect(String(envoi.texte)).toMatch(/Vous pouvez aussi saisir ce relevé en ligne, sans fichier.*valable jusqu’au 17 décembre 2026 \(le modèle joint reste possible\) : https:\/\/n8n\.region\.example\.test\/webhook\/releve-en-ligne\?jeton=/);
		expect(item.binary).toBeDefined();
		const url = /<a href="([^"]+)">Saisir le relevé d’octobre 2026 en ligne<\/a>/.exec(String(envoi.html))![1].replace(/&amp;/g, '&');
		const token = decodeURIComponent(new URL(url).searchParams.get('jeton')!);
		expect(await prepare(token)).toMatchObject({ statut: 'formulaire', marche: '2025-TRX-031', lot: '9', mois: '2026-10' });
	});

	it('une erreur revient à côté de son champ, rien n’est écrit ; corrigée, la saisie est enregistrée et acquittée ; renvoyée telle quelle, refusée', async () => {
		const token = link();
		const nonce = nonceOf(String((await prepare(token)).html));
		const wrong = await submit(form(token, nonce, [person('031-9-P01', '24,x'), person('031-9-P02', '12')]));
		expect(wrong).toMatchObject({ statut: 'erreurs', codeHttp: 422 });
		expect(String(wrong.html)).toMatch(/aria-describedby="erreur-heuresMois_1"><p class="erreur" id="erreur-heuresMois_1">Erreur : [^<]*24,x/);
		expect(String(wrong.html)).toContain('value="031-9-P02"');
		expect(await october()).toEqual([]);
		expect(sink.mails).toHaveLength(0);

		const right = await submit(form(token, nonce, [person('031-9-P01', '24,5'), person('031-9-P02', '12')]));
		expect(right).toMatchObject({ statut: 'enregistre', codeHttp: 200, versionsRegistre: { [MONTH]: 1 } });
		expect(String(right.html)).toContain('Relevé d’octobre 2026 enregistré');
		expect(String(right.html)).toContain('Un accusé de réception a été envoyé à alu-concept-argent@example.test, clauses@plie-val-argent.example.test.');
		expect(right.accuse).toMatchObject({ statut: 'envoyé', a: ['alu-concept-argent@example.test'], cc: ['clauses@plie-val-argent.example.test'] });
		await sink.waitFor(1);
		expect(sink.mails).toHaveLength(1);
		const stored = await october();
		expect(stored.map((l) => [(l.data as IDataObject).participant, (l.data as IDataObject).heuresMois, l.version])).toEqual([
			['031-9-P01', 24.5, 1],
			['031-9-P02', 12, 1],
		]);
		// Les champs que le formulaire ne demande pas sont repris du dernier relevé du participant.
		expect(stored[0].data).toMatchObject({ eligibiliteValidee: true, poste: 'Aide-électricien', debutContrat: '2026-01-05' });

		const replay = await submit(form(token, nonce, [person('031-9-P01', '24,5'), person('031-9-P02', '12')]));
		expect(replay).toMatchObject({ statut: 'rejeu', codeHttp: 409 });
		expect(String(replay.motif)).toMatch(/^Ce formulaire a déjà été envoyé et enregistré\./);

		// Rouvert, le lien montre le relevé reçu ; un nouvel envoi est une correction (version 2, la 1 gardée).
		const again = String((await prepare(token)).html);
		expect(again).toContain('a déjà été reçu (version 1)');
		expect(again).toContain('value="24,5"');
		const fixed = await submit(form(token, nonceOf(again), [person('031-9-P01', '30')]));
		expect(fixed).toMatchObject({ statut: 'enregistre', versionsRegistre: { [MONTH]: 2 } });
		const all = await october();
		expect(all.filter((l) => l.version === 1)).toHaveLength(2);
		expect(all.filter((l) => l.current).map((l) => [(l.data as IDataObject).participant, l.version])).toEqual([['031-9-P01', 2]]);
		await sink.waitFor(2);
		expect(sink.mails).toHaveLength(2);
	});

	it('une saisie qui vise une autre clause ou un autre mois que son lien est refusée', async () => {
		const token = link();
		const nonce = nonceOf(String((await prepare(token)).html));
		const other = await submit(form(token, nonce, [person('031-9-P01', '10')], { marche: '2025-TRX-031', lot: '8' }));
		expect(other).toMatchObject({ statut: 'refuse', codeHttp: 403 });
		expect(String(other.motif)).toMatch(/la saisie d’une autre clause est refusée/);
		const month = await submit(form(token, nonce, [person('031-9-P01', '10')], { mois: '2026-09' }));
		expect(String(month.motif)).toMatch(/la saisie d’un autre mois est refusée/);
		expect(await october()).toEqual([]);
	});

	it('« Ajouter des lignes » réaffiche la saisie avec trois lignes de plus, sans rien enregistrer', async () => {
		const token = link();
		const nonce = nonceOf(String((await prepare(token)).html));
		const page = await submit(form(token, nonce, [person('031-9-P01', '10')], { action: 'ajouter' }));
		expect(page).toMatchObject({ statut: 'formulaire', codeHttp: 200 });
		expect(String(page.html)).toContain('name="lignes" value="4"');
		expect(String(page.html)).toContain('id="participant_4"');
		expect(await october()).toEqual([]);
	});

	it('en aperçu, le relevé est enregistré et l’accusé rendu sans être envoyé', async () => {
		const token = link();
		const nonce = nonceOf(String((await prepare(token)).html));
		const page = await submit(form(token, nonce, [person('031-9-P01', '10')]), 'apercu');
		expect(page).toMatchObject({ statut: 'enregistre', accuse: { statut: 'aperçu' } });
		expect(sink.mails).toHaveLength(0);
		// La page ne promet pas un courriel qui ne partira pas.
		expect(String(page.html)).toContain('Aperçu : aucun accusé de réception n’est envoyé par courriel');
		expect(String(page.html)).not.toContain('vous sera adressé');
	});

	it('40 envois simultanés du même mois (numéros distincts) : 40 versions, aucune perdue ni en double', async () => {
		const token = link();
		const count = 40;
		const runs = await Promise.all(
			Array.from({ length: count }, async (_, i) => submit(form(token, `envoi-simultane-${String(i).padStart(8, '0')}`, [person('031-9-P01', String(i + 1))]), 'apercu')),
		);
		expect(runs.map((r) => r.statut)).toEqual(Array(count).fill('enregistre'));
		const versions = runs.map((r) => (r.versionsRegistre as Record<string, number>)[MONTH]).sort((a, b) => a - b);
		expect(versions).toEqual(Array.from({ length: count }, (_, i) => i + 1));
		const all = await october();
		expect(new Set(all.map((l) => l.version)).size).toBe(count);
		expect(all.filter((l) => l.current)).toHaveLength(1);
	}, 120_000);
});
