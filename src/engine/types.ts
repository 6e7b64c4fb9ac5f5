// The few types everything else hangs on: checks, their results, and the report of a run.
// Checks return data only; colour and layout belong to the renderers in src/render/.

import type { Configuration } from '../config/configuration.js';

export type Severity = 'pass' | 'info' | 'warn' | 'fail' | 'skip';
/** Severities that take part in the overall verdict, in increasing order. */
export const SEVERITY_ORDER = ['pass', 'info', 'warn', 'fail'] as const;
export type VerdictSeverity = (typeof SEVERITY_ORDER)[number];

export type EvidenceValue = string | number | boolean | null | string[];
/** Flat, snake_case keys: booleans is_x, has_x or x_valid; times x_utc; durations x_ms. */
export type Evidence = Record<string, EvidenceValue>;

export type Environment = 'compose' | 'baremetal' | 'kubernetes' | 'any';
export const ENVIRONMENTS: readonly Environment[] = ['compose', 'baremetal', 'kubernetes', 'any'];

export interface RemediationStep {
  order: number;
  environment: Environment;
  description: string;
  command?: string;
  /** True when running the command changes nothing outside the doctor (a read-only probe). */
  safe: boolean;
}

export interface Remediation {
  runbookUrl: string;
  steps: RemediationStep[];
}

/**
 * What a check's run() returns; the engine adds identity, timing and the verification command.
 * A run() may still decide to skip (for example when the credential it needs did not resolve).
 */
export interface CheckOutcome {
  severity: Severity;
  diagnosis: string;
  evidence: Evidence;
  likelyCauses?: string[];
  remediation?: RemediationStep[];
}

export interface CheckResult {
  checkId: string;
  pluginId: string;
  category: string;
  name: string;
  tags: string[];
  severity: Severity;
  diagnosis: string;
  evidence: Evidence;
  likelyCauses: string[];
  remediation: Remediation;
  verificationCommand: string;
  durationMs: number;
  startedAt: string;
}

export interface ReportSummary {
  total: number;
  pass: number;
  info: number;
  warn: number;
  fail: number;
  skip: number;
  /** Worst non-skip severity; 'skip' only when every check was skipped or none ran. */
  overall: Severity;
}

export interface Report {
  schemaVersion: '1.0';
  runId: string;
  startedAt: string;
  completedAt: string;
  durationMs: number;
  doctorVersion: string;
  summary: ReportSummary;
  results: CheckResult[];
}

/** Declarative metadata of a check: the single source of truth for list, explain, docs and selection. */
export interface CheckMetadata {
  id: string;
  name: string;
  description: string;
  pluginId: string;
  category: string;
  defaultSeverity: VerdictSeverity;
  tags: string[];
  estimatedDurationMs: number;
  /** Path of the knowledge-base article, relative to the package root. */
  article: string;
  /** Checks that only run with --full. */
  slow?: boolean;
  /** What the check needs from the run's shared work, so that work is planned once for all of them. */
  needs?: CheckNeeds;
}

/**
 * A check's declared needs. The plugin that owns the target reads them (never check ids) to plan
 * shared work: one token request with every scope, one manifest GET instead of HEAD + GET.
 */
export interface CheckNeeds {
  /** The system the check probes, by its configuration section (`OCI`). */
  target: string;
  /** Access it needs on that system, in the target's own terms (`pull`, `push` for OCI). */
  access?: string[];
  /** Response bodies it reads that a cheaper request would not give (`manifest`). */
  bodies?: string[];
}

export type CanRun = { runnable: true } | { runnable: false; reason: string };

/** Facts shared by the checks of one run (registry sessions …), created on first use, disposed at the end. */
export interface RunScope {
  getOrCreate<T>(key: string, create: () => T, dispose?: (value: T) => void | Promise<void>): T;
}

export interface CheckContext {
  config: Configuration;
  scope: RunScope;
  /** The process environment (proxies, docker config location, credential helpers' PATH). */
  env: Record<string, string | undefined>;
  /** The per-check timeout; shared probes bound themselves a little below it. */
  timeoutMs: number;
  /** Every check selected for this run. */
  selectedCheckIds: string[];
  /** The declared needs of every selected check, so shared work can be planned once. */
  plannedNeeds: CheckNeeds[];
  /** `stella-doctor/<version> run/<runId>`: sent on every request so registry logs can be matched to a report. */
  userAgent: string;
  now(): Date;
}

export interface CheckDefinition extends CheckMetadata {
  canRun(ctx: CheckContext): CanRun;
  run(ctx: CheckContext, signal: AbortSignal): Promise<CheckOutcome>;
}

export interface Plugin {
  id: string;
  name: string;
  checks: CheckDefinition[];
}
