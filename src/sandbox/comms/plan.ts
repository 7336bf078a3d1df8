/**
 * The communication part of the sandbox plan: the runbook's contacts (incident channel, on-call,
 * DBA, Platform, Security, VP Engineering, executives) pointed at the sandbox's Slack, Teams,
 * PagerDuty and GitHub emulators, each secret named by an AEGIS_SANDBOX_* variable.
 */
import { SANDBOX_REPO } from '../github/store.js';

/** The runbook's four escalation rules and whom each engages. */
export const SANDBOX_ESCALATION = [
  {
    when: 'failover-exceeds-rto',
    notify: ['vp-engineering', 'oncall'],
    action: 'Escalate to VP Engineering',
  },
  {
    when: 'data-integrity-failure',
    notify: ['dba', 'security'],
    action: 'Stop failover, engage DBA + Security',
  },
  { when: 'dr-unhealthy', notify: ['platform'], action: 'Contact Platform Team immediately' },
  {
    when: 'two-region-failure',
    notify: ['executives', 'oncall'],
    action: 'Engage executive team, activate BCP',
  },
  {
    when: 'rpo-at-risk',
    notify: ['dba'],
    action: 'Page the DBA on-call: replication lag puts the RPO at risk',
  },
];

/** PagerDuty services of the sandbox and the variable holding each one's routing key. */
export const SANDBOX_PAGERDUTY: [string, string][] = [
  ['aegis-oncall', 'AEGIS_SANDBOX_PD_ONCALL'],
  ['aegis-dba', 'AEGIS_SANDBOX_PD_DBA'],
  ['aegis-leadership', 'AEGIS_SANDBOX_PD_LEADERSHIP'],
  ['aegis-executive-bcp', 'AEGIS_SANDBOX_PD_EXECUTIVE'],
];

/** The runbook's contacts pointed at the sandbox's Slack, Teams, PagerDuty and GitHub. */
export function sandboxNotifications(endpoints: Record<string, string>): Record<string, any> {
  const slack = (target?: string) => ({
    type: 'slack',
    ...(target ? { target } : {}),
    secretEnv: 'AEGIS_SANDBOX_SLACK_TOKEN',
    url: endpoints.slack,
  });
  const pd = (i: number) => ({
    type: 'pagerduty',
    target: SANDBOX_PAGERDUTY[i][0],
    secretEnv: SANDBOX_PAGERDUTY[i][1],
    url: endpoints.pagerduty,
  });
  return {
    announce: ['incident', 'teams', 'record', 'oncall'],
    channels: {
      incident: slack(),
      teams: { type: 'teams', secretEnv: 'AEGIS_SANDBOX_TEAMS_WEBHOOK' },
      record: {
        type: 'github',
        target: `${SANDBOX_REPO.owner}/${SANDBOX_REPO.repo}`,
        secretEnv: 'AEGIS_SANDBOX_GITHUB_TOKEN',
        url: endpoints.github,
        environment: 'dr-production',
        mention: '@aegis-sandbox/sre',
      },
      oncall: pd(0),
      dba: pd(1),
      platform: slack('#platform-support'),
      security: slack('#security-ops'),
      'vp-engineering': pd(2),
      executives: pd(3),
    },
  };
}
