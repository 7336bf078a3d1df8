import { createDefaultEsmPreset } from 'ts-jest';

/**
 * The end-to-end suites: whole drills, actions run from dist/, the fault matrix and the example
 * workflows run by the harness. They run with `npm run test:e2e`, not in `npm test`.
 */
export const E2E = [
  '<rootDir>/test/e2e/.*\\.test\\.ts$',
  '<rootDir>/test/fault/matrix\\.test\\.ts$',
  '<rootDir>/test/workflows/(failover|failback|rerun|triggers|scheduled)\\.test\\.ts$',
];

const preset = createDefaultEsmPreset({ tsconfig: 'tsconfig.json' });

/** @type {import('jest').Config} */
export default {
  ...preset,
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // the end-to-end suites run with `npm run test:e2e` (jest.e2e.config.js)
  testPathIgnorePatterns: ['/node_modules/', ...E2E],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 60000,
  maxWorkers: 2,
};
