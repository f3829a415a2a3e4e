import check from '../../../src/doctor/checks/test_no_io_uring.ts';
import { testCheck } from '../helpers/check-tester.ts';

testCheck(check, {
  pass: [{ name: 'io_uring_setup() answers ENOSYS' }],
  fail: [
    { name: 'EINVAL: implemented', patch: { syscalls: { io_uring_setup: { ret: -1, errno: 22 } } }, reason: 'syscall-available', evidence: 'io_uring_setup() = -1 EINVAL' },
    { name: 'EPERM: implemented but denied', patch: { syscalls: { io_uring_setup: { ret: -1, errno: 1 } } }, reason: 'syscall-available' },
    { name: 'success', patch: { syscalls: { io_uring_setup: { ret: 3, errno: 0 } } }, reason: 'syscall-available' },
  ],
  error: [{ name: 'probe missing', patch: { syscalls: 'missing' }, reason: 'probe-unusable' }],
});
