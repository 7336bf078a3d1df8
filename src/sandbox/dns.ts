/**
 * An authoritative DNS server for the sandbox's zones, on 127.0.0.1 over UDP and TCP (same port).
 *
 * It serves each stack's zone (`traffic.record.zone`): SOA, NS (ns1.<zone> -> 127.0.0.1), the
 * traffic record itself (CNAME or A, values and TTL read live from the world, so a change made
 * through Route 53 / Traffic Manager / Cloud DNS is visible at once), and an A record of
 * 127.0.0.1 for every site target name. Unknown names inside a zone get NXDOMAIN with the SOA;
 * names outside every zone get REFUSED, as an authoritative-only server answers.
 *
 * Faults: `faults.check('dns', qtype)`: timeout = no answer, error = SERVFAIL, reset = TCP
 * connection closed (UDP: no answer).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Answer, type Packet } from 'dns-packet';
import type { FaultRegistry } from './faults.js';
import { type World, SITES } from './world.js';

/** Negative-caching TTL (SOA minimum) of every zone, in seconds. */
export const SOA_MINIMUM_TTL = 60;
/** TTL of the site target A records and NS records, in seconds. */
export const TARGET_TTL = 60;
export const NS_TTL = 3600;
export const LOOPBACK = '127.0.0.1';

const RCODES: Record<string, number> = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
};

export interface DnsServerOptions {
  port?: number;
  faults?: FaultRegistry;
  /** Largest UDP answer before it is truncated (TC bit; the client retries over TCP). Default 512. */
  udpMaxSize?: number;
}

export interface RunningDnsServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

function norm(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function inZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith('.' + zone);
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

interface ZoneData {
  zone: string;
  /** name -> records at that name */
  names: Map<string, Answer[]>;
}

/** Build the zones from the world's current state. */
export function buildZones(world: World): ZoneData[] {
  const zones = new Map<string, ZoneData>();
  const zoneOf = (name: string): ZoneData | undefined => {
    let best: ZoneData | undefined;
    for (const z of zones.values())
      if (inZone(name, z.zone) && (!best || z.zone.length > best.zone.length)) best = z;
    return best;
  };
  const add = (z: ZoneData, rr: Answer) => {
    const n = norm(rr.name);
    const list = z.names.get(n) ?? [];
    list.push({ ...rr, name: n, class: 'IN' });
    z.names.set(n, list);
  };
  for (const stack of world.stacks.values()) {
    const zone = norm(stack.traffic.record.zone);
    if (!zones.has(zone)) zones.set(zone, { zone, names: new Map() });
  }
  // a target outside every zone gets the zone of its last two labels
  const targets = new Set<string>();
  for (const stack of world.stacks.values()) for (const s of SITES) targets.add(norm(stack.sites[s].target));
  for (const t of targets) {
    if (!zoneOf(t)) {
      const zone = t.split('.').slice(-2).join('.');
      zones.set(zone, { zone, names: new Map() });
    }
  }
  for (const z of zones.values()) {
    add(z, {
      type: 'SOA',
      name: z.zone,
      ttl: SOA_MINIMUM_TTL,
      data: {
        mname: `ns1.${z.zone}`,
        rname: `hostmaster.${z.zone}`,
        serial: serialOf(world, z.zone),
        refresh: 7200,
        retry: 900,
        expire: 1209600,
        minimum: SOA_MINIMUM_TTL,
      },
    });
    add(z, { type: 'NS', name: z.zone, ttl: NS_TTL, data: `ns1.${z.zone}` });
  }
  for (const z of zones.values()) {
    const ns = `ns1.${z.zone}`;
    const owner = zoneOf(ns);
    if (owner) add(owner, { type: 'A', name: ns, ttl: NS_TTL, data: LOOPBACK });
  }
  for (const t of targets) {
    const z = zoneOf(t);
    if (z) add(z, { type: 'A', name: t, ttl: TARGET_TTL, data: LOOPBACK });
  }
  for (const stack of world.stacks.values()) {
    const rec = stack.traffic.record;
    const z = zoneOf(norm(rec.name));
    if (!z) continue;
    const type = rec.type.toUpperCase();
    for (const v of rec.values) {
      if (type === 'CNAME') add(z, { type: 'CNAME', name: rec.name, ttl: rec.ttl, data: norm(v) });
      else if (type === 'A')
        add(z, { type: 'A', name: rec.name, ttl: rec.ttl, data: IPV4.test(v) ? v : LOOPBACK });
      else if (type === 'TXT') add(z, { type: 'TXT', name: rec.name, ttl: rec.ttl, data: v });
    }
  }
  return [...zones.values()];
}

/** Zone serial: grows by one each time the zone's traffic records change. */
const serials = new WeakMap<World, Map<string, { fingerprint: string; serial: number }>>();
function serialOf(world: World, zone: string): number {
  let m = serials.get(world);
  if (!m) {
    m = new Map();
    serials.set(world, m);
  }
  const fingerprint = JSON.stringify(
    [...world.stacks.values()]
      .filter((s) => norm(s.traffic.record.zone) === zone)
      .map((s) => s.traffic.record),
  );
  const cur = m.get(zone);
  if (!cur) {
    const s = { fingerprint, serial: 2026110101 };
    m.set(zone, s);
    return s.serial;
  }
  if (cur.fingerprint !== fingerprint) {
    cur.fingerprint = fingerprint;
    cur.serial++;
  }
  return cur.serial;
}

/** Answer one query from the world's current state. */
export function answerQuery(world: World, query: Packet): Packet {
  const q = query.questions?.[0];
  const base = { id: query.id ?? 0, type: 'response' as const, questions: query.questions ?? [] };
  if (!q) return { ...base, flags: RCODES.FORMERR };
  const name = norm(q.name);
  const qtype = q.type.toUpperCase();
  const zones = buildZones(world);
  let zone: ZoneData | undefined;
  for (const z of zones) if (inZone(name, z.zone) && (!zone || z.zone.length > zone.zone.length)) zone = z;
  if (!zone) return { ...base, flags: RCODES.REFUSED };
  const lookup = (n: string): { zone: ZoneData; records: Answer[] } | undefined => {
    for (const z of zones) {
      const r = z.names.get(n);
      if (r) return { zone: z, records: r };
    }
    return undefined;
  };
  const soa = zone.names.get(zone.zone)!.filter((r) => r.type === 'SOA');
  const aa = dnsPacket.AUTHORITATIVE_ANSWER;
  const records = zone.names.get(name);
  if (!records) return { ...base, flags: aa | RCODES.NXDOMAIN, authorities: soa };
  const answers: Answer[] = [];
  let currentRecords: Answer[] | undefined = records;
  // follow CNAMEs through the zones we are authoritative for
  for (let hops = 0; currentRecords && hops < 8; hops++) {
    const exact = currentRecords.filter((r) => qtype === 'ANY' || r.type === qtype);
    if (exact.length > 0) {
      answers.push(...exact);
      break;
    }
    const cname: Answer[] = currentRecords.filter((r) => r.type === 'CNAME');
    if (cname.length === 0) break;
    answers.push(...cname);
    currentRecords = lookup(String(cname[0].data))?.records;
  }
  const additionals: Answer[] = [];
  if (qtype === 'NS') {
    for (const r of answers) {
      const glue = lookup(norm(String(r.data)))?.records.filter((x) => x.type === 'A');
      if (glue) additionals.push(...glue);
    }
  }
  return {
    ...base,
    flags: aa | RCODES.NOERROR,
    answers,
    authorities: answers.length === 0 ? soa : [],
    additionals,
  };
}

/** Start the authoritative server on 127.0.0.1 (UDP and TCP on one port; a free port when none is given). */
export async function startDnsServer(world: World, opts: DnsServerOptions = {}): Promise<RunningDnsServer> {
  const host = LOOPBACK;
  const udpMax = opts.udpMaxSize ?? 512;
  let lastErr: unknown;
  for (let attempt = 0; attempt < 10; attempt++) {
    const udp = dgram.createSocket('udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(opts.port ?? 0, host, () => {
          udp.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      udp.close();
      throw err;
    }
    const port = udp.address().port;
    const sockets = new Set<net.Socket>();
    const tcp = net.createServer((sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      sock.on('error', () => sock.destroy());
      let buf = Buffer.alloc(0);
      sock.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2) {
          const len = buf.readUInt16BE(0);
          if (buf.length < 2 + len) break;
          const msg = buf.subarray(2, 2 + len);
          buf = buf.subarray(2 + len);
          const out = respond(msg, 'tcp');
          if (out === 'reset') {
            sock.destroy();
            return;
          }
          if (out) {
            const head = Buffer.alloc(2);
            head.writeUInt16BE(out.length);
            sock.write(Buffer.concat([head, out]));
          }
        }
      });
    });
    const respond = (msg: Buffer, transport: 'udp' | 'tcp'): Buffer | 'reset' | undefined => {
      let query: Packet;
      try {
        query = dnsPacket.decode(msg);
      } catch {
        return undefined;
      }
      world.settle();
      const qtype = query.questions?.[0]?.type ?? 'UNKNOWN';
      const hit = opts.faults?.check('dns', qtype);
      if (hit?.kind === 'timeout') return undefined;
      if (hit?.kind === 'reset') return transport === 'tcp' ? 'reset' : undefined;
      let answer: Packet;
      if (hit && (hit.kind === 'error' || hit.kind === 'throttle')) {
        answer = { id: query.id, type: 'response', questions: query.questions, flags: RCODES.SERVFAIL };
      } else {
        answer = answerQuery(world, query);
      }
      let out = dnsPacket.encode(answer);
      if (transport === 'udp' && out.length > udpMax) {
        out = dnsPacket.encode({
          id: answer.id,
          type: 'response',
          questions: answer.questions,
          flags: (answer.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE,
        });
      }
      return out;
    };
    udp.on('message', (msg, rinfo) => {
      const out = respond(msg, 'udp');
      if (out && out !== 'reset') udp.send(out, rinfo.port, rinfo.address);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, host, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      udp.close();
      lastErr = err;
      if (opts.port) throw err;
      continue; // the TCP side of a random UDP port was taken: try another port
    }
    return {
      host,
      port,
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          udp.close(() => tcp.close(() => resolve()));
        }),
    };
  }
  throw new Error(`could not bind the sandbox DNS server on ${host}: ${String(lastErr)}`);
}
