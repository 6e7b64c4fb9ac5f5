// The dashboard at /ops/doctor: run controls, live progress from the run's event stream, summary
// tiles, results, the remediation panel of the selected check and the run history. It holds what
// it shows in the URL (view-state.ts) and asks for the API token only when the service answers 401.

import { render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { CheckMetadata, CheckResult, Severity } from '../engine/types.js';
import { renderMarkdown } from '../render/markdown.js';
import {
  ApiFailure,
  api,
  followAllRuns,
  followRun,
  storeToken,
  storedToken,
  type CheckVerdict,
  type RunListEntry,
  type ServedReport,
} from './api.js';
import { RemediationPanel, type Verification } from './panel.js';
import { changeSincePrevious, previousVerdict, type Change } from './changes.js';
import { ResultList, RunHistory, SummaryTiles } from './results.js';
import { SeverityBadge, formatTime } from './severity.js';
import { SEVERITIES, readViewState, viewQuery, type ViewState } from './view-state.js';

const HISTORY_PAGE = 20;
const VERDICTS_SHOWN = 30;
/** Wait before opening the all-runs stream again after it ended or failed. */
const STREAM_RETRY_MS = 5000;

interface Progress {
  done: number;
  total: number;
  runningCheckId: string | null;
}

function countBySeverity(results: CheckResult[]): Record<Severity, number> {
  const counts = { pass: 0, info: 0, warn: 0, fail: 0, skip: 0 };
  for (const result of results) counts[result.severity]++;
  return counts;
}

function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function TokenPrompt({ refused, onToken }: { refused: boolean; onToken(token: string): void }) {
  const [value, setValue] = useState('');
  return (
    <form
      class="token"
      onSubmit={(event) => {
        event.preventDefault();
        if (value.trim()) onToken(value.trim());
      }}
    >
      <h2>API token</h2>
      <p>
        This server requires its API token (<code>Doctor:Api:Token</code>). It is kept in this browser tab only and sent
        as a header.
      </p>
      {refused ? <p class="error">The server refused that token.</p> : null}
      <label for="token-input">API token</label>
      <input
        id="token-input"
        type="password"
        autocomplete="off"
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
      />
      <button type="submit">Use token</button>
    </form>
  );
}

function RunControls(props: {
  view: ViewState;
  catalog: CheckMetadata[];
  running: boolean;
  onChange(patch: Partial<ViewState>): void;
  onRun(): void;
}) {
  const { view, catalog } = props;
  const options = (values: string[]) => [...new Set(values)].sort();
  const filter = (key: 'category' | 'plugin' | 'tag', label: string, values: string[]) => (
    <div class="field">
      <label for={`filter-${key}`}>{label}</label>
      <select id={`filter-${key}`} value={view[key]} onChange={(e) => props.onChange({ [key]: e.currentTarget.value })}>
        <option value="">All</option>
        {options(values).map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <form
      class="controls"
      onSubmit={(event) => {
        event.preventDefault();
        props.onRun();
      }}
    >
      <fieldset class="modes">
        <legend>Mode</legend>
        {(['quick', 'normal', 'full'] as const).map((mode) => (
          <label key={mode}>
            <input
              type="radio"
              name="mode"
              value={mode}
              checked={view.mode === mode}
              onChange={() => props.onChange({ mode })}
            />
            {mode[0]!.toUpperCase() + mode.slice(1)}
          </label>
        ))}
      </fieldset>
      {filter(
        'category',
        'Category',
        catalog.map((c) => c.category),
      )}
      {filter(
        'plugin',
        'Plugin',
        catalog.map((c) => c.pluginId),
      )}
      {filter(
        'tag',
        'Tag',
        catalog.flatMap((c) => c.tags),
      )}
      <button type="submit" class="primary" disabled={props.running}>
        Run
      </button>
    </form>
  );
}

export function App() {
  const [view, setView] = useState<ViewState>(() => readViewState(location.search));
  const [authEpoch, setAuthEpoch] = useState(0);
  const [needToken, setNeedToken] = useState(false);
  const [catalog, setCatalog] = useState<CheckMetadata[] | null>(null);
  const [runs, setRuns] = useState<RunListEntry[]>([]);
  const [nextRuns, setNextRuns] = useState<string | null>(null);
  const [report, setReport] = useState<ServedReport | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [histories, setHistories] = useState<Record<string, CheckVerdict[]>>({});
  const [articles, setArticles] = useState<Record<string, string>>({});
  const [verifications, setVerifications] = useState<Record<string, Verification>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const panelHeading = useRef<HTMLHeadingElement | null>(null);
  const focusPanel = useRef(false);

  const fail = useCallback((error: unknown) => {
    if (error instanceof DOMException && error.name === 'AbortError') return;
    if (error instanceof ApiFailure && error.status === 401) setNeedToken(true);
    else setProblem(error instanceof Error ? error.message : String(error));
  }, []);

  const change = useCallback((patch: Partial<ViewState>) => setView((current) => ({ ...current, ...patch })), []);

  // The URL follows the view: a new history entry when the run or the check changes.
  useEffect(() => {
    const query = viewQuery(view);
    if (query === location.search) return;
    const before = readViewState(location.search);
    const navigation = before.run !== view.run || before.check !== view.check;
    history[navigation ? 'pushState' : 'replaceState'](null, '', `${location.pathname}${query}`);
  }, [view]);
  useEffect(() => {
    const onPop = () => setView(readViewState(location.search));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  const loadRuns = useCallback(() => {
    api.runs(HISTORY_PAGE).then((page) => {
      setRuns(page.runs);
      setNextRuns(page.next);
    }, fail);
  }, [fail]);

  useEffect(() => {
    api.catalog().then((checks) => {
      setNeedToken(false);
      setCatalog(checks);
      loadRuns();
    }, fail);
  }, [authEpoch, fail, loadRuns]);

  // Runs started anywhere (the API, the schedule, another browser) enter the history as they start and finish.
  useEffect(() => {
    if (catalog === null) return undefined;
    const abort = new AbortController();
    let retry: ReturnType<typeof setTimeout> | undefined;
    const listen = (): void => {
      followAllRuns((event) => {
        if (event.type === 'run.started' || event.type === 'run.completed') loadRuns();
      }, abort.signal)
        .catch(() => undefined)
        .finally(() => {
          if (!abort.signal.aborted) retry = setTimeout(listen, STREAM_RETRY_MS);
        });
    };
    listen();
    return () => {
      abort.abort();
      clearTimeout(retry);
    };
  }, [catalog, loadRuns]);

  const loadHistory = useCallback(
    (checkIds: string[]) => {
      for (const checkId of checkIds) {
        api
          .checkHistory(checkId, VERDICTS_SHOWN)
          .then((h) => setHistories((all) => ({ ...all, [checkId]: h.results })), fail);
      }
    },
    [fail],
  );

  // The shown run: its report, and while it runs, its events.
  useEffect(() => {
    if (catalog === null) return undefined;
    setVerifications({});
    if (!view.run) {
      setReport(null);
      setProgress(null);
      return undefined;
    }
    const runId = view.run;
    const abort = new AbortController();
    const finished = () =>
      api.report(runId).then((done) => {
        if (abort.signal.aborted) return;
        setReport(done);
        setProgress(null);
        loadRuns();
        loadHistory(done.results.map((r) => r.checkId));
      }, fail);
    api.report(runId).then((first) => {
      if (abort.signal.aborted) return;
      setReport(first);
      if (first.status !== 'running') {
        setProgress(null);
        loadHistory(first.results.map((r) => r.checkId));
        return;
      }
      setProgress({ done: first.results.length, total: first.results.length, runningCheckId: null });
      followRun(
        runId,
        (event) => {
          setProgress({
            done: event.progress.done,
            total: event.progress.total,
            runningCheckId: event.type === 'check.started' ? (event.checkId ?? null) : null,
          });
          const result = event.result;
          if (event.type === 'check.completed' && result) {
            setReport((current) =>
              current && current.runId === runId
                ? {
                    ...current,
                    results: [...current.results.filter((r) => r.checkId !== result.checkId), result].sort((a, b) =>
                      a.checkId < b.checkId ? -1 : 1,
                    ),
                  }
                : current,
            );
          }
          if (event.type === 'run.completed') void finished();
        },
        abort.signal,
      ).catch(fail);
    }, fail);
    return () => abort.abort();
  }, [view.run, catalog, fail, loadRuns, loadHistory]);

  // The selected check's article, fetched once per check.
  useEffect(() => {
    const checkId = view.check;
    if (!checkId || catalog === null || articles[checkId] !== undefined) return;
    if (!catalog.some((c) => c.id === checkId)) return;
    api.article(checkId).then((text) => setArticles((all) => ({ ...all, [checkId]: text })), fail);
  }, [view.check, catalog, articles, fail]);

  useEffect(() => {
    if (focusPanel.current && view.check) panelHeading.current?.focus();
    focusPanel.current = false;
  }, [view.check]);

  const startRun = () => {
    setProblem(null);
    api
      .startRun({
        mode: view.mode,
        ...(view.category ? { categories: [view.category] } : {}),
        ...(view.plugin ? { plugins: [view.plugin] } : {}),
        ...(view.tag ? { tags: [view.tag] } : {}),
      })
      .then(({ runId }) => {
        change({ run: runId, check: null });
        loadRuns();
      }, fail);
  };

  const verify = (original: CheckResult) => {
    const checkId = original.checkId;
    const before = verifications[checkId]?.after ?? original;
    setVerifications((all) => ({ ...all, [checkId]: { before, pending: true } }));
    api.runAndWait({ checks: [checkId] }).then(
      (verified) => {
        const after = verified.results.find((r) => r.checkId === checkId);
        setVerifications((all) => ({
          ...all,
          [checkId]: after ? { before, after, pending: false } : { before, pending: false, error: 'no result' },
        }));
        loadRuns();
        loadHistory([checkId]);
      },
      (error: unknown) => {
        setVerifications((all) => ({ ...all, [checkId]: { before, pending: false, error: String(error) } }));
        fail(error);
      },
    );
  };

  const results = report?.results ?? [];
  const changes = useMemo(() => {
    const all: Record<string, Change | null> = {};
    if (!report) return all;
    for (const result of report.results)
      all[result.checkId] = changeSincePrevious(
        result.severity,
        previousVerdict(report.runId, result.startedAt, histories[result.checkId])?.severity,
      );
    return all;
  }, [report, histories]);
  const verified = Object.fromEntries(Object.entries(verifications).map(([id, v]) => [id, v.after]));
  const selected = results.find((r) => r.checkId === view.check);
  const link = (patch: Partial<ViewState>) => `${location.pathname}${viewQuery({ ...view, ...patch })}`;
  const openRun = (runId: string) => change({ run: runId });
  const running = report?.status === 'running' && progress !== null;
  const runningName = catalog?.find((c) => c.id === progress?.runningCheckId)?.name;

  if (needToken) {
    return (
      <main id="main">
        <TokenPrompt
          refused={storedToken() !== null}
          onToken={(token) => {
            storeToken(token);
            setNeedToken(false);
            setAuthEpoch((n) => n + 1);
          }}
        />
      </main>
    );
  }

  return (
    <main id="main" class="layout">
      <section class="run" aria-labelledby="run-heading">
        <h2 id="run-heading">Run</h2>
        {catalog ? (
          <RunControls view={view} catalog={catalog} running={running} onChange={change} onRun={startRun} />
        ) : (
          <p class="muted">Loading the check catalog…</p>
        )}
        <div class="progress" aria-live="polite">
          {running && progress ? (
            <>
              <label for="run-progress">
                {progress.done} of {progress.total} checks
                {runningName ? ` — running ${runningName}` : ''}
              </label>
              <progress id="run-progress" max={progress.total || 1} value={progress.done} />
            </>
          ) : null}
        </div>
        {problem ? (
          <p class="error" role="alert">
            {problem}
          </p>
        ) : null}
      </section>

      <section class="report" aria-labelledby="results-heading">
        <div class="report-head">
          <h2 id="results-heading">Results</h2>
          {report ? (
            <p class="run-meta">
              <SeverityBadge severity={report.summary.overall} /> {formatTime(report.startedAt)} ·{' '}
              {report.trigger ?? 'api'} · {report.mode ?? 'normal'} · {report.status ?? 'completed'} ·{' '}
              <code>{report.runId}</code>
            </p>
          ) : null}
          {report && report.status !== 'running' ? (
            <div class="exports">
              <button
                type="button"
                onClick={() =>
                  download(
                    `doctor-report-${report.runId}.json`,
                    'application/json',
                    `${JSON.stringify(report, null, 2)}\n`,
                  )
                }
              >
                Export JSON
              </button>
              <button
                type="button"
                onClick={() =>
                  download(
                    `doctor-report-${report.runId}.md`,
                    'text/markdown',
                    renderMarkdown({ ...report, completedAt: report.completedAt ?? '' }),
                  )
                }
              >
                Export Markdown
              </button>
            </div>
          ) : null}
        </div>
        {report ? (
          <>
            <SummaryTiles
              counts={countBySeverity(results)}
              shown={view.show}
              onToggle={(severity) =>
                change({
                  show: view.show.includes(severity)
                    ? view.show.filter((s) => s !== severity)
                    : SEVERITIES.filter((s) => s === severity || view.show.includes(s)),
                })
              }
            />
            <ResultList
              results={results}
              shown={view.show}
              selected={view.check}
              changes={changes}
              verified={verified}
              linkToCheck={(checkId) => link({ check: checkId, env: null })}
              onSelect={(checkId) => {
                focusPanel.current = true;
                change({ check: checkId, env: null });
              }}
            />
          </>
        ) : (
          <p class="muted">Start a run, or open one from the history.</p>
        )}
      </section>

      <section class="panel" aria-label="Remediation">
        {selected && report ? (
          <RemediationPanel
            key={`${report.runId}-${selected.checkId}`}
            result={selected}
            environment={view.env}
            onEnvironment={(env) => change({ env })}
            verification={verifications[selected.checkId]}
            onVerify={() => verify(selected)}
            history={histories[selected.checkId]}
            article={articles[selected.checkId]}
            linkToRun={(runId) => link({ run: runId })}
            onOpenRun={openRun}
            headingRef={panelHeading}
          />
        ) : (
          <>
            <h2>Remediation</h2>
            <p class="muted">Select a result to see its evidence and how to fix it.</p>
          </>
        )}
      </section>

      <section class="runs" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <RunHistory
          runs={runs}
          current={view.run}
          hasMore={nextRuns !== null}
          linkToRun={(runId) => link({ run: runId })}
          onOpen={openRun}
          onMore={() => {
            if (!nextRuns) return;
            api.runs(HISTORY_PAGE, nextRuns).then((page) => {
              setRuns((all) => [...all, ...page.runs]);
              setNextRuns(page.next);
            }, fail);
          }}
        />
      </section>
    </main>
  );
}

render(<App />, document.getElementById('app')!);
