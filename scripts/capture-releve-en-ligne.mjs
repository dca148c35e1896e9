// Capture d'écran du formulaire du relevé en ligne pour la documentation
// (docs/images/releve-en-ligne-formulaire.png) : la page que rend le nœud
// « Relevé en ligne » pour une clause d'exemple, après une saisie contrôlée
// (une erreur à côté de son champ), photographiée par Chromium sans interface.
//
//   scripts/node24.sh npm run build && scripts/node24.sh node scripts/capture-releve-en-ligne.mjs
//
// Variable : CHROMIUM (chemin du navigateur, « chromium » par défaut).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const core = require(path.join(root, 'dist', 'nodes', 'lib.js'));
const sample = (name) => JSON.parse(fs.readFileSync(path.join(root, 'workflows', 'donnees-exemple', name), 'utf8'));

const clause = core.readRecord(core.CLAUSE_READER, sample('registre-clauses.json').find((c) => c.marche === '2025-TRX-031' && String(c.lot) === '9'), 'clause');
const claims = { marche: clause.marche, lot: clause.lot, siret: clause.siret, mois: '2026-10', expire: Date.parse('2026-12-17T23:59:59Z') / 1000 };
const token = core.signReportLink('x'.repeat(40), claims);
const body = {
	jeton: token,
	nonce: 'exempleDeNumeroDeFormulaire',
	lignes: '3',
	participant_1: '031-9-P01',
	categoriePublic_1: 'demandeurEmploiSenior',
	employeur_1: 'GEIQ',
	modalite_1: 'miseADisposition',
	typeContrat_1: 'professionnalisation',
	heuresMois_1: '24',
	participant_2: '031-9-P02',
	employeur_2: 'titulaire',
	modalite_2: 'embaucheDirecte',
	typeContrat_2: 'CDD',
	heuresMois_2: '35,5',
};
const read = core.readSubmission(body);
const index = new core.RegisterIndex();
index.addClause(clause);
const result = new core.ReportIntake(index, core.parseIntakeSettings({ dateReception: '2026-11-05', moisDejaRecu: 'remplacer' })).receive(core.submissionToReport(read.value, claims));
const html = core.renderOnlineForm({
	clause,
	mois: claims.mois,
	jeton: token,
	nonce: body.nonce,
	expire: '2026-12-17T23:59:59.000Z',
	heuresDues: clause.heuresDues,
	heuresRealisees: 216,
	versionEnVigueur: 0,
	lines: read.value.lines,
	neant: false,
	prefill: 'saisie',
	errors: core.fieldErrors(result),
	conservationMois: 60,
	contact: `${clause.facilitateur} (${clause.emailFacilitateur})`,
});
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'releve-en-ligne-'));
const file = path.join(dir, 'formulaire.html');
fs.writeFileSync(file, html);
const out = path.join(root, 'docs', 'images', 'releve-en-ligne-formulaire.png');
execFileSync(process.env.CHROMIUM ?? 'chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${path.join(dir, 'profil')}`, '--window-size=1280,1500', `--screenshot=${out}`, `file://${file}`], { stdio: 'ignore' });
fs.rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${out}\n`);
