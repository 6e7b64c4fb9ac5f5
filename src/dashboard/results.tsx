// The lists of the dashboard: summary tiles per severity (toggle buttons that filter the results),
// the results grouped by category with the worst first and their "new" and "fixed" markers
// (changes.ts), and the run history. Rows and runs are links to their deep link.

import type { CheckResult, Severity } from '../engine/types.js';
import { formatDuration } from '../render/common.js';
import type { RunListEntry } from './api.js';
import type { Change } from './changes.js';
import { SEVERITY_RANK, SeverityBadge, formatTime } from './severity.js';
import { SEVERITIES } from './view-state.js';

export function SummaryTiles(props: {
  counts: Record<Severity, number>;
  shown: Severity[];
  onToggle(severity: Severity): void;
}) {
  return (
    <div class="tiles" role="group" aria-label="Filter by severity">
      {SEVERITIES.map((severity) => (
        <button
          key={severity}
          type="button"
          class={`tile sev-${severity}`}
          aria-pressed={props.shown.includes(severity)}
          onClick={() => props.onToggle(severity)}
        >
          <span class="tile-count">{props.counts[severity]}</span>
          <span class="tile-label">{severity}</span>
        </button>
      ))}
    </div>
  );
}

export interface ResultListProps {
  results: CheckResult[];
  shown: Severity[];
  selected: string | null;
  changes: Record<string, Change | null>;
  verified: Record<string, CheckResult | undefined>;
  linkToCheck(checkId: string): string;
  onSelect(checkId: string): void;
}

function byWorst(a: CheckResult, b: CheckResult): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || (a.checkId < b.checkId ? -1 : 1);
}

export function ResultList(props: ResultListProps) {
  const visible = props.results.filter((r) => props.shown.length === 0 || props.shown.includes(r.severity));
  if (props.results.length === 0) return <p class="muted">No results yet.</p>;
  if (visible.length === 0) return <p class="muted">No result has the selected severities.</p>;
  const groups = new Map<string, CheckResult[]>();
  for (const result of [...visible].sort(byWorst)) {
    groups.set(result.category, [...(groups.get(result.category) ?? []), result]);
  }
  // Groups in the order of their worst result: the map was filled worst first.
  return (
    <div class="groups">
      {[...groups].map(([category, results]) => (
        <section key={category} class="group" aria-label={`Category ${category}`}>
          <h3>{category}</h3>
          <ul class="results">
            {results.map((original) => {
              const after = props.verified[original.checkId];
              const result = after ?? original;
              const change = props.changes[original.checkId];
              return (
                <li key={result.checkId}>
                  <a
                    class="result"
                    href={props.linkToCheck(result.checkId)}
                    aria-current={props.selected === result.checkId ? 'true' : undefined}
                    data-check-id={result.checkId}
                    onClick={(event) => {
                      event.preventDefault();
                      props.onSelect(result.checkId);
                    }}
                  >
                    <span class="result-head">
                      <SeverityBadge severity={result.severity} /> <span class="result-name">{result.name}</span>{' '}
                      <code class="result-id">{result.checkId}</code>{' '}
                      {change ? (
                        <span class={`marker marker-${change}`}>
                          {change === 'new' ? 'New since the previous run' : 'Fixed since the previous run'}
                        </span>
                      ) : null}
                      {after ? <span class="marker">Verified (was {original.severity})</span> : null}
                      <span class="result-duration">{formatDuration(result.durationMs)}</span>
                    </span>{' '}
                    <span class="result-diagnosis">{result.diagnosis}</span>
                  </a>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </div>
  );
}

function summaryText(run: RunListEntry): string {
  const parts = SEVERITIES.filter((s) => run.summary[s] > 0).map((s) => `${run.summary[s]} ${s}`);
  return parts.length > 0 ? parts.join(' · ') : 'no checks';
}

export function RunHistory(props: {
  runs: RunListEntry[];
  current: string | null;
  hasMore: boolean;
  linkToRun(runId: string): string;
  onOpen(runId: string): void;
  onMore(): void;
}) {
  if (props.runs.length === 0) return <p class="muted">No runs stored yet.</p>;
  return (
    <>
      <ol class="history">
        {props.runs.map((run) => (
          <li key={run.runId}>
            <a
              href={props.linkToRun(run.runId)}
              aria-current={props.current === run.runId ? 'true' : undefined}
              data-run-id={run.runId}
              onClick={(event) => {
                event.preventDefault();
                props.onOpen(run.runId);
              }}
            >
              <SeverityBadge severity={run.summary.overall} />
              <span class="history-time">{formatTime(run.startedAt)}</span>
              <span class="tag">{run.trigger}</span>
              {run.status === 'completed' ? null : <span class="tag">{run.status}</span>}
              <span class="history-summary">{summaryText(run)}</span>
            </a>
          </li>
        ))}
      </ol>
      {props.hasMore ? (
        <button type="button" onClick={props.onMore}>
          Older runs
        </button>
      ) : null}
    </>
  );
}
