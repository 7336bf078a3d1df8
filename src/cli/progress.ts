/**
 * Live progress for the terminal, one time origin for every line: T+ from the declaration of the
 * failover (see `origin` below). A line as each
 * step ends, in the outcome vocabulary of engine/outcome.ts, with its retries folded in (count and
 * last error); each readiness and verify check as it is known; a heartbeat in long waits.
 */
import { outcomeWord } from '../engine/outcome.js';
import type { ProgressEvent } from '../engine/step.js';
import { formatMs } from '../engine/step.js';
import { STATUS_WORD } from '../phases/render.js';
import type { CliIO } from './main.js';

/** The word column: outcome words, upper case where a person must look. */
function word(w: string): string {
  const loud = ['failed', 'refused', 'unreachable'].includes(w) ? w.toUpperCase() : w;
  return loud.padEnd(12);
}

/**
 * `origin` is where T+0 is until an `origin` event moves it: the start of the command for `run`;
 * none for a drill, whose lines before the declaration leave the time column blank.
 */
export function progressPrinter(
  io: CliIO,
  start: number | undefined = Date.now(),
): (e: ProgressEvent) => void {
  let origin = start;
  const t = () => {
    if (origin === undefined) return ' '.repeat(9);
    const s = (Date.now() - origin) / 1000;
    return `T${s < 0 ? '-' : '+'}${Math.abs(s).toFixed(1).padStart(6)}s`;
  };
  const where = (stack: string | undefined, phase: string, step: string) =>
    `${(stack ?? '-').padEnd(6)} ${`${phase}/${step}`.padEnd(28)}`;
  const retries = new Map<string, { count: number; last: string }>();
  const key = (stack: string | undefined, phase: string, step: string) => `${stack ?? ''}/${phase}/${step}`;
  return (e) => {
    switch (e.type) {
      case 'origin':
        origin = e.at;
        io.out(`${t()}  ${e.what}`);
        return;
      case 'retry': {
        const k = key(e.stack, e.phase, e.step);
        const r = retries.get(k) ?? { count: 0, last: '' };
        retries.set(k, { count: r.count + 1, last: e.reason });
        return;
      }
      case 'step-end': {
        const r = e.record;
        const k = key(r.stack, r.phase, r.step);
        const tried = retries.get(k);
        retries.delete(k);
        const what = r.outcome === 'skipped' ? '' : (r.action ?? '');
        const folded = tried
          ? `; ${tried.count} ${tried.count === 1 ? 'retry' : 'retries'}, last: ${tried.last}`
          : '';
        io.out(
          `${t()}  ${word(outcomeWord(r))} ${where(r.stack, r.phase, r.step)} ${r.target}${what ? `  ${what}` : ''}${r.error ? ` :: ${r.error}` : ''} (${formatMs(r.durationMs)}${folded})`,
        );
        return;
      }
      case 'check':
        io.out(
          `${t()}  ${word(STATUS_WORD[e.status as keyof typeof STATUS_WORD] ?? e.status)} ${where(e.stack, e.phase, e.item)} ${e.detail}`,
        );
        return;
      case 'heartbeat':
        io.out(
          `${t()}  ${word('waiting')} ${where(e.stack, e.phase ?? '-', e.step ?? '-')} ${e.what}: ${formatMs(e.waitedMs)} so far, ${formatMs(e.leftMs)} left`,
        );
        return;
      case 'info':
        io.out(`${t()}  ${' '.repeat(12)} ${(e.stack ?? '-').padEnd(6)} ${e.message}`);
        return;
      case 'step-start':
        return;
    }
  };
}
