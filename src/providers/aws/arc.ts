/**
 * Route 53 ARC routing controls (`routing: arc-routing-control`): the data-plane traffic switch.
 * The zone holds PRIMARY/SECONDARY failover records whose health checks follow one routing control
 * per cell; moving traffic sets the controls on the ARC cluster and never calls the Route 53
 * control plane (which depends on us-east-1).
 *
 * - describe: GetRoutingControlState of both controls. Traffic goes to the primary while its control
 *   is On, else to dr while dr's is On.
 * - switchTo(dr): primary Off and dr On; switchTo(primary): both On. One UpdateRoutingControlStates
 *   call, so the cluster checks its safety rules against the whole transaction (an assertion rule
 *   "at least one On" would reject primary Off sent before dr On).
 *   https://docs.aws.amazon.com/routing-control/latest/APIReference/API_UpdateRoutingControlStates.html
 * - Every call goes to the cluster's regional endpoints in turn until one answers: AWS's guidance
 *   is to "retry with another of the cluster's endpoints" when one times out or fails
 *   (https://docs.aws.amazon.com/r53recovery/latest/dg/routing-control.update.api.html, "API
 *   examples ... accessing Regional cluster endpoints in sequence"). An endpoint that answered with
 *   a client error (a rejected transaction, a missing control) is not retried elsewhere: every
 *   endpoint would say the same.
 */
import {
  GetRoutingControlStateCommand,
  Route53RecoveryClusterClient,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import { classify, UserError, wrapSdkError } from '../../engine/errors.js';
import type { SiteName } from '../../plan/types.js';
import type { Operation, OperationStatus, SwitchPlane, TrafficProvider, TrafficState } from '../types.js';
import { aws, type ProviderPermissions } from '../../permissions/types.js';
import { clientConfig, deadlineBound, expectKind, type AwsProviderOptions, type Stack } from './common.js';

/** Prefix of the id of a routing-control switch. */
const ARC_OP = 'arc:';

type ArcConfig = {
  clusterEndpoints: { region: string; url: string }[];
  routingControlArns: Record<SiteName, string>;
};

/** The states each site's switch sets: dr turns the primary cell Off; primary turns both On. */
export function wantedStates(target: SiteName): Record<SiteName, 'On' | 'Off'> {
  return target === 'dr' ? { primary: 'Off', dr: 'On' } : { primary: 'On', dr: 'On' };
}

const CONTROL_READS = [aws('route53-recovery-cluster', 'GetRoutingControlState')];
/**
 * The ARC cluster data plane (routing-control ARNs are not in the plan's scopes: "*"). Used instead
 * of the Route 53 record writes when traffic.routing is arc-routing-control.
 */
export const PERMISSIONS = {
  states: CONTROL_READS,
  describe: CONTROL_READS,
  switchTo: [
    ...CONTROL_READS,
    aws('route53-recovery-cluster', 'UpdateRoutingControlStates', { mutates: true }),
  ],
  poll: CONTROL_READS,
  expectation: [],
  switchPlane: CONTROL_READS,
} satisfies ProviderPermissions;

/** `TrafficProvider` over Route 53 ARC routing controls. */
export class AwsArcTraffic implements TrafficProvider {
  private readonly arc: ArcConfig;
  private readonly clients: { region: string; url: string; client: Route53RecoveryClusterClient }[];
  private readonly record: string;
  private readonly recordType: string;
  private readonly targets: Record<SiteName, string>;
  /** The endpoint that answered last: tried first next time. */
  private next = 0;

  constructor(stack: Stack, opts: AwsProviderOptions = {}) {
    const t = expectKind(stack.traffic, 'route53', 'traffic');
    if (!t.arc) {
      throw new UserError(
        "traffic.arc is missing while traffic.routing is arc-routing-control; give arc.clusterEndpoints (the cluster's regional endpoints) and arc.routingControlArns.primary and .dr.",
      );
    }
    this.arc = t.arc;
    this.record = t.record;
    this.recordType = t.recordType ?? 'A';
    this.targets = { primary: t.targets.primary, dr: t.targets.dr };
    // each endpoint is called in its own region, as `--region` with `--endpoint-url` in AWS's examples
    this.clients = t.arc.clusterEndpoints.map((e) => ({
      ...e,
      client: deadlineBound(new Route53RecoveryClusterClient(clientConfig(e.region, e.url, opts))),
    }));
  }

  /**
   * Run `fn` on each cluster endpoint in turn, from the last one that answered, until one answers.
   * A transient failure (no answer, 5xx, throttling, EndpointTemporarilyUnavailableException) moves
   * on; a permanent error is the answer of the cluster and is returned as is.
   */
  private async onCluster<T>(
    operation: string,
    fn: (c: Route53RecoveryClusterClient) => Promise<T>,
  ): Promise<T> {
    const failures: string[] = [];
    let last: unknown;
    for (let i = 0; i < this.clients.length; i++) {
      const idx = (this.next + i) % this.clients.length;
      const e = this.clients[idx];
      try {
        const out = await fn(e.client);
        this.next = idx;
        return out;
      } catch (err) {
        const c = classify(err);
        const code = (err as { name?: string }).name;
        if (c.kind === 'permanent' && code !== 'EndpointTemporarilyUnavailableException') {
          throw wrapSdkError('route53-recovery-cluster', operation, err, this.resource());
        }
        failures.push(`${e.region} (${c.reason})`);
        last = err;
      }
    }
    const wrapped = wrapSdkError('route53-recovery-cluster', operation, last, this.resource());
    wrapped.message = `No Route 53 ARC cluster endpoint answered ${operation} for ${this.resource()}: ${failures.join('; ')}. Check the endpoints in traffic.arc.clusterEndpoints (aws route53-recovery-control-config describe-cluster) and the network path to them.`;
    throw wrapped;
  }

  private resource(): string {
    return `routing controls of ${this.record}`;
  }

  /** The state of each site's routing control. */
  async states(): Promise<Record<SiteName, 'On' | 'Off'>> {
    const read = async (site: SiteName) => {
      const out = await this.onCluster('GetRoutingControlState', (c) =>
        c.send(new GetRoutingControlStateCommand({ RoutingControlArn: this.arc.routingControlArns[site] })),
      );
      return out.RoutingControlState === 'On' ? 'On' : 'Off';
    };
    const [primary, dr] = await Promise.all([read('primary'), read('dr')]);
    return { primary, dr };
  }

  async describe(): Promise<TrafficState> {
    const s = await this.states();
    // the PRIMARY record is healthy while the primary control is On; else the SECONDARY while dr's is
    const active: TrafficState['active'] = s.primary === 'On' ? 'primary' : s.dr === 'On' ? 'dr' : 'unknown';
    return {
      active,
      switchedTo: s.primary === 'Off' && s.dr === 'On' ? 'dr' : s.primary === 'On' ? 'primary' : undefined,
      values: active === 'primary' || active === 'dr' ? [this.targets[active]] : [],
      detail: {
        record: this.record,
        routing: 'arc-routing-control',
        routingControls: {
          primary: { arn: this.arc.routingControlArns.primary, state: s.primary },
          dr: { arn: this.arc.routingControlArns.dr, state: s.dr },
        },
        endpoint: this.clients[this.next]?.region,
      },
    };
  }

  async switchTo(target: SiteName): Promise<Operation> {
    const want = wantedStates(target);
    await this.onCluster('UpdateRoutingControlStates', (c) =>
      c.send(
        new UpdateRoutingControlStatesCommand({
          UpdateRoutingControlStateEntries: (['primary', 'dr'] as SiteName[]).map((site) => ({
            RoutingControlArn: this.arc.routingControlArns[site],
            RoutingControlState: want[site],
          })),
        }),
      ),
    );
    return {
      id: `${ARC_OP}${target}`,
      description: `Route 53 ARC routing controls: primary ${want.primary}, dr ${want.dr} (on the ${this.clients[this.next].region} cluster endpoint); the failover records send ${this.record} to ${target}`,
    };
  }

  async poll(op: Operation): Promise<OperationStatus> {
    const target = op.id.slice(ARC_OP.length) as SiteName;
    const s = await this.states();
    const want = wantedStates(target);
    return {
      done: s.primary === want.primary && s.dr === want.dr,
      status: `primary ${s.primary}, dr ${s.dr}`,
    };
  }

  /** Data plane only; each routing control must be readable on at least one cluster endpoint. */
  async switchPlane(): Promise<SwitchPlane> {
    const pieces = await Promise.all(
      (['primary', 'dr'] as SiteName[]).map(async (site) => {
        const arn = this.arc.routingControlArns[site];
        const seen = await Promise.all(
          this.clients.map(async (e) => {
            try {
              const out = await e.client.send(new GetRoutingControlStateCommand({ RoutingControlArn: arn }));
              return { region: e.region, state: out.RoutingControlState };
            } catch (err) {
              return { region: e.region, error: classify(err).reason };
            }
          }),
        );
        const ok = seen.filter((x) => 'state' in x);
        const failed = seen.filter((x) => 'error' in x).map((x) => `${x.region}: ${x.error}`);
        return {
          name: `routing control ${site}`,
          found: ok.length > 0,
          detail: `${arn} ${ok.length ? `${ok[0].state} ` : ''}read on ${ok.length} of ${seen.length} cluster endpoints${failed.length ? ` (not on ${failed.join('; ')})` : ''}`,
        };
      }),
    );
    return { pieces };
  }

  expectation(target: SiteName): { name: string; type: string; value: string } {
    return { name: this.record, type: this.recordType, value: this.targets[target] };
  }
}
