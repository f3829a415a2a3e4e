import check from '../../../src/doctor/checks/test_no_kernel_modules.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { file } from '../helpers/fake-guest.ts';

testCheck(check, {
  pass: [
    { name: 'no /proc/modules and both module syscalls ENOSYS' },
    { name: 'empty /proc/modules', patch: { files: { '/proc/modules': file('') } } },
  ],
  fail: [
    {
      name: 'a module is loaded',
      patch: { files: { '/proc/modules': file('dummy 16384 0 - Live 0x0\n') } },
      reason: 'modules-listed',
    },
    {
      // The case "modprobe fails" misses: no module directory, but MODULES=y.
      name: 'no modules loaded but init_module is implemented (EPERM)',
      patch: { syscalls: { init_module: { ret: -1, errno: 1 } } },
      reason: 'module-syscall-available',
      evidence: 'init_module() = -1 EPERM',
    },
    {
      name: 'finit_module implemented (EBADF)',
      patch: { syscalls: { finit_module: { ret: -1, errno: 9 } } },
      reason: 'module-syscall-available',
    },
  ],
  error: [
    { name: '/proc/modules unreadable', patch: { files: { '/proc/modules': file('') }, errors: { '/proc/modules': 'EIO' } }, reason: 'unreadable' },
    { name: 'probe binary missing', patch: { syscalls: 'missing' }, reason: 'probe-unusable' },
  ],
});
