import { defineCheck, describeMiss, fail, pass, quote } from '../define.ts';
import { must } from '../observe.ts';
import type { Rule } from '../../policy/index.ts';

/** What each rule's built-in default makes the running kernel show, and where. */
export const DEFAULTS: Record<string, { path: string; expect: (r: Rule) => string | 'absent' }> = {
  // COMPAT_BRK=n: full randomisation, heap included (norandmaps would make it 0).
  'no-compat-brk': { path: '/proc/sys/kernel/randomize_va_space', expect: () => '2' },
  'panic-on-oops': { path: '/proc/sys/kernel/panic_on_oops', expect: () => '1' },
  'mmap-min-addr-x86': { path: '/proc/sys/vm/mmap_min_addr', expect: (r) => String(r.kind === 'kconfig' ? r.value : '') },
  'mmap-min-addr-arm64': { path: '/proc/sys/vm/mmap_min_addr', expect: (r) => String(r.kind === 'kconfig' ? r.value : '') },
  // fs/proc/base.c lists uid_map only with USER_NS: without it only the initial namespace exists.
  'no-user-ns': { path: '/proc/self/uid_map', expect: () => 'absent' },
  // The parameter exists only with SHUFFLE_PAGE_ALLOCATOR, and reads Y once page_alloc.shuffle=1 took effect.
  'shuffle-page-allocator': { path: '/sys/module/page_alloc/parameters/shuffle', expect: () => 'Y' },
};

// Kconfig defaults and boot parameters seen in effect: each value read back
// from the interface the kernel exposes it through.
export default defineCheck({
  name: 'test_kernel_defaults_in_effect',
  needs: ['procfs', 'sysfs'],
  reasons: {
    'wrong-value': 'a value the policy builds in (or sets at boot) reads back otherwise',
    'present': 'an interface that exists only when the feature is built in exists',
    'absent': 'an interface that exists only when the feature is built in is missing',
  },
  run(ctx) {
    const evidence: string[] = [];
    let reason: 'wrong-value' | 'present' | 'absent' | undefined;
    for (const rule of ctx.rules) {
      const { path, expect } = DEFAULTS[rule.id]!;
      const want = expect(rule);
      const got = ctx.text(path);
      if (!got.ok && got.code === 'ENOENT') {
        evidence.push(`${describeMiss(path, got.code)} (policy ${rule.id}: ${want})`);
        if (want !== 'absent') reason ??= 'absent';
        continue;
      }
      const value = must(got, path).trim();
      evidence.push(`${path}: ${quote(value)} (policy ${rule.id}: ${want})`);
      if (want === 'absent') reason ??= 'present';
      else if (value !== want) reason ??= 'wrong-value';
    }
    return reason ? fail(reason, evidence) : pass(evidence);
  },
});
