// The message of the error a call throws (failing the test if it throws anything else, or
// nothing): a configuration call's ConfigError, or an error of another given class.
import { expect } from 'vitest';
import { ConfigError } from '../../src/config/configuration.js';

export function messageOf(type: abstract new (...args: never[]) => Error, run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return (error as Error).message;
  }
  throw new Error(`expected a ${type.name}`);
}

export function configErrorOf(run: () => unknown): string {
  return messageOf(ConfigError, run);
}
