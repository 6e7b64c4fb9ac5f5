// Runs the real `stella` command (bin/stella, the wrapper npm links as the package's bin) as a
// child process with a clean environment, on the Node that runs the tests: `stella` waits for it,
// `stellaAsync` lets this process go on serving while it runs (fakes that live in the test).
import { spawn, spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STELLA_COMMAND = fileURLToPath(new URL('../../bin/stella', import.meta.url));

/** PATH for the child: the test runner's own Node first, so that the wrapper starts that one. */
export const CHILD_PATH = `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`;

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function stella(
  args: string[],
  options: { env?: Record<string, string>; input?: string; cwd?: string } = {},
): CliResult {
  const result = spawnSync(STELLA_COMMAND, args, {
    encoding: 'utf8',
    input: options.input ?? '',
    cwd: options.cwd,
    env: { PATH: CHILD_PATH, HOME: '/nonexistent', ...options.env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Like `stella`, without blocking this process's event loop (for fake servers started by the test). */
export function stellaAsync(args: string[], options: { env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(STELLA_COMMAND, args, {
      env: { PATH: CHILD_PATH, HOME: '/nonexistent', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
