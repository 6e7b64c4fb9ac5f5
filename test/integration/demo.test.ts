// scripts/demo.sh as a user runs it, on a pipe and on a pseudo-terminal (util-linux `script`): its
// headings are bold only on a terminal and never with NO_COLOR, so a log or a pipe gets no escapes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHILD_PATH } from './cli.js';

const DEMO = fileURLToPath(new URL('../../scripts/demo.sh', import.meta.url));
const HEADING = '== 1. A healthy setup';
const BOLD_HEADING = `\u001b[1m${HEADING}`;

function demo({ terminal, env = {} }: { terminal: boolean; env?: Record<string, string> }): {
  status: number | null;
  output: string;
} {
  const command = terminal
    ? (['script', ['-qfec', `bash ${DEMO}`, '/dev/null']] as const)
    : (['bash', [DEMO]] as const);
  const result = spawnSync(command[0], command[1], {
    encoding: 'utf8',
    env: {
      PATH: CHILD_PATH,
      HOME: '/nonexistent',
      TERM: 'xterm',
      STELLA_DEMO_DIR: mkdtempSync(join(tmpdir(), 'demo-')),
      ...env,
    },
    timeout: 60_000,
  });
  return { status: result.status, output: result.stdout };
}

describe('the demo', () => {
  it('writes no escape sequences when its output is not a terminal', () => {
    const run = demo({ terminal: false });

    expect(run.status).toBe(0);
    expect(run.output).toContain(HEADING);
    expect(run.output).not.toContain('\u001b');
  }, 60_000);

  it('makes its headings bold on a terminal', () => {
    const run = demo({ terminal: true });

    expect(run.status).toBe(0);
    expect(run.output).toContain(BOLD_HEADING);
  }, 60_000);

  it('makes nothing bold on a terminal with NO_COLOR', () => {
    const run = demo({ terminal: true, env: { NO_COLOR: '1' } });

    expect(run.status).toBe(0);
    expect(run.output).toContain(HEADING);
    expect(run.output).not.toContain('\u001b[1m');
  }, 60_000);
});
