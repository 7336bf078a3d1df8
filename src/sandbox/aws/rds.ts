/**
 * Emulated Amazon RDS (Query protocol, API version 2014-10-31) for the sandbox's AWS stack:
 * the Multi-AZ primary `aegis-db` in the primary region and its cross-region read replica
 * `aegis-db-replica` in the DR region. Requests are form-encoded POSTs; responses are the real
 * `<XResponse><XResult>` XML with a RequestId, and errors the real `<ErrorResponse>` shape.
 *
 * The region comes from the SigV4 credential scope; a request to a region that is down has its
 * socket destroyed, as an unreachable region would.
 */
import type http from 'node:http';
import type { SiteName } from '../../plan/types.js';
import { TOPOLOGY } from '../estate.js';
import type { FaultHit } from '../faults.js';
import { send, type ServiceContext, type ServiceDef, type ServiceRequest } from '../http.js';
import { DURATIONS, type StackWorld, type World } from '../world.js';
import {
  AwsXmlError,
  SANDBOX_ACCOUNT,
  awsStack,
  dropConnection,
  list,
  regionDown,
  requestId,
  sendAwsXmlError,
  signedRegion,
  faultError,
  xmlDocument,
  type XmlNode,
} from './common.js';

const XMLNS = 'http://rds.amazonaws.com/doc/2014-10-31/';
/** How long RDS keeps events: 14 days. */
const EVENT_RETENTION_MS = 14 * 86400_000;
const T = TOPOLOGY.aws;

/** Per-world state the RDS emulator keeps beside the shared world (event sources, replica status). */
interface RdsSide {
  replicaStatus: 'available' | 'modifying';
  /** Which documented completion event a Multi-AZ failover ends with (see setRdsFailoverCompletion). */
  completion: RdsFailoverCompletion;
  /** Real ms time the last Multi-AZ failover of the primary completed. */
  lastFailoverAt?: number;
  /** How a region that is down answers (see setRdsRegionDownAnswer). */
  downAnswer: RdsDownAnswer;
  downRequests: number;
  eventSources: WeakMap<object, string>;
  createdAt: Date;
}
const sides = new WeakMap<World, RdsSide>();
function side(world: World): RdsSide {
  let s = sides.get(world);
  if (!s) {
    s = {
      replicaStatus: 'available',
      completion: 'completed',
      downAnswer: 'alternate',
      downRequests: 0,
      eventSources: new WeakMap(),
      createdAt: new Date(Date.now() - 400 * 86400_000),
    };
    sides.set(world, s);
  }
  return s;
}

/**
 * A Multi-AZ failover ends with RDS-EVENT-0049 "Multi-AZ instance failover completed." or with
 * RDS-EVENT-0015 "Multi-AZ failover to standby complete - DNS may take a few minutes to
 * propagate." (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html):
 * a client must accept either.
 */
export type RdsFailoverCompletion = 'completed' | 'standby-complete';

/** Choose the completion event the sandbox's next Multi-AZ failovers emit (deterministic, for tests and drills). */
export function setRdsFailoverCompletion(world: World, completion: RdsFailoverCompletion): void {
  side(world).completion = completion;
}

/**
 * How RDS in a region that is down answers: the socket dropped, 503 ServiceUnavailable, or
 * (default) each in turn, as a degraded region does.
 */
export type RdsDownAnswer = 'drop' | '503' | 'alternate';

export function setRdsRegionDownAnswer(world: World, answer: RdsDownAnswer): void {
  side(world).downAnswer = answer;
}

/**
 * A forced failover asked for soon after another one is abandoned with RDS-EVENT-0034 "Abandoning
 * user requested failover since a failover recently occurred."; the instance only reboots. RDS
 * does not document the window; the sandbox uses 10 minutes (cloud time).
 */
const RECENT_FAILOVER_CLOUD_SECONDS = 600;

/** An RDS error as the service renders it. */
export const RdsError = AwsXmlError;
export type RdsError = AwsXmlError;

function sendRdsError(res: http.ServerResponse, e: RdsError): void {
  sendAwsXmlError(res, e, XMLNS);
}

function sendResult(res: http.ServerResponse, action: string, result: XmlNode | undefined): void {
  const children: XmlNode = {};
  if (result) children[`${action}Result`] = result;
  children.ResponseMetadata = { RequestId: requestId() };
  send(res, 200, xmlDocument(`${action}Response`, XMLNS, children), 'text/xml');
}

function params(req: ServiceRequest): URLSearchParams {
  const p = new URLSearchParams(req.text());
  for (const [k, v] of req.url.searchParams) if (!p.has(k)) p.set(k, v);
  return p;
}

function arn(region: string, id: string): string {
  return `arn:aws:rds:${region}:${SANDBOX_ACCOUNT}:db:${id}`;
}

/** Which site an instance id lives in, or undefined when it is not one of ours. */
function instanceSite(id: string): SiteName | undefined {
  if (id === T.db.instance) return 'primary';
  if (id === T.db.replica) return 'dr';
  return undefined;
}

function otherZone(stack: StackWorld, zone: string): string {
  return stack.sites.primary.zones.find((z) => z !== zone) ?? zone;
}

/** The routine operation on the primary that is still running, if any. */
function routineOf(stack: StackWorld): NonNullable<StackWorld['database']['routine']> | undefined {
  const r = stack.database.routine;
  return r && r.until > Date.now() ? r : undefined;
}

function primaryStatus(stack: StackWorld): string {
  // A routine backup or maintenance shows as the instance status (backing-up, maintenance):
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html#Overview.DBInstance.Status
  const routine = routineOf(stack);
  if (routine && stack.database.status === 'available')
    return routine.kind === 'backup' ? 'backing-up' : 'maintenance';
  switch (stack.database.status) {
    case 'rebooting':
    case 'failing-over':
      return 'rebooting';
    case 'unavailable':
      return 'failed';
    default:
      return 'available';
  }
}

function replicaIsReplica(stack: StackWorld): boolean {
  return stack.database.replicating;
}

function endpointOf(id: string, region: string): XmlNode {
  return { Address: `${id}.c0sandbox.${region}.rds.aegis.test`, Port: 5432, HostedZoneId: 'Z0SANDBOXRDS' };
}

function instanceXml(world: World, stack: StackWorld, id: string): XmlNode {
  const db = stack.database;
  const s = side(world);
  const common = {
    DBInstanceClass: 'db.r6g.large',
    Engine: 'postgres',
    EngineVersion: '16.4',
    MasterUsername: 'aegis',
    AllocatedStorage: 100,
    InstanceCreateTime: s.createdAt,
    BackupRetentionPeriod: 7,
    StorageType: 'gp3',
    StorageEncrypted: true,
    DbiResourceId: `db-SANDBOX${id.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
  };
  if (id === T.db.instance) {
    const region = stack.sites.primary.region;
    return {
      DBInstanceIdentifier: id,
      ...common,
      DBInstanceStatus: primaryStatus(stack),
      Endpoint: endpointOf(id, region),
      PreferredBackupWindow: '03:00-03:30',
      MultiAZ: true,
      AvailabilityZone: db.writerZone,
      SecondaryAvailabilityZone: otherZone(stack, db.writerZone),
      LatestRestorableTime: new Date(Math.max(db.lastBackupAt, Date.now() - 5 * 60_000)),
      ReadReplicaDBInstanceIdentifiers: list(
        'ReadReplicaDBInstanceIdentifier',
        db.replicating ? [arn(stack.sites.dr.region, T.db.replica)] : [],
      ),
      DBInstanceArn: arn(region, id),
    };
  }
  const region = stack.sites.dr.region;
  const node: XmlNode = {
    DBInstanceIdentifier: id,
    ...common,
    DBInstanceStatus: s.replicaStatus,
    Endpoint: endpointOf(id, region),
    MultiAZ: false,
    AvailabilityZone: stack.sites.dr.zones[0],
  };
  if (replicaIsReplica(stack)) {
    const healthy = db.replicationHealthy && stack.sites.primary.up;
    node.ReadReplicaSourceDBInstanceIdentifier = arn(stack.sites.primary.region, T.db.instance);
    node.StatusInfos = list('DBInstanceStatusInfo', [
      {
        StatusType: 'read replication',
        Normal: healthy,
        Status: healthy ? 'replicating' : 'error',
        Message: healthy
          ? undefined
          : `Replication from ${T.db.instance} has stopped: the source cannot be reached or replication failed.`,
      },
    ]);
  }
  node.DBInstanceArn = arn(region, id);
  return node;
}

/** Region of the request (SigV4 scope), defaulting to the primary region for unsigned requests. */
function regionOf(world: World, req: ServiceRequest): string {
  return signedRegion(req) ?? awsStack(world).sites.primary.region;
}

/** Resolve an instance id in the request's region, or throw DBInstanceNotFound. */
function findInstance(stack: StackWorld, region: string, id: string | null): SiteName {
  if (!id)
    throw new RdsError(
      400,
      'MissingParameter',
      'The request must contain the parameter DBInstanceIdentifier.',
    );
  const site = instanceSite(id);
  if (!site || stack.sites[site].region !== region) {
    throw new RdsError(404, 'DBInstanceNotFound', `DBInstance ${id} not found.`);
  }
  return site;
}

function addEvent(world: World, source: string, message: string): void {
  const ev = { at: Date.now(), message };
  awsStack(world).database.events.push(ev);
  side(world).eventSources.set(ev, source);
}

function describeDBInstances(world: World, stack: StackWorld, region: string, p: URLSearchParams): XmlNode {
  const id = p.get('DBInstanceIdentifier');
  let ids: string[];
  if (id) {
    findInstance(stack, region, id);
    ids = [id];
  } else {
    ids = [T.db.instance, T.db.replica].filter((x) => stack.sites[instanceSite(x)!].region === region);
  }
  return {
    DBInstances: list(
      'DBInstance',
      ids.map((x) => instanceXml(world, stack, x)),
    ),
  };
}

function describeDBSnapshots(stack: StackWorld, region: string, p: URLSearchParams): XmlNode {
  const id = p.get('DBInstanceIdentifier');
  const type = p.get('SnapshotType');
  const snapId = p.get('DBSnapshotIdentifier');
  const snaps: XmlNode[] = [];
  if (
    stack.sites.primary.region === region &&
    (!id || id === T.db.instance) &&
    (!type || type === 'automated')
  ) {
    for (let i = 0; i < 3; i++) {
      const at = new Date(stack.database.lastBackupAt - i * 86400_000);
      const stamp = at.toISOString().slice(0, 16).replace(/[T:]/g, '-');
      const name = `rds:${T.db.instance}-${stamp}`;
      if (snapId && snapId !== name) continue;
      snaps.push({
        DBSnapshotIdentifier: name,
        DBInstanceIdentifier: T.db.instance,
        SnapshotCreateTime: at,
        Engine: 'postgres',
        AllocatedStorage: 100,
        Status: 'available',
        Port: 5432,
        AvailabilityZone: stack.database.writerZone,
        InstanceCreateTime: new Date(Date.now() - 400 * 86400_000),
        MasterUsername: 'aegis',
        EngineVersion: '16.4',
        SnapshotType: 'automated',
        PercentProgress: 100,
        Encrypted: true,
        DBSnapshotArn: `arn:aws:rds:${region}:${SANDBOX_ACCOUNT}:snapshot:${name}`,
        OriginalSnapshotCreateTime: at,
        SnapshotTarget: 'region',
      });
    }
  }
  return { DBSnapshots: list('DBSnapshot', snaps) };
}

function rebootDBInstance(world: World, stack: StackWorld, region: string, p: URLSearchParams): XmlNode {
  const id = p.get('DBInstanceIdentifier');
  const site = findInstance(stack, region, id);
  const force = p.get('ForceFailover') === 'true';
  const db = stack.database;
  if (site === 'dr') {
    if (force) {
      throw new RdsError(
        400,
        'InvalidParameterCombination',
        `Cannot force a failover of DB instance ${id} because it is not a Multi-AZ instance.`,
      );
    }
    if (side(world).replicaStatus !== 'available') {
      throw new RdsError(400, 'InvalidDBInstanceState', `DB instance ${id} is not in available state.`);
    }
  } else if ((db.status !== 'available' && db.status !== 'promoting') || routineOf(stack)) {
    // A DB instance that is not available cannot be rebooted (or failed over):
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_RebootInstance.html
    throw new RdsError(400, 'InvalidDBInstanceState', `DB instance ${id} is not in available state.`);
  }
  world.monitor.mutation('rds', 'RebootDBInstance', id!);
  if (site === 'dr') {
    const s = side(world);
    s.replicaStatus = 'modifying';
    addEvent(world, id!, 'DB instance restarted.');
    world.schedule(world.realMs(30), () => {
      s.replicaStatus = 'available';
    });
    return { DBInstance: instanceXml(world, stack, id!) };
  }
  const before = db.status;
  db.status = 'rebooting';
  const ms = world.duration(DURATIONS.rdsFailover);
  db.busyUntil = Date.now() + ms;
  const s = side(world);
  const abandoned =
    force &&
    s.lastFailoverAt !== undefined &&
    Date.now() - s.lastFailoverAt < world.realMs(RECENT_FAILOVER_CLOUD_SECONDS);
  const failover = force && !abandoned;
  if (failover) {
    world.monitor.failover(id!);
    db.failovers++;
    addEvent(world, id!, 'Multi-AZ instance failover started.');
  } else if (abandoned) {
    addEvent(world, id!, 'Abandoning user requested failover since a failover recently occurred.');
    addEvent(world, id!, 'DB instance shutdown.');
  } else {
    addEvent(world, id!, 'DB instance shutdown.');
  }
  world.schedule(ms, () => {
    if (failover) {
      db.writerZone = otherZone(stack, db.writerZone);
      s.lastFailoverAt = Date.now();
      addEvent(world, id!, 'DB instance restarted.');
      addEvent(
        world,
        id!,
        s.completion === 'completed'
          ? 'Multi-AZ instance failover completed.'
          : 'Multi-AZ failover to standby complete - DNS may take a few minutes to propagate.',
      );
    } else {
      addEvent(world, id!, 'DB instance restarted.');
    }
    if (db.status === 'rebooting') db.status = before === 'promoting' ? 'promoting' : 'available';
    db.busyUntil = 0;
  });
  return { DBInstance: instanceXml(world, stack, id!) };
}

function promoteReadReplica(world: World, stack: StackWorld, region: string, p: URLSearchParams): XmlNode {
  const id = p.get('DBInstanceIdentifier');
  const site = findInstance(stack, region, id);
  const db = stack.database;
  const s = side(world);
  if (site !== 'dr' || !db.replicating) {
    throw new RdsError(400, 'InvalidDBInstanceState', `DB Instance ${id} is not a read replica.`);
  }
  if (s.replicaStatus !== 'available') {
    throw new RdsError(400, 'InvalidDBInstanceState', `DB instance ${id} is not in available state.`);
  }
  world.monitor.mutation('rds', 'PromoteReadReplica', id!);
  world.monitor.failover(id!);
  db.failovers++;
  s.replicaStatus = 'modifying';
  if (db.status === 'available') db.status = 'promoting';
  const ms = world.duration(DURATIONS.rdsPromote);
  db.busyUntil = Date.now() + ms;
  addEvent(world, id!, 'Promoting read replica to a standalone database instance.');
  const result = { DBInstance: instanceXml(world, stack, id!) };
  world.schedule(ms, () => {
    db.replicating = false;
    db.writer = 'dr';
    db.writable.dr = true; // the old primary keeps writable.primary: promotion does not fence it
    s.replicaStatus = 'available';
    if (db.status === 'promoting') db.status = 'available';
    db.busyUntil = 0;
    addEvent(world, id!, 'Read replica has been promoted to a standalone database instance.');
  });
  return result;
}

/**
 * The category RDS gives a DB instance event, by its documented message
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html): the
 * Multi-AZ failover events (RDS-EVENT-0013 started, 0015 "failover to standby complete", 0049
 * completed, 0034 "Abandoning user requested failover since a failover recently occurred") are
 * "failover"; a read replica promotion is "read replica"; restarts and shutdowns "availability";
 * backups "backup"; maintenance "maintenance".
 */
export function eventCategory(message: string): string {
  if (/failover/i.test(message)) return 'failover';
  if (/read replica/i.test(message)) return 'read replica';
  if (/backup/i.test(message)) return 'backup';
  if (/maintenance|patch|upgrad/i.test(message)) return 'maintenance';
  return 'availability';
}

function describeEvents(world: World, stack: StackWorld, region: string, p: URLSearchParams): XmlNode {
  const source = p.get('SourceIdentifier');
  const type = p.get('SourceType');
  if (source && !type) {
    throw new RdsError(
      400,
      'InvalidParameterCombination',
      'SourceType must be specified when SourceIdentifier is given (for example SourceType=db-instance).',
    );
  }
  if (type && type !== 'db-instance') return { Events: list('Event', []) };
  const now = Date.now();
  const durationMin = p.get('Duration') ? Number(p.get('Duration')) : 60;
  if (!Number.isFinite(durationMin) || durationMin < 0) {
    throw new RdsError(
      400,
      'InvalidParameterValue',
      `Duration is ${p.get('Duration')}: expected a number of minutes.`,
    );
  }
  // RDS keeps events for 14 days; an older StartTime returns what is kept, no error
  // (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeEvents.html,
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/working-with-events.html).
  const kept = now - EVENT_RETENTION_MS;
  const start = Math.max(
    kept,
    p.get('StartTime') ? Date.parse(p.get('StartTime')!) : now - durationMin * 60_000,
  );
  const end = p.get('EndTime') ? Date.parse(p.get('EndTime')!) : now;
  const s = side(world);
  const categories = [...p.keys()].filter((k) => k.startsWith('EventCategories.')).map((k) => p.get(k)!);
  const events: XmlNode[] = [];
  for (const ev of stack.database.events) {
    const category = eventCategory(ev.message);
    if (categories.length && !categories.includes(category)) continue;
    const src = s.eventSources.get(ev) ?? T.db.instance;
    const site = instanceSite(src);
    if (!site || stack.sites[site].region !== region) continue;
    if (source && source !== src) continue;
    if (ev.at < start || ev.at > end) continue;
    events.push({
      SourceIdentifier: src,
      SourceType: 'db-instance',
      Message: ev.message,
      EventCategories: list('EventCategory', [category]),
      Date: new Date(ev.at),
      SourceArn: arn(region, src),
    });
  }
  return { Events: list('Event', events) };
}

/** The RDS service definition for `startService`. */
export function rdsService(): ServiceDef {
  return {
    name: 'rds',
    operation(req) {
      return params(req).get('Action') ?? 'Unknown';
    },
    handle(req: ServiceRequest, res: http.ServerResponse, ctx: ServiceContext) {
      const { world } = ctx;
      if (regionDown(world, req)) {
        // A degraded region's front door may still answer, with 503 ServiceUnavailable, instead of
        // dropping the socket (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html).
        const s = side(world);
        const answer =
          s.downAnswer === 'alternate' ? (s.downRequests++ % 2 === 0 ? '503' : 'drop') : s.downAnswer;
        if (answer === 'drop') dropConnection(req);
        else
          sendRdsError(
            res,
            new RdsError(
              503,
              'ServiceUnavailable',
              'The request has failed due to a temporary failure of the server.',
              'Receiver',
            ),
          );
        return;
      }
      const p = params(req);
      const action = p.get('Action') ?? '';
      const region = regionOf(world, req);
      const stack = awsStack(world);
      try {
        let result: XmlNode;
        switch (action) {
          case 'DescribeDBInstances':
            result = describeDBInstances(world, stack, region, p);
            break;
          case 'DescribeDBSnapshots':
            result = describeDBSnapshots(stack, region, p);
            break;
          case 'RebootDBInstance':
            result = rebootDBInstance(world, stack, region, p);
            break;
          case 'PromoteReadReplica':
            result = promoteReadReplica(world, stack, region, p);
            break;
          case 'DescribeEvents':
            result = describeEvents(world, stack, region, p);
            break;
          default:
            throw new RdsError(
              400,
              'InvalidAction',
              `The action ${action || '(none)'} is not valid for this web service.`,
            );
        }
        sendResult(res, action, result);
      } catch (err) {
        if (err instanceof RdsError) sendRdsError(res, err);
        else throw err;
      }
    },
    renderThrottle(_req, res, _hit: FaultHit) {
      sendRdsError(res, new RdsError(400, 'Throttling', 'Rate exceeded'));
    },
    renderError(req, res, hit: FaultHit) {
      const action = params(req).get('Action') ?? 'DescribeDBInstances';
      const id = params(req).get('DBInstanceIdentifier') ?? '';
      const e = faultError(hit.spec.status ?? 503, `rds:${action}`, {
        code: 'DBInstanceNotFound',
        message: `DBInstance ${id} not found.`,
      });
      sendRdsError(res, new RdsError(e.status, e.code, e.message, e.type));
    },
  };
}
