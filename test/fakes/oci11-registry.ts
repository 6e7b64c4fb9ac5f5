// Imitates an OCI 1.1 registry (zot, distribution 3, recent cloud registries): the referrers API
// that distribution 2.8 lacks, configurable answers for the rows no local registry produces
// (403 on push, 429, 405 on referrers, 5xx), an optional missing Docker-Content-Digest header,
// and a relative upload Location. Anonymous, plain HTTP on 127.0.0.1. Records every request.

import { createHash } from 'node:crypto';
import http from 'node:http';
import { listenLocal, type Running } from './listen.js';
import type { SeenRequest } from './status-registry.js';

export type ReferrersMode = 'index' | 'empty-404' | 'plain-404' | '400' | '405' | '401' | '500';

export interface Oci11Options {
  referrers?: ReferrersMode;
  /** Apply `artifactType` filtering and say so in OCI-Filters-Applied. */
  filtering?: boolean;
  /** HEAD/GET manifest without Docker-Content-Digest (clients must hash the body). */
  omitDigestHeader?: boolean;
  uploadStatus?: number;
  mountStatus?: number;
  manifestStatus?: number;
  /** Serve a fallback tag sha256-<hex> for the subject. */
  fallbackTag?: boolean;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

const layer = Buffer.from('stella doctor fake layer');
const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export const FAKE_MANIFEST = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(layer), size: layer.length }],
  }),
);
export const FAKE_DIGEST = sha(FAKE_MANIFEST);
export const FAKE_LAYER_DIGEST = sha(layer);

const REFERRER = {
  mediaType: OCI_MANIFEST,
  digest: `sha256:${'ab'.repeat(32)}`,
  size: 512,
  artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
};

function index(manifests: unknown[]): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests });
}

export async function startOci11Registry(options: Oci11Options = {}): Promise<Running & { requests: SeenRequest[] }> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    const send = (status: number, body = '', headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'docker-distribution-api-version': 'registry/2.0', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const error = (status: number, code: string): void =>
      send(status, JSON.stringify({ errors: [{ code, message: code.toLowerCase() }] }), {
        'content-type': 'application/json',
      });
    const path = url.pathname;
    if (path === '/v2/' || path === '/v2') return send(200, '{}', { 'content-type': 'application/json' });

    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
    if (manifest) {
      const ref = manifest[2]!;
      if (req.method === 'OPTIONS') return send(200, '', { allow: 'GET, HEAD, PUT, DELETE, OPTIONS' });
      if (req.method === 'DELETE') return error(404, 'MANIFEST_UNKNOWN');
      if (options.fallbackTag && ref === FAKE_DIGEST.replace(':', '-'))
        return send(200, index([REFERRER]), { 'content-type': OCI_INDEX });
      if (options.manifestStatus) return error(options.manifestStatus, 'MANIFEST_UNKNOWN');
      if (ref !== 'latest' && ref !== FAKE_DIGEST) return error(404, 'MANIFEST_UNKNOWN');
      const headers: Record<string, string> = {
        'content-type': OCI_MANIFEST,
        'content-length': String(FAKE_MANIFEST.length),
      };
      if (!options.omitDigestHeader) headers['docker-content-digest'] = FAKE_DIGEST;
      res.writeHead(200, headers);
      return res.end(req.method === 'HEAD' ? undefined : FAKE_MANIFEST);
    }

    const referrers = /^\/v2\/(.+)\/referrers\/([^/]+)$/.exec(path);
    if (referrers) {
      switch (options.referrers ?? 'index') {
        case 'index': {
          const wanted = url.searchParams.get('artifactType');
          const list = options.filtering && wanted ? [REFERRER].filter((r) => r.artifactType === wanted) : [REFERRER];
          return send(200, index(list), {
            'content-type': OCI_INDEX,
            ...(options.filtering && wanted ? { 'oci-filters-applied': 'artifactType' } : {}),
          });
        }
        case 'empty-404':
          return send(404, index([]), { 'content-type': OCI_INDEX });
        case 'plain-404':
          return send(404, '404 page not found\n', { 'content-type': 'text/plain' });
        default:
          return error(Number(options.referrers), 'UNSUPPORTED');
      }
    }

    const uploads = /^\/v2\/(.+)\/blobs\/uploads\/?(.*)$/.exec(path);
    if (uploads) {
      if (req.method === 'DELETE') return send(204);
      if (url.searchParams.has('mount')) {
        const status = options.mountStatus ?? 201;
        if (status === 201)
          return send(201, '', { location: `/v2/${uploads[1]}/blobs/${url.searchParams.get('mount')}` });
        if (status === 202) return send(202, '', { location: `/v2/${uploads[1]}/blobs/uploads/mount-fallback` });
        return error(status, 'DENIED');
      }
      const status = options.uploadStatus ?? 202;
      if (status === 202)
        return send(202, '', {
          location: `/v2/${uploads[1]}/blobs/uploads/session-1?_state=opaque`,
          'oci-chunk-min-length': '5242880',
        });
      return error(status, status === 403 ? 'DENIED' : status === 429 ? 'TOOMANYREQUESTS' : 'UNKNOWN');
    }
    if (/^\/v2\/(.+)\/blobs\/([^/]+)$/.test(path) && req.method === 'DELETE') return send(202);
    return error(404, 'NAME_UNKNOWN');
  });
  return { ...(await listenLocal(server)), requests };
}
