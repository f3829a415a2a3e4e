import check from '../../../src/doctor/checks/test_no_dev_port.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { charDev, file } from '../helpers/fake-guest.ts';

testCheck(check, {
  pass: [
    { name: 'no /dev/port node and no port driver' },
    { name: '/dev/mem exists (another check\'s business)', patch: { files: { '/dev/mem': charDev(0x101) } } },
  ],
  fail: [
    { name: '/dev/port node exists', patch: { files: { '/dev/port': charDev(0x104) } }, reason: 'node-present' },
    { name: 'port driver registered', patch: { files: { '/sys/class/mem/port/dev': file('1:4\n') } }, reason: 'driver-registered' },
  ],
  error: [
    { name: '/sys/class/mem missing entirely', patch: { files: { '/sys/class/mem': null } }, reason: 'unreadable' },
    { name: '/dev/port lookup fails', patch: { errors: { '/dev/port': 'EIO' } }, reason: 'unreadable' },
  ],
});
