// Chooses which checks run: --check, --plugin, --category, --tag, --quick, --full.
// Values inside one filter are ORed, filters are ANDed. Unknown names are usage errors.

import { ConfigError } from '../config/configuration.js';
import type { CheckMetadata } from './types.js';
import { byText } from '../util/compare.js';
import { didYouMean } from '../util/suggest.js';

export interface Selection {
  checks?: string[];
  plugins?: string[];
  categories?: string[];
  tags?: string[];
  /** Only checks tagged `quick`. */
  quick?: boolean;
  /** Everything, including checks marked slow. */
  full?: boolean;
}

function requireKnown(kind: string, asked: string[] | undefined, known: Set<string>): void {
  for (const name of asked ?? []) {
    if (!known.has(name.toLowerCase())) {
      const hint = didYouMean(name, known) || ` (known: ${[...known].sort().join(', ')})`;
      throw new ConfigError(`unknown ${kind} '${name}'${hint}`);
    }
  }
}

function matches(asked: string[] | undefined, values: string[]): boolean {
  if (!asked || asked.length === 0) return true;
  const lowered = values.map((v) => v.toLowerCase());
  return asked.some((a) => lowered.includes(a.toLowerCase()));
}

/** The selected checks, ordered by id. Throws ConfigError for an unknown check id, plugin, category or tag. */
export function selectChecks<T extends CheckMetadata>(all: readonly T[], selection: Selection): T[] {
  requireKnown('check id', selection.checks, new Set(all.map((c) => c.id)));
  requireKnown('plugin', selection.plugins, new Set(all.map((c) => c.pluginId)));
  requireKnown('category', selection.categories, new Set(all.map((c) => c.category)));
  requireKnown('tag', selection.tags, new Set(all.flatMap((c) => c.tags)));
  const named = (selection.checks?.length ?? 0) > 0;
  return all
    .filter((c) => matches(selection.checks, [c.id]))
    .filter((c) => matches(selection.plugins, [c.pluginId]))
    .filter((c) => matches(selection.categories, [c.category]))
    .filter((c) => matches(selection.tags, c.tags))
    .filter((c) => !selection.quick || c.tags.includes('quick'))
    .filter((c) => named || selection.full || !c.slow)
    .sort((a, b) => byText(a.id, b.id));
}
