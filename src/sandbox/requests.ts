/**
 * Request accounting of the sandbox: every request an emulated HTTP service receives, with its
 * arrival time, service, operation, how it was answered, and whether it changed data (the
 * invariant monitor logged a mutation while it was handled). From the log the sandbox reports
 * calls per service and operation and the peak request rate: the highest number of requests to a
 * service within any sliding one-second window, the figure Route 53's 5 requests a second limit
 * is about.
 */
import { peakInWindow } from '../engine/ratelimit.js';

/** How a request was answered. */
export type RequestOutcome =
  'ok' | 'client-error' | 'server-error' | 'throttle' | 'error' | 'reset' | 'timeout';

/** One request as the sandbox received it. */
export interface RequestRecord {
  /** Real ms time of arrival (epoch). */
  at: number;
  service: string;
  operation: string;
  outcome: RequestOutcome;
  /** HTTP status sent (absent for a reset or a timeout). */
  status?: number;
  /** The request changed the world (the invariant monitor recorded a mutation for it). */
  mutating: boolean;
}

/** Calls to one service within a time span. */
export interface ServiceCalls {
  total: number;
  /** Requests that changed nothing. */
  reads: number;
  /** Data-changing requests (as the invariant monitor logged them). */
  mutations: number;
  /** Answered with the service's throttling error (an injected fault). */
  throttled: number;
  /** Answered with any other error: 4xx, 5xx, injected error, reset or timeout. */
  errors: number;
  /** Highest number of requests within any sliding one-second window. */
  peakPerSecond: number;
  /** Requests per operation name. */
  operations: Record<string, number>;
}

/** The accounting of a time span: per service, and the span itself. */
export interface RequestSummary {
  /** Epoch ms of the span (inclusive from, exclusive to); absent = unbounded. */
  from?: number;
  to?: number;
  total: number;
  mutations: number;
  services: Record<string, ServiceCalls>;
}

/** The request log of one sandbox world. Services append to it through `startService`. */
export class RequestLog {
  readonly records: RequestRecord[] = [];

  /** Append one answered (or dropped) request. */
  record(r: RequestRecord): void {
    // Requests are recorded when they are answered; keep the log sorted by arrival.
    let i = this.records.length;
    while (i > 0 && this.records[i - 1].at > r.at) i--;
    this.records.splice(i, 0, r);
  }

  /** Requests that arrived in [from, to). */
  between(from?: number, to?: number): RequestRecord[] {
    return this.records.filter(
      (r) => (from === undefined || r.at >= from) && (to === undefined || r.at < to),
    );
  }

  /** Calls per service (total, reads, mutations, throttled, errors, peak per second, per operation) in [from, to). */
  summary(from?: number, to?: number): RequestSummary {
    const services: Record<string, ServiceCalls> = {};
    const times: Record<string, number[]> = {};
    let mutations = 0;
    const span = this.between(from, to);
    for (const r of span) {
      const s = (services[r.service] ??= {
        total: 0,
        reads: 0,
        mutations: 0,
        throttled: 0,
        errors: 0,
        peakPerSecond: 0,
        operations: {},
      });
      s.total++;
      if (r.mutating) {
        s.mutations++;
        mutations++;
      } else s.reads++;
      if (r.outcome === 'throttle') s.throttled++;
      else if (r.outcome !== 'ok') s.errors++;
      s.operations[r.operation] = (s.operations[r.operation] ?? 0) + 1;
      (times[r.service] ??= []).push(r.at);
    }
    for (const [name, s] of Object.entries(services)) s.peakPerSecond = peakInWindow(times[name]);
    const sorted = Object.fromEntries(
      Object.entries(services).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    return { from, to, total: span.length, mutations, services: sorted };
  }
}
