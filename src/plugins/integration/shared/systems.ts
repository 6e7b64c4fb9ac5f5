// Checks that cover several configured systems (CI systems, secrets managers): their numbered
// sections, and one result for all of them:
// the worst verdict, a diagnosis naming each system that is not healthy, the evidence of the worst
// one plus `systems` as `name: verdict` strings and the earliest expiry any of them reported, and
// the causes and steps of the unhealthy ones, each step saying which system it fixes.

import type { Configuration } from '../../../config/configuration.js';
import { severityRank } from '../../../engine/severity.js';
import type { CanRun, CheckOutcome, Evidence } from '../../../engine/types.js';
import { listSections, readSystem, type HttpSystem, type SectionKeys } from './http-system.js';
import { numbered, setConfigSteps } from './remediation.js';

/** A numbered section as configured: a system, or only its name when it has settings but no URL. */
export type ConfiguredSection = { system: HttpSystem } | { section: string };

/** Every numbered section of a list (`CI:Systems`), each read with the keys `keysOf` gives it. */
export function readSections(
  config: Configuration,
  prefix: string,
  keysOf: (section: string) => Omit<SectionKeys, 'section'>,
): ConfiguredSection[] {
  return listSections(config, prefix).map((section) => {
    const system = readSystem(config, { section, ...keysOf(section) });
    return system ? { system } : { section };
  });
}

/** Runnable when a section names a system; else `notConfigured`, and each section that lacks its URL. */
export function runnableWhenConfigured(found: ConfiguredSection[], notConfigured: string): CanRun {
  if (found.some((c) => 'system' in c)) return { runnable: true };
  const without = found.map((c) => ('section' in c ? ` ${c.section}:Url is not set.` : '')).join('');
  return { runnable: false, reason: `${notConfigured}${without}` };
}

/** A numbered section with settings but no URL: said, not silently ignored. */
export function sectionWithoutUrl(section: string, evidence: Evidence, urlExample: string): SystemVerdict {
  return {
    name: section,
    outcome: {
      severity: 'warn',
      diagnosis: `${section} has settings but no ${section}:Url, so it was not checked.`,
      evidence,
      likelyCauses: [`${section}:Url is missing or misspelled`],
      remediation: numbered(setConfigSteps(`${section}:Url`, urlExample)),
    },
  };
}

export interface SystemVerdict {
  name: string;
  outcome: CheckOutcome;
}

function isHealthy(verdict: SystemVerdict): boolean {
  return severityRank(verdict.outcome.severity) <= severityRank('info');
}

/** `systems` evidence: one `name: verdict` string per system, in configuration order. */
function systemsEvidence(verdicts: SystemVerdict[]): string[] {
  return verdicts.map((v) => `${v.name}: ${v.outcome.severity}`);
}

/** Evidence keys holding an expiry, each reported across several systems as `earliest_<key>`. */
const EXPIRY_KEYS = ['token_expires_utc', 'tls_not_after_utc'];

/** `earliest_<key>` for each expiry key some system reported: what monitoring alerts on first. */
function earliestExpiries(verdicts: SystemVerdict[]): Record<string, string> {
  const earliest: Record<string, string> = {};
  for (const key of EXPIRY_KEYS) {
    const times = verdicts
      .map((v) => v.outcome.evidence[key])
      .filter((value): value is string => typeof value === 'string' && Number.isFinite(Date.parse(value)));
    if (times.length > 0) earliest[`earliest_${key}`] = times.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
  }
  return earliest;
}

/** The one outcome of several systems; `noun` in the plural names them (`CI systems`). */
export function combineSystems(nouns: string, verdicts: SystemVerdict[]): CheckOutcome {
  const worst = verdicts.reduce((a, b) =>
    severityRank(b.outcome.severity) > severityRank(a.outcome.severity) ? b : a,
  );
  const systems = systemsEvidence(verdicts);
  if (verdicts.length === 1) {
    return { ...worst.outcome, evidence: { ...worst.outcome.evidence, systems } };
  }
  const unhealthy = verdicts.filter((v) => !isHealthy(v));
  const named = (v: SystemVerdict): string => `${v.name} (${v.outcome.severity}): ${v.outcome.diagnosis}`;
  const diagnosis =
    unhealthy.length === 0
      ? `All ${verdicts.length} ${nouns} are healthy. ${verdicts.map(named).join(' ')}`
      : `${unhealthy.length} of ${verdicts.length} ${nouns} ${unhealthy.length === 1 ? 'is' : 'are'} not healthy. ` +
        unhealthy.map(named).join(' ');
  const causes = unhealthy.flatMap((v) => (v.outcome.likelyCauses ?? []).map((cause) => `${v.name}: ${cause}`));
  const steps = unhealthy.flatMap((v) =>
    (v.outcome.remediation ?? []).map((step) => ({ ...step, description: `${v.name}: ${step.description}` })),
  );
  return {
    severity: worst.outcome.severity,
    diagnosis,
    evidence: { ...worst.outcome.evidence, systems, ...earliestExpiries(verdicts) },
    ...(causes.length > 0 ? { likelyCauses: causes } : {}),
    ...(steps.length > 0 ? { remediation: numbered(steps) } : {}),
  };
}
