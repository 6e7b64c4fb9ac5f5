// `stella doctor` — commands, exit codes (0 no failure, 1 a check failed, 2 usage or configuration
// error, 3 internal error) and the single place where output leaves the process: everything
// written to stdout, stderr or --output passes through the redaction gate.

import { readFileSync, writeFileSync } from 'node:fs';
import { ConfigError, type Configuration } from '../config/configuration.js';
import type { ConfigLoadOptions } from '../config/load.js';
import { parseDuration } from '../engine/duration.js';
import type { RunEvent } from '../engine/run.js';
import { selectChecks, type Selection } from '../engine/selection.js';
import type { Report, Severity } from '../engine/types.js';
import { allChecks } from '../plugins/index.js';
import { REPORT_FORMATS, renderReport } from '../render/index.js';
import { alignColumns } from '../render/columns.js';
import { nothingChecked } from '../render/common.js';
import { targetArgsText } from './verify-args.js';
import { didYouMean } from '../util/suggest.js';
import { readFdWithin } from '../util/bounded-read.js';
import { redactText } from '../util/redact.js';
import { DOCTOR_VERSION, PACKAGE_ROOT } from '../version.js';
import { COMMANDS, helpText, parseArgs, type ParsedArgs } from './args.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 3 } as const;

const DATA_FORMATS = ['text', 'json'] as const;
const SEVERITIES: Severity[] = ['pass', 'info', 'warn', 'fail', 'skip'];

function out(text: string): void {
  process.stdout.write(redactText(text));
}

function err(text: string): void {
  process.stderr.write(redactText(text));
}

/** An error message echoes what the user typed: control characters are shown escaped, so it stays one line. */
function oneLine(message: string): string {
  return message.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`invalid --${name} '${value}' (expected ${allowed.join(', ')})`);
}

function selectionOf(args: ParsedArgs): Selection {
  return {
    checks: args.lists.get('check'),
    plugins: args.lists.get('plugin'),
    categories: args.lists.get('category'),
    tags: args.lists.get('tag'),
    quick: args.flags.has('quick'),
    full: args.flags.has('full'),
  };
}

/** Far more than any password or token; standard input may be /dev/zero. */
const MAX_PASSWORD_BYTES = 64 * 1024;

function readStdin(): string {
  try {
    return readFdWithin(0, MAX_PASSWORD_BYTES).replace(/\r?\n$/, '');
  } catch (error) {
    throw new ConfigError(
      `--password-stdin: cannot read standard input ` +
        `(${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

function configOptions(args: ParsedArgs): ConfigLoadOptions {
  const password = args.flags.has('password-stdin') ? readStdin() : undefined;
  if (args.flags.has('password-stdin') && !password)
    throw new ConfigError('--password-stdin: standard input was empty');
  const dockerConfig = args.values.get('docker-config');
  return {
    cwd: process.cwd(),
    env: process.env,
    configDir: args.values.get('config-dir'),
    environment: args.values.get('environment'),
    configFiles: args.lists.get('config'),
    envFile: args.values.get('env-file'),
    sets: args.lists.get('set'),
    registry: args.values.get('registry'),
    username: args.values.get('username'),
    password,
    dockerConfig: dockerConfig === 'true' ? true : dockerConfig,
  };
}

async function loadConfig(args: ParsedArgs): Promise<Configuration> {
  const { loadConfiguration } = await import('../config/load.js');
  // Validation registers the configuration's secrets with the redaction gate (config/validate.ts).
  return loadConfiguration(configOptions(args));
}

function writeResult(args: ParsedArgs, text: string, what: string): void {
  const file = args.values.get('output');
  if (!file) {
    out(text);
    return;
  }
  try {
    writeFileSync(file, redactText(text));
  } catch (error) {
    throw new ConfigError(
      `--output ${file}: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  err(`${what} written to ${file}\n`);
}

function progress(total: number): ((event: RunEvent) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let done = 0;
  return (event) => {
    if (event.type === 'check.completed') {
      done += 1;
      err(`\r\x1b[K[${done}/${total}] ${event.result.checkId} ${event.result.severity}`);
    }
    if (event.type === 'run.completed') err('\r\x1b[K');
  };
}

async function commandRun(args: ParsedArgs): Promise<number> {
  const format = oneOf('format', args.values.get('format'), REPORT_FORMATS, 'text');
  const failOn = oneOf('fail-on', args.values.get('fail-on'), ['fail', 'warn'] as const, 'fail');
  const shown = args.lists.get('severity')?.map((s) => oneOf('severity', s, SEVERITIES, 'fail'));
  const timeoutText = args.values.get('timeout');
  const timeoutMs = timeoutText === undefined ? undefined : parseDuration(timeoutText);
  if (timeoutText !== undefined && timeoutMs === undefined) {
    const number = /^\s*(\d+(?:\.\d+)?)\s*$/.exec(timeoutText)?.[1];
    const hint = number !== undefined && Number(number) > 0 ? `add a unit: ${number}s` : 'expected e.g. 500ms, 10s, 2m';
    throw new ConfigError(`invalid --timeout '${timeoutText}' (${hint})`);
  }
  const parallelText = args.values.get('parallel');
  const parallel = parallelText === undefined ? undefined : Number(parallelText);
  if (parallel !== undefined && (!Number.isInteger(parallel) || parallel < 1 || parallel > 64)) {
    throw new ConfigError(`invalid --parallel '${parallelText}' (expected a whole number from 1 to 64)`);
  }
  if (args.positionals.length > 0) {
    const [word] = args.positionals as [string];
    const command = didYouMean(word, Object.keys(COMMANDS));
    throw new ConfigError(command ? `unknown command '${word}'${command}` : `unexpected argument '${word}'`);
  }

  const config = await loadConfig(args);
  const selection = selectionOf(args);
  const { runDoctor } = await import('../doctor.js');
  const report = await runDoctor({
    config,
    selection,
    timeoutMs,
    parallel,
    onEvent: progress(selectChecks(allChecks(), selection).length),
    verifyArgs: targetArgsText(args),
  });

  const visible: Report = shown
    ? { ...report, results: report.results.filter((r) => shown.includes(r.severity)) }
    : report;
  const toFile = args.values.has('output');
  const text = await renderReport(visible, format, {
    color: !toFile && useColor(process.stdout),
    verbose: args.flags.has('verbose'),
    remediation: !args.flags.has('no-remediation'),
    // With --fail-on warn a warning fails the pipeline, so JUnit reports it as a failure too.
    warnAsFailure: failOn === 'warn',
  });
  writeResult(args, text, `${format} report (overall: ${report.summary.overall})`);
  const nothing = nothingChecked(report);
  if (nothing !== undefined) {
    err(`stella: nothing was checked: ${nothing}\n`);
    return EXIT.usage;
  }
  const failed = report.summary.fail > 0 || (failOn === 'warn' && report.summary.warn > 0);
  return failed ? EXIT.failed : EXIT.ok;
}

async function commandList(args: ParsedArgs): Promise<number> {
  const format = oneOf('format', args.values.get('format'), DATA_FORMATS, 'text');
  if (args.positionals.length > 0) throw new ConfigError(`unexpected argument '${args.positionals[0]}'`);
  const { renderCheckList } = await import('../render/catalog.js');
  writeResult(args, renderCheckList(selectChecks(allChecks(), selectionOf(args)), format), 'check list');
  return EXIT.ok;
}

async function commandExplain(args: ParsedArgs): Promise<number> {
  const [checkId, extra] = args.positionals;
  if (!checkId)
    throw new ConfigError('explain needs a check id: stella doctor explain <checkId> (see stella doctor list)');
  if (extra) throw new ConfigError(`unexpected argument '${extra}'`);
  const [check] = selectChecks(allChecks(), { checks: [checkId] });
  const { renderArticle } = await import('../render/catalog.js');
  const markdown = readFileSync(new URL(check!.article, PACKAGE_ROOT), 'utf8');
  writeResult(
    args,
    renderArticle(markdown, { color: !args.values.has('output') && useColor(process.stdout) }),
    'article',
  );
  return EXIT.ok;
}

async function commandConfig(args: ParsedArgs): Promise<number> {
  const format = oneOf('format', args.values.get('format'), DATA_FORMATS, 'text');
  if (args.positionals.length > 0) throw new ConfigError(`unexpected argument '${args.positionals[0]}'`);
  const config = await loadConfig(args);
  const { describeConfiguration } = await import('../config/describe.js');
  const { resolveEnvironmentName } = await import('../config/load.js');
  const entries = describeConfiguration(config);
  const environment = resolveEnvironmentName({ environment: args.values.get('environment'), env: process.env });
  if (format === 'json') {
    writeResult(
      args,
      JSON.stringify({ environment: environment.name, values: entries }, null, 2) + '\n',
      'configuration',
    );
    return EXIT.ok;
  }
  const table = alignColumns([['KEY', 'VALUE', 'SOURCE'], ...entries.map((e) => [e.key, e.value, e.source])], {
    maxWidth: [undefined, 60],
  });
  const lines = [
    `Environment: ${environment.name} (${environment.source})`,
    '',
    ...table.map((cells) => cells.join('  ').trimEnd()),
  ];
  writeResult(args, lines.join('\n') + '\n', 'configuration');
  return EXIT.ok;
}

async function commandServe(args: ParsedArgs): Promise<number> {
  if (args.positionals.length > 0) throw new ConfigError(`unexpected argument '${args.positionals[0]}'`);
  const { serve } = await import('../server/serve.js');
  return serve(configOptions(args), { host: args.values.get('host'), port: args.values.get('port') });
}

const HANDLERS = {
  run: commandRun,
  list: commandList,
  explain: commandExplain,
  config: commandConfig,
  serve: commandServe,
};

/** Runs the CLI with the arguments after the program name; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === '--version') {
      out(`${DOCTOR_VERSION}\n`);
      return EXIT.ok;
    }
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      out(helpText(DOCTOR_VERSION));
      return first === undefined ? EXIT.usage : EXIT.ok;
    }
    if (first !== 'doctor')
      throw new ConfigError(
        `unknown command '${first}'${didYouMean(first, ['doctor']) || ' (try: stella doctor --help)'}`,
      );
    const args = parseArgs(rest);
    if (args.flags.has('help')) {
      out(
        args.command === 'serve'
          ? (await import('../server/help.js')).serveHelpText(DOCTOR_VERSION)
          : helpText(DOCTOR_VERSION),
      );
      return EXIT.ok;
    }
    if (args.flags.has('version')) {
      out(`${DOCTOR_VERSION}\n`);
      return EXIT.ok;
    }
    return await HANDLERS[args.command](args);
  } catch (error) {
    // By name too: `serve` runs from a bundle of its own, with its own copy of the class.
    if (error instanceof ConfigError || (error instanceof Error && error.name === 'ConfigError')) {
      err(`stella: error: ${oneLine(error.message)}\n`);
      return EXIT.usage;
    }
    err(`stella: internal error: ${oneLine(error instanceof Error ? error.message : String(error))}\n`);
    return EXIT.internal;
  }
}
