// What a new user leans on: typos get the nearest command, option or check id; --env-file is the
// CLI's own option; --help lists every configuration key and format the code knows; --verbose
// shows passing evidence too; `config` shows NODE_EXTRA_CA_CERTS as where OCI:CaCertificatePath
// came from.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OCI_KEYS } from '../../src/config/oci-keys.js';
import { REPORT_FORMATS } from '../../src/render/index.js';
import { loadTestEnv } from '../harness/test-env.js';
import { stella } from './cli.js';
import { CHECK } from './doctor.js';

const env = loadTestEnv();

describe('typos', () => {
  it.each([
    [['doctor', 'lsit'], "stella: error: unknown command 'lsit' (did you mean 'list'?)"],
    [['doctor', 'explian', CHECK.pull], "stella: error: unknown command 'explian' (did you mean 'explain'?)"],
    [['doctr'], "stella: error: unknown command 'doctr' (did you mean 'doctor'?)"],
    [
      ['doctor', '--registy', 'http://127.0.0.1:1'],
      "stella: error: unknown option '--registy' (did you mean '--registry'?)",
    ],
    [
      ['doctor', '--check', 'check.integration.oci.pul'],
      "stella: error: unknown check id 'check.integration.oci.pul' (did you mean 'check.integration.oci.pull'?)",
    ],
  ])('%j gets the nearest name, exit 2, one line', (args, message) => {
    const run = stella(args);

    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`${message}\n`);
  });

  it('suggests nothing for a word that is close to nothing', () => {
    expect(stella(['doctor', '--frobnicate']).stderr).toBe(
      "stella: error: unknown option '--frobnicate' (see stella doctor --help)\n",
    );
  });
});

describe('--env-file', () => {
  it("is read by the stella command, not by Node: a missing file is the project's one-line exit 2", () => {
    const run = stella(['doctor', '--env-file', 'missing.env'], { cwd: fileURLToPath(new URL('.', import.meta.url)) });

    expect(run.status).toBe(2);
    expect(run.stderr).toBe('stella: error: cannot read env file missing.env: file not found\n');
  });
});

describe('--help', () => {
  const help = stella(['doctor', '--help']).stdout;

  it.each(OCI_KEYS.map((spec) => spec.key))('lists %s from the table the settings are read with', (key) => {
    expect(help).toMatch(new RegExp(`^  ${key} `, 'm'));
  });

  it('lists every report format the renderers know', () => {
    expect(help).toContain(`--format FORMAT             ${REPORT_FORMATS.join(' | ')}`);
  });
});

describe('--verbose', () => {
  it('shows the evidence of a passing result too', () => {
    const run = stella(['doctor', '--registry', env.registries.open.url, '--check', CHECK.registry, '--verbose']);

    expect(run.stdout).toMatch(/^✔ check\.integration\.oci\.registry/m);
    expect(run.stdout).toMatch(/^ {2}Evidence:/m);
    expect(run.stdout).toContain(`registry_url`);
  });
});

describe('config', () => {
  it('shows NODE_EXTRA_CA_CERTS as the source of OCI:CaCertificatePath, not as a key of its own', () => {
    const run = stella(['doctor', 'config', '--format', 'json'], { env: { NODE_EXTRA_CA_CERTS: env.caCertPath } });
    const entries: Array<{ key: string; value: string; source: string }> = JSON.parse(run.stdout).values;

    expect(entries.find((e) => e.key === 'OCI:CaCertificatePath')).toMatchObject({
      value: env.caCertPath,
      source: 'env:NODE_EXTRA_CA_CERTS',
    });
    expect(entries.some((e) => e.key === 'NODE_EXTRA_CA_CERTS')).toBe(false);
  });
});
