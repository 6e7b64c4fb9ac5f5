// Edit distance and the "did you mean" it drives.
import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../src/util/suggest.js';

describe('editDistance', () => {
  it.each([
    ['list', 'list', 0],
    ['lsit', 'list', 1],
    ['registy', 'registry', 1],
    ['DOCTOR', 'doctor', 0],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('%s → %s is %d', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });
});

describe('didYouMean', () => {
  it('names the nearest candidate', () => {
    expect(didYouMean('--registy', ['--registry', '--username'])).toBe(" (did you mean '--registry'?)");
  });

  it('stays quiet when nothing is close', () => {
    expect(didYouMean('xyz', ['list', 'explain'])).toBe('');
  });
});
