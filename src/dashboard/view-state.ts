// What the dashboard shows, held in the page URL's query so that a link pasted into a chat opens
// the same view: the run, the selected check, the environment tab, the severities shown and the
// run controls (mode and the category, plugin and tag filters).

import type { Environment, Severity } from '../engine/types.js';

export type RunMode = 'quick' | 'normal' | 'full';

export const SEVERITIES: readonly Severity[] = ['fail', 'warn', 'info', 'pass', 'skip'];
const ENVIRONMENTS: readonly Environment[] = ['compose', 'baremetal', 'kubernetes', 'any'];
const MODES: readonly RunMode[] = ['quick', 'normal', 'full'];

export interface ViewState {
  run: string | null;
  check: string | null;
  env: Environment | null;
  /** Severities shown in the result list; empty shows all. */
  show: Severity[];
  mode: RunMode;
  category: string;
  plugin: string;
  tag: string;
}

function oneOf<T extends string>(values: readonly T[], value: string | null): T | null {
  return values.find((v) => v === value) ?? null;
}

export function readViewState(search: string): ViewState {
  const query = new URLSearchParams(search);
  return {
    run: query.get('run'),
    check: query.get('check'),
    env: oneOf(ENVIRONMENTS, query.get('env')),
    show: (query.get('show') ?? '')
      .split(',')
      .map((s) => oneOf(SEVERITIES, s))
      .filter((s): s is Severity => s !== null),
    mode: oneOf(MODES, query.get('mode')) ?? 'normal',
    category: query.get('category') ?? '',
    plugin: query.get('plugin') ?? '',
    tag: query.get('tag') ?? '',
  };
}

/** The query string of a view: only what differs from the defaults, in a fixed order. */
export function viewQuery(state: ViewState): string {
  const query = new URLSearchParams();
  if (state.run) query.set('run', state.run);
  if (state.check) query.set('check', state.check);
  if (state.env) query.set('env', state.env);
  if (state.show.length > 0) query.set('show', state.show.join(','));
  if (state.mode !== 'normal') query.set('mode', state.mode);
  if (state.category) query.set('category', state.category);
  if (state.plugin) query.set('plugin', state.plugin);
  if (state.tag) query.set('tag', state.tag);
  const text = query.toString();
  return text ? `?${text}` : '';
}
