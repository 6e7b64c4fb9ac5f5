// Builds `curl` commands that reproduce a probe exactly — TLS options, the token request with the
// same service and scopes on Bearer registries, Basic or static bearer credentials — with every
// secret as a placeholder, so an operator can replay what the doctor saw.

import { realmUrl } from '../../../registry/challenge.js';
import { shellQuote } from '../../../util/shell.js';
import { curlTlsOptions, probeStep, type Step } from './remediation.js';
import type { OciTarget } from '../oci/oci-context.js';

export interface CurlProbe {
  method: 'GET' | 'HEAD' | 'POST' | 'DELETE' | 'OPTIONS';
  path: string;
  scopes: string[];
  headers?: Record<string, string>;
  description: string;
}

/** Steps that reproduce one probe: on Bearer registries first the token request, then the request. */
export async function curlReproduction(target: OciTarget, probe: CurlProbe): Promise<Step[]> {
  const { session, settings } = target;
  const tlsFor = (url: URL): string => curlTlsOptions(url, settings.caCertificatePath?.value, settings.skipTlsVerify);
  const credential = await session.credential();
  const user = credential.username ?? '<username>';
  const basic = credential.method === 'basic' ? ` -u ${shellQuote(user)}:'<password>'` : '';
  const steps: Step[] = [];
  let auth = '';
  const bearer = credential.method === 'bearer' ? undefined : await session.bearer();
  const realm = bearer ? realmUrl(bearer) : undefined;
  if (realm) {
    if (bearer?.params.service) realm.searchParams.set('service', bearer.params.service);
    for (const scope of probe.scopes) realm.searchParams.append('scope', scope);
    steps.push(
      probeStep(
        'Ask the token service for a token with the same scopes',
        `TOKEN=$(curl -sS${tlsFor(realm)}${basic} ${shellQuote(realm.href)} | jq -r '.token // .access_token')`,
      ),
    );
    auth = ` -H "Authorization: Bearer $TOKEN"`;
  } else if (credential.method === 'bearer') {
    auth = ` -H 'Authorization: Bearer <token>'`;
  } else {
    auth = basic;
  }
  const verb = probe.method === 'HEAD' ? ' -I' : probe.method === 'GET' ? ' -i' : ` -i -X ${probe.method}`;
  const headers = Object.entries(probe.headers ?? {})
    .map(([k, v]) => ` -H ${shellQuote(`${k}: ${v}`)}`)
    .join('');
  steps.push(
    probeStep(
      probe.description,
      `curl -sS${verb}${tlsFor(session.baseUrl)}${auth}${headers} ${shellQuote(session.baseUrl.origin + probe.path)}`,
    ),
  );
  return steps;
}
