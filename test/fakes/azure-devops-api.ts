// Imitates Azure DevOps Server 2022 (a collection such as /DefaultCollection) and Azure DevOps
// Services (an organization at dev.azure.com/<org>):
// - GET <collection>/_apis/connectionData: `{ authenticatedUser, authorizedUser, instanceId,
//   deploymentId, deploymentType, locationServiceData }`, the users as identities
//   (`providerDisplayName`, `properties.Account.$value` …);
// - personal access tokens as the password of Basic credentials with an empty user name;
// - without credentials: 401 with `X-TFS-ServiceError: TF400813: Resource not available for
//   anonymous access. Client authentication required.` (URL-encoded, as sent) and the challenges of
//   the edition (Services: Bearer, Basic, TFS-Federated; Server: Negotiate, NTLM, Basic);
// - an unknown token: Server 401; Services 203 with its HTML sign-in page;
// - every answer carries `X-TFS-ProcessId`, `ActivityId` and `X-VSS-E2EID`.
// Logs every request.

import type http from 'node:http';
import { sendJson, startRecordingServer, bearer, type Recording, type ServeOptions } from './recording-server.js';

export interface AzureDevOpsApiOptions extends ServeOptions {
  edition?: 'server' | 'services';
  /** `/DefaultCollection` (Server) or `/<organization>` (Services). */
  collection?: string;
  /** Personal access tokens and whom each belongs to. */
  tokens?: Record<string, { displayName: string; account: string }>;
}

const ANONYMOUS = 'TF400813: Resource not available for anonymous access. Client authentication required.';
const CHALLENGES = {
  services: [
    'Bearer authorization_uri=https://login.microsoftonline.com/common',
    'Basic realm="https://dev.azure.com/"',
    'TFS-Federated',
  ],
  server: ['Negotiate', 'NTLM', 'Basic realm="azure-devops-server"'],
};

function identity(user: { displayName: string; account: string }) {
  return {
    id: '0f3c1b5e-6f0e-4c9b-9d65-2f3a1a0c7b11',
    descriptor: 'Microsoft.TeamFoundation.Identity;S-1-9-1551374245-1204400969-2402986413-2179408616-0-0-0-0-1',
    subjectDescriptor: 'aad.ZjNjMWI1ZTYtZjBlNC1jOWI5',
    providerDisplayName: user.displayName,
    isActive: true,
    properties: { Account: { $type: 'System.String', $value: user.account } },
    resourceVersion: 2,
    metaTypeId: 0,
  };
}

export function startAzureDevOpsApi(options: AzureDevOpsApiOptions = {}): Promise<Recording> {
  const edition = options.edition ?? 'server';
  const collection = options.collection ?? '/DefaultCollection';
  return startRecordingServer((req, res) => {
    const common = {
      'x-tfs-processid': '5b3e4e8c-2a7d-4f1e-9a0b-6f8c1d2e3f40',
      activityid: 'c1d2e3f4-0000-4000-8000-000000000001',
      'x-vss-e2eid': 'c1d2e3f4-0000-4000-8000-000000000001',
    };
    const path = req.path.split('?')[0];
    if (req.method !== 'GET' || path !== `${collection}/_apis/connectionData`)
      return html(res, 404, common, 'Not Found');
    const basic = bearer(req, 'Basic');
    const pat = basic === undefined ? undefined : Buffer.from(basic, 'base64').toString().split(':').slice(1).join(':');
    const user = pat === undefined ? undefined : options.tokens?.[pat];
    if (!user && pat !== undefined && edition === 'services') return html(res, 203, common, 'Sign in to your account');
    if (!user) {
      res.setHeader('www-authenticate', CHALLENGES[edition]);
      const error = encodeURIComponent(ANONYMOUS).replace(/%20/g, '+');
      return sendJson(res, 401, { message: ANONYMOUS }, { ...common, 'x-tfs-serviceerror': error });
    }
    sendJson(
      res,
      200,
      {
        authenticatedUser: identity(user),
        authorizedUser: identity(user),
        instanceId: '9e8f7a6b-1c2d-4e3f-8a9b-0c1d2e3f4a5b',
        deploymentId: '2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901',
        deploymentType: edition === 'services' ? 'hosted' : 'onPremises',
        locationServiceData: {
          serviceOwner: '00025394-6065-48ca-87d9-7f5672854ef7',
          defaultAccessMappingMoniker: 'PublicAccessMapping',
          lastChangeId: 1,
          lastChangeId64: 1,
        },
      },
      common,
    );
  }, options);
}

function html(res: http.ServerResponse, status: number, headers: Record<string, string>, title: string): void {
  res.writeHead(status, { ...headers, 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!DOCTYPE html><html><head><title>${title}</title></head><body></body></html>`);
}
