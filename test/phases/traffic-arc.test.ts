/**
 * The traffic switch on Route 53 ARC routing controls, through @aws-sdk/client-route53-recovery-cluster
 * against the sandbox's cluster endpoints (AWS JSON 1.0 on loopback): the failover records' health
 * checks follow the routing controls, the switch sets both controls in one transaction, a re-run
 * makes no update, an endpoint in a region that is down is passed over for the next one, and the
 * cluster's safety rule rejects a transaction that turns both cells Off.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  GetRoutingControlStateCommand,
  Route53RecoveryClusterClient,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import { runPhase } from '../../src/phases/runner.js';
import { queryDns } from '../../src/providers/dns/resolver.js';
import { ROUTING_CONTROLS } from '../../src/sandbox/aws/arc.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sb: Sandbox;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-traffic-arc-'));
  sb = await startSandbox({
    outDir: work,
    speed: 1000,
    prometheus: 'builtin',
    clouds: ['aws'],
    route53: 'failover-arc',
  });
}, 60_000);

afterAll(async () => {
  await sb?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const traffic = (target: 'primary' | 'dr', dryRun = false) =>
  runPhase({
    phase: 'traffic',
    planFile: sb.planFile!,
    journalFile: path.join(work, 'journal.jsonl'),
    dryRun,
    inputs: { target, 'incident-class': 'region-outage' },
    run: { retry: { maxAttempts: 3, baseMs: 1, capMs: 5 } },
  });

const client = (region: string) =>
  new Route53RecoveryClusterClient({
    region,
    endpoint: sb.endpoints[`arc-${region}`],
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIASANDBOX', secretAccessKey: 'sandbox' },
  });

const state = async (site: 'primary' | 'dr') =>
  (
    await client('us-west-2').send(
      new GetRoutingControlStateCommand({ RoutingControlArn: ROUTING_CONTROLS[site] }),
    )
  ).RoutingControlState;

const updates = (from: number) =>
  sb.world.requests
    .between(from)
    .filter((r) => r.operation === 'UpdateRoutingControlStates')
    .map((r) => `${r.service} ${r.outcome}`);

const dns = () => {
  const [host, port] = sb.endpoints.dns.split(':');
  return { host, port: Number(port) };
};
const answer = async () =>
  (await queryDns('api.aegis.test', 'A', { server: dns() })).answers.map((a) => a.data);

it('the sandbox plan names every cluster endpoint and both routing controls', () => {
  const t = sb.planDocument.stacks.aws.traffic;
  expect(t.routing).toBe('arc-routing-control');
  expect(t.arc.clusterEndpoints.map((e: { region: string }) => e.region)).toEqual([
    'us-east-1',
    'us-west-2',
    'eu-west-1',
  ]);
  expect(t.arc.routingControlArns).toEqual(ROUTING_CONTROLS);
});

it('dry-run says what it would set and calls no update', async () => {
  const from = Date.now();
  const { result } = await traffic('dr', true);
  expect(result.rows[0]).toMatchObject({ item: 'Traffic switch', status: 'would-do' });
  expect(updates(from)).toEqual([]);
  expect(await state('primary')).toBe('On');
}, 30_000);

it('in a region outage the switch skips the dead us-east-1 endpoint, sets both controls in one call, and DNS follows', async () => {
  sb.world.stack('aws').sites.primary.up = false;
  const from = Date.now();
  const { result } = await traffic('dr');
  expect(result.ok).toBe(true);
  // us-east-1 (first in the plan) never answered the reads; from then on the switch started at
  // us-west-2, which took the one transaction
  const east = sb.world.requests.between(from).filter((r) => r.service === 'arc-us-east-1');
  expect(east.length).toBeGreaterThan(0);
  expect(east.every((r) => r.outcome === 'reset')).toBe(true);
  expect(updates(from)).toEqual(['arc-us-west-2 ok']);
  expect(await state('primary')).toBe('Off');
  expect(await state('dr')).toBe('On');
  expect(result.rows.find((r) => r.item === 'DNS')).toMatchObject({ status: 'pass' });
  const mutations = sb.world.monitor.mutations.filter((m) => m.service === 'arc');
  expect(mutations.map((m) => m.target)).toEqual([ROUTING_CONTROLS.primary]);
}, 30_000);

it('a re-run finds the controls set and makes no update', async () => {
  const from = Date.now();
  const { result } = await traffic('dr');
  expect(result.ok).toBe(true);
  expect(updates(from)).toEqual([]);
  expect(result.rows[0].detail).toMatch(/dr/);
}, 30_000);

it('with the primary cell Off, the recovered primary does not take users back by itself', async () => {
  sb.world.stack('aws').sites.primary.up = true;
  sb.world.settle();
  const dr = sb.planDocument.stacks.aws.traffic.targets.dr;
  const drAddresses = (await queryDns(dr, 'A', { server: dns() })).answers.map((a) => a.data);
  expect(await answer()).toEqual(drAddresses);
}, 30_000);

it('the cluster rejects a transaction that turns both cells Off (safety rule), and nothing changes', async () => {
  const err = await client('eu-west-1')
    .send(
      new UpdateRoutingControlStatesCommand({
        UpdateRoutingControlStateEntries: [
          { RoutingControlArn: ROUTING_CONTROLS.primary, RoutingControlState: 'Off' },
          { RoutingControlArn: ROUTING_CONTROLS.dr, RoutingControlState: 'Off' },
        ],
      }),
    )
    .catch((e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode: number } });
  expect(err).toMatchObject({ name: 'ConflictException', $metadata: { httpStatusCode: 409 } });
  expect((err as { message: string }).message).toMatch(/at least 1 .* On/);
  expect(await state('dr')).toBe('On');
});

it('an unknown routing control is the cluster answer, not a reason to try another endpoint', async () => {
  const err = await client('us-west-2')
    .send(new GetRoutingControlStateCommand({ RoutingControlArn: `${ROUTING_CONTROLS.dr}-missing` }))
    .catch((e: unknown) => e as { name: string });
  expect(err).toMatchObject({ name: 'ResourceNotFoundException' });
});

it('no endpoint answering fails the step with one sentence naming every endpoint tried, and changes nothing', async () => {
  sb.world.stack('aws').sites.primary.up = false;
  sb.faults.add({ service: 'arc-us-west-2', kind: 'error', status: 503, rate: 1 });
  sb.faults.add({ service: 'arc-eu-west-1', kind: 'reset', rate: 1 });
  try {
    const { result } = await traffic('primary');
    expect(result.ok).toBe(false);
    const detail = result.rows[0].detail;
    expect(detail).toMatch(
      /No Route 53 ARC cluster endpoint answered GetRoutingControlState for routing controls of api\.aegis\.test: us-east-1 \(network .*\); us-west-2 \(server error \(503 EndpointTemporarilyUnavailableException\)\); eu-west-1 \(network .*\)\. Check the endpoints in traffic\.arc\.clusterEndpoints/,
    );
    expect(detail).not.toMatch(/\n\s+at /);
  } finally {
    sb.faults.clear();
    sb.world.stack('aws').sites.primary.up = true;
  }
  expect(await state('primary')).toBe('Off');
}, 60_000);

it('back to primary: both cells On, DNS answers with the primary', async () => {
  const from = Date.now();
  const { result } = await traffic('primary');
  expect(result.ok).toBe(true);
  expect(updates(from)).toEqual(['arc-us-east-1 ok']);
  expect(await state('primary')).toBe('On');
  expect(await state('dr')).toBe('On');
  expect(result.rows.find((r) => r.item === 'DNS')).toMatchObject({ status: 'pass' });
}, 30_000);
