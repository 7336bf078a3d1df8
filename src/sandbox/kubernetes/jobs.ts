/** Jobs (batch/v1) with their status subresource: create, get, list, watch, delete; the job handlers that decide what a job does. */
import type http from 'node:http';
import type { SiteName } from '../../plan/types.js';
import { send, type ServiceRequest } from '../http.js';
import { type JobState, type SiteWorld, type StackWorld, type World, DURATIONS } from '../world.js';
import { iso, uid, type Where } from './meta.js';
import { isObj, readStringMap } from './patch.js';
import type { Route } from './routes.js';
import { selects } from './selectors.js';
import { StatusError, invalid, notFound } from './status.js';
import { listOrTable, oneOrTable } from './table.js';
import { watchList } from './watch.js';
import { ENFORCE_LABEL, WARN_LABEL, forbiddenMessage, restrictedViolations } from './podsecurity.js';

/** What a job handler learns about where the job runs. */
export interface JobContext {
  world: World;
  stack: StackWorld;
  site: SiteName;
  siteWorld: SiteWorld;
}

/** Result of a job: whether it succeeded and the text its pod logged. */
export interface JobResult {
  succeeded: boolean;
  logs: string;
}

interface JobHandler {
  match: (job: JobState) => boolean;
  run: (job: JobState, ctx: JobContext) => JobResult;
}

const jobHandlers: JobHandler[] = [];

/**
 * Plug in what a job does when it finishes (integrity check, data sync, ...). The newest handler
 * whose `match` accepts the job decides its result; without one the job succeeds and logs "ok".
 * `run` is called when the job's run time is over, so it sees the world as it is then; a `run`
 * that throws fails the job with the error message as its log. Returns a function that removes
 * the handler again.
 */
export function registerJobHandler(
  match: (job: JobState) => boolean,
  run: (job: JobState, ctx: JobContext) => JobResult,
): () => void {
  const h: JobHandler = { match, run };
  jobHandlers.unshift(h);
  return () => {
    const i = jobHandlers.indexOf(h);
    if (i >= 0) jobHandlers.splice(i, 1);
  };
}

interface ContainerSpec {
  name?: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
}

export function firstContainer(job: JobState): ContainerSpec | undefined {
  const spec = job.spec as { spec?: { template?: { spec?: { containers?: ContainerSpec[] } } } } | undefined;
  return spec?.spec?.template?.spec?.containers?.[0];
}

/** The command (command + args) of a job's first container, for job handlers. */
export function jobCommand(job: JobState): string[] {
  const c = firstContainer(job);
  return [...(c?.command ?? []), ...(c?.args ?? [])];
}

/** The environment of a job's first container as a plain map, for job handlers. */
export function jobEnv(job: JobState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of firstContainer(job)?.env ?? []) out[e.name] = e.value ?? '';
  return out;
}

/** The image of a job's first container. */
export function jobImage(job: JobState): string | undefined {
  return firstContainer(job)?.image;
}

interface JobExtra {
  startedAt: number;
  completedAt?: number;
}
const jobTimes = new WeakMap<JobState, JobExtra>();

function renderJob(w: Where, job: JobState) {
  const body = (job.spec ?? {}) as {
    metadata?: { annotations?: Record<string, string> };
    spec?: Record<string, unknown>;
  };
  const times = jobTimes.get(job) ?? { startedAt: job.createdAt };
  const finished = job.status !== 'running';
  const at = iso(times.completedAt ?? Date.now());
  const conditions = !finished
    ? []
    : job.status === 'succeeded'
      ? [
          {
            type: 'SuccessCriteriaMet',
            status: 'True',
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods',
            lastProbeTime: at,
            lastTransitionTime: at,
          },
          {
            type: 'Complete',
            status: 'True',
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods',
            lastProbeTime: at,
            lastTransitionTime: at,
          },
        ]
      : [
          {
            type: 'FailureTarget',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
            lastProbeTime: at,
            lastTransitionTime: at,
          },
          {
            type: 'Failed',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
            lastProbeTime: at,
            lastTransitionTime: at,
          },
        ];
  const spec = { ...(body.spec ?? {}) };
  const template = (spec.template ?? {}) as { metadata?: { labels?: Record<string, string> } };
  spec.template = {
    ...template,
    metadata: {
      ...(template.metadata ?? {}),
      labels: {
        ...(template.metadata?.labels ?? {}),
        'job-name': job.name,
        'batch.kubernetes.io/job-name': job.name,
      },
    },
  };
  return {
    metadata: {
      name: job.name,
      namespace: w.cluster.namespace,
      uid: uid(`${w.key}/job/${job.name}`),
      resourceVersion: String(w.cluster.resourceVersion),
      generation: 1,
      creationTimestamp: iso(job.createdAt),
      labels: { ...job.labels },
      ...(body.metadata?.annotations ? { annotations: { ...body.metadata.annotations } } : {}),
    },
    spec: {
      backoffLimit: 6,
      completions: 1,
      parallelism: 1,
      ...spec,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid(`${w.key}/job/${job.name}`) } },
    },
    status: {
      startTime: iso(times.startedAt),
      // a Job whose pod admission refuses has no pod: nothing active, nothing ready
      ...(job.status === 'running' && !job.failedCreate ? { active: 1, ready: 1 } : {}),
      ...(job.status === 'succeeded' ? { succeeded: 1, completionTime: at } : {}),
      ...(job.status === 'failed' ? { failed: 1 } : {}),
      ...(conditions.length ? { conditions } : {}),
      terminating: 0,
      uncountedTerminatedPods: {},
    },
  };
}

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function finishJob(world: World, w: Where, job: JobState): void {
  if (job.status !== 'running' || w.cluster.jobs.get(job.name) !== job) return;
  let result: JobResult;
  const handler = jobHandlers.find((h) => {
    try {
      return h.match(job);
    } catch {
      return false;
    }
  });
  try {
    result = handler
      ? handler.run(job, { world, stack: w.stack, site: w.site, siteWorld: w.siteWorld })
      : { succeeded: true, logs: 'ok' };
  } catch (err) {
    result = { succeeded: false, logs: `job ${job.name} failed: ${(err as Error).message}` };
  }
  job.status = result.succeeded ? 'succeeded' : 'failed';
  job.logs = result.logs;
  const extra = jobTimes.get(job);
  if (extra) extra.completedAt = world.now();
  const pod = w.cluster.pods.get(job.pod);
  if (pod) {
    pod.phase = result.succeeded ? 'Succeeded' : 'Failed';
    pod.ready = false;
  }
  w.cluster.resourceVersion++;
}

export function jobs(
  req: ServiceRequest,
  res: http.ServerResponse,
  world: World,
  w: Where,
  r: Route,
  mutation: (op: string, target: string) => void,
): void {
  const { cluster } = w;
  const method = req.method.toUpperCase();
  const ok = (body: unknown, code = 200, headers?: Record<string, string>) =>
    send(res, code, body as object, 'application/json', headers);
  const nsOk = r.namespace === undefined || r.namespace === cluster.namespace;
  if (!r.name) {
    if (method === 'GET') {
      const sel = req.url.searchParams.get('labelSelector');
      const items = () =>
        nsOk
          ? [...cluster.jobs.values()].filter((j) => selects(sel, j.labels)).map((j) => renderJob(w, j))
          : [];
      if (r.op.startsWith('watch')) return watchList(req, res, world, w, items, 'Job', 'batch/v1');
      return ok(listOrTable(req, world, 'Job', 'batch/v1', cluster.resourceVersion, items()));
    }
    if (method !== 'POST')
      throw new StatusError(405, 'MethodNotAllowed', `the sandbox does not allow ${method} on jobs`);
    const ct = String(req.headers['content-type'] ?? 'application/json')
      .split(';')[0]
      .trim();
    if (ct !== 'application/json') {
      throw new StatusError(
        415,
        'UnsupportedMediaType',
        `the sandbox accepts Job bodies as application/json only, not ${ct}`,
      );
    }
    let body: Record<string, unknown>;
    try {
      body = req.json();
    } catch {
      throw new StatusError(400, 'BadRequest', 'the Job body is not valid JSON');
    }
    const meta = (isObj(body.metadata) ? body.metadata : {}) as {
      name?: unknown;
      labels?: unknown;
      namespace?: unknown;
    };
    const name = typeof meta.name === 'string' ? meta.name : '';
    if (!name) throw invalid('Job', '', 'metadata.name: Required value: name is required');
    if (name.length > 63 || !NAME_RE.test(name)) {
      throw invalid(
        'Job',
        name,
        `metadata.name: Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain of at most 63 characters is expected`,
      );
    }
    if (!nsOk || (meta.namespace !== undefined && meta.namespace !== r.namespace)) {
      throw new StatusError(
        404,
        'NotFound',
        `namespaces "${String(meta.namespace ?? r.namespace)}" not found`,
      );
    }
    const spec = isObj(body.spec) ? body.spec : {};
    const containers = (spec.template as { spec?: { containers?: unknown } } | undefined)?.spec?.containers;
    if (!Array.isArray(containers) || containers.length === 0) {
      throw invalid(
        'Job',
        name,
        'spec.template.spec.containers: Required value: at least one container is expected',
      );
    }
    if (cluster.jobs.has(name)) {
      throw new StatusError(409, 'AlreadyExists', `jobs.batch "${name}" already exists`, {
        name,
        group: 'batch',
        kind: 'jobs',
      });
    }
    const labels = readStringMap('Job', name, 'metadata.labels', meta.labels);
    const now = world.now();
    const podName = `${name}-${Math.floor(world.random() * 0xffffff)
      .toString(36)
      .padStart(5, '0')
      .slice(0, 5)}`;
    const ready = cluster.nodes.filter((n) => n.ready);
    const job: JobState = {
      name,
      spec: body,
      labels,
      status: 'running',
      logs: '',
      createdAt: now,
      pod: podName,
    };
    jobTimes.set(job, { startedAt: now });
    cluster.jobs.set(name, job);
    // Pod Security admission (podsecurity.ts): the Job is accepted, its pod is not.
    const violations = restrictedViolations((spec.template as { spec?: object } | undefined)?.spec);
    const ns = cluster.namespaceLabels;
    const headers: Record<string, string> = {};
    if (violations.length && ns[WARN_LABEL] === 'restricted')
      // an HTTP quoted string: its inner quotes escaped with a backslash
      headers.warning = `299 - "${`would violate PodSecurity "restricted:latest": ${violations.join(', ')}`.replace(/"/g, '\\"')}"`;
    if (violations.length && ns[ENFORCE_LABEL] === 'restricted') {
      job.failedCreate = forbiddenMessage(podName, violations);
      cluster.resourceVersion++;
      mutation(r.op, `jobs/${name}`);
      return ok({ kind: 'Job', apiVersion: 'batch/v1', ...renderJob(w, job) }, 201, headers);
    }
    const templateLabels = ((spec.template as { metadata?: { labels?: Record<string, string> } }).metadata
      ?.labels ?? {}) as Record<string, string>;
    cluster.pods.set(podName, {
      name: podName,
      job: name,
      node: ready.length ? ready[Math.floor(world.random() * ready.length)].name : undefined,
      phase: 'Running',
      ready: true,
      labels: {
        ...templateLabels,
        'job-name': name,
        'batch.kubernetes.io/job-name': name,
        'controller-uid': uid(`${w.key}/job/${name}`),
      },
      createdAt: now,
    });
    cluster.resourceVersion++;
    world.schedule(world.duration(DURATIONS.job), () => finishJob(world, w, job));
    mutation(r.op, `jobs/${name}`);
    return ok({ kind: 'Job', apiVersion: 'batch/v1', ...renderJob(w, job) }, 201, headers);
  }
  const job = nsOk ? cluster.jobs.get(r.name) : undefined;
  if (!job) throw notFound('batch', 'jobs', r.name);
  if (method === 'GET')
    return ok(
      oneOrTable(req, world, cluster.resourceVersion, {
        kind: 'Job',
        apiVersion: 'batch/v1',
        ...renderJob(w, job),
      }),
    );
  if (method === 'DELETE') {
    let policy = req.url.searchParams.get('propagationPolicy') ?? undefined;
    if (req.body.length) {
      try {
        const opts = req.json<{ propagationPolicy?: string }>();
        policy = opts.propagationPolicy ?? policy;
      } catch {
        throw new StatusError(400, 'BadRequest', 'the DeleteOptions body is not valid JSON');
      }
    }
    if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
      throw new StatusError(
        400,
        'BadRequest',
        `propagationPolicy ${JSON.stringify(policy)} is not valid: expected Orphan, Background or Foreground`,
      );
    }
    const rendered = renderJob(w, job);
    cluster.jobs.delete(job.name);
    // batch/v1 jobs orphan their pods unless told otherwise (kubectl sends Background)
    if (policy === 'Background' || policy === 'Foreground') cluster.pods.delete(job.pod);
    cluster.resourceVersion++;
    mutation(r.op, `jobs/${job.name}`);
    if (policy === 'Foreground') return ok({ kind: 'Job', apiVersion: 'batch/v1', ...rendered });
    return ok({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: job.name, group: 'batch', kind: 'jobs', uid: rendered.metadata.uid },
    });
  }
  throw new StatusError(405, 'MethodNotAllowed', `the sandbox does not allow ${method} on job "${job.name}"`);
}
