// The HTTP layer's trust decisions against a real TLS registry: an extra CA is tried alone first
// and the system roots are added only for a host that needs them, without ever trusting less.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type tls from 'node:tls';
import { describe, expect, it, vi } from 'vitest';
import { HttpClient } from '../../src/net/http-client.js';
import { loadTestEnv } from '../harness/test-env.js';

const env = loadTestEnv();
const testCa = readFileSync(env.caCertPath, 'utf8');
const unrelatedCa = readFileSync(env.certs.untrusted.certPath, 'utf8');
const v2 = new URL(`${env.registries.basic.url}/v2/`);

describe('HttpClient trust', () => {
  it('verifies with the extra CA alone', async () => {
    const client = new HttpClient({ caPem: testCa, systemRoots: [], timeoutMs: 5000 });

    const res = await client.request({ method: 'GET', url: v2 });

    expect(res.status).toBe(401);
    expect(res.tls?.subject).toContain('CN=');
    client.close();
  });

  it('adds the system roots for a host the extra CA does not cover, and remembers it', async () => {
    // Here the "system roots" hold the CA that really signed the registry; the extra CA is unrelated.
    const client = new HttpClient({ caPem: unrelatedCa, systemRoots: [testCa], timeoutMs: 5000 });
    const connect = vi.spyOn(https.Agent.prototype, 'createConnection');

    const first = await client.request({ method: 'GET', url: v2 });
    const connectsForFirst = connect.mock.calls.length;
    const second = await client.request({ method: 'GET', url: v2 });
    const trusts = connect.mock.calls.map(([options]) => (options as tls.ConnectionOptions).secureContext);
    connect.mockRestore();

    expect([first.status, second.status]).toEqual([401, 401]);
    // The first request: a handshake with the extra CA alone, then one with the roots added.
    expect(connectsForFirst).toBe(2);
    expect(trusts[1]).not.toBe(trusts[0]);
    // The second request never tries the extra CA alone again.
    expect(trusts.filter((trust) => trust === trusts[0])).toHaveLength(1);
    client.close();
  });

  it('still refuses a certificate that neither the roots nor the extra CA sign, without looping', async () => {
    const client = new HttpClient({ caPem: unrelatedCa, systemRoots: [], timeoutMs: 5000 });

    await expect(client.request({ method: 'GET', url: v2 })).rejects.toMatchObject({ errorClass: 'tls_untrusted' });
    client.close();
  });
});
