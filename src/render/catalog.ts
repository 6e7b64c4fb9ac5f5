// Renderers for the check catalog: `stella doctor list` (the checks' metadata as text or JSON)
// and `stella doctor explain` (a knowledge-base article laid out for the terminal).

import { alignColumns } from './columns.js';
import type { CheckMetadata } from '../engine/types.js';
import { createPainter, formatDuration, plural } from './common.js';
import { byText } from '../util/compare.js';

export type CheckListFormat = 'text' | 'json';

/** The metadata fields of a check, in a fixed order, without its functions. */
function metadataOnly(check: CheckMetadata): CheckMetadata {
  return {
    id: check.id,
    name: check.name,
    description: check.description,
    pluginId: check.pluginId,
    category: check.category,
    defaultSeverity: check.defaultSeverity,
    tags: [...check.tags],
    estimatedDurationMs: check.estimatedDurationMs,
    article: check.article,
    ...(check.slow === undefined ? {} : { slow: check.slow }),
  };
}

function checkListText(checks: readonly CheckMetadata[]): string {
  const header = { id: 'ID', name: 'NAME', severity: 'SEVERITY', estimate: 'ESTIMATE', tags: 'TAGS' };
  const rows = [...checks]
    .sort((a, b) => byText(a.pluginId, b.pluginId) || byText(a.category, b.category) || byText(a.id, b.id))
    .map((c) => ({
      group: `${c.pluginId} (${c.category})`,
      id: c.id,
      name: c.name,
      severity: c.defaultSeverity,
      estimate: `~${formatDuration(c.estimatedDurationMs)}`,
      tags: c.tags.join(', ') + (c.slow ? ' · only with --full' : ''),
    }));
  const all = [header, ...rows];
  const cells = alignColumns(all.map((r) => [r.id, r.name, r.severity, r.estimate, r.tags]));
  const aligned = new Map(all.map((r, i) => [r, cells[i]!]));
  const line = (r: typeof header): string => `  ${aligned.get(r)!.join('  ')}`.trimEnd();

  const lines: string[] = [];
  let group: string | undefined;
  for (const row of rows) {
    if (row.group !== group) {
      if (group !== undefined) lines.push('');
      group = row.group;
      lines.push(group, line(header));
    }
    lines.push(line(row));
  }
  if (lines.length > 0) lines.push('');
  lines.push(plural(checks.length, 'check', 'checks'));
  return `${lines.join('\n')}\n`;
}

export function renderCheckList(checks: readonly CheckMetadata[], format: CheckListFormat): string {
  if (format === 'json') return `${JSON.stringify(checks.map(metadataOnly), null, 2)}\n`;
  return checkListText(checks);
}

export interface ArticleOptions {
  color: boolean;
}

interface FrontMatter {
  fields: Map<string, string[]>;
  body: string;
}

function unquote(value: string): string {
  return value.trim().replace(/^(["'])(.*)\1$/, '$2');
}

/** Reads a leading `---` block of `key: value`, `key: [a, b]` and `key:` + `- item` lines. */
function splitFrontMatter(markdown: string): FrontMatter {
  const fields = new Map<string, string[]>();
  const match = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(markdown);
  if (!match) return { fields, body: markdown };
  let current: string[] | undefined;
  for (const raw of match[1]!.split(/\r?\n/)) {
    const item = /^\s*-\s+(.*)$/.exec(raw);
    if (item && current) {
      current.push(unquote(item[1]!));
      continue;
    }
    const pair = /^([A-Za-z][\w-]*)\s*:\s*(.*)$/.exec(raw);
    if (!pair) continue;
    const value = pair[2]!.trim();
    const list = /^\[(.*)\]$/.exec(value);
    current = list
      ? list[1]!
          .split(',')
          .map(unquote)
          .filter((v) => v !== '')
      : value === ''
        ? []
        : [unquote(value)];
    fields.set(pair[1]!, current);
  }
  return { fields, body: markdown.slice(match[0].length) };
}

const FENCE = /^\s*(`{3,}|~{3,})/;
const CODE_INDENT = '    ';

/** A knowledge-base article for the terminal: a header line from the front-matter, then the body. */
export function renderArticle(markdown: string, options: ArticleOptions): string {
  const paint = createPainter(options.color);
  const { fields, body } = splitFrontMatter(markdown);
  const lines: string[] = [];

  const checkId = fields.get('checkId')?.[0];
  const facts = [
    ...(checkId === undefined ? [] : [paint(checkId, 'bold')]),
    ...['plugin', 'severity', 'tags'].flatMap((key) => {
      const values = fields.get(key) ?? [];
      return values.length > 0 ? [`${key}: ${values.join(', ')}`] : [];
    }),
  ];
  if (facts.length > 0) lines.push(facts.join(' · '), '');

  let fence: string | undefined;
  for (const line of body.replace(/^(\r?\n)+/, '').split(/\r?\n/)) {
    const marker = FENCE.exec(line)?.[1];
    if (fence === undefined && marker !== undefined) {
      fence = marker;
      continue;
    }
    if (fence !== undefined) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) {
        fence = undefined;
        continue;
      }
      lines.push(line === '' ? '' : CODE_INDENT + line);
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    lines.push(heading && options.color ? paint(heading[1]!, 'bold', 'underline') : line);
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
