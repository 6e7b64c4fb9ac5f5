// A throwaway PostgreSQL cluster for the store tests: Debian's postgresql (15), initdb in a temp
// directory owned by the postgres user (PostgreSQL refuses to run as root), listening only on
// 127.0.0.1 at a free port, with a trust-authenticated superuser `doctor` and a database
// `doctor`. The postmaster's PID and data directory are recorded in DIR/postgres.json; stopPostgres
// stops exactly that cluster (pg_ctl stop -m fast) and removes the directory.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from './registries.mjs';

const HOST = '127.0.0.1';

/** The directory of Debian's PostgreSQL binaries (the newest installed version), or null. */
export function postgresBinDir() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0], 'bin') : null;
}

function asPostgres(bin, args, options = {}) {
  const command = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  return execFileSync(command[0], command[1], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 60_000,
    ...options,
  });
}

/**
 * Starts a cluster in DIR (created; must not hold one yet). Returns { url, port, dataDir, pid }.
 * @param {{ dir: string }} options
 */
export async function startPostgres({ dir }) {
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL is not installed (scripts/test-prereqs.sh installs Debian's postgresql)");
  mkdirSync(dir, { recursive: true });
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  mkdirSync(dataDir);
  mkdirSync(socketDir);
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  chmodSync(dir, 0o755);
  const [port] = await freePorts(1);
  asPostgres(join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'doctor',
    '--auth=trust',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
  ]);
  asPostgres(join(bin, 'pg_ctl'), [
    '-D',
    dataDir,
    '-w',
    '-t',
    '30',
    '-l',
    join(dir, 'postgres.log'),
    '-o',
    `-p ${port} -k ${socketDir} -c listen_addresses=${HOST} -c fsync=off -c max_connections=200`,
    'start',
  ]);
  const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  asPostgres(join(bin, 'createdb'), ['-h', HOST, '-p', String(port), '-U', 'doctor', 'doctor']);
  const cluster = { url: `postgres://doctor@${HOST}:${port}/doctor`, port, dataDir, pid, dir };
  writeFileSync(join(dir, 'postgres.json'), `${JSON.stringify(cluster, null, 2)}\n`);
  return cluster;
}

/** Stops the cluster recorded in DIR/postgres.json (if any) and removes DIR. */
export function stopPostgres(dir) {
  const recorded = join(dir, 'postgres.json');
  if (existsSync(recorded)) {
    const { dataDir } = JSON.parse(readFileSync(recorded, 'utf8'));
    const bin = postgresBinDir();
    if (bin && existsSync(join(dataDir, 'postmaster.pid'))) {
      try {
        asPostgres(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']);
      } catch (error) {
        process.stderr.write(`postgres harness: pg_ctl stop failed: ${error.message}\n`);
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
