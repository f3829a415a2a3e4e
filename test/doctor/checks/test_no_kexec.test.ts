import check from '../../../src/doctor/checks/test_no_kexec.ts';
import { testCheck } from '../helpers/check-tester.ts';

testCheck(check, {
  pass: [{ name: 'kexec_load and kexec_file_load answer ENOSYS' }],
  fail: [
    { name: 'kexec_load implemented', patch: { syscalls: { kexec_load: { ret: -1, errno: 22 } } }, reason: 'syscall-available' },
    { name: 'kexec_file_load implemented', patch: { syscalls: { kexec_file_load: { ret: -1, errno: 1 } } }, reason: 'syscall-available', evidence: 'EPERM' },
  ],
  error: [{ name: 'probe missing', patch: { syscalls: 'missing' }, reason: 'probe-unusable' }],
});
