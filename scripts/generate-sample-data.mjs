// Régénère les classeurs d'exemple de workflows/donnees-exemple/ à partir des
// fichiers JSON (source unique) : ce que les services remplissent vraiment.
//   scripts/node24.sh node scripts/generate-sample-data.mjs
import ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'workflows', 'donnees-exemple');
const FIXED_DATE = new Date('2026-11-02T08:00:00Z');

function header(sheet) {
	const row = sheet.getRow(1);
	row.font = { bold: true, color: { argb: 'FFFFFFFF' } };
	row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1F5FA8' } };
	row.alignment = { wrapText: true, vertical: 'middle' };
	sheet.views = [{ state: 'frozen', ySplit: 1 }];
}

async function lots() {
	const lots = JSON.parse(fs.readFileSync(path.join(dir, 'lots-consultation.json'), 'utf8'));
	const wb = new ExcelJS.Workbook();
	wb.creator = 'Région Val-d’Argent – service des marchés';
	wb.created = FIXED_DATE;
	wb.modified = FIXED_DATE;
	const ws = wb.addWorksheet('Lots');
	const columns = [
		['N° marché', 'marche', 16], ['Objet du marché', 'objet', 40], ['N° lot', 'lot', 8], ['Intitulé du lot', 'intitule', 36],
		['Nature', 'nature', 24], ['Montant estimé HT', 'montantHT', 18], ['Durée (mois)', 'dureeMois', 10], ['Code CPV', 'cpv', 12],
		['Secteur', 'secteur', 14], ["Lieu d'exécution", 'lieuExecution', 28], ["Taux de main-d'œuvre", 'tauxMainOeuvre', 12],
		["Taux d'insertion", 'tauxInsertion', 12], ['Reprise du personnel', 'repriseDuPersonnel', 12],
		['Heures mensuelles du personnel repris', 'heuresMensuellesTransferees', 14], ['Heures du marché', 'heuresMarche', 12],
		['Part des heures du marché', 'partHeuresMarche', 12], ['Offre SIAE du territoire', 'offreSiae', 16],
	];
	ws.columns = columns.map(([h, key, width]) => ({ header: h, key, width }));
	header(ws);
	for (const lot of lots) {
		const row = ws.addRow({});
		columns.forEach(([, key], i) => {
			const cell = row.getCell(i + 1);
			const value = lot[key];
			if (value === undefined) return;
			if ((key === 'tauxMainOeuvre' || key === 'tauxInsertion' || key === 'partHeuresMarche') && typeof value === 'number') {
				cell.value = value / 100;
				cell.numFmt = '0%';
			} else if (key === 'montantHT' && typeof value === 'number') {
				cell.value = value;
				cell.numFmt = '#,##0.00 "€"';
			} else if (key === 'nature') {
				cell.value = { travaux: 'Travaux', services: 'Services', 'prestations intellectuelles': 'Prestations intellectuelles' }[value] ?? value;
			} else cell.value = value;
		});
	}
	await wb.xlsx.writeFile(path.join(dir, 'lots-consultation.xlsx'));
}

// Générateur pseudo-aléatoire à graine fixe : les fichiers sont reproductibles.
function prng(graine) {
	let a = graine >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function luhnSiret(random) {
	const digits = Array.from({ length: 13 }, (_, i) => (i === 0 ? 1 + Math.floor(random() * 8) : Math.floor(random() * 10)));
	for (let check = 0; check < 10; check++) {
		const all = [...digits, check];
		let sum = 0;
		for (let i = 0; i < 14; i++) {
			let d = all[13 - i];
			if (i % 2 === 1) {
				d *= 2;
				if (d > 9) d -= 9;
			}
			sum += d;
		}
		if (sum % 10 === 0) return all.join('');
	}
	throw new Error('SIRET impossible');
}

const monthAdd = (m, n) => {
	const [y, mo] = m.split('-').map(Number);
	const i = y * 12 + mo - 1 + n;
	return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
};
const daysIn = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const dayNumber = (iso) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / 86400000;

/** Dernier mois complet des relevés d'exemple (le jeu de données date de novembre 2026). */
const LAST_REPORTED = '2026-10';

const CATEGORIES = ['Demandeur d’emploi de longue durée (plus de 12 mois)', 'Bénéficiaire du RSA', 'Jeune de moins de 26 ans peu qualifié', 'Travailleur handicapé (RQTH)', 'Demandeur d’emploi de plus de 50 ans', 'Salarié d’une SIAE (AI, ETTI, EI, ACI)', 'Bénéficiaire de l’ASS, de l’AAH ou d’une pension d’invalidité'];
const EMPLOYERS = [
	['Titulaire', 'Embauche directe', ['CDD', 'CDI', 'Contrat de professionnalisation', 'Contrat d’apprentissage']],
	['Entreprise de travail temporaire d’insertion (ETTI)', 'Mise à disposition', ['Intérim']],
	['GEIQ', 'Mise à disposition', ['Contrat de professionnalisation']],
	['Entreprise d’insertion (EI)', 'Sous-traitance à une structure d’insertion', ['CDDI']],
	['Association intermédiaire (AI)', 'Mise à disposition', ['CDD']],
];
const JOBS = ['Manœuvre', 'Ouvrier polyvalent', 'Aide-électricien', 'Plaquiste', 'Agent d’entretien', 'Enquêteur', 'Agent de propreté', 'Conducteur de car', 'Peintre en bâtiment', 'Aide-maçon'];

/** Un SIRET valide par titulaire (le même pour toutes ses clauses). */
function assignSirets(clauses, random) {
	const sirets = new Map();
	for (const clause of clauses) {
		if (!sirets.has(clause.titulaire)) sirets.set(clause.titulaire, luhnSiret(random));
		clause.siret = sirets.get(clause.titulaire);
	}
}

/** Colonnes de la feuille « Registre » : [en-tête, champ, largeur]. */
const REGISTRE_COLUMNS = [
	['N° marché', 'marche', 14], ['Objet du marché', 'objet', 40], ['N° lot', 'lot', 8], ['Intitulé du lot', 'intitule', 30],
	['Titulaire', 'titulaire', 30], ['SIRET', 'siret', 16], ['Courriel du titulaire', 'emailTitulaire', 30], ['Contact du titulaire', 'contactTitulaire', 18],
	['Heures dues', 'heuresDues', 10], ["Début d'exécution", 'debutExecution', 12], ["Fin d'exécution", 'finExecution', 12],
	['Facilitateur', 'facilitateur', 28], ['Courriel du facilitateur', 'emailFacilitateur', 32], ['Acheteur', 'acheteur', 34],
	["Courriel de l'acheteur", 'emailAcheteur', 34], ['Statut', 'statut', 12], ['Montant HT', 'montantHT', 16],
];
const DATE_FIELDS = new Set(['debutExecution', 'finExecution', 'debutNeutralisation', 'finNeutralisation', 'dateMiseEnDemeure', 'dateNotificationPenalites', 'dateRemiseBilan']);
const AMOUNT_FIELDS = new Set(['montantHT', 'montantAnnuelHT']);

/** Feuille « Registre » : une ligne par clause, dates et montants au format français. */
function addRegistre(wb, clauses, columns) {
	const registre = wb.addWorksheet('Registre');
	registre.columns = columns.map(([h, key, width]) => ({ header: h, key, width }));
	header(registre);
	for (const clause of clauses) {
		const row = registre.addRow({});
		columns.forEach(([, key], i) => {
			const value = clause[key];
			if (value === undefined) return;
			const cell = row.getCell(i + 1);
			if (DATE_FIELDS.has(key)) {
				cell.value = new Date(`${value}T00:00:00Z`);
				cell.numFmt = 'dd/mm/yyyy';
			} else if (AMOUNT_FIELDS.has(key)) {
				cell.value = value;
				cell.numFmt = '#,##0.00 "€"';
			} else cell.value = value;
		});
	}
}

/**
 * Sexe, tranche d'âge, résidence en QPV d'une personne (les mêmes sur toutes ses
 * lignes), et situation six mois après sur la dernière ligne d'un lot terminé.
 * Tirage propre à chaque personne (graine tirée de son identifiant) : les autres
 * valeurs du jeu d'exemple ne changent pas.
 */
function addPersonDetails(lines, clauses) {
	const graine = (text) => [...text].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7);
	const details = new Map();
	for (const line of lines) {
		if (!line.participant || line.participant === 'néant') continue;
		if (!details.has(line.participant)) {
			const random = prng(graine(line.participant));
			const trancheAge = line.categoriePublic.startsWith('Jeune') ? 'Moins de 26 ans' : line.categoriePublic.includes('plus de 50 ans') ? '50 ans et plus' : ['Moins de 26 ans', 'De 26 à 49 ans', 'De 26 à 49 ans', '50 ans et plus'][Math.floor(random() * 4)];
			details.set(line.participant, { sexe: random() < 0.3 ? 'Femme' : 'Homme', trancheAge, residentQpv: random() < 0.35 ? 'oui' : 'non', situation: ['Emploi durable (CDI, CDD ou intérim de 6 mois et plus, création d’entreprise)', 'Emploi de transition (CDD ou intérim de moins de 6 mois, contrat aidé)', 'Formation qualifiante', 'Autre situation (recherche d’emploi, sans nouvelles…)'][Math.floor(random() * 4)] });
		}
		const d = details.get(line.participant);
		line.sexe = d.sexe;
		line.trancheAge = d.trancheAge;
		line.residentQpv = d.residentQpv;
	}
	// Lots terminés depuis plus de six mois : la situation de chaque personne, reportée par le facilitateur sur sa dernière ligne.
	for (const clause of clauses.filter((c) => monthAdd(c.finExecution.slice(0, 7), 6) <= LAST_REPORTED)) {
		const last = new Map();
		for (const line of lines) if (line.marche === clause.marche && line.lot === clause.lot && details.has(line.participant)) last.set(line.participant, line);
		for (const [participant, line] of last) line.situationSixMois = details.get(participant).situation;
	}
}

/** Feuille « Marchés » : tous les marchés en exécution, avec et sans clause. */
function addMarches(wb, marches) {
	const ws = wb.addWorksheet('Marchés');
	const columns = [
		['N° marché', 'marche', 14], ['Objet du marché', 'objet', 48], ['Nature', 'nature', 26], ['Service acheteur', 'acheteur', 40], ['Territoire', 'territoire', 10],
		['Montant HT', 'montantHT', 16], ['Date de notification', 'dateNotification', 12], ["Début d'exécution", 'debutExecution', 12], ["Fin d'exécution", 'finExecution', 12],
	];
	ws.columns = columns.map(([h, key, width]) => ({ header: h, key, width }));
	header(ws);
	for (const m of marches) {
		const row = ws.addRow({});
		columns.forEach(([, key], i) => {
			const value = m[key];
			if (value === undefined) return;
			const cell = row.getCell(i + 1);
			if (/^\d{4}-\d{2}-\d{2}$/.test(String(value))) {
				cell.value = new Date(`${value}T00:00:00Z`);
				cell.numFmt = 'dd/mm/yyyy';
			} else if (key === 'montantHT') {
				cell.value = value;
				cell.numFmt = '#,##0.00 "€"';
			} else cell.value = value;
		});
	}
}

/** Feuille « Pénalités » du suivi : proposées (mise en demeure), notifiées après les observations du titulaire, recouvrées. */
function addPenalitesSuivi(wb) {
	const ws = wb.addWorksheet('Pénalités');
	ws.columns = [['N° marché', 14], ['N° lot', 8], ['Étape', 28], ['Montant HT', 14], ['Date', 12]].map(([h, width]) => ({ header: h, width }));
	header(ws);
	for (const [marche, lot, etape, montant, date] of [
		['2024-SRV-017', '2', 'Mise en demeure', 1920, '2025-05-20'],
		['2024-SRV-017', '2', 'Notification de pénalités', 1440, '2025-07-15'],
		['2024-SRV-017', '2', 'Recouvrée', 1440, '2025-10-03'],
		['2025-TRX-031', '20', 'Mise en demeure', 2700, '2026-09-15'],
	]) {
		const row = ws.addRow([marche, lot, etape, montant, new Date(`${date}T00:00:00Z`)]);
		row.getCell(4).numFmt = '#,##0.00 "€"';
		row.getCell(5).numFmt = 'dd/mm/yyyy';
	}
}

/** Feuille « Relevés » : une ligne par participant et par mois (mois au format MM/AAAA). */
function addReleves(wb, lines) {
	const releves = wb.addWorksheet('Relevés');
	const lineColumns = [
		['N° marché', 'marche', 14], ['N° lot', 'lot', 8], ['SIRET', 'siret', 16], ['Mois', 'mois', 10], ['Participant', 'participant', 16],
		['Catégorie de public', 'categoriePublic', 40], ['Éligibilité validée', 'eligibiliteValidee', 10], ['Employeur', 'employeur', 34],
		['Modalité', 'modalite', 34], ['Type de contrat', 'typeContrat', 24], ['Début du contrat', 'debutContrat', 12], ['Poste', 'poste', 20],
		['Heures du mois', 'heuresMois', 10], ['Heures de formation', 'heuresFormation', 10],
		['Sexe', 'sexe', 8], ['Tranche d’âge', 'trancheAge', 16], ['Résident QPV', 'residentQpv', 10], ['Situation à six mois', 'situationSixMois', 40],
	].filter(([, key], i) => i < 14 || lines.some((l) => l[key] !== undefined));
	releves.columns = lineColumns.map(([h, key, width]) => ({ header: h, key, width }));
	header(releves);
	for (const line of lines) {
		const row = releves.addRow({});
		lineColumns.forEach(([, key], i) => {
			const value = line[key];
			if (value === undefined) return;
			const cell = row.getCell(i + 1);
			if (key === 'mois') cell.value = `${value.slice(5, 7)}/${value.slice(0, 4)}`;
			else if (key === 'debutContrat') {
				cell.value = new Date(`${value}T00:00:00Z`);
				cell.numFmt = 'dd/mm/yyyy';
			} else cell.value = value;
		});
	}
}

async function followUp() {
	const clauses = JSON.parse(fs.readFileSync(path.join(dir, 'registre-clauses.json'), 'utf8'));
	const random = prng(20261123);
	assignSirets(clauses, random);
	const lines = [];
	for (const clause of clauses) {
		const start = clause.debutExecution.slice(0, 7);
		const end = clause.finExecution.slice(0, 7) < LAST_REPORTED ? clause.finExecution.slice(0, 7) : LAST_REPORTED;
		const lastReported = { 'manque-dernier': monthAdd(LAST_REPORTED, -1), 'manque-depuis-juin': '2026-05', suspendue: '2026-04' }[clause.scenario] ?? end;
		const pace = clause.scenario === 'retard' ? 0.55 : clause.scenario === 'solde' ? 1.2 : 1;
		const total = dayNumber(clause.finExecution) - dayNumber(clause.debutExecution) + 1;
		const people = Array.from({ length: clause.heuresDues > 2000 ? 3 : clause.heuresDues > 400 ? 2 : 1 }, (_, i) => {
			const [employeur, modalite, contrats] = EMPLOYERS[Math.floor(random() * EMPLOYERS.length)];
			return {
				participant: `${clause.marche.slice(-3)}-${clause.lot.slice(0, 3).toUpperCase()}-P${String(i + 1).padStart(2, '0')}`,
				categoriePublic: CATEGORIES[Math.floor(random() * CATEGORIES.length)],
				employeur,
				modalite,
				typeContrat: contrats[Math.floor(random() * contrats.length)],
				poste: JOBS[Math.floor(random() * JOBS.length)],
			};
		});
		let done = 0;
		for (let m = start; m <= lastReported; m = monthAdd(m, 1)) {
			const [y, mo] = m.split('-').map(Number);
			const monthEnd = `${m}-${String(daysIn(y, mo)).padStart(2, '0')}`;
			const elapsed = Math.min(total, dayNumber(monthEnd) - dayNumber(clause.debutExecution) + 1);
			let target = (clause.heuresDues * elapsed) / total;
			if (clause.courbe) {
				// Courbe annuelle : rythme régulier de 150 h par mois.
				target = Math.min(clause.heuresDues, (elapsed / 365) * 1800);
			}
			const due = Math.max(0, Math.round((target * pace - done) * (0.9 + random() * 0.2)));
			if (due === 0) {
				lines.push({ marche: clause.marche, lot: clause.lot, siret: clause.siret, mois: m, participant: 'néant', heuresMois: 0 });
				continue;
			}
			const shares = people.map(() => 0.5 + random());
			const sum = shares.reduce((a, b) => a + b, 0);
			let left = due;
			people.forEach((person, i) => {
				const hours = i === people.length - 1 ? left : Math.min(left, Math.round((due * shares[i]) / sum));
				left -= hours;
				if (hours <= 0) return;
				lines.push({
					marche: clause.marche,
					lot: clause.lot,
					siret: clause.siret,
					mois: m,
					...person,
					eligibiliteValidee: 'oui',
					debutContrat: clause.debutExecution,
					heuresMois: hours,
					heuresFormation: random() < 0.2 ? 7 : 0,
				});
			});
			done += due;
		}
	}
	addPersonDetails(lines, clauses);
	fs.writeFileSync(path.join(dir, 'registre-clauses.json'), `${JSON.stringify(clauses, null, '\t')}\n`);
	fs.writeFileSync(path.join(dir, 'releves-2026.json'), `${JSON.stringify(lines, null, '\t')}\n`);

	const wb = new ExcelJS.Workbook();
	wb.creator = 'PLIE du Val d’Argent';
	wb.created = FIXED_DATE;
	wb.modified = FIXED_DATE;
	addRegistre(wb, clauses, [...REGISTRE_COLUMNS, ['Montant annuel HT', 'montantAnnuelHT', 16], ['Courbe prévisionnelle', 'courbe', 40]]);
	addReleves(wb, lines);
	addMarches(wb, JSON.parse(fs.readFileSync(path.join(dir, 'marches.json'), 'utf8')));
	addPenalitesSuivi(wb);
	const about = wb.addWorksheet('Lisez-moi');
	about.getColumn(1).width = 110;
	[
		'Classeur de suivi des clauses sociales d’insertion — Région Val-d’Argent (données fictives)',
		'Feuille « Marchés » : tous les marchés en exécution, avec et sans clause (nature, service acheteur, territoire, dates) : le bilan y lit la part des marchés avec une clause.',
		'Feuille « Pénalités » : les pénalités proposées (mises en demeure), notifiées et recouvrées, une ligne par étape.',
		'Feuille « Registre » : une ligne par lot clausé (heures dues, dates d’exécution, titulaire, facilitateur, acheteur, statut).',
		'Feuille « Relevés » : une ligne par participant et par mois, reprise des relevés mensuels transmis par les titulaires ; « néant » et 0 heure pour un mois sans activité.',
		'Volumes d’heures repris des documents sources : lycée du Limousin (420, 280, 490, 455 h), université de Compiègne (3 600, 360, 580, 450, 100 h), DSP d’autocars des Pays de la Loire (1 800 h par an sur 6 ans), enquête de la CUB (2 400 h).',
	].forEach((text, i) => (about.getCell(i + 1, 1).value = text));
	await wb.xlsx.writeFile(path.join(dir, 'suivi-clauses.xlsx'));
}

/**
 * Relevés renvoyés par les titulaires (workflow « réception des relevés ») : le
 * modèle joint aux relances (construit par le paquet lui-même, dist/), rempli
 * comme le ferait un titulaire. Un relevé propre, un avec anomalies, un mois
 * déjà reçu, une correction d'un mois passé ; cohérents avec le registre.
 */
async function receivedReleves() {
	execFileSync(process.execPath, [path.join(path.dirname(fileURLToPath(import.meta.url)), 'build.mjs')], { stdio: 'inherit' });
	const { buildReportTemplate, REPORT_TEMPLATE } = createRequire(import.meta.url)('../dist/nodes/lib.js');
	const clauses = JSON.parse(fs.readFileSync(path.join(dir, 'registre-clauses.json'), 'utf8'));
	const lines = JSON.parse(fs.readFileSync(path.join(dir, 'releves-2026.json'), 'utf8'));
	const out = path.join(dir, 'releves-recus');
	fs.mkdirSync(out, { recursive: true });
	const clause = (marche, lot) => clauses.find((c) => c.marche === marche && c.lot === lot);
	const sent = (marche, lot, mois) => lines.filter((l) => l.marche === marche && l.lot === lot && l.mois === mois);
	const date = (iso) => new Date(`${iso}T00:00:00Z`);
	const files = [
		// Propre : le relevé d'octobre 2026 du lot 9, qui manquait.
		['2025-TRX-031', '9', '2026-10', [
			{ participant: '031-9-P01', categoriePublic: 'Bénéficiaire du RSA', eligibiliteValidee: 'oui', employeur: 'Entreprise de travail temporaire d’insertion (ETTI)', modalite: 'Mise à disposition', typeContrat: 'Intérim', debutContrat: date('2026-01-05'), poste: 'Poseur de menuiseries', heuresMois: 24 },
		]],
		// Anomalies : juin 2026 du lot 20 (saisie à la main, une personne au-delà du temps plein, une catégorie manquante).
		['2025-TRX-031', '20', '2026-06', [
			{ participant: '031-20-P01', categoriePublic: 'jeune de moins de 26 ans', eligibiliteValidee: 'oui', employeur: 'Titulaire', modalite: 'embauche', typeContrat: 'apprenti', debutContrat: '05/01/2026', poste: 'Aide-électricien', heuresMois: '12,5' },
			{ participant: '031-20-P02', categoriePublic: 'DELD', eligibiliteValidee: 'oui', employeur: 'GEIQ', modalite: 'Mise à disposition', typeContrat: 'Contrat de professionnalisation', heuresMois: 182 },
			{ participant: '031-20-P03', eligibiliteValidee: 'non', employeur: 'Titulaire', modalite: 'Embauche directe', typeContrat: 'CDD', heuresMois: 35 },
		]],
		// Mois déjà reçu : septembre 2026 du lot 3, renvoyé à l'identique.
		['2025-TRX-044', '3', '2026-09', sent('2025-TRX-044', '3', '2026-09')],
		// Correction : août 2026 du lot 2 (Bâtir 17), heures du premier participant corrigées.
		['2025-TRX-052', '2', '2026-08', sent('2025-TRX-052', '2', '2026-08').map((l, i) => (i === 0 ? { ...l, heuresMois: l.heuresMois + 6, justification: 'Correction : heures de fin de mois omises' } : l))],
	];
	for (const [marche, lot, mois, rows] of files) {
		if (rows.length === 0) throw new Error(`Aucune ligne pour ${marche} lot ${lot} ${mois}`);
		const template = await buildReportTemplate({ clause: clause(marche, lot), mois, date: '2026-11-02' });
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(template);
		const ws = wb.getWorksheet(REPORT_TEMPLATE.sheet);
		rows.forEach((row, r) => {
			REPORT_TEMPLATE.columns.forEach((col, c) => {
				let value = row[col.field];
				if (col.field === 'mois' || value === undefined) return;
				if ((col.field === 'debutContrat' || col.field === 'finContrat') && typeof value === 'string' && /^\d{4}-/.test(value)) value = date(value);
				ws.getCell(REPORT_TEMPLATE.firstDataRow + r, c + 1).value = value;
			});
		});
		wb.created = FIXED_DATE;
		wb.modified = FIXED_DATE;
		await wb.xlsx.writeFile(path.join(out, `releve-${marche}-lot-${lot}-${mois}.xlsx`));
	}
}

/**
 * Classeur « clauses à solder » (avis de pénalité) : des clauses dont l'exécution
 * est terminée, avec les colonnes de pénalité du registre (montant annuel,
 * article du CCAP, neutralisations, date de mise en demeure, bilan). Les heures
 * réalisées sont réparties exactement sur les mois d'exécution (champ
 * « realiseesExemple » du JSON source) : une mise en demeure à faire (700 → 570 h,
 * cas de l'étude Avise 2013 sur les prestations intellectuelles), une notification (mise en demeure restée sans effet), une
 * clause dont les heures manquantes sont neutralisées, une clause au-delà de son
 * objectif (35 → 70 h, même étude), une clause déjà notifiée (feuille « Pénalités »).
 */
async function clausesToSettle() {
	const clauses = JSON.parse(fs.readFileSync(path.join(dir, 'clauses-a-solder.json'), 'utf8'));
	const random = prng(20261201);
	assignSirets(clauses, random);
	const lines = [];
	for (const clause of clauses) {
		const months = [];
		for (let m = clause.debutExecution.slice(0, 7); m <= clause.finExecution.slice(0, 7); m = monthAdd(m, 1)) months.push(m);
		const per = Math.floor(clause.realiseesExemple / months.length);
		const [employeur, modalite, contrats] = EMPLOYERS[Math.floor(random() * EMPLOYERS.length)];
		const person = {
			participant: `${clause.marche.slice(-3)}-${clause.lot}-P01`,
			categoriePublic: CATEGORIES[Math.floor(random() * CATEGORIES.length)],
			employeur,
			modalite,
			typeContrat: contrats[Math.floor(random() * contrats.length)],
			poste: JOBS[Math.floor(random() * JOBS.length)],
		};
		months.forEach((m, i) => {
			const hours = i === months.length - 1 ? clause.realiseesExemple - per * (months.length - 1) : per;
			lines.push({ marche: clause.marche, lot: clause.lot, siret: clause.siret, mois: m, ...person, eligibiliteValidee: 'oui', debutContrat: clause.debutExecution, heuresMois: hours, heuresFormation: 0 });
		});
	}
	fs.writeFileSync(path.join(dir, 'clauses-a-solder.json'), `${JSON.stringify(clauses, null, '\t')}\n`);
	fs.writeFileSync(path.join(dir, 'releves-a-solder.json'), `${JSON.stringify(lines, null, '\t')}\n`);

	const wb = new ExcelJS.Workbook();
	wb.creator = 'Région Val-d’Argent – service des marchés';
	wb.created = FIXED_DATE;
	wb.modified = FIXED_DATE;
	addRegistre(wb, clauses, [
		...REGISTRE_COLUMNS,
		['Montant annuel HT', 'montantAnnuelHT', 16], ['Article du CCAP', 'articleCcap', 22], ['Heures neutralisées', 'heuresNeutralisees', 12],
		['Motif de neutralisation', 'motifNeutralisation', 28], ['Début de la neutralisation', 'debutNeutralisation', 12], ['Fin de la neutralisation', 'finNeutralisation', 12],
		['Référence de la neutralisation', 'referenceNeutralisation', 30], ['Date de mise en demeure', 'dateMiseEnDemeure', 12],
		['Date de notification des pénalités', 'dateNotificationPenalites', 12], ['Bilan remis', 'bilanRemis', 8], ['Date de remise du bilan', 'dateRemiseBilan', 12],
	]);
	addReleves(wb, lines);
	// Historique des avis : la feuille « Pénalités » (colonnes du bilan : Marché, Lot, Étape, Montant HT, Date).
	const history = JSON.parse(fs.readFileSync(path.join(dir, 'historique-penalites.json'), 'utf8'));
	const penalites = wb.addWorksheet('Pénalités');
	penalites.columns = [
		{ header: 'Marché', key: 'marche', width: 14 }, { header: 'Lot', key: 'lot', width: 8 }, { header: 'Étape', key: 'etape', width: 26 },
		{ header: 'Montant HT', key: 'montantHT', width: 14, style: { numFmt: '#,##0.00 "€"' } }, { header: 'Date', key: 'date', width: 12, style: { numFmt: 'dd/mm/yyyy' } },
		{ header: 'Période', key: 'periode', width: 18 },
	];
	header(penalites);
	for (const h of history) penalites.addRow({ ...h, date: new Date(`${h.date}T00:00:00Z`) });
	const about = wb.addWorksheet('Lisez-moi');
	about.getColumn(1).width = 110;
	[
		'Clauses sociales d’insertion à solder — Région Val-d’Argent (données fictives)',
		'Feuille « Registre » : une ligne par clause dont l’exécution est terminée, avec les colonnes de pénalité : montant annuel HT, article du CCAP, heures neutralisées et motif, date de mise en demeure, date de notification des pénalités, remise du bilan.',
		'Feuille « Relevés » : les relevés mensuels d’heures de ces clauses.',
		'Feuille « Pénalités » : l’historique des avis (mises en demeure et notifications déjà faites), une ligne par avis.',
		'Volumes repris des documents sources : 700 h prévues, 570 h réalisées, et 35 h prévues, 70 h réalisées (Avise 2013) ; ventilation 450 h et espaces verts 100 h (université de Compiègne, Avise 2014).',
	].forEach((text, i) => (about.getCell(i + 1, 1).value = text));
	await wb.xlsx.writeFile(path.join(dir, 'clauses-a-solder.xlsx'));
}

/**
 * Notifications des marchés de la consultation étudiée (lots-consultation) : ce que
 * l'acheteur sait à la notification (titulaire, SIRET, contact, facilitateur, dates
 * d'exécution), sans les heures, que le registre reprend de l'étude. CSV au
 * séparateur « ; », comme l'enregistre un tableur français.
 */
function notifications() {
	const rows = JSON.parse(fs.readFileSync(path.join(dir, 'notifications-marches.json'), 'utf8'));
	const columns = [
		['Marché', 'marche'], ['Lot', 'lot'], ['Date de notification', 'dateNotification'], ['Titulaire', 'titulaire'],
		['SIRET du titulaire', 'siret'], ['Courriel du titulaire', 'emailTitulaire'], ['Contact du titulaire', 'contactTitulaire'],
		['Facilitateur', 'facilitateur'], ['Courriel du facilitateur', 'emailFacilitateur'], ['Acheteur', 'acheteur'],
		['Courriel de l’acheteur', 'emailAcheteur'], ['Début d’exécution', 'debutExecution'], ['Fin d’exécution', 'finExecution'],
	];
	const lots = JSON.parse(fs.readFileSync(path.join(dir, 'lots-consultation.json'), 'utf8'));
	for (const row of rows) {
		if (!lots.some((l) => l.marche === row.marche && l.lot === row.lot)) throw new Error(`Notification d'un lot absent de la consultation : ${row.marche}, lot ${row.lot}`);
		if ('heuresDues' in row) throw new Error(`Notification ${row.marche}, lot ${row.lot} : les heures viennent de l'étude, pas de la notification`);
	}
	const cell = (v) => (/[;"\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
	const text = [columns.map(([h]) => h), ...rows.map((r) => columns.map(([, k]) => r[k] ?? ''))].map((line) => line.map(cell).join(';')).join('\r\n');
	fs.writeFileSync(path.join(dir, 'notifications-marches.csv'), `${text}\r\n`);
}

await lots();
await followUp();
await receivedReleves();
await clausesToSettle();
notifications();
process.stdout.write(`Classeurs d'exemple régénérés dans ${dir}\n`);
