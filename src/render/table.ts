// A compact report: one aligned row per check (status, id, name, duration, diagnosis cut to fit
// about 120 columns) and the summary line.

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
  const width = {
    status: Math.max(...all.map((r) => r.status.length)),
    id: Math.max(...all.map((r) => r.id.length)),
    name: Math.max(...all.map((r) => r.name.length)),
    duration: Math.max(...all.map((r) => r.duration.length)),
  };
  const fixed = width.status + width.id + width.name + width.duration + GAP.length * 4;
  const diagnosisWidth = Math.max(MIN_DIAGNOSIS_WIDTH, TABLE_WIDTH - fixed);

  const lines = [
    paint(
      [header.status.padEnd(width.status), header.id.padEnd(width.id), header.name.padEnd(width.name), header.duration.padStart(width.duration), header.diagnosis].join(GAP),
      'bold',
    ),
  ];
  for (const row of rows) {
    const cells = [
      paint(row.status.padEnd(width.status), SEVERITY_STYLE[row.severity]),
      row.id.padEnd(width.id),
      row.name.padEnd(width.name),
      row.duration.padStart(width.duration),
      truncate(row.diagnosis, diagnosisWidth),
    ];
    lines.push(cells.join(GAP).trimEnd());
  }
  lines.push('', summaryLine(report, paint));
  return `${lines.join('\n')}\n`;
}
