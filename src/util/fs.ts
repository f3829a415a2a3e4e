import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Makes `path` by writing `<path>.tmp-<pid>` and renaming it: a reader never sees a half-written file. */
async function viaTemp(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await write(tmp);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

export function writeFileAtomic(path: string, data: string | Buffer, mode?: number): Promise<void> {
  return viaTemp(path, (tmp) => writeFile(tmp, data, mode === undefined ? {} : { mode }));
}

export function copyFileAtomic(from: string, to: string): Promise<void> {
  return viaTemp(to, (tmp) => copyFile(from, tmp));
}
