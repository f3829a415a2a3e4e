import check from '../../../src/doctor/checks/test_block_devices.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';

testCheck(check, {
  pass: [{ name: 'vda only, read-only' }, { name: 'ro with trailing spaces', patch: { files: { '/sys/block/vda/ro': file('1 \n') } } }],
  fail: [
    { name: 'a second disk', patch: { files: { '/sys/block/vdb/ro': file('0\n') } }, reason: 'not-the-policy-set', evidence: 'not allowed: vdb' },
    { name: 'a loop device', patch: { files: { '/sys/block/loop0/ro': file('0\n') } }, reason: 'not-the-policy-set' },
    { name: 'vda missing', patch: { files: { '/sys/block/vda': null, '/sys/block/sda/ro': file('1\n') } }, reason: 'not-the-policy-set', evidence: 'missing: vda' },
    { name: 'vda writable', patch: { files: { '/sys/block/vda/ro': file('0\n') } }, reason: 'device-writable', evidence: '"0" (policy: 1)' },
  ],
  error: [
    { name: '/sys/block unreadable', patch: { errors: { '/sys/block': 'EACCES' } }, reason: 'unreadable' },
    { name: 'ro unreadable', patch: { errors: { '/sys/block/vda/ro': 'EIO' } }, reason: 'unreadable' },
  ],
});
