import { PHASE_NAMES, checkPhaseName } from '../../src/phases/names.js';
import { PHASES, getPhase } from '../../src/phases/registry.js';

describe('phase names', () => {
  it('PHASE_NAMES lists the registry phases, in runbook order', () => {
    expect(PHASES.map((p) => p.name)).toEqual([...PHASE_NAMES]);
  });

  it('an unknown phase is one sentence naming the known ones', () => {
    expect(() => checkPhaseName('failovr')).toThrow(/phase "failovr" does not exist: expected one of validate, readiness/);
    expect(() => getPhase('failovr')).toThrow(/does not exist/);
    expect(getPhase('drain').name).toBe('drain');
  });
});
