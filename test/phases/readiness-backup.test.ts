/**
 * Readiness's backup check on Azure SQL: a database keeps one CONTINUOUS restore point whose
 * `earliestRestoreDate` opens its point-in-time restore window, not DISCRETE points with a
 * creation date (https://learn.microsoft.com/en-us/powershell/module/az.sql/get-azsqldatabaserestorepoint:
 * "For an Azure SQL Database, the restore window is continuous"). The check passes on that
 * window and says what it found.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPhase } from '../../src/phases/runner.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-readiness-backup-'));
  sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin', clouds: ['azure'] });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('readiness: Azure SQL backups', () => {
  it('passes on the continuous restore point and names its window', async () => {
    const { result } = await runPhase({
      phase: 'readiness',
      planFile: sandbox.planFile!,
      journalFile: path.join(work, 'journal.jsonl'),
      run: { retry: { maxAttempts: 2, baseMs: 1, capMs: 5 } },
    });
    const backup = result.rows.find((r) => r.stack === 'azure' && r.item === 'Last backup');
    expect(backup).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(
        /^continuous restore point of aegis-sql\/aegis: point-in-time restore from \S+Z \(7\.0 days\)/,
      ),
    });
  }, 60_000);
});
