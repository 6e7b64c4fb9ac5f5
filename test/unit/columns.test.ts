// The one column aligner of the text renderers.
import { describe, expect, it } from 'vitest';
import { alignColumns } from '../../src/render/columns.js';

describe('alignColumns', () => {
  it('pads every column to its widest cell, left unless told right', () => {
    expect(
      alignColumns(
        [
          ['id', 'duration'],
          ['check.a', '5 ms'],
        ],
        { align: ['left', 'right'] },
      ),
    ).toEqual([
      ['id     ', 'duration'],
      ['check.a', '    5 ms'],
    ]);
  });

  it('lets a cell longer than its column maximum overflow instead of widening the column', () => {
    expect(
      alignColumns(
        [
          ['KEY', 'VALUE'],
          ['a', 'x'.repeat(10)],
          ['b', 'y'],
        ],
        { maxWidth: [undefined, 5] },
      ),
    ).toEqual([
      ['KEY', 'VALUE'],
      ['a  ', 'x'.repeat(10)],
      ['b  ', 'y    '],
    ]);
  });

  it('handles rows of different lengths and no rows', () => {
    expect(alignColumns([['a', 'bb'], ['ccc']])).toEqual([['a  ', 'bb'], ['ccc']]);
    expect(alignColumns([])).toEqual([]);
  });
});
