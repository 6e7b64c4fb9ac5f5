// The command-line arguments that name a run's target, for the verification command each result
// carries: pasted after a fix, it must re-check the same registry with the same configuration
// sources. Secrets are never repeated: a password read from standard input is asked for the same
// way, a secret given with --set becomes --password-stdin (OCI:Password) or a placeholder.

import { isSecretKey } from '../config/configuration.js';
import { shellQuote } from '../util/shell.js';
import { OPTIONS, type ParsedArgs } from './args.js';

/** Options that shape what is checked and how: configuration sources and the per-check timeout. */
const TARGET_OPTIONS = OPTIONS.filter((o) => o.group === 'Configuration' || o.name === 'timeout');

/** `--set KEY=VALUE` as the verification repeats it. */
function repeatedSet(assignment: string, flags: Set<string>): string[] {
  const key = assignment.slice(0, assignment.indexOf('=')).trim();
  if (!isSecretKey(key)) return ['--set', assignment];
  if (/^(oci|registry)(:|__)password$/i.test(key)) return flags.has('password-stdin') ? [] : ['--password-stdin'];
  return ['--set', `${key}=<${key.split(/:|__/).pop()!.toLowerCase()}>`];
}

/** The arguments, in the order of the options table, that reproduce this run's target. */
export function targetArgs(args: ParsedArgs): string[] {
  const words: string[] = [];
  for (const option of TARGET_OPTIONS) {
    const flag = `--${option.name}`;
    if (option.kind === 'flag' && args.flags.has(option.name)) words.push(flag);
    const value = args.values.get(option.name);
    if (option.kind === 'optional-value' && value !== undefined)
      words.push(...(value === 'true' ? [flag] : [flag, value]));
    if (option.kind === 'value' && value !== undefined) words.push(flag, value);
    for (const item of option.kind === 'list' ? (args.lists.get(option.name) ?? []) : []) {
      words.push(...(option.name === 'set' ? repeatedSet(item, args.flags) : [flag, item]));
    }
  }
  return words;
}

/** The same arguments as shell words, ready to append to a command. */
export function targetArgsText(args: ParsedArgs): string {
  return targetArgs(args)
    .map((word) => (word.startsWith('--') ? word : shellQuote(word)))
    .join(' ');
}
