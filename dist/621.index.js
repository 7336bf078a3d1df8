export const id = 621;
export const ids = [621];
export const modules = {

/***/ 51621:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   KubernetesCluster: () => (/* binding */ KubernetesCluster)
/* harmony export */ });
/* unused harmony export rolloutComplete */
/* harmony import */ var _kubernetes_client_node__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(71943);
/* harmony import */ var _engine_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(17679);
/**
 * One Kubernetes cluster (one site's `kubernetes` block of the plan) over the official
 * @kubernetes/client-node 2.x client. A thin adapter: it reads, starts changes and polls; it never
 * retries or sleeps, and every error it throws is a ProviderError from `wrapSdkError`, so the engine
 * can tell throttling (429 + Retry-After) and unreachable API servers from permanent failures.
 */


/**
 * Whether a deployment's rollout is complete, as `kubectl rollout status` decides it: the
 * controller has observed the newest generation, and every desired replica is updated, ready and
 * available (no old or surplus pods left).
 */
function rolloutComplete(status) {
    return (status.observedGeneration >= status.generation &&
        status.updatedReplicas === status.replicas &&
        status.availableReplicas === status.replicas &&
        status.readyReplicas === status.replicas);
}
const MERGE_PATCH = (0,_kubernetes_client_node__WEBPACK_IMPORTED_MODULE_0__/* .setHeaderOptions */ .OkF)('Content-Type', _kubernetes_client_node__WEBPACK_IMPORTED_MODULE_0__/* .PatchStrategy */ .Qve.MergePatch);
function httpStatus(err) {
    return err instanceof _kubernetes_client_node__WEBPACK_IMPORTED_MODULE_0__/* .ApiException */ .UJ4 ? err.code : undefined;
}
/** The `message` of the Kubernetes Status object an ApiException carries, when there is one. */
function statusMessage(err) {
    if (!(err instanceof _kubernetes_client_node__WEBPACK_IMPORTED_MODULE_0__/* .ApiException */ .UJ4))
        return {};
    let body = err.body;
    if (typeof body === 'string') {
        const text = body;
        try {
            body = JSON.parse(text);
        }
        catch {
            return { message: text.trim().slice(0, 300) || undefined };
        }
    }
    if (body && typeof body === 'object') {
        const b = body;
        return {
            message: typeof b.message === 'string' ? b.message : undefined,
            reason: typeof b.reason === 'string' && b.reason ? b.reason : undefined,
        };
    }
    return {};
}
/** wrapSdkError, with the Status message and reason of the API server in the sentence. */
function wrap(operation, err, target) {
    if (err instanceof _engine_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ProviderError */ .mZ)
        return err;
    const base = (0,_engine_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .wrapSdkError */ .Nt)('kubernetes', operation, err);
    const { message, reason } = statusMessage(err);
    let text;
    if (base.status !== undefined) {
        const what = reason ? `${base.status} ${reason}` : `HTTP ${base.status}`;
        text = `kubernetes ${operation} of ${target} failed with ${what}: ${message ?? 'no message'}.`;
    }
    else {
        const cause = err?.cause;
        const detail = [base.message.replace(/^kubernetes \S+ failed: /, ''), cause?.code ?? cause?.message]
            .filter(Boolean)
            .join(': ');
        text = `kubernetes ${operation} of ${target} failed before the API server answered (${detail}); check that the cluster is reachable.`;
    }
    const netCode = base.status === undefined && base.code === 'TypeError' ? networkCode(err) : undefined;
    return new _engine_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ProviderError */ .mZ({
        service: 'kubernetes',
        operation,
        status: base.status,
        code: reason ?? netCode ?? base.code,
        retryAfterMs: base.retryAfterMs,
        message: text,
        cause: err,
    });
}
function networkCode(err, depth = 0) {
    if (!err || typeof err !== 'object' || depth > 5)
        return undefined;
    const code = err.code;
    if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code))
        return code;
    return networkCode(err.cause, depth + 1);
}
function labelsToSelector(labels) {
    return Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
}
/** One cluster's API, for phases (implements `Cluster`). */
class KubernetesCluster {
    namespace;
    opts;
    apisCache;
    constructor(opts) {
        this.opts = opts;
        this.namespace = opts.namespace;
    }
    /** A readable name of this cluster for messages: the context (or "current context") and namespace. */
    get label() {
        return `${this.opts.context ?? 'current context'}/${this.namespace}`;
    }
    apis() {
        if (this.apisCache)
            return this.apisCache;
        const kc = new _kubernetes_client_node__WEBPACK_IMPORTED_MODULE_0__/* .KubeConfig */ .ypW();
        try {
            if (this.opts.kubeconfig)
                kc.loadFromFile(this.opts.kubeconfig);
            else
                kc.loadFromDefault();
        }
        catch (err) {
            throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`kubernetes.kubeconfig ${JSON.stringify(this.opts.kubeconfig ?? '$KUBECONFIG or ~/.kube/config')} could not be read (${err.message}); point it at a readable kubeconfig file.`);
        }
        if (this.opts.context) {
            const names = kc.getContexts().map((c) => c.name);
            if (!names.includes(this.opts.context)) {
                throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`kubernetes.context ${JSON.stringify(this.opts.context)} is not in the kubeconfig ${this.opts.kubeconfig ?? '(default)'}: expected one of ${names.join(', ') || '(none)'}.`);
            }
            kc.setCurrentContext(this.opts.context);
        }
        if (!kc.getCurrentCluster()) {
            throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`the kubeconfig ${this.opts.kubeconfig ?? '(default)'} has no current cluster: set kubernetes.context in the plan to one of its contexts.`);
        }
        this.apisCache = {
            core: kc.makeApiClient(_kubernetes_client_node__WEBPACK_IMPORTED_MODULE_0__/* .CoreV1Api */ .f5Y),
            apps: kc.makeApiClient(_kubernetes_client_node__WEBPACK_IMPORTED_MODULE_0__/* .AppsV1Api */ .eY6),
            batch: kc.makeApiClient(_kubernetes_client_node__WEBPACK_IMPORTED_MODULE_0__/* .BatchV1Api */ .Q8C),
        };
        return this.apisCache;
    }
    async call(operation, target, fn) {
        const apis = this.apis();
        try {
            return await fn(apis);
        }
        catch (err) {
            throw wrap(operation, err, `${target} in ${this.label}`);
        }
    }
    /** Like `call`, but a 404 answers `undefined`. */
    async find(operation, target, fn) {
        const apis = this.apis();
        try {
            return await fn(apis);
        }
        catch (err) {
            if (httpStatus(err) === 404)
                return undefined;
            throw wrap(operation, err, `${target} in ${this.label}`);
        }
    }
    /** Every node and whether its Ready condition is True. */
    async nodes() {
        const list = await this.call('listNode', 'nodes', (a) => a.core.listNode());
        return list.items.map((n) => ({
            name: n.metadata?.name ?? '',
            ready: (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
        }));
    }
    /** Pods of the namespace, optionally filtered by a label selector (`app=aegis-api`). */
    async pods(selector) {
        const list = await this.call('listNamespacedPod', `pods${selector ? ` (${selector})` : ''}`, (a) => a.core.listNamespacedPod({ namespace: this.namespace, labelSelector: selector }));
        return list.items.map((p) => ({
            name: p.metadata?.name ?? '',
            phase: p.status?.phase ?? 'Unknown',
            ready: (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
            labels: { ...(p.metadata?.labels ?? {}) },
            ...(p.spec?.nodeName ? { node: p.spec.nodeName } : {}),
        }));
    }
    /** A deployment's generation, replica counts and annotations; undefined when it does not exist. */
    async deployment(name) {
        const d = await this.find('readNamespacedDeployment', `deployment ${name}`, (a) => a.apps.readNamespacedDeployment({ name, namespace: this.namespace }));
        if (!d)
            return undefined;
        return {
            name,
            replicas: d.spec?.replicas ?? 1,
            readyReplicas: d.status?.readyReplicas ?? 0,
            availableReplicas: d.status?.availableReplicas ?? 0,
            updatedReplicas: d.status?.updatedReplicas ?? 0,
            observedGeneration: d.status?.observedGeneration ?? 0,
            generation: d.metadata?.generation ?? 0,
            annotations: { ...(d.metadata?.annotations ?? {}) },
        };
    }
    /** Set a deployment's replicas (merge patch of the scale subresource, as `kubectl scale`). */
    async scale(name, replicas) {
        await this.call('patchNamespacedDeploymentScale', `deployment ${name}`, (a) => a.apps.patchNamespacedDeploymentScale({ name, namespace: this.namespace, body: { spec: { replicas } } }, MERGE_PATCH));
    }
    /** Set (string) or remove (null) annotations of a deployment with a merge patch. */
    async annotate(name, annotations) {
        await this.call('patchNamespacedDeployment', `deployment ${name}`, (a) => a.apps.patchNamespacedDeployment({ name, namespace: this.namespace, body: { metadata: { annotations } } }, MERGE_PATCH));
    }
    /** A configmap's data; undefined when it does not exist. */
    async configMap(name) {
        const cm = await this.find('readNamespacedConfigMap', `configmap ${name}`, (a) => a.core.readNamespacedConfigMap({ name, namespace: this.namespace }));
        return cm ? { ...(cm.data ?? {}) } : undefined;
    }
    /** GET `path` on a pod's port through the API server's pod proxy; the response body as text. */
    async podProxyGet(pod, port, path) {
        const body = await this.call('connectGetNamespacedPodProxyWithPath', `pod ${pod}:${port}${path}`, (a) => a.core.connectGetNamespacedPodProxyWithPath({
            name: `${pod}:${port}`,
            namespace: this.namespace,
            path: path.replace(/^\/+/, ''),
        }));
        return typeof body === 'string' ? body : JSON.stringify(body);
    }
    /** Create a run-once job; a job of that name that already exists is left alone (idempotent). */
    async runJob(spec) {
        const labels = { 'app.kubernetes.io/managed-by': 'aegis-dr', ...(spec.labels ?? {}) };
        const job = {
            apiVersion: 'batch/v1',
            kind: 'Job',
            metadata: { name: spec.name, namespace: this.namespace, labels },
            spec: {
                backoffLimit: 0,
                ttlSecondsAfterFinished: 86400,
                template: {
                    metadata: { labels },
                    spec: {
                        restartPolicy: 'Never',
                        containers: [
                            {
                                name: spec.name.slice(0, 63),
                                image: spec.image,
                                command: spec.command,
                                env: Object.entries(spec.env ?? {}).map(([name, value]) => ({ name, value })),
                            },
                        ],
                    },
                },
            },
        };
        const apis = this.apis();
        try {
            await apis.batch.createNamespacedJob({ namespace: this.namespace, body: job });
        }
        catch (err) {
            if (httpStatus(err) === 409)
                return;
            throw wrap('createNamespacedJob', err, `job ${spec.name} in ${this.label}`);
        }
    }
    /** A job's outcome; once it is done, the logs of its newest pod. Undefined when there is no such job. */
    async job(name) {
        const j = await this.find('readNamespacedJob', `job ${name}`, (a) => a.batch.readNamespacedJob({ name, namespace: this.namespace }));
        if (!j)
            return undefined;
        const cond = (type) => (j.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
        const succeeded = cond('Complete') || (!cond('Failed') && (j.status?.succeeded ?? 0) > 0 && !j.status?.active);
        const failed = cond('Failed');
        const done = succeeded || failed;
        if (!done)
            return { done: false, succeeded: false };
        return { done: true, succeeded, logs: await this.jobLogs(name) };
    }
    async jobLogs(name) {
        const pods = await this.call('listNamespacedPod', `pods of job ${name}`, (a) => a.core.listNamespacedPod({
            namespace: this.namespace,
            labelSelector: labelsToSelector({ 'job-name': name }),
        }));
        const newest = [...pods.items].sort((x, y) => (y.metadata?.creationTimestamp?.getTime?.() ?? 0) - (x.metadata?.creationTimestamp?.getTime?.() ?? 0))[0];
        const podName = newest?.metadata?.name;
        if (!podName)
            return undefined;
        const logs = await this.find('readNamespacedPodLog', `logs of pod ${podName}`, (a) => a.core.readNamespacedPodLog({ name: podName, namespace: this.namespace }));
        return logs === undefined ? undefined : String(logs);
    }
    /** Delete a job and its pods (background propagation); a job that is already gone is fine. */
    async deleteJob(name) {
        await this.find('deleteNamespacedJob', `job ${name}`, (a) => a.batch.deleteNamespacedJob({ name, namespace: this.namespace, propagationPolicy: 'Background' }));
    }
}


/***/ })

};
