// A compact report: one aligned row per check (status, id, name, duration, diagnosis cut to fit
// about 120 columns) and the summary line.

import { alignColumns } from './columns.js';
import type { Report } from '../engine/types.js';
import { createPainter, formatDuration, SEVERITY_STYLE, statusLabel, summaryLine } from './common.js';

export interface TableOptions {
  color: boolean;
}

const TABLE_WIDTH = 120;
const MIN_DIAGNOSIS_WIDTH = 20;
const GAP = '  ';

/** Cuts text to `width` characters, ending with an ellipsis when something was cut. */
function truncate(text: string, width: number): string {
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  return `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

export function renderTable(report: Report, options: TableOptions): string {
  const paint = createPainter(options.color);
  const header = { status: 'STATUS', id: 'CHECK', name: 'NAME', duration: 'TIME', diagnosis: 'DIAGNOSIS' };
  const rows = report.results.map((r) => ({
    severity: r.severity,
    status: statusLabel(r.severity),
    id: r.checkId,
    name: r.name,
    duration: formatDuration(r.durationMs),
    diagnosis: r.diagnosis.replace(/\s+/g, ' ').trim(),
  }));
  const all = [header, ...rows];
  const fixed = alignColumns(
    all.map((r) => [r.status, r.id, r.name, r.duration]),
    { align: ['left', 'left', 'left', 'right'] },
  );
  const diagnosisWidth = Math.max(MIN_DIAGNOSIS_WIDTH, TABLE_WIDTH - fixed[0]!.join(GAP).length - GAP.length);

  const lines = [paint([...fixed[0]!, header.diagnosis].join(GAP), 'bold')];
  rows.forEach((row, index) => {
    const [status, ...cells] = fixed[index + 1]!;
    lines.push(
      [paint(status!, SEVERITY_STYLE[row.severity]), ...cells, truncate(row.diagnosis, diagnosisWidth)]
        .join(GAP)
        .trimEnd(),
    );
  });
  lines.push('', summaryLine(report, paint));
  return `${lines.join('\n')}\n`;
}
