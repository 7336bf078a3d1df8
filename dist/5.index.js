export const id = 5;
export const ids = [5];
export const modules = {

/***/ 25005:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runDrill: () => (/* binding */ runDrill),
  summaryText: () => (/* binding */ summaryText)
});

// UNUSED EXPORTS: timeline

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
var external_node_fs_default = /*#__PURE__*/__webpack_require__.n(external_node_fs_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/engine/errors.ts
var errors = __webpack_require__(17679);
// EXTERNAL MODULE: ./src/engine/journal.ts
var engine_journal = __webpack_require__(95545);
// EXTERNAL MODULE: ./src/engine/step.ts
var step = __webpack_require__(40614);
// EXTERNAL MODULE: ./src/plan/load.ts + 3 modules
var load = __webpack_require__(601);
// EXTERNAL MODULE: ./src/phases/common.ts
var common = __webpack_require__(32379);
// EXTERNAL MODULE: ./src/phases/environment.ts + 1 modules
var environment = __webpack_require__(91567);
// EXTERNAL MODULE: ./src/phases/failover.ts
var phases_failover = __webpack_require__(89164);
// EXTERNAL MODULE: ./src/phases/readiness.ts
var readiness = __webpack_require__(76264);
// EXTERNAL MODULE: ./src/phases/steps.ts
var steps = __webpack_require__(14175);
// EXTERNAL MODULE: ./src/phases/runner.ts
var runner = __webpack_require__(27248);
// EXTERNAL MODULE: ./src/phases/triggers.ts
var triggers = __webpack_require__(13731);
// EXTERNAL MODULE: ./src/phases/verify.ts
var verify = __webpack_require__(94119);
;// CONCATENATED MODULE: ./src/drill/pipeline.ts




/** Where a class leaves the service: in the DR region, or still in the primary one. */
function servingSite(cls) {
    const dbOnly = !cls.phases.includes('traffic') && cls.phases.includes('database');
    return dbOnly && cls.databaseMode === 'in-region' ? 'primary' : 'dr';
}
async function failoverStack(ctx, name, cls) {
    const has = (p) => cls.phases.includes(p);
    const target = servingSite(cls);
    const rows = [];
    if (has('declare'))
        rows.push(...(await (0,phases_failover/* declareStack */.xP)(ctx, name)));
    const dbTarget = cls.databaseMode === 'in-region' ? 'primary' : 'dr';
    const [dbRows, scaleRows] = await Promise.all([
        (async () => {
            const r = [];
            if (has('drain'))
                r.push(...(await (0,steps/* drainSite */.C3)(ctx, 'drain', name, 'primary')));
            if (has('database'))
                r.push(...(await (0,steps/* failoverDatabase */.Wb)(ctx, 'database', name, dbTarget, cls.databaseMode)));
            return r;
        })(),
        has('scale') ? (0,phases_failover/* scaleStack */.j0)(ctx, 'scale', name, 'dr') : Promise.resolve([]),
    ]);
    rows.push(...dbRows, ...scaleRows);
    if (has('traffic'))
        rows.push(...(await (0,steps/* switchTraffic */.gi)(ctx, 'traffic', name, target)));
    rows.push(...(await (0,verify/* verifyRows */.DT)(ctx, name, target)));
    return rows;
}
async function runFailover(ctx, cls) {
    return (0,common/* forEachStack */.zq)(ctx, async (name) => {
        try {
            return await failoverStack(ctx, name, cls);
        }
        catch (err) {
            return [(0,common/* row */.nM)(name, 'failover', 'fail', err.message)];
        }
    });
}

;// CONCATENATED MODULE: ./src/drill/drill.ts
/**
 * `aegis-dr drill`: the main job. Without a plan it starts the embedded sandbox, injects the
 * scenario (region outage by default), evaluates the triggers until they fire, then runs
 * readiness, the failover for the incident class, verify, the data sync (dry-run, execute),
 * failback and verify again. It prints live progress, then a timeline with the measured RTO and
 * RPO of each stack against the class targets, and writes the journal.
 */














const SCENARIO_CLASS = {
    'region-outage': 'region-outage',
    'database-corruption': 'database-corruption',
    'network-partition': 'network-partition',
    'compute-failure': 'compute-failure',
};
async function runDrill(opts) {
    const log = opts.log ?? (() => undefined);
    const scenario = opts.plan ? opts.scenario : (opts.scenario ?? 'region-outage');
    const cls = opts.incidentClass ?? (scenario ? SCENARIO_CLASS[scenario] : undefined) ?? 'region-outage';
    if (!common/* INCIDENT_CLASSES */.WI.includes(cls))
        throw new errors/* UserError */.yo(`--class is "${cls}": expected one of ${common/* INCIDENT_CLASSES */.WI.join(', ')}.`);
    const outDir = external_node_path_default().resolve(opts.outDir ?? external_node_path_default().join('.aegis-dr', `drill-${new Date().toISOString().replace(/[:.]/g, '-')}`));
    external_node_fs_default().mkdirSync(outDir, { recursive: true });
    const journalFile = external_node_path_default().resolve(opts.journalFile ?? external_node_path_default().join(outDir, 'journal.jsonl'));
    let sandbox;
    let plan;
    if (opts.plan) {
        plan = await (0,load/* loadPlan */.Yq)(opts.plan);
    }
    else {
        const { startSandbox } = await Promise.all(/* import() */[__webpack_require__.e(820), __webpack_require__.e(664)]).then(__webpack_require__.bind(__webpack_require__, 99664));
        sandbox = await startSandbox({ speed: opts.speed ?? 600, outDir, prometheus: opts.prometheus ?? 'auto' });
        for (const n of sandbox.notes)
            log(`note: ${n}`);
        log(`sandbox: ${Object.keys(sandbox.endpoints).length} endpoints on 127.0.0.1, speed ${sandbox.world.speed}x, Prometheus ${sandbox.prometheus.kind}; plan ${sandbox.planFile}`);
        plan = await (0,load/* loadPlan */.Yq)(sandbox.planFile);
        process.env[plan.doc.application.tokenEnv] ??= 'sandbox-token';
    }
    try {
        const journal = new engine_journal/* Journal */.CQ({
            file: journalFile,
            actor: process.env.GITHUB_ACTOR ?? process.env.USER ?? 'drill',
        });
        const run = (0,step/* createContext */.q6)(journal, { dryRun: opts.dryRun ?? false, progress: opts.progress });
        const stacks = (0,runner/* selectStacks */.w)(plan, opts.stack);
        const env = (0,environment/* createEnvironment */.M)(plan);
        const ctx = (inputs = {}) => ({
            plan,
            stacks,
            run,
            env,
            inputs: { 'incident-class': cls, ...inputs },
        });
        const base = ctx();
        const stages = [];
        const stage = (name, rows) => {
            stages.push({ stage: name, rows });
            const bad = rows.filter((r) => r.status === 'fail');
            log(`== ${name}: ${bad.length ? `${bad.length} failed` : 'ok'}`);
            for (const r of bad)
                log(`   FAIL ${r.stack ?? ''} ${r.item}: ${r.detail}`);
            return bad.length === 0;
        };
        const classDef = plan.classes[cls];
        // 1. the incident
        const started = Date.now();
        if (sandbox && scenario)
            log(`scenario ${scenario}: ${sandbox.applyScenario(scenario, stacks)}`);
        // 2. triggers: evaluate until they fire (the sandbox's Prometheus needs a few scrapes)
        let triggerRows = [];
        if (plan.doc.prometheus &&
            sandbox &&
            SCENARIO_CLASS[scenario ?? ''] &&
            ['region-outage', 'database-corruption'].includes(cls)) {
            const deadline = plan.limits.triggers.intervalMs * (plan.limits.triggers.consecutive + 2) + 30_000;
            try {
                const d = await (0,step/* pollUntil */.g3)(run, 'failover triggers to fire', async () => {
                    const dec = (0,triggers/* decide */.LD)(base, await (0,triggers/* evaluateStacks */.tL)(base));
                    triggerRows = dec.rows;
                    return dec.fire ? dec : undefined;
                }, deadline, 500);
                log(`triggers fired: ${d.incidentClass} (${d.reasons.join('; ')})`);
                journal.append({
                    phase: 'triggers',
                    step: 'evaluate',
                    target: 'prometheus',
                    outcome: 'observed',
                    startedAt: new Date(started).toISOString(),
                    endedAt: new Date().toISOString(),
                    durationMs: Date.now() - started,
                    attempts: 1,
                    dryRun: run.dryRun,
                    data: { fire: true, incidentClass: d.incidentClass, reasons: d.reasons },
                });
            }
            catch (err) {
                log(`triggers did not fire: ${err.message}; the drill goes on as a manual failover`);
            }
            stage('triggers', triggerRows);
        }
        // 3. readiness
        const ready = await (0,common/* forEachStack */.zq)(base, (s) => (0,readiness/* readinessRows */.C)(base, s));
        stage('readiness', ready.rows);
        // 4. failover for the class (per stack, all stacks at once), including verify
        const declaredAt = Date.now();
        const failover = await runFailover(ctx({ reason: `drill: ${scenario ?? 'manual'}` }), classDef);
        const failoverOk = stage(`failover (${cls})`, failover.rows);
        const servedAt = new Map();
        for (const r of journal.thisRun()) {
            if (r.phase === 'verify' && r.stack)
                servedAt.set(r.stack, Math.max(servedAt.get(r.stack) ?? 0, Date.parse(r.endedAt)));
        }
        // 5. failback: the primary recovers, data sync dry-run then execute, failback, verify
        let failbackOk = true;
        if (!opts.noFailback && !run.dryRun && servingSite(classDef) === 'dr' && failoverOk) {
            if (sandbox)
                log(`scenario primary-recovered: ${sandbox.applyScenario('primary-recovered', stacks)}`);
            // The fence set while the primary was unreachable may never have landed: reconcile it now,
            // before the recovered region's pods can take writes.
            const refence = await (0,common/* forEachStack */.zq)(base, (s) => (0,steps/* setDrain */.xZ)(base, 'declare', s, 'primary', true));
            failbackOk = stage('fence recovered primary', refence.rows) && failbackOk;
            const syncDry = await (0,common/* forEachStack */.zq)(base, (s) => (0,phases_failover/* syncStack */.oG)(base, s, 'dry-run'));
            failbackOk = stage('sync (dry-run)', syncDry.rows) && failbackOk;
            if (failbackOk) {
                const syncExec = await (0,common/* forEachStack */.zq)(base, (s) => (0,phases_failover/* syncStack */.oG)(base, s, 'execute'));
                failbackOk = stage('sync (execute)', syncExec.rows) && failbackOk;
            }
            if (failbackOk) {
                // the sandbox cannot wait the plan's hours of healthy primary: the gate is reported, not enforced
                const fbCtx = ctx({ 'skip-health-gate': sandbox ? 'true' : undefined });
                const fb = await (0,common/* forEachStack */.zq)(fbCtx, (s) => (0,phases_failover/* failbackStack */.QM)(fbCtx, s));
                failbackOk = stage('failback', fb.rows);
            }
        }
        // 6. outcomes per stack
        const outcomes = stacks.map((s) => {
            const rpoRec = journal
                .thisRun()
                .find((r) => r.stack === s &&
                r.phase === 'database' &&
                r.step === 'failover' &&
                r.data?.rpoSeconds !== undefined);
            const rpoSeconds = rpoRec?.data?.rpoSeconds ??
                (classDef.phases.includes('database') ? undefined : 0);
            const verified = failover.rows.filter((r) => r.stack === s).every((r) => r.status !== 'fail');
            const end = servedAt.get(s);
            const rtoMs = end !== undefined ? end - started : undefined;
            return {
                stack: s,
                rtoMs,
                rpoSeconds,
                rtoTargetMs: classDef.rtoMs,
                rpoTargetMs: classDef.rpoMs,
                rtoMet: verified && rtoMs !== undefined && rtoMs <= classDef.rtoMs,
                rpoMet: rpoSeconds === undefined
                    ? !classDef.phases.includes('database')
                    : rpoSeconds * 1000 <= classDef.rpoMs,
                verified,
            };
        });
        const ok = failoverOk && failbackOk && outcomes.every((o) => o.verified && o.rtoMet && o.rpoMet);
        const monitor = sandbox?.world.monitor.toJSON();
        const result = {
            ok: run.dryRun ? failover.rows.every((r) => r.status !== 'fail') : ok,
            incidentClass: cls,
            scenario,
            stacks: outcomes,
            rows: stages,
            journalFile,
            timeline: timeline(journal.thisRun(), started, declaredAt),
            sandbox: sandbox
                ? {
                    speed: sandbox.world.speed,
                    prometheus: sandbox.prometheus.kind,
                    mutations: monitor.mutationCount,
                    splitBrain: monitor.splitBrainEver,
                    failovers: Object.fromEntries([...sandbox.world.stacks.values()].map((s) => [s.name, s.database.failovers])),
                }
                : undefined,
        };
        if (result.sandbox?.splitBrain)
            result.ok = false;
        external_node_fs_default().writeFileSync(external_node_path_default().join(outDir, 'drill-result.json'), JSON.stringify(result, null, 2) + '\n');
        return result;
    }
    finally {
        await sandbox?.close();
    }
}
/** A text timeline of the run's step records, relative to the incident start. */
function timeline(records, start, declaredAt) {
    const lines = [
        `T+0.0s incident injected; failover declared at T+${((declaredAt - start) / 1000).toFixed(1)}s`,
    ];
    for (const r of records) {
        if (r.outcome === 'observed' && r.phase === 'readiness')
            continue;
        if (r.outcome === 'observed' && r.phase === 'verify')
            continue;
        const t = ((Date.parse(r.endedAt) - start) / 1000).toFixed(1);
        lines.push(`T+${t}s  ${(r.stack ?? '-').padEnd(6)} ${`${r.phase}/${r.step}`.padEnd(26)} ${r.outcome.padEnd(8)} ${r.target}${r.durationMs ? ` (${(0,step/* formatMs */._V)(r.durationMs)})` : ''}${r.error ? ` :: ${r.error}` : ''}`);
    }
    return lines.join('\n');
}
function summaryText(r) {
    const lines = [];
    lines.push(`Drill: ${r.incidentClass}${r.scenario ? ` (scenario ${r.scenario})` : ''}: ${r.ok ? 'PASSED' : 'FAILED'}`);
    lines.push('');
    lines.push('  stack   RTO measured   RTO target   RPO measured   RPO target   verified');
    for (const s of r.stacks) {
        lines.push(`  ${s.stack.padEnd(7)} ${(s.rtoMs === undefined ? 'n/a' : (0,step/* formatMs */._V)(s.rtoMs)).padEnd(14)} ${(0,step/* formatMs */._V)(s.rtoTargetMs).padEnd(12)} ${(s.rpoSeconds === undefined ? 'n/a' : `${s.rpoSeconds.toFixed(1)} s`).padEnd(14)} ${(0,step/* formatMs */._V)(s.rpoTargetMs).padEnd(12)} ${s.verified ? 'yes' : 'NO'}${s.rtoMet ? '' : '  RTO MISSED'}${s.rpoMet ? '' : '  RPO MISSED'}`);
    }
    if (r.sandbox) {
        lines.push('');
        lines.push(`  sandbox: speed ${r.sandbox.speed}x (cloud durations divided by it), Prometheus ${r.sandbox.prometheus}, ${r.sandbox.mutations} data-changing calls, failovers per database ${JSON.stringify(r.sandbox.failovers)}, split brain: ${r.sandbox.splitBrain ? 'YES' : 'never'}`);
    }
    lines.push(`  journal: ${r.journalFile}`);
    return lines.join('\n');
}


/***/ })

};
