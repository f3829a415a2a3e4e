import { describe, expect, it } from 'vitest';
import { INIT_MARKER, type Verdict, classify } from '../../src/prove/classify.ts';
import { lkdtmTest } from '../../src/prove/lkdtm.ts';

// Console excerpts shaped like Linux 6.12's output, one verdict each.
const CASES: { name: string; test: string; console: string; verdict: Verdict; line?: string }[] = [
  {
    name: 'an Oops with its trace blocks WRITE_RO',
    test: 'WRITE_RO',
    console: 'lkdtm: attempting bad rodata write at ffffffff82000000\r\nBUG: unable to handle page fault\r\nOops: 0003 [#1] PREEMPT SMP PTI\r\nCall Trace:\r\n <TASK>\r\nKernel panic - not syncing: Fatal exception\r\n',
    verdict: 'blocked',
    line: 'Call Trace:',
  },
  { name: 'LKDTM\'s FAIL line is not blocked', test: 'WRITE_RO', console: 'lkdtm: attempting bad rodata write at x\nlkdtm: FAIL: survived bad write\n', verdict: 'not-blocked', line: 'lkdtm: FAIL: survived bad write' },
  { name: 'a FAIL line beats a later crash', test: 'ARRAY_BOUNDS', console: 'lkdtm: FAIL: survived array bounds overflow!\nCall Trace:\n', verdict: 'not-blocked' },
  { name: 'printk timestamps are ignored', test: 'READ_AFTER_FREE', console: '[    0.912345] lkdtm: Memory correctly poisoned (0)\n', verdict: 'blocked', line: 'lkdtm: Memory correctly poisoned (0)' },
  { name: 'a test that returned silently is not blocked', test: 'SLAB_FREE_DOUBLE', console: 'lkdtm: Attempting double slab free ...\nlkdtm: Crash point DIRECT of type SLAB_FREE_DOUBLE registered\n', verdict: 'not-blocked' },
  { name: 'reaching init without the signature is not blocked', test: 'SLAB_FREE_CROSS', console: `lkdtm: Attempting cross-cache slab free ...\n${INIT_MARKER}\n`, verdict: 'not-blocked' },
  { name: 'the signature must start the line', test: 'CORRUPT_LIST_ADD', console: 'echo list_add corruption\n', verdict: 'inconclusive' },
  { name: 'another crash is not the stack protector', test: 'CORRUPT_STACK_STRONG', console: 'general protection fault, probably for non-canonical address\nCall Trace:\n', verdict: 'not-blocked' },
  { name: 'the stack protector\'s panic blocks', test: 'CORRUPT_STACK_STRONG', console: 'Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: 0xffffffff81234567\n', verdict: 'blocked' },
  { name: 'an unknown test is inconclusive', test: 'WRITE_KERN', console: "lkdtm: Unknown crashtype 'WRITE_KERN'\n", verdict: 'inconclusive' },
  { name: 'XFAIL is inconclusive', test: 'CORRUPT_PAC', console: 'lkdtm: XFAIL: this test is arm64-only\n', verdict: 'inconclusive' },
  { name: 'a missing CPU feature is inconclusive, not a failure', test: 'CORRUPT_PAC', console: 'lkdtm: FAIL: CPU lacks pointer authentication feature\n', verdict: 'inconclusive' },
  {
    name: 'a PAC authentication fault blocks CORRUPT_PAC',
    test: 'CORRUPT_PAC',
    console: 'lkdtm: changing PAC parameters to force function return failure...\nInternal error: Oops - FPAC: 0000000072000000 [#1] PREEMPT SMP\nCall trace:\n',
    verdict: 'blocked',
    line: 'Call trace:',
  },
  { name: 'a kernel without PAC lets CORRUPT_PAC through', test: 'CORRUPT_PAC', console: 'lkdtm: FAIL: kernel not built with CONFIG_ARM64_PTR_AUTH_KERNEL\nlkdtm: FAIL: survived PAC changes! Kernel may be unstable from here\n', verdict: 'not-blocked' },
  { name: 'CFI_BACKWARD: a redirected return is not blocked', test: 'CFI_BACKWARD', console: 'lkdtm: ok: redirected stack return address.\nlkdtm: FAIL: stack return address was redirected!\n', verdict: 'not-blocked' },
  { name: 'CFI_BACKWARD: an unchanged control flow blocks', test: 'CFI_BACKWARD', console: 'lkdtm: ok: redirected stack return address.\nlkdtm: ok: control flow unchanged.\n', verdict: 'blocked' },
  { name: 'CFI_BACKWARD: no working redirect to start from is inconclusive', test: 'CFI_BACKWARD', console: 'lkdtm: Eek: return address mismatch! 0 != 1\nlkdtm: FAIL: stack return address manipulation failed!\n', verdict: 'inconclusive' },
  {
    name: 'a kCFI trap blocks CFI_FORWARD_PROTO',
    test: 'CFI_FORWARD_PROTO',
    console: 'lkdtm: Calling matched prototype ...\nlkdtm: Calling mismatched prototype ...\nCFI failure at lkdtm_CFI_FORWARD_PROTO+0x3c/0x60 (target: lkdtm_increment_int+0x0/0x20; expected type: 0x7e0c52a5)\nOops: invalid opcode: 0000 [#1] SMP\nCall Trace:\n',
    verdict: 'blocked',
    line: 'Call Trace:',
  },
  {
    name: 'CFI_FORWARD_PROTO with the checks off (cfi=off) is not blocked',
    test: 'CFI_FORWARD_PROTO',
    console: 'Disabling CFI\nlkdtm: Calling mismatched prototype ...\nlkdtm: FAIL: survived mismatched prototype function call!\nlkdtm: Unexpected! This kernel (6.12.117) was built with CONFIG_CFI_CLANG=y\n',
    verdict: 'not-blocked',
  },
  { name: 'a log cut short is inconclusive', test: 'EXEC_DATA', console: 'Linux version 6.12.117\n', verdict: 'inconclusive' },
];

describe('classify', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const v = classify(lkdtmTest(c.test)!, c.console);
    expect(v.verdict).toBe(c.verdict);
    if (c.line) expect(v.line).toBe(c.line);
  });
});
