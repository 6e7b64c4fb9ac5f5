// The dashboard's "new" and "fixed" markers: every pair of verdicts, and which earlier verdict a
// result is compared with; and the view state a deep link carries.
import { describe, expect, it } from 'vitest';
import { changeSincePrevious, previousVerdict } from '../../src/dashboard/changes.js';
import { readViewState, viewQuery } from '../../src/dashboard/view-state.js';
import type { Severity } from '../../src/engine/types.js';

describe('changeSincePrevious', () => {
  it.each<[Severity, Severity | undefined, 'new' | 'fixed' | null]>([
    ['fail', undefined, null],
    ['fail', 'pass', 'new'],
    ['fail', 'info', 'new'],
    ['fail', 'skip', 'new'],
    ['fail', 'warn', 'new'],
    ['fail', 'fail', null],
    ['warn', 'pass', 'new'],
    ['warn', 'skip', 'new'],
    ['warn', 'warn', null],
    ['warn', 'fail', null],
    ['pass', 'fail', 'fixed'],
    ['info', 'warn', 'fixed'],
    ['pass', 'pass', null],
    ['skip', 'fail', null],
    ['skip', 'pass', null],
  ])('%s after %s is %s', (now, previous, change) => {
    expect(changeSincePrevious(now, previous)).toBe(change);
  });
});

describe('previousVerdict', () => {
  const history = [
    { runId: 'verify', severity: 'pass' as const, startedAt: '2026-01-01T10:05:00.000Z' },
    { runId: 'shown', severity: 'fail' as const, startedAt: '2026-01-01T10:00:00.000Z' },
    { runId: 'older', severity: 'pass' as const, startedAt: '2026-01-01T09:00:00.000Z' },
    { runId: 'oldest', severity: 'warn' as const, startedAt: '2026-01-01T08:00:00.000Z' },
  ];

  it('is the newest verdict of another run that started before the result, ignoring later runs', () => {
    expect(previousVerdict('shown', '2026-01-01T10:00:00.000Z', history)?.runId).toBe('older');
  });

  it('is undefined for the first verdict of a check and while the history is not loaded', () => {
    expect(previousVerdict('oldest', '2026-01-01T08:00:00.000Z', history)).toBeUndefined();
    expect(previousVerdict('shown', '2026-01-01T10:00:00.000Z', undefined)).toBeUndefined();
  });
});

describe('the view state of a deep link', () => {
  it('survives the round trip through the query string', () => {
    const state = readViewState(
      '?run=r1&check=check.integration.oci.registry&env=kubernetes&show=fail,warn&mode=quick&category=integration&plugin=p&tag=oci',
    );

    expect(state).toEqual({
      run: 'r1',
      check: 'check.integration.oci.registry',
      env: 'kubernetes',
      show: ['fail', 'warn'],
      mode: 'quick',
      category: 'integration',
      plugin: 'p',
      tag: 'oci',
    });
    expect(readViewState(viewQuery(state))).toEqual(state);
  });

  it('drops values it does not know instead of showing a broken view', () => {
    expect(readViewState('?env=windows&show=fail,bogus&mode=fast')).toMatchObject({
      env: null,
      show: ['fail'],
      mode: 'normal',
    });
  });

  it('leaves defaults out of the query', () => {
    expect(viewQuery(readViewState(''))).toBe('');
  });
});
