// Bundles the CLI into one file, dist/stella.cjs, and writes V8's compiled code for it next to it
// (dist/stella.cjs.v8-cache); bin/stella.cjs loads both. Start-up is most of a run's cost (see
// bench/), and each step here was measured on the full OCI suite:
// - One file loads faster than the ~40 modules tsc emits: Node resolves, reads and links each ESM
//   module separately.
// - The bundle is CommonJS, required from a CommonJS entry: esbuild keeps each module's require()
//   of a Node built-in inside that module's lazy initialiser, so `stella doctor list` never loads
//   https, tls or crypto (an ESM bundle hoists every import to the top); and CommonJS required from
//   CommonJS skips the export scan Node runs when ESM imports CommonJS.
// - The code cache holds every function of the bundle already compiled (compiled eagerly here,
//   lazily V8 would compile each on its first call, during the run): ~8 ms per run. V8 accepts it
//   only from the same V8 version and flags, and checks the source by length alone, so the cache
//   records the bundle's size and modification time and the Node version that made it, and
//   bin/stella.cjs ignores it when any differs. It is removed before the bundle is rewritten and
//   written under another name first, then renamed.
// - `serve` lives in a bundle of its own, dist/stella-server.cjs, required by the CLI bundle only
//   for that command, with the server's packages (Fastify, zod, prom-client, database drivers)
//   left in node_modules: the CLI bundle and its code cache stay the size they were, so
//   `stella doctor list` pays nothing for the server. The server bundle repeats the project code
//   it uses; the CLI recognises its configuration errors by name.
// dist/ keeps tsc's ESM build for the library entry (runDoctor). import.meta.url, used to find
// package.json and the docs, is given the bundle's own file URL; the bundle sits in dist/ like the
// module it replaces.
import { build } from 'esbuild';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import v8 from 'node:v8';
import { Script } from 'node:vm';

const BUNDLE = 'dist/stella.cjs';
const SERVER_BUNDLE = 'dist/stella-server.cjs';
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  define: { 'import.meta.url': 'bundleFileUrl' },
  banner: { js: 'const bundleFileUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: 'warning',
};

/** The CLI's imports of the server modules become a require of the server bundle. */
const serverBundleExternal = {
  name: 'server-bundle',
  setup(build) {
    build.onResolve({ filter: /\/server\/(serve|help)\.js$/ }, () => ({ path: './stella-server.cjs', external: true }));
  },
};
const CACHE = `${BUNDLE}.v8-cache`;

rmSync(CACHE, { force: true });
// bin/stella.cjs runs the bundle as a vm.Script, which has no import(): the server bundle is require()d.
await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: BUNDLE,
  plugins: [serverBundleExternal],
  supported: { 'dynamic-import': false },
});
await build({
  ...common,
  stdin: {
    contents: "export { serve } from './src/server/serve.ts';\nexport { serveHelpText } from './src/server/help.ts';\n",
    resolveDir: '.',
    loader: 'ts',
  },
  outfile: SERVER_BUNDLE,
});

// Compiled with lazy compilation off, so the cache holds every function; that flag is restored
// before the cache is written, because V8 refuses a cache made under other flags. A release V8
// trusts a cache's payload unless --verify-snapshot-checksum is on; a damaged cache would then
// crash the CLI, so bin/stella.cjs turns the check on, and the cache is made with it on too.
v8.setFlagsFromString('--verify-snapshot-checksum');
v8.setFlagsFromString('--no-lazy');
const script = new Script(Module.wrap(readFileSync(BUNDLE, 'utf8')), { filename: BUNDLE });
v8.setFlagsFromString('--lazy');
const bundle = statSync(BUNDLE);
const header = JSON.stringify({
  bundleSize: bundle.size,
  bundleMtimeMs: Math.floor(bundle.mtimeMs),
  node: process.version,
});
writeFileSync(`${CACHE}.tmp`, Buffer.concat([Buffer.from(`${header}\n`), script.createCachedData()]));
renameSync(`${CACHE}.tmp`, CACHE);
