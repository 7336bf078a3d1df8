import { PHASE_NAMES, checkPhaseName } from '../../src/phases/names.js';
import { PHASES, getPhase } from '../../src/phases/registry.js';

describe('phase names', () => {
  it('PHASE_NAMES lists the registry phases, in runbook order', () => {
    expect(PHASES.map((p) => p.name)).toEqual([...PHASE_NAMES]);
    // the report reads what every other phase recorded: it comes last
    expect(PHASE_NAMES.at(-1)).toBe('report');
    // notify and escalate read the journal of the phases before them; the report reads theirs too
    expect(PHASE_NAMES.indexOf('report')).toBe(PHASE_NAMES.indexOf('escalate') + 1);
  });

  it('an unknown phase is one sentence naming the known ones', () => {
    expect(() => checkPhaseName('failovr')).toThrow(
      /phase "failovr" does not exist: expected one of validate, readiness/,
    );
    expect(() => getPhase('failovr')).toThrow(/does not exist/);
    expect(getPhase('drain').name).toBe('drain');
  });
});
