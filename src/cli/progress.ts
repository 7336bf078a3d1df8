/**
 * Live progress for the terminal: one line as each step ends, with its outcome and duration.
 */
import type { ProgressEvent } from '../engine/step.js';
import { formatMs } from '../engine/step.js';
import type { CliIO } from './main.js';

const MARK: Record<string, string> = {
  done: 'done   ',
  skipped: 'ok     ',
  'would-do': 'would  ',
  failed: 'FAILED ',
  refused: 'REFUSED',
  observed: 'seen   ',
  unreachable: 'UNREACH',
};

export function progressPrinter(io: CliIO, start = Date.now()): (e: ProgressEvent) => void {
  const t = () => `+${((Date.now() - start) / 1000).toFixed(1).padStart(6)}s`;
  return (e) => {
    if (e.type === 'step-end') {
      const r = e.record;
      const what = r.outcome === 'skipped' ? 'already as wanted' : (r.action ?? '');
      io.out(
        `${t()}  ${MARK[r.outcome] ?? r.outcome}  ${(r.stack ?? '-').padEnd(6)} ${`${r.phase}/${r.step}`.padEnd(28)} ${r.target}  ${what}${r.error ? ` :: ${r.error}` : ''} (${formatMs(r.durationMs)})`,
      );
    } else if (e.type === 'retry') {
      io.out(
        `${t()}  retry    ${(e.stack ?? '-').padEnd(6)} ${`${e.phase}/${e.step}`.padEnd(28)} attempt ${e.attempt}, next in ${formatMs(e.delayMs)}: ${e.reason}`,
      );
    } else if (e.type === 'info') {
      io.out(`${t()}  ${' '.repeat(7)}  ${(e.stack ?? '-').padEnd(6)} ${e.message}`);
    }
  };
}
