/**
 * Readiness checks that the clusters enforce the NetworkPolicy the plan fences with, reading the
 * setting each cloud reports through its official SDK: the EKS vpc-cni add-on's
 * enableNetworkPolicy, the AKS network profile's networkPolicy, GKE's Dataplane V2.
 */
import { sandboxPerSuite } from '../support/sandbox.js';

const suite = sandboxPerSuite('enforcement');
const readiness = () => suite.phase('readiness', { maxAttempts: 3 });

describe('readiness: is the network-policy fence enforced?', () => {
  it('passes where every cluster enforces NetworkPolicy, saying what each cloud reports', async () => {
    const { result } = await readiness();
    const rows = result.rows.filter((r) => r.item === 'Fence enforcement');
    expect(rows.map((r) => [r.stack, r.status])).toEqual([
      ['aws', 'pass'],
      ['azure', 'pass'],
      ['gcp', 'pass'],
    ]);
    const detail = Object.fromEntries(rows.map((r) => [r.stack, r.detail]));
    expect(detail.aws).toMatch(
      /vpc-cni add-on of \S+: enableNetworkPolicy "true"; vpc-cni add-on of \S+: enableNetworkPolicy "true"/,
    );
    expect(detail.azure).toMatch(/networkProfile\.networkPolicy cilium/);
    expect(detail.gcp).toMatch(/datapathProvider ADVANCED_DATAPATH/);
  });

  it('warns, naming the site and the setting, where a cluster does not enforce it', async () => {
    for (const s of ['aws', 'azure', 'gcp'])
      suite.sandbox.world.stack(s).sites.primary.networkPolicyEnforced = false;
    const { result } = await readiness();
    const rows = result.rows.filter((r) => r.item === 'Fence enforcement');
    expect(rows.map((r) => r.status)).toEqual(['warn', 'warn', 'warn']);
    const detail = Object.fromEntries(rows.map((r) => [r.stack, r.detail]));
    expect(detail.aws).toMatch(
      /^the plan fences with a NetworkPolicy but the primary cluster does not enforce it \(vpc-cni add-on of \S+: enableNetworkPolicy not "true"\): there the fence rests on the scale to zero, or turn on/,
    );
    expect(detail.azure).toMatch(
      /the primary cluster does not enforce it \(AKS cluster \S+: networkProfile\.networkPolicy none\)/,
    );
    expect(detail.gcp).toMatch(
      /the primary cluster does not enforce it \(GKE cluster \S+: .*LEGACY_DATAPATH\)/,
    );
    for (const d of Object.values(detail)) expect(d).not.toMatch(/the dr cluster/);
  });
});
