// Builds the dashboard served at /ops/doctor into dist/dashboard/: esbuild bundles the Preact app
// (src/dashboard/app.tsx) and its styles into content-hashed files, the icon is copied under a
// hashed name too, index.html gets those names, and each file is stored pre-compressed (.br, .gz)
// when that makes it smaller, so the server answers without compressing at request time. The
// server bundle reads these files; the CLI bundle knows nothing of them.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const SOURCE = 'src/dashboard';
const OUT = 'dist/dashboard';

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

const { metafile } = await build({
  entryPoints: [join(SOURCE, 'app.tsx'), join(SOURCE, 'dashboard.css')],
  outdir: OUT,
  entryNames: '[name]-[hash]',
  bundle: true,
  format: 'esm',
  minify: true,
  target: ['chrome109', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: join(SOURCE, 'tsconfig.json'),
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(metafile.outputs).map((path) => basename(path));
const named = (extension) => outputs.find((name) => name.endsWith(extension));

const icon = readFileSync(join(SOURCE, 'icon.svg'));
const iconName = `icon-${createHash('sha256').update(icon).digest('hex').slice(0, 8)}.svg`;
writeFileSync(join(OUT, iconName), icon);

const names = { js: named('.js'), css: named('.css'), icon: iconName };
const html = readFileSync(join(SOURCE, 'index.html'), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, key) => names[key]);
writeFileSync(join(OUT, 'index.html'), html);

for (const name of readdirSync(OUT)) {
  const body = readFileSync(join(OUT, name));
  const brotli = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  const gzip = gzipSync(body, { level: 9 });
  if (brotli.length < body.length) writeFileSync(join(OUT, `${name}.br`), brotli);
  if (gzip.length < body.length) writeFileSync(join(OUT, `${name}.gz`), gzip);
}
