import check from '../../../src/doctor/checks/test_no_sysrq_trigger.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';

testCheck(check, {
  pass: [{ name: 'neither /proc/sysrq-trigger nor kernel.sysrq' }],
  fail: [
    { name: '/proc/sysrq-trigger exists', patch: { files: { '/proc/sysrq-trigger': file('', { mode: 0o200 }) } }, reason: 'sysrq-present' },
    { name: 'kernel.sysrq exists', patch: { files: { '/proc/sys/kernel/sysrq': file('0\n') } }, reason: 'sysrq-present' },
  ],
  error: [{ name: 'lookup fails', patch: { errors: { '/proc/sysrq-trigger': 'EIO' } }, reason: 'unreadable' }],
});
