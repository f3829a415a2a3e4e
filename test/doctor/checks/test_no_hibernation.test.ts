import check from '../../../src/doctor/checks/test_no_hibernation.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';

testCheck(check, {
  pass: [
    { name: 'suspend states but no disk' },
    { name: 'no /sys/power at all (no PM)', patch: { files: { '/sys/power': null } } },
    { name: 'disk_foo-like names are not disk', patch: { files: { '/sys/power/state': file('freeze mem diskless\n') } } },
  ],
  fail: [
    { name: 'state offers disk', patch: { files: { '/sys/power/state': file('freeze mem disk\n') } }, reason: 'hibernation-available' },
    { name: '/sys/power/disk exists', patch: { files: { '/sys/power/disk': file('[platform] shutdown reboot\n') } }, reason: 'hibernation-available' },
  ],
  error: [
    { name: '/sys/power unreadable', patch: { errors: { '/sys/power': 'EACCES' } }, reason: 'unreadable' },
    { name: '/sys/power/state unreadable', patch: { errors: { '/sys/power/state': 'EIO' } }, reason: 'unreadable' },
  ],
});
