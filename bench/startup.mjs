// Start-up cost of the CLI: wall time of `stella doctor list` and `stella doctor --help` as a
// ratio to `node -e 0` (target: list < 1.5x), peak memory (max RSS) of `list` next to `node -e 0`,
// and which of the project's modules `list` loads.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, STELLA, heading, measure, median, summary, timeCommand, verdict } from './lib.mjs';

const TARGET_RATIO = 1.5;
const RSS_RUNS = 5;
const node = process.execPath;

heading('start-up: stella doctor list / --help vs node -e 0');

const times = await measure({
  'node -e 0': { command: node, args: ['-e', '0'] },
  'stella doctor list': { command: node, args: [STELLA, 'doctor', 'list'] },
  'stella doctor --help': { command: node, args: [STELLA, 'doctor', '--help'] },
});
const base = median(times['node -e 0']);
for (const [name, values] of Object.entries(times)) {
  const ratio = median(values) / base;
  console.log(`  ${name.padEnd(22)} ${summary(values)}  ${ratio.toFixed(2)}x node`);
}
const listRatio = median(times['stella doctor list']) / base;
const fastestRatio = Math.min(...times['stella doctor list']) / Math.min(...times['node -e 0']);
console.log(`  list / node -e 0 = ${listRatio.toFixed(2)}x (target < ${TARGET_RATIO}x): ${verdict(listRatio < TARGET_RATIO)}` +
  `  [fastest runs: ${fastestRatio.toFixed(2)}x, ${(median(times['stella doctor list']) - base).toFixed(1)} ms over node]`);

heading('peak memory (max RSS)');
await reportMaxRss();

heading('modules loaded by `stella doctor list`');
await reportModules();

async function reportMaxRss() {
  const timeBin = '/usr/bin/time';
  const useTime = existsSync(timeBin);
  const method = useTime ? `${timeBin} -f %M` : 'process.resourceUsage().maxRSS at exit (--import preload)';
  const rss = async (args) => {
    const values = [];
    for (let i = 0; i < RSS_RUNS; i += 1) {
      const r = useTime
        ? await timeCommand(timeBin, ['-f', 'maxrss_kb=%M', node, ...args])
        : await timeCommand(node, ['--import', 'data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss_kb="+process.resourceUsage().maxRSS+"\\n"))', ...args]);
      const match = /maxrss_kb=(\d+)/.exec(r.stderr);
      if (!match) throw new Error(`no max RSS in output of ${args.join(' ')}: ${r.stderr.trim()}`);
      values.push(Number(match[1]));
    }
    return median(values);
  };
  const baseKb = await rss(['-e', '0']);
  const listKb = await rss([STELLA, 'doctor', 'list']);
  const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`;
  console.log(`  method: ${method}, median of ${RSS_RUNS}`);
  console.log(`  node -e 0            ${mb(baseKb).padStart(9)}`);
  console.log(`  stella doctor list   ${mb(listKb).padStart(9)}  (+${mb(listKb - baseKb)}, ${(listKb / baseKb).toFixed(2)}x)`);
}

async function reportModules() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-modules-'));
  const logPath = join(dir, 'modules.log');
  try {
    const r = await timeCommand(node, ['--import', join(ROOT, 'bench', 'trace-modules.mjs'), STELLA, 'doctor', 'list'], {
      env: { ...process.env, BENCH_MODULE_LOG: logPath },
    });
    if (r.code !== 0 || !existsSync(logPath)) {
      console.log(`  module trace unavailable (exit ${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`);
      return;
    }
    const urls = [...new Set(readFileSync(logPath, 'utf8').split('\n').filter(Boolean))];
    const project = urls.filter((u) => u.startsWith('file:')).map((u) => relative(ROOT, fileURLToPath(u)));
    const own = project.filter((p) => !p.startsWith('node_modules'));
    const deps = project.filter((p) => p.startsWith('node_modules'));
    const builtins = urls.filter((u) => u.startsWith('node:')).map((u) => u.slice(5));
    const distTotal = countJs(join(ROOT, 'dist'));
    console.log(`  project modules: ${own.length} (of ${distTotal} in dist/, plus bin/), node_modules: ${deps.length}`);
    console.log(`  built-ins first imported by the CLI: ${builtins.join(', ') || 'none'}`);
    const byDir = new Map();
    for (const p of own) {
      const d = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '.';
      byDir.set(d, [...(byDir.get(d) ?? []), p.slice(p.lastIndexOf('/') + 1).replace(/\.js$/, '')]);
    }
    for (const [d, files] of byDir) console.log(`    ${d}/: ${files.join(', ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function countJs(dir) {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) n += countJs(join(dir, entry.name));
    else if (entry.name.endsWith('.js')) n += 1;
  }
  return n;
}
