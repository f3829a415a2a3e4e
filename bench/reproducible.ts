// Reproducibility: build the same inputs twice from scratch and compare image
// sha256. Each build gets its own fresh build cache (a different O= path, so
// path leaks show up) and ccache is disabled (a cache hit would copy objects
// and prove nothing). The unpacked sources are shared read-only.
// Slow (two clean compiles); not part of any test suite.
//
//   npx vite-node bench/reproducible.ts [--arch x86_64|arm64] [--against-cache]
//
// --against-cache: one fresh build compared with the main cache's build of the
// same inputs (one compile instead of two).
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildKernel, findCachedKernel, type Manifest } from '../src/build/index.ts';
import { isArch, type Arch } from '../src/policy/index.ts';
import { cacheRoot } from '../src/util/paths.ts';

const { values } = parseArgs({ options: { arch: { type: 'string', default: 'x86_64' }, 'against-cache': { type: 'boolean', default: false } } });
if (!isArch(values.arch!)) throw new Error('--arch must be x86_64 or arm64');
const arch: Arch = values.arch;

const work = await mkdtemp(join(tmpdir(), 'capsem-repro-'));
async function freshBuild(name: string): Promise<Manifest> {
  const root = join(work, name);
  await mkdir(root, { recursive: true });
  await symlink(join(cacheRoot(), 'sources'), join(root, 'sources'));
  const env = { ...process.env, CAPSEM_CACHE_DIR: root, CCACHE_DISABLE: '1' };
  process.stderr.write(`reproducible: clean build ${name} in ${root}\n`);
  return buildKernel({ arch, env, outDir: join(root, 'out'), useCcache: false });
}

try {
  const a = values['against-cache'] ? await findCachedKernel({ arch }) : await freshBuild('a');
  if (!a) throw new Error(`no cached build for ${arch}: build it first or drop --against-cache`);
  const b = await freshBuild('b');
  console.log(
    JSON.stringify(
      {
        bench: 'reproducible',
        dimensions: { arch, kernel: b.kernelVersion, toolchain: `${b.toolchain.name} ${b.toolchain.version}` },
        identical: a.image.sha256 === b.image.sha256,
        a: { sha256: a.image.sha256, bytes: a.image.sizeBytes, cacheDir: a.cacheDir, seconds: a.buildSeconds },
        b: { sha256: b.image.sha256, bytes: b.image.sizeBytes, cacheDir: b.cacheDir, seconds: b.buildSeconds },
        sameConfig: a.configSha256 === b.configSha256,
        timestamp: b.reproducible.timestamp,
      },
      null,
      2,
    ),
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
