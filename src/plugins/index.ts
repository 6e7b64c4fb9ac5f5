// The catalog: every plugin and its checks. The check metadata here drives selection, `list`,
// `explain`, the knowledge-base front-matter test and the report.

import type { CheckDefinition, Plugin } from '../engine/types.js';
import { integrationPlugin } from './integration/index.js';
import { byText } from '../util/compare.js';

export const PLUGINS: readonly Plugin[] = [integrationPlugin];

export function allChecks(): CheckDefinition[] {
  return PLUGINS.flatMap((p) => p.checks).sort((a, b) => byText(a.id, b.id));
}
