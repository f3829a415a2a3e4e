import { defineCommand } from '../command.ts';
import { renderFragment } from '../../kconfig/fragment.ts';
import {
  ARCHS,
  DEFAULT_KERNEL,
  KERNELS,
  TOOLCHAINS,
  type Arch,
  type KernelVersion,
  type Toolchain,
} from '../../policy/index.ts';
import { UsageError } from '../../util/errors.ts';

/** The target flags shared by defconfig, cmdline and audit. */
export const TARGET_ARGS = {
  arch: { type: 'string', description: 'Target architecture', choices: ARCHS },
  kernel: { type: 'string', description: 'Kernel series', choices: KERNELS, default: DEFAULT_KERNEL },
  toolchain: { type: 'string', description: 'Compiler the kernel is built with', choices: TOOLCHAINS, default: 'gcc' },
} as const;

export function requireArch(arch: string | undefined, verb: string): Arch {
  if (arch === undefined) throw new UsageError(`${verb}: --arch is required (${ARCHS.join(' or ')})`);
  return arch as Arch;
}

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
    io.stdout(renderFragment({ arch, kernel: args.kernel as KernelVersion, toolchain: args.toolchain as Toolchain }));
    return 0;
  },
});
