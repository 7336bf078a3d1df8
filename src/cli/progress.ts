/**
 * Live progress for the terminal: the lines of render.ts's progressLines (outcome vocabulary,
 * retries folded into their step, checks as they end, heartbeats), with one time origin for every
 * line: T+ from the declaration of the failover (see `origin` below).
 */
import type { ProgressEvent } from '../engine/step.js';
import { progressLines } from '../phases/render.js';
import type { CliIO } from './main.js';

/**
 * `origin` is where T+0 is until an `origin` event moves it. `run` and the drill pass none: the
 * runner (or the drill) announces the declaration as the origin, and lines before any declaration
 * (readiness, triggers, a phase run with no incident in its journal) leave the time column blank.
 * (No default: an `undefined` argument would take a default, and every line a clock of its own.)
 */
export function progressPrinter(io: CliIO, start?: number): (e: ProgressEvent) => void {
  let origin = start;
  const t = () => {
    if (origin === undefined) return ' '.repeat(9);
    const s = (Date.now() - origin) / 1000;
    return `T${s < 0 ? '-' : '+'}${Math.abs(s).toFixed(1).padStart(6)}s`;
  };
  const lines = progressLines();
  return (e) => {
    if (e.type === 'origin') origin = e.at;
    const l = lines(e);
    if (!l) return;
    io.out(`${t()}  ${l.word.padEnd(12)} ${(l.stack ?? '-').padEnd(6)} ${l.what.padEnd(28)} ${l.text}`);
  };
}
