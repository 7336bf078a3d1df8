/**
 * The single bundled entry (dist/index.js) behind every action and the CLI, so the cloud SDK
 * chunks exist once in dist/. `AEGIS_DR_ENTRY=cli` (set by bin/aegis-dr.js) runs the CLI;
 * otherwise it runs an action, whose phase comes from AEGIS_DR_PHASE (set by dist/actions/<phase>.js)
 * or the root action's `phase` input.
 */
import './shim.js';

if (process.env.AEGIS_DR_ENTRY === 'cli') {
  const { runCli } = await import('./cli.js');
  await runCli();
} else {
  const { runAction } = await import('../actions/run.js');
  await runAction(process.env.AEGIS_DR_PHASE || undefined);
}
