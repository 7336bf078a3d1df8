/**
 * What each channel type does with the runbook's messages and with an escalation:
 * - Slack: the incident channel (#incident-YYYYMMDD-XX) is created (or the journaled one reused);
 *   the T+0 message is its root, every later message updates the root in place and is threaded
 *   under it. A named channel (#security-ops) is joined and posted to.
 * - Teams: one Adaptive Card per message.
 * - PagerDuty: T+0 triggers with the incident's dedup key, resolution resolves it; progress
 *   updates are not pages. An escalation triggers on its service with the same dedup key scheme.
 * - GitHub: the incident issue (found by its marker or created) with the timeline as comments,
 *   closed on resolution with the report and the journal's final hash; a deployment on the
 *   environment with in_progress, then success (or failure) statuses.
 * Providers are loaded when a channel of their type is used, so an action without Slack does not
 * load the Slack client.
 *
 * Every message carries what identifies it at the channel, so that a re-run finds one an earlier
 * run posted before it died (channels.ts, intent before post): Slack message metadata with the
 * incident and the message key, and the incident channel's purpose; a hidden marker in each GitHub
 * comment, and the incident in the deployment's payload (the GitHub send reconciles every call:
 * it looks before it comments, creates or sets a status). PagerDuty's dedup key makes a repeated
 * trigger or resolve join the same alert. A Teams webhook cannot be read back: at-least-once.
 */
import type { Channel } from '../../plan/schema-comms.js';
import type { ChannelState, Delivery } from './channels.js';
import type { Incident } from './incident.js';
import type { Message } from './messages.js';

/** What a channel needs beyond the message: the incident, the slack channel pattern, the report. */
export interface SendContext {
  incident: Incident;
  incidentChannel: string;
  /** For the resolution on GitHub: the report and the journal's last hash. */
  report?: () => { markdown: string; finalHash: string };
  runUrl?: string;
}

export const marker = (incident: Incident) => `<!-- aegis-dr incident ${incident.id} -->`;
export const dedupKey = (incident: Incident, suffix = '') => `aegis-dr-${incident.id}${suffix}`;
/** The hidden marker of one message in a GitHub issue body or comment. */
export const messageMarker = (incident: Incident, key: string) =>
  `<!-- aegis-dr message ${incident.id} ${key} -->`;
/** What the incident channel's purpose carries, so a re-run finds the channel it opened. */
export const channelPurpose = (incident: Incident) => `aegis-dr incident ${incident.id}`;
/** What the journal says of a Teams message whose post may have landed before a crash. */
export const TEAMS_REPEAT =
  'at-least-once: a Teams webhook cannot be read back, so a message whose post may have landed is sent again';

type Slack = import('../../providers/comms/slack.js').SlackClient;

/** The incident channel this incident opened (by its purpose), if any; joined when needed. */
async function findIncidentChannel(
  slack: Slack,
  pattern: string,
  incident: Incident,
): Promise<{ id: string; name: string } | undefined> {
  const date = new Date(incident.declaredAt).toISOString().slice(0, 10).replace(/-/g, '');
  const withDate = pattern.replace('{date}', date);
  const prefix = withDate.includes('{seq}') ? withDate.slice(0, withDate.indexOf('{seq}')) : withDate;
  const mine = (await slack.channelsStartingWith(prefix)).find((c) =>
    c.purpose.includes(channelPurpose(incident)),
  );
  if (mine && !mine.member) await slack.join(mine.id);
  return mine && { id: mine.id, name: mine.name };
}

/** The incident channel's name: the pattern with {date} and the next free {seq} of that day. */
async function openIncidentChannel(
  slack: Slack,
  pattern: string,
  incident: Incident,
): Promise<{ id: string; name: string }> {
  // reconcile: a run that died after opening it left the channel with our purpose
  const opened = await findIncidentChannel(slack, pattern, incident);
  if (opened) return opened;
  const made = await createIncidentChannel(slack, pattern, incident.declaredAt);
  await slack.setPurpose(made.id, channelPurpose(incident));
  return made;
}

async function createIncidentChannel(
  slack: Slack,
  pattern: string,
  declaredAt: number,
): Promise<{ id: string; name: string }> {
  const date = new Date(declaredAt).toISOString().slice(0, 10).replace(/-/g, '');
  const withDate = pattern.replace('{date}', date);
  if (!withDate.includes('{seq}')) {
    const made = await slack.create(withDate);
    return made ?? slack.resolve(withDate);
  }
  const prefix = withDate.slice(0, withDate.indexOf('{seq}'));
  const taken = (await slack.channelsStartingWith(prefix)).map(
    (c) => Number(c.name.slice(prefix.length)) || 0,
  );
  for (let seq = Math.max(0, ...taken) + 1; seq < 100; seq++) {
    const made = await slack.create(withDate.replace('{seq}', String(seq).padStart(2, '0')));
    if (made) return made;
  }
  throw new Error(`no free incident channel name ${withDate} today (01..99 are taken).`);
}

/** The delivery that opens the Slack incident channel before the first message names it. */
export function openChannelDelivery(ch: Channel, sc: SendContext): Delivery {
  return {
    key: 'open-channel',
    what: 'open the incident channel',
    async send(token, st) {
      const { SlackClient } = await import('../../providers/comms/slack.js');
      const slack = new SlackClient(token, { url: ch.url });
      const c = await openIncidentChannel(
        slack,
        (ch.target ?? sc.incidentChannel).replace(/^#/, ''),
        sc.incident,
      );
      return { state: { ...st, slackChannel: c.id, slackChannelName: c.name }, note: `#${c.name}` };
    },
  };
}

/** A Slack channel of the plan that is the incident channel (no target, or a {date}/{seq} pattern). */
export const isIncidentChannel = (ch: Channel) =>
  ch.type === 'slack' && (!ch.target || ch.target.includes('{'));

const slackText = (m: { subject: string; body: string }) => `*${m.subject}*\n${m.body}`;

/**
 * Our message `key` in the channel of `ch` (the root, or a reply in the root's thread): the state
 * with its channel and root when found, undefined when it is not there.
 */
async function findSlackMessage(
  slack: Slack,
  ch: Channel,
  sc: SendContext,
  key: string,
  st: ChannelState,
): Promise<ChannelState | undefined> {
  const state: ChannelState = { ...st };
  if (!state.slackChannel) {
    const c =
      ch.target && !ch.target.includes('{')
        ? await slack.resolve(ch.target)
        : await findIncidentChannel(slack, (ch.target ?? sc.incidentChannel).replace(/^#/, ''), sc.incident);
    if (!c) return undefined;
    state.slackChannel = c.id;
    state.slackChannelName = c.name;
  }
  const tag = { incident: sc.incident.id, key };
  if (!state.slackRootTs) {
    const ts = await slack.findTagged(state.slackChannel, tag);
    return ts ? { ...state, slackRootTs: ts } : undefined;
  }
  return (await slack.findTagged(state.slackChannel, tag, state.slackRootTs)) ? state : undefined;
}

/** The delivery of a runbook message (`key`: initial, progress@N, resolved) to one channel. */
export function messageDelivery(
  key: string,
  ch: Channel,
  msg: Message,
  sc: SendContext,
): Delivery | undefined {
  const what = `${msg.kind}: ${msg.subject}`;
  switch (ch.type) {
    case 'slack':
      return {
        key,
        what,
        async send(token, st) {
          const { SlackClient } = await import('../../providers/comms/slack.js');
          const slack = new SlackClient(token, { url: ch.url });
          const state: ChannelState = { ...st };
          if (!state.slackChannel) {
            const c =
              ch.target && !ch.target.includes('{')
                ? await slack.resolve(ch.target)
                : await openIncidentChannel(
                    slack,
                    (ch.target ?? sc.incidentChannel).replace(/^#/, ''),
                    sc.incident,
                  );
            state.slackChannel = c.id;
            state.slackChannelName = c.name;
          }
          const tag = { incident: sc.incident.id, key };
          if (!state.slackRootTs) {
            state.slackRootTs = await slack.post(state.slackChannel, slackText(msg), undefined, tag);
            return { state, note: `#${state.slackChannelName}` };
          }
          await slack.update(
            state.slackChannel,
            state.slackRootTs,
            `${slackText(msg)}\n_(updated ${new Date().toISOString().slice(11, 16)} UTC)_`,
          );
          await slack.post(state.slackChannel, slackText(msg), state.slackRootTs, tag);
          return { state, note: `#${state.slackChannelName}, root updated, threaded` };
        },
        async find(token, st) {
          const { SlackClient } = await import('../../providers/comms/slack.js');
          const state = await findSlackMessage(new SlackClient(token, { url: ch.url }), ch, sc, key, st);
          return state && { state, note: `#${state.slackChannelName}` };
        },
      };
    case 'teams':
      return {
        key,
        what,
        async send(url, st) {
          const { adaptiveCard, postCard } = await import('../../providers/comms/teams.js');
          const f = msg.fields;
          await postCard(
            url,
            adaptiveCard(msg.subject, msg.body, [
              { title: 'Severity', value: f.severity },
              { title: 'Started', value: f.started },
              { title: 'Incident channel', value: f.channel },
              { title: 'ETA', value: `${f.eta} min` },
            ]),
          );
          return { state: st };
        },
        repeat: TEAMS_REPEAT,
      };
    case 'pagerduty':
      if (msg.kind === 'progress') return undefined; // a progress update is not a page
      return {
        key,
        what,
        async send(routingKey, st) {
          const { PagerDutyClient } = await import('../../providers/comms/pagerduty.js');
          const pd = new PagerDutyClient(routingKey, { url: ch.url });
          const dk = st.dedupKey ?? dedupKey(sc.incident);
          await pd.send({
            action: msg.kind === 'resolved' ? 'resolve' : 'trigger',
            dedupKey: dk,
            summary: `${msg.subject}: ${sc.incident.reason}`,
            source: 'aegis-dr',
            severity: 'critical',
            component: sc.incident.stacks.join(','),
            group: sc.incident.incidentClass,
            className: sc.incident.kind,
            details: { ...msg.fields, phases: msg.fields.phases.split('\n') },
            links: sc.runUrl ? [{ href: sc.runUrl, text: 'workflow run' }] : undefined,
          });
          return { state: { ...st, dedupKey: dk } };
        },
      };
    case 'github':
      return {
        key,
        what,
        async send(token, st) {
          const gh = await githubClient(token, ch);
          const state: ChannelState = { ...st };
          const labels = ch.labels ?? ['incident', 'aegis-dr'];
          // every call reconciles (looks first): a re-run after a crash, or a retry after a lost
          // answer, neither comments nor creates twice
          const mark = messageMarker(sc.incident, key);
          const body = `${msg.body}\n\n${sc.runUrl ? `Run: ${sc.runUrl}\n\n` : ''}${marker(sc.incident)}\n${mark}`;
          const commentOnce = async (issue: number, text: string, m: string) => {
            if (!(await gh.findComment(issue, m))) await gh.comment(issue, `${text}\n\n${m}`);
          };
          if (!state.githubIssue) {
            const found = await gh.findOpenIssue(marker(sc.incident), labels[0]);
            if (found) {
              state.githubIssue = found;
              if (key !== 'initial') await commentOnce(found, `### ${msg.subject}\n\n${msg.body}`, mark);
            } else {
              const made = await gh.createIssue(
                msg.subject,
                `${ch.mention ? `${ch.mention}\n\n` : ''}${body}`,
                labels,
              );
              state.githubIssue = made.number;
              state.githubIssueUrl = made.url;
            }
          } else await commentOnce(state.githubIssue, `### ${msg.subject}\n\n${msg.body}`, mark);
          const environment = ch.environment ?? 'dr-production';
          if (!state.githubDeployment) {
            state.githubDeployment =
              (await gh.findDeployment(environment, DEPLOY_TASK, sc.incident.id)) ??
              (await gh.createDeployment(
                process.env.GITHUB_SHA ?? process.env.GITHUB_REF_NAME ?? 'main',
                environment,
                `${sc.incident.kind}: ${sc.incident.reason}`.slice(0, 140),
                { incident: sc.incident.id, class: sc.incident.incidentClass, stacks: sc.incident.stacks },
              ));
          }
          const statusOnce = async (st2: 'in_progress' | 'success' | 'failure') => {
            if (!(await gh.hasStatus(state.githubDeployment!, st2, msg.subject)))
              await gh.deploymentStatus(state.githubDeployment!, st2, msg.subject, sc.runUrl);
          };
          if (msg.kind === 'resolved') {
            const rep = sc.report?.();
            await commentOnce(
              state.githubIssue,
              `### ${msg.subject}\n\n${msg.body}\n\nJournal final hash: \`${rep?.finalHash ?? 'n/a'}\`\n\n<details><summary>DR report</summary>\n\n${rep?.markdown ?? ''}\n\n</details>`,
              messageMarker(sc.incident, `${key}:report`),
            );
            await statusOnce(sc.incident.failedChecks.length ? 'failure' : 'success');
            await gh.close(state.githubIssue);
          } else {
            await statusOnce('in_progress');
          }
          return { state, note: `issue #${state.githubIssue}` };
        },
      };
  }
}

/** The incident deployment's task (as providers/comms/github.ts; not imported: Octokit loads lazily). */
const DEPLOY_TASK = 'deploy:dr-failover';

async function githubClient(token: string, ch: Channel) {
  const { GitHubClient } = await import('../../providers/comms/github.js');
  const repo = ch.target ?? process.env.GITHUB_REPOSITORY;
  if (!repo || !repo.includes('/'))
    throw new Error(
      'the github channel has no repository: set its target to owner/name in the plan, or run where GITHUB_REPOSITORY is set.',
    );
  return new GitHubClient(token, repo, { url: ch.url });
}

/** The delivery of an escalation: who is engaged and why, to one channel of the rule. */
export function escalationDelivery(
  key: string,
  ch: Channel,
  title: string,
  text: string,
  sc: SendContext,
  state: ChannelState,
): Delivery {
  const what = title;
  const mention = ch.mention ? `${ch.mention} ` : '';
  const tag = { incident: sc.incident.id, key };
  return {
    key,
    what,
    ...(ch.type === 'teams' ? { repeat: TEAMS_REPEAT } : {}),
    ...(ch.type === 'slack'
      ? {
          async find(secret: string, st: ChannelState) {
            const merged = { ...state, ...st };
            const { SlackClient } = await import('../../providers/comms/slack.js');
            const slack = new SlackClient(secret, { url: ch.url });
            const target = ch.target && !ch.target.includes('{') ? await slack.resolve(ch.target) : undefined;
            const channel = target?.id ?? merged.slackChannel;
            if (!channel) return undefined;
            const ts = await slack.findTagged(channel, tag, target ? undefined : merged.slackRootTs);
            return ts ? { state: st } : undefined;
          },
        }
      : {}),
    async send(secret, st) {
      const merged = { ...state, ...st };
      switch (ch.type) {
        case 'slack': {
          const { SlackClient } = await import('../../providers/comms/slack.js');
          const slack = new SlackClient(secret, { url: ch.url });
          const target = ch.target && !ch.target.includes('{') ? await slack.resolve(ch.target) : undefined;
          const channel = target?.id ?? merged.slackChannel;
          if (!channel)
            throw new Error(
              'no Slack channel to escalate in: give the channel a target, or send the T+0 message first.',
            );
          await slack.post(
            channel,
            `${mention}*${title}*\n${text}`,
            target ? undefined : merged.slackRootTs,
            tag,
          );
          return { state: st };
        }
        case 'teams': {
          const { adaptiveCard, postCard } = await import('../../providers/comms/teams.js');
          await postCard(secret, adaptiveCard(title, text, []));
          return { state: st };
        }
        case 'pagerduty': {
          const { PagerDutyClient } = await import('../../providers/comms/pagerduty.js');
          const pd = new PagerDutyClient(secret, { url: ch.url });
          const dk = dedupKey(sc.incident, `-${key}`);
          await pd.send({
            action: 'trigger',
            dedupKey: dk,
            summary: `${title}: ${text.split('\n')[0]}`,
            source: 'aegis-dr',
            severity: 'critical',
            component: sc.incident.stacks.join(','),
            group: sc.incident.incidentClass,
            className: key,
            details: { reason: text },
          });
          return { state: { ...st, dedupKey: dk } };
        }
        case 'github': {
          const gh = await githubClient(secret, ch);
          const issue =
            merged.githubIssue ??
            (await gh.findOpenIssue(marker(sc.incident), (ch.labels ?? ['incident'])[0]));
          const mark = messageMarker(sc.incident, key);
          if (issue) {
            if (!(await gh.findComment(issue, mark)))
              await gh.comment(issue, `### ${title}\n\n${mention}${text}\n\n${mark}`);
          } else {
            const made = await gh.createIssue(
              title,
              `${mention}${text}\n\n${marker(sc.incident)}\n${mark}`,
              ch.labels ?? ['incident', 'aegis-dr'],
            );
            return { state: { ...st, githubIssue: made.number } };
          }
          return { state: { ...st, githubIssue: issue } };
        }
      }
    },
  };
}
