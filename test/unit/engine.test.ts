// The engine: selection, worker pool, per-check timeout that really aborts, error isolation,
// canRun → skip, ordering by id and the overall severity.
import { describe, expect, it } from 'vitest';
import { Configuration } from '../../src/config/configuration.js';
import { parseDuration } from '../../src/engine/duration.js';
import { runChecks } from '../../src/engine/run.js';
import { selectChecks } from '../../src/engine/selection.js';
import type { CheckDefinition, CheckOutcome } from '../../src/engine/types.js';

function check(id: string, run: CheckDefinition['run'], extra: Partial<CheckDefinition> = {}): CheckDefinition {
  return {
    id,
    name: id,
    description: id,
    pluginId: 'stellaops.doctor.test',
    category: 'test',
    defaultSeverity: 'fail',
    tags: ['t'],
    estimatedDurationMs: 1,
    article: 'docs/doctor/articles/test/x.md',
    canRun: () => ({ runnable: true }),
    run,
    ...extra,
  };
}

const verdict =
  (severity: CheckOutcome['severity']): CheckDefinition['run'] =>
  async () => ({ severity, diagnosis: severity, evidence: {} });

function run(checks: CheckDefinition[], extra: { timeoutMs?: number; parallel?: number } = {}) {
  return runChecks({
    checks,
    config: new Configuration(),
    doctorVersion: '0.0.0',
    runbookBaseUrl: 'https://docs.example/',
    env: {},
    ...extra,
  });
}

describe('runChecks', () => {
  it('orders results by check id, not by completion', async () => {
    const slow = check('check.b', async () => {
      await new Promise((r) => setTimeout(r, 30));
      return { severity: 'pass', diagnosis: 'b', evidence: {} };
    });

    const report = await run([slow, check('check.c', verdict('pass')), check('check.a', verdict('pass'))]);

    expect(report.results.map((r) => r.checkId)).toEqual(['check.a', 'check.b', 'check.c']);
  });

  it('turns a hung check into a timed-out fail and aborts its signal', async () => {
    let aborted = false;
    const hung = check(
      'check.hung',
      (_ctx, signal) => new Promise(() => signal.addEventListener('abort', () => (aborted = true))),
    );
    const started = Date.now();

    const report = await run([hung, check('check.ok', verdict('pass'))], { timeoutMs: 200 });

    expect(Date.now() - started).toBeLessThan(1500);
    expect(aborted).toBe(true);
    expect(report.results[0]).toMatchObject({
      checkId: 'check.hung',
      severity: 'fail',
      evidence: { timed_out: true, timeout_ms: 200 },
    });
    expect(report.results[1]!.severity).toBe('pass');
  });

  it('turns a throwing check into an internal-error fail and goes on', async () => {
    const broken = check('check.broken', async () => {
      throw new Error('boom');
    });

    const report = await run([broken, check('check.ok', verdict('warn'))]);

    expect(report.results[0]).toMatchObject({
      severity: 'fail',
      evidence: { internal_error: true, error_message: 'boom' },
    });
    expect(report.results[0]!.diagnosis).toContain('The check itself broke');
    expect(report.summary).toEqual({ total: 2, pass: 0, info: 0, warn: 1, fail: 1, skip: 0, overall: 'fail' });
  });

  it('skips a check whose canRun says no, without running its body', async () => {
    let ran = false;
    const skipped = check(
      'check.skip',
      async () => {
        ran = true;
        return { severity: 'pass', diagnosis: '', evidence: {} };
      },
      { canRun: () => ({ runnable: false, reason: 'nothing configured' }) },
    );

    const report = await run([skipped]);

    expect(ran).toBe(false);
    expect(report.results[0]).toMatchObject({ severity: 'skip', diagnosis: 'nothing configured' });
    expect(report.summary.overall).toBe('skip');
  });

  it('computes the overall severity as the worst non-skip result', async () => {
    const report = await run([
      check('check.a', verdict('info')),
      check('check.b', verdict('warn')),
      check('check.c', verdict('pass')),
    ]);

    expect(report.summary.overall).toBe('warn');
  });

  it('runs at most --parallel checks at a time', async () => {
    let active = 0;
    let peak = 0;
    const busy = (id: string) =>
      check(id, async () => {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 20));
        active -= 1;
        return { severity: 'pass', diagnosis: '', evidence: {} };
      });

    await run(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => busy(`check.${x}`)),
      { parallel: 2 },
    );

    expect(peak).toBe(2);
  });

  it('fills in the verification command and the runbook URL from the metadata', async () => {
    const report = await run([check('check.a', verdict('fail'))]);

    expect(report.results[0]!.verificationCommand).toBe('stella doctor run --check check.a');
    expect(report.results[0]!.remediation.runbookUrl).toBe('https://docs.example/test/x.md');
  });
});

describe('selectChecks', () => {
  const all = [
    check('check.x.quick', verdict('pass'), { tags: ['quick', 'oci'] }),
    check('check.x.slow', verdict('pass'), { tags: ['oci'], slow: true }),
    check('check.y.other', verdict('pass'), { tags: ['other'], category: 'other' }),
  ];

  it.each([
    [{}, ['check.x.quick', 'check.y.other']],
    [{ full: true }, ['check.x.quick', 'check.x.slow', 'check.y.other']],
    [{ quick: true }, ['check.x.quick']],
    [{ tags: ['oci'], full: true }, ['check.x.quick', 'check.x.slow']],
    [{ tags: ['oci', 'other'] }, ['check.x.quick', 'check.y.other']],
    [{ tags: ['oci'], categories: ['other'] }, []],
    [{ checks: ['check.x.slow'] }, ['check.x.slow']],
  ])('selection %j', (selection, expected) => {
    expect(selectChecks(all, selection).map((c) => c.id)).toEqual(expected);
  });

  it.each([
    [{ checks: ['check.nope'] }, "unknown check id 'check.nope'"],
    [{ plugins: ['nope'] }, "unknown plugin 'nope'"],
    [{ tags: ['nope'] }, "unknown tag 'nope'"],
  ])('rejects %j', (selection, message) => {
    expect(() => selectChecks(all, selection)).toThrow(message);
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['2m', 120_000],
    ['1.5s', 1500],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'abc', '-1s', '0s', '10 parsecs', '250'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
