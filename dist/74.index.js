export const id = 74;
export const ids = [74];
export const modules = {

/***/ 92074:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   runAction: () => (/* binding */ runAction)
/* harmony export */ });
/* unused harmony exports INPUT, DEFAULT_PLAN, DEFAULT_JOURNAL, getInputAsBool */
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(96421);
/* harmony import */ var _engine_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(17679);
/* harmony import */ var _engine_step_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(40614);
/* harmony import */ var _plan_load_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(601);
/* harmony import */ var _phases_registry_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(30632);
/* harmony import */ var _phases_render_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(26958);
/* harmony import */ var _phases_runner_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(27248);
/**
 * The GitHub Action runtime shared by every action entry: read inputs, run the phase through the
 * same runner as the CLI, set outputs, write the job summary, and fail through one funnel with
 * one clear sentence (never a stack trace for a user's mistake).
 */







const INPUT = {
    phase: 'phase',
    plan: 'plan',
    stack: 'stack',
    dryRun: 'dry-run',
    journal: 'journal',
    force: 'force',
    forceReason: 'force-reason',
};
const DEFAULT_PLAN = '.github/dr-plan.yml';
const DEFAULT_JOURNAL = 'aegis-dr-journal.jsonl';
/** A boolean input: true/false/yes/no/1/0, empty = default; anything else is a clear error. */
function getInputAsBool(name, fallback) {
    const raw = _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getInput */ .V4(name).trim().toLowerCase();
    if (raw === '')
        return fallback;
    if (['true', 'yes', '1', 'on'].includes(raw))
        return true;
    if (['false', 'no', '0', 'off'].includes(raw))
        return false;
    throw new _engine_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`input "${name}" is "${raw}": expected true or false.`);
}
function runUrl() {
    const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = process.env;
    return server && repo && id ? `${server}/${repo}/actions/runs/${id}` : undefined;
}
async function runAction(fixedPhase) {
    try {
        const phaseName = fixedPhase ?? _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getInput */ .V4(INPUT.phase, { required: true }).trim();
        const phase = (0,_phases_registry_js__WEBPACK_IMPORTED_MODULE_4__/* .getPhase */ .WH)(phaseName);
        const planFile = _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getInput */ .V4(INPUT.plan) || DEFAULT_PLAN;
        const dryRun = getInputAsBool(INPUT.dryRun, false);
        const force = getInputAsBool(INPUT.force, false);
        const actor = process.env.GITHUB_ACTOR;
        const inputs = {};
        for (const i of phase.inputs)
            inputs[i.name] = _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getInput */ .V4(i.name) || i.default;
        const { result } = await (0,_phases_runner_js__WEBPACK_IMPORTED_MODULE_6__/* .runPhase */ .P)({
            phase: phase.name,
            planFile,
            stack: _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getInput */ .V4(INPUT.stack) || undefined,
            dryRun,
            journalFile: _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getInput */ .V4(INPUT.journal) || DEFAULT_JOURNAL,
            inputs,
            actor,
            runUrl: runUrl(),
            force: force ? { by: actor ?? 'unknown', reason: _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getInput */ .V4(INPUT.forceReason) || 'no reason given' } : undefined,
            progress: (e) => {
                if (e.type === 'step-end') {
                    const r = e.record;
                    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`${r.stack ? `[${r.stack}] ` : ''}${r.phase}/${r.step} ${r.target}: ${r.outcome}${r.action ? ` (${r.action})` : ''}${r.error ? `: ${r.error}` : ''}`);
                }
                else if (e.type === 'retry') {
                    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`${e.stack ? `[${e.stack}] ` : ''}${e.phase}/${e.step}: retry ${e.attempt} in ${e.delayMs} ms after ${e.reason}`);
                }
                else if (e.type === 'info') {
                    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`${e.stack ? `[${e.stack}] ` : ''}${e.message}`);
                }
            },
        });
        for (const [k, v] of Object.entries(result.outputs))
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(k, v);
        await _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .summary */ .z.addRaw((0,_phases_render_js__WEBPACK_IMPORTED_MODULE_5__/* .resultMarkdown */ .N)(phase.title, result)).write();
        for (const row of result.rows.filter((r) => r.status === 'fail')) {
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .error */ .z3(`${row.stack ? `${row.stack}: ` : ''}${row.item}: ${row.detail}`, { title: phase.title });
        }
        if (!result.ok)
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setFailed */ .C1(`${phase.title} failed: ${result.rows.filter((r) => r.status === 'fail').length} check(s) did not pass (see the job summary).`);
    }
    catch (err) {
        await fail(err);
    }
}
async function fail(err) {
    if (err instanceof _plan_load_js__WEBPACK_IMPORTED_MODULE_3__/* .PlanError */ .W6) {
        for (const p of err.problems) {
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .error */ .z3(`${p.path ? `${p.path}: ` : ''}${p.message}`, {
                title: 'DR plan problem',
                file: p.file,
                startLine: p.line,
                startColumn: p.column,
            });
        }
        const rows = err.problems.map((p) => `| ${p.line}:${p.column} | \`${p.path}\` | ${p.message.replace(/\|/g, '\\|')} |`);
        await _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .summary */ .z
            .addRaw(['## DR plan is invalid', '', '| Line | Field | Problem |', '| --- | --- | --- |', ...rows, ''].join('\n'))
            .write()
            .catch(() => undefined);
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setFailed */ .C1(`The DR plan ${err.problems[0]?.file ?? ''} has ${err.problems.length} problem(s); each is annotated on its line.`);
        return;
    }
    if (err instanceof _engine_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo || err instanceof _engine_step_js__WEBPACK_IMPORTED_MODULE_2__/* .StepFailed */ .an) {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setFailed */ .C1(err.message);
        return;
    }
    const e = err;
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .debug */ .Yz(e?.stack ?? String(err));
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setFailed */ .C1(e?.message ?? String(err));
}


/***/ })

};
