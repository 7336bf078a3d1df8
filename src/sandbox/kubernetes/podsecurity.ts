/**
 * Pod Security admission for the sandbox's namespace, the "restricted" level only, as
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/ defines it (the controls a
 * Job's pod template can get wrong): privileged containers, privilege escalation
 * (allowPrivilegeEscalation must be false), running as non-root (runAsNonRoot true on the pod or
 * every container), seccomp (RuntimeDefault or Localhost on the pod or every container) and
 * capabilities (drop ALL; add at most NET_BIND_SERVICE). Volume types, host namespaces and ports are
 * not checked: no pod of ours asks for them.
 *
 * Where it applies (https://kubernetes.io/docs/concepts/security/pod-security-admission/): the
 * namespace label `pod-security.kubernetes.io/enforce=restricted` rejects *pods*; "enforce mode is
 * not applied to workload resources, only to the resulting pod objects". A Job is therefore
 * accepted, and the Job controller's pod is refused: the Job never gets a pod and never finishes
 * (a FailedCreate event says `pods "…" is forbidden: violates PodSecurity "restricted:latest": …`).
 * The `warn` label returns that text as a Warning header on the Job's creation instead.
 */

interface SecurityContext {
  runAsNonRoot?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  seccompProfile?: { type?: string };
  capabilities?: { drop?: string[]; add?: string[] };
}

interface PodSpec {
  securityContext?: SecurityContext;
  containers?: { name?: string; securityContext?: SecurityContext }[];
  initContainers?: { name?: string; securityContext?: SecurityContext }[];
}

export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
export const WARN_LABEL = 'pod-security.kubernetes.io/warn';

const q = (names: string[]) => names.map((n) => `"${n}"`).join(', ');
const containersWord = (names: string[]) => (names.length === 1 ? 'container' : 'containers');

/** The violations of the restricted level, in the wording of the admission controller. */
export function restrictedViolations(pod: PodSpec | undefined): string[] {
  const all = [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])].map((c, i) => ({
    name: c.name ?? `container-${i}`,
    sc: c.securityContext ?? {},
  }));
  const podSc = pod?.securityContext ?? {};
  const out: string[] = [];
  const privileged = all.filter((c) => c.sc.privileged === true).map((c) => c.name);
  if (privileged.length)
    out.push(
      `privileged (${containersWord(privileged)} ${q(privileged)} must not set securityContext.privileged=true)`,
    );
  const escalation = all.filter((c) => c.sc.allowPrivilegeEscalation !== false).map((c) => c.name);
  if (escalation.length)
    out.push(
      `allowPrivilegeEscalation != false (${containersWord(escalation)} ${q(escalation)} must set securityContext.allowPrivilegeEscalation=false)`,
    );
  const caps = all
    .filter(
      (c) =>
        !(c.sc.capabilities?.drop ?? []).includes('ALL') ||
        (c.sc.capabilities?.add ?? []).some((a) => a !== 'NET_BIND_SERVICE'),
    )
    .map((c) => c.name);
  if (caps.length)
    out.push(
      `unrestricted capabilities (${containersWord(caps)} ${q(caps)} must set securityContext.capabilities.drop=["ALL"])`,
    );
  const root = all
    .filter((c) => c.sc.runAsNonRoot === false || (c.sc.runAsNonRoot !== true && podSc.runAsNonRoot !== true))
    .map((c) => c.name);
  if (root.length)
    out.push(
      `runAsNonRoot != true (pod or ${containersWord(root)} ${q(root)} must set securityContext.runAsNonRoot=true)`,
    );
  const okSeccomp = (t?: string) => t === 'RuntimeDefault' || t === 'Localhost';
  const seccomp = all
    .filter((c) =>
      c.sc.seccompProfile?.type !== undefined
        ? !okSeccomp(c.sc.seccompProfile.type)
        : !okSeccomp(podSc.seccompProfile?.type),
    )
    .map((c) => c.name);
  if (seccomp.length)
    out.push(
      `seccompProfile (pod or ${containersWord(seccomp)} ${q(seccomp)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`,
    );
  return out;
}

/** The admission's message for a pod, as its FailedCreate event and a Warning header carry it. */
export function forbiddenMessage(pod: string, violations: string[]): string {
  return `pods "${pod}" is forbidden: violates PodSecurity "restricted:latest": ${violations.join(', ')}`;
}
