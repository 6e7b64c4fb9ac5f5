// The knowledge-base articles stay true to the check metadata: front-matter equals the catalog,
// every required section is there, and the verification command is the engine's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verificationCommand } from '../../src/engine/run.js';
import { allChecks } from '../../src/plugins/index.js';

function frontMatter(markdown: string): Record<string, string | string[]> {
  const block = /^---\n([\s\S]*?)\n---\n/.exec(markdown)?.[1] ?? '';
  return Object.fromEntries(
    block.split('\n').map((line) => {
      const [key, ...rest] = line.split(':');
      const value = rest.join(':').trim();
      return [
        key!.trim(),
        value.startsWith('[')
          ? value
              .slice(1, -1)
              .split(',')
              .map((v) => v.trim())
          : value,
      ];
    }),
  );
}

const SECTIONS = [
  '## What It Checks',
  '## Why It Matters',
  '## Common Causes',
  '## How to Fix',
  '### Docker Compose',
  '### Bare Metal / systemd',
  '### Kubernetes / Helm',
  '## Verification',
  '## Related Checks',
];

describe.each(allChecks().map((c) => [c.id, c] as const))('article of %s', (_id, check) => {
  const markdown = readFileSync(new URL(`../../${check.article}`, import.meta.url), 'utf8');

  it('has front-matter equal to the check metadata', () => {
    expect(frontMatter(markdown)).toEqual({
      checkId: check.id,
      plugin: check.pluginId,
      severity: check.defaultSeverity,
      tags: check.tags,
    });
  });

  it('has every section, in order', () => {
    const positions = SECTIONS.map((s) => markdown.indexOf(`${s}\n`));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('names the verification command the reports carry', () => {
    expect(markdown).toContain(verificationCommand(check.id));
  });

  it('has the title of the check', () => {
    expect(markdown).toContain(`# ${check.name}\n`);
  });
});

describe('README', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it.each(allChecks().map((c) => [c.id, c] as const))('lists %s with its default severity', (_id, check) => {
    expect(readme).toContain(`| \`${check.id}\` | ${check.defaultSeverity} |`);
  });
});
