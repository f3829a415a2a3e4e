import check from '../../../src/doctor/checks/test_process_allowlist.ts';
import { GUEST } from '../../../src/policy/index.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';
import { DOCTOR_PID, KTHREAD_FLAGS, processNode } from '../helpers/healthy-guest.ts';

const probe = `${GUEST.capsemBinDir}/capsem-probe`;

testCheck(check, {
  pass: [
    { name: 'the init, kernel threads and the doctor' },
    { name: 'the probe while it runs', patch: { files: processNode(300, 'capsem-probe', probe, [probe, 'syscall', 'getpid']) } },
    { name: 'a kernel thread with any name', patch: { files: processNode(301, 'sshd', null) } },
    { name: 'a comm with spaces and parentheses', patch: { files: processNode(303, 'kworker/u2:0-(ev) x', null, [], KTHREAD_FLAGS) } },
    { name: 'a process that ended while scanning (no stat)', patch: { files: { '/proc/302/exe': file('') } } },
  ],
  fail: [
    // The three spec names are a subset: an unremarkable name is caught by identity.
    { name: 'a worker with an unremarkable name', patch: { files: processNode(300, 'worker') }, reason: 'process-not-allowed', evidence: 'pid 300: comm "worker"' },
    { name: 'dropbear (an SSH server not named sshd)', patch: { files: processNode(301, 'dropbear', '/usr/sbin/dropbear') }, reason: 'process-not-allowed' },
    { name: 'a user process disguised as a kernel thread', patch: { files: processNode(302, 'kworker/0:2', '/tmp/x') }, reason: 'process-not-allowed' },
    {
      name: 'pid 1 is not capsem-init',
      patch: { files: processNode(1, 'init', '/sbin/init', ['/sbin/init']) },
      reason: 'process-not-allowed',
      evidence: 'cmdline "/sbin/init"',
    },
    { name: 'a second shell running capsem-init', patch: { files: processNode(304, 'sh', '/bin/busybox', ['/bin/sh', `${GUEST.capsemBinDir}/capsem-init`]) }, reason: 'process-not-allowed' },
  ],
  error: [
    { name: '/proc does not list the doctor itself', patch: { pid: DOCTOR_PID + 1 }, reason: 'implausible' },
    { name: 'a stat unreadable', patch: { errors: { '/proc/2/stat': 'EIO' } }, reason: 'unreadable' },
    { name: 'a stat without flags', patch: { files: { '/proc/2/stat': file('2 (kthreadd) S\n') } }, reason: 'implausible' },
    { name: 'a stat without comm', patch: { files: { '/proc/2/stat': file('2 kthreadd S 0 0 0 0 0 2129984\n') } }, reason: 'implausible' },
    { name: 'the init\'s cmdline unreadable', patch: { errors: { '/proc/1/cmdline': 'EACCES' } }, reason: 'unreadable' },
  ],
});
