/**
 * Entry for `@github/local-action`, which imports a module and calls its exported `run()`. It
 * cannot run the bundles in dist/: it swaps `@actions/core` in node_modules for its own stub,
 * which a bundle no longer imports. So it runs this TypeScript source (through tsx) instead:
 *
 *   npx local-action actions/readiness ../../src/actions/local/index.ts .env
 *
 * The phase is, in order: `AEGIS_DR_PHASE` (e.g. from the `.env` file); the action directory when
 * it is one of actions/<phase> (local-action passes it as `TARGET_ACTION_PATH`); else the root
 * action's `phase` input (`INPUT_PHASE` in the `.env` file).
 */
import path from 'node:path';
import { runAction } from '../run.js';

/** The phase named by the environment or the action directory, if any. */
export function localPhase(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.AEGIS_DR_PHASE) return env.AEGIS_DR_PHASE;
  const dir = env.TARGET_ACTION_PATH;
  if (dir && path.basename(path.dirname(path.resolve(dir))) === 'actions') return path.basename(dir);
  return undefined;
}

/** Run the action as GitHub would, with inputs from `INPUT_*` variables. */
export async function run(): Promise<void> {
  await runAction(localPhase());
}
