/**
 * Pushes the inference service's image versions to a registry through the OCI distribution API, with
 * no Docker engine (OCI Distribution Specification v1.1, "Pushing blobs" and "Pushing manifests",
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md):
 *   1. per blob: `HEAD /v2/<name>/blobs/<digest>` (already there: skipped), else
 *      `POST /v2/<name>/blobs/uploads/` -> 202 with `Location`, then `PUT <Location>?digest=<digest>`
 *      with the whole blob (a monolithic upload) -> 201;
 *   2. `PUT /v2/<name>/manifests/<tag>` with an OCI image manifest naming the config and the layer.
 * Each image is small but real: its layer is a gzipped tar holding /VERSION, its config (OCI image
 * spec, config.md) says `created` and the version label. Tags already in the repository are left as they
 * are, so their creation time (the Deploy dialog's order) stays. Run with Node 22 (type stripping):
 *   node scripts/push-sample-images.mts --registry http://127.0.0.1:5000 [--repository inference] 0.1.0 0.2.0
 * The registry's URL comes from the command line (or REGISTRY_URL), never from a file.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

const sha256 = (data: Buffer) =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** A ustar archive with one regular file (POSIX.1-1988 header, 512-byte blocks). */
function tarOf(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const field = (value: string, offset: number, length: number) =>
    header.write(value, offset, length, 'ascii');
  field(name, 0, 100);
  field('0000644\0', 100, 8);
  field('0000000\0', 108, 8);
  field('0000000\0', 116, 8);
  field(`${content.length.toString(8).padStart(11, '0')}\0`, 124, 12);
  field(`${'0'.padStart(11, '0')}\0`, 136, 12);
  field('        ', 148, 8);
  field('0', 156, 1);
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  let sum = 0;
  for (const byte of header) sum += byte;
  field(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}

async function check(res: Response, what: string, ok: number[]) {
  if (!ok.includes(res.status)) {
    throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  }
}

async function pushBlob(
  registry: string,
  repository: string,
  mediaType: string,
  data: Buffer,
): Promise<Descriptor> {
  const digest = sha256(data);
  const head = await fetch(`${registry}/v2/${repository}/blobs/${digest}`, {
    method: 'HEAD',
  });
  if (head.status !== 200) {
    const start = await fetch(`${registry}/v2/${repository}/blobs/uploads/`, {
      method: 'POST',
    });
    await check(start, 'blob upload start', [202]);
    const location = new URL(start.headers.get('location')!, registry);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, {
      method: 'PUT',
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(data.length),
      },
      body: data,
    });
    await check(put, `blob ${digest}`, [201]);
  }
  return { mediaType, digest, size: data.length };
}

/** Pushes `repository:tag` unless the tag exists; returns the manifest's digest. */
export async function pushImage(
  registry: string,
  repository: string,
  tag: string,
  created: Date,
): Promise<string> {
  const existing = await fetch(
    `${registry}/v2/${repository}/manifests/${tag}`,
    {
      method: 'HEAD',
      headers: { Accept: OCI_MANIFEST },
    },
  );
  if (existing.status === 200) {
    return existing.headers.get('docker-content-digest')!;
  }
  const tar = tarOf('VERSION', Buffer.from(`${tag}\n`));
  const layer = await pushBlob(registry, repository, OCI_LAYER, gzipSync(tar));
  const config = Buffer.from(
    JSON.stringify({
      created: created.toISOString(),
      architecture: 'amd64',
      os: 'linux',
      config: {
        Env: [`MODEL_VERSION=${tag}`],
        Cmd: ['node', 'dist/main.js'],
        Labels: { 'org.opencontainers.image.version': tag },
      },
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
      history: [
        { created: created.toISOString(), created_by: 'push-sample-images' },
      ],
    }),
  );
  const configDescriptor = await pushBlob(
    registry,
    repository,
    OCI_CONFIG,
    config,
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: configDescriptor,
      layers: [layer],
      annotations: { 'org.opencontainers.image.version': tag },
    }),
  );
  const put = await fetch(`${registry}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'Content-Type': OCI_MANIFEST },
    body: manifest,
  });
  await check(put, `manifest ${repository}:${tag}`, [201]);
  return put.headers.get('docker-content-digest') ?? sha256(manifest);
}

async function main(argv: string[]) {
  let registry = process.env.REGISTRY_URL;
  let repository = 'inference';
  const tags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--registry') registry = argv[++i];
    else if (argv[i] === '--repository') repository = argv[++i];
    else tags.push(argv[i]);
  }
  if (!registry || tags.length === 0) {
    throw new Error(
      'usage: push-sample-images.mts --registry <url> [--repository <name>] <tag>...',
    );
  }
  registry = registry.replace(/\/+$/, '');
  // Created one minute apart, in the order given: the last tag is the newest.
  const first = Date.now() - tags.length * 60_000;
  for (const [i, tag] of tags.entries()) {
    const digest = await pushImage(
      registry,
      repository,
      tag,
      new Date(first + i * 60_000),
    );
    console.log(`${repository}:${tag} ${digest}`);
  }
}

main(process.argv.slice(2)).catch(e => {
  console.error(`push-sample-images: ${(e as Error).message}`);
  process.exit(1);
});
