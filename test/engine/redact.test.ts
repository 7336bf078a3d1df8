/**
 * The one redaction (src/engine/redact.ts): registered secrets, in plain and URL-encoded form, and
 * the shapes of secrets an SDK error may echo of a request, each case with its reason.
 */
import {
  MASK,
  onSecret,
  redact,
  redactDeep,
  registerEnvSecrets,
  registerSecret,
  resetSecrets,
} from '../../src/engine/redact.js';

afterEach(() => resetSecrets());

describe('shapes of secrets', () => {
  it.each([
    {
      reason: 'a bearer Authorization header, as raw HTTP',
      text: 'Authorization: Bearer abc.def-123\r\nHost: x',
      want: `Authorization: ${MASK}\r\nHost: x`,
    },
    {
      reason: 'an Authorization header inside an echoed JSON body',
      text: '{"headers":{"authorization":"Bearer s3cr3t-token","host":"h"}}',
      want: `{"headers":{"authorization":"${MASK}","host":"h"}}`,
    },
    {
      reason: 'a SigV4 Authorization header names the access key and the signature',
      text: 'authorization: AWS4-HMAC-SHA256 Credential=AKID/20261202/us-east-1/rds/aws4_request, Signature=ab12',
      want: `authorization: ${MASK}`,
    },
    {
      reason: 'the session token header of an AWS request',
      text: '"x-amz-security-token":"FQoGZXIvYXdzEXAMPLE"',
      want: `"x-amz-security-token":"${MASK}"`,
    },
    {
      reason: 'credentials in a URL',
      text: 'GET https://user:hunter22@proxy.example.test/x failed',
      want: `GET https://${MASK}@proxy.example.test/x failed`,
    },
    {
      reason: 'the sig of a Teams (Power Automate) webhook URL',
      text: 'POST /workflows/a/triggers/manual/paths/invoke?api-version=1&sig=AbC123xyz answered 400',
      want: `POST /workflows/a/triggers/manual/paths/invoke?api-version=1&sig=${MASK} answered 400`,
    },
    {
      reason: 'a presigned URL (SigV4 query)',
      text: 'https://sts.amazonaws.com/?Action=GetCallerIdentity&X-Amz-Credential=AKID%2F1&X-Amz-Signature=beef',
      want: `https://sts.amazonaws.com/?Action=GetCallerIdentity&X-Amz-Credential=${MASK}&X-Amz-Signature=${MASK}`,
    },
    {
      reason: 'a Slack bot token',
      text: 'token xoxb-1234-5678-abcdefgh rejected',
      want: `token ${MASK} rejected`,
    },
    {
      reason: 'a Slack incoming webhook path',
      text: 'https://hooks.slack.com/services/T000/B000/XXXXXXXX',
      want: `https://hooks.slack.com/services/${MASK}`,
    },
    {
      reason: 'an EKS token',
      text: 'Bearer-less k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8',
      want: `Bearer-less k8s-aws-v1.${MASK}`,
    },
    {
      reason: 'a JWT (an OIDC token)',
      text: 'id eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvIn0.c2lnbmF0dXJl end',
      want: `id ${MASK} end`,
    },
    {
      reason: 'a GitHub token',
      text: 'ghs_0123456789abcdefghijABCDEFGHIJ was refused',
      want: `${MASK} was refused`,
    },
    {
      reason: 'an ordinary sentence is left alone',
      text: 'RDS DescribeDBInstances of DB instance aegis-db in us-east-1 failed with 400: check the request.',
      want: 'RDS DescribeDBInstances of DB instance aegis-db in us-east-1 failed with 400: check the request.',
    },
  ])('$reason', ({ text, want }) => {
    expect(redact(text)).toBe(want);
  });
});

describe('registered secrets', () => {
  it('masks a registered value wherever it appears, and its URL-encoded form', () => {
    registerSecret('pd routing/key+1');
    expect(redact('key pd routing/key+1 and pd%20routing%2Fkey%2B1')).toBe(`key ${MASK} and ${MASK}`);
  });

  it('ignores blank and very short values, which would garble every text', () => {
    registerSecret('');
    registerSecret('   ');
    registerSecret('ab1');
    expect(redact('ab1 stays')).toBe('ab1 stays');
  });

  it('registers the environment variables that hold secrets, and tells every listener once', () => {
    const told: string[] = [];
    registerSecret('already-known-1');
    onSecret((s) => told.push(s));
    registerEnvSecrets(['A_TOKEN', 'EMPTY', 'MISSING'], { A_TOKEN: 'canary-env-1', EMPTY: '' });
    registerEnvSecrets(['A_TOKEN'], { A_TOKEN: 'canary-env-1' });
    expect(told).toEqual(['already-known-1', 'canary-env-1']);
    expect(redact('x canary-env-1 y')).toBe(`x ${MASK} y`);
  });

  it('redactDeep masks every string of a record and keeps its shape', () => {
    registerSecret('deep-secret-9');
    expect(
      redactDeep({ error: 'got deep-secret-9', data: { list: ['deep-secret-9', 3], n: 1, ok: true } }),
    ).toEqual({ error: `got ${MASK}`, data: { list: [MASK, 3], n: 1, ok: true } });
  });
});
