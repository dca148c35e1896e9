// Format des pages et texte mis en page d'un PDF, par pdfinfo et pdftotext (poppler,
// installé par scripts/install-system.sh).
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * @param {string} file chemin du PDF
 * @returns {{ pages: number, sizes: Array<[number, number]> }} nombre de pages et, pour chacune, largeur et hauteur en points (la plus petite d'abord)
 */
function pdfPageSizes(file) {
	const info = execFileSync('pdfinfo', ['-f', '1', '-l', '100000', file], { encoding: 'utf8' });
	const pages = Number(/^Pages:\s+(\d+)/m.exec(info)[1]);
	const sizes = [...info.matchAll(/^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/gm)].map((m) => [Number(m[1]), Number(m[2])].sort((a, b) => a - b));
	return { pages, sizes };
}

/** @param {string} file @returns {string} texte de toutes les pages (pdftotext -layout) */
function pdfLayoutText(file) {
	return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

/** @param {Buffer} pdf @returns {string} le même texte, pour un PDF en mémoire (écrit dans un dossier temporaire supprimé ensuite) */
function pdfBufferLayoutText(pdf) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdftotext-'));
	try {
		fs.writeFileSync(path.join(dir, 'doc.pdf'), pdf);
		return pdfLayoutText(path.join(dir, 'doc.pdf'));
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

module.exports = { pdfPageSizes, pdfLayoutText, pdfBufferLayoutText };
