// Shared by the benchmarks: a timed child command with its peak memory, the machine's
// description, medians and number formatting, and the --json result file the suite reads.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const PAGE_KIB = 4; // /proc/<pid>/stat counts RSS in pages; 4 KiB on x86_64 and arm64 Linux

/**
 * Runs `command argv` under GNU `/usr/bin/time -f %M` and samples the RSS of its whole process
 * tree from /proc every `sampleMs`. Asynchronous, so that a server in this process can answer it.
 * Returns wall ms (spawn to the command's exit; helpers it leaves behind may hold its output open
 * a little longer), `maxRssKiB` (GNU time: the largest single process among those reaped, exact)
 * and `treeRssKiB` (the largest sum over the tree at one sample; misses processes that live
 * shorter than a sample), exit code and output. The command runs in its own process group,
 * killed whole after `timeoutMs`.
 */
export function timedCommand(command, argv, { cwd, env = process.env, sampleMs = 100, timeoutMs = 600_000 } = {}) {
  const scratch = mkdtempSync(join(os.tmpdir(), 'nx-dvc-bench-time-'));
  const timeFile = join(scratch, 'time');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let ms;
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', timeFile, command, ...argv], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const sampler = startTreeSampler(child.pid, sampleMs);
    const timer = setTimeout(() => killGroup(child.pid), timeoutMs);
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('exit', () => (ms = performance.now() - started));
    child.on('error', (error) => {
      clearTimeout(timer);
      sampler.stop();
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const treeRssKiB = sampler.stop();
      const maxRssKiB = readMaxRss(timeFile);
      rmSync(scratch, { recursive: true, force: true });
      resolve({
        ms: ms ?? performance.now() - started,
        code: code ?? (signal ? 128 : -1),
        maxRssKiB,
        treeRssKiB: Math.max(treeRssKiB, Number.isNaN(maxRssKiB) ? 0 : maxRssKiB),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
  });
}

function readMaxRss(timeFile) {
  try {
    return Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1));
  } catch {
    return NaN; // time wrote nothing: the command could not start
  }
}

export function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** `timedCommand`, throwing with the output's tail when the command fails. */
export async function timedCommandOk(command, argv, options) {
  const result = await timedCommand(command, argv, options);
  if (result.code !== 0) throw new Error(`${command} ${argv.join(' ')} exited with ${result.code}\n${(result.stdout + result.stderr).slice(-4000)}`);
  return result;
}

function startTreeSampler(rootPid, intervalMs) {
  let peak = 0;
  const sample = () => (peak = Math.max(peak, treeRssKiB(rootPid)));
  const timer = setInterval(sample, intervalMs);
  sample();
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/** Sum of the RSS of the descendants of `rootPid` (GNU time itself left out), from /proc/<pid>/stat. */
function treeRssKiB(rootPid) {
  const children = new Map();
  const rss = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // fields after the parenthesised command name: state ppid ... rss is field 24 overall
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    rss.set(Number(name), Number(fields[21]) * PAGE_KIB);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(name));
  }
  let total = 0;
  const stack = [...(children.get(rootPid) ?? [])];
  while (stack.length) {
    const pid = stack.pop();
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Date, CPU model (/proc/cpuinfo), cores, RAM, kernel, Node; the load average at this moment. */
export function describeMachine() {
  let model = os.cpus()[0]?.model?.trim() ?? 'unknown';
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? model;
  } catch {
    // not Linux
  }
  return {
    date: new Date().toISOString(),
    cpuModel: model,
    cores: os.availableParallelism(),
    ramGiB: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadavg: os.loadavg(),
  };
}

export function median(values) {
  const s = values.filter((v) => typeof v === 'number' && !Number.isNaN(v)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function formatMs(v) {
  if (v === undefined || Number.isNaN(v)) return 'n/a';
  if (Math.abs(v) >= 1000) return `${(v / 1000).toFixed(2)} s`;
  return `${v.toFixed(Math.abs(v) < 10 ? 1 : 0)} ms`;
}

export function formatKiB(kib) {
  if (kib === undefined || kib === null || Number.isNaN(kib)) return 'n/a';
  return kib >= 1024 * 1024 ? `${(kib / 1024 / 1024).toFixed(2)} GiB` : `${Math.round(kib / 1024)} MiB`;
}

/** `--name value`, `--name=value`, `--flag`, `--no-flag`. */
export function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(no-)?([\w-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unknown argument ${argv[i]}`);
    if (m[1]) out[m[2]] = false;
    else if (m[3] !== undefined) out[m[2]] = m[3];
    else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) out[m[2]] = argv[++i];
    else out[m[2]] = true;
  }
  return out;
}

/** The machine-readable result a benchmark hands to the suite (tools/bench/run.mjs) with --json. */
export function writeJsonResult(path, result) {
  if (path) writeFileSync(path, JSON.stringify(result, null, 2) + '\n');
}
