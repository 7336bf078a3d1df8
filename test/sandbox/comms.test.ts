/**
 * The sandbox's messaging emulators, driven through the official clients on loopback: Slack's
 * WebClient (@slack/web-api), PagerDuty's pdjs (https, trusting the CA the sandbox made) and the
 * Teams Workflows webhook with an Adaptive Card, each answering as its documentation says.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebClient } from '@slack/web-api';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { PagerDutyClient } from '../../src/providers/comms/pagerduty.js';
import { SlackClient } from '../../src/providers/comms/slack.js';
import { adaptiveCard, postCard } from '../../src/providers/comms/teams.js';
import { caught } from '../support/wait.js';

let sandbox: Sandbox;
const received = async () =>
  (await fetch(`${sandbox.endpoints.control}/_sandbox/comms`)).json() as Promise<any>;

beforeAll(async () => {
  sandbox = await startSandbox({ clouds: ['aws'], prometheus: 'builtin' });
  process.env.AEGIS_DR_EXTRA_CA = sandbox.comms.caFile;
});
afterAll(async () => {
  delete process.env.AEGIS_DR_EXTRA_CA;
  await sandbox.close();
});

describe('Slack Web API', () => {
  it('creates a channel (name_taken the second time), posts, threads, updates in place, as WebClient sees it', async () => {
    const web = new WebClient(sandbox.comms.env.AEGIS_SANDBOX_SLACK_TOKEN, {
      slackApiUrl: `${sandbox.endpoints.slack}/api/`,
      retryConfig: { retries: 0 },
    });
    const created = await web.conversations.create({ name: 'incident-20261202-01' });
    expect(created.channel).toMatchObject({ name: 'incident-20261202-01', is_member: true });
    const taken = await caught(web.conversations.create({ name: 'incident-20261202-01' }));
    expect(taken.data.error).toBe('name_taken');
    const bad = await caught(web.conversations.create({ name: 'Incident 1' }));
    expect(bad.data.error).toBe('invalid_name_specials');

    const channel = created.channel!.id!;
    const root = await web.chat.postMessage({ channel, text: 'T+0' });
    await web.chat.postMessage({ channel, text: 'T+15', thread_ts: root.ts });
    const upd = await web.chat.update({ channel, ts: root.ts!, text: 'T+0 (now: DNS propagating)' });
    expect(upd.text).toBe('T+0 (now: DNS propagating)');
    const history = await web.conversations.history({ channel });
    expect(history.messages?.map((m) => m.text)).toEqual(['T+0 (now: DNS propagating)']);

    // not a member yet: posting fails until the bot joins
    const notIn = await caught(web.chat.postMessage({ channel: '#security-ops', text: 'x' }));
    expect(notIn.data.error).toBe('not_in_channel');
    const slack = new SlackClient(sandbox.comms.env.AEGIS_SANDBOX_SLACK_TOKEN, {
      url: sandbox.endpoints.slack,
    });
    const sec = await slack.resolve('#security-ops');
    await slack.post(sec.id, 'engage security');

    const bogus = new WebClient('xoxb-not-issued', {
      slackApiUrl: `${sandbox.endpoints.slack}/api/`,
      retryConfig: { retries: 0 },
    });
    expect((await caught(bogus.auth.test())).data.error).toBe('invalid_auth');

    const got = await received();
    const ch = got.slack.channels.find((c: any) => c.name === 'incident-20261202-01');
    expect(ch.messages.map((m: any) => [m.text, m.threadTs === undefined])).toEqual([
      ['T+0 (now: DNS propagating)', true],
      ['T+15', false],
    ]);
  });

  it('keeps message metadata and returns it only with include_all_metadata (history and replies); sets a purpose', async () => {
    const web = new WebClient(sandbox.comms.env.AEGIS_SANDBOX_SLACK_TOKEN, {
      slackApiUrl: `${sandbox.endpoints.slack}/api/`,
      retryConfig: { retries: 0 },
    });
    const created = await web.conversations.create({ name: 'incident-20261202-07' });
    const channel = created.channel!.id!;
    const metadata = { event_type: 'aegis_dr_message', event_payload: { incident: 'i-1', key: 'initial' } };
    const root = await web.chat.postMessage({ channel, text: 'T+0', metadata });
    await web.chat.postMessage({
      channel,
      text: 'T+15',
      thread_ts: root.ts,
      metadata: { ...metadata, event_payload: { incident: 'i-1', key: 'progress@1' } },
    });
    expect((await web.conversations.history({ channel })).messages?.[0]).not.toHaveProperty('metadata');
    const withMeta = await web.conversations.history({ channel, include_all_metadata: true });
    expect(withMeta.messages?.[0].metadata).toEqual(metadata);
    const replies = await web.conversations.replies({ channel, ts: root.ts!, include_all_metadata: true });
    expect(replies.messages?.map((m) => (m.metadata?.event_payload as any)?.key)).toEqual([
      'initial',
      'progress@1',
    ]);
    const bad = await caught(
      web.chat.postMessage({ channel, text: 'x', metadata: { event_type: 'x' } as any }),
    );
    expect(bad.data.error).toBe('invalid_metadata_format');
    const set = await web.conversations.setPurpose({ channel, purpose: 'aegis-dr incident i-1' });
    expect(set).toMatchObject({ ok: true, purpose: 'aegis-dr incident i-1' });

    const slack = new SlackClient(sandbox.comms.env.AEGIS_SANDBOX_SLACK_TOKEN, {
      url: sandbox.endpoints.slack,
    });
    expect(await slack.findTagged(channel, { incident: 'i-1', key: 'initial' })).toBe(root.ts);
    expect(await slack.findTagged(channel, { incident: 'i-1', key: 'progress@1' })).toBeUndefined();
    expect(await slack.findTagged(channel, { incident: 'i-1', key: 'progress@1' }, root.ts)).toBeDefined();
    expect((await slack.channelsStartingWith('incident-20261202-07'))[0].purpose).toBe(
      'aegis-dr incident i-1',
    );
  });

  it('answers a throttling fault with 429 and Retry-After, which the provider classifies as throttled', async () => {
    sandbox.faults.add({
      service: 'slack',
      operation: 'chat.postMessage',
      kind: 'throttle',
      times: 1,
      retryAfterSeconds: 2,
    });
    const slack = new SlackClient(sandbox.comms.env.AEGIS_SANDBOX_SLACK_TOKEN, {
      url: sandbox.endpoints.slack,
    });
    const general = await slack.resolve('#general');
    const err = await caught(slack.post(general.id, 'hello'));
    expect(err).toMatchObject({ service: 'slack', status: 429, retryAfterMs: 2000 });
  });
});

describe('PagerDuty Events API v2 over https', () => {
  it('triggers, joins a second trigger to the same alert by dedup key, resolves; rejects an unknown routing key', async () => {
    const key = sandbox.comms.env.AEGIS_SANDBOX_PD_ONCALL;
    const pd = new PagerDutyClient(key, { url: sandbox.endpoints.pagerduty });
    expect(sandbox.endpoints.pagerduty).toMatch(/^https:\/\/127\.0\.0\.1:/);
    const base = { dedupKey: 'aegis-incident-1', summary: 'DR failover initiated', source: 'aegis-dr' };
    expect(await pd.send({ action: 'trigger', ...base })).toBe('aegis-incident-1');
    await pd.send({ action: 'trigger', ...base });
    await pd.send({ action: 'resolve', ...base });
    const got = await received();
    expect(got.pagerduty.alerts).toEqual([
      {
        service: 'aegis-oncall',
        dedupKey: 'aegis-incident-1',
        status: 'resolved',
        summary: 'DR failover initiated',
        events: 3,
      },
    ]);
    expect(got.pagerduty.events.map((e: any) => e.action)).toEqual(['trigger', 'trigger', 'resolve']);
    expect(JSON.stringify(got)).not.toContain(key);

    const stranger = new PagerDutyClient('0'.repeat(32), { url: sandbox.endpoints.pagerduty });
    const err = await caught(stranger.send({ action: 'trigger', ...base }));
    expect(err).toMatchObject({ service: 'pagerduty', status: 400 });
    expect(err.message).toContain('Invalid routing key');
  });
});

describe('Teams Workflows webhook', () => {
  it('accepts an Adaptive Card with 202, refuses a wrong signature and a body that is no card', async () => {
    const url = sandbox.comms.env.AEGIS_SANDBOX_TEAMS_WEBHOOK;
    await postCard(url, adaptiveCard('[INCIDENT] drill', 'body', [{ title: 'Severity', value: 'SEV1' }]));
    const got = await received();
    expect(got.teams.posts.map((p: any) => p.title)).toEqual(['[INCIDENT] drill']);

    const wrong = await caught(
      postCard(url.replace(/sig=[0-9a-f]+/, 'sig=forged'), adaptiveCard('x', 'y', [])),
    );
    expect(wrong).toMatchObject({ service: 'teams', status: 401 });
    expect(wrong.message).not.toContain('sig=');
    const notCard = await caught(postCard(url, { text: 'plain' }));
    expect(notCard).toMatchObject({ status: 400 });
  });
});
