import check from '../../../src/doctor/checks/test_no_userfaultfd.ts';
import { testCheck } from '../helpers/check-tester.ts';

testCheck(check, {
  pass: [{ name: 'userfaultfd() answers ENOSYS' }],
  fail: [
    { name: 'EINVAL: implemented', patch: { syscalls: { userfaultfd: { ret: -1, errno: 22 } } }, reason: 'syscall-available', evidence: 'userfaultfd() = -1 EINVAL' },
    { name: 'EPERM: implemented but denied', patch: { syscalls: { userfaultfd: { ret: -1, errno: 1 } } }, reason: 'syscall-available' },
    { name: 'success', patch: { syscalls: { userfaultfd: { ret: 3, errno: 0 } } }, reason: 'syscall-available' },
  ],
  error: [{ name: 'probe missing', patch: { syscalls: 'missing' }, reason: 'probe-unusable' }],
});
