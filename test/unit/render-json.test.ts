// The JSON report: SPEC key order, unknown fields dropped, and the JSON Schema accepting real and
// rejecting broken reports.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/engine/types.js';
import { renderJson } from '../../src/render/json.js';
import { sampleReport } from './render-fixture.js';

const schema: object = JSON.parse(
  readFileSync(new URL('../../schema/doctor-report.schema.json', import.meta.url), 'utf8'),
);
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);

type Json = Record<string, unknown>;

/** The same value with the keys of every object in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, v]) => [key, reverseKeys(v)]),
  );
}

function parsed(report: Report): Json {
  return JSON.parse(renderJson(report)) as Json;
}

describe('renderJson', () => {
  it('writes the whole report as JSON indented by two spaces, with a final newline', () => {
    const report = sampleReport();

    const output = renderJson(report);

    expect(JSON.parse(output)).toEqual(report);
    expect(
      output.startsWith('{\n  "schemaVersion": "1.0",\n  "runId": "4f1c2a9e-6b1d-4c4e-9f53-0d6a1b7e2c11",\n'),
    ).toBe(true);
    expect(output.endsWith('\n  ]\n}\n')).toBe(true);
  });

  it('puts the keys in the documented order whatever order the report was built in', () => {
    const scrambled = reverseKeys(sampleReport()) as Report;

    const json = parsed(scrambled);
    const result = (json.results as Json[])[1]!;
    const remediation = result.remediation as Json;

    expect(Object.keys(json)).toEqual([
      'schemaVersion',
      'runId',
      'startedAt',
      'completedAt',
      'durationMs',
      'doctorVersion',
      'summary',
      'results',
    ]);
    expect(Object.keys(json.summary as Json)).toEqual(['total', 'pass', 'info', 'warn', 'fail', 'skip', 'overall']);
    expect(Object.keys(result)).toEqual([
      'checkId',
      'pluginId',
      'category',
      'name',
      'tags',
      'severity',
      'diagnosis',
      'evidence',
      'likelyCauses',
      'remediation',
      'verificationCommand',
      'durationMs',
      'startedAt',
    ]);
    expect(Object.keys(remediation)).toEqual(['runbookUrl', 'steps']);
    expect(Object.keys((remediation.steps as Json[])[0]!)).toEqual([
      'order',
      'environment',
      'description',
      'command',
      'safe',
    ]);
  });

  it('leaves out fields that are not part of the contract', () => {
    const report = { ...sampleReport(), internal: 'x' } as Report;
    report.results[0] = { ...report.results[0]!, debug: true } as Report['results'][number];

    const json = parsed(report);

    expect(json).not.toHaveProperty('internal');
    expect((json.results as Json[])[0]).not.toHaveProperty('debug');
  });

  it('produces a report that validates against the schema', () => {
    const json = parsed(sampleReport());

    const valid = validate(json);

    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('validates a run without results', () => {
    const report: Report = {
      ...sampleReport(),
      results: [],
      summary: { total: 0, pass: 0, info: 0, warn: 0, fail: 0, skip: 0, overall: 'skip' },
    };

    expect(validate(parsed(report))).toBe(true);
  });

  it.each<[string, (report: Json) => void]>([
    ['a missing diagnosis', (r) => delete (r.results as Json[])[0]!.diagnosis],
    ['a missing summary', (r) => delete r.summary],
    ['an unknown severity', (r) => ((r.results as Json[])[0]!.severity = 'error')],
    ['an unknown overall severity', (r) => ((r.summary as Json).overall = 'critical')],
    [
      'an unknown environment',
      (r) => (((r.results as Json[])[1]!.remediation as { steps: Json[] }).steps[0]!.environment = 'windows'),
    ],
    ['a step without safe', (r) => delete ((r.results as Json[])[1]!.remediation as { steps: Json[] }).steps[0]!.safe],
    ['an evidence value that is an object', (r) => (((r.results as Json[])[1]!.evidence as Json).nested = { a: 1 })],
    ['an evidence array of numbers', (r) => (((r.results as Json[])[1]!.evidence as Json).ports = [80, 443])],
    ['an evidence key that is not snake_case', (r) => (((r.results as Json[])[1]!.evidence as Json).statusCode = 401)],
    ['another schema version', (r) => (r.schemaVersion = '2.0')],
    ['an extra top-level field', (r) => (r.extra = true)],
    ['an extra result field', (r) => ((r.results as Json[])[0]!.extra = true)],
    ['a negative duration', (r) => (r.durationMs = -1)],
    ['a start time that is not ISO-8601', (r) => (r.startedAt = 'yesterday')],
  ])('rejects a report with %s', (_, breakIt) => {
    const json = parsed(sampleReport());
    breakIt(json);

    expect(validate(json)).toBe(false);
  });
});
