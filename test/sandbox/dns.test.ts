import { classify, ProviderError } from '../../src/engine/errors.js';
import { queryDns, resolveChain } from '../../src/providers/dns/resolver.js';
import { type RunningDnsServer, startDnsServer } from '../../src/sandbox/dns.js';
import { createEstate, TOPOLOGY } from '../../src/sandbox/estate.js';
import { FaultRegistry } from '../../src/sandbox/faults.js';
import { World } from '../../src/sandbox/world.js';

describe('sandbox authoritative DNS', () => {
  let world: World;
  let faults: FaultRegistry;
  let dns: RunningDnsServer;
  const server = () => ({ host: dns.host, port: dns.port });

  beforeEach(async () => {
    world = createEstate(new World({ speed: 2000 }));
    faults = new FaultRegistry();
    dns = await startDnsServer(world, { faults });
  });
  afterEach(async () => {
    await dns.close();
  });

  test('listens on loopback', () => {
    expect(dns.host).toBe('127.0.0.1');
    expect(dns.port).toBeGreaterThan(0);
  });

  test.each([false, true])(
    'a change to the traffic record is visible at once (tcp=%s), with its TTL',
    async (tcp) => {
      const first = await queryDns(TOPOLOGY.aws.record, 'CNAME', { server: server(), tcp });
      expect(first).toMatchObject({ rcode: 'NOERROR', authoritative: true, transport: tcp ? 'tcp' : 'udp' });
      expect(first.answers).toEqual([
        { name: 'api.aegis.test', type: 'CNAME', ttl: 60, data: TOPOLOGY.aws.targets.primary },
      ]);

      const record = world.stack('aws').traffic.record;
      record.values = [TOPOLOGY.aws.targets.dr];
      record.ttl = 30;
      const second = await queryDns(TOPOLOGY.aws.record, 'CNAME', { server: server(), tcp });
      expect(second.answers).toEqual([
        { name: 'api.aegis.test', type: 'CNAME', ttl: 30, data: TOPOLOGY.aws.targets.dr },
      ]);
    },
  );

  test('targets resolve to 127.0.0.1 and the chain is followed', async () => {
    for (const cloud of ['aws', 'azure', 'gcp'] as const) {
      for (const site of ['primary', 'dr'] as const) {
        const r = await queryDns(TOPOLOGY[cloud].targets[site], 'A', { server: server() });
        expect(r.answers.map((a) => a.data)).toEqual(['127.0.0.1']);
      }
      const chain = await resolveChain(TOPOLOGY[cloud].record, { server: server() });
      expect(chain.chain.map((c) => c.data)).toEqual([TOPOLOGY[cloud].targets.primary]);
      expect(chain.answers.map((a) => a.data)).toEqual(['127.0.0.1']);
      expect(chain.minTtl).toBe(60);
    }
  });

  test('SOA with a minimum TTL, NS, NXDOMAIN inside a zone, REFUSED outside', async () => {
    const soa = await queryDns('aegis.test', 'SOA', { server: server() });
    expect(soa.answers).toHaveLength(1);
    expect(soa.answers[0].data).toMatch(/^ns1\.aegis\.test hostmaster\.aegis\.test \d+ 7200 900 1209600 60$/);
    const ns = await queryDns('gcp.aegis.test', 'NS', { server: server() });
    expect(ns.answers.map((a) => a.data)).toEqual(['ns1.gcp.aegis.test']);

    const nx = await queryDns('nothing.aegis.test', 'A', { server: server() });
    expect(nx.rcode).toBe('NXDOMAIN');
    expect(nx.authoritative).toBe(true);
    expect(nx.authorities[0].type).toBe('SOA');

    const refused = await queryDns('example.com', 'A', { server: server() });
    expect(refused.rcode).toBe('REFUSED');
  });

  test('the zone serial grows when the record changes', async () => {
    const serial = async () =>
      Number((await queryDns('aegis.test', 'SOA', { server: server() })).answers[0].data.split(' ')[2]);
    const a = await serial();
    world.stack('aws').traffic.record.values = [TOPOLOGY.aws.targets.dr];
    expect(await serial()).toBe(a + 1);
  });

  test('a truncated UDP answer is retried over TCP', async () => {
    const small = await startDnsServer(world, { udpMaxSize: 40 });
    try {
      const r = await queryDns(TOPOLOGY.gcp.record, 'A', { server: { host: small.host, port: small.port } });
      expect(r.transport).toBe('tcp');
      expect(r.answers.map((a) => a.type)).toEqual(['CNAME', 'A']);
    } finally {
      await small.close();
    }
  });

  test('an unanswered query fails as a transient dns error', async () => {
    faults.add({ service: 'dns', operation: 'CNAME', kind: 'timeout', nth: 1 });
    const err = await queryDns(TOPOLOGY.aws.record, 'CNAME', { server: server(), timeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).service).toBe('dns');
    expect(classify(err).kind).toBe('transient');
    // the fault fired once: the next query is answered
    expect((await queryDns(TOPOLOGY.aws.record, 'CNAME', { server: server() })).rcode).toBe('NOERROR');
  });
});
