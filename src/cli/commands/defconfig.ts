import { defineCommand } from '../command.ts';
import { TARGET_ARGS, requireArch, requireKernel } from '../args.ts';
import { renderFragment } from '../../kconfig/fragment.ts';

export default defineCommand({
  name: 'defconfig',
  summary: 'Print the kernel config fragment generated from the policy',
  description: `
The fragment is every enforced kconfig rule plus the required features, each line
under a comment naming its rule. Apply it to allnoconfig:
  make O=<dir> allnoconfig KCONFIG_ALLCONFIG=<fragment>`,
  args: TARGET_ARGS,
  examples: ['capsem-kernel defconfig --arch x86_64', 'capsem-kernel defconfig --arch arm64 --kernel 6.1 --toolchain clang'],
  run({ args, io }) {
    const arch = requireArch(args.arch, 'defconfig');
    io.stdout(renderFragment({ arch, kernel: requireKernel(args.kernel, 'defconfig', io), toolchain: args.toolchain }));
    return 0;
  },
});
