/**
 * The embedded sandbox: starts every emulated service of the Cloud Aegis estate on 127.0.0.1,
 * a real Prometheus when one is installed (or the built-in evaluator when not), the control API,
 * and writes plan.yml, kubeconfig and endpoints.json so any tool can point at it.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import YAML from 'yaml';
import { UserError } from '../engine/errors.js';
import { clip } from '../engine/clip.js';
import { fileError } from '../engine/files.js';
import { cloudwatchService } from './aws/cloudwatch.js';
import { eksService } from './aws/eks.js';
import { rdsService } from './aws/rds.js';
import { route53Service } from './aws/route53.js';
import { ARC_REGIONS, arcPlanTraffic, arcService } from './aws/arc.js';
import { armService } from './azure/arm.js';
import { appService } from './app.js';
import { startDnsServer } from './dns.js';
import { SANDBOX_PROJECT, SANDBOX_SUBSCRIPTION, TOPOLOGY, createEstate, activeSite } from './estate.js';
import { FaultRegistry, type FaultSpec } from './faults.js';
import { clouddnsService } from './gcp/clouddns.js';
import { containerService } from './gcp/container.js';
import { monitoringService } from './gcp/monitoring.js';
import { startLagSampler } from './replication-lag.js';
import { commsControl, pagerdutyService, slackService, TEAMS_PATH, teamsService } from './comms/services.js';
import { commsStore } from './comms/store.js';
import { SANDBOX_ESCALATION, SANDBOX_PAGERDUTY, sandboxNotifications } from './comms/plan.js';
import { githubControl, githubService } from './github/index.js';
import { makeTls } from './tls.js';
import { SANDBOX_REPO, githubStore } from './github/store.js';
import { sqladminService } from './gcp/sqladmin.js';
import {
  send,
  startService,
  type RunningService,
  type ServiceContext,
  type ServiceDef,
  type ServiceRequest,
} from './http.js';
import { PermissionEnforcer, type Grants } from './iam.js';
import { renderDenial } from './iam-errors.js';
import { registerSandboxJobs } from './jobs.js';
import { clusterPath, kubernetesService, writeKubeconfig } from './kubernetes/index.js';
import { ENFORCE_LABEL } from './kubernetes/podsecurity.js';
import { metricsFor } from './metrics.js';
import { startMetricsWorker } from './metrics-worker.js';
import { awaitScrapeSince, findPrometheus, startPrometheus } from './prometheus/real.js';
import { prometheusFallbackService } from './prometheus/promql.js';
import { applyScenario, checkScenario, scenarioNames } from './scenarios.js';
import type { RequestSummary } from './requests.js';
import { SITES, World, type CloudKind, type DurationMode } from './world.js';
import { ec2Service, serviceQuotasService } from './aws/quotas.js';
import { computeService } from './gcp/compute.js';
import type { ZoneShape } from './aws/route53-zone.js';

export interface SandboxOptions {
  speed?: number;
  seed?: number;
  /** How cloud durations are picked within their ranges (default random; see `World`). */
  durations?: DurationMode;
  scenario?: string;
  clouds?: CloudKind[];
  /** 'auto' (real when installed), 'real' (fail when missing), 'builtin'. */
  prometheus?: 'auto' | 'real' | 'builtin';
  /** Where to write plan.yml, kubeconfig, endpoints.json (and Prometheus data). */
  outDir?: string;
  /**
   * How the plan's sites reach their clusters: 'kubeconfig' (default: the sandbox kubeconfig and a
   * context per site) or 'cloud' (`kubernetes.cluster` names the EKS/AKS/GKE cluster; the server
   * comes from the cloud's API and the token from the cloud credentials).
   */
  clusterAccess?: ClusterAccessMode;
  /**
   * Faults in place before any service starts (so the very first calls can fail: a test makes the
   * first scrapes of the app's /metrics late with `{ service: 'app', operation: 'metrics', ... }`).
   */
  faults?: FaultSpec[];
  /** What the AWS hosted zone holds for the public name (see `EstateOptions.route53`; default failover-alias, as the sandbox plan expects). */
  route53?: ZoneShape;
  /**
   * Endpoint bindings (see `EstateOptions.bindings`): the RDS and Cloud SQL stacks' applications
   * read their writer from a ConfigMap / Secret key, and the plan names it (database.binding) and
   * the app's write probe (application.writeProbePath). Default off.
   */
  bindings?: boolean;
  /** Plan tweaks merged into the generated plan document. */
  planOverrides?: (doc: Record<string, any>) => void;
  /**
   * Give each identity exactly these documents (`aegis-dr permissions` output per identity) and
   * answer any request outside them with the cloud's own denial (./iam.ts). Absent: no check.
   */
  enforcePermissions?: Grants;
}

export interface Sandbox {
  world: World;
  faults: FaultRegistry;
  endpoints: Record<string, string>;
  planFile?: string;
  kubeconfigFile?: string;
  planDocument: Record<string, any>;
  prometheus: { kind: 'real' | 'builtin'; url: string };
  /**
   * The messaging emulators' credentials, as the sandbox plan's secretEnv variables name them
   * (also written to comms.env): the Slack bot token, the Teams webhook URL, a routing key per
   * PagerDuty service, and the CA file of the https PagerDuty endpoint (AEGIS_DR_EXTRA_CA).
   */
  comms: { env: Record<string, string>; caFile: string };
  /** The emulated GitHub: its repository (owner/name) and the job token (github-actions[bot]). */
  github: { repository: string; token: string; reviewerToken: string };
  notes: string[];
  /** The permission enforcement when started with `enforcePermissions` (its grants can be changed). */
  permissions?: PermissionEnforcer;
  applyScenario(name: string, stacks?: string[]): string;
  /**
   * Resolves once Prometheus has scraped the app's /metrics successfully since this call (at once
   * with the built-in evaluator, which reads the world itself): call it after a change and before a
   * phase reads the series.
   */
  metricsCurrent(): Promise<void>;
  state(): Record<string, unknown>;
  close(): Promise<void>;
}

/** A time bound of GET /_sandbox/requests: epoch ms or an ISO date; undefined when absent. */
function timeParam(req: { url: URL }, name: string): number | undefined | Error {
  const v = req.url.searchParams.get(name);
  if (v === null || v === '') return undefined;
  const n = /^[0-9]+$/.test(v) ? Number(v) : Date.parse(v);
  return Number.isFinite(n)
    ? n
    : new Error(
        `query parameter ${name} is "${v}": expected epoch milliseconds or an ISO date such as 2026-11-02T10:00:00Z.`,
      );
}

function controlService(
  getState: () => unknown,
  faults: FaultRegistry,
  scenario: (n: string, s?: string[]) => string,
  requests: (from?: number, to?: number) => RequestSummary,
  world: World,
): ServiceDef {
  const err = (res: http.ServerResponse, status: number, message: string) =>
    send(res, status, { error: message });
  return {
    name: 'control',
    unaccounted: true,
    operation: (req) => `${req.method} ${req.path}`,
    handle(req, res) {
      if (req.path === '/_sandbox/state' && req.method === 'GET') return send(res, 200, getState() as object);
      if (githubControl(githubStore(world), req, res)) return;
      if (commsControl(commsStore(world), req, res)) return;
      if (req.path === '/_sandbox/requests' && req.method === 'GET') {
        const from = timeParam(req, 'from');
        const to = timeParam(req, 'to');
        if (from instanceof Error) return err(res, 400, from.message);
        if (to instanceof Error) return err(res, 400, to.message);
        return send(res, 200, requests(from, to));
      }
      if (req.path === '/_sandbox/faults') {
        if (req.method === 'GET') return send(res, 200, { faults: faults.list(), log: faults.log });
        if (req.method === 'DELETE') {
          faults.clear();
          return send(res, 200, { faults: [] });
        }
        if (req.method === 'POST') {
          let body: any;
          try {
            body = req.json();
          } catch {
            return err(
              res,
              400,
              'the body is not JSON: send {"service":"rds","kind":"throttle","rate":0.5} or {"faults":[...]}.',
            );
          }
          const list: FaultSpec[] = Array.isArray(body?.faults) ? body.faults : [body];
          try {
            for (const f of list) faults.add(f);
          } catch (e) {
            return err(res, 400, (e as Error).message);
          }
          return send(res, 200, { faults: faults.list() });
        }
      }
      if (req.path === '/_sandbox/scenario' && req.method === 'POST') {
        let body: any;
        try {
          body = req.json();
        } catch {
          return err(res, 400, 'the body is not JSON: send {"name":"region-outage"}.');
        }
        try {
          return send(res, 200, {
            applied: body?.name,
            description: scenario(String(body?.name), body?.stacks),
          });
        } catch (e) {
          return err(res, 400, (e as Error).message);
        }
      }
      return err(
        res,
        404,
        `no control endpoint ${req.method} ${req.path}: use GET /_sandbox/state, GET /_sandbox/requests?from=&to=, POST /_sandbox/faults, POST /_sandbox/scenario (${scenarioNames().join(', ')}), GET /_sandbox/github, GET /_sandbox/comms.`,
      );
    },
    renderThrottle: (_r, res) => send(res, 429, { error: 'throttled' }),
    renderError: (_r, res) => send(res, 503, { error: 'unavailable' }),
  };
}

/** Node pool sizes of every sandbox stack (the runbook's 3 standby, 6 active; max 10). */
const POOL_SIZES = { min: 3, max: 10, active: 6, standby: 3 };

/** How a sandbox plan's sites reach their clusters (see `SandboxOptions.clusterAccess`). */
export type ClusterAccessMode = 'kubeconfig' | 'cloud';
export const CLUSTER_ACCESS_MODES: readonly ClusterAccessMode[] = ['kubeconfig', 'cloud'];

/** A site's `kubernetes.cluster`, naming the sandbox cluster by its cloud. */
function cloudCluster(cloud: CloudKind, s: 'primary' | 'dr'): Record<string, unknown> {
  switch (cloud) {
    case 'aws':
      return { eks: { name: TOPOLOGY.aws.clusters[s] } };
    case 'azure':
      return { aks: { resourceGroup: TOPOLOGY.azure.resourceGroups[s], name: TOPOLOGY.azure.clusters[s] } };
    case 'gcp':
      return {
        gke: { project: SANDBOX_PROJECT, location: TOPOLOGY.gcp.regions[s], name: TOPOLOGY.gcp.clusters[s] },
      };
  }
}

/** The plan document pointing every service of every stack at the sandbox. */
export function sandboxPlan(
  endpoints: Record<string, string>,
  kubeconfig: string,
  clouds: CloudKind[],
  clusterAccess: ClusterAccessMode = 'kubeconfig',
): Record<string, any> {
  const site = (cloud: CloudKind, s: 'primary' | 'dr') => ({
    region: TOPOLOGY[cloud].regions[s],
    kubernetes:
      clusterAccess === 'cloud'
        ? { cluster: cloudCluster(cloud, s), namespace: 'aegis' }
        : { kubeconfig, context: `${cloud}-${s}`, namespace: 'aegis' },
    deployments: [{ name: 'aegis-api' }],
    app: { url: `${endpoints.app}/sites/${cloud}/${s}` },
  });
  const stacks: Record<string, any> = {};
  const common = (cloud: CloudKind) => ({
    cloud,
    primary: site(cloud, 'primary'),
    dr: site(cloud, 'dr'),
    publicUrl: `${endpoints.app}/public/${cloud}`,
  });
  if (clouds.includes('aws')) {
    const t = TOPOLOGY.aws;
    stacks.aws = {
      ...common('aws'),
      database: {
        type: 'rds',
        instance: t.db.instance,
        replica: t.db.replica,
        // the sandbox's instances are encrypted: a cross-region replica needs a key of its region
        kmsKeyIds: { primary: `alias/aegis-dr-${t.regions.primary}`, dr: `alias/aegis-dr-${t.regions.dr}` },
      },
      traffic: {
        type: 'route53',
        hostedZoneId: t.zone.id,
        record: t.record,
        // the zone holds PRIMARY/SECONDARY failover alias records (startSandbox seeds them)
        recordType: 'A',
        routing: 'failover',
        targets: t.targets,
        healthCheckId: t.healthCheckId,
      },
      nodePool: {
        type: 'eks',
        cluster: t.clusters,
        nodegroup: t.nodegroup,
        ...POOL_SIZES,
      },
      endpoints: {
        rds: endpoints.rds,
        cloudwatch: endpoints.cloudwatch,
        route53: endpoints.route53,
        eks: endpoints.eks,
        ec2: endpoints.ec2,
        servicequotas: endpoints.servicequotas,
        dns: endpoints.dns,
      },
    };
  }
  if (clouds.includes('azure')) {
    const t = TOPOLOGY.azure;
    stacks.azure = {
      ...common('azure'),
      database: {
        type: 'azure-sql',
        subscriptionId: SANDBOX_SUBSCRIPTION,
        failoverGroup: t.sql.failoverGroup,
        primary: { resourceGroup: t.resourceGroups.primary, server: t.sql.servers.primary },
        dr: { resourceGroup: t.resourceGroups.dr, server: t.sql.servers.dr },
        // A region outage leaves no primary to coordinate a planned failover with.
        allowDataLoss: true,
      },
      traffic: {
        type: 'traffic-manager',
        subscriptionId: SANDBOX_SUBSCRIPTION,
        resourceGroup: t.trafficManager.resourceGroup,
        profile: t.trafficManager.profile,
        endpointType: 'azureEndpoints',
        endpoints: t.trafficManager.endpoints,
        record: t.record,
        targets: t.targets,
      },
      nodePool: {
        type: 'aks',
        subscriptionId: SANDBOX_SUBSCRIPTION,
        resourceGroup: t.resourceGroups,
        cluster: t.clusters,
        pool: t.pool,
        ...POOL_SIZES,
      },
      endpoints: { arm: endpoints.arm, dns: endpoints.dns },
    };
  }
  if (clouds.includes('gcp')) {
    const t = TOPOLOGY.gcp;
    stacks.gcp = {
      ...common('gcp'),
      database: {
        type: 'cloud-sql',
        project: SANDBOX_PROJECT,
        instance: t.sql.instance,
        failoverReplica: t.sql.failoverReplica,
        replica: t.sql.replica,
      },
      traffic: {
        type: 'cloud-dns',
        project: SANDBOX_PROJECT,
        zone: t.zone.name,
        record: t.record,
        recordType: 'CNAME',
        targets: t.targets,
      },
      nodePool: {
        type: 'gke',
        project: SANDBOX_PROJECT,
        cluster: t.clusters,
        pool: t.pool,
        ...POOL_SIZES,
      },
      endpoints: {
        sqladmin: endpoints.sqladmin,
        clouddns: endpoints.clouddns,
        container: endpoints.container,
        monitoring: endpoints.monitoring,
        compute: endpoints.compute,
        dns: endpoints.dns,
      },
    };
  }
  return {
    apiVersion: 'aegis.io/v1',
    kind: 'DRPlan',
    service: 'cloud-aegis-sandbox',
    application: { publicName: TOPOLOGY.aws.record, url: `${endpoints.app}/public/${clouds[0]}` },
    prometheus: { url: endpoints.prometheus },
    // Sandbox time runs fast: evaluate triggers a second apart, and allow short deadlines.
    triggers: { consecutive: 3, interval: '1s' },
    // The app's metrics flow in real time and Prometheus scrapes every second, so the verify
    // error-rate window is five scrapes, not the runbook's five minutes.
    thresholds: {
      errorRateWindow: `${SANDBOX_ERROR_RATE_WINDOW_S}s`,
      deadlines: { drain: '2m', database: '3m', traffic: '3m', scale: '3m', verify: '3m' },
    },
    stacks,
    notifications: sandboxNotifications(endpoints),
    escalation: SANDBOX_ESCALATION,
  };
}

/** The verify error-rate window of the sandbox plan, in real seconds (Prometheus scrapes every second). */
export const SANDBOX_ERROR_RATE_WINDOW_S = 5;

/** The sandbox's stacks: one per cloud, named as the cloud. */
export const SANDBOX_STACKS: readonly CloudKind[] = ['aws', 'azure', 'gcp'];

/** Write one of the sandbox's files into --out; a clear sentence naming it when that fails. */
function writeOut(file: string, text: string, mode?: number): void {
  try {
    fs.writeFileSync(file, text, mode === undefined ? undefined : { mode });
  } catch (err) {
    throw fileError(
      file,
      err,
      'the sandbox file',
      'a file the sandbox can write',
      'choose another --out directory or remove what is in the way',
    );
  }
}

/** Create the sandbox's output directory (and its parents); a clear sentence when it cannot be. */
function makeOutDir(dir: string): string {
  const abs = path.resolve(dir);
  try {
    fs.mkdirSync(abs, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new UserError(
      `--out ${clip(dir)} cannot be created as a directory (${code}): give a directory that can be created or written (a path under an existing file, or one without write permission, cannot).`,
    );
  }
  return abs;
}

/**
 * Start the sandbox. Everything it starts (the emulated services, the DNS server, Prometheus, the
 * world's clock) is closed again when a later part of the start fails, so a failed start leaves
 * no port open and no child process behind, and the error is the one sentence of the cause.
 */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  if (opts.scenario) checkScenario(opts.scenario); // before anything starts
  const outDir = opts.outDir !== undefined ? makeOutDir(opts.outDir) : undefined;
  const cleanups: (() => unknown)[] = [];
  try {
    return await startParts({ ...opts, outDir }, cleanups);
  } catch (err) {
    // close in reverse order of start; a failure to close must not hide the cause
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
    throw err;
  }
}

async function startParts(opts: SandboxOptions, cleanups: (() => unknown)[]): Promise<Sandbox> {
  const clouds = opts.clouds ?? [...SANDBOX_STACKS];
  const world = createEstate(
    new World({ speed: opts.speed ?? 600, seed: opts.seed, durations: opts.durations }),
    clouds,
    { route53: opts.route53 ?? 'failover-alias', bindings: opts.bindings },
  );
  // The application namespaces are hardened as a production cluster's should be: Pod Security
  // "restricted" enforced, so a Job aegis-dr creates without its securityContext never runs.
  for (const st of world.stacks.values())
    for (const site of Object.values(st.sites)) site.cluster.namespaceLabels[ENFORCE_LABEL] = 'restricted';
  const faults = new FaultRegistry(world.random);
  for (const f of opts.faults ?? []) faults.add(f);
  const enforcer = opts.enforcePermissions ? new PermissionEnforcer(opts.enforcePermissions) : undefined;
  const ctx: ServiceContext = {
    world,
    faults,
    ...(enforcer
      ? {
          authorize: (service: string, req: ServiceRequest, res: http.ServerResponse, op: string) => {
            const denial = enforcer.check(service, req, op);
            if (denial) renderDenial(service, req, res, denial);
            return denial !== undefined;
          },
        }
      : {}),
  };
  const notes: string[] = [];
  const unregisterJobs = registerSandboxJobs(world);
  cleanups.push(unregisterJobs);
  world.start();
  cleanups.push(() => world.stop());
  cleanups.push(startLagSampler(world));
  const services: RunningService[] = [];
  const defs: ServiceDef[] = [
    kubernetesService(),
    rdsService(),
    route53Service(),
    eksService(),
    serviceQuotasService(),
    ec2Service(),
    armService(),
    sqladminService(),
    clouddnsService(),
    containerService(),
    cloudwatchService(),
    monitoringService(),
    computeService(),
    appService(),
    githubService(),
    slackService(),
    teamsService(),
    // the Route 53 ARC cluster's regional endpoints, one server each
    ...ARC_REGIONS.map((r) => arcService(r)),
  ];
  cleanups.push(() => Promise.all(services.map((s) => s.close())));
  for (const d of defs) services.push(await startService(d, ctx));
  const tls = makeTls(opts.outDir);
  cleanups.push(() => fs.rmSync(tls.dir, { recursive: true, force: true }));
  services.push(await startService(pagerdutyService(), ctx, { tls }));
  const dns = await startDnsServer(world, { faults });
  cleanups.push(() => dns.close());
  const endpoints: Record<string, string> = {};
  for (const s of services) endpoints[s.name] = s.url;
  endpoints.dns = `${dns.host}:${dns.port}`;
  const kube = endpoints.kubernetes;
  world.kubernetesUrl = kube;
  delete endpoints.kubernetes;
  for (const stack of world.stacks.values()) {
    for (const site of SITES)
      endpoints[`kubernetes.${stack.name}.${site}`] = `${kube}${clusterPath(stack.name, site)}`;
    endpoints[`app.${stack.name}.primary`] = `${endpoints.app}/sites/${stack.name}/primary`;
    endpoints[`app.${stack.name}.dr`] = `${endpoints.app}/sites/${stack.name}/dr`;
  }
  endpoints['app.primary'] = `${endpoints.app}/sites/${clouds[0]}/primary`;
  endpoints['app.dr'] = `${endpoints.app}/sites/${clouds[0]}/dr`;

  // Prometheus: the real server scraping the app's /metrics, or the built-in evaluator.
  let prometheus: Sandbox['prometheus'];
  let stopPrometheus: (() => Promise<void>) | undefined;
  const mode = opts.prometheus ?? 'auto';
  const binary = mode === 'builtin' ? undefined : findPrometheus();
  if (mode === 'real' && !binary) {
    throw new Error(
      'Prometheus is not installed: install it (Debian: apt-get install -y prometheus) or start the sandbox with the built-in evaluator.',
    );
  }
  if (binary) {
    const dataDir = fs.mkdtempSync(
      path.join(opts.outDir ?? fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'prometheus-'),
    );
    const removeData = () => fs.rmSync(dataDir, { recursive: true, force: true });
    cleanups.push(removeData);
    // Prometheus scrapes the app's metrics from their own thread (see metrics-worker.ts)
    const metrics = await startMetricsWorker(metricsFor(world), faults);
    cleanups.push(() => metrics.close());
    endpoints.metrics = `http://${metrics.host}/metrics`;
    // startPrometheus stops its own process when its start fails
    const siteTargets = [...world.stacks.values()].flatMap((s) =>
      SITES.map((site) => ({ stack: s.name, site, region: s.sites[site].region })),
    );
    const p = await startPrometheus({ targets: [metrics.host], siteTargets, dataDir });
    prometheus = { kind: 'real', url: p.url };
    stopPrometheus = async () => {
      await p.stop();
      await metrics.close();
      removeData();
    };
    cleanups.push(stopPrometheus);
  } else {
    const s = await startService(prometheusFallbackService(), ctx);
    services.push(s);
    prometheus = { kind: 'builtin', url: s.url };
    notes.push(
      "Prometheus is not installed: the sandbox answers the plan's queries itself (install it with apt-get install -y prometheus for a real one).",
    );
  }
  endpoints.prometheus = prometheus.url;

  const scenario = (name: string, stacks?: string[]) => applyScenario(world, name, stacks);
  const state = () => ({
    speed: world.speed,
    durations: world.durations,
    monitor: world.monitor.toJSON(),
    requests: world.requests.summary(),
    faults: { active: faults.list(), log: faults.log },
    stacks: Object.fromEntries(
      [...world.stacks.values()].map((s) => [
        s.name,
        {
          database: {
            writer: s.database.writer,
            writable: s.database.writable,
            status: s.database.status,
            failovers: s.database.failovers,
            lagSeconds: s.database.lagSeconds,
          },
          traffic: { active: activeSite(s), record: s.traffic.record },
          acceptsWrites: { primary: world.acceptsWrites(s, 'primary'), dr: world.acceptsWrites(s, 'dr') },
          sites: Object.fromEntries(
            SITES.map((site) => [
              site,
              {
                up: s.sites[site].up,
                healthy: s.sites[site].healthy,
                nodes: s.sites[site].cluster.nodes.filter((n) => n.ready).length,
                pool: s.sites[site].pool.desired,
                deployments: Object.fromEntries(
                  [...s.sites[site].cluster.deployments.values()].map((d) => [
                    d.name,
                    { replicas: d.replicas, ready: d.readyReplicas, annotations: d.annotations },
                  ]),
                ),
              },
            ]),
          ),
        },
      ]),
    ),
  });
  const control = await startService(
    controlService(state, faults, scenario, (from, to) => world.requests.summary(from, to), world),
    ctx,
  );
  services.push(control);
  endpoints.control = control.url;

  const sandbox: Sandbox = {
    world,
    faults,
    endpoints,
    planDocument: {},
    prometheus,
    comms: { env: {}, caFile: '' },
    github: {
      repository: `${SANDBOX_REPO.owner}/${SANDBOX_REPO.repo}`,
      token: githubStore(world).actionsToken,
      reviewerToken: githubStore(world).reviewerToken,
    },
    notes,
    ...(enforcer ? { permissions: enforcer } : {}),
    applyScenario: scenario,
    metricsCurrent: async () => {
      if (prometheus.kind === 'real') await awaitScrapeSince(prometheus.url, 1, Date.now());
    },
    state,
    async close() {
      world.stop();
      unregisterJobs();
      await Promise.all([...services.map((s) => s.close()), dns.close(), stopPrometheus?.()]);
      fs.rmSync(tls.dir, { recursive: true, force: true });
    },
  };
  const kubeconfigYaml = writeKubeconfig(kube, world);
  let kubeconfigPath = 'kubeconfig';
  if (opts.outDir) {
    sandbox.kubeconfigFile = path.join(opts.outDir, 'kubeconfig');
    writeOut(sandbox.kubeconfigFile, kubeconfigYaml, 0o600);
    kubeconfigPath = sandbox.kubeconfigFile;
  }
  const cs = commsStore(world);
  sandbox.comms = {
    caFile: tls.caFile,
    env: {
      AEGIS_SANDBOX_SLACK_TOKEN: cs.slackBotToken,
      AEGIS_SANDBOX_TEAMS_WEBHOOK: `${endpoints.teams}${TEAMS_PATH}?api-version=1&sig=${cs.teamsSig}`,
      AEGIS_SANDBOX_GITHUB_TOKEN: sandbox.github.token,
      AEGIS_DR_EXTRA_CA: tls.caFile,
      ...Object.fromEntries(SANDBOX_PAGERDUTY.map(([svc, env]) => [env, cs.routingKey(svc) ?? ''])),
    },
  };
  sandbox.planDocument = sandboxPlan(endpoints, kubeconfigPath, clouds, opts.clusterAccess);
  if (opts.route53 === 'failover-arc' && sandbox.planDocument.stacks?.aws)
    Object.assign(sandbox.planDocument.stacks.aws.traffic, arcPlanTraffic(endpoints));
  if (opts.bindings) {
    sandbox.planDocument.application.writeProbePath = '/api/v1/db/write-probe';
    for (const st of world.stacks.values())
      if (st.binding) sandbox.planDocument.stacks[st.name].database.binding = { ...st.binding };
  }
  opts.planOverrides?.(sandbox.planDocument);
  if (opts.outDir) {
    sandbox.planFile = path.join(opts.outDir, 'plan.yml');
    writeOut(
      sandbox.planFile,
      `# Generated by aegis-dr sandbox: the Cloud Aegis plan pointing every service at the sandbox.\n${YAML.stringify(sandbox.planDocument)}`,
    );
    writeOut(path.join(opts.outDir, 'endpoints.json'), JSON.stringify(endpoints, null, 2) + '\n');
    // What a job's environment would hold, so `set -a; . github.env` points a CLI at the emulator.
    writeOut(
      path.join(opts.outDir, 'github.env'),
      `GITHUB_API_URL=${endpoints.github}\nGITHUB_REPOSITORY=${sandbox.github.repository}\nGITHUB_TOKEN=${sandbox.github.token}\n`,
      0o600,
    );
    writeOut(
      path.join(opts.outDir, 'comms.env'),
      Object.entries(sandbox.comms.env)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
      0o600,
    );
  }
  if (opts.scenario) sandbox.applyScenario(opts.scenario);
  return sandbox;
}
