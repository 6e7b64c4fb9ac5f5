// Format dispatch, and the redaction gate applied before any renderer sees the report.
import { afterEach, describe, expect, it } from 'vitest';
import { REPORT_FORMATS, renderReport } from '../../src/render/index.js';
import { renderJson } from '../../src/render/json.js';
import { renderJunit } from '../../src/render/junit.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { renderTable } from '../../src/render/table.js';
import { renderText } from '../../src/render/text.js';
import { clearSecrets, MASK, registerSecret } from '../../src/util/redact.js';
import { sampleReport } from './render-fixture.js';

const CANARY = 'canary-Pa55word-7f3e';

afterEach(() => clearSecrets());

describe('renderReport', () => {
  it('knows the five formats', () => {
    expect(REPORT_FORMATS).toEqual(['text', 'table', 'json', 'markdown', 'junit']);
  });

  it('renders each format with its renderer and the default options', async () => {
    const report = sampleReport();

    const outputs = await Promise.all(REPORT_FORMATS.map((format) => renderReport(report, format)));

    expect(outputs).toEqual([
      renderText(report, { color: false, verbose: false, remediation: true }),
      renderTable(report, { color: false }),
      renderJson(report),
      renderMarkdown(report),
      renderJunit(report, { warnAsFailure: false }),
    ]);
  });

  it('passes the options on to the renderer', async () => {
    const report = sampleReport();

    const text = await renderReport(report, 'text', { color: true, verbose: true, remediation: false });
    const junit = await renderReport(report, 'junit', { warnAsFailure: true });

    expect(text).toBe(renderText(report, { color: true, verbose: true, remediation: false }));
    expect(junit).toBe(renderJunit(report, { warnAsFailure: true }));
  });

  it.each(REPORT_FORMATS)('masks a registered secret in %s output', async (format) => {
    registerSecret(CANARY);
    const report = sampleReport();
    report.results[1]!.diagnosis = `Password ${CANARY} was rejected.`;
    report.results[1]!.evidence.echoed_password = CANARY;

    const output = await renderReport(report, format, { verbose: true });

    expect(output).not.toContain(CANARY);
    expect(output).toContain(MASK);
  });
});
