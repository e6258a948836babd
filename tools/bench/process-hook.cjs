// Loaded into every Node process of a profiled `nx` command through NODE_OPTIONS=--require
// (Node refuses --cpu-prof there). Each process writes <pid>.json into NX_DVC_BENCH_RUN_DIR as it
// exits: its role, its lifetime on the wall clock, its CPU time, its peak RSS, Nx's perf measures
// (NX_PERF_LOGGING) and, in a forked task process, when the executor's module was required and
// how long the executor function ran.
// With NX_DVC_BENCH_PROFILE_DIR set, the processes whose role matches NX_DVC_BENCH_PROFILE_ROLES
// (comma-separated prefixes) also write a CPU profile there.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { performance } = require('node:perf_hooks');

const dir = process.env.NX_DVC_BENCH_RUN_DIR;
if (dir) record(dir);

function record(dir) {
  const now = () => performance.timeOrigin + performance.now();
  const script = process.argv[1] || '';
  const role = roleOf(script);
  const entry = { pid: process.pid, role, start: performance.timeOrigin, bootstrapped: now() };
  fs.writeFileSync(path.join(dir, `${process.pid}.start`), '');
  if (role === 'task') timeExecutor(entry, now);
  const session = role !== 'other' && wantsProfile(role) ? startProfiler() : undefined;
  process.once('exit', () => {
    const usage = process.cpuUsage();
    entry.exit = now();
    entry.cpuMs = (usage.user + usage.system) / 1000;
    entry.maxRssKiB = process.resourceUsage().maxRSS;
    // Nx prints its perf measures (and nx-dvc's: checkout, fetch, push) from an observer that may not run before exit: read them here
    entry.measures = measuresSoFar();
    if (session) stopProfiler(session, role);
    // written whole, then renamed: the bench may read the folder while this process exits
    fs.writeFileSync(path.join(dir, `${process.pid}.partial`), JSON.stringify(entry));
    fs.renameSync(path.join(dir, `${process.pid}.partial`), path.join(dir, `${process.pid}.json`));
  });
}

function roleOf(script) {
  if (/run-executor\.js$/.test(script)) return 'task';
  if (/run-batch\.js$/.test(script)) return 'batch';
  if (/plugin-worker\.js$/.test(script)) return `worker:${path.basename(process.argv[3] || '?')}`;
  if (/[\\/]nx[\\/]bin[\\/]nx\.js$|[\\/]\.bin[\\/]nx$/.test(script)) return 'main';
  return 'other';
}

/** Times the require of the executor's module and each call of its default export. */
function timeExecutor(entry, now) {
  const executorModule = /(nx-dvc[\\/]dist[\\/]executors[\\/]\w+[\\/]executor|executors[\\/]run-commands[\\/]run-commands\.impl)(\.js)?$/;
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    if (entry.executor || !/executor|run-commands/.test(request)) return load.apply(this, arguments);
    let file;
    try {
      file = Module._resolveFilename(request, parent, isMain);
    } catch {
      return load.apply(this, arguments);
    }
    if (!executorModule.test(file)) return load.apply(this, arguments);
    entry.executor = path.basename(path.dirname(file)) === 'run-commands' ? 'run-commands' : path.basename(path.dirname(file));
    entry.requireStart = now();
    const exports = load.apply(this, arguments);
    entry.requireEnd = now();
    const original = exports.default;
    exports.default = async function timedExecutor(...args) {
      entry.callStart = now();
      try {
        return await original.apply(this, args);
      } finally {
        entry.callEnd = now();
      }
    };
    return exports;
  };
}

function measuresSoFar() {
  const measures = {};
  for (const e of performance.getEntriesByType('measure')) {
    const m = (measures[e.name] ??= { ms: 0, count: 0 });
    m.ms += e.duration;
    m.count++;
  }
  return measures;
}

function wantsProfile(role) {
  if (!process.env.NX_DVC_BENCH_PROFILE_DIR) return false;
  const roles = (process.env.NX_DVC_BENCH_PROFILE_ROLES || '').split(',').filter(Boolean);
  return roles.some((prefix) => role.startsWith(prefix));
}

function startProfiler() {
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  return session;
}

function stopProfiler(session, role) {
  // a same-thread session answers synchronously, so the file is written before the process ends
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    const name = `${role.replace(/[^\w-]/g, '_')}-${process.pid}.cpuprofile`;
    fs.writeFileSync(path.join(process.env.NX_DVC_BENCH_PROFILE_DIR, name), JSON.stringify(result.profile));
  });
}
