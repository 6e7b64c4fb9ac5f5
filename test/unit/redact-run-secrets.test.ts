// Secrets that belong to one run: inside withRunSecrets what a run registers is masked in that
// run only; the process-wide secrets are masked in every run.
import { afterEach, describe, expect, it } from 'vitest';
import {
  MASK,
  clearSecrets,
  containsSecret,
  redactText,
  registerSecret,
  withRunSecrets,
} from '../../src/util/redact.js';

afterEach(() => clearSecrets());

describe('withRunSecrets', () => {
  it("masks a run's secret inside that run, not in another run nor outside any run", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const runA = withRunSecrets(async () => {
      registerSecret('run-a-secret-value');
      await gate;
      return redactText('a: run-a-secret-value');
    });
    const runB = withRunSecrets(async () => {
      await gate;
      return [redactText('b: run-a-secret-value'), containsSecret('run-a-secret-value')] as const;
    });
    release();

    expect(await runA).toBe(`a: ${MASK}`);
    expect(await runB).toEqual(['b: run-a-secret-value', false]);
    expect(redactText('outside: run-a-secret-value')).toBe('outside: run-a-secret-value');
  });

  it('masks the process-wide secrets inside every run', async () => {
    registerSecret('server-token-value');

    const inside = await withRunSecrets(async () => redactText('t=server-token-value'));

    expect(inside).toBe(`t=${MASK}`);
  });
});
