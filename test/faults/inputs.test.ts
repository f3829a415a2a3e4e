// Tampered and missing inputs, through the real CLI: a --source tarball that
// is not the one --sha256 names (exit 2, nothing unpacked), and a host tool
// missing from PATH (exit 2, one line naming the Debian package to install).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type OverlayCache, overlayCache, sha256Of } from './overlay.ts';

const scratch = mkdtempSync(join(tmpdir(), 'capsem-faults-inputs-'));
let cache: OverlayCache;
beforeAll(() => {
  cache = overlayCache();
});
afterAll(async () => {
  await cache?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

/** The error line: the last one on stderr, after any progress lines. */
const errorLine = (stderr: string) => stderr.trimEnd().split('\n').at(-1)!;

describe('--source tarball verified before unpacking', () => {
  const tree = join(scratch, 'linux-tiny');
  mkdirSync(tree, { recursive: true });
  writeFileSync(join(tree, 'Makefile'), 'all:\n');
  const tarball = join(scratch, 'linux-tiny.tar');
  execFileSync('tar', ['-cf', tarball, '-C', scratch, 'linux-tiny']);
  const good = sha256Of(readFileSync(tarball));

  const damage: [string, (path: string) => void][] = [
    ['truncated', (p) => truncateSync(p, 1000)],
    ['altered', (p) => {
      const data = readFileSync(p);
      data[600] = data[600]! ^ 1;
      writeFileSync(p, data);
    }],
  ];
  for (const [what, hurt] of damage) {
    it(`a ${what} tarball: exit 2, one line, nothing unpacked`, () => {
      const copy = join(scratch, `${what}.tar`);
      writeFileSync(copy, readFileSync(tarball));
      hurt(copy);
      const own = join(scratch, `cache-${what}`);
      const r = spawnSync('node', [BIN, 'build', '--arch', 'x86_64', '--configure-only', '--source', copy, '--sha256', good], {
        env: { ...process.env, CAPSEM_CACHE_DIR: own },
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(2);
      expect(errorLine(r.stderr)).toMatch(new RegExp(`^capsem-kernel: ${copy}: sha256 mismatch: expected ${good}, got [0-9a-f]{64}; nothing unpacked$`));
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      const sources = join(own, 'sources');
      expect(existsSync(sources) ? readdirSync(sources).filter((f) => f !== 'hashes.json') : []).toEqual([]);
    });
  }
});

/** A PATH holding every host command but `missing`. */
function pathWithout(missing: readonly string[]): string {
  const dir = join(scratch, `path-without-${missing.join('-')}`);
  mkdirSync(dir, { recursive: true });
  for (const from of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    for (const name of existsSync(from) ? readdirSync(from) : []) {
      if (missing.includes(name) || existsSync(join(dir, name))) continue;
      symlinkSync(join(from, name), join(dir, name));
    }
  }
  return dir;
}

describe('a missing host tool is named with its Debian package, exit 2', () => {
  const cases: [string, string[], string[], RegExp][] = [
    ['make', ['make'], ['build', '--arch', 'x86_64', '--configure-only'], /make not found \(install make\b/],
    ['mksquashfs', ['mksquashfs'], ['rootfs', '--arch', 'x86_64'], /mksquashfs not found \(install squashfs-tools\b/],
    ['qemu-system-x86_64', ['qemu-system-x86_64'], ['up', '--arch', 'x86_64'], /qemu-system-x86_64 not found \(install qemu-system-x86\b/],
  ];
  for (const [tool, missing, args, message] of cases) {
    it(tool, async () => {
      const r = await cache.run(args, { env: { PATH: pathWithout(missing) } });
      expect(r.code, r.stderr.slice(-2000)).toBe(2);
      expect(errorLine(r.stderr)).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});
