// Régénère les classeurs d'exemple de workflows/donnees-exemple/ à partir des
// fichiers JSON (source unique) : ce que les services remplissent vraiment.
//   scripts/node24.sh node scripts/generate-sample-data.mjs
import ExcelJS from 'exceljs';
import fs from 'node:fs';
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

await lots();
process.stdout.write(`Classeurs d'exemple régénérés dans ${dir}\n`);
