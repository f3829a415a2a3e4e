// Differential test: for both arches and every verified kernel series, our
// evaluator's value for EVERY symbol equals the value in the .config the
// kernel's own kconfig wrote (configure-only `make`, cached under kconfig-ref/).
// Starts: allnoconfig + the policy fragment, plain allnoconfig, the arch's
// defconfig, tinyconfig, and olddefconfig of 6.12's policy fragment (old names:
// on 7.3 they reach the renamed options through transitional symbols).

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDotConfig } from '../../src/kconfig/dotconfig.ts';
import { type Assignment, assignmentsOf, evaluate, type Evaluation } from '../../src/kconfig/evaluate.ts';
import { renderFragment } from '../../src/kconfig/fragment.ts';
import { kbuildTarget } from '../../src/kconfig/kbuild.ts';
import { envFromConfiguredTree, kconfigEnv } from '../../src/kconfig/toolchain.ts';
import { type KconfigTree, loadKconfigTree } from '../../src/kconfig/tree.ts';
import { type Arch, KERNELS, type KernelVersion } from '../../src/policy/index.ts';
import { canConfigure, kernelConfigure, kernelSource } from '../kconfig/kernel-ref.ts';

const SERIES: readonly KernelVersion[] = KERNELS;
const ARCHS: Arch[] = ['x86_64', 'arm64'];
const STARTS = ['policy', 'allnoconfig', 'defconfig', 'tinyconfig', 'old-names'] as const;
type StartName = (typeof STARTS)[number];

interface Outcome {
  compared: number;
  written: number;
  mismatches: string[];
}
const report: string[] = [];

function read(text: string, file: string): Assignment[] {
  return assignmentsOf(parseDotConfig(text, file));
}

/** merge_config.sh -m: a fragment line deletes every earlier line naming that symbol, then the fragment is appended. */
function mergeFragments(base: Assignment[], fragments: Assignment[][]): Assignment[] {
  let merged = base;
  for (const frag of fragments) {
    for (const [name] of frag) {
      const pattern = new RegExp(`CONFIG_${name}[ =]`);
      merged = merged.filter(([n, v]) => !pattern.test(v === 'n' ? `# CONFIG_${n} is not set` : `CONFIG_${n}=${v}`));
    }
    merged = [...merged, ...frag];
  }
  return merged;
}

function defconfigFile(srcDir: string, arch: Arch): { target: string; file: string } {
  return arch === 'x86_64'
    ? { target: 'x86_64_defconfig', file: join(srcDir, 'arch/x86/configs/x86_64_defconfig') }
    : { target: 'defconfig', file: join(srcDir, 'arch/arm64/configs/defconfig') };
}

/** The kernel's result and ours for one start. */
async function runStart(srcDir: string, arch: Arch, series: KernelVersion, start: StartName, trees: Map<string, KconfigTree>) {
  let refDir: string;
  let ours: (tree: KconfigTree) => Evaluation;
  switch (start) {
    case 'policy': {
      const fragment = renderFragment({ arch, kernel: series, toolchain: 'gcc' });
      refDir = (await kernelConfigure({ srcDir, arch, targets: ['allnoconfig'], allconfig: fragment })).dir;
      ours = (tree) => evaluate(tree, { mode: 'allnoconfig', fragment: read(fragment, 'policy fragment') });
      break;
    }
    case 'old-names': {
      const input = renderFragment({ arch, kernel: '6.12', toolchain: 'gcc' });
      refDir = (await kernelConfigure({ srcDir, arch, targets: ['olddefconfig'], input })).dir;
      ours = (tree) => evaluate(tree, { mode: 'olddefconfig', config: read(input, '6.12 policy fragment') });
      break;
    }
    case 'allnoconfig':
      refDir = (await kernelConfigure({ srcDir, arch, targets: ['allnoconfig'] })).dir;
      ours = (tree) => evaluate(tree, { mode: 'allnoconfig' });
      break;
    case 'defconfig': {
      const { target, file } = defconfigFile(srcDir, arch);
      refDir = (await kernelConfigure({ srcDir, arch, targets: [target] })).dir;
      ours = (tree) => evaluate(tree, { mode: 'defconfig', config: read(readFileSync(file, 'utf8'), file) });
      break;
    }
    case 'tinyconfig': {
      refDir = (await kernelConfigure({ srcDir, arch, targets: ['tinyconfig'] })).dir;
      ours = (tree) => {
        const fragFile = (p: string) => join(srcDir, p);
        const base = evaluate(tree, {
          mode: 'allnoconfig',
          fragment: read(readFileSync(fragFile('kernel/configs/tiny-base.config'), 'utf8'), 'tiny-base.config'),
        });
        const fragments = ['kernel/configs/tiny.config', `arch/${tree.env.SRCARCH}/configs/tiny.config`]
          .filter((p) => existsSync(fragFile(p)))
          .map((p) => read(readFileSync(fragFile(p), 'utf8'), p));
        return evaluate(tree, { mode: 'olddefconfig', config: mergeFragments([...base.values()], fragments) });
      };
      break;
    }
  }
  const key = `${series}-${arch}`;
  let tree = trees.get(key);
  if (!tree) {
    tree = loadKconfigTree({ srcDir, arch, toolchainConfig: refDir });
    trees.set(key, tree);
  }
  const theirs = new Map(read(readFileSync(join(refDir, '.config'), 'utf8'), `${refDir}/.config`));
  return compare(ours(tree), theirs);
}

/** Every symbol with a definition and a type: same presence in .config, same value. */
function compare(ev: Evaluation, theirs: Map<string, string>): Outcome {
  const ours = ev.values();
  const mismatches: string[] = [];
  let compared = 0;
  for (const [name, sym] of ev.tree.symbols) {
    if (!sym.menus.length || sym.type === 'unknown') continue;
    compared++;
    const a = ours.get(name);
    const b = theirs.get(name);
    if (a !== b) mismatches.push(`${name}: ours ${a ?? '(absent)'}, kernel ${b ?? '(absent)'}`);
  }
  for (const name of theirs.keys()) {
    if (!ev.tree.symbols.get(name)?.menus.length) mismatches.push(`${name}: kernel wrote a symbol we do not define`);
  }
  return { compared, written: theirs.size, mismatches };
}

for (const series of SERIES) {
  const srcDir = kernelSource(series);
  describe.skipIf(!srcDir)(`kconfig differential, Linux ${series}`, () => {
    const trees = new Map<string, KconfigTree>();
    for (const arch of ARCHS) {
      it.skipIf(!canConfigure(arch))(`${arch}: the derived toolchain environment is the one make hands to Kconfig`, async () => {
        const ref = await kernelConfigure({ srcDir: srcDir!, arch, targets: ['allnoconfig'] });
        const recorded = envFromConfiguredTree(ref.dir);
        const derived = kconfigEnv(srcDir!, kbuildTarget(arch, 'gcc'));
        expect(Object.fromEntries(Object.keys(recorded).map((k) => [k, derived[k]]))).toEqual(recorded);
      });
      for (const start of STARTS) {
        it.skipIf(!canConfigure(arch))(`${arch} ${start}: every symbol agrees with the kernel's conf`, async () => {
          const r = await runStart(srcDir!, arch, series, start, trees);
          report.push(
            `${series} ${arch} ${start}: compared ${r.compared} symbols (${r.written} in .config), ${r.mismatches.length} mismatches`,
          );
          expect(r.mismatches.slice(0, 30)).toEqual([]);
        });
      }
    }
  });
}

// clang: the probes answer differently (CC_IS_CLANG, CFI, ...); the environment comes from make.
// scripts/setup.mjs installs clang-19: without it these fail (naming it), they do not skip.
const hasClang = spawnSync('clang-19', ['--version'], { stdio: 'ignore' }).status === 0;
for (const series of ['6.12', '7.3'] as const) {
  const clangSrc = kernelSource(series);
  describe(`kconfig differential, Linux ${series} with clang`, () => {
    it('clang-19 and the tree are there (scripts/setup.mjs installs clang-19; the global set-up unpacks the tree)', () => {
      expect(hasClang, 'clang-19 not found: run `npm run setup` (apt-get install clang-19 lld-19 llvm-19)').toBe(true);
      expect(clangSrc, `Linux ${series} tree not unpacked`).toBeDefined();
    });
    it('x86_64 policy (clang fragment): every symbol agrees with the kernel\'s conf', async () => {
      const fragment = renderFragment({ arch: 'x86_64', kernel: series, toolchain: 'clang' });
      const ref = await kernelConfigure({ srcDir: clangSrc!, arch: 'x86_64', targets: ['allnoconfig'], allconfig: fragment, toolchain: 'clang' });
      const tree = loadKconfigTree({ srcDir: clangSrc!, arch: 'x86_64', toolchainConfig: ref.dir });
      const ours = evaluate(tree, { mode: 'allnoconfig', fragment: read(fragment, 'clang fragment') });
      const r = compare(ours, new Map(read(readFileSync(join(ref.dir, '.config'), 'utf8'), 'clang .config')));
      report.push(`${series} x86_64 policy (clang): compared ${r.compared} symbols (${r.written} in .config), ${r.mismatches.length} mismatches`);
      expect(tree.env.CC).toBe('clang-19');
      expect(r.mismatches.slice(0, 30)).toEqual([]);
    });
  });
}

afterAll(() => {
  if (report.length) console.log(['kconfig differential:', ...report.map((l) => `  ${l}`)].join('\n'));
});
