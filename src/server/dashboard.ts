// Serves the dashboard (SPEC 7) from the files scripts/build-dashboard.mjs writes to dist/dashboard/:
// the shell at /ops/doctor (never cached, so a new build is picked up) and the content-hashed
// assets under /ops/doctor/assets/ (cached for a year), each answered pre-compressed (br or gzip)
// when the client accepts it. The shell and assets hold no data, so they need no token; every
// answer carries a Content-Security-Policy that allows this origin's scripts, styles and API only.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PACKAGE_ROOT } from '../version.js';

export const DASHBOARD_PATH = '/ops/doctor';
const ASSETS_PATH = `${DASHBOARD_PATH}/assets/`;
/** One file name under the assets path: no further segment, no escapes, so no other route matches. */
const ASSET_FILE = /^\/ops\/doctor\/assets\/[\w.-]+$/;

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

interface Asset {
  type: string;
  body: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

/** Whether a request path is the dashboard's shell or one of its assets (answered without the token). */
export function isDashboardShell(path: string): boolean {
  return path === DASHBOARD_PATH || path === `${DASHBOARD_PATH}/` || ASSET_FILE.test(path);
}

function readAssets(dir: URL): Map<string, Asset> | null {
  if (!existsSync(new URL('index.html', dir))) return null;
  const assets = new Map<string, Asset>();
  const read = (name: string) => {
    const file = new URL(name, dir);
    return existsSync(file) ? readFileSync(file) : undefined;
  };
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1)];
    if (!type) continue;
    assets.set(name, { type, body: read(name)!, br: read(`${name}.br`), gzip: read(`${name}.gz`) });
  }
  return assets;
}

/** Whether an Accept-Encoding header accepts `coding` (listed, and not with q=0). */
function acceptsEncoding(header: string | undefined, coding: string): boolean {
  return (header ?? '').split(',').some((entry) => {
    const [name, ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    const quality = params.find((p) => p.startsWith('q='));
    return name === coding && (quality === undefined || Number(quality.slice(2)) > 0);
  });
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset, cacheControl: string): FastifyReply {
  const accepts = (coding: string) => acceptsEncoding(request.headers['accept-encoding'], coding);
  const [encoding, body] =
    asset.br && accepts('br')
      ? ['br', asset.br]
      : asset.gzip && accepts('gzip')
        ? ['gzip', asset.gzip]
        : [undefined, asset.body];
  if (encoding) reply.header('content-encoding', encoding);
  return reply.header('vary', 'accept-encoding').header('cache-control', cacheControl).type(asset.type).send(body);
}

export function registerDashboard(app: FastifyInstance, dir = new URL('dist/dashboard/', PACKAGE_ROOT)): void {
  let assets: Map<string, Asset> | null | undefined;
  const loaded = (): Map<string, Asset> | null => (assets ??= readAssets(dir));

  app.addHook('onSend', async (request, reply, payload) => {
    if (isDashboardShell(request.url.split('?')[0]!)) {
      reply
        .header('content-security-policy', DASHBOARD_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('x-frame-options', 'DENY');
    }
    return payload;
  });

  const notBuilt = (reply: FastifyReply) =>
    reply.code(503).send({
      error: { code: 'dashboard_not_built', message: 'the dashboard is not built: run npm run build' },
    });

  const shell = async (request: FastifyRequest, reply: FastifyReply) => {
    const html = loaded()?.get('index.html');
    return html ? send(request, reply, html, 'no-cache') : notBuilt(reply);
  };
  app.get(DASHBOARD_PATH, { schema: { hide: true } }, shell);
  app.get(`${DASHBOARD_PATH}/`, { schema: { hide: true } }, shell);

  app.get<{ Params: { file: string } }>(`${ASSETS_PATH}:file`, { schema: { hide: true } }, async (request, reply) => {
    const all = loaded();
    if (!all) return notBuilt(reply);
    const asset = request.params.file === 'index.html' ? undefined : all.get(request.params.file);
    if (!asset) {
      return reply.code(404).send({ error: { code: 'not_found', message: 'no such dashboard asset' } });
    }
    return send(request, reply, asset, 'public, max-age=31536000, immutable');
  });
}
