import check from '../../../src/doctor/checks/test_no_proc_kcore.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';

const ELF = Buffer.from('\x7fELF\x02\x01\x01', 'latin1');

testCheck(check, {
  pass: [
    { name: '/proc/kcore absent' },
    { name: '/proc/kcore present but unreadable (EACCES)', patch: { files: { '/proc/kcore': file(ELF) }, errors: { '/proc/kcore': 'EACCES' } } },
    { name: '/proc/kcore present but reads empty', patch: { files: { '/proc/kcore': file('') } } },
  ],
  fail: [{ name: '/proc/kcore readable', patch: { files: { '/proc/kcore': file(ELF) } }, reason: 'kcore-readable', evidence: 'ELF' }],
  error: [{ name: '/proc/kcore read fails with EIO', patch: { files: { '/proc/kcore': file(ELF) }, errors: { '/proc/kcore': 'EIO' } }, reason: 'unreadable' }],
});
