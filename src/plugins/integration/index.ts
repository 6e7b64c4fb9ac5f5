// Plugin stellaops.doctor.integration: the OCI registry checks.

import type { Plugin } from '../../engine/types.js';
import { PLUGIN_ID } from './oci-context.js';
import { capabilitiesCheck } from './capabilities.js';
import { credentialsCheck } from './credentials.js';
import { pullCheck } from './pull.js';
import { pushCheck } from './push.js';
import { referrersCheck } from './referrers.js';
import { registryConnectivityCheck } from './registry-connectivity.js';

export const integrationPlugin: Plugin = {
  id: PLUGIN_ID,
  name: 'Integrations',
  checks: [registryConnectivityCheck, credentialsCheck, pullCheck, pushCheck, referrersCheck, capabilitiesCheck],
};
