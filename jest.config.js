/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: '<rootDir>/test/setup/log-capture-environment.ts',
    globalSetup: '<rootDir>/test/setup/build-bundle.ts',
    roots: ['<rootDir>/test'],
    testMatch: ['**/*.test.ts'],
    testTimeout: 60000,
    // isolatedModules (per-file transpiling, as esbuild does) is set in tsconfig.json.
    transform: { '^.+\\.ts$': 'ts-jest' },
    collectCoverageFrom: ['src/**/*.ts'],
    // Checked whenever coverage is collected: `scripts/test-suite.ts` collects it on the full run only.
    coverageThreshold: { global: { lines: 90, branches: 90 } },
}
