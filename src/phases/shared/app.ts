/** The application's own HTTP endpoints: where a site's app answers, and one request to it. */
import { UserError, wrapSdkError } from '../../engine/errors.js';
import type { Plan, SiteName, Stack } from '../../plan/types.js';

/** The app URL of a site (its own, not through DNS). */
export function siteUrl(plan: Plan, stack: Stack, site: SiteName): string {
  const url =
    stack[site].app.url ??
    (site === 'primary' ? plan.doc.application.primaryUrl : plan.doc.application.drUrl);
  if (!url) {
    throw new UserError(
      `stacks.${site}.app.url is not set: the plan needs the ${site} site's application URL for this check.`,
    );
  }
  return url;
}

/** The public API URL of a stack (through its traffic switch). */
export function publicUrl(plan: Plan, stack: Stack): string {
  return stack.publicUrl ?? plan.doc.application.url;
}

export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
}

export interface HttpAnswer {
  status: number;
  body: any;
  text: string;
}

/** GET/POST an application endpoint with a timeout; errors wrapped as service "app". */
export async function appRequest(
  url: string,
  init: { method?: string; body?: unknown; token?: string; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  try {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: {
        accept: 'application/json',
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, body, text };
  } catch (err) {
    throw wrapSdkError('app', `${init.method ?? 'GET'} ${url}`, err);
  }
}
