import check from '../../../src/doctor/checks/test_kernel_cmdline_has_ro.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { cmdline } from '../helpers/cmdline.ts';

testCheck(check, {
  pass: [
    { name: 'policy command line (x86_64)' },
    { name: 'policy command line (arm64)', arch: 'arm64' },
    { name: 'ro given twice', patch: cmdline({ append: ['ro'] }) },
    { name: 'rw then ro: ro wins', patch: cmdline({ drop: ['ro'], append: ['rw', 'ro'] }) },
  ],
  fail: [
    { name: 'no ro', patch: cmdline({ drop: ['ro'] }), reason: 'param-missing' },
    // A substring match would pass these.
    { name: 'ro only inside another word', patch: cmdline({ drop: ['ro'], append: ['rootwait', 'quiet_ro'] }), reason: 'param-missing' },
    { name: 'ro only after --, for init', patch: cmdline({ drop: ['ro'], append: ['--', 'ro'] }), reason: 'param-missing' },
    { name: 'ro=1 is not the flag', patch: cmdline({ drop: ['ro'], append: ['ro=1'] }), reason: 'param-wrong-value' },
    { name: 'ro then rw: rw wins', patch: cmdline({ append: ['rw'] }), reason: 'flag-overridden' },
  ],
  error: [{ name: '/proc/cmdline unreadable', patch: { errors: { '/proc/cmdline': 'EIO' } }, reason: 'unreadable' }],
});
