// The policy survives the kernel's own Kconfig: for each arch x kernel series,
// the generated fragment applied to allnoconfig (configure only, no compile,
// out of tree in a temp dir) keeps every requested line. A casualty means a
// rule whose dependencies the policy does not satisfy. (The build stage runs
// the same check on every real build.)

import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configValue, parseDotConfig } from '../../src/kconfig/dotconfig.ts';
import { renderFragment, requestedOptions } from '../../src/kconfig/fragment.ts';
import { kbuildTarget } from '../../src/kconfig/kbuild.ts';
import { ARCHS, KERNELS, TOOLCHAINS, type Arch, type KernelVersion, type Toolchain } from '../../src/policy/index.ts';
import { NO_TREE_HINT, kernelTree } from '../policy/kernel-trees.ts';

// Kconfig probes the compiler (CC_IS_CLANG, GCC_PLUGINS, CFI_CLANG, ...): each toolchain its own make variables.
const hasCompiler = (arch: Arch, tc: Toolchain) => spawnSync(kbuildTarget(arch, tc).cc, ['--version'], { stdio: 'ignore' }).status === 0;

// Asynchronous: a synchronous make blocks the test worker, and under load its RPC to vitest times out.
const run = promisify(execFile);

/** Applies `fragment` to allnoconfig in a temp dir; returns the requested options that did not survive. */
async function casualties(tree: string, target: { arch: Arch; kernel: KernelVersion; toolchain: Toolchain }, fragmentText: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), `policy-survives-${target.arch}-${target.kernel}-`));
  try {
    const fragment = join(dir, 'policy.fragment');
    writeFileSync(fragment, fragmentText);
    await run('make', ['-s', '-C', tree, `O=${join(dir, 'o')}`, ...kbuildTarget(target.arch, target.toolchain).makeVars, `KCONFIG_ALLCONFIG=${fragment}`, 'allnoconfig'], {
      maxBuffer: 64 << 20,
    });
    const config = parseDotConfig(readFileSync(join(dir, 'o', '.config'), 'utf8'), `${target.arch} ${target.kernel} .config`);
    return requestedOptions(target)
      .filter((o) => configValue(config, o.symbol) !== o.value)
      .map((o) => `${o.symbol}=${o.value} became ${configValue(config, o.symbol)} (${o.origin.kind} ${o.origin.id})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Concurrent (two at a time): each case is one make process (the host build of conf, then conf itself).
describe.concurrent.each(KERNELS)('Linux %s', (kernel) => {
  const tree = kernelTree(kernel);
  describe.concurrent.each(ARCHS.flatMap((arch) => TOOLCHAINS.map((toolchain) => [arch, toolchain] as const)))('%s %s', (arch, toolchain) => {
    // scripts/setup.mjs installs both toolchains: a missing one fails with its name, it does not skip.
    it('every requested option survives allnoconfig', async () => {
      expect(tree, NO_TREE_HINT).toBeDefined();
      expect(hasCompiler(arch, toolchain), `${kbuildTarget(arch, toolchain).cc} not installed: run \`npm run setup\``).toBe(true);
      const target = { arch, kernel, toolchain };
      expect(await casualties(tree!, target, renderFragment(target))).toEqual([]);
    });
  });
});

// The check can fail: without EXPERT, KALLSYMS and IO_URING have no prompt and stay y.
describe('a fragment missing a prerequisite', () => {
  const tree = kernelTree('6.12');
  it('loses the options that depend on it', async () => {
    expect(tree, NO_TREE_HINT).toBeDefined();
    const fragment = renderFragment({ arch: 'x86_64', kernel: '6.12', toolchain: 'gcc' }).replace(/^CONFIG_EXPERT=y$/m, '');
    const lost = await casualties(tree!, { arch: 'x86_64', kernel: '6.12', toolchain: 'gcc' }, fragment);
    expect(lost).toEqual(expect.arrayContaining([expect.stringMatching(/^KALLSYMS=n became y/), expect.stringMatching(/^IO_URING=n became y/)]));
  });
});
