/**
 * Emulated Route 53 Application Recovery Controller (ARC) cluster data plane, the "Routing Control
 * (Recovery Cluster)" API: AWS JSON 1.0 (`POST /`, `X-Amz-Target: ToggleCustomerAPI.<Operation>`,
 * the protocol of @aws-sdk/client-route53-recovery-cluster) with GetRoutingControlState,
 * UpdateRoutingControlState, UpdateRoutingControlStates and ListRoutingControls.
 * https://docs.aws.amazon.com/routing-control/latest/APIReference/Welcome.html
 *
 * A real cluster has five regional endpoints and any one of them reads and writes the same states
 * ("A cluster provides a set of five redundant Regional endpoints"); the sandbox runs one server per
 * region of `ARC_REGIONS`. An endpoint whose region is a sandbox site's region that is down (a
 * region outage) drops its connections; the others keep answering.
 *
 * Routing controls feed Route 53: the sandbox's failover records can carry health checks of type
 * RECOVERY_CONTROL, healthy while their routing control is On
 * (https://docs.aws.amazon.com/r53recovery/latest/dg/routing-control.create.html: "Route 53 ARC
 * health checks ... are healthy when the routing control state is On"). A change of state takes
 * effect on the answer at once.
 *
 * Safety rule: one assertion rule over the two cells' controls, "at least one On" (the example
 * AWS gives for an assertion rule: "at least one routing control state is On after the
 * transaction ... This ensures that you avoid a fail-open scenario",
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-route53recoverycontrol-safetyrule-assertionrule.html).
 * A transaction that would leave both Off is not accepted unless the rule is named in
 * SafetyRulesToOverride. The API reference names no distinct error for a rule that blocks a
 * change; of the errors it lists for UpdateRoutingControlStates, the one about the state of the
 * resources is ConflictException (409, "There was a conflict with this request"), which the
 * sandbox answers with (ValidationException is for a malformed request).
 *
 * Not emulated: the rule's wait period (WaitPeriodMs), gating rules, the control-plane API
 * (route53-recovery-control-config), ServiceLimitExceededException.
 */
import type http from 'node:http';
import type { SiteName } from '../../plan/types.js';
import type { FaultHit } from '../faults.js';
import { send, type ServiceContext, type ServiceDef, type ServiceRequest } from '../http.js';
import { SITES, type StackWorld, type World } from '../world.js';
import { SANDBOX_ACCOUNT, awsStack, dropConnection, faultError } from './common.js';
import { resolve } from './route53-zone.js';

/** Regions of the sandbox cluster's endpoints: the primary's, the DR's, and a third. */
export const ARC_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'] as const;

const PANEL = `arn:aws:route53-recovery-control::${SANDBOX_ACCOUNT}:controlpanel/0000sandboxpanel`;

/** The routing control of each sandbox cell. */
export const ROUTING_CONTROLS: Record<SiteName, string> = {
  primary: `${PANEL}/routingcontrol/0000sandboxprimary`,
  dr: `${PANEL}/routingcontrol/0000sandboxdr`,
};

/** The name of the sandbox's assertion rule (at least one cell On). */
export const ASSERTION_RULE = `${PANEL}/safetyrule/0000sandboxatleastone`;

interface RoutingControl {
  arn: string;
  name: string;
  state: 'On' | 'Off';
}

const controls = new WeakMap<StackWorld, Map<string, RoutingControl>>();

/** The stack's routing controls (both cells On until changed). */
export function routingControls(stack: StackWorld): Map<string, RoutingControl> {
  let m = controls.get(stack);
  if (!m) {
    m = new Map(
      SITES.map((site) => [
        ROUTING_CONTROLS[site],
        { arn: ROUTING_CONTROLS[site], name: `aegis-${site}-cell`, state: 'On' as const },
      ]),
    );
    controls.set(stack, m);
  }
  return m;
}

/** Whether a routing control is On (an unknown one is Off). */
export function routingControlOn(stack: StackWorld, arn: string): boolean {
  return routingControls(stack).get(arn)?.state === 'On';
}

class ArcError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function sendError(res: http.ServerResponse, e: ArcError): void {
  // AWS JSON 1.0 errors: the shape name in __type (and x-amzn-errortype), a message
  send(res, e.status, { __type: e.code, message: e.message, ...e.extra }, 'application/x-amz-json-1.0', {
    'x-amzn-errortype': e.code,
  });
}

function operationOf(req: ServiceRequest): string {
  const t = req.headers['x-amz-target'];
  const target = Array.isArray(t) ? t[0] : t;
  return target?.startsWith('ToggleCustomerAPI.') ? target.slice('ToggleCustomerAPI.'.length) : 'Unknown';
}

function control(stack: StackWorld, arn: unknown): RoutingControl {
  if (typeof arn !== 'string' || arn === '') {
    throw new ArcError(
      400,
      'ValidationException',
      '1 validation error detected: RoutingControlArn is required',
      {
        reason: 'fieldValidationFailed',
      },
    );
  }
  const c = routingControls(stack).get(arn);
  if (!c) {
    throw new ArcError(404, 'ResourceNotFoundException', `Routing control ${arn} does not exist.`, {
      resourceId: arn,
      resourceType: 'RoutingControl',
    });
  }
  return c;
}

function stateOf(value: unknown): 'On' | 'Off' {
  if (value === 'On' || value === 'Off') return value;
  throw new ArcError(
    400,
    'ValidationException',
    `1 validation error detected: Value '${String(value)}' at 'routingControlState' failed to satisfy constraint: Member must satisfy enum value set: [On, Off]`,
    { reason: 'fieldValidationFailed' },
  );
}

/** Apply a transaction of state changes, all or nothing, under the assertion rule. */
function update(
  world: World,
  stack: StackWorld,
  entries: { arn: string; state: 'On' | 'Off' }[],
  overrides: unknown,
): void {
  const found = entries.map((e) => ({ c: control(stack, e.arn), state: e.state }));
  const after = new Map([...routingControls(stack).values()].map((c) => [c.arn, c.state]));
  for (const f of found) after.set(f.c.arn, f.state);
  const overridden = Array.isArray(overrides) && overrides.includes(ASSERTION_RULE);
  const asserted = SITES.map((s) => ROUTING_CONTROLS[s]);
  if (!overridden && !asserted.some((arn) => after.get(arn) === 'On')) {
    throw new ArcError(
      409,
      'ConflictException',
      `The routing control state change is not allowed: safety rule ${ASSERTION_RULE} requires at least 1 of ${asserted.join(', ')} to be On after the transaction.`,
      { resourceId: ASSERTION_RULE, resourceType: 'SafetyRule' },
    );
  }
  for (const f of found) {
    if (f.c.state !== f.state) {
      f.c.state = f.state;
      world.monitor.mutation('arc', 'UpdateRoutingControlState', f.c.arn);
    }
  }
  resolve(stack);
}

function handle(world: World, stack: StackWorld, op: string, body: Record<string, any>): object {
  switch (op) {
    case 'GetRoutingControlState': {
      const c = control(stack, body.RoutingControlArn);
      return { RoutingControlArn: c.arn, RoutingControlState: c.state, RoutingControlName: c.name };
    }
    case 'UpdateRoutingControlState':
      update(
        world,
        stack,
        [{ arn: body.RoutingControlArn, state: stateOf(body.RoutingControlState) }],
        body.SafetyRulesToOverride,
      );
      return {};
    case 'UpdateRoutingControlStates': {
      const list = body.UpdateRoutingControlStateEntries;
      if (!Array.isArray(list) || list.length === 0) {
        throw new ArcError(
          400,
          'ValidationException',
          '1 validation error detected: UpdateRoutingControlStateEntries is required',
          { reason: 'fieldValidationFailed' },
        );
      }
      update(
        world,
        stack,
        list.map((e: Record<string, unknown>) => ({
          arn: e.RoutingControlArn as string,
          state: stateOf(e.RoutingControlState),
        })),
        body.SafetyRulesToOverride,
      );
      return {};
    }
    case 'ListRoutingControls':
      return {
        RoutingControls: [...routingControls(stack).values()].map((c) => ({
          ControlPanelArn: PANEL,
          ControlPanelName: 'aegis-sandbox',
          RoutingControlArn: c.arn,
          RoutingControlName: c.name,
          RoutingControlState: c.state,
          Owner: SANDBOX_ACCOUNT,
        })),
      };
    default:
      throw new ArcError(400, 'UnknownOperationException', `Unknown operation ${op}.`);
  }
}

/** The plan's traffic fields for a zone seeded `failover-arc`: the routing controls and every endpoint. */
export function arcPlanTraffic(endpoints: Record<string, string>): Record<string, unknown> {
  return {
    routing: 'arc-routing-control',
    arc: {
      clusterEndpoints: ARC_REGIONS.map((region) => ({ region, url: endpoints[`arc-${region}`] })),
      routingControlArns: { ...ROUTING_CONTROLS },
    },
  };
}

/** The service of the cluster endpoint in `region` (name `arc-<region>` in endpoints.json and faults). */
export function arcService(region: string): ServiceDef {
  return {
    name: `arc-${region}`,
    operation: operationOf,
    handle(req: ServiceRequest, res: http.ServerResponse, ctx: ServiceContext) {
      const { world } = ctx;
      const stack = awsStack(world);
      // an endpoint in a region that is down does not answer
      if (SITES.some((s) => stack.sites[s].region === region && !stack.sites[s].up))
        return dropConnection(req);
      try {
        let body: Record<string, any>;
        try {
          body = req.json() as Record<string, any>;
        } catch {
          throw new ArcError(400, 'SerializationException', 'The request body is not valid JSON.');
        }
        send(res, 200, handle(world, stack, operationOf(req), body), 'application/x-amz-json-1.0');
      } catch (err) {
        if (err instanceof ArcError) return sendError(res, err);
        throw err;
      }
    },
    renderThrottle(_req, res) {
      sendError(res, new ArcError(429, 'ThrottlingException', 'Rate exceeded', { retryAfterSeconds: 1 }));
    },
    renderError(req, res, hit: FaultHit) {
      const status = hit.spec.status ?? 503;
      if (status === 503) {
        // the cluster's own word for an endpoint that cannot serve: try another endpoint
        return sendError(
          res,
          new ArcError(
            503,
            'EndpointTemporarilyUnavailableException',
            'The cluster endpoint isn\u2019t available. Try another cluster endpoint.',
          ),
        );
      }
      const e = faultError(
        status,
        `route53-recovery-cluster:${operationOf(req)}`,
        { code: 'ResourceNotFoundException', message: 'The routing control was not found.' },
        true,
      );
      sendError(
        res,
        new ArcError(e.status, e.code === 'ServerException' ? 'InternalServerException' : e.code, e.message),
      );
    },
  };
}
