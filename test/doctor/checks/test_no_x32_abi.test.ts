import check from '../../../src/doctor/checks/test_no_x32_abi.ts';
import { testCheck } from '../helpers/check-tester.ts';

testCheck(check, {
  pass: [{ name: 'the x32 table answers ENOSYS' }],
  fail: [
    { name: 'x32 getpid returns a pid', patch: { syscalls: { x32_getpid: { ret: 7777, errno: 0 } } }, reason: 'syscall-available', evidence: 'x32_getpid() = 7777' },
    // EPERM (a filter) is not ENOSYS: the table exists.
    { name: 'x32 getpid refused otherwise', patch: { syscalls: { x32_getpid: { ret: -1, errno: 1 } } }, reason: 'syscall-available' },
  ],
  error: [{ name: 'the probe is missing', patch: { syscalls: 'missing' }, reason: 'probe-unusable' }],
});
