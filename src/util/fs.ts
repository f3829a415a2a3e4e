import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EnvironmentError } from './errors.ts';

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Write via temp + rename, so a reader never sees a half-written file. */
export async function writeFileAtomic(path: string, data: string | Buffer, mode?: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, data, mode === undefined ? {} : { mode });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * An exclusive lock file (O_EXCL). Returns a release function. A lock whose
 * owner pid is gone is stale and taken over.
 */
export async function acquireLock(path: string, what: string): Promise<() => Promise<void>> {
  await mkdir(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return async () => {
        await rm(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (pid && isAlive(pid)) throw new LockedError(`${what} is in use by process ${pid} (lock: ${path})`);
      await rm(path, { force: true });
    }
  }
  throw new LockedError(`could not lock ${what} (lock: ${path})`);
}

export class LockedError extends EnvironmentError {
  override name = 'LockedError';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `<path>.sha256`: the hash a cached file had when it was published, kept beside it. */
const recordOf = (path: string) => `${path}.sha256`;

/** Records `path`'s sha256 beside it, for verifyRecorded. Call once the file is complete. */
export async function recordSha256(path: string): Promise<string> {
  const hash = await sha256File(path);
  await writeFileAtomic(recordOf(path), `${hash}\n`);
  return hash;
}

/**
 * A cached file checked against the hash recorded when it was published: its sha256, or
 * why it must not be served (missing, no record, changed since).
 */
export async function verifyRecorded(path: string): Promise<{ ok: true; sha256: string } | { ok: false; reason: string }> {
  const recorded = (await readFile(recordOf(path), 'utf8').catch(() => undefined))?.trim();
  const actual = await sha256File(path).catch(() => undefined);
  if (actual === undefined) return { ok: false, reason: `${path} is missing` };
  if (recorded === undefined) return { ok: false, reason: `${path} has no recorded sha256` };
  if (recorded !== actual) return { ok: false, reason: `${path} changed since it was cached (sha256 ${actual}, recorded ${recorded})` };
  return { ok: true, sha256: actual };
}
