// The HTTP server (Fastify): the routes of SPEC 7 declared with their zod schemas (validation,
// serialisation and the OpenAPI document from the same objects), the security rules (bearer
// token, Host check against DNS rebinding, JSON-only POST, no CORS, 426 for WebSocket upgrades)
// and one error shape for every failure: {"error": {"code", "message", "field"?}}.

import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { ConfigError } from '../config/configuration.js';
import { parseDuration } from '../engine/duration.js';
import type { CheckDefinition, CheckMetadata } from '../engine/types.js';
import { renderCheckList } from '../render/catalog.js';
import type { RunStore } from '../store/types.js';
import { redactText } from '../util/redact.js';
import { DOCTOR_VERSION, PACKAGE_ROOT } from '../version.js';
import { isDashboardShell, registerDashboard } from './dashboard.js';
import type { DoctorMetrics } from './metrics.js';
import { eventsOfReport, RunManager, selectionFor, TooManyRuns, type DoctorEvent } from './runs.js';
import * as schema from './schemas.js';
import { LOOPBACK_HOSTS, type ServerSettings } from './settings.js';
import { EventStream, type SseOptions } from './sse.js';

export const API = '/api/v1/doctor';
export const BODY_LIMIT_BYTES = 64 * 1024;
/** Routes that answer without the token: liveness and readiness (and the dashboard's shell, dashboard.ts). */
const OPEN_ROUTES = new Set(['/healthz', '/readyz']);

export interface AppOptions {
  settings: Pick<ServerSettings, 'token' | 'allowedHosts' | 'tls'>;
  store: RunStore;
  runs: RunManager;
  metrics: DoctorMetrics;
  checks: readonly CheckDefinition[];
  sse: SseOptions;
  log(message: string): void;
}

/** A failure the API answers with its own status and error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

function errorBody(
  code: string,
  message: string,
  field?: string,
): { error: { code: string; message: string; field?: string } } {
  return { error: { code, message: redactText(message), ...(field === undefined ? {} : { field }) } };
}

/** `/checks/0` → `checks[0]`: the field as the client wrote it. */
function fieldName(path: string): string | undefined {
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0) return undefined;
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Whether the Authorization header carries the token (compared in constant time). */
function hasToken(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), expected);
}

/** The host name of a Host header, without port or brackets, lower-case. */
function hostName(header: string | undefined): string {
  const host = (header ?? '').trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1]!;
  return host.replace(/:\d+$/, '');
}

function refuseWebSocket(_req: IncomingMessage, socket: Duplex): void {
  const body = JSON.stringify(
    errorBody(
      'upgrade_required',
      `WebSocket is not offered: ${API}/stream serves Server-Sent Events (GET with Accept: text/event-stream)`,
    ),
  );
  socket.end(
    `HTTP/1.1 426 Upgrade Required\r\nContent-Type: application/json\r\nContent-Length: ` +
      `${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { settings, store, runs, metrics } = options;
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
    // HEAD of an event stream would hold a connection open for nothing.
    exposeHeadRoutes: false,
    // Event streams never end on their own: close them with the server.
    forceCloseConnections: true,
    ...(settings.tls
      ? { https: { cert: readFileSync(settings.tls.certificatePath), key: readFileSync(settings.tls.keyPath) } }
      : {}),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.server.on('upgrade', refuseWebSocket);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError)
      return reply.code(error.status).send(errorBody(error.code, error.message, error.field));
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issue = error.validation[0]!;
      const keys = (issue.params as { keys?: string[] }).keys;
      const path = keys?.length ? `${issue.instancePath}/${keys[0]}` : issue.instancePath;
      const message = keys?.length ? `unknown field` : issue.message;
      const where = error.validationContext ?? 'request';
      return reply
        .code(400)
        .send(
          errorBody(
            'bad_request',
            `invalid ${where}: ${fieldName(path) ?? where}: ${message}`,
            fieldName(path) ?? where,
          ),
        );
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code =
        error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'payload_too_large'
          : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'unsupported_media_type'
            : 'bad_request';
      return reply.code(status).send(errorBody(code, error.message.split('\n')[0]!));
    }
    options.log(`internal error on ${request.method} ${request.routeOptions.url ?? '(no route)'}: ${error.message}`);
    return reply.code(500).send(errorBody('internal_error', 'the server failed to answer this request; see its log'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`)),
  );

  const token = settings.token === undefined ? undefined : digest(settings.token);
  const allowedHosts = new Set([...LOOPBACK_HOSTS, ...settings.allowedHosts]);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    if (token === undefined && !allowedHosts.has(hostName(request.headers.host))) {
      return reply
        .code(403)
        .send(
          errorBody(
            'host_not_allowed',
            'the Host header names no loopback address or allowed host (Doctor:Api:AllowedHosts)',
          ),
        );
    }
    const open = OPEN_ROUTES.has(path) || isDashboardShell(path);
    if (token !== undefined && !open && !hasToken(request.headers.authorization, token)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send(errorBody('unauthorized', 'this route needs Authorization: Bearer <Doctor:Api:Token>'));
    }
    if (request.method === 'POST' && !/^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '')) {
      return reply.code(415).send(errorBody('unsupported_media_type', 'POST bodies must be application/json'));
    }
    return undefined;
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Stella Doctor API',
        version: DOCTOR_VERSION,
        description: 'Runs the Stella Doctor checks, streams their progress and keeps their history.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Doctor:Api:Token; required when it is set' },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  const errors = { 400: schema.errorBody, 404: schema.errorBody };
  const catalogIds = new Set(options.checks.map((c) => c.id));
  const requireCheck = (checkId: string): CheckDefinition => {
    const check = options.checks.find((c) => c.id === checkId);
    if (!check) throw new ApiError(404, 'not_found', `unknown check id '${checkId.slice(0, 100)}' (see ${API}/checks)`);
    return check;
  };

  app.post(`${API}/run`, {
    schema: {
      summary: 'Start a run',
      description:
        'Answers 202 at once, or with ?wait=true 200 and the finished report. 422 when the configuration files ' +
        'no longer load; 429 when Doctor:Api:MaxConcurrentRuns runs are in progress.',
      body: schema.runRequest(options.checks),
      querystring: schema.runQuery,
      response: {
        200: schema.report,
        202: schema.runAccepted,
        400: schema.errorBody,
        413: schema.errorBody,
        422: schema.errorBody,
        429: schema.errorBody,
      },
    },
    handler: async (request, reply) => {
      const body = request.body;
      const mode = body.mode ?? 'normal';
      let started: ReturnType<RunManager['start']>;
      try {
        started = runs.start({
          selection: selectionFor(mode, {
            checks: body.checks,
            plugins: body.plugins,
            categories: body.categories,
            tags: body.tags,
          }),
          mode,
          trigger: body.trigger ?? 'api',
          timeoutMs: body.timeout === undefined ? undefined : parseDuration(body.timeout),
        });
      } catch (error) {
        if (error instanceof ConfigError) throw new ApiError(422, 'configuration_error', error.message);
        if (error instanceof TooManyRuns) throw new ApiError(429, 'too_many_runs', error.message);
        throw error;
      }
      if (request.query.wait === 'true') return reply.code(200).send(await started.finished);
      return reply.code(202).send({ runId: started.runId, status: 'running' as const });
    },
  });

  app.get(`${API}/runs`, {
    schema: {
      summary: 'Run history, newest first',
      querystring: schema.runsQuery,
      response: { 200: schema.runPage, 400: schema.errorBody },
    },
    handler: async (request) => store.listRuns(request.query.limit, request.query.before),
  });

  const findRun = async (runId: string) => {
    const run = runs.live(runId) ?? (await store.getRun(runId));
    if (!run) throw new ApiError(404, 'not_found', `unknown run id '${runId.slice(0, 100)}'`);
    return run;
  };

  app.get(`${API}/runs/:runId`, {
    schema: {
      summary: 'The report of a run (results so far while it runs)',
      params: schema.runIdParam,
      response: { 200: schema.report, ...errors },
    },
    handler: async (request) => findRun(request.params.runId),
  });

  /**
   * Streams the events of one run (ending after run.completed) or of every run; synchronous, so no event falls
   * between replay and live.
   */
  const streamEvents = (reply: FastifyReply, replay: DoctorEvent[], runId?: string): void => {
    reply.hijack();
    const sse = new EventStream(reply.raw, options.sse);
    const forward = (event: DoctorEvent): void => {
      sse.send(event);
      if (runId !== undefined && event.type === 'run.completed') sse.end();
    };
    const subscription = runs.subscribe(runId, forward);
    for (const event of subscription?.replay ?? replay) forward(event);
    if (subscription) sse.onClose(subscription.unsubscribe);
    else sse.end();
  };

  app.get(`${API}/runs/:runId/events`, {
    schema: {
      summary: 'Server-Sent Events of one run',
      description:
        'text/event-stream: run.started, check.started, check.completed, run.completed; what already happened ' +
        'comes first; ends after run.completed.',
      params: schema.runIdParam,
      response: errors,
    },
    handler: async (request, reply) => {
      const { runId } = request.params;
      if (runs.live(runId)) return streamEvents(reply, [], runId);
      const stored = await store.getRun(runId);
      // The run may have started here while the store answered; then it streams live.
      if (!stored && !runs.live(runId)) throw new ApiError(404, 'not_found', `unknown run id '${runId.slice(0, 100)}'`);
      return streamEvents(reply, stored ? eventsOfReport(stored) : [], runId);
    },
  });

  app.get(`${API}/stream`, {
    schema: {
      summary: 'Server-Sent Events of every run',
      description:
        'text/event-stream: replays the runs in progress, then every event of every run; keep-alive comments ' +
        'while idle. A WebSocket upgrade here gets 426.',
    },
    handler: async (_request, reply) => streamEvents(reply, []),
  });

  app.get(`${API}/checks`, {
    schema: { summary: 'The check catalog (as stella doctor list --format json)', response: { 200: schema.catalog } },
    handler: async () => JSON.parse(renderCheckList(options.checks, 'json')) as CheckMetadata[],
  });

  app.get(`${API}/checks/:checkId/article`, {
    schema: {
      summary: 'The knowledge-base article of a check (text/markdown); 404 for an unknown check id',
      params: schema.checkParam,
    },
    handler: async (request, reply) => {
      const check = requireCheck(request.params.checkId);
      return reply
        .type('text/markdown; charset=utf-8')
        .send(readFileSync(new URL(check.article, PACKAGE_ROOT), 'utf8'));
    },
  });

  app.get(`${API}/checks/:checkId/history`, {
    schema: {
      summary: "A check's recent results, newest first",
      params: schema.checkParam,
      querystring: schema.historyQuery,
      response: { 200: schema.history, ...errors },
    },
    handler: async (request) => {
      const { checkId } = request.params;
      if (!catalogIds.has(checkId)) requireCheck(checkId);
      return { checkId, results: await store.checkHistory(checkId, request.query.limit) };
    },
  });

  app.get(`${API}/openapi.json`, {
    schema: { summary: 'This OpenAPI 3.1 document' },
    handler: async () => app.swagger(),
  });

  app.get('/metrics', {
    schema: { summary: 'Prometheus metrics (text exposition)' },
    handler: async (_request, reply) =>
      reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.text()),
  });

  const storeStatus = async (): Promise<'ok' | 'unavailable'> =>
    store.ping().then(
      () => 'ok' as const,
      () => 'unavailable' as const,
    );

  app.get('/healthz', {
    schema: {
      summary: 'Liveness of the server (always 200 while it runs)',
      security: [],
      response: { 200: schema.health },
    },
    handler: async () => ({ status: 'ok' as const, store: { kind: store.kind, status: await storeStatus() } }),
  });

  app.get('/readyz', {
    schema: {
      summary: 'Readiness: 200 when the store answers, 503 when it does not',
      security: [],
      response: { 200: schema.health, 503: schema.health },
    },
    handler: async (_request, reply) => {
      const status = await storeStatus();
      return reply.code(status === 'ok' ? 200 : 503).send({ status, store: { kind: store.kind, status } });
    },
  });

  registerDashboard(app);

  await app.ready();
  return app;
}
