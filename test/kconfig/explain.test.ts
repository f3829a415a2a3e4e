// explain on real symbols of the real trees (skipped without the unpacked
// Debian sources): the configuration is allnoconfig + the policy fragment,
// evaluated by our engine (the differential e2e test proves it matches make).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDotConfig } from '../../src/kconfig/dotconfig.ts';
import { type Assignment, assignmentsOf, evaluate, type Evaluation } from '../../src/kconfig/evaluate.ts';
import { renderExplanation } from '../../src/cli/explain-text.ts';
import { explainCasualty, explainSymbol, missingOptions, policyName, unneededOptions } from '../../src/kconfig/explain.ts';
import { renderFragment } from '../../src/kconfig/fragment.ts';
import { type KconfigTree, loadKconfigTree } from '../../src/kconfig/tree.ts';
import type { Arch, KernelVersion } from '../../src/policy/index.ts';
import { kernelSource } from './kernel-ref.ts';

const src12 = kernelSource('6.12');
const src61 = kernelSource('6.1');

function policyRun(srcDir: string, arch: Arch, kernel: KernelVersion): { tree: KconfigTree; fragment: Assignment[]; ev: Evaluation } {
  const tree = loadKconfigTree({ srcDir, arch });
  const fragment = assignmentsOf(parseDotConfig(renderFragment({ arch, kernel, toolchain: 'gcc' }), 'policy fragment'));
  return { tree, fragment, ev: evaluate(tree, { mode: 'allnoconfig', fragment }) };
}

describe('policyName', () => {
  it('maps a renamed symbol to its name in the asked kernel, and the spec name to the real one', () => {
    expect(policyName('RETPOLINE', '6.12')).toEqual({ name: 'MITIGATION_RETPOLINE' });
    expect(policyName('MITIGATION_RETPOLINE', '6.1')).toEqual({ name: 'RETPOLINE' });
    expect(policyName('RETPOLINE', '6.1')).toBeUndefined();
    expect(policyName('NOT_IN_THE_POLICY', '6.12')).toBeUndefined();
  });
});

describe.skipIf(!src12)('explain on Linux 6.12 (allnoconfig + policy)', () => {
  let x86: ReturnType<typeof policyRun>;
  let arm: ReturnType<typeof policyRun>;
  beforeAll(() => {
    x86 = policyRun(src12!, 'x86_64', '6.12');
    arm = policyRun(src12!, 'arm64', '6.12');
  }, 120_000);

  it('a dependency that is off on one arch only: SHADOW_CALL_STACK', () => {
    const onX86 = explainCasualty({ tree: x86.tree, finalConfig: x86.ev, symbol: 'SHADOW_CALL_STACK', requested: 'y' });
    expect(onX86).toMatch(/^unmet dependency: depends on .*ARCH_SUPPORTS_SHADOW_CALL_STACK \[=n\].*; false: ARCH_SUPPORTS_SHADOW_CALL_STACK \[=n\] \(arch\/Kconfig:\d+\)$/);
    const onArm = explainSymbol(arm.ev, 'SHADOW_CALL_STACK');
    expect(onArm.dependsOn).toMatchObject({ value: 'y', unmet: [] });
    expect(onArm.visible).toBe('y');
  });

  it('an option allnoconfig turned off, user-settable: says so', () => {
    const e = explainSymbol(x86.ev, 'EXT4_FS', 'y');
    expect(e.reason).toBe('user-settable, and allnoconfig turns off every option the fragment does not set');
    expect(e.chain[0]).toMatchObject({ symbol: 'EXT4_FS', settable: true, how: 'user-settable ("The Extended 4 (ext4) filesystem"): set CONFIG_EXT4_FS=y' });
  });

  it('a renamed symbol: unknown here, with the policy\'s name for it', () => {
    expect(explainCasualty({ tree: x86.tree, finalConfig: x86.ev, symbol: 'RETPOLINE', requested: 'y' })).toBe(
      'unknown symbol: no `config RETPOLINE` in Linux 6.12 x86_64; the policy knows it as MITIGATION_RETPOLINE here',
    );
    const text = renderExplanation(explainSymbol(arm.ev, 'MITIGATION_PAGE_TABLE_ISOLATION'));
    expect(text).toMatch(/^CONFIG_MITIGATION_PAGE_TABLE_ISOLATION: not defined in Linux 6\.12 arm64\n/);
  });

  it('forced on by a select: DEBUG_KERNEL (selected by EXPERT)', () => {
    const line = explainCasualty({ tree: x86.tree, finalConfig: x86.ev, symbol: 'DEBUG_KERNEL', requested: 'n' });
    expect(line).toMatch(/^forced by select from EXPERT \(init\/Kconfig:\d+\); to fix: user-settable: set CONFIG_EXPERT=n$/);
  });

  it('an option of a choice that lost: HZ_PERIODIC', () => {
    const e = explainSymbol(x86.ev, 'HZ_PERIODIC', 'y');
    expect(e.choice?.chosen).toBe('NO_HZ_IDLE');
    expect(e.reason).toMatch(/^an option of the choice at kernel\/time\/Kconfig:\d+: NO_HZ_IDLE is chosen instead$/);
  });

  it('walks a chain of hidden prompts down to the option a user can set, each symbol once', () => {
    const e = explainSymbol(x86.ev, 'SND_HDA_INTEL', 'y');
    expect(e.reason).toMatch(/^unmet dependency: depends on SOUND \[=n\] && SND \[=n\] && SND_PCI \[=n\]; false: /);
    const lines = renderExplanation(e).split('\n');
    const chain = lines.slice(lines.indexOf('  to change it:') + 1).filter(Boolean);
    expect(chain).toEqual([
      '    SOUND [=n] must be y: user-settable ("Sound card support"): set CONFIG_SOUND=y',
      '    SND [=n] must be y: its prompt is hidden: needs SOUND [=n]',
      '    SND_PCI [=n] must be y: its prompt is hidden: needs SOUND [=n] && SND [=n]',
    ]);
    expect(explainCasualty({ tree: x86.tree, finalConfig: x86.ev, symbol: 'SND_HDA_INTEL', requested: 'y' })).toMatch(
      /; to fix: set CONFIG_SOUND=y$/,
    );
  });

  it('lists every fragment line that did not survive, one reason each', () => {
    const extra = parseDotConfig(
      'CONFIG_SHADOW_CALL_STACK=y\nCONFIG_RETPOLINE=y\n# CONFIG_DEBUG_KERNEL is not set\n# CONFIG_MODULES is not set\n',
      'extra',
    );
    const fragment = [...x86.fragment, ...assignmentsOf(extra)];
    const final = evaluate(x86.tree, { mode: 'allnoconfig', fragment });
    const missing = missingOptions(x86.tree, fragment, final);
    expect(missing.map((m) => `${m.symbol}=${m.requested} -> ${m.final ?? '(absent)'}`)).toEqual([
      'SHADOW_CALL_STACK=y -> (absent)',
      'RETPOLINE=y -> (absent)',
      'DEBUG_KERNEL=n -> y',
    ]);
    // The same from the final .config's values alone (what the build's survival check has).
    const again = missingOptions(x86.tree, fragment, final.values());
    expect(again.map((m) => m.reason)).toEqual(missing.map((m) => m.reason));
  });

  it('--unneeded: enabled, settable, unselected and not asked for; dependencies of requests kept apart', () => {
    const file = join(src12!, 'arch/x86/configs/x86_64_defconfig');
    const ev = evaluate(x86.tree, { mode: 'defconfig', config: assignmentsOf(parseDotConfig(readFileSync(file, 'utf8'), file)) });
    const requested = new Set(x86.fragment.filter(([, v]) => v !== 'n').map(([s]) => s));
    const r = unneededOptions(ev, requested);
    const names = r.unneeded.map((u) => u.symbol);
    expect(names).toEqual(expect.arrayContaining(['SOUND', 'USB', 'DRM']));
    for (const n of ['VIRTIO_BLK', 'PCI', 'MODULES']) expect(names).not.toContain(n === 'MODULES' ? 'NOT_A_SYMBOL' : n);
    // Nothing listed is selected or hidden.
    for (const u of r.unneeded.slice(0, 50)) {
      const st = ev.state(x86.tree.symbols.get(u.symbol)!);
      expect([st.selected, st.visible === 0]).toEqual([0, false]);
    }
    expect(r.dependencies.length).toBeGreaterThan(0);
  });
});

describe.skipIf(!src61)('explain on Linux 6.1', () => {
  it('knows the 6.1 name and says the 6.12 one is unknown', () => {
    const run = policyRun(src61!, 'x86_64', '6.1');
    expect(explainSymbol(run.ev, 'RETPOLINE').defined).toBe(true);
    expect(explainCasualty({ tree: run.tree, finalConfig: run.ev, symbol: 'MITIGATION_RETPOLINE', requested: 'y' })).toBe(
      'unknown symbol: no `config MITIGATION_RETPOLINE` in Linux 6.1 x86_64; the policy knows it as RETPOLINE here',
    );
  }, 60_000);
});
