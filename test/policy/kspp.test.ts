import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allAnswers, answer, KSPP_REVISIONS, RECOMMENDATIONS, type Recommendation } from '../../src/policy/kspp.ts';
import { RULES } from '../../src/policy/index.ts';

// The checked-in KSPP / hardening.config list against the policy: every item on
// every verified target is met by a rule, or answered by a waiver or an absent
// span with its reason. A new revision of the list is a diff that this test judges.

const answers = allAnswers();
const show = (a: (typeof answers)[number]) => `${a.rec.item}=${String(a.rec.expected)} (${a.rec.kind}, ${a.rec.revision}) ${a.arch} ${a.kernel} ${a.toolchain}: ${a.why}`;

describe('KSPP recommendations', () => {
  it('every item has a rule or a waiver on every arch, kernel and toolchain', () => {
    expect(answers.filter((a) => a.status === 'unanswered').map(show)).toEqual([]);
  });

  it('an enforced rule enforces the recommended value', () => {
    expect(answers.filter((a) => a.status === 'differs').map(show)).toEqual([]);
  });

  it('a waiver or absent span says why', () => {
    for (const a of answers) if (a.status === 'waived' || a.status === 'not-applicable') expect(a.why?.length, show(a)).toBeGreaterThan(10);
  });

  it('sysctl recommendations are set on the command line and read back by the doctor', () => {
    const unread = answers
      .filter((a) => a.rec.kind === 'sysctl' && a.status === 'met')
      .filter((a) => !RULES.find((r) => r.id === a.rule)?.checks?.includes('test_sysctl_hardening'))
      .map(show);
    expect(unread).toEqual([]);
  });

  it('items are unique per kind, arch, value and revision, and each names a known revision', () => {
    const keys = RECOMMENDATIONS.flatMap((r) => r.archs.map((a) => `${r.kind}:${r.item}=${String(r.expected)}:${a}:${r.revision}`));
    expect(keys.length - new Set(keys).size).toBe(0);
    for (const r of RECOMMENDATIONS) expect(Object.keys(KSPP_REVISIONS)).toContain(r.revision);
  });

  it('can fail: an item no rule names, and a rule enforcing another value', () => {
    const rec = (item: string, expected: string, kind: Recommendation['kind'] = 'kconfig'): Recommendation =>
      ({ item, kind, archs: ['x86_64'], expected, source: 'kspp', revision: 'kspp-2026-07' });
    expect(answer(rec('NOT_A_SYMBOL', 'y'), 'x86_64', '6.12', 'gcc').status).toBe('unanswered');
    expect(answer(rec('DEBUG_FS', 'y'), 'x86_64', '6.12', 'gcc')).toMatchObject({ status: 'differs', rule: 'no-debugfs' });
    expect(answer(rec('kernel.kptr_restrict', '1', 'sysctl'), 'x86_64', '6.12', 'gcc').status).toBe('differs');
    // on, 1 and y are one boolean to the kernel (kstrtobool).
    expect(answer(rec('randomize_kstack_offset', 'on', 'cmdline'), 'x86_64', '6.12', 'gcc').status).toBe('met');
  });

  it('docs/policy.md cites every revision followed', () => {
    const doc = readFileSync(new URL('../../docs/policy.md', import.meta.url), 'utf8');
    for (const rev of Object.values(KSPP_REVISIONS)) expect(doc).toContain(rev.title);
  });
});
