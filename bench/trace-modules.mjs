// Records which modules a Node process loads, for bench/startup.mjs: preloaded with
// `node --import ./bench/trace-modules.mjs ...`, it registers a `load` hook (this same file, run
// in the hooks thread) that appends every loaded module URL to the file named by
// BENCH_MODULE_LOG. Only used for the module count, never while timing.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

let logPath;

if (isMainThread && process.env.BENCH_MODULE_LOG) {
  register(import.meta.url, { data: { logPath: process.env.BENCH_MODULE_LOG } });
}

export function initialize(data) {
  logPath = data?.logPath;
}

export async function load(url, context, nextLoad) {
  if (logPath) appendFileSync(logPath, `${url}\n`);
  return nextLoad(url, context);
}
