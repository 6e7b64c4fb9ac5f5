// Nothing checked is not a pass: when every selected check skipped, the summary says so with the
// key to set, one stderr line says the same, and the exit code is 2.
import { describe, expect, it } from 'vitest';
import { loadTestEnv } from '../harness/test-env.js';
import { stella } from './cli.js';
import { ALL_CHECKS, CHECK } from './doctor.js';

const env = loadTestEnv();

describe('a run in which nothing was checked', () => {
  it('exits 2 with one stderr line naming the key of every system not configured', () => {
    const run = stella(['doctor']);

    expect(run.status).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^stella: nothing was checked: /);
    for (const key of ['OCI:RegistryUrl', 'Git:Url', 'CI:Systems:0:Url', 'Secrets:Managers:0:Url'])
      expect(lines[0]).toContain(`set ${key}`);
    expect(run.stdout).toMatch(
      new RegExp(`${ALL_CHECKS.length} skipped — overall: skip — nothing was checked: .*No registry configured`),
    );
  });

  it('exits 2 when the one check asked for skipped, and the JSON report still says overall skip', () => {
    const run = stella(['doctor', '--registry', env.registries.open.url, '--check', CHECK.push, '--format', 'json']);

    expect(run.status).toBe(2);
    expect(JSON.parse(run.stdout).summary).toMatchObject({ total: 1, skip: 1, overall: 'skip' });
    expect(run.stderr).toContain('No credentials configured (OCI:Username/OCI:Password or OCI:Token)');
  });

  it('exits 0 when one check ran and another skipped', () => {
    const run = stella([
      'doctor',
      '--registry',
      env.registries.open.url,
      '--check',
      CHECK.push,
      '--check',
      CHECK.registry,
    ]);

    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).not.toContain('nothing was checked');
  });
});
