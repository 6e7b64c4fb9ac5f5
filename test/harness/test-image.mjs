// The tiny OCI test image every registry holds (`library/alpine:latest` by default): one gzip
// layer with one file, built byte for byte the same on every run, and a pusher that uploads it with
// plain registry API requests (HEAD, POST, PUT per blob, then PUT of the OCI manifest).
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { request } from './http.mjs';

export const OCI_MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG_TYPE = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER_TYPE = 'application/vnd.oci.image.layer.v1.tar+gzip';

const TAR_RECORD = 10240;
const LAYER_FILE = { name: 'etc/stella-test-image', content: 'Stella Doctor test image\n' };

/** Builds the image: returns its blobs and manifest with their digests and sizes. */
export function buildTestImage() {
  const tar = tarArchive([LAYER_FILE]);
  const layer = gzipSync(tar, { level: 9 });
  const config = Buffer.from(
    JSON.stringify({
      created: '1970-01-01T00:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [digestOf(tar)] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST_TYPE,
      config: { mediaType: OCI_CONFIG_TYPE, digest: digestOf(config), size: config.length },
      layers: [{ mediaType: OCI_LAYER_TYPE, digest: digestOf(layer), size: layer.length }],
    }),
  );
  return {
    layer: { bytes: layer, digest: digestOf(layer) },
    config: { bytes: config, digest: digestOf(config) },
    manifest: { bytes: manifest, digest: digestOf(manifest) },
  };
}

function digestOf(bytes) {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * A ustar archive of regular files owned by 0:0 with mtime 0, byte for byte what
 * `tar --format=ustar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner` writes.
 */
function tarArchive(files) {
  const blocks = [];
  for (const file of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    const content = Buffer.from(file.content);
    const header = Buffer.alloc(512);
    header.write(file.name, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(content.length.toString(8).padStart(11, '0') + '\0', 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0' + '00', 257);
    header.write('0000000\0', 329);
    header.write('0000000\0', 337);
    const checksum = header.reduce((sum, byte) => sum + byte, 0);
    header.write(checksum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const archive = Buffer.concat(blocks);
  return Buffer.concat([archive, Buffer.alloc((TAR_RECORD - (archive.length % TAR_RECORD)) % TAR_RECORD)]);
}

/**
 * Pushes the image to `registryUrl` as `repository:tag`. `authorization` is the header value to
 * send (Basic or Bearer with push rights) or undefined for an open registry.
 */
export async function pushTestImage({ registryUrl, repository, tag, image, authorization, ca }) {
  const headers = authorization ? { authorization } : {};
  for (const blob of [image.config, image.layer]) {
    const blobUrl = `${registryUrl}/v2/${repository}/blobs/${blob.digest}`;
    const existing = await request(blobUrl, { method: 'HEAD', headers, ca });
    if (existing.status === 200) continue;

    const started = await request(`${registryUrl}/v2/${repository}/blobs/uploads/`, {
      method: 'POST',
      headers,
      body: '',
      ca,
    });
    expectStatus(started, 202, `start blob upload to ${registryUrl}`);
    const location = new URL(started.headers.location, registryUrl);
    location.searchParams.set('digest', blob.digest);
    const finished = await request(location, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/octet-stream' },
      body: blob.bytes,
      ca,
    });
    expectStatus(finished, 201, `upload blob ${blob.digest} to ${registryUrl}`);
  }

  const pushed = await request(`${registryUrl}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { ...headers, 'content-type': OCI_MANIFEST_TYPE },
    body: image.manifest.bytes,
    ca,
  });
  expectStatus(pushed, 201, `push manifest to ${registryUrl}`);
  if (pushed.headers['docker-content-digest'] !== image.manifest.digest) {
    throw new Error(
      `${registryUrl} stored the manifest as ${pushed.headers['docker-content-digest']}, expected ${image.manifest.digest}`,
    );
  }
}

function expectStatus(response, status, what) {
  if (response.status !== status) {
    throw new Error(
      `${what}: expected ${status}, got ${response.status} ${response.body.toString('utf8').slice(0, 300)}`,
    );
  }
}
