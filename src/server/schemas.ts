// The API's schemas (zod): the server validates every body, query and path parameter with them,
// serialises its answers through them, and @fastify/swagger turns the same objects into the
// OpenAPI 3.1 document. Changing a route's contract means changing it here.

import { z } from 'zod';
import type { CheckMetadata } from '../engine/types.js';

const severity = z.enum(['pass', 'info', 'warn', 'fail', 'skip']);
const runStatus = z.enum(['running', 'completed', 'interrupted']);
const trigger = z.enum(['api', 'dashboard', 'schedule']);
const mode = z.enum(['quick', 'normal', 'full']);

export const errorBody = z
  .object({
    error: z.object({
      code: z.string().describe('machine-readable: bad_request, not_found, unauthorized, …'),
      message: z.string(),
      field: z.string().optional().describe('the request field at fault, e.g. checks[0]'),
    }),
  })
  .meta({ id: 'Error' });

const summary = z
  .object({
    total: z.number().int(),
    pass: z.number().int(),
    info: z.number().int(),
    warn: z.number().int(),
    fail: z.number().int(),
    skip: z.number().int(),
    overall: severity,
  })
  .meta({ id: 'Summary' });

const result = z
  .object({
    checkId: z.string(),
    pluginId: z.string(),
    category: z.string(),
    name: z.string(),
    tags: z.array(z.string()),
    severity,
    diagnosis: z.string(),
    evidence: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())])),
    likelyCauses: z.array(z.string()),
    remediation: z.object({
      runbookUrl: z.string(),
      steps: z.array(
        z.object({
          order: z.number().int(),
          environment: z.enum(['compose', 'baremetal', 'kubernetes', 'any']),
          description: z.string(),
          command: z.string().optional(),
          safe: z.boolean(),
        }),
      ),
    }),
    verificationCommand: z.string(),
    durationMs: z.number(),
    startedAt: z.string(),
  })
  .meta({ id: 'CheckResult' });

export const report = z
  .object({
    schemaVersion: z.literal('1.0'),
    runId: z.string(),
    startedAt: z.string(),
    completedAt: z.string().nullable().describe('null while the run is in progress'),
    durationMs: z.number(),
    doctorVersion: z.string(),
    summary,
    results: z.array(result).describe('ordered by check id; while running, what has finished'),
    status: runStatus.optional(),
    trigger: trigger.optional(),
    mode: mode.optional(),
  })
  .meta({
    id: 'Report',
    description: 'The CLI JSON report (schema/doctor-report.schema.json) plus status, trigger and mode',
  });

export const runIdParam = z.object({ runId: z.string().min(1).max(100) });
const limit = (fallback: number) =>
  z.coerce.number().int().min(1).max(500).default(fallback).describe(`how many, 1 to 500 (default ${fallback})`);

/** The run request; its check ids, plugins, categories and tags are checked against the catalog. */
export function runRequest(catalog: readonly CheckMetadata[]) {
  const known = (kind: string, values: string[]) =>
    z
      .array(
        z.string().refine((v) => values.includes(v.toLowerCase()), {
          message: `unknown ${kind} (known: ${values.join(', ')})`,
        }),
      )
      .max(100);
  const lower = (values: string[]) => [...new Set(values.map((v) => v.toLowerCase()))].sort();
  return z.strictObject({
    checks: known('check id', lower(catalog.map((c) => c.id)))
      .optional()
      .describe('check ids (GET /api/v1/doctor/checks), as --check'),
    plugins: known('plugin', lower(catalog.map((c) => c.pluginId)))
      .optional()
      .describe('plugin ids, as --plugin'),
    categories: known('category', lower(catalog.map((c) => c.category)))
      .optional()
      .describe('categories, as --category'),
    tags: known('tag', lower(catalog.flatMap((c) => c.tags)))
      .optional()
      .describe('tags, as --tag; filters are ANDed, values inside one ORed'),
    mode: mode.optional().describe('quick: only quick checks; normal (default): all but slow ones; full: everything'),
    timeout: z
      .string()
      .regex(/^\d+(\.\d+)?(ms|s|m)$/, 'a duration with a unit, e.g. 500ms, 10s, 2m')
      .optional()
      .describe('per-check timeout, default 30s'),
    trigger: z.enum(['api', 'dashboard']).optional().describe('api (default) or dashboard'),
  });
}

export const runAccepted = z.object({ runId: z.string(), status: z.literal('running') }).meta({ id: 'RunAccepted' });

export const runQuery = z.strictObject({
  wait: z.enum(['true', 'false']).optional().describe('true: answer 200 with the finished report'),
});

export const runsQuery = z.strictObject({
  limit: limit(50),
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'the `next` value of the previous page')
    .optional()
    .describe('the `next` value of the previous page'),
});

export const runPage = z.object({
  runs: z.array(
    z.object({
      runId: z.string(),
      status: runStatus,
      trigger,
      startedAt: z.string(),
      completedAt: z.string().nullable(),
      summary,
    }),
  ),
  next: z.string().nullable().describe('pass as `before` for the next page; null on the last'),
});

export const checkParam = z.object({ checkId: z.string().min(1).max(200) });
export const historyQuery = z.strictObject({ limit: limit(50) });
export const history = z.object({
  checkId: z.string(),
  results: z.array(z.object({ runId: z.string(), severity, diagnosis: z.string(), startedAt: z.string() })),
});

export const catalog = z.array(
  z.object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    pluginId: z.string(),
    category: z.string(),
    defaultSeverity: severity,
    tags: z.array(z.string()),
    estimatedDurationMs: z.number(),
    article: z.string(),
    slow: z.boolean().optional(),
  }),
);

export const health = z.object({
  status: z.enum(['ok', 'unavailable']),
  store: z.object({ kind: z.enum(['sqlite', 'postgres']), status: z.enum(['ok', 'unavailable']) }),
});
