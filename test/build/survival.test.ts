import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSurvival, isDefinedIn, withReasons, type RequestedOption } from '../../src/build/survival.ts';
import { type KconfigTree, loadKconfigTree } from '../../src/kconfig/tree.ts';

// A tiny kernel tree read by the real Kconfig engine: each behaviour the survival
// check must explain has one symbol here. Linux 6.12, so the policy's renames apply.
const TREE: Record<string, string> = {
  Makefile: 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\nEXTRAVERSION =\n',
  Kconfig: `
source "arch/$(SRCARCH)/Kconfig"
config NET
	bool "Networking"
config INET
	bool "TCP/IP"
	depends on NET
config VIRTIO
	bool
config CRYPTO_LIB
	bool
config BIG_FEATURE
	bool "big"
	select CRYPTO_LIB
config CC_HAS_STACKPROT
	def_bool $(shell,$(CC) -fstack-protector probe)
config EXPERT
	bool "expert mode"
	depends on ONLY_REFERENCED
config LOG_SHIFT
	int "log shift"
	default 17
config HIDDEN_SHIFT
	int "hidden shift" if EXPERT
	default 17
if NET
config IN_IF
	bool "inside an if block"
	help
	  depends on NOTHING
endif
choice
	prompt "mode"
config MODE_A
	bool "A"
config MODE_B
	bool "B"
endchoice
`,
  'arch/x86/Kconfig': 'config X86_ONLY\n\tbool "x86 only"\n',
  'arch/arm64/Kconfig': 'config ARM_ONLY\n\tbool "arm64 only"\n',
};

interface Case {
  name: string;
  requested: string; // fragment lines, one `SYM=value` each
  final: string; // final .config lines, `SYM=value`
  /** Expected casualties: symbol -> regex the reason must match. Empty: everything survived. */
  casualties: Record<string, RegExp>;
}

const CASES: { survives: Case[]; fails: Case[] } = {
  survives: [
    { name: 'y kept', requested: 'NET=y INET=y', final: 'NET=y INET=y', casualties: {} },
    { name: 'n absent from .config is n', requested: 'INET=n', final: '', casualties: {} },
    { name: 'numbers compare by value', requested: 'LOG_SHIFT=0x11', final: 'LOG_SHIFT=17', casualties: {} },
    { name: 'a later line overrides an earlier one', requested: 'NET=y NET=n', final: '', casualties: {} },
  ],
  fails: [
    { name: 'misspelled symbol', requested: 'INETT=y', final: '', casualties: { INETT: /^unknown symbol: no `config INETT` in Linux 6\.12 x86_64; did you mean INET\?$/ } },
    { name: "another arch's symbol, even =n", requested: 'ARM_ONLY=n', final: '', casualties: { ARM_ONLY: /^unknown symbol: no `config ARM_ONLY` in Linux 6\.12 x86_64$/ } },
    { name: 'a name only referenced in an expression', requested: 'ONLY_REFERENCED=n', final: '', casualties: { ONLY_REFERENCED: /^unknown symbol/ } },
    {
      name: 'renamed symbol (the policy knows both names)',
      requested: 'RETPOLINE=y',
      final: '',
      casualties: { RETPOLINE: /^unknown symbol: no `config RETPOLINE` in Linux 6\.12 x86_64; the policy knows it as MITIGATION_RETPOLINE here$/ },
    },
    {
      name: 'unmet dependency (names the false term)',
      requested: 'INET=y',
      final: '',
      casualties: { INET: /^unmet dependency: depends on NET \[=n\]; false: NET \[=n\] \(Kconfig:\d+\); to fix: .*CONFIG_NET=y/ },
    },
    { name: 'unmet dependency from an if block (help text ignored)', requested: 'IN_IF=y', final: '', casualties: { IN_IF: /^unmet dependency: depends on NET \[=n\]; false: NET \[=n\]/ } },
    {
      name: 'forced by select',
      requested: 'CRYPTO_LIB=n',
      final: 'BIG_FEATURE=y CRYPTO_LIB=y',
      casualties: { CRYPTO_LIB: /^forced by select from BIG_FEATURE \(Kconfig:\d+\); to fix: .*CONFIG_BIG_FEATURE=n$/ },
    },
    { name: 'no prompt, nobody selects it', requested: 'VIRTIO=y', final: '', casualties: { VIRTIO: /^not user-settable \(no prompt\)/ } },
    { name: 'compiler probe', requested: 'CC_HAS_STACKPROT=y', final: '', casualties: { CC_HAS_STACKPROT: /^a compiler probe \(Kconfig:\d+\): the toolchain decides it.*: n with this toolchain$/ } },
    { name: 'choice', requested: 'MODE_B=y', final: 'MODE_A=y', casualties: { MODE_B: /^an option of the choice at Kconfig:\d+: MODE_A is chosen instead$/ } },
    {
      name: 'number behind a hidden prompt: the default wins',
      requested: 'HIDDEN_SHIFT=12',
      final: 'HIDDEN_SHIFT=17',
      casualties: { HIDDEN_SHIFT: /^not user-settable here \(no visible prompt\).*: default 17 \(Kconfig:\d+\)$/ },
    },
  ],
};

function parseLines(s: string): [string, string][] {
  return s.split(/\s+/).filter(Boolean).map((kv) => kv.split('=') as [string, string]);
}

let dir: string;
let tree: KconfigTree;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capsem-survival-'));
  for (const [path, text] of Object.entries(TREE)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  // Explicit environment and shell: no compiler runs; the probe answers n.
  tree = loadKconfigTree({ srcDir: dir, arch: 'x86_64', env: { SRCARCH: 'x86', CC: 'gcc', srctree: dir }, shell: () => 'n' });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function run(c: Case) {
  const requested: RequestedOption[] = parseLines(c.requested).map(([symbol, value], i) => ({
    symbol,
    value,
    origin: { kind: 'rule', id: `case-${i}` },
  }));
  const final = new Map(parseLines(c.final));
  const found = checkSurvival(requested, final, (s) => final.has(s) || isDefinedIn(tree, s));
  return Object.fromEntries(withReasons(found, tree, final).map((x) => [x.symbol, x.reason]));
}

describe('survival check with the Kconfig engine', () => {
  it('has passing and failing cases', () => {
    expect(CASES.survives.length).toBeGreaterThan(0);
    expect(CASES.fails.length).toBeGreaterThan(0);
    expect(CASES.fails.every((c) => Object.keys(c.casualties).length > 0)).toBe(true);
  });
  for (const c of [...CASES.survives, ...CASES.fails]) {
    it(c.name, () => {
      const reasons = run(c);
      expect(Object.keys(reasons).sort()).toEqual(Object.keys(c.casualties).sort());
      for (const [sym, re] of Object.entries(c.casualties)) expect(reasons[sym]).toMatch(re);
    });
  }
  it('a symbol is defined iff it has a config entry for this arch', () => {
    expect(isDefinedIn(tree, 'X86_ONLY')).toBe(true);
    expect(isDefinedIn(tree, 'ARM_ONLY')).toBe(false);
    expect(tree.symbols.has('ONLY_REFERENCED')).toBe(true);
    expect(isDefinedIn(tree, 'ONLY_REFERENCED')).toBe(false);
  });
});
