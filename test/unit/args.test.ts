// Command-line parsing: every option kind, and one-line usage errors.
import { describe, expect, it } from 'vitest';
import { OPTIONS, helpText, parseArgs } from '../../src/cli/args.js';

describe('parseArgs', () => {
  it('reads the command, repeatable lists, values and flags', () => {
    const args = parseArgs([
      'run',
      '--check',
      'a',
      '--check=b',
      '--severity',
      'warn,fail',
      '-v',
      '--timeout',
      '2s',
      '--set',
      'OCI:TestTag=1',
    ]);

    expect(args.command).toBe('run');
    expect(args.lists.get('check')).toEqual(['a', 'b']);
    expect(args.lists.get('severity')).toEqual(['warn', 'fail']);
    expect(args.lists.get('set')).toEqual(['OCI:TestTag=1']);
    expect(args.values.get('timeout')).toBe('2s');
    expect(args.flags.has('verbose')).toBe(true);
  });

  it('defaults to run and keeps positionals for explain', () => {
    expect(parseArgs([]).command).toBe('run');
    expect(parseArgs(['explain', 'check.x']).positionals).toEqual(['check.x']);
  });

  it('takes --docker-config with or without a path', () => {
    expect(parseArgs(['--docker-config']).values.get('docker-config')).toBe('true');
    expect(parseArgs(['--docker-config', '--verbose']).values.get('docker-config')).toBe('true');
    expect(parseArgs(['--docker-config', '/tmp/c.json']).values.get('docker-config')).toBe('/tmp/c.json');
  });

  it.each([
    [['--nope'], "unknown option '--nope'"],
    [['--nope=1'], "unknown option '--nope'"],
    [['--timeout'], "option '--timeout' needs a value (DURATION)"],
    [['--format', '--verbose'], "option '--format' needs a value (FORMAT), got the option '--verbose'"],
    [['--verbose=yes'], "option '--verbose' takes no value"],
    [['-x'], "unknown option '-x'"],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe('helpText', () => {
  it('lists every option from the option table', () => {
    const help = helpText('1.2.3');

    for (const option of OPTIONS) expect(help).toContain(`--${option.name}`);
    expect(help).toContain('stella doctor 1.2.3');
  });
});
