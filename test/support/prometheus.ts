/**
 * Tests that need the real Prometheus binary call `requirePrometheus()`: it returns the binary's
 * path, or, when it is missing, throws under CI=true (CI must install it) and otherwise returns
 * undefined after printing why the tests are skipped.
 */
import { findPrometheus } from '../../src/sandbox/prometheus/real.js';

export const PROMETHEUS_MISSING =
  'prometheus is not installed: install it with `apt-get install prometheus` (Debian/Ubuntu) to run the real-Prometheus tests';

export function requirePrometheus(): string | undefined {
  const bin = findPrometheus();
  if (bin) return bin;
  if (process.env.CI === 'true')
    throw new Error(PROMETHEUS_MISSING + '; CI=true, so these tests may not be skipped.');
  console.warn(`skipping real-Prometheus tests: ${PROMETHEUS_MISSING}`);
  return undefined;
}
