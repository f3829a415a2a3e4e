import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRootfs } from '../../src/guest/index.ts';
import { verifyListing } from '../../src/guest/findings.ts';
import { listSquashfs } from '../../src/guest/squashfs.ts';
import { run } from '../../src/cli/main.ts';
import { ARCHS } from '../../src/policy/index.ts';
import { sha256File } from '../../src/util/fs.ts';
import { captureIO } from '../helpers/io.ts';

// The guest images, built for real: the same inputs give the same bytes, and
// the image itself re-verifies clean (independently of the builder's own pass).

describe.each(ARCHS)('guest images %s', (arch) => {
  it('are reproducible: a rebuild from scratch gives the same sha256 for both images', async () => {
    const first = await buildRootfs({ arch });
    await rm(first.dir, { recursive: true, force: true });
    const second = await buildRootfs({ arch });
    // A different key means an input changed in between (e.g. someone rebuilt dist/capsem-doctor.js).
    expect(second.key, 'the inputs changed during the test').toBe(first.key);
    expect(second.cached).toBe(false);
    expect(second.squashfs.sha256).toBe(first.squashfs.sha256);
    expect(second.initramfs.sha256).toBe(first.initramfs.sha256);
  });

  it('hold what the guest needs, with the manifest matching the image', async () => {
    const g = await buildRootfs({ arch });
    expect(verifyListing(await listSquashfs(g.squashfs.path))).toEqual([]);
    const paths = new Set(g.manifest.files.map((f) => f.path));
    for (const p of ['/bin/busybox', '/usr/lib/capsem/capsem-doctor-rt', '/usr/local/bin/capsem-doctor', '/usr/local/bin/capsem-probe', '/usr/local/bin/capsem-init', '/usr/lib/capsem/capsem-doctor.qbc']) {
      expect(paths.has(p), p).toBe(true);
    }
    expect(g.manifest.files.filter((f) => f.path.startsWith('/usr/local/bin/')).map((f) => f.mode)).toEqual(['0555', '0555', '0555']);
    expect(g.manifest.initramfsFiles.find((f) => f.path === '/init')?.mode).toBe('0555');
    expect(g.manifest.enforced).toEqual([]);
    expect(g.manifest.findings).toEqual([]);
  });

  it('`rootfs --out DIR --json` copies both images and the manifest, and prints the manifest', async () => {
    const out = await mkdtemp(join(tmpdir(), 'capsem-rootfs-out-'));
    try {
      const io = captureIO();
      expect(await run(['rootfs', '--arch', arch, '--out', out, '--json'], io)).toBe(0);
      const manifest = JSON.parse(io.out) as { squashfs: { sha256: string }; initramfs: { sha256: string } };
      expect(await sha256File(join(out, 'rootfs.squashfs'))).toBe(manifest.squashfs.sha256);
      expect(await sha256File(join(out, 'initramfs.cpio.gz'))).toBe(manifest.initramfs.sha256);
      expect(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'))).toEqual(manifest);
      expect(io.err).toMatch(/re-verified clean/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
