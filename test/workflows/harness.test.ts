/**
 * The workflow harness's own rules, each on a small workflow whose outcome GitHub documents
 * (see the citations in test/workflows/harness/run.ts): skips that travel down `needs`, status
 * functions, continue-on-error, the GITHUB_OUTPUT and GITHUB_ENV files, typed dispatch inputs,
 * artifacts per run and a missing artifact, another run's artifact (run-id with github-token),
 * approvals, re-runs of failed jobs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { condition, evaluate } from './harness/expressions.js';
import { WorkflowHarness } from './harness/run.js';
import { ROOT } from './harness/world.js';

let dir: string;
let harness: WorkflowHarness;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aegis-harness-'));
  fs.mkdirSync(path.join(dir, 'repo'));
  fs.writeFileSync(path.join(dir, 'repo', 'file.txt'), 'from the repository\n');
  harness = new WorkflowHarness({
    workDir: path.join(dir, 'runs'),
    repository: path.join(dir, 'repo'),
    projectRoot: ROOT,
  });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function workflow(name: string, yaml: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, yaml);
  return f;
}

const ON = `on:
  workflow_dispatch:
    inputs:
      fail:
        type: boolean
        default: false
      class:
        type: choice
        options: [a, b]
        required: true
`;

describe("expressions (GitHub's evaluator with the runner's status functions)", () => {
  it.each([
    ['fromJSON(needs.a.outputs.results).aws.passed', true, 'a JSON output read with fromJSON'],
    ["needs.a.outputs.count == '0'", false, 'a string output compared with a string'],
    ["needs.a.outputs.total == '0'", true, 'the total compared with a string'],
    ['needs.a.outputs.missing', false, 'a missing output is falsy'],
    ["inputs.flag && 'yes'", true, 'a boolean input is a boolean'],
  ])('%s -> %s (%s)', (expr, want) => {
    const ctx = {
      needs: {
        a: { result: 'success', outputs: { results: '{"aws":{"passed":true}}', count: 'aws=0', total: '0' } },
      },
      inputs: { flag: true },
    };
    expect(condition(expr, ctx, { success: true, failure: false, cancelled: false })).toBe(want);
  });

  it('status functions come from the job state', () => {
    expect(
      evaluate('failure()', {}, { success: false, failure: true, cancelled: false }).coerceString(),
    ).toBe('true');
    expect(
      evaluate('success()', {}, { success: false, failure: true, cancelled: false }).coerceString(),
    ).toBe('false');
    expect(evaluate('always()', {}, { success: false, failure: true, cancelled: false }).coerceString()).toBe(
      'true',
    );
  });
});

describe('jobs and steps', () => {
  const file = () =>
    workflow(
      'rules.yml',
      `${ON}
jobs:
  first:
    runs-on: ubuntu-latest
    outputs:
      greeting: \${{ steps.say.outputs.greeting }}
      flag: \${{ steps.env.outputs.flag }}
    steps:
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0
      - id: say
        run: |
          echo "greeting=hello" >> "$GITHUB_OUTPUT"
          echo "LATER=from-env-file" >> "$GITHUB_ENV"
          cat file.txt
      - id: env
        run: echo "flag=$LATER" >> "$GITHUB_OUTPUT"
      - name: tolerated failure
        id: tolerated
        continue-on-error: true
        run: exit 3
      - name: seen as success
        id: after
        env:
          OUTCOME: \${{ steps.tolerated.outcome }}
          CONCLUSION: \${{ steps.tolerated.conclusion }}
        run: echo "seen=$OUTCOME/$CONCLUSION" >> "$GITHUB_OUTPUT"
      - name: fail on request
        env:
          FAIL: \${{ inputs.fail }}
        run: test "$FAIL" != true
      - name: only after a failure
        if: \${{ failure() }}
        run: echo cleanup
  second:
    needs: first
    runs-on: ubuntu-latest
    steps:
      - env:
          G: \${{ needs.first.outputs.greeting }}
        run: test "$G" = hello
  third:
    needs: second
    runs-on: ubuntu-latest
    steps:
      - run: echo third
  always:
    needs: third
    if: \${{ always() }}
    runs-on: ubuntu-latest
    steps:
      - env:
          R: \${{ needs.third.result }}
        run: echo "third was $R"
`,
    );

  it('a green run: outputs through GITHUB_OUTPUT, GITHUB_ENV for later steps, continue-on-error', async () => {
    const run = await harness.run(file(), { inputs: { class: 'a' } });
    expect(Object.values(run.jobs).map((j) => [j.id, j.result])).toEqual([
      ['first', 'success'],
      ['second', 'success'],
      ['third', 'success'],
      ['always', 'success'],
    ]);
    expect(run.jobs.first.outputs).toEqual({ greeting: 'hello', flag: 'from-env-file' });
    const steps = Object.fromEntries(run.jobs.first.steps.map((s) => [s.id, s]));
    expect(steps.tolerated).toMatchObject({ outcome: 'failure', conclusion: 'success' });
    expect(steps.after.outputs).toEqual({ seen: 'failure/success' });
    expect(run.jobs.first.steps.at(-1)?.outcome).toBe('skipped');
    expect(steps.say.log).toContain('from the repository');
  });

  it('a failure skips the chain that needs it; always() runs and sees the skip', async () => {
    const run = await harness.run(file(), { inputs: { class: 'b', fail: true } });
    expect(Object.values(run.jobs).map((j) => [j.id, j.result])).toEqual([
      ['first', 'failure'],
      ['second', 'skipped'],
      ['third', 'skipped'],
      ['always', 'success'],
    ]);
    expect(run.jobs.first.steps.at(-1)?.outcome).toBe('success'); // the failure() step ran
    expect(run.jobs.always.steps[0].log).toContain('third was skipped');
    expect(run.conclusion).toBe('failure');
  });

  it('dispatch inputs are checked as GitHub checks them', async () => {
    await expect(harness.run(file(), { inputs: {} })).rejects.toThrow(/Required input 'class' not provided/);
    await expect(harness.run(file(), { inputs: { class: 'c' } })).rejects.toThrow(
      /not in the list of allowed values/,
    );
    await expect(harness.run(file(), { inputs: { class: 'a', other: 'x' } })).rejects.toThrow(
      /Unexpected inputs/,
    );
  });
});

describe('artifacts, approvals and re-runs', () => {
  const file = () =>
    workflow(
      'gated.yml',
      `${ON}
jobs:
  produce:
    runs-on: ubuntu-latest
    steps:
      - run: echo one > evidence.txt
      - uses: actions/upload-artifact@b7c566a772e6b6bfb58ed0dc250532a479d7789f # v6.0.0
        with:
          name: evidence
          path: evidence.txt
  gated:
    needs: produce
    environment: production
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@018cc2cf5baa6db3ef3c5f8a56943fffe632ef53 # v6.0.0
        with:
          name: evidence
      - env:
          FAIL: \${{ inputs.fail }}
        run: |
          cat evidence.txt
          test -z "$FAIL" || test "$FAIL" = false || test -f healed
`,
    );

  it('an environment with required reviewers waits for the approval the test gives, or fails on a rejection', async () => {
    const environments = { production: { reviewers: ['lead'] } };
    const waiting = await harness.run(file(), { inputs: { class: 'a' }, environments });
    expect(waiting.jobs.gated.result).toBe('waiting');
    expect(waiting.conclusion).toBe('waiting');
    const rejected = await harness.run(file(), {
      inputs: { class: 'a' },
      environments,
      approvals: { production: { reviewer: 'lead', reject: true } },
    });
    expect(rejected.jobs.gated.result).toBe('failure');
    expect(rejected.jobs.gated.steps).toEqual([]);
    const approved = await harness.run(file(), {
      inputs: { class: 'a' },
      environments,
      approvals: { production: { reviewer: 'lead', comment: 'ok' } },
    });
    expect(approved.jobs.gated).toMatchObject({
      result: 'success',
      approval: { reviewer: 'lead', comment: 'ok' },
    });
    expect(approved.jobs.gated.steps[1].log).toContain('one');
  });

  it("download-artifact with run-id and github-token takes another run's artifact; without the token, this run's", async () => {
    const producer = await harness.run(file(), { inputs: { class: 'a' } });
    expect(producer.jobs.produce.result).toBe('success');
    const consumer = (token: string) =>
      workflow(
        token ? 'consumer-token.yml' : 'consumer.yml',
        `on:
  workflow_dispatch:
    inputs:
      run:
        type: string
        required: true
jobs:
  read:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@018cc2cf5baa6db3ef3c5f8a56943fffe632ef53 # v6.0.0
        with:
          name: evidence
          run-id: \${{ inputs.run }}
${token}
      - run: cat evidence.txt
`,
      );
    const withToken = await harness.run(consumer('          github-token: ${{ github.token }}'), {
      inputs: { run: String(producer.id) },
    });
    expect(withToken.jobs.read.result).toBe('success');
    expect(withToken.jobs.read.steps[0].log).toContain(`from run ${producer.id}`);
    expect(withToken.jobs.read.steps[1].log).toContain('one');
    // without github-token the action reads the current run, which has no such artifact
    const without = await harness.run(consumer(''), { inputs: { run: String(producer.id) } });
    expect(without.jobs.read.steps[0].log).toContain('Artifact not found for name: evidence');
    const unknown = await harness.run(consumer('          github-token: ${{ github.token }}'), {
      inputs: { run: '424242' },
    });
    expect(unknown.jobs.read.steps[0].log).toContain('Artifact not found for name: evidence');
  });

  it('a download of an artifact the run does not have fails; a re-run attempt may or may not see earlier artifacts', async () => {
    const first = await harness.run(file(), { inputs: { class: 'a', fail: true } });
    expect(first.jobs.gated.result).toBe('failure');
    const hidden = await harness.rerunFailed(first, { earlierArtifactsVisible: false });
    expect(hidden.attempt).toBe(2);
    expect(hidden.jobs.produce.attempt).toBe(1); // kept from attempt 1
    expect(hidden.jobs.gated.steps[0]).toMatchObject({ outcome: 'failure' });
    expect(hidden.jobs.gated.steps[0].log).toContain('Artifact not found for name: evidence');
    const seen = await harness.rerunFailed(hidden, { earlierArtifactsVisible: true });
    expect(seen.attempt).toBe(3);
    expect(seen.jobs.gated.steps[0].outcome).toBe('success');
  });
});
