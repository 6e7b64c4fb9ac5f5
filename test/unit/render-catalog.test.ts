// `list` and `explain` renderers: the check catalog as text and JSON, articles laid out for a
// terminal.
import { describe, expect, it } from 'vitest';
import type { CheckDefinition, CheckMetadata } from '../../src/engine/types.js';
import { renderArticle, renderCheckList } from '../../src/render/catalog.js';

function check(
  fields: Pick<CheckMetadata, 'id' | 'name' | 'defaultSeverity' | 'tags' | 'estimatedDurationMs'> &
    Partial<CheckMetadata>,
): CheckDefinition {
  return {
    description: `Checks ${fields.name}.`,
    pluginId: 'stellaops.doctor.integration',
    category: 'integration',
    article: `docs/doctor/articles/integration/${fields.id.split('.').at(-1)}.md`,
    canRun: () => ({ runnable: true }),
    run: async () => ({ severity: 'pass', diagnosis: 'ok', evidence: {} }),
    ...fields,
  };
}

const CHECKS: CheckDefinition[] = [
  check({
    id: 'check.integration.oci.registry',
    name: 'OCI Registry Connectivity',
    defaultSeverity: 'warn',
    tags: ['connectivity', 'oci', 'registry', 'quick'],
    estimatedDurationMs: 2000,
  }),
  check({
    id: 'check.integration.oci.credentials',
    name: 'OCI Registry Credentials',
    defaultSeverity: 'fail',
    tags: ['registry', 'oci', 'credentials'],
    estimatedDurationMs: 5000,
  }),
  check({
    id: 'check.core.clock',
    name: 'Clock Skew',
    defaultSeverity: 'warn',
    tags: ['time'],
    estimatedDurationMs: 300,
    pluginId: 'stellaops.doctor.core',
    category: 'environment',
  }),
  check({
    id: 'check.integration.oci.capabilities',
    name: 'OCI Registry Capability Matrix',
    defaultSeverity: 'info',
    tags: ['oci'],
    estimatedDurationMs: 8000,
    slow: true,
  }),
];

const ANSI = /\x1b\[[0-9;]*m/;

describe('renderCheckList', () => {
  it('lists the checks as text, grouped by plugin and category, in aligned columns', () => {
    const output = renderCheckList(CHECKS, 'text');

    expect(output.split('\n')).toEqual([
      'stellaops.doctor.core (environment)',
      '  ID                                  NAME                            SEVERITY  ESTIMATE  TAGS',
      '  check.core.clock                    Clock Skew                      warn      ~300 ms   time',
      '',
      'stellaops.doctor.integration (integration)',
      '  ID                                  NAME                            SEVERITY  ESTIMATE  TAGS',
      '  check.integration.oci.capabilities  OCI Registry Capability Matrix  info      ~8 s      oci · only with --full',
      '  check.integration.oci.credentials   OCI Registry Credentials        fail      ~5 s      registry, oci, credentials',
      '  check.integration.oci.registry      OCI Registry Connectivity       warn      ~2 s      connectivity, oci, registry, quick',
      '',
      '4 checks',
      '',
    ]);
  });

  it('lists the metadata as JSON, without the functions', () => {
    const output = renderCheckList(CHECKS.slice(2), 'json');

    expect(output.endsWith('\n')).toBe(true);
    expect(JSON.parse(output)).toEqual([
      {
        id: 'check.core.clock',
        name: 'Clock Skew',
        description: 'Checks Clock Skew.',
        pluginId: 'stellaops.doctor.core',
        category: 'environment',
        defaultSeverity: 'warn',
        tags: ['time'],
        estimatedDurationMs: 300,
        article: 'docs/doctor/articles/integration/clock.md',
      },
      {
        id: 'check.integration.oci.capabilities',
        name: 'OCI Registry Capability Matrix',
        description: 'Checks OCI Registry Capability Matrix.',
        pluginId: 'stellaops.doctor.integration',
        category: 'integration',
        defaultSeverity: 'info',
        tags: ['oci'],
        estimatedDurationMs: 8000,
        article: 'docs/doctor/articles/integration/capabilities.md',
        slow: true,
      },
    ]);
  });

  it('says so when there is nothing to list', () => {
    expect(renderCheckList([], 'text')).toBe('0 checks\n');
    expect(renderCheckList([], 'json')).toBe('[]\n');
  });
});

const ARTICLE = [
  '---',
  'checkId: check.integration.oci.credentials',
  'plugin: stellaops.doctor.integration',
  "severity: 'fail'",
  'tags: [registry, oci, credentials]',
  '---',
  '',
  '# OCI Registry Credentials',
  '',
  'Validates the credentials with `GET /v2/`.',
  '',
  '## How to Fix',
  '',
  '```bash',
  '# Test the credentials by hand',
  'docker login registry.example.com',
  '',
  'curl -u stellaops-svc:<password> https://registry.example.com/v2/',
  '```',
  '',
  'Done.',
  '',
].join('\n');

describe('renderArticle', () => {
  it('shows the front-matter as one header line and keeps the body readable without colour', () => {
    const output = renderArticle(ARTICLE, { color: false });

    expect(output.split('\n')).toEqual([
      'check.integration.oci.credentials · plugin: stellaops.doctor.integration · severity: fail · tags: registry, oci, credentials',
      '',
      '# OCI Registry Credentials',
      '',
      'Validates the credentials with `GET /v2/`.',
      '',
      '## How to Fix',
      '',
      '    # Test the credentials by hand',
      '    docker login registry.example.com',
      '',
      '    curl -u stellaops-svc:<password> https://registry.example.com/v2/',
      '',
      'Done.',
      '',
    ]);
    expect(output).not.toMatch(ANSI);
  });

  it('makes headings bold and underlined with colour, but not comments inside code blocks', () => {
    const lines = renderArticle(ARTICLE, { color: true }).split('\n');

    expect(lines[0]).toBe(
      '\x1b[1mcheck.integration.oci.credentials\x1b[22m · plugin: stellaops.doctor.integration · severity: fail · tags: registry, oci, credentials',
    );
    expect(lines[2]).toBe('\x1b[4m\x1b[1mOCI Registry Credentials\x1b[22m\x1b[24m');
    expect(lines[6]).toBe('\x1b[4m\x1b[1mHow to Fix\x1b[22m\x1b[24m');
    expect(lines[8]).toBe('    # Test the credentials by hand');
  });

  it('reads tags written as a YAML block list', () => {
    const article = '---\ncheckId: check.a.b\ntags:\n  - registry\n  - "oci"\n---\nBody\n';

    expect(renderArticle(article, { color: false })).toBe('check.a.b · tags: registry, oci\n\nBody\n');
  });

  it('leaves an article without front-matter as it is', () => {
    expect(renderArticle('# Title\n\nText with `code`.\n', { color: false })).toBe('# Title\n\nText with `code`.\n');
  });
});
