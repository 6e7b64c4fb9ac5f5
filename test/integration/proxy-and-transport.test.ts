// Proxies from the environment (CONNECT for https, absolute-form for http, NO_PROXY) and the
// rule that credentials never travel over plain HTTP to a host that is not loopback unless
// OCI:AllowInsecureCredentials allows it. The registry names here are resolved by the fake proxy.
import { afterAll, describe, expect, it } from 'vitest';
import { loadTestEnv } from '../harness/test-env.js';
import { startForwardProxy } from '../fakes/forward-proxy.js';
import type { Running } from '../fakes/listen.js';
import { startStatusRegistry } from '../fakes/status-registry.js';
import { redactText } from '../../src/util/redact.js';
import { CHECK, check } from './doctor.js';

const env = loadTestEnv();
const fakes: Running[] = [];
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

async function proxy(options: { requireAuth?: boolean } = {}) {
  const p = await startForwardProxy(options);
  fakes.push(p);
  return p;
}

describe('proxies', () => {
  it('reaches an https registry through HTTPS_PROXY with CONNECT', async () => {
    const p = await proxy();

    const result = await check(
      CHECK.credentials,
      {
        'OCI:RegistryUrl': env.registries.basic.url,
        'OCI:CaCertificatePath': env.caCertPath,
        'OCI:Username': 'admin',
        'OCI:Password': env.users.admin.password,
      },
      { env: { HTTPS_PROXY: p.url } },
    );

    expect(result.severity).toBe('pass');
    expect(p.records.length).toBeGreaterThan(0);
    expect(
      p.records.every((r) => r.kind === 'connect' && r.target === env.registries.basic.host && !r.hadAuthorization),
    ).toBe(true);
  });

  it('fails with the proxy cause when the proxy demands authentication', async () => {
    const p = await proxy({ requireAuth: true });

    const result = await check(
      CHECK.registry,
      { 'OCI:RegistryUrl': env.registries.basic.url, 'OCI:CaCertificatePath': env.caCertPath },
      { env: { HTTPS_PROXY: p.url } },
    );

    expect(result.severity).toBe('fail');
    expect(result.evidence.error_class).toBe('proxy');
    expect(result.diagnosis).toContain('407');
  });

  it('sends proxy credentials from the proxy URL, and never reveals them', async () => {
    const p = await proxy({ requireAuth: true });
    const proxyUrl = p.url.replace('http://', 'http://corp-user:proxy-Pa55-canary@');

    const result = await check(
      CHECK.registry,
      { 'OCI:RegistryUrl': env.registries.basic.url, 'OCI:CaCertificatePath': env.caCertPath },
      { env: { HTTPS_PROXY: proxyUrl } },
    );

    expect(result.severity).toBe('pass');
    expect(p.records.some((r) => r.hadProxyAuthorization)).toBe(true);
    expect(redactText(`proxy ${proxyUrl}`)).not.toContain('proxy-Pa55-canary');
  });

  it('goes direct for hosts in NO_PROXY', async () => {
    const p = await proxy();

    const result = await check(
      CHECK.registry,
      { 'OCI:RegistryUrl': env.registries.open.url },
      { env: { HTTP_PROXY: p.url, NO_PROXY: '127.0.0.1' } },
    );

    expect(result.severity).toBe('pass');
    expect(p.records).toEqual([]);
  });
});

describe('credentials over plain HTTP', () => {
  it('refuses to send a password to a non-loopback host over plain HTTP, and says so', async () => {
    const p = await proxy();
    const registry = await startStatusRegistry(401, { challenge: 'Basic realm="Registry Realm"' });
    fakes.push(registry);

    const result = await check(
      CHECK.credentials,
      {
        'OCI:RegistryUrl': `http://registry.example.test:${registry.port}`,
        'OCI:Username': 'admin',
        'OCI:Password': 'plain-http-secret',
      },
      { env: { HTTP_PROXY: p.url } },
    );

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain('Credentials were not sent');
    expect(result.evidence).toMatchObject({
      is_insecure_transport: true,
      blocked_url_host: `registry.example.test:${registry.port}`,
    });
    expect(registry.requests.length).toBe(1);
    expect(registry.requests.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('sends it when OCI:AllowInsecureCredentials=true', async () => {
    const p = await proxy();
    const registry = await startStatusRegistry(401, { challenge: 'Basic realm="Registry Realm"' });
    fakes.push(registry);

    const result = await check(
      CHECK.credentials,
      {
        'OCI:RegistryUrl': `http://registry.example.test:${registry.port}`,
        'OCI:Username': 'admin',
        'OCI:Password': 'plain-http-secret',
        'OCI:AllowInsecureCredentials': 'true',
      },
      { env: { HTTP_PROXY: p.url } },
    );

    expect(result.severity).toBe('fail');
    expect(result.evidence.status_code).toBe(401);
    expect(registry.requests.some((r) => r.authorization?.startsWith('Basic '))).toBe(true);
  });

  it('sends credentials over plain HTTP to loopback (local registries, tests)', async () => {
    const result = await check(CHECK.push, {
      'OCI:RegistryUrl': env.registries.open.url,
      'OCI:Username': 'admin',
      'OCI:Password': 'any-Passw0rd',
      'OCI:PushTestRepository': 'stellaops/loopback',
    });

    expect(result.severity).toBe('pass');
  });
});
