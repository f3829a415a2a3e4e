import check from '../../../src/doctor/checks/test_no_real_nics.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';

const nic = (name: string) => ({ [`/sys/class/net/${name}/mtu`]: file('1500\n') });

testCheck(check, {
  pass: [{ name: 'exactly lo and dummy0' }],
  fail: [
    { name: 'an ethernet NIC', patch: { files: nic('eth0') }, reason: 'unexpected-nics', evidence: 'not allowed: eth0' },
    // A prefix blacklist (eth*, en*, wl*) passes these.
    { name: 'a second dummy', patch: { files: nic('dummy1') }, reason: 'unexpected-nics' },
    { name: 'an oddly named NIC', patch: { files: nic('veth-agent') }, reason: 'unexpected-nics' },
    { name: 'dummy0 missing', patch: { files: { '/sys/class/net/dummy0': null } }, reason: 'unexpected-nics', evidence: 'missing: dummy0' },
  ],
  error: [
    // Never a pass: a listing that cannot be read proves nothing.
    { name: 'listing unreadable', patch: { errors: { '/sys/class/net': 'EACCES' } }, reason: 'unreadable' },
    { name: 'no /sys/class/net', patch: { files: { '/sys/class/net': null } }, reason: 'unreadable' },
  ],
});
