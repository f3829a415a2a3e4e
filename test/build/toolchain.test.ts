import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyInputs } from '../../src/build/key.ts';
import { randstructSeed } from '../../src/build/toolchain.ts';
import { kbuildTarget } from '../../src/kconfig/kbuild.ts';
import { evaluate } from '../../src/kconfig/evaluate.ts';
import { kconfigEnv } from '../../src/kconfig/toolchain.ts';
import { loadKconfigTree } from '../../src/kconfig/tree.ts';
import { kernelSource } from '../helpers/kernel-source.ts';

// The randstruct seed: one secret per machine (or team), the same on every build, never the kernel's per-build draw.
const home = mkdtempSync(join(tmpdir(), 'capsem-seed-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('randstruct seed', () => {
  it('is drawn once into the config dir (0600) and the same on every later call', () => {
    const env = { XDG_CONFIG_HOME: home };
    const a = randstructSeed(env);
    const b = randstructSeed(env);
    expect(b).toEqual(a);
    const file = join(home, 'capsem-kernel', 'randstruct.seed');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect(a.makeVars).toContain(`KCFLAGS=-DCAPSEM_RANDSTRUCT_SEED_ID=${a.id}`);
  });

  it('CAPSEM_RANDSTRUCT_SEED wins, and the make script writes it in the kernel\'s format', () => {
    const seed = 'ab'.repeat(32);
    const s = randstructSeed({ XDG_CONFIG_HOME: home, CAPSEM_RANDSTRUCT_SEED: seed.toUpperCase() });
    const script = s.makeVars.find((v) => v.startsWith('gen-randstruct-seed='))!.split('=')[1]!;
    const out = mkdtempSync(join(home, 'out-'));
    execFileSync('sh', [script, join(out, 'randstruct.seed'), join(out, 'hash.h')]);
    expect(readFileSync(join(out, 'randstruct.seed'), 'utf8')).toBe(`${seed}\n`);
    expect(readFileSync(join(out, 'hash.h'), 'utf8')).toMatch(/^#define RANDSTRUCT_HASHED_SEED "[0-9a-f]{64}"\n$/);
    expect(s.id).not.toBe(randstructSeed({ XDG_CONFIG_HOME: home }).id);
  });

  it('a malformed CAPSEM_RANDSTRUCT_SEED is bad input, one line', () => {
    expect(() => randstructSeed({ XDG_CONFIG_HOME: home, CAPSEM_RANDSTRUCT_SEED: 'xyz' })).toThrow(
      /^CAPSEM_RANDSTRUCT_SEED: must be 64 hex digits$/,
    );
  });
});

// src/kconfig/kbuild.ts: the one answer to "which make variables, compiler, image" per arch x toolchain.
const TARGETS = [
  { arch: 'x86_64', toolchain: 'gcc', makeVars: ['ARCH=x86_64'], cc: 'gcc', ld: 'ld', image: 'arch/x86/boot/bzImage', packages: ['gcc', 'binutils'] },
  {
    arch: 'arm64', toolchain: 'gcc',
    makeVars: ['ARCH=arm64', 'CROSS_COMPILE=aarch64-linux-gnu-'], cc: 'aarch64-linux-gnu-gcc', ld: 'aarch64-linux-gnu-ld',
    image: 'arch/arm64/boot/Image', packages: ['gcc-aarch64-linux-gnu'],
  },
  {
    arch: 'x86_64', toolchain: 'clang', makeVars: ['ARCH=x86_64', 'LLVM=-19'], cc: 'clang-19', ld: 'ld.lld-19',
    image: 'arch/x86/boot/bzImage', packages: ['clang-19', 'lld-19', 'llvm-19'],
  },
  {
    arch: 'arm64', toolchain: 'clang', makeVars: ['ARCH=arm64', 'LLVM=-19'], cc: 'clang-19', ld: 'ld.lld-19',
    image: 'arch/arm64/boot/Image', packages: ['clang-19', 'lld-19', 'llvm-19'],
  },
] as const;

describe.each(TARGETS)('kbuild target $arch $toolchain', (want) => {
  const t = kbuildTarget(want.arch, want.toolchain, 'x64');
  it('make variables, compiler, linker, packages and image', () => {
    expect(t.makeVars).toEqual(want.makeVars);
    expect([t.cc, t.ld]).toEqual([want.cc, want.ld]);
    expect(t.packages).toEqual(want.packages);
    expect(t.image.path).toBe(want.image);
    expect(t.image.path.endsWith(`/${t.image.format}`)).toBe(true);
  });

  // The Kconfig engine must see this toolchain's compiler probes, not gcc's (a clang configure's casualties
  // were explained with gcc's). scripts/setup.mjs installs both toolchains; the global set-up unpacks 6.12.
  it('the Kconfig engine sees its compiler', () => {
    const src = kernelSource('6.12');
    expect(src, 'Linux 6.12 tree not unpacked (test/setup/kernel-trees.ts)').toBeDefined();
    const env = kconfigEnv(src!, kbuildTarget(want.arch, want.toolchain));
    const banner = execFileSync(want.cc, ['--version'], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }).split('\n')[0]!;
    expect(env.CC).toBe(want.cc);
    expect(env.CC_VERSION_TEXT).toBe(banner.replace(/#/g, ''));
    expect(env.ARCH).toBe(want.arch);
  }, 180_000);
});

// What the build's survival check explains casualties with (src/build/configure.ts loads the tree with the
// build's toolchain): under clang the compiler probes say clang.
describe('the Kconfig tree of a toolchain', () => {
  it.each(['gcc', 'clang'] as const)('%s: CC_IS_CLANG and CC_IS_GCC answer for that compiler', (toolchain) => {
    const src = kernelSource('6.12');
    expect(src, 'Linux 6.12 tree not unpacked (test/setup/kernel-trees.ts)').toBeDefined();
    const ev = evaluate(loadKconfigTree({ srcDir: src!, arch: 'x86_64', toolchain }), { mode: 'allnoconfig', fragment: [] });
    const value = (s: string) => ev.values().get(s) ?? 'n';
    expect([value('CC_IS_CLANG'), value('CC_IS_GCC')]).toEqual(toolchain === 'clang' ? ['y', 'n'] : ['n', 'y']);
  }, 180_000);
});

describe('kbuild target on the host it builds for', () => {
  it('gcc does not cross-compile natively, and names the cross package the other way round', () => {
    expect(kbuildTarget('arm64', 'gcc', 'arm64')).toMatchObject({ crossCompile: '', cc: 'gcc', makeVars: ['ARCH=arm64'] });
    expect(kbuildTarget('x86_64', 'gcc', 'arm64')).toMatchObject({
      cc: 'x86_64-linux-gnu-gcc',
      packages: ['gcc-x86-64-linux-gnu'],
      makeVars: ['ARCH=x86_64', 'CROSS_COMPILE=x86_64-linux-gnu-'],
    });
  });
});

// The build cache key of the default target (x86_64, 6.12, gcc) must not move when the code that assembles it
// is reorganised: every kernel would recompile. These are the inputs of the real cache entry
// 0412557e... (its fragment.config, source sha256, source date and toolchain banner, from its manifest.json).
describe('build cache key', () => {
  it('of the default target is the one its cache entry was built under', () => {
    const fragment = readFileSync(join(import.meta.dirname, '../fixtures/build-key/x86_64-6.12-gcc.fragment'), 'utf8');
    const { key, reproducible } = keyInputs({
      target: { arch: 'x86_64', kernel: '6.12', toolchain: 'gcc' },
      sourceSha256: '585a4a074597aefa2b1a68ada83a3184ba351c127544dea80618bbcceaa3961f',
      sourceDate: new Date('2026-11-14T12:56:01Z'),
      toolchainBanner: 'gcc (Debian 12.2.0-14+deb12u1) 12.2.0; GNU ld (GNU Binutils for Debian) 2.40; randstruct seed a84600a7d074a5e0',
      fragment,
    });
    expect(reproducible.timestamp).toBe('Sat Nov 14 12:56:01 UTC 2026');
    expect(key).toBe('0412557e7f2c506d4aaf50f43f52dc162ff844ff714c4cb7ae3b2f7920aede49');
  });
});
