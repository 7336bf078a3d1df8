import { Journal } from '../../src/engine/journal.js';
import { createContext, runStep, StepFailed } from '../../src/engine/step.js';

/** A tiny stateful resource: a database whose writer is flipped by an operation taking 3 polls. */
function fakeDb() {
  const calls = { observe: 0, act: 0 };
  let writer = 'primary';
  let pending = 0;
  return {
    calls,
    get writer() {
      return writer;
    },
    async observe() {
      calls.observe++;
      if (pending > 0 && --pending === 0) writer = 'dr';
      return { writer, busy: pending > 0 };
    },
    async act() {
      calls.act++;
      pending = 3;
    },
  };
}

const fast = { minMs: 1, maxMs: 5, fraction: 0.1 };

function spec(db: ReturnType<typeof fakeDb>) {
  return {
    phase: 'database',
    step: 'failover',
    stack: 'aws',
    target: 'rds:aegis-db',
    observe: () => db.observe(),
    satisfied: (s: { writer: string; busy: boolean }) => s.writer === 'dr',
    inProgress: (s: { busy: boolean }) => s.busy,
    action: 'promote the DR replica',
    act: () => db.act(),
    deadlineMs: 5000,
  };
}

describe('runStep', () => {
  it('observes, acts once, awaits, and journals before and after', async () => {
    const db = fakeDb();
    const journal = new Journal();
    const r = await runStep(createContext(journal, { poll: fast }), spec(db));
    expect(r.outcome).toBe('done');
    expect(db.calls.act).toBe(1);
    expect(r.record).toMatchObject({
      outcome: 'done',
      before: { writer: 'primary' },
      after: { writer: 'dr' },
      phase: 'database',
    });
  });

  it('skips when the state is already as wanted (re-run)', async () => {
    const db = fakeDb();
    const ctx = createContext(new Journal(), { poll: fast });
    await runStep(ctx, spec(db));
    const again = await runStep(ctx, spec(db));
    expect(again.outcome).toBe('skipped');
    expect(db.calls.act).toBe(1);
  });

  it('does not act again while an operation is already under way (resumed after a crash)', async () => {
    const db = fakeDb();
    await db.act(); // a previous run started it, then died
    const r = await runStep(createContext(new Journal(), { poll: fast }), spec(db));
    expect(r.outcome).toBe('done');
    expect(db.calls.act).toBe(1);
  });

  it('dry-run records what it would do and calls nothing mutating', async () => {
    const db = fakeDb();
    const r = await runStep(createContext(new Journal(), { dryRun: true, poll: fast }), spec(db));
    expect(r.outcome).toBe('would-do');
    expect(r.record).toMatchObject({ action: 'promote the DR replica', dryRun: true });
    expect(db.calls.act).toBe(0);
  });

  it('refuses an unsafe move unless forced, and records who forced it', async () => {
    const unsafe = { ...spec(fakeDb()), refuse: () => 'the old primary still accepts writes' };
    const journal = new Journal();
    await expect(runStep(createContext(journal, { poll: fast }), unsafe)).rejects.toBeInstanceOf(StepFailed);
    expect(journal.records.at(-1)).toMatchObject({
      outcome: 'refused',
      error: 'the old primary still accepts writes',
    });

    const forced = await runStep(
      createContext(journal, { poll: fast, force: { by: 'octocat', reason: 'primary region is gone' } }),
      { ...spec(fakeDb()), refuse: () => 'the old primary still accepts writes' },
    );
    expect(forced.record.data).toMatchObject({ forcedBy: 'octocat', forceReason: 'primary region is gone' });
  });

  it.each([
    ['no force at all', undefined],
    ['force with an empty reason', { by: 'octocat', reason: '' }],
    ['force with a blank reason', { by: 'octocat', reason: '   ' }],
  ])('refuses an unsafe move given %s, and calls nothing', async (_case, force) => {
    const db = fakeDb();
    const journal = new Journal();
    const unsafe = { ...spec(db), refuse: () => 'the old primary still accepts writes' };
    await expect(runStep(createContext(journal, { poll: fast, force }), unsafe)).rejects.toBeInstanceOf(
      StepFailed,
    );
    expect(db.calls.act).toBe(0);
    expect(journal.records.at(-1)).toMatchObject({ outcome: 'refused' });
    if (force) expect(journal.records.at(-1)?.error).toMatch(/force was given without a reason/);
  });

  it('fails with a deadline error naming the target when the state never arrives', async () => {
    const journal = new Journal();
    const never = { ...spec(fakeDb()), satisfied: () => false, inProgress: () => false, deadlineMs: 50 };
    await expect(runStep(createContext(journal, { poll: fast }), never)).rejects.toThrow(
      /rds:aegis-db.*did not happen within/,
    );
    expect(journal.records.at(-1)).toMatchObject({ outcome: 'failed' });
  });

  it('retries a throttled observe and counts the attempts', async () => {
    const db = fakeDb();
    let n = 0;
    const flaky = {
      ...spec(db),
      observe: async () => {
        if (++n === 1) throw { statusCode: 429 };
        return db.observe();
      },
    };
    const retries: string[] = [];
    const r = await runStep(
      createContext(new Journal(), {
        poll: fast,
        retry: { maxAttempts: 3, baseMs: 1, capMs: 2 },
        progress: (e) => e.type === 'retry' && retries.push(e.reason),
      }),
      flaky,
    );
    expect(r.outcome).toBe('done');
    expect(retries[0]).toMatch(/throttled/);
    expect(r.record.attempts).toBeGreaterThan(1);
  });

  it('re-observes after a transient failure of the act instead of acting twice', async () => {
    const db = fakeDb();
    const landedThenReset = {
      ...spec(db),
      act: async () => {
        await db.act();
        throw { code: 'ECONNRESET', message: 'socket hang up' };
      },
    };
    const r = await runStep(
      createContext(new Journal(), { poll: fast, retry: { maxAttempts: 3, baseMs: 1, capMs: 1 } }),
      landedThenReset,
    );
    expect(r.outcome).toBe('done');
    expect(db.calls.act).toBe(1);
  });

  it('records an unreachable target as outcome "unreachable" and returns, when the step accepts that', async () => {
    const journal = new Journal();
    const down = {
      ...spec(fakeDb()),
      observe: async () => {
        throw { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' };
      },
      unreachable: () => true,
    };
    const ctx = createContext(journal, { poll: fast, retry: { maxAttempts: 2, baseMs: 1, capMs: 1 } });
    const r = await runStep(ctx, down);
    expect(r.outcome).toBe('unreachable');
    expect(r.before).toBeUndefined();
    expect(r.record).toMatchObject({
      outcome: 'unreachable',
      action: 'promote the DR replica',
      error: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(journal.records.at(-1)).toBe(r.record);

    // without the predicate (or when it says no) the same error still fails the step
    await expect(runStep(ctx, { ...down, unreachable: () => false })).rejects.toBeInstanceOf(StepFailed);
    expect(journal.records.at(-1)).toMatchObject({ outcome: 'failed' });
  });

  it('tries a place this run already found unreachable once, instead of retrying it', async () => {
    let observed = 0;
    const down = {
      ...spec(fakeDb()),
      observe: async () => {
        observed++;
        throw { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' };
      },
      unreachable: () => true,
      unreachableKey: 'aws/primary/kubernetes',
    };
    const ctx = createContext(new Journal(), { poll: fast, retry: { maxAttempts: 3, baseMs: 1, capMs: 1 } });
    expect((await runStep(ctx, down)).outcome).toBe('unreachable');
    expect(observed).toBe(3);
    expect(ctx.unreachable.has('aws/primary/kubernetes')).toBe(true);
    // the next step on the same place: one attempt, same outcome
    expect((await runStep(ctx, { ...down, step: 'drain' })).outcome).toBe('unreachable');
    expect(observed).toBe(4);
    // another place is still retried
    expect((await runStep(ctx, { ...down, unreachableKey: 'aws/dr/kubernetes' })).outcome).toBe(
      'unreachable',
    );
    expect(observed).toBe(7);
  });

  it('says so when the change was sent before the target became unreachable', async () => {
    const db = fakeDb();
    let acted = false;
    const goneAfterAct = {
      ...spec(db),
      observe: async () => {
        if (acted) throw { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' };
        return db.observe();
      },
      act: async () => {
        acted = true;
        await db.act();
      },
      unreachable: () => true,
    };
    const r = await runStep(
      createContext(new Journal(), { poll: fast, retry: { maxAttempts: 2, baseMs: 1, capMs: 1 } }),
      goneAfterAct,
    );
    expect(r.outcome).toBe('unreachable');
    expect(r.before).toMatchObject({ writer: 'primary' });
    expect(r.record.action).toBe('promote the DR replica (sent before the target became unreachable)');
  });
});

describe('intent before act (StepSpec.evidence)', () => {
  const at = new Date('2026-12-01T10:00:00.000Z');
  const key = { phase: 'database', step: 'failover', stack: 'aws', target: 'rds:aegis-db' };
  const entry = (outcome: 'intent' | 'done', time: string) => ({
    ...key,
    outcome,
    action: 'in-region HA failover of aegis-db',
    startedAt: time,
    endedAt: time,
    durationMs: 0,
    attempts: 0,
    dryRun: false,
  });
  type Case = {
    journal: ('intent' | 'done')[];
    history: boolean;
    force?: boolean;
    dryRun?: boolean;
    outcome: string;
    acts: number;
  };
  it.each<[string, Case]>([
    [
      'nothing journaled, no failover in the cloud: acts',
      { journal: [], history: false, outcome: 'done', acts: 1 },
    ],
    [
      'an intent with no outcome and the cloud shows the failover: the call landed, wait for it, do not act again',
      { journal: ['intent'], history: true, outcome: 'done', acts: 0 },
    ],
    [
      'an intent with no outcome and nothing in the cloud: the call never went out, act',
      { journal: ['intent'], history: false, outcome: 'done', acts: 1 },
    ],
    [
      'nothing journaled but the cloud shows a failover: refuse, naming it',
      { journal: [], history: true, outcome: 'refused', acts: 0 },
    ],
    [
      'nothing journaled, the cloud shows a failover, forced with a reason: act',
      { journal: [], history: true, force: true, outcome: 'done', acts: 1 },
    ],
    [
      'a failover newer than the last one journaled: refuse',
      { journal: ['intent', 'done'], history: true, outcome: 'refused', acts: 0 },
    ],
    [
      'dry-run with an intent the cloud shows landed: would wait, never act',
      { journal: ['intent'], history: true, dryRun: true, outcome: 'would-do', acts: 0 },
    ],
  ])('%s', async (_reason, c) => {
    const journal = new Journal();
    c.journal.forEach((o, i) => journal.append(entry(o, new Date(at.getTime() + i * 1000).toISOString())));
    const asked: (Date | undefined)[] = [];
    let acts = 0;
    const run = createContext(journal, {
      poll: fast,
      dryRun: c.dryRun,
      force: c.force ? { by: 'octocat', reason: 'second failover on purpose' } : undefined,
    });
    const result = runStep(run, {
      ...key,
      observe: async () => ({ zone: 'a' }),
      satisfied: () => false,
      action: 'in-region HA failover of aegis-db',
      act: async () => {
        acts++;
      },
      wait: async (s) => s,
      evidence: async (since) => {
        asked.push(since);
        return c.history ? { what: 'RDS event "Multi-AZ instance failover started."', at } : undefined;
      },
      deadlineMs: 1000,
    });
    const record = await result.then(
      (r) => r.record,
      (e: StepFailed) => e.record,
    );
    expect(record.outcome).toBe(c.outcome);
    expect(acts).toBe(c.acts);
    // an intent is journaled before each call, and only then
    expect(journal.records.slice(c.journal.length).filter((r) => r.outcome === 'intent')).toHaveLength(acts);
    if (c.outcome === 'refused') expect(record.error).toMatch(/2026-12-01T10:00:00.000Z.*force/);
    if (c.journal.length === 1 && c.history) expect(record.data?.evidence).toMatch(/Multi-AZ/);
    // the history is read from the intent (less clock skew), from the last change, or all of it
    const expectedSince =
      c.journal.at(-1) === 'intent'
        ? new Date(at.getTime() + (c.journal.length - 1) * 1000 - 60_000)
        : c.journal.at(-1) === 'done'
          ? new Date(at.getTime() + 1000)
          : undefined;
    expect(asked).toEqual([expectedSince]);
  });
});
