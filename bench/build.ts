// Build figures as JSON: clean build (from the cached policy build's manifest),
// no-op rebuild (a cache hit, timed here), and a rebuild after flipping five
// options with a warm ccache (from the cache, or built with --flip).
//
//   npx vite-node bench/build.ts [--arch x86_64|arm64] [--flip]
//
// Never runs a clean compile itself: build first (`capsem-kernel build --arch A`).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildKernel, findCachedKernel, type Manifest } from '../src/build/index.ts';
import { readDotConfig } from '../src/kconfig/dotconfig.ts';
import { isArch, type Arch } from '../src/policy/index.ts';

const { values } = parseArgs({ options: { arch: { type: 'string', default: 'x86_64' }, flip: { type: 'boolean', default: false } } });
if (!isArch(values.arch!)) throw new Error('--arch must be x86_64 or arm64');
const arch: Arch = values.arch;

// Five options the policy leaves alone, each touching a few files: the kind of tweak a variant makes.
const FLIP = ['CONFIG_PRINTK_TIME=y', 'CONFIG_LOG_BUF_SHIFT=16', 'CONFIG_CRC32_BIT=y', 'CONFIG_RD_BZIP2=y', 'CONFIG_PRINTK_CALLER=y'];

function figures(m: Manifest) {
  return {
    seconds: m.buildSeconds,
    incremental: m.incremental,
    objectsCompiled: m.objectsCompiled,
    imageBytes: m.image.sizeBytes,
    imageMiB: Math.round((m.image.sizeBytes / 1048576) * 100) / 100,
    enabledOptions: m.enabledOptions,
    ccache: m.ccache ?? null,
    kernelRelease: m.kernelRelease,
    toolchain: `${m.toolchain.name} ${m.toolchain.version}`,
  };
}

function debianCloud() {
  try {
    const c = readDotConfig('/usr/src/linux-config-6.12/config.amd64_none_cloud-amd64.xz');
    const vals = [...c.values.values()];
    return { y: vals.filter((v) => v === 'y').length, m: vals.filter((v) => v === 'm').length };
  } catch {
    return null;
  }
}

const dir = await mkdtemp(join(tmpdir(), 'capsem-bench-build-'));
try {
  const clean = await findCachedKernel({ arch });
  let noop: { seconds: number; cached: boolean } | null = null;
  if (clean) {
    const t = performance.now();
    const m = await buildKernel({ arch, outDir: join(dir, 'noop') });
    noop = { seconds: Math.round(performance.now() - t) / 1000, cached: m.cached };
  }
  const flipFile = join(dir, 'flip.config');
  await writeFile(flipFile, FLIP.join('\n') + '\n');
  const flipOpts = { arch, extraFragment: flipFile } as const;
  let flip = await findCachedKernel(flipOpts);
  if (!flip && values.flip) flip = await buildKernel({ ...flipOpts, outDir: join(dir, 'flip') });
  console.log(
    JSON.stringify(
      {
        bench: 'build',
        dimensions: { arch, kernel: clean?.kernelVersion ?? '6.12', toolchain: clean?.toolchain.name ?? 'gcc', cores: (await import('node:os')).availableParallelism() },
        clean: clean ? figures(clean) : { skipped: `no cached build: run capsem-kernel build --arch ${arch}` },
        noop: noop ?? { skipped: 'needs the clean build' },
        flip5: flip ? { options: FLIP, ...figures(flip) } : { options: FLIP, skipped: 'run with --flip (one ccache-warm compile)' },
        debianCloudConfig: arch === 'x86_64' ? debianCloud() : undefined,
      },
      null,
      2,
    ),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
