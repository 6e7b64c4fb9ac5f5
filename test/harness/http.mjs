// A minimal HTTP(S) client on node:http/node:https for the harness and the tests: one request, no
// redirects followed, an optional extra CA for the test registries' certificates.
import http from 'node:http';
import https from 'node:https';

/** Sent unless a request sets its own, so harness traffic is easy to tell apart in access logs. */
export const USER_AGENT = 'stella-test-harness';

/**
 * Sends one request and collects the whole response.
 * @param {string | URL} url
 * @param {{ method?: string, headers?: Record<string, string>, body?: string | Buffer, ca?: string | Buffer, timeoutMs?: number }} [options]
 * @returns {Promise<{ status: number, headers: import('node:http').IncomingHttpHeaders, body: Buffer }>}
 */
export function request(url, { method = 'GET', headers = {}, body, ca, timeoutMs = 10_000 } = {}) {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  const payload = body === undefined ? undefined : Buffer.from(body);
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      {
        method,
        agent: false,
        ca,
        timeout: timeoutMs,
        headers: {
          'user-agent': USER_AGENT,
          ...(payload ? { 'content-length': String(payload.length) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${target} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The value of an `Authorization: Basic` header. */
export function basicAuth(username, password) {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
