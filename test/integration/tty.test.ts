// Colour and progress belong to terminals: on a real pseudo-terminal (made with util-linux
// `script`) the text report is coloured and progress goes to stderr; NO_COLOR turns colour off.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadTestEnv } from '../harness/test-env.js';
import { CHILD_PATH, STELLA_COMMAND } from './cli.js';

const env = loadTestEnv();

function onTerminal(extraEnv: Record<string, string>): string {
  const command = `${STELLA_COMMAND} doctor --registry ${env.registries.open.url} --check check.integration.oci.registry --check check.integration.oci.referrers`;
  const result = spawnSync('script', ['-qfec', command, '/dev/null'], {
    encoding: 'utf8',
    env: { PATH: CHILD_PATH, HOME: '/nonexistent', TERM: 'xterm', ...extraEnv },
    timeout: 30_000,
  });
  return result.stdout;
}

describe('on a terminal', () => {
  it('colours the report and shows progress', () => {
    const output = onTerminal({});

    expect(output).toMatch(/\u001b\[3[1-6]m/);
    expect(output).toContain('[2/2]');
  });

  it('never colours with NO_COLOR', () => {
    const output = onTerminal({ NO_COLOR: '1' });

    expect(output).not.toMatch(/\u001b\[3[1-6]m/);
    expect(output).toContain('check.integration.oci.referrers');
  });
});
