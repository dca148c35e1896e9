/**
 * Lecture d'une fiche visa remplie (classeur du modèle FICHE_VISA_TEMPLATE) :
 * version du modèle, feuilles attendues, cellules de saisie par leurs noms
 * définis, tableau des lots par ses intitulés de colonnes. Ce qui empêche de
 * lire la fiche (pas un xlsx, fichier protégé ou abîmé, autre version, feuille
 * renommée, colonne manquante) est une erreur ; ce qui touche une cellule
 * (fusion, formule, valeur illisible) devient une anomalie située.
 */
import type { EarlierFiche, FicheLotField, RawCell, RawFiche, RawFicheLot, ReadLimits, VisaAnomaly } from '../../core';
import { EARLIER_ENVIRONMENT_FIELD, FICHE_FIELDS, FICHE_LOT_FIELDS, FICHE_VISA_EARLIER_VERSIONS, VISA_RULES, quote } from '../../core';
import { columnLetter } from './ooxml';
import { FICHE_VISA_TEMPLATE, ficheDefinedName, lotFieldForHeading } from './fiche-visa-template';
import { fileError } from './workbook';
import type { LightSheet } from './xlsx-light';
import { LightWorkbook, coveringMerge } from './xlsx-light';

function cellAt(sheet: LightSheet, address: string): RawCell {
	const cell = sheet.cells.get(address);
	const out: RawCell = { value: cell?.value, feuille: sheet.name, cellule: address };
	const merge = coveringMerge(sheet, address);
	if (merge) out.fusionneeDans = merge.ref;
	if (cell?.error) {
		out.probleme = { message: `la cellule contient une erreur de calcul (${cell.error})`, correction: 'Corrigez la formule ou saisissez directement la valeur.', regle: 'cellule.erreur' };
	} else if (cell?.noResult) {
		out.probleme = {
			message: 'formule sans résultat enregistré',
			correction: 'Ouvrez le classeur dans Excel ou LibreOffice et enregistrez-le pour que le résultat soit calculé, ou saisissez la valeur.',
			regle: 'cellule.formuleSansResultat',
		};
	} else if (cell?.formula) out.formule = true;
	return out;
}

function isEmpty(cell: RawCell): boolean {
	const v = cell.value;
	return !cell.probleme && (v === undefined || v === null || (typeof v === 'string' && v.trim() === ''));
}

/** Lit une fiche visa remplie ; lève une AnomalyError si le classeur n'est pas une fiche lisible. */
export async function readFicheVisaWorkbook(buffer: Buffer, fileName: string, limits?: ReadLimits): Promise<RawFiche> {
	const t = FICHE_VISA_TEMPLATE;
	const wb = await LightWorkbook.open(buffer, fileName, limits);
	const present = wb.sheetNames;
	const listed = present.map((n) => `« ${n} »`).join(', ');
	if (!present.includes(t.sheets.fiche) && !wb.definedNames.has(t.versionName)) {
		throw fileError(
			fileName,
			`ce classeur n\u2019est pas une fiche visa : pas de feuille « ${t.sheets.fiche} » (feuilles : ${listed})`,
			`Utilisez le formulaire de fiche visa (version ${t.version}) : fichier « fiche-visa-vierge.xlsx » ou opération « Générer un formulaire vierge » du nœud. Si vous avez renommé la feuille, rendez-lui son nom « ${t.sheets.fiche} ».`,
			'fiche.pasUneFiche',
		);
	}
	// La version : par son nom défini, à défaut à sa place dans le modèle.
	const versionRef = wb.definedNames.get(t.versionName) ?? { sheet: t.sheets.fiche, address: t.versionCell };
	const missingSheet = (required: string) =>
		fileError(
			fileName,
			`feuille « ${required} » introuvable (feuilles du classeur : ${listed})`,
			`Rendez à la feuille son nom « ${required} » (clic droit sur l\u2019onglet › Renommer), sans la supprimer ni la copier.`,
			'fiche.feuilleManquante',
		);
	// Feuille de la version renommée sans que ses noms définis suivent (exceljs, LibreOffice) : c'est le nom de la feuille qui est en cause, pas la version.
	if (!present.includes(versionRef.sheet)) throw missingSheet(versionRef.sheet);
	const versionSheet = await wb.sheet(versionRef.sheet);
	const version = versionSheet?.cells.get(versionRef.address)?.value;
	const versionText = version === undefined || version === null ? '' : String(version).trim();
	const earlier = FICHE_VISA_EARLIER_VERSIONS[versionText];
	if (versionText !== t.version && earlier === undefined) {
		throw fileError(
			fileName,
			versionText === ''
				? `version du formulaire introuvable : ancien modèle de fiche visa, ou cellule ${t.versionCell} effacée (version attendue : ${t.version})`
				: `fiche visa de la version ${quote(versionText)} du formulaire, alors que la version en vigueur est ${t.version}`,
			`Recopiez vos saisies dans le formulaire vierge de la version ${t.version} (fichier « fiche-visa-vierge.xlsx » ou opération « Générer un formulaire vierge ») et renvoyez-le.`,
			'fiche.version',
		);
	}
	for (const required of [t.sheets.fiche, t.sheets.lots]) {
		if (!present.includes(required)) throw missingSheet(required);
	}
	const observations: VisaAnomaly[] = [];
	for (const name of present) {
		if (t.knownSheets.includes(name)) continue;
		observations.push({
			gravite: 'avertissement',
			effet: 'observation',
			champ: 'feuilles',
			libelle: 'feuilles du classeur',
			ou: `fichier « ${fileName} »`,
			message: `feuille « ${name} » ajoutée au modèle : elle n\u2019est pas lue`,
			correction: 'Reportez ce qu\u2019elle contient dans les feuilles « Fiche visa » et « Lots », ou joignez-le séparément.',
			regle: 'visa.feuilleEnTrop',
			source: VISA_RULES['visa.feuilleEnTrop'].source,
		});
	}

	const fiche = (await wb.sheet(t.sheets.fiche))!;
	const champs: RawFiche['champs'] = {};
	/** Cellule d'un champ par son nom défini, à défaut à sa place dans le modèle en vigueur. */
	const namedCell = (champ: string, address?: string): RawCell | undefined => {
		const named = wb.definedNames.get(ficheDefinedName(champ));
		const at = named && named.sheet === t.sheets.fiche ? named.address : address;
		return at === undefined ? undefined : cellAt(fiche, at);
	};
	for (const f of FICHE_FIELDS) {
		if (earlier?.champs.includes(f.champ)) continue;
		champs[f.champ] = namedCell(f.champ, t.fieldCells[f.champ]);
	}

	const lotsSheet = (await wb.sheet(t.sheets.lots))!;
	const columns = new Map<FicheLotField, string>();
	const maxCol = Math.max(FICHE_LOT_FIELDS.length + 5, 12);
	for (let col = 1; col <= maxCol; col++) {
		const letter = columnLetter(col);
		const heading = lotsSheet.cells.get(`${letter}${t.lotsHeaderRow}`)?.value;
		if (typeof heading !== 'string') continue;
		const champ = lotFieldForHeading(heading);
		if (champ && !columns.has(champ)) columns.set(champ, letter);
	}
	const missing = FICHE_LOT_FIELDS.filter((f) => !columns.has(f.champ) && !earlier?.colonnes.includes(f.champ));
	if (missing.length > 0) {
		throw fileError(
			fileName,
			`feuille « ${t.sheets.lots} » : colonne(s) ${missing.map((f) => `« ${f.libelle} »`).join(', ')} introuvable(s) en ligne ${t.lotsHeaderRow}`,
			`Rétablissez les intitulés de colonnes du modèle en ligne ${t.lotsHeaderRow} (ou repartez du formulaire vierge).`,
			'fiche.colonneManquante',
		);
	}
	const lots: RawFicheLot[] = [];
	for (let row = t.lotsFirstRow; row <= lotsSheet.maxRow; row++) {
		const cells: RawFicheLot['champs'] = {};
		let empty = true;
		for (const [champ, letter] of columns) {
			const address = `${letter}${row}`;
			const cell = cellAt(lotsSheet, address);
			if (!isEmpty(cell)) empty = false;
			cells[champ] = cell;
		}
		if (!empty) lots.push({ ligne: row, feuille: t.sheets.lots, champs: cells });
	}
	const versionAnterieure: EarlierFiche | undefined = earlier && {
		version: versionText,
		champsAbsents: [...earlier.champs],
		colonnesAbsentes: earlier.colonnes.filter((champ) => !columns.has(champ)),
		environnement: namedCell(EARLIER_ENVIRONMENT_FIELD),
	};
	return { champs, lots, origine: `fichier « ${fileName} »`, observations, ...(versionAnterieure ? { versionAnterieure } : {}) };
}
