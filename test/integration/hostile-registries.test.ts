// Bad input gets a verdict, never a crash, a hang or an unbounded read: endless bodies are cut,
// malformed challenges are reported, redirect loops are named, broken token services are "cannot
// verify". Every case runs the whole suite so no check is left out.
import { afterAll, describe, expect, it } from 'vitest';
import { startHostileRegistry, type HostileMode } from '../fakes/hostile-registry.js';
import type { Running } from '../fakes/listen.js';
import { ALL_OCI, CHECK, doctor } from './doctor.js';

const fakes: Running[] = [];
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

async function suiteAgainst(mode: HostileMode) {
  const server = await startHostileRegistry(mode);
  fakes.push(server);
  const started = Date.now();
  const report = await doctor({ settings: { 'OCI:RegistryUrl': server.url, 'OCI:Username': 'u', 'OCI:Password': 'hostile-Pass-1' }, checks: ALL_OCI, timeoutMs: 5000 });
  const byId = Object.fromEntries(report.results.map((r) => [r.checkId, r]));
  return { report, byId, elapsed: Date.now() - started, server };
}

describe('hostile registries', () => {
  it('cuts an endless body instead of reading it all', async () => {
    const { byId, elapsed, server } = await suiteAgainst('endless-body');

    expect(elapsed).toBeLessThan(5000);
    expect(byId[CHECK.registry]!.severity).toBe('pass');
    expect(server.bytesSent()).toBeLessThan(64 * 1024 * 1024);
    expect(Object.values(byId).every((r) => !r.evidence.internal_error)).toBe(true);
  });

  it('reports a malformed challenge and still gives every check a verdict', async () => {
    const { byId } = await suiteAgainst('garbage-challenge');

    expect(byId[CHECK.credentials]!.evidence.challenge_parse_error).toEqual(expect.any(String));
    // The broken challenge names no usable realm: the credentials cannot be verified.
    expect(byId[CHECK.credentials]!.severity).toBe('warn');
    expect(byId[CHECK.credentials]!.evidence.token_exchange).toBe('unreachable');
    expect(Object.values(byId).every((r) => !r.evidence.internal_error && !r.evidence.timed_out)).toBe(true);
  });

  it('names a redirect loop', async () => {
    const { byId } = await suiteAgainst('redirect-loop');

    expect(byId[CHECK.pull]!.severity).toBe('fail');
    expect(byId[CHECK.pull]!.evidence.error_class).toBe('redirect');
  });

  it.each(['token-html', 'token-endless'] as HostileMode[])('treats a broken token service (%s) as "cannot verify"', async (mode) => {
    const { byId, elapsed } = await suiteAgainst(mode);

    expect(elapsed).toBeLessThan(5000);
    expect(byId[CHECK.credentials]!.severity).toBe('warn');
    expect(byId[CHECK.credentials]!.evidence.token_exchange).toBe('unreachable');
  });

  it('reads status first when error bodies are not JSON', async () => {
    const { byId } = await suiteAgainst('not-json-error');

    expect(byId[CHECK.pull]!.severity).toBe('info');
    expect(byId[CHECK.pull]!.evidence.registry_error_code).toBeNull();
    expect(byId[CHECK.push]!.severity).toBe('warn');
  });
});
