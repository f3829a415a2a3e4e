import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../util/errors.ts';
import { cachedEntry, verifyFiles } from '../util/cache.ts';
import { sha256, sha256File } from '../util/fs.ts';
import { cacheDir } from '../util/paths.ts';
import { runTool } from './exec.ts';

// The kernel's own minimal libc (tools/include/nolibc: headers only, every
// function static inline), which capsem-init is compiled against instead of a
// static glibc. Only that folder is taken out of Debian's linux-source-6.12
// tarball, once per tarball, into a cache entry of its own: the guest does
// not use the kernel trees src/build unpacks (test/architecture.test.ts).

export const NOLIBC_PACKAGE = 'linux-source-6.12';
export const NOLIBC_TARBALL = `/usr/src/${NOLIBC_PACKAGE}.tar.xz`;

/** Where the headers' sha256s are recorded in the entry (sha256sum's format). */
const MANIFEST = 'headers.sha256';

export interface NolibcHeaders {
  /** The folder to pass with -I (nolibc.h at its top). */
  dir: string;
  /** sha256 of the headers' manifest: changes with any header. */
  sha256: string;
}

/**
 * nolibc's headers from `tarball` (default Debian's linux-source-6.12),
 * extracted once into <cache>/guest/nolibc/<key>; the entry is keyed by the
 * tarball's path, size and mtime (hashing 150 MB on every build would cost a
 * second) and each header is checked against its recorded sha256 on reuse.
 */
export async function nolibcHeaders(o: { tarball?: string; say?: (m: string) => void; signal?: AbortSignal | undefined } = {}): Promise<NolibcHeaders> {
  const tarball = o.tarball ?? NOLIBC_TARBALL;
  const s = await stat(tarball).catch(() => undefined);
  if (!s) throw new EnvironmentError(`${tarball} missing: capsem-init is built against its nolibc (install ${NOLIBC_PACKAGE}; \`npm run setup\` does)`);
  const entry = join(cacheDir('guest/nolibc'), sha256(`${tarball}\0${s.size}\0${s.mtimeMs}`).slice(0, 16));
  const dir = join(entry, 'nolibc');
  const manifest = join(entry, MANIFEST);
  const { value } = await cachedEntry({
    dir: entry,
    what: `extracting nolibc from ${tarball}`,
    ...(o.say ? { say: o.say } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    reuse: async (_, recheck) => {
      const text = await readFile(manifest, 'utf8').catch(() => undefined);
      if (text === undefined) return undefined;
      const files = text.trim().split('\n').map((l) => ({ sha256: l.slice(0, 64), path: join(dir, l.slice(66)) }));
      const check = await verifyFiles(files);
      if (check.ok) return { dir, sha256: sha256(text) };
      if (!recheck) o.say?.(`cache: ${check.reason}; extracting nolibc again`);
      return undefined;
    },
    make: async (tmp) => {
      o.say?.(`extracting nolibc's headers from ${tarball} (once; it reads the whole tarball)`);
      await runTool('tar', ['-xf', tarball, '-C', tmp, '--strip-components=3', '--wildcards', '*/tools/include/nolibc/*'], { signal: o.signal });
      const names = (await readdir(join(tmp, 'nolibc'), { recursive: true, withFileTypes: true }).catch(() => []))
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(join(tmp, 'nolibc').length + 1))
        .sort();
      if (!names.includes('nolibc.h')) throw new EnvironmentError(`${tarball} has no tools/include/nolibc/nolibc.h`);
      const lines = await Promise.all(names.map(async (n) => `${await sha256File(join(tmp, 'nolibc', n))}  ${n}\n`));
      const text = lines.join('');
      await writeFile(join(tmp, MANIFEST), text);
      return { dir, sha256: sha256(text) };
    },
  });
  return value;
}
