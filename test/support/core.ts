/**
 * A recording stub of @actions/core for tests of the action entry (as actions/typescript-action's
 * __fixtures__/core.ts): inputs come from `inputs`, and every log line, group, annotation, output,
 * summary text and the failure are recorded in `calls`, in order.
 */
import { jest } from '@jest/globals';

export const inputs: Record<string, string> = {};
export const calls: { fn: string; args: unknown[] }[] = [];
const record =
  (fn: string) =>
  (...args: unknown[]) => {
    calls.push({ fn, args });
  };

export const getInput = jest.fn((name: string, opts?: { required?: boolean }) => {
  const v = inputs[name] ?? '';
  if (opts?.required && !v) throw new Error(`Input required and not supplied: ${name}`);
  return v;
});
export const info = jest.fn(record('info'));
export const debug = jest.fn(record('debug'));
export const warning = jest.fn(record('warning'));
export const error = jest.fn(record('error'));
export const notice = jest.fn(record('notice'));
export const startGroup = jest.fn(record('startGroup'));
export const endGroup = jest.fn(record('endGroup'));
export const setOutput = jest.fn(record('setOutput'));
export const setFailed = jest.fn(record('setFailed'));
export const setSecret = jest.fn(record('setSecret'));
export const summary = {
  addRaw: jest.fn((text: string) => {
    calls.push({ fn: 'summary', args: [text] });
    return summary;
  }),
  write: jest.fn(async () => summary),
};

/** Forget the inputs and the calls (between cases). */
export function reset(): void {
  for (const k of Object.keys(inputs)) delete inputs[k];
  calls.length = 0;
}

/** The recorded calls of one function, their first arguments. */
export function of(fn: string): unknown[] {
  return calls.filter((c) => c.fn === fn).map((c) => c.args[0]);
}
