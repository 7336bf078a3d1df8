/**
 * The common frame of every emulated HTTP service: a server on 127.0.0.1, the request body read
 * whole, the world settled before each request, and the generic faults (reset, timeout, slow)
 * applied. Throttling and server errors are rendered by each service in its own wire format.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { FaultHit, FaultRegistry } from './faults.js';
import type { RequestOutcome } from './requests.js';
import type { World } from './world.js';

export interface ServiceRequest {
  method: string;
  url: URL;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  json<T = any>(): T;
  raw: http.IncomingMessage;
}

export interface ServiceContext {
  world: World;
  faults: FaultRegistry;
  /**
   * Permission enforcement (./iam.ts): answers a request its caller may not make with the cloud's
   * denial and returns true; absent or false, the request goes on.
   */
  authorize?(service: string, req: ServiceRequest, res: http.ServerResponse, operation: string): boolean;
}

export interface ServiceDef {
  /** Fault key and name in endpoints.json (rds, route53, eks, arm, sqladmin, clouddns, container, app, kubernetes). */
  name: string;
  /** Operation name of a request, for faults and the mutation log. */
  operation(req: ServiceRequest): string;
  /** What a request is for, for faults aimed at one target (kubernetes: the cluster, `aws-primary`). */
  target?(req: ServiceRequest): string | undefined;
  handle(req: ServiceRequest, res: http.ServerResponse, ctx: ServiceContext): Promise<void> | void;
  /** Render the service's own throttling error (status 429/400/503 and body as the real service). */
  renderThrottle(req: ServiceRequest, res: http.ServerResponse, hit: FaultHit): void;
  /** Render a server error in the service's own format. */
  renderError(req: ServiceRequest, res: http.ServerResponse, hit: FaultHit): void;
  /** Leave this service's requests out of the request accounting (the sandbox's control API). */
  unaccounted?: boolean;
}

/** The request being handled, so a mutation logged by the monitor marks it data-changing. */
const current = new AsyncLocalStorage<{ mutating: boolean }>();

export interface RunningService {
  name: string;
  url: string;
  port: number;
  server: http.Server;
  close(): Promise<void>;
}

export function send(
  res: http.ServerResponse,
  status: number,
  body: string | Buffer | object,
  contentType?: string,
  headers: Record<string, string> = {},
): void {
  const isObj = typeof body === 'object' && !Buffer.isBuffer(body);
  const payload = isObj ? JSON.stringify(body) : body;
  res.writeHead(status, {
    'content-type': contentType ?? (isObj ? 'application/json' : 'text/plain'),
    'content-length': String(Buffer.byteLength(payload)),
    ...headers,
  });
  res.end(payload);
}

export async function startService(
  def: ServiceDef,
  ctx: ServiceContext,
  opts: { port?: number; host?: string; tls?: { key: Buffer; cert: Buffer } } = {},
): Promise<RunningService> {
  const sockets = new Set<Socket>();
  const monitor = ctx.world.monitor;
  if (!monitor.onMutation) {
    monitor.onMutation = () => {
      const req = current.getStore();
      if (req) req.mutating = true;
    };
  }
  const onRequest = (raw: http.IncomingMessage, res: http.ServerResponse) => {
    const arrived = Date.now();
    const chunks: Buffer[] = [];
    raw.on('data', (c: Buffer) => chunks.push(c));
    raw.on('end', () => {
      const mark = { mutating: false };
      void current.run(mark, () => dispatch(raw, Buffer.concat(chunks), res, arrived, mark));
    });
  };
  // https only where a client insists on it (PagerDuty's pdjs); the rest speak plain http
  const server: http.Server = opts.tls
    ? https.createServer(opts.tls, onRequest)
    : http.createServer(onRequest);
  const scheme = opts.tls ? 'https' : 'http';
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function dispatch(
    raw: http.IncomingMessage,
    body: Buffer,
    res: http.ServerResponse,
    arrived: number,
    mark: { mutating: boolean },
  ) {
    let operation = '(unknown)';
    let outcome: RequestOutcome | undefined;
    const account = () => {
      if (def.unaccounted) return;
      // A request whose socket was destroyed unanswered (an unreachable region) counts as a reset.
      const answered = res.headersSent && outcome !== 'reset' && outcome !== 'timeout';
      const status = answered ? res.statusCode : undefined;
      const o: RequestOutcome =
        outcome ??
        (status === undefined
          ? 'reset'
          : status < 400
            ? 'ok'
            : status >= 500
              ? 'server-error'
              : 'client-error');
      ctx.world.requests.record({
        at: arrived,
        service: def.name,
        operation,
        outcome: o,
        status,
        mutating: mark.mutating,
      });
    };
    // Counted once the exchange is over (answered, reset, or abandoned by the client).
    res.once('close', account);
    const url = new URL(raw.url ?? '/', 'http://127.0.0.1');
    const req: ServiceRequest = {
      method: raw.method ?? 'GET',
      url,
      path: url.pathname,
      headers: raw.headers,
      body,
      text: () => body.toString('utf8'),
      json: () => (body.length ? JSON.parse(body.toString('utf8')) : {}),
      raw,
    };
    try {
      ctx.world.settle();
      const op = def.operation(req);
      operation = op;
      // authorization comes before the service does anything, faults included
      if (ctx.authorize?.(def.name, req, res, op)) {
        outcome = 'client-error';
        return;
      }
      const hit = ctx.faults.check(def.name, op, def.target?.(req));
      if (hit) {
        switch (hit.kind) {
          case 'reset':
            outcome = 'reset';
            raw.socket.destroy();
            return;
          case 'timeout':
            outcome = 'timeout';
            return; // never answer; the client's timeout fires
          case 'slow':
            await new Promise((r) => setTimeout(r, hit.spec.delayMs ?? 2000));
            break;
          case 'throttle':
            outcome = 'throttle';
            def.renderThrottle(req, res, hit);
            return;
          case 'error':
            outcome = 'error';
            def.renderError(req, res, hit);
            return;
          case 'echo':
            outcome = 'error';
            send(res, hit.spec.status ?? 400, {
              error: 'request rejected',
              request: {
                method: req.method,
                url: raw.url,
                headers: raw.headers,
                body: req.text(),
              },
            });
            return;
          case 'lost': {
            // Carry the request out against a response that is never sent (it buffers, with no
            // socket), then drop the connection: the change landed, the answer did not.
            outcome = 'reset';
            const sink = new http.ServerResponse(raw);
            await def.handle(req, sink, ctx);
            ctx.world.settle();
            raw.socket.destroy();
            return;
          }
        }
      }
      await def.handle(req, res, ctx);
      ctx.world.settle();
    } catch (err) {
      if (!res.headersSent) send(res, 500, { error: (err as Error).message });
      else res.end();
    }
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    name: def.name,
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
