// Texte d'un PDF par pdftotext (poppler), mise en page gardée, dans un dossier
// temporaire supprimé ensuite.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** @param {Buffer} pdf @returns {string} */
function pdfToTextLayout(pdf) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdftotext-'));
	try {
		fs.writeFileSync(path.join(dir, 'doc.pdf'), pdf);
		execFileSync('pdftotext', ['-layout', path.join(dir, 'doc.pdf'), path.join(dir, 'doc.txt')]);
		return fs.readFileSync(path.join(dir, 'doc.txt'), 'utf8');
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

module.exports = { pdfToTextLayout };
