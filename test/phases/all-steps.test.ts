/**
 * Steps that run side by side (declare's fence and DR node pool, scale's pool and deployments, the
 * drill's database and scale) end together: a failing one does not leave the other running while
 * the phase returns and the next phase writes the journal (its records would land out of order and
 * `journal verify` would fail on the sequence).
 */
import { allSteps } from '../../src/phases/shared/context.js';

const later = <T>(ms: number, value: T, log: string[], name: string) =>
  new Promise<T>((resolve) =>
    setTimeout(() => {
      log.push(name);
      resolve(value);
    }, ms),
  );

describe('allSteps', () => {
  it('gives every value in order when all succeed', async () => {
    const log: string[] = [];
    await expect(
      allSteps<[number, string]>([later(20, 1, log, 'a'), later(1, 'b', log, 'b')]),
    ).resolves.toEqual([1, 'b']);
    expect(log).toEqual(['b', 'a']);
  });

  it('throws the first failure only after the other step has ended', async () => {
    const log: string[] = [];
    const failing = Promise.reject(new Error('fence refused'));
    const slow = later(30, ['pool rows'], log, 'pool');
    await expect(allSteps<[never, string[]]>([failing, slow])).rejects.toThrow('fence refused');
    // the node pool step had finished (and journaled) before the failure reached the caller
    expect(log).toEqual(['pool']);
  });

  it('Promise.all, by contrast, rejects while the other step still runs (the defect)', async () => {
    const log: string[] = [];
    const slow = later(30, 'pool', log, 'pool');
    await expect(Promise.all([Promise.reject(new Error('x')), slow])).rejects.toThrow('x');
    expect(log).toEqual([]);
    await slow;
  });
});
