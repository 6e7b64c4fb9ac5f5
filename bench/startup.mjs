// Start-up cost of the CLI: wall time of `stella doctor list` and `stella doctor --help` as a
// ratio to `node -e 0` (target: list < 1.5x), peak memory (max RSS) of `list` next to `node -e 0`,
// and which modules `list` loads.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ROOT,
  STELLA,
  STELLA_NODE_ENTRY,
  heading,
  measure,
  median,
  summary,
  timeCommand,
  verdict,
  withPreload,
} from './lib.mjs';

const TARGET_RATIO = 1.5;
const RSS_RUNS = 5;
const node = process.execPath;

heading('start-up: stella doctor list / --help vs node -e 0');

// With NODE_EXTRA_CA_CERTS set (as on this machine), `node -e 0` pays for Node parsing that file
// and the `stella` command does not (see bin/stella); `node bin/stella.cjs doctor list` shows the
// CLI's start-up when Node does pay it.
const commands = {
  'node -e 0': { command: node, args: ['-e', '0'] },
  'stella doctor list': { command: STELLA, args: ['doctor', 'list'] },
  'stella doctor --help': { command: STELLA, args: ['doctor', '--help'] },
};
if (process.env.NODE_EXTRA_CA_CERTS) {
  commands['node bin/stella.cjs doctor list'] = { command: node, args: [STELLA_NODE_ENTRY, 'doctor', 'list'] };
  commands['node -e 0, NODE_EXTRA_CA_CERTS unset'] = {
    command: node,
    args: ['-e', '0'],
    env: { ...process.env, NODE_EXTRA_CA_CERTS: '' },
  };
}
const times = await measure(commands);
const base = median(times['node -e 0']);
for (const [name, values] of Object.entries(times)) {
  const ratio = median(values) / base;
  console.log(`  ${name.padEnd(38)} ${summary(values)}  ${ratio.toFixed(2)}x node`);
}
const listRatio = median(times['stella doctor list']) / base;
const fastestRatio = Math.min(...times['stella doctor list']) / Math.min(...times['node -e 0']);
console.log(
  `  list / node -e 0 = ${listRatio.toFixed(2)}x (target < ${TARGET_RATIO}x): ${verdict(listRatio < TARGET_RATIO)}` +
    `  [fastest runs: ${fastestRatio.toFixed(2)}x, ${(median(times['stella doctor list']) - base).toFixed(1)} ms over node]`,
);

heading('peak memory (max RSS)');
await reportMaxRss();

heading('modules loaded by `stella doctor list`');
await reportModules();

async function reportMaxRss() {
  const timeBin = '/usr/bin/time';
  const useTime = existsSync(timeBin);
  const method = useTime ? `${timeBin} -f %M` : 'process.resourceUsage().maxRSS at exit (bench/max-rss.mjs preloaded)';
  const rss = async (command) => {
    const values = [];
    for (let i = 0; i < RSS_RUNS; i += 1) {
      const r = useTime
        ? await timeCommand(timeBin, ['-f', 'maxrss_kb=%M', ...command])
        : await timeCommand(command[0], command.slice(1), {
            env: withPreload(process.env, join(ROOT, 'bench', 'max-rss.mjs')),
          });
      const match = /maxrss_kb=(\d+)/.exec(r.stderr);
      if (!match) throw new Error(`no max RSS in output of ${command.join(' ')}: ${r.stderr.trim()}`);
      values.push(Number(match[1]));
    }
    return median(values);
  };
  const baseKb = await rss([node, '-e', '0']);
  const listKb = await rss([STELLA, 'doctor', 'list']);
  const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`;
  console.log(`  method: ${method}, median of ${RSS_RUNS}`);
  console.log(`  node -e 0            ${mb(baseKb).padStart(9)}`);
  console.log(
    `  stella doctor list   ${mb(listKb).padStart(9)}  (+${mb(listKb - baseKb)}, ${(listKb / baseKb).toFixed(2)}x)`,
  );
}

async function reportModules() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-modules-'));
  const logPath = join(dir, 'modules.log');
  try {
    const r = await timeCommand(STELLA, ['doctor', 'list'], {
      env: withPreload(process.env, join(ROOT, 'bench', 'trace-modules.mjs'), { BENCH_MODULE_LOG: logPath }),
    });
    if (r.code !== 0 || !existsSync(logPath)) {
      console.log(`  module trace unavailable (exit ${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`);
      return;
    }
    const urls = [...new Set(readFileSync(logPath, 'utf8').split('\n').filter(Boolean))];
    const project = urls.filter((u) => u.startsWith('file:')).map((u) => relative(ROOT, fileURLToPath(u)));
    const own = project.filter((p) => !p.startsWith('node_modules') && !p.startsWith('bench/'));
    const deps = project.filter((p) => p.startsWith('node_modules'));
    const builtins = urls.filter((u) => u.startsWith('node:')).map((u) => u.slice(5));
    // bin/stella.cjs compiles the bundle itself (with its code cache), so the loader never sees it.
    const files = [...own, 'dist/stella.cjs', 'dist/stella.cjs.v8-cache'].filter((p) => existsSync(join(ROOT, p)));
    console.log(
      `  project modules: ${own.length} through Node's loader, plus the bundle and its code cache read by bin/stella.cjs; node_modules: ${deps.length}`,
    );
    for (const p of files) console.log(`    ${p} (${(statSync(join(ROOT, p)).size / 1024).toFixed(0)} KB)`);
    console.log(`  Node built-ins loaded by the CLI: ${builtins.join(', ') || 'none'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
