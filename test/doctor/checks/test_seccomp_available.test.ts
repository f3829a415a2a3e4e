import check from '../../../src/doctor/checks/test_seccomp_available.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';
import { DOCTOR_PID } from '../helpers/healthy-guest.ts';

const status = (lines: string) => ({ files: { [`/proc/${DOCTOR_PID}/status`]: file(`Name:\tnode\n${lines}`) } });

testCheck(check, {
  pass: [
    { name: 'Seccomp and Seccomp_filters lines' },
    { name: 'the doctor itself is filtered (mode 2)', patch: status('Seccomp:\t2\nSeccomp_filters:\t1\n') },
  ],
  fail: [
    { name: 'no Seccomp line (SECCOMP=n)', patch: status(''), reason: 'no-seccomp' },
    { name: 'no Seccomp_filters line (SECCOMP_FILTER=n)', patch: status('Seccomp:\t0\n'), reason: 'no-seccomp-filter' },
    { name: 'a line merely mentioning Seccomp: does not count', patch: status('X-Seccomp: 0\nSeccomp_filters:\t0\n'), reason: 'no-seccomp' },
  ],
  error: [
    { name: '/proc/self/status unreadable', patch: { errors: { [`/proc/${DOCTOR_PID}/status`]: 'EACCES' } }, reason: 'unreadable' },
    { name: '/proc/self missing', patch: { files: { '/proc/self': null } }, reason: 'unreadable' },
  ],
});
