// What every check of the integration plugin shares in its definition: the plugin id and the
// category. A check module exports its whole definition — metadata, canRun and run — and the
// plugin's catalog (../index.ts) lists it on one line.

import type { CheckDefinition } from '../../../engine/types.js';

export const PLUGIN_ID = 'stellaops.doctor.integration';
export const ARTICLES = 'docs/doctor/articles/integration';

/** A check of this plugin, from everything but the plugin id and category. */
export function integrationCheck(definition: Omit<CheckDefinition, 'pluginId' | 'category'>): CheckDefinition {
  return { pluginId: PLUGIN_ID, category: 'integration', ...definition };
}
