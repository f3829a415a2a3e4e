import check from '../../../src/doctor/checks/test_kernel_cmdline_root.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { cmdline } from '../helpers/cmdline.ts';

testCheck(check, {
  pass: [{ name: 'policy command line' }, { name: 'arm64', arch: 'arm64' }],
  fail: [
    { name: 'absent', patch: cmdline({ drop: ['root'] }), reason: 'param-missing' },
    { name: 'a later root= wins', patch: cmdline({ append: ['root=/dev/vdb'] }), reason: 'param-wrong-value', evidence: '/dev/vdb' },
    { name: 'prefix is not equal', patch: cmdline({ drop: ['root'], append: ['root=/dev/vda1'] }), reason: 'param-wrong-value' },
  ],
  error: [{ name: '/proc/cmdline unreadable', patch: { errors: { '/proc/cmdline': 'EIO' } }, reason: 'unreadable' }],
});
