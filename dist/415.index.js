export const id = 415;
export const ids = [415];
export const modules = {

/***/ 60415:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  AwsDatabase: () => (/* reexport */ AwsDatabase),
  AwsNodePool: () => (/* reexport */ AwsNodePool),
  AwsTraffic: () => (/* reexport */ AwsTraffic),
  createAwsProviders: () => (/* binding */ createAwsProviders)
});

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-rds/dist-cjs/index.js
var dist_cjs = __webpack_require__(57202);
// EXTERNAL MODULE: ./src/engine/errors.ts
var errors = __webpack_require__(17679);
;// CONCATENATED MODULE: ./src/providers/aws/common.ts

/**
 * Credentials for a plain-http endpoint (the sandbox, a local emulator) when none are set: such an
 * endpoint cannot be a real AWS one, and the default chain would fail looking for real ones.
 */
const SANDBOX_CREDENTIALS = { accessKeyId: 'AKIDSANDBOX0000000000', secretAccessKey: 'sandbox-secret' };
function isPlainHttp(endpoint) {
    return endpoint !== undefined && endpoint.startsWith('http://');
}
/** The SDK client configuration for one region and one service endpoint override. */
function clientConfig(region, endpoint, opts) {
    return {
        region,
        maxAttempts: 1,
        ...(endpoint ? { endpoint } : {}),
        ...(opts.credentials
            ? { credentials: opts.credentials }
            : isPlainHttp(endpoint) && !process.env.AWS_ACCESS_KEY_ID
                ? { credentials: SANDBOX_CREDENTIALS }
                : {}),
        requestHandler: {
            requestTimeout: opts.requestTimeoutMs ?? 30_000,
            connectionTimeout: 10_000,
            throwOnRequestTimeout: true,
        },
    };
}
/** Assert the stack's section is of the AWS kind an adapter needs. */
function expectKind(section, kind, field) {
    if (section.type !== kind) {
        throw new errors/* UserError */.yo(`${field}.type is ${JSON.stringify(section.type)} but the AWS adapter needs ${JSON.stringify(kind)}: use an AWS stack (cloud: aws) with ${kind}.`);
    }
    return section;
}
/** DNS name without the trailing dot, lower case, for comparisons. */
function bareName(name) {
    return name.trim().replace(/\.$/, '').toLowerCase();
}

;// CONCATENATED MODULE: ./src/providers/aws/database.ts
/**
 * RDS adapter: the Multi-AZ primary instance in the primary region and its cross-region read
 * replica in the DR region. In-region failover = RebootDBInstance with ForceFailover; cross-region
 * = PromoteReadReplica. The adapter observes, starts and polls; it never retries nor decides.
 */



/** RDS statuses during which the instance is changing (an operation is under way). */
const BUSY = new Set([
    'rebooting',
    'modifying',
    'upgrading',
    'renaming',
    'maintenance',
    'starting',
    'stopping',
    'creating',
    'deleting',
    'resetting-master-credentials',
    'moving-to-vpc',
    'converting-to-vpc',
]);
const FAILED = new Set([
    'failed',
    'incompatible-parameters',
    'incompatible-restore',
    'incompatible-network',
    'storage-full',
]);
async function call(operation, fn) {
    try {
        return await fn();
    }
    catch (err) {
        throw (0,errors/* wrapSdkError */.Nt)('rds', operation, err);
    }
}
/** True when the error means "the region did not answer" (network failure, no HTTP status). */
function unreachable(err) {
    const c = (0,errors/* classify */.L8)(err);
    const status = err.status;
    return c.kind === 'transient' && (status === undefined || status === 0);
}
/** `DatabaseProvider` over Amazon RDS. */
class AwsDatabase {
    instance;
    replica;
    clients;
    regions;
    constructor(stack, opts = {}) {
        const db = expectKind(stack.database, 'rds', 'database');
        this.instance = db.instance;
        this.replica = db.replica || undefined;
        this.regions = { primary: stack.primary.region, dr: stack.dr.region };
        const endpoint = stack.endpoints?.rds;
        this.clients = {
            primary: new dist_cjs/* RDSClient */.rYe(clientConfig(this.regions.primary, endpoint, opts)),
            dr: new dist_cjs/* RDSClient */.rYe(clientConfig(this.regions.dr, endpoint, opts)),
        };
    }
    async instanceIn(site, id) {
        const out = await call('DescribeDBInstances', () => this.clients[site].send(new dist_cjs/* DescribeDBInstancesCommand */.hhJ({ DBInstanceIdentifier: id })));
        const found = out.DBInstances?.[0];
        if (!found) {
            throw new errors/* UserError */.yo(`RDS instance ${id} was not returned by DescribeDBInstances in ${this.regions[site]}: check database.instance / database.replica and the region.`);
        }
        return found;
    }
    async describe() {
        const [p, r] = await Promise.allSettled([
            this.instanceIn('primary', this.instance),
            this.replica ? this.instanceIn('dr', this.replica) : Promise.resolve(undefined),
        ]);
        let primary;
        if (p.status === 'fulfilled')
            primary = p.value;
        else if (!unreachable(p.reason))
            throw p.reason;
        if (r.status === 'rejected')
            throw r.reason;
        const replica = r.value;
        const primaryReachable = primary !== undefined;
        const promoted = replica !== undefined && !replica.ReadReplicaSourceDBInstanceIdentifier;
        const writer = promoted
            ? 'dr'
            : primaryReachable || replica
                ? 'primary'
                : 'unknown';
        const statuses = [primary?.DBInstanceStatus, replica?.DBInstanceStatus].filter((s) => !!s);
        const busyStatus = statuses.find((s) => BUSY.has(s));
        const writerInstance = writer === 'dr' ? replica : primary;
        const status = busyStatus ?? writerInstance?.DBInstanceStatus ?? 'unreachable';
        let replication;
        if (!this.replica) {
            replication = {
                healthy: false,
                detail: 'no cross-region read replica is configured (database.replica)',
            };
        }
        else if (promoted) {
            replication = {
                healthy: false,
                detail: `${this.replica} is a standalone instance (promoted): it no longer replicates`,
            };
        }
        else {
            const info = replica?.StatusInfos?.find((s) => s.StatusType === 'read replication');
            replication = info
                ? {
                    healthy: info.Normal === true && info.Status === 'replicating',
                    detail: `read replication ${info.Status ?? 'unknown'}${info.Message ? `: ${info.Message}` : ''}`,
                }
                : { healthy: false, detail: `${this.replica} reports no read replication status` };
        }
        const lastBackup = primaryReachable ? await this.lastBackup() : undefined;
        return {
            writer,
            status,
            busy: busyStatus !== undefined,
            replication,
            writerZone: writerInstance?.AvailabilityZone,
            primaryReachable,
            lastBackup,
            raw: {
                primary: primary
                    ? {
                        id: primary.DBInstanceIdentifier,
                        status: primary.DBInstanceStatus,
                        multiAZ: primary.MultiAZ,
                        zone: primary.AvailabilityZone,
                        secondaryZone: primary.SecondaryAvailabilityZone,
                    }
                    : { id: this.instance, reachable: false },
                replica: replica
                    ? {
                        id: replica.DBInstanceIdentifier,
                        status: replica.DBInstanceStatus,
                        source: replica.ReadReplicaSourceDBInstanceIdentifier,
                        zone: replica.AvailabilityZone,
                    }
                    : undefined,
            },
        };
    }
    async lastBackup() {
        const out = await call('DescribeDBSnapshots', () => this.clients.primary.send(new dist_cjs/* DescribeDBSnapshotsCommand */.KKI({ DBInstanceIdentifier: this.instance })));
        let newest;
        for (const s of out.DBSnapshots ?? []) {
            if (s.Status !== 'available' || !s.SnapshotCreateTime)
                continue;
            if (!newest || s.SnapshotCreateTime > newest)
                newest = s.SnapshotCreateTime;
        }
        return newest;
    }
    async failover(target, mode) {
        if (mode === 'planned' || mode === 'forced') {
            throw new errors/* UserError */.yo(`databaseMode ${mode} is an Azure SQL failover-group mode; an RDS database takes in-region (Multi-AZ force failover) or cross-region (promote the read replica).`);
        }
        const started = Date.now();
        if (mode === 'in-region') {
            const id = target === 'primary' ? this.instance : this.replica;
            if (!id)
                throw new errors/* UserError */.yo('database.replica is not set: an in-region failover on the DR site needs its instance identifier.');
            await call('RebootDBInstance', () => this.clients[target].send(new dist_cjs/* RebootDBInstanceCommand */.Ctt({ DBInstanceIdentifier: id, ForceFailover: true })));
            return {
                id: `rds:reboot:${target}:${id}:${started}`,
                description: `RDS Multi-AZ force failover of ${id} in ${this.regions[target]} (RebootDBInstance --force-failover)`,
            };
        }
        if (target !== 'dr') {
            throw new errors/* UserError */.yo(`A cross-region failover to the primary site is not an RDS operation: after a promotion, re-create a read replica of the DR writer in ${this.regions.primary} and fail back from it.`);
        }
        const replica = this.replica;
        if (!replica) {
            throw new errors/* UserError */.yo('database.replica is not set: a cross-region failover needs the DR read replica identifier (e.g. aegis-db-replica).');
        }
        await call('PromoteReadReplica', () => this.clients.dr.send(new dist_cjs/* PromoteReadReplicaCommand */.GTz({ DBInstanceIdentifier: replica })));
        return {
            id: `rds:promote:dr:${replica}:${started}`,
            description: `RDS PromoteReadReplica of ${replica} in ${this.regions.dr}`,
        };
    }
    async poll(op) {
        const m = /^rds:(reboot|promote):(primary|dr):([^:]+):([0-9]+)$/.exec(op.id);
        if (!m)
            throw new errors/* UserError */.yo(`Operation id ${op.id} is not an RDS operation id of this adapter (rds:reboot|promote:site:instance:ms).`);
        const [, kind, site, id, startedRaw] = m;
        const inst = await this.instanceIn(site, id);
        const status = inst.DBInstanceStatus ?? 'unknown';
        if (FAILED.has(status))
            return { done: true, error: `RDS instance ${id} is ${status}`, status };
        if (kind === 'promote') {
            const done = status === 'available' && !inst.ReadReplicaSourceDBInstanceIdentifier;
            return { done, status: done ? 'promoted' : status };
        }
        if (status !== 'available')
            return { done: false, status };
        // available again: done once the failover-completed event follows the started event
        const since = new Date(Number(startedRaw) - 60_000);
        const out = await call('DescribeEvents', () => this.clients[site].send(new dist_cjs/* DescribeEventsCommand */.w6x({ SourceIdentifier: id, SourceType: 'db-instance', StartTime: since })));
        const events = (out.Events ?? []).filter((e) => e.Date && e.Message);
        const startedAt = events
            .filter((e) => /failover started/i.test(e.Message))
            .map((e) => e.Date.getTime())
            .sort((a, b) => b - a)[0];
        const completed = startedAt !== undefined &&
            events.some((e) => /failover completed/i.test(e.Message) && e.Date.getTime() >= startedAt);
        return { done: completed, status: completed ? 'failover completed' : status };
    }
}

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-eks/dist-cjs/index.js
var client_eks_dist_cjs = __webpack_require__(24524);
;// CONCATENATED MODULE: ./src/providers/aws/nodepool.ts
/**
 * EKS adapter: the managed node group of each site's cluster (UpdateNodegroupConfig,
 * DescribeNodegroup, DescribeUpdate), one client per region.
 */



async function nodepool_call(operation, fn) {
    try {
        return await fn();
    }
    catch (err) {
        throw (0,errors/* wrapSdkError */.Nt)('eks', operation, err);
    }
}
const nodepool_BUSY = new Set(['UPDATING', 'CREATING', 'DELETING']);
/** `NodePoolProvider` over Amazon EKS managed node groups. */
class AwsNodePool {
    clients;
    clusters;
    nodegroup;
    constructor(stack, opts = {}) {
        const np = expectKind(stack.nodePool, 'eks', 'nodePool');
        this.clusters = { primary: np.cluster.primary, dr: np.cluster.dr };
        this.nodegroup = np.nodegroup;
        const endpoint = stack.endpoints?.eks;
        this.clients = {
            primary: new client_eks_dist_cjs/* EKSClient */.JQJ(clientConfig(stack.primary.region, endpoint, opts)),
            dr: new client_eks_dist_cjs/* EKSClient */.JQJ(clientConfig(stack.dr.region, endpoint, opts)),
        };
    }
    async describe(site) {
        const out = await nodepool_call('DescribeNodegroup', () => this.clients[site].send(new client_eks_dist_cjs/* DescribeNodegroupCommand */.Kmg({ clusterName: this.clusters[site], nodegroupName: this.nodegroup })));
        const ng = out.nodegroup;
        const status = ng?.status ?? 'unknown';
        return {
            desired: ng?.scalingConfig?.desiredSize ?? 0,
            min: ng?.scalingConfig?.minSize ?? 0,
            max: ng?.scalingConfig?.maxSize ?? 0,
            status,
            busy: nodepool_BUSY.has(status),
        };
    }
    async resize(site, size) {
        const cluster = this.clusters[site];
        const out = await nodepool_call('UpdateNodegroupConfig', () => this.clients[site].send(new client_eks_dist_cjs/* UpdateNodegroupConfigCommand */.YKo({
            clusterName: cluster,
            nodegroupName: this.nodegroup,
            scalingConfig: { minSize: size.min, maxSize: size.max, desiredSize: size.desired },
        })));
        return {
            id: out.update?.id ?? '',
            description: `EKS UpdateNodegroupConfig ${cluster}/${this.nodegroup} minSize=${size.min},maxSize=${size.max},desiredSize=${size.desired}`,
        };
    }
    async poll(site, op) {
        const out = await nodepool_call('DescribeUpdate', () => this.clients[site].send(new client_eks_dist_cjs/* DescribeUpdateCommand */.SrY({
            name: this.clusters[site],
            nodegroupName: this.nodegroup,
            updateId: op.id,
        })));
        const status = out.update?.status ?? 'unknown';
        if (status === 'Failed' || status === 'Cancelled') {
            const why = (out.update?.errors ?? [])
                .map((e) => `${e.errorCode ?? ''} ${e.errorMessage ?? ''}`.trim())
                .join('; ');
            return {
                done: true,
                status,
                error: `EKS update ${op.id} ${status.toLowerCase()}${why ? `: ${why}` : ''}`,
            };
        }
        return { done: status === 'Successful', status };
    }
}

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-route-53/dist-cjs/index.js
var client_route_53_dist_cjs = __webpack_require__(8621);
;// CONCATENATED MODULE: ./src/providers/aws/traffic.ts
/**
 * Route 53 adapter: the plan's record in its hosted zone and the primary health check.
 * switchTo = UPSERT of the record to the target's value with the plan's TTL, then the primary
 * health check disabled (moving to dr) or enabled again (moving back). poll = GetChange INSYNC.
 */



async function traffic_call(operation, fn) {
    try {
        return await fn();
    }
    catch (err) {
        throw (0,errors/* wrapSdkError */.Nt)('route53', operation, err);
    }
}
/** `TrafficProvider` over Amazon Route 53. */
class AwsTraffic {
    client;
    zoneId;
    record;
    recordType;
    targets;
    healthCheckId;
    constructor(stack, opts = {}) {
        const t = expectKind(stack.traffic, 'route53', 'traffic');
        this.zoneId = t.hostedZoneId;
        this.record = t.record;
        this.recordType = t.recordType ?? 'CNAME';
        this.targets = { primary: t.targets.primary, dr: t.targets.dr };
        this.healthCheckId = t.healthCheckId || undefined;
        // Route 53 is global: its control plane is signed for us-east-1
        this.client = new client_route_53_dist_cjs/* Route53Client */.LhC(clientConfig('us-east-1', stack.endpoints?.route53, opts));
    }
    async describe() {
        const out = await traffic_call('ListResourceRecordSets', () => this.client.send(new client_route_53_dist_cjs/* ListResourceRecordSetsCommand */.IOz({
            HostedZoneId: this.zoneId,
            StartRecordName: this.record,
            StartRecordType: this.recordType,
            MaxItems: 1,
        })));
        const set = (out.ResourceRecordSets ?? []).find((r) => bareName(r.Name ?? '') === bareName(this.record) && r.Type === this.recordType);
        const values = set
            ? set.AliasTarget?.DNSName
                ? [set.AliasTarget.DNSName]
                : (set.ResourceRecords ?? []).map((r) => r.Value ?? '')
            : [];
        const bare = values.map(bareName);
        const p = bare.includes(bareName(this.targets.primary));
        const d = bare.includes(bareName(this.targets.dr));
        const active = p && d ? 'both' : p ? 'primary' : d ? 'dr' : 'unknown';
        const detail = {
            hostedZoneId: this.zoneId,
            record: this.record,
            type: this.recordType,
        };
        if (this.healthCheckId)
            detail.healthCheck = await this.healthCheck(this.healthCheckId);
        return { active, values, ttl: set?.TTL, detail };
    }
    async healthCheck(id) {
        const hc = await traffic_call('GetHealthCheck', () => this.client.send(new client_route_53_dist_cjs/* GetHealthCheckCommand */.wVZ({ HealthCheckId: id })));
        const st = await traffic_call('GetHealthCheckStatus', () => this.client.send(new client_route_53_dist_cjs/* GetHealthCheckStatusCommand */.A6({ HealthCheckId: id })));
        const observations = (st.HealthCheckObservations ?? []).map((o) => ({
            region: o.Region,
            status: o.StatusReport?.Status ?? '',
        }));
        return {
            id,
            disabled: hc.HealthCheck?.HealthCheckConfig?.Disabled === true,
            healthy: observations.length > 0 && observations.every((o) => o.status.startsWith('Success')),
            observations,
        };
    }
    async switchTo(target, ttlSeconds) {
        const value = this.targets[target];
        const out = await traffic_call('ChangeResourceRecordSets', () => this.client.send(new client_route_53_dist_cjs/* ChangeResourceRecordSetsCommand */.yzn({
            HostedZoneId: this.zoneId,
            ChangeBatch: {
                Comment: `aegis-dr: route ${this.record} to the ${target} site`,
                Changes: [
                    {
                        Action: 'UPSERT',
                        ResourceRecordSet: {
                            Name: this.record,
                            Type: this.recordType,
                            TTL: ttlSeconds,
                            ResourceRecords: [{ Value: value }],
                        },
                    },
                ],
            },
        })));
        if (this.healthCheckId) {
            const id = this.healthCheckId;
            await traffic_call('UpdateHealthCheck', () => this.client.send(new client_route_53_dist_cjs/* UpdateHealthCheckCommand */.v_t({ HealthCheckId: id, Disabled: target === 'dr' })));
        }
        const changeId = out.ChangeInfo?.Id ?? '';
        return {
            id: changeId,
            description: `Route 53 UPSERT ${this.record} ${this.recordType} ${value} TTL ${ttlSeconds}${this.healthCheckId
                ? `; health check ${this.healthCheckId} ${target === 'dr' ? 'disabled' : 'enabled'}`
                : ''}`,
        };
    }
    async poll(op) {
        const out = await traffic_call('GetChange', () => this.client.send(new client_route_53_dist_cjs/* GetChangeCommand */.Yn4({ Id: op.id })));
        const status = out.ChangeInfo?.Status ?? 'unknown';
        return { done: status === 'INSYNC', status };
    }
    expectation(target) {
        return { name: this.record, type: this.recordType, value: this.targets[target] };
    }
}

;// CONCATENATED MODULE: ./src/providers/aws/index.ts




/** Build the database, traffic and node-pool adapters of an AWS stack. */
function createAwsProviders(stack, opts = {}) {
    return {
        database: new AwsDatabase(stack, opts),
        traffic: new AwsTraffic(stack, opts),
        nodePool: new AwsNodePool(stack, opts),
    };
}


/***/ })

};
