// Pages d'un PDF rendues en images PPM par pdftoppm (poppler), dans un dossier
// temporaire supprimé ensuite : une image brute par page, dans l'ordre.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** @param {Buffer} pdf @param {number} dpi @returns {Buffer[]} */
function pdfPagesPpm(pdf, dpi) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-rendu-'));
	try {
		fs.writeFileSync(path.join(dir, 'doc.pdf'), pdf);
		execFileSync('pdftoppm', ['-r', String(dpi), path.join(dir, 'doc.pdf'), path.join(dir, 'page')]);
		return fs
			.readdirSync(dir)
			.filter((f) => f.endsWith('.ppm'))
			.sort()
			.map((f) => fs.readFileSync(path.join(dir, f)));
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

module.exports = { pdfPagesPpm };
