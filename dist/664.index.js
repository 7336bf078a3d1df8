export const id = 664;
export const ids = [664];
export const modules = {

/***/ 99664:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  startSandbox: () => (/* binding */ startSandbox)
});

// UNUSED EXPORTS: sandboxPlan

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
var external_node_fs_default = /*#__PURE__*/__webpack_require__.n(external_node_fs_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(38815);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(37067);
var external_node_http_default = /*#__PURE__*/__webpack_require__.n(external_node_http_);
;// CONCATENATED MODULE: ./src/sandbox/http.ts
/**
 * The common frame of every emulated HTTP service: a server on 127.0.0.1, the request body read
 * whole, the world settled before each request, and the generic faults (reset, timeout, slow)
 * applied. Throttling and server errors are rendered by each service in its own wire format.
 */

function send(res, status, body, contentType, headers = {}) {
    const isObj = typeof body === 'object' && !Buffer.isBuffer(body);
    const payload = isObj ? JSON.stringify(body) : body;
    res.writeHead(status, {
        'content-type': contentType ?? (isObj ? 'application/json' : 'text/plain'),
        'content-length': String(Buffer.byteLength(payload)),
        ...headers,
    });
    res.end(payload);
}
async function startService(def, ctx, opts = {}) {
    const sockets = new Set();
    const server = external_node_http_default().createServer((raw, res) => {
        const chunks = [];
        raw.on('data', (c) => chunks.push(c));
        raw.on('end', () => {
            void dispatch(raw, Buffer.concat(chunks), res);
        });
    });
    server.on('connection', (s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
    });
    async function dispatch(raw, body, res) {
        const url = new URL(raw.url ?? '/', 'http://127.0.0.1');
        const req = {
            method: raw.method ?? 'GET',
            url,
            path: url.pathname,
            headers: raw.headers,
            body,
            text: () => body.toString('utf8'),
            json: () => (body.length ? JSON.parse(body.toString('utf8')) : {}),
            raw,
        };
        try {
            ctx.world.settle();
            const op = def.operation(req);
            const hit = ctx.faults.check(def.name, op);
            if (hit) {
                switch (hit.kind) {
                    case 'reset':
                        raw.socket.destroy();
                        return;
                    case 'timeout':
                        return; // never answer; the client's timeout fires
                    case 'slow':
                        await new Promise((r) => setTimeout(r, hit.spec.delayMs ?? 2000));
                        break;
                    case 'throttle':
                        def.renderThrottle(req, res, hit);
                        return;
                    case 'error':
                        def.renderError(req, res, hit);
                        return;
                }
            }
            await def.handle(req, res, ctx);
            ctx.world.settle();
        }
        catch (err) {
            if (!res.headersSent)
                send(res, 500, { error: err.message });
            else
                res.end();
        }
    }
    await new Promise((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
    const port = server.address().port;
    return {
        name: def.name,
        url: `http://127.0.0.1:${port}`,
        port,
        server,
        close: () => new Promise((resolve) => {
            for (const s of sockets)
                s.destroy();
            server.close(() => resolve());
        }),
    };
}

// EXTERNAL MODULE: ./src/sandbox/world.ts
var sandbox_world = __webpack_require__(83347);
;// CONCATENATED MODULE: ./src/sandbox/aws/common.ts
/**
 * Helpers shared by the emulated AWS services: a tiny XML writer and reader (enough for the
 * Query and REST-XML shapes the AWS SDK sends and expects), SigV4 credential-scope parsing, and
 * lookups from a region or resource name to the AWS stack and site of the sandbox world.
 */



/** The sandbox's AWS account id (all zeros, never a real account). */
const SANDBOX_ACCOUNT = '000000000000';
/** Build a list value for the XML writer. */
function list(member, items) {
    return { member, items };
}
function isList(v) {
    return typeof v === 'object' && v !== null && !(v instanceof Date) && Array.isArray(v.items);
}
/** Escape text for XML content. */
function esc(s) {
    return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
function render(tag, v) {
    if (v === undefined || v === null)
        return '';
    if (v instanceof Date)
        return `<${tag}>${v.toISOString()}</${tag}>`;
    if (isList(v))
        return `<${tag}>${v.items.map((i) => render(v.member, i)).join('')}</${tag}>`;
    if (typeof v === 'object')
        return `<${tag}>${renderChildren(v)}</${tag}>`;
    return `<${tag}>${esc(String(v))}</${tag}>`;
}
function renderChildren(node) {
    return Object.entries(node)
        .map(([k, v]) => render(k, v))
        .join('');
}
/** Render a whole document: `<root xmlns="...">children</root>`. */
function xmlDocument(root, xmlns, children) {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${xmlns}">${renderChildren(children)}</${root}>`;
}
function common_unescape(s) {
    return s
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&#([0-9]+);/g, (_m, d) => String.fromCharCode(Number(d)))
        .replace(/&#x([0-9a-fA-F]+);/g, (_m, h) => String.fromCharCode(parseInt(h, 16)))
        .replace(/&amp;/g, '&');
}
/**
 * Parse a small XML document (elements and text; no DTD, CDATA or mixed content), as the AWS SDK
 * sends in REST-XML request bodies. Throws on malformed input.
 */
function parseXml(text) {
    const src = text.replace(/<\?xml[^?]*\?>/g, '').replace(/<!--[\s\S]*?-->/g, '');
    const root = { tag: '#root', text: '', children: [] };
    const stack = [root];
    const re = /<(\/?)([A-Za-z_][\w.:-]*)([^>]*?)(\/?)>|([^<]+)/g;
    let m;
    while ((m = re.exec(src)) !== null) {
        const [, closing, tag, , selfClosing, textPart] = m;
        const top = stack[stack.length - 1];
        if (textPart !== undefined) {
            top.text += common_unescape(textPart);
        }
        else if (closing) {
            if (top.tag !== tag)
                throw new Error(`malformed XML: </${tag}> closes <${top.tag}>`);
            stack.pop();
        }
        else {
            const el = { tag: tag.replace(/^.*:/, ''), text: '', children: [] };
            top.children.push(el);
            if (!selfClosing)
                stack.push(el);
        }
    }
    if (stack.length !== 1 || root.children.length !== 1)
        throw new Error('malformed XML: unbalanced elements');
    return root.children[0];
}
/** The first child element with `tag` (by path: child(el, 'A', 'B')). */
function child(el, ...path) {
    let cur = el;
    for (const p of path) {
        cur = cur?.children.find((c) => c.tag === p);
        if (!cur)
            return undefined;
    }
    return cur;
}
/** Text of a descendant by path, trimmed; undefined when absent. */
function textAt(el, ...path) {
    const c = child(el, ...path);
    return c ? c.text.trim() : undefined;
}
/** The AWS request id shape (a UUID). */
function requestId() {
    return (0,external_node_crypto_.randomUUID)();
}
/** A Route 53 style id: an upper-case letter prefix and 13 base-32 characters. */
function awsId(prefix) {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const bytes = (0,external_node_crypto_.randomBytes)(13);
    return prefix + [...bytes].map((b) => alphabet[b % 32]).join('');
}
/** The region of a SigV4-signed request (credential scope), or undefined when unsigned. */
function signedRegion(req) {
    const auth = req.headers.authorization;
    const m = typeof auth === 'string' ? /Credential=[^/]+\/[0-9]{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth) : null;
    return m ? m[1] : undefined;
}
/** The AWS stack of the world (the first stack whose cloud is aws). */
function awsStack(world) {
    for (const s of world.stacks.values())
        if (s.cloud === 'aws')
            return s;
    throw new Error('the sandbox world has no aws stack: createEstate(world) with "aws" among the clouds');
}
/** The site of the AWS stack in `region`, if any. */
function siteOfRegion(world, region) {
    if (!region)
        return undefined;
    const stack = awsStack(world);
    for (const name of sandbox_world/* SITES */.bo)
        if (stack.sites[name].region === region)
            return { name, site: stack.sites[name] };
    return undefined;
}
/** Whether the request's region is down (the caller then destroys the socket, as a dead region does). */
function regionDown(world, req) {
    const s = siteOfRegion(world, signedRegion(req));
    return s !== undefined && !s.site.up;
}
/** Destroy the request's socket: what a client sees from an unreachable region. */
function dropConnection(req) {
    req.raw.socket.destroy();
}
/** An error of an XML-speaking AWS service (RDS Query, Route 53 REST-XML) as the service renders it. */
class AwsXmlError extends Error {
    status;
    code;
    type;
    constructor(status, code, message, type = 'Sender') {
        super(message);
        this.status = status;
        this.code = code;
        this.type = type;
    }
}
/** Send `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`. */
function sendAwsXmlError(res, e, xmlns, headers = {}) {
    const body = xmlDocument('ErrorResponse', xmlns, {
        Error: { Type: e.type, Code: e.code, Message: e.message },
        RequestId: requestId(),
    });
    send(res, e.status, body, 'text/xml', headers);
}

;// CONCATENATED MODULE: ./src/sandbox/aws/eks.ts




/** An EKS error: status, the x-amzn-errortype code and a message. */
class EksError extends Error {
    status;
    code;
    constructor(status, code, message) {
        super(message);
        this.status = status;
        this.code = code;
    }
}
const sides = new WeakMap();
function side(world) {
    let s = sides.get(world);
    if (!s) {
        const created = { updates: new Map(), createdAt: Date.now() - 200 * 86400_000 };
        s = created;
        sides.set(world, s);
        // complete updates as soon as the pool's nodes are all Ready, whoever triggers the settle
        world.onChange(() => completeUpdates(world, created));
    }
    return s;
}
function completeUpdates(world, s) {
    let stack;
    try {
        stack = awsStack(world);
    }
    catch {
        return;
    }
    for (const u of s.updates.values()) {
        if (u.status !== 'InProgress' || !u.applied)
            continue;
        const site = stack.sites[u.site];
        const nodes = site.cluster.nodes;
        if (nodes.length === site.pool.desired && nodes.every((n) => n.ready)) {
            u.status = 'Successful';
            const rec = site.pool.updates.find((x) => x.id === u.id);
            if (rec)
                rec.status = 'Successful';
            site.pool.busyUntil = Date.now();
        }
    }
}
function sendError(res, e) {
    send(res, e.status, { message: e.message }, 'application/json', { 'x-amzn-errortype': e.code });
}
const ROUTES = [
    {
        method: 'POST',
        re: /^\/clusters\/([^/]+)\/node-groups\/([^/]+)\/update-config$/,
        op: 'UpdateNodegroupConfig',
    },
    { method: 'GET', re: /^\/clusters\/([^/]+)\/node-groups\/([^/]+)$/, op: 'DescribeNodegroup' },
    { method: 'GET', re: /^\/clusters\/([^/]+)\/updates\/([^/]+)$/, op: 'DescribeUpdate' },
];
function route(req) {
    for (const r of ROUTES) {
        const m = r.method === req.method ? r.re.exec(req.path) : null;
        if (m)
            return { op: r.op, a: decodeURIComponent(m[1]), b: decodeURIComponent(m[2]) };
    }
    return undefined;
}
function findCluster(world, req, name) {
    const stack = awsStack(world);
    const region = signedRegion(req) ?? stack.sites.primary.region;
    for (const s of sandbox_world/* SITES */.bo) {
        const site = stack.sites[s];
        if (site.pool.cluster === name && site.region === region)
            return { name: s, site };
    }
    throw new EksError(404, 'ResourceNotFoundException', `No cluster found for name: ${name}.`);
}
function findNodegroup(world, req, cluster, nodegroup) {
    const found = findCluster(world, req, cluster);
    if (found.site.pool.name !== nodegroup) {
        throw new EksError(404, 'ResourceNotFoundException', `No node group found for name: ${nodegroup}.`);
    }
    return found;
}
function pendingUpdate(world, site) {
    for (const u of side(world).updates.values())
        if (u.site === site && u.status === 'InProgress')
            return u;
    return undefined;
}
function scalingOf(world, name, site) {
    const p = pendingUpdate(world, name);
    if (p)
        return { ...p.scaling };
    return { minSize: site.pool.min, maxSize: site.pool.max, desiredSize: site.pool.desired };
}
function updateJson(u) {
    return {
        id: u.id,
        status: u.status,
        type: 'ConfigUpdate',
        params: [
            { type: 'MinSize', value: String(u.scaling.minSize) },
            { type: 'MaxSize', value: String(u.scaling.maxSize) },
            { type: 'DesiredSize', value: String(u.scaling.desiredSize) },
        ],
        createdAt: u.createdAt / 1000,
        errors: [],
    };
}
function nodegroupJson(world, name, site) {
    const region = site.region;
    const busy = pendingUpdate(world, name) !== undefined;
    return {
        nodegroup: {
            nodegroupName: site.pool.name,
            nodegroupArn: `arn:aws:eks:${region}:${SANDBOX_ACCOUNT}:nodegroup/${site.pool.cluster}/${site.pool.name}/sandbox`,
            clusterName: site.pool.cluster,
            version: '1.31',
            releaseVersion: '1.31.0-20261101',
            createdAt: side(world).createdAt / 1000,
            modifiedAt: Date.now() / 1000,
            status: busy ? 'UPDATING' : site.up ? 'ACTIVE' : 'DEGRADED',
            capacityType: 'ON_DEMAND',
            scalingConfig: scalingOf(world, name, site),
            instanceTypes: ['m6i.xlarge'],
            subnets: site.zones.map((z) => `subnet-sandbox-${z}`),
            amiType: 'AL2023_x86_64_STANDARD',
            nodeRole: `arn:aws:iam::${SANDBOX_ACCOUNT}:role/aegis-node`,
            labels: {},
            health: { issues: [] },
            updateConfig: { maxUnavailable: 1 },
            tags: {},
        },
    };
}
function eks_int(v, field) {
    if (v === undefined || v === null)
        return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        throw new EksError(400, 'InvalidParameterException', `scalingConfig.${field} is ${JSON.stringify(v)}: expected a whole number from 0.`);
    }
    return v;
}
function updateConfig(world, req, cluster, nodegroup) {
    const { name, site } = findNodegroup(world, req, cluster, nodegroup);
    let body;
    try {
        body = req.json();
    }
    catch {
        throw new EksError(400, 'InvalidParameterException', 'The request body is not valid JSON: expected {"scalingConfig": {...}}.');
    }
    const sc = body.scalingConfig;
    if (!sc || typeof sc !== 'object') {
        throw new EksError(400, 'InvalidParameterException', 'No changes were requested: give scalingConfig (minSize, maxSize, desiredSize).');
    }
    if (pendingUpdate(world, name)) {
        throw new EksError(409, 'ResourceInUseException', `Nodegroup ${nodegroup} of cluster ${cluster} is currently UPDATING: wait for the update in progress to finish, then retry.`);
    }
    const cur = scalingOf(world, name, site);
    const next = {
        minSize: eks_int(sc.minSize, 'minSize') ?? cur.minSize,
        maxSize: eks_int(sc.maxSize, 'maxSize') ?? cur.maxSize,
        desiredSize: eks_int(sc.desiredSize, 'desiredSize') ?? cur.desiredSize,
    };
    if (next.maxSize < 1)
        throw new EksError(400, 'InvalidParameterException', `Maximum capacity ${next.maxSize} must be at least 1.`);
    if (next.minSize > next.maxSize) {
        throw new EksError(400, 'InvalidParameterException', `Minimum capacity ${next.minSize} can't be greater than maximum capacity ${next.maxSize}.`);
    }
    if (next.desiredSize > next.maxSize) {
        throw new EksError(400, 'InvalidParameterException', `Desired capacity ${next.desiredSize} can't be greater than max size ${next.maxSize}.`);
    }
    if (next.desiredSize < next.minSize) {
        throw new EksError(400, 'InvalidParameterException', `Minimum capacity ${next.minSize} can't be greater than desired size ${next.desiredSize}.`);
    }
    const u = {
        id: (0,external_node_crypto_.randomUUID)(),
        site: name,
        scaling: next,
        applied: false,
        createdAt: Date.now(),
        status: 'InProgress',
    };
    const s = side(world);
    s.updates.set(u.id, u);
    site.pool.updates.push({ id: u.id, status: 'InProgress', at: u.createdAt });
    site.pool.busyUntil = Number.MAX_SAFE_INTEGER;
    world.monitor.mutation('eks', 'UpdateNodegroupConfig', `${cluster}/${nodegroup}`);
    world.schedule(world.realMs(30), () => {
        site.pool.min = next.minSize;
        site.pool.max = next.maxSize;
        site.pool.desired = next.desiredSize;
        u.applied = true;
    });
    return { update: updateJson(u) };
}
function describeUpdate(world, req, cluster, id) {
    const { name, site } = findCluster(world, req, cluster);
    const ng = req.url.searchParams.get('nodegroupName');
    if (ng !== null && ng !== site.pool.name) {
        throw new EksError(404, 'ResourceNotFoundException', `No node group found for name: ${ng}.`);
    }
    const u = side(world).updates.get(id);
    if (!u || u.site !== name)
        throw new EksError(404, 'ResourceNotFoundException', `No update found for ID: ${id}.`);
    return { update: updateJson(u) };
}
/** The EKS service definition for `startService`. */
function eksService() {
    return {
        name: 'eks',
        operation(req) {
            return route(req)?.op ?? 'Unknown';
        },
        handle(req, res, ctx) {
            const { world } = ctx;
            if (regionDown(world, req)) {
                dropConnection(req);
                return;
            }
            side(world);
            try {
                const r = route(req);
                if (!r)
                    throw new EksError(404, 'UnknownOperationException', `No operation matches ${req.method} ${req.path}.`);
                switch (r.op) {
                    case 'UpdateNodegroupConfig':
                        return send(res, 200, updateConfig(world, req, r.a, r.b));
                    case 'DescribeNodegroup': {
                        const { name, site } = findNodegroup(world, req, r.a, r.b);
                        return send(res, 200, nodegroupJson(world, name, site));
                    }
                    case 'DescribeUpdate':
                        return send(res, 200, describeUpdate(world, req, r.a, r.b));
                }
            }
            catch (err) {
                if (err instanceof EksError)
                    return sendError(res, err);
                throw err;
            }
        },
        renderThrottle(_req, res, hit) {
            const headers = { 'x-amzn-errortype': 'ThrottlingException' };
            if (hit.spec.retryAfterSeconds !== undefined)
                headers['retry-after'] = String(hit.spec.retryAfterSeconds);
            send(res, 429, { message: 'Rate exceeded' }, 'application/json', headers);
        },
        renderError(_req, res, hit) {
            const status = hit.spec.status ?? 503;
            sendError(res, status === 503
                ? new EksError(503, 'ServiceUnavailableException', 'Service is unavailable, please try again later.')
                : new EksError(status, 'ServerException', 'An internal error occurred.'));
        },
    };
}

// EXTERNAL MODULE: ./src/sandbox/estate.ts
var estate = __webpack_require__(91203);
;// CONCATENATED MODULE: ./src/sandbox/aws/rds.ts




const XMLNS = 'http://rds.amazonaws.com/doc/2014-10-31/';
const T = estate/* TOPOLOGY */.yg.aws;
const rds_sides = new WeakMap();
function rds_side(world) {
    let s = rds_sides.get(world);
    if (!s) {
        s = {
            replicaStatus: 'available',
            eventSources: new WeakMap(),
            createdAt: new Date(Date.now() - 400 * 86400_000),
        };
        rds_sides.set(world, s);
    }
    return s;
}
/** An RDS error as the service renders it. */
const RdsError = AwsXmlError;
function sendRdsError(res, e) {
    sendAwsXmlError(res, e, XMLNS);
}
function sendResult(res, action, result) {
    const children = {};
    if (result)
        children[`${action}Result`] = result;
    children.ResponseMetadata = { RequestId: requestId() };
    send(res, 200, xmlDocument(`${action}Response`, XMLNS, children), 'text/xml');
}
function params(req) {
    const p = new URLSearchParams(req.text());
    for (const [k, v] of req.url.searchParams)
        if (!p.has(k))
            p.set(k, v);
    return p;
}
function arn(region, id) {
    return `arn:aws:rds:${region}:${SANDBOX_ACCOUNT}:db:${id}`;
}
/** Which site an instance id lives in, or undefined when it is not one of ours. */
function instanceSite(id) {
    if (id === T.db.instance)
        return 'primary';
    if (id === T.db.replica)
        return 'dr';
    return undefined;
}
function otherZone(stack, zone) {
    return stack.sites.primary.zones.find((z) => z !== zone) ?? zone;
}
function primaryStatus(stack) {
    switch (stack.database.status) {
        case 'rebooting':
        case 'failing-over':
            return 'rebooting';
        case 'unavailable':
            return 'failed';
        default:
            return 'available';
    }
}
function replicaIsReplica(stack) {
    return stack.database.replicating;
}
function endpointOf(id, region) {
    return { Address: `${id}.c0sandbox.${region}.rds.aegis.test`, Port: 5432, HostedZoneId: 'Z0SANDBOXRDS' };
}
function instanceXml(world, stack, id) {
    const db = stack.database;
    const s = rds_side(world);
    const common = {
        DBInstanceClass: 'db.r6g.large',
        Engine: 'postgres',
        EngineVersion: '16.4',
        MasterUsername: 'aegis',
        AllocatedStorage: 100,
        InstanceCreateTime: s.createdAt,
        BackupRetentionPeriod: 7,
        StorageType: 'gp3',
        StorageEncrypted: true,
        DbiResourceId: `db-SANDBOX${id.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
    };
    if (id === T.db.instance) {
        const region = stack.sites.primary.region;
        return {
            DBInstanceIdentifier: id,
            ...common,
            DBInstanceStatus: primaryStatus(stack),
            Endpoint: endpointOf(id, region),
            PreferredBackupWindow: '03:00-03:30',
            MultiAZ: true,
            AvailabilityZone: db.writerZone,
            SecondaryAvailabilityZone: otherZone(stack, db.writerZone),
            LatestRestorableTime: new Date(Math.max(db.lastBackupAt, Date.now() - 5 * 60_000)),
            ReadReplicaDBInstanceIdentifiers: list('ReadReplicaDBInstanceIdentifier', db.replicating ? [arn(stack.sites.dr.region, T.db.replica)] : []),
            DBInstanceArn: arn(region, id),
        };
    }
    const region = stack.sites.dr.region;
    const node = {
        DBInstanceIdentifier: id,
        ...common,
        DBInstanceStatus: s.replicaStatus,
        Endpoint: endpointOf(id, region),
        MultiAZ: false,
        AvailabilityZone: stack.sites.dr.zones[0],
    };
    if (replicaIsReplica(stack)) {
        const healthy = db.replicationHealthy && stack.sites.primary.up;
        node.ReadReplicaSourceDBInstanceIdentifier = arn(stack.sites.primary.region, T.db.instance);
        node.StatusInfos = list('DBInstanceStatusInfo', [
            {
                StatusType: 'read replication',
                Normal: healthy,
                Status: healthy ? 'replicating' : 'error',
                Message: healthy
                    ? undefined
                    : `Replication from ${T.db.instance} has stopped: the source cannot be reached or replication failed.`,
            },
        ]);
    }
    node.DBInstanceArn = arn(region, id);
    return node;
}
/** Region of the request (SigV4 scope), defaulting to the primary region for unsigned requests. */
function regionOf(world, req) {
    return signedRegion(req) ?? awsStack(world).sites.primary.region;
}
/** Resolve an instance id in the request's region, or throw DBInstanceNotFound. */
function findInstance(stack, region, id) {
    if (!id)
        throw new RdsError(400, 'MissingParameter', 'The request must contain the parameter DBInstanceIdentifier.');
    const site = instanceSite(id);
    if (!site || stack.sites[site].region !== region) {
        throw new RdsError(404, 'DBInstanceNotFound', `DBInstance ${id} not found.`);
    }
    return site;
}
function addEvent(world, source, message) {
    const ev = { at: Date.now(), message };
    awsStack(world).database.events.push(ev);
    rds_side(world).eventSources.set(ev, source);
}
function describeDBInstances(world, stack, region, p) {
    const id = p.get('DBInstanceIdentifier');
    let ids;
    if (id) {
        findInstance(stack, region, id);
        ids = [id];
    }
    else {
        ids = [T.db.instance, T.db.replica].filter((x) => stack.sites[instanceSite(x)].region === region);
    }
    return {
        DBInstances: list('DBInstance', ids.map((x) => instanceXml(world, stack, x))),
    };
}
function describeDBSnapshots(stack, region, p) {
    const id = p.get('DBInstanceIdentifier');
    const type = p.get('SnapshotType');
    const snapId = p.get('DBSnapshotIdentifier');
    const snaps = [];
    if (stack.sites.primary.region === region &&
        (!id || id === T.db.instance) &&
        (!type || type === 'automated')) {
        for (let i = 0; i < 3; i++) {
            const at = new Date(stack.database.lastBackupAt - i * 86400_000);
            const stamp = at.toISOString().slice(0, 16).replace(/[T:]/g, '-');
            const name = `rds:${T.db.instance}-${stamp}`;
            if (snapId && snapId !== name)
                continue;
            snaps.push({
                DBSnapshotIdentifier: name,
                DBInstanceIdentifier: T.db.instance,
                SnapshotCreateTime: at,
                Engine: 'postgres',
                AllocatedStorage: 100,
                Status: 'available',
                Port: 5432,
                AvailabilityZone: stack.database.writerZone,
                InstanceCreateTime: new Date(Date.now() - 400 * 86400_000),
                MasterUsername: 'aegis',
                EngineVersion: '16.4',
                SnapshotType: 'automated',
                PercentProgress: 100,
                Encrypted: true,
                DBSnapshotArn: `arn:aws:rds:${region}:${SANDBOX_ACCOUNT}:snapshot:${name}`,
                OriginalSnapshotCreateTime: at,
                SnapshotTarget: 'region',
            });
        }
    }
    return { DBSnapshots: list('DBSnapshot', snaps) };
}
function rebootDBInstance(world, stack, region, p) {
    const id = p.get('DBInstanceIdentifier');
    const site = findInstance(stack, region, id);
    const force = p.get('ForceFailover') === 'true';
    const db = stack.database;
    if (site === 'dr') {
        if (force) {
            throw new RdsError(400, 'InvalidParameterCombination', `Cannot force a failover of DB instance ${id} because it is not a Multi-AZ instance.`);
        }
        if (rds_side(world).replicaStatus !== 'available') {
            throw new RdsError(400, 'InvalidDBInstanceState', `DB instance ${id} is not in available state.`);
        }
    }
    else if (db.status !== 'available' && db.status !== 'promoting') {
        throw new RdsError(400, 'InvalidDBInstanceState', `DB instance ${id} is not in available state.`);
    }
    world.monitor.mutation('rds', 'RebootDBInstance', id);
    if (site === 'dr') {
        const s = rds_side(world);
        s.replicaStatus = 'modifying';
        addEvent(world, id, 'DB instance restarted.');
        world.schedule(world.realMs(30), () => {
            s.replicaStatus = 'available';
        });
        return { DBInstance: instanceXml(world, stack, id) };
    }
    const before = db.status;
    db.status = 'rebooting';
    const ms = world.duration(sandbox_world/* DURATIONS */.eh.rdsFailover);
    db.busyUntil = Date.now() + ms;
    if (force) {
        world.monitor.failover(id);
        db.failovers++;
        addEvent(world, id, 'Multi-AZ instance failover started.');
    }
    else {
        addEvent(world, id, 'DB instance shutdown.');
    }
    world.schedule(ms, () => {
        if (force) {
            db.writerZone = otherZone(stack, db.writerZone);
            addEvent(world, id, 'DB instance restarted.');
            addEvent(world, id, 'Multi-AZ instance failover completed.');
        }
        else {
            addEvent(world, id, 'DB instance restarted.');
        }
        if (db.status === 'rebooting')
            db.status = before === 'promoting' ? 'promoting' : 'available';
        db.busyUntil = 0;
    });
    return { DBInstance: instanceXml(world, stack, id) };
}
function promoteReadReplica(world, stack, region, p) {
    const id = p.get('DBInstanceIdentifier');
    const site = findInstance(stack, region, id);
    const db = stack.database;
    const s = rds_side(world);
    if (site !== 'dr' || !db.replicating) {
        throw new RdsError(400, 'InvalidDBInstanceState', `DB Instance ${id} is not a read replica.`);
    }
    if (s.replicaStatus !== 'available') {
        throw new RdsError(400, 'InvalidDBInstanceState', `DB instance ${id} is not in available state.`);
    }
    world.monitor.mutation('rds', 'PromoteReadReplica', id);
    world.monitor.failover(id);
    db.failovers++;
    s.replicaStatus = 'modifying';
    if (db.status === 'available')
        db.status = 'promoting';
    const ms = world.duration(sandbox_world/* DURATIONS */.eh.rdsPromote);
    db.busyUntil = Date.now() + ms;
    addEvent(world, id, 'Promoting read replica to a standalone database instance.');
    const result = { DBInstance: instanceXml(world, stack, id) };
    world.schedule(ms, () => {
        db.replicating = false;
        db.writer = 'dr';
        db.writable.dr = true; // the old primary keeps writable.primary: promotion does not fence it
        s.replicaStatus = 'available';
        if (db.status === 'promoting')
            db.status = 'available';
        db.busyUntil = 0;
        addEvent(world, id, 'Read replica has been promoted to a standalone database instance.');
    });
    return result;
}
function describeEvents(world, stack, region, p) {
    const source = p.get('SourceIdentifier');
    const type = p.get('SourceType');
    if (source && !type) {
        throw new RdsError(400, 'InvalidParameterCombination', 'SourceType must be specified when SourceIdentifier is given (for example SourceType=db-instance).');
    }
    if (type && type !== 'db-instance')
        return { Events: list('Event', []) };
    const now = Date.now();
    const durationMin = p.get('Duration') ? Number(p.get('Duration')) : 60;
    if (!Number.isFinite(durationMin) || durationMin < 0) {
        throw new RdsError(400, 'InvalidParameterValue', `Duration is ${p.get('Duration')}: expected a number of minutes.`);
    }
    const start = p.get('StartTime') ? Date.parse(p.get('StartTime')) : now - durationMin * 60_000;
    const end = p.get('EndTime') ? Date.parse(p.get('EndTime')) : now;
    const s = rds_side(world);
    const events = [];
    for (const ev of stack.database.events) {
        const src = s.eventSources.get(ev) ?? T.db.instance;
        const site = instanceSite(src);
        if (!site || stack.sites[site].region !== region)
            continue;
        if (source && source !== src)
            continue;
        if (ev.at < start || ev.at > end)
            continue;
        events.push({
            SourceIdentifier: src,
            SourceType: 'db-instance',
            Message: ev.message,
            EventCategories: list('EventCategory', [/failover/i.test(ev.message) ? 'failover' : 'availability']),
            Date: new Date(ev.at),
            SourceArn: arn(region, src),
        });
    }
    return { Events: list('Event', events) };
}
/** The RDS service definition for `startService`. */
function rdsService() {
    return {
        name: 'rds',
        operation(req) {
            return params(req).get('Action') ?? 'Unknown';
        },
        handle(req, res, ctx) {
            const { world } = ctx;
            if (regionDown(world, req)) {
                dropConnection(req);
                return;
            }
            const p = params(req);
            const action = p.get('Action') ?? '';
            const region = regionOf(world, req);
            const stack = awsStack(world);
            try {
                let result;
                switch (action) {
                    case 'DescribeDBInstances':
                        result = describeDBInstances(world, stack, region, p);
                        break;
                    case 'DescribeDBSnapshots':
                        result = describeDBSnapshots(stack, region, p);
                        break;
                    case 'RebootDBInstance':
                        result = rebootDBInstance(world, stack, region, p);
                        break;
                    case 'PromoteReadReplica':
                        result = promoteReadReplica(world, stack, region, p);
                        break;
                    case 'DescribeEvents':
                        result = describeEvents(world, stack, region, p);
                        break;
                    default:
                        throw new RdsError(400, 'InvalidAction', `The action ${action || '(none)'} is not valid for this web service.`);
                }
                sendResult(res, action, result);
            }
            catch (err) {
                if (err instanceof RdsError)
                    sendRdsError(res, err);
                else
                    throw err;
            }
        },
        renderThrottle(_req, res, _hit) {
            sendRdsError(res, new RdsError(400, 'Throttling', 'Rate exceeded'));
        },
        renderError(_req, res, hit) {
            const status = hit.spec.status ?? 503;
            const code = status === 503 ? 'ServiceUnavailable' : 'InternalFailure';
            const message = status === 503
                ? 'The request has failed due to a temporary failure of the server.'
                : 'An internal error has occurred.';
            sendRdsError(res, new RdsError(status, code, message, 'Receiver'));
        },
    };
}

;// CONCATENATED MODULE: ./src/sandbox/aws/route53.ts




const route53_XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const route53_T = estate/* TOPOLOGY */.yg.aws;
/** A Route 53 error as the service renders it. */
const Route53Error = AwsXmlError;
const route53_sides = new WeakMap();
function route53_side(world) {
    let s = route53_sides.get(world);
    if (!s) {
        s = { healthCheckVersion: 1, inverted: false, comments: new Map() };
        route53_sides.set(world, s);
    }
    return s;
}
function route53_sendError(res, e) {
    sendAwsXmlError(res, e, route53_XMLNS, { 'x-amzn-requestid': requestId() });
}
function sendXml(res, root, children, status = 200) {
    send(res, status, xmlDocument(root, route53_XMLNS, children), 'text/xml', { 'x-amzn-requestid': requestId() });
}
/** DNS name without the trailing dot, lower case. */
function bare(name) {
    return name.trim().replace(/\.$/, '').toLowerCase();
}
function fqdn(name) {
    return `${bare(name)}.`;
}
/** Sort key of a DNS name as Route 53 lists them (labels reversed). */
function sortKey(name) {
    return bare(name).split('.').reverse().join('.');
}
const route53_ROUTES = [
    { method: 'POST', re: /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/, op: 'ChangeResourceRecordSets' },
    { method: 'GET', re: /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/, op: 'ListResourceRecordSets' },
    { method: 'GET', re: /^\/2013-04-01\/change\/([^/]+)$/, op: 'GetChange' },
    { method: 'GET', re: /^\/2013-04-01\/healthcheck\/([^/]+)\/status$/, op: 'GetHealthCheckStatus' },
    { method: 'POST', re: /^\/2013-04-01\/healthcheck\/([^/]+)$/, op: 'UpdateHealthCheck' },
    { method: 'GET', re: /^\/2013-04-01\/healthcheck\/([^/]+)$/, op: 'GetHealthCheck' },
];
function route53_route(req) {
    for (const r of route53_ROUTES) {
        const m = r.method === req.method ? r.re.exec(req.path) : null;
        if (m)
            return { op: r.op, id: decodeURIComponent(m[1]) };
    }
    return undefined;
}
function zoneOf(stack, id) {
    const zoneId = id.replace(/^\/?hostedzone\//, '');
    if (zoneId !== route53_T.zone.id)
        throw new Route53Error(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${zoneId}`);
    if (stack.traffic.kind !== 'route53') {
        throw new Route53Error(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${zoneId}`);
    }
}
function apexRecords(stack) {
    const zone = fqdn(stack.traffic.record.zone);
    return [
        {
            Name: zone,
            Type: 'NS',
            TTL: 172800,
            ResourceRecords: list('ResourceRecord', ['ns-1.awsdns-00.aegis.test.', 'ns-2.awsdns-00.aegis.test.'].map((v) => ({ Value: v }))),
        },
        {
            Name: zone,
            Type: 'SOA',
            TTL: 900,
            ResourceRecords: list('ResourceRecord', [
                { Value: 'ns-1.awsdns-00.aegis.test. awsdns-hostmaster.aegis.test. 1 7200 900 1209600 86400' },
            ]),
        },
    ];
}
function recordNode(stack) {
    const r = stack.traffic.record;
    if (r.values.length === 0)
        return undefined;
    return {
        Name: fqdn(r.name),
        Type: r.type,
        TTL: r.ttl,
        ResourceRecords: list('ResourceRecord', r.values.map((v) => ({ Value: v }))),
    };
}
function listRecordSets(stack, req) {
    const q = req.url.searchParams;
    const name = q.get('name');
    const type = q.get('type');
    if (type && !name) {
        throw new Route53Error(400, 'InvalidInput', 'The type parameter was given without the name parameter: give both or neither.');
    }
    const max = q.get('maxitems') ? Number(q.get('maxitems')) : 300;
    if (!Number.isInteger(max) || max < 1) {
        throw new Route53Error(400, 'InvalidInput', `maxitems is ${q.get('maxitems')}: expected a whole number from 1.`);
    }
    const all = [...apexRecords(stack), ...(recordNode(stack) ? [recordNode(stack)] : [])];
    all.sort((a, b) => sortKey(String(a.Name)).localeCompare(sortKey(String(b.Name))) ||
        String(a.Type).localeCompare(String(b.Type)));
    const from = all.filter((r) => {
        if (!name)
            return true;
        const c = sortKey(String(r.Name)).localeCompare(sortKey(name));
        if (c !== 0)
            return c > 0;
        return !type || String(r.Type) >= type;
    });
    const page = from.slice(0, max);
    const next = from[max];
    return {
        ResourceRecordSets: list('ResourceRecordSet', page),
        IsTruncated: next !== undefined,
        NextRecordName: next ? String(next.Name) : undefined,
        NextRecordType: next ? String(next.Type) : undefined,
        MaxItems: max,
    };
}
function parseChanges(body) {
    const batch = child(body, 'ChangeBatch');
    if (!batch)
        throw new Route53Error(400, 'InvalidInput', 'The request has no ChangeBatch: expected ChangeBatch with Changes.');
    const changes = (child(batch, 'Changes')?.children ?? []).map((c) => {
        const set = child(c, 'ResourceRecordSet');
        const ttl = textAt(set, 'TTL');
        return {
            action: textAt(c, 'Action') ?? '',
            name: textAt(set, 'Name') ?? '',
            type: textAt(set, 'Type') ?? '',
            ttl: ttl === undefined ? undefined : Number(ttl),
            values: (child(set, 'ResourceRecords')?.children ?? []).map((rr) => textAt(rr, 'Value') ?? ''),
        };
    });
    if (changes.length === 0) {
        throw new Route53Error(400, 'InvalidInput', 'ChangeBatch.Changes is empty: expected at least one Change.');
    }
    return { changes, comment: textAt(batch, 'Comment') };
}
function invalidBatch(message) {
    return new Route53Error(400, 'InvalidChangeBatch', `[${message}]`);
}
/** The request's XML body, or InvalidInput as Route 53 answers a malformed one. */
function xmlBody(req) {
    try {
        return parseXml(req.text());
    }
    catch (err) {
        throw new Route53Error(400, 'InvalidInput', `The request body is not valid XML: ${err.message}.`);
    }
}
function changeRecordSets(world, stack, zoneId, req) {
    zoneOf(stack, zoneId);
    const body = xmlBody(req);
    const { changes, comment } = parseChanges(body);
    const rec = stack.traffic.record;
    // validate the whole batch first: Route 53 applies a batch all or nothing
    let exists = rec.values.length > 0;
    let type = rec.type;
    const plan = [];
    for (const c of changes) {
        const desc = `name='${fqdn(c.name)}', type='${c.type}'`;
        if (!['CREATE', 'UPSERT', 'DELETE'].includes(c.action)) {
            throw new Route53Error(400, 'InvalidInput', `Change.Action is '${c.action}': expected CREATE, UPSERT or DELETE.`);
        }
        if (!bare(c.name).endsWith(bare(rec.zone))) {
            throw invalidBatch(`RRSet with DNS name ${fqdn(c.name)} is not permitted in zone ${fqdn(rec.zone)}`);
        }
        if (bare(c.name) !== bare(rec.name)) {
            throw invalidBatch(`The sandbox zone ${fqdn(rec.zone)} holds only the record ${fqdn(rec.name)}; ${desc} cannot be changed`);
        }
        if (c.action !== 'DELETE') {
            if (c.values.length === 0)
                throw invalidBatch(`ResourceRecordSet ${desc} has no ResourceRecords: give at least one Value`);
            if (c.ttl === undefined || !Number.isInteger(c.ttl) || c.ttl < 0) {
                throw new Route53Error(400, 'InvalidInput', `ResourceRecordSet ${desc} has TTL ${c.ttl}: expected a whole number of seconds.`);
            }
            if (c.type === 'CNAME' && c.values.length > 1) {
                throw invalidBatch(`RRSet of type CNAME with DNS name ${fqdn(c.name)} has ${c.values.length} values: a CNAME takes exactly one`);
            }
        }
        if (c.action === 'CREATE' && exists) {
            throw invalidBatch(`Tried to create resource record set [${desc}] but it already exists`);
        }
        if (c.action === 'DELETE') {
            const same = exists &&
                c.type === type &&
                (c.ttl === undefined || c.ttl === rec.ttl) &&
                c.values.map(bare).sort().join(',') === rec.values.map(bare).sort().join(',');
            if (!same) {
                throw invalidBatch(`Tried to delete resource record set [${desc}] but it was not found or its values do not match`);
            }
            exists = false;
        }
        else {
            if (exists && c.type !== type) {
                throw invalidBatch(`RRSet of type ${c.type} with DNS name ${fqdn(c.name)} is not permitted because a conflicting RRSet of type ${type} with the same DNS name already exists`);
            }
            exists = true;
            type = c.type;
        }
        plan.push(c);
    }
    for (const c of plan) {
        if (c.action === 'DELETE') {
            rec.values = [];
        }
        else {
            rec.type = c.type;
            rec.ttl = c.ttl;
            rec.values = c.values.map((v) => (c.type === 'CNAME' ? v.replace(/\.$/, '') : v));
        }
    }
    const id = awsId('C');
    const now = Date.now();
    stack.traffic.changes.set(id, { submittedAt: now, doneAt: now + world.duration(sandbox_world/* DURATIONS */.eh.route53Insync) });
    if (comment)
        route53_side(world).comments.set(id, comment);
    world.monitor.mutation('route53', 'ChangeResourceRecordSets', rec.name);
    return { ChangeInfo: changeInfo(world, stack, id) };
}
function changeInfo(world, stack, id) {
    const bareId = id.replace(/^\/?change\//, '');
    const c = stack.traffic.changes.get(bareId);
    if (!c)
        throw new Route53Error(404, 'NoSuchChange', `A change with the specified change ID ${bareId} does not exist.`);
    return {
        Id: `/change/${bareId}`,
        Status: Date.now() >= c.doneAt ? 'INSYNC' : 'PENDING',
        SubmittedAt: new Date(c.submittedAt),
        Comment: route53_side(world).comments.get(bareId),
    };
}
function checkHealthCheck(id) {
    if (id !== route53_T.healthCheckId) {
        throw new Route53Error(404, 'NoSuchHealthCheck', `A health check with id ${id} does not exist.`);
    }
}
function healthCheckNode(world, stack) {
    const s = route53_side(world);
    return {
        Id: route53_T.healthCheckId,
        CallerReference: 'aegis-sandbox-primary',
        HealthCheckConfig: {
            Port: 443,
            Type: 'HTTPS',
            ResourcePath: '/health',
            FullyQualifiedDomainName: stack.sites.primary.target,
            RequestInterval: 30,
            FailureThreshold: 3,
            MeasureLatency: false,
            Inverted: s.inverted,
            Disabled: stack.traffic.healthCheckDisabled,
            EnableSNI: true,
        },
        HealthCheckVersion: s.healthCheckVersion,
    };
}
function updateHealthCheck(world, stack, id, req) {
    checkHealthCheck(id);
    const body = xmlBody(req);
    const s = route53_side(world);
    const version = textAt(body, 'HealthCheckVersion');
    if (version !== undefined && Number(version) !== s.healthCheckVersion) {
        throw new Route53Error(409, 'HealthCheckVersionMismatch', `HealthCheckVersion is ${version} but the health check is at version ${s.healthCheckVersion}: read it again and retry.`);
    }
    const disabled = textAt(body, 'Disabled');
    const inverted = textAt(body, 'Inverted');
    if (disabled !== undefined)
        stack.traffic.healthCheckDisabled = disabled === 'true';
    if (inverted !== undefined)
        s.inverted = inverted === 'true';
    s.healthCheckVersion++;
    world.monitor.mutation('route53', 'UpdateHealthCheck', id);
    return { HealthCheck: healthCheckNode(world, stack) };
}
function healthCheckStatus(world, stack, id) {
    checkHealthCheck(id);
    const primary = stack.sites.primary;
    let status;
    if (stack.traffic.healthCheckDisabled)
        status = 'Failure: The health check is disabled.';
    else if (!primary.up) {
        status =
            'Failure: Connection timed out. The endpoint or the internet connection is down, or requests are being blocked by your firewall.';
    }
    else if (!primary.healthy)
        status = 'Failure: HTTP Status Code 503, Service Unavailable. Resolved IP: 192.0.2.10';
    else
        status = 'Success: HTTP Status Code 200, OK';
    const checkers = [
        ['us-east-1', '192.0.2.11'],
        ['us-west-1', '192.0.2.12'],
        ['eu-west-1', '192.0.2.13'],
    ];
    const at = new Date();
    return {
        HealthCheckObservations: list('HealthCheckObservation', checkers.map(([region, ip]) => ({
            Region: region,
            IPAddress: ip,
            StatusReport: { Status: status, CheckedTime: at },
        }))),
    };
}
/** The Route 53 service definition for `startService`. */
function route53Service() {
    return {
        name: 'route53',
        operation(req) {
            return route53_route(req)?.op ?? 'Unknown';
        },
        handle(req, res, ctx) {
            const { world } = ctx;
            const stack = awsStack(world);
            try {
                const r = route53_route(req);
                if (!r)
                    throw new Route53Error(404, 'UnknownOperationException', `No operation matches ${req.method} ${req.path}.`);
                switch (r.op) {
                    case 'ChangeResourceRecordSets':
                        return sendXml(res, 'ChangeResourceRecordSetsResponse', changeRecordSets(world, stack, r.id, req));
                    case 'ListResourceRecordSets':
                        zoneOf(stack, r.id);
                        return sendXml(res, 'ListResourceRecordSetsResponse', listRecordSets(stack, req));
                    case 'GetChange':
                        return sendXml(res, 'GetChangeResponse', { ChangeInfo: changeInfo(world, stack, r.id) });
                    case 'UpdateHealthCheck':
                        return sendXml(res, 'UpdateHealthCheckResponse', updateHealthCheck(world, stack, r.id, req));
                    case 'GetHealthCheck':
                        checkHealthCheck(r.id);
                        return sendXml(res, 'GetHealthCheckResponse', { HealthCheck: healthCheckNode(world, stack) });
                    case 'GetHealthCheckStatus':
                        return sendXml(res, 'GetHealthCheckStatusResponse', healthCheckStatus(world, stack, r.id));
                }
            }
            catch (err) {
                if (err instanceof Route53Error)
                    return route53_sendError(res, err);
                throw err;
            }
        },
        renderThrottle(req, res, _hit) {
            if (route53_route(req)?.op === 'ChangeResourceRecordSets') {
                route53_sendError(res, new Route53Error(400, 'PriorRequestNotComplete', 'The request was rejected because Route 53 was still processing a prior request.'));
            }
            else {
                route53_sendError(res, new Route53Error(400, 'Throttling', 'Rate exceeded'));
            }
        },
        renderError(_req, res, hit) {
            const status = hit.spec.status ?? 503;
            route53_sendError(res, status === 503
                ? new Route53Error(503, 'ServiceUnavailable', 'Service is unavailable, please try again later.', 'Receiver')
                : new Route53Error(status, 'InternalFailure', 'An internal error occurred.', 'Receiver'));
        },
    };
}

;// CONCATENATED MODULE: ./src/sandbox/azure/arm.ts
/**
 * The emulated Azure Resource Manager: one loopback server for the ARM calls the DR runbook makes
 * (`az sql failover-group set-primary/show`, `az network traffic-manager endpoint update / profile
 * show`, `az aks nodepool scale`), speaking the wire format of the official SDKs:
 *
 * - Microsoft.Sql failover groups (api-version 2020-11-01-preview as @azure/arm-sql sends it):
 *   GET the group from either server, POST `failover` / `forceFailoverAllowDataLoss` as long-running
 *   operations (202 + `Azure-AsyncOperation` + `Location`), and the database's `restorePoints`.
 * - Microsoft.Network Traffic Manager profiles and endpoints (GET, PATCH, PUT).
 * - Microsoft.ContainerService agent pools (GET, PUT as a long-running operation).
 *
 * Every ARM call needs an `api-version` and a `Authorization: Bearer` header, as the real service.
 * Calls that concern a resource in a region that is down fail with 503; Traffic Manager is global.
 */




const AZ = estate/* TOPOLOGY */.yg.azure;
/** api-version that @azure/arm-sql 10 sends for failover groups and restore points. */
const SQL_API_VERSION = '2020-11-01-preview';
/** api-version that @azure/arm-trafficmanager 6 sends. */
const TRAFFIC_MANAGER_API_VERSION = '2022-04-01';
/** api-version that @azure/arm-containerservice 25 sends. */
const CONTAINER_SERVICE_API_VERSION = '2026-04-01';
const SEG = '([^/]+)';
const arm_ROUTES = [
    {
        re: new RegExp(`^/subscriptions/${SEG}/resourceGroups/${SEG}/providers/Microsoft\\.Sql/servers/${SEG}/failoverGroups/${SEG}/failover$`, 'i'),
        op: 'FailoverGroups_Failover',
        keys: ['sub', 'rg', 'server', 'fog'],
        method: 'POST',
    },
    {
        re: new RegExp(`^/subscriptions/${SEG}/resourceGroups/${SEG}/providers/Microsoft\\.Sql/servers/${SEG}/failoverGroups/${SEG}/forceFailoverAllowDataLoss$`, 'i'),
        op: 'FailoverGroups_ForceFailoverAllowDataLoss',
        keys: ['sub', 'rg', 'server', 'fog'],
        method: 'POST',
    },
    {
        re: new RegExp(`^/subscriptions/${SEG}/resourceGroups/${SEG}/providers/Microsoft\\.Sql/servers/${SEG}/failoverGroups/${SEG}$`, 'i'),
        op: 'FailoverGroups_Get',
        keys: ['sub', 'rg', 'server', 'fog'],
        method: 'GET',
    },
    {
        re: new RegExp(`^/subscriptions/${SEG}/resourceGroups/${SEG}/providers/Microsoft\\.Sql/servers/${SEG}/databases/${SEG}/restorePoints$`, 'i'),
        op: 'RestorePoints_ListByDatabase',
        keys: ['sub', 'rg', 'server', 'db'],
        method: 'GET',
    },
    {
        re: new RegExp(`^/subscriptions/${SEG}/providers/Microsoft\\.Sql/locations/${SEG}/failoverGroupAzureAsyncOperation/${SEG}$`, 'i'),
        op: 'FailoverGroups_AsyncOperation',
        keys: ['sub', 'location', 'id'],
        method: 'GET',
    },
    {
        re: new RegExp(`^/subscriptions/${SEG}/providers/Microsoft\\.Sql/locations/${SEG}/failoverGroupOperationResults/${SEG}$`, 'i'),
        op: 'FailoverGroups_OperationResult',
        keys: ['sub', 'location', 'id'],
        method: 'GET',
    },
    {
        re: new RegExp(`^/subscriptions/${SEG}/resourceGroups/${SEG}/providers/Microsoft\\.Network/trafficmanagerprofiles/${SEG}$`, 'i'),
        op: 'Profiles_Get',
        keys: ['sub', 'rg', 'profile'],
    },
    {
        re: new RegExp(`^/subscriptions/${SEG}/resourceGroups/${SEG}/providers/Microsoft\\.Network/trafficmanagerprofiles/${SEG}/${SEG}/${SEG}$`, 'i'),
        op: 'Endpoints_Get',
        keys: ['sub', 'rg', 'profile', 'type', 'endpoint'],
    },
    {
        re: new RegExp(`^/subscriptions/${SEG}/resourceGroups/${SEG}/providers/Microsoft\\.ContainerService/managedClusters/${SEG}/agentPools/${SEG}$`, 'i'),
        op: 'AgentPools_Get',
        keys: ['sub', 'rg', 'cluster', 'pool'],
    },
    {
        re: new RegExp(`^/subscriptions/${SEG}/providers/Microsoft\\.ContainerService/locations/${SEG}/operations/${SEG}$`, 'i'),
        op: 'AgentPools_AsyncOperation',
        keys: ['sub', 'location', 'id'],
        method: 'GET',
    },
];
/** Find the ARM operation of a request (method-aware for the resources that take several verbs). */
function routeArm(method, path) {
    for (const r of arm_ROUTES) {
        const m = r.re.exec(path);
        if (!m)
            continue;
        const p = {};
        r.keys.forEach((k, i) => (p[k] = decodeURIComponent(m[i + 1])));
        let op = r.op;
        if (op === 'Profiles_Get' && method === 'PATCH')
            op = 'Profiles_Update';
        else if (op === 'Endpoints_Get' && method === 'PATCH')
            op = 'Endpoints_Update';
        else if (op === 'Endpoints_Get' && method === 'PUT')
            op = 'Endpoints_CreateOrUpdate';
        else if (op === 'AgentPools_Get' && method === 'PUT')
            op = 'AgentPools_CreateOrUpdate';
        else if (r.method && r.method !== method)
            return { op: 'Unknown', p };
        else if (!r.method && method !== 'GET')
            return { op: 'Unknown', p };
        return { op, p };
    }
    return { op: 'Unknown', p: {} };
}
class ArmError extends Error {
    status;
    code;
    headers;
    constructor(status, code, message, headers = {}) {
        super(message);
        this.status = status;
        this.code = code;
        this.headers = headers;
    }
}
const eq = (a, b) => a.toLowerCase() === b.toLowerCase();
function renderArmError(res, status, code, message, headers = {}) {
    send(res, status, { error: { code, message } }, 'application/json; charset=utf-8', {
        'x-ms-request-id': (0,external_node_crypto_.randomUUID)(),
        'x-ms-failure-cause': status >= 500 ? 'service' : 'gateway',
        ...headers,
    });
}
function arm_regionDown(site, what) {
    return new ArmError(503, 'ServiceUnavailable', `The request for ${what} in region '${site.region}' could not be served because the region is unavailable; retry later or act on the resources of the other region.`);
}
function iso(ms) {
    return new Date(ms).toISOString();
}
/** Target of the endpoint Traffic Manager answers with: highest priority among Enabled endpoints whose site is up (all degraded = all online). */
function trafficManagerAnswer(stack) {
    const enabled = sandbox_world/* SITES */.bo.filter((s) => stack.traffic.endpointEnabled[s]);
    if (enabled.length === 0)
        return [];
    const online = enabled.filter((s) => stack.sites[s].up);
    const pick = online[0] ?? enabled[0];
    return [stack.sites[pick].target];
}
/**
 * The emulated Azure Resource Manager (service key `arm`), for `startService(armService(), ctx)`.
 * Names come from `TOPOLOGY.azure`; the subscription is `SANDBOX_SUBSCRIPTION`.
 */
function armService(opts = {}) {
    const stackName = opts.stack ?? 'azure';
    const lros = new Map();
    function stackOf(world) {
        const s = world.stacks.get(stackName);
        if (!s)
            throw new ArmError(404, 'SubscriptionNotFound', `The sandbox has no Azure stack named '${stackName}'; create the estate with the azure cloud.`);
        return s;
    }
    function checkSubscription(sub) {
        if (!eq(sub, estate/* SANDBOX_SUBSCRIPTION */.Yv)) {
            throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found; the sandbox subscription is '${estate/* SANDBOX_SUBSCRIPTION */.Yv}'.`);
        }
    }
    function baseUrl(req) {
        return `http://${req.headers.host ?? '127.0.0.1'}`;
    }
    // ---------- Microsoft.Sql ----------
    function sqlSite(rg, server) {
        for (const s of sandbox_world/* SITES */.bo) {
            if (eq(AZ.sql.servers[s], server)) {
                if (!eq(AZ.resourceGroups[s], rg))
                    break;
                return s;
            }
        }
        throw new ArmError(404, 'ResourceNotFound', `The Resource 'Microsoft.Sql/servers/${server}' under resource group '${rg}' was not found.`);
    }
    function serverId(site) {
        return `/subscriptions/${estate/* SANDBOX_SUBSCRIPTION */.Yv}/resourceGroups/${AZ.resourceGroups[site]}/providers/Microsoft.Sql/servers/${AZ.sql.servers[site]}`;
    }
    function replicationState(stack) {
        const db = stack.database;
        if (!db.replicating)
            return 'PENDING';
        if (!db.replicationHealthy || !stack.sites.primary.up || !stack.sites.dr.up)
            return 'SUSPENDED';
        return 'CATCH_UP';
    }
    function failoverGroupBody(stack, site) {
        const other = site === 'primary' ? 'dr' : 'primary';
        const role = (s) => (stack.database.writer === s ? 'Primary' : 'Secondary');
        return {
            id: `${serverId(site)}/failoverGroups/${AZ.sql.failoverGroup}`,
            name: AZ.sql.failoverGroup,
            type: 'Microsoft.Sql/servers/failoverGroups',
            location: stack.sites[site].region,
            tags: {},
            properties: {
                readWriteEndpoint: { failoverPolicy: 'Manual' },
                readOnlyEndpoint: { failoverPolicy: 'Disabled' },
                replicationRole: role(site),
                replicationState: replicationState(stack),
                partnerServers: [
                    { id: serverId(other), location: stack.sites[other].region, replicationRole: role(other) },
                ],
                databases: [`${serverId(site)}/databases/${AZ.sql.database}`],
            },
        };
    }
    function checkFog(fog, server) {
        if (!eq(fog, AZ.sql.failoverGroup)) {
            throw new ArmError(404, 'ResourceNotFound', `The failover group '${fog}' does not exist on server '${server}'.`);
        }
    }
    function startFailover(req, res, ctx, r, forced) {
        const stack = stackOf(ctx.world);
        const site = sqlSite(r.p.rg, r.p.server);
        checkFog(r.p.fog, r.p.server);
        const s = stack.sites[site];
        if (!s.up)
            throw arm_regionDown(s, `server '${r.p.server}'`);
        const db = stack.database;
        const opName = forced ? 'FailoverGroups_ForceFailoverAllowDataLoss' : 'FailoverGroups_Failover';
        if (db.status === 'failing-over' && db.busyUntil > ctx.world.now()) {
            throw new ArmError(409, 'FailoverGroupOperationInProgress', `Failover group '${AZ.sql.failoverGroup}' already has a failover in progress; wait for it to finish before starting another.`);
        }
        ctx.world.monitor.mutation('arm', opName, `${r.p.server}/${AZ.sql.failoverGroup}`);
        if (db.writer === site) {
            // Azure: failing over to the server that is already primary is a no-op success.
            send(res, 200, failoverGroupBody(stack, site));
            return;
        }
        const oldWriter = db.writer;
        if (!forced && !stack.sites[oldWriter].up) {
            throw new ArmError(409, 'FailoverGroupPrimaryUnreachable', `Planned failover of failover group '${AZ.sql.failoverGroup}' to server '${AZ.sql.servers[site]}' cannot proceed because the primary server '${AZ.sql.servers[oldWriter]}' in region '${stack.sites[oldWriter].region}' is unreachable; use forceFailoverAllowDataLoss to fail over with possible data loss.`);
        }
        const ms = ctx.world.duration(sandbox_world/* DURATIONS */.eh.azureFailover);
        const lro = {
            id: (0,external_node_crypto_.randomUUID)(),
            kind: 'sql',
            location: s.region,
            site,
            status: 'InProgress',
            startTime: iso(ctx.world.now()),
            server: AZ.sql.servers[site],
        };
        lros.set(lro.id, lro);
        db.status = 'failing-over';
        db.busyUntil = ctx.world.now() + ms;
        db.events.push({
            at: ctx.world.now(),
            message: `${forced ? 'Forced' : 'Planned'} failover of ${AZ.sql.failoverGroup} to ${AZ.sql.servers[site]} started`,
        });
        const world = ctx.world;
        world.schedule(ms, () => {
            db.busyUntil = 0;
            db.status = 'available';
            lro.endTime = iso(world.now());
            if (!forced && !stack.sites[oldWriter].up) {
                lro.status = 'Failed';
                lro.error = {
                    code: 'FailoverGroupPrimaryUnreachable',
                    message: `Planned failover of failover group '${AZ.sql.failoverGroup}' failed because the primary server '${AZ.sql.servers[oldWriter]}' became unreachable; use forceFailoverAllowDataLoss to fail over with possible data loss.`,
                };
                db.events.push({
                    at: world.now(),
                    message: `Planned failover of ${AZ.sql.failoverGroup} failed: primary unreachable`,
                });
                return;
            }
            db.writer = site;
            db.writable[site] = true;
            db.writable[oldWriter] = false; // failover groups fence the old primary by themselves
            db.writerZone = stack.sites[site].zones[0];
            db.failovers++;
            world.monitor.failover(AZ.sql.failoverGroup);
            db.events.push({
                at: world.now(),
                message: `${forced ? 'Forced' : 'Planned'} failover of ${AZ.sql.failoverGroup} to ${AZ.sql.servers[site]} completed`,
            });
            lro.status = 'Succeeded';
        });
        const base = baseUrl(req);
        const prefix = `${base}/subscriptions/${estate/* SANDBOX_SUBSCRIPTION */.Yv}/providers/Microsoft.Sql/locations/${s.region}`;
        send(res, 202, '', 'application/json', {
            'Azure-AsyncOperation': `${prefix}/failoverGroupAzureAsyncOperation/${lro.id}?api-version=${SQL_API_VERSION}`,
            Location: `${prefix}/failoverGroupOperationResults/${lro.id}?api-version=${SQL_API_VERSION}`,
        });
    }
    function findLro(r, kind, world) {
        const lro = lros.get(r.p.id);
        if (!lro || lro.kind !== kind || !eq(lro.location, r.p.location)) {
            throw new ArmError(404, 'ResourceNotFound', `The operation '${r.p.id}' was not found in location '${r.p.location}'.`);
        }
        const site = stackOf(world).sites[lro.site];
        if (!site.up)
            throw arm_regionDown(site, `operation '${lro.id}'`);
        return lro;
    }
    function operationBody(lro) {
        return {
            id: lro.id,
            name: lro.id,
            status: lro.status,
            startTime: lro.startTime,
            ...(lro.endTime ? { endTime: lro.endTime } : {}),
            ...(lro.error ? { error: lro.error } : {}),
        };
    }
    function restorePoints(ctx, r) {
        const stack = stackOf(ctx.world);
        const site = sqlSite(r.p.rg, r.p.server);
        if (!eq(r.p.db, AZ.sql.database)) {
            throw new ArmError(404, 'ResourceNotFound', `The database '${r.p.db}' does not exist on server '${r.p.server}'.`);
        }
        const s = stack.sites[site];
        if (!s.up)
            throw arm_regionDown(s, `server '${r.p.server}'`);
        const dbId = `${serverId(site)}/databases/${AZ.sql.database}`;
        const now = ctx.world.now();
        return {
            value: [
                {
                    id: `${dbId}/restorePoints/continuous`,
                    name: 'continuous',
                    type: 'Microsoft.Sql/servers/databases/restorePoints',
                    location: s.region,
                    properties: { restorePointType: 'CONTINUOUS', earliestRestoreDate: iso(now - 7 * 86400 * 1000) },
                },
                {
                    id: `${dbId}/restorePoints/automated-full`,
                    name: 'automated-full',
                    type: 'Microsoft.Sql/servers/databases/restorePoints',
                    location: s.region,
                    properties: {
                        restorePointType: 'DISCRETE',
                        restorePointCreationDate: iso(stack.database.lastBackupAt),
                        restorePointLabel: 'automated-full',
                    },
                },
            ],
        };
    }
    // ---------- Microsoft.Network Traffic Manager ----------
    function profileId() {
        return `/subscriptions/${estate/* SANDBOX_SUBSCRIPTION */.Yv}/resourceGroups/${AZ.trafficManager.resourceGroup}/providers/Microsoft.Network/trafficManagerProfiles/${AZ.trafficManager.profile}`;
    }
    function checkProfile(rg, profile) {
        if (!eq(rg, AZ.trafficManager.resourceGroup) || !eq(profile, AZ.trafficManager.profile)) {
            throw new ArmError(404, 'ResourceNotFound', `The Resource 'Microsoft.Network/trafficmanagerprofiles/${profile}' under resource group '${rg}' was not found.`);
        }
    }
    function endpointSite(type, name) {
        if (eq(type, 'azureEndpoints')) {
            for (const s of sandbox_world/* SITES */.bo)
                if (eq(AZ.trafficManager.endpoints[s], name))
                    return s;
        }
        throw new ArmError(404, 'NotFound', `The endpoint '${type}/${name}' does not exist in Traffic Manager profile '${AZ.trafficManager.profile}'.`);
    }
    function endpointBody(stack, site) {
        const enabled = stack.traffic.endpointEnabled[site];
        return {
            id: `${profileId()}/azureEndpoints/${AZ.trafficManager.endpoints[site]}`,
            name: AZ.trafficManager.endpoints[site],
            type: 'Microsoft.Network/trafficManagerProfiles/azureEndpoints',
            properties: {
                targetResourceId: `/subscriptions/${estate/* SANDBOX_SUBSCRIPTION */.Yv}/resourceGroups/${AZ.resourceGroups[site]}/providers/Microsoft.Network/publicIPAddresses/aegis-${site}-ip`,
                target: stack.sites[site].target,
                endpointStatus: enabled ? 'Enabled' : 'Disabled',
                weight: 1,
                priority: site === 'primary' ? 1 : 2,
                endpointLocation: stack.sites[site].region,
                endpointMonitorStatus: !enabled ? 'Disabled' : stack.sites[site].up ? 'Online' : 'Degraded',
                alwaysServe: 'Disabled',
            },
        };
    }
    function profileBody(stack) {
        const endpoints = sandbox_world/* SITES */.bo.map((s) => endpointBody(stack, s));
        const anyOnline = sandbox_world/* SITES */.bo.some((s) => stack.traffic.endpointEnabled[s] && stack.sites[s].up);
        return {
            id: profileId(),
            name: AZ.trafficManager.profile,
            type: 'Microsoft.Network/trafficManagerProfiles',
            location: 'global',
            tags: {},
            properties: {
                profileStatus: 'Enabled',
                trafficRoutingMethod: 'Priority',
                dnsConfig: {
                    relativeName: AZ.trafficManager.fqdn.split('.')[0],
                    fqdn: AZ.trafficManager.fqdn,
                    ttl: stack.traffic.record.ttl,
                },
                monitorConfig: {
                    profileMonitorStatus: anyOnline ? 'Online' : 'Degraded',
                    protocol: 'HTTPS',
                    port: 443,
                    path: '/health',
                    intervalInSeconds: 30,
                    timeoutInSeconds: 10,
                    toleratedNumberOfFailures: 3,
                },
                endpoints,
                trafficViewEnrollmentStatus: 'Disabled',
            },
        };
    }
    /** Schedule the served DNS answer to follow the profile after Traffic Manager's propagation time. */
    function propagate(world, stack) {
        const id = (0,external_node_crypto_.randomUUID)();
        const ms = world.duration(sandbox_world/* DURATIONS */.eh.trafficManager);
        stack.traffic.changes.set(id, { submittedAt: world.now(), doneAt: world.now() + ms });
        world.schedule(ms, () => {
            stack.traffic.record.values = trafficManagerAnswer(stack);
        });
    }
    function updateEndpoint(req, ctx, r) {
        const stack = stackOf(ctx.world);
        checkProfile(r.p.rg, r.p.profile);
        const site = endpointSite(r.p.type, r.p.endpoint);
        const body = parseBody(req);
        const props = (body.properties ?? {});
        const status = props.endpointStatus;
        if (status !== undefined && status !== 'Enabled' && status !== 'Disabled') {
            throw new ArmError(400, 'BadRequest', `properties.endpointStatus is ${JSON.stringify(status)} for endpoint '${r.p.endpoint}': expected Enabled or Disabled.`);
        }
        if (r.op === 'Endpoints_CreateOrUpdate' && status === undefined) {
            throw new ArmError(400, 'BadRequest', `properties.endpointStatus is missing for endpoint '${r.p.endpoint}': expected Enabled or Disabled.`);
        }
        ctx.world.monitor.mutation('arm', r.op, `${AZ.trafficManager.profile}/${r.p.endpoint}`);
        if (status !== undefined)
            stack.traffic.endpointEnabled[site] = status === 'Enabled';
        propagate(ctx.world, stack);
        return endpointBody(stack, site);
    }
    function updateProfile(req, ctx, r) {
        const stack = stackOf(ctx.world);
        checkProfile(r.p.rg, r.p.profile);
        const body = parseBody(req);
        const ttl = body.properties?.dnsConfig?.ttl;
        if (ttl !== undefined &&
            !(Number.isInteger(ttl) && ttl >= 0 && ttl <= 2147483647)) {
            throw new ArmError(400, 'BadRequest', `properties.dnsConfig.ttl is ${JSON.stringify(ttl)}: expected a whole number of seconds from 0.`);
        }
        ctx.world.monitor.mutation('arm', r.op, AZ.trafficManager.profile);
        if (typeof ttl === 'number')
            stack.traffic.record.ttl = ttl;
        return profileBody(stack);
    }
    // ---------- Microsoft.ContainerService ----------
    function aksSite(world, rg, cluster, pool) {
        const stack = stackOf(world);
        for (const s of sandbox_world/* SITES */.bo) {
            if (eq(AZ.resourceGroups[s], rg) && eq(AZ.clusters[s], cluster)) {
                if (!eq(pool, AZ.pool)) {
                    throw new ArmError(404, 'NotFound', `The agent pool '${pool}' was not found in managed cluster '${cluster}'.`);
                }
                const site = stack.sites[s];
                if (!site.up)
                    throw arm_regionDown(site, `managed cluster '${cluster}'`);
                return site;
            }
        }
        throw new ArmError(404, 'ResourceNotFound', `The Resource 'Microsoft.ContainerService/managedClusters/${cluster}' under resource group '${rg}' was not found.`);
    }
    /** Whether the pool's latest scale is still under way (nodes not yet all present and Ready); settles update records. */
    function scaling(site) {
        const nodes = site.cluster.nodes;
        const busy = nodes.length !== site.pool.desired || nodes.some((n) => !n.ready);
        if (!busy)
            for (const u of site.pool.updates)
                if (u.status === 'InProgress')
                    u.status = 'Successful';
        return busy && site.pool.updates.some((u) => u.status === 'InProgress');
    }
    function poolBody(site) {
        const name = site.pool.name;
        const rg = AZ.resourceGroups[site.name];
        return {
            id: `/subscriptions/${estate/* SANDBOX_SUBSCRIPTION */.Yv}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${site.pool.cluster}/agentPools/${name}`,
            name,
            type: 'Microsoft.ContainerService/managedClusters/agentPools',
            properties: {
                count: site.pool.desired,
                vmSize: 'Standard_D4s_v5',
                osDiskSizeGB: 128,
                osType: 'Linux',
                osSKU: 'Ubuntu',
                type: 'VirtualMachineScaleSets',
                mode: 'System',
                maxPods: 110,
                enableAutoScaling: false,
                minCount: site.pool.min,
                maxCount: site.pool.max,
                availabilityZones: [...site.zones],
                provisioningState: scaling(site) ? 'Scaling' : 'Succeeded',
                powerState: { code: 'Running' },
                orchestratorVersion: '1.33',
                currentOrchestratorVersion: '1.33.2',
                nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202611.01.0',
            },
        };
    }
    function putPool(req, res, ctx, r) {
        const site = aksSite(ctx.world, r.p.rg, r.p.cluster, r.p.pool);
        const body = parseBody(req);
        const props = (body.properties ?? {});
        const count = props.count;
        if (!(Number.isInteger(count) && count >= 0 && count <= 1000)) {
            throw new ArmError(400, 'InvalidParameter', `properties.count is ${JSON.stringify(count)} for agent pool '${r.p.pool}': expected a whole number of nodes from 0 to 1000.`);
        }
        const auto = props.enableAutoScaling === true;
        const minCount = props.minCount;
        const maxCount = props.maxCount;
        if (auto) {
            if (!(Number.isInteger(minCount) && Number.isInteger(maxCount) && minCount <= maxCount)) {
                throw new ArmError(400, 'InvalidParameter', `properties.minCount/maxCount are ${JSON.stringify(minCount)}/${JSON.stringify(maxCount)} for agent pool '${r.p.pool}': with enableAutoScaling both must be whole numbers and minCount <= maxCount.`);
            }
            if (count < minCount || count > maxCount) {
                throw new ArmError(400, 'InvalidParameter', `properties.count is ${count} for agent pool '${r.p.pool}': with enableAutoScaling it must lie between minCount ${minCount} and maxCount ${maxCount}.`);
            }
        }
        if (scaling(site)) {
            throw new ArmError(409, 'OperationNotAllowed', `Operation is not allowed because there's an in progress scale operation on agent pool '${r.p.pool}' of managed cluster '${r.p.cluster}'; wait for it to finish.`);
        }
        ctx.world.monitor.mutation('arm', 'AgentPools_CreateOrUpdate', `${r.p.cluster}/${r.p.pool}`);
        if (auto) {
            site.pool.min = minCount;
            site.pool.max = maxCount;
        }
        const lro = {
            id: (0,external_node_crypto_.randomUUID)(),
            kind: 'aks',
            location: site.region,
            site: site.name,
            status: 'InProgress',
            startTime: iso(ctx.world.now()),
        };
        lro.updateId = lro.id;
        lros.set(lro.id, lro);
        site.pool.updates.push({ id: lro.id, status: 'InProgress', at: ctx.world.now() });
        site.pool.desired = count;
        ctx.world.settle();
        const headers = {
            'Azure-AsyncOperation': `${baseUrl(req)}/subscriptions/${estate/* SANDBOX_SUBSCRIPTION */.Yv}/providers/Microsoft.ContainerService/locations/${site.region}/operations/${lro.id}?api-version=${CONTAINER_SERVICE_API_VERSION}`,
        };
        send(res, 200, poolBody(site), 'application/json', headers);
    }
    function aksOperation(ctx, r) {
        const lro = findLro(r, 'aks', ctx.world);
        const site = stackOf(ctx.world).sites[lro.site];
        const update = site.pool.updates.find((u) => u.id === lro.updateId);
        scaling(site);
        if (lro.status === 'InProgress' && update && update.status !== 'InProgress') {
            lro.status = update.status === 'Successful' ? 'Succeeded' : 'Failed';
            lro.endTime = iso(ctx.world.now());
        }
        return operationBody(lro);
    }
    // ---------- service ----------
    return {
        name: 'arm',
        operation(req) {
            return routeArm(req.method, req.path).op;
        },
        handle(req, res, ctx) {
            const r = routeArm(req.method, req.path);
            try {
                if (r.op === 'Unknown') {
                    throw new ArmError(404, 'ResourceNotFound', `The sandbox ARM has no ${req.method} ${req.path}; it serves SQL failover groups, Traffic Manager profiles and AKS agent pools.`);
                }
                if (!req.url.searchParams.get('api-version')) {
                    throw new ArmError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
                }
                const auth = req.headers.authorization;
                if (!auth || !/^Bearer \S+/.test(auth)) {
                    throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing or is not a Bearer token.");
                }
                checkSubscription(r.p.sub);
                const stack = stackOf(ctx.world);
                switch (r.op) {
                    case 'FailoverGroups_Get': {
                        const site = sqlSite(r.p.rg, r.p.server);
                        checkFog(r.p.fog, r.p.server);
                        if (!stack.sites[site].up)
                            throw arm_regionDown(stack.sites[site], `server '${r.p.server}'`);
                        return send(res, 200, failoverGroupBody(stack, site));
                    }
                    case 'FailoverGroups_Failover':
                        return startFailover(req, res, ctx, r, false);
                    case 'FailoverGroups_ForceFailoverAllowDataLoss':
                        return startFailover(req, res, ctx, r, true);
                    case 'FailoverGroups_AsyncOperation':
                        return send(res, 200, operationBody(findLro(r, 'sql', ctx.world)));
                    case 'FailoverGroups_OperationResult': {
                        const lro = findLro(r, 'sql', ctx.world);
                        if (lro.status === 'InProgress')
                            return send(res, 202, '', 'application/json', {
                                Location: `${baseUrl(req)}${req.url.pathname}${req.url.search}`,
                            });
                        if (lro.status === 'Failed')
                            return renderArmError(res, 409, lro.error.code, lro.error.message);
                        return send(res, 200, failoverGroupBody(stack, lro.site));
                    }
                    case 'RestorePoints_ListByDatabase':
                        return send(res, 200, restorePoints(ctx, r));
                    case 'Profiles_Get':
                        checkProfile(r.p.rg, r.p.profile);
                        return send(res, 200, profileBody(stack));
                    case 'Profiles_Update':
                        return send(res, 200, updateProfile(req, ctx, r));
                    case 'Endpoints_Get': {
                        checkProfile(r.p.rg, r.p.profile);
                        return send(res, 200, endpointBody(stack, endpointSite(r.p.type, r.p.endpoint)));
                    }
                    case 'Endpoints_Update':
                    case 'Endpoints_CreateOrUpdate':
                        return send(res, 200, updateEndpoint(req, ctx, r));
                    case 'AgentPools_Get':
                        return send(res, 200, poolBody(aksSite(ctx.world, r.p.rg, r.p.cluster, r.p.pool)));
                    case 'AgentPools_CreateOrUpdate':
                        return putPool(req, res, ctx, r);
                    case 'AgentPools_AsyncOperation':
                        return send(res, 200, aksOperation(ctx, r));
                }
            }
            catch (err) {
                if (err instanceof ArmError)
                    return renderArmError(res, err.status, err.code, err.message, err.headers);
                throw err;
            }
        },
        renderThrottle(req, res, hit) {
            const seconds = hit.spec.retryAfterSeconds ?? 1;
            renderArmError(res, 429, 'TooManyRequests', `The request for operation '${routeArm(req.method, req.path).op}' was throttled because too many requests were made; retry after ${seconds} seconds.`, { 'Retry-After': String(seconds), 'x-ms-ratelimit-remaining-subscription-reads': '0' });
        },
        renderError(req, res, hit) {
            const status = hit.spec.status ?? 503;
            renderArmError(res, status, status === 503 ? 'ServiceUnavailable' : 'InternalServerError', `The server encountered an internal error while processing operation '${routeArm(req.method, req.path).op}'; retry the request.`);
        },
    };
}
function parseBody(req) {
    try {
        const b = req.json();
        if (!b || typeof b !== 'object' || Array.isArray(b))
            throw new Error('not an object');
        return b;
    }
    catch {
        throw new ArmError(400, 'InvalidRequestContent', 'The request body is not a JSON object; send the resource as JSON.');
    }
}

;// CONCATENATED MODULE: ./src/sandbox/connections.ts
/** Cloud seconds a draining site takes to lose all its open connections. */
const DRAIN_CLOUD_SECONDS = 20;
/** Open client connections of `site` right now (whole site, all pods together). */
function activeConnections(world, site) {
    if (site.drainStartedAt === undefined)
        return site.connections;
    const start = site.connectionsAtDrain ?? site.connections;
    const total = world.realMs(DRAIN_CLOUD_SECONDS);
    const elapsed = world.now() - site.drainStartedAt;
    if (total <= 0 || elapsed >= total)
        return 0;
    return Math.max(0, Math.ceil(start * (1 - elapsed / total)));
}
/**
 * One pod's share of `total` connections among `pods` pods: the remainder goes to the first pods,
 * so the shares always add up to `total`.
 */
function connectionShare(total, pods, index) {
    if (pods <= 0 || index < 0 || index >= pods)
        return 0;
    return Math.floor(total / pods) + (index < total % pods ? 1 : 0);
}

;// CONCATENATED MODULE: ./src/sandbox/metrics.ts


/** Simulated user requests per real second per stack. */
const REQUESTS_PER_SECOND = 50;
/** Baseline share of 5xx answers when the serving site is healthy. */
const BASELINE_ERROR_RATIO = 0.001;
/** Cloud seconds between two failed health checks of a site that is down or unhealthy. */
const HEALTH_CHECK_INTERVAL_CLOUD_SECONDS = 10;
/** How long the history is kept (the longest window of the default queries is 2h). */
const HISTORY_MS = (2 * 3600 + 600) * 1000;
const METRIC_HELP = {
    aegis_health_status: { type: 'gauge', help: 'Whether the site answers its health check (1 healthy, 0 not).' },
    aegis_health_check_failures_total: { type: 'counter', help: 'Failed health checks of the site.' },
    aegis_db_replication_lag_seconds: { type: 'gauge', help: 'Seconds the replica database is behind the writer.' },
    aegis_http_requests_total: { type: 'counter', help: 'HTTP requests answered by the site, by status.' },
};
/** Whether a site answers its health check right now. */
function siteHealthy(site) {
    return site.up && site.healthy && (0,sandbox_world/* readyPods */.A$)(site.cluster, 'aegis-api') > 0;
}
/** Whether the site that DNS points at can serve requests. */
function siteCanServe(site) {
    return siteHealthy(site);
}
function key(name, labels) {
    return name + JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
/**
 * The simulation for one world. Use `metricsFor(world)` to get the shared instance, call
 * `sample()` whenever the world may have changed (it subscribes to `world.onChange` itself) and
 * `render()` for the exposition text.
 */
class MetricsSimulation {
    world;
    series = new Map();
    startedAt;
    constructor(world) {
        this.world = world;
        this.startedAt = world.now();
        this.sample();
    }
    targets() {
        const w = this.world;
        const out = [];
        const perMs = REQUESTS_PER_SECOND / 1000;
        const failuresPerMs = 1 / w.realMs(HEALTH_CHECK_INTERVAL_CLOUD_SECONDS);
        for (const stack of w.stacks.values()) {
            const active = (0,estate/* activeSite */.QR)(stack);
            for (const siteName of sandbox_world/* SITES */.bo) {
                const site = stack.sites[siteName];
                const labels = { stack: stack.name, site: siteName, region: site.region };
                const healthy = siteHealthy(site);
                out.push({ name: 'aegis_health_status', labels, type: 'gauge', level: healthy ? 1 : 0 });
                out.push({
                    name: 'aegis_health_check_failures_total',
                    labels,
                    type: 'counter',
                    level: healthy ? 0 : failuresPerMs,
                });
                const lag = replicationLag(stack, siteName);
                if (lag !== undefined)
                    out.push({ name: 'aegis_db_replication_lag_seconds', labels, type: 'gauge', level: lag });
                const share = active === siteName ? 1 : active === 'both' ? 0.5 : 0;
                const rate = perMs * share;
                const errorRatio = share > 0 && !siteCanServe(site) ? 1 : BASELINE_ERROR_RATIO;
                out.push({
                    name: 'aegis_http_requests_total',
                    labels: { ...labels, status: '200' },
                    type: 'counter',
                    level: rate * (1 - errorRatio),
                });
                out.push({
                    name: 'aegis_http_requests_total',
                    labels: { ...labels, status: '503' },
                    type: 'counter',
                    level: rate * errorRatio,
                });
            }
        }
        return out;
    }
    /** Record what every series does from now on (adds a breakpoint only where something changed). */
    sample(now = this.world.now()) {
        const seen = new Set();
        for (const t of this.targets()) {
            const k = key(t.name, t.labels);
            seen.add(k);
            let s = this.series.get(k);
            if (!s) {
                s = { name: t.name, labels: t.labels, type: t.type, points: [], present: true };
                this.series.set(k, s);
            }
            s.present = true;
            const last = s.points.at(-1);
            if (t.type === 'gauge') {
                if (!last || last.value !== t.level)
                    s.points.push({ t: now, value: t.level, rate: 0 });
            }
            else if (!last) {
                s.points.push({ t: now, value: 0, rate: t.level });
            }
            else if (last.rate !== t.level) {
                s.points.push({ t: now, value: last.value + last.rate * Math.max(0, now - last.t), rate: t.level });
            }
            this.prune(s, now);
        }
        for (const [k, s] of this.series) {
            if (!seen.has(k) && s.present) {
                s.present = false;
                // a vanished counter stops growing
                const last = s.points.at(-1);
                if (last && last.rate !== 0) {
                    s.points.push({ t: now, value: last.value + last.rate * Math.max(0, now - last.t), rate: 0 });
                }
            }
        }
        this.mirror(now);
    }
    prune(s, now) {
        const cutoff = now - HISTORY_MS;
        let drop = 0;
        while (drop + 1 < s.points.length && s.points[drop + 1].t <= cutoff)
            drop++;
        if (drop > 0)
            s.points.splice(0, drop);
    }
    /** Keep the site counters of world.ts in step with the exported counters. */
    mirror(now) {
        for (const stack of this.world.stacks.values()) {
            for (const siteName of sandbox_world/* SITES */.bo) {
                const site = stack.sites[siteName];
                const labels = { stack: stack.name, site: siteName, region: site.region };
                site.healthFailures = this.counterValue('aegis_health_check_failures_total', labels, now);
                site.requests.ok = this.counterValue('aegis_http_requests_total', { ...labels, status: '200' }, now);
                site.requests.error = this.counterValue('aegis_http_requests_total', { ...labels, status: '503' }, now);
            }
        }
    }
    counterValue(name, labels, now) {
        const s = this.series.get(key(name, labels));
        return s ? (valueAt(s, now) ?? 0) : 0;
    }
    /** Instant samples of every present series named `name` (all series when omitted). */
    instant(name, now = this.world.now()) {
        const out = [];
        for (const s of this.series.values()) {
            if (!s.present || (name !== undefined && s.name !== name))
                continue;
            const v = valueAt(s, now);
            if (v !== undefined)
                out.push({ labels: { __name__: s.name, ...s.labels }, value: v });
        }
        return out;
    }
    /** The exposition text (Prometheus text format 0.0.4). */
    render(now = this.world.now()) {
        this.sample(now);
        const lines = [];
        for (const [name, meta] of Object.entries(METRIC_HELP)) {
            const rows = this.instant(name, now);
            if (rows.length === 0)
                continue;
            lines.push(`# HELP ${name} ${meta.help}`, `# TYPE ${name} ${meta.type}`);
            for (const r of rows) {
                const { __name__: _n, ...labels } = r.labels;
                const text = Object.entries(labels)
                    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
                    .join(',');
                lines.push(`${name}{${text}} ${formatNumber(r.value)}`);
            }
        }
        return lines.join('\n') + '\n';
    }
}
/** Value of a series at real ms time `t` (counters are whole numbers), undefined before it existed. */
function valueAt(s, t) {
    let p;
    for (const b of s.points) {
        if (b.t <= t)
            p = b;
        else
            break;
    }
    if (!p)
        return undefined;
    if (s.type === 'gauge')
        return p.value;
    return Math.floor(p.value + p.rate * (t - p.t));
}
/** Every distinct value a gauge took within [from, to]. */
function valuesWithin(s, from, to) {
    const out = [];
    const start = valueAt(s, from);
    if (start !== undefined)
        out.push(start);
    for (const b of s.points)
        if (b.t > from && b.t <= to)
            out.push(s.type === 'gauge' ? b.value : (valueAt(s, b.t) ?? 0));
    const end = valueAt(s, to);
    if (end !== undefined)
        out.push(end);
    return out;
}
/** Lag of a site's database copy as exported: 0 on the writer, the lag on a replicating replica. */
function replicationLag(stack, site) {
    const db = stack.database;
    if (db.writer === site)
        return 0;
    return db.replicating ? db.lagSeconds : undefined;
}
/** Format a number as Prometheus does (NaN, +Inf, -Inf, shortest decimal). */
function formatNumber(v) {
    if (Number.isNaN(v))
        return 'NaN';
    if (v === Infinity)
        return '+Inf';
    if (v === -Infinity)
        return '-Inf';
    return String(v);
}
const sims = new WeakMap();
/** The metrics simulation of `world` (created on first use, then kept in step on every settle). */
function metricsFor(world) {
    let sim = sims.get(world);
    if (!sim) {
        const created = new MetricsSimulation(world);
        world.onChange(() => created.sample());
        sims.set(world, created);
        sim = created;
    }
    return sim;
}

;// CONCATENATED MODULE: ./src/sandbox/app.ts





/** Cloud seconds a scan stays queued, then running. */
const SCAN_QUEUED_CLOUD_SECONDS = 2;
const SCAN_RUNNING_CLOUD_SECONDS = 5;
const APP_VERSION = '2026.11.1';
const scansByWorld = new WeakMap();
function scans(world) {
    let m = scansByWorld.get(world);
    if (!m) {
        m = new Map();
        scansByWorld.set(world, m);
    }
    return m;
}
function app_route(path) {
    let m = /^\/sites\/([a-z0-9-]+)\/(primary|dr)(\/.*)?$/.exec(path);
    if (m)
        return { stack: m[1], site: m[2], rest: m[3] ?? '/' };
    m = /^\/public\/([a-z0-9-]+)(\/.*)?$/.exec(path);
    if (m)
        return { stack: m[1], site: 'public', rest: m[2] ?? '/' };
    return undefined;
}
function opOf(method, rest) {
    if (rest === '/health' || rest === '/healthz')
        return 'health';
    if (rest === '/debug/connections')
        return 'connections';
    if (rest === '/api/v1/policies/health')
        return 'policies';
    if (rest === '/api/v1/scans' && method === 'POST')
        return 'createScan';
    if (rest.startsWith('/api/v1/scans/'))
        return 'getScan';
    return 'unknown';
}
function scanStatus(world, scan) {
    const age = world.now() - scan.createdAt;
    if (age < world.realMs(SCAN_QUEUED_CLOUD_SECONDS))
        return 'queued';
    if (age < world.realMs(SCAN_QUEUED_CLOUD_SECONDS + SCAN_RUNNING_CLOUD_SECONDS))
        return 'running';
    return 'completed';
}
function notFound(res, what) {
    send(res, 404, { error: `not found: ${what}` });
}
function serveSite(req, res, ctx, stack, siteName, rest) {
    const { world } = ctx;
    const site = stack.sites[siteName];
    if (!site.up) {
        // the region is unreachable: the client sees the connection drop
        req.raw.socket.destroy();
        return;
    }
    const healthy = siteHealthy(site);
    const op = opOf(req.method, rest);
    const base = {
        region: siteName,
        cloudRegion: site.region,
        stack: stack.name,
    };
    switch (op) {
        case 'health': {
            const pods = (0,sandbox_world/* readyPods */.A$)(site.cluster, 'aegis-api');
            const body = {
                status: healthy ? 'healthy' : 'unhealthy',
                ...base,
                version: APP_VERSION,
                readyPods: pods,
                database: stack.database.writable[siteName] ? 'read-write' : 'read-only',
                ...(healthy ? {} : { reason: !site.healthy ? 'the application reports itself unhealthy' : 'no ready aegis-api pods' }),
            };
            send(res, healthy ? 200 : 503, body);
            return;
        }
        case 'connections':
            send(res, 200, { active: activeConnections(world, site), ...base });
            return;
        case 'policies': {
            const state = healthy ? 'ok' : 'error';
            send(res, healthy ? 200 : 503, { opa_external: state, opa_embedded: state, bundle: 'policies-2026.11.1' });
            return;
        }
        case 'createScan': {
            const auth = req.headers.authorization ?? '';
            if (!/^Bearer\s+\S+/.test(auth)) {
                send(res, 401, { error: 'unauthorized: send an Authorization: Bearer <token> header' }, undefined, {
                    'www-authenticate': 'Bearer',
                });
                return;
            }
            let body;
            try {
                body = req.json();
            }
            catch {
                send(res, 400, { error: 'the request body is not JSON: expected {"scope":"test","providers":["aws"]}' });
                return;
            }
            if (typeof body.scope !== 'string' || !Array.isArray(body.providers)) {
                send(res, 400, { error: 'scope (string) and providers (array) are required: expected {"scope":"test","providers":["aws"]}' });
                return;
            }
            if (!world.acceptsWrites(stack, siteName)) {
                send(res, 503, { error: 'read-only: this site does not accept writes' });
                return;
            }
            const id = `scan-${Math.floor(world.random() * 0xffffffff).toString(16).padStart(8, '0')}`;
            scans(world).set(id, {
                id,
                stack: stack.name,
                site: siteName,
                scope: body.scope,
                providers: body.providers.map(String),
                createdAt: world.now(),
            });
            site.writesWhileServing++;
            world.monitor.mutation('app', 'createScan', `${stack.name}/${siteName}/${id}`);
            send(res, 201, { id, status: 'queued', scope: body.scope, providers: body.providers, ...base });
            return;
        }
        case 'getScan': {
            const id = decodeURIComponent(rest.slice('/api/v1/scans/'.length));
            const scan = scans(world).get(id);
            if (!scan || scan.stack !== stack.name) {
                notFound(res, `scan ${id}`);
                return;
            }
            if (!healthy) {
                send(res, 503, { error: 'unavailable: this site has no healthy aegis-api pods' });
                return;
            }
            send(res, 200, { id, status: scanStatus(world, scan), scope: scan.scope, providers: scan.providers, createdOn: scan.site });
            return;
        }
        default:
            notFound(res, `${req.method} ${rest}`);
    }
}
/** The Aegis application service (fault key 'app'; operations health, connections, policies, createScan, getScan, metrics). */
function appService() {
    return {
        name: 'app',
        operation(req) {
            if (req.path === '/metrics')
                return 'metrics';
            const r = app_route(req.path);
            return r ? opOf(req.method, r.rest) : 'unknown';
        },
        handle(req, res, ctx) {
            const { world } = ctx;
            if (req.path === '/metrics') {
                send(res, 200, metricsFor(world).render(), 'text/plain; version=0.0.4; charset=utf-8');
                return;
            }
            const r = app_route(req.path);
            if (!r) {
                notFound(res, req.path);
                return;
            }
            const stack = world.stacks.get(r.stack);
            if (!stack) {
                notFound(res, `stack ${r.stack} (the sandbox has ${[...world.stacks.keys()].join(', ')})`);
                return;
            }
            let site;
            if (r.site === 'public') {
                const active = (0,estate/* activeSite */.QR)(stack);
                if (active === 'unknown') {
                    send(res, 502, {
                        error: `the public name ${stack.traffic.record.name} points at ${stack.traffic.record.values.join(', ') || 'nothing'}, which is no site of stack ${stack.name}`,
                    });
                    return;
                }
                // a record listing both targets: clients pick one; alternate like round-robin DNS
                site = active === 'both' ? (world.random() < 0.5 ? 'primary' : 'dr') : active;
            }
            else {
                site = r.site;
            }
            serveSite(req, res, ctx, stack, site, r.rest);
        },
        renderThrottle(_req, res, hit) {
            send(res, 429, { error: 'too many requests' }, undefined, { 'retry-after': String(hit.spec.retryAfterSeconds ?? 1) });
        },
        renderError(_req, res, hit) {
            const status = hit.spec.status ?? 503;
            send(res, status, { error: `the application failed with HTTP ${status} (injected fault)` });
        },
    };
}

// EXTERNAL MODULE: external "node:dgram"
var external_node_dgram_ = __webpack_require__(41314);
var external_node_dgram_default = /*#__PURE__*/__webpack_require__.n(external_node_dgram_);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __webpack_require__(77030);
var external_node_net_default = /*#__PURE__*/__webpack_require__.n(external_node_net_);
// EXTERNAL MODULE: ./node_modules/dns-packet/index.js
var dns_packet = __webpack_require__(14894);
;// CONCATENATED MODULE: ./src/sandbox/dns.ts
/**
 * An authoritative DNS server for the sandbox's zones, on 127.0.0.1 over UDP and TCP (same port).
 *
 * It serves each stack's zone (`traffic.record.zone`): SOA, NS (ns1.<zone> -> 127.0.0.1), the
 * traffic record itself (CNAME or A, values and TTL read live from the world, so a change made
 * through Route 53 / Traffic Manager / Cloud DNS is visible at once), and an A record of
 * 127.0.0.1 for every site target name. Unknown names inside a zone get NXDOMAIN with the SOA;
 * names outside every zone get REFUSED, as an authoritative-only server answers.
 *
 * Faults: `faults.check('dns', qtype)`: timeout = no answer, error = SERVFAIL, reset = TCP
 * connection closed (UDP: no answer).
 */




/** Negative-caching TTL (SOA minimum) of every zone, in seconds. */
const SOA_MINIMUM_TTL = 60;
/** TTL of the site target A records and NS records, in seconds. */
const TARGET_TTL = 60;
const NS_TTL = 3600;
const LOOPBACK = '127.0.0.1';
const RCODES = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };
function norm(name) {
    return name.toLowerCase().replace(/\.$/, '');
}
function inZone(name, zone) {
    return name === zone || name.endsWith('.' + zone);
}
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
/** Build the zones from the world's current state. */
function buildZones(world) {
    const zones = new Map();
    const zoneOf = (name) => {
        let best;
        for (const z of zones.values())
            if (inZone(name, z.zone) && (!best || z.zone.length > best.zone.length))
                best = z;
        return best;
    };
    const add = (z, rr) => {
        const n = norm(rr.name);
        const list = z.names.get(n) ?? [];
        list.push({ ...rr, name: n, class: 'IN' });
        z.names.set(n, list);
    };
    for (const stack of world.stacks.values()) {
        const zone = norm(stack.traffic.record.zone);
        if (!zones.has(zone))
            zones.set(zone, { zone, names: new Map() });
    }
    // a target outside every zone gets the zone of its last two labels
    const targets = new Set();
    for (const stack of world.stacks.values())
        for (const s of sandbox_world/* SITES */.bo)
            targets.add(norm(stack.sites[s].target));
    for (const t of targets) {
        if (!zoneOf(t)) {
            const zone = t.split('.').slice(-2).join('.');
            zones.set(zone, { zone, names: new Map() });
        }
    }
    for (const z of zones.values()) {
        add(z, {
            type: 'SOA',
            name: z.zone,
            ttl: SOA_MINIMUM_TTL,
            data: {
                mname: `ns1.${z.zone}`,
                rname: `hostmaster.${z.zone}`,
                serial: serialOf(world, z.zone),
                refresh: 7200,
                retry: 900,
                expire: 1209600,
                minimum: SOA_MINIMUM_TTL,
            },
        });
        add(z, { type: 'NS', name: z.zone, ttl: NS_TTL, data: `ns1.${z.zone}` });
    }
    for (const z of zones.values()) {
        const ns = `ns1.${z.zone}`;
        const owner = zoneOf(ns);
        if (owner)
            add(owner, { type: 'A', name: ns, ttl: NS_TTL, data: LOOPBACK });
    }
    for (const t of targets) {
        const z = zoneOf(t);
        if (z)
            add(z, { type: 'A', name: t, ttl: TARGET_TTL, data: LOOPBACK });
    }
    for (const stack of world.stacks.values()) {
        const rec = stack.traffic.record;
        const z = zoneOf(norm(rec.name));
        if (!z)
            continue;
        const type = rec.type.toUpperCase();
        for (const v of rec.values) {
            if (type === 'CNAME')
                add(z, { type: 'CNAME', name: rec.name, ttl: rec.ttl, data: norm(v) });
            else if (type === 'A')
                add(z, { type: 'A', name: rec.name, ttl: rec.ttl, data: IPV4.test(v) ? v : LOOPBACK });
            else if (type === 'TXT')
                add(z, { type: 'TXT', name: rec.name, ttl: rec.ttl, data: v });
        }
    }
    return [...zones.values()];
}
/** Zone serial: grows by one each time the zone's traffic records change. */
const serials = new WeakMap();
function serialOf(world, zone) {
    let m = serials.get(world);
    if (!m) {
        m = new Map();
        serials.set(world, m);
    }
    const fingerprint = JSON.stringify([...world.stacks.values()].filter((s) => norm(s.traffic.record.zone) === zone).map((s) => s.traffic.record));
    const cur = m.get(zone);
    if (!cur) {
        const s = { fingerprint, serial: 2026110101 };
        m.set(zone, s);
        return s.serial;
    }
    if (cur.fingerprint !== fingerprint) {
        cur.fingerprint = fingerprint;
        cur.serial++;
    }
    return cur.serial;
}
/** Answer one query from the world's current state. */
function answerQuery(world, query) {
    const q = query.questions?.[0];
    const base = { id: query.id ?? 0, type: 'response', questions: query.questions ?? [] };
    if (!q)
        return { ...base, flags: RCODES.FORMERR };
    const name = norm(q.name);
    const qtype = q.type.toUpperCase();
    const zones = buildZones(world);
    let zone;
    for (const z of zones)
        if (inZone(name, z.zone) && (!zone || z.zone.length > zone.zone.length))
            zone = z;
    if (!zone)
        return { ...base, flags: RCODES.REFUSED };
    const lookup = (n) => {
        for (const z of zones) {
            const r = z.names.get(n);
            if (r)
                return { zone: z, records: r };
        }
        return undefined;
    };
    const soa = zone.names.get(zone.zone).filter((r) => r.type === 'SOA');
    const aa = dns_packet.AUTHORITATIVE_ANSWER;
    const records = zone.names.get(name);
    if (!records)
        return { ...base, flags: aa | RCODES.NXDOMAIN, authorities: soa };
    const answers = [];
    let currentRecords = records;
    // follow CNAMEs through the zones we are authoritative for
    for (let hops = 0; currentRecords && hops < 8; hops++) {
        const exact = currentRecords.filter((r) => qtype === 'ANY' || r.type === qtype);
        if (exact.length > 0) {
            answers.push(...exact);
            break;
        }
        const cname = currentRecords.filter((r) => r.type === 'CNAME');
        if (cname.length === 0)
            break;
        answers.push(...cname);
        currentRecords = lookup(String(cname[0].data))?.records;
    }
    const additionals = [];
    if (qtype === 'NS') {
        for (const r of answers) {
            const glue = lookup(norm(String(r.data)))?.records.filter((x) => x.type === 'A');
            if (glue)
                additionals.push(...glue);
        }
    }
    return {
        ...base,
        flags: aa | RCODES.NOERROR,
        answers,
        authorities: answers.length === 0 ? soa : [],
        additionals,
    };
}
/** Start the authoritative server on 127.0.0.1 (UDP and TCP on one port; a free port when none is given). */
async function startDnsServer(world, opts = {}) {
    const host = LOOPBACK;
    const udpMax = opts.udpMaxSize ?? 512;
    let lastErr;
    for (let attempt = 0; attempt < 10; attempt++) {
        const udp = external_node_dgram_default().createSocket('udp4');
        try {
            await new Promise((resolve, reject) => {
                udp.once('error', reject);
                udp.bind(opts.port ?? 0, host, () => {
                    udp.off('error', reject);
                    resolve();
                });
            });
        }
        catch (err) {
            udp.close();
            throw err;
        }
        const port = udp.address().port;
        const sockets = new Set();
        const tcp = external_node_net_default().createServer((sock) => {
            sockets.add(sock);
            sock.on('close', () => sockets.delete(sock));
            sock.on('error', () => sock.destroy());
            let buf = Buffer.alloc(0);
            sock.on('data', (chunk) => {
                buf = Buffer.concat([buf, chunk]);
                while (buf.length >= 2) {
                    const len = buf.readUInt16BE(0);
                    if (buf.length < 2 + len)
                        break;
                    const msg = buf.subarray(2, 2 + len);
                    buf = buf.subarray(2 + len);
                    const out = respond(msg, 'tcp');
                    if (out === 'reset') {
                        sock.destroy();
                        return;
                    }
                    if (out) {
                        const head = Buffer.alloc(2);
                        head.writeUInt16BE(out.length);
                        sock.write(Buffer.concat([head, out]));
                    }
                }
            });
        });
        const respond = (msg, transport) => {
            let query;
            try {
                query = dns_packet.decode(msg);
            }
            catch {
                return undefined;
            }
            world.settle();
            const qtype = query.questions?.[0]?.type ?? 'UNKNOWN';
            const hit = opts.faults?.check('dns', qtype);
            if (hit?.kind === 'timeout')
                return undefined;
            if (hit?.kind === 'reset')
                return transport === 'tcp' ? 'reset' : undefined;
            let answer;
            if (hit && (hit.kind === 'error' || hit.kind === 'throttle')) {
                answer = { id: query.id, type: 'response', questions: query.questions, flags: RCODES.SERVFAIL };
            }
            else {
                answer = answerQuery(world, query);
            }
            let out = dns_packet.encode(answer);
            if (transport === 'udp' && out.length > udpMax) {
                out = dns_packet.encode({
                    id: answer.id,
                    type: 'response',
                    questions: answer.questions,
                    flags: (answer.flags ?? 0) | dns_packet.TRUNCATED_RESPONSE,
                });
            }
            return out;
        };
        udp.on('message', (msg, rinfo) => {
            const out = respond(msg, 'udp');
            if (out && out !== 'reset')
                udp.send(out, rinfo.port, rinfo.address);
        });
        try {
            await new Promise((resolve, reject) => {
                tcp.once('error', reject);
                tcp.listen(port, host, () => {
                    tcp.off('error', reject);
                    resolve();
                });
            });
        }
        catch (err) {
            udp.close();
            lastErr = err;
            if (opts.port)
                throw err;
            continue; // the TCP side of a random UDP port was taken: try another port
        }
        return {
            host,
            port,
            close: () => new Promise((resolve) => {
                for (const s of sockets)
                    s.destroy();
                udp.close(() => tcp.close(() => resolve()));
            }),
        };
    }
    throw new Error(`could not bind the sandbox DNS server on ${host}: ${String(lastErr)}`);
}

;// CONCATENATED MODULE: ./src/sandbox/faults.ts
class FaultRegistry {
    random;
    faults = [];
    log = [];
    constructor(random = Math.random) {
        this.random = random;
    }
    add(spec) {
        validateFault(spec);
        this.faults.push({ ...spec, seen: 0, fired: 0 });
    }
    clear() {
        this.faults = [];
    }
    list() {
        return this.faults.map(({ seen: _s, fired: _f, ...spec }) => spec);
    }
    /** Called by an emulator for each call; returns the fault to apply, if any. */
    check(service, operation) {
        for (const f of this.faults) {
            if (f.service !== service)
                continue;
            if (f.operation && f.operation !== operation)
                continue;
            f.seen++;
            const limit = f.times ?? (f.nth !== undefined ? 1 : Infinity);
            if (f.fired >= limit)
                continue;
            const fire = f.nth !== undefined ? f.seen === f.nth : this.random() < (f.rate ?? 1);
            if (!fire)
                continue;
            f.fired++;
            this.log.push({ at: new Date().toISOString(), service, operation, kind: f.kind });
            return { kind: f.kind, spec: f };
        }
        return undefined;
    }
}
const KINDS = ['throttle', 'error', 'reset', 'timeout', 'slow'];
function validateFault(spec) {
    if (!spec || typeof spec.service !== 'string' || spec.service.length === 0) {
        throw new Error('fault.service is missing: expected a service key such as rds, route53 or kubernetes.');
    }
    if (!KINDS.includes(spec.kind)) {
        throw new Error(`fault.kind is ${JSON.stringify(spec.kind)}: expected one of ${KINDS.join(', ')}.`);
    }
    if (spec.rate !== undefined && !(spec.rate >= 0 && spec.rate <= 1)) {
        throw new Error(`fault.rate is ${spec.rate}: expected a number from 0 to 1.`);
    }
    if (spec.nth !== undefined && !(Number.isInteger(spec.nth) && spec.nth >= 1)) {
        throw new Error(`fault.nth is ${spec.nth}: expected a whole number from 1.`);
    }
}

;// CONCATENATED MODULE: ./src/sandbox/gcp/common.ts


/** Canonical Google status name of an HTTP status (google.rpc.Code as the REST APIs render it). */
function statusName(httpStatus) {
    switch (httpStatus) {
        case 400:
            return 'INVALID_ARGUMENT';
        case 401:
            return 'UNAUTHENTICATED';
        case 403:
            return 'PERMISSION_DENIED';
        case 404:
            return 'NOT_FOUND';
        case 409:
            return 'ALREADY_EXISTS';
        case 412:
            return 'FAILED_PRECONDITION';
        case 429:
            return 'RESOURCE_EXHAUSTED';
        case 501:
            return 'UNIMPLEMENTED';
        case 503:
            return 'UNAVAILABLE';
        case 504:
            return 'DEADLINE_EXCEEDED';
        default:
            return httpStatus >= 500 ? 'INTERNAL' : 'UNKNOWN';
    }
}
/** Legacy `errors[].reason` that Google APIs put beside the status. */
function reasonOf(httpStatus) {
    switch (httpStatus) {
        case 400:
            return 'invalid';
        case 404:
            return 'notFound';
        case 409:
            return 'conflict';
        case 412:
            return 'conditionNotMet';
        case 429:
            return 'rateLimitExceeded';
        case 503:
            return 'backendError';
        default:
            return httpStatus >= 500 ? 'backendError' : 'invalid';
    }
}
/** Send a Google API error in its JSON shape. */
function googleError(res, httpStatus, message, opts = {}) {
    const status = opts.status ?? statusName(httpStatus);
    send(res, httpStatus, {
        error: {
            code: httpStatus,
            message,
            status,
            errors: [
                {
                    message,
                    domain: httpStatus === 429 ? 'usageLimits' : 'global',
                    reason: opts.reason ?? reasonOf(httpStatus),
                },
            ],
        },
    }, 'application/json; charset=UTF-8', opts.headers ?? {});
}
/** Render an injected throttle as Google does: 429 RESOURCE_EXHAUSTED (with Retry-After when the fault advertises one). */
function renderGoogleThrottle(_req, res, hit, api) {
    const headers = {};
    if (hit.spec.retryAfterSeconds !== undefined)
        headers['retry-after'] = String(hit.spec.retryAfterSeconds);
    googleError(res, 429, `Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service '${api}'.`, {
        headers,
    });
}
/** Render an injected server error (default 503 UNAVAILABLE) in the Google JSON shape. */
function renderGoogleError(_req, res, hit) {
    const code = hit.spec.status ?? 503;
    googleError(res, code, code === 503 ? 'The service is currently unavailable.' : 'Internal error encountered.');
}
/**
 * The checks every emulated Google API makes first: an unknown route is 404, a project other than
 * the sandbox's is 404 with the service's own reason. Returns true when it answered.
 */
function rejectRequest(req, res, known, project, notFoundReason) {
    if (!known) {
        googleError(res, 404, `The requested URL ${req.path} was not found on this server (method ${req.method}).`);
        return true;
    }
    if (project !== estate/* SANDBOX_PROJECT */.II) {
        googleError(res, 404, `The project ${project} does not exist; the sandbox project is ${estate/* SANDBOX_PROJECT */.II}.`, {
            reason: notFoundReason,
        });
        return true;
    }
    return false;
}
/** The region-outage answer of a regional Google API: 503 UNAVAILABLE. */
function common_regionDown(res, region) {
    googleError(res, 503, `The service is currently unavailable in region ${region}.`);
}
/** The GCP stack of the world (the estate's `gcp` stack, or the only cloud-sql stack). */
function gcpStack(world) {
    const s = world.stacks.get('gcp') ?? [...world.stacks.values()].find((x) => x.cloud === 'gcp');
    if (!s)
        throw new Error('the sandbox world has no gcp stack: create the estate with the gcp cloud.');
    return s;
}
/** The site of a GKE cluster name, by TOPOLOGY.gcp.clusters. */
function siteOfCluster(cluster) {
    const c = estate/* TOPOLOGY */.yg.gcp.clusters;
    return cluster === c.primary ? 'primary' : cluster === c.dr ? 'dr' : undefined;
}
/** Whether a location (region or zone) belongs to a site. */
function locationOfSite(site, location) {
    return location === site.region || site.zones.includes(location);
}
/** RFC 3339 time of a real ms time. */
function rfc3339(ms) {
    return new Date(ms).toISOString();
}
/** A hex id from the world's deterministic random source. */
function hexId(world, length = 8) {
    let s = '';
    while (s.length < length)
        s += Math.floor(world.random() * 0x100000000)
            .toString(16)
            .padStart(8, '0');
    return s.slice(0, length);
}

;// CONCATENATED MODULE: ./src/sandbox/gcp/clouddns.ts




const states = new WeakMap();
const abs = (name) => (name.endsWith('.') ? name : `${name}.`);
const rel = (name) => (name.endsWith('.') ? name.slice(0, -1) : name);
function zoneDnsName() {
    return abs(estate/* TOPOLOGY */.yg.gcp.zone.dnsName);
}
function stateOf(world) {
    let s = states.get(world);
    if (!s) {
        const apex = zoneDnsName();
        s = {
            nextId: 1,
            changes: new Map(),
            others: [
                {
                    kind: 'dns#resourceRecordSet',
                    name: apex,
                    type: 'NS',
                    ttl: 21600,
                    rrdatas: ['ns-cloud-a1.googledomains.test.', 'ns-cloud-a2.googledomains.test.'],
                },
                {
                    kind: 'dns#resourceRecordSet',
                    name: apex,
                    type: 'SOA',
                    ttl: 21600,
                    rrdatas: [
                        'ns-cloud-a1.googledomains.test. cloud-dns-hostmaster.google.test. 1 21600 3600 259200 300',
                    ],
                },
            ],
            createdAt: world.now(),
        };
        states.set(world, s);
    }
    return s;
}
/** Every rrset of the zone, the traffic record included when it has values. */
function rrsets(stack, state) {
    const r = stack.traffic.record;
    const main = r.values.length > 0
        ? [
            {
                kind: 'dns#resourceRecordSet',
                name: abs(r.name),
                type: r.type,
                ttl: r.ttl,
                rrdatas: r.values.map((v) => (r.type === 'CNAME' ? abs(v) : v)),
            },
        ]
        : [];
    return [...state.others, ...main];
}
function isMain(stack, set) {
    return rel(set.name) === rel(stack.traffic.record.name) && set.type === stack.traffic.record.type;
}
const BASE = '/dns/v1/projects/';
function clouddns_route(path) {
    if (!path.startsWith(BASE))
        return undefined;
    const [project, mz, zone, collection, id, extra] = path
        .slice(BASE.length)
        .split('/')
        .map(decodeURIComponent);
    if (!project || mz !== 'managedZones' || extra !== undefined)
        return undefined;
    return { project, zone: zone || undefined, collection, id };
}
function opName(req) {
    const r = clouddns_route(req.path);
    if (!r)
        return 'unknown';
    if (!r.zone)
        return req.method === 'GET' ? 'managedZones.list' : 'unknown';
    if (!r.collection)
        return req.method === 'GET' ? 'managedZones.get' : 'unknown';
    if (r.collection === 'rrsets' && !r.id && req.method === 'GET')
        return 'resourceRecordSets.list';
    if (r.collection === 'changes') {
        if (req.method === 'POST' && !r.id)
            return 'changes.create';
        if (req.method === 'GET')
            return r.id ? 'changes.get' : 'changes.list';
    }
    return 'unknown';
}
function renderZone(state) {
    return {
        kind: 'dns#managedZone',
        name: estate/* TOPOLOGY */.yg.gcp.zone.name,
        dnsName: zoneDnsName(),
        id: '5120000000000000001',
        description: 'Cloud Aegis sandbox zone',
        visibility: 'public',
        nameServers: ['ns-cloud-a1.googledomains.test.', 'ns-cloud-a2.googledomains.test.'],
        creationTime: rfc3339(state.createdAt),
    };
}
function renderChange(world, c) {
    return {
        kind: 'dns#change',
        id: c.id,
        startTime: rfc3339(c.startTime),
        status: world.now() >= c.doneAt ? 'done' : 'pending',
        additions: c.additions,
        deletions: c.deletions,
    };
}
function sameSet(a, b) {
    const norm = (x) => (x.rrdatas ?? [])
        .map((v) => rel(v))
        .sort()
        .join('\n');
    return (abs(a.name) === abs(b.name) && a.type === b.type && (a.ttl ?? 0) === (b.ttl ?? 0) && norm(a) === norm(b));
}
/** Validate and apply a change; returns an error (status, message, reason) or the change. */
function applyChange(world, stack, state, body) {
    const additions = Array.isArray(body.additions) ? body.additions : [];
    const deletions = Array.isArray(body.deletions) ? body.deletions : [];
    if (additions.length === 0 && deletions.length === 0) {
        return {
            error: [
                400,
                'The change has no additions and no deletions: expected at least one record set.',
                'required',
            ],
        };
    }
    const apex = zoneDnsName();
    const checkName = (set, where) => {
        if (typeof set?.name !== 'string' || typeof set.type !== 'string') {
            return [400, `Invalid value for '${where}': expected a record set with name and type.`, 'invalid'];
        }
        if (!set.name.endsWith('.')) {
            return [
                400,
                `Invalid value for '${where}.name': '${set.name}' is not an absolute name; end it with a dot.`,
                'invalid',
            ];
        }
        if (!(set.name === apex || set.name.endsWith(`.${apex}`))) {
            return [
                400,
                `Invalid value for '${where}.name': '${set.name}' is not within the zone ${apex}.`,
                'invalid',
            ];
        }
        return undefined;
    };
    let current = rrsets(stack, state);
    for (const [i, d] of deletions.entries()) {
        const bad = checkName(d, `entity.change.deletions[${i}]`);
        if (bad)
            return { error: bad };
        const idx = current.findIndex((x) => sameSet(x, d));
        if (idx < 0) {
            return {
                error: [
                    412,
                    `Precondition not met for 'entity.change.deletions[${i}]': the record set ${d.name} ${d.type} with these ttl and rrdatas does not exist.`,
                    'conditionNotMet',
                ],
            };
        }
        current = current.filter((_, j) => j !== idx);
    }
    for (const [i, a] of additions.entries()) {
        const bad = checkName(a, `entity.change.additions[${i}]`);
        if (bad)
            return { error: bad };
        if (!Array.isArray(a.rrdatas) || a.rrdatas.length === 0) {
            return {
                error: [
                    400,
                    `Invalid value for 'entity.change.additions[${i}].rrdatas': expected at least one value.`,
                    'invalid',
                ],
            };
        }
        if (current.some((x) => abs(x.name) === abs(a.name) && x.type === a.type)) {
            return {
                error: [
                    409,
                    `The resource 'entity.change.additions[${i}]' named '${a.name} (${a.type})' already exists.`,
                    'alreadyExists',
                ],
            };
        }
        current.push({
            kind: 'dns#resourceRecordSet',
            name: abs(a.name),
            type: a.type,
            ttl: a.ttl ?? 300,
            rrdatas: [...a.rrdatas],
        });
    }
    // commit
    const rec = stack.traffic.record;
    const main = current.find((x) => isMain(stack, x));
    rec.values = main ? (main.rrdatas ?? []).map(rel) : [];
    if (main?.ttl !== undefined)
        rec.ttl = main.ttl;
    state.others = current.filter((x) => !isMain(stack, x));
    const now = world.now();
    const change = {
        id: String(state.nextId++),
        startTime: now,
        doneAt: now + world.duration(sandbox_world/* DURATIONS */.eh.cloudDnsChange),
        additions: additions.map((a) => ({ kind: 'dns#resourceRecordSet', ...a })),
        deletions: deletions.map((d) => ({ kind: 'dns#resourceRecordSet', ...d })),
    };
    state.changes.set(change.id, change);
    stack.traffic.changes.set(`clouddns/${change.id}`, { doneAt: change.doneAt, submittedAt: now });
    return { change };
}
function handle(req, res, ctx) {
    const { world } = ctx;
    const r = clouddns_route(req.path);
    const name = opName(req);
    if (rejectRequest(req, res, r !== undefined && name !== 'unknown', r?.project, 'notFound') || !r)
        return;
    const stack = gcpStack(world);
    const state = stateOf(world);
    if (name === 'managedZones.list') {
        send(res, 200, { kind: 'dns#managedZonesListResponse', managedZones: [renderZone(state)] });
        return;
    }
    if (r.zone !== estate/* TOPOLOGY */.yg.gcp.zone.name) {
        googleError(res, 404, `The managed zone ${r.zone} does not exist in project ${estate/* SANDBOX_PROJECT */.II}; the sandbox zone is ${estate/* TOPOLOGY */.yg.gcp.zone.name}.`, {
            reason: 'notFound',
        });
        return;
    }
    switch (name) {
        case 'managedZones.get':
            send(res, 200, renderZone(state));
            return;
        case 'resourceRecordSets.list': {
            const nameFilter = req.url.searchParams.get('name');
            const typeFilter = req.url.searchParams.get('type');
            if (typeFilter && !nameFilter) {
                googleError(res, 400, "The parameter 'type' requires 'name' to be set too.", { reason: 'invalid' });
                return;
            }
            const items = rrsets(stack, state).filter((x) => (!nameFilter || abs(x.name) === abs(nameFilter)) && (!typeFilter || x.type === typeFilter));
            send(res, 200, { kind: 'dns#resourceRecordSetsListResponse', rrsets: items });
            return;
        }
        case 'changes.create': {
            let body;
            try {
                body = req.json();
            }
            catch {
                googleError(res, 400, 'The request body is not valid JSON: expected {"additions":[...],"deletions":[...]}.');
                return;
            }
            const out = applyChange(world, stack, state, body);
            if ('error' in out) {
                const [status, message, reason] = out.error;
                googleError(res, status, message, { reason });
                return;
            }
            world.monitor.mutation('clouddns', 'changes.create', `${estate/* TOPOLOGY */.yg.gcp.zone.name}/${stack.traffic.record.name}`);
            send(res, 200, renderChange(world, out.change));
            return;
        }
        case 'changes.list':
            send(res, 200, {
                kind: 'dns#changesListResponse',
                changes: [...state.changes.values()].map((c) => renderChange(world, c)),
            });
            return;
        case 'changes.get': {
            const c = state.changes.get(r.id);
            if (!c) {
                googleError(res, 404, `The change ${r.id} does not exist in managed zone ${estate/* TOPOLOGY */.yg.gcp.zone.name}.`, { reason: 'notFound' });
                return;
            }
            send(res, 200, renderChange(world, c));
            return;
        }
    }
}
/** The Cloud DNS v1 emulator (service key and fault key `clouddns`). */
function clouddnsService() {
    return {
        name: 'clouddns',
        operation: opName,
        handle,
        renderThrottle: (req, res, hit) => renderGoogleThrottle(req, res, hit, 'dns.googleapis.com'),
        renderError: renderGoogleError,
    };
}

;// CONCATENATED MODULE: ./src/sandbox/gcp/container.ts



const container_states = new WeakMap();
function container_stateOf(world) {
    let s = container_states.get(world);
    if (!s) {
        s = { operations: new Map() };
        container_states.set(world, s);
    }
    return s;
}
const container_BASE = '/v1/projects/';
function container_route(path) {
    if (!path.startsWith(container_BASE))
        return undefined;
    const parts = path.slice(container_BASE.length).split('/').map(decodeURIComponent);
    const [project, locs, location, collection, id, np, poolAndVerb, extra] = parts;
    if (!project || locs !== 'locations' || !location || !id || extra !== undefined)
        return undefined;
    if (collection === 'operations')
        return np === undefined ? { project, location, collection, id } : undefined;
    if (collection !== 'clusters')
        return undefined;
    if (np === undefined)
        return { project, location, collection, id };
    if (np !== 'nodePools' || !poolAndVerb)
        return undefined;
    const [pool, verb] = poolAndVerb.split(':');
    return { project, location, collection, id, pool, verb };
}
function container_opName(req) {
    const r = container_route(req.path);
    if (!r)
        return 'unknown';
    if (r.collection === 'operations')
        return req.method === 'GET' ? 'operations.get' : 'unknown';
    if (!r.pool)
        return req.method === 'GET' ? 'clusters.get' : 'unknown';
    if (!r.verb)
        return req.method === 'GET' ? 'nodePools.get' : 'unknown';
    if (req.method === 'POST' && r.verb === 'setSize')
        return 'nodePools.setSize';
    if (req.method === 'POST' && r.verb === 'setAutoscaling')
        return 'nodePools.setAutoscaling';
    return 'unknown';
}
const container_link = (path) => `https://container.googleapis.com/v1/projects/${estate/* SANDBOX_PROJECT */.II}/${path}`;
/** Finish operations whose condition holds now. */
function refresh(world, stack, state) {
    for (const op of state.operations.values()) {
        if (op.status === 'DONE')
            continue;
        const site = stack.sites[op.site];
        if (!site.up)
            continue;
        if (op.type === 'SET_NODE_POOL_SIZE') {
            const nodes = site.cluster.nodes;
            if (nodes.length === op.target && nodes.every((n) => n.ready)) {
                op.status = 'DONE';
                op.endTime = world.now();
                site.pool.busyUntil = 0;
                const u = site.pool.updates.find((x) => x.id === op.updateId);
                if (u)
                    u.status = 'Successful';
            }
        }
        else {
            op.status = 'DONE';
            op.endTime = world.now();
        }
    }
}
function runningOp(state, cluster) {
    for (const op of state.operations.values())
        if (op.cluster === cluster && op.status !== 'DONE')
            return op;
    return undefined;
}
function renderOp(op) {
    return {
        name: op.name,
        zone: op.location,
        location: op.location,
        operationType: op.type,
        status: op.status,
        selfLink: container_link(`locations/${op.location}/operations/${op.name}`),
        targetLink: container_link(`locations/${op.location}/clusters/${op.cluster}/nodePools/${op.pool}`),
        startTime: rfc3339(op.startTime),
        ...(op.endTime !== undefined ? { endTime: rfc3339(op.endTime) } : {}),
        ...(op.target !== undefined ? { detail: `Resizing node pool ${op.pool} to ${op.target} nodes.` } : {}),
    };
}
function renderPool(site, location, busy) {
    const p = site.pool;
    return {
        name: p.name,
        config: { machineType: 'e2-standard-4', diskSizeGb: 100, imageType: 'COS_CONTAINERD' },
        initialNodeCount: p.desired,
        locations: [site.zones[0]],
        autoscaling: { enabled: true, minNodeCount: p.min, maxNodeCount: p.max, locationPolicy: 'BALANCED' },
        management: { autoUpgrade: true, autoRepair: true },
        status: busy ? 'RECONCILING' : 'RUNNING',
        version: '1.33.5-gke.1000',
        selfLink: container_link(`locations/${location}/clusters/${p.cluster}/nodePools/${p.name}`),
        instanceGroupUrls: [
            `https://www.googleapis.com/compute/v1/projects/${estate/* SANDBOX_PROJECT */.II}/zones/${site.zones[0]}/instanceGroupManagers/gke-${p.cluster}-${p.name}-grp`,
        ],
    };
}
function container_handle(req, res, ctx) {
    const { world } = ctx;
    const r = container_route(req.path);
    const name = container_opName(req);
    if (rejectRequest(req, res, r !== undefined && name !== 'unknown', r?.project) || !r)
        return;
    const stack = gcpStack(world);
    const state = container_stateOf(world);
    refresh(world, stack, state);
    if (r.collection === 'operations') {
        const op = state.operations.get(r.id);
        if (!op || op.location !== r.location) {
            googleError(res, 404, `Operation "projects/${r.project}/locations/${r.location}/operations/${r.id}" not found.`);
            return;
        }
        const site = stack.sites[op.site];
        if (!site.up)
            return common_regionDown(res, site.region);
        send(res, 200, renderOp(op));
        return;
    }
    const siteName = siteOfCluster(r.id);
    const site = siteName ? stack.sites[siteName] : undefined;
    if (!siteName || !site || !locationOfSite(site, r.location)) {
        googleError(res, 404, `Cluster "projects/${r.project}/locations/${r.location}/clusters/${r.id}" not found; the sandbox clusters are ${estate/* TOPOLOGY */.yg.gcp.clusters.primary} (${stack.sites.primary.region}) and ${estate/* TOPOLOGY */.yg.gcp.clusters.dr} (${stack.sites.dr.region}).`);
        return;
    }
    if (!site.up)
        return common_regionDown(res, site.region);
    if (name === 'clusters.get') {
        send(res, 200, {
            name: r.id,
            location: site.region,
            locations: site.zones,
            status: runningOp(state, r.id) ? 'RECONCILING' : 'RUNNING',
            currentNodeCount: site.cluster.nodes.length,
            currentMasterVersion: '1.33.5-gke.1000',
            selfLink: container_link(`locations/${site.region}/clusters/${r.id}`),
            nodePools: [renderPool(site, r.location, runningOp(state, r.id)?.type === 'SET_NODE_POOL_SIZE')],
        });
        return;
    }
    if (r.pool !== site.pool.name) {
        googleError(res, 404, `Node pool "${r.pool}" not found in cluster ${r.id}; the sandbox pool is ${site.pool.name}.`);
        return;
    }
    if (name === 'nodePools.get') {
        send(res, 200, renderPool(site, r.location, runningOp(state, r.id)?.type === 'SET_NODE_POOL_SIZE'));
        return;
    }
    let body;
    try {
        body = req.json();
    }
    catch {
        googleError(res, 400, 'The request body is not valid JSON.');
        return;
    }
    const busy = runningOp(state, r.id);
    if (busy) {
        googleError(res, 400, `Cluster is running incompatible operation ${busy.name}.`, {
            status: 'FAILED_PRECONDITION',
            reason: 'failedPrecondition',
        });
        return;
    }
    const now = world.now();
    const opId = `operation-${now}-${hexId(world, 8)}`;
    if (name === 'nodePools.setSize') {
        const count = Number(body.nodeCount ?? NaN);
        if (!Number.isInteger(count) || count < 0 || count > 1000) {
            googleError(res, 400, `Invalid value for field 'nodeCount': ${JSON.stringify(body.nodeCount)}; expected a whole number from 0 to 1000.`);
            return;
        }
        world.monitor.mutation('container', 'nodePools.setSize', `${r.id}/${r.pool}`);
        const updateId = opId;
        site.pool.desired = count;
        site.pool.busyUntil = Number.MAX_SAFE_INTEGER;
        site.pool.updates.push({ id: updateId, status: 'InProgress', at: now });
        const op = {
            name: opId,
            site: siteName,
            location: r.location,
            cluster: r.id,
            pool: r.pool,
            type: 'SET_NODE_POOL_SIZE',
            status: 'RUNNING',
            startTime: now,
            target: count,
            updateId,
        };
        state.operations.set(op.name, op);
        // nodes are added by the world's reconcile; the operation finishes when they are Ready
        world.settle();
        send(res, 200, renderOp(op));
        return;
    }
    // setAutoscaling
    const a = body.autoscaling ?? {};
    const min = a.minNodeCount ?? site.pool.min;
    const max = a.maxNodeCount ?? site.pool.max;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < 1 || min > max) {
        googleError(res, 400, `Invalid autoscaling limits min ${String(min)} / max ${String(max)}: expected whole numbers with 0 <= min <= max and max >= 1.`);
        return;
    }
    world.monitor.mutation('container', 'nodePools.setAutoscaling', `${r.id}/${r.pool}`);
    site.pool.min = min;
    site.pool.max = max;
    const op = {
        name: opId,
        site: siteName,
        location: r.location,
        cluster: r.id,
        pool: r.pool,
        type: 'UPDATE_CLUSTER',
        status: 'DONE',
        startTime: now,
        endTime: now,
    };
    state.operations.set(op.name, op);
    send(res, 200, renderOp(op));
}
/** The GKE v1 emulator (service key and fault key `container`). */
function containerService() {
    return {
        name: 'container',
        operation: container_opName,
        handle: container_handle,
        renderThrottle: (req, res, hit) => renderGoogleThrottle(req, res, hit, 'container.googleapis.com'),
        renderError: renderGoogleError,
    };
}

;// CONCATENATED MODULE: ./src/sandbox/gcp/sqladmin.ts




const sqladmin_states = new WeakMap();
function sqladmin_stateOf(world) {
    let s = sqladmin_states.get(world);
    if (!s) {
        s = {
            settingsVersion: { [estate/* TOPOLOGY */.yg.gcp.sql.instance]: 12, [estate/* TOPOLOGY */.yg.gcp.sql.replica]: 5 },
            operations: new Map(),
        };
        sqladmin_states.set(world, s);
    }
    return s;
}
/** The site an instance name lives in, or undefined for an unknown instance. */
function siteOfInstance(name) {
    if (name === estate/* TOPOLOGY */.yg.gcp.sql.instance)
        return 'primary';
    if (name === estate/* TOPOLOGY */.yg.gcp.sql.replica)
        return 'dr';
    return undefined;
}
const sqladmin_BASE = '/v1/projects/';
/** Split a path into its Cloud SQL parts. */
function sqladmin_route(path) {
    if (!path.startsWith(sqladmin_BASE))
        return undefined;
    const parts = path.slice(sqladmin_BASE.length).split('/').map(decodeURIComponent);
    const [project, kind, id, action, extra] = parts;
    if (!project || !kind || extra !== undefined)
        return undefined;
    return { project, kind, id, action };
}
function sqladmin_opName(req) {
    const r = sqladmin_route(req.path);
    if (!r)
        return 'unknown';
    if (r.kind === 'instances' && r.id) {
        if (!r.action)
            return req.method === 'GET' ? 'instances.get' : 'instances.unsupported';
        if (r.action === 'failover' && req.method === 'POST')
            return 'instances.failover';
        if (r.action === 'promoteReplica' && req.method === 'POST')
            return 'instances.promoteReplica';
        if (r.action === 'backupRuns' && req.method === 'GET')
            return 'backupRuns.list';
        return 'instances.unsupported';
    }
    if (r.kind === 'operations' && req.method === 'GET')
        return r.id ? 'operations.get' : 'operations.list';
    return 'unknown';
}
function renderOperation(op) {
    const link = `https://sqladmin.googleapis.com/v1/projects/${estate/* SANDBOX_PROJECT */.II}`;
    return {
        kind: 'sql#operation',
        name: op.name,
        targetLink: `${link}/instances/${op.instance}`,
        selfLink: `${link}/operations/${op.name}`,
        status: op.status,
        user: 'aegis-dr@aegis-sandbox.iam.gserviceaccount.test',
        insertTime: rfc3339(op.insertTime),
        ...(op.startTime !== undefined ? { startTime: rfc3339(op.startTime) } : {}),
        ...(op.endTime !== undefined ? { endTime: rfc3339(op.endTime) } : {}),
        ...(op.error
            ? { error: { kind: 'sql#operationErrors', errors: [{ kind: 'sql#operationError', ...op.error }] } }
            : {}),
        operationType: op.type,
        targetId: op.instance,
        targetProject: estate/* SANDBOX_PROJECT */.II,
    };
}
function busyOp(state, instance) {
    for (const op of state.operations.values())
        if (op.instance === instance && op.status !== 'DONE')
            return op;
    return undefined;
}
function renderInstance(world, stack, name) {
    const state = sqladmin_stateOf(world);
    const db = stack.database;
    const site = siteOfInstance(name);
    const s = stack.sites[site];
    const settingsVersion = String(state.settingsVersion[name]);
    const common = {
        kind: 'sql#instance',
        name,
        project: estate/* SANDBOX_PROJECT */.II,
        connectionName: `${estate/* SANDBOX_PROJECT */.II}:${s.region}:${name}`,
        selfLink: `https://sqladmin.googleapis.com/v1/projects/${estate/* SANDBOX_PROJECT */.II}/instances/${name}`,
        databaseVersion: 'POSTGRES_16',
        backendType: 'SECOND_GEN',
        region: s.region,
        state: 'RUNNABLE',
        etag: `${name}-${settingsVersion}`,
    };
    const backupConfiguration = {
        kind: 'sql#backupConfiguration',
        enabled: site === 'primary',
        pointInTimeRecoveryEnabled: site === 'primary',
        startTime: '03:00',
    };
    if (site === 'primary') {
        const other = s.zones.find((z) => z !== db.writerZone) ?? s.zones[0];
        return {
            ...common,
            instanceType: 'CLOUD_SQL_INSTANCE',
            gceZone: db.writerZone,
            secondaryGceZone: other,
            settings: {
                kind: 'sql#settings',
                settingsVersion,
                tier: 'db-custom-4-16384',
                availabilityType: 'REGIONAL',
                activationPolicy: 'ALWAYS',
                dataDiskSizeGb: '100',
                backupConfiguration,
            },
            failoverReplica: {
                name: estate/* TOPOLOGY */.yg.gcp.sql.failoverReplica,
                available: busyOp(state, name)?.type !== 'FAILOVER' && db.status !== 'failing-over',
            },
            replicaNames: db.replicating ? [estate/* TOPOLOGY */.yg.gcp.sql.replica] : [],
        };
    }
    const replica = db.replicating;
    return {
        ...common,
        instanceType: replica ? 'READ_REPLICA_INSTANCE' : 'CLOUD_SQL_INSTANCE',
        gceZone: s.zones[0],
        ...(replica
            ? {
                masterInstanceName: estate/* TOPOLOGY */.yg.gcp.sql.instance,
                replicaConfiguration: {
                    kind: 'sql#replicaConfiguration',
                    failoverTarget: false,
                    cascadableReplica: false,
                },
            }
            : {}),
        settings: {
            kind: 'sql#settings',
            settingsVersion,
            tier: 'db-custom-4-16384',
            availabilityType: 'ZONAL',
            activationPolicy: 'ALWAYS',
            dataDiskSizeGb: '100',
            backupConfiguration,
            ...(replica ? { databaseReplicationEnabled: db.replicationHealthy } : {}),
        },
        replicaNames: [],
    };
}
function startOperation(ctx, stack, instance, type, apply) {
    const { world } = ctx;
    const state = sqladmin_stateOf(world);
    const site = siteOfInstance(instance);
    const now = world.now();
    const op = {
        name: `${hexId(world, 8)}-${hexId(world, 4)}-${hexId(world, 4)}-${hexId(world, 4)}-${hexId(world, 12)}`,
        instance,
        site,
        type,
        status: 'PENDING',
        insertTime: now,
    };
    state.operations.set(op.name, op);
    const total = world.duration(sandbox_world/* DURATIONS */.eh.cloudSqlFailover);
    const db = stack.database;
    db.status = type === 'FAILOVER' ? 'failing-over' : 'promoting';
    db.busyUntil = now + total;
    db.events.push({ at: now, message: `${type} of ${instance} started (operation ${op.name})` });
    world.schedule(Math.min(total / 10, world.realMs(2)), () => {
        if (op.status === 'PENDING') {
            op.status = 'RUNNING';
            op.startTime = world.now();
        }
    });
    world.schedule(total, () => {
        op.startTime ??= world.now();
        op.status = 'DONE';
        op.endTime = world.now();
        db.status = 'available';
        db.busyUntil = 0;
        if (!stack.sites[site].up) {
            op.error = {
                code: 'INTERNAL_ERROR',
                message: `The ${type} operation of ${instance} failed because region ${stack.sites[site].region} became unavailable.`,
            };
            db.events.push({ at: world.now(), message: `${type} of ${instance} failed: region down` });
            return;
        }
        apply();
        db.events.push({ at: world.now(), message: `${type} of ${instance} done` });
    });
    return op;
}
function sqladmin_handle(req, res, ctx) {
    const { world } = ctx;
    const r = sqladmin_route(req.path);
    const name = sqladmin_opName(req);
    if (rejectRequest(req, res, r !== undefined && !(name === 'unknown' || name === 'instances.unsupported'), r?.project, 'projectDoesNotExist') ||
        !r)
        return;
    const stack = gcpStack(world);
    const state = sqladmin_stateOf(world);
    if (r.kind === 'operations') {
        if (r.id) {
            const op = state.operations.get(r.id);
            if (!op) {
                googleError(res, 404, `The Cloud SQL operation ${r.id} does not exist.`, {
                    reason: 'operationDoesNotExist',
                });
                return;
            }
            if (!stack.sites[op.site].up)
                return common_regionDown(res, stack.sites[op.site].region);
            send(res, 200, renderOperation(op));
            return;
        }
        const instance = req.url.searchParams.get('instance') ?? undefined;
        const items = [...state.operations.values()]
            .filter((op) => !instance || op.instance === instance)
            .filter((op) => stack.sites[op.site].up)
            .sort((a, b) => b.insertTime - a.insertTime)
            .map(renderOperation);
        send(res, 200, { kind: 'sql#operationsList', items });
        return;
    }
    const instance = r.id;
    const site = siteOfInstance(instance);
    if (!site) {
        googleError(res, 404, `The Cloud SQL instance ${instance} does not exist in project ${estate/* SANDBOX_PROJECT */.II}.`, {
            reason: 'instanceDoesNotExist',
        });
        return;
    }
    const siteWorld = stack.sites[site];
    if (!siteWorld.up)
        return common_regionDown(res, siteWorld.region);
    const db = stack.database;
    switch (name) {
        case 'instances.get':
            send(res, 200, renderInstance(world, stack, instance));
            return;
        case 'backupRuns.list': {
            if (site !== 'primary') {
                send(res, 200, { kind: 'sql#backupRunsList', items: [] });
                return;
            }
            const items = [0, 1, 2].map((i) => {
                const end = db.lastBackupAt - i * 24 * 3600 * 1000;
                const start = end - 4 * 60 * 1000;
                return {
                    kind: 'sql#backupRun',
                    id: String(1700000000000 + Math.floor(end / 1000)),
                    status: 'SUCCESSFUL',
                    type: 'AUTOMATED',
                    backupKind: 'SNAPSHOT',
                    instance,
                    location: 'us',
                    enqueuedTime: rfc3339(start),
                    startTime: rfc3339(start),
                    endTime: rfc3339(end),
                    windowStartTime: rfc3339(start),
                    selfLink: `https://sqladmin.googleapis.com/v1/projects/${estate/* SANDBOX_PROJECT */.II}/instances/${instance}/backupRuns/${i}`,
                };
            });
            send(res, 200, { kind: 'sql#backupRunsList', items });
            return;
        }
        case 'instances.failover': {
            if (site !== 'primary') {
                googleError(res, 400, `The instance ${instance} is not a high-availability (REGIONAL) instance, so it cannot fail over.`, {
                    reason: 'invalidOperation',
                });
                return;
            }
            let body;
            try {
                body = req.json();
            }
            catch {
                googleError(res, 400, 'The request body is not valid JSON: expected {"failoverContext":{"settingsVersion":N}}.');
                return;
            }
            const given = body.failoverContext?.settingsVersion;
            const current = state.settingsVersion[instance];
            if (given === undefined || Number(given) !== current) {
                googleError(res, 412, `The settings version ${given === undefined ? '(missing)' : String(given)} in failoverContext does not match the current settings version ${current} of ${instance}: read the instance again and retry with its settingsVersion.`, { reason: 'staleData' });
                return;
            }
            if (busyOp(state, instance) || db.status === 'promoting') {
                googleError(res, 409, 'Operation failed because another operation was already in progress.', {
                    reason: 'operationInProgress',
                });
                return;
            }
            world.monitor.mutation('sqladmin', 'instances.failover', instance);
            world.monitor.failover(instance);
            const op = startOperation(ctx, stack, instance, 'FAILOVER', () => {
                const zones = stack.sites.primary.zones;
                db.writerZone = zones.find((z) => z !== db.writerZone) ?? db.writerZone;
                db.failovers++;
            });
            send(res, 200, renderOperation(op));
            return;
        }
        case 'instances.promoteReplica': {
            if (site !== 'dr' || !db.replicating) {
                googleError(res, 400, `The instance ${instance} is not a read replica, so it cannot be promoted.`, {
                    reason: 'instanceNotReplica',
                });
                return;
            }
            if (busyOp(state, instance)) {
                googleError(res, 409, 'Operation failed because another operation was already in progress.', {
                    reason: 'operationInProgress',
                });
                return;
            }
            world.monitor.mutation('sqladmin', 'instances.promoteReplica', instance);
            world.monitor.failover(instance);
            const op = startOperation(ctx, stack, instance, 'PROMOTE_REPLICA', () => {
                db.writer = 'dr';
                db.writable.dr = true;
                db.replicating = false;
                db.failovers++;
                state.settingsVersion[instance]++;
            });
            send(res, 200, renderOperation(op));
            return;
        }
    }
}
/** The Cloud SQL Admin v1 emulator (service key and fault key `sqladmin`). */
function sqladminService() {
    return {
        name: 'sqladmin',
        operation: sqladmin_opName,
        handle: sqladmin_handle,
        renderThrottle: (req, res, hit) => renderGoogleThrottle(req, res, hit, 'sqladmin.googleapis.com'),
        renderError: renderGoogleError,
    };
}

;// CONCATENATED MODULE: ./src/sandbox/kubernetes.ts




/** Bearer token of the sandbox kubeconfig user (any bearer token is accepted). */
const SANDBOX_KUBE_TOKEN = 'aegis-sandbox-token';
/** Annotation that starts (value "true") or cancels (removed) the connection drain of a site. */
const DRAIN_ANNOTATION = 'aegis.io/drain';
const jobHandlers = [];
/**
 * Plug in what a job does when it finishes (integrity check, data sync, ...). The newest handler
 * whose `match` accepts the job decides its result; without one the job succeeds and logs "ok".
 * `run` is called when the job's run time is over, so it sees the world as it is then; a `run`
 * that throws fails the job with the error message as its log. Returns a function that removes
 * the handler again.
 */
function registerJobHandler(match, run) {
    const h = { match, run };
    jobHandlers.unshift(h);
    return () => {
        const i = jobHandlers.indexOf(h);
        if (i >= 0)
            jobHandlers.splice(i, 1);
    };
}
function firstContainer(job) {
    const spec = job.spec;
    return spec?.spec?.template?.spec?.containers?.[0];
}
/** The command (command + args) of a job's first container, for job handlers. */
function jobCommand(job) {
    const c = firstContainer(job);
    return [...(c?.command ?? []), ...(c?.args ?? [])];
}
/** The environment of a job's first container as a plain map, for job handlers. */
function jobEnv(job) {
    const out = {};
    for (const e of firstContainer(job)?.env ?? [])
        out[e.name] = e.value ?? '';
    return out;
}
/** The image of a job's first container. */
function jobImage(job) {
    return firstContainer(job)?.image;
}
/** Path prefix under which the emulator serves the cluster of `stack`/`site`. */
function clusterPath(stack, site) {
    return `/clusters/${stack}-${site}`;
}
/**
 * Kubeconfig YAML with one cluster, user binding and context per stack and site of the world
 * (contexts named `<stack>-<site>`, e.g. aws-primary, as TOPOLOGY's `contexts`), all served by the
 * emulator at `baseUrl` (`http://127.0.0.1:PORT`), with a static bearer token user.
 */
function writeKubeconfig(baseUrl, world) {
    const base = baseUrl.replace(/\/+$/, '');
    const clusters = [];
    const contexts = [];
    for (const stack of world.stacks.values()) {
        for (const site of sandbox_world/* SITES */.bo) {
            const name = `${stack.name}-${site}`;
            clusters.push({
                name,
                cluster: { server: `${base}${clusterPath(stack.name, site)}`, 'insecure-skip-tls-verify': true },
            });
            contexts.push({
                name,
                context: { cluster: name, user: 'aegis-sandbox', namespace: stack.sites[site].cluster.namespace },
            });
        }
    }
    const first = contexts[0];
    return (0,dist.stringify)({
        apiVersion: 'v1',
        kind: 'Config',
        preferences: {},
        clusters,
        users: [{ name: 'aegis-sandbox', user: { token: SANDBOX_KUBE_TOKEN } }],
        contexts,
        'current-context': first?.name ?? '',
    });
}
const PREFIX = /^\/clusters\/([^/]+)-(primary|dr)(\/.*)?$/;
function kubernetes_route(req) {
    const m = PREFIX.exec(req.path);
    if (!m)
        return { op: 'unknown', parts: [] };
    const stack = m[1];
    const site = m[2];
    const raw = (m[3] ?? '/').split('/').filter((s) => s.length > 0);
    const parts = raw.map((s) => {
        try {
            return decodeURIComponent(s);
        }
        catch {
            return s;
        }
    });
    const r = { op: 'unknown', stack, site, parts };
    const method = req.method.toUpperCase();
    const watch = req.url.searchParams.get('watch') === 'true' || req.url.searchParams.get('watch') === '1';
    const verb = (list, kind) => (watch ? `watch${kind}` : list);
    const p = parts;
    if (p.length === 1 && p[0] === 'version')
        return { ...r, op: 'getCode' };
    if (method === 'GET' &&
        (['api', 'apis', 'api/v1', 'apis/apps/v1', 'apis/batch/v1', 'apis/autoscaling/v1'].includes(p.join('/')) ||
            (p[0] === 'apis' && p.length === 2))) {
        return { ...r, op: 'discovery' };
    }
    // core v1
    if (p[0] === 'api' && p[1] === 'v1') {
        if (p[2] === 'nodes') {
            if (p.length === 3)
                return { ...r, kind: 'nodes', op: verb('listNode', 'Node') };
            if (p.length === 4)
                return { ...r, kind: 'nodes', name: p[3], op: 'readNode' };
        }
        if (p[2] === 'namespaces' && p.length === 4)
            return { ...r, kind: 'namespaces', name: p[3], op: 'readNamespace' };
        if (p[2] === 'pods' && p.length === 3)
            return { ...r, kind: 'pods', op: verb('listPodForAllNamespaces', 'Pod') };
        if (p[2] === 'namespaces' && p.length >= 5) {
            const ns = p[3];
            const res = p[4];
            const name = p[5];
            const sub = p[6];
            if (res === 'pods') {
                if (p.length === 5)
                    return { ...r, kind: 'pods', namespace: ns, op: verb('listNamespacedPod', 'Pod') };
                if (p.length === 6)
                    return { ...r, kind: 'pods', namespace: ns, name, op: 'readNamespacedPod' };
                if (sub === 'log' && p.length === 7)
                    return { ...r, kind: 'pods', namespace: ns, name, sub, op: 'readNamespacedPodLog' };
                if (sub === 'proxy') {
                    // keep the rest as sent: the client encodes "/" in the path as %2F
                    const restRaw = raw.slice(7).map((s) => {
                        try {
                            return decodeURIComponent(s);
                        }
                        catch {
                            return s;
                        }
                    });
                    const rest = '/' + restRaw.join('/').replace(/^\/+/, '');
                    return {
                        ...r,
                        kind: 'pods',
                        namespace: ns,
                        name,
                        sub,
                        rest,
                        op: 'connectGetNamespacedPodProxyWithPath',
                    };
                }
            }
            if (res === 'configmaps') {
                if (p.length === 5)
                    return {
                        ...r,
                        kind: 'configmaps',
                        namespace: ns,
                        op: verb('listNamespacedConfigMap', 'ConfigMap'),
                    };
                if (p.length === 6)
                    return { ...r, kind: 'configmaps', namespace: ns, name, op: 'readNamespacedConfigMap' };
            }
        }
    }
    if (p[0] === 'apis' && p[1] === 'apps' && p[2] === 'v1') {
        if (p[3] === 'deployments' && p.length === 4) {
            return { ...r, kind: 'deployments', op: verb('listDeploymentForAllNamespaces', 'Deployment') };
        }
        if (p[3] === 'namespaces' && p[5] === 'deployments') {
            const ns = p[4];
            const name = p[6];
            const sub = p[7];
            if (p.length === 6)
                return {
                    ...r,
                    kind: 'deployments',
                    namespace: ns,
                    op: verb('listNamespacedDeployment', 'Deployment'),
                };
            if (p.length === 7) {
                const op = method === 'PATCH'
                    ? 'patchNamespacedDeployment'
                    : method === 'GET'
                        ? 'readNamespacedDeployment'
                        : `${method} deployment`;
                return { ...r, kind: 'deployments', namespace: ns, name, op };
            }
            if (p.length === 8 && sub === 'scale') {
                const op = method === 'PATCH'
                    ? 'patchNamespacedDeploymentScale'
                    : method === 'PUT'
                        ? 'replaceNamespacedDeploymentScale'
                        : method === 'GET'
                            ? 'readNamespacedDeploymentScale'
                            : `${method} deployment scale`;
                return { ...r, kind: 'deployments', namespace: ns, name, sub, op };
            }
            if (p.length === 8 && sub === 'status') {
                return { ...r, kind: 'deployments', namespace: ns, name, sub, op: 'readNamespacedDeploymentStatus' };
            }
        }
    }
    if (p[0] === 'apis' && p[1] === 'batch' && p[2] === 'v1') {
        if (p[3] === 'jobs' && p.length === 4)
            return { ...r, kind: 'jobs', op: verb('listJobForAllNamespaces', 'Job') };
        if (p[3] === 'namespaces' && p[5] === 'jobs') {
            const ns = p[4];
            const name = p[6];
            if (p.length === 6) {
                const op = method === 'POST'
                    ? 'createNamespacedJob'
                    : method === 'GET'
                        ? verb('listNamespacedJob', 'Job')
                        : `${method} jobs`;
                return { ...r, kind: 'jobs', namespace: ns, op };
            }
            if (p.length === 7) {
                const op = method === 'DELETE'
                    ? 'deleteNamespacedJob'
                    : method === 'GET'
                        ? 'readNamespacedJob'
                        : `${method} job`;
                return { ...r, kind: 'jobs', namespace: ns, name, op };
            }
            if (p.length === 8 && p[7] === 'status')
                return { ...r, kind: 'jobs', namespace: ns, name, sub: 'status', op: 'readNamespacedJobStatus' };
        }
    }
    return r;
}
// ---------------------------------------------------------------------------------------------
// Discovery (kubectl reads it before anything else)
function resource(name, kind, namespaced, verbs, shortNames) {
    return {
        name,
        singularName: name.includes('/') ? '' : kind.toLowerCase(),
        namespaced,
        kind,
        verbs,
        ...(shortNames ? { shortNames } : {}),
    };
}
function discovery(path) {
    const group = (name, version) => ({
        name,
        versions: [{ groupVersion: `${name}/${version}`, version }],
        preferredVersion: { groupVersion: `${name}/${version}`, version },
    });
    switch (path) {
        case 'api':
            return {
                kind: 'APIVersions',
                versions: ['v1'],
                serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
            };
        case 'apis':
            return {
                kind: 'APIGroupList',
                apiVersion: 'v1',
                groups: [group('apps', 'v1'), group('batch', 'v1'), group('autoscaling', 'v1')],
            };
        case 'apis/apps':
            return { kind: 'APIGroup', apiVersion: 'v1', ...group('apps', 'v1') };
        case 'apis/batch':
            return { kind: 'APIGroup', apiVersion: 'v1', ...group('batch', 'v1') };
        case 'apis/autoscaling':
            return { kind: 'APIGroup', apiVersion: 'v1', ...group('autoscaling', 'v1') };
        case 'api/v1':
            return {
                kind: 'APIResourceList',
                groupVersion: 'v1',
                resources: [
                    resource('nodes', 'Node', false, ['get', 'list', 'watch'], ['no']),
                    resource('namespaces', 'Namespace', false, ['get'], ['ns']),
                    resource('pods', 'Pod', true, ['get', 'list', 'watch'], ['po']),
                    resource('pods/log', 'Pod', true, ['get']),
                    resource('pods/proxy', 'PodProxyOptions', true, ['get']),
                    resource('configmaps', 'ConfigMap', true, ['get', 'list', 'watch'], ['cm']),
                ],
            };
        case 'apis/apps/v1':
            return {
                kind: 'APIResourceList',
                apiVersion: 'v1',
                groupVersion: 'apps/v1',
                resources: [
                    {
                        ...resource('deployments', 'Deployment', true, ['get', 'list', 'patch', 'watch'], ['deploy']),
                        categories: ['all'],
                    },
                    {
                        ...resource('deployments/scale', 'Scale', true, ['get', 'patch', 'update']),
                        group: 'autoscaling',
                        version: 'v1',
                    },
                    resource('deployments/status', 'Deployment', true, ['get']),
                ],
            };
        case 'apis/batch/v1':
            return {
                kind: 'APIResourceList',
                apiVersion: 'v1',
                groupVersion: 'batch/v1',
                resources: [
                    {
                        ...resource('jobs', 'Job', true, ['create', 'delete', 'get', 'list', 'watch']),
                        categories: ['all'],
                    },
                    resource('jobs/status', 'Job', true, ['get']),
                ],
            };
        case 'apis/autoscaling/v1':
            return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'autoscaling/v1', resources: [] };
        default:
            return undefined;
    }
}
// ---------------------------------------------------------------------------------------------
// Status errors
class StatusError extends Error {
    code;
    reason;
    details;
    headers;
    constructor(code, reason, message, details, headers = {}) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.details = details;
        this.headers = headers;
    }
}
function statusBody(code, reason, message, details) {
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
function sendStatus(res, e) {
    send(res, e.code, statusBody(e.code, e.reason, e.message, e.details), 'application/json', e.headers);
}
function kubernetes_notFound(group, kind, name) {
    const qualified = group ? `${kind}.${group}` : kind;
    return new StatusError(404, 'NotFound', `${qualified} "${name}" not found`, {
        name,
        group: group || undefined,
        kind,
    });
}
function invalid(kind, name, message) {
    return new StatusError(422, 'Invalid', `${kind} "${name}" is invalid: ${message}`, { name, kind });
}
// ---------------------------------------------------------------------------------------------
// Rendering
function uid(key) {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let i = 0; i < key.length; i++) {
        h1 = Math.imul(h1 ^ key.charCodeAt(i), 16777619) >>> 0;
        h2 = Math.imul(h2 ^ key.charCodeAt(i), 2246822519) >>> 0;
    }
    const hex = (h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).slice(0, 16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8000-${hex.padEnd(12, '0').slice(0, 12)}`;
}
const kubernetes_iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const NODEPOOL_LABEL = {
    aws: 'eks.amazonaws.com/nodegroup',
    azure: 'kubernetes.azure.com/agentpool',
    gcp: 'cloud.google.com/gke-nodepool',
};
function renderNode(w, node, index) {
    const zone = w.siteWorld.zones[index % Math.max(1, w.siteWorld.zones.length)] ?? w.siteWorld.region;
    const at = kubernetes_iso(node.createdAt);
    return {
        metadata: {
            name: node.name,
            uid: uid(`${w.key}/node/${node.name}`),
            resourceVersion: String(w.cluster.resourceVersion),
            creationTimestamp: at,
            labels: {
                'kubernetes.io/hostname': node.name,
                'kubernetes.io/os': 'linux',
                'topology.kubernetes.io/region': w.siteWorld.region,
                'topology.kubernetes.io/zone': zone,
                [NODEPOOL_LABEL[w.stack.cloud] ?? 'aegis.io/nodepool']: w.siteWorld.pool.name,
            },
        },
        spec: {},
        status: {
            conditions: [
                {
                    type: 'Ready',
                    status: node.ready ? 'True' : 'False',
                    reason: node.ready ? 'KubeletReady' : 'KubeletNotReady',
                    message: node.ready ? 'kubelet is posting ready status' : 'container runtime network not ready',
                    lastHeartbeatTime: kubernetes_iso(Date.now()),
                    lastTransitionTime: at,
                },
            ],
            nodeInfo: {
                kubeletVersion: 'v1.33.0',
                osImage: 'sandbox',
                architecture: 'amd64',
                operatingSystem: 'linux',
            },
        },
    };
}
function podIp(name) {
    const u = uid(name);
    return `10.${parseInt(u.slice(0, 2), 16)}.${parseInt(u.slice(2, 4), 16)}.${parseInt(u.slice(4, 6), 16) || 1}`;
}
function renderPod(w, pod) {
    const job = pod.job ? w.cluster.jobs.get(pod.job) : undefined;
    const ownerReferences = pod.job
        ? [
            {
                apiVersion: 'batch/v1',
                kind: 'Job',
                name: pod.job,
                uid: uid(`${w.key}/job/${pod.job}`),
                controller: true,
            },
        ]
        : pod.deployment
            ? [
                {
                    apiVersion: 'apps/v1',
                    kind: 'ReplicaSet',
                    name: `${pod.deployment}-7d9f8c6b5`,
                    uid: uid(`${w.key}/rs/${pod.deployment}`),
                    controller: true,
                },
            ]
            : undefined;
    const container = pod.job
        ? (firstContainer(job ?? { spec: undefined })?.name ?? pod.job)
        : 'api';
    const image = pod.job
        ? (jobImage(job ?? { spec: undefined }) ?? 'busybox')
        : 'registry.aegis.test/aegis-api:2026.11.1';
    const running = pod.phase === 'Running';
    return {
        metadata: {
            name: pod.name,
            namespace: w.cluster.namespace,
            uid: uid(`${w.key}/pod/${pod.name}`),
            resourceVersion: String(w.cluster.resourceVersion),
            creationTimestamp: kubernetes_iso(pod.createdAt),
            labels: { ...pod.labels },
            ...(ownerReferences ? { ownerReferences } : {}),
        },
        spec: {
            ...(pod.node ? { nodeName: pod.node } : {}),
            restartPolicy: pod.job ? 'Never' : 'Always',
            containers: [
                {
                    name: container,
                    image,
                    ...(pod.deployment ? { ports: [{ containerPort: 8080, protocol: 'TCP' }] } : {}),
                },
            ],
        },
        status: {
            phase: pod.phase,
            conditions: [
                { type: 'PodScheduled', status: pod.node ? 'True' : 'False' },
                { type: 'Ready', status: pod.ready ? 'True' : 'False' },
                { type: 'ContainersReady', status: pod.ready ? 'True' : 'False' },
            ],
            ...(pod.node ? { podIP: podIp(`${w.key}/${pod.name}`), hostIP: podIp(`${w.key}/${pod.node}`) } : {}),
            startTime: kubernetes_iso(pod.createdAt),
            containerStatuses: [
                {
                    name: container,
                    image,
                    imageID: '',
                    ready: pod.ready,
                    restartCount: 0,
                    started: running,
                    state: running
                        ? { running: { startedAt: kubernetes_iso(pod.createdAt) } }
                        : pod.phase === 'Pending'
                            ? { waiting: { reason: 'ContainerCreating' } }
                            : {
                                terminated: {
                                    exitCode: pod.phase === 'Succeeded' ? 0 : 1,
                                    reason: pod.phase === 'Succeeded' ? 'Completed' : 'Error',
                                },
                            },
                },
            ],
        },
    };
}
function deploymentReplicas(w, d) {
    let existing = 0;
    let ready = 0;
    for (const p of w.cluster.pods.values()) {
        if (p.deployment !== d.name)
            continue;
        existing++;
        if (p.ready)
            ready++;
    }
    return { existing, ready };
}
function renderDeployment(w, d, createdAt) {
    const { existing, ready } = deploymentReplicas(w, d);
    const updated = Math.min(d.updatedReplicas, existing);
    const maxUnavailable = Math.floor(d.replicas * 0.25);
    const available = ready >= d.replicas - maxUnavailable;
    const complete = ready === d.replicas && existing === d.replicas && d.observedGeneration >= d.generation;
    const now = kubernetes_iso(Date.now());
    return {
        metadata: {
            name: d.name,
            namespace: w.cluster.namespace,
            uid: uid(`${w.key}/deployment/${d.name}`),
            resourceVersion: String(w.cluster.resourceVersion),
            generation: d.generation,
            creationTimestamp: createdAt,
            labels: { ...d.labels },
            annotations: { 'deployment.kubernetes.io/revision': '1', ...d.annotations },
        },
        spec: {
            replicas: d.replicas,
            selector: { matchLabels: { app: d.labels.app ?? d.name } },
            template: {
                metadata: { labels: { ...d.labels } },
                spec: {
                    containers: [
                        {
                            name: 'api',
                            image: 'registry.aegis.test/aegis-api:2026.11.1',
                            ports: [{ containerPort: 8080, protocol: 'TCP' }],
                        },
                    ],
                },
            },
            strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
            revisionHistoryLimit: 10,
            progressDeadlineSeconds: 600,
        },
        status: {
            observedGeneration: d.observedGeneration,
            replicas: existing,
            updatedReplicas: updated,
            readyReplicas: ready,
            availableReplicas: ready,
            ...(existing - ready > 0 ? { unavailableReplicas: existing - ready } : {}),
            conditions: [
                {
                    type: 'Available',
                    status: available ? 'True' : 'False',
                    reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
                    message: available
                        ? 'Deployment has minimum availability.'
                        : 'Deployment does not have minimum availability.',
                    lastUpdateTime: now,
                    lastTransitionTime: now,
                },
                {
                    type: 'Progressing',
                    status: 'True',
                    reason: complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
                    message: complete
                        ? `ReplicaSet "${d.name}-7d9f8c6b5" has successfully progressed.`
                        : `ReplicaSet "${d.name}-7d9f8c6b5" is progressing.`,
                    lastUpdateTime: now,
                    lastTransitionTime: now,
                },
            ],
        },
    };
}
function renderScale(w, d, createdAt) {
    const { existing } = deploymentReplicas(w, d);
    return {
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        metadata: {
            name: d.name,
            namespace: w.cluster.namespace,
            uid: uid(`${w.key}/deployment/${d.name}`),
            resourceVersion: String(w.cluster.resourceVersion),
            creationTimestamp: createdAt,
        },
        spec: { replicas: d.replicas },
        status: {
            replicas: existing,
            selector: Object.entries(d.labels)
                .map(([k, v]) => `${k}=${v}`)
                .join(','),
        },
    };
}
function renderConfigMap(w, name, data, createdAt) {
    return {
        metadata: {
            name,
            namespace: w.cluster.namespace,
            uid: uid(`${w.key}/configmap/${name}`),
            resourceVersion: String(w.cluster.resourceVersion),
            creationTimestamp: createdAt,
        },
        data: { ...data },
    };
}
const jobTimes = new WeakMap();
function renderJob(w, job) {
    const body = (job.spec ?? {});
    const times = jobTimes.get(job) ?? { startedAt: job.createdAt };
    const finished = job.status !== 'running';
    const at = kubernetes_iso(times.completedAt ?? Date.now());
    const conditions = !finished
        ? []
        : job.status === 'succeeded'
            ? [
                {
                    type: 'SuccessCriteriaMet',
                    status: 'True',
                    reason: 'CompletionsReached',
                    message: 'Reached expected number of succeeded pods',
                    lastProbeTime: at,
                    lastTransitionTime: at,
                },
                {
                    type: 'Complete',
                    status: 'True',
                    reason: 'CompletionsReached',
                    message: 'Reached expected number of succeeded pods',
                    lastProbeTime: at,
                    lastTransitionTime: at,
                },
            ]
            : [
                {
                    type: 'FailureTarget',
                    status: 'True',
                    reason: 'BackoffLimitExceeded',
                    message: 'Job has reached the specified backoff limit',
                    lastProbeTime: at,
                    lastTransitionTime: at,
                },
                {
                    type: 'Failed',
                    status: 'True',
                    reason: 'BackoffLimitExceeded',
                    message: 'Job has reached the specified backoff limit',
                    lastProbeTime: at,
                    lastTransitionTime: at,
                },
            ];
    const spec = { ...(body.spec ?? {}) };
    const template = (spec.template ?? {});
    spec.template = {
        ...template,
        metadata: {
            ...(template.metadata ?? {}),
            labels: {
                ...(template.metadata?.labels ?? {}),
                'job-name': job.name,
                'batch.kubernetes.io/job-name': job.name,
            },
        },
    };
    return {
        metadata: {
            name: job.name,
            namespace: w.cluster.namespace,
            uid: uid(`${w.key}/job/${job.name}`),
            resourceVersion: String(w.cluster.resourceVersion),
            generation: 1,
            creationTimestamp: kubernetes_iso(job.createdAt),
            labels: { ...job.labels },
            ...(body.metadata?.annotations ? { annotations: { ...body.metadata.annotations } } : {}),
        },
        spec: {
            backoffLimit: 6,
            completions: 1,
            parallelism: 1,
            ...spec,
            selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid(`${w.key}/job/${job.name}`) } },
        },
        status: {
            startTime: kubernetes_iso(times.startedAt),
            ...(job.status === 'running' ? { active: 1, ready: 1 } : {}),
            ...(job.status === 'succeeded' ? { succeeded: 1, completionTime: at } : {}),
            ...(job.status === 'failed' ? { failed: 1 } : {}),
            ...(conditions.length ? { conditions } : {}),
            terminating: 0,
            uncountedTerminatedPods: {},
        },
    };
}
function kubernetes_list(kind, apiVersion, rv, items) {
    return { kind, apiVersion, metadata: { resourceVersion: String(rv) }, items };
}
// ---------------------------------------------------------------------------------------------
// Server-side printing (kubectl get asks for meta.k8s.io/v1 Table)
/** A list, or kubectl's Table of it when the request asks for one. */
function listOrTable(req, world, kind, apiVersion, rv, items) {
    if (!wantsTable(req))
        return kubernetes_list(`${kind}List`, apiVersion, rv, items);
    return toTable(kind, items.map((o) => ({ kind, apiVersion, ...o })), rv, world);
}
/** One object, or kubectl's Table of it when the request asks for one. */
function oneOrTable(req, world, rv, obj) {
    return wantsTable(req) ? toTable(obj.kind, [obj], rv, world) : obj;
}
function wantsTable(req) {
    return /as=Table/.test(String(req.headers.accept ?? ''));
}
function age(fromIso, world) {
    const secs = Math.max(0, Math.floor((world.now() - Date.parse(fromIso ?? '')) / 1000)) || 0;
    if (secs < 120)
        return `${secs}s`;
    if (secs < 3600)
        return `${Math.floor(secs / 60)}m`;
    if (secs < 48 * 3600)
        return `${Math.floor(secs / 3600)}h`;
    return `${Math.floor(secs / 86400)}d`;
}
const COLUMNS = {
    Node: {
        names: ['Name', 'Status', 'Roles', 'Age', 'Version'],
        cells: (o, world) => [
            o.metadata.name,
            o.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Ready' : 'NotReady',
            '<none>',
            age(o.metadata.creationTimestamp, world),
            o.status.nodeInfo.kubeletVersion,
        ],
    },
    Pod: {
        names: ['Name', 'Ready', 'Status', 'Restarts', 'Age'],
        cells: (o, world) => [
            o.metadata.name,
            `${o.status.containerStatuses.filter((c) => c.ready).length}/${o.status.containerStatuses.length}`,
            o.status.phase === 'Succeeded'
                ? 'Completed'
                : o.status.phase === 'Failed'
                    ? 'Error'
                    : o.status.phase === 'Pending'
                        ? 'ContainerCreating'
                        : o.status.phase,
            0,
            age(o.metadata.creationTimestamp, world),
        ],
    },
    Deployment: {
        names: ['Name', 'Ready', 'Up-to-date', 'Available', 'Age'],
        cells: (o, world) => [
            o.metadata.name,
            `${o.status.readyReplicas ?? 0}/${o.spec.replicas}`,
            o.status.updatedReplicas ?? 0,
            o.status.availableReplicas ?? 0,
            age(o.metadata.creationTimestamp, world),
        ],
    },
    Job: {
        names: ['Name', 'Status', 'Completions', 'Age'],
        cells: (o, world) => [
            o.metadata.name,
            o.status.succeeded ? 'Complete' : o.status.failed ? 'Failed' : 'Running',
            `${o.status.succeeded ?? 0}/1`,
            age(o.metadata.creationTimestamp, world),
        ],
    },
    ConfigMap: {
        names: ['Name', 'Data', 'Age'],
        cells: (o, world) => [
            o.metadata.name,
            Object.keys(o.data ?? {}).length,
            age(o.metadata.creationTimestamp, world),
        ],
    },
};
function toTable(kind, items, rv, world) {
    const cols = COLUMNS[kind];
    if (!cols)
        return kubernetes_list(`${kind}List`, 'v1', rv, items);
    return {
        kind: 'Table',
        apiVersion: 'meta.k8s.io/v1',
        metadata: { resourceVersion: String(rv) },
        columnDefinitions: cols.names.map((name, i) => ({
            name,
            type: 'string',
            format: i === 0 ? 'name' : '',
            description: '',
            priority: 0,
        })),
        rows: items.map((o) => ({ cells: cols.cells(o, world), object: o })),
    };
}
/** Parse a Kubernetes label selector (=, ==, !=, in, notin, exists, !exists). */
function parseLabelSelector(selector) {
    const reqs = [];
    const terms = [];
    let depth = 0;
    let cur = '';
    for (const ch of selector) {
        if (ch === '(')
            depth++;
        if (ch === ')')
            depth--;
        if (ch === ',' && depth === 0) {
            terms.push(cur);
            cur = '';
        }
        else
            cur += ch;
    }
    terms.push(cur);
    for (const raw of terms) {
        const t = raw.trim();
        if (!t)
            continue;
        let m;
        if ((m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t))) {
            const key = m[1];
            const values = m[3].split(',').map((v) => v.trim());
            const neg = m[2] === 'notin';
            reqs.push((l) => (neg ? !(key in l) || !values.includes(l[key]) : key in l && values.includes(l[key])));
        }
        else if ((m = /^([^\s!=]+)\s*!=\s*(\S*)$/.exec(t))) {
            const [, key, value] = m;
            reqs.push((l) => l[key] !== value);
        }
        else if ((m = /^([^\s!=]+)\s*==?\s*(\S*)$/.exec(t))) {
            const [, key, value] = m;
            reqs.push((l) => l[key] === value);
        }
        else if ((m = /^!\s*([^\s!=]+)$/.exec(t))) {
            const key = m[1];
            reqs.push((l) => !(key in l));
        }
        else if ((m = /^([^\s!=(),]+)$/.exec(t))) {
            const key = m[1];
            reqs.push((l) => key in l);
        }
        else {
            throw new StatusError(400, 'BadRequest', `unable to parse requirement: labelSelector term ${JSON.stringify(t)} is not a valid label selector`);
        }
    }
    return reqs;
}
function selects(selector, labels) {
    if (!selector)
        return true;
    return parseLabelSelector(selector).every((r) => r(labels));
}
// ---------------------------------------------------------------------------------------------
// Patches
const isObj = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
/** RFC 7386 JSON merge patch. */
function mergePatch(target, patch) {
    if (!isObj(patch))
        return patch;
    const out = isObj(target) ? { ...target } : {};
    for (const [k, v] of Object.entries(patch)) {
        if (k === '$patch' || k.startsWith('$setElementOrder') || k.startsWith('$retainKeys'))
            continue;
        if (v === null)
            delete out[k];
        else
            out[k] = mergePatch(out[k], v);
    }
    return out;
}
function pointer(path) {
    if (path === '')
        return [];
    if (!path.startsWith('/'))
        throw new Error(`JSON pointer ${JSON.stringify(path)} must start with "/"`);
    return path
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
/** RFC 6902 JSON patch (add, remove, replace, move, copy, test). */
function jsonPatch(doc, ops) {
    if (!Array.isArray(ops))
        throw new Error('a JSON patch must be an array of operations');
    let root = structuredClone(doc);
    const parentOf = (segs) => {
        let cur = root;
        for (const s of segs.slice(0, -1)) {
            if (Array.isArray(cur))
                cur = cur[Number(s)];
            else if (isObj(cur))
                cur = cur[s];
            else
                cur = undefined;
            if (cur === undefined)
                throw new Error(`path /${segs.join('/')} does not exist (missing ${s})`);
        }
        return { parent: cur, key: segs[segs.length - 1] };
    };
    const get = (segs) => {
        let cur = root;
        for (const s of segs) {
            if (Array.isArray(cur))
                cur = cur[Number(s)];
            else if (isObj(cur))
                cur = cur[s];
            else
                return undefined;
        }
        return cur;
    };
    const remove = (segs) => {
        const { parent, key } = parentOf(segs);
        if (Array.isArray(parent))
            return parent.splice(Number(key), 1)[0];
        if (isObj(parent) && key in parent) {
            const v = parent[key];
            delete parent[key];
            return v;
        }
        throw new Error(`path /${segs.join('/')} does not exist`);
    };
    const add = (segs, value) => {
        if (segs.length === 0) {
            root = value;
            return;
        }
        const { parent, key } = parentOf(segs);
        if (Array.isArray(parent)) {
            if (key === '-')
                parent.push(value);
            else
                parent.splice(Number(key), 0, value);
        }
        else if (isObj(parent))
            parent[key] = value;
        else
            throw new Error(`path /${segs.join('/')} has no parent object`);
    };
    for (const op of ops) {
        const segs = pointer(String(op.path ?? ''));
        switch (op.op) {
            case 'add':
                add(segs, structuredClone(op.value));
                break;
            case 'remove':
                remove(segs);
                break;
            case 'replace':
                if (get(segs) === undefined)
                    throw new Error(`replace: path ${op.path} does not exist`);
                if (segs.length === 0)
                    root = structuredClone(op.value);
                else {
                    const { parent, key } = parentOf(segs);
                    if (Array.isArray(parent))
                        parent[Number(key)] = structuredClone(op.value);
                    else
                        parent[key] = structuredClone(op.value);
                }
                break;
            case 'move':
                add(segs, remove(pointer(String(op.from ?? ''))));
                break;
            case 'copy':
                add(segs, structuredClone(get(pointer(String(op.from ?? '')))));
                break;
            case 'test':
                if (JSON.stringify(get(segs)) !== JSON.stringify(op.value))
                    throw new Error(`test failed at ${op.path}`);
                break;
            default:
                throw new Error(`unknown JSON patch operation ${JSON.stringify(op.op)}`);
        }
    }
    return root;
}
function applyPatch(req, kind, name, doc) {
    const ct = String(req.headers['content-type'] ?? '')
        .split(';')[0]
        .trim()
        .toLowerCase();
    let body;
    try {
        body = req.json();
    }
    catch (err) {
        throw new StatusError(400, 'BadRequest', `the body of the ${kind} "${name}" patch is not valid JSON: ${err.message}`);
    }
    let out;
    try {
        if (ct === 'application/merge-patch+json' || ct === 'application/strategic-merge-patch+json')
            out = mergePatch(doc, body);
        else if (ct === 'application/json-patch+json')
            out = jsonPatch(doc, body);
        else {
            throw new StatusError(415, 'UnsupportedMediaType', `the patch Content-Type ${JSON.stringify(ct)} is not supported: use application/merge-patch+json, application/strategic-merge-patch+json or application/json-patch+json`);
        }
    }
    catch (err) {
        if (err instanceof StatusError)
            throw err;
        throw invalid(kind, name, err.message);
    }
    if (!isObj(out))
        throw invalid(kind, name, 'the patched object is not a JSON object');
    return out;
}
function readReplicas(kind, name, spec) {
    const replicas = isObj(spec) ? spec.replicas : undefined;
    if (replicas === undefined)
        return NaN;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw invalid(kind, name, `spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be a whole number greater than or equal to 0`);
    }
    return replicas;
}
function readStringMap(kind, name, field, v) {
    if (v === undefined)
        return {};
    if (!isObj(v))
        throw invalid(kind, name, `${field}: Invalid value: expected a map of strings`);
    for (const [k, x] of Object.entries(v)) {
        if (typeof x !== 'string')
            throw invalid(kind, name, `${field}[${k}]: Invalid value: ${JSON.stringify(x)}: must be a string`);
    }
    return { ...v };
}
// ---------------------------------------------------------------------------------------------
// The service
const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Start the drain clock of a site when a deployment carries the drain annotation; stop it when none does. */
function syncDrain(world, site) {
    const draining = [...site.cluster.deployments.values()].some((d) => d.annotations[DRAIN_ANNOTATION] === 'true');
    if (draining && site.drainStartedAt === undefined) {
        site.drainStartedAt = world.now();
        site.connectionsAtDrain = site.connections;
    }
    else if (!draining && site.drainStartedAt !== undefined) {
        site.drainStartedAt = undefined;
        site.connectionsAtDrain = undefined;
    }
}
function finishJob(world, w, job) {
    if (job.status !== 'running' || w.cluster.jobs.get(job.name) !== job)
        return;
    let result;
    const handler = jobHandlers.find((h) => {
        try {
            return h.match(job);
        }
        catch {
            return false;
        }
    });
    try {
        result = handler
            ? handler.run(job, { world, stack: w.stack, site: w.site, siteWorld: w.siteWorld })
            : { succeeded: true, logs: 'ok' };
    }
    catch (err) {
        result = { succeeded: false, logs: `job ${job.name} failed: ${err.message}` };
    }
    job.status = result.succeeded ? 'succeeded' : 'failed';
    job.logs = result.logs;
    const extra = jobTimes.get(job);
    if (extra)
        extra.completedAt = world.now();
    const pod = w.cluster.pods.get(job.pod);
    if (pod) {
        pod.phase = result.succeeded ? 'Succeeded' : 'Failed';
        pod.ready = false;
    }
    w.cluster.resourceVersion++;
}
function watchList(req, res, world, w, items, kind, apiVersion) {
    const table = wantsTable(req);
    const timeoutSeconds = Number(req.url.searchParams.get('timeoutSeconds') ?? '') || 300;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    const known = new Map();
    const fingerprint = (o) => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } }, (k, v) => k === 'lastHeartbeatTime' ||
        k === 'lastUpdateTime' ||
        k === 'lastTransitionTime' ||
        k === 'lastProbeTime'
        ? undefined
        : v);
    let closed = false;
    const emit = (type, object) => {
        if (closed)
            return;
        const full = { kind, apiVersion, ...object };
        res.write(JSON.stringify({
            type,
            object: table ? toTable(kind, [full], w.cluster.resourceVersion, world) : full,
        }) + '\n');
    };
    const diff = () => {
        if (closed)
            return;
        if (!w.siteWorld.up) {
            cleanup();
            req.raw.socket.destroy();
            return;
        }
        const seen = new Set();
        for (const item of items()) {
            const name = item.metadata.name;
            seen.add(name);
            const key = fingerprint(item);
            const prev = known.get(name);
            if (!prev)
                emit('ADDED', item);
            else if (prev.key !== key)
                emit('MODIFIED', item);
            known.set(name, { key, obj: item });
        }
        for (const [name, prev] of known) {
            if (!seen.has(name)) {
                emit('DELETED', prev.obj);
                known.delete(name);
            }
        }
    };
    // a watch that resumes from a list's resourceVersion only gets what changes after it
    const since = req.url.searchParams.get('resourceVersion');
    if (since && since !== '0') {
        for (const item of items())
            known.set(item.metadata.name, { key: fingerprint(item), obj: item });
    }
    const off = world.onChange(diff);
    const timer = setTimeout(() => {
        cleanup();
        res.end();
    }, timeoutSeconds * 1000);
    timer.unref();
    function cleanup() {
        closed = true;
        off();
        clearTimeout(timer);
    }
    res.on('close', cleanup);
    diff();
}
/** The emulated Kubernetes API of every cluster of the world, on one port (service key 'kubernetes'). */
function kubernetesService() {
    const createdAt = kubernetes_iso(Date.now());
    return {
        name: 'kubernetes',
        operation: (req) => kubernetes_route(req).op,
        renderThrottle(_req, res, hit) {
            const secs = hit.spec.retryAfterSeconds ?? 1;
            sendStatus(res, new StatusError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: secs }, { 'retry-after': String(secs) }));
        },
        renderError(_req, res, hit) {
            const code = hit.spec.status ?? 503;
            const reason = code === 503 ? 'ServiceUnavailable' : code === 504 ? 'Timeout' : 'InternalError';
            const message = code === 503
                ? 'the server is currently unable to handle the request'
                : code === 504
                    ? 'the server was unable to return a response in the time allotted, but may still be processing the request'
                    : 'an error on the server ("sandbox fault") has prevented the request from succeeding';
            sendStatus(res, new StatusError(code, reason, message, { retryAfterSeconds: 1 }, code === 503 ? { 'retry-after': '1' } : {}));
        },
        handle(req, res, ctx) {
            try {
                kubernetes_handle(req, res, ctx, createdAt);
            }
            catch (err) {
                if (err instanceof StatusError)
                    sendStatus(res, err);
                else
                    sendStatus(res, new StatusError(500, 'InternalError', `an error on the server ("${err.message}") has prevented the request from succeeding`));
            }
        },
    };
}
function kubernetes_handle(req, res, ctx, createdAt) {
    const { world } = ctx;
    const r = kubernetes_route(req);
    if (!r.stack || !r.site) {
        throw new StatusError(404, 'NotFound', `the path ${req.path} is not served here: cluster URLs look like /clusters/<stack>-<primary|dr>/api/v1/...`);
    }
    const stack = world.stacks.get(r.stack);
    if (!stack) {
        const known = [...world.stacks.keys()].flatMap((s) => sandbox_world/* SITES */.bo.map((x) => `${s}-${x}`)).join(', ');
        throw new StatusError(404, 'NotFound', `the sandbox has no cluster ${r.stack}-${r.site}: expected one of ${known}`);
    }
    const siteWorld = stack.sites[r.site];
    if (!siteWorld.up) {
        // the region is down: its API server does not answer
        req.raw.socket.destroy();
        return;
    }
    // Any caller is admitted: the sandbox kubeconfig carries a bearer token, but kubectl (client-go)
    // does not send credentials over plain http, and the sandbox only listens on loopback.
    const cluster = siteWorld.cluster;
    const w = { key: `${stack.name}-${r.site}`, stack, site: r.site, siteWorld, cluster };
    const method = req.method.toUpperCase();
    const q = req.url.searchParams;
    const watching = r.op.startsWith('watch');
    const nsOk = (ns) => ns === undefined || ns === cluster.namespace;
    const ok = (body) => send(res, 200, body, 'application/json');
    const mutation = (op, target) => world.monitor.mutation('kubernetes', op, `${w.key}/${target}`);
    if (r.op === 'getCode') {
        ok({ major: '1', minor: '33', gitVersion: 'v1.33.0-aegis-sandbox', platform: 'linux/amd64' });
        return;
    }
    if (r.op === 'discovery') {
        const doc = discovery(r.parts.join('/'));
        if (!doc)
            throw new StatusError(404, 'NotFound', `the server could not find the requested resource (GET /${r.parts.join('/')})`);
        ok(doc);
        return;
    }
    switch (r.kind) {
        case 'nodes': {
            const nodes = () => cluster.nodes.map((n, i) => renderNode(w, n, i));
            if (method !== 'GET')
                break;
            if (r.name) {
                const i = cluster.nodes.findIndex((n) => n.name === r.name);
                if (i < 0)
                    throw kubernetes_notFound('', 'nodes', r.name);
                ok(oneOrTable(req, world, cluster.resourceVersion, {
                    kind: 'Node',
                    apiVersion: 'v1',
                    ...renderNode(w, cluster.nodes[i], i),
                }));
                return;
            }
            const sel = q.get('labelSelector');
            const filtered = () => nodes().filter((n) => selects(sel, n.metadata.labels));
            if (watching)
                return watchList(req, res, world, w, filtered, 'Node', 'v1');
            ok(listOrTable(req, world, 'Node', 'v1', cluster.resourceVersion, filtered()));
            return;
        }
        case 'pods': {
            if (method !== 'GET')
                break;
            if (!r.name) {
                const sel = q.get('labelSelector');
                const pods = () => nsOk(r.namespace)
                    ? [...cluster.pods.values()].filter((p) => selects(sel, p.labels)).map((p) => renderPod(w, p))
                    : [];
                if (watching)
                    return watchList(req, res, world, w, pods, 'Pod', 'v1');
                ok(listOrTable(req, world, 'Pod', 'v1', cluster.resourceVersion, pods()));
                return;
            }
            if (r.sub === 'proxy')
                return podProxy(req, res, world, w, r);
            const pod = nsOk(r.namespace) ? cluster.pods.get(r.name) : undefined;
            if (!pod)
                throw kubernetes_notFound('', 'pods', r.name);
            if (r.sub === 'log') {
                if (pod.phase === 'Pending') {
                    const container = pod.job ? (firstContainer(cluster.jobs.get(pod.job))?.name ?? pod.job) : 'api';
                    throw new StatusError(400, 'BadRequest', `container "${container}" in pod "${pod.name}" is waiting to start: ContainerCreating`);
                }
                const job = pod.job ? cluster.jobs.get(pod.job) : undefined;
                const text = pod.job ? (job?.logs ?? '') : `aegis-api listening on :8080 (${w.key})\n`;
                send(res, 200, text, 'text/plain');
                return;
            }
            ok(oneOrTable(req, world, cluster.resourceVersion, {
                kind: 'Pod',
                apiVersion: 'v1',
                ...renderPod(w, pod),
            }));
            return;
        }
        case 'configmaps': {
            if (method !== 'GET')
                break;
            if (!r.name) {
                const sel = q.get('labelSelector');
                const items = () => nsOk(r.namespace) && !sel
                    ? [...cluster.configMaps.entries()].map(([n, d]) => renderConfigMap(w, n, d, createdAt))
                    : [];
                if (watching)
                    return watchList(req, res, world, w, items, 'ConfigMap', 'v1');
                ok(listOrTable(req, world, 'ConfigMap', 'v1', cluster.resourceVersion, items()));
                return;
            }
            const data = nsOk(r.namespace) ? cluster.configMaps.get(r.name) : undefined;
            if (!data)
                throw kubernetes_notFound('', 'configmaps', r.name);
            ok(oneOrTable(req, world, cluster.resourceVersion, {
                kind: 'ConfigMap',
                apiVersion: 'v1',
                ...renderConfigMap(w, r.name, data, createdAt),
            }));
            return;
        }
        case 'namespaces': {
            if (method !== 'GET')
                break;
            if (r.name !== cluster.namespace)
                throw kubernetes_notFound('', 'namespaces', r.name ?? '');
            ok({
                kind: 'Namespace',
                apiVersion: 'v1',
                metadata: {
                    name: r.name,
                    uid: uid(`${w.key}/ns/${r.name}`),
                    resourceVersion: String(cluster.resourceVersion),
                    creationTimestamp: createdAt,
                },
                spec: { finalizers: ['kubernetes'] },
                status: { phase: 'Active' },
            });
            return;
        }
        case 'deployments':
            return deployments(req, res, world, w, r, createdAt, mutation);
        case 'jobs':
            return jobs(req, res, world, w, r, mutation);
        default:
            throw new StatusError(404, 'NotFound', `the server could not find the requested resource (${method} ${r.parts.join('/')})`);
    }
    throw new StatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method} ${r.parts.join('/')})`);
}
function podProxy(req, res, world, w, r) {
    // name may be "pod", "pod:port" or "scheme:pod:port"
    const bits = (r.name ?? '').split(':');
    const podName = bits.length === 3 ? bits[1] : bits[0];
    const pod = r.namespace === w.cluster.namespace ? w.cluster.pods.get(podName) : undefined;
    if (!pod)
        throw kubernetes_notFound('', 'pods', podName);
    if (req.method.toUpperCase() !== 'GET') {
        throw new StatusError(405, 'MethodNotAllowed', `the sandbox pod proxy only serves GET (got ${req.method} ${r.rest})`);
    }
    if (!pod.ready || !pod.deployment) {
        throw new StatusError(503, 'ServiceUnavailable', `error trying to reach service: pod "${pod.name}" is not running and ready`);
    }
    if (r.rest === '/debug/connections') {
        const peers = [...w.cluster.pods.values()]
            .filter((p) => p.deployment === pod.deployment && p.ready)
            .map((p) => p.name)
            .sort();
        const total = activeConnections(world, w.siteWorld);
        send(res, 200, { active: connectionShare(total, peers.length, peers.indexOf(pod.name)) }, 'application/json');
        return;
    }
    send(res, 404, '404 page not found\n', 'text/plain; charset=utf-8');
}
function deployments(req, res, world, w, r, createdAt, mutation) {
    const { cluster } = w;
    const method = req.method.toUpperCase();
    const ok = (body) => send(res, 200, body, 'application/json');
    const nsOk = r.namespace === undefined || r.namespace === cluster.namespace;
    if (!r.name) {
        if (method !== 'GET')
            throw new StatusError(405, 'MethodNotAllowed', `the sandbox does not allow ${method} on deployments`);
        const sel = req.url.searchParams.get('labelSelector');
        const items = () => nsOk
            ? [...cluster.deployments.values()]
                .filter((d) => selects(sel, d.labels))
                .map((d) => renderDeployment(w, d, createdAt))
            : [];
        if (r.op.startsWith('watch'))
            return watchList(req, res, world, w, items, 'Deployment', 'apps/v1');
        ok(listOrTable(req, world, 'Deployment', 'apps/v1', cluster.resourceVersion, items()));
        return;
    }
    const d = nsOk ? cluster.deployments.get(r.name) : undefined;
    if (!d)
        throw kubernetes_notFound('apps', 'deployments', r.name);
    const setReplicas = (n) => {
        if (Number.isNaN(n) || n === d.replicas)
            return;
        d.replicas = n;
        d.generation++;
    };
    if (r.sub === 'scale') {
        if (method === 'GET')
            return ok(renderScale(w, d, createdAt));
        let next;
        if (method === 'PATCH')
            next = applyPatch(req, 'Scale', d.name, renderScale(w, d, createdAt));
        else if (method === 'PUT') {
            try {
                next = req.json();
            }
            catch {
                throw new StatusError(400, 'BadRequest', `the body of the Scale "${d.name}" update is not valid JSON`);
            }
        }
        else
            throw new StatusError(405, 'MethodNotAllowed', `the scale subresource does not allow ${method}`);
        const n = readReplicas('Scale', d.name, next.spec);
        if (Number.isNaN(n))
            throw invalid('Scale', d.name, 'spec.replicas: Required value');
        setReplicas(n);
        cluster.resourceVersion++;
        mutation(r.op, `deployments/${d.name}/scale`);
        return ok(renderScale(w, d, createdAt));
    }
    if (r.sub === 'status')
        return ok({ kind: 'Deployment', apiVersion: 'apps/v1', ...renderDeployment(w, d, createdAt) });
    if (method === 'GET')
        return ok(oneOrTable(req, world, cluster.resourceVersion, {
            kind: 'Deployment',
            apiVersion: 'apps/v1',
            ...renderDeployment(w, d, createdAt),
        }));
    if (method === 'PATCH') {
        const before = { kind: 'Deployment', apiVersion: 'apps/v1', ...renderDeployment(w, d, createdAt) };
        const next = applyPatch(req, 'Deployment', d.name, before);
        const meta = isObj(next.metadata) ? next.metadata : {};
        if (meta.name !== undefined && meta.name !== d.name) {
            throw new StatusError(400, 'BadRequest', `the name of the object (${String(meta.name)}) does not match the name on the URL (${d.name})`);
        }
        const annotations = readStringMap('Deployment', d.name, 'metadata.annotations', meta.annotations);
        const labels = readStringMap('Deployment', d.name, 'metadata.labels', meta.labels);
        const n = readReplicas('Deployment', d.name, next.spec);
        delete annotations['deployment.kubernetes.io/revision'];
        d.annotations = annotations;
        if (isObj(meta.labels))
            d.labels = labels;
        setReplicas(Number.isNaN(n) ? d.replicas : n);
        syncDrain(world, w.siteWorld);
        cluster.resourceVersion++;
        mutation(r.op, `deployments/${d.name}`);
        return ok({ kind: 'Deployment', apiVersion: 'apps/v1', ...renderDeployment(w, d, createdAt) });
    }
    throw new StatusError(405, 'MethodNotAllowed', `the sandbox does not allow ${method} on deployment "${d.name}"; use PATCH`);
}
function jobs(req, res, world, w, r, mutation) {
    const { cluster } = w;
    const method = req.method.toUpperCase();
    const ok = (body, code = 200) => send(res, code, body, 'application/json');
    const nsOk = r.namespace === undefined || r.namespace === cluster.namespace;
    if (!r.name) {
        if (method === 'GET') {
            const sel = req.url.searchParams.get('labelSelector');
            const items = () => nsOk
                ? [...cluster.jobs.values()].filter((j) => selects(sel, j.labels)).map((j) => renderJob(w, j))
                : [];
            if (r.op.startsWith('watch'))
                return watchList(req, res, world, w, items, 'Job', 'batch/v1');
            return ok(listOrTable(req, world, 'Job', 'batch/v1', cluster.resourceVersion, items()));
        }
        if (method !== 'POST')
            throw new StatusError(405, 'MethodNotAllowed', `the sandbox does not allow ${method} on jobs`);
        const ct = String(req.headers['content-type'] ?? 'application/json')
            .split(';')[0]
            .trim();
        if (ct !== 'application/json') {
            throw new StatusError(415, 'UnsupportedMediaType', `the sandbox accepts Job bodies as application/json only, not ${ct}`);
        }
        let body;
        try {
            body = req.json();
        }
        catch {
            throw new StatusError(400, 'BadRequest', 'the Job body is not valid JSON');
        }
        const meta = (isObj(body.metadata) ? body.metadata : {});
        const name = typeof meta.name === 'string' ? meta.name : '';
        if (!name)
            throw invalid('Job', '', 'metadata.name: Required value: name is required');
        if (name.length > 63 || !NAME_RE.test(name)) {
            throw invalid('Job', name, `metadata.name: Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain of at most 63 characters is expected`);
        }
        if (!nsOk || (meta.namespace !== undefined && meta.namespace !== r.namespace)) {
            throw new StatusError(404, 'NotFound', `namespaces "${String(meta.namespace ?? r.namespace)}" not found`);
        }
        const spec = isObj(body.spec) ? body.spec : {};
        const containers = spec.template?.spec?.containers;
        if (!Array.isArray(containers) || containers.length === 0) {
            throw invalid('Job', name, 'spec.template.spec.containers: Required value: at least one container is expected');
        }
        if (cluster.jobs.has(name)) {
            throw new StatusError(409, 'AlreadyExists', `jobs.batch "${name}" already exists`, {
                name,
                group: 'batch',
                kind: 'jobs',
            });
        }
        const labels = readStringMap('Job', name, 'metadata.labels', meta.labels);
        const now = world.now();
        const podName = `${name}-${Math.floor(world.random() * 0xffffff)
            .toString(36)
            .padStart(5, '0')
            .slice(0, 5)}`;
        const ready = cluster.nodes.filter((n) => n.ready);
        const job = {
            name,
            spec: body,
            labels,
            status: 'running',
            logs: '',
            createdAt: now,
            pod: podName,
        };
        jobTimes.set(job, { startedAt: now });
        cluster.jobs.set(name, job);
        const templateLabels = (spec.template.metadata
            ?.labels ?? {});
        cluster.pods.set(podName, {
            name: podName,
            job: name,
            node: ready.length ? ready[Math.floor(world.random() * ready.length)].name : undefined,
            phase: 'Running',
            ready: true,
            labels: {
                ...templateLabels,
                'job-name': name,
                'batch.kubernetes.io/job-name': name,
                'controller-uid': uid(`${w.key}/job/${name}`),
            },
            createdAt: now,
        });
        cluster.resourceVersion++;
        world.schedule(world.duration(sandbox_world/* DURATIONS */.eh.job), () => finishJob(world, w, job));
        mutation(r.op, `jobs/${name}`);
        return ok({ kind: 'Job', apiVersion: 'batch/v1', ...renderJob(w, job) }, 201);
    }
    const job = nsOk ? cluster.jobs.get(r.name) : undefined;
    if (!job)
        throw kubernetes_notFound('batch', 'jobs', r.name);
    if (method === 'GET')
        return ok(oneOrTable(req, world, cluster.resourceVersion, {
            kind: 'Job',
            apiVersion: 'batch/v1',
            ...renderJob(w, job),
        }));
    if (method === 'DELETE') {
        let policy = req.url.searchParams.get('propagationPolicy') ?? undefined;
        if (req.body.length) {
            try {
                const opts = req.json();
                policy = opts.propagationPolicy ?? policy;
            }
            catch {
                throw new StatusError(400, 'BadRequest', 'the DeleteOptions body is not valid JSON');
            }
        }
        if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
            throw new StatusError(400, 'BadRequest', `propagationPolicy ${JSON.stringify(policy)} is not valid: expected Orphan, Background or Foreground`);
        }
        const rendered = renderJob(w, job);
        cluster.jobs.delete(job.name);
        // batch/v1 jobs orphan their pods unless told otherwise (kubectl sends Background)
        if (policy === 'Background' || policy === 'Foreground')
            cluster.pods.delete(job.pod);
        cluster.resourceVersion++;
        mutation(r.op, `jobs/${job.name}`);
        if (policy === 'Foreground')
            return ok({ kind: 'Job', apiVersion: 'batch/v1', ...rendered });
        return ok({
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Success',
            details: { name: job.name, group: 'batch', kind: 'jobs', uid: rendered.metadata.uid },
        });
    }
    throw new StatusError(405, 'MethodNotAllowed', `the sandbox does not allow ${method} on job "${job.name}"`);
}

;// CONCATENATED MODULE: ./src/sandbox/jobs.ts
/**
 * What the sandbox's Kubernetes Jobs do: the data integrity check (`./aegis db check-integrity`)
 * and the data sync from DR (`./aegis dr sync-from-dr --dry-run | --execute`), read from and
 * applied to the world like the real tools would.
 */

function registerSandboxJobs(world) {
    // A database failover moves the writer to a healthy copy: corruption is left behind.
    const seen = new Map();
    const stopWatch = world.onChange(() => {
        for (const s of world.stacks.values()) {
            const before = seen.get(s.name) ?? s.database.failovers;
            if (s.database.failovers > before)
                s.database.corrupted = false;
            seen.set(s.name, s.database.failovers);
        }
    });
    const integrity = registerJobHandler((job) => jobCommand(job).includes('check-integrity'), (_job, { stack }) => stack.database.corrupted
        ? { succeeded: false, logs: 'checked 1204 tables\nFAIL: 3 tables with checksum mismatches (corrupted pages)\n' }
        : { succeeded: true, logs: 'checked 1204 tables\nOK: integrity verified, 0 mismatches\n' });
    const sync = registerJobHandler((job) => jobCommand(job).includes('sync-from-dr'), (job, { stack }) => {
        const execute = jobCommand(job).includes('--execute');
        const rows = stack.sites.dr.writesWhileServing;
        const conflicts = world.monitor.splitBrain.filter((r) => r.stack === stack.name).length;
        if (!execute) {
            return { succeeded: true, logs: `dry-run: ${rows} row(s) written on DR to copy back\nconflicts: ${conflicts}\n` };
        }
        if (conflicts > 0) {
            return { succeeded: false, logs: `refusing to execute: conflicts: ${conflicts} (both sites accepted writes)\n` };
        }
        const db = stack.database;
        if (db.kind !== 'azure-sql' && db.writer === 'dr') {
            // Copy DR's writes back and re-establish the primary as writer with DR replicating from it.
            db.writer = 'primary';
            db.writable = { primary: true, dr: false };
            db.replicating = true;
            db.replicationHealthy = true;
            db.lagSeconds = 1.5;
            world.monitor.mutation('kubernetes', 'sync-from-dr --execute', `${stack.name}:database`);
        }
        stack.sites.dr.writesWhileServing = 0;
        return { succeeded: true, logs: `copied ${rows} row(s) from DR to primary\nconflicts: 0\n` };
    });
    return () => {
        stopWatch();
        integrity();
        sync();
    };
}

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(31421);
;// CONCATENATED MODULE: ./src/sandbox/prometheus.ts
/**
 * Run a real Prometheus server (the Debian / upstream binary) as a plain child process on
 * 127.0.0.1, scraping the sandbox app's /metrics every second. Tests and the sandbox use it when
 * the binary is installed; otherwise the built-in evaluator (promql.ts) stands in.
 */




/** Path of the prometheus binary: on PATH, or /usr/bin/prometheus; undefined when not installed. */
function findPrometheus() {
    const dirs = (process.env.PATH ?? '').split((external_node_path_default()).delimiter).filter(Boolean);
    for (const d of [...dirs, '/usr/bin', '/usr/local/bin']) {
        const p = external_node_path_default().join(d, 'prometheus');
        try {
            (0,external_node_fs_.accessSync)(p, external_node_fs_.constants.X_OK);
            return p;
        }
        catch {
            // not here
        }
    }
    return undefined;
}
async function freePort() {
    return new Promise((resolve, reject) => {
        const srv = external_node_net_default().createServer();
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const port = srv.address().port;
            srv.close(() => resolve(port));
        });
    });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The config file text: scrape and evaluate every second. */
function prometheusConfig(targets) {
    return [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: aegis',
        '    metrics_path: /metrics',
        '    static_configs:',
        `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
        '',
    ].join('\n');
}
/**
 * Start Prometheus on 127.0.0.1, wait until `/-/ready` answers and every target has been scraped
 * once (`up == 1`), and return its URL. `stop()` ends the process (SIGTERM, then SIGKILL).
 */
async function startPrometheus(opts) {
    const binary = opts.binary ?? findPrometheus();
    if (!binary) {
        throw new Error('prometheus is not installed: install it (apt-get install prometheus) or use the sandbox built-in evaluator.');
    }
    (0,external_node_fs_.mkdirSync)(opts.dataDir, { recursive: true });
    const configFile = external_node_path_default().join(opts.dataDir, 'prometheus.yml');
    (0,external_node_fs_.writeFileSync)(configFile, prometheusConfig(opts.targets));
    const port = opts.port ?? (await freePort());
    const url = `http://127.0.0.1:${port}`;
    const child = (0,external_node_child_process_.spawn)(binary, [
        `--config.file=${configFile}`,
        `--web.listen-address=127.0.0.1:${port}`,
        `--storage.tsdb.path=${external_node_path_default().join(opts.dataDir, 'tsdb')}`,
        '--storage.tsdb.retention.time=1d',
        '--log.level=warn',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (c) => {
        stderr = (stderr + c.toString('utf8')).slice(-4000);
    });
    let exited;
    const exitPromise = new Promise((resolve) => {
        child.on('exit', (code) => {
            exited = code;
            resolve();
        });
    });
    const stop = async () => {
        if (exited !== undefined)
            return;
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10000);
        await exitPromise;
        clearTimeout(killer);
    };
    const deadline = Date.now() + (opts.startTimeoutMs ?? 60000);
    try {
        // 1. ready
        for (;;) {
            if (exited !== undefined)
                throw new Error(`prometheus exited with code ${exited} at start: ${stderr.trim()}`);
            if (Date.now() > deadline)
                throw new Error(`prometheus did not become ready on ${url}: ${stderr.trim()}`);
            try {
                const r = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) });
                if (r.ok)
                    break;
            }
            catch {
                // not listening yet
            }
            await sleep(100);
        }
        // 2. every target scraped once
        for (;;) {
            if (exited !== undefined)
                throw new Error(`prometheus exited with code ${exited}: ${stderr.trim()}`);
            if (Date.now() > deadline)
                throw new Error(`prometheus on ${url} did not scrape ${opts.targets.join(', ')} in time: ${stderr.trim()}`);
            try {
                const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent('up == 1')}`, { signal: AbortSignal.timeout(2000) });
                const body = (await r.json());
                if ((body.data?.result?.length ?? 0) >= opts.targets.length)
                    break;
            }
            catch {
                // retry
            }
            await sleep(200);
        }
    }
    catch (err) {
        await stop();
        throw err;
    }
    return { url, port, process: child, stop };
}

;// CONCATENATED MODULE: ./src/sandbox/promql.ts


/** A query the built-in evaluator cannot handle. */
class UnsupportedQueryError extends Error {
    constructor(query, detail) {
        super(`the sandbox's built-in PromQL evaluator does not support ${JSON.stringify(query)} (${detail}); install Prometheus (apt-get install prometheus) and point prometheus.url at it for arbitrary queries`);
        this.name = 'UnsupportedQueryError';
    }
}
const RANGE_FUNCS = new Set(['rate', 'increase', 'min_over_time', 'max_over_time', 'avg_over_time']);
const AGGS = new Set(['sum', 'avg', 'min', 'max', 'count']);
const COMPARISONS = new Set(['==', '!=', '>', '<', '>=', '<=']);
function tokenize(q, fail) {
    const out = [];
    let i = 0;
    while (i < q.length) {
        const c = q[i];
        if (/\s/.test(c)) {
            i++;
            continue;
        }
        if (c === '[') {
            const end = q.indexOf(']', i);
            if (end < 0)
                fail('unclosed [');
            out.push({ t: 'dur', v: q.slice(i + 1, end).trim() });
            i = end + 1;
            continue;
        }
        if (c === '"' || c === "'") {
            let j = i + 1;
            let s = '';
            while (j < q.length && q[j] !== c) {
                if (q[j] === '\\' && j + 1 < q.length) {
                    const n = q[j + 1];
                    s += n === 'n' ? '\n' : n;
                    j += 2;
                }
                else
                    s += q[j++];
            }
            if (j >= q.length)
                fail('unclosed string');
            out.push({ t: 'str', v: s });
            i = j + 1;
            continue;
        }
        const num = /^(\d+(\.\d*)?([eE][+-]?\d+)?|\.\d+|Inf|NaN)/.exec(q.slice(i));
        if (num && !/[a-zA-Z_:]/.test(q[i + num[0].length] ?? '')) {
            out.push({ t: 'num', v: num[0] });
            i += num[0].length;
            continue;
        }
        const id = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(q.slice(i));
        if (id) {
            out.push({ t: 'id', v: id[0] });
            i += id[0].length;
            continue;
        }
        const op = /^(==|!=|=~|!~|>=|<=|[-+*/(){},=<>])/.exec(q.slice(i));
        if (op) {
            out.push({ t: 'op', v: op[0] });
            i += op[0].length;
            continue;
        }
        fail(`unexpected character ${JSON.stringify(c)}`);
    }
    return out;
}
/** Parse a Prometheus duration (5m, 2h, 1h30m, 90s, 500ms) into ms. */
function parseDuration(s) {
    const units = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000, w: 604800000, y: 31536000000 };
    const re = /(\d+)(ms|s|m|h|d|w|y)/gy;
    let total = 0;
    let pos = 0;
    let m;
    while ((m = re.exec(s))) {
        total += Number(m[1]) * units[m[2]];
        pos = re.lastIndex;
    }
    return pos === s.length && pos > 0 ? total : undefined;
}
/** Parse the supported subset of PromQL, or throw UnsupportedQueryError. */
function parsePromQL(query) {
    const fail = (detail) => {
        throw new UnsupportedQueryError(query, detail);
    };
    const toks = tokenize(query, fail);
    let p = 0;
    const peek = () => toks[p];
    const isOp = (v) => peek()?.t === 'op' && peek().v === v;
    const expect = (v) => {
        if (!isOp(v))
            fail(`expected ${v} at token ${p + 1}${peek() ? ` (found ${peek().v})` : ' (end of query)'}`);
        p++;
    };
    const labelList = () => {
        expect('(');
        const labels = [];
        while (!isOp(')')) {
            const t = toks[p++];
            if (!t || t.t !== 'id')
                fail('expected a label name in by (...)');
            labels.push(t.v);
            if (isOp(','))
                p++;
        }
        expect(')');
        return labels;
    };
    const selector = (name) => {
        const matchers = [];
        if (isOp('{')) {
            p++;
            while (!isOp('}')) {
                const l = toks[p++];
                const o = toks[p++];
                const v = toks[p++];
                if (!l || l.t !== 'id' || !o || o.t !== 'op' || !['=', '!=', '=~', '!~'].includes(o.v) || !v || v.t !== 'str') {
                    fail('expected label matchers such as {site="primary"}');
                }
                matchers.push({ label: l.v, op: o.v, value: v.v });
                if (isOp(','))
                    p++;
            }
            expect('}');
        }
        let rangeMs;
        if (peek()?.t === 'dur') {
            const d = toks[p++].v;
            rangeMs = parseDuration(d);
            if (rangeMs === undefined)
                fail(`unsupported range [${d}]`);
        }
        if (peek()?.t === 'id' && ['offset', '@'].includes(peek().v))
            fail('offset is not supported');
        return { kind: 'sel', name, matchers, rangeMs };
    };
    const primary = () => {
        const t = toks[p++];
        if (!t)
            fail('unexpected end of query');
        if (t.t === 'num')
            return { kind: 'num', value: Number(t.v) };
        if (t.t === 'op' && t.v === '(') {
            const e = expr(0);
            expect(')');
            return e;
        }
        if (t.t === 'op' && t.v === '-') {
            const n = primary();
            return { kind: 'bin', op: '*', lhs: { kind: 'num', value: -1 }, rhs: n };
        }
        if (t.t !== 'id')
            fail(`unexpected ${t.v}`);
        const name = t.v;
        if (AGGS.has(name)) {
            let by;
            if (peek()?.t === 'id' && peek().v === 'by') {
                p++;
                by = labelList();
            }
            if (peek()?.t === 'id' && peek().v === 'without')
                fail('without (...) is not supported');
            expect('(');
            const arg = expr(0);
            expect(')');
            if (peek()?.t === 'id' && peek().v === 'by') {
                p++;
                by = labelList();
            }
            if (peek()?.t === 'id' && peek().v === 'without')
                fail('without (...) is not supported');
            return { kind: 'agg', op: name, by, arg };
        }
        if (RANGE_FUNCS.has(name)) {
            expect('(');
            const arg = primary();
            expect(')');
            if (arg.kind !== 'sel' || arg.rangeMs === undefined)
                fail(`${name}() needs a range selector such as metric[5m]`);
            return { kind: 'fn', fn: name, arg };
        }
        if (isOp('('))
            fail(`the function ${name}() is not supported`);
        return selector(name);
    };
    const prec = (op) => (COMPARISONS.has(op) ? 1 : op === '+' || op === '-' ? 2 : op === '*' || op === '/' ? 3 : 0);
    const expr = (minPrec) => {
        let lhs = primary();
        for (;;) {
            const t = peek();
            if (!t || t.t !== 'op' || prec(t.v) === 0 || prec(t.v) < minPrec)
                break;
            const op = t.v;
            p++;
            if (peek()?.t === 'id' && ['bool', 'on', 'ignoring', 'group_left', 'group_right'].includes(peek().v)) {
                fail(`the ${peek().v} modifier is not supported`);
            }
            const rhs = expr(prec(op) + 1);
            lhs = { kind: 'bin', op, lhs, rhs };
        }
        return lhs;
    };
    const tree = expr(0);
    if (p < toks.length)
        fail(`unexpected ${toks[p].v} at token ${p + 1}`);
    return tree;
}
function matches(labels, ms) {
    return ms.every((m) => {
        const v = labels[m.label] ?? '';
        switch (m.op) {
            case '=':
                return v === m.value;
            case '!=':
                return v !== m.value;
            case '=~':
                return new RegExp(`^(?:${m.value})$`).test(v);
            case '!~':
                return !new RegExp(`^(?:${m.value})$`).test(v);
        }
    });
}
function withoutName(labels) {
    const { __name__: _n, ...rest } = labels;
    return rest;
}
function sigOf(labels) {
    return JSON.stringify(Object.entries(withoutName(labels)).sort(([a], [b]) => (a < b ? -1 : 1)));
}
function arith(op, a, b) {
    switch (op) {
        case '+':
            return a + b;
        case '-':
            return a - b;
        case '*':
            return a * b;
        case '/':
            return a / b;
        case '==':
            return a === b ? 1 : 0;
        case '!=':
            return a !== b ? 1 : 0;
        case '>':
            return a > b ? 1 : 0;
        case '<':
            return a < b ? 1 : 0;
        case '>=':
            return a >= b ? 1 : 0;
        default:
            return a <= b ? 1 : 0;
    }
}
/** Evaluate a parsed query against the simulation at real ms time `t`. */
function evaluate(node, sim, t, query = '') {
    switch (node.kind) {
        case 'num':
            return { type: 'scalar', value: node.value };
        case 'sel': {
            if (node.rangeMs !== undefined) {
                throw new UnsupportedQueryError(query, 'a range vector can only be used inside rate(), increase() or *_over_time()');
            }
            const samples = [];
            for (const s of sim.series.values()) {
                const labels = { __name__: s.name, ...s.labels };
                if (s.name !== node.name || !matches(labels, node.matchers))
                    continue;
                if (t >= sim.world.now() - 1 && !s.present)
                    continue;
                const v = valueAt(s, t);
                if (v !== undefined)
                    samples.push({ labels, value: v });
            }
            return { type: 'vector', samples };
        }
        case 'fn': {
            const sel = node.arg;
            const w = sel.rangeMs;
            const from = t - w;
            const samples = [];
            for (const s of sim.series.values()) {
                const labels = { __name__: s.name, ...s.labels };
                if (s.name !== sel.name || !matches(labels, sel.matchers))
                    continue;
                const first = s.points[0]?.t;
                if (first === undefined || first > t)
                    continue;
                let v;
                if (node.fn === 'rate' || node.fn === 'increase') {
                    const start = valueAt(s, Math.max(from, first)) ?? 0;
                    const end = valueAt(s, t) ?? 0;
                    const inc = Math.max(0, end - start);
                    v = node.fn === 'rate' ? inc / (w / 1000) : inc;
                }
                else {
                    const values = valuesWithin(s, Math.max(from, first), t);
                    if (values.length === 0)
                        continue;
                    v =
                        node.fn === 'min_over_time'
                            ? Math.min(...values)
                            : node.fn === 'max_over_time'
                                ? Math.max(...values)
                                : values.reduce((a, b) => a + b, 0) / values.length;
                }
                samples.push({ labels: withoutName(labels), value: v });
            }
            return { type: 'vector', samples };
        }
        case 'agg': {
            const inner = evaluate(node.arg, sim, t, query);
            if (inner.type !== 'vector')
                throw new UnsupportedQueryError(query, `${node.op}() needs a vector`);
            const groups = new Map();
            for (const s of inner.samples) {
                const labels = {};
                for (const l of node.by ?? [])
                    if (s.labels[l] !== undefined)
                        labels[l] = s.labels[l];
                const k = sigOf(labels);
                const g = groups.get(k) ?? { labels, values: [] };
                g.values.push(s.value);
                groups.set(k, g);
            }
            const samples = [];
            for (const g of groups.values()) {
                const sum = g.values.reduce((a, b) => a + b, 0);
                const value = node.op === 'sum'
                    ? sum
                    : node.op === 'avg'
                        ? sum / g.values.length
                        : node.op === 'min'
                            ? Math.min(...g.values)
                            : node.op === 'max'
                                ? Math.max(...g.values)
                                : g.values.length;
                samples.push({ labels: g.labels, value });
            }
            return { type: 'vector', samples };
        }
        case 'bin': {
            const a = evaluate(node.lhs, sim, t, query);
            const b = evaluate(node.rhs, sim, t, query);
            const cmp = COMPARISONS.has(node.op);
            if (a.type === 'scalar' && b.type === 'scalar') {
                if (cmp)
                    throw new UnsupportedQueryError(query, 'comparisons between two numbers need the bool modifier');
                return { type: 'scalar', value: arith(node.op, a.value, b.value) };
            }
            if (a.type === 'vector' && b.type === 'scalar') {
                return {
                    type: 'vector',
                    samples: cmp
                        ? a.samples.filter((s) => arith(node.op, s.value, b.value) === 1)
                        : a.samples.map((s) => ({ labels: withoutName(s.labels), value: arith(node.op, s.value, b.value) })),
                };
            }
            if (a.type === 'scalar' && b.type === 'vector') {
                return {
                    type: 'vector',
                    samples: cmp
                        ? b.samples.filter((s) => arith(node.op, a.value, s.value) === 1)
                        : b.samples.map((s) => ({ labels: withoutName(s.labels), value: arith(node.op, a.value, s.value) })),
                };
            }
            const av = a;
            const bv = b;
            const right = new Map(bv.samples.map((s) => [sigOf(s.labels), s]));
            const samples = [];
            for (const s of av.samples) {
                const r = right.get(sigOf(s.labels));
                if (!r)
                    continue;
                if (cmp) {
                    if (arith(node.op, s.value, r.value) === 1)
                        samples.push(s);
                }
                else
                    samples.push({ labels: withoutName(s.labels), value: arith(node.op, s.value, r.value) });
            }
            return { type: 'vector', samples };
        }
    }
}
/** Evaluate `query` at unix time `time` seconds (now when omitted); the Prometheus API `data` object. */
function runQuery(sim, query, time) {
    const t = time === undefined ? sim.world.now() : time * 1000;
    sim.sample();
    const value = evaluate(parsePromQL(query), sim, t, query);
    const ts = t / 1000;
    if (value.type === 'scalar')
        return { resultType: 'scalar', result: [ts, formatNumber(value.value)] };
    return {
        resultType: 'vector',
        result: value.samples.map((s) => ({ metric: s.labels, value: [ts, formatNumber(s.value)] })),
    };
}
function badData(res, message) {
    send(res, 400, { status: 'error', errorType: 'bad_data', error: message });
}
/** The built-in Prometheus stand-in (fault key 'prometheus'; operation 'query'). */
function prometheusFallbackService() {
    return {
        name: 'prometheus',
        operation(req) {
            return req.path === '/api/v1/query' ? 'query' : req.path.replace(/^\//, '');
        },
        handle(req, res, { world }) {
            if (req.path === '/-/ready' || req.path === '/-/healthy') {
                send(res, 200, 'Prometheus Server is Ready.\n');
                return;
            }
            if (req.path === '/api/v1/status/buildinfo') {
                send(res, 200, { status: 'success', data: { version: 'aegis-sandbox-builtin', revision: 'none', branch: 'none' } });
                return;
            }
            if (req.path !== '/api/v1/query') {
                send(res, 404, { status: 'error', errorType: 'not_found', error: `the sandbox's built-in Prometheus only serves /api/v1/query, not ${req.path}` });
                return;
            }
            const params = new URLSearchParams(req.url.search);
            if (req.method === 'POST') {
                for (const [k, v] of new URLSearchParams(req.text()))
                    params.set(k, v);
            }
            const query = params.get('query');
            if (!query) {
                badData(res, 'invalid parameter "query": the query parameter is missing');
                return;
            }
            let time;
            const timeParam = params.get('time');
            if (timeParam) {
                time = /^\d+(\.\d+)?$/.test(timeParam) ? Number(timeParam) : Date.parse(timeParam) / 1000;
                if (!Number.isFinite(time)) {
                    badData(res, `invalid parameter "time": cannot parse ${JSON.stringify(timeParam)} to a valid timestamp`);
                    return;
                }
            }
            try {
                const data = runQuery(metricsFor(world), query, time);
                send(res, 200, { status: 'success', data });
            }
            catch (err) {
                if (err instanceof UnsupportedQueryError)
                    badData(res, err.message);
                else
                    throw err;
            }
        },
        renderThrottle(_req, res, hit) {
            send(res, 429, { status: 'error', errorType: 'unavailable', error: 'too many requests' }, undefined, {
                'retry-after': String(hit.spec.retryAfterSeconds ?? 1),
            });
        },
        renderError(_req, res, hit) {
            const status = hit.spec.status ?? 503;
            send(res, status, { status: 'error', errorType: status === 503 ? 'unavailable' : 'internal', error: `HTTP ${status} (injected fault)` });
        },
    };
}

// EXTERNAL MODULE: ./src/sandbox/scenarios.ts
var scenarios = __webpack_require__(74820);
;// CONCATENATED MODULE: ./src/sandbox/index.ts
/**
 * The embedded sandbox: starts every emulated service of the Cloud Aegis estate on 127.0.0.1,
 * a real Prometheus when one is installed (or the built-in evaluator when not), the control API,
 * and writes plan.yml, kubeconfig and endpoints.json so any tool can point at it.
 */





















function controlService(getState, faults, scenario) {
    const err = (res, status, message) => send(res, status, { error: message });
    return {
        name: 'control',
        operation: (req) => `${req.method} ${req.path}`,
        handle(req, res) {
            if (req.path === '/_sandbox/state' && req.method === 'GET')
                return send(res, 200, getState());
            if (req.path === '/_sandbox/faults') {
                if (req.method === 'GET')
                    return send(res, 200, { faults: faults.list(), log: faults.log });
                if (req.method === 'DELETE') {
                    faults.clear();
                    return send(res, 200, { faults: [] });
                }
                if (req.method === 'POST') {
                    let body;
                    try {
                        body = req.json();
                    }
                    catch {
                        return err(res, 400, 'the body is not JSON: send {"service":"rds","kind":"throttle","rate":0.5} or {"faults":[...]}.');
                    }
                    const list = Array.isArray(body?.faults) ? body.faults : [body];
                    try {
                        for (const f of list)
                            faults.add(f);
                    }
                    catch (e) {
                        return err(res, 400, e.message);
                    }
                    return send(res, 200, { faults: faults.list() });
                }
            }
            if (req.path === '/_sandbox/scenario' && req.method === 'POST') {
                let body;
                try {
                    body = req.json();
                }
                catch {
                    return err(res, 400, 'the body is not JSON: send {"name":"region-outage"}.');
                }
                try {
                    return send(res, 200, { applied: body?.name, description: scenario(String(body?.name), body?.stacks) });
                }
                catch (e) {
                    return err(res, 400, e.message);
                }
            }
            return err(res, 404, `no control endpoint ${req.method} ${req.path}: use GET /_sandbox/state, POST /_sandbox/faults, POST /_sandbox/scenario (${(0,scenarios.scenarioNames)().join(', ')}).`);
        },
        renderThrottle: (_r, res) => send(res, 429, { error: 'throttled' }),
        renderError: (_r, res) => send(res, 503, { error: 'unavailable' }),
    };
}
/** The plan document pointing every service of every stack at the sandbox. */
function sandboxPlan(endpoints, kubeconfig, clouds) {
    const site = (cloud, s) => ({
        region: estate/* TOPOLOGY */.yg[cloud].regions[s],
        kubernetes: { kubeconfig, context: `${cloud}-${s}`, namespace: 'aegis' },
        deployments: [{ name: 'aegis-api' }],
        app: { url: `${endpoints.app}/sites/${cloud}/${s}` },
    });
    const stacks = {};
    const common = (cloud) => ({
        cloud,
        primary: site(cloud, 'primary'),
        dr: site(cloud, 'dr'),
        publicUrl: `${endpoints.app}/public/${cloud}`,
    });
    if (clouds.includes('aws')) {
        const t = estate/* TOPOLOGY */.yg.aws;
        stacks.aws = {
            ...common('aws'),
            database: { type: 'rds', instance: t.db.instance, replica: t.db.replica },
            traffic: { type: 'route53', hostedZoneId: t.zone.id, record: t.record, recordType: 'CNAME', targets: t.targets, healthCheckId: t.healthCheckId },
            nodePool: { type: 'eks', cluster: t.clusters, nodegroup: t.nodegroup, min: 3, max: 10, active: 6, standby: 3 },
            endpoints: { rds: endpoints.rds, route53: endpoints.route53, eks: endpoints.eks, dns: endpoints.dns },
        };
    }
    if (clouds.includes('azure')) {
        const t = estate/* TOPOLOGY */.yg.azure;
        stacks.azure = {
            ...common('azure'),
            database: {
                type: 'azure-sql',
                subscriptionId: estate/* SANDBOX_SUBSCRIPTION */.Yv,
                failoverGroup: t.sql.failoverGroup,
                primary: { resourceGroup: t.resourceGroups.primary, server: t.sql.servers.primary },
                dr: { resourceGroup: t.resourceGroups.dr, server: t.sql.servers.dr },
                // A region outage leaves no primary to coordinate a planned failover with.
                allowDataLoss: true,
            },
            traffic: {
                type: 'traffic-manager',
                subscriptionId: estate/* SANDBOX_SUBSCRIPTION */.Yv,
                resourceGroup: t.trafficManager.resourceGroup,
                profile: t.trafficManager.profile,
                endpointType: 'azureEndpoints',
                endpoints: t.trafficManager.endpoints,
                record: t.record,
                targets: t.targets,
            },
            nodePool: { type: 'aks', subscriptionId: estate/* SANDBOX_SUBSCRIPTION */.Yv, resourceGroup: t.resourceGroups, cluster: t.clusters, pool: t.pool, min: 3, max: 10, active: 6, standby: 3 },
            endpoints: { arm: endpoints.arm, dns: endpoints.dns },
        };
    }
    if (clouds.includes('gcp')) {
        const t = estate/* TOPOLOGY */.yg.gcp;
        stacks.gcp = {
            ...common('gcp'),
            database: { type: 'cloud-sql', project: estate/* SANDBOX_PROJECT */.II, instance: t.sql.instance, failoverReplica: t.sql.failoverReplica, replica: t.sql.replica },
            traffic: { type: 'cloud-dns', project: estate/* SANDBOX_PROJECT */.II, zone: t.zone.name, record: t.record, recordType: 'CNAME', targets: t.targets },
            nodePool: { type: 'gke', project: estate/* SANDBOX_PROJECT */.II, cluster: t.clusters, pool: t.pool, min: 3, max: 10, active: 6, standby: 3 },
            endpoints: { sqladmin: endpoints.sqladmin, clouddns: endpoints.clouddns, container: endpoints.container, dns: endpoints.dns },
        };
    }
    return {
        apiVersion: 'aegis.io/v1',
        kind: 'DRPlan',
        service: 'cloud-aegis-sandbox',
        application: { publicName: estate/* TOPOLOGY */.yg.aws.record, url: `${endpoints.app}/public/${clouds[0]}` },
        prometheus: { url: endpoints.prometheus },
        // Sandbox time runs fast: evaluate triggers a second apart, and allow short deadlines.
        triggers: { consecutive: 3, interval: '1s' },
        thresholds: { deadlines: { drain: '2m', database: '3m', traffic: '3m', scale: '3m', verify: '3m' } },
        stacks,
    };
}
async function startSandbox(opts = {}) {
    const clouds = opts.clouds ?? ['aws', 'azure', 'gcp'];
    const world = (0,estate/* createEstate */.l6)(new sandbox_world/* World */.HK({ speed: opts.speed ?? 600, seed: opts.seed }), clouds);
    const faults = new FaultRegistry(world.random);
    const ctx = { world, faults };
    const notes = [];
    const unregisterJobs = registerSandboxJobs(world);
    world.start();
    const services = [];
    const defs = [
        kubernetesService(),
        rdsService(),
        route53Service(),
        eksService(),
        armService(),
        sqladminService(),
        clouddnsService(),
        containerService(),
        appService(),
    ];
    for (const d of defs)
        services.push(await startService(d, ctx));
    const dns = await startDnsServer(world, { faults });
    const endpoints = {};
    for (const s of services)
        endpoints[s.name] = s.url;
    endpoints.dns = `${dns.host}:${dns.port}`;
    const kube = endpoints.kubernetes;
    delete endpoints.kubernetes;
    for (const stack of world.stacks.values()) {
        for (const site of sandbox_world/* SITES */.bo)
            endpoints[`kubernetes.${stack.name}.${site}`] = `${kube}${clusterPath(stack.name, site)}`;
        endpoints[`app.${stack.name}.primary`] = `${endpoints.app}/sites/${stack.name}/primary`;
        endpoints[`app.${stack.name}.dr`] = `${endpoints.app}/sites/${stack.name}/dr`;
    }
    endpoints['app.primary'] = `${endpoints.app}/sites/${clouds[0]}/primary`;
    endpoints['app.dr'] = `${endpoints.app}/sites/${clouds[0]}/dr`;
    // Prometheus: the real server scraping the app's /metrics, or the built-in evaluator.
    let prometheus;
    let stopPrometheus;
    const mode = opts.prometheus ?? 'auto';
    const binary = mode === 'builtin' ? undefined : findPrometheus();
    if (mode === 'real' && !binary) {
        throw new Error('Prometheus is not installed: install it (Debian: apt-get install -y prometheus) or start the sandbox with the built-in evaluator.');
    }
    if (binary) {
        const dataDir = external_node_fs_default().mkdtempSync(external_node_path_default().join(opts.outDir ?? external_node_fs_default().realpathSync(process.env.TMPDIR ?? '/tmp'), 'prometheus-'));
        const p = await startPrometheus({ targets: [new URL(endpoints.app).host], dataDir });
        prometheus = { kind: 'real', url: p.url };
        stopPrometheus = async () => {
            await p.stop();
            external_node_fs_default().rmSync(dataDir, { recursive: true, force: true });
        };
    }
    else {
        const s = await startService(prometheusFallbackService(), ctx);
        services.push(s);
        prometheus = { kind: 'builtin', url: s.url };
        notes.push('Prometheus is not installed: the sandbox answers the plan\'s queries itself (install it with apt-get install -y prometheus for a real one).');
    }
    endpoints.prometheus = prometheus.url;
    const scenario = (name, stacks) => (0,scenarios/* applyScenario */.TH)(world, name, stacks);
    const state = () => ({
        speed: world.speed,
        monitor: world.monitor.toJSON(),
        faults: { active: faults.list(), log: faults.log },
        stacks: Object.fromEntries([...world.stacks.values()].map((s) => [
            s.name,
            {
                database: { writer: s.database.writer, writable: s.database.writable, status: s.database.status, failovers: s.database.failovers, lagSeconds: s.database.lagSeconds },
                traffic: { active: (0,estate/* activeSite */.QR)(s), record: s.traffic.record },
                acceptsWrites: { primary: world.acceptsWrites(s, 'primary'), dr: world.acceptsWrites(s, 'dr') },
                sites: Object.fromEntries(sandbox_world/* SITES */.bo.map((site) => [
                    site,
                    {
                        up: s.sites[site].up,
                        healthy: s.sites[site].healthy,
                        nodes: s.sites[site].cluster.nodes.filter((n) => n.ready).length,
                        pool: s.sites[site].pool.desired,
                        deployments: Object.fromEntries([...s.sites[site].cluster.deployments.values()].map((d) => [d.name, { replicas: d.replicas, ready: d.readyReplicas, annotations: d.annotations }])),
                    },
                ])),
            },
        ])),
    });
    const control = await startService(controlService(state, faults, scenario), ctx);
    services.push(control);
    endpoints.control = control.url;
    const sandbox = {
        world,
        faults,
        endpoints,
        planDocument: {},
        prometheus,
        notes,
        applyScenario: scenario,
        state,
        async close() {
            world.stop();
            unregisterJobs();
            await Promise.all([...services.map((s) => s.close()), dns.close(), stopPrometheus?.()]);
        },
    };
    const kubeconfigYaml = writeKubeconfig(kube, world);
    let kubeconfigPath = 'kubeconfig';
    if (opts.outDir) {
        external_node_fs_default().mkdirSync(opts.outDir, { recursive: true });
        sandbox.kubeconfigFile = external_node_path_default().join(opts.outDir, 'kubeconfig');
        external_node_fs_default().writeFileSync(sandbox.kubeconfigFile, kubeconfigYaml, { mode: 0o600 });
        kubeconfigPath = sandbox.kubeconfigFile;
    }
    sandbox.planDocument = sandboxPlan(endpoints, kubeconfigPath, clouds);
    opts.planOverrides?.(sandbox.planDocument);
    if (opts.outDir) {
        sandbox.planFile = external_node_path_default().join(opts.outDir, 'plan.yml');
        external_node_fs_default().writeFileSync(sandbox.planFile, `# Generated by aegis-dr sandbox: the Cloud Aegis plan pointing every service at the sandbox.\n${dist.stringify(sandbox.planDocument)}`);
        external_node_fs_default().writeFileSync(external_node_path_default().join(opts.outDir, 'endpoints.json'), JSON.stringify(endpoints, null, 2) + '\n');
    }
    if (opts.scenario)
        sandbox.applyScenario(opts.scenario);
    return sandbox;
}


/***/ })

};
