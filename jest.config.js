// Jest runs the TypeScript sources as ES modules (ADR-0018): @swc/jest strips types, and
// infra/test/run-tests.ts starts Node with --experimental-vm-modules, which Jest's ESM
// support needs. Explicit `.ts` import specifiers resolve as they are.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript' },
          target: 'es2024',
          // JSON imports keep their `with { type: 'json' }`, which Jest's ESM loader requires.
          experimental: { keepImportAttributes: true },
        },
        module: { type: 'es6' },
      },
    ],
  },
  testMatch: ['<rootDir>/{shared,functions,infra,schemas}/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/.atlas/'],
  globalSetup: '<rootDir>/infra/test/global-setup.ts',
  globalTeardown: '<rootDir>/infra/test/global-teardown.ts',
  testTimeout: 30_000,
  // Integration tests share one stack; two workers keep both cores busy without starving the JVMs.
  maxWorkers: 2,
};
