/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
		// Polices des lettres PDF, importées comme contenu binaire (comme esbuild dans dist/).
		'^.+\\.woff$': '<rootDir>/test/helpers/binary-transform.cjs',
	},
	transformIgnorePatterns: ['/node_modules/(?!@fontsource/)'],
	setupFiles: ['<rootDir>/test/helpers/setup-env.ts'],
	globalSetup: '<rootDir>/test/helpers/global-setup.js',
	globalTeardown: '<rootDir>/test/helpers/global-teardown.js',
	testTimeout: 30000,
};
