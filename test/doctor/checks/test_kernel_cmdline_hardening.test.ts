import check from '../../../src/doctor/checks/test_kernel_cmdline_hardening.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { cmdline } from '../helpers/cmdline.ts';

testCheck(check, {
  pass: [
    { name: 'policy command line (x86_64)' },
    { name: 'policy command line (arm64, no x86-only pti)', arch: 'arm64' },
    // Waived rules are not demanded: the policy, not the check, says so.
    { name: 'a waived parameter (nosmt) absent', patch: cmdline({ drop: ['nosmt'] }) },
  ],
  fail: [
    { name: 'init_on_free missing', patch: cmdline({ drop: ['init_on_free'] }), reason: 'param-missing', evidence: 'init_on_free: the kernel has (absent)' },
    { name: 'mitigations=off appended', patch: cmdline({ append: ['mitigations=off'] }), reason: 'param-wrong-value', evidence: 'the kernel has mitigations=off' },
    { name: 'pti=off on x86_64', patch: cmdline({ append: ['pti=off'] }), reason: 'param-wrong-value' },
    { name: 'a sysctl parameter overridden', patch: cmdline({ append: ['sysctl.kernel.kptr_restrict=0'] }), reason: 'param-wrong-value' },
  ],
  error: [{ name: '/proc/cmdline unreadable', patch: { errors: { '/proc/cmdline': 'EIO' } }, reason: 'unreadable' }],
});
