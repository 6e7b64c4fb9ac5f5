// Imitates a corporate forward proxy: CONNECT tunnels for https and absolute-form requests for
// plain http, optionally demanding Proxy-Authorization (407). It resolves every host name to
// 127.0.0.1 — like a proxy-side hosts entry — so tests can use a non-loopback registry name while
// no traffic ever leaves this machine. Records what it was asked to do.
import http from 'node:http';
import net from 'node:net';
import { listenLocal, type Running } from './listen.js';

export interface ProxyRecord {
  kind: 'connect' | 'forward';
  target: string;
  hadProxyAuthorization: boolean;
  hadAuthorization: boolean;
}

export async function startForwardProxy(
  options: { requireAuth?: boolean } = {},
): Promise<Running & { records: ProxyRecord[] }> {
  const records: ProxyRecord[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? '/');
    records.push({
      kind: 'forward',
      target: target.host,
      hadProxyAuthorization: 'proxy-authorization' in req.headers,
      hadAuthorization: 'authorization' in req.headers,
    });
    if (options.requireAuth && !req.headers['proxy-authorization']) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="proxy"' }).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: Number(target.port || 80),
        path: target.pathname + target.search,
        method: req.method,
        headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req, client: net.Socket) => {
    const [, port] = (req.url ?? '').split(':');
    records.push({
      kind: 'connect',
      target: req.url ?? '',
      hadProxyAuthorization: 'proxy-authorization' in req.headers,
      hadAuthorization: 'authorization' in req.headers,
    });
    sockets.add(client);
    client.on('error', () => undefined);
    if (options.requireAuth && !req.headers['proxy-authorization']) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="proxy"\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(port), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
  });
  const running = await listenLocal(server);
  return {
    ...running,
    records,
    close: async () => {
      for (const s of sockets) s.destroy();
      await running.close();
    },
  };
}
