/**
 * A forced override needs a reason on every surface: the runner (CLI and drill) refuses it before
 * the plan is even read, and the engine refuses it where the step acts (test/engine/step.test.ts).
 */
import { UserError } from '../../src/engine/errors.js';
import { runPhase } from '../../src/phases/runner.js';

describe('force without a reason', () => {
  it.each([
    ['empty', ''],
    ['blank', '  \t'],
  ])('runPhase refuses a force whose reason is %s, before reading the plan', async (_case, reason) => {
    const run = runPhase({
      phase: 'database',
      planFile: '/nonexistent/plan.yml',
      force: { by: 'octocat', reason },
    });
    await expect(run).rejects.toBeInstanceOf(UserError);
    await expect(run).rejects.toThrow(/without a reason/);
  });
});
