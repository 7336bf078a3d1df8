export const id = 820;
export const ids = [820];
export const modules = {

/***/ 91203:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $q: () => (/* binding */ CONFIGMAP),
/* harmony export */   II: () => (/* binding */ SANDBOX_PROJECT),
/* harmony export */   QR: () => (/* binding */ activeSite),
/* harmony export */   Yv: () => (/* binding */ SANDBOX_SUBSCRIPTION),
/* harmony export */   l6: () => (/* binding */ createEstate),
/* harmony export */   yg: () => (/* binding */ TOPOLOGY)
/* harmony export */ });
/* unused harmony exports NAMESPACE, STANDBY_REPLICAS, PRODUCTION_REPLICAS, POOL, SITE_SPECIFIC_CONFIG_KEYS */
/* harmony import */ var _world_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(83347);

const SANDBOX_SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
const SANDBOX_PROJECT = 'aegis-sandbox';
const NAMESPACE = 'aegis';
const CONFIGMAP = 'aegis-config';
/** Names of every resource, per stack; the sandbox plan and the emulators both read these. */
const TOPOLOGY = {
    aws: {
        regions: { primary: 'us-east-1', dr: 'us-west-2' },
        zones: { primary: ['us-east-1a', 'us-east-1b'], dr: ['us-west-2a', 'us-west-2b'] },
        clusters: { primary: 'aegis', dr: 'aegis-dr' },
        contexts: { primary: 'aws-primary', dr: 'aws-dr' },
        nodegroup: 'primary',
        db: { instance: 'aegis-db', replica: 'aegis-db-replica' },
        zone: { id: 'Z0SANDBOX0AWS', name: 'aegis.test' },
        record: 'api.aegis.test',
        targets: { primary: 'primary-nlb.us-east-1.aws.aegis.test', dr: 'dr-nlb.us-west-2.aws.aegis.test' },
        healthCheckId: 'hc-0000sandbox0001',
    },
    azure: {
        regions: { primary: 'eastus', dr: 'westus2' },
        zones: { primary: ['1', '2'], dr: ['1', '2'] },
        clusters: { primary: 'aegis-aks', dr: 'aegis-dr-aks' },
        contexts: { primary: 'azure-primary', dr: 'azure-dr' },
        resourceGroups: { primary: 'aegis-rg', dr: 'aegis-dr-rg' },
        pool: 'agentpool',
        sql: {
            failoverGroup: 'aegis-fog',
            servers: { primary: 'aegis-sql', dr: 'aegis-dr-sql' },
            database: 'aegis',
        },
        trafficManager: {
            resourceGroup: 'aegis-rg',
            profile: 'aegis-tm',
            endpoints: { primary: 'primary-endpoint', dr: 'dr-endpoint' },
            fqdn: 'aegis-tm.trafficmanager.aegis.test',
        },
        zone: { name: 'trafficmanager.aegis.test' },
        record: 'aegis-tm.trafficmanager.aegis.test',
        targets: { primary: 'primary-lb.eastus.azure.aegis.test', dr: 'dr-lb.westus2.azure.aegis.test' },
    },
    gcp: {
        regions: { primary: 'us-east1', dr: 'us-central1' },
        zones: { primary: ['us-east1-b', 'us-east1-c'], dr: ['us-central1-a', 'us-central1-b'] },
        clusters: { primary: 'aegis', dr: 'aegis-dr' },
        contexts: { primary: 'gcp-primary', dr: 'gcp-dr' },
        pool: 'primary-pool',
        sql: { instance: 'aegis-db', failoverReplica: 'aegis-db-failover', replica: 'aegis-db-dr-replica' },
        zone: { name: 'aegis-zone', dnsName: 'gcp.aegis.test' },
        record: 'api.gcp.aegis.test',
        targets: { primary: 'primary-lb.us-east1.gcp.aegis.test', dr: 'dr-lb.us-central1.gcp.aegis.test' },
    },
};
const STANDBY_REPLICAS = 2;
const PRODUCTION_REPLICAS = 6;
const POOL = { min: 3, max: 10, active: 6, standby: 3 };
function deployment(name, replicas) {
    return {
        name,
        replicas,
        readyReplicas: 0,
        updatedReplicas: replicas,
        generation: 1,
        observedGeneration: 1,
        annotations: {},
        labels: { app: name },
        readyAt: 0,
    };
}
function cluster(name, site, region) {
    const replicas = site === 'primary' ? PRODUCTION_REPLICAS : STANDBY_REPLICAS;
    const c = {
        name,
        nodes: [],
        deployments: new Map([['aegis-api', deployment('aegis-api', replicas)]]),
        pods: new Map(),
        configMaps: new Map([
            [
                CONFIGMAP,
                {
                    'feature.flags': 'scans=on,policies=on',
                    'db.pool.size': '40',
                    'opa.bundle': 'policies-2026.11.1',
                    'log.level': 'info',
                    region: site,
                    'cloud.region': region,
                },
            ],
        ]),
        jobs: new Map(),
        namespace: NAMESPACE,
        resourceVersion: 1,
    };
    return c;
}
/** Keys of the configmap that legitimately differ between sites and are ignored by the drift check. */
const SITE_SPECIFIC_CONFIG_KEYS = (/* unused pure expression or super */ null && (['region', 'cloud.region']));
function siteWorld(cloud, site) {
    const t = TOPOLOGY[cloud];
    const clusterName = t.clusters[site];
    const poolName = cloud === 'aws' ? TOPOLOGY.aws.nodegroup : cloud === 'azure' ? TOPOLOGY.azure.pool : TOPOLOGY.gcp.pool;
    const desired = site === 'primary' ? POOL.active : POOL.standby;
    const c = cluster(clusterName, site, t.regions[site]);
    // nodes of the initial pool start Ready
    for (let i = 0; i < desired; i++) {
        c.nodes.push({ name: `${clusterName}-${poolName}-${i}`, ready: true, createdAt: Date.now() });
    }
    return {
        name: site,
        region: t.regions[site],
        zones: [...t.zones[site]],
        up: true,
        cluster: c,
        pool: { name: poolName, cluster: clusterName, min: POOL.min, max: POOL.max, desired, busyUntil: 0, updates: [] },
        target: t.targets[site],
        connections: site === 'primary' ? 120 : 0,
        healthy: true,
        requests: { ok: 0, error: 0 },
        healthFailures: 0,
        writesWhileServing: 0,
    };
}
function stackWorld(cloud) {
    const t = TOPOLOGY[cloud];
    const sites = { primary: siteWorld(cloud, 'primary'), dr: siteWorld(cloud, 'dr') };
    const kind = cloud === 'aws' ? 'rds' : cloud === 'azure' ? 'azure-sql' : 'cloud-sql';
    const zoneName = cloud === 'aws' ? TOPOLOGY.aws.zone.name : cloud === 'azure' ? TOPOLOGY.azure.zone.name : TOPOLOGY.gcp.zone.dnsName;
    return {
        name: cloud,
        cloud,
        sites,
        database: {
            kind,
            writer: 'primary',
            writable: { primary: true, dr: false },
            writerZone: t.zones.primary[0],
            lagSeconds: 1.5,
            replicationHealthy: true,
            replicating: true,
            status: 'available',
            busyUntil: 0,
            failovers: 0,
            lastBackupAt: Date.now() - 2 * 3600 * 1000,
            corrupted: false,
            events: [],
        },
        traffic: {
            kind: cloud === 'aws' ? 'route53' : cloud === 'azure' ? 'traffic-manager' : 'cloud-dns',
            record: { zone: zoneName, name: t.record, type: 'CNAME', ttl: 60, values: [t.targets.primary] },
            endpointEnabled: { primary: true, dr: cloud === 'azure' },
            healthCheckDisabled: false,
            changes: new Map(),
        },
    };
}
/** Fill a world with the Cloud Aegis estate (all three stacks unless `clouds` says otherwise). */
function createEstate(world, clouds = ['aws', 'azure', 'gcp']) {
    for (const cloud of clouds)
        world.stacks.set(cloud, stackWorld(cloud));
    for (const stack of world.stacks.values()) {
        for (const site of _world_js__WEBPACK_IMPORTED_MODULE_0__/* .SITES */ .bo) {
            // existing pods start ready
            const c = stack.sites[site].cluster;
            for (const d of c.deployments.values()) {
                for (let i = 0; i < d.replicas; i++) {
                    const name = `${d.name}-${site}-${i}`;
                    c.pods.set(name, {
                        name,
                        deployment: d.name,
                        node: c.nodes[i % c.nodes.length].name,
                        phase: 'Running',
                        ready: true,
                        labels: { ...d.labels },
                        createdAt: Date.now(),
                    });
                }
                d.readyReplicas = d.replicas;
            }
        }
    }
    world.settle();
    return world;
}
/** The site a Traffic record currently points at, by its values. */
function activeSite(stack) {
    const v = stack.traffic.record.values;
    const p = v.includes(stack.sites.primary.target);
    const d = v.includes(stack.sites.dr.target);
    return p && d ? 'both' : p ? 'primary' : d ? 'dr' : 'unknown';
}


/***/ }),

/***/ 74820:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   TH: () => (/* binding */ applyScenario),
/* harmony export */   scenarioNames: () => (/* binding */ scenarioNames)
/* harmony export */ });
/* unused harmony exports REGION_RECOVERY_CLOUD_SECONDS, SCENARIOS */
/* harmony import */ var _estate_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(91203);
/**
 * Scenarios: the runbook's four incident classes and the readiness failures, applied to a
 * running world. Each returns one sentence saying what it did.
 */

/** How long a recovering region's nodes take to come back, in cloud seconds. */
const REGION_RECOVERY_CLOUD_SECONDS = 60 * 60;
const SCENARIOS = {
    healthy: { description: 'Nothing wrong: the estate as the runbook expects it.', apply: () => undefined },
    'region-outage': {
        description: 'The primary region is down: its cluster, app and regional cloud APIs stop answering.',
        incidentClass: 'region-outage',
        apply: (_w, stacks) => {
            for (const s of stacks)
                s.sites.primary.up = false;
        },
    },
    'database-corruption': {
        description: 'The primary database is corrupted: writes fail integrity, replication lag climbs past the trigger.',
        incidentClass: 'database-corruption',
        apply: (_w, stacks) => {
            for (const s of stacks) {
                s.database.corrupted = true;
                s.database.lagSeconds = 150;
            }
        },
    },
    'network-partition': {
        description: 'Users cannot reach the primary site; the site and its database are otherwise up.',
        incidentClass: 'network-partition',
        apply: (_w, stacks) => {
            for (const s of stacks)
                s.sites.primary.healthy = false;
        },
    },
    'compute-failure': {
        description: 'The primary cluster lost its nodes: pods cannot run there.',
        incidentClass: 'compute-failure',
        apply: (_w, stacks) => {
            for (const s of stacks)
                for (const n of s.sites.primary.cluster.nodes)
                    n.ready = false;
        },
    },
    'two-region-failure': {
        description: 'Both regions are unhealthy at once (escalate; never an automatic failover).',
        apply: (_w, stacks) => {
            for (const s of stacks) {
                s.sites.primary.healthy = false;
                s.sites.dr.healthy = false;
            }
        },
    },
    'dr-node-not-ready': {
        description: 'Readiness failure: one DR node is NotReady.',
        apply: (_w, stacks) => {
            for (const s of stacks)
                if (s.sites.dr.cluster.nodes[0])
                    s.sites.dr.cluster.nodes[0].ready = false;
        },
    },
    'lag-above-threshold': {
        description: 'Readiness failure: replication lag is 45 s (limit 30 s).',
        apply: (_w, stacks) => {
            for (const s of stacks)
                s.database.lagSeconds = 45;
        },
    },
    'replication-broken': {
        description: 'Readiness failure: the cloud reports replication unhealthy.',
        apply: (_w, stacks) => {
            for (const s of stacks)
                s.database.replicationHealthy = false;
        },
    },
    'stale-backup': {
        description: 'Readiness failure: the newest backup is 9 hours old (limit 6 h).',
        apply: (w, stacks) => {
            for (const s of stacks)
                s.database.lastBackupAt = w.now() - 9 * 3600 * 1000;
        },
    },
    'ttl-too-high': {
        description: 'Readiness failure: the public record TTL is 300 s (must be <= 60 s).',
        apply: (_w, stacks) => {
            for (const s of stacks)
                s.traffic.record.ttl = 300;
        },
    },
    'config-drift': {
        description: 'Readiness failure: the DR configmap differs from the primary in db.pool.size and opa.bundle.',
        apply: (_w, stacks) => {
            for (const s of stacks) {
                const cm = s.sites.dr.cluster.configMaps.get(_estate_js__WEBPACK_IMPORTED_MODULE_0__/* .CONFIGMAP */ .$q);
                if (cm) {
                    cm['db.pool.size'] = '10';
                    cm['opa.bundle'] = 'policies-2026.10.4';
                }
            }
        },
    },
    'dr-health-down': {
        description: 'Readiness failure: the DR health endpoint answers 503.',
        apply: (_w, stacks) => {
            for (const s of stacks)
                s.sites.dr.healthy = false;
        },
    },
    'primary-recovered': {
        description: 'The primary region is back: its control plane answers at once, its nodes come Ready an hour (cloud time) later (fence it again before they do).',
        apply: (w, stacks) => {
            for (const s of stacks) {
                s.sites.primary.up = true;
                s.sites.primary.healthy = true;
                s.database.corrupted = false;
                for (const n of s.sites.primary.cluster.nodes) {
                    n.ready = false;
                    w.schedule(w.realMs(REGION_RECOVERY_CLOUD_SECONDS), () => {
                        n.ready = true;
                    });
                }
            }
        },
    },
};
function scenarioNames() {
    return Object.keys(SCENARIOS);
}
function applyScenario(world, name, stackNames) {
    const def = SCENARIOS[name];
    if (!def)
        throw new Error(`scenario "${name}" does not exist: expected one of ${scenarioNames().join(', ')}.`);
    const stacks = [...world.stacks.values()].filter((s) => !stackNames || stackNames.includes(s.name));
    def.apply(world, stacks);
    world.settle();
    return def.description;
}


/***/ }),

/***/ 83347:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   A$: () => (/* binding */ readyPods),
/* harmony export */   HK: () => (/* binding */ World),
/* harmony export */   bo: () => (/* binding */ SITES),
/* harmony export */   eh: () => (/* binding */ DURATIONS)
/* harmony export */ });
/* unused harmony exports InvariantMonitor, rng, PODS_PER_NODE, reconcileCluster */
const SITES = ['primary', 'dr'];
/** Sim durations (cloud seconds) of the real services, before the speed factor. */
const DURATIONS = {
    rdsFailover: [60, 120],
    rdsPromote: [60, 120],
    azureFailover: [30, 90],
    cloudSqlFailover: [30, 60],
    route53Insync: [20, 60],
    trafficManager: [5, 30],
    cloudDnsChange: [5, 30],
    nodeReady: [60, 180],
    podReady: [5, 15],
    drain: [10, 30],
    job: [5, 20],
};
class InvariantMonitor {
    mutations = [];
    splitBrain = [];
    failovers = new Map();
    mutation(service, operation, target) {
        this.mutations.push({ at: new Date().toISOString(), service, operation, target });
    }
    failover(database) {
        this.failovers.set(database, (this.failovers.get(database) ?? 0) + 1);
    }
    toJSON() {
        return {
            mutations: this.mutations,
            mutationCount: this.mutations.length,
            splitBrain: this.splitBrain,
            splitBrainEver: this.splitBrain.length > 0,
            failovers: Object.fromEntries(this.failovers),
        };
    }
}
/** Deterministic pseudo-random numbers (mulberry32), so a seeded sandbox repeats itself. */
function rng(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
class World {
    speed;
    stacks = new Map();
    monitor = new InvariantMonitor();
    random;
    queue = [];
    listeners = [];
    ticker;
    constructor(opts = {}) {
        this.speed = opts.speed ?? 600;
        this.random = rng(opts.seed ?? 42);
    }
    /** Real ms now. */
    now() {
        return Date.now();
    }
    /** Real ms that `cloudSeconds` of the emulated service takes at this speed. */
    realMs(cloudSeconds) {
        return (cloudSeconds * 1000) / this.speed;
    }
    /** A random duration within a service's range, in real ms. */
    duration(range) {
        const [lo, hi] = range;
        return this.realMs(lo + (hi - lo) * this.random());
    }
    /** Run `fn` after `realMs` (applied on the next settle). */
    schedule(realMs, fn) {
        this.queue.push({ at: this.now() + realMs, fn });
        this.queue.sort((x, y) => x.at - y.at);
    }
    /** Apply every transition that is due, then recompute derived state. */
    settle() {
        const now = this.now();
        while (this.queue.length > 0 && this.queue[0].at <= now) {
            const item = this.queue.shift();
            item.fn();
        }
        for (const stack of this.stacks.values()) {
            for (const site of SITES)
                reconcileCluster(this, stack.sites[site]);
        }
        this.checkSplitBrain();
        for (const l of this.listeners)
            l();
    }
    /** Called after each settle (watch streams use it). */
    onChange(fn) {
        this.listeners.push(fn);
        return () => {
            this.listeners = this.listeners.filter((l) => l !== fn);
        };
    }
    /** Start a background tick so time-based transitions happen without requests. */
    start(intervalMs = 20) {
        if (this.ticker)
            return;
        this.ticker = setInterval(() => this.settle(), intervalMs);
        this.ticker.unref();
    }
    stop() {
        if (this.ticker)
            clearInterval(this.ticker);
        this.ticker = undefined;
    }
    stack(name) {
        const s = this.stacks.get(name);
        if (!s)
            throw new Error(`sandbox has no stack named ${name}`);
        return s;
    }
    /**
     * Whether a site of a stack accepts writes right now: it is up, not drained, serving, and either
     * its own database copy is writable or it reaches the writer in the other region.
     */
    acceptsWrites(stack, site) {
        const s = stack.sites[site];
        const drained = s.cluster.deployments.get('aegis-api')?.annotations['aegis.io/drain'] === 'true';
        const serving = readyPods(s.cluster, 'aegis-api') > 0;
        if (!s.up || drained || !serving || stack.database.status === 'unavailable')
            return false;
        if (stack.database.writable[site])
            return true;
        const other = site === 'primary' ? 'dr' : 'primary';
        return stack.database.writable[other] && stack.sites[other].up;
    }
    /** Split brain: two writable database copies, each taking writes from its own site. */
    splitBrainNow(stack) {
        return (stack.database.writable.primary &&
            stack.database.writable.dr &&
            this.acceptsWrites(stack, 'primary') &&
            this.acceptsWrites(stack, 'dr'));
    }
    checkSplitBrain() {
        for (const stack of this.stacks.values()) {
            if (this.splitBrainNow(stack)) {
                const last = this.monitor.splitBrain.at(-1);
                if (!last || last.stack !== stack.name || Date.parse(last.at) < this.now() - 1000) {
                    this.monitor.splitBrain.push({ at: new Date().toISOString(), stack: stack.name });
                }
            }
        }
    }
}
function readyPods(cluster, deployment) {
    let n = 0;
    for (const p of cluster.pods.values())
        if (p.deployment === deployment && p.ready)
            n++;
    return n;
}
/** Pods per ready node the scheduler will place. */
const PODS_PER_NODE = 2;
/**
 * Bring a cluster's pods in line with its deployments and nodes: pods exist for every replica,
 * become ready only on Ready nodes after their start-up time, and vanish when scaled down.
 */
function reconcileCluster(world, site) {
    const c = site.cluster;
    const now = world.now();
    const readyNodes = site.up ? c.nodes.filter((n) => n.ready) : [];
    let capacity = readyNodes.length * PODS_PER_NODE;
    // existing Running job pods take capacity too
    let changed = false;
    for (const d of c.deployments.values()) {
        const mine = [...c.pods.values()].filter((p) => p.deployment === d.name);
        // scale down: remove newest first
        for (let i = mine.length - 1; i >= d.replicas; i--) {
            c.pods.delete(mine[i].name);
            changed = true;
        }
        for (let i = mine.length; i < d.replicas; i++) {
            const name = `${d.name}-${Math.floor(world.random() * 0xfffff).toString(36)}-${i}`;
            c.pods.set(name, {
                name,
                deployment: d.name,
                phase: 'Pending',
                ready: false,
                labels: { ...d.labels },
                createdAt: now,
            });
            changed = true;
        }
        let ready = 0;
        for (const p of [...c.pods.values()].filter((x) => x.deployment === d.name)) {
            if (capacity > 0) {
                capacity--;
                if (!p.node) {
                    p.node = readyNodes[capacity % readyNodes.length].name;
                    p.readyAt = now + world.duration(DURATIONS.podReady);
                }
                const readyAt = p.readyAt ?? now;
                const isReady = now >= readyAt;
                if (isReady !== p.ready || p.phase !== (isReady ? 'Running' : 'Pending'))
                    changed = true;
                p.phase = isReady ? 'Running' : 'Pending';
                p.ready = isReady;
            }
            else {
                if (p.ready)
                    changed = true;
                p.node = undefined;
                p.phase = 'Pending';
                p.ready = false;
            }
            if (p.ready)
                ready++;
        }
        if (d.readyReplicas !== ready || d.updatedReplicas !== d.replicas || d.observedGeneration !== d.generation) {
            changed = true;
        }
        d.readyReplicas = ready;
        d.updatedReplicas = d.replicas;
        d.observedGeneration = d.generation;
    }
    // node pool: nodes follow the pool's desired size, each Ready after its boot time
    const pool = site.pool;
    while (c.nodes.length < pool.desired) {
        const node = {
            name: `${pool.cluster}-${pool.name}-${c.nodes.length}`,
            ready: false,
            createdAt: now,
        };
        c.nodes.push(node);
        const bootMs = world.duration(DURATIONS.nodeReady);
        world.schedule(bootMs, () => {
            node.ready = true;
        });
        changed = true;
    }
    while (c.nodes.length > pool.desired) {
        c.nodes.pop();
        changed = true;
    }
    if (changed)
        c.resourceVersion++;
}


/***/ })

};
