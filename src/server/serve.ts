// `stella doctor serve`: validates the Doctor:* configuration, opens the store (migrations, runs
// a crash left `running` become `interrupted`, retention), starts the HTTP server, the heartbeat
// and the schedule, and on SIGTERM/SIGINT stores the runs in progress as interrupted and exits 0.
// Loaded only by this command, so the rest of the CLI never loads Fastify, zod or a database.

import { createHash, randomUUID } from 'node:crypto';
import type { Configuration } from '../config/configuration.js';
import { loadConfiguration, type ConfigLoadOptions } from '../config/load.js';
import { allChecks } from '../plugins/index.js';
import { openStore, type StorageTarget } from '../store/open.js';
import type { RunStore } from '../store/types.js';
import { redactText, registerSecret } from '../util/redact.js';
import { DOCTOR_VERSION } from '../version.js';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { DoctorMetrics } from './metrics.js';
import { RunManager, selectionFor } from './runs.js';
import { Scheduler } from './scheduler.js';
import { readServerSettings, type ServeFlags, type ServerSettings } from './settings.js';
import type { SseOptions } from './sse.js';

const HEARTBEAT_MS = 10_000;
/** A PostgreSQL instance silent this long is taken for dead and its runs for interrupted. */
const STALE_AFTER_MS = 3 * HEARTBEAT_MS;
const RETENTION_EVERY_MS = 60_000;
export const SSE_KEEPALIVE_MS = 15_000;
export const SSE_MAX_LAG_BYTES = 1024 * 1024;

function log(message: string): void {
  process.stderr.write(redactText(`${new Date().toISOString()} ${message}\n`));
}

/** The server's own secrets, masked in every output whatever the run: the token, the database password. */
function registerServerSecrets(settings: ServerSettings): void {
  registerSecret(settings.token);
  if (settings.storage.kind !== 'postgres') return;
  const { config } = settings.storage;
  registerSecret(config.password as string | undefined);
  if (config.connectionString) registerSecret(decodeURIComponent(new URL(config.connectionString).password));
}

function fingerprint(config: Configuration): string {
  return createHash('sha256')
    .update(JSON.stringify(config.entries().map((e) => [e.key, e.value])))
    .digest('hex');
}

async function openAndRecover(storage: StorageTarget, instanceId: string, settings: ServerSettings): Promise<RunStore> {
  const store = await openStore(storage);
  const now = new Date();
  await store.heartbeat(instanceId, now);
  // A SQLite file belongs to one server: whatever it left running was interrupted.
  const staleBefore = storage.kind === 'sqlite' ? now : new Date(now.getTime() - STALE_AFTER_MS);
  const interrupted = await store.interruptOrphans(instanceId, staleBefore, now);
  if (interrupted > 0) log(`${interrupted} run(s) left running by a stopped server are now interrupted`);
  await store.enforceRetention(settings.retention, now);
  return store;
}

export interface Service {
  app: FastifyInstance;
  store: RunStore;
  runs: RunManager;
  settings: ServerSettings;
  /** Stores the runs in progress as interrupted, then closes the server and the store. */
  close(): Promise<void>;
}

/** Builds the whole service (store recovered, app ready, heartbeat and schedule started) without listening. */
export async function createService(
  loadOptions: ConfigLoadOptions,
  flags: ServeFlags,
  sse: SseOptions = { keepAliveMs: SSE_KEEPALIVE_MS, maxLagBytes: SSE_MAX_LAG_BYTES },
): Promise<Service> {
  const config = loadConfiguration(loadOptions);
  const settings = readServerSettings(config, flags, loadOptions.cwd);
  registerServerSecrets(settings);
  const instanceId = randomUUID();
  const store = await openAndRecover(settings.storage, instanceId, settings);
  const metrics = new DoctorMetrics(DOCTOR_VERSION);
  let lastRetention = Date.now();
  let scheduler: Scheduler | undefined;
  const runs = new RunManager({
    store,
    instanceId,
    maxConcurrentRuns: settings.maxConcurrentRuns,
    loadConfig: () => loadConfiguration(loadOptions),
    log,
    onFinished: (report) => {
      metrics.observe(report);
      scheduler?.observe(report);
      if (Date.now() - lastRetention < RETENTION_EVERY_MS) return;
      lastRetention = Date.now();
      store
        .enforceRetention(settings.retention, new Date())
        .catch((error: unknown) => log(`retention failed: ${(error as Error).message}`));
    },
  });
  const app = await buildApp({ settings, store, runs, metrics, checks: allChecks(), sse, log });

  const heartbeat = setInterval(() => {
    const now = new Date();
    store
      .heartbeat(instanceId, now)
      .then(() =>
        settings.storage.kind === 'postgres'
          ? store.interruptOrphans(instanceId, new Date(now.getTime() - STALE_AFTER_MS), now)
          : 0,
      )
      .catch((error: unknown) => log(`heartbeat failed: ${(error as Error).message}`));
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const { schedule } = settings;
  if (schedule) {
    scheduler = new Scheduler({
      intervalMs: schedule.intervalMs,
      // Servers sharing a PostgreSQL database take turns: the one holding the lock runs, the others skip.
      run: async () => {
        const ran = await store.exclusively(
          'schedule',
          () =>
            runs.start({ selection: selectionFor(schedule.mode), mode: schedule.mode, trigger: 'schedule' }).finished,
        );
        if (!ran) log('scheduled run skipped: another server sharing the database is running the schedule');
      },
      fingerprint: () => fingerprint(loadConfiguration(loadOptions)),
      log,
    });
    scheduler.start();
    log(`scheduled ${schedule.mode} runs every ${Math.round(schedule.intervalMs / 1000)} s`);
  }

  return {
    app,
    store,
    runs,
    settings,
    async close() {
      scheduler?.stop();
      clearInterval(heartbeat);
      await runs.interruptAll();
      await app.close();
      await store.close();
    },
  };
}

/** Runs the server until SIGTERM or SIGINT; returns the exit code. Throws ConfigError for bad Doctor:* values. */
export async function serve(loadOptions: ConfigLoadOptions, flags: ServeFlags): Promise<number> {
  const service = await createService(loadOptions, flags);
  const { app, settings, store } = service;
  await app.listen({ host: settings.host, port: settings.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  log(
    `stella doctor ${DOCTOR_VERSION} listening on ${settings.tls ? 'https' : 'http'}://${host}:${port} (store: ` +
      `${store.kind} ${store.location}${settings.token ? ', token required' : ''})`,
  );

  return new Promise((resolve) => {
    const shutdown = (signal: string): void => {
      process.off('SIGTERM', shutdown);
      process.off('SIGINT', shutdown);
      log(`${signal}: stopping; runs in progress become interrupted`);
      service
        .close()
        .catch((error: unknown) => log(`shutdown: ${(error as Error).message}`))
        .then(() => {
          // Checks still running hold sockets and timers; they are abandoned, not awaited.
          setTimeout(() => process.exit(0), 100).unref();
          resolve(0);
        });
    };
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
  });
}
