import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildKernel, configureKernel, releaseDigest } from '../../src/build/index.ts';
import { run } from '../../src/cli/main.ts';
import { ARCHS, DEFAULT_KERNEL, DEFAULT_TOOLCHAIN, KERNELS, TOOLCHAINS, type Arch } from '../../src/policy/index.ts';
import { captureIO } from '../helpers/io.ts';

// Real kernel source, real Kconfig, real make. Slow the first time (two ~8 min
// compiles); afterwards every build here is a cache hit under the real cache
// (~/.cache/capsem-kernel or $CAPSEM_CACHE_DIR), shared with the guest tests:
// same inputs, same cache key, same kernels.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capsem-e2e-build-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function cliIO() {
  const io = captureIO();
  io.env = process.env;
  io.cwd = dir;
  return io;
}

describe('build stops before compiling when a requested line does not survive', () => {
  it('names a misspelled symbol and a symbol whose dependency is off; exit 1; no finished artifact', async () => {
    // VIRTIO_BLKK: a typo of VIRTIO_BLK. E1000: an Intel NIC, behind NETDEVICES/ETHERNET which the policy keeps off.
    await writeFile(join(dir, 'bad.config'), 'CONFIG_VIRTIO_BLKK=y\nCONFIG_E1000=y\n');
    const io = cliIO();
    const out = join(dir, 'out-bad');
    const code = await run(['build', '--arch', 'x86_64', '--unsafe-extra-fragment', 'bad.config', '--out', out], io);
    expect(code).toBe(1);
    expect(io.err).toMatch(/CONFIG_VIRTIO_BLKK: requested y, final absent \(n\) \[extra .*bad\.config:1\]: unknown symbol.*did you mean VIRTIO_BLK\?/);
    expect(io.err).toMatch(/CONFIG_E1000: requested y, final absent \(n\) \[extra .*bad\.config:2\]: unmet dependency: .*false: /);
    expect(io.err).toMatch(/nothing compiled/);
    await expect(stat(join(out, 'manifest.json'))).rejects.toThrow();
  });
});

describe.each(ARCHS)(`the real policy, %s, Linux ${DEFAULT_KERNEL} (the default), gcc`, (arch: Arch) => {
  it('builds with zero casualties and a passing audit; a second build is a cache hit', async () => {
    const outDir = join(dir, `out-${arch}`);
    const m = await buildKernel({ arch, outDir });
    expect(m.survival.casualties).toBe(0);
    expect(m.survival.requested).toBeGreaterThan(50);
    expect(m.audit.fail).toBe(0);
    expect(m.unsafe).toBe(false);
    expect(m.image.format).toBe(arch === 'x86_64' ? 'bzImage' : 'Image');
    expect((await stat(m.image.path)).size).toBe(m.image.sizeBytes);
    expect(m.image.path).toBe(join(outDir, m.image.format));
    const saved = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8'));
    expect(saved.image.sha256).toBe(m.image.sha256);
    // The release names the final .config: anyone can recompute the digest from it.
    expect(m.releaseDigest.digest).toBe(releaseDigest(await readFile(m.files.config, 'utf8')));
    expect(m.kernelRelease).toBe(`${m.kernelRelease.split('-')[0]}-capsem-${m.releaseDigest.digest}`);
    expect(m.kernelVersion).toBe(DEFAULT_KERNEL);
    expect(m.kernelRelease).toMatch(/^\d+\.\d+\.\d+-capsem-[0-9a-f]{12}$/);

    const again = await buildKernel({ arch, outDir });
    expect(again.cached).toBe(true);
    expect(again.image.sha256).toBe(m.image.sha256);
    expect(again.cacheKey).toBe(m.cacheKey);
  });
});

// The other verified series at configure level (`npm run test:matrix` compiles and boots them).
const OTHER_KERNELS = KERNELS.filter((k) => k !== DEFAULT_KERNEL).flatMap((kernel) => ARCHS.map((arch) => [kernel, arch] as const));
// Concurrent, two at a time: each configure is one make process.
describe.concurrent.each(OTHER_KERNELS)('configure-only on Linux %s (%s)', (kernel, arch) => {
  it('the policy survives olddefconfig and the audit passes', async () => {
    const r = await configureKernel({ arch, kernel });
    expect(r.kernelRelease.startsWith(`${kernel}.`)).toBe(true);
    expect(r.kernelRelease).toMatch(/^\d+\.\d+\.\d+-capsem-[0-9a-f]{12}$/);
    expect(r.survival.casualties).toBe(0);
    expect(r.audit.fail).toBe(0);
  });
});

// The other toolchain at configure level on both arches (`npm run test:matrix` compiles and boots it).
const OTHER_TOOLCHAINS = TOOLCHAINS.filter((t) => t !== DEFAULT_TOOLCHAIN).flatMap((toolchain) => ARCHS.map((arch) => [toolchain, arch] as const));
describe.concurrent.each(OTHER_TOOLCHAINS)(`configure-only with %s on Linux ${DEFAULT_KERNEL} (%s)`, (toolchain, arch) => {
  it('the policy survives olddefconfig and the audit passes', async () => {
    const r = await configureKernel({ arch, toolchain });
    expect(r.survival.casualties).toBe(0);
    expect(r.audit.fail).toBe(0);
  });
});
