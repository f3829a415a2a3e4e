import check from '../../../src/doctor/checks/test_no_kallsyms.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';

testCheck(check, {
  pass: [{ name: '/proc/kallsyms absent' }, { name: '/proc/kallsyms empty', patch: { files: { '/proc/kallsyms': file('') } } }],
  fail: [
    {
      name: 'symbols listed even with addresses hidden by kptr_restrict',
      patch: { files: { '/proc/kallsyms': file('0000000000000000 T _text\n0000000000000000 T startup_64\n') } },
      reason: 'not-empty',
      evidence: '2 lines',
    },
  ],
  error: [{ name: '/proc/kallsyms unreadable', patch: { files: { '/proc/kallsyms': file('x') }, errors: { '/proc/kallsyms': 'EPERM' } }, reason: 'unreadable' }],
});
