/**
 * Who approved: the job that runs after an environment's required reviewers approved reads the
 * run's review history from the GitHub API (the reviewer, the comment, the environments, whether
 * administrators could bypass the rule) and journals each review once, so the report shows it.
 * The API gives no time for a review: the record's time is when this job observed it, after the
 * approval and before the phase acts (the job could not start without it).
 *
 * It never fails a phase: outside GitHub, without a token, or when the API refuses (GITHUB_TOKEN
 * without `actions: read`), the phase runs and the step log says why nothing was journaled.
 */
import type { Journal } from '../engine/journal.js';

export interface ApprovalEnv {
  GITHUB_ACTIONS?: string;
  GITHUB_RUN_ID?: string;
  GITHUB_RUN_ATTEMPT?: string;
  GITHUB_REPOSITORY?: string;
  GITHUB_API_URL?: string;
  GITHUB_JOB?: string;
  GITHUB_TOKEN?: string;
}

/** What happened, for the step log: how many reviews were journaled now, or why none could be read. */
export type ApprovalsOutcome = { journaled: number } | { skipped: string };

/** Journal the run's environment reviews not yet in the journal (run id + position in the history). */
export async function journalApprovals(
  journal: Journal,
  phase: string,
  env: ApprovalEnv = process.env,
): Promise<ApprovalsOutcome> {
  if (env.GITHUB_ACTIONS !== 'true' || !env.GITHUB_RUN_ID || !env.GITHUB_REPOSITORY)
    return { skipped: 'not running in GitHub Actions' };
  if (!env.GITHUB_TOKEN)
    return {
      skipped:
        'GITHUB_TOKEN is not in the step environment: map `GITHUB_TOKEN: ${{ github.token }}` (with `actions: read`) so who approved goes into the journal',
    };
  const runId = Number(env.GITHUB_RUN_ID);
  const { GitHubClient } = await import('../providers/comms/github.js');
  const gh = new GitHubClient(env.GITHUB_TOKEN, env.GITHUB_REPOSITORY, { url: env.GITHUB_API_URL });
  let reviews;
  try {
    reviews = await gh.runReviews(runId);
  } catch (e) {
    return {
      skipped: `the run's review history could not be read (${(e as Error).message}): give the job \`actions: read\``,
    };
  }
  const seen = new Set(
    journal.records
      .filter((r) => r.step === 'approval' && r.data?.githubRunId === runId)
      .map((r) => Number(r.data?.index)),
  );
  const bypass = new Map<string, boolean | undefined>();
  let n = 0;
  for (const [index, review] of reviews.entries()) {
    if (seen.has(index)) continue;
    for (const e of review.environments) {
      if (!bypass.has(e)) bypass.set(e, await gh.adminsCanBypass(e).catch(() => undefined));
    }
    const t = new Date().toISOString();
    journal.append({
      phase,
      step: 'approval',
      target: review.environments.join(',') || 'environment',
      outcome: 'observed',
      action: `${review.reviewer} ${review.state} ${review.environments.join(', ')}${review.comment ? `: "${review.comment}"` : ''}`,
      startedAt: t,
      endedAt: t,
      durationMs: 0,
      attempts: 1,
      dryRun: false,
      data: {
        reviewer: review.reviewer,
        state: review.state,
        comment: review.comment,
        environments: review.environments,
        adminsCanBypass: Object.fromEntries(review.environments.map((e) => [e, bypass.get(e) ?? null])),
        githubRunId: runId,
        runAttempt: Number(env.GITHUB_RUN_ATTEMPT ?? 1),
        job: env.GITHUB_JOB,
        index,
        observedAt: t,
      },
    });
    n++;
  }
  return { journaled: n };
}
