/**
 * What the sandbox's Kubernetes Jobs do: the data integrity check (`./aegis db check-integrity`)
 * and the data sync from DR (`./aegis dr sync-from-dr --dry-run | --execute`), read from and
 * applied to the world like the real tools would. The sync copies rows and changes no topology.
 */
import { jobCommand, registerJobHandler } from './kubernetes/index.js';
import type { World } from './world.js';

export function registerSandboxJobs(world: World): () => void {
  // A database failover moves the writer to a healthy copy: corruption is left behind.
  const seen = new Map<string, number>();
  const stopWatch = world.onChange(() => {
    for (const s of world.stacks.values()) {
      const before = seen.get(s.name) ?? s.database.failovers;
      if (s.database.failovers > before && !s.database.corruptionReplicated) s.database.corrupted = false;
      seen.set(s.name, s.database.failovers);
    }
  });
  const integrity = registerJobHandler(
    (job) => jobCommand(job).includes('check-integrity'),
    (_job, { stack }) =>
      stack.database.corrupted
        ? {
            succeeded: false,
            logs: 'checked 1204 tables\nFAIL: 3 tables with checksum mismatches (corrupted pages)\n',
          }
        : { succeeded: true, logs: 'checked 1204 tables\nOK: integrity verified, 0 mismatches\n' },
  );
  const sync = registerJobHandler(
    (job) => jobCommand(job).includes('sync-from-dr'),
    (job, { stack }) => {
      const execute = jobCommand(job).includes('--execute');
      const rows = stack.sites.dr.writesWhileServing;
      const conflicts = world.monitor.splitBrain.filter((r) => r.stack === stack.name).length;
      if (!execute) {
        return {
          succeeded: true,
          logs: `dry-run: ${rows} row(s) written on DR to copy back\nconflicts: ${conflicts}\n`,
        };
      }
      if (conflicts > 0) {
        return {
          succeeded: false,
          logs: `refusing to execute: conflicts: ${conflicts} (both sites accepted writes)\n`,
        };
      }
      // A real sync-from-dr copies rows between databases; it cannot change which instance is a
      // replica of which (only the cloud's API does: a promoted replica never becomes one again).
      stack.sites.dr.writesWhileServing = 0;
      return { succeeded: true, logs: `copied ${rows} row(s) from DR to primary\nconflicts: 0\n` };
    },
  );
  return () => {
    stopWatch();
    integrity();
    sync();
  };
}
