// A connection failure is diagnosed in words, in every format: a library's raw message (OpenSSL's
// internals, a trailing newline) stays in evidence.error_message, and a registry given without a
// scheme is said to have been tried over https.
import { describe, expect, it } from 'vitest';
import { loadTestEnv } from '../harness/test-env.js';
import { stella } from './cli.js';
import { CHECK } from './doctor.js';

const env = loadTestEnv();
/** The plain-HTTP registry named the way a new user types it: host and port, no scheme. */
const withoutScheme = new URL(env.registries.open.url).host;
const run = (format: string) =>
  stella(['doctor', '--registry', withoutScheme, '--check', CHECK.registry, '--format', format]);

describe('a plain-HTTP registry given without a scheme', () => {
  it('is diagnosed in words with the https that was tried, and the OpenSSL text only as evidence (JSON)', () => {
    const result = JSON.parse(run('json').stdout).results[0];

    expect(result.severity).toBe('fail');
    expect(result.diagnosis).toContain(`${withoutScheme} answered the TLS handshake in plain HTTP`);
    expect(result.diagnosis).toContain(`tried https://${withoutScheme}; a registry on plain HTTP needs http://`);
    expect(result.diagnosis).not.toMatch(/SSL routines|openssl|EPROTO|\n/);
    expect(result.evidence.error_message).toMatch(/wrong version number/);
    expect(result.evidence.error_message).not.toContain('\n');
  });

  it('shows no OpenSSL internals in text', () => {
    const output = run('text');

    expect(output.status).toBe(1);
    expect(output.stdout).toContain('a registry on plain HTTP needs http://');
    expect(output.stdout).not.toMatch(/SSL routines|deps\/openssl/);
  });

  it.each(['markdown', 'junit'])('shows OpenSSL text in %s only on the error_message evidence line', (format) => {
    const output = run(format);
    const rawLines = output.stdout.split('\n').filter((line) => /SSL routines/.test(line));

    expect(output.status).toBe(1);
    expect(output.stdout).toContain('a registry on plain HTTP needs http://');
    expect(rawLines).toHaveLength(1);
    expect(rawLines[0]).toContain('error_message');
  });
});
