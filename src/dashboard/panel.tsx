// The remediation panel of one result: diagnosis, Verify with the before/after verdicts, evidence
// as a table, likely causes, the remediation steps in one tab per environment (a WAI-ARIA tab list
// driven by the arrow keys) with a Copy button on every command, the verification command, the
// runbook link, the check's recent verdicts and its knowledge-base article. Everything that came
// from a check or a registry is rendered as text.

import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CheckResult, Environment, RemediationStep } from '../engine/types.js';
import { formatDuration, formatEvidenceValue } from '../render/common.js';
import type { CheckVerdict } from './api.js';
import { Markdown } from './markdown.js';
import { SeverityBadge, formatTime } from './severity.js';

const ENVIRONMENT_TABS: ReadonlyArray<{ environment: Environment; label: string }> = [
  { environment: 'compose', label: 'Docker Compose' },
  { environment: 'baremetal', label: 'Bare metal' },
  { environment: 'kubernetes', label: 'Kubernetes' },
  { environment: 'any', label: 'Any' },
];

export interface Verification {
  before: CheckResult;
  after?: CheckResult;
  error?: string;
  pending: boolean;
}

interface PanelProps {
  result: CheckResult;
  environment: Environment | null;
  onEnvironment(environment: Environment): void;
  verification: Verification | undefined;
  onVerify(): void;
  history: CheckVerdict[] | undefined;
  article: string | undefined;
  linkToRun(runId: string): string;
  onOpenRun(runId: string): void;
  headingRef: { current: HTMLHeadingElement | null };
}

async function writeClipboard(text: string): Promise<void> {
  if (navigator.clipboard) return navigator.clipboard.writeText(text);
  // Without the Clipboard API (a page served over plain HTTP to a remote name): select and copy.
  const area = document.createElement('textarea');
  area.value = text;
  document.body.append(area);
  area.select();
  const copied = document.execCommand('copy');
  area.remove();
  if (!copied) throw new Error('the browser refused to copy');
}

function CopyButton({ text, what }: { text: string; what: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return undefined;
    const timer = setTimeout(() => setState('idle'), 2500);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = () =>
    writeClipboard(text).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  return (
    <span class="copy">
      <button type="button" onClick={copy} title={`Copy ${what}`}>
        Copy
      </button>
      <span role="status" class="copy-status">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed: select the text instead' : ''}
      </span>
    </span>
  );
}

function Command({ command, what }: { command: string; what: string }) {
  return (
    <div class="command">
      <pre tabIndex={0} aria-label={what}>
        <code>{command}</code>
      </pre>
      <CopyButton text={command} what={what} />
    </div>
  );
}

function Steps({ steps }: { steps: RemediationStep[] }) {
  if (steps.length === 0) return <p class="muted">No steps for this environment.</p>;
  return (
    <ol class="steps">
      {steps.map((step) => (
        <li key={step.order}>
          <p>
            {step.description}
            {step.safe ? <span class="tag">read-only</span> : null}
          </p>
          {step.command ? <Command command={step.command} what={`the command of step ${step.order}`} /> : null}
        </li>
      ))}
    </ol>
  );
}

function EnvironmentTabs(props: {
  steps: RemediationStep[];
  selected: Environment;
  onSelect(environment: Environment): void;
}) {
  const tabs = useRef<Array<HTMLButtonElement | null>>([]);
  const index = ENVIRONMENT_TABS.findIndex((t) => t.environment === props.selected);
  const onKeyDown = (event: KeyboardEvent) => {
    const last = ENVIRONMENT_TABS.length - 1;
    const next =
      event.key === 'ArrowRight'
        ? (index + 1) % ENVIRONMENT_TABS.length
        : event.key === 'ArrowLeft'
          ? (index + last) % ENVIRONMENT_TABS.length
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? last
              : null;
    if (next === null) return;
    event.preventDefault();
    props.onSelect(ENVIRONMENT_TABS[next]!.environment);
    tabs.current[next]?.focus();
  };
  const id = (kind: string, environment: Environment) => `${kind}-${environment}`;
  return (
    <div class="tabs">
      <div role="tablist" aria-label="Environment" onKeyDown={onKeyDown}>
        {ENVIRONMENT_TABS.map(({ environment, label }, i) => {
          const count = props.steps.filter((s) => s.environment === environment).length;
          return (
            <button
              key={environment}
              ref={(el) => {
                tabs.current[i] = el;
              }}
              type="button"
              role="tab"
              id={id('tab', environment)}
              aria-selected={environment === props.selected}
              aria-controls={id('tabpanel', environment)}
              tabIndex={environment === props.selected ? 0 : -1}
              onClick={() => props.onSelect(environment)}
            >
              {label}
              <span class="count" aria-hidden="true">
                {count}
              </span>
            </button>
          );
        })}
      </div>
      {ENVIRONMENT_TABS.map(({ environment }) => (
        <div
          key={environment}
          role="tabpanel"
          id={id('tabpanel', environment)}
          aria-labelledby={id('tab', environment)}
          hidden={environment !== props.selected}
          tabIndex={0}
        >
          {environment === props.selected ? (
            <Steps steps={props.steps.filter((s) => s.environment === environment)} />
          ) : null}
        </div>
      ))}
    </div>
  );
}

/** The first environment with steps, so a panel never opens on an empty tab. */
function defaultEnvironment(steps: RemediationStep[]): Environment {
  return ENVIRONMENT_TABS.find((t) => steps.some((s) => s.environment === t.environment))?.environment ?? 'compose';
}

function VerificationResult({ verification }: { verification: Verification | undefined }) {
  if (!verification) return null;
  if (verification.pending) return <p>Verifying…</p>;
  if (verification.error) return <p class="error">Verify failed: {verification.error}</p>;
  const { before, after } = verification;
  if (!after) return null;
  return (
    <dl class="before-after">
      <div>
        <dt>Before</dt>
        <dd>
          <SeverityBadge severity={before.severity} /> {before.diagnosis}
        </dd>
      </div>
      <div>
        <dt>After</dt>
        <dd data-testid="verify-after">
          <SeverityBadge severity={after.severity} /> {after.diagnosis}{' '}
          <span class="muted">({formatTime(after.startedAt)})</span>
        </dd>
      </div>
    </dl>
  );
}

function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section class="panel-section" aria-label={title}>
      <h3>{title}</h3>
      {children}
    </section>
  );
}

export function RemediationPanel(props: PanelProps) {
  const { verification } = props;
  const result = verification?.after ?? props.result;
  const evidence = Object.entries(result.evidence);
  const steps = result.remediation.steps;
  const environment = props.environment ?? defaultEnvironment(steps);
  return (
    <div class="panel-body">
      <h2 tabIndex={-1} ref={props.headingRef}>
        {result.name}
      </h2>
      <p class="check-id">
        <code>{result.checkId}</code> · <SeverityBadge severity={result.severity} /> ·{' '}
        {formatDuration(result.durationMs)}
      </p>
      <p class="diagnosis">{result.diagnosis}</p>
      <div class="verify">
        <button type="button" onClick={props.onVerify} disabled={verification?.pending}>
          Verify
        </button>
        <span class="muted">Re-runs this check against the server's current configuration.</span>
        <div aria-live="polite">
          <VerificationResult verification={verification} />
        </div>
      </div>
      {evidence.length > 0 ? (
        <Section title="Evidence">
          <div class="table-scroll">
            <table class="evidence">
              <tbody>
                {evidence.map(([key, value]) => (
                  <tr key={key}>
                    <th scope="row">{key}</th>
                    <td>{formatEvidenceValue(value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Section>
      ) : null}
      {result.likelyCauses.length > 0 ? (
        <Section title="Likely causes">
          <ol>
            {result.likelyCauses.map((cause, i) => (
              <li key={i}>{cause}</li>
            ))}
          </ol>
        </Section>
      ) : null}
      <Section title="Remediation">
        <EnvironmentTabs steps={steps} selected={environment} onSelect={props.onEnvironment} />
      </Section>
      <Section title="Verification command">
        <Command command={result.verificationCommand} what="the verification command" />
      </Section>
      <Section title="Recent verdicts">
        <VerdictStrip history={props.history} linkToRun={props.linkToRun} onOpenRun={props.onOpenRun} />
      </Section>
      <Section title="Runbook">
        <p>
          <a href={result.remediation.runbookUrl} rel="noopener noreferrer" target="_blank">
            {result.remediation.runbookUrl}
          </a>
        </p>
        {props.article === undefined ? <p class="muted">Loading the article…</p> : <Markdown source={props.article} />}
      </Section>
    </div>
  );
}

function VerdictStrip(props: {
  history: CheckVerdict[] | undefined;
  linkToRun(runId: string): string;
  onOpenRun(runId: string): void;
}) {
  if (props.history === undefined) return <p class="muted">Loading…</p>;
  if (props.history.length === 0) return <p class="muted">No verdicts stored yet.</p>;
  // Oldest on the left, like a timeline.
  const verdicts = [...props.history].reverse();
  return (
    <ol class="strip" aria-label="Verdicts, oldest first">
      {verdicts.map((verdict) => (
        <li key={`${verdict.runId}-${verdict.startedAt}`}>
          <a
            class={`cell sev-${verdict.severity}`}
            href={props.linkToRun(verdict.runId)}
            title={`${verdict.severity} — ${formatTime(verdict.startedAt)}: ${verdict.diagnosis}`}
            aria-label={`${verdict.severity}, ${formatTime(verdict.startedAt)}`}
            onClick={(event) => {
              event.preventDefault();
              props.onOpenRun(verdict.runId);
            }}
          />
        </li>
      ))}
    </ol>
  );
}
