/** Three tiers by file suffix: unit (*.spec.ts), integration (*.int-spec.ts), e2e (*.e2e-spec.ts). */
/** Packages published only as ES modules (openid-client brings its own jose; @fastify/static, Swagger UI's files, its content-disposition). */
const ESM_ONLY = 'openid-client|oauth4webapi|content-disposition';
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    // openid-client and the modules it loads ship as ES modules only; jest runs CommonJS.
    [`/node_modules/(${ESM_ONLY})/.+\\.js$`]: ['ts-jest', { tsconfig: '<rootDir>/tsconfig.esm-deps.json' }],
  },
  transformIgnorePatterns: [`^(?!.*/node_modules/(${ESM_ONLY})/).*/node_modules/`],
  // A lib's test helpers first (tests only: decision 0018), then its public index.
  moduleNameMapper: {
    '^@throughline/([^/]+)/testing$': '<rootDir>/libs/$1/src/testing',
    '^@throughline/(.*)$': '<rootDir>/libs/$1/src',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
module.exports = {
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts', '<rootDir>/infra/**/*.int-spec.ts'],
      // A real Kafka broker for the whole integration tier (skipped when KAFKA_BROKERS is set).
      globalSetup: '<rootDir>/infra/kafka/jest-global-setup.ts',
      globalTeardown: '<rootDir>/infra/kafka/jest-global-teardown.ts',
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/{apps,libs,test}/**/*.e2e-spec.ts'] },
  ],
};
