// Imitates broken and hostile registries: an endless body, a malformed challenge, a redirect loop,
// a token service that answers HTML or an endless stream. The doctor must give a verdict for each,
// never a crash, a hang or an unbounded read.
import http from 'node:http';
import { listenLocal, type Running } from './listen.js';

export type HostileMode = 'endless-body' | 'garbage-challenge' | 'redirect-loop' | 'token-html' | 'token-endless' | 'not-json-error';

export async function startHostileRegistry(mode: HostileMode): Promise<Running & { bytesSent: () => number }> {
  let bytesSent = 0;
  /** Streams until the client goes away: one chunk per turn of the event loop, paced by drain. */
  const endless = (req: http.IncomingMessage, res: http.ServerResponse, type: string): void => {
    res.writeHead(200, { 'content-type': type });
    if (req.method === 'HEAD') return void res.end();
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let open = true;
    res.on('close', () => (open = false));
    const pump = (): void => {
      if (!open) return;
      bytesSent += chunk.length;
      if (res.write(chunk)) setImmediate(pump);
      else res.once('drain', pump);
    };
    pump();
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const self = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    switch (mode) {
      case 'endless-body':
        return endless(req, res, 'application/json');
      case 'garbage-challenge':
        return void res.writeHead(401, { 'www-authenticate': 'Bearer realm="https://unterminated, ,,=,"service' }).end();
      case 'redirect-loop':
        return void res.writeHead(302, { location: url.pathname.endsWith('/a') ? `${url.pathname.slice(0, -2)}/b` : `${url.pathname.replace(/\/b$/, '')}/a` }).end();
      case 'not-json-error':
        return void res.writeHead(url.pathname === '/v2/' ? 200 : 404, { 'content-type': 'text/html' }).end('<html><body>Not Found</body></html>');
      default: {
        if (url.pathname === '/token') return mode === 'token-html' ? void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>') : endless(req, res, 'application/json');
        return void res.writeHead(401, { 'www-authenticate': `Bearer realm="${self}/token",service="hostile"` }).end();
      }
    }
  });
  const running = await listenLocal(server);
  return { ...running, bytesSent: () => bytesSent };
}
