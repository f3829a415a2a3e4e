import check from '../../../src/doctor/checks/test_no_bpf_syscall.ts';
import { testCheck } from '../helpers/check-tester.ts';

testCheck(check, {
  pass: [{ name: 'bpf() answers ENOSYS' }],
  fail: [
    { name: 'EINVAL: implemented', patch: { syscalls: { bpf: { ret: -1, errno: 22 } } }, reason: 'syscall-available', evidence: 'bpf() = -1 EINVAL' },
    { name: 'EPERM: implemented but denied', patch: { syscalls: { bpf: { ret: -1, errno: 1 } } }, reason: 'syscall-available' },
    { name: 'success', patch: { syscalls: { bpf: { ret: 3, errno: 0 } } }, reason: 'syscall-available' },
  ],
  error: [{ name: 'probe missing', patch: { syscalls: 'missing' }, reason: 'probe-unusable' }],
});
