/**
 * A one-layer OCI image archive (image-layout 1.0 in a tar) built from a
 * directory, for runtimes that import images rather than take a rootfs
 * (containerd's `ctr images import`); no registry involved.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

/** Writes `data` as a content-addressed blob under `layout` and returns its descriptor. */
function blob(layout: string, mediaType: string, data: Buffer): Descriptor {
  const hex = createHash('sha256').update(data).digest('hex');
  writeFileSync(join(layout, 'blobs', 'sha256', hex), data);
  return { mediaType, digest: `sha256:${hex}`, size: data.length };
}

/**
 * Packs `rootfs` as the single layer of an image named `ref` and writes the
 * archive to `archive`; `work` is a scratch directory the caller removes.
 * `cmd` is the image's default command (a pod sandbox image's is one that waits).
 */
export function buildOciArchive(rootfs: string, ref: string, work: string, archive: string, cmd: readonly string[] = ['/bin/sh']): void {
  const layout = join(work, 'layout');
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  const layerTar = join(work, 'layer.tar');
  const tar = spawnSync('tar', ['--numeric-owner', '-C', rootfs, '-cf', layerTar, '.'], { encoding: 'utf8' });
  if (tar.status !== 0) throw new Error(`tar of ${rootfs} failed: ${tar.stderr}`);
  const layerData = readFileSync(layerTar);
  const layer = blob(layout, 'application/vnd.oci.image.layer.v1.tar', layerData);
  // An uncompressed layer's diff id is its own digest.
  const config = blob(
    layout,
    'application/vnd.oci.image.config.v1+json',
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: { Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: cmd },
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
      }),
    ),
  );
  const manifest = blob(
    layout,
    'application/vnd.oci.image.manifest.v1+json',
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [layer] })),
  );
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ ...manifest, annotations: { 'io.containerd.image.name': ref, 'org.opencontainers.image.ref.name': ref } }],
    }),
  );
  const out = spawnSync('tar', ['-C', layout, '-cf', archive, 'oci-layout', 'index.json', 'blobs'], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`tar of the image layout failed: ${out.stderr}`);
}
