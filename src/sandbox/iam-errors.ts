/**
 * Each cloud's own answer to a request its caller's policy does not allow (see ./iam.ts):
 * - AWS Query and REST-XML (RDS, Route 53): 403 `<ErrorResponse><Error><Code>AccessDenied`, REST-JSON
 *   (EKS): 403 `AccessDeniedException` in `x-amzn-errortype`; the message names the principal and the
 *   action ("User: arn:... is not authorized to perform: rds:PromoteReadReplica on resource: ...
 *   because no identity-based policy allows the rds:PromoteReadReplica action",
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html);
 * - Azure Resource Manager: 403 `{"error":{"code":"AuthorizationFailed","message":"The client '...'
 *   with object id '...' does not have authorization to perform action '...' over scope '...'"}}`
 *   (https://learn.microsoft.com/en-us/azure/role-based-access-control/troubleshooting);
 * - Google APIs: 403 google.rpc.Status, status PERMISSION_DENIED, "Permission '<p>' denied on
 *   resource ...", with an ErrorInfo detail IAM_PERMISSION_DENIED naming the permission
 *   (https://cloud.google.com/apis/design/errors#error_model, https://cloud.google.com/iam/docs/troubleshooting-access);
 * - Kubernetes: 403 Status Forbidden, `<resource>.<group> "<name>" is forbidden: User "<user>" cannot
 *   <verb> resource "<resource/sub>" in API group "<group>" in the namespace "<ns>"`
 *   (https://kubernetes.io/docs/reference/access-authn-authz/rbac/, the authorizer's wording).
 */
import type http from 'node:http';
import { SANDBOX_ACCOUNT, requestId, sendAwsXmlError, signedRegion, AwsXmlError } from './aws/common.js';
import { renderArmError } from './azure/common.js';
import { send, type ServiceRequest } from './http.js';
import type { Denial } from './iam.js';
import { StatusError, sendStatus } from './kubernetes/status.js';

const RDS_XMLNS = 'http://rds.amazonaws.com/doc/2014-10-31/';
const ROUTE53_XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';

/** Who the sandbox says asked, in each cloud's words. */
function principal(d: Denial): string {
  const who = `aegis-dr-${d.identity ?? 'unknown'}`;
  switch (d.cloud) {
    case 'aws':
      return `arn:aws:sts::${SANDBOX_ACCOUNT}:assumed-role/${who}/aegis-dr`;
    case 'azure':
      return d.identity === 'read-only'
        ? '00000000-0000-0000-0000-0000000000r0'
        : d.identity === 'failover'
          ? '00000000-0000-0000-0000-00000000a11d'
          : '00000000-0000-0000-0000-000000000000';
    case 'gcp':
      return `${who}@sandbox.iam.gserviceaccount.com`;
    case 'kubernetes':
      return d.identity ? who : 'system:anonymous';
  }
}

function awsResource(service: string, req: ServiceRequest): string {
  const region = signedRegion(req) ?? 'us-east-1';
  if (service === 'rds') {
    const p = new URLSearchParams(req.text());
    const id = p.get('DBInstanceIdentifier') ?? req.url.searchParams.get('DBInstanceIdentifier');
    return id ? `arn:aws:rds:${region}:${SANDBOX_ACCOUNT}:db:${id}` : '*';
  }
  if (service === 'route53') {
    const m = /\/2013-04-01\/(hostedzone|healthcheck|change)\/([^/]+)/.exec(req.path);
    return m ? `arn:aws:route53:::${m[1]}/${m[2]}` : '*';
  }
  const m = /^\/clusters\/([^/]+)/.exec(req.path);
  return m ? `arn:aws:eks:${region}:${SANDBOX_ACCOUNT}:cluster/${decodeURIComponent(m[1])}` : '*';
}

/** Answer `req` with its cloud's denial of `d`. */
export function renderDenial(
  service: string,
  req: ServiceRequest,
  res: http.ServerResponse,
  d: Denial,
): void {
  switch (d.cloud) {
    case 'aws': {
      const message = `User: ${principal(d)} is not authorized to perform: ${d.permission} on resource: ${awsResource(service, req)} because no identity-based policy allows the ${d.permission} action`;
      if (service === 'eks') {
        send(res, 403, { message }, 'application/json', {
          'x-amzn-errortype': 'AccessDeniedException',
          'x-amzn-requestid': requestId(),
        });
        return;
      }
      const e = new AwsXmlError(403, 'AccessDenied', message, 'Sender');
      sendAwsXmlError(res, e, service === 'rds' ? RDS_XMLNS : ROUTE53_XMLNS, {
        'x-amzn-requestid': requestId(),
      });
      return;
    }
    case 'azure': {
      const scope = req.path.replace(
        /\/(failover|forceFailoverAllowDataLoss|listClusterUserCredential)$/i,
        '',
      );
      const id = principal(d);
      renderArmError(
        res,
        403,
        'AuthorizationFailed',
        `The client '${id}' with object id '${id}' does not have authorization to perform action '${d.permission}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      );
      return;
    }
    case 'gcp': {
      const message = `Permission '${d.permission}' denied on resource '${req.path}' (or it may not exist).`;
      send(
        res,
        403,
        {
          error: {
            code: 403,
            message,
            status: 'PERMISSION_DENIED',
            details: [
              {
                '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                reason: 'IAM_PERMISSION_DENIED',
                domain: 'iam.googleapis.com',
                metadata: { permission: d.permission, principal: principal(d) },
              },
            ],
          },
        },
        'application/json; charset=UTF-8',
      );
      return;
    }
    case 'kubernetes': {
      const k = d.kube!;
      const qualified = k.group ? `${k.resource}.${k.group}` : k.resource;
      const resource = k.sub ? `${k.resource}/${k.sub}` : k.resource;
      const where = k.namespace ? ` in the namespace "${k.namespace}"` : ' at the cluster scope';
      sendStatus(
        res,
        new StatusError(
          403,
          'Forbidden',
          `${qualified}${k.name ? ` "${k.name}"` : ''} is forbidden: User "${principal(d)}" cannot ${k.verb} resource "${resource}" in API group "${k.group}"${where}`,
          { ...(k.name ? { name: k.name } : {}), ...(k.group ? { group: k.group } : {}), kind: k.resource },
        ),
      );
      return;
    }
  }
}
