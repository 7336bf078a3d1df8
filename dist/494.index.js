export const id = 494;
export const ids = [494];
export const modules = {

/***/ 85494:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runCli: () => (/* binding */ runCli)
});

// EXTERNAL MODULE: ./node_modules/commander/esm.mjs
var esm = __webpack_require__(48179);
// EXTERNAL MODULE: ./src/engine/errors.ts
var errors = __webpack_require__(17679);
// EXTERNAL MODULE: ./src/engine/journal.ts
var engine_journal = __webpack_require__(95545);
// EXTERNAL MODULE: ./src/engine/step.ts
var step = __webpack_require__(40614);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/plan/load.ts + 3 modules
var load = __webpack_require__(601);
// EXTERNAL MODULE: ./src/phases/registry.ts + 1 modules
var registry = __webpack_require__(30632);
// EXTERNAL MODULE: ./src/phases/render.ts
var render = __webpack_require__(26958);
// EXTERNAL MODULE: ./src/phases/runner.ts
var runner = __webpack_require__(27248);
;// CONCATENATED MODULE: ./src/cli/progress.ts

const MARK = {
    done: 'done   ',
    skipped: 'ok     ',
    'would-do': 'would  ',
    failed: 'FAILED ',
    refused: 'REFUSED',
    observed: 'seen   ',
};
function progressPrinter(io, start = Date.now()) {
    const t = () => `+${((Date.now() - start) / 1000).toFixed(1).padStart(6)}s`;
    return (e) => {
        if (e.type === 'step-end') {
            const r = e.record;
            const what = r.outcome === 'skipped' ? 'already as wanted' : (r.action ?? '');
            io.out(`${t()}  ${MARK[r.outcome] ?? r.outcome}  ${(r.stack ?? '-').padEnd(6)} ${`${r.phase}/${r.step}`.padEnd(28)} ${r.target}  ${what}${r.error ? ` :: ${r.error}` : ''} (${(0,step/* formatMs */._V)(r.durationMs)})`);
        }
        else if (e.type === 'retry') {
            io.out(`${t()}  retry    ${(e.stack ?? '-').padEnd(6)} ${`${e.phase}/${e.step}`.padEnd(28)} attempt ${e.attempt}, next in ${(0,step/* formatMs */._V)(e.delayMs)}: ${e.reason}`);
        }
        else if (e.type === 'info') {
            io.out(`${t()}  ${' '.repeat(7)}  ${(e.stack ?? '-').padEnd(6)} ${e.message}`);
        }
    };
}

;// CONCATENATED MODULE: ./src/cli/main.ts
/**
 * `aegis-dr`: the command line tool over the same phases as the Actions, for when GitHub itself
 * is degraded during a regional outage, and for drills on a laptop.
 */











const stdio = {
    out: (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
    err: (s) => process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
};
const plugins = [];
function registerCommand(p) {
    plugins.push(p);
}
async function validatePlanFile(file) {
    let text;
    try {
        text = await (0,promises_.readFile)(file, 'utf8');
    }
    catch (err) {
        const code = err.code ?? 'unreadable';
        const problems = [
            { file, line: 1, column: 1, path: '', message: `the plan file cannot be read (${code}): check the path.` },
        ];
        return { plan: undefined, problems };
    }
    return (0,load/* validatePlanText */.tP)(text, external_node_path_default().resolve(file));
}
function collect(value, prev) {
    const i = value.indexOf('=');
    if (i <= 0)
        throw new errors/* UserError */.yo(`--input "${value}" is not NAME=VALUE: write it as --input incident-class=region-outage.`);
    return { ...prev, [value.slice(0, i)]: value.slice(i + 1) };
}
function buildProgram(io, setExit) {
    const program = new esm/* Command */.uB('aegis-dr')
        .description('Run the Cloud Aegis DR runbook as an auditable, re-runnable pipeline.')
        .showHelpAfterError()
        .exitOverride()
        .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
    program
        .command('validate')
        .description('Validate a DR plan; exit 0 when valid, 1 when not (every problem as file:line:column).')
        .argument('<plan>', 'the plan file')
        .option('--json', 'print the result as JSON')
        .action(async (file, opts) => {
        const { plan, problems } = await validatePlanFile(file);
        if (opts.json) {
            io.out(JSON.stringify({ valid: problems.length === 0, stacks: plan?.stackNames ?? [], problems }, null, 2));
        }
        else if (problems.length === 0 && plan) {
            io.out(`${file}: valid (stacks: ${plan.stackNames.join(', ')})`);
        }
        else {
            for (const p of problems)
                io.err(`${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
            io.err(`${file}: ${problems.length} problem(s)`);
        }
        setExit(problems.length === 0 ? 0 : 1);
    });
    program
        .command('phases')
        .description('List the phases and what each does.')
        .option('--json', 'print as JSON')
        .action((opts) => {
        if (opts.json) {
            io.out(JSON.stringify(registry/* PHASES */.ZG.map((p) => ({ name: p.name, title: p.title, description: p.description, inputs: p.inputs, outputs: p.outputs })), null, 2));
            return;
        }
        const w = Math.max(...registry/* PHASES */.ZG.map((p) => p.name.length));
        for (const p of registry/* PHASES */.ZG)
            io.out(`${p.name.padEnd(w)}  ${p.description}`);
    });
    program
        .command('run')
        .description('Run one phase of the runbook against the estate a plan describes.')
        .argument('<phase>', `one of: ${registry/* PHASES */.ZG.map((p) => p.name).join(', ')}`)
        .requiredOption('--plan <file>', 'the DR plan file')
        .option('--stack <name>', 'one stack (or a comma list); default: every stack in the plan')
        .option('--dry-run', 'print what would change and make no mutating call')
        .option('--journal <file>', 'append journal records to this file', 'aegis-dr-journal.jsonl')
        .option('--input <name=value>', 'a phase input (repeatable), e.g. incident-class=region-outage', collect, {})
        .option('--force <reason>', 'override a safety refusal; the journal records who and why')
        .option('--json', 'print the result as JSON')
        .action(async (phaseName, opts) => {
        const phase = (0,registry/* getPhase */.WH)(phaseName);
        const inputs = {};
        for (const i of phase.inputs)
            inputs[i.name] = opts.input[i.name] ?? i.default;
        for (const k of Object.keys(opts.input)) {
            if (!phase.inputs.some((i) => i.name === k)) {
                throw new errors/* UserError */.yo(`--input ${k} is not an input of phase ${phase.name}: expected one of ${phase.inputs.map((i) => i.name).join(', ') || '(none)'}.`);
            }
        }
        const user = process.env.USER ?? process.env.USERNAME ?? 'cli';
        const { result } = await (0,runner/* runPhase */.P)({
            phase: phase.name,
            planFile: opts.plan,
            stack: opts.stack,
            dryRun: opts.dryRun,
            journalFile: opts.journal,
            inputs,
            actor: user,
            force: opts.force ? { by: user, reason: opts.force } : undefined,
            progress: opts.json ? undefined : progressPrinter(io),
        });
        if (opts.json)
            io.out(JSON.stringify(result, null, 2));
        else
            io.out((0,render/* resultText */.D)(phase.title, result));
        setExit(result.ok ? 0 : 1);
    });
    const journal = program.command('journal').description('Work with journals.');
    journal
        .command('verify')
        .description('Check a journal hash chain; exit 0 when intact, 1 when a record was edited, removed or reordered.')
        .argument('<file>', 'the journal (JSON lines)')
        .option('--json', 'print the result as JSON')
        .action((file, opts) => {
        const r = (0,engine_journal/* verifyJournal */.Tc)(file);
        if (opts.json)
            io.out(JSON.stringify(r, null, 2));
        else if (r.ok)
            io.out(`${file}: intact, ${r.count} record(s) in ${r.runs.length} run(s)`);
        else
            io.err(`${file}: TAMPERED at record ${r.badSeq}: ${r.reason}`);
        setExit(r.ok ? 0 : 1);
    });
    for (const p of plugins)
        p(program, io, setExit);
    return program;
}
/** Run the CLI; returns the exit code (never throws for a user's mistake). */
async function main(argv, io = stdio) {
    let code = 0;
    const program = buildProgram(io, (c) => (code = c));
    program.addOption(new esm/* Option */.c$('--no-color', 'plain output').hideHelp());
    try {
        await program.parseAsync(argv, { from: 'user' });
        return code;
    }
    catch (err) {
        if (err instanceof esm/* CommanderError */.b7)
            return err.exitCode === 0 ? 0 : 2;
        if (err instanceof load/* PlanError */.W6) {
            for (const p of err.problems)
                io.err(`${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
            io.err(`the plan has ${err.problems.length} problem(s); nothing was contacted.`);
            return 1;
        }
        if (err instanceof errors/* UserError */.yo || err instanceof step/* StepFailed */.an) {
            io.err(`error: ${err.message}`);
            return 1;
        }
        const e = err;
        io.err(`error: ${e?.message ?? String(err)}`);
        if (process.env.AEGIS_DR_DEBUG)
            io.err(e?.stack ?? '');
        return 1;
    }
}

;// CONCATENATED MODULE: ./src/cli/commands.ts


function speedOf(v) {
    if (v === undefined)
        return undefined;
    const n = Number(v);
    if (!(n > 0))
        throw new Error(`--speed is "${v}": expected a number above 0 (600 makes a 120 s failover take 0.2 s).`);
    return n;
}
registerCommand((program, io, setExit) => {
    program
        .command('sandbox')
        .description('Start the embedded multi-cloud sandbox on 127.0.0.1 and serve until interrupted.')
        .requiredOption('--out <dir>', 'where to write plan.yml, kubeconfig and endpoints.json')
        .option('--scenario <name>', 'inject a scenario at start (region-outage, database-corruption, ...)')
        .option('--speed <n>', 'divide every cloud duration by this', '600')
        .option('--builtin-prometheus', 'answer the plan queries in-process even when Prometheus is installed')
        .action(async (opts) => {
        const { startSandbox } = await Promise.all(/* import() */[__webpack_require__.e(820), __webpack_require__.e(664)]).then(__webpack_require__.bind(__webpack_require__, 99664));
        const { scenarioNames } = await __webpack_require__.e(/* import() */ 820).then(__webpack_require__.bind(__webpack_require__, 74820));
        const sb = await startSandbox({
            outDir: opts.out,
            scenario: opts.scenario,
            speed: speedOf(opts.speed),
            prometheus: opts.builtinPrometheus ? 'builtin' : 'auto',
        });
        for (const n of sb.notes)
            io.out(`note: ${n}`);
        io.out(`plan:       ${sb.planFile}`);
        io.out(`kubeconfig: ${sb.kubeconfigFile}`);
        io.out(`endpoints:  ${opts.out.replace(/\/+$/, '')}/endpoints.json`);
        for (const [k, v] of Object.entries(sb.endpoints))
            io.out(`  ${k.padEnd(26)} ${v}`);
        io.out(`scenarios: ${scenarioNames().join(', ')} (POST ${sb.endpoints.control}/_sandbox/scenario {"name":"..."})`);
        io.out('serving; press Ctrl-C to stop');
        await new Promise((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
        });
        await sb.close();
        setExit(0);
    });
    program
        .command('drill')
        .description('Run a full DR drill: on the embedded sandbox (no cloud account) unless --plan is given: scenario, triggers, readiness, failover, verify, failback, verify; prints the timeline and RTO/RPO per stack.')
        .option('--plan <file>', 'drill against the estate of this plan instead of the sandbox (use --dry-run for a rehearsal)')
        .option('--scenario <name>', 'sandbox scenario to inject', 'region-outage')
        .option('--class <class>', 'incident class (default: from the scenario)')
        .option('--stack <name>', 'one stack (or a comma list); default: all')
        .option('--dry-run', 'print what would change and make no mutating call')
        .option('--speed <n>', 'sandbox speed factor', '600')
        .option('--journal <file>', 'journal file (default: in the drill folder)')
        .option('--out <dir>', 'drill folder for the journal, sandbox files and result (default: .aegis-dr/drill-<time>)')
        .option('--builtin-prometheus', 'do not start a real Prometheus even when installed')
        .option('--report <file>', 'also write the result, timeline and RTO/RPO table as Markdown to this file')
        .option('--json', 'print the result as JSON')
        .action(async (opts) => {
        const { runDrill, summaryText } = await __webpack_require__.e(/* import() */ 5).then(__webpack_require__.bind(__webpack_require__, 25005));
        const result = await runDrill({
            plan: opts.plan,
            scenario: opts.scenario,
            incidentClass: opts.class,
            stack: opts.stack,
            dryRun: opts.dryRun,
            speed: speedOf(opts.speed),
            journalFile: opts.journal,
            outDir: opts.out,
            prometheus: opts.builtinPrometheus ? 'builtin' : 'auto',
            progress: opts.json ? undefined : progressPrinter(io),
            log: opts.json ? undefined : (l) => io.out(l),
        });
        if (opts.report) {
            const { writeFileSync } = await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 73024, 23));
            writeFileSync(opts.report, `# DR drill report\n\n\`\`\`\n${summaryText(result)}\n\`\`\`\n\n## Timeline\n\n\`\`\`\n${result.timeline}\n\`\`\`\n`);
        }
        if (opts.json) {
            io.out(JSON.stringify(result, null, 2));
        }
        else {
            io.out('');
            io.out('Timeline');
            io.out(result.timeline);
            io.out('');
            io.out(summaryText(result));
        }
        setExit(result.ok ? 0 : 1);
    });
});

;// CONCATENATED MODULE: ./src/entries/cli.ts
/** The CLI half of the entry. */


async function runCli() {
    process.exitCode = await main(process.argv.slice(2));
}


/***/ })

};
