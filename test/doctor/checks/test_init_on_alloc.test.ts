import check from '../../../src/doctor/checks/test_init_on_alloc.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { cmdline, rawCmdline } from '../helpers/cmdline.ts';

testCheck(check, {
  pass: [
    { name: 'policy command line' },
    { name: 'arm64 policy command line', arch: 'arm64' },
    { name: 'last value wins: 0 then 1', patch: cmdline({ drop: ['init_on_alloc'], append: ['init_on_alloc=0', 'init_on_alloc=1'] }) },
    { name: 'quoted value', patch: rawCmdline('root=/dev/vda ro "init_on_alloc=1"\n') },
  ],
  fail: [
    { name: 'absent', patch: cmdline({ drop: ['init_on_alloc'] }), reason: 'param-missing' },
    { name: 'last value wins: 1 then 0', patch: cmdline({ append: ['init_on_alloc=0'] }), reason: 'param-wrong-value', evidence: 'the kernel has init_on_alloc=0' },
    { name: 'init_on_alloc=10 is not 1', patch: cmdline({ drop: ['init_on_alloc'], append: ['init_on_alloc=10'] }), reason: 'param-wrong-value' },
    { name: 'init_on_free=1 is another parameter', patch: cmdline({ drop: ['init_on_alloc'], append: ['init_on_free=1'] }), reason: 'param-missing' },
    { name: 'bare init_on_alloc has no value', patch: cmdline({ drop: ['init_on_alloc'], append: ['init_on_alloc'] }), reason: 'param-wrong-value' },
  ],
  error: [{ name: '/proc/cmdline absent', patch: { files: { '/proc/cmdline': null } }, reason: 'unreadable' }],
});
