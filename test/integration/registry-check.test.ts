// check.integration.oci.registry against the real registries of the harness, and small fakes for
// what no real registry here shows (a hung backend, a 500, a 403, odd certificates).
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestEnv } from '../harness/test-env.js';
import { startHungRegistry } from '../fakes/hung-registry.js';
import { listenLocal, type Running } from '../fakes/listen.js';
import { startStatusRegistry } from '../fakes/status-registry.js';
import { CHECK, check } from './doctor.js';

const env = loadTestEnv();
const ca = env.caCertPath;

/** Imitates a registry whose TLS front serves the given certificate. */
async function startTlsRegistry(files: { certPath: string; keyPath: string }): Promise<Running> {
  const server = https.createServer(
    { cert: readFileSync(files.certPath), key: readFileSync(files.keyPath) },
    (_req, res) => {
      res.writeHead(200, { 'docker-distribution-api-version': 'registry/2.0' });
      res.end('{}');
    },
  );
  return listenLocal(server, 'https');
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  const running = await listenLocal(server);
  await running.close();
  return running.port;
}

describe('registry check against real registries', () => {
  it('passes on the open registry (200, no auth)', async () => {
    const result = await check(CHECK.registry, { 'OCI:RegistryUrl': env.registries.open.url });

    expect(result.severity).toBe('pass');
    expect(result.evidence).toMatchObject({
      status_code: 200,
      is_auth_required: false,
      auth_scheme: null,
      api_version: 'registry/2.0',
      tls_protocol: null,
    });
    expect(result.diagnosis).toContain('anonymous access');
  });

  it('passes on the htpasswd registry with the CA supplied, recording the Basic scheme and TLS facts', async () => {
    const result = await check(CHECK.registry, {
      'OCI:RegistryUrl': env.registries.basic.url,
      'OCI:CaCertificatePath': ca,
    });

    expect(result.severity).toBe('pass');
    expect(result.evidence).toMatchObject({ status_code: 401, is_auth_required: true, auth_scheme: 'basic' });
    expect(result.evidence.tls_san).toEqual(['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1']);
    expect(result.evidence.tls_days_remaining).toBeGreaterThan(300);
    expect(String(result.evidence.tls_protocol)).toMatch(/^TLSv1\.[23]$/);
    expect(String(result.evidence.tls_issuer)).toContain('CN=');
  });

  it('passes on the token registry, recording the Bearer scheme', async () => {
    const result = await check(CHECK.registry, {
      'OCI:RegistryUrl': env.registries.token.url,
      'OCI:CaCertificatePath': ca,
    });

    expect(result.severity).toBe('pass');
    expect(result.evidence).toMatchObject({ status_code: 401, is_auth_required: true, auth_scheme: 'bearer' });
  });

  it('fails with tls_untrusted when the CA is not supplied, still showing the certificate', async () => {
    const result = await check(CHECK.registry, { 'OCI:RegistryUrl': env.registries.basic.url });

    expect(result.severity).toBe('fail');
    expect(result.evidence.error_class).toBe('tls_untrusted');
    expect(result.evidence.tls_days_remaining).toBeGreaterThan(300);
    expect(result.diagnosis).toContain('OCI:CaCertificatePath');
    expect(result.remediation.steps.map((s) => s.environment)).toEqual(
      expect.arrayContaining(['compose', 'baremetal', 'kubernetes']),
    );
  });

  it('with OCI:SkipTlsVerify reaches an untrusted registry but warns that verification is off', async () => {
    const registry = await check(CHECK.registry, {
      'OCI:RegistryUrl': env.registries.basic.url,
      'OCI:SkipTlsVerify': 'true',
    });
    const credentials = await check(CHECK.credentials, {
      'OCI:RegistryUrl': env.registries.basic.url,
      'OCI:SkipTlsVerify': 'true',
      'OCI:Username': 'admin',
      'OCI:Password': env.users.admin.password,
    });

    expect(registry.severity).toBe('warn');
    expect(registry.evidence.is_tls_verify_skipped).toBe(true);
    expect(registry.diagnosis).toContain('TLS verification is switched off');
    expect(credentials.severity).toBe('pass');
  });

  it('fails with http_to_https for plain HTTP sent to the TLS port', async () => {
    const result = await check(CHECK.registry, { 'OCI:RegistryUrl': `http://${env.registries.basic.host}` });

    expect(result.severity).toBe('fail');
    expect(result.evidence.error_class).toBe('http_to_https');
    expect(result.remediation.steps.some((s) => s.command?.includes(`https://${env.registries.basic.host}`))).toBe(
      true,
    );
  });

  it('fails with https_to_http for TLS sent to the plain-HTTP port', async () => {
    const result = await check(CHECK.registry, { 'OCI:RegistryUrl': `https://${env.registries.open.host}` });

    expect(result.severity).toBe('fail');
    expect(result.evidence.error_class).toBe('https_to_http');
  });

  it('warns when the certificate expires within 14 days', async () => {
    const result = await check(CHECK.registry, {
      'OCI:RegistryUrl': env.registries.expiring.url,
      'OCI:CaCertificatePath': ca,
    });

    expect(result.severity).toBe('warn');
    expect(result.evidence.tls_days_remaining).toBeLessThan(14);
    expect(result.diagnosis).toMatch(/expires in \d day/);
  });

  it('fails with refused when nothing listens', async () => {
    const port = await closedPort();

    const result = await check(CHECK.registry, { 'OCI:RegistryUrl': `http://127.0.0.1:${port}` });

    expect(result.severity).toBe('fail');
    expect(result.evidence.error_class).toBe('refused');
  });

  it('skips when no registry is configured', async () => {
    const result = await check(CHECK.registry, {});

    expect(result.severity).toBe('skip');
    expect(result.diagnosis).toContain('OCI:RegistryUrl');
  });

  it('refuses a URL that is not http(s) as a configuration error, before any check runs', async () => {
    await expect(check(CHECK.registry, { 'OCI:RegistryUrl': 'ftp://127.0.0.1/' })).rejects.toThrow(
      'invalid OCI:RegistryUrl (--set): the scheme ftp: is not http or https',
    );
  });

  it('fails with a clear diagnosis when the CA file does not exist', async () => {
    const result = await check(CHECK.registry, {
      'OCI:RegistryUrl': env.registries.basic.url,
      'OCI:CaCertificatePath': '/nonexistent/ca.pem',
    });

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain('/nonexistent/ca.pem');
    expect(result.diagnosis).toContain('does not exist');
  });
});

describe('registry check against named fakes', () => {
  const fakes: Running[] = [];
  afterAll(async () => {
    await Promise.all(fakes.map((f) => f.close()));
  });

  it('fails within the timeout when the server accepts and never answers', async () => {
    const hung = await startHungRegistry();
    fakes.push(hung);
    const started = Date.now();

    const result = await check(CHECK.registry, { 'OCI:RegistryUrl': hung.url }, { timeoutMs: 1000 });

    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.severity).toBe('fail');
    expect(result.evidence.error_class).toBe('timeout');
    expect(hung.connections()).toBeGreaterThan(0);
  });

  it.each([500, 403])('warns on a %d answer', async (status) => {
    const fake = await startStatusRegistry(status);
    fakes.push(fake);

    const result = await check(CHECK.registry, { 'OCI:RegistryUrl': fake.url });

    expect(result.severity).toBe('warn');
    expect(result.evidence.status_code).toBe(status);
    expect(fake.requests.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('warns when /v2/ redirects elsewhere, naming the target and the URL to configure', async () => {
    // Imitates a front that sends plain-HTTP clients to the TLS registry.
    const front = http.createServer((_req, res) =>
      res.writeHead(301, { location: `${env.registries.basic.url}/v2/` }).end(),
    );
    const running = await listenLocal(front);
    fakes.push(running);

    const result = await check(CHECK.registry, { 'OCI:RegistryUrl': running.url });

    expect(result.severity).toBe('warn');
    expect(result.evidence.redirect_location).toBe(`${env.registries.basic.url}/v2/`);
    expect(
      result.remediation.steps.some(
        (s) => s.environment === 'kubernetes' && s.command?.includes(`oci.registryUrl=${env.registries.basic.url}`),
      ),
    ).toBe(true);
  });

  describe('certificates', () => {
    let expired: Running;
    let wrongHost: Running;
    beforeAll(async () => {
      expired = await startTlsRegistry(env.certs.expired);
      wrongHost = await startTlsRegistry(env.certs.wrongHost);
      fakes.push(expired, wrongHost);
    });

    it('fails with tls_expired for an expired certificate', async () => {
      const result = await check(CHECK.registry, { 'OCI:RegistryUrl': expired.url, 'OCI:CaCertificatePath': ca });

      expect(result.severity).toBe('fail');
      expect(result.evidence.error_class).toBe('tls_expired');
      expect(result.evidence.tls_days_remaining).toBeLessThan(0);
    });

    it('fails with tls_hostname when the certificate names another host', async () => {
      const result = await check(CHECK.registry, { 'OCI:RegistryUrl': wrongHost.url, 'OCI:CaCertificatePath': ca });

      expect(result.severity).toBe('fail');
      expect(result.evidence.error_class).toBe('tls_hostname');
      expect(result.evidence.tls_san).toEqual(['DNS:wrong-host.example']);
    });
  });
});
