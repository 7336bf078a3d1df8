/**
 * Emulated AWS Service Quotas (GetServiceQuota, JSON 1.1 with `X-Amz-Target:
 * ServiceQuotasV20190624.GetServiceQuota`) and EC2 DescribeInstanceTypes (the EC2 Query protocol:
 * a form-encoded POST, an XML answer whose lists are `<item>` elements), for the DR quota check.
 * - GetServiceQuota answers the applied quota of the request's region (its SigV4 scope): the vCPU
 *   limit of the EC2 On-Demand instance family, with the quota's name, ARN and usage metric as
 *   AWS gives them; it carries no usage (the usage is the CloudWatch metric its UsageMetric names)
 *   (https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_GetServiceQuota.html,
 *   https://docs.aws.amazon.com/cli/latest/reference/service-quotas/get-service-quota.html).
 *   The sandbox knows the family quotas of the pool's instance type; any other code is
 *   NoSuchResourceException.
 * - DescribeInstanceTypes answers `vCpuInfo.defaultVCpus` and `memoryInfo.sizeInMiB` of the types
 *   it knows, InvalidInstanceType for others
 *   (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceTypes.html).
 * A down region drops the connection, as the other regional AWS emulators do.
 */
import type http from 'node:http';
import { send, type ServiceContext, type ServiceDef, type ServiceRequest } from '../http.js';
import { POOL_MACHINES, quotaOf } from '../quotas.js';
import {
  awsStack,
  dropConnection,
  list,
  regionDown,
  requestId,
  signedRegion,
  xmlDocument,
} from './common.js';
import { SANDBOX_ACCOUNT } from './common.js';
import { SITES } from '../world.js';

const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** The EC2 On-Demand quotas the sandbox serves (vCPU-based; code and name as Service Quotas lists them). */
export const EC2_ON_DEMAND_QUOTAS: Record<string, string> = {
  'L-1216C47A': 'Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances',
};

/** Instance types the sandbox knows: its pool's, and a few neighbours. */
const INSTANCE_TYPES: Record<string, { vcpus: number; memoryMiB: number }> = {
  [POOL_MACHINES.aws.type]: { vcpus: POOL_MACHINES.aws.vcpus, memoryMiB: POOL_MACHINES.aws.memoryMiB },
  'm6i.large': { vcpus: 2, memoryMiB: 8192 },
  'm6i.2xlarge': { vcpus: 8, memoryMiB: 32768 },
  'c6i.xlarge': { vcpus: 4, memoryMiB: 8192 },
};

class JsonError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function sendJsonError(res: http.ServerResponse, e: JsonError): void {
  send(res, e.status, { __type: e.code, message: e.message }, 'application/x-amz-json-1.1');
}

/** The region of the request and its site in the AWS stack, if any. */
function siteOf(ctx: ServiceContext, req: ServiceRequest) {
  const region = signedRegion(req) ?? 'us-east-1';
  const stack = awsStack(ctx.world);
  const name = SITES.find((s) => stack.sites[s].region === region);
  return { region, site: name ? stack.sites[name] : undefined };
}

function getServiceQuota(ctx: ServiceContext, req: ServiceRequest) {
  let body: { ServiceCode?: string; QuotaCode?: string };
  try {
    body = JSON.parse(req.text() || '{}');
  } catch {
    throw new JsonError(400, 'SerializationException', 'The request body is not valid JSON.');
  }
  const name = EC2_ON_DEMAND_QUOTAS[body.QuotaCode ?? ''];
  if (body.ServiceCode !== 'ec2' || !name)
    throw new JsonError(
      400,
      'NoSuchResourceException',
      `The request failed because the specified service quota (${body.ServiceCode}/${body.QuotaCode}) does not exist.`,
    );
  const { region, site } = siteOf(ctx, req);
  // a region outside the estate has AWS's default for a new account
  const value = site ? quotaOf(site).familyVcpus : 5;
  return {
    Quota: {
      ServiceCode: 'ec2',
      ServiceName: 'Amazon Elastic Compute Cloud (Amazon EC2)',
      QuotaArn: `arn:aws:servicequotas:${region}:${SANDBOX_ACCOUNT}:ec2/${body.QuotaCode}`,
      QuotaCode: body.QuotaCode,
      QuotaName: name,
      Value: value,
      Unit: 'None',
      Adjustable: true,
      GlobalQuota: false,
      UsageMetric: {
        MetricNamespace: 'AWS/Usage',
        MetricName: 'ResourceCount',
        MetricDimensions: { Class: 'Standard/OnDemand', Resource: 'vCPU', Service: 'EC2', Type: 'Resource' },
        MetricStatisticRecommendation: 'Maximum',
      },
      QuotaAppliedAtLevel: 'ACCOUNT',
    },
  };
}

/** The emulated Service Quotas API (service key `servicequotas`). */
export function serviceQuotasService(): ServiceDef {
  const op = (req: ServiceRequest) => String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'Unknown';
  return {
    name: 'servicequotas',
    operation: op,
    handle(req, res, ctx) {
      if (regionDown(ctx.world, req)) return dropConnection(req);
      try {
        if (op(req) !== 'GetServiceQuota')
          throw new JsonError(
            400,
            'UnknownOperationException',
            `The sandbox serves GetServiceQuota only, not ${op(req)}.`,
          );
        send(res, 200, getServiceQuota(ctx, req), 'application/x-amz-json-1.1');
      } catch (err) {
        if (err instanceof JsonError) return sendJsonError(res, err);
        throw err;
      }
    },
    renderThrottle(_req, res) {
      sendJsonError(res, new JsonError(400, 'TooManyRequestsException', 'Rate exceeded'));
    },
    renderError(_req, res, hit) {
      const status = hit.spec.status ?? 503;
      sendJsonError(
        res,
        status === 403
          ? new JsonError(
              403,
              'AccessDeniedException',
              'You do not have sufficient access to perform this action.',
            )
          : new JsonError(status, 'ServiceException', 'Something went wrong.'),
      );
    },
  };
}

function ec2Error(res: http.ServerResponse, status: number, code: string, message: string): void {
  send(
    res,
    status,
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId()}</RequestID></Response>`,
    'text/xml',
  );
}

/** The emulated EC2 Query API, DescribeInstanceTypes only (service key `ec2`). */
export function ec2Service(): ServiceDef {
  const params = (req: ServiceRequest) => new URLSearchParams(req.text());
  return {
    name: 'ec2',
    operation: (req) => params(req).get('Action') ?? 'Unknown',
    handle(req, res, ctx) {
      if (regionDown(ctx.world, req)) return dropConnection(req);
      const p = params(req);
      if (p.get('Action') !== 'DescribeInstanceTypes')
        return ec2Error(
          res,
          400,
          'InvalidAction',
          `The action ${p.get('Action')} is not valid for this web service.`,
        );
      const asked = [...p.entries()].filter(([k]) => /^InstanceType\.\d+$/.test(k)).map(([, v]) => v);
      const unknown = asked.filter((t) => !INSTANCE_TYPES[t]);
      if (unknown.length)
        return ec2Error(
          res,
          400,
          'InvalidInstanceType',
          `The following supplied instance types do not exist: [${unknown.join(', ')}]`,
        );
      const types = asked.length ? asked : Object.keys(INSTANCE_TYPES);
      send(
        res,
        200,
        xmlDocument('DescribeInstanceTypesResponse', EC2_XMLNS, {
          requestId: requestId(),
          instanceTypeSet: list(
            'item',
            types.map((t) => ({
              instanceType: t,
              currentGeneration: true,
              vCpuInfo: { defaultVCpus: INSTANCE_TYPES[t].vcpus },
              memoryInfo: { sizeInMiB: INSTANCE_TYPES[t].memoryMiB },
            })),
          ),
        }),
        'text/xml',
      );
    },
    renderThrottle(_req, res) {
      ec2Error(res, 503, 'RequestLimitExceeded', 'Request limit exceeded.');
    },
    renderError(_req, res, hit) {
      const status = hit.spec.status ?? 503;
      if (status === 403)
        return ec2Error(
          res,
          403,
          'UnauthorizedOperation',
          'You are not authorized to perform this operation.',
        );
      ec2Error(res, status, 'InternalError', 'An internal error has occurred.');
    },
  };
}
