// Imitates `GET /{organization}/_apis/connectionData` of Azure DevOps Services (dev.azure.com),
// which Azure DevOps Server 2022 answers in the same shape: the authenticated and authorized
// identity, instanceId, deploymentId, deploymentType and locationServiceData. A personal access
// token goes in HTTP Basic with any (or an empty) user name. Without valid credentials the service
// answers 203 with its HTML sign-in page, unless the client sends `X-TFS-FedAuthRedirect: Suppress`,
// which turns that into 401 with the federated-auth headers. Logs every request.

import {
  basicCredentials,
  startRecordingServer,
  replying,
  type Recording,
  type Reply,
  type ServeOptions,
} from './recording-server.js';

export interface AzureDevOpsOptions extends ServeOptions {
  organization?: string;
  /** Valid personal access tokens. */
  tokens?: string[];
}

const INSTANCE = '5f2a9c1e-7b3d-4e8f-9a6b-1c2d3e4f5a6b';

function identity(): Record<string, unknown> {
  return {
    id: '8d4e3f21-6a7b-4c5d-9e8f-0a1b2c3d4e5f',
    descriptor:
      'Microsoft.IdentityModel.Claims.ClaimsIdentity;72f988bf-86f1-41af-91ab-2d7cd011db47\\ci-bot@example.com',
    subjectDescriptor: 'aad.OGQ0ZTNmMjEtNmE3Yi03YzVkLTllOGYtMGExYjJjM2Q0ZTVm',
    providerDisplayName: 'CI Bot',
    isActive: true,
    properties: { Account: { $type: 'System.String', $value: 'ci-bot@example.com' } },
    resourceVersion: 2,
    metaTypeId: 0,
  };
}

export async function startAzureDevOps(options: AzureDevOpsOptions = {}): Promise<Recording> {
  const organization = options.organization ?? 'contoso';
  const tokens = options.tokens ?? [];
  return startRecordingServer(
    replying((req, url): Reply => {
      const headers = {
        'x-tfs-processid': 'a1b2c3d4-0000-4000-8000-000000000001',
        'x-vss-e2eid': 'e2e-5f6a7b8c',
        activityid: 'c0ffee00-1234-4abc-8def-000000000002',
      };
      if (url.pathname !== `/${organization}/_apis/connectionData` || req.method !== 'GET')
        return {
          status: 404,
          headers,
          body: { $id: '1', message: 'The controller for path was not found.', typeKey: 'HttpException', errorCode: 0 },
        };
      const pat = basicCredentials(req.headers.authorization)?.password;
      if (pat === undefined || !tokens.includes(pat)) {
        if (String(req.headers['x-tfs-fedauthredirect']).toLowerCase() === 'suppress')
          return {
            status: 401,
            headers: {
              ...headers,
              'www-authenticate':
                'Bearer authorization_uri=https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47, Basic realm="https://tfsprodweu2.app.visualstudio.com/", TFS-Federated',
              'x-tfs-fedauthrealm': 'https://tfsprodweu2.app.visualstudio.com/',
              'x-tfs-fedauthissuer': 'https://dev.azure.com/',
              'x-vss-resourcetenant': '72f988bf-86f1-41af-91ab-2d7cd011db47',
            },
            body: '',
          };
        return {
          status: 203,
          headers,
          body: '<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body></body></html>',
        };
      }
      return {
        status: 200,
        headers,
        body: {
          authenticatedUser: identity(),
          authorizedUser: identity(),
          instanceId: INSTANCE,
          deploymentId: 'b3c4d5e6-f7a8-4b9c-8d0e-1f2a3b4c5d6e',
          deploymentType: 'hosted',
          locationServiceData: {
            serviceOwner: '00025394-6065-48ca-87d9-7f5672854ef7',
            defaultAccessMappingMoniker: 'PublicAccessMapping',
            lastChangeId: 214508926,
            lastChangeId64: 214508926,
          },
        },
      };
    }),
    options,
  );
}
