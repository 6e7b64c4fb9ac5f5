// Entry point of the report renderers: picks the format, loads only that renderer, and passes the
// report through the redaction gate first so no renderer can leak a secret.

import type { Report } from '../engine/types.js';
import { redactDeep } from '../util/redact.js';

export const REPORT_FORMATS = ['text', 'table', 'json', 'markdown', 'junit'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderOptions {
  /** ANSI colour (text, table). Default false. */
  color?: boolean;
  /** Evidence for non-pass results (text). Default false. */
  verbose?: boolean;
  /** Remediation steps (text). Default true; `--no-remediation` sets it to false. */
  remediation?: boolean;
  /** Warnings become JUnit failures (junit). Default false. */
  warnAsFailure?: boolean;
}

export async function renderReport(report: Report, format: ReportFormat, options: RenderOptions = {}): Promise<string> {
  const safe = redactDeep(report);
  switch (format) {
    case 'text': {
      const { renderText } = await import('./text.js');
      return renderText(safe, {
        color: options.color ?? false,
        verbose: options.verbose ?? false,
        remediation: options.remediation ?? true,
      });
    }
    case 'table': {
      const { renderTable } = await import('./table.js');
      return renderTable(safe, { color: options.color ?? false });
    }
    case 'json': {
      const { renderJson } = await import('./json.js');
      return renderJson(safe);
    }
    case 'markdown': {
      const { renderMarkdown } = await import('./markdown.js');
      return renderMarkdown(safe);
    }
    case 'junit': {
      const { renderJunit } = await import('./junit.js');
      return renderJunit(safe, { warnAsFailure: options.warnAsFailure ?? false });
    }
  }
}
