import { createDefaultEsmPreset } from 'ts-jest';

/**
 * The end-to-end suites: whole drills, actions run from dist/, the fault matrix, the example
 * workflows run by the harness, and the suites that run whole failovers scenario after scenario
 * (the drill's communications and cluster access, each escalation rule in its own world, a notify
 * run killed in a real process). They
 * run with `npm run test:e2e` (which `.ci/run` runs too), not in `npm test`: together they were
 * 95 s of the 245 s that jest's workers spent on `npm test` (docs/DEVELOPMENT.md).
 */
export const E2E = [
  '<rootDir>/test/e2e/.*\\.test\\.ts$',
  '<rootDir>/test/fault/matrix\\.test\\.ts$',
  '<rootDir>/test/workflows/(failover|failback|rerun|triggers|scheduled)\\.test\\.ts$',
  '<rootDir>/test/drill/(comms|cloud-access-drill)\\.test\\.ts$',
  '<rootDir>/test/phases/escalate\\.test\\.ts$',
  '<rootDir>/test/phases/notify-crash\\.test\\.ts$',
  // whole failover and failback round trips per cloud
  '<rootDir>/test/phases/(binding|failback-topology|database-pitr|reprotect|cloudsql-advanced-dr)\\.test\\.ts$',
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
