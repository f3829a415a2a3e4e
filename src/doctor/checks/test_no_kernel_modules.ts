import { defineCheck, describeMiss, fail, pass, quote } from '../define.ts';
import { must, syscallMissing } from '../observe.ts';

// "modprobe fails" proves nothing (a missing /lib/modules is enough); the
// module syscalls answering ENOSYS proves MODULES=n.
export default defineCheck({
  name: 'test_no_kernel_modules',
  needs: ['procfs', 'probe'],
  reasons: {
    'modules-listed': '/proc/modules lists loaded modules',
    'module-syscall-available': 'init_module or finit_module answered something other than ENOSYS',
  },
  run(ctx) {
    const modules = ctx.text('/proc/modules');
    const listed = modules.ok && modules.value.length > 0;
    if (!modules.ok && modules.code !== 'ENOENT') must(modules, '/proc/modules');
    const syscalls = [syscallMissing(ctx, 'init_module'), syscallMissing(ctx, 'finit_module')];
    const evidence = [
      modules.ok ? `/proc/modules: ${listed ? quote(modules.value.split('\n')[0]!) : 'empty'}` : describeMiss('/proc/modules', modules.code),
      ...syscalls.map((s) => s.evidence),
    ];
    if (listed) return fail('modules-listed', evidence);
    if (!syscalls.every((s) => s.missing)) return fail('module-syscall-available', evidence);
    return pass(evidence);
  },
});
