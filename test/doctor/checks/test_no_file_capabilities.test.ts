import check from '../../../src/doctor/checks/test_no_file_capabilities.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';

testCheck(check, {
  pass: [{ name: 'no file carries a capability' }, { name: 'a capability on a path outside every walked mount', patch: { fileCaps: ['/proc/1/exe'] } }],
  fail: [
    { name: 'a capability on the root', patch: { fileCaps: ['/bin/busybox'] }, reason: 'file-capability-found', evidence: '/bin/busybox: has security.capability' },
    { name: 'a capability on a file in /run', patch: { files: { '/run/ping': file('x', { mode: 0o755 }) }, fileCaps: ['/run/ping'] }, reason: 'file-capability-found' },
    { name: 'a capability on a file in /dev', patch: { files: { '/dev/.cap': file('x', { mode: 0o755 }) }, fileCaps: ['/dev/.cap'] }, reason: 'file-capability-found', evidence: '/dev/.cap' },
  ],
  error: [
    { name: 'the probe is missing', patch: { syscalls: 'missing' }, reason: 'probe-unusable' },
    { name: '/proc/mounts unreadable', patch: { errors: { '/proc/mounts': 'EIO' } }, reason: 'unreadable' },
  ],
});
