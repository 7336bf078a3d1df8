/**
 * Cloud DNS records with a routing policy, through @google-cloud/dns against the sandbox: a geo
 * policy is switched by pointing every location at the target (one change that replaces the
 * record set as it is), a weighted round robin policy by its weights; a re-run makes no change; a
 * primaryBackup policy, which Cloud DNS fails over by health alone, is refused with a sentence.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPhase } from '../../src/phases/runner.js';
import { dnsClient } from '../../src/providers/gcp/clients.js';
import { TOPOLOGY, SANDBOX_PROJECT } from '../../src/sandbox/estate.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const T = TOPOLOGY.gcp;
const NAME = `${T.record}.`;
let sb: Sandbox;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-clouddns-policy-'));
  sb = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin', clouds: ['gcp'] });
}, 60_000);

afterAll(async () => {
  await sb?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const zone = () => dnsClient(SANDBOX_PROJECT, sb.endpoints.clouddns).zone(T.zone.name);
/** A CNAME record object; its metadata goes to the API as is (routingPolicy included). */
const cname = (metadata: Record<string, unknown>) => zone().record('cname', metadata as never);

/** The traffic record as Cloud DNS lists it. */
async function record(): Promise<Record<string, any>> {
  const [records] = await zone().getRecords({ name: NAME, type: 'CNAME' });
  return records[0].metadata as Record<string, any>;
}

/** Replace the traffic record with one carrying `routingPolicy`, through the SDK. */
async function setPolicy(routingPolicy: Record<string, unknown>): Promise<void> {
  const old = await record();
  const del = cname({
    name: old.name,
    ttl: old.ttl,
    ...(old.routingPolicy ? { routingPolicy: old.routingPolicy } : { data: old.rrdatas }),
  });
  const add = cname({ name: NAME, ttl: 60, routingPolicy });
  await zone().createChange({ add, delete: [del] });
}

const traffic = (target: 'primary' | 'dr') =>
  runPhase({
    phase: 'traffic',
    planFile: sb.planFile!,
    journalFile: path.join(work, 'journal.jsonl'),
    inputs: { target, 'incident-class': 'region-outage' },
    run: { retry: { maxAttempts: 3, baseMs: 1, capMs: 5 } },
  });

const changes = (from: number) =>
  sb.world.requests.between(from).filter((r) => r.service === 'clouddns' && r.operation === 'changes.create');

it('a geo policy: every location answers with dr after the switch, DNS follows, a re-run changes nothing', async () => {
  await setPolicy({
    geo: {
      items: [
        { location: T.regions.primary, rrdatas: [`${T.targets.primary}.`] },
        { location: T.regions.dr, rrdatas: [`${T.targets.dr}.`] },
      ],
    },
  });
  // users near the primary region are answered with the primary
  expect(sb.world.stack('gcp').traffic.record.values).toEqual([T.targets.primary]);
  let from = Date.now();
  const first = await traffic('dr');
  expect(first.result.ok).toBe(true);
  expect(changes(from)).toHaveLength(1);
  const r = await record();
  expect(r.rrdatas).toBeUndefined();
  expect(r.routingPolicy.geo.items).toEqual([
    expect.objectContaining({ location: T.regions.primary, rrdatas: [`${T.targets.dr}.`] }),
    expect.objectContaining({ location: T.regions.dr, rrdatas: [`${T.targets.dr}.`] }),
  ]);
  expect(first.result.rows.find((x) => x.item === 'DNS')).toMatchObject({ status: 'pass' });
  from = Date.now();
  const again = await traffic('dr');
  expect(again.result.ok).toBe(true);
  expect(changes(from)).toHaveLength(0);
}, 60_000);

it('a weighted round robin policy: the target gets the weight, the other 0, and back', async () => {
  await setPolicy({
    wrr: {
      items: [
        { weight: 1, rrdatas: [`${T.targets.primary}.`] },
        { weight: 0, rrdatas: [`${T.targets.dr}.`] },
      ],
    },
  });
  const toDr = await traffic('dr');
  expect(toDr.result.ok).toBe(true);
  expect((await record()).routingPolicy.wrr.items.map((i: { weight: number }) => i.weight)).toEqual([0, 1]);
  expect(sb.world.stack('gcp').traffic.record.values).toEqual([T.targets.dr]);
  const back = await traffic('primary');
  expect(back.result.ok).toBe(true);
  expect((await record()).routingPolicy.wrr.items.map((i: { weight: number }) => i.weight)).toEqual([1, 0]);
}, 60_000);

it('the sandbox rejects a record set with both rrdatas and a routing policy, as Cloud DNS does', async () => {
  const old = await record();
  const del = cname({ name: old.name, ttl: old.ttl, routingPolicy: old.routingPolicy });
  const add = cname({
    name: NAME,
    ttl: 60,
    data: `${T.targets.dr}.`,
    routingPolicy: { wrr: { items: [{ weight: 1, rrdatas: [`${T.targets.dr}.`] }] } },
  });
  const err = await zone()
    .createChange({ add, delete: [del] })
    .catch((e: { code: number; message: string }) => e);
  expect(err).toMatchObject({
    code: 400,
    message: expect.stringMatching(/either rrdatas or a routingPolicy/),
  });
});

it('a primaryBackup policy is refused by the adapter with one sentence', async () => {
  // the sandbox does not serve primaryBackup (no target health checking): the refusal is the
  // adapter's, checked on the record as the plan's zone would hold it
  const { policyItems } = await import('../../src/providers/gcp/traffic-policy.js');
  expect(() => policyItems({ primaryBackup: { trickleTraffic: 0 } }, NAME)).toThrow(
    /has a primaryBackup \(failover\) routing policy: it fails over by its primary targets' health without a call, and aegis-dr does not switch it\./,
  );
});
