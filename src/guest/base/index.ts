import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../../util/errors.ts';
import { sha256, sha256File } from '../../util/fs.ts';
import { runTool } from '../exec.ts';
import { isSquashfs, unsquashfs } from '../squashfs.ts';
import { applyLayer } from './layers.ts';

// A user's root filesystem, read into a staging directory for the image
// builder: a directory, a tar archive (also `docker export` output, any
// compression tar knows), a `docker save` archive (its layers applied in
// order, whiteouts honoured), or a squashfs. Owners, modes, setuid bits and
// security.capability xattrs are kept as they are: the findings are about
// exactly those. Reading runs as root (owners cannot be kept otherwise).

export type BaseKind = 'dir' | 'tar' | 'docker-save' | 'squashfs';

export interface BaseImage {
  path: string;
  kind: BaseKind;
  /** What identifies its content for the cache: the file's sha256, or a hash of a directory's listing. */
  digest: string;
}

/** The members of a tar archive, `./` stripped. */
async function tarMembers(path: string, signal?: AbortSignal): Promise<string[]> {
  return (await runTool('tar', ['-tf', path], { signal })).split('\n').filter(Boolean).map((n) => n.replace(/^\.\//, ''));
}

/** A `docker save` manifest: one image, its layers in order (paths inside the archive). */
export function parseDockerManifest(text: string, where: string): string[] {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw new InputError(where, `manifest.json is not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(m) || m.length === 0) throw new InputError(where, 'manifest.json: expected a list of images');
  if (m.length > 1) throw new InputError(where, `manifest.json names ${m.length} images: save one (docker save IMAGE)`);
  const layers = (m[0] as { Layers?: unknown }).Layers;
  if (!Array.isArray(layers) || !layers.every((l) => typeof l === 'string' && !l.split('/').includes('..'))) {
    throw new InputError(where, 'manifest.json: the image has no Layers list of archive paths');
  }
  return layers as string[];
}

/** Which kind of base `path` is, and its digest. */
export async function identifyBase(path: string, signal?: AbortSignal): Promise<BaseImage> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new InputError(abs, 'base root not found');
  if ((await stat(abs)).isDirectory()) {
    // Paths, types, modes, owners, sizes and times: a change to the tree changes the key without hashing every byte.
    const listing = await runTool('find', [abs, '-printf', '%P %y %m %U:%G %s %T@ %l\\n'], { signal });
    return { path: abs, kind: 'dir', digest: sha256(listing.split('\n').sort().join('\n')) };
  }
  const fh = await open(abs, 'r');
  const head = Buffer.alloc(512);
  await fh.read(head, 0, 512, 0).finally(() => fh.close());
  const digest = await sha256File(abs);
  if (isSquashfs(head)) return { path: abs, kind: 'squashfs', digest };
  const members = await tarMembers(abs, signal).catch(() => {
    throw new InputError(abs, 'not a directory, a tar archive or a squashfs image');
  });
  const isDockerSave = members.includes('manifest.json') && members.some((m) => /(^|\/)layer\.tar$|^blobs\//.test(m));
  return { path: abs, kind: isDockerSave ? 'docker-save' : 'tar', digest };
}

const TAR_EXTRACT = ['--numeric-owner', '--same-owner', '--same-permissions', '--xattrs', '--xattrs-include=*'];

/** Fills `staging` (created here; must not exist) with the base's root. */
export async function readBase(base: BaseImage, staging: string, signal?: AbortSignal): Promise<void> {
  await mkdir(dirname(staging), { recursive: true });
  switch (base.kind) {
    case 'squashfs':
      return unsquashfs(base.path, staging, signal);
    case 'dir':
      await mkdir(staging);
      await runTool('cp', ['-a', '--no-dereference', `${base.path}/.`, staging], { signal });
      return;
    case 'tar':
      await mkdir(staging);
      await runTool('tar', ['-xf', base.path, '-C', staging, ...TAR_EXTRACT], { signal });
      return;
    case 'docker-save':
      return readDockerSave(base.path, staging, signal);
  }
}

async function readDockerSave(archive: string, staging: string, signal?: AbortSignal): Promise<void> {
  const work = await mkdtemp(`${staging}.layers-`);
  try {
    await runTool('tar', ['-xf', archive, '-C', work, '--no-same-owner'], { signal });
    const layers = parseDockerManifest(await readFile(join(work, 'manifest.json'), 'utf8'), `${archive}: manifest.json`);
    await mkdir(staging);
    for (const [i, layer] of layers.entries()) {
      const file = join(work, layer);
      if (!existsSync(file)) throw new InputError(archive, `manifest.json names the layer ${layer}, which the archive lacks`);
      const dir = join(work, `.layer-${i}`);
      await mkdir(dir);
      await runTool('tar', ['-xf', file, '-C', dir, ...TAR_EXTRACT], { signal });
      await applyLayer(dir, staging);
      await rm(dir, { recursive: true, force: true });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
