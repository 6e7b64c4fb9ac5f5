// Steps that replay an OCI probe with `curl` exactly — TLS options, the token request with the
// same service and scopes on Bearer registries, Basic or static bearer credentials — with every
// secret as a placeholder, so an operator can replay what the doctor saw.

import { realmUrl } from '../../../registry/challenge.js';
import { curlCommand } from '../shared/curl-command.js';
import { curlTlsOptions, probeStep, type Step } from '../shared/remediation.js';
import type { OciTarget } from './oci-context.js';

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
  const basicUser = credential.method === 'basic' ? { basicUser: credential.username ?? '<username>' } : {};
  const steps: Step[] = [];
  let auth: { basicUser?: string; headers?: Record<string, string> } = basicUser;
  const bearer = credential.method === 'bearer' ? undefined : await session.bearer();
  const realm = bearer ? realmUrl(bearer) : undefined;
  if (realm) {
    if (bearer?.params.service) realm.searchParams.set('service', bearer.params.service);
    for (const scope of probe.scopes) realm.searchParams.append('scope', scope);
    const tokenRequest = curlCommand(realm, { show: 'body', tls: tlsFor(realm), ...basicUser });
    steps.push(
      probeStep(
        'Ask the token service for a token with the same scopes',
        `TOKEN=$(${tokenRequest} | jq -r '.token // .access_token')`,
      ),
    );
    auth = { headers: { Authorization: 'Bearer $TOKEN' } };
  } else if (credential.method === 'bearer') {
    auth = { headers: { Authorization: 'Bearer <token>' } };
  }
  const show = probe.method === 'HEAD' ? 'headers' : 'response';
  steps.push(
    probeStep(
      probe.description,
      curlCommand(session.baseUrl.origin + probe.path, {
        show,
        ...(probe.method === 'HEAD' ? {} : { method: probe.method }),
        tls: tlsFor(session.baseUrl),
        ...auth,
        headers: { ...auth.headers, ...probe.headers },
      }),
    ),
  );
  return steps;
}
