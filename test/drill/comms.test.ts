/**
 * The drill's communications on the sandbox: the messages go to the emulators as they fall due
 * (a short line each, the full text in the drill's folder), and each escalation rule fires in its
 * scenario, once, and never in a healthy drill. The DR-unhealthy and two-region rules are proven
 * at the phase level (test/phases/escalate.test.ts): a drill whose DR site is unhealthy waits out
 * its verify deadline (minutes), and the two-region drill stops after the triggers refuse.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDrill } from '../../src/drill/drill.js';
import type { JournalRecord } from '../../src/engine/journal.js';

const drill = async (scenario: string) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-drill-comms-'));
  const lines: string[] = [];
  const r = await runDrill({
    outDir: out,
    scenario,
    stack: 'aws',
    speed: 600,
    prometheus: 'builtin',
    log: (l) => lines.push(l),
  });
  const records: JournalRecord[] = fs
    .readFileSync(r.journalFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const fired = records
    .filter((x) => x.phase === 'escalate' && x.outcome === 'observed' && x.step !== 'override')
    .map((x) => x.step);
  return { r, out, lines, fired };
};

describe('drill communications', () => {
  it('a healthy region-outage drill: T+0, progress and resolution sent and written out; no rule fires', async () => {
    const { out, lines, fired } = await drill('region-outage');
    expect(fired).toEqual([]);
    const messages = lines.filter((l) => l.startsWith('message '));
    expect(messages[0]).toMatch(
      /^message initial: "\[DRILL\] Cloud Aegis DR Failover Drill Started" -> incident, teams, record, oncall$/,
    );
    expect(messages.at(-1)).toMatch(/^message resolved: "\[DRILL\] Cloud Aegis DR Failover Drill Complete"/);
    const files = fs.readdirSync(path.join(out, 'messages'));
    expect(files[0]).toBe('01-initial.md');
    expect(files.at(-1)).toMatch(/-resolved\.md$/);
    expect(fs.readFileSync(path.join(out, 'messages', files.at(-1)!), 'utf8')).toContain(
      'Region: primary -> DR (us-east-1 -> us-west-2)',
    );
  }, 180_000);

  it.each([
    ['corrupted-replica', 'data-integrity-failure'],
    ['failover-past-rto', 'failover-exceeds-rto'],
  ])(
    'scenario %s fires %s, once',
    async (scenario, rule) => {
      const { fired, lines } = await drill(scenario);
      expect(fired).toEqual([rule]);
      expect(lines.filter((l) => l.startsWith(`escalation ${rule}`))).toHaveLength(1);
    },
    180_000,
  );
});
