// The message of the ConfigError a configuration call throws (failing the test if it throws
// anything else, or nothing).
import { expect } from 'vitest';
import { ConfigError } from '../../src/config/configuration.js';

export function configErrorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}
