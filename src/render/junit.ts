// The report as JUnit XML for CI systems: one test suite, one test case per check. A fail is a
// <failure>, a skip is <skipped>, and a warning passes with its explanation in <system-out>
// unless `warnAsFailure` is set.

import type { CheckResult, Report } from '../engine/types.js';
import { createPainter } from './common.js';
import { resultDetailLines } from './text.js';

export interface JunitOptions {
  /** Report warnings as failures (`type="warn"`) instead of passing test cases with output. Default false. */
  warnAsFailure?: boolean;
}

/** Everything XML 1.0 cannot carry: C0 controls other than tab/LF/CR, lone surrogates, U+FFFE and U+FFFF. */
const INVALID_XML_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Escapes text for element content; characters XML cannot represent are removed. */
function escapeXmlText(text: string): string {
  return text.replace(INVALID_XML_CHARS, '').replace(/[&<>\r]/g, (c) => ENTITIES[c]!);
}

/** Escapes text for a double-quoted attribute value, keeping tabs and line breaks as character references. */
function escapeXmlAttribute(text: string): string {
  return text.replace(INVALID_XML_CHARS, '').replace(/[&<>"'\t\n\r]/g, (c) => ENTITIES[c]!);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function details(result: CheckResult): string {
  return resultDetailLines(result, { verbose: true, remediation: true, paint: createPainter(false) }).join('\n');
}

function testcase(result: CheckResult, warnAsFailure: boolean): string[] {
  const open =
    `    <testcase classname="${escapeXmlAttribute(result.pluginId)}" ` +
    `name="${escapeXmlAttribute(result.checkId)}" time="${seconds(result.durationMs)}">`;
  const message = escapeXmlAttribute(result.diagnosis);
  const isFailure = result.severity === 'fail' || (result.severity === 'warn' && warnAsFailure);
  if (isFailure) {
    return [
      open,
      `      <failure message="${message}" type="${result.severity}">${escapeXmlText(details(result))}</failure>`,
      '    </testcase>',
    ];
  }
  if (result.severity === 'skip') return [open, `      <skipped message="${message}"/>`, '    </testcase>'];
  const output = result.severity === 'warn' ? details(result) : result.diagnosis;
  return [open, `      <system-out>${escapeXmlText(output)}</system-out>`, '    </testcase>'];
}

export function renderJunit(report: Report, options: JunitOptions = {}): string {
  const warnAsFailure = options.warnAsFailure ?? false;
  const s = report.summary;
  const failures = s.fail + (warnAsFailure ? s.warn : 0);
  const counts =
    `tests="${s.total}" failures="${failures}" errors="0" skipped="${s.skip}" ` +
    `time="${seconds(report.durationMs)}"`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="stella-doctor" ${counts}>`,
    `  <testsuite name="stella-doctor" ${counts} timestamp="${escapeXmlAttribute(report.startedAt)}">`,
    '    <properties>',
    `      <property name="runId" value="${escapeXmlAttribute(report.runId)}"/>`,
    `      <property name="doctorVersion" value="${escapeXmlAttribute(report.doctorVersion)}"/>`,
    `      <property name="overall" value="${s.overall}"/>`,
    '    </properties>',
    ...report.results.flatMap((r) => testcase(r, warnAsFailure)),
    '  </testsuite>',
    '</testsuites>',
  ];
  return `${lines.join('\n')}\n`;
}
