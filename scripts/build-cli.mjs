// Bundles the CLI into one file, dist/stella.cjs, loaded by bin/stella.cjs. Start-up is most of
// a run's cost (see bench/), and one file loads faster than the ~40 modules tsc emits: Node
// resolves, reads and links each ESM module separately. The bundle is CommonJS, required from a
// CommonJS entry, for two measured reasons: esbuild keeps each module's require() of a Node
// built-in inside that module's lazy initialiser, so `stella doctor list` never loads https, tls
// or crypto (an ESM bundle hoists every import to the top); and a CommonJS file required from
// CommonJS skips the export scan Node runs when ESM imports CommonJS. dist/ keeps tsc's ESM build
// for the library entry (runDoctor). import.meta.url, used to find package.json and the docs, is
// given the bundle's own file URL; the bundle sits in dist/ like the module it replaces.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/stella.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  define: { 'import.meta.url': 'bundleFileUrl' },
  banner: { js: 'const bundleFileUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: 'warning',
});
