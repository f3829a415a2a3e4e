import { expect, it } from 'vitest';
import check, { DEFAULTS } from '../../../src/doctor/checks/test_kernel_defaults_in_effect.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';

it('every rule naming the check says where its default shows', () => {
  expect(check.rules.filter((id) => !DEFAULTS[id])).toEqual([]);
});

testCheck(check, {
  pass: [{ name: 'every default in effect (x86_64)' }, { name: 'arm64 (its own mmap_min_addr)', arch: 'arm64' }],
  fail: [
    // norandmaps (or COMPAT_BRK=y: 1) on the command line.
    { name: 'ASLR off', patch: { files: { '/proc/sys/kernel/randomize_va_space': file('0\n') } }, reason: 'wrong-value', evidence: '"0" (policy no-compat-brk: 2)' },
    { name: 'COMPAT_BRK: heap not randomised', patch: { files: { '/proc/sys/kernel/randomize_va_space': file('1\n') } }, reason: 'wrong-value' },
    { name: 'oops does not panic', patch: { files: { '/proc/sys/kernel/panic_on_oops': file('0\n') } }, reason: 'wrong-value' },
    { name: 'mmap_min_addr 4096', patch: { files: { '/proc/sys/vm/mmap_min_addr': file('4096\n') } }, reason: 'wrong-value' },
    { name: 'the arm64 value on x86_64', patch: { files: { '/proc/sys/vm/mmap_min_addr': file('32768\n') } }, reason: 'wrong-value' },
    { name: 'page_alloc.shuffle=0', patch: { files: { '/sys/module/page_alloc/parameters/shuffle': file('N\n') } }, reason: 'wrong-value' },
    { name: 'shuffle not built in', patch: { files: { '/sys/module/page_alloc': null } }, reason: 'absent', evidence: 'shuffle: absent (ENOENT)' },
    { name: 'user namespaces built in', patch: { files: { '/proc/4242/uid_map': file('         0          0 4294967295\n') } }, reason: 'present' },
  ],
  error: [{ name: 'a sysctl unreadable', patch: { errors: { '/proc/sys/vm/mmap_min_addr': 'EACCES' } }, reason: 'unreadable' }],
});
