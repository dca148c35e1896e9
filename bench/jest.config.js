/** Bancs de performance : exécutés à la demande (npm run bench:*), jamais par la commande de test. */
const base = require('../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
	...base,
	rootDir: '..',
	roots: ['<rootDir>/bench'],
	testMatch: ['**/*.bench.ts'],
	testTimeout: 1800000,
};
