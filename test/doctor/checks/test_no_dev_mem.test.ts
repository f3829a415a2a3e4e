import check from '../../../src/doctor/checks/test_no_dev_mem.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { charDev, file } from '../helpers/fake-guest.ts';

testCheck(check, {
  pass: [{ name: 'no /dev/mem node and no mem driver in the mem class' }],
  fail: [
    { name: '/dev/mem node exists', patch: { files: { '/dev/mem': charDev(0x101) } }, reason: 'node-present', evidence: '/dev/mem: present' },
    {
      name: 'driver registered though the node was removed',
      patch: { files: { '/sys/class/mem/mem/dev': file('1:1\n') } },
      reason: 'driver-registered',
    },
  ],
  error: [
    { name: '/sys/class/mem unreadable', patch: { errors: { '/sys/class/mem': 'EACCES' } }, reason: 'unreadable' },
    { name: '/sys/class/mem without null is not the kernel\'s', patch: { files: { '/sys/class/mem/null': null } }, reason: 'implausible' },
    { name: '/dev/mem cannot be looked up', patch: { errors: { '/dev/mem': 'EIO' } }, reason: 'unreadable' },
  ],
});
