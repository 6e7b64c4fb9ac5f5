// docs/openapi.json and docs/api.md are what the routes' schemas generate, so the documents in
// the repo cannot drift from the server (rewrite them with `node scripts/api-docs.mjs`).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument, renderApiMarkdown } from '../../src/server/api-docs.js';

const read = (name: string) => readFileSync(new URL(`../../docs/${name}`, import.meta.url), 'utf8');

describe('the API reference documents', () => {
  it('docs/openapi.json is the document the server serves', async () => {
    expect(JSON.parse(read('openapi.json')), 'stale: run npm run build && node scripts/api-docs.mjs').toEqual(
      await openApiDocument(),
    );
  });

  it('docs/api.md is rendered from that document', async () => {
    expect(read('api.md'), 'stale: run npm run build && node scripts/api-docs.mjs').toBe(
      renderApiMarkdown(await openApiDocument()),
    );
  });

  it('docs/api.md names every route of the document', async () => {
    const document = await openApiDocument();
    const markdown = read('api.md');

    for (const [path, methods] of Object.entries(document.paths)) {
      for (const method of Object.keys(methods)) expect(markdown).toContain(`## ${method.toUpperCase()} ${path}`);
    }
  });
});
