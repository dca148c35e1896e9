// Classeur de suivi des bancs de la relance (banc complet et mesure ciblée de la mémoire).
import ExcelJS from 'exceljs';

import { siret } from './donnees.mjs';

/** Mois de relevé des bancs de la relance : janvier à octobre 2026 (relance du 2 novembre). */
export const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10'];

/**
 * Classeur de suivi : `clauses` clauses, relevés de janvier à octobre 2026 ; une clause
 * sur deux n'a pas envoyé celui d'octobre. Rend le nombre de lignes de relevé.
 */
export async function writeReminderWorkbook(file, clauses) {
	const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false });
	const reg = wb.addWorksheet('Registre');
	reg.addRow(['N° marché', 'N° lot', 'Intitulé du lot', 'Titulaire', 'SIRET', 'Courriel du titulaire', 'Heures dues', "Début d'exécution", "Fin d'exécution", 'Facilitateur', 'Courriel du facilitateur', 'Acheteur', "Courriel de l'acheteur", 'Statut']).commit();
	for (let i = 0; i < clauses; i++) {
		reg.addRow([`B-${Math.floor(i / 5)}`, String((i % 5) + 1), `Lot ${i}`, `Entreprise ${i}`, siret(i), `titulaire${i}@example.test`, 600, '2026-01-01', '2027-12-31', `Facilitateur ${i % 20}`, `facilitateur${i % 20}@example.test`, 'Service des marchés', 'marches@example.test', 'En cours']).commit();
	}
	reg.commit();
	const rel = wb.addWorksheet('Relevés');
	rel.addRow(['N° marché', 'N° lot', 'SIRET', 'Mois', 'Participant', 'Catégorie de public', 'Employeur', 'Modalité', 'Type de contrat', 'Heures du mois']).commit();
	let rows = 0;
	for (let i = 0; i < clauses; i++) {
		for (const m of i % 2 === 0 ? MONTHS : MONTHS.slice(0, -1)) {
			rel.addRow([`B-${Math.floor(i / 5)}`, String((i % 5) + 1), siret(i), m, `P${i}`, 'Bénéficiaire du RSA', 'Titulaire', 'Embauche directe', 'CDD', 25]).commit();
			rows++;
		}
	}
	rel.commit();
	await wb.commit();
	return rows;
}
