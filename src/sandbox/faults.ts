/**
 * Fault injection shared by every emulated service. A fault matches a service and optionally an
 * operation and a target (one Kubernetes cluster), and fires at a rate (0..1) or on the Nth
 * matching call, a limited number of times. Each emulator renders `throttle` and `error` in its
 * own service's wire format (an `error` of status 403 or 404 as that service's permission-denied
 * or not-found answer).
 *
 * - `reset`: the connection is destroyed before anything is done (nothing changed).
 * - `timeout`: the connection is accepted and never answered.
 * - `slow`: the answer comes `delayMs` late.
 * - `lost`: the request is carried out (a mutation lands) and then the connection is destroyed
 *   before the answer leaves: "did my first call land?" is the client's to find out.
 * - `echo`: an error answer (`status`, default 400) whose body reflects the request whole: its
 *   method and URL with the query, every header (Authorization included) and the body. No cloud
 *   documents this; it stands for a gateway, a proxy or a debug endpoint that reflects what it
 *   got, as HTTP TRACE does (https://www.rfc-editor.org/rfc/rfc9110#section-9.3.8), so that a
 *   test can prove no credential of a request reaches our output through an SDK's error message.
 */
export type FaultKind = 'throttle' | 'error' | 'reset' | 'timeout' | 'slow' | 'lost' | 'echo';

export interface FaultSpec {
  /** Service key: rds, route53, eks, arm, sqladmin, clouddns, container, kubernetes, app, dns. */
  service: string;
  /** Operation name as the emulator calls it (e.g. RebootDBInstance, ChangeResourceRecordSets); omitted = any. */
  operation?: string;
  /** Several operations sharing one count ("3 in a row" across the calls of one service); omitted = any. */
  operations?: string[];
  /** What the request is for, where the emulator tells (kubernetes: the cluster, `aws-primary`); omitted = any. */
  target?: string;
  kind: FaultKind;
  /** Probability per matching call. */
  rate?: number;
  /** Fire on exactly the Nth matching call (1-based). */
  nth?: number;
  /** Fire at most this many times (default: unlimited for rate, 1 for nth). */
  times?: number;
  /** For slow: added delay in ms. For throttle: Retry-After seconds to advertise. */
  delayMs?: number;
  retryAfterSeconds?: number;
  /** For error: HTTP status (default 503). */
  status?: number;
}

interface ActiveFault extends FaultSpec {
  seen: number;
  fired: number;
}

export interface FaultHit {
  kind: FaultKind;
  spec: FaultSpec;
}

export class FaultRegistry {
  private faults: ActiveFault[] = [];
  readonly log: { at: string; service: string; operation: string; kind: FaultKind }[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  private listeners: ((e: { type: 'add'; spec: FaultSpec } | { type: 'clear' }) => void)[] = [];

  add(spec: FaultSpec): void {
    validateFault(spec);
    this.faults.push({ ...spec, seen: 0, fired: 0 });
    for (const l of this.listeners) l({ type: 'add', spec: { ...spec } });
  }

  clear(): void {
    this.faults = [];
    for (const l of this.listeners) l({ type: 'clear' });
  }

  /** Told of every fault added and every clear (the /metrics worker keeps its own copy). */
  onChange(fn: (e: { type: 'add'; spec: FaultSpec } | { type: 'clear' }) => void): () => void {
    this.listeners.push(fn);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== fn);
    };
  }

  list(): FaultSpec[] {
    return this.faults.map(({ seen: _s, fired: _f, ...spec }) => spec);
  }

  /** Called by an emulator for each call; returns the fault to apply, if any. */
  check(service: string, operation: string, target?: string): FaultHit | undefined {
    for (const f of this.faults) {
      if (f.service !== service) continue;
      if (f.operation && f.operation !== operation) continue;
      if (f.operations && !f.operations.includes(operation)) continue;
      if (f.target && f.target !== target) continue;
      f.seen++;
      const limit = f.times ?? (f.nth !== undefined ? 1 : Infinity);
      if (f.fired >= limit) continue;
      const fire = f.nth !== undefined ? f.seen === f.nth : this.random() < (f.rate ?? 1);
      if (!fire) continue;
      f.fired++;
      this.log.push({ at: new Date().toISOString(), service, operation, kind: f.kind });
      return { kind: f.kind, spec: f };
    }
    return undefined;
  }
}

const KINDS: FaultKind[] = ['throttle', 'error', 'reset', 'timeout', 'slow', 'lost', 'echo'];

export function validateFault(spec: FaultSpec): void {
  if (!spec || typeof spec.service !== 'string' || spec.service.length === 0) {
    throw new Error('fault.service is missing: expected a service key such as rds, route53 or kubernetes.');
  }
  if (!KINDS.includes(spec.kind)) {
    throw new Error(`fault.kind is ${JSON.stringify(spec.kind)}: expected one of ${KINDS.join(', ')}.`);
  }
  if (spec.rate !== undefined && !(spec.rate >= 0 && spec.rate <= 1)) {
    throw new Error(`fault.rate is ${spec.rate}: expected a number from 0 to 1.`);
  }
  if (spec.nth !== undefined && !(Number.isInteger(spec.nth) && spec.nth >= 1)) {
    throw new Error(`fault.nth is ${spec.nth}: expected a whole number from 1.`);
  }
}
