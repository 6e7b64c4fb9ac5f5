// The one builder of `curl` commands in remediation steps, for any target: what the command shows,
// the TLS options that match the check's trust, Basic credentials or a credential header with the
// secret as a placeholder (`<password>`, `<token>`, or `$TOKEN` fetched by an earlier step), extra
// headers, and the URL — every word shell-quoted.

import { shellQuote } from '../../../util/shell.js';

export interface CurlOptions {
  /**
   * What the command prints: the status line, headers and body (`response`), the headers alone
   * (`headers`), the body alone (`body`), the connection and TLS conversation (`verbose`), or the
   * status code alone (`status`, failing on 4xx/5xx).
   */
  show: 'response' | 'headers' | 'body' | 'verbose' | 'status';
  /** A method other than GET (HEAD comes from `show: 'headers'`). */
  method?: string;
  /** TLS options as curlTlsOptions() gives them (` -k`, ` --cacert …`, or ''). */
  tls?: string;
  /** Basic credentials: the user name; the password is a placeholder (`<password>`, or `basicSecret`). */
  basicUser?: string;
  /** The placeholder standing for the Basic password (`<api-token>` for a Jenkins API token). */
  basicSecret?: string;
  /** Headers, values as given: a secret must already be a placeholder (`<token>`) or `$TOKEN`. */
  headers?: Record<string, string>;
}

const SHOW: Record<CurlOptions['show'], { flags: string; after: string }> = {
  response: { flags: '-sS -i', after: '' },
  headers: { flags: '-sS -I', after: '' },
  body: { flags: '-sS', after: '' },
  verbose: { flags: '-sv', after: ' -o /dev/null' },
  status: { flags: '-fsS', after: ` -o /dev/null -w '%{http_code}\\n'` },
};

/** A header as one shell word; one that names `$TOKEN` is double-quoted so the shell expands it. */
function headerWord(name: string, value: string): string {
  const header = `${name}: ${value}`;
  return /\$TOKEN\b/.test(value) && !/["\\`]/.test(header) ? `"${header}"` : shellQuote(header);
}

export function curlCommand(url: string | URL, options: CurlOptions): string {
  const { flags, after } = SHOW[options.show];
  const method = options.method && options.method !== 'GET' ? ` -X ${options.method}` : '';
  const secret = shellQuote(options.basicSecret ?? '<password>');
  const basic = options.basicUser !== undefined ? ` -u ${shellQuote(options.basicUser)}:${secret}` : '';
  const headers = Object.entries(options.headers ?? {})
    .map(([name, value]) => ` -H ${headerWord(name, value)}`)
    .join('');
  const href = typeof url === 'string' ? url : url.href;
  return `curl ${flags}${method}${options.tls ?? ''}${basic}${headers} ${shellQuote(href)}${after}`;
}
