/**
 * Emulated Amazon Route 53 (REST-XML under /2013-04-01/) for the sandbox's AWS stack: the hosted
 * zone (simple, alias, failover and weighted record sets: see route53-zone.ts), its change
 * propagation (PENDING, then INSYNC), and the sites' health checks. Route 53 is a global service:
 * no region check.
 *
 * A change is applied to the zone at once (the answer for the public name is written to
 * `traffic.record`, which the sandbox DNS server serves), and reports INSYNC after
 * `DURATIONS.route53Insync`.
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
import {
  bare,
  fqdn,
  aliasHost,
  hostedZone,
  resolve,
  type HealthCheck,
  type HostedZone,
  type RecordSet,
} from './route53-zone.js';

const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const T = TOPOLOGY.aws;

/** A Route 53 error as the service renders it. */
export const Route53Error = AwsXmlError;
export type Route53Error = AwsXmlError;

interface Route53Side {
  comments: Map<string, string>;
}
const sides = new WeakMap<World, Route53Side>();
function side(world: World): Route53Side {
  let s = sides.get(world);
  if (!s) {
    s = { comments: new Map() };
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

/** Sort key of a DNS name as Route 53 lists them (labels reversed). */
function sortKey(name: string): string {
  return bare(name).split('.').reverse().join('.');
}

const ROUTES: { method: string; re: RegExp; op: string }[] = [
  { method: 'POST', re: /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/, op: 'ChangeResourceRecordSets' },
  { method: 'GET', re: /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/, op: 'ListResourceRecordSets' },
  { method: 'GET', re: /^\/2013-04-01\/change\/([^/]+)$/, op: 'GetChange' },
  { method: 'GET', re: /^\/2013-04-01\/hostedzone\/([^/]+)$/, op: 'GetHostedZone' },
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

/**
 * GetHostedZone: the zone, its name servers, and its features: `AcceleratedRecoveryStatus` says
 * whether Route 53 keeps a copy of the public zone in us-west-2 to take record changes when
 * us-east-1 is impaired (https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHostedZone.html,
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/accelerated-recovery.html).
 */
function hostedZoneNode(stack: StackWorld): XmlNode {
  const z = hostedZone(stack);
  return {
    HostedZone: {
      Id: `/hostedzone/${T.zone.id}`,
      Name: fqdn(stack.traffic.record.zone),
      CallerReference: 'aegis-sandbox-zone',
      Config: { PrivateZone: false },
      ResourceRecordSetCount: z.records.length + 2,
      Features: { AcceleratedRecoveryStatus: z.acceleratedRecovery ?? 'DISABLED' },
    },
    DelegationSet: {
      NameServers: list('NameServer', ['ns-1.awsdns-00.aegis.test.', 'ns-2.awsdns-00.aegis.test.']),
    },
  };
}

function recordNode(r: RecordSet): XmlNode {
  return {
    Name: r.name,
    Type: r.type,
    SetIdentifier: r.setIdentifier,
    Weight: r.weight,
    Failover: r.failover,
    TTL: r.alias ? undefined : r.ttl,
    ResourceRecords: r.alias
      ? undefined
      : list(
          'ResourceRecord',
          r.values.map((v) => ({ Value: v })),
        ),
    AliasTarget: r.alias
      ? {
          HostedZoneId: r.alias.hostedZoneId,
          DNSName: r.alias.dnsName,
          EvaluateTargetHealth: r.alias.evaluateTargetHealth,
        }
      : undefined,
    HealthCheckId: r.healthCheckId,
  };
}

function listRecordSets(stack: StackWorld, req: ServiceRequest): XmlNode {
  const q = req.url.searchParams;
  const name = q.get('name');
  const type = q.get('type');
  const identifier = q.get('identifier');
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
  const records = hostedZone(stack).records.map(recordNode);
  const all = [...apexRecords(stack), ...records];
  all.sort(
    (a, b) =>
      sortKey(String(a.Name)).localeCompare(sortKey(String(b.Name))) ||
      String(a.Type).localeCompare(String(b.Type)) ||
      String(a.SetIdentifier ?? '').localeCompare(String(b.SetIdentifier ?? '')),
  );
  const from = all.filter((r) => {
    if (!name) return true;
    const c = sortKey(String(r.Name)).localeCompare(sortKey(name));
    if (c !== 0) return c > 0;
    if (!type) return true;
    if (String(r.Type) !== type) return String(r.Type) > type;
    return !identifier || String(r.SetIdentifier ?? '') >= identifier;
  });
  const page = from.slice(0, max);
  const next = from[max];
  return {
    ResourceRecordSets: list('ResourceRecordSet', page),
    IsTruncated: next !== undefined,
    NextRecordName: next ? String(next.Name) : undefined,
    NextRecordType: next ? String(next.Type) : undefined,
    NextRecordIdentifier: next?.SetIdentifier ? String(next.SetIdentifier) : undefined,
    MaxItems: max,
  };
}

interface ChangeSpec {
  action: string;
  set: RecordSet;
}

function parseSet(set: XmlElement | undefined): RecordSet {
  const ttl = textAt(set, 'TTL');
  const alias = child(set, 'AliasTarget');
  const weight = textAt(set, 'Weight');
  const failover = textAt(set, 'Failover');
  return {
    name: fqdn(textAt(set, 'Name') ?? ''),
    type: textAt(set, 'Type') ?? '',
    ttl: ttl === undefined ? undefined : Number(ttl),
    values: (child(set, 'ResourceRecords')?.children ?? []).map((rr) => textAt(rr, 'Value') ?? ''),
    alias: alias
      ? {
          hostedZoneId: textAt(alias, 'HostedZoneId') ?? '',
          dnsName: fqdn(textAt(alias, 'DNSName') ?? ''),
          evaluateTargetHealth: textAt(alias, 'EvaluateTargetHealth') === 'true',
        }
      : undefined,
    setIdentifier: textAt(set, 'SetIdentifier'),
    failover: failover as RecordSet['failover'],
    weight: weight === undefined ? undefined : Number(weight),
    healthCheckId: textAt(set, 'HealthCheckId'),
  };
}

function parseChanges(body: XmlElement): { changes: ChangeSpec[]; comment?: string } {
  const batch = child(body, 'ChangeBatch');
  if (!batch)
    throw new Route53Error(
      400,
      'InvalidInput',
      'The request has no ChangeBatch: expected ChangeBatch with Changes.',
    );
  const changes = (child(batch, 'Changes')?.children ?? []).map((c) => ({
    action: textAt(c, 'Action') ?? '',
    set: parseSet(child(c, 'ResourceRecordSet')),
  }));
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

/** Same record set: name, type and SetIdentifier identify it. */
function sameId(a: RecordSet, b: RecordSet): boolean {
  return a.name === b.name && a.type === b.type && (a.setIdentifier ?? '') === (b.setIdentifier ?? '');
}

/** Same content, as a DELETE must give it. */
function sameContent(a: RecordSet, b: RecordSet): boolean {
  const vals = (r: RecordSet) => r.values.map(bare).sort().join(',');
  return (
    sameId(a, b) &&
    (a.alias
      ? !!b.alias && aliasHost(a.alias.dnsName) === aliasHost(b.alias.dnsName)
      : vals(a) === vals(b)) &&
    (a.ttl === undefined || a.ttl === b.ttl) &&
    (a.failover ?? '') === (b.failover ?? '') &&
    (a.weight ?? -1) === (b.weight ?? -1) &&
    (a.healthCheckId ?? '') === (b.healthCheckId ?? '')
  );
}

/** Checks one record set's own fields, as Route 53 validates them. */
function validateSet(zone: HostedZone, s: RecordSet, desc: string): void {
  if (s.alias) {
    if (s.ttl !== undefined || s.values.length > 0) {
      throw new Route53Error(
        400,
        'InvalidInput',
        `ResourceRecordSet ${desc} has an AliasTarget and ${s.ttl !== undefined ? 'a TTL' : 'ResourceRecords'}: an alias record takes neither.`,
      );
    }
    if (!s.alias.hostedZoneId)
      throw invalidBatch(
        `Alias target of ${desc} has no HostedZoneId: give the load balancer's hosted zone id`,
      );
  } else {
    if (s.values.length === 0)
      throw invalidBatch(`ResourceRecordSet ${desc} has no ResourceRecords: give at least one Value`);
    if (s.ttl === undefined || !Number.isInteger(s.ttl) || s.ttl < 0) {
      throw new Route53Error(
        400,
        'InvalidInput',
        `ResourceRecordSet ${desc} has TTL ${s.ttl}: expected a whole number of seconds.`,
      );
    }
    if (s.type === 'CNAME' && s.values.length > 1) {
      throw invalidBatch(
        `RRSet of type CNAME with DNS name ${s.name} has ${s.values.length} values: a CNAME takes exactly one`,
      );
    }
  }
  const policy = s.failover !== undefined || s.weight !== undefined;
  if (policy && !s.setIdentifier)
    throw invalidBatch(`ResourceRecordSet ${desc} has a routing policy but no SetIdentifier`);
  if (!policy && s.setIdentifier)
    throw invalidBatch(
      `ResourceRecordSet ${desc} has a SetIdentifier but no routing policy (Failover or Weight)`,
    );
  if (s.failover && !['PRIMARY', 'SECONDARY'].includes(s.failover))
    throw new Route53Error(
      400,
      'InvalidInput',
      `Failover is '${s.failover}': expected PRIMARY or SECONDARY.`,
    );
  if (s.weight !== undefined && (!Number.isInteger(s.weight) || s.weight < 0 || s.weight > 255))
    throw new Route53Error(
      400,
      'InvalidInput',
      `Weight is ${s.weight}: expected a whole number from 0 to 255.`,
    );
  if (s.healthCheckId && !zone.healthChecks.has(s.healthCheckId))
    throw invalidBatch(`The health check ${s.healthCheckId} of ${desc} does not exist`);
}

/** Conflicts with the other record sets of the zone, as Route 53 reports them. */
function checkConflicts(records: RecordSet[], s: RecordSet): void {
  for (const o of records) {
    if (o.name !== s.name || sameId(o, s)) continue;
    if (o.type !== s.type && (o.type === 'CNAME' || s.type === 'CNAME')) {
      throw invalidBatch(
        `RRSet of type ${s.type} with DNS name ${s.name} is not permitted because a conflicting RRSet of type ${o.type} with the same DNS name already exists`,
      );
    }
    if (o.type !== s.type) continue;
    if (!o.setIdentifier || !s.setIdentifier) {
      throw invalidBatch(
        `RRSet with DNS name ${s.name}, type ${s.type}${s.setIdentifier ? `, SetIdentifier ${s.setIdentifier}` : ''} cannot be created as other RRSets exist with the same name and type`,
      );
    }
    if ((o.failover === undefined) !== (s.failover === undefined)) {
      throw invalidBatch(
        `RRSet with DNS name ${s.name}, type ${s.type}, SetIdentifier ${s.setIdentifier} cannot be created because a non-${s.failover ? 'failover' : 'weighted'} set exists with the same name and type`,
      );
    }
    if (s.failover && o.failover === s.failover) {
      throw invalidBatch(
        `RRSet with DNS name ${s.name}, type ${s.type}: a ${s.failover} failover record (SetIdentifier ${o.setIdentifier}) already exists`,
      );
    }
  }
}

function changeRecordSets(world: World, stack: StackWorld, zoneId: string, req: ServiceRequest): XmlNode {
  zoneOf(stack, zoneId);
  const body = xmlBody(req);
  const { changes, comment } = parseChanges(body);
  const zone = hostedZone(stack);
  const domain = bare(stack.traffic.record.zone);
  // validate the whole batch on a copy first: Route 53 applies a batch all or nothing
  const next = zone.records.map((r) => ({ ...r }));
  for (const { action, set: s } of changes) {
    const desc = `name='${s.name}', type='${s.type}'${s.setIdentifier ? `, set-identifier='${s.setIdentifier}'` : ''}`;
    if (!['CREATE', 'UPSERT', 'DELETE'].includes(action)) {
      throw new Route53Error(
        400,
        'InvalidInput',
        `Change.Action is '${action}': expected CREATE, UPSERT or DELETE.`,
      );
    }
    if (bare(s.name) !== domain && !bare(s.name).endsWith(`.${domain}`)) {
      throw invalidBatch(`RRSet with DNS name ${s.name} is not permitted in zone ${fqdn(domain)}`);
    }
    const i = next.findIndex((r) => sameId(r, s));
    if (action === 'DELETE') {
      if (i < 0 || !sameContent(s, next[i])) {
        throw invalidBatch(
          `Tried to delete resource record set [${desc}] but it was not found or its values do not match`,
        );
      }
      next.splice(i, 1);
      continue;
    }
    validateSet(zone, s, desc);
    if (action === 'CREATE' && i >= 0) {
      throw invalidBatch(`Tried to create resource record set [${desc}] but it already exists`);
    }
    checkConflicts(next, s);
    if (i >= 0) next[i] = s;
    else next.push(s);
  }
  zone.records = next;
  resolve(stack);
  const id = awsId('C');
  const now = Date.now();
  stack.traffic.changes.set(id, { submittedAt: now, doneAt: now + world.duration(DURATIONS.route53Insync) });
  if (comment) side(world).comments.set(id, comment);
  world.monitor.mutation('route53', 'ChangeResourceRecordSets', stack.traffic.record.name);
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

function checkHealthCheck(stack: StackWorld, id: string): HealthCheck {
  const hc = hostedZone(stack).healthChecks.get(id);
  if (!hc) {
    throw new Route53Error(404, 'NoSuchHealthCheck', `A health check with id ${id} does not exist.`);
  }
  return hc;
}

function healthCheckNode(stack: StackWorld, hc: HealthCheck): XmlNode {
  return {
    Id: hc.id,
    CallerReference: `aegis-sandbox-${hc.site}`,
    HealthCheckConfig: hc.routingControlArn
      ? {
          Type: 'RECOVERY_CONTROL',
          RoutingControlArn: hc.routingControlArn,
          Inverted: hc.inverted,
          Disabled: hc.disabled,
        }
      : {
          Port: 443,
          Type: 'HTTPS',
          ResourcePath: '/health',
          FullyQualifiedDomainName: stack.sites[hc.site].target,
          RequestInterval: 30,
          FailureThreshold: 3,
          MeasureLatency: false,
          Inverted: hc.inverted,
          Disabled: hc.disabled,
          EnableSNI: true,
        },
    HealthCheckVersion: hc.version,
  };
}

function updateHealthCheck(world: World, stack: StackWorld, id: string, req: ServiceRequest): XmlNode {
  const hc = checkHealthCheck(stack, id);
  const body = xmlBody(req);
  const version = textAt(body, 'HealthCheckVersion');
  if (version !== undefined && Number(version) !== hc.version) {
    throw new Route53Error(
      409,
      'HealthCheckVersionMismatch',
      `HealthCheckVersion is ${version} but the health check is at version ${hc.version}: read it again and retry.`,
    );
  }
  const disabled = textAt(body, 'Disabled');
  const inverted = textAt(body, 'Inverted');
  if (disabled !== undefined) hc.disabled = disabled === 'true';
  if (inverted !== undefined) hc.inverted = inverted === 'true';
  hc.version++;
  resolve(stack);
  world.monitor.mutation('route53', 'UpdateHealthCheck', id);
  return { HealthCheck: healthCheckNode(stack, hc) };
}

/**
 * What each checker last saw at the endpoint. The observations are the checkers' own reports:
 * `Inverted` changes what Route 53 does with them, not what they say; a disabled check stops
 * checking (its last reports stay) and Route 53 considers it healthy whatever they said.
 */
function healthCheckStatus(stack: StackWorld, id: string): XmlNode {
  const hc = checkHealthCheck(stack, id);
  const site = stack.sites[hc.site];
  let status: string;
  if (!site.up) {
    status =
      'Failure: Connection timed out. The endpoint or the internet connection is down, or requests are being blocked by your firewall.';
  } else if (!site.healthy)
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
          case 'GetHostedZone':
            zoneOf(stack, r.id);
            return sendXml(res, 'GetHostedZoneResponse', hostedZoneNode(stack));
          case 'GetChange':
            return sendXml(res, 'GetChangeResponse', { ChangeInfo: changeInfo(world, stack, r.id) });
          case 'UpdateHealthCheck':
            return sendXml(res, 'UpdateHealthCheckResponse', updateHealthCheck(world, stack, r.id, req));
          case 'GetHealthCheck':
            return sendXml(res, 'GetHealthCheckResponse', {
              HealthCheck: healthCheckNode(stack, checkHealthCheck(stack, r.id)),
            });
          case 'GetHealthCheckStatus':
            return sendXml(res, 'GetHealthCheckStatusResponse', healthCheckStatus(stack, r.id));
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
