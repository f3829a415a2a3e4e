import check from '../../../src/doctor/checks/test_cpu_vulnerabilities_mitigated.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';

const D = '/sys/devices/system/cpu/vulnerabilities';

testCheck(check, {
  pass: [
    { name: 'x86_64: every entry mitigated or not affected' },
    { name: 'arm64 list', arch: 'arm64' },
  ],
  fail: [
    { name: 'meltdown vulnerable (no PTI)', patch: { files: { [`${D}/meltdown`]: file('Vulnerable\n') } }, reason: 'vulnerable', evidence: 'meltdown: "Vulnerable"' },
    {
      name: 'mds vulnerable with a detail',
      patch: { files: { [`${D}/mds`]: file('Vulnerable: Clear CPU buffers attempted, no microcode; SMT Host state unknown\n') } },
      reason: 'vulnerable',
    },
    { name: 'arm64 spectre_v2 vulnerable', arch: 'arm64', patch: { files: { [`${D}/spectre_v2`]: file('Vulnerable\n') } }, reason: 'vulnerable' },
  ],
  error: [
    { name: 'directory absent', patch: { files: { [D]: null } }, reason: 'unreadable' },
    { name: 'an entry unreadable', patch: { errors: { [`${D}/meltdown`]: 'EIO' } }, reason: 'unreadable' },
  ],
});
