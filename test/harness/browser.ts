// Chromium for the browser tests: Debian's /usr/bin/chromium (installed by scripts/test-prereqs.sh)
// launched through playwright-core. Chromium leaves the test runner's process group, so each one
// started here is recorded in .test-env-browser/ (pid, start time, command line) the moment it
// exists; it is stopped when the test closes it or the process exits, and one that a killed
// earlier run left behind is stopped by the next start — only a recorded process whose start time
// and command line still match, never anything found by name.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const STATE_DIR = fileURLToPath(new URL('../../.test-env-browser/', import.meta.url));

interface ProcessIdentity {
  pid: number;
  startTime: string | null;
}

interface BrowserRecord extends ProcessIdentity {
  cmdline: string | null;
  /** The test process that started it: while that runs, the browser is in use, not left over. */
  owner: ProcessIdentity;
}

export interface RunningBrowser {
  browser: Browser;
  pid: number;
  close(): Promise<void>;
}

/** The process's start time in clock ticks since boot (field 22 of /proc/PID/stat); null when it is gone. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? null : fields[19]!;
  } catch {
    return null;
  }
}

function cmdlineOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return null;
  }
}

/** Chromium runs as the leader of its own process group: the signal reaches its helpers too. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function isAlive(identity: ProcessIdentity): boolean {
  return identity.startTime !== null && startTimeOf(identity.pid) === identity.startTime;
}

/**
 * The Chromium processes of the process group a recorded browser led: members of group `pgid` whose
 * program is the recorded one. Linux hands out no pid that is still some group's id, so while any
 * member lives the group is the recorded one, even after its leader has exited.
 */
function chromiumGroupMembers(record: BrowserRecord): number[] {
  const program = record.cmdline?.split('\0')[0];
  if (!program) return [];
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const processGroup = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
        return processGroup === record.pid && cmdlineOf(pid)?.split('\0')[0] === program;
      } catch {
        return false;
      }
    });
}

/** Stops the Chromium processes that earlier test processes recorded and left running when they were killed. */
export function stopLeftoverBrowsers(): void {
  if (!existsSync(STATE_DIR)) return;
  for (const name of readdirSync(STATE_DIR).filter((n) => /^chromium-\d+\.json$/.test(n))) {
    const file = join(STATE_DIR, name);
    const record = JSON.parse(readFileSync(file, 'utf8')) as BrowserRecord;
    if (isAlive(record.owner)) continue;
    for (const pid of chromiumGroupMembers(record)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
    rmSync(file, { force: true });
  }
}

export async function startBrowser(): Promise<RunningBrowser> {
  stopLeftoverBrowsers();
  const server = await chromium.launchServer({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'], headless: true });
  const pid = server.process().pid!;
  mkdirSync(STATE_DIR, { recursive: true });
  const file = join(STATE_DIR, `chromium-${pid}.json`);
  const record: BrowserRecord = {
    pid,
    startTime: startTimeOf(pid),
    cmdline: cmdlineOf(pid),
    owner: { pid: process.pid, startTime: startTimeOf(process.pid) },
  };
  writeFileSync(file, JSON.stringify(record));
  const stopOnExit = (): void => {
    killGroup(pid);
    rmSync(file, { force: true });
  };
  process.once('exit', stopOnExit);
  const browser = await chromium.connect(server.wsEndpoint());
  return {
    browser,
    pid,
    async close() {
      await browser.close().catch(() => undefined);
      await server.close();
      killGroup(pid);
      process.off('exit', stopOnExit);
      rmSync(file, { force: true });
    },
  };
}
