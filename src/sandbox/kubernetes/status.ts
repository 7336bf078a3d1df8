/**
 * Kubernetes `Status` objects: every error of the emulated API server is one, as the API server
 * returns them (kind Status, status Failure, reason, details, code).
 * https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/status/
 */
import type http from 'node:http';
import { send } from '../http.js';
import type { Route } from './routes.js';

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function statusBody(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: code < 400 ? 'Success' : 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export function sendStatus(res: http.ServerResponse, e: StatusError): void {
  send(res, e.code, statusBody(e.code, e.reason, e.message, e.details), 'application/json', e.headers);
}

export function notFound(group: string, kind: string, name: string): StatusError {
  const qualified = group ? `${kind}.${group}` : kind;
  return new StatusError(404, 'NotFound', `${qualified} "${name}" not found`, {
    name,
    group: group || undefined,
    kind,
  });
}

export function invalid(kind: string, name: string, message: string): StatusError {
  return new StatusError(422, 'Invalid', `${kind} "${name}" is invalid: ${message}`, { name, kind });
}

/** The 405 of a resource that does not serve `method`. */
export function methodNotAllowed(method: string, r: Route): StatusError {
  return new StatusError(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource (${method} ${r.parts.join('/')})`,
  );
}
