// Régénère le formulaire vierge de fiche visa et les fiches d'exemple de
// workflows/donnees-exemple/ à partir du code du paquet (dist/, construit ici)
// et des données de la consultation (lots-consultation.json, facilitateurs.json) :
//   scripts/node24.sh node scripts/generate-fiches-visa.mjs
// Les lots et les heures des fiches sont ceux de l'étude de faisabilité que
// refait le workflow « fiche visa » (calibrage, plancher de 70 h) ; chaque
// fiche est ensuite dégradée selon son scénario.
import ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'workflows', 'donnees-exemple');
const out = path.join(dir, 'fiches-visa');
execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
const lib = createRequire(import.meta.url)(path.join(root, 'dist', 'nodes', 'lib.js'));

const DATE = '2026-11-02';
const DATE_ETUDE = '2026-10-15';
const rawLots = JSON.parse(fs.readFileSync(path.join(dir, 'lots-consultation.json'), 'utf8'));
const facilitateurs = JSON.parse(fs.readFileSync(path.join(dir, 'facilitateurs.json'), 'utf8'));

// L'étude, comme dans le workflow : calibrage (plancher du territoire : 70 h) puis étude de faisabilité.
const lots = rawLots.map((raw, i) => lib.readRecord(lib.LOT_READER, raw, `lot ${i + 1}`));
const calibrator = new lib.Calibrator(lib.parseCalibrationSettings({ plancherHeures: 70 }));
const study = new lib.FeasibilityStudy(lib.parseFeasibilitySettings({ facilitateurs, dateEtude: DATE_ETUDE }), lib.marketTotals(lots));
const studied = lots.map((lot) => ({ lot, f: study.study({ lot, where: `lot ${lot.lot}`, calibrage: calibrator.calibrate(lot, `lot ${lot.lot}`) }) }));

/** Lots de la fiche d'un marché, repris de l'étude. */
function ficheLots(marche) {
	return studied
		.filter((s) => s.lot.marche === marche)
		.map(({ lot, f }) => {
			const main = f.mecanismes.filter((m) => !m.option).map((m) => m.code);
			return {
				numero: lot.lot,
				intitule: lot.intitule,
				montantHT: lot.montantHT,
				mecanisme: main[0] ?? 'aucune',
				mecanismeComplementaire: main[1],
				heures: main.includes('clauseExecution') ? f.heuresRetenues : undefined,
				justificationAbsence: main.length === 0 ? f.justification : undefined,
			};
		});
}

function baseFiche(marche, extra) {
	const lotsOfMarket = ficheLots(marche);
	const first = studied.find((s) => s.lot.marche === marche);
	return {
		champs: {
			reference: marche,
			objet: first.lot.objet,
			montantEstimeHT: lotsOfMarket.reduce((sum, l) => sum + l.montantHT, 0),
			methodeEstimation: 'historique',
			dureeMois: Math.max(...studied.filter((s) => s.lot.marche === marche).map((s) => s.lot.dureeMois ?? 0)),
			dateFiche: DATE,
			dateLancement: '2026-12-01',
			dateNotification: '2027-03-15',
			alloti: lotsOfMarket.length > 1,
			sourcing: true,
			sourcingDescription: 'Réunion d’information des entreprises et des structures d’insertion du territoire',
			etudeFaisabilite: true,
			dateEtude: DATE_ETUDE,
			facilitateur: first.f.facilitateur?.nom,
			contactFacilitateur: first.f.facilitateur?.email,
			ccapPerimetre: true,
			ccapContactFacilitateur: true,
			ccapPublics: true,
			ccapVolume: true,
			penalitesCcap: true,
			penaliteParHeure: 60,
			considerationsDecp: lib.expectedDecp(lotsOfMarket.map((l) => ({ mecanismes: [l.mecanisme, l.mecanismeComplementaire].filter(Boolean) }))),
			environnementCondition: true,
			environnementCritere: true,
			environnementDescription: 'Condition d’exécution : réduction et tri des déchets ; critère environnemental de 10 %',
			...extra,
		},
		lots: lotsOfMarket,
		date: DATE,
	};
}

// 1. VISÉ : le lycée, conforme à l'étude.
const lycee = baseFiche('2026-TRX-014', {
	servicePrescripteur: 'Direction des lycées – service des opérations immobilières',
	emailService: 'operations-lycees@region-val-argent.example.test',
	acheteur: 'Claire Martin, service des marchés',
	cpv: '45214220',
	nature: 'travaux',
	ccag: 'travaux',
	methodeEstimation: 'estimationMoe',
	procedure: 'procedureAdaptee',
	redacteur: 'Julien Bernard, chargé d’opérations',
});

// 2. À COMPLÉTER : la propreté de l'hôtel de Région — montant et dates saisis en texte ou en numéro de série
//    (lus sans erreur), mais heures du lot 1 oubliées, publics éligibles non repris au CCAP, pénalités non renseignées,
//    et une clause que l'étude ne recommande plus.
const proprete = baseFiche('2026-SRV-031', {
	servicePrescripteur: 'Direction du patrimoine – moyens généraux',
	emailService: 'moyens-generaux@region-val-argent.example.test',
	acheteur: 'Sophie Leroy, service des marchés',
	cpv: '90919200',
	nature: 'services',
	ccag: 'fcs',
	procedure: 'appelOffres',
	dateLancement: '05/01/2027',
	dateNotification: '2027-05-03',
	dateEtude: 46310,
	ccapPublics: false,
	penalitesCcap: '',
	penaliteParHeure: '',
	redacteur: 'Marc Dubois, responsable des moyens généraux',
});
proprete.champs.montantEstimeHT = `${new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 2 }).format(proprete.champs.montantEstimeHT).replace(/\u202f/g, ' ')} €`;
proprete.lots[0].heures = undefined;
// La vitrerie garde la clause en heures d'un premier calibrage (128 h), que l'étude, sous le plancher de la
// propreté, ne recommande plus : l'écart avec l'étude est signalé.
proprete.lots[1] = { ...proprete.lots[1], mecanisme: 'clauseExecution', mecanismeComplementaire: 'critereAttribution', heures: 128, justificationAbsence: undefined };

// 3. REFUSÉ : les espaces verts en zone blanche — clause en heures sans facilitateur, aucune considération environnementale.
const espacesVerts = baseFiche('2026-SRV-040', {
	servicePrescripteur: 'Direction des lycées – lycée agricole de Cognac-la-Forêt',
	emailService: 'lycee-cognac@region-val-argent.example.test',
	acheteur: 'Claire Martin, service des marchés',
	cpv: '77310000',
	nature: 'services',
	ccag: 'fcs',
	procedure: 'procedureAdaptee',
	motifLotUnique: 'Prestation unique sur un seul site',
	considerationsDecp: ['Clause sociale'],
	environnementCondition: false,
	environnementCritere: false,
	environnementDescription: '',
	redacteur: 'Anne Petit, gestionnaire du lycée',
});
espacesVerts.lots[0] = { ...espacesVerts.lots[0], mecanisme: 'clauseExecution', heures: 250 };

fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(dir, 'fiche-visa-vierge.xlsx'), await lib.buildFicheVisaForm({ date: DATE }));
const files = {
	'fiche-visa-2026-TRX-014.xlsx': lycee,
	'fiche-visa-2026-SRV-031.xlsx': proprete,
	'fiche-visa-2026-SRV-040.xlsx': espacesVerts,
};
for (const [name, fiche] of Object.entries(files)) fs.writeFileSync(path.join(out, name), await lib.buildPrefilledFicheVisa(fiche));

// 4. Une fiche sur l'ancien modèle (version 2025.1) : refusée à la lecture, signalée au service des marchés.
const old = new ExcelJS.Workbook();
await old.xlsx.load(await lib.buildPrefilledFicheVisa({ ...lycee, champs: { ...lycee.champs, reference: '2026-FCS-002', objet: 'Fourniture de mobilier pour les internats' } }));
old.getWorksheet('Fiche visa').getCell('B2').value = '2025.1';
await old.xlsx.writeFile(path.join(out, 'fiche-visa-2026-FCS-002-ancien-modele.xlsx'));

// Vérification : chaque fiche produit la décision de son scénario.
const settings = lib.parseVisaSettings({});
const etude = studied.map(({ lot, f }) => ({ marche: lot.marche, lot: lot.lot, faisabilite: f }));
for (const [name, expected] of [['fiche-visa-2026-TRX-014.xlsx', 'VISÉ'], ['fiche-visa-2026-SRV-031.xlsx', 'À COMPLÉTER'], ['fiche-visa-2026-SRV-040.xlsx', 'REFUSÉ']]) {
	const raw = await lib.readFicheVisaWorkbook(fs.readFileSync(path.join(out, name)), name);
	const result = lib.checkFiche(raw, settings, lib.readStudy(etude, 'étude'));
	process.stdout.write(`${name} : ${result.decision} — ${result.anomalies.map((a) => a.regle).join(', ') || 'aucune anomalie'}\n`);
	if (result.decision !== expected) throw new Error(`${name} : ${expected} attendu`);
}
process.stdout.write(`Fiches visa d'exemple régénérées dans ${out}\n`);
