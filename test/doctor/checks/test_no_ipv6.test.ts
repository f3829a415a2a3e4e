import check from '../../../src/doctor/checks/test_no_ipv6.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';

testCheck(check, {
  pass: [{ name: 'no if_inet6 in /proc/net and no ipv6 sysctls' }],
  fail: [
    { name: '/proc/net/if_inet6 exists', patch: { files: { '/proc/net/if_inet6': file('') } }, reason: 'ipv6-present' },
    {
      name: 'ipv6 sysctls exist (if_inet6 hidden)',
      patch: { files: { '/proc/sys/net/ipv6/conf/all/disable_ipv6': file('1\n') } },
      reason: 'ipv6-present',
      evidence: '/proc/sys/net/ipv6: present',
    },
  ],
  error: [
    // An absent /proc/net would otherwise "prove" there is no if_inet6.
    { name: '/proc/net missing', patch: { files: { '/proc/net': null } }, reason: 'unreadable' },
    { name: '/proc/net without dev', patch: { files: { '/proc/net/dev': null } }, reason: 'implausible' },
  ],
});
