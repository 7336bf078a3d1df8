/**
 * The drill's communications: while the failover runs, the runbook's messages go out as they fall
 * due (T+0 once declared, a progress update per `updateEvery` slot at the sandbox's speed, the
 * resolution once verified) and the escalation rules are evaluated against the live RTO budget.
 * Each message and escalation prints one short line; the full text goes to the drill's folder
 * (messages/NN-<kind>.md).
 */
import { redact } from '../engine/redact.js';
import fs from 'node:fs';
import path from 'node:path';
import { escalateIncident } from '../phases/escalate.js';
import { notifyIncident } from '../phases/notify.js';
import type { PhaseContext } from '../phases/types.js';

export interface DrillComms {
  /** Notify and escalate once now (a stage boundary). */
  tick(): Promise<void>;
  /** Start ticking every `everyMs` until stop(). */
  start(everyMs: number): void;
  stop(): Promise<void>;
  /** Lines printed, messages written. */
  sent: { line: string; file?: string }[];
  escalated: string[];
}

export function drillComms(ctx: PhaseContext, outDir: string, log: (line: string) => void): DrillComms {
  const dir = path.join(outDir, 'messages');
  let n = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const sent: DrillComms['sent'] = [];
  const escalated: string[] = [];
  const once = async () => {
    const out = await notifyIncident(ctx);
    const delivered = out.rows.filter((r) => r.status === 'done').map((r) => r.item.split(' ')[0]);
    const failed = out.rows.filter((r) => r.status === 'warn').map((r) => r.item.split(' ')[0]);
    if (out.message && delivered.length + failed.length > 0) {
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${String(++n).padStart(2, '0')}-${out.message}.md`);
      fs.writeFileSync(file, redact(`# ${out.subject}\n\n${out.body}\n`));
      const line = `message ${out.message}: "${out.subject}" -> ${delivered.join(', ') || 'nobody'}${failed.length ? ` (failed: ${failed.join(', ')})` : ''}`;
      sent.push({ line, file });
      log(line);
    }
    const esc = await escalateIncident(ctx);
    for (const f of esc.fired) {
      escalated.push(f.rule);
      const line = `escalation ${f.rule}${f.when ? ` (${f.when})` : ''}: ${f.why}`;
      sent.push({ line });
      log(line);
    }
  };
  const tick = () => {
    running = running.then(once, once);
    return running;
  };
  return {
    tick,
    start(everyMs) {
      timer = setInterval(() => void tick(), everyMs);
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
    sent,
    escalated,
  };
}
