/**
 * A small DNS client that asks a zone's authoritative server directly, like `dig @ns`: what the
 * zone serves right now, not what some cache still remembers. UDP first, TCP when the answer is
 * truncated (or when asked). Without an explicit server it finds the zone's NS through the system
 * resolver (walking up the labels) and queries the NS host on port 53.
 *
 * Errors (timeouts, refused connections, malformed answers) are wrapped with
 * `wrapSdkError('dns', 'query', err)` so the engine classifies them; a DNS rcode (NXDOMAIN,
 * SERVFAIL, REFUSED) is returned, not thrown: the caller decides what it means.
 */
import dgram from 'node:dgram';
import { promises as dnsPromises } from 'node:dns';
import net from 'node:net';
import dnsPacket, { type Answer, type Packet } from 'dns-packet';
import { wrapSdkError } from '../../engine/errors.js';

export interface DnsServerAddress {
  host: string;
  port: number;
}

export interface QueryOptions {
  /** Ask this server instead of the zone's authoritative NS found through the system resolver. */
  server?: DnsServerAddress;
  /** Per attempt (UDP, then TCP), default 3000 ms. */
  timeoutMs?: number;
  /** Skip UDP and ask over TCP. */
  tcp?: boolean;
}

export interface DnsAnswer {
  name: string;
  type: string;
  ttl: number;
  /** A/AAAA address, CNAME/NS target, TXT text, SOA as dig prints it (mname rname serial refresh retry expire minimum). */
  data: string;
}

export interface DnsResult {
  rcode: string;
  answers: DnsAnswer[];
  /** Authority section (the SOA of a negative answer). */
  authorities: DnsAnswer[];
  authoritative: boolean;
  /** Server that answered, host:port. */
  server: string;
  transport: 'udp' | 'tcp';
}

class DnsTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(message: string) {
    super(message);
    this.name = 'DnsTimeoutError';
  }
}

function dataOf(a: Answer): string {
  const d = a.data;
  switch (a.type) {
    case 'SOA':
      return `${d.mname} ${d.rname} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
    case 'TXT':
      return (Array.isArray(d) ? d : [d])
        .map((x: unknown) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)))
        .join('');
    case 'MX':
      return `${d.preference} ${d.exchange}`;
    default:
      return Buffer.isBuffer(d) ? d.toString('hex') : String(d);
  }
}

function toAnswers(list: Answer[] | undefined): DnsAnswer[] {
  return (list ?? []).map((a) => ({ name: a.name, type: a.type, ttl: a.ttl ?? 0, data: dataOf(a) }));
}

function udpQuery(packet: Buffer, id: number, server: DnsServerAddress, timeoutMs: number): Promise<Packet> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(
        new DnsTimeoutError(`no answer from ${server.host}:${server.port} over UDP within ${timeoutMs} ms`),
      );
    }, timeoutMs);
    sock.on('error', (err) => {
      clearTimeout(timer);
      sock.close();
      reject(err);
    });
    sock.on('message', (msg) => {
      let p: Packet;
      try {
        p = dnsPacket.decode(msg);
      } catch {
        return; // not ours / garbage: keep waiting
      }
      if (p.id !== id) return;
      clearTimeout(timer);
      sock.close();
      resolve(p);
    });
    sock.send(packet, server.port, server.host);
  });
}

function tcpQuery(packet: Buffer, server: DnsServerAddress, timeoutMs: number): Promise<Packet> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: server.host, port: server.port });
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (err: unknown, p?: Packet) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(p!);
    };
    const timer = setTimeout(
      () =>
        finish(
          new DnsTimeoutError(`no answer from ${server.host}:${server.port} over TCP within ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    sock.on('connect', () => {
      const head = Buffer.alloc(2);
      head.writeUInt16BE(packet.length);
      sock.write(Buffer.concat([head, packet]));
    });
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        try {
          finish(undefined, dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        } catch (err) {
          finish(err);
        }
      }
    });
    sock.on('error', (err) => finish(err));
    sock.on('close', () =>
      finish(
        Object.assign(
          new Error(`${server.host}:${server.port} closed the TCP connection without answering`),
          { code: 'ECONNRESET' },
        ),
      ),
    );
  });
}

function norm(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/**
 * The authoritative server of `name`'s zone, found through the system resolver: the closest
 * enclosing name that has NS records, then the first NS host's address.
 */
export async function findAuthoritativeServer(name: string): Promise<DnsServerAddress> {
  const labels = norm(name).split('.');
  for (let i = 0; i < labels.length - 1; i++) {
    const candidate = labels.slice(i).join('.');
    let ns: string[];
    try {
      ns = await dnsPromises.resolveNs(candidate);
    } catch {
      continue;
    }
    for (const host of ns) {
      try {
        const { address } = await dnsPromises.lookup(host);
        return { host: address, port: 53 };
      } catch {
        // try the next NS host
      }
    }
  }
  throw Object.assign(
    new Error(`no authoritative name server found for ${name} through the system resolver`),
    { code: 'ENOTFOUND' },
  );
}

/** Ask for `name`/`type` and return the answer as the authoritative server gave it. */
export async function queryDns(name: string, type: string, opts: QueryOptions = {}): Promise<DnsResult> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  try {
    const server = opts.server ?? (await findAuthoritativeServer(name));
    const id = Math.floor(Math.random() * 0xffff);
    const packet = dnsPacket.encode({
      id,
      type: 'query',
      flags: 0, // no recursion: ask the authority itself
      questions: [{ type: type.toUpperCase(), name: norm(name), class: 'IN' }],
    });
    let transport: 'udp' | 'tcp' = opts.tcp ? 'tcp' : 'udp';
    let answer =
      transport === 'udp'
        ? await udpQuery(packet, id, server, timeoutMs)
        : await tcpQuery(packet, server, timeoutMs);
    if (transport === 'udp' && answer.flag_tc) {
      transport = 'tcp';
      answer = await tcpQuery(packet, server, timeoutMs);
    }
    return {
      rcode: answer.rcode ?? 'NOERROR',
      answers: toAnswers(answer.answers),
      authorities: toAnswers(answer.authorities),
      authoritative: answer.flag_aa === true,
      server: `${server.host}:${server.port}`,
      transport,
    };
  } catch (err) {
    throw wrapSdkError('dns', 'query', err);
  }
}

export interface ChainResult {
  /** The name asked for. */
  name: string;
  /** Final rcode (of the last query made). */
  rcode: string;
  /** Every CNAME hop, in order. */
  chain: DnsAnswer[];
  /** The final records of the wanted type (A by default). */
  answers: DnsAnswer[];
  /** The name the chain ends at. */
  final: string;
  /** Smallest TTL along the chain (how long a resolver may keep this answer). */
  minTtl: number | undefined;
}

/**
 * Resolve `name` to its final records, following CNAMEs (including across zones, asking each
 * zone's own authority when no server is given). Stops after 8 hops.
 */
export async function resolveChain(
  name: string,
  opts: QueryOptions & { type?: string } = {},
): Promise<ChainResult> {
  const type = (opts.type ?? 'A').toUpperCase();
  const chain: DnsAnswer[] = [];
  let current = norm(name);
  let rcode = 'NOERROR';
  for (let hop = 0; hop < 8; hop++) {
    const res = await queryDns(current, type, opts);
    rcode = res.rcode;
    if (rcode !== 'NOERROR') break;
    // walk the answer's own chain first
    const before = chain.length;
    let followed = true;
    while (followed) {
      followed = false;
      const finals = res.answers.filter((a) => norm(a.name) === current && a.type === type);
      if (finals.length > 0) {
        return result(name, rcode, chain, finals, current);
      }
      const cname = res.answers.find((a) => norm(a.name) === current && a.type === 'CNAME');
      if (cname) {
        chain.push(cname);
        current = norm(cname.data);
        followed = true;
      }
    }
    if (chain.length === before) break; // no answer and no CNAME: NODATA
  }
  return result(name, rcode, chain, [], current);
}

function result(
  name: string,
  rcode: string,
  chain: DnsAnswer[],
  answers: DnsAnswer[],
  final: string,
): ChainResult {
  const ttls = [...chain, ...answers].map((a) => a.ttl);
  return {
    name: norm(name),
    rcode,
    chain,
    answers,
    final,
    minTtl: ttls.length ? Math.min(...ttls) : undefined,
  };
}
