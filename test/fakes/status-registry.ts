// Imitates a registry front that answers every request with one fixed status: an unhealthy
// backend (500/503), a web application firewall or IP allowlist (403), a rate limiter (429 with
// Retry-After and a TOOMANYREQUESTS body), or an htpasswd registry on plain HTTP (401 with a
// Basic challenge). Records the requests it saw.

import http from 'node:http';
import { listenLocal, type Running } from './listen.js';

export interface SeenRequest {
  method: string;
  url: string;
  authorization: string | undefined;
}

const CODES: Record<number, string> = {
  401: 'UNAUTHORIZED',
  403: 'DENIED',
  429: 'TOOMANYREQUESTS',
  500: 'UNKNOWN',
  503: 'UNAVAILABLE',
};

export async function startStatusRegistry(
  status: number,
  options: { challenge?: string } = {},
): Promise<Running & { requests: SeenRequest[] }> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (status === 429) headers['retry-after'] = '30';
    if (options.challenge) headers['www-authenticate'] = options.challenge;
    res.writeHead(status, headers);
    res.end(JSON.stringify({ errors: [{ code: CODES[status] ?? 'UNKNOWN', message: `fixed answer ${status}` }] }));
  });
  return { ...(await listenLocal(server)), requests };
}
