/**
 * Emulated Amazon Route 53 (REST-XML under /2013-04-01/) for the sandbox's AWS stack: the hosted
 * zone that holds the public record, its change propagation (PENDING, then INSYNC), and the primary
 * health check. Route 53 is a global service: no region check.
 *
 * A change is applied to `traffic.record` at once (the sandbox DNS server serves it), and reports
 * INSYNC after `DURATIONS.route53Insync`.
 */
import type http from 'node:http';
import { TOPOLOGY } from '../estate.js';
import type { FaultHit } from '../faults.js';
import { send, type ServiceContext, type ServiceDef, type ServiceRequest } from '../http.js';
import { DURATIONS, type StackWorld, type World } from '../world.js';
import {
  AwsXmlError,
  awsId,
  awsStack,
  child,
  list,
  parseXml,
  requestId,
  sendAwsXmlError,
  textAt,
  faultError,
  xmlDocument,
  type XmlElement,
  type XmlNode,
} from './common.js';

const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const T = TOPOLOGY.aws;

/** A Route 53 error as the service renders it. */
export const Route53Error = AwsXmlError;
export type Route53Error = AwsXmlError;

interface Route53Side {
  healthCheckVersion: number;
  inverted: boolean;
  comments: Map<string, string>;
}
const sides = new WeakMap<World, Route53Side>();
function side(world: World): Route53Side {
  let s = sides.get(world);
  if (!s) {
    s = { healthCheckVersion: 1, inverted: false, comments: new Map() };
    sides.set(world, s);
  }
  return s;
}

function sendError(res: http.ServerResponse, e: Route53Error): void {
  sendAwsXmlError(res, e, XMLNS, { 'x-amzn-requestid': requestId() });
}

function sendXml(res: http.ServerResponse, root: string, children: XmlNode, status = 200): void {
  send(res, status, xmlDocument(root, XMLNS, children), 'text/xml', { 'x-amzn-requestid': requestId() });
}

/** DNS name without the trailing dot, lower case. */
function bare(name: string): string {
  return name.trim().replace(/\.$/, '').toLowerCase();
}
function fqdn(name: string): string {
  return `${bare(name)}.`;
}

/** Sort key of a DNS name as Route 53 lists them (labels reversed). */
function sortKey(name: string): string {
  return bare(name).split('.').reverse().join('.');
}

const ROUTES: { method: string; re: RegExp; op: string }[] = [
  { method: 'POST', re: /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/, op: 'ChangeResourceRecordSets' },
  { method: 'GET', re: /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/, op: 'ListResourceRecordSets' },
  { method: 'GET', re: /^\/2013-04-01\/change\/([^/]+)$/, op: 'GetChange' },
  { method: 'GET', re: /^\/2013-04-01\/healthcheck\/([^/]+)\/status$/, op: 'GetHealthCheckStatus' },
  { method: 'POST', re: /^\/2013-04-01\/healthcheck\/([^/]+)$/, op: 'UpdateHealthCheck' },
  { method: 'GET', re: /^\/2013-04-01\/healthcheck\/([^/]+)$/, op: 'GetHealthCheck' },
];

function route(req: ServiceRequest): { op: string; id: string } | undefined {
  for (const r of ROUTES) {
    const m = r.method === req.method ? r.re.exec(req.path) : null;
    if (m) return { op: r.op, id: decodeURIComponent(m[1]) };
  }
  return undefined;
}

function zoneOf(stack: StackWorld, id: string): void {
  const zoneId = id.replace(/^\/?hostedzone\//, '');
  if (zoneId !== T.zone.id)
    throw new Route53Error(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${zoneId}`);
  if (stack.traffic.kind !== 'route53') {
    throw new Route53Error(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${zoneId}`);
  }
}

function apexRecords(stack: StackWorld): XmlNode[] {
  const zone = fqdn(stack.traffic.record.zone);
  return [
    {
      Name: zone,
      Type: 'NS',
      TTL: 172800,
      ResourceRecords: list(
        'ResourceRecord',
        ['ns-1.awsdns-00.aegis.test.', 'ns-2.awsdns-00.aegis.test.'].map((v) => ({ Value: v })),
      ),
    },
    {
      Name: zone,
      Type: 'SOA',
      TTL: 900,
      ResourceRecords: list('ResourceRecord', [
        { Value: 'ns-1.awsdns-00.aegis.test. awsdns-hostmaster.aegis.test. 1 7200 900 1209600 86400' },
      ]),
    },
  ];
}

function recordNode(stack: StackWorld): XmlNode | undefined {
  const r = stack.traffic.record;
  if (r.values.length === 0) return undefined;
  return {
    Name: fqdn(r.name),
    Type: r.type,
    TTL: r.ttl,
    ResourceRecords: list(
      'ResourceRecord',
      r.values.map((v) => ({ Value: v })),
    ),
  };
}

function listRecordSets(stack: StackWorld, req: ServiceRequest): XmlNode {
  const q = req.url.searchParams;
  const name = q.get('name');
  const type = q.get('type');
  if (type && !name) {
    throw new Route53Error(
      400,
      'InvalidInput',
      'The type parameter was given without the name parameter: give both or neither.',
    );
  }
  const max = q.get('maxitems') ? Number(q.get('maxitems')) : 300;
  if (!Number.isInteger(max) || max < 1) {
    throw new Route53Error(
      400,
      'InvalidInput',
      `maxitems is ${q.get('maxitems')}: expected a whole number from 1.`,
    );
  }
  const all = [...apexRecords(stack), ...(recordNode(stack) ? [recordNode(stack)!] : [])];
  all.sort(
    (a, b) =>
      sortKey(String(a.Name)).localeCompare(sortKey(String(b.Name))) ||
      String(a.Type).localeCompare(String(b.Type)),
  );
  const from = all.filter((r) => {
    if (!name) return true;
    const c = sortKey(String(r.Name)).localeCompare(sortKey(name));
    if (c !== 0) return c > 0;
    return !type || String(r.Type) >= type;
  });
  const page = from.slice(0, max);
  const next = from[max];
  return {
    ResourceRecordSets: list('ResourceRecordSet', page),
    IsTruncated: next !== undefined,
    NextRecordName: next ? String(next.Name) : undefined,
    NextRecordType: next ? String(next.Type) : undefined,
    MaxItems: max,
  };
}

interface ChangeSpec {
  action: string;
  name: string;
  type: string;
  ttl?: number;
  values: string[];
}

function parseChanges(body: XmlElement): { changes: ChangeSpec[]; comment?: string } {
  const batch = child(body, 'ChangeBatch');
  if (!batch)
    throw new Route53Error(
      400,
      'InvalidInput',
      'The request has no ChangeBatch: expected ChangeBatch with Changes.',
    );
  const changes = (child(batch, 'Changes')?.children ?? []).map((c) => {
    const set = child(c, 'ResourceRecordSet');
    const ttl = textAt(set, 'TTL');
    return {
      action: textAt(c, 'Action') ?? '',
      name: textAt(set, 'Name') ?? '',
      type: textAt(set, 'Type') ?? '',
      ttl: ttl === undefined ? undefined : Number(ttl),
      values: (child(set, 'ResourceRecords')?.children ?? []).map((rr) => textAt(rr, 'Value') ?? ''),
    };
  });
  if (changes.length === 0) {
    throw new Route53Error(
      400,
      'InvalidInput',
      'ChangeBatch.Changes is empty: expected at least one Change.',
    );
  }
  return { changes, comment: textAt(batch, 'Comment') };
}

function invalidBatch(message: string): Route53Error {
  return new Route53Error(400, 'InvalidChangeBatch', `[${message}]`);
}

/** The request's XML body, or InvalidInput as Route 53 answers a malformed one. */
function xmlBody(req: ServiceRequest): XmlElement {
  try {
    return parseXml(req.text());
  } catch (err) {
    throw new Route53Error(
      400,
      'InvalidInput',
      `The request body is not valid XML: ${(err as Error).message}.`,
    );
  }
}

function changeRecordSets(world: World, stack: StackWorld, zoneId: string, req: ServiceRequest): XmlNode {
  zoneOf(stack, zoneId);
  const body = xmlBody(req);
  const { changes, comment } = parseChanges(body);
  const rec = stack.traffic.record;
  // validate the whole batch first: Route 53 applies a batch all or nothing
  let exists = rec.values.length > 0;
  let type = rec.type;
  const plan: ChangeSpec[] = [];
  for (const c of changes) {
    const desc = `name='${fqdn(c.name)}', type='${c.type}'`;
    if (!['CREATE', 'UPSERT', 'DELETE'].includes(c.action)) {
      throw new Route53Error(
        400,
        'InvalidInput',
        `Change.Action is '${c.action}': expected CREATE, UPSERT or DELETE.`,
      );
    }
    if (!bare(c.name).endsWith(bare(rec.zone))) {
      throw invalidBatch(`RRSet with DNS name ${fqdn(c.name)} is not permitted in zone ${fqdn(rec.zone)}`);
    }
    if (bare(c.name) !== bare(rec.name)) {
      throw invalidBatch(
        `The sandbox zone ${fqdn(rec.zone)} holds only the record ${fqdn(rec.name)}; ${desc} cannot be changed`,
      );
    }
    if (c.action !== 'DELETE') {
      if (c.values.length === 0)
        throw invalidBatch(`ResourceRecordSet ${desc} has no ResourceRecords: give at least one Value`);
      if (c.ttl === undefined || !Number.isInteger(c.ttl) || c.ttl < 0) {
        throw new Route53Error(
          400,
          'InvalidInput',
          `ResourceRecordSet ${desc} has TTL ${c.ttl}: expected a whole number of seconds.`,
        );
      }
      if (c.type === 'CNAME' && c.values.length > 1) {
        throw invalidBatch(
          `RRSet of type CNAME with DNS name ${fqdn(c.name)} has ${c.values.length} values: a CNAME takes exactly one`,
        );
      }
    }
    if (c.action === 'CREATE' && exists) {
      throw invalidBatch(`Tried to create resource record set [${desc}] but it already exists`);
    }
    if (c.action === 'DELETE') {
      const same =
        exists &&
        c.type === type &&
        (c.ttl === undefined || c.ttl === rec.ttl) &&
        c.values.map(bare).sort().join(',') === rec.values.map(bare).sort().join(',');
      if (!same) {
        throw invalidBatch(
          `Tried to delete resource record set [${desc}] but it was not found or its values do not match`,
        );
      }
      exists = false;
    } else {
      if (exists && c.type !== type) {
        throw invalidBatch(
          `RRSet of type ${c.type} with DNS name ${fqdn(c.name)} is not permitted because a conflicting RRSet of type ${type} with the same DNS name already exists`,
        );
      }
      exists = true;
      type = c.type;
    }
    plan.push(c);
  }
  for (const c of plan) {
    if (c.action === 'DELETE') {
      rec.values = [];
    } else {
      rec.type = c.type;
      rec.ttl = c.ttl!;
      rec.values = c.values.map((v) => (c.type === 'CNAME' ? v.replace(/\.$/, '') : v));
    }
  }
  const id = awsId('C');
  const now = Date.now();
  stack.traffic.changes.set(id, { submittedAt: now, doneAt: now + world.duration(DURATIONS.route53Insync) });
  if (comment) side(world).comments.set(id, comment);
  world.monitor.mutation('route53', 'ChangeResourceRecordSets', rec.name);
  return { ChangeInfo: changeInfo(world, stack, id) };
}

function changeInfo(world: World, stack: StackWorld, id: string): XmlNode {
  const bareId = id.replace(/^\/?change\//, '');
  const c = stack.traffic.changes.get(bareId);
  if (!c)
    throw new Route53Error(
      404,
      'NoSuchChange',
      `A change with the specified change ID ${bareId} does not exist.`,
    );
  return {
    Id: `/change/${bareId}`,
    Status: Date.now() >= c.doneAt ? 'INSYNC' : 'PENDING',
    SubmittedAt: new Date(c.submittedAt),
    Comment: side(world).comments.get(bareId),
  };
}

function checkHealthCheck(id: string): void {
  if (id !== T.healthCheckId) {
    throw new Route53Error(404, 'NoSuchHealthCheck', `A health check with id ${id} does not exist.`);
  }
}

function healthCheckNode(world: World, stack: StackWorld): XmlNode {
  const s = side(world);
  return {
    Id: T.healthCheckId,
    CallerReference: 'aegis-sandbox-primary',
    HealthCheckConfig: {
      Port: 443,
      Type: 'HTTPS',
      ResourcePath: '/health',
      FullyQualifiedDomainName: stack.sites.primary.target,
      RequestInterval: 30,
      FailureThreshold: 3,
      MeasureLatency: false,
      Inverted: s.inverted,
      Disabled: stack.traffic.healthCheckDisabled,
      EnableSNI: true,
    },
    HealthCheckVersion: s.healthCheckVersion,
  };
}

function updateHealthCheck(world: World, stack: StackWorld, id: string, req: ServiceRequest): XmlNode {
  checkHealthCheck(id);
  const body = xmlBody(req);
  const s = side(world);
  const version = textAt(body, 'HealthCheckVersion');
  if (version !== undefined && Number(version) !== s.healthCheckVersion) {
    throw new Route53Error(
      409,
      'HealthCheckVersionMismatch',
      `HealthCheckVersion is ${version} but the health check is at version ${s.healthCheckVersion}: read it again and retry.`,
    );
  }
  const disabled = textAt(body, 'Disabled');
  const inverted = textAt(body, 'Inverted');
  if (disabled !== undefined) stack.traffic.healthCheckDisabled = disabled === 'true';
  if (inverted !== undefined) s.inverted = inverted === 'true';
  s.healthCheckVersion++;
  world.monitor.mutation('route53', 'UpdateHealthCheck', id);
  return { HealthCheck: healthCheckNode(world, stack) };
}

function healthCheckStatus(world: World, stack: StackWorld, id: string): XmlNode {
  checkHealthCheck(id);
  const primary = stack.sites.primary;
  let status: string;
  if (stack.traffic.healthCheckDisabled) status = 'Failure: The health check is disabled.';
  else if (!primary.up) {
    status =
      'Failure: Connection timed out. The endpoint or the internet connection is down, or requests are being blocked by your firewall.';
  } else if (!primary.healthy)
    status = 'Failure: HTTP Status Code 503, Service Unavailable. Resolved IP: 192.0.2.10';
  else status = 'Success: HTTP Status Code 200, OK';
  const checkers: [string, string][] = [
    ['us-east-1', '192.0.2.11'],
    ['us-west-1', '192.0.2.12'],
    ['eu-west-1', '192.0.2.13'],
  ];
  const at = new Date();
  return {
    HealthCheckObservations: list(
      'HealthCheckObservation',
      checkers.map(([region, ip]) => ({
        Region: region,
        IPAddress: ip,
        StatusReport: { Status: status, CheckedTime: at },
      })),
    ),
  };
}

/** The Route 53 service definition for `startService`. */
export function route53Service(): ServiceDef {
  return {
    name: 'route53',
    operation(req) {
      return route(req)?.op ?? 'Unknown';
    },
    handle(req: ServiceRequest, res: http.ServerResponse, ctx: ServiceContext) {
      const { world } = ctx;
      const stack = awsStack(world);
      try {
        const r = route(req);
        if (!r)
          throw new Route53Error(
            404,
            'UnknownOperationException',
            `No operation matches ${req.method} ${req.path}.`,
          );
        switch (r.op) {
          case 'ChangeResourceRecordSets':
            return sendXml(
              res,
              'ChangeResourceRecordSetsResponse',
              changeRecordSets(world, stack, r.id, req),
            );
          case 'ListResourceRecordSets':
            zoneOf(stack, r.id);
            return sendXml(res, 'ListResourceRecordSetsResponse', listRecordSets(stack, req));
          case 'GetChange':
            return sendXml(res, 'GetChangeResponse', { ChangeInfo: changeInfo(world, stack, r.id) });
          case 'UpdateHealthCheck':
            return sendXml(res, 'UpdateHealthCheckResponse', updateHealthCheck(world, stack, r.id, req));
          case 'GetHealthCheck':
            checkHealthCheck(r.id);
            return sendXml(res, 'GetHealthCheckResponse', { HealthCheck: healthCheckNode(world, stack) });
          case 'GetHealthCheckStatus':
            return sendXml(res, 'GetHealthCheckStatusResponse', healthCheckStatus(world, stack, r.id));
        }
      } catch (err) {
        if (err instanceof Route53Error) return sendError(res, err);
        throw err;
      }
    },
    renderThrottle(req, res, _hit: FaultHit) {
      if (route(req)?.op === 'ChangeResourceRecordSets') {
        sendError(
          res,
          new Route53Error(
            400,
            'PriorRequestNotComplete',
            'The request was rejected because Route 53 was still processing a prior request.',
          ),
        );
      } else {
        sendError(res, new Route53Error(400, 'Throttling', 'Rate exceeded'));
      }
    },
    renderError(req, res, hit: FaultHit) {
      const op = route(req)?.op ?? 'ListResourceRecordSets';
      const e = faultError(
        hit.spec.status ?? 503,
        `route53:${op}`,
        /healthcheck/i.test(op)
          ? { code: 'NoSuchHealthCheck', message: 'No health check exists with the specified ID.' }
          : /change/i.test(op) && !/ResourceRecordSets/.test(op)
            ? { code: 'NoSuchChange', message: 'A change with the specified change ID does not exist.' }
            : { code: 'NoSuchHostedZone', message: 'No hosted zone found with the specified ID.' },
      );
      sendError(res, new Route53Error(e.status, e.code, e.message, e.type));
    },
  };
}
