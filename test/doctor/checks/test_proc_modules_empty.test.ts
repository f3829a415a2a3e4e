import check from '../../../src/doctor/checks/test_proc_modules_empty.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';

testCheck(check, {
  pass: [{ name: '/proc/modules absent' }, { name: '/proc/modules empty', patch: { files: { '/proc/modules': file('') } } }],
  fail: [
    {
      name: '/proc/modules lists a module',
      patch: { files: { '/proc/modules': file('dummy 16384 0 - Live 0x0000000000000000\n') } },
      reason: 'not-empty',
      evidence: 'dummy',
    },
  ],
  error: [{ name: '/proc/modules unreadable', patch: { files: { '/proc/modules': file('') }, errors: { '/proc/modules': 'EACCES' } }, reason: 'unreadable' }],
});
