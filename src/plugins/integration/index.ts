// Plugin stellaops.doctor.integration: the checks of the systems a platform's supply chain
// depends on. Each check's module exports its whole definition — its metadata is the single source
// of truth for selection, `list`, `explain`, the articles' front-matter, the report, the API and
// the dashboard — and is listed here on one line.

import type { Plugin } from '../../engine/types.js';
import { OCI_CHECKS } from './oci/catalog.js';
import { PLUGIN_ID } from './shared/define.js';
import { gitProviderCheck } from './systems/git-provider.js';
import { ciSystemCheck } from './systems/ci-system.js';
import { secretsManagerCheck } from './systems/secrets-manager.js';

export const integrationPlugin: Plugin = {
  id: PLUGIN_ID,
  name: 'Integrations',
  checks: [...OCI_CHECKS, gitProviderCheck, ciSystemCheck, secretsManagerCheck],
};
