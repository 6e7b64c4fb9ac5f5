// The API's reference documents, generated from the routes' own schemas: the OpenAPI 3.1 document
// the server serves (kept in the repo as docs/openapi.json) and docs/api.md rendered from it.
// `node scripts/api-docs.mjs` rewrites both after `npm run build`; a test fails when they are stale.

import { allChecks } from '../plugins/index.js';
import { buildApp, type AppOptions } from './app.js';

type Schema = {
  $ref?: string;
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  items?: Schema;
  default?: unknown;
  anyOf?: Schema[];
};
interface Operation {
  summary?: string;
  description?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Schema; description?: string }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema: Schema }> }>;
}
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema & { properties?: Record<string, Schema>; required?: string[] }> };
}

/** Describing the API touches no store, run or metric: these stand in for them and refuse any use. */
const NOT_SERVING = new Proxy(
  {},
  {
    get() {
      throw new Error('the API document is built without a running service');
    },
  },
);

/** The OpenAPI document, built from the same route definitions the server runs. */
export async function openApiDocument(): Promise<OpenApiDocument> {
  const app = await buildApp({
    settings: { allowedHosts: [] },
    store: NOT_SERVING as AppOptions['store'],
    runs: NOT_SERVING as AppOptions['runs'],
    metrics: NOT_SERVING as AppOptions['metrics'],
    checks: allChecks(),
    sse: { keepAliveMs: 15_000, maxLagBytes: 1024 * 1024 },
    log: () => undefined,
  });
  const document = app.swagger() as unknown as OpenApiDocument;
  await app.close();
  return document;
}

function typeOf(schema: Schema | undefined): string {
  if (!schema) return '';
  if (schema.$ref) return schema.$ref.replace('#/components/schemas/', '');
  if (schema.enum) return schema.enum.map((v) => `\`${String(v)}\``).join(' | ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' | ');
  if (schema.type === 'array') return `${typeOf(schema.items)}[]`;
  return Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'any');
}

function cell(text: string | undefined): string {
  return (text ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** docs/api.md: every route with its parameters, body fields and answers, then the shared schemas. */
export function renderApiMarkdown(document: OpenApiDocument): string {
  const lines = [
    `# ${document.info.title} ${document.info.version}`,
    '',
    'Generated from the OpenAPI 3.1 document the server serves at `GET /api/v1/doctor/openapi.json`',
    '(also in `docs/openapi.json`); do not edit by hand: run `node scripts/api-docs.mjs`.',
    '',
    `${document.info.description ?? ''} Errors are \`{"error": {"code", "message", "field"?}}\`. When`,
    '`Doctor:Api:Token` is set, every route but `/healthz` and `/readyz` needs `Authorization: Bearer <token>`.',
  ];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      lines.push('', `## ${method.toUpperCase()} ${path}`, '', op.summary ?? '');
      if (op.description) lines.push('', op.description);
      const params = op.parameters ?? [];
      if (params.length > 0) {
        lines.push('', '| parameter | in | type | required | description |', '|---|---|---|---|---|');
        for (const p of params)
          lines.push(
            `| \`${p.name}\` | ${p.in} | ${cell(typeOf(p.schema))} | ${p.required ? 'yes' : 'no'} | ` +
              `${cell(p.description ?? p.schema?.description)} |`,
          );
      }
      const body = op.requestBody?.content['application/json']?.schema as
        (Schema & { properties?: Record<string, Schema> }) | undefined;
      if (body?.properties) {
        lines.push(
          '',
          'Body (JSON, unknown fields are refused):',
          '',
          '| field | type | description |',
          '|---|---|---|',
        );
        for (const [name, field] of Object.entries(body.properties))
          lines.push(`| \`${name}\` | ${cell(typeOf(field))} | ${cell(field.description)} |`);
      }
      lines.push('', '| status | answer |', '|---|---|');
      for (const [status, response] of Object.entries(op.responses)) {
        const schema = response.content?.['application/json']?.schema;
        lines.push(`| ${status} | ${schema ? cell(typeOf(schema)) : cell(response.description)} |`);
      }
    }
  }
  lines.push('', '## Schemas');
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    lines.push('', `### ${name}`, '');
    if (schema.description) lines.push(schema.description, '');
    lines.push('| field | type | required | description |', '|---|---|---|---|');
    for (const [field, value] of Object.entries(schema.properties ?? {})) {
      lines.push(
        `| \`${field}\` | ${cell(typeOf(value))} | ${schema.required?.includes(field) ? 'yes' : 'no'} | ` +
          `${cell(value.description)} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
