import check from '../../../src/doctor/checks/test_seccomp_available.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';
import { DOCTOR_PID, FULL_CAPS } from '../helpers/healthy-guest.ts';

// The self need already holds the doctor to Seccomp 0 with full capabilities; these vary only the lines this check reads.
const status = (lines: string) => ({ files: { [`/proc/${DOCTOR_PID}/status`]: file(`Name:\tnode\nCapEff:\t${FULL_CAPS}\nNoNewPrivs:\t0\n${lines}`) } });

testCheck(check, {
  pass: [
    { name: 'Seccomp and Seccomp_filters lines' },
    { name: 'the lines among other fields', patch: status('Seccomp:\t0\nSeccomp_filters:\t0\nSpeculation_Store_Bypass:\tthread vulnerable\n') },
  ],
  fail: [
    { name: 'no Seccomp line (SECCOMP=n)', patch: status(''), reason: 'no-seccomp' },
    { name: 'no Seccomp_filters line (SECCOMP_FILTER=n)', patch: status('Seccomp:\t0\n'), reason: 'no-seccomp-filter' },
    { name: 'a line merely mentioning Seccomp: does not count', patch: status('X-Seccomp: 0\nSeccomp_filters:\t0\n'), reason: 'no-seccomp' },
  ],
  error: [
    // The self need reads the same file first: the doctor cannot prove its own context.
    { name: '/proc/self/status unreadable', patch: { errors: { [`/proc/${DOCTOR_PID}/status`]: 'EACCES' } }, reason: 'doctor-confined' },
    { name: '/proc/self missing', patch: { files: { '/proc/self': null } }, reason: 'doctor-confined' },
  ],
});
