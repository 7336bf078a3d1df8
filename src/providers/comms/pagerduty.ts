/**
 * PagerDuty through its official JavaScript client (@pagerduty/pdjs) and the Events API v2:
 * POST /v2/enqueue with the routing key of the service, an event_action (trigger, resolve; never
 * acknowledge: an automatic acknowledge would silence the page a human must answer), one
 * dedup_key per incident so a second trigger joins the same alert and the resolve closes it, and
 * a payload (summary up to 1024 characters, source, severity critical|error|warning|info,
 * timestamp, component, group, class, custom_details). Answered 202 {status, message, dedup_key};
 * 400 "invalid event" with errors; 429 when throttled
 * (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/,
 * https://developer.pagerduty.com/docs/events-api-v2/resolve-events/).
 *
 * pdjs always speaks https to `server` (events.pagerduty.com by default); `url` overrides the
 * server (https://host:port). An extra CA (a private endpoint, the sandbox) comes from the PEM
 * file named by AEGIS_DR_EXTRA_CA.
 */
import fs from 'node:fs';
import https from 'node:https';
import { event } from '@pagerduty/pdjs';

type Severity = 'critical' | 'error' | 'warning' | 'info';
import { ProviderError } from '../../engine/errors.js';

export interface PagerDutyEvent {
  action: 'trigger' | 'resolve';
  dedupKey: string;
  summary: string;
  source: string;
  severity?: Severity;
  component?: string;
  group?: string;
  className?: string;
  details?: Record<string, unknown>;
  links?: { href: string; text?: string }[];
}

export class PagerDutyClient {
  private readonly server?: string;
  private readonly agent?: https.Agent;

  constructor(
    private readonly routingKey: string,
    opts: { url?: string; timeoutMs?: number } = {},
  ) {
    this.server = opts.url ? new URL(opts.url).host : undefined;
    const ca = process.env.AEGIS_DR_EXTRA_CA;
    if (ca) this.agent = new https.Agent({ ca: fs.readFileSync(ca) });
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  private readonly timeoutMs: number;

  /** Send one event; returns the dedup key PagerDuty answered with. */
  async send(e: PagerDutyEvent): Promise<string> {
    const data = {
      routing_key: this.routingKey,
      event_action: e.action,
      dedup_key: e.dedupKey,
      payload: {
        summary: e.summary.slice(0, 1024),
        source: e.source,
        severity: e.severity ?? 'critical',
        timestamp: new Date().toISOString(),
        component: e.component,
        group: e.group,
        class: e.className,
        custom_details: e.details,
      },
      links: e.links,
    };
    let res: Awaited<ReturnType<typeof event>>;
    try {
      res = await event({
        data: data as never,
        server: this.server,
        requestTimeout: this.timeoutMs,
        // node-fetch (through cross-fetch) takes an agent: the extra CA, when one is configured
        ...(this.agent ? ({ agent: this.agent } as object) : {}),
      });
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err as Error).name;
      throw new ProviderError({
        service: 'pagerduty',
        operation: `enqueue:${e.action}`,
        code,
        message: `PagerDuty Events API could not be reached (${code}: ${(err as Error).message.replace(this.routingKey, '***')})`,
      });
    }
    const body = (res.data ?? {}) as {
      status?: string;
      message?: string;
      dedup_key?: string;
      errors?: string[];
    };
    if (res.status !== 202) {
      throw new ProviderError({
        service: 'pagerduty',
        operation: `enqueue:${e.action}`,
        status: res.status,
        retryAfterMs: res.headers.get('retry-after')
          ? Number(res.headers.get('retry-after')) * 1000
          : undefined,
        message: `PagerDuty answered ${res.status} ${body.status ?? ''}: ${body.message ?? ''}${body.errors ? ` (${body.errors.join('; ')})` : ''}`,
      });
    }
    return body.dedup_key ?? e.dedupKey;
  }
}
