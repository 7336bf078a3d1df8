export const id = 70;
export const ids = [70];
export const modules = {

/***/ 66070:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  GcpDatabase: () => (/* reexport */ GcpDatabase),
  GcpNodePool: () => (/* reexport */ GcpNodePool),
  GcpTraffic: () => (/* reexport */ GcpTraffic),
  NO_RETRY: () => (/* reexport */ NO_RETRY),
  containerClient: () => (/* reexport */ containerClient),
  createGcpProviders: () => (/* binding */ createGcpProviders),
  dnsClient: () => (/* reexport */ dnsClient),
  parseEndpoint: () => (/* reexport */ parseEndpoint),
  sqlClients: () => (/* reexport */ sqlClients),
  staticAuthClient: () => (/* reexport */ staticAuthClient),
  timestampToDate: () => (/* reexport */ timestampToDate)
});

// EXTERNAL MODULE: ./src/engine/errors.ts
var engine_errors = __webpack_require__(17679);
// EXTERNAL MODULE: ./node_modules/@google-cloud/common/build/src/index.js
var src = __webpack_require__(85543);
// EXTERNAL MODULE: ./node_modules/@google-cloud/container/build/src/index.js
var build_src = __webpack_require__(84689);
// EXTERNAL MODULE: ./node_modules/@google-cloud/dns/build/src/index.js
var dns_build_src = __webpack_require__(93121);
// EXTERNAL MODULE: ./node_modules/@google-cloud/sql/build/src/index.js
var sql_build_src = __webpack_require__(30002);
// EXTERNAL MODULE: ./node_modules/google-auth-library/build/src/index.js
var google_auth_library_build_src = __webpack_require__(492);
;// CONCATENATED MODULE: ./src/providers/gcp/clients.ts
/**
 * How the GCP adapters authenticate and where they send requests: the one place that builds the
 * official clients (@google-cloud/sql, @google-cloud/container, @google-cloud/dns).
 *
 * - No endpoint override in the plan: the SDK's default endpoint and Application Default
 *   Credentials (what google-github-actions/auth with workload identity federation leaves behind).
 * - An `https://host[:port]` override (private endpoint, sovereign cloud): that host, ADC.
 * - An `http://` override (the sandbox on loopback): that host and port over plain HTTP, and a
 *   static bearer token instead of ADC, so no real credentials are looked up.
 *
 * The gax clients (Cloud SQL, GKE) always run in `fallback` (HTTP/1.1 JSON) mode with their retries
 * off per call (`{ retry: null }`); the Cloud DNS client's request function is rebuilt with
 * `autoRetry: false` (its constructor does not pass retry options through). The engine retries.
 *
 * Bundling note for the lead: google-gax reads `__dirname` when loaded from an ESM bundle; define
 * `globalThis.__dirname` / `__filename` from `import.meta.url` in the bundle entry before this
 * module loads (see DESIGN.md). Nothing here works around it.
 */






/** Per-call options of every gax call: no SDK retries (the engine retries). */
const NO_RETRY = { retry: null };
/** The token sent to a sandbox (http://) endpoint. */
const SANDBOX_TOKEN = 'aegis-sandbox-token';
/** Parse an endpoint override URL of the plan (`stacks.<name>.endpoints.<service>`). */
function parseEndpoint(service, url) {
    if (url === undefined)
        return undefined;
    let u;
    try {
        u = new URL(url);
    }
    catch {
        throw new engine_errors/* UserError */.yo(`endpoints.${service} is ${JSON.stringify(url)}: expected an http:// or https:// URL such as http://127.0.0.1:8080.`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
        throw new engine_errors/* UserError */.yo(`endpoints.${service} is ${JSON.stringify(url)}: expected an http:// or https:// URL.`);
    }
    const insecure = u.protocol === 'http:';
    return {
        protocol: insecure ? 'http' : 'https',
        host: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port ? Number(u.port) : insecure ? 80 : 443,
        insecure,
    };
}
/** An auth client that always sends the same bearer token (for the sandbox). */
function staticAuthClient(token = SANDBOX_TOKEN) {
    const client = new google_auth_library_build_src.OAuth2Client();
    client.setCredentials({ access_token: token, expiry_date: Date.now() + 10 * 365 * 24 * 3600 * 1000 });
    return client;
}
/** Constructor options of a gax (Cloud SQL / GKE) client for an endpoint override. */
function gaxOptions(endpoint) {
    if (!endpoint)
        return { fallback: true };
    return {
        fallback: true,
        apiEndpoint: endpoint.host,
        port: endpoint.port,
        protocol: endpoint.protocol,
        // google-gax pins its own google-auth-library copy; the client only needs fetch / getRequestHeaders
        ...(endpoint.insecure ? { authClient: staticAuthClient() } : {}),
    };
}
/** Build the Cloud SQL Admin v1 clients (endpoint override = `endpoints.sqladmin`). */
function sqlClients(url) {
    const opts = gaxOptions(parseEndpoint('sqladmin', url));
    return {
        instances: new sql_build_src/* default.v1 */.Ay.v1.SqlInstancesServiceClient(opts),
        operations: new sql_build_src/* default.v1 */.Ay.v1.SqlOperationsServiceClient(opts),
        backupRuns: new sql_build_src/* default.v1 */.Ay.v1.SqlBackupRunsServiceClient(opts),
    };
}
/** Build the GKE v1 client (endpoint override = `endpoints.container`). */
function containerClient(url) {
    return new build_src/* ClusterManagerClient */.vg(gaxOptions(parseEndpoint('container', url)));
}
/** Build the Cloud DNS client for a project (endpoint override = `endpoints.clouddns`), SDK retries off. */
function dnsClient(project, url) {
    const endpoint = parseEndpoint('clouddns', url);
    const apiEndpoint = endpoint ? `${endpoint.host}:${endpoint.port}` : undefined;
    const dns = new dns_build_src/* DNS */.gT({ projectId: project, ...(apiEndpoint ? { apiEndpoint } : {}) });
    if (endpoint)
        dns.baseUrl = `${endpoint.protocol}://${apiEndpoint}/dns/v1`;
    // The DNS constructor does not pass retry options to its request function: rebuild it with
    // autoRetry off, reusing its GoogleAuth (ADC) unless this is the sandbox.
    dns.makeAuthenticatedRequest = src.util.makeAuthenticatedRequestFactory({
        scopes: ['https://www.googleapis.com/auth/ndev.clouddns.readwrite', 'https://www.googleapis.com/auth/cloud-platform'],
        projectIdRequired: true,
        projectId: project,
        autoRetry: false,
        maxRetries: 0,
        ...(endpoint?.insecure ? { customEndpoint: true } : { authClient: dns.authClient }),
    });
    if (endpoint?.insecure) {
        dns.interceptors.push({
            request: (reqOpts) => {
                const out = reqOpts;
                out.headers = { ...out.headers, Authorization: `Bearer ${SANDBOX_TOKEN}` };
                return out;
            },
        });
    }
    return dns;
}

;// CONCATENATED MODULE: ./src/providers/gcp/database.ts


/** Seconds/nanos of a decoded protobuf Timestamp to a Date. */
function timestampToDate(ts) {
    if (!ts || ts.seconds === undefined || ts.seconds === null)
        return undefined;
    const ms = Number(String(ts.seconds)) * 1000 + Number(ts.nanos ?? 0) / 1e6;
    return Number.isFinite(ms) ? new Date(ms) : undefined;
}
/** The Cloud SQL adapter of one stack. */
class GcpDatabase {
    config;
    clients;
    constructor(config, clients) {
        this.config = config;
        this.clients = clients;
    }
    async read(operation, fn) {
        try {
            return { ok: true, value: await fn() };
        }
        catch (err) {
            const wrapped = (0,engine_errors/* wrapSdkError */.Nt)('sqladmin', operation, err);
            // throttling and permanent errors are the caller's to see; an unavailable region is a state
            if ((0,engine_errors/* classify */.L8)(wrapped).kind !== 'transient' && wrapped.status !== 404)
                throw wrapped;
            return { ok: false, unreachable: wrapped.status !== 404, error: wrapped };
        }
    }
    async getInstance(instance) {
        return this.read('instances.get', async () => {
            const [inst] = await this.clients.instances.get({ project: this.config.project, instance }, NO_RETRY);
            return inst;
        });
    }
    async runningOps(instance) {
        try {
            const [resp] = await this.clients.operations.list({ project: this.config.project, instance, maxResults: 20 }, NO_RETRY);
            return (resp.items ?? []).filter((op) => String(op.status) !== 'DONE');
        }
        catch (err) {
            throw (0,engine_errors/* wrapSdkError */.Nt)('sqladmin', 'operations.list', err);
        }
    }
    async describe() {
        const { instance, replica } = this.config;
        const [primary, dr] = await Promise.all([
            this.getInstance(instance),
            replica ? this.getInstance(replica) : Promise.resolve(undefined),
        ]);
        // a primary that does not exist is a plan mistake, not an outage
        if (!primary.ok && !primary.unreachable)
            throw primary.error;
        const [primaryOps, drOps] = await Promise.all([
            primary.ok ? this.runningOps(instance) : Promise.resolve([]),
            replica && dr?.ok ? this.runningOps(replica) : Promise.resolve([]),
        ]);
        const p = primary.ok ? primary.value : undefined;
        const r = dr?.ok ? dr.value : undefined;
        const promoted = r !== undefined && !r.masterInstanceName && String(r.instanceType) !== 'READ_REPLICA_INSTANCE';
        const writer = promoted ? 'dr' : p ? 'primary' : r?.masterInstanceName === instance ? 'primary' : 'unknown';
        const running = [...primaryOps, ...drOps];
        const busyType = running[0] ? String(running[0].operationType) : undefined;
        const writerInst = writer === 'dr' ? r : p;
        const status = busyType === 'FAILOVER'
            ? 'failing-over'
            : busyType === 'PROMOTE_REPLICA'
                ? 'promoting'
                : writerInst
                    ? String(writerInst.state ?? 'UNKNOWN')
                    : 'unreachable';
        let replication;
        if (!replica)
            replication = { healthy: false, detail: 'no cross-region replica is configured (database.replica)' };
        else if (!dr || !dr.ok) {
            replication = {
                healthy: false,
                detail: dr && !dr.unreachable ? `replica ${replica} does not exist` : `replica ${replica} is unreachable: ${dr?.ok === false ? dr.error.message : ''}`,
            };
        }
        else if (promoted)
            replication = { healthy: false, detail: `replica ${replica} has been promoted and no longer replicates` };
        else {
            const state = String(r.state);
            const enabled = r.settings?.databaseReplicationEnabled?.value;
            const healthy = state === 'RUNNABLE' && enabled !== false;
            replication = {
                healthy,
                detail: `replica ${replica} state ${state}, replication ${enabled === false ? 'stopped' : 'enabled'}, master ${r.masterInstanceName}${p ? '' : ' (primary unreachable)'}`,
            };
        }
        const lastBackup = p ? await this.lastBackup() : undefined;
        return {
            writer,
            status,
            busy: running.length > 0,
            replication,
            writerZone: writerInst?.gceZone ?? undefined,
            primaryReachable: primary.ok,
            lastBackup,
            raw: {
                primary: p
                    ? {
                        state: String(p.state),
                        gceZone: p.gceZone,
                        secondaryGceZone: p.secondaryGceZone,
                        availabilityType: String(p.settings?.availabilityType),
                        failoverReplicaAvailable: p.failoverReplica?.available?.value ?? undefined,
                        settingsVersion: String(p.settings?.settingsVersion?.value ?? ''),
                        replicaNames: p.replicaNames ?? [],
                    }
                    : { error: primary.ok ? undefined : primary.error.message },
                replica: r
                    ? { state: String(r.state), instanceType: String(r.instanceType), masterInstanceName: r.masterInstanceName ?? undefined, gceZone: r.gceZone }
                    : dr && !dr.ok
                        ? { error: dr.error.message }
                        : undefined,
                runningOperations: running.map((o) => ({ name: o.name, type: String(o.operationType), status: String(o.status) })),
            },
        };
    }
    async lastBackup() {
        try {
            const [resp] = await this.clients.backupRuns.list({ project: this.config.project, instance: this.config.instance, maxResults: 20 }, NO_RETRY);
            let newest;
            for (const run of resp.items ?? []) {
                if (String(run.status) !== 'SUCCESSFUL')
                    continue;
                const end = timestampToDate(run.endTime);
                if (end && (!newest || end > newest))
                    newest = end;
            }
            return newest;
        }
        catch (err) {
            throw (0,engine_errors/* wrapSdkError */.Nt)('sqladmin', 'backupRuns.list', err);
        }
    }
    async failover(target, mode) {
        const { project, instance, replica } = this.config;
        if (mode === 'in-region') {
            if (target !== 'primary') {
                throw new engine_errors/* UserError */.yo(`Cloud SQL in-region failover keeps the writer in the primary region, but the target is ${target}: use databaseMode cross-region to promote the DR replica.`);
            }
            let inst;
            try {
                [inst] = (await this.clients.instances.get({ project, instance }, NO_RETRY));
            }
            catch (err) {
                throw (0,engine_errors/* wrapSdkError */.Nt)('sqladmin', 'instances.get', err);
            }
            const version = inst.settings?.settingsVersion?.value;
            if (version === undefined || version === null) {
                throw new engine_errors/* UserError */.yo(`Cloud SQL instance ${instance} reported no settings.settingsVersion, which instances.failover requires: check that it is a REGIONAL (HA) instance.`);
            }
            try {
                const [op] = await this.clients.instances.failover({ project, instance, body: { failoverContext: { kind: 'sql#failoverContext', settingsVersion: String(version) } } }, NO_RETRY);
                return {
                    id: String(op.name),
                    description: `Cloud SQL HA failover of ${instance} from zone ${inst.gceZone ?? '?'} to ${inst.secondaryGceZone ?? 'its standby'}`,
                };
            }
            catch (err) {
                throw (0,engine_errors/* wrapSdkError */.Nt)('sqladmin', 'instances.failover', err);
            }
        }
        if (mode === 'cross-region') {
            if (target !== 'dr') {
                throw new engine_errors/* UserError */.yo(`Cloud SQL cross-region failover promotes the DR replica, but the target is ${target}: failback to the primary region needs a new replica of the DR instance, which this pipeline does not create.`);
            }
            if (!replica) {
                throw new engine_errors/* UserError */.yo(`database.replica is not set for Cloud SQL instance ${instance}: name the cross-region read replica to promote.`);
            }
            try {
                const [op] = await this.clients.instances.promoteReplica({ project, instance: replica, failover: false }, NO_RETRY);
                return { id: String(op.name), description: `Cloud SQL promotion of replica ${replica} to a standalone primary` };
            }
            catch (err) {
                throw (0,engine_errors/* wrapSdkError */.Nt)('sqladmin', 'instances.promoteReplica', err);
            }
        }
        throw new engine_errors/* UserError */.yo(`databaseMode ${mode} is an Azure SQL failover-group mode: for Cloud SQL use in-region or cross-region.`);
    }
    async poll(op) {
        let o;
        try {
            [o] = (await this.clients.operations.get({ project: this.config.project, operation: op.id }, NO_RETRY));
        }
        catch (err) {
            throw (0,engine_errors/* wrapSdkError */.Nt)('sqladmin', 'operations.get', err);
        }
        const status = String(o.status);
        const errors = o.error?.errors ?? [];
        return {
            done: status === 'DONE',
            status,
            ...(errors.length ? { error: errors.map((e) => `${e.code ?? 'ERROR'}: ${e.message ?? ''}`).join('; ') } : {}),
        };
    }
}

;// CONCATENATED MODULE: ./src/providers/gcp/nodepool.ts


/** The GKE node-pool adapter of one stack. */
class GcpNodePool {
    config;
    regions;
    client;
    constructor(config, 
    /** Location (region) of each site's cluster: the plan's `primary.region` / `dr.region`. */
    regions, client) {
        this.config = config;
        this.regions = regions;
        this.client = client;
    }
    /** Resource name of a site's node pool. */
    poolName(site) {
        const { project, cluster, pool } = this.config;
        return `projects/${project}/locations/${this.regions[site]}/clusters/${cluster[site]}/nodePools/${pool}`;
    }
    async describe(site) {
        try {
            const [np] = await this.client.getNodePool({ name: this.poolName(site) }, NO_RETRY);
            const status = String(np.status ?? 'STATUS_UNSPECIFIED');
            return {
                desired: Number(np.initialNodeCount ?? 0),
                min: Number(np.autoscaling?.minNodeCount ?? this.config.min),
                max: Number(np.autoscaling?.maxNodeCount ?? this.config.max),
                status,
                busy: status === 'RECONCILING' || status === 'PROVISIONING' || status === 'STOPPING',
            };
        }
        catch (err) {
            throw (0,engine_errors/* wrapSdkError */.Nt)('container', 'nodePools.get', err);
        }
    }
    async resize(site, size) {
        if (!Number.isInteger(size.desired) || size.desired < 0) {
            throw new engine_errors/* UserError */.yo(`The node count ${size.desired} for GKE pool ${this.config.pool} of ${this.config.cluster[site]} is not a whole number >= 0: check nodePool.active / standby.`);
        }
        try {
            const [op] = await this.client.setNodePoolSize({ name: this.poolName(site), nodeCount: size.desired }, NO_RETRY);
            const location = op.location || this.regions[site];
            return {
                id: `projects/${this.config.project}/locations/${location}/operations/${String(op.name)}`,
                description: `GKE resize of ${this.config.cluster[site]}/${this.config.pool} to ${size.desired} nodes`,
            };
        }
        catch (err) {
            throw (0,engine_errors/* wrapSdkError */.Nt)('container', 'nodePools.setSize', err);
        }
    }
    async poll(_site, op) {
        try {
            const [o] = await this.client.getOperation({ name: op.id }, NO_RETRY);
            const status = String(o.status ?? 'STATUS_UNSPECIFIED');
            const error = o.error?.message || undefined;
            return { done: status === 'DONE', status, ...(error ? { error } : {}) };
        }
        catch (err) {
            throw (0,engine_errors/* wrapSdkError */.Nt)('container', 'operations.get', err);
        }
    }
}

;// CONCATENATED MODULE: ./src/providers/gcp/traffic.ts

const abs = (name) => (name.endsWith('.') ? name : `${name}.`);
const rel = (name) => (name.endsWith('.') ? name.slice(0, -1) : name);
/** Whether a record type's values are domain names (written absolute, with the trailing dot). */
function nameValued(type) {
    return ['CNAME', 'NS', 'PTR', 'MX', 'SRV'].includes(type.toUpperCase());
}
/** The Cloud DNS adapter of one stack. */
class GcpTraffic {
    config;
    zone;
    type;
    constructor(config, dns) {
        this.config = config;
        this.zone = dns.zone(config.zone);
        this.type = (config.recordType ?? 'CNAME').toUpperCase();
    }
    async current() {
        try {
            const [records] = await this.zone.getRecords({ name: abs(this.config.record), type: this.type });
            const r = records.find((x) => abs(String(x.metadata.name)) === abs(this.config.record) && x.type === this.type);
            if (!r)
                return undefined;
            const meta = r.metadata;
            return { name: meta.name, type: r.type, ttl: meta.ttl, rrdatas: meta.rrdatas ?? r.data ?? [] };
        }
        catch (err) {
            throw (0,engine_errors/* wrapSdkError */.Nt)('clouddns', 'resourceRecordSets.list', err);
        }
    }
    value(target) {
        const v = this.config.targets[target];
        return nameValued(this.type) ? abs(v) : v;
    }
    async describe() {
        const r = await this.current();
        const values = (r?.rrdatas ?? []).map(rel);
        const p = values.includes(rel(this.config.targets.primary));
        const d = values.includes(rel(this.config.targets.dr));
        return {
            active: p && d ? 'both' : p ? 'primary' : d ? 'dr' : 'unknown',
            values,
            ttl: r?.ttl,
            detail: { zone: this.config.zone, record: abs(this.config.record), type: this.type, exists: r !== undefined },
        };
    }
    async switchTo(target, ttlSeconds) {
        if (!Number.isInteger(ttlSeconds) || ttlSeconds < 0) {
            throw new engine_errors/* UserError */.yo(`The DNS TTL ${ttlSeconds} for ${this.config.record} is not a whole number of seconds >= 0: set thresholds.dnsTtlSeconds.`);
        }
        const old = await this.current();
        const add = this.zone.record(this.type.toLowerCase(), {
            name: abs(this.config.record),
            ttl: ttlSeconds,
            data: this.value(target),
        });
        const del = old
            ? [this.zone.record(old.type.toLowerCase(), { name: old.name, ttl: old.ttl ?? 300, data: old.rrdatas })]
            : [];
        try {
            const [change] = await this.zone.createChange({ add, delete: del });
            return {
                id: String(change.id),
                description: `Cloud DNS change in ${this.config.zone}: ${abs(this.config.record)} ${this.type} ${(old?.rrdatas ?? []).join(',') || '(none)'} -> ${this.value(target)} (TTL ${ttlSeconds} s)`,
            };
        }
        catch (err) {
            throw (0,engine_errors/* wrapSdkError */.Nt)('clouddns', 'changes.create', err);
        }
    }
    async poll(op) {
        try {
            const [meta] = await this.zone.change(op.id).getMetadata();
            const status = String(meta.status);
            return { done: status === 'done', status };
        }
        catch (err) {
            throw (0,engine_errors/* wrapSdkError */.Nt)('clouddns', 'changes.get', err);
        }
    }
    expectation(target) {
        return { name: rel(this.config.record), type: this.type, value: rel(this.config.targets[target]) };
    }
}

;// CONCATENATED MODULE: ./src/providers/gcp/index.ts









/** Build the database, traffic and node-pool adapters of a `cloud: gcp` stack. */
function createGcpProviders(stack) {
    const { database, traffic, nodePool } = stack;
    if (database.type !== 'cloud-sql') {
        throw new engine_errors/* UserError */.yo(`A gcp stack needs database.type cloud-sql, but it is ${database.type}: set database.type to cloud-sql.`);
    }
    if (traffic.type !== 'cloud-dns') {
        throw new engine_errors/* UserError */.yo(`A gcp stack needs traffic.type cloud-dns, but it is ${traffic.type}: set traffic.type to cloud-dns.`);
    }
    if (nodePool.type !== 'gke') {
        throw new engine_errors/* UserError */.yo(`A gcp stack needs nodePool.type gke, but it is ${nodePool.type}: set nodePool.type to gke.`);
    }
    const endpoints = stack.endpoints ?? {};
    return {
        database: new GcpDatabase(database, sqlClients(endpoints.sqladmin)),
        traffic: new GcpTraffic(traffic, dnsClient(traffic.project, endpoints.clouddns)),
        nodePool: new GcpNodePool(nodePool, { primary: stack.primary.region, dr: stack.dr.region }, containerClient(endpoints.container)),
    };
}


/***/ })

};
