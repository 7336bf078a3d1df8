/**
 * Readiness counts the nodes of the node pool the plan scales, by the label each cloud puts on
 * them (eks.amazonaws.com/nodegroup, kubernetes.azure.com/agentpool, cloud.google.com/gke-nodepool),
 * never every node of the cluster: the sandbox clusters have a system node pool too (AKS's mode
 * System pool, https://learn.microsoft.com/en-us/azure/aks/use-system-pools), whose nodes are not
 * the DR capacity and whose state is not the DR pool's.
 */
import { sandboxPerSuite } from '../support/sandbox.js';

const suite = sandboxPerSuite('readiness-pool');
const readiness = () => suite.phase('readiness', { maxAttempts: 2 });

describe('readiness counts the DR pool by its label', () => {
  it.each([
    ['aws', 'eks.amazonaws.com/nodegroup=primary'],
    ['azure', 'kubernetes.azure.com/agentpool=agentpool'],
    ['gcp', 'cloud.google.com/gke-nodepool=primary-pool'],
  ])(
    '%s: the DR pool has 3 Ready nodes (%s); the system pool is not counted',
    async (stack, selector) => {
      // a system node that is not Ready is not the DR pool's problem
      suite.sandbox.world.stack(stack).sites.dr.cluster.systemNodes[0].ready = false;
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
    const dr = suite.sandbox.world.stack('gcp').sites.dr;
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
