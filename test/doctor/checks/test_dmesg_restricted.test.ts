import check from '../../../src/doctor/checks/test_dmesg_restricted.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';

testCheck(check, {
  pass: [{ name: 'dmesg_restrict is 1' }],
  fail: [
    { name: 'dmesg_restrict is 0', patch: { files: { '/proc/sys/kernel/dmesg_restrict': file('0\n') } }, reason: 'not-restricted' },
    { name: 'dmesg_restrict is 10 (not 1)', patch: { files: { '/proc/sys/kernel/dmesg_restrict': file('10\n') } }, reason: 'not-restricted' },
    { name: 'sysctl absent', patch: { files: { '/proc/sys/kernel/dmesg_restrict': null } }, reason: 'sysctl-absent' },
  ],
  error: [
    { name: 'sysctl unreadable', patch: { errors: { '/proc/sys/kernel/dmesg_restrict': 'EACCES' } }, reason: 'unreadable' },
    // Without /proc/sys the doctor cannot read cap_last_cap to prove its own capabilities.
    { name: 'no /proc/sys at all', patch: { files: { '/proc/sys': null } }, reason: 'doctor-confined' },
  ],
});
