/** The drill on a sandbox plan whose sites reach their clusters from the cloud identity. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDrill } from '../../src/drill/drill.js';

it('a region-outage drill passes with clusters named by cloud', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-cloud-drill-'));
  try {
    const result = await runDrill({
      clusterAccess: 'cloud',
      scenario: 'region-outage',
      outDir: out,
      speed: 3000,
      durations: 'low',
      prometheus: 'builtin',
      noFailback: true,
    });
    const plan = fs.readFileSync(path.join(out, 'plan.yml'), 'utf8');
    expect(plan).toMatch(/cluster:\n\s+eks:/);
    expect(plan).not.toMatch(/context: aws-primary/);
    expect(result.ok).toBe(true);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 240_000);
