/**
 * Helpers shared by the emulated AWS services: a tiny XML writer and reader (enough for the
 * Query and REST-XML shapes the AWS SDK sends and expects), SigV4 credential-scope parsing, and
 * lookups from a region or resource name to the AWS stack and site of the sandbox world.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SiteName } from '../../plan/types.js';
import type http from 'node:http';
import { send, type ServiceRequest } from '../http.js';
import type { SiteWorld, StackWorld, World } from '../world.js';
import { SITES } from '../world.js';

/** The sandbox's AWS account id (all zeros, never a real account). */
export const SANDBOX_ACCOUNT = '000000000000';

/** A value the XML writer renders: text, a nested element map, a list, or nothing. */
export type XmlValue = string | number | boolean | Date | undefined | null | XmlNode | XmlList;
/** An element's children, in order. */
export interface XmlNode {
  [tag: string]: XmlValue;
}
/** A list rendered as repeated `<member>` elements (named by `member`). */
export interface XmlList {
  member: string;
  items: XmlValue[];
}

/** Build a list value for the XML writer. */
export function list(member: string, items: XmlValue[]): XmlList {
  return { member, items };
}

function isList(v: XmlValue): v is XmlList {
  return typeof v === 'object' && v !== null && !(v instanceof Date) && Array.isArray((v as XmlList).items);
}

/** Escape text for XML content. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function render(tag: string, v: XmlValue): string {
  if (v === undefined || v === null) return '';
  if (v instanceof Date) return `<${tag}>${v.toISOString()}</${tag}>`;
  if (isList(v)) return `<${tag}>${v.items.map((i) => render(v.member, i)).join('')}</${tag}>`;
  if (typeof v === 'object') return `<${tag}>${renderChildren(v)}</${tag}>`;
  return `<${tag}>${esc(String(v))}</${tag}>`;
}

function renderChildren(node: XmlNode): string {
  return Object.entries(node)
    .map(([k, v]) => render(k, v))
    .join('');
}

/** Render a whole document: `<root xmlns="...">children</root>`. */
export function xmlDocument(root: string, xmlns: string, children: XmlNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${xmlns}">${renderChildren(children)}</${root}>`;
}

/** A parsed XML element: its tag, text and children (attributes are ignored). */
export interface XmlElement {
  tag: string;
  text: string;
  children: XmlElement[];
}

function unescape(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#([0-9]+);/g, (_m, d: string) => String.fromCharCode(Number(d)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/&amp;/g, '&');
}

/**
 * Parse a small XML document (elements and text; no DTD, CDATA or mixed content), as the AWS SDK
 * sends in REST-XML request bodies. Throws on malformed input.
 */
export function parseXml(text: string): XmlElement {
  const src = text.replace(/<\?xml[^?]*\?>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  const root: XmlElement = { tag: '#root', text: '', children: [] };
  const stack: XmlElement[] = [root];
  const re = /<(\/?)([A-Za-z_][\w.:-]*)([^>]*?)(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(src)) !== null) {
    const [, closing, tag, , selfClosing, textPart] = m;
    const top = stack[stack.length - 1];
    if (textPart !== undefined) {
      top.text += unescape(textPart);
    } else if (closing) {
      if (top.tag !== tag) throw new Error(`malformed XML: </${tag}> closes <${top.tag}>`);
      stack.pop();
    } else {
      const el: XmlElement = { tag: tag.replace(/^.*:/, ''), text: '', children: [] };
      top.children.push(el);
      if (!selfClosing) stack.push(el);
    }
  }
  if (stack.length !== 1 || root.children.length !== 1) throw new Error('malformed XML: unbalanced elements');
  return root.children[0];
}

/** The first child element with `tag` (by path: child(el, 'A', 'B')). */
export function child(el: XmlElement | undefined, ...path: string[]): XmlElement | undefined {
  let cur = el;
  for (const p of path) {
    cur = cur?.children.find((c) => c.tag === p);
    if (!cur) return undefined;
  }
  return cur;
}

/** Text of a descendant by path, trimmed; undefined when absent. */
export function textAt(el: XmlElement | undefined, ...path: string[]): string | undefined {
  const c = child(el, ...path);
  return c ? c.text.trim() : undefined;
}

/** The AWS request id shape (a UUID). */
export function requestId(): string {
  return randomUUID();
}

/** A Route 53 style id: an upper-case letter prefix and 13 base-32 characters. */
export function awsId(prefix: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = randomBytes(13);
  return prefix + [...bytes].map((b) => alphabet[b % 32]).join('');
}

/** The region of a SigV4-signed request (credential scope), or undefined when unsigned. */
export function signedRegion(req: ServiceRequest): string | undefined {
  const auth = req.headers.authorization;
  const m =
    typeof auth === 'string' ? /Credential=[^/]+\/[0-9]{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth) : null;
  return m ? m[1] : undefined;
}

/** The AWS stack of the world (the first stack whose cloud is aws). */
export function awsStack(world: World): StackWorld {
  for (const s of world.stacks.values()) if (s.cloud === 'aws') return s;
  throw new Error('the sandbox world has no aws stack: createEstate(world) with "aws" among the clouds');
}

/** The site of the AWS stack in `region`, if any. */
export function siteOfRegion(
  world: World,
  region: string | undefined,
): { name: SiteName; site: SiteWorld } | undefined {
  if (!region) return undefined;
  const stack = awsStack(world);
  for (const name of SITES) if (stack.sites[name].region === region) return { name, site: stack.sites[name] };
  return undefined;
}

/** Whether the request's region is down (the caller then destroys the socket, as a dead region does). */
export function regionDown(world: World, req: ServiceRequest): boolean {
  const s = siteOfRegion(world, signedRegion(req));
  return s !== undefined && !s.site.up;
}

/** Destroy the request's socket: what a client sees from an unreachable region. */
export function dropConnection(req: ServiceRequest): void {
  req.raw.socket.destroy();
}

/** An error of an XML-speaking AWS service (RDS Query, Route 53 REST-XML) as the service renders it. */
export class AwsXmlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

/** Send `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`. */
export function sendAwsXmlError(
  res: http.ServerResponse,
  e: AwsXmlError,
  xmlns: string,
  headers: Record<string, string> = {},
): void {
  const body = xmlDocument('ErrorResponse', xmlns, {
    Error: { Type: e.type, Code: e.code, Message: e.message },
    RequestId: requestId(),
  });
  send(res, e.status, body, 'text/xml', headers);
}

/**
 * The error an injected `error` fault of status `status` answers with, as AWS renders it: 403 is an
 * IAM denial (`AccessDenied` on the Query and REST-XML services, `AccessDeniedException` on the
 * REST-JSON ones), 404 the service's own "not found" code, 503 ServiceUnavailable, any other 5xx
 * InternalFailure. https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html
 * lists the common codes; the IAM message names the action, as a real denial does
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
 */
export function faultError(
  status: number,
  action: string,
  notFound: { code: string; message: string },
  json = false,
): { status: number; code: string; message: string; type: 'Sender' | 'Receiver' } {
  if (status === 403) {
    return {
      status,
      code: json ? 'AccessDeniedException' : 'AccessDenied',
      message: `User: arn:aws:sts::000000000000:assumed-role/aegis-sandbox/aegis-dr is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
      type: 'Sender',
    };
  }
  if (status === 404) return { status, ...notFound, type: 'Sender' };
  if (status === 503) {
    return {
      status,
      code: json ? 'ServiceUnavailableException' : 'ServiceUnavailable',
      message: 'The request has failed due to a temporary failure of the server.',
      type: 'Receiver',
    };
  }
  if (status >= 500) {
    return {
      status,
      code: json ? 'ServerException' : 'InternalFailure',
      message: 'The request processing has failed because of an unknown error, exception or failure.',
      type: 'Receiver',
    };
  }
  return {
    status,
    code: 'ValidationError',
    message: 'The input fails to satisfy the constraints specified by an AWS service.',
    type: 'Sender',
  };
}
