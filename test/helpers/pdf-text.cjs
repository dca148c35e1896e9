// Texte d'un PDF lu par pdf-parse (pdf.js) dans un processus Node à part : pdf.js
// charge son « worker » par un import dynamique, que l'environnement de Jest
// (modules en VM) refuse. Le PDF passe par l'entrée standard, le texte revient en JSON.
'use strict';

const { execFileSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

const SCRIPT = `
const { PDFParse } = require(${JSON.stringify(path.join(ROOT, 'node_modules', 'pdf-parse'))});
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', async () => {
	const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
	try {
		const result = await parser.getText();
		process.stdout.write(JSON.stringify({ text: result.text, pages: result.total }));
	} finally {
		await parser.destroy();
	}
});
`;

/** @param {Buffer} buffer @returns {{ text: string, pages: number }} */
function pdfTextSync(buffer) {
	const out = execFileSync(process.execPath, ['-e', SCRIPT], { input: buffer, maxBuffer: 64 * 1024 * 1024, env: { PATH: process.env.PATH } });
	return JSON.parse(out.toString('utf8'));
}

module.exports = { pdfTextSync };
