/**
 * Emulated Amazon RDS (Query protocol, API version 2014-10-31) for the sandbox's AWS stack: the
 * instances of the stack's database (see ../dbtopology.ts), starting as the Multi-AZ primary
 * `aegis-db` in the primary region and its cross-region read replica `aegis-db-replica` in the DR
 * region. Actions: DescribeDBInstances, DescribeDBSnapshots, DescribeEvents, RebootDBInstance,
 * PromoteReadReplica, CreateDBInstanceReadReplica, ModifyDBInstance (MultiAZ and
 * BackupRetentionPeriod only), RestoreDBInstanceToPointInTime and
 * DescribeDBInstanceAutomatedBackups (rds-restore.ts). Not emulated: parameter groups, cascading replicas' own lag,
 * deletion, StopDBInstance. Requests are form-encoded POSTs; responses are the real
 * `<XResponse><XResult>` XML with a RequestId, and errors the real `<ErrorResponse>` shape.
 *
 * The region comes from the SigV4 credential scope; a request to a region that is down has its
 * socket destroyed, as an unreachable region would.
 */
import type http from 'node:http';
import type { SiteName } from '../../plan/types.js';
import { instanceHost } from '../binding.js';
import { TOPOLOGY } from '../estate.js';
import type { FaultHit } from '../faults.js';
import { send, type ServiceContext, type ServiceDef, type ServiceRequest } from '../http.js';
import { promoteInstance, replicasOf, replicates, type DbInstanceWorld } from '../dbtopology.js';
import { DURATIONS, SITES, type StackWorld, type World } from '../world.js';
import {
  describeDBInstanceAutomatedBackups,
  restorableWindow,
  restoreDBInstanceToPointInTime,
} from './rds-restore.js';
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

/** Per-world state the RDS emulator keeps beside the shared world (event sources, reboots). */
interface RdsSide {
  /** Which documented completion event a Multi-AZ failover ends with (see setRdsFailoverCompletion). */
  completion: RdsFailoverCompletion;
  /** Real ms time the last Multi-AZ failover of the primary completed. */
  lastFailoverAt?: number;
  /** The instance a reboot (or force failover) is under way on. */
  rebooting?: string;
  /** How a region that is down answers (see setRdsRegionDownAnswer). */
  downAnswer: RdsDownAnswer;
  downRequests: number;
  eventSources: WeakMap<object, string>;
}
const sides = new WeakMap<World, RdsSide>();
function side(world: World): RdsSide {
  let s = sides.get(world);
  if (!s) {
    s = {
      completion: 'completed',
      downAnswer: 'alternate',
      downRequests: 0,
      eventSources: new WeakMap(),
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

export function arn(region: string, id: string): string {
  return `arn:aws:rds:${region}:${SANDBOX_ACCOUNT}:db:${id}`;
}

export function instancesIn(stack: StackWorld): Map<string, DbInstanceWorld> {
  const m = stack.database.instances;
  if (!m) throw new Error('the sandbox AWS stack has no RDS instances');
  return m;
}

/** Which site an instance id lives in, or undefined when it is not one of ours. */
function instanceSite(stack: StackWorld, id: string): SiteName | undefined {
  return stack.database.instances?.get(id)?.site;
}

function otherZone(stack: StackWorld, site: SiteName, zone: string): string {
  return stack.sites[site].zones.find((z) => z !== zone) ?? zone;
}

/** The routine operation on the primary that is still running, if any. */
function routineOf(stack: StackWorld): NonNullable<StackWorld['database']['routine']> | undefined {
  const r = stack.database.routine;
  return r && r.until > Date.now() ? r : undefined;
}

/**
 * The documented DB instance status
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html#Overview.DBInstance.Status):
 * `creating` while a new read replica is built, `modifying` while promoted or modified,
 * `rebooting` during a reboot or Multi-AZ failover, `backing-up` / `maintenance` for routine work
 * on the writer.
 */
function statusOf(world: World, stack: StackWorld, inst: DbInstanceWorld): string {
  if (inst.status === 'creating') return 'creating';
  if (inst.status === 'modifying') return 'modifying';
  const db = stack.database;
  if (side(world).rebooting === inst.id && (db.status === 'rebooting' || db.status === 'failing-over'))
    return 'rebooting';
  if (inst.id === db.writerId) {
    if (db.status === 'unavailable') return 'failed';
    const routine = routineOf(stack);
    if (routine && db.status === 'available') return routine.kind === 'backup' ? 'backing-up' : 'maintenance';
  }
  return 'available';
}

/** The instance endpoint (binding.ts gives its address, which an endpoint binding holds). */
function endpointOf(stack: StackWorld, inst: DbInstanceWorld): XmlNode {
  return { Address: instanceHost(stack, inst), Port: 5432, HostedZoneId: 'Z0SANDBOXRDS' };
}

/**
 * An instance as DescribeDBInstances renders it
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBInstance.html):
 * `ReadReplicaSourceDBInstanceIdentifier` on a replica (the source's ARN when it is in another
 * Region), `ReadReplicaDBInstanceIdentifiers` on a source (a cross-Region replica by its ARN),
 * `StatusInfos` "read replication" on a replica that has finished building.
 */
export function instanceXml(world: World, stack: StackWorld, inst: DbInstanceWorld): XmlNode {
  const region = stack.sites[inst.site].region;
  const all = instancesIn(stack);
  const node: XmlNode = {
    DBInstanceIdentifier: inst.id,
    DBInstanceClass: 'db.r6g.large',
    Engine: 'postgres',
    DBInstanceStatus: statusOf(world, stack, inst),
    MasterUsername: 'aegis',
    Endpoint: endpointOf(stack, inst),
    AllocatedStorage: 100,
    InstanceCreateTime: new Date(inst.createdAt),
    PreferredBackupWindow: '03:00-03:30',
    BackupRetentionPeriod: inst.backupRetentionDays,
    AvailabilityZone: inst.zone,
    MultiAZ: inst.multiAZ,
    EngineVersion: '16.4',
    ...(inst.multiAZ ? { SecondaryAvailabilityZone: otherZone(stack, inst.site, inst.zone) } : {}),
    ...(inst.backupRetentionDays > 0 && !inst.source && inst.status !== 'creating'
      ? { LatestRestorableTime: restorableWindow(stack, inst).latest }
      : {}),
  };
  if (inst.source) {
    const src = all.get(inst.source);
    node.ReadReplicaSourceDBInstanceIdentifier =
      src && src.site !== inst.site ? arn(stack.sites[src.site].region, src.id) : inst.source;
  }
  node.ReadReplicaDBInstanceIdentifiers = list(
    'ReadReplicaDBInstanceIdentifier',
    replicasOf(stack, inst.id).map((r) =>
      r.site !== inst.site ? arn(stack.sites[r.site].region, r.id) : r.id,
    ),
  );
  if (inst.source && inst.status !== 'creating') {
    const healthy = replicates(stack, inst);
    node.StatusInfos = list('DBInstanceStatusInfo', [
      {
        StatusType: 'read replication',
        Normal: healthy,
        Status: healthy ? 'replicating' : 'error',
        Message: healthy
          ? undefined
          : `Replication from ${inst.source} has stopped: the source cannot be reached or replication failed.`,
      },
    ]);
  }
  node.StorageType = 'gp3';
  node.StorageEncrypted = inst.encrypted;
  if (inst.encrypted && inst.kmsKeyId) node.KmsKeyId = inst.kmsKeyId;
  node.DbiResourceId = `db-SANDBOX${inst.id.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;
  node.DBInstanceArn = arn(region, inst.id);
  return node;
}

/** Region of the request (SigV4 scope), defaulting to the primary region for unsigned requests. */
function regionOf(world: World, req: ServiceRequest): string {
  return signedRegion(req) ?? awsStack(world).sites.primary.region;
}

/** Resolve an instance id in the request's region, or throw DBInstanceNotFound. */
export function findInstance(stack: StackWorld, region: string, id: string | null): DbInstanceWorld {
  if (!id)
    throw new RdsError(
      400,
      'MissingParameter',
      'The request must contain the parameter DBInstanceIdentifier.',
    );
  const inst = stack.database.instances?.get(id);
  if (!inst || stack.sites[inst.site].region !== region) {
    throw new RdsError(404, 'DBInstanceNotFound', `DBInstance ${id} not found.`);
  }
  return inst;
}

export function addEvent(world: World, source: string, message: string): void {
  const ev = { at: Date.now(), message };
  awsStack(world).database.events.push(ev);
  side(world).eventSources.set(ev, source);
}

function describeDBInstances(world: World, stack: StackWorld, region: string, p: URLSearchParams): XmlNode {
  const id = p.get('DBInstanceIdentifier');
  const found = id
    ? [findInstance(stack, region, id)]
    : [...instancesIn(stack).values()].filter((i) => stack.sites[i.site].region === region);
  return {
    DBInstances: list(
      'DBInstance',
      found.map((x) => instanceXml(world, stack, x)),
    ),
  };
}

function describeDBSnapshots(stack: StackWorld, region: string, p: URLSearchParams): XmlNode {
  const id = p.get('DBInstanceIdentifier');
  const type = p.get('SnapshotType');
  const snapId = p.get('DBSnapshotIdentifier');
  const snaps: XmlNode[] = [];
  // automated snapshots of every instance with backups on, taken while it existed as a standalone
  // instance (a read replica has backups off until it is promoted)
  for (const inst of instancesIn(stack).values()) {
    if (stack.sites[inst.site].region !== region || (id && id !== inst.id)) continue;
    if (type && type !== 'automated') continue;
    if (inst.backupRetentionDays === 0 || inst.source) continue;
    const since = inst.promotedAt ?? inst.createdAt;
    for (let i = 0; i < 3; i++) {
      const at = new Date(stack.database.lastBackupAt - i * 86400_000);
      if (at.getTime() < since) continue;
      const stamp = at.toISOString().slice(0, 16).replace(/[T:]/g, '-');
      const name = `rds:${inst.id}-${stamp}`;
      if (snapId && snapId !== name) continue;
      snaps.push({
        DBSnapshotIdentifier: name,
        DBInstanceIdentifier: inst.id,
        SnapshotCreateTime: at,
        Engine: 'postgres',
        AllocatedStorage: 100,
        Status: 'available',
        Port: 5432,
        AvailabilityZone: inst.zone,
        InstanceCreateTime: new Date(inst.createdAt),
        MasterUsername: 'aegis',
        EngineVersion: '16.4',
        SnapshotType: 'automated',
        PercentProgress: 100,
        Encrypted: inst.encrypted,
        DBSnapshotArn: `arn:aws:rds:${region}:${SANDBOX_ACCOUNT}:snapshot:${name}`,
        OriginalSnapshotCreateTime: at,
        SnapshotTarget: 'region',
      });
    }
  }
  return { DBSnapshots: list('DBSnapshot', snaps) };
}

function rebootDBInstance(world: World, stack: StackWorld, region: string, p: URLSearchParams): XmlNode {
  const inst = findInstance(stack, region, p.get('DBInstanceIdentifier'));
  const id = inst.id;
  const force = p.get('ForceFailover') === 'true';
  const db = stack.database;
  const s = side(world);
  if (force && !inst.multiAZ) {
    throw new RdsError(
      400,
      'InvalidParameterCombination',
      `Cannot force a failover of DB instance ${id} because it is not a Multi-AZ instance.`,
    );
  }
  const isWriter = id === db.writerId;
  if (
    statusOf(world, stack, inst) !== 'available' ||
    (isWriter && db.status !== 'available' && db.status !== 'promoting')
  ) {
    // A DB instance that is not available cannot be rebooted (or failed over):
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_RebootInstance.html
    throw new RdsError(400, 'InvalidDBInstanceState', `DB instance ${id} is not in available state.`);
  }
  world.monitor.mutation('rds', 'RebootDBInstance', id);
  if (!isWriter) {
    inst.status = 'modifying';
    addEvent(world, id, 'DB instance restarted.');
    world.schedule(world.realMs(30), () => {
      inst.status = 'available';
    });
    return { DBInstance: instanceXml(world, stack, inst) };
  }
  const before = db.status;
  db.status = 'rebooting';
  s.rebooting = id;
  const ms = world.duration(DURATIONS.rdsFailover);
  db.busyUntil = Date.now() + ms;
  const abandoned =
    force &&
    s.lastFailoverAt !== undefined &&
    Date.now() - s.lastFailoverAt < world.realMs(RECENT_FAILOVER_CLOUD_SECONDS);
  const failover = force && !abandoned;
  if (failover) {
    world.monitor.failover(id);
    db.failovers++;
    addEvent(world, id, 'Multi-AZ instance failover started.');
  } else if (abandoned) {
    addEvent(world, id, 'Abandoning user requested failover since a failover recently occurred.');
    addEvent(world, id, 'DB instance shutdown.');
  } else {
    addEvent(world, id, 'DB instance shutdown.');
  }
  const result = { DBInstance: instanceXml(world, stack, inst) };
  world.schedule(ms, () => {
    if (failover) {
      inst.zone = otherZone(stack, inst.site, inst.zone);
      if (inst.site === 'primary') db.writerZone = inst.zone;
      s.lastFailoverAt = Date.now();
      addEvent(world, id, 'DB instance restarted.');
      addEvent(
        world,
        id,
        s.completion === 'completed'
          ? 'Multi-AZ instance failover completed.'
          : 'Multi-AZ failover to standby complete - DNS may take a few minutes to propagate.',
      );
    } else {
      addEvent(world, id, 'DB instance restarted.');
    }
    if (db.status === 'rebooting') db.status = before === 'promoting' ? 'promoting' : 'available';
    if (s.rebooting === id) s.rebooting = undefined;
    db.busyUntil = 0;
  });
  return result;
}

/**
 * PromoteReadReplica (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html):
 * only a read replica can be promoted ("is not a read replica" otherwise); it shows `modifying`,
 * then is a standalone instance for good, with backups on (`BackupRetentionPeriod`, default 1).
 * Its source is not touched: it keeps accepting writes.
 */
function promoteReadReplica(world: World, stack: StackWorld, region: string, p: URLSearchParams): XmlNode {
  const inst = findInstance(stack, region, p.get('DBInstanceIdentifier'));
  const id = inst.id;
  const db = stack.database;
  if (!inst.source) {
    throw new RdsError(400, 'InvalidDBInstanceState', `DB Instance ${id} is not a read replica.`);
  }
  if (statusOf(world, stack, inst) !== 'available') {
    throw new RdsError(400, 'InvalidDBInstanceState', `DB instance ${id} is not in available state.`);
  }
  const retention = p.get('BackupRetentionPeriod') ? Number(p.get('BackupRetentionPeriod')) : 1;
  world.monitor.mutation('rds', 'PromoteReadReplica', id);
  world.monitor.failover(id);
  inst.status = 'modifying';
  if (db.status === 'available') db.status = 'promoting';
  const ms = world.duration(DURATIONS.rdsPromote);
  db.busyUntil = Date.now() + ms;
  addEvent(world, id, 'Promoting read replica to a standalone database instance.');
  const result = { DBInstance: instanceXml(world, stack, inst) };
  world.schedule(ms, () => {
    promoteInstance(stack, inst, retention);
    inst.status = 'available';
    if (db.status === 'promoting') db.status = 'available';
    db.busyUntil = 0;
    addEvent(world, id, 'Read replica has been promoted to a standalone database instance.');
  });
  return result;
}

/** An RDS ARN's Region and DB instance id, or undefined when `s` is not a DB instance ARN. */
function parseArn(s: string): { region: string; id: string } | undefined {
  const m = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):[0-9]{12}:db:([A-Za-z0-9-]+)$/.exec(s);
  return m ? { region: m[1], id: m[2] } : undefined;
}

/**
 * CreateDBInstanceReadReplica
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html),
 * sent to the destination Region: a source in another Region is named by its ARN; the source
 * must have backup retention enabled; an encrypted source replicated to another Region needs
 * `KmsKeyId`, a key of the destination Region (KMS keys are regional:
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html). The replica
 * is `creating` while it is built from the source, then replicates; it starts with backups off.
 */
function createDBInstanceReadReplica(
  world: World,
  stack: StackWorld,
  region: string,
  p: URLSearchParams,
): XmlNode {
  const id = p.get('DBInstanceIdentifier');
  const sourceRef = p.get('SourceDBInstanceIdentifier');
  if (!id || !sourceRef) {
    throw new RdsError(
      400,
      'MissingParameter',
      `The request must contain the parameter ${id ? 'SourceDBInstanceIdentifier' : 'DBInstanceIdentifier'}.`,
    );
  }
  const all = instancesIn(stack);
  if (all.has(id)) {
    throw new RdsError(400, 'DBInstanceAlreadyExists', `DB instance already exists`);
  }
  const ref = parseArn(sourceRef) ?? { region, id: sourceRef };
  const source = all.get(ref.id);
  if (!source || stack.sites[source.site].region !== ref.region) {
    throw new RdsError(404, 'DBInstanceNotFound', `DBInstance ${sourceRef} not found.`);
  }
  const site = SITES.find((x) => stack.sites[x].region === region);
  if (!site) throw new RdsError(400, 'InvalidParameterValue', `Region ${region} is not served here.`);
  const crossRegion = stack.sites[source.site].region !== region;
  if (source.backupRetentionDays === 0) {
    throw new RdsError(
      400,
      'InvalidDBInstanceState',
      'Automated backups are not enabled for this database instance. To enable automated backups, use ModifyDBInstance to set the backup retention period to a non-zero value.',
    );
  }
  const kmsKeyId = p.get('KmsKeyId') ?? undefined;
  if (crossRegion && source.encrypted && !kmsKeyId) {
    throw new RdsError(
      400,
      'InvalidParameterCombination',
      `Cross-Region read replica of an encrypted source requires KmsKeyId: a KMS key in the destination Region ${region}.`,
    );
  }
  if (statusOf(world, stack, source) !== 'available') {
    throw new RdsError(400, 'InvalidDBInstanceState', `DB instance ${source.id} is not in available state.`);
  }
  world.monitor.mutation('rds', 'CreateDBInstanceReadReplica', id);
  const inst: DbInstanceWorld = {
    id,
    site,
    zone: stack.sites[site].zones[0],
    source: source.id,
    multiAZ: p.get('MultiAZ') === 'true',
    backupRetentionDays: 0,
    encrypted: source.encrypted,
    kmsKeyId: crossRegion ? kmsKeyId : source.kmsKeyId,
    status: 'creating',
    createdAt: Date.now(),
  };
  all.set(id, inst);
  addEvent(world, id, 'DB instance created');
  world.schedule(world.duration(DURATIONS.replicaBuild), () => {
    if (inst.status === 'creating') inst.status = 'available';
    addEvent(world, id, 'Replication for the Read Replica resumed.');
  });
  return { DBInstance: instanceXml(world, stack, inst) };
}

/**
 * ModifyDBInstance (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html)
 * for the two settings reprotect needs: `MultiAZ` and `BackupRetentionPeriod`, applied
 * immediately; the instance shows `modifying` until they are in place.
 */
function modifyDBInstance(world: World, stack: StackWorld, region: string, p: URLSearchParams): XmlNode {
  const inst = findInstance(stack, region, p.get('DBInstanceIdentifier'));
  if (statusOf(world, stack, inst) !== 'available') {
    throw new RdsError(400, 'InvalidDBInstanceState', `DB instance ${inst.id} is not in available state.`);
  }
  const multiAZ = p.get('MultiAZ');
  const retention = p.get('BackupRetentionPeriod');
  if (retention !== null && Number(retention) === 0 && replicasOf(stack, inst.id).length > 0) {
    throw new RdsError(
      400,
      'InvalidParameterCombination',
      `Cannot set the backup retention period of ${inst.id} to 0: it is the source of read replicas.`,
    );
  }
  world.monitor.mutation('rds', 'ModifyDBInstance', inst.id);
  inst.status = 'modifying';
  const result = { DBInstance: instanceXml(world, stack, inst) };
  world.schedule(world.duration(DURATIONS.haModify), () => {
    if (multiAZ !== null) inst.multiAZ = multiAZ === 'true';
    if (retention !== null) inst.backupRetentionDays = Number(retention);
    inst.status = 'available';
    addEvent(world, inst.id, 'Finished applying modification to DB instance.');
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
    const site = instanceSite(stack, src);
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
          case 'CreateDBInstanceReadReplica':
            result = createDBInstanceReadReplica(world, stack, region, p);
            break;
          case 'ModifyDBInstance':
            result = modifyDBInstance(world, stack, region, p);
            break;
          case 'RestoreDBInstanceToPointInTime':
            result = restoreDBInstanceToPointInTime(world, stack, region, p);
            break;
          case 'DescribeDBInstanceAutomatedBackups':
            result = describeDBInstanceAutomatedBackups(stack, region, p);
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
