/**
 * Emulated Cloud DNS v1 REST API, as `@google-cloud/dns` calls it under `/dns/v1`.
 *
 * The managed zone TOPOLOGY.gcp.zone (`aegis-zone`, `gcp.aegis.test.`) of SANDBOX_PROJECT holds an
 * SOA, an NS and the traffic record (`traffic.record` of the gcp stack). Routes:
 * GET managedZones, GET managedZones/{z}, GET managedZones/{z}/rrsets (name / type filters),
 * POST managedZones/{z}/changes, GET managedZones/{z}/changes, GET managedZones/{z}/changes/{id}.
 * Fault operation names: managedZones.list, managedZones.get, resourceRecordSets.list,
 * changes.create, changes.list, changes.get.
 *
 * A change is checked as Cloud DNS does (each deletion must match an existing rrset exactly:
 * 412 conditionNotMet; an addition must not collide: 409 alreadyExists; names must be absolute),
 * applied at once to the zone (so `traffic.record` values / ttl follow, without trailing dots), and
 * reported `pending` until `world.duration(DURATIONS.cloudDnsChange)` has passed, then `done`.
 * Cloud DNS is global: a region outage does not affect it. The traffic record may carry a geo or
 * weighted round robin routing policy instead of rrdatas (clouddns-policy.ts).
 */
import type http from 'node:http';
import { SANDBOX_PROJECT, TOPOLOGY } from '../estate.js';
import { send, type ServiceContext, type ServiceDef, type ServiceRequest } from '../http.js';
import { DURATIONS, type StackWorld, type World } from '../world.js';
import {
  gcpStack,
  googleError,
  rejectRequest,
  renderGoogleError,
  renderGoogleThrottle,
  rfc3339,
} from './common.js';
import { policyAnswer, policyKey, policyProblem, type RoutingPolicy } from './clouddns-policy.js';

/** A Cloud DNS resource record set, as the API renders it. */
interface RRSet {
  kind?: string;
  name: string;
  type: string;
  ttl?: number;
  rrdatas?: string[];
  routingPolicy?: RoutingPolicy;
}

interface DnsChange {
  id: string;
  startTime: number;
  doneAt: number;
  additions: RRSet[];
  deletions: RRSet[];
}

interface DnsState {
  nextId: number;
  changes: Map<string, DnsChange>;
  /** Record sets other than the traffic record. */
  others: RRSet[];
  /** The traffic record's routing policy, when it has one instead of rrdatas. */
  mainPolicy?: RoutingPolicy;
  createdAt: number;
}

const states = new WeakMap<World, DnsState>();

const abs = (name: string): string => (name.endsWith('.') ? name : `${name}.`);
const rel = (name: string): string => (name.endsWith('.') ? name.slice(0, -1) : name);

function zoneDnsName(): string {
  return abs(TOPOLOGY.gcp.zone.dnsName);
}

function stateOf(world: World): DnsState {
  let s = states.get(world);
  if (!s) {
    const apex = zoneDnsName();
    s = {
      nextId: 1,
      changes: new Map(),
      others: [
        {
          kind: 'dns#resourceRecordSet',
          name: apex,
          type: 'NS',
          ttl: 21600,
          rrdatas: ['ns-cloud-a1.googledomains.test.', 'ns-cloud-a2.googledomains.test.'],
        },
        {
          kind: 'dns#resourceRecordSet',
          name: apex,
          type: 'SOA',
          ttl: 21600,
          rrdatas: [
            'ns-cloud-a1.googledomains.test. cloud-dns-hostmaster.google.test. 1 21600 3600 259200 300',
          ],
        },
      ],
      createdAt: world.now(),
    };
    states.set(world, s);
  }
  return s;
}

/** Every rrset of the zone, the traffic record included when it has values. */
function rrsets(stack: StackWorld, state: DnsState): RRSet[] {
  const r = stack.traffic.record;
  const main: RRSet[] =
    r.values.length > 0
      ? [
          {
            kind: 'dns#resourceRecordSet',
            name: abs(r.name),
            type: r.type,
            ttl: r.ttl,
            ...(state.mainPolicy
              ? { routingPolicy: state.mainPolicy }
              : { rrdatas: r.values.map((v) => (r.type === 'CNAME' ? abs(v) : v)) }),
          },
        ]
      : [];
  return [...state.others, ...main];
}

function isMain(stack: StackWorld, set: { name: string; type: string }): boolean {
  return rel(set.name) === rel(stack.traffic.record.name) && set.type === stack.traffic.record.type;
}

const BASE = '/dns/v1/projects/';

function route(
  path: string,
): { project: string; zone?: string; collection?: string; id?: string } | undefined {
  if (!path.startsWith(BASE)) return undefined;
  const [project, mz, zone, collection, id, extra] = path
    .slice(BASE.length)
    .split('/')
    .map(decodeURIComponent);
  if (!project || mz !== 'managedZones' || extra !== undefined) return undefined;
  return { project, zone: zone || undefined, collection, id };
}

function opName(req: ServiceRequest): string {
  const r = route(req.path);
  if (!r) return 'unknown';
  if (!r.zone) return req.method === 'GET' ? 'managedZones.list' : 'unknown';
  if (!r.collection) return req.method === 'GET' ? 'managedZones.get' : 'unknown';
  if (r.collection === 'rrsets' && !r.id && req.method === 'GET') return 'resourceRecordSets.list';
  if (r.collection === 'changes') {
    if (req.method === 'POST' && !r.id) return 'changes.create';
    if (req.method === 'GET') return r.id ? 'changes.get' : 'changes.list';
  }
  return 'unknown';
}

function renderZone(state: DnsState): Record<string, unknown> {
  return {
    kind: 'dns#managedZone',
    name: TOPOLOGY.gcp.zone.name,
    dnsName: zoneDnsName(),
    id: '5120000000000000001',
    description: 'Cloud Aegis sandbox zone',
    visibility: 'public',
    nameServers: ['ns-cloud-a1.googledomains.test.', 'ns-cloud-a2.googledomains.test.'],
    creationTime: rfc3339(state.createdAt),
  };
}

function renderChange(world: World, c: DnsChange): Record<string, unknown> {
  return {
    kind: 'dns#change',
    id: c.id,
    startTime: rfc3339(c.startTime),
    status: world.now() >= c.doneAt ? 'done' : 'pending',
    additions: c.additions,
    deletions: c.deletions,
  };
}

function sameSet(a: RRSet, b: RRSet): boolean {
  const norm = (x: RRSet) =>
    (x.rrdatas ?? [])
      .map((v) => rel(v))
      .sort()
      .join('\n');
  return (
    abs(a.name) === abs(b.name) &&
    a.type === b.type &&
    (a.ttl ?? 0) === (b.ttl ?? 0) &&
    norm(a) === norm(b) &&
    policyKey(a.routingPolicy) === policyKey(b.routingPolicy)
  );
}

/** Validate and apply a change; returns an error (status, message, reason) or the change. */
function applyChange(
  world: World,
  stack: StackWorld,
  state: DnsState,
  body: { additions?: RRSet[]; deletions?: RRSet[] },
): { error: [number, string, string] } | { change: DnsChange } {
  const additions = Array.isArray(body.additions) ? body.additions : [];
  const deletions = Array.isArray(body.deletions) ? body.deletions : [];
  if (additions.length === 0 && deletions.length === 0) {
    return {
      error: [
        400,
        'The change has no additions and no deletions: expected at least one record set.',
        'required',
      ],
    };
  }
  const apex = zoneDnsName();
  const checkName = (set: RRSet, where: string): [number, string, string] | undefined => {
    if (typeof set?.name !== 'string' || typeof set.type !== 'string') {
      return [400, `Invalid value for '${where}': expected a record set with name and type.`, 'invalid'];
    }
    if (!set.name.endsWith('.')) {
      return [
        400,
        `Invalid value for '${where}.name': '${set.name}' is not an absolute name; end it with a dot.`,
        'invalid',
      ];
    }
    if (!(set.name === apex || set.name.endsWith(`.${apex}`))) {
      return [
        400,
        `Invalid value for '${where}.name': '${set.name}' is not within the zone ${apex}.`,
        'invalid',
      ];
    }
    return undefined;
  };
  let current = rrsets(stack, state);
  for (const [i, d] of deletions.entries()) {
    const bad = checkName(d, `entity.change.deletions[${i}]`);
    if (bad) return { error: bad };
    const idx = current.findIndex((x) => sameSet(x, d));
    if (idx < 0) {
      return {
        error: [
          412,
          `Precondition not met for 'entity.change.deletions[${i}]': the record set ${d.name} ${d.type} with these ttl and rrdatas does not exist.`,
          'conditionNotMet',
        ],
      };
    }
    current = current.filter((_, j) => j !== idx);
  }
  for (const [i, a] of additions.entries()) {
    const bad = checkName(a, `entity.change.additions[${i}]`);
    if (bad) return { error: bad };
    const policy = policyProblem(a, `entity.change.additions[${i}]`);
    if (policy) return { error: [400, policy, 'invalid'] };
    if (!a.routingPolicy && (!Array.isArray(a.rrdatas) || a.rrdatas.length === 0)) {
      return {
        error: [
          400,
          `Invalid value for 'entity.change.additions[${i}].rrdatas': expected at least one value.`,
          'invalid',
        ],
      };
    }
    if (current.some((x) => abs(x.name) === abs(a.name) && x.type === a.type)) {
      return {
        error: [
          409,
          `The resource 'entity.change.additions[${i}]' named '${a.name} (${a.type})' already exists.`,
          'alreadyExists',
        ],
      };
    }
    current.push({
      kind: 'dns#resourceRecordSet',
      name: abs(a.name),
      type: a.type,
      ttl: a.ttl ?? 300,
      ...(a.routingPolicy ? { routingPolicy: a.routingPolicy } : { rrdatas: [...(a.rrdatas ?? [])] }),
    });
  }
  // commit
  const rec = stack.traffic.record;
  const main = current.find((x) => isMain(stack, x));
  state.mainPolicy = main?.routingPolicy;
  rec.values = main
    ? (main.routingPolicy
        ? policyAnswer(main.routingPolicy, stack.sites.primary.region)
        : (main.rrdatas ?? [])
      ).map(rel)
    : [];
  if (main?.ttl !== undefined) rec.ttl = main.ttl;
  state.others = current.filter((x) => !isMain(stack, x));
  const now = world.now();
  const change: DnsChange = {
    id: String(state.nextId++),
    startTime: now,
    doneAt: now + world.duration(DURATIONS.cloudDnsChange),
    additions: additions.map((a) => ({ kind: 'dns#resourceRecordSet', ...a })),
    deletions: deletions.map((d) => ({ kind: 'dns#resourceRecordSet', ...d })),
  };
  state.changes.set(change.id, change);
  stack.traffic.changes.set(`clouddns/${change.id}`, { doneAt: change.doneAt, submittedAt: now });
  return { change };
}

function handle(req: ServiceRequest, res: http.ServerResponse, ctx: ServiceContext): void {
  const { world } = ctx;
  const r = route(req.path);
  const name = opName(req);
  if (rejectRequest(req, res, r !== undefined && name !== 'unknown', r?.project, 'notFound') || !r) return;
  const stack = gcpStack(world);
  const state = stateOf(world);
  if (name === 'managedZones.list') {
    send(res, 200, { kind: 'dns#managedZonesListResponse', managedZones: [renderZone(state)] });
    return;
  }
  if (r.zone !== TOPOLOGY.gcp.zone.name) {
    googleError(
      res,
      404,
      `The managed zone ${r.zone} does not exist in project ${SANDBOX_PROJECT}; the sandbox zone is ${TOPOLOGY.gcp.zone.name}.`,
      {
        reason: 'notFound',
      },
    );
    return;
  }
  switch (name) {
    case 'managedZones.get':
      send(res, 200, renderZone(state));
      return;
    case 'resourceRecordSets.list': {
      const nameFilter = req.url.searchParams.get('name');
      const typeFilter = req.url.searchParams.get('type');
      if (typeFilter && !nameFilter) {
        googleError(res, 400, "The parameter 'type' requires 'name' to be set too.", { reason: 'invalid' });
        return;
      }
      const items = rrsets(stack, state).filter(
        (x) => (!nameFilter || abs(x.name) === abs(nameFilter)) && (!typeFilter || x.type === typeFilter),
      );
      send(res, 200, { kind: 'dns#resourceRecordSetsListResponse', rrsets: items });
      return;
    }
    case 'changes.create': {
      let body: { additions?: RRSet[]; deletions?: RRSet[] };
      try {
        body = req.json();
      } catch {
        googleError(
          res,
          400,
          'The request body is not valid JSON: expected {"additions":[...],"deletions":[...]}.',
        );
        return;
      }
      const out = applyChange(world, stack, state, body);
      if ('error' in out) {
        const [status, message, reason] = out.error;
        googleError(res, status, message, { reason });
        return;
      }
      world.monitor.mutation(
        'clouddns',
        'changes.create',
        `${TOPOLOGY.gcp.zone.name}/${stack.traffic.record.name}`,
      );
      send(res, 200, renderChange(world, out.change));
      return;
    }
    case 'changes.list':
      send(res, 200, {
        kind: 'dns#changesListResponse',
        changes: [...state.changes.values()].map((c) => renderChange(world, c)),
      });
      return;
    case 'changes.get': {
      const c = state.changes.get(r.id!);
      if (!c) {
        googleError(
          res,
          404,
          `The change ${r.id} does not exist in managed zone ${TOPOLOGY.gcp.zone.name}.`,
          { reason: 'notFound' },
        );
        return;
      }
      send(res, 200, renderChange(world, c));
      return;
    }
  }
}

/** The Cloud DNS v1 emulator (service key and fault key `clouddns`). */
export function clouddnsService(): ServiceDef {
  return {
    name: 'clouddns',
    operation: opName,
    handle,
    renderThrottle: (req, res, hit) => renderGoogleThrottle(req, res, hit, 'dns.googleapis.com'),
    renderError: renderGoogleError,
  };
}
