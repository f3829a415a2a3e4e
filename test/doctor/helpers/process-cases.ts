// The same cases for every forbidden-process check, from the policy's names.
import type { CheckCases } from './check-tester.ts';
import { file } from './fake-guest.ts';
import { DOCTOR_PID, processNode } from './healthy-guest.ts';

export function processTests(names: readonly string[]): CheckCases {
  const first = names[0]!;
  return {
    pass: [
      { name: 'only init, a kernel thread and the doctor' },
      { name: `a name that merely starts with ${first}`, patch: { files: processNode(300, `${first}-helper`, `/usr/bin/${first}-helper`) } },
      { name: 'a process that ended while scanning (no stat)', patch: { files: { '/proc/301/exe': file('') } } },
    ],
    fail: [
      ...names.map((n) => ({ name: `comm is ${n}`, patch: { files: processNode(300, n) }, reason: 'process-running', evidence: `comm "${n}"` })),
      // A renamed process still shows its executable.
      { name: `exe is ${first} under another comm`, patch: { files: processNode(302, 'kworker', `/usr/sbin/${first}`) }, reason: 'process-running' },
      { name: `exe is a deleted ${first}`, patch: { files: processNode(303, 'x', `/usr/sbin/${first} (deleted)`) }, reason: 'process-running' },
      // The image builder's table (src/policy/guest-files.ts): the daemon's binary is installed though nothing runs it.
      { name: `a ${first} binary on /`, patch: { files: { [`/usr/sbin/${first}`]: file('x', { mode: 0o755 }) } }, reason: 'file-installed', evidence: `/usr/sbin/${first}: ${first} binary` },
      { name: `a ${first} binary only on the lower layer`, patch: { files: { [`/mnt/lower/usr/sbin/${first}`]: file('x', { mode: 0o755 }) } }, reason: 'file-installed' },
    ],
    error: [
      { name: '/proc does not list the doctor itself', patch: { pid: DOCTOR_PID + 1 }, reason: 'implausible' },
      { name: 'a stat unreadable', patch: { errors: { '/proc/1/stat': 'EIO' } }, reason: 'unreadable' },
    ],
  };
}
