/**
 * The secrets a plan points at, registered for redaction (src/engine/redact.ts) as soon as the plan
 * is loaded: each notification channel's secret variable (and a Teams webhook URL written in the
 * plan, which is its own secret), and the application's API token variable of the verify scan.
 */
import { registerEnvSecrets, registerSecret } from '../../engine/redact.js';
import type { Plan } from '../../plan/types.js';
import { DEFAULT_SECRET_ENV } from '../../plan/schema-comms.js';

/** Every environment variable the plan names as holding a secret. */
export function planSecretEnv(plan: Plan): string[] {
  const names = new Set<string>();
  for (const ch of Object.values(plan.doc.notifications?.channels ?? {})) {
    names.add(ch.secretEnv ?? DEFAULT_SECRET_ENV[ch.type]);
  }
  if (plan.doc.application?.tokenEnv) names.add(plan.doc.application.tokenEnv);
  return [...names];
}

/** Register the plan's secrets (the values of its secret variables, a Teams webhook URL). */
export function registerPlanSecrets(plan: Plan, env: NodeJS.ProcessEnv = process.env): void {
  registerEnvSecrets(planSecretEnv(plan), env);
  for (const ch of Object.values(plan.doc.notifications?.channels ?? {})) {
    if (ch.type === 'teams') registerSecret(ch.url);
  }
}
