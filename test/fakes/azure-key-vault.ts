// Imitates the data plane of Azure Key Vault (`https://<vault>.vault.azure.net`, api-version 7.x)
// as far as a health check reaches, after Microsoft's "Diagnose private links configuration issues
// on Azure Key Vault":
// - `GET /healthstatus`, the one anonymous endpoint: 200 with `Cache-Control: no-cache`,
//   `Pragma: no-cache`, `Content-Type: application/json; charset=utf-8`, `x-ms-request-id`,
//   `x-ms-keyvault-service-version`, `x-ms-keyvault-network-info: addr=<client address>;
//   act_addr_fam=InterNetwork;` (the address the vault sees, which tells a private endpoint from
//   the internet), `Strict-Transport-Security` and a 4-byte JSON body (the documentation shows its
//   length, not its content; clients read the status and headers).
// - Any other path without a bearer token: 401 with the documented challenge
//   `WWW-Authenticate: Bearer authorization="https://login.microsoftonline.com/<tenant>", resource="https://vault.azure.net"`.
// `firewall` stands for a vault whose network rules refuse this client (403 ForbiddenByFirewall);
// `impostor` for something else answering under the vault's name (no x-ms-keyvault-* headers).

import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { listenLocal, type Running } from './listen.js';

export interface KeyVaultOptions {
  tls: { certPath: string; keyPath: string };
  firewall?: boolean;
  impostor?: boolean;
}

export interface KeyVaultRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

export async function startAzureKeyVault(options: KeyVaultOptions): Promise<Running & { requests: KeyVaultRequest[] }> {
  const requests: KeyVaultRequest[] = [];
  const server = https.createServer(
    { cert: readFileSync(options.tls.certPath), key: readFileSync(options.tls.keyPath) },
    (req, res) => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      const common: Record<string, string> = {
        'cache-control': 'no-cache',
        pragma: 'no-cache',
        'content-type': 'application/json; charset=utf-8',
        'strict-transport-security': 'max-age=31536000;includeSubDomains',
      };
      const vaultHeaders = options.impostor
        ? {}
        : {
            'x-ms-request-id': '3729ddde-eb6d-4060-af2b-aac08661d2ec',
            'x-ms-keyvault-service-version': '1.9.1362.1',
            'x-ms-keyvault-network-info': `addr=${req.socket.remoteAddress ?? ''};act_addr_fam=InterNetwork;`,
          };
      const headers = { ...common, ...vaultHeaders };
      if (options.firewall) {
        res.writeHead(403, headers);
        return void res.end(
          JSON.stringify({
            error: {
              code: 'Forbidden',
              message: `Client address is not authorized and caller is not a trusted service.\r\nClient address: ${req.socket.remoteAddress}`,
              innererror: { code: 'ForbiddenByFirewall' },
            },
          }),
        );
      }
      if (req.url === '/healthstatus' && req.method === 'GET') {
        res.writeHead(200, headers);
        return void res.end('"up"');
      }
      res.writeHead(401, {
        ...headers,
        'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${TENANT}", resource="https://vault.azure.net"`,
      });
      res.end(
        JSON.stringify({
          error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' },
        }),
      );
    },
  );
  return { ...(await listenLocal(server, 'https')), requests };
}
