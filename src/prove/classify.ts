import type { LkdtmTest } from './lkdtm.ts';

// One verdict per boot, from the console of a kernel that runs only our own
// init. The order is fixed and strict: a test that does not exist or cannot
// run here is inconclusive; any sign that the attack succeeded beats a
// signature (a FAIL line followed by a crash is still not blocked); only then
// does the signature count; a test that returned without it is not blocked;
// anything else (killed by the wall-clock limit, log cut short) is inconclusive.

export type Verdict = 'blocked' | 'not-blocked' | 'inconclusive';

export interface Classification {
  verdict: Verdict;
  /** The console line that decided it (absent when the log ended without one). */
  line?: string;
  why: string;
}

/** What our init prints when the kernel got as far as running it. */
export const INIT_MARKER = 'capsem-prove: init reached';

const TIMESTAMP = /^\[\s*\d+\.\d+\]\s?/;
const LKDTM_FAIL = /^lkdtm: FAIL: /;
const XFAIL = /^lkdtm: XFAIL: /;

export function logLines(consoleText: string): string[] {
  return consoleText.split('\n').map((l) => l.replace(/\r$/, '').replace(TIMESTAMP, ''));
}

export function classify(test: LkdtmTest, consoleText: string): Classification {
  const lines = logLines(consoleText);
  const find = (patterns: readonly RegExp[]) => lines.find((l) => patterns.some((p) => p.test(l)));
  const unknown = find([new RegExp(`^lkdtm: Unknown crashtype '${test.name}'$`)]);
  if (unknown) return { verdict: 'inconclusive', line: unknown, why: 'this kernel has no such LKDTM test' };
  const cannot = find([XFAIL, ...(test.cannotRun ?? [])]);
  if (cannot) return { verdict: 'inconclusive', line: cannot, why: 'the test cannot run here' };
  const survived = find([LKDTM_FAIL, ...(test.survived ?? [])]);
  if (survived) return { verdict: 'not-blocked', line: survived, why: 'the attack succeeded' };
  const blocked = find([test.blocked]);
  if (blocked) return { verdict: 'blocked', line: blocked, why: `the expected signature ${test.blocked}` };
  const returned = find([new RegExp(`^lkdtm: Crash point DIRECT of type ${test.name} registered$`), new RegExp(`^${INIT_MARKER}$`)]);
  if (returned) return { verdict: 'not-blocked', line: returned, why: 'the test returned without the signature and the kernel went on' };
  return { verdict: 'inconclusive', why: 'the log ended before any deciding line (killed at the wall-clock limit, or cut short)' };
}
