/** End-to-end tests: real temp Nx workspaces driving the real nx CLI with the packed plugin. */
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  testMatch: ['<rootDir>/**/*.e2e.ts'],
  globalSetup: '<rootDir>/utils/global-setup.ts',
  testTimeout: 300_000,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/../tsconfig.json' }] },
};
