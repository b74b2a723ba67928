// Preloaded (NODE_OPTIONS=--require) into every node process of a benchmarked nx run. In a
// process that loads the plugin's agent executor it records, inside that process: when the
// process started, how long the executor module took to load, when the executor was called and
// returned, and when the process exited; one JSON line per process in BENCH_PROBE_FILE.
const Module = require('node:module');
const { appendFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  const EXECUTOR = /nx-agent-orchestrator[\\/]dist[\\/]executors[\\/]agent[\\/](executor|batch)(\.js)?$/;
  const originalLoad = Module._load;
  const probe = {
    pid: process.pid,
    task: process.env.NX_TASK_TARGET_PROJECT && `${process.env.NX_TASK_TARGET_PROJECT}:${process.env.NX_TASK_TARGET_TARGET}`,
    processStart: performance.timeOrigin,
  };
  const now = () => performance.timeOrigin + performance.now();
  Module._load = function load(request, ...rest) {
    if (!EXECUTOR.test(request)) return originalLoad.call(this, request, ...rest);
    probe.loadStart = now();
    const loaded = originalLoad.call(this, request, ...rest);
    probe.loadEnd = now();
    probe.kind = EXECUTOR.exec(request)[1];
    const implementation = loaded.default;
    if (probe.kind === 'executor' && typeof implementation === 'function') {
      loaded.default = async function probedExecutor(...args) {
        probe.callStart = now();
        try {
          return await implementation.apply(this, args);
        } finally {
          probe.callEnd = now();
        }
      };
    }
    return loaded;
  };
  process.on('exit', () => {
    if (probe.loadStart === undefined) return;
    probe.exit = now();
    appendFileSync(file, `${JSON.stringify(probe)}\n`);
  });
}
