import check from '../../../src/doctor/checks/test_no_nfs.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';
import { filesystemsText } from '../helpers/healthy-guest.ts';

testCheck(check, {
  pass: [
    { name: 'no nfs types' },
    { name: 'nfsd-like names are not nfs', patch: { files: { '/proc/filesystems': filesystemsText(['nodev\tnfsd']) } } },
  ],
  fail: [
    { name: 'nfs registered', patch: { files: { '/proc/filesystems': filesystemsText(['nodev\tnfs']) } }, reason: 'nfs-registered' },
    { name: 'nfs4 registered', patch: { files: { '/proc/filesystems': filesystemsText(['nodev\tnfs4']) } }, reason: 'nfs-registered' },
  ],
  error: [
    { name: '/proc/filesystems unreadable', patch: { errors: { '/proc/filesystems': 'EIO' } }, reason: 'unreadable' },
    { name: '/proc/filesystems empty', patch: { files: { '/proc/filesystems': file('') } }, reason: 'implausible' },
  ],
});
