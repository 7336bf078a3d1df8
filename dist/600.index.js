export const id = 600;
export const ids = [600];
export const modules = {

/***/ 26600:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  AzureDatabase: () => (/* reexport */ AzureDatabase),
  AzureNodePool: () => (/* reexport */ AzureNodePool),
  AzureTraffic: () => (/* reexport */ AzureTraffic),
  armClientOptions: () => (/* reexport */ armClientOptions),
  armConnection: () => (/* reexport */ armConnection),
  createAzureProviders: () => (/* binding */ createAzureProviders),
  endpointType: () => (/* reexport */ endpointType),
  headerBearerPolicy: () => (/* reexport */ headerBearerPolicy),
  priorityAnswer: () => (/* reexport */ priorityAnswer),
  secureClient: () => (/* reexport */ secureClient),
  staticTokenCredential: () => (/* reexport */ staticTokenCredential)
});

// EXTERNAL MODULE: ./src/engine/errors.ts
var errors = __webpack_require__(17679);
// EXTERNAL MODULE: ./node_modules/@azure/arm-sql/dist/index.js
var dist = __webpack_require__(31420);
// EXTERNAL MODULE: ./node_modules/@azure/core-rest-pipeline/dist/esm/index.js + 37 modules
var esm = __webpack_require__(1818);
// EXTERNAL MODULE: ./node_modules/@azure/identity/dist/esm/index.js + 172 modules
var dist_esm = __webpack_require__(39907);
;// CONCATENATED MODULE: ./src/providers/azure/credentials.ts


/** The public Azure Resource Manager endpoint. */
const PUBLIC_ARM_ENDPOINT = 'https://management.azure.com';
/** Name of the pipeline policy that authorizes sandbox (http://) requests. */
const SANDBOX_AUTH_POLICY = 'aegisSandboxBearerPolicy';
/** A credential that always returns the same token (the sandbox accepts any bearer token). */
function staticTokenCredential(token = 'aegis-sandbox-token') {
    return {
        getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }),
    };
}
/** A pipeline policy that sets `Authorization: Bearer <token>` on every request, http:// included. */
function headerBearerPolicy(credential, scope) {
    return {
        name: SANDBOX_AUTH_POLICY,
        async sendRequest(request, next) {
            const token = await credential.getToken(scope);
            if (!token)
                throw new Error(`The Azure credential returned no token for scope ${scope}; check the sandbox credential.`);
            request.headers.set('Authorization', `Bearer ${token.token}`);
            request.allowInsecureConnection = true;
            return next(request);
        },
    };
}
/**
 * Resolve the ARM connection from the plan's `endpoints.arm` override.
 * @param endpoint `stacks.<name>.endpoints.arm`, absent for the public cloud.
 * @param credential A credential to use instead of the default one (tests, embedding).
 */
function armConnection(endpoint, credential) {
    const url = (endpoint ?? PUBLIC_ARM_ENDPOINT).replace(/\/+$/, '');
    const insecure = url.toLowerCase().startsWith('http://');
    const scope = `${insecure ? PUBLIC_ARM_ENDPOINT : url}/.default`;
    return {
        endpoint: url,
        credential: credential ?? (insecure ? staticTokenCredential() : new dist_esm/* DefaultAzureCredential */.gv()),
        insecure,
        scope,
    };
}
/** Client options shared by every ARM client of the adapters (track-2 and modular clients alike). */
function armClientOptions(conn) {
    return {
        endpoint: conn.endpoint,
        $host: conn.endpoint,
        credentialScopes: [conn.scope],
        credentials: { scopes: [conn.scope] },
        retryOptions: { maxRetries: 0 },
        allowInsecureConnection: conn.insecure,
        userAgentOptions: { userAgentPrefix: 'aegis-dr' },
    };
}
/**
 * Finish a client built with `armClientOptions`: for an http:// endpoint, swap the stock bearer
 * policy (which refuses non-TLS URLs) for one that sets the header itself. Returns the client.
 */
function secureClient(client, conn) {
    if (conn.insecure) {
        client.pipeline.removePolicy({ name: esm/* bearerTokenAuthenticationPolicyName */.uQ });
        client.pipeline.removePolicy({ name: SANDBOX_AUTH_POLICY });
        client.pipeline.addPolicy(headerBearerPolicy(conn.credential, conn.scope));
    }
    return client;
}

;// CONCATENATED MODULE: ./src/providers/azure/database.ts
/**
 * Azure SQL failover groups (`az sql failover-group show / set-primary`) over @azure/arm-sql.
 *
 * `describe` reads the group from the DR server first (it answers during a primary-region outage)
 * and maps the replication roles to the writer site. `failover` starts `failover` (planned) or
 * `forceFailoverAllowDataLoss` (forced) on the server that must become primary and returns at once;
 * `poll` advances the SDK's poller, kept per operation id (the Azure-AsyncOperation URL) and
 * resumable from that URL alone (a new process rebuilds the poller state from it).
 */




/** Pollers by operation id, shared by every instance in this process (a re-created provider resumes them). */
const tracked = new Map();
const SITES = ['primary', 'dr'];
function other(site) {
    return site === 'primary' ? 'dr' : 'primary';
}
/** Serialized core-lro state for an operation known only by its Azure-AsyncOperation URL. */
function stateFromUrl(url) {
    return JSON.stringify({
        state: { status: 'running', config: { metadata: { mode: 'OperationLocation' }, operationLocation: url } },
    });
}
/** DatabaseProvider for an Azure SQL failover group. */
class AzureDatabase {
    spec;
    client;
    /**
     * @param spec The plan's `stack.database` (type azure-sql).
     * @param endpoint The plan's `endpoints.arm` override (absent: public ARM, DefaultAzureCredential).
     * @param credential Optional credential instead of the default chain.
     */
    constructor(spec, endpoint, credential) {
        this.spec = spec;
        const conn = armConnection(endpoint, credential);
        this.client = secureClient(new dist/* SqlManagementClient */.pN(conn.credential, spec.subscriptionId, armClientOptions(conn)), conn);
    }
    async read(site) {
        const s = this.spec[site];
        try {
            return await this.client.failoverGroups.get(s.resourceGroup, s.server, this.spec.failoverGroup);
        }
        catch (err) {
            throw (0,errors/* wrapSdkError */.Nt)('arm', 'FailoverGroups_Get', err);
        }
    }
    /** Writer site from a group as read from `site`'s server. */
    writerFrom(site, fog) {
        if (fog.replicationRole === 'Primary')
            return site;
        const partner = fog.partnerServers?.find((p) => p.id.toLowerCase().endsWith(`/servers/${this.spec[other(site)].server.toLowerCase()}`));
        if (fog.replicationRole === 'Secondary' &&
            (partner?.replicationRole === 'Primary' || partner === undefined))
            return other(site);
        return 'unknown';
    }
    async describe() {
        let dr;
        let drError;
        try {
            dr = await this.read('dr');
        }
        catch (err) {
            drError = err;
        }
        let primary;
        try {
            primary = await this.read('primary');
        }
        catch {
            if (!dr)
                throw drError;
        }
        const [fog, from] = dr ? [dr, 'dr'] : [primary, 'primary'];
        let writer = this.writerFrom(from, fog);
        if (dr && primary) {
            const w2 = this.writerFrom('primary', primary);
            if (w2 !== writer)
                writer = 'unknown';
        }
        const state = fog.replicationState ?? 'unknown';
        const busy = [...tracked.values()].some((t) => !t.done && t.poller !== undefined && !t.poller.isDone());
        const writerServer = fog.replicationRole === 'Primary'
            ? fog
            : fog.partnerServers?.find((p) => p.replicationRole === 'Primary');
        return {
            writer,
            status: busy ? 'failing-over' : 'available',
            busy,
            replication: {
                healthy: state === 'CATCH_UP',
                detail: `failover group ${this.spec.failoverGroup} replicationState ${state}; ${this.spec.dr.server} is ${dr?.replicationRole ?? 'unreachable'}, ${this.spec.primary.server} is ${primary?.replicationRole ?? 'unreachable'}`,
            },
            writerZone: writerServer?.location,
            primaryReachable: primary !== undefined,
            raw: {
                replicationRole: fog.replicationRole,
                replicationState: fog.replicationState,
                readFrom: this.spec[from].server,
                failoverPolicy: fog.readWriteEndpoint?.failoverPolicy,
                databases: fog.databases,
            },
        };
    }
    /** Newest DISCRETE restore point of the writer's first database (Azure SQL automated backups), if any. */
    async lastBackup() {
        const state = await this.describe();
        const site = state.writer === 'unknown' ? 'primary' : state.writer;
        const dbId = state.raw?.databases?.[0];
        if (!dbId)
            return undefined;
        const database = dbId.split('/').pop();
        const s = this.spec[site];
        let newest;
        try {
            for await (const p of this.client.restorePoints.listByDatabase(s.resourceGroup, s.server, database)) {
                const at = p.restorePointCreationDate;
                if (at && (!newest || at > newest))
                    newest = at;
            }
        }
        catch (err) {
            throw (0,errors/* wrapSdkError */.Nt)('arm', 'RestorePoints_ListByDatabase', err);
        }
        return newest;
    }
    async failover(target, mode) {
        if (mode === 'in-region') {
            throw new errors/* UserError */.yo(`databaseMode is in-region for Azure SQL failover group ${this.spec.failoverGroup}, which has no in-region failover: use planned (or cross-region) or forced.`);
        }
        if (!SITES.includes(target))
            throw new errors/* UserError */.yo(`failover target is ${String(target)}: expected primary or dr.`);
        const forced = mode === 'forced';
        const s = this.spec[target];
        const operation = forced ? 'FailoverGroups_ForceFailoverAllowDataLoss' : 'FailoverGroups_Failover';
        let asyncUrl;
        const options = {
            onResponse: (raw) => {
                asyncUrl ??= raw.headers.get('azure-asyncoperation') ?? raw.headers.get('location') ?? '';
            },
        };
        let poller;
        try {
            poller = forced
                ? await this.client.failoverGroups.beginForceFailoverAllowDataLoss(s.resourceGroup, s.server, this.spec.failoverGroup, options)
                : await this.client.failoverGroups.beginFailover(s.resourceGroup, s.server, this.spec.failoverGroup, options);
        }
        catch (err) {
            // The operation was accepted but its first status poll failed: hand back an operation to resume.
            if (asyncUrl) {
                const id = asyncUrl;
                tracked.set(id, { saved: stateFromUrl(id), target, forced });
                return { id, description: this.describeOp(target, forced) };
            }
            throw (0,errors/* wrapSdkError */.Nt)('arm', operation, err);
        }
        const config = JSON.parse(poller.toString())
            .state.config;
        const id = config?.operationLocation ?? asyncUrl ?? `${this.spec.failoverGroup}/${s.server}/noop/${Date.now()}`;
        const entry = { poller, saved: poller.toString(), target, forced };
        tracked.set(id, entry);
        if (poller.isDone())
            entry.done = this.statusOf(poller);
        return { id, description: this.describeOp(target, forced) };
    }
    describeOp(target, forced) {
        return `${forced ? 'forced failover (allow data loss)' : 'planned failover'} of failover group ${this.spec.failoverGroup} to ${this.spec[target].server}`;
    }
    statusOf(poller) {
        const st = poller.getOperationState();
        if (st.status === 'succeeded')
            return { done: true, status: 'Succeeded' };
        if (st.status === 'failed' || st.status === 'canceled') {
            return {
                done: true,
                status: st.status === 'failed' ? 'Failed' : 'Canceled',
                error: st.error?.message ?? `the failover ended ${st.status}`,
            };
        }
        return { done: false, status: 'InProgress' };
    }
    async poll(op) {
        let entry = tracked.get(op.id);
        if (entry?.done)
            return entry.done;
        if (!entry) {
            if (!/^https?:\/\//.test(op.id))
                throw new errors/* UserError */.yo(`operation id ${op.id} is not an Azure-AsyncOperation URL of a failover group failover; start the failover again to get one.`);
            entry = { saved: stateFromUrl(op.id), target: 'dr', forced: false };
            tracked.set(op.id, entry);
        }
        const s = this.spec[entry.target];
        try {
            if (!entry.poller) {
                // resuming polls once; either begin method polls the same URL
                entry.poller = await this.client.failoverGroups.beginFailover(s.resourceGroup, s.server, this.spec.failoverGroup, {
                    resumeFrom: entry.saved,
                });
            }
            else {
                await entry.poller.poll();
            }
        }
        catch (err) {
            if (!(0,esm/* isRestError */.T0)(err)) {
                // the SDK throws the operation's own failure (status Failed) as a plain Error
                entry.done = { done: true, status: 'Failed', error: err.message };
                entry.poller = undefined;
                return entry.done;
            }
            // a transient failure of the status request marks the SDK poller failed: resume a fresh one next time
            entry.poller = undefined;
            throw (0,errors/* wrapSdkError */.Nt)('arm', 'FailoverGroups_AsyncOperation', err);
        }
        const status = this.statusOf(entry.poller);
        if (status.done)
            entry.done = status;
        else
            entry.saved = entry.poller.toString();
        return status;
    }
}

// EXTERNAL MODULE: ./node_modules/@azure/arm-containerservice/dist/esm/index.js + 59 modules
var arm_containerservice_dist_esm = __webpack_require__(27961);
;// CONCATENATED MODULE: ./src/providers/azure/nodepool.ts
/**
 * AKS agent pools (`az aks nodepool scale`) over @azure/arm-containerservice. `resize` reads the
 * pool, sends it back with the new count (and, when the cluster autoscaler is on, the new bounds)
 * as the SDK's long-running createOrUpdate, and returns once ARM accepted it. `poll` advances the
 * SDK poller when this process holds it, and otherwise reads the pool: done when provisioningState
 * is Succeeded and the count is the one asked for.
 */




const pollers = new Map();
let seq = 0;
const BUSY_STATES = [
    'Creating',
    'Updating',
    'Scaling',
    'Upgrading',
    'Deleting',
    'Starting',
    'Stopping',
    'Canceling',
];
/** NodePoolProvider for one AKS agent pool per site. */
class AzureNodePool {
    spec;
    client;
    /**
     * @param spec The plan's `stack.nodePool` (type aks).
     * @param endpoint The plan's `endpoints.arm` override.
     * @param credential Optional credential instead of the default chain.
     */
    constructor(spec, endpoint, credential) {
        this.spec = spec;
        const conn = armConnection(endpoint, credential);
        this.client = secureClient(new arm_containerservice_dist_esm/* ContainerServiceClient */.u(conn.credential, spec.subscriptionId, armClientOptions(conn)), conn);
    }
    async get(site) {
        try {
            return await this.client.agentPools.get(this.spec.resourceGroup[site], this.spec.cluster[site], this.spec.pool);
        }
        catch (err) {
            throw (0,errors/* wrapSdkError */.Nt)('arm', 'AgentPools_Get', err);
        }
    }
    async describe(site) {
        const p = await this.get(site);
        const status = p.provisioningState ?? 'Unknown';
        return {
            desired: p.count ?? 0,
            min: p.minCount ?? this.spec.min,
            max: p.maxCount ?? this.spec.max,
            status,
            busy: BUSY_STATES.includes(status),
        };
    }
    async resize(site, size) {
        if (!(Number.isInteger(size.desired) &&
            size.desired >= 0 &&
            size.min <= size.desired &&
            size.desired <= size.max)) {
            throw new errors/* UserError */.yo(`node pool size for ${this.spec.cluster[site]}/${this.spec.pool} is desired ${size.desired} with min ${size.min} and max ${size.max}: expected a whole number with min <= desired <= max.`);
        }
        const current = await this.get(site);
        const body = {
            count: size.desired,
            vmSize: current.vmSize,
            osType: current.osType,
            mode: current.mode,
            type: current.type,
            orchestratorVersion: current.orchestratorVersion,
            availabilityZones: current.availabilityZones,
            enableAutoScaling: current.enableAutoScaling ?? false,
            ...(current.enableAutoScaling ? { minCount: size.min, maxCount: size.max } : {}),
        };
        const poller = this.client.agentPools.createOrUpdate(this.spec.resourceGroup[site], this.spec.cluster[site], this.spec.pool, body);
        try {
            await poller.submitted();
        }
        catch (err) {
            throw (0,errors/* wrapSdkError */.Nt)('arm', 'AgentPools_CreateOrUpdate', err);
        }
        const id = `aks/${this.spec.cluster[site]}/${this.spec.pool}/count=${size.desired}/${Date.now()}-${++seq}`;
        pollers.set(id, poller);
        return {
            id,
            description: `scale AKS agent pool ${this.spec.cluster[site]}/${this.spec.pool} from ${current.count ?? '?'} to ${size.desired} nodes`,
        };
    }
    async poll(site, op) {
        const m = /\/count=([0-9]+)\//.exec(op.id);
        if (!m)
            throw new errors/* UserError */.yo(`operation id ${op.id} is not an AKS agent pool scale of this adapter; resize again to get one.`);
        const want = Number(m[1]);
        const poller = pollers.get(op.id);
        if (poller && !poller.isDone) {
            try {
                await poller.poll();
            }
            catch (err) {
                pollers.delete(op.id);
                if (!(0,esm/* isRestError */.T0)(err))
                    return { done: true, status: 'Failed', error: err.message };
                throw (0,errors/* wrapSdkError */.Nt)('arm', 'AgentPools_AsyncOperation', err);
            }
            const st = poller.operationState?.status;
            if (st === 'failed' || st === 'canceled') {
                pollers.delete(op.id);
                return {
                    done: true,
                    status: st,
                    error: poller.operationState?.error?.message ?? `the scale ended ${st}`,
                };
            }
            if (!poller.isDone)
                return { done: false, status: 'InProgress' };
        }
        // confirm from the pool itself (also the path after a restart, when no poller is held)
        const p = await this.get(site);
        const state = p.provisioningState ?? 'Unknown';
        if (state === 'Failed')
            return {
                done: true,
                status: state,
                error: `agent pool ${this.spec.cluster[site]}/${this.spec.pool} is in provisioningState Failed`,
            };
        const done = state === 'Succeeded' && p.count === want;
        if (done)
            pollers.delete(op.id);
        return { done, status: `${state}, count ${p.count ?? '?'}` };
    }
}

// EXTERNAL MODULE: ./node_modules/@azure/arm-trafficmanager/dist/index.js
var arm_trafficmanager_dist = __webpack_require__(29874);
;// CONCATENATED MODULE: ./src/providers/azure/traffic.ts



const traffic_SITES = ['primary', 'dr'];
const ENDPOINT_TYPES = ['AzureEndpoints', 'ExternalEndpoints', 'NestedEndpoints'];
/** The SDK's endpoint type for the plan's `endpointType` (the plan takes any case: azureEndpoints). */
function endpointType(value) {
    const t = ENDPOINT_TYPES.find((e) => e.toLowerCase() === value.toLowerCase());
    if (!t) {
        throw new errors/* UserError */.yo(`traffic.endpointType is ${JSON.stringify(value)}: expected one of azureEndpoints, externalEndpoints, nestedEndpoints.`);
    }
    return t;
}
/**
 * What a Priority profile answers: the target of the highest-priority Enabled endpoint that its
 * monitor sees Online (when every enabled endpoint is degraded, Traffic Manager answers as if all were online).
 */
function priorityAnswer(profile) {
    const enabled = (profile.endpoints ?? [])
        .filter((e) => e.endpointStatus === 'Enabled')
        .sort((a, b) => (a.priority ?? Number.MAX_SAFE_INTEGER) - (b.priority ?? Number.MAX_SAFE_INTEGER));
    if (enabled.length === 0)
        return [];
    const online = enabled.filter((e) => e.endpointMonitorStatus === undefined ||
        ['Online', 'CheckingEndpoint'].includes(e.endpointMonitorStatus));
    const pick = online[0] ?? enabled[0];
    return pick.target ? [pick.target] : [];
}
/** TrafficProvider for an Azure Traffic Manager profile with one endpoint per site. */
class AzureTraffic {
    spec;
    client;
    type;
    lastProfile;
    /**
     * @param spec The plan's `stack.traffic` (type traffic-manager).
     * @param endpoint The plan's `endpoints.arm` override.
     * @param credential Optional credential instead of the default chain.
     */
    constructor(spec, endpoint, credential) {
        this.spec = spec;
        const conn = armConnection(endpoint, credential);
        this.client = secureClient(new arm_trafficmanager_dist/* TrafficManagerManagementClient */.xu(conn.credential, spec.subscriptionId, armClientOptions(conn)), conn);
        this.type = endpointType(spec.endpointType ?? 'azureEndpoints');
    }
    async profile() {
        try {
            const p = await this.client.profiles.get(this.spec.resourceGroup, this.spec.profile);
            this.lastProfile = p;
            return p;
        }
        catch (err) {
            throw (0,errors/* wrapSdkError */.Nt)('arm', 'Profiles_Get', err);
        }
    }
    endpointOf(profile, site) {
        const name = this.spec.endpoints[site];
        const e = (profile.endpoints ?? []).find((x) => x.name?.toLowerCase() === name.toLowerCase());
        if (!e) {
            throw new errors/* UserError */.yo(`traffic.endpoints.${site} is ${name}, but Traffic Manager profile ${this.spec.profile} has no such endpoint (it has ${(profile.endpoints ?? []).map((x) => x.name).join(', ') || 'none'}); fix the plan.`);
        }
        return e;
    }
    /** Target of `site`: from the plan's targets, else the endpoint's target in the profile. */
    targetOf(site, profile) {
        return this.spec.targets?.[site] ?? (profile ? this.endpointOf(profile, site).target : undefined);
    }
    async describe() {
        const p = await this.profile();
        const values = priorityAnswer(p);
        // Where the operator sent traffic: the runbook disables the primary endpoint to fail over and
        // enables it again to fail back. (Priority routing prefers the primary while it is enabled;
        // the served answer may already differ while Traffic Manager's own probes see an outage.)
        const enabled = (s) => this.endpointOf(p, s).endpointStatus === 'Enabled';
        const active = enabled('primary') ? 'primary' : enabled('dr') ? 'dr' : 'unknown';
        return {
            active,
            values,
            ttl: p.dnsConfig?.ttl,
            detail: {
                fqdn: p.dnsConfig?.fqdn,
                profileMonitorStatus: p.monitorConfig?.profileMonitorStatus,
                endpoints: traffic_SITES.map((s) => {
                    const e = this.endpointOf(p, s);
                    return {
                        site: s,
                        name: e.name,
                        status: e.endpointStatus,
                        monitor: e.endpointMonitorStatus,
                        priority: e.priority,
                        target: e.target,
                    };
                }),
            },
        };
    }
    async switchTo(target, ttlSeconds) {
        const p = await this.profile();
        const changes = [];
        if (p.dnsConfig?.ttl !== ttlSeconds) {
            try {
                await this.client.profiles.update(this.spec.resourceGroup, this.spec.profile, {
                    dnsConfig: { ttl: ttlSeconds },
                });
            }
            catch (err) {
                throw (0,errors/* wrapSdkError */.Nt)('arm', 'Profiles_Update', err);
            }
            changes.push(`ttl ${p.dnsConfig?.ttl ?? '?'} -> ${ttlSeconds}`);
        }
        const want = target === 'dr' ? { dr: 'Enabled', primary: 'Disabled' } : { primary: 'Enabled', dr: 'Disabled' };
        // enable the target first, then disable the other: never an empty profile
        for (const site of [target, target === 'dr' ? 'primary' : 'dr']) {
            const e = this.endpointOf(p, site);
            if (e.endpointStatus === want[site])
                continue;
            try {
                await this.client.endpoints.update(this.spec.resourceGroup, this.spec.profile, this.type, this.spec.endpoints[site], {
                    endpointStatus: want[site],
                });
            }
            catch (err) {
                throw (0,errors/* wrapSdkError */.Nt)('arm', 'Endpoints_Update', err);
            }
            changes.push(`${this.spec.endpoints[site]} ${want[site]}`);
        }
        return {
            id: `traffic-manager/${this.spec.profile}/${target}/${Date.now()}`,
            description: changes.length
                ? `Traffic Manager ${this.spec.profile}: ${changes.join(', ')}`
                : `Traffic Manager ${this.spec.profile} already sends traffic to ${target}; nothing changed`,
        };
    }
    async poll(op) {
        const m = /^traffic-manager\/[^/]+\/(primary|dr)\//.exec(op.id);
        if (!m)
            throw new errors/* UserError */.yo(`operation id ${op.id} is not a Traffic Manager switch of this adapter; switch again to get one.`);
        const target = m[1];
        const p = await this.profile();
        const other = target === 'dr' ? 'primary' : 'dr';
        const t = this.endpointOf(p, target);
        const o = this.endpointOf(p, other);
        const statusOk = t.endpointStatus === 'Enabled' && o.endpointStatus === 'Disabled';
        const want = this.targetOf(target, p);
        const answer = priorityAnswer(p);
        const answerOk = want !== undefined && answer.length === 1 && answer[0] === want;
        return {
            done: statusOk && answerOk,
            status: `${t.name} ${t.endpointStatus}/${t.endpointMonitorStatus}, ${o.name} ${o.endpointStatus}/${o.endpointMonitorStatus}; profile answers ${answer.join(',') || 'nothing'}`,
        };
    }
    expectation(target) {
        const value = this.targetOf(target, this.lastProfile);
        if (!value) {
            throw new errors/* UserError */.yo(`traffic.targets.${target} is missing and the profile has not been read yet: add traffic.targets to the plan so the DNS check knows what ${this.spec.profile} must resolve to.`);
        }
        const name = this.spec.record ?? this.lastProfile?.dnsConfig?.fqdn ?? `${this.spec.profile}.trafficmanager.net`;
        return { name, type: 'CNAME', value };
    }
}

;// CONCATENATED MODULE: ./src/providers/azure/index.ts








/**
 * Build the Azure providers of a stack from the plan. `stack.endpoints.arm` overrides the ARM
 * endpoint (an http:// URL is the sandbox: static token, no TLS).
 * @param credential Optional credential instead of DefaultAzureCredential / the sandbox token.
 */
function createAzureProviders(stack, credential) {
    const endpoint = stack.endpoints?.arm;
    const { database, traffic, nodePool } = stack;
    if (database.type !== 'azure-sql') {
        throw new errors/* UserError */.yo(`database.type is ${database.type} in an azure stack: expected azure-sql.`);
    }
    if (traffic.type !== 'traffic-manager') {
        throw new errors/* UserError */.yo(`traffic.type is ${traffic.type} in an azure stack: expected traffic-manager.`);
    }
    if (nodePool.type !== 'aks') {
        throw new errors/* UserError */.yo(`nodePool.type is ${nodePool.type} in an azure stack: expected aks.`);
    }
    return {
        database: new AzureDatabase(database, endpoint, credential),
        traffic: new AzureTraffic(traffic, endpoint, credential),
        nodePool: new AzureNodePool(nodePool, endpoint, credential),
    };
}


/***/ })

};
