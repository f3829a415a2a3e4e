import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleCasualtyReason } from '../../src/build/casualty-reason.ts';
import { scanKconfig, type KconfigIndex } from '../../src/build/kconfig-index.ts';
import { checkSurvival, type RequestedOption } from '../../src/build/survival.ts';

// A tiny kernel tree: each behaviour the survival check must explain has one symbol here.
const TREE: Record<string, string> = {
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
config STACKPROT
	bool "stack protector"
	depends on $(cc-option,-fstack-protector)
config EXPERT
	bool "expert mode"
config KALLSYMS
	bool "kallsyms" if EXPERT
	default y
config NEW_NAME
	bool "renamed"
config LOG_SHIFT
	int "log shift"
	default 17
if NET
config IN_IF
	bool "inside an if block"
	help
	  depends on NOTHING
	  select NET_HELP_TEXT
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
    { name: 'prompt shown when EXPERT=y', requested: 'EXPERT=y KALLSYMS=n', final: 'EXPERT=y', casualties: {} },
    { name: 'y kept', requested: 'NET=y INET=y', final: 'NET=y INET=y', casualties: {} },
    { name: 'n absent from .config is n', requested: 'INET=n', final: '', casualties: {} },
    { name: 'numbers compare by value', requested: 'LOG_SHIFT=0x11', final: 'LOG_SHIFT=17', casualties: {} },
    { name: 'a later line overrides an earlier one', requested: 'NET=y NET=n', final: '', casualties: {} },
  ],
  fails: [
    { name: 'misspelled symbol', requested: 'INETT=y', final: '', casualties: { INETT: /unknown symbol: no `config INETT`.*did you mean INET\?/ } },
    { name: 'another arch\'s symbol, even =n', requested: 'ARM_ONLY=n', final: '', casualties: { ARM_ONLY: /unknown symbol.*for x86/ } },
    { name: 'renamed symbol', requested: 'OLD_NAME=y', final: '', casualties: { OLD_NAME: /the policy knows it as NEW_NAME/ } },
    { name: 'unmet dependency', requested: 'INET=y', final: '', casualties: { INET: /unmet dependency: depends on NET; false: NET \[NET=n\]/ } },
    { name: 'unmet dependency from an if block (help text ignored)', requested: 'IN_IF=y', final: '', casualties: { IN_IF: /unmet dependency: depends on NET; false: NET/ } },
    { name: 'forced by select', requested: 'CRYPTO_LIB=n', final: 'BIG_FEATURE=y CRYPTO_LIB=y', casualties: { CRYPTO_LIB: /forced by select: selected by BIG_FEATURE=y \(Kconfig:\d+\)/ } },
    { name: 'no prompt, nobody selects it', requested: 'VIRTIO=y', final: '', casualties: { VIRTIO: /not user-settable \(no prompt\)/ } },
    { name: 'compiler test in depends on', requested: 'STACKPROT=y', final: '', casualties: { STACKPROT: /\$\(cc-option,-fstack-protector\) \[a toolchain test, probably false\]/ } },
    { name: 'prompt hidden behind if EXPERT: the default wins', requested: 'KALLSYMS=n', final: 'KALLSYMS=y', casualties: { KALLSYMS: /prompt hidden \(only shown if EXPERT; false: EXPERT \[EXPERT=n\]\), so its default applies/ } },
    { name: 'choice', requested: 'MODE_B=y', final: 'MODE_A=y', casualties: { MODE_B: /an option of the choice at Kconfig:\d+/ } },
    { name: 'string/number changed', requested: 'LOG_SHIFT=12', final: 'LOG_SHIFT=17', casualties: { LOG_SHIFT: /Kconfig changed it/ } },
  ],
};

function parseLines(s: string): [string, string][] {
  return s.split(/\s+/).filter(Boolean).map((kv) => kv.split('=') as [string, string]);
}

let dir: string;
let index: KconfigIndex;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capsem-survival-'));
  for (const [path, text] of Object.entries(TREE)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  index = await scanKconfig(dir, 'x86');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function run(c: Case) {
  const requested: RequestedOption[] = parseLines(c.requested).map(([symbol, value], i) => ({
    symbol,
    value,
    origin: { kind: 'rule', id: `case-${i}` },
  }));
  const final = new Map(parseLines(c.final));
  const found = checkSurvival(requested, final, (s) => index.definitions.has(s) || final.has(s));
  const ctx = { index, final, kernel: '6.12', knownRename: (s: string) => (s === 'OLD_NAME' ? 'NEW_NAME' : undefined) };
  return Object.fromEntries(found.map((x) => [x.symbol, simpleCasualtyReason(x, ctx)]));
}

describe('survival check', () => {
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
  it('the index follows source with $(SRCARCH): the other arch is invisible', () => {
    expect(index.definitions.has('X86_ONLY')).toBe(true);
    expect(index.definitions.has('ARM_ONLY')).toBe(false);
    expect(index.selectors.has('NET_HELP_TEXT')).toBe(false);
  });
});
