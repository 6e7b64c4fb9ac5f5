// Command-line parsing for `stella doctor`, driven by one declarative table of options, which
// also produces the help text. Unknown options and missing values are usage errors (exit 2).

import { ConfigError } from '../config/configuration.js';
import { OCI_KEYS } from '../config/oci-keys.js';
import { didYouMean } from '../util/suggest.js';
import { REPORT_FORMATS } from '../render/index.js';

type OptionKind = 'flag' | 'value' | 'list' | 'optional-value';

interface OptionSpec {
  name: string;
  short?: string;
  kind: OptionKind;
  arg?: string;
  help: string;
  group: 'Selection' | 'Output' | 'Execution' | 'Configuration' | 'General';
}

export const OPTIONS: readonly OptionSpec[] = [
  { name: 'check', kind: 'list', arg: 'ID', help: 'run this check (repeatable)', group: 'Selection' },
  { name: 'plugin', kind: 'list', arg: 'ID', help: 'run the checks of this plugin (repeatable)', group: 'Selection' },
  {
    name: 'category',
    kind: 'list',
    arg: 'NAME',
    help: 'run the checks of this category (repeatable)',
    group: 'Selection',
  },
  { name: 'tag', kind: 'list', arg: 'TAG', help: 'run the checks with this tag (repeatable)', group: 'Selection' },
  { name: 'quick', kind: 'flag', help: 'only the quick checks', group: 'Selection' },
  { name: 'full', kind: 'flag', help: 'every check, including slow ones', group: 'Selection' },
  {
    name: 'format',
    kind: 'value',
    arg: 'FORMAT',
    help: `${REPORT_FORMATS.join(' | ')} (list, config: text | json)`,
    group: 'Output',
  },
  {
    name: 'output',
    short: 'o',
    kind: 'value',
    arg: 'FILE',
    help: 'write the report to FILE instead of stdout',
    group: 'Output',
  },
  {
    name: 'verbose',
    short: 'v',
    kind: 'flag',
    help: 'show the evidence of every result, passing ones too',
    group: 'Output',
  },
  { name: 'no-remediation', kind: 'flag', help: 'leave out remediation steps', group: 'Output' },
  {
    name: 'severity',
    kind: 'list',
    arg: 'LEVEL',
    help: 'show only results of these severities (pass,info,warn,fail,skip)',
    group: 'Output',
  },
  {
    name: 'fail-on',
    kind: 'value',
    arg: 'LEVEL',
    help: 'exit 1 on this severity or worse: fail (default) | warn',
    group: 'Output',
  },
  {
    name: 'timeout',
    kind: 'value',
    arg: 'DURATION',
    help: 'per-check timeout, e.g. 500ms, 10s, 2m (default 30s)',
    group: 'Execution',
  },
  { name: 'parallel', kind: 'value', arg: 'N', help: 'checks run at the same time (default 4)', group: 'Execution' },
  {
    name: 'config-dir',
    kind: 'value',
    arg: 'DIR',
    help: 'where appsettings*.json are read (default: current directory)',
    group: 'Configuration',
  },
  {
    name: 'environment',
    kind: 'value',
    arg: 'NAME',
    help: 'reads appsettings.NAME.json (default Production)',
    group: 'Configuration',
  },
  {
    name: 'config',
    kind: 'list',
    arg: 'FILE',
    help: 'an extra JSON configuration file (repeatable)',
    group: 'Configuration',
  },
  {
    name: 'env-file',
    kind: 'value',
    arg: 'FILE',
    help: 'a dotenv file (default: .env in the current directory)',
    group: 'Configuration',
  },
  {
    name: 'set',
    kind: 'list',
    arg: 'KEY=VALUE',
    help: 'set a configuration value (repeatable)',
    group: 'Configuration',
  },
  {
    name: 'registry',
    kind: 'value',
    arg: 'URL',
    help: 'the registry to check (OCI:RegistryUrl)',
    group: 'Configuration',
  },
  { name: 'username', kind: 'value', arg: 'USER', help: 'registry username (OCI:Username)', group: 'Configuration' },
  {
    name: 'password-stdin',
    kind: 'flag',
    help: 'read the registry password from standard input',
    group: 'Configuration',
  },
  {
    name: 'docker-config',
    kind: 'optional-value',
    arg: 'PATH',
    help: "use docker's config.json as a credential source",
    group: 'Configuration',
  },
  {
    name: 'host',
    kind: 'value',
    arg: 'HOST',
    help: 'serve: address to listen on (Doctor:Api:Host, default 127.0.0.1)',
    group: 'Execution',
  },
  {
    name: 'port',
    kind: 'value',
    arg: 'PORT',
    help: 'serve: port to listen on (Doctor:Api:Port, default 5080)',
    group: 'Execution',
  },
  { name: 'help', short: 'h', kind: 'flag', help: 'show this help', group: 'General' },
  { name: 'version', kind: 'flag', help: 'print the version', group: 'General' },
];

export type Command = 'run' | 'list' | 'explain' | 'config' | 'serve';
export const COMMANDS: Record<Command, string> = {
  run: 'run the checks (the default)',
  list: 'list the checks that would run',
  explain: 'show the knowledge-base article of a check: explain <checkId>',
  config: 'show the effective configuration, secrets masked, with the source of each value',
  serve: 'run the HTTP API, event stream and metrics (see stella doctor serve --help)',
};

export interface ParsedArgs {
  command: Command;
  positionals: string[];
  flags: Set<string>;
  values: Map<string, string>;
  lists: Map<string, string[]>;
}

const BY_NAME = new Map(OPTIONS.map((o) => [o.name, o]));
const BY_SHORT = new Map(OPTIONS.filter((o) => o.short).map((o) => [o.short!, o]));

/** Parses the arguments after `stella doctor`. Throws ConfigError naming the bad argument. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { command: 'run', positionals: [], flags: new Set(), values: new Map(), lists: new Map() };
  let commandSeen = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      parsed.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (!commandSeen && parsed.positionals.length === 0 && arg in COMMANDS) {
        parsed.command = arg as Command;
        commandSeen = true;
      } else {
        parsed.positionals.push(arg);
      }
      continue;
    }
    const [rawName, inlineValue] = arg.startsWith('--') ? splitInline(arg.slice(2)) : [arg.slice(1), undefined];
    const spec = arg.startsWith('--') ? BY_NAME.get(rawName) : BY_SHORT.get(rawName);
    if (!spec) {
      const option = arg.split('=')[0]!;
      const hint =
        didYouMean(
          option,
          OPTIONS.map((o) => `--${o.name}`),
        ) || ' (see stella doctor --help)';
      throw new ConfigError(`unknown option '${option}'${hint}`);
    }
    if (spec.kind === 'flag') {
      if (inlineValue !== undefined) throw new ConfigError(`option '--${spec.name}' takes no value`);
      parsed.flags.add(spec.name);
      continue;
    }
    let value = inlineValue;
    if (value === undefined) {
      const next = argv[i + 1];
      const hasNext = next !== undefined && !next.startsWith('-');
      if (spec.kind === 'optional-value' && !hasNext) {
        parsed.values.set(spec.name, 'true');
        continue;
      }
      if (!hasNext) {
        throw new ConfigError(
          `option '--${spec.name}' needs a value ` +
            `(${spec.arg})${next === undefined ? '' : `, got the option '${next}'`}`,
        );
      }
      value = next;
      i++;
    }
    if (spec.kind === 'list') {
      const items =
        spec.name === 'severity'
          ? value
              .split(',')
              .map((v) => v.trim())
              .filter(Boolean)
          : [value];
      parsed.lists.set(spec.name, [...(parsed.lists.get(spec.name) ?? []), ...items]);
    } else {
      parsed.values.set(spec.name, value);
    }
  }
  return parsed;
}

function splitInline(body: string): [string, string | undefined] {
  const eq = body.indexOf('=');
  return eq < 0 ? [body, undefined] : [body.slice(0, eq), body.slice(eq + 1)];
}

export function helpText(version: string): string {
  const lines = [
    `stella doctor ${version} — diagnoses container registry integrations`,
    '',
    'Usage:',
    '  stella doctor [run] [options]',
    '  stella doctor list [--format text|json] [selection]',
    '  stella doctor explain <checkId>',
    '  stella doctor config [--format text|json] [configuration options]',
    '  stella doctor serve [--host 127.0.0.1] [--port 5080] [configuration options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, help]) => `  ${name.padEnd(10)}${help}`),
  ];
  for (const group of ['Selection', 'Output', 'Execution', 'Configuration', 'General'] as const) {
    lines.push('', `${group}:`);
    for (const o of OPTIONS.filter((x) => x.group === group)) {
      const short = o.short ? `-${o.short}, ` : '    ';
      const arg = o.arg ? (o.kind === 'optional-value' ? ` [${o.arg}]` : ` ${o.arg}`) : '';
      lines.push(`  ${short}--${o.name}${arg}`.padEnd(34) + o.help);
    }
  }
  lines.push(
    '',
    'Exit codes: 0 no check failed, 1 a check failed (or warned, with --fail-on warn),',
    '            2 usage or configuration error, 3 internal error.',
    '',
    'Configuration keys (as env vars with __, e.g. OCI__RegistryUrl; in appsettings.json, .env, --config or --set):',
    ...OCI_KEYS.map((spec) => {
      const also = [
        ...spec.fallbacks.map((k) => `falls back to ${k}`),
        ...('default' in spec ? [`default ${spec.default}`] : []),
      ];
      return `  ${spec.key.padEnd(30)}${spec.help}${also.length > 0 ? ` (${also.join('; ')})` : ''}`;
    }),
    '',
  );
  return lines.join('\n');
}
