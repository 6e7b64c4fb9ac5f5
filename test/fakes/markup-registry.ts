// A registry that answers /v2/ like an open registry and refuses every manifest with 403 and an
// error body whose code and message are HTML (an <img onerror> and a <script>): what a hostile or
// broken front would send. The dashboard must show those characters, never run them.

import http from 'node:http';
import { listenLocal, type Running } from './listen.js';

export const MARKUP_CODE = '<img src=x onerror="window.__injected=1">';
export const MARKUP_MESSAGE = '<script>window.__injected=2</script><b>bold</b>';

export async function startMarkupRegistry(): Promise<Running> {
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('docker-distribution-api-version', 'registry/2.0');
    if (req.url === '/v2/' || req.url === '/v2') {
      res.end('{}');
      return;
    }
    res.statusCode = /\/manifests\//.test(req.url ?? '') ? 403 : 404;
    res.end(JSON.stringify({ errors: [{ code: MARKUP_CODE, message: MARKUP_MESSAGE }] }));
  });
  return listenLocal(server);
}
