/** Which standalone instance is the writer, decided from the cloud's fields: each case with its reason. */
import { describe, expect, it } from '@jest/globals';
import {
  buildTopology,
  followsPattern,
  replicaName,
  type DatabaseInstanceView,
} from '../../src/providers/topology.js';

const inst = (id: string, site: 'primary' | 'dr', source?: string): DatabaseInstanceView => ({
  id,
  site,
  status: 'available',
  source,
  reachable: true,
});
const at = (iso: string) => new Date(iso);

describe('buildTopology', () => {
  it.each([
    {
      reason: 'before any failover: the primary with its DR replica',
      instances: [inst('db', 'primary'), inst('db-replica', 'dr', 'db')],
      promoted: {},
      writer: 'db',
      orphans: [],
    },
    {
      reason: 'after the failover: two standalone instances, the one promoted last writes',
      instances: [inst('db', 'primary'), inst('db-replica', 'dr')],
      promoted: { 'db-replica': '2026-12-01T10:00:00Z' },
      writer: 'db-replica',
      orphans: ['db'],
    },
    {
      reason: 'after reprotect: the standalone instance with a replica writes, whatever the history',
      instances: [
        inst('db', 'primary'),
        inst('db-replica', 'dr'),
        inst('db-reprotect-1', 'primary', 'db-replica'),
      ],
      promoted: {},
      writer: 'db-replica',
      orphans: ['db'],
    },
    {
      reason: 'after failback: three standalone instances, the newest promotion writes',
      instances: [inst('db', 'primary'), inst('db-replica', 'dr'), inst('db-reprotect-1', 'primary')],
      promoted: { 'db-replica': '2026-12-01T10:00:00Z', 'db-reprotect-1': '2026-12-01T12:00:00Z' },
      writer: 'db-reprotect-1',
      orphans: ['db', 'db-replica'],
    },
    {
      reason: 'no history older than the cloud keeps: the plan’s starting instance',
      instances: [inst('db', 'primary'), inst('other', 'dr')],
      promoted: {},
      writer: 'db',
      orphans: ['other'],
    },
  ])('$reason', ({ instances, promoted, writer, orphans }) => {
    const t = buildTopology(instances, 'db', (id) =>
      (promoted as Record<string, string>)[id] ? at((promoted as Record<string, string>)[id]) : undefined,
    );
    expect(t.writer?.id).toBe(writer);
    expect(t.orphans.map((o) => o.id)).toEqual(orphans);
    expect(t.replicas.every((r) => r.source === writer)).toBe(true);
  });
});

describe('replica names', () => {
  it('takes the first free number of the pattern and recognises its own names', () => {
    const p = '{instance}-reprotect-{n}';
    expect(replicaName(p, 'aegis-db', ['aegis-db', 'aegis-db-reprotect-1'])).toBe('aegis-db-reprotect-2');
    expect(followsPattern(p, 'aegis-db', 'aegis-db-reprotect-12')).toBe(true);
    expect(followsPattern(p, 'aegis-db', 'aegis-db-analytics')).toBe(false);
    expect(followsPattern(p, 'aegis.db', 'aegisXdb-reprotect-1')).toBe(false);
  });
});
