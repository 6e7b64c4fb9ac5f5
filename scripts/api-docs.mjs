// Rewrites docs/openapi.json and docs/api.md from the routes' schemas (run `npm run build` first).
// The service tests fail while either file differs from what the code generates.
import { writeFileSync } from 'node:fs';
import { openApiDocument, renderApiMarkdown } from '../dist/server/api-docs.js';

const document = await openApiDocument();
writeFileSync(new URL('../docs/openapi.json', import.meta.url), `${JSON.stringify(document, null, 2)}\n`);
writeFileSync(new URL('../docs/api.md', import.meta.url), renderApiMarkdown(document));
console.log('wrote docs/openapi.json and docs/api.md');
