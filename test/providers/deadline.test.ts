/**
 * Deadlines bind every call, through each SDK's own cancellation: for every service a phase calls,
 * a sandbox fault that accepts the connection and never answers ends the call at the deadline, and
 * the sandbox sees the client close the request it never answered: the SDK aborted it, the engine
 * did not merely stop waiting. Cloud DNS is the exception the test names: its SDK (teeny-request
 * over node-fetch 3) cannot abort a socket, so the call ends at the deadline and the socket is left
 * to the server.
 */
import { DeadlineError } from '../../src/engine/errors.js';
import { runAttempt } from '../../src/engine/retry.js';
import type { Environment } from '../../src/phases/types.js';
import { sandboxPerSuite } from '../support/sandbox.js';
import { until } from '../support/wait.js';

const suite = sandboxPerSuite('deadline');
let env: Environment;

beforeAll(async () => {
  env = await suite.environment();
});

type Call = (env: Environment) => Promise<unknown>;
const calls: [service: string, what: string, call: Call][] = [
  ['rds', 'aws database describe', async (e) => (await e.providers('aws')).database.describe()],
  ['route53', 'aws traffic describe', async (e) => (await e.providers('aws')).traffic.describe()],
  ['eks', 'aws node pool describe', async (e) => (await e.providers('aws')).nodePool.describe('dr')],
  ['arm', 'azure database describe', async (e) => (await e.providers('azure')).database.describe()],
  ['arm', 'azure traffic describe', async (e) => (await e.providers('azure')).traffic.describe()],
  ['arm', 'azure node pool describe', async (e) => (await e.providers('azure')).nodePool.describe('dr')],
  ['sqladmin', 'gcp database describe', async (e) => (await e.providers('gcp')).database.describe()],
  ['clouddns', 'gcp traffic describe', async (e) => (await e.providers('gcp')).traffic.describe()],
  ['container', 'gcp node pool describe', async (e) => (await e.providers('gcp')).nodePool.describe('dr')],
  [
    'kubernetes',
    'aws primary cluster',
    async (e) => (await e.cluster('aws', 'primary')).deployment('aegis-api'),
  ],
  ['kubernetes', 'azure dr cluster', async (e) => (await e.cluster('azure', 'dr')).nodes()],
  [
    'kubernetes',
    'gcp primary cluster',
    async (e) => (await e.cluster('gcp', 'primary')).pods('app=aegis-api'),
  ],
  ['prometheus', 'prometheus query', async (e) => e.prometheus().query('up')],
];

describe('a service that accepts the connection and never answers', () => {
  afterEach(() => suite.sandbox.faults.clear());

  it.each(calls)('%s (%s): the call in flight ends at the deadline', async (service, _what, call) => {
    await call(env); // clients built and warm: the fault hits the call itself
    const before = suite.sandbox.world.requests.records.length;
    suite.sandbox.faults.add({ service, kind: 'timeout', rate: 1 });
    const started = Date.now();
    const err = await runAttempt(() => call(env), {
      deadline: Date.now() + 1000,
      requestTimeoutMs: 60_000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineError);
    // the deadline plus a few seconds, whatever the service does
    expect(Date.now() - started).toBeLessThan(1000 + 5000);
    expect(suite.sandbox.faults.log.some((l) => l.service === service && l.kind === 'timeout')).toBe(true);
    if (service !== 'clouddns' && service !== 'prometheus') {
      // the client closed the request the service never answered
      await until(
        async () =>
          suite.sandbox.world.requests.records
            .slice(before)
            .filter((r) => r.service === service && r.outcome === 'timeout').length,
        (n) => n > 0,
        5000,
      );
    }
  });
});
