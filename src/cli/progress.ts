/**
 * Live progress for the terminal: the lines of render.ts's progressLines (outcome vocabulary,
 * retries folded into their step, checks as they end, heartbeats), with one time origin for every
 * line: T+ from the declaration of the failover (see `origin` below).
 */
import type { ProgressEvent } from '../engine/step.js';
import { progressLines } from '../phases/render.js';
import type { CliIO } from './main.js';

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
  const lines = progressLines();
  return (e) => {
    if (e.type === 'origin') origin = e.at;
    const l = lines(e);
    if (!l) return;
    io.out(`${t()}  ${l.word.padEnd(12)} ${(l.stack ?? '-').padEnd(6)} ${l.what.padEnd(28)} ${l.text}`);
  };
}
