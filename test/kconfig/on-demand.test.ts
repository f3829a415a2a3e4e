import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditConfig } from '../../src/audit/index.ts';
import { type DotConfig, parseDotConfig, readDotConfig } from '../../src/kconfig/dotconfig.ts';
import { type Assignment, assignmentsOf, evaluate, type Evaluation } from '../../src/kconfig/evaluate.ts';
import { explainSymbol } from '../../src/kconfig/explain.ts';
import { renderFragment } from '../../src/kconfig/fragment.ts';
import { type KconfigTree, loadKconfigFile, loadKconfigTree } from '../../src/kconfig/tree.ts';
import { type Arch, KERNELS, type KernelVersion, resolveRule, RULES, type Target } from '../../src/policy/index.ts';
import { kernelSource } from '../helpers/kernel-source.ts';

// The audit evaluates on demand: only its rules' symbols and what their values
// depend on (dependencies, selects, implies, defaults' conditions, choices), not
// every symbol as conf does. Here that cone gives exactly the full evaluation's
// values and explanations, on real configs for every verified kernel and arch,
// and on the one case where conf's order matters (6.1's out-of-range reset).

const FIXTURES = join(import.meta.dirname, '../fixtures/real-configs');
const DEBIAN = '/usr/src/linux-config-6.12';
const ARCHS: Arch[] = ['x86_64', 'arm64'];

/** Real configs per tree: Debian's (6.12 amd64), the microVM projects' fixtures on the nearest tree (test/fixtures/real-configs). */
function realConfigs(series: KernelVersion, arch: Arch): string[] {
  const files: string[] = [];
  if (series === '6.12' && arch === 'x86_64') {
    for (const f of ['config.amd64_none_amd64.xz', 'config.amd64_none_cloud-amd64.xz', 'config.amd64_rt_amd64.xz']) files.push(join(DEBIAN, f));
  }
  const fixtures: Record<string, [KernelVersion, Arch][]> = {
    'firecracker-microvm-kernel-ci-x86_64-5.10.config': [['6.1', 'x86_64']],
    'firecracker-microvm-kernel-ci-x86_64-6.1.config': [['6.1', 'x86_64']],
    'firecracker-microvm-kernel-ci-aarch64-6.1.config': [['6.1', 'arm64']],
    // 6.6: between the two verified trees, on both.
    libkrunfw_config_x86_64: [['6.1', 'x86_64'], ['6.12', 'x86_64']],
  };
  for (const [name, on] of Object.entries(fixtures)) {
    if (on.some(([s, a]) => s === series && a === arch)) files.push(join(FIXTURES, name.replace('libkrunfw_config_x86_64', 'libkrunfw-config_x86_64')));
  }
  return files;
}

/** The arch's defconfig and the policy's fragment, read as a .config (olddefconfig): inputs every tree has. */
function treeInputs(tree: KconfigTree, arch: Arch, series: KernelVersion): { name: string; config: DotConfig }[] {
  const defconfig = join(tree.srcDir, arch === 'x86_64' ? 'arch/x86/configs/x86_64_defconfig' : 'arch/arm64/configs/defconfig');
  return [
    { name: defconfig, config: parseDotConfig(readFileSync(defconfig, 'utf8'), defconfig) },
    { name: 'policy fragment', config: parseDotConfig(renderFragment({ arch, kernel: series, toolchain: 'gcc' }), 'policy fragment') },
  ];
}

/** The symbols the audit asks for on this target. */
function ruleSymbols(target: Target): string[] {
  return RULES.filter((r) => r.kind === 'kconfig')
    .map((r) => resolveRule(r, target))
    .filter((r) => r.status !== 'not-applicable')
    .map((r) => r.symbol!);
}

/** Where the on-demand evaluation differs from the full one: read report, the audit's symbols (value, explanation), then every symbol asked for in reverse menu order. */
function differences(tree: KconfigTree, config: DotConfig, target: Target, full: Evaluation = evaluate(tree, { mode: 'olddefconfig', config: assignmentsOf(config) })): string[] {
  const start = { mode: 'olddefconfig', config: assignmentsOf(config) } as const;
  const out: string[] = [];
  const cone = evaluate(tree, start, { onDemand: true });
  if (JSON.stringify(cone.read) !== JSON.stringify(full.read)) out.push(`read: ${JSON.stringify(cone.read)} vs ${JSON.stringify(full.read)}`);
  // The audit's own questions, on an evaluation that was asked nothing else.
  const audit = (ev: Evaluation) => auditConfig({ config, target, evaluation: ev, kbuildReason: (s) => explainSymbol(ev, s).reason }).results;
  const a = audit(cone);
  const b = audit(full);
  a.forEach((r, i) => {
    if (JSON.stringify(r) !== JSON.stringify(b[i])) out.push(`audit ${r.rule}: ${JSON.stringify(r)} vs ${JSON.stringify(b[i])}`);
  });
  for (const s of ruleSymbols(target)) {
    const [x, y] = [explainSymbol(cone, s), explainSymbol(full, s)];
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push(`explain ${s}: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
  }
  // Any order of questions: every symbol, last menu entry first.
  const backwards = evaluate(tree, start, { onDemand: true });
  const written = full.values();
  for (const m of [...tree.entries].reverse()) {
    const name = m.sym?.name;
    if (name !== undefined && backwards.valueOf(name) !== written.get(name)) out.push(`${name}: ${backwards.valueOf(name)} on demand, ${written.get(name)} in full`);
  }
  return out;
}

describe.each(KERNELS.flatMap((series) => ARCHS.map((arch) => [series, arch] as const)))('Linux %s %s', (series, arch) => {
  // Long synchronous steps: between them the worker answers vitest (under load its RPC times out otherwise).
  const breathe = () => new Promise((resolve) => setImmediate(resolve));
  it('on demand, every real config and input evaluates and audits as the full evaluation does', { timeout: 300_000 }, async () => {
    const srcDir = kernelSource(series);
    expect(srcDir, `Linux ${series} tree not unpacked (the global test set-up does it)`).toBeDefined();
    const files = realConfigs(series, arch);
    for (const f of files) expect(existsSync(f), `${f} missing (Debian's configs: apt-get install linux-config-6.12)`).toBe(true);
    const tree = loadKconfigTree({ srcDir: srcDir!, arch });
    const target: Target = { arch, kernel: series, toolchain: 'gcc' };
    const inputs = [...files.map((f) => ({ name: f, config: readDotConfig(f, { lenient: true }) })), ...treeInputs(tree, arch, series)];
    for (const { name, config } of inputs) {
      await breathe();
      expect(differences(tree, config, target), name).toEqual([]);
    }
  });
});

describe('the comparison and the one order conf imposes', () => {
  // 6.1 olddefconfig: N's input is out of range, so its first pass is clamped (10) and BIG
  // is y from it; conf then resets N to its default (5) and recomputes N only: BIG stays y.
  const KCONFIG = 'config N\n\tint "n"\n\trange 1 10\n\tdefault 5\nconfig BIG\n\tbool "big"\n\tdefault y if N = 10\n';
  const withTree = async (legacy: boolean, f: (tree: KconfigTree) => void) => {
    const dir = await mkdtemp(join(tmpdir(), 'capsem-on-demand-'));
    try {
      await writeFile(join(dir, 'Kconfig'), KCONFIG);
      f(loadKconfigFile({ dir, legacy }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  const input: Assignment[] = [['N', '20']];
  const target: Target = { arch: 'x86_64', kernel: '6.1', toolchain: 'gcc' };
  const config = parseDotConfig('CONFIG_N=20\n', 'out-of-range.config');

  it('6.1: a value out of range keeps the first pass\'s consequences, on demand too', async () => {
    await withTree(true, (tree) => {
      const full = evaluate(tree, { mode: 'olddefconfig', config: input });
      expect([full.valueOf('N'), full.valueOf('BIG')]).toEqual(['5', 'y']);
      const cone = evaluate(tree, { mode: 'olddefconfig', config: input }, { onDemand: true });
      expect([cone.valueOf('BIG'), cone.valueOf('N')]).toEqual(['y', '5']);
      expect(differences(tree, config, target, full)).toEqual([]);
    });
  });

  it('6.11+: no second pass (the input is clamped, BIG follows it)', async () => {
    await withTree(false, (tree) => {
      const cone = evaluate(tree, { mode: 'olddefconfig', config: input }, { onDemand: true });
      expect([cone.valueOf('BIG'), cone.valueOf('N')]).toEqual(['y', '10']);
      expect(differences(tree, config, { ...target, kernel: '6.12' })).toEqual([]);
    });
  });

  it('finds a difference where there is one (another evaluation as the "full" one)', async () => {
    await withTree(true, (tree) => {
      const other = evaluate(tree, { mode: 'olddefconfig', config: [] });
      expect(differences(tree, config, target, other)).toEqual(['BIG: y on demand, n in full']);
    });
  });
});
