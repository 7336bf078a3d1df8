/**
 * Validate warns when one public name is claimed in the zones of two clouds: a domain is delegated
 * to one set of name servers, so only one of those zones answers users.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sharedNameWarnings } from '../../src/phases/validate.js';
import { parsePlan } from '../../src/plan/load.js';

const EXAMPLE = path.join(process.cwd(), 'examples', 'cloud-aegis.plan.yml');

describe('validate: one public name in two clouds', () => {
  it('the example plan gives each cloud a name of its own', () => {
    const plan = parsePlan(fs.readFileSync(EXAMPLE, 'utf8'), EXAMPLE);
    expect(sharedNameWarnings(plan)).toEqual([]);
  });

  it('warns, naming both stacks, their services and the record, when Route 53 and Cloud DNS both hold api.aegis.io', () => {
    const text = fs
      .readFileSync(EXAMPLE, 'utf8')
      .replace('record: api.gcp.aegis.io.', 'record: API.aegis.io.');
    const plan = parsePlan(text, EXAMPLE);
    expect(sharedNameWarnings(plan)).toEqual([
      {
        stack: 'aws',
        item: 'Public name',
        status: 'warn',
        detail: expect.stringMatching(
          /^stacks\.aws, stacks\.gcp: traffic\.record api\.aegis\.io is in the zones of aws \(Route 53\) and gcp \(Cloud DNS\); the domain is delegated to one of them/,
        ),
      },
    ]);
  });
});
