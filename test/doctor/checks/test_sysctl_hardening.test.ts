import check from '../../../src/doctor/checks/test_sysctl_hardening.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';

testCheck(check, {
  pass: [
    { name: 'every sysctl reads back with the policy value' },
    { name: 'arm64', arch: 'arm64' },
    { name: 'a trailing newline and spaces do not matter', patch: { files: { '/proc/sys/kernel/kptr_restrict': file('  2 \n') } } },
  ],
  fail: [
    // The command line asked for it, but Yama is not built in: the kernel ignored the request.
    { name: 'Yama not built in', patch: { files: { '/proc/sys/kernel/yama': null } }, reason: 'sysctl-absent', evidence: '/proc/sys/kernel/yama/ptrace_scope: absent' },
    { name: 'kptr_restrict lowered', patch: { files: { '/proc/sys/kernel/kptr_restrict': file('1\n') } }, reason: 'sysctl-wrong-value', evidence: '"1"' },
    { name: 'protected_symlinks off', patch: { files: { '/proc/sys/fs/protected_symlinks': file('0\n') } }, reason: 'sysctl-wrong-value' },
  ],
  error: [{ name: 'a sysctl unreadable', patch: { errors: { '/proc/sys/fs/protected_fifos': 'EACCES' } }, reason: 'unreadable' }],
});
