// Imitates a secrets manager of no particular product that reports its health the common way:
// `GET /health` → 200 `{"status":"UP"}` when healthy, 503 `{"status":"DOWN"}` when not, and — with
// `token` — 401 `{"error":"unauthorized"}` unless `Authorization: Bearer <token>` is sent. Every
// other path is 404. Records each request with its headers.

import http, { type IncomingHttpHeaders } from 'node:http';
import { listenLocal, type LoopbackAddress, type Running } from './listen.js';

export interface GenericHealthOptions {
  healthy?: boolean;
  /** The bearer token /health requires, if any. */
  token?: string;
  host?: LoopbackAddress;
}

export interface GenericRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export async function startGenericHealth(
  options: GenericHealthOptions = {},
): Promise<Running & { requests: GenericRequest[] }> {
  const requests: GenericRequest[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url !== '/health') return json(404, { error: 'not found' });
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`)
      return json(401, { error: 'unauthorized' });
    return options.healthy === false ? json(503, { status: 'DOWN' }) : json(200, { status: 'UP' });
  });
  return { ...(await listenLocal(server, 'http', options.host)), requests };
}
