import check from '../../../src/doctor/checks/test_no_32bit_exec.ts';
import { testCheck } from '../helpers/check-tester.ts';

testCheck(check, {
  pass: [
    { name: 'i386 ELF refused with ENOEXEC (x86_64)' },
    { name: 'AArch32 ELF refused with ENOEXEC (arm64)', arch: 'arm64' },
  ],
  fail: [
    { name: 'i386 ELF ran', patch: { exec: { legacy32: { kind: 'ran', exitCode: 42, signal: null } } }, reason: '32bit-ran', evidence: 'exit 42' },
    { name: 'AArch32 ELF ran', arch: 'arm64', patch: { exec: { legacy32: { kind: 'ran', exitCode: 42, signal: null } } }, reason: '32bit-ran' },
    { name: '32-bit ELF started and crashed: still ran', patch: { exec: { legacy32: { kind: 'ran', exitCode: null, signal: 'SIGSEGV' } } }, reason: '32bit-ran' },
  ],
  error: [
    { name: 'refused for another reason (EACCES)', patch: { exec: { legacy32: { kind: 'refused', errno: 13 } } }, reason: 'refused-otherwise' },
    { name: 'native control does not run', patch: { exec: { native: { kind: 'refused', errno: 8 } } }, reason: 'exec-unusable' },
    { name: 'native control exits with the wrong code', patch: { exec: { native: { kind: 'ran', exitCode: 0, signal: null } } }, reason: 'exec-unusable' },
    { name: 'the probe lies about getpid', patch: { getpid: 99 }, reason: 'probe-unusable' },
  ],
});
