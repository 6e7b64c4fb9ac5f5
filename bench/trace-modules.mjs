// Records which modules a Node process loads, for bench/startup.mjs: preloaded (see withPreload in
// bench/lib.mjs), it registers a `load` hook (this same file, run in the hooks thread) that
// appends every ESM module URL to the file named by BENCH_MODULE_LOG, and at exit appends the
// public Node built-ins loaded after the preload (from process.moduleLoadList, which also sees
// CommonJS require() calls) as node:<name>. Only used for the module count, never while timing.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

let logPath;

if (isMainThread && process.env.BENCH_MODULE_LOG) {
  const log = process.env.BENCH_MODULE_LOG;
  register(import.meta.url, { data: { logPath: log } });
  const before = new Set(process.moduleLoadList);
  process.on('exit', () => {
    const builtins = process.moduleLoadList
      .filter((entry) => !before.has(entry) && entry.startsWith('NativeModule ') && !entry.includes('internal/'))
      .map((entry) => `node:${entry.slice('NativeModule '.length)}\n`);
    appendFileSync(log, builtins.join(''));
  });
}

export function initialize(data) {
  logPath = data?.logPath;
}

export async function load(url, context, nextLoad) {
  if (logPath) appendFileSync(logPath, `${url}\n`);
  return nextLoad(url, context);
}
