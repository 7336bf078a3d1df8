/**
 * Pod Security "restricted" in the sandbox's Kubernetes, as a hardened namespace enforces it
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/,
 * https://kubernetes.io/docs/concepts/security/pod-security-admission/): the controls a Job's pod
 * template can break, table-driven; a bare Job is accepted and its pod refused (it never runs);
 * the integrity and sync Jobs aegis-dr creates run there.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BatchV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { loadPlan } from '../../src/plan/load.js';
import { createEnvironment } from '../../src/phases/environment.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { ENFORCE_LABEL, restrictedViolations } from '../../src/sandbox/kubernetes/podsecurity.js';
import { until } from '../support/wait.js';

const RESTRICTED = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [
    {
      name: 'c',
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    },
  ],
};

describe('restrictedViolations', () => {
  it.each([
    ['a pod that meets the level', RESTRICTED, []],
    [
      'a bare pod',
      { containers: [{ name: 'c' }] },
      [
        'allowPrivilegeEscalation != false',
        'unrestricted capabilities',
        'runAsNonRoot != true',
        'seccompProfile',
      ],
    ],
    [
      'runAsNonRoot false on the container overrides the pod',
      {
        ...RESTRICTED,
        containers: [
          {
            ...RESTRICTED.containers[0],
            securityContext: { ...RESTRICTED.containers[0].securityContext, runAsNonRoot: false },
          },
        ],
      },
      ['runAsNonRoot != true'],
    ],
    [
      'Unconfined seccomp',
      { ...RESTRICTED, securityContext: { runAsNonRoot: true, seccompProfile: { type: 'Unconfined' } } },
      ['seccompProfile'],
    ],
    [
      'a capability added beyond NET_BIND_SERVICE',
      {
        ...RESTRICTED,
        containers: [
          {
            name: 'c',
            securityContext: {
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] },
            },
          },
        ],
      },
      ['unrestricted capabilities'],
    ],
    [
      'a privileged container',
      {
        ...RESTRICTED,
        containers: [
          { name: 'c', securityContext: { ...RESTRICTED.containers[0].securityContext, privileged: true } },
        ],
      },
      ['privileged'],
    ],
  ])('%s', (_case, pod, controls) => {
    expect(restrictedViolations(pod as never).map((v) => v.split(' (')[0])).toEqual(controls);
  });
});

describe('the sandbox namespaces, labelled pod-security.kubernetes.io/enforce=restricted', () => {
  let sandbox: Sandbox;
  let work: string;
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-pss-'));
    sandbox = await startSandbox({ outDir: work, speed: 1000, prometheus: 'builtin', clouds: ['gcp'] });
  }, 60_000);
  afterAll(async () => {
    await sandbox?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  function clients() {
    const kc = new KubeConfig();
    kc.loadFromFile(sandbox.kubeconfigFile!);
    kc.setCurrentContext('gcp-primary');
    return { core: kc.makeApiClient(CoreV1Api), batch: kc.makeApiClient(BatchV1Api) };
  }

  it('shows the label, accepts a bare Job and never gives it a pod', async () => {
    const { core, batch } = clients();
    const ns = (await core.readNamespace({ name: 'aegis' })).metadata?.labels ?? {};
    expect(ns[ENFORCE_LABEL]).toBe('restricted');
    const created = await batch.createNamespacedJob({
      namespace: 'aegis',
      body: {
        metadata: { name: 'bare' },
        spec: {
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
        },
      },
    });
    expect(created.metadata?.name).toBe('bare');
    const job = await batch.readNamespacedJob({ name: 'bare', namespace: 'aegis' });
    expect([job.status?.active, job.status?.succeeded, job.status?.conditions]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    const pods = await core.listNamespacedPod({ namespace: 'aegis', labelSelector: 'job-name=bare' });
    expect(pods.items).toEqual([]);
    expect(sandbox.world.stack('gcp').sites.primary.cluster.jobs.get('bare')?.failedCreate).toMatch(
      /^pods "bare-[a-z0-9]+" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false/,
    );
  }, 60_000);

  it('runs the Job aegis-dr creates (integrity check, sync) to completion', async () => {
    const plan = await loadPlan(sandbox.planFile!);
    const cluster = await createEnvironment(plan).cluster('gcp', 'primary');
    await cluster.runJob({
      name: 'aegis-integrity-pss',
      image: 'registry.example/aegis:1',
      command: ['./aegis', 'db', 'check-integrity'],
    });
    const st = await until(
      () => cluster.job('aegis-integrity-pss'),
      (s) => s?.done === true,
      30_000,
    );
    expect(st?.succeeded).toBe(true);
  }, 60_000);
});
