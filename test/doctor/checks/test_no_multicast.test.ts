import check from '../../../src/doctor/checks/test_no_multicast.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';

testCheck(check, {
  pass: [{ name: 'no /proc/net/igmp' }],
  fail: [{ name: '/proc/net/igmp exists', patch: { files: { '/proc/net/igmp': file('Idx Device\n') } }, reason: 'igmp-present' }],
  error: [
    { name: '/proc/net missing', patch: { files: { '/proc/net': null } }, reason: 'unreadable' },
    { name: '/proc/net listing is not the kernel\'s', patch: { files: { '/proc/net/dev': null } }, reason: 'implausible' },
  ],
});
