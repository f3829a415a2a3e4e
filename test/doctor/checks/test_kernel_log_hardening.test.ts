import { expect, it } from 'vitest';
import check, { BOOT_MESSAGES } from '../../../src/doctor/checks/test_kernel_log_hardening.ts';
import { runCheck, testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';
import { BOOT_LOG_LINES, kernelLog } from '../helpers/healthy-guest.ts';

const without = (prefix: string) => ({ files: { '/dev/kmsg': kernelLog('x86_64', BOOT_LOG_LINES.filter((l) => !l.startsWith(prefix))) } });
const replaced = (prefix: string, line: string) => ({
  files: { '/dev/kmsg': kernelLog('x86_64', [...BOOT_LOG_LINES.filter((l) => !l.startsWith(prefix)), line]) },
});

it('every rule naming the check has its boot message', () => {
  expect(check.rules.filter((id) => !BOOT_MESSAGES[id])).toEqual([]);
});

it('no boot message pattern can match across a newline, and each says literally what its pattern requires (the check searches the joined log from there)', () => {
  for (const { line, says } of Object.values(BOOT_MESSAGES)) {
    expect(line.source).not.toMatch(/\\[sSnDWB]|\[\^|\$|[|?(]/);
    const literal = line.source.replace(/\\(.)/g, '$1');
    for (const part of says.split('...').map((p) => p.trim())) expect(literal, says).toContain(part);
  }
});

it('quotes each boot message whole, wherever it is in the log (first, in the middle, not anchored)', () => {
  const r = runCheck(check, replaced('x86/mm: Checked W+X', 'x86/mm: Checked W+X mappings: passed, no W+X pages found.'));
  expect(r.status).toBe('pass');
  expect(r.evidence).toContain('security-landlock: "landlock: Up and running."');
  expect(r.evidence).toContain('debug-wx: "x86/mm: Checked W+X mappings: passed, no W+X pages found."');
  expect(r.evidence).toContain('init-on-alloc: "mem auto-init: stack:off, heap alloc:on, heap free:on"');
});

testCheck(check, {
  pass: [{ name: 'every boot line (x86_64)' }, { name: 'every boot line (arm64 wording)', arch: 'arm64' }],
  fail: [
    { name: 'lockdown off', patch: without('Kernel is locked down'), reason: 'message-missing', evidence: 'no line "Kernel is locked down from Kernel configuration"' },
    // Locked down by a boot parameter, not by the configuration the policy builds in.
    { name: 'locked down from the command line', patch: replaced('Kernel is locked down', 'Kernel is locked down from command line; see man kernel_lockdown.7'), reason: 'message-missing' },
    { name: 'Landlock not built in', patch: without('landlock:'), reason: 'message-missing', evidence: 'security-landlock: no line' },
    { name: 'heap init on alloc off (init_on_alloc=0)', patch: replaced('mem auto-init', 'mem auto-init: stack:off, heap alloc:off, heap free:on'), reason: 'message-missing', evidence: 'init-on-alloc: no line' },
    { name: 'heap init on free off', patch: replaced('mem auto-init', 'mem auto-init: stack:off, heap alloc:on, heap free:off'), reason: 'message-missing' },
    {
      name: 'the W+X scan failed',
      patch: { files: { '/dev/kmsg': file(`6,0,0,-;Linux version 6.12\n${BOOT_LOG_LINES.slice(1).map((l, i) => `6,${i + 1},0,-;${l}\n`).join('')}4,9,0,-;x86/mm: Checked W+X mappings: FAILED, 3 W+X pages found.\n`) } },
      reason: 'message-missing',
      evidence: 'debug-wx: no line',
    },
  ],
  error: [
    { name: '/dev/kmsg unreadable', patch: { errors: { '/dev/kmsg': 'EPERM' } }, reason: 'unreadable' },
    { name: 'a log without the kernel\'s first line', patch: { files: { '/dev/kmsg': file('6,0,0,-;hello\n') } }, reason: 'implausible' },
  ],
});
