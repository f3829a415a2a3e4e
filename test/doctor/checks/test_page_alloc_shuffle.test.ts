import check from '../../../src/doctor/checks/test_page_alloc_shuffle.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { cmdline } from '../helpers/cmdline.ts';

testCheck(check, {
  pass: [{ name: 'policy command line' }, { name: 'arm64', arch: 'arm64' }],
  fail: [
    { name: 'absent', patch: cmdline({ drop: ['page_alloc.shuffle'] }), reason: 'param-missing' },
    { name: 'overridden by a later 0', patch: cmdline({ append: ['page_alloc.shuffle=0'] }), reason: 'param-wrong-value' },
    { name: 'y is not 1', patch: cmdline({ drop: ['page_alloc.shuffle'], append: ['page_alloc.shuffle=y'] }), reason: 'param-wrong-value' },
  ],
  error: [{ name: '/proc/cmdline unreadable', patch: { errors: { '/proc/cmdline': 'EIO' } }, reason: 'unreadable' }],
});
