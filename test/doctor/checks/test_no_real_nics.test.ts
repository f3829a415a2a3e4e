import check from '../../../src/doctor/checks/test_no_real_nics.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file, link } from '../helpers/fake-guest.ts';
import { nicNode } from '../helpers/healthy-guest.ts';

const nic = (name: string) => ({ [`/sys/class/net/${name}/mtu`]: file('1500\n') });

testCheck(check, {
  pass: [{ name: 'exactly lo and dummy0' }],
  fail: [
    { name: 'an ethernet NIC', patch: { files: nic('eth0') }, reason: 'unexpected-nics', evidence: 'not allowed: eth0' },
    // A prefix blacklist (eth*, en*, wl*) passes these.
    { name: 'a second dummy', patch: { files: nic('dummy1') }, reason: 'unexpected-nics' },
    { name: 'an oddly named NIC', patch: { files: nic('veth-agent') }, reason: 'unexpected-nics' },
    { name: 'dummy0 missing', patch: { files: { '/sys/class/net/dummy0': null } }, reason: 'unexpected-nics', evidence: 'missing: dummy0' },
    // Right names, wrong kinds.
    { name: 'a real NIC renamed dummy0', patch: { files: { '/sys/class/net/dummy0/device': link('../../../0000:00:03.0') } }, reason: 'wrong-nic-kind', evidence: 'has a device link' },
    { name: 'a veth renamed dummy0 (its peer elsewhere)', patch: { files: nicNode('dummy0', 2, 1, 7) }, reason: 'wrong-nic-kind', evidence: 'iflink 7 != ifindex 2' },
    { name: 'lo is not a loopback', patch: { files: nicNode('lo', 1, 1) }, reason: 'wrong-nic-kind', evidence: 'type "1" (policy: 772)' },
    { name: 'dummy0 is a tunnel type', patch: { files: nicNode('dummy0', 2, 768) }, reason: 'wrong-nic-kind' },
  ],
  error: [
    { name: 'a type unreadable', patch: { errors: { '/sys/class/net/lo/type': 'EIO' } }, reason: 'unreadable' },
    // Never a pass: a listing that cannot be read proves nothing.
    { name: 'listing unreadable', patch: { errors: { '/sys/class/net': 'EACCES' } }, reason: 'unreadable' },
    { name: 'no /sys/class/net', patch: { files: { '/sys/class/net': null } }, reason: 'unreadable' },
  ],
});
