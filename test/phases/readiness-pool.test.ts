/**
 * Readiness counts the nodes of the node pool the plan scales, by the label each cloud puts on
 * them (eks.amazonaws.com/nodegroup, kubernetes.azure.com/agentpool, cloud.google.com/gke-nodepool),
 * never every node of the cluster: the sandbox clusters have a system node pool too (AKS's mode
 * System pool, https://learn.microsoft.com/en-us/azure/aks/use-system-pools), whose nodes are not
 * the DR capacity and whose state is not the DR pool's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPhase } from '../../src/phases/runner.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-readiness-pool-'));
  sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin' });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const readiness = () =>
  runPhase({
    phase: 'readiness',
    planFile: sandbox.planFile!,
    journalFile: path.join(work, 'journal.jsonl'),
    run: { retry: { maxAttempts: 2, baseMs: 1, capMs: 5 } },
  });

describe('readiness counts the DR pool by its label', () => {
  it.each([
    ['aws', 'eks.amazonaws.com/nodegroup=primary'],
    ['azure', 'kubernetes.azure.com/agentpool=agentpool'],
    ['gcp', 'cloud.google.com/gke-nodepool=primary-pool'],
  ])(
    '%s: the DR pool has 3 Ready nodes (%s); the system pool is not counted',
    async (stack, selector) => {
      // a system node that is not Ready is not the DR pool's problem
      sandbox.world.stack(stack).sites.dr.cluster.systemNodes[0].ready = false;
      const { result } = await readiness();
      const row = result.rows.find((r) => r.stack === stack && r.item === 'DR nodes and pods');
      expect(row).toMatchObject({
        status: 'pass',
        detail: expect.stringContaining(`3/3 nodes of pool ${selector} Ready`),
      });
    },
    60_000,
  );

  it('a pool node that is not Ready fails the check, naming it', async () => {
    const dr = sandbox.world.stack('gcp').sites.dr;
    dr.cluster.nodes[1].ready = false;
    const { result } = await readiness();
    const row = result.rows.find((r) => r.stack === 'gcp' && r.item === 'DR nodes and pods');
    expect(row).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(`nodes not Ready: ${dr.cluster.nodes[1].name}`),
    });
    dr.cluster.nodes[1].ready = true;
  }, 60_000);
});
