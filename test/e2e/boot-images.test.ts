import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildRootfs } from '../../src/guest/index.ts';
import { listSquashfs, verifyListing } from '../../src/guest/rootfs.ts';
import { ARCHS } from '../../src/policy/index.ts';

// The guest images, built for real: the same inputs give the same bytes, and
// the image itself re-verifies clean (independently of the builder's own pass).

describe.each(ARCHS)('guest images %s', (arch) => {
  it('are reproducible: a rebuild from scratch gives the same sha256 for both images', async () => {
    const first = await buildRootfs({ arch });
    await rm(first.dir, { recursive: true, force: true });
    const second = await buildRootfs({ arch });
    expect(second.cached).toBe(false);
    expect(second.squashfs.sha256).toBe(first.squashfs.sha256);
    expect(second.initramfs.sha256).toBe(first.initramfs.sha256);
  });

  it('hold what the guest needs, with the manifest matching the image', async () => {
    const g = await buildRootfs({ arch });
    expect(verifyListing(await listSquashfs(g.squashfs.path))).toEqual([]);
    const paths = new Set(g.manifest.files.map((f) => f.path));
    for (const p of ['/bin/busybox', '/usr/bin/node', '/usr/local/bin/capsem-doctor', '/usr/local/bin/capsem-probe', '/usr/local/bin/capsem-init', '/usr/lib/capsem/capsem-doctor.mjs']) {
      expect(paths.has(p), p).toBe(true);
    }
    expect(g.manifest.files.filter((f) => f.path.startsWith('/usr/local/bin/')).map((f) => f.mode)).toEqual(['0555', '0555', '0555']);
    expect(g.manifest.initramfsFiles.find((f) => f.path === '/init')?.mode).toBe('0555');
    expect(g.manifest.enforced).toEqual([]);
    expect(g.manifest.findings).toEqual([]);
  });
});
