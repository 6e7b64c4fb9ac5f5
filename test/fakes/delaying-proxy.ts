// Forwards every request to a real registry after a fixed delay, so a run lasts long enough for
// a test to watch its checks complete one after another.

import http from 'node:http';
import { listenLocal, type Running } from './listen.js';

export async function startDelayingProxy(target: string, delayMs: number): Promise<Running> {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    setTimeout(() => {
      const forward = http.request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      req.pipe(forward);
    }, delayMs);
  });
  return listenLocal(server);
}
