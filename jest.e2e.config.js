import base, { E2E } from './jest.config.js';

/**
 * The end-to-end suites (`npm run test:e2e`): whole drills and the actions run from dist/, kept out
 * of `npm test` so that the README's test command stays fast as they grow. `.ci/run` runs both.
 */
/** @type {import('jest').Config} */
export default {
  ...base,
  testPathIgnorePatterns: ['/node_modules/'],
  testRegex: E2E.map((p) => p.replace('<rootDir>/', '/')),
  testMatch: undefined,
  testTimeout: 180000,
};
