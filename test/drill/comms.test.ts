/**
 * The drill's communications on the sandbox: the messages go to the emulators as they fall due
 * (a short line each, the full text in the drill's folder), and each escalation rule fires in its
 * scenario, once, and never in a healthy drill. The two-region drill stops after the triggers
 * refuse and engages the executive team (BCP); the DR-unhealthy drill stops after readiness fails
 * on DR and contacts the Platform team: neither fails over.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDrill } from '../../src/drill/drill.js';
import type { JournalRecord } from '../../src/engine/journal.js';
import { summaryText } from '../../src/drill/summary.js';

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
  return { r, out, lines, fired, records };
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

  it.each([
    ['two-region-failure', 'two-region-failure', ['executives', 'oncall'], /both regions unhealthy/],
    ['dr-unhealthy', 'dr-unhealthy', ['platform'], /readiness found the DR site unhealthy/],
  ])(
    'scenario %s: no failover; %s fires once and engages its channels',
    async (scenario, rule, channels, verdict) => {
      const { r, fired, lines, records } = await drill(scenario);
      expect(r.verdict).toBe('escalated');
      expect(r.ok).toBe(true);
      expect(fired).toEqual([rule]);
      expect(lines.filter((l) => l.startsWith(`escalation ${rule}`))).toHaveLength(1);
      const delivered = records.filter((x) => x.phase === 'escalate' && x.outcome === 'done');
      expect([...new Set(delivered.map((x) => x.target))].sort()).toEqual([...channels].sort());
      // nothing fenced, promoted, scaled or switched
      expect(records.filter((x) => ['drain', 'database', 'scale', 'traffic'].includes(x.phase))).toEqual([]);
      expect(summaryText(r)).toMatch(verdict);
      expect(summaryText(r)).toContain(`escalation fired: ${rule}`);
    },
    180_000,
  );
});
