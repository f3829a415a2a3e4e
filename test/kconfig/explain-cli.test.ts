// `capsem-kernel explain` through run(argv): exit codes, one-line errors, the
// three modes. Tests needing a kernel tree pass --source and skip without one.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { captureIO } from '../helpers/io.ts';
import { kernelVersionOf } from '../../src/kconfig/toolchain.ts';
import { kernelSource } from './kernel-ref.ts';

const scratch = mkdtempSync(join(tmpdir(), 'capsem-explain-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(scratch, name);
  writeFileSync(p, text);
  return p;
}

async function explain(...argv: string[]) {
  const io = captureIO();
  const code = await run(['explain', ...argv], io);
  return { code, out: io.out, err: io.err };
}

describe('explain: usage and input errors (exit 2, one line)', () => {
  it.each([
    [[], 'give one of SYMBOL, --missing FRAGMENT or --unneeded'],
    [['FOO', '--unneeded'], 'give one of SYMBOL, --missing FRAGMENT or --unneeded'],
    [['not-a-symbol!', '--arch', 'x86_64'], "'not-a-symbol!' is not a Kconfig symbol name"],
    [['FOO'], '--arch is required'],
    [['FOO', '--arch', 'mips'], '--arch must be one of x86_64, arm64'],
  ])('%j', async (argv, message) => {
    const r = await explain(...argv);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(message);
    expect(r.out).toBe('');
  });

  it('a missing or foreign --config is an input error naming the file', async () => {
    const missing = await explain('FOO', '--config', join(scratch, 'nope.config'));
    expect([missing.code, missing.err.trim()]).toEqual([2, `capsem-kernel: ${join(scratch, 'nope.config')}: no such file`]);
    const arm = file('arm.config', '# Linux/arm64 6.12.117 Kernel Configuration\nCONFIG_ARM64=y\n');
    const foreign = await explain('FOO', '--config', arm, '--arch', 'x86_64');
    expect([foreign.code, foreign.err.trim()]).toEqual([2, `capsem-kernel: ${arm}: config is for arm64, not --arch x86_64`]);
  });
});

const src = kernelSource('6.12');
describe.skipIf(!src)('explain on the 6.12 tree', () => {
  const common = ['--arch', 'x86_64', '--kernel', '6.12', '--source', src!];

  it('SYMBOL: text by default, the same facts as JSON', async () => {
    const text = await explain('CONFIG_SHADOW_CALL_STACK', ...common);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^CONFIG_SHADOW_CALL_STACK: bool = n \(absent from \.config\), Linux 6\.12 x86_64\n/);
    expect(text.out).toMatch(/\n {2}why: unmet dependency: depends on /);
    const json = await explain('SHADOW_CALL_STACK', ...common, '--json');
    const e = JSON.parse(json.out) as { symbol: string; dependsOn: { value: string; unmet: string[] } };
    expect(e.symbol).toBe('SHADOW_CALL_STACK');
    expect(e.dependsOn.value).toBe('n');
    expect(e.dependsOn.unmet).toContain('ARCH_SUPPORTS_SHADOW_CALL_STACK [=n]');
  }, 60_000);

  it('--missing: exit 1 with one line per casualty; exit 0 when all survive', async () => {
    const bad = file('bad.fragment', 'CONFIG_SHADOW_CALL_STACK=y\nCONFIG_RETPOLINE=y\nCONFIG_PRINTK=y\n');
    const r = await explain('--missing', bad, ...common);
    expect(r.code).toBe(1);
    expect(r.out.trim().split('\n')).toEqual([
      expect.stringMatching(/^CONFIG_SHADOW_CALL_STACK=y -> \(absent\): unmet dependency: /),
      'CONFIG_RETPOLINE=y -> (absent): unknown symbol: no `config RETPOLINE` in Linux 6.12 x86_64; the policy knows it as MITIGATION_RETPOLINE here',
    ]);
    const good = file('good.fragment', 'CONFIG_64BIT=y\nCONFIG_PRINTK=y\n');
    const ok = await explain('--missing', good, ...common);
    expect([ok.code, ok.out]).toEqual([0, `every line of ${good} survived (2 lines)\n`]);
  }, 60_000);

  it('--unneeded on a final .config lists what nobody asked for', async () => {
    const config = file(
      'final.config',
      '# Linux/x86_64 6.12.117 Kernel Configuration\nCONFIG_64BIT=y\nCONFIG_SOUND=y\nCONFIG_PRINTK=y\n# CONFIG_MODULES is not set\nCONFIG_NOT_A_SYMBOL=y\nCONFIG_PRINTK=m\n',
    );
    const r = await explain('--unneeded', '--config', config, '--source', src!);
    expect(r.code).toBe(0);
    // conf's reading warnings, on stderr.
    expect(r.err.split('\n').filter(Boolean)).toEqual([
      `explain: ${config}: warning: symbol value 'm' invalid for PRINTK`,
      // The tree's own release (Debian's linux-source-6.12 moves on: 6.12.117, then .118).
      `explain: ${config}: 1 symbols unknown to Linux ${kernelVersionOf(src!).version} x86_64 (ignored, as conf does)`,
    ]);
    expect(r.out).toContain('  CONFIG_SOUND=y  "Sound card support"  (sound/Kconfig:');
    expect(r.out).not.toContain('CONFIG_PRINTK=');
  }, 60_000);
});
