/**
 * Tests that render in a real browser call `requireChromium()`: it returns the path of Debian's
 * chromium, or, when it is missing, throws under CI=true (CI installs it: see .ci/run) and
 * otherwise returns undefined after printing why those tests do nothing.
 */
import { accessSync, constants } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_MISSING =
  'chromium is not installed: install it with `apt-get install -y chromium` (Debian) to render the report chart in a real browser';

export function requireChromium(): string | undefined {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return CHROMIUM;
  } catch {
    if (process.env.CI === 'true')
      throw new Error(`${CHROMIUM_MISSING}; CI=true, so this test may not be skipped.`);
    console.warn(`skipping the browser rendering test: ${CHROMIUM_MISSING}`);
    return undefined;
  }
}
