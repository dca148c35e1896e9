// LibreOffice sans interface, pour vérifier qu'un classeur produit s'ouvre
// ailleurs que dans exceljs : conversion en PDF ou réenregistrement en xlsx.
// Rend undefined si LibreOffice n'est pas installé (le test qui l'appelle échoue
// alors : scripts/install-system.sh l'installe) ; sinon le fichier converti, ou une erreur.
'use strict';

const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function libreOfficeBinary() {
	for (const name of ['libreoffice', 'soffice']) {
		const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
		if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
	}
	return undefined;
}

/**
 * @param {Buffer} buffer classeur .xlsx (ou document .docx, avec `inputExt`)
 * @param {'pdf' | 'xlsx'} format
 * @param {'xlsx' | 'docx'} [inputExt] extension du fichier d'entrée (xlsx par défaut)
 * @returns {Buffer | undefined}
 */
function convertWithLibreOffice(buffer, format, inputExt = 'xlsx') {
	const bin = libreOfficeBinary();
	if (!bin) return undefined;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-lo-'));
	try {
		const input = path.join(dir, `classeur.${inputExt}`);
		const outDir = path.join(dir, 'sortie');
		fs.writeFileSync(input, buffer);
		const filter = format === 'pdf' ? 'pdf' : 'xlsx:Calc MS Excel 2007 XML';
		// Profil utilisateur à part : pas de conflit avec une instance ouverte, rien d'écrit dans ~.
		execFileSync(bin, [`-env:UserInstallation=file://${path.join(dir, 'profil')}`, '--headless', '--convert-to', filter, '--outdir', outDir, input], {
			stdio: 'pipe',
			timeout: 120000,
		});
		const output = path.join(outDir, `classeur.${format}`);
		if (!fs.existsSync(output)) throw new Error(`LibreOffice n'a pas produit classeur.${format}`);
		return fs.readFileSync(output);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/**
 * Plusieurs classeurs convertis en PDF par un seul lancement de LibreOffice (le
 * démarrage coûte plusieurs secondes, davantage sur une machine chargée).
 * @param {Buffer[]} buffers classeurs .xlsx
 * @returns {Buffer[] | undefined} les PDF, dans le même ordre
 */
function convertManyToPdf(buffers) {
	const bin = libreOfficeBinary();
	if (!bin) return undefined;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clauses-lo-'));
	try {
		const outDir = path.join(dir, 'sortie');
		const inputs = buffers.map((buffer, i) => {
			const input = path.join(dir, `classeur-${i + 1}.xlsx`);
			fs.writeFileSync(input, buffer);
			return input;
		});
		execFileSync(bin, [`-env:UserInstallation=file://${path.join(dir, 'profil')}`, '--headless', '--convert-to', 'pdf', '--outdir', outDir, ...inputs], {
			stdio: 'pipe',
			timeout: 120000 + 60000 * buffers.length,
		});
		return inputs.map((_input, i) => {
			const output = path.join(outDir, `classeur-${i + 1}.pdf`);
			if (!fs.existsSync(output)) throw new Error(`LibreOffice n'a pas produit classeur-${i + 1}.pdf`);
			return fs.readFileSync(output);
		});
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

module.exports = { convertWithLibreOffice, convertManyToPdf, libreOfficeBinary };
