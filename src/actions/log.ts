/**
 * The action's step log, as the anchors' actions write theirs: a group per stack
 * (`core.startGroup`), a line as each step starts and as it ends (render.ts's progressLines:
 * outcome words, retries folded in), each check as it ends, and a heartbeat in long waits.
 * Stacks run in parallel, so their lines interleave: the log opens a new group whenever the
 * stack changes, and a line of no stack closes the open group.
 */
import * as core from '@actions/core';
import type { ProgressEvent } from '../engine/step.js';
import { redact } from '../engine/redact.js';
import { progressLines } from '../phases/render.js';

export interface ActionLog {
  progress(e: ProgressEvent): void;
  /** Close the open group (call once the phase has returned or failed). */
  end(): void;
}

export function actionLog(): ActionLog {
  const lines = progressLines({ starts: true });
  let open: string | undefined;
  const close = () => {
    if (open !== undefined) core.endGroup();
    open = undefined;
  };
  return {
    progress(e) {
      const l = lines(e);
      if (!l) return;
      if (l.stack !== open) {
        close();
        if (l.stack !== undefined) {
          core.startGroup(`stack ${l.stack}`);
          open = l.stack;
        }
      }
      core.info(redact([l.word, l.what, l.text].filter(Boolean).join('  ')));
    },
    end: close,
  };
}
