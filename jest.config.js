/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
	},
	setupFiles: ['<rootDir>/test/helpers/setup-env.ts'],
	globalSetup: '<rootDir>/test/helpers/global-setup.js',
	globalTeardown: '<rootDir>/test/helpers/global-teardown.js',
	testTimeout: 30000,
};
